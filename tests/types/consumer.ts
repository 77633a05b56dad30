// A TypeScript consumer of the published package: CI type-checks it with
// `tsc --noEmit` against the installed tarball (tests/node/npm-pack.test.mjs),
// strict, default lib, skipLibCheck false: as .mts and .cts under node16 and
// nodenext resolution, as .ts under bundler resolution.
// The @ts-expect-error lines make the check fail if a type becomes too loose.
import {
  normalizeSession,
  normalizeList,
  mapStatus,
  isIdvError,
  IdvClient,
  type Check,
  type IdvClientConfig,
  type ListProgress,
  type SessionPage,
  type UserSessions,
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
    case "canceled":
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

const clientConfig: IdvClientConfig = {
  mangopay: { clientId: "cid", baseUrl: "/api/mangopay" },
  equals: { baseUrl: "/api/equals" },
  didit: { baseUrl: "/api/didit", headers: { "x-team": "ops" } },
  timeoutMs: 10_000,
  maxRetries: 4,
  concurrency: 4,
};
const client = new IdvClient(clientConfig);

async function useClient(signal: AbortSignal): Promise<number> {
  const page: SessionPage = await client.listSessions("didit", { vendorData: "user-1", status: ["approved", "In Review"] }, { signal });
  const total: number | undefined = page.total;
  const all: Session[] = await client.listAll("equals", { associatedPersonId: "p" }, {
    onProgress: (p: ListProgress) => console.log(p.pagesDone, p.pagesTotal, p.sessions),
    signal,
  });
  let n = 0;
  for await (const s of client.sessions("mangopay", { userId: "u", perPage: 50 })) {
    const st: SessionStatus = s.status;
    n += st === "approved" ? 1 : 0;
  }
  const mine: UserSessions = await client.listUserSessions({ mangopay: "u", equals: { applicationId: "a" }, didit: "v" });
  const firstError: IdvError | undefined = mine.errors[0];
  const created: Session = await client.createSession("mangopay", { userId: "u", returnUrl: "https://x" });
  const got: Session = await client.getSession("didit", created.id, { includeRaw: true });
  // @ts-expect-error: createSession needs an input
  await client.createSession("didit");
  return n + all.length + (total ?? 0) + (firstError ? 1 : 0) + got.checks.length;
}
void useClient;

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
