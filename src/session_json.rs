//! Sessions as JSON text, written directly: the same bytes as `serde_json`
//! (field order, absent optional fields, escaping) except that non-ASCII
//! characters are `\uXXXX` escapes, about three times faster, because this
//! is the hot path of every list crossing into JS. A property test checks it
//! against `serde_json::to_string` (with [`write_ascii`]).
//!
//! And read back (sessions JS hands in) from a [`Json`] tree by the rules of
//! the serde derives, so that the wasm carries no serde deserializer.

use crate::json::fields::{boolean, integer, list, one_of, string, value, Fields, ReadError};
use crate::json::{plain_end, Json};
use crate::session::{
    Check, CheckKind, CheckStatus, Extra, Person, Provider, Reason, Session, SessionStatus,
};

/// Sessions read back from an array of them (as this crate wrote them), by
/// the rules of their serde derives.
///
/// # Errors
/// What is not a session, and why (the path to the field).
pub fn read_sessions(json: &Json<'_>) -> Result<Vec<Session>, ReadError> {
    list(read_session)(json)
}

/// One session read back, by the rules of its serde derive.
///
/// # Errors
/// What is not a session, and why.
pub fn read_session(json: &Json<'_>) -> Result<Session, ReadError> {
    let f = Fields::of(json, "a session")?;
    Ok(Session {
        provider: f.required("provider", provider)?,
        id: f.or_default("id", string)?,
        key: f.required("key", string)?,
        status: f.required("status", session_status)?,
        provider_status: f.or_default("providerStatus", string)?,
        provider_result: f.optional("providerResult", string)?,
        is_terminal: f.or_default("isTerminal", boolean)?,
        user_ref: f.optional("userRef", string)?,
        verification_url: f.optional("verificationUrl", string)?,
        return_url: f.optional("returnUrl", string)?,
        created_at: f.required("createdAt", string)?,
        updated_at: f.optional("updatedAt", string)?,
        checks: f.or_default("checks", list(read_check))?,
        person: f.optional("person", read_person)?,
        extra: f.optional("extra", read_extra)?,
        raw: f.optional("raw", value)?,
    })
}

/// A provider's name.
///
/// # Errors
/// Not one of the providers.
pub fn provider(json: &Json<'_>) -> Result<Provider, ReadError> {
    one_of(&Provider::ALL, Provider::as_str, None)(json)
}

/// A unified status; an unknown one is `unknown`.
///
/// # Errors
/// Not a string.
pub fn session_status(json: &Json<'_>) -> Result<SessionStatus, ReadError> {
    one_of(
        &SessionStatus::ALL,
        SessionStatus::as_str,
        Some(SessionStatus::Unknown),
    )(json)
}

fn read_check(json: &Json<'_>) -> Result<Check, ReadError> {
    let f = Fields::of(json, "a check")?;
    Ok(Check {
        kind: f.required(
            "kind",
            one_of(&CheckKind::ALL, CheckKind::as_str, Some(CheckKind::Other)),
        )?,
        status: f.required(
            "status",
            one_of(
                &CheckStatus::ALL,
                CheckStatus::as_str,
                Some(CheckStatus::Unknown),
            ),
        )?,
        provider_type: f.required("providerType", string)?,
        provider_status: f.required("providerStatus", string)?,
        reasons: f.required(
            "reasons",
            list(|json| {
                let f = Fields::of(json, "a reason")?;
                Ok(Reason {
                    code: f.required("code", string)?,
                    detail: f.optional("detail", string)?,
                })
            }),
        )?,
    })
}

fn read_person(json: &Json<'_>) -> Result<Person, ReadError> {
    let f = Fields::of(json, "a person")?;
    Ok(Person {
        full_name: f.optional("fullName", string)?,
        first_name: f.optional("firstName", string)?,
        last_name: f.optional("lastName", string)?,
        country: f.optional("country", string)?,
        document_type: f.optional("documentType", string)?,
    })
}

/// A session's (or a webhook event's) `extra`, read back.
///
/// # Errors
/// What is not an `extra`, and why.
pub fn read_extra(json: &Json<'_>) -> Result<Extra, ReadError> {
    let f = Fields::of(json, "extra")?;
    Ok(Extra {
        tag: f.optional("tag", string)?,
        application_id: f.optional("applicationId", string)?,
        associated_person_id: f.optional("associatedPersonId", string)?,
        correlation_id: f.optional("correlationId", string)?,
        session_number: f.optional("sessionNumber", integer)?,
        workflow_id: f.optional("workflowId", string)?,
        session_kind: f.optional("sessionKind", string)?,
        applicant_id: f.optional("applicantId", string)?,
        workflow_version_id: f.optional("workflowVersionId", integer)?,
        tags: f.or_default("tags", list(string))?,
        dashboard_url: f.optional("dashboardUrl", string)?,
        session_type: f.optional("type", string)?,
        client_reference_id: f.optional("clientReferenceId", string)?,
        redaction_status: f.optional("redactionStatus", string)?,
        last_verification_report: f.optional("lastVerificationReport", string)?,
    })
}

