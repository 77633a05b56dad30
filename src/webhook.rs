//! Webhooks (SPEC section 8): a provider's notification in, one unified
//! [`WebhookEvent`] out, verified where the provider signs it. Pure and
//! synchronous: HMAC in Rust, no I/O, so it runs in Node, browsers' service
//! workers and edge runtimes alike. Each provider's format and signature
//! scheme is its `webhook.rs`; here are the shared types and the pieces they
//! use (case-insensitive headers, constant-time HMAC checks, the clock).

use crate::error::{ErrorCode, IdvError};
use crate::json::fields::{Fields, ReadError};
use crate::json::Json;
use crate::session::Provider;
use crate::session::{Extra, Session, SessionStatus};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;

/// What happened, in one vocabulary for every provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventType {
    /// A session's status changed (or the provider says it may have).
    #[serde(rename = "session.updated")]
    SessionUpdated,
    /// A session's data changed (a reviewer edited it), not its status.
    #[serde(rename = "session.data_updated")]
    SessionDataUpdated,
    /// Anything else the provider notifies.
    #[serde(rename = "other")]
    Other,
}

/// How much of a notification is proven to come from the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verification {
    /// The whole body is signed with the shared secret.
    Signature,
    /// Only the envelope (id, status, type, time) is authenticated; the rest
    /// of the body is a hint: fetch the session.
    Envelope,
    /// Nothing is authenticated (the provider signs nothing): fetch the session.
    None,
}

/// One notification, unified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEvent {
    /// The provider that sent it.
    pub provider: Provider,
    /// A key to deduplicate deliveries: retries of one notification carry the
    /// same one, and it is made of signed fields where the provider signs.
    pub id: String,
    /// The provider's own id of this delivery attempt, when it has one that
    /// differs from `id` and the body is signed (Didit `event_id`: new on
    /// every retry, so not a dedupe key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_id: Option<String>,
    /// What happened.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// The provider's event type, verbatim.
    pub provider_type: String,
    /// The session it is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// The session's unified status, when the notification says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SessionStatus>,
    /// The provider's status text, verbatim (or the status the event implies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_status: Option<String>,
    /// When it happened, RFC 3339 UTC.
    pub occurred_at: String,
    /// What was verified.
    pub verification: Verification,
    /// True when the session must be fetched to be trusted or known in full
    /// (`resolveWebhook`).
    pub needs_fetch: bool,
    /// A test delivery (Didit's console, Mangopay's dashboard ping).
    pub test: bool,
    /// The full session, when a fully signed body carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Session>,
    /// Provider ids needed to find the session (Equals `applicationId`,
    /// `associatedPersonId`, `correlationId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<Extra>,
    /// The notification's body (or query), only when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<Value>,
}

impl EventType {
    /// Every event type.
    pub const ALL: [EventType; 3] = [
        EventType::SessionUpdated,
        EventType::SessionDataUpdated,
        EventType::Other,
    ];

    /// The name used in JS.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::SessionUpdated => "session.updated",
            EventType::SessionDataUpdated => "session.data_updated",
            EventType::Other => "other",
        }
    }
}

impl Verification {
    /// Every level of verification.
    pub const ALL: [Verification; 3] = [
        Verification::Signature,
        Verification::Envelope,
        Verification::None,
    ];

    /// The name used in JS.
    pub fn as_str(self) -> &'static str {
        match self {
            Verification::Signature => "signature",
            Verification::Envelope => "envelope",
            Verification::None => "none",
        }
    }
}

impl WebhookEvent {
    /// An event read back from a tree of the JSON this crate wrote for it
    /// (as JS holds it), by the rules of its serde derive.
    ///
    /// # Errors
    /// What is not an event, and why.
    pub fn from_json(json: &Json<'_>) -> Result<WebhookEvent, ReadError> {
        use crate::json::fields::{boolean, one_of, string, value};
        use crate::session_json::{provider, read_extra, read_session, session_status};
        let f = Fields::of(json, "a webhook event")?;
        Ok(WebhookEvent {
            provider: f.required("provider", provider)?,
            id: f.required("id", string)?,
            delivery_id: f.optional("deliveryId", string)?,
            event_type: f.required("type", one_of(&EventType::ALL, EventType::as_str, None))?,
            provider_type: f.required("providerType", string)?,
            session_id: f.optional("sessionId", string)?,
            status: f.optional("status", session_status)?,
            provider_status: f.optional("providerStatus", string)?,
            occurred_at: f.required("occurredAt", string)?,
            verification: f.required(
                "verification",
                one_of(&Verification::ALL, Verification::as_str, None),
            )?,
            needs_fetch: f.required("needsFetch", boolean)?,
            test: f.required("test", boolean)?,
            session: f.optional("session", read_session)?,
            extra: f.optional("extra", read_extra)?,
            raw: f.optional("raw", value)?,
        })
    }
}

