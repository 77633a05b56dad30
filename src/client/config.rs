//! Client configuration: credentials, base URLs, headers per provider, and the
//! global timeout, retry and concurrency settings. Parsed from the JS config
//! object (as JSON), validated with `config` errors.

use super::retry::RetryPolicy;
use crate::error::IdvError;
use crate::session::Provider;
use serde_json::{Map, Value};

pub use crate::protocol::config::{ProviderConfig, Secret};

/// The whole client configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientConfig {
    /// The configured providers, in [`Provider::ALL`] order.
    pub providers: Vec<ProviderConfig>,
    /// Per-request timeout.
    pub timeout_ms: u64,
    /// Retry settings.
    pub retry: RetryPolicy,
    /// Requests in flight per provider.
    pub concurrency: usize,
    /// Multiplies the documented rate limits (e.g. 0.5 to leave room for other clients).
    pub rate_limit_scale: f64,
    /// Allow secret keys in a browser page.
    pub dangerously_allow_browser: bool,
}

/// A provider's production base URL.
pub fn default_base_url(provider: Provider) -> &'static str {
    provider.api().connection().base_url
}

/// True for any provider's own host (production or sandbox), whatever the
/// scheme, port, path or spelling: a browser calling one of these with a
/// secret key exposes it.
fn is_provider_host(base_url: &str) -> bool {
    let Some(host) = url_host(base_url) else {
        return false;
    };
    Provider::registered().any(|p| {
        p.api()
            .connection()
            .hosts
            .iter()
            .any(|origin| url_host(origin).is_some_and(|h| h == host))
    })
}