/// A field's key as written: `"name":`.
macro_rules! key {
    ($name:literal) => {
        concat!("\"", $name, "\":")
    };
}

/// Appends `sessions` as a JSON array.
pub fn write_sessions(out: &mut String, sessions: &[Session]) {
    out.push('[');
    for (i, s) in sessions.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_session(out, s);
    }
    out.push(']');
}

/// Appends one session as a JSON object.
pub fn write_session(out: &mut String, s: &Session) {
    let mut o = Object::open(out);
    o.name(key!("provider"), s.provider.as_str());
    o.str(key!("id"), &s.id);
    o.str(key!("key"), &s.key);
    o.name(key!("status"), s.status.as_str());
    o.str(key!("providerStatus"), &s.provider_status);
    o.opt_str(key!("providerResult"), &s.provider_result);
    o.raw(
        key!("isTerminal"),
        if s.is_terminal { "true" } else { "false" },
    );
    o.opt_str(key!("userRef"), &s.user_ref);
    o.opt_str(key!("verificationUrl"), &s.verification_url);
    o.opt_str(key!("returnUrl"), &s.return_url);
    o.str(key!("createdAt"), &s.created_at);
    o.opt_str(key!("updatedAt"), &s.updated_at);
    o.key(key!("checks"));
    o.out.push('[');
    for (i, c) in s.checks.iter().enumerate() {
        if i > 0 {
            o.out.push(',');
        }
        write_check(o.out, c);
    }
    o.out.push(']');
    if let Some(p) = &s.person {
        o.key(key!("person"));
        write_person(o.out, p);
    }
    if let Some(e) = &s.extra {
        o.key(key!("extra"));
        write_extra(o.out, e);
    }
    if let Some(raw) = &s.raw {
        o.key(key!("raw"));
        // Rare (`includeRaw`): serde_json writes a Value without failing; its
        // non-ASCII characters (only ever inside strings) escaped like ours.
        let json = serde_json::to_string(raw).unwrap_or_default();
        write_ascii(o.out, &json);
    }
    o.close();
}

fn write_check(out: &mut String, c: &Check) {
    let mut o = Object::open(out);
    o.name(key!("kind"), c.kind.as_str());
    o.name(key!("status"), c.status.as_str());
    o.str(key!("providerType"), &c.provider_type);
    o.str(key!("providerStatus"), &c.provider_status);
    o.key(key!("reasons"));
    o.out.push('[');
    for (i, r) in c.reasons.iter().enumerate() {
        if i > 0 {
            o.out.push(',');
        }
        let mut reason = Object::open(o.out);
        reason.str(key!("code"), &r.code);
        reason.opt_str(key!("detail"), &r.detail);
        reason.close();
    }
    o.out.push(']');
    o.close();
}

fn write_person(out: &mut String, p: &Person) {
    let mut o = Object::open(out);
    o.opt_str(key!("fullName"), &p.full_name);
    o.opt_str(key!("firstName"), &p.first_name);
    o.opt_str(key!("lastName"), &p.last_name);
    o.opt_str(key!("country"), &p.country);
    o.opt_str(key!("documentType"), &p.document_type);
    o.close();
}

fn write_extra(out: &mut String, e: &Extra) {
    let mut o = Object::open(out);
    o.opt_str(key!("tag"), &e.tag);
    o.opt_str(key!("applicationId"), &e.application_id);
    o.opt_str(key!("associatedPersonId"), &e.associated_person_id);
    o.opt_str(key!("correlationId"), &e.correlation_id);
    if let Some(n) = e.session_number {
        o.key(key!("sessionNumber"));
        o.out.push_str(itoa::Buffer::new().format(n));
    }
    o.opt_str(key!("workflowId"), &e.workflow_id);
    o.opt_str(key!("sessionKind"), &e.session_kind);
    o.opt_str(key!("applicantId"), &e.applicant_id);
    if let Some(n) = e.workflow_version_id {
        o.key(key!("workflowVersionId"));
        o.out.push_str(itoa::Buffer::new().format(n));
    }
    if !e.tags.is_empty() {
        o.key(key!("tags"));
        o.out.push('[');
        for (i, tag) in e.tags.iter().enumerate() {
            if i > 0 {
                o.out.push(',');
            }
            write_str(o.out, tag);
        }
        o.out.push(']');
    }
    o.opt_str(key!("dashboardUrl"), &e.dashboard_url);
    o.opt_str(key!("type"), &e.session_type);
    o.opt_str(key!("clientReferenceId"), &e.client_reference_id);
    o.opt_str(key!("redactionStatus"), &e.redaction_status);
    o.opt_str(key!("lastVerificationReport"), &e.last_verification_report);
    o.close();
}

/// An object being written: commas between fields.
struct Object<'o> {
    out: &'o mut String,
    first: bool,
}

impl<'o> Object<'o> {
    fn open(out: &'o mut String) -> Self {
        out.push('{');
        Object { out, first: true }
    }