/// A query of a provider's past events (Mangopay's `GET /events`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventsQuery {
    /// Only events of this provider type.
    pub event_type: Option<String>,
    /// Events after this Unix second.
    pub after: Option<i64>,
    /// Events before this Unix second.
    pub before: Option<i64>,
}

/// A received notification, as the caller's server saw it.
#[derive(Clone, Default)]
pub struct WebhookRequest {
    /// The raw body bytes (signatures are over bytes).
    pub body: Option<Vec<u8>>,
    /// Header names (any case) and values.
    pub headers: Vec<(String, String)>,
    /// The request URL (Mangopay's notifications are a GET with a query).
    pub url: Option<String>,
    /// Shared secrets to accept (several during a rotation).
    pub secrets: Vec<String>,
    /// How far the signed timestamp may be from `now`, in seconds.
    pub tolerance_sec: u64,
    /// Now, in ms since the epoch.
    pub now_ms: i64,
    /// Keep the body (or query) in the event's `raw`.
    pub include_raw: bool,
}

impl std::fmt::Debug for WebhookRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("WebhookRequest")
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .field("header_names", &names)
            .field("secrets", &self.secrets.len())
            .field("tolerance_sec", &self.tolerance_sec)
            .field("now_ms", &self.now_ms)
            .finish_non_exhaustive()
    }
}

impl WebhookRequest {
    /// A header's value (case-insensitive name), trimmed.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn body_text(&self) -> Option<String> {
        self.body
            .as_ref()
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }

    /// The URL's query parameters, decoded.
    pub fn query(&self) -> Vec<(String, String)> {
        let Some(url) = &self.url else {
            return Vec::new();
        };
        let query = url.split_once('?').map_or("", |(_, q)| q);
        let query = query.split('#').next().unwrap_or_default();
        form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect()
    }
}

/// What to sign for a test delivery (`signWebhook`).
#[derive(Clone, Default)]
pub struct SignRequest {
    /// The notification's payload (Didit and Equals: the JSON body or the
    /// object in Equals' envelope; Mangopay: `{EventType, RessourceId, Date}`).
    pub payload: Value,
    /// The shared secret (Didit; Equals: the `Authorization` value).
    pub secret: Option<String>,
    /// Unix seconds of the delivery (default: `now`).
    pub timestamp: Option<i64>,
    /// The receiving URL (Mangopay's query is appended to it).
    pub url: Option<String>,
    /// Now, in ms since the epoch.
    pub now_ms: i64,
}

/// A delivery that [`parse_webhook`] accepts: method, URL, headers, body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignedWebhook {
    /// `POST` or `GET`.
    pub method: &'static str,
    /// Where it goes (with Mangopay's query), when a URL was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Header names and values.
    pub headers: std::collections::BTreeMap<String, String>,
    /// The exact body bytes, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// Parses and verifies one notification of `provider`.
///
/// # Errors
/// `config` for a blank secret (before anything else: HMAC accepts an empty
/// key, so anyone could sign with it), `signature` (no secret, a missing or
/// wrong signature, a stale timestamp) or `decode` (not the provider's
/// format). No secret or signature ever appears in an error.
pub fn parse_webhook(
    provider: Provider,
    request: &WebhookRequest,
) -> Result<WebhookEvent, IdvError> {
    check_secrets(provider, &request.secrets)?;
    provider.api().parse_webhook(request)
}

/// Refuses a blank secret, alone or among others: a handler reading an unset
/// environment variable as `""` must fail loudly, never verify.
///
/// # Errors
/// `config` naming the blank one.
pub fn check_secrets(provider: Provider, secrets: &[String]) -> Result<(), IdvError> {
    match secrets.iter().position(|s| s.trim().is_empty()) {
        None => Ok(()),
        Some(at) => Err(IdvError::config(
            Some(provider),
            format!(
                "{provider}: parseWebhook: secret{} is empty: an empty key verifies anyone's \
                 signature, so it is refused (is the environment variable that holds it set?)",
                if secrets.len() > 1 {
                    format!(" number {}", at + 1)
                } else {
                    String::new()
                }
            ),
        )),
    }
}

