//! The unified session model (SPEC section 2): one shape for every provider.
//!
//! Serialized with camelCase keys; optional fields are skipped, never `null`.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// The identity-verification providers this crate speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Mangopay hosted IDV sessions (API v2.01).
    Mangopay,
    /// Equals Money Guided ID sessions (Onboarding API v2).
    Equals,
    /// Didit verification sessions (API v3).
    Didit,
    /// Onfido (Entrust) Studio workflow runs (API v3.6).
    Onfido,
    /// Stripe Identity verification sessions.
    Stripe,
    /// A provider that exists only in the crate's tests (`testkit` feature,
    /// `src/providers/testkit/`); never in [`Provider::ALL`] or the package.
    #[cfg(feature = "testkit")]
    #[doc(hidden)]
    Testkit,
}

impl Provider {
    /// All providers, in the order dashboards list them.
    pub const ALL: [Provider; 5] = [
        Provider::Mangopay,
        Provider::Equals,
        Provider::Didit,
        Provider::Onfido,
        Provider::Stripe,
    ];

    /// The provider's name as used in the JS API and in session keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Mangopay => "mangopay",
            Provider::Equals => "equals",
            Provider::Didit => "didit",
            Provider::Onfido => "onfido",
            Provider::Stripe => "stripe",
            #[cfg(feature = "testkit")]
            Provider::Testkit => "testkit",
        }
    }

    /// Every provider compiled in: [`Provider::ALL`], and the tests' own
    /// provider under the `testkit` feature.
    pub fn registered() -> impl Iterator<Item = Provider> {
        #[cfg(feature = "testkit")]
        const TESTKIT: Option<Provider> = Some(Provider::Testkit);
        #[cfg(not(feature = "testkit"))]
        const TESTKIT: Option<Provider> = None;
        Provider::ALL.into_iter().chain(TESTKIT)
    }

    /// A session key: `provider:part:part...`, a `:` or `%` inside a part
    /// written `%3A` or `%25`, so two keys are equal only when their parts
    /// are (Equals' `a:b` without an application and `a` of application `b`
    /// are two sessions). Built without `format!`: this runs for every
    /// session of every list.
    pub fn key(self, parts: &[&str]) -> String {
        let name = self.as_str();
        let len = name.len() + parts.iter().map(|p| p.len() + 1).sum::<usize>();
        let mut key = String::with_capacity(len);
        key.push_str(name);
        for part in parts {
            key.push(':');
            let mut plain = 0;
            for (at, byte) in part.bytes().enumerate() {
                let escaped = match byte {
                    b':' => "%3A",
                    b'%' => "%25",
                    _ => continue,
                };
                // ASCII bytes: char boundaries on both sides.
                key.push_str(part.get(plain..at).unwrap_or_default());
                key.push_str(escaped);
                plain = at + 1;
            }
            key.push_str(part.get(plain..).unwrap_or_default());
        }
        key
    }

    /// Parses a provider name (`"mangopay"`, `"equals"`, `"didit"`, any case).
    pub fn parse(name: &str) -> Option<Provider> {
        let name = name.trim();
        Provider::registered().find(|p| p.as_str().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The unified session status (SPEC section 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// Issued, the user has not begun.
    NotStarted,
    /// The user is (or may be) working through it.
    InProgress,
    /// Submitted, waiting for a decision.
    InReview,
    /// Verified.
    Approved,
    /// Refused.
    Declined,
    /// The provider asked the user to redo some steps.
    ResubmissionRequested,
    /// Not submitted in time.
    Expired,
    /// Started, then left unfinished.
    Abandoned,
    /// Cancelled by the integrator or the provider.
    Canceled,
    /// Was approved, no longer valid (KYC downgraded or expired).
    Outdated,
    /// The provider could not complete it.
    Error,
    /// A status this crate does not know; `providerStatus` keeps the text.
    #[serde(other)]
    Unknown,
}

impl SessionStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [SessionStatus; 12] = [
        SessionStatus::NotStarted,
        SessionStatus::InProgress,
        SessionStatus::InReview,
        SessionStatus::Approved,
        SessionStatus::Declined,
        SessionStatus::ResubmissionRequested,
        SessionStatus::Expired,
        SessionStatus::Abandoned,
        SessionStatus::Canceled,
        SessionStatus::Outdated,
        SessionStatus::Error,
        SessionStatus::Unknown,
    ];

    /// The snake_case name used in JS.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::NotStarted => "not_started",
            SessionStatus::InProgress => "in_progress",
            SessionStatus::InReview => "in_review",
            SessionStatus::Approved => "approved",
            SessionStatus::Declined => "declined",
            SessionStatus::ResubmissionRequested => "resubmission_requested",
            SessionStatus::Expired => "expired",
            SessionStatus::Abandoned => "abandoned",
            SessionStatus::Canceled => "canceled",
            SessionStatus::Outdated => "outdated",
            SessionStatus::Error => "error",
            SessionStatus::Unknown => "unknown",
        }
    }

    /// Parses a unified status name (tolerant of case, spaces and dashes).
    pub fn parse(name: &str) -> Option<SessionStatus> {
        let token = crate::token::token(name);
        SessionStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == token.as_str())
    }

    /// True when the session can no longer change by the user's action:
    /// approved, declined, expired, abandoned, canceled, outdated, error.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            SessionStatus::Approved
                | SessionStatus::Declined
                | SessionStatus::Expired
                | SessionStatus::Abandoned
                | SessionStatus::Canceled
                | SessionStatus::Outdated
                | SessionStatus::Error
        )
    }
}

