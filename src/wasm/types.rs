//! The TypeScript types of the package, appended verbatim to the generated `.d.ts`.
//! They mirror the serde shapes of `crate::session` and `crate::error`; the
//! Node tests check real values against them and CI type-checks a consumer.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** A provider this package speaks to. */
export type Provider = "mangopay" | "equals" | "didit";

/** The unified session status (see the README's status table). */
export type SessionStatus =
  | "not_started"
  | "in_progress"
  | "in_review"
  | "approved"
  | "declined"
  | "resubmission_requested"
  | "expired"
  | "abandoned"
  | "outdated"
  | "error"
  | "unknown";

/** What a check verifies. */
export type CheckKind =
  | "document"
  | "liveness"
  | "face_match"
  | "age"
  | "name_match"
  | "aml"
  | "proof_of_address"
  | "nfc"
  | "phone"
  | "email"
  | "ip_analysis"
  | "database"
  | "business"
  | "other";

/** The unified status of one check. */
export type CheckStatus = "approved" | "declined" | "in_review" | "not_finished" | "unknown";

/** A refusal reason or warning of a check. */
export interface Reason {
  /** Mangopay `Reasons[].Type`; Didit warning `risk`. */
  code: string;
  /** Mangopay `Reasons[].Value`; Didit warning `short_description`. */
  detail?: string;
}

/** One check of a session (a Mangopay check, a Didit feature). */
export interface Check {
  kind: CheckKind;
  status: CheckStatus;
  /** The provider's check type, verbatim. */
  providerType: string;
  /** The provider's check status, verbatim (empty when the provider gives none). */
  providerStatus: string;
  reasons: Reason[];
}

/** Who the session verified, where the provider says. */
export interface Person {
  fullName?: string;
  firstName?: string;
  lastName?: string;
  country?: string;
  documentType?: string;
}

/** Provider-specific ids worth keeping. */
export interface SessionExtra {
  /** Mangopay `Tag`. */
  tag?: string;
  /** Equals `applicationId`. */
  applicationId?: string;
  /** Equals `associatedPersonId`. */
  associatedPersonId?: string;
  /** Equals `correlationId`. */
  correlationId?: string;
  /** Didit `session_number`. */
  sessionNumber?: number;
  /** Didit `workflow_id`. */
  workflowId?: string;
  /** Didit `session_kind`. */
  sessionKind?: string;
}

/** One identity-verification session in the unified shape. Optional fields are absent, never `null`. */
export interface Session {
  provider: Provider;
  /** The provider's session id. */
  id: string;
  /** Unique across providers and rows: `provider:id`, plus `:applicationId` for Equals. */
  key: string;
  status: SessionStatus;
  /** The provider's status text, verbatim. */
  providerStatus: string;
  /** Equals `result`, verbatim, when present. */
  providerResult?: string;
  /** True for approved, declined, expired, abandoned, outdated, error. */
  isTerminal: boolean;
  /** Mangopay `UserId`, Didit `vendor_data`, Equals `associatedPersonId` (else `applicationId`). */
  userRef?: string;
  /** Mangopay `HostedUrl`, Equals `actionUrl`, Didit `session_url` / `url`. */
  verificationUrl?: string;
  /** Mangopay `ReturnUrl`, Didit `callback`. */
  returnUrl?: string;
  /** RFC 3339 UTC, e.g. `2025-05-05T12:45:21Z`. */
  createdAt: string;
  /** RFC 3339 UTC; absent when the provider says `null`. */
  updatedAt?: string;
  checks: Check[];
  person?: Person;
  extra?: SessionExtra;
  /** The provider's object, only with `includeRaw: true`. */
  raw?: Record<string, unknown>;
}

/** Options of `normalizeSession` and `normalizeList`. */
export interface NormalizeOptions {
  /** Keep the provider's object in `raw`. */
  includeRaw?: boolean;
  /** Mangopay `UserId` for rows that lack it (list rows do). */
  userId?: string;
}

/** The `code` of an `IdvError`. */
export type IdvErrorCode =
  | "config"
  | "auth"
  | "not_found"
  | "rate_limited"
  | "http"
  | "network"
  | "timeout"
  | "aborted"
  | "decode"
  | "unsupported";

/** Every failure of this package: a real `Error` named `IdvError`. */
export interface IdvError extends Error {
  name: "IdvError";
  code: IdvErrorCode;
  provider?: Provider;
  httpStatus?: number;
  /** Whether trying again later may succeed. */
  retryable: boolean;
  /** How long the provider asked to wait. */
  retryAfterMs?: number;
}
"#;