/// A test delivery of `provider`, signed as the provider signs.
///
/// # Errors
/// `config` when the payload is not what the provider sends.
pub fn sign_webhook(provider: Provider, request: &SignRequest) -> Result<SignedWebhook, IdvError> {
    provider.api().sign_webhook(request)
}

/// A `signature` error.
pub fn signature_error(provider: Provider, reason: &str) -> IdvError {
    IdvError::new(
        ErrorCode::Signature,
        Some(provider),
        format!("{provider}: webhook rejected: {reason}"),
    )
}

/// A `decode` error about a notification.
pub fn decode_error(provider: Provider, reason: &str) -> IdvError {
    IdvError::decode(provider, format!("{provider}: webhook: {reason}"))
}

/// HMAC-SHA256 of `message`, lowercase hex.
pub fn hmac_hex(secret: &str, message: &[u8]) -> String {
    let tag = hmac_tag(secret, message);
    tag.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac_tag(secret: &str, message: &[u8]) -> Vec<u8> {
    #[cfg(test)]
    HMACS_COMPUTED.with(|n| n.set(n.get() + 1));
    // HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
thread_local! {
    /// How many HMACs this thread has computed (tests count the work a header can cause).
    pub static HMACS_COMPUTED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The HMAC-SHA256 of one message under each secret, computed once, then
/// compared with as many signatures as a header lists: a header of a thousand
/// `v1=` costs a thousand 32-byte comparisons, not a thousand HMACs of the body
/// (as stripe-node computes the expected signature once).
pub struct HmacTags(Vec<Vec<u8>>);

impl HmacTags {
    /// The tag of `message` under each of `secrets`.
    pub fn of(secrets: &[String], message: &[u8]) -> Self {
        HmacTags(secrets.iter().map(|s| hmac_tag(s, message)).collect())
    }

    /// True when `signature` (hex, any case) is one of the tags, compared in
    /// constant time.
    pub fn matches(&self, signature: &str) -> bool {
        use subtle::ConstantTimeEq;
        let Some(provided) = from_hex(signature.trim()) else {
            return false;
        };
        self.0
            .iter()
            .any(|tag| !tag.is_empty() && bool::from(tag.as_slice().ct_eq(&provided)))
    }
}

/// True when `signature` (hex, any case) is the HMAC-SHA256 of `message` under
/// one of `secrets`, compared in constant time.
pub fn hmac_matches(secrets: &[String], message: &[u8], signature: &str) -> bool {
    HmacTags::of(secrets, message).matches(signature)
}

/// Hex digits (any case, nothing else: no sign, no space) to bytes.
fn from_hex(text: &str) -> Option<Vec<u8>> {
    let digits = text.as_bytes();
    if digits.len() % 2 != 0 {
        return None;
    }
    let digit = |b: u8| char::from(b).to_digit(16);
    digits
        .chunks_exact(2)
        .map(|pair| Some((digit(pair[0])? * 16 + digit(pair[1])?) as u8))
        .collect()
}

/// Constant-time equality of two texts (a shared `Authorization` value).
pub fn same_secret(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_checks() {
        // RFC 4231 test case 2.
        assert_eq!(
            hmac_hex("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let secrets = vec!["wrong".to_string(), "Jefe".to_string()];
        let sig = "5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843";
        assert!(hmac_matches(&secrets, b"what do ya want for nothing?", sig));
        assert!(!hmac_matches(
            &secrets,
            b"what do ya want for something?",
            sig
        ));
        assert!(!hmac_matches(&secrets, b"x", "zz"));
        assert!(!hmac_matches(&secrets, b"x", ""));
        // Only hex digits: `from_str_radix` would take a sign or a space.
        assert_eq!(from_hex("0aFf"), Some(vec![0x0a, 0xff]));
        assert_eq!(from_hex("+a"), None);
        assert_eq!(from_hex(" a"), None);
        assert!(same_secret("abc", "abc") && !same_secret("abc", "abd") && !same_secret("a", "ab"));
    }
}