impl fmt::Display for SessionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a check verifies (SPEC section 3, check kind table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum CheckKind {
    Document,
    Liveness,
    FaceMatch,
    Age,
    NameMatch,
    Aml,
    ProofOfAddress,
    Nfc,
    Phone,
    Email,
    IpAnalysis,
    Database,
    Business,
    #[serde(other)]
    Other,
}

impl CheckKind {
    /// Every kind.
    pub const ALL: [CheckKind; 14] = [
        CheckKind::Document,
        CheckKind::Liveness,
        CheckKind::FaceMatch,
        CheckKind::Age,
        CheckKind::NameMatch,
        CheckKind::Aml,
        CheckKind::ProofOfAddress,
        CheckKind::Nfc,
        CheckKind::Phone,
        CheckKind::Email,
        CheckKind::IpAnalysis,
        CheckKind::Database,
        CheckKind::Business,
        CheckKind::Other,
    ];

    /// The snake_case name used in JS.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::Document => "document",
            CheckKind::Liveness => "liveness",
            CheckKind::FaceMatch => "face_match",
            CheckKind::Age => "age",
            CheckKind::NameMatch => "name_match",
            CheckKind::Aml => "aml",
            CheckKind::ProofOfAddress => "proof_of_address",
            CheckKind::Nfc => "nfc",
            CheckKind::Phone => "phone",
            CheckKind::Email => "email",
            CheckKind::IpAnalysis => "ip_analysis",
            CheckKind::Database => "database",
            CheckKind::Business => "business",
            CheckKind::Other => "other",
        }
    }
}

/// The unified status of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum CheckStatus {
    Approved,
    Declined,
    InReview,
    NotFinished,
    #[serde(other)]
    Unknown,
}

impl CheckStatus {
    /// Every check status.
    pub const ALL: [CheckStatus; 5] = [
        CheckStatus::Approved,
        CheckStatus::Declined,
        CheckStatus::InReview,
        CheckStatus::NotFinished,
        CheckStatus::Unknown,
    ];

    /// The snake_case name used in JS.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Approved => "approved",
            CheckStatus::Declined => "declined",
            CheckStatus::InReview => "in_review",
            CheckStatus::NotFinished => "not_finished",
            CheckStatus::Unknown => "unknown",
        }
    }
}

