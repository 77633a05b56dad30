// A TypeScript consumer of the published package: CI type-checks it with
// `tsc --noEmit` against the installed tarball (tests/node/npm-pack.test.mjs).
// The @ts-expect-error lines make the check fail if a type becomes too loose.
import {
  normalizeSession,
  normalizeList,
  mapStatus,
  isIdvError,
  type Check,
  type CheckKind,
  type CheckStatus,
  type IdvError,
  type IdvErrorCode,
  type NormalizeOptions,
  type Provider,
  type Session,
  type SessionStatus,
} from "idv-sessions";

function label(status: SessionStatus): string {
  switch (status) {
    case "not_started":
    case "in_progress":
    case "in_review":
      return "open";
    case "approved":
      return "ok";
    case "declined":
    case "resubmission_requested":
    case "expired":
    case "abandoned":
    case "outdated":
    case "error":
      return "closed";
    case "unknown":
      return "?";
    default: {
      const exhaustive: never = status;
      return exhaustive;
    }
  }
}

const provider: Provider = "didit";
const options: NormalizeOptions = { includeRaw: true, userId: "user_m_1" };
const session: Session = normalizeSession(provider, { session_id: "x" }, options);
const list: Session[] = normalizeList("mangopay", "[]", { userId: "u" });
const status: SessionStatus = mapStatus("equals", "completed", "approved");
mapStatus("equals", "completed");

const created: string = session.createdAt;
const updated: string | undefined = session.updatedAt;
const terminal: boolean = session.isTerminal;
const firstCheck: Check | undefined = session.checks[0];
const kind: CheckKind | undefined = firstCheck?.kind;
const checkStatus: CheckStatus | undefined = firstCheck?.status;
const sessionNumber: number | undefined = session.extra?.sessionNumber;
const fullName: string | undefined = session.person?.fullName;

try {
  normalizeSession("mangopay", "{}");
} catch (e) {
  if (isIdvError(e)) {
    const err: IdvError = e;
    const code: IdvErrorCode = err.code;
    const retry: number | undefined = err.retryAfterMs;
    const http: number | undefined = err.httpStatus;
    console.log(code, retry, http, err.retryable, err.provider, err.message);
  }
}

// @ts-expect-error: not a provider
normalizeSession("paypal", "{}");
// @ts-expect-error: not a unified status
const wrong: SessionStatus = "pending";
// @ts-expect-error: createdAt is a string, never absent
const missing: undefined = session.createdAt;
// @ts-expect-error: not a check kind
const wrongKind: CheckKind = "selfie";

console.log(label(session.status), list.length, status, created, updated, terminal, kind, checkStatus,
  sessionNumber, fullName, wrong, missing, wrongKind);