    /// A key (`"name":`, from [`key!`]), with the comma before it.
    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push_str(key);
    }

    /// A value that is a name of this crate's (a provider, a status, a
    /// kind): plain ASCII, nothing to escape.
    fn name(&mut self, key: &str, value: &str) {
        self.key(key);
        self.out.reserve(value.len() + 2);
        self.out.push('"');
        self.out.push_str(value);
        self.out.push('"');
    }

    fn raw(&mut self, key: &str, value: &str) {
        self.key(key);
        self.out.push_str(value);
    }

    fn str(&mut self, key: &str, value: &str) {
        self.key(key);
        write_str(self.out, value);
    }

    fn opt_str(&mut self, key: &str, value: &Option<String>) {
        if let Some(v) = value {
            self.str(key, v);
        }
    }

    fn close(self) {
        self.out.push('}');
    }
}

/// A JSON string: `"`, `\` and control characters escaped as `serde_json`
/// escapes them, and every non-ASCII character as `\uXXXX` (a surrogate pair
/// beyond U+FFFF), so the text is ASCII: JS decodes it into a one-byte
/// string, which `TextDecoder` and `JSON.parse` handle about twice as fast
/// as a two-byte one (a single `é` in a chunk would make it two-byte).
fn write_str(out: &mut String, value: &str) {
    let bytes = value.as_bytes();
    // Most values need no escape: one scan, one copy.
    if plain_end::<true>(bytes, 0) == bytes.len() {
        out.reserve(bytes.len() + 2);
        out.push('"');
        out.push_str(value);
        out.push('"');
        return;
    }
    out.push('"');
    copy_escaping(
        out,
        value,
        |text| Some(plain_end::<true>(text.as_bytes(), 0)).filter(|at| *at < text.len()),
        |out, c| match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            _ => write_unicode_escape(out, c),
        },
    );
    out.push('"');
}

/// Copies `text` to `out`, each character that `next` finds (the index of
/// the first one's first byte) written by `escape` instead.
fn copy_escaping(
    out: &mut String,
    text: &str,
    next: impl Fn(&str) -> Option<usize>,
    escape: impl Fn(&mut String, char),
) {
    let mut rest = text;
    while let Some(at) = next(rest) {
        // `at` is a character's first byte: found bytes are ASCII or
        // every byte of a character beyond ASCII.
        let (Some(head), Some(tail)) = (rest.get(..at), rest.get(at..)) else {
            break;
        };
        out.push_str(head);
        let Some(c) = tail.chars().next() else { break };
        escape(out, c);
        rest = &tail[c.len_utf8()..];
    }
    out.push_str(rest);
}

/// `c` as `\uXXXX` (two, a surrogate pair, beyond U+FFFF).
fn write_unicode_escape(out: &mut String, c: char) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut units = [0u16; 2];
    for &unit in c.encode_utf16(&mut units).iter() {
        out.push_str("\\u");
        for shift in [12, 8, 4, 0] {
            out.push(char::from(HEX[usize::from(unit >> shift & 0xf)]));
        }
    }
}

/// JSON text with its non-ASCII characters (which JSON allows only inside
/// strings) as `\uXXXX` escapes.
pub fn write_ascii(out: &mut String, json: &str) {
    copy_escaping(
        out,
        json,
        |text| text.bytes().position(|b| b >= 0x80),
        write_unicode_escape,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_end_finds_every_byte_to_escape_at_every_position() {
        let naive = |s: &str| {
            s.bytes()
                .all(|b| (0x20..0x80).contains(&b) && b != b'"' && b != b'\\')
        };
        for len in 0..24 {
            for at in 0..len.max(1) {
                for odd in [
                    "\"", "\\", "\u{0}", "\u{1f}", "\u{7f}", " ", "é", "😀", "\n",
                ] {
                    let mut text: String = "a".repeat(len);
                    if len > 0 {
                        text.replace_range(at..=at, odd);
                    }
                    let plain = plain_end::<true>(text.as_bytes(), 0) == text.len();
                    assert_eq!(plain, naive(&text), "{text:?}");
                    // The reader's form stops at the same bytes but those beyond ASCII.
                    let stop = text
                        .bytes()
                        .position(|b| b < 0x20 || b == b'"' || b == b'\\')
                        .unwrap_or(text.len());
                    assert_eq!(plain_end::<false>(text.as_bytes(), 0), stop, "{text:?}");
                    let mut out = String::new();
                    write_str(&mut out, &text);
                    let mut serde = String::new();
                    write_ascii(&mut serde, &serde_json::to_string(&text).unwrap());
                    assert_eq!(out, serde, "{text:?}");
                }
            }
        }
    }

    #[test]
    fn strings_escape_like_serde_json() {
        for s in [
            "plain",
            "quote\" back\\ slash/",
            "\n\r\t\u{8}\u{c}\u{0}\u{1f}",
            "é ✓ 𝄞",
            "",
        ] {
            let mut out = String::new();
            write_str(&mut out, s);
            let mut serde = String::new();
            write_ascii(&mut serde, &serde_json::to_string(s).unwrap());
            assert!(out.is_ascii(), "{s:?}");
            assert_eq!(out, serde, "{s:?}");
            let back: String = serde_json::from_str(&out).unwrap();
            assert_eq!(back, s);
        }
    }
}
