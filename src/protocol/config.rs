//! One provider's settings as the client config gives them: credentials,
//! base URL, extra headers, provider-specific settings.

use super::spec::Auth;
use crate::session::Provider;
use std::fmt;

/// A credential. `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The credential itself, for building an auth header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// One provider's settings.
///
/// `Debug` shows header names, never their values (headers often carry credentials).
#[derive(Clone, PartialEq)]
pub struct ProviderConfig {
    /// The provider these settings are for.
    pub provider: Provider,
    /// How its requests are authenticated (from the provider's [`Connection`](super::spec::Connection)).
    pub auth: Auth,
    /// The provider's API key. Absent when a proxy at `base_url` adds the credentials.
    pub api_key: Option<Secret>,
    /// Origin (and optional path prefix) without a trailing slash.
    pub base_url: String,
    /// True when the caller chose `base_url` (a sandbox, a proxy).
    pub custom_base_url: bool,
    /// Extra headers sent on every request.
    pub headers: Vec<(String, String)>,
    /// Provider-specific settings ([`Connection::settings`](super::spec::Connection)), by name.
    pub settings: Vec<(&'static str, String)>,
}

impl ProviderConfig {
    /// A provider-specific setting (e.g. Mangopay's `clientId`).
    pub fn setting(&self, name: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("ProviderConfig")
            .field("provider", &self.provider)
            .field("api_key", &self.api_key)
            .field("base_url", &self.base_url)
            .field("header_names", &header_names)
            .field("settings", &self.settings)
            .finish()
    }
}