/// The host of an http(s) URL as a browser resolves it: lower case,
/// percent-decoded, IDNA's other full stops as dots, no port, no trailing
/// dot (`https://Verification.Didit.ME.:443/v3` is `verification.didit.me`).
fn url_host(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    let rest = ["http:", "https:"]
        .iter()
        .find_map(|scheme| lower.strip_prefix(scheme))?;
    let authority = rest
        .trim_start_matches(['/', '\\'])
        .split(['/', '\\', '?', '#'])
        .next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.rsplit_once(':') {
        Some((h, port)) if !h.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    let decoded = percent_encoding::percent_decode_str(host).decode_utf8_lossy();
    let host: String = decoded
        .chars()
        .map(|c| match c {
            '\u{3002}' | '\u{ff0e}' | '\u{ff61}' => '.',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    Some(host.trim_end_matches('.').to_string())
}

impl ClientConfig {
    /// The settings of one provider, or a `config` error when it is not configured.
    pub fn provider(&self, provider: Provider) -> Result<&ProviderConfig, IdvError> {
        self.providers
            .iter()
            .find(|p| p.provider == provider)
            .ok_or_else(|| {
                IdvError::config(
                    Some(provider),
                    format!(
                        "{provider}: not configured (add `{provider}` to the IdvClient config)"
                    ),
                )
            })
    }

    /// Every credential and header value, for scrubbing messages: API keys,
    /// the `Authorization` values built from them (`ApiKey …`, `Basic …` of
    /// the OAuth exchange), and custom header values with the credentials
    /// after their scheme, each long enough to be told apart from ordinary
    /// text (6 characters or more).
    pub fn secrets(&self) -> Vec<String> {
        let mut out = Vec::new();
        for p in &self.providers {
            if let Some(key) = &p.api_key {
                out.push(key.expose().to_string());
                if let Some(token) = p.provider.api().token_request(p) {
                    out.extend(
                        token
                            .headers
                            .into_iter()
                            .filter(|(n, _)| n.eq_ignore_ascii_case("authorization"))
                            .map(|(_, v)| v.trim_start_matches("Basic ").to_string()),
                    );
                }
            }
            out.extend(
                p.headers
                    .iter()
                    .flat_map(|(_, v)| header_credentials(v))
                    .filter(|v| v.chars().count() >= 6),
            );
        }
        out.retain(|s| !s.is_empty());
        // A server may echo a key escaped: inside a JSON string, or percent-encoded in a URL
        // (as `encodeURIComponent` or a form writes it).
        let escaped: Vec<String> = out.iter().flat_map(|s| escaped_forms(s)).collect();
        out.extend(escaped);
        // Longest first, so that a secret containing another is scrubbed whole.
        crate::order::sort_by_key(&mut out, |s| std::cmp::Reverse(s.len()));
        out.dedup();
        out
    }

    /// In a browser, a secret key sent straight to a provider is exposed to
    /// every visitor: refuse unless the caller insists.
    ///
    /// # Errors
    /// `config` naming the first provider configured that way.
    pub fn check_browser_safety(&self) -> Result<(), IdvError> {
        if self.dangerously_allow_browser {
            return Ok(());
        }
        for p in &self.providers {
            if p.api_key.is_some() && (!p.custom_base_url || is_provider_host(&p.base_url)) {
                let provider = p.provider;
                return Err(IdvError::config(
                    Some(provider),
                    format!(
                        "{provider}: a secret API key in a browser page is readable by every visitor. \
                         Call the provider through your own backend: set `{provider}.baseUrl` to a proxy \
                         that adds the credentials, and leave the key out of the page \
                         (or set `dangerouslyAllowBrowser: true` if this page is private)"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Parses the JS config object (as JSON; functions such as `fetch` are not in it).
    ///
    /// # Errors
    /// `config` naming the field that is wrong.
    pub fn from_json(value: &Value) -> Result<Self, IdvError> {
        let Value::Object(map) = value else {
            return Err(IdvError::config(
                None,
                "IdvClient: config must be an object",
            ));
        };
        let retry_defaults = RetryPolicy::default();
        let mut providers = Vec::new();
        for provider in Provider::registered() {
            if let Some(p) = provider_config(map, provider)? {
                providers.push(p);
            }
        }
        let config = ClientConfig {
            providers,
            timeout_ms: number(map, "timeoutMs", 1.0, 600_000.0)?.map_or(30_000, |n| n as u64),
            retry: RetryPolicy {
                max_retries: number(map, "maxRetries", 0.0, 20.0)?
                    .map_or(retry_defaults.max_retries, |n| n as u32),
                base_ms: number(map, "retryBaseMs", 0.0, 60_000.0)?
                    .map_or(retry_defaults.base_ms, |n| n as u64),
                max_delay_ms: number(map, "retryMaxDelayMs", 0.0, 600_000.0)?
                    .map_or(retry_defaults.max_delay_ms, |n| n as u64),
            },
            concurrency: number(map, "concurrency", 1.0, 64.0)?.map_or(4, |n| n as usize),
            rate_limit_scale: number(map, "rateLimitScale", 0.000_001, 1_000.0)?.unwrap_or(1.0),
            dangerously_allow_browser: match map.get("dangerouslyAllowBrowser") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => {
                    return Err(IdvError::config(
                        None,
                        "IdvClient: `dangerouslyAllowBrowser` must be a boolean",
                    ))
                }
            },
        };
        if config.providers.is_empty() {
            let names: Vec<String> = Provider::ALL.iter().map(|p| format!("`{p}`")).collect();
            return Err(IdvError::config(
                None,
                format!(
                    "IdvClient: configure at least one provider ({})",
                    names.join(", ")
                ),
            ));
        }
        Ok(config)
    }
}

fn number(
    map: &Map<String, Value>,
    name: &str,
    min: f64,
    max: f64,
) -> Result<Option<f64>, IdvError> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(v) if v >= min && v <= max => Ok(Some(v)),
            _ => Err(IdvError::config(
                None,
                // Integers in the message: formatting an f64 would pull float printing into the wasm.
                format!(
                    "IdvClient: `{name}` must be between {} and {}",
                    min as u64, max as u64
                ),
            )),
        },
        Some(_) => Err(IdvError::config(
            None,
            format!("IdvClient: `{name}` must be a number"),
        )),
    }
}

/// A base URL must be an http(s) URL without credentials, or a path on the
/// page's own origin. Parsed as browsers and Node parse it (WHATWG URL): after
/// `http:` any run of `/` and `\` is skipped, so `http:///user:pw@host` and
/// `http:user:pw@host` carry credentials too, and `//host` is another origin.
fn check_base_url(provider: Provider, base_url: &str) -> Result<(), IdvError> {
    let p = provider.as_str();
    let lower = base_url.to_ascii_lowercase();
    let rest = ["http:", "https:"]
        .iter()
        .find_map(|scheme| lower.strip_prefix(scheme));
    let Some(rest) = rest else {
        let path_here = base_url.starts_with('/') && !base_url[1..].starts_with(['/', '\\']);
        if path_here {
            return Ok(());
        }
        return Err(IdvError::config(
            Some(provider),
            format!("{p}: `baseUrl` must be an http(s) URL or a path on this origin (`/api/{p}`)"),
        ));
    };
    let authority = rest
        .trim_start_matches(['/', '\\'])
        .split(['/', '\\', '?', '#'])
        .next()
        .unwrap_or_default();
    if authority.contains('@') {
        // Credentials in a URL end up in error messages and logs.
        return Err(IdvError::config(
            Some(provider),
            format!(
                "{p}: `baseUrl` must not carry credentials (`user:password@`); \
                 use `apiKey` or `headers`"
            ),
        ));
    }
    if authority.is_empty() {
        return Err(IdvError::config(
            Some(provider),
            format!("{p}: `baseUrl` has no host"),
        ));
    }
    Ok(())
}

/// What a server may echo of a custom header's value: the value, and the
/// credentials after its scheme (`Bearer X`: `X`).
fn header_credentials(value: &str) -> Vec<String> {
    let value = value.trim();
    let mut out = vec![value.to_string()];
    if let Some((_scheme, credentials)) = value.split_once(char::is_whitespace) {
        out.push(credentials.trim().to_string());
    }
    out
}

/// The spellings of `secret` other than itself that a server may echo: JSON-escaped (without
/// the quotes), percent-encoded as `encodeURIComponent` writes it, and as a form writes it.
fn escaped_forms(secret: &str) -> Vec<String> {
    const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'!')
        .remove(b'~')
        .remove(b'*')
        .remove(b'\'')
        .remove(b'(')
        .remove(b')');
    let json = serde_json::to_string(secret).unwrap_or_default();
    let forms = [
        json.get(1..json.len().saturating_sub(1))
            .unwrap_or_default()
            .to_string(),
        percent_encoding::utf8_percent_encode(secret, COMPONENT).to_string(),
        form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
    ];
    let mut out: Vec<String> = Vec::new();
    for form in forms {
        if !form.is_empty() && form != secret && !out.contains(&form) {
            out.push(form);
        }
    }
    out
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn provider_config(
    map: &Map<String, Value>,
    provider: Provider,
) -> Result<Option<ProviderConfig>, IdvError> {
    let p = provider.as_str();
    let section = match map.get(p) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(section)) => section,
        Some(_) => {
            return Err(IdvError::config(
                Some(provider),
                format!("{p}: config must be an object"),
            ))
        }
    };
    let text = |name: &str| -> Result<Option<String>, IdvError> {
        match section.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_string())),
            Some(_) => Err(IdvError::config(
                Some(provider),
                format!("{p}: `{name}` must be a non-empty string"),
            )),
        }
    };
    let base = text("baseUrl")?;
    let custom_base_url = base.is_some();
    let default_url = match (text("region")?, provider.api().connection().regions) {
        (None, _) => default_base_url(provider),
        (Some(_), []) => {
            return Err(IdvError::config(
                Some(provider),
                format!("{p}: `region` is not a setting here (one API serves every region)"),
            ))
        }
        (Some(_), _) if custom_base_url => {
            return Err(IdvError::config(
                Some(provider),
                format!("{p}: give `region` or `baseUrl`, not both (a proxy at `baseUrl` chooses the region)"),
            ))
        }
        (Some(region), regions) => regions
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(&region))
            .map(|r| r.base_url)
            .ok_or_else(|| {
                let names: Vec<&str> = regions.iter().map(|r| r.name).collect();
                IdvError::config(
                    Some(provider),
                    format!("{p}: `region` must be one of: {}", names.join(", ")),
                )
            })?,
    };
    let base_url = base
        .unwrap_or_else(|| default_url.to_string())
        .trim_end_matches('/')
        .to_string();
    check_base_url(provider, &base_url)?;
    let api_key = text("apiKey")?;
    // It goes into a header (Didit, Equals) or Basic credentials (Mangopay):
    // a line break would fail every request later with a `network` error.
    if api_key
        .as_deref()
        .is_some_and(|k| k.chars().any(|c| c.is_control() || c as u32 > 0xff))
    {
        return Err(IdvError::config(
            Some(provider),
            format!(
                "{p}: `apiKey` contains a line break, a control character or a character \
                 beyond Latin-1: it cannot be sent in a header"
            ),
        ));
    }
    let api_key = api_key.map(Secret::new);
    let mut settings = Vec::new();
    for setting in provider.api().connection().settings {
        match (text(setting.name)?, setting.required_because) {
            (Some(value), _) => settings.push((setting.name, value)),
            (None, Some(why)) => {
                return Err(IdvError::config(
                    Some(provider),
                    format!("{p}: `{}` is required ({why})", setting.name),
                ))
            }
            (None, None) => {}
        }
    }
    if api_key.is_none() && !custom_base_url {
        return Err(IdvError::config(
            Some(provider),
            format!("{p}: `apiKey` is required unless `baseUrl` points to a proxy that adds it"),
        ));
    }
    let mut headers = Vec::new();
    match section.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(h)) => {
            for (name, value) in h {
                // Header values are treated as secrets: never quoted in a message.
                let shown: String = name.chars().take(40).collect();
                let Value::String(value) = value else {
                    return Err(IdvError::config(
                        Some(provider),
                        format!("{p}: header `{shown}` must be a string"),
                    ));
                };
                if name.is_empty() || !name.bytes().all(is_token_byte) {
                    return Err(IdvError::config(
                        Some(provider),
                        format!("{p}: header name `{shown}` is not a valid HTTP header name"),
                    ));
                }
                if value
                    .chars()
                    .any(|c| matches!(c, '\r' | '\n' | '\0') || c as u32 > 0xff)
                {
                    return Err(IdvError::config(
                        Some(provider),
                        format!(
                            "{p}: the value of header `{shown}` is not a valid HTTP header value \
                             (line breaks, NUL or characters beyond Latin-1)"
                        ),
                    ));
                }
                headers.push((name.clone(), value.clone()));
            }
        }
        Some(_) => {
            return Err(IdvError::config(
                Some(provider),
                format!("{p}: `headers` must be an object of strings"),
            ))
        }
    }
    Ok(Some(ProviderConfig {
        provider,
        auth: provider.api().connection().auth,
        api_key,
        base_url,
        custom_base_url,
        headers,
        settings,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use serde_json::json;

    #[test]
    fn parses_defaults_and_trims_base_urls() {
        let c = ClientConfig::from_json(&json!({
            "mangopay": {"clientId": "cid", "apiKey": "k1", "baseUrl": "http://127.0.0.1:9/"},
            "didit": {"apiKey": "k3"},
            "timeoutMs": 5000,
        }))
        .unwrap();
        let mp = c.provider(Provider::Mangopay).unwrap();
        assert_eq!(mp.base_url, "http://127.0.0.1:9");
        assert!(mp.custom_base_url);
        assert_eq!(
            c.provider(Provider::Didit).unwrap().base_url,
            "https://verification.didit.me"
        );
        assert!(c.provider(Provider::Equals).is_err());
        assert_eq!(mp.setting("clientId"), Some("cid"));
        assert_eq!(c.timeout_ms, 5000);
        assert_eq!(c.concurrency, 4);
        assert_eq!(c.retry, RetryPolicy::default());
        let secrets = c.secrets();
        assert!(secrets.contains(&"k1".to_string()) && secrets.contains(&"k3".to_string()));
        // The Basic value of Mangopay's token exchange (base64 of `cid:k1`).
        assert!(secrets.contains(&"Y2lkOmsx".to_string()), "{secrets:?}");
        let e = c.provider(Provider::Equals).unwrap_err();
        assert_eq!(e.code, ErrorCode::Config);
    }

    #[test]
    fn rejects_bad_config_naming_the_field() {
        for (config, part) in [
            (json!(null), "must be an object"),
            (json!({}), "at least one provider"),
            (json!({"equals": {}}), "`apiKey` is required"),
            (json!({"mangopay": {"apiKey": "k"}}), "`clientId`"),
            (json!({"didit": {"apiKey": 5}}), "`apiKey` must be"),
            (
                json!({"didit": {"apiKey": "k\nx-evil: 1"}}),
                "`apiKey` contains a line break",
            ),
            (
                json!({"didit": {"apiKey": "k", "baseUrl": "ftp://x"}}),
                "`baseUrl`",
            ),
            (
                json!({"didit": {"apiKey": "k"}, "timeoutMs": "5"}),
                "`timeoutMs` must be a number",
            ),
            (
                json!({"didit": {"apiKey": "k"}, "concurrency": 0}),
                "`concurrency` must be between",
            ),
            (
                json!({"didit": {"apiKey": "k", "headers": {"x": 1}}}),
                "header `x`",
            ),
            (
                json!({"didit": {"apiKey": "k", "baseUrl": "https://user:pass@proxy.example/api"}}),
                "must not carry credentials",
            ),
            (
                json!({"didit": {"apiKey": "k", "baseUrl": "http:///user:pass@127.0.0.1:1"}}),
                "must not carry credentials",
            ),
            (
                json!({"didit": {"apiKey": "k", "baseUrl": "https:\\\\user:pass@host"}}),
                "must not carry credentials",
            ),
            (
                json!({"didit": {"apiKey": "k", "baseUrl": "http:user:pass@host"}}),
                "must not carry credentials",
            ),
            (
                json!({"didit": {"apiKey": "k", "baseUrl": "//user:pass@host"}}),
                "a path on this origin",
            ),
            (
                json!({"didit": {"apiKey": "k", "baseUrl": "http://"}}),
                "no host",
            ),
            (
                json!({"didit": {"apiKey": "k", "headers": {"x-team": "a\r\nb: c"}}}),
                "header `x-team` is not a valid",
            ),
            (
                json!({"didit": {"apiKey": "k", "headers": {"bad name": "v"}}}),
                "not a valid HTTP header name",
            ),
        ] {
            let e = ClientConfig::from_json(&config).unwrap_err();
            assert_eq!(e.code, ErrorCode::Config);
            assert!(e.message.contains(part), "{config}: {}", e.message);
        }
    }

    #[test]
    fn secrets_never_show_in_debug_or_errors() {
        let c = ClientConfig::from_json(&json!({
            "equals": {"apiKey": "sk_live_SECRET123", "headers": {"x-proxy-token": "HEADER_SECRET_9"}},
        }))
        .unwrap();
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("SECRET123") && !shown.contains("HEADER_SECRET_9"),
            "{shown}"
        );
        assert!(c.secrets().contains(&"HEADER_SECRET_9".to_string()));
        // A proxy's credential after its scheme, echoed alone.
        let c = ClientConfig::from_json(&json!({
            "didit": {"baseUrl": "https://proxy.example", "headers": {
                "authorization": "Bearer proxySecretValue123",
                "x-other": "Basic dXNlcjpwYXNzd29yZDk=",
                "x-debug": "on"}},
        }))
        .unwrap();
        let secrets = c.secrets();
        for form in ["proxySecretValue123", "dXNlcjpwYXNzd29yZDk="] {
            assert!(secrets.iter().any(|s| s == form), "{form}: {secrets:?}");
        }
        assert!(
            !secrets.iter().any(|s| s == "on" || s == "Bearer"),
            "{secrets:?}"
        );
        // Echoed escaped: in a JSON string, percent-encoded by a URL or a form.
        let c = ClientConfig::from_json(&json!({"equals": {"apiKey": "sk/live+KEY \"quoted\"=="}}))
            .unwrap();
        let secrets = c.secrets();
        for form in [
            "sk/live+KEY \"quoted\"==",
            r#"sk/live+KEY \"quoted\"=="#,
            "sk%2Flive%2BKEY%20%22quoted%22%3D%3D",
            "sk%2Flive%2BKEY+%22quoted%22%3D%3D",
        ] {
            assert!(secrets.iter().any(|s| s == form), "{form}: {secrets:?}");
        }
        let e = ClientConfig::from_json(&json!({
            "equals": {"apiKey": "k", "headers": {"x-proxy-token": "HEADER\nSECRET"}},
        }))
        .unwrap_err();
        assert!(!e.message.contains("SECRET"), "{}", e.message);
        let e = c.check_browser_safety().unwrap_err();
        assert!(!e.message.contains("SECRET123"));
    }

    #[test]
    fn browser_safety() {
        let direct = ClientConfig::from_json(&json!({"didit": {"apiKey": "k"}})).unwrap();
        let e = direct.check_browser_safety().unwrap_err();
        assert!(e.message.contains("proxy"), "{}", e.message);
        let named_host = ClientConfig::from_json(
            &json!({"didit": {"apiKey": "k", "baseUrl": "https://verification.didit.me/"}}),
        )
        .unwrap();
        assert!(named_host.check_browser_safety().is_err());
        // The provider's host however it is spelled: a path, the default port,
        // a trailing dot, upper case, percent-encoding, an ideographic full stop.
        for spelling in [
            "https://verification.didit.me/v3",
            "https://verification.didit.me:443",
            "https://verification.didit.me./v3/",
            "HTTPS://VERIFICATION.DIDIT.ME",
            "https://verification%2Edidit.me",
            "https://verification\u{3002}didit.me",
            "http://verification.didit.me:80",
            "https://api.sandbox.mangopay.com/v2.01",
        ] {
            let c =
                ClientConfig::from_json(&json!({"didit": {"apiKey": "k", "baseUrl": spelling}}))
                    .unwrap();
            assert!(c.check_browser_safety().is_err(), "{spelling}");
        }
        let own = ClientConfig::from_json(
            &json!({"didit": {"apiKey": "k", "baseUrl": "https://verification.didit.me.example.com"}}),
        )
        .unwrap();
        assert!(own.check_browser_safety().is_ok());
        let proxy = ClientConfig::from_json(&json!({"didit": {"baseUrl": "/api/didit"}})).unwrap();
        assert!(proxy.check_browser_safety().is_ok());
        let allowed = ClientConfig::from_json(
            &json!({"didit": {"apiKey": "k"}, "dangerouslyAllowBrowser": true}),
        )
        .unwrap();
        assert!(allowed.check_browser_safety().is_ok());
    }
}