/// One reason attached to a check (a refusal reason or a warning).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// Mangopay `Reasons[].Type`; Didit warning `risk`.
    pub code: String,
    /// Mangopay `Reasons[].Value`; Didit warning `short_description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// One check of a session (a Mangopay check, a Didit feature).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// What the check verifies.
    pub kind: CheckKind,
    /// Unified check status.
    pub status: CheckStatus,
    /// The provider's check type, verbatim (Mangopay `Type`, Didit feature or block name).
    pub provider_type: String,
    /// The provider's check status, verbatim.
    pub provider_status: String,
    /// Refusal reasons or warnings; `[]` when none.
    pub reasons: Vec<Reason>,
}

/// Who the session verified, where the provider says.
///
/// `Debug` is redacted: it prints which fields are present, never their values.
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub full_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub last_name: Option<String>,
    /// ISO country code as the provider gives it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[allow(missing_docs)]
    pub document_type: Option<String>,
}

impl Person {
    /// True when no field is known.
    pub fn is_empty(&self) -> bool {
        self.full_name.is_none()
            && self.first_name.is_none()
            && self.last_name.is_none()
            && self.country.is_none()
            && self.document_type.is_none()
    }
}

impl fmt::Debug for Person {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Person");
        for (name, present) in [
            ("full_name", self.full_name.is_some()),
            ("first_name", self.first_name.is_some()),
            ("last_name", self.last_name.is_some()),
            ("country", self.country.is_some()),
            ("document_type", self.document_type.is_some()),
        ] {
            if present {
                d.field(name, &"<redacted>");
            }
        }
        d.finish()
    }
}

/// Provider-specific ids worth keeping.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Extra {
    /// Mangopay `Tag`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Equals `applicationId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    /// Equals `associatedPersonId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub associated_person_id: Option<String>,
    /// Equals `correlationId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// Didit `session_number`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_number: Option<i64>,
    /// Didit `workflow_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_id: Option<String>,
    /// Didit `session_kind` (`user` or `business`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_kind: Option<String>,
    /// Onfido `applicant_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applicant_id: Option<String>,
    /// Onfido `workflow_version_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_version_id: Option<i64>,
    /// Onfido `tags`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Onfido `dashboard_url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dashboard_url: Option<String>,
    /// Stripe `type` (`document`, `id_number`, `verification_flow`).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub session_type: Option<String>,
    /// Stripe `client_reference_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_reference_id: Option<String>,
    /// Stripe `redaction.status` (`processing`, `redacted`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redaction_status: Option<String>,
    /// Stripe `last_verification_report` (its id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_verification_report: Option<String>,
}

impl Extra {
    /// True when no field is known.
    pub fn is_empty(&self) -> bool {
        *self == Extra::default()
    }
}

/// One identity-verification session, in the unified shape.
///
/// `Debug` omits `person` values and `raw` (they hold personal data).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// Which provider holds the session.
    pub provider: Provider,
    /// The provider's session id.
    #[serde(default)]
    pub id: String,
    /// Unique across providers and rows: `provider:id`, plus `:applicationId` for Equals.
    pub key: String,
    /// Unified status.
    pub status: SessionStatus,
    /// The provider's status text, verbatim.
    #[serde(default)]
    pub provider_status: String,
    /// Equals `result`, verbatim, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_result: Option<String>,
    /// See [`SessionStatus::is_terminal`].
    #[serde(default)]
    pub is_terminal: bool,
    /// Who the session is for (Mangopay `UserId`, Didit `vendor_data`, Equals `associatedPersonId`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_ref: Option<String>,
    /// Where the user completes the session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_url: Option<String>,
    /// Where the user is sent afterwards.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// RFC 3339 UTC; absent when the provider says `null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Checks or features; `[]` when none.
    #[serde(default)]
    pub checks: Vec<Check>,
    /// Who was verified, where the provider says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<Person>,
    /// Provider-specific ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra: Option<Extra>,
    /// The provider's object, only when asked for (`includeRaw`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<Value>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("key", &self.key)
            .field("status", &self.status)
            .field("provider_status", &self.provider_status)
            .field("provider_result", &self.provider_result)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .field("checks", &self.checks)
            .field("person", &self.person)
            .field("extra", &self.extra)
            .field("raw", &self.raw.as_ref().map(|_| "<omitted>"))
            .finish_non_exhaustive()
    }
}
