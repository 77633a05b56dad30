// The TypeScript types of the package, appended verbatim by wasm-bindgen to the
// generated idv_sessions.d.ts (crates/wasm/src/types.rs includes this file). They mirror
// the serde shapes of crate::session and crate::error; tests/lists.rs compares
// every union here with the Rust tables.

/** A provider this package speaks to. */
export type Provider = "mangopay" | "equals" | "didit" | "onfido" | "stripe";

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
  | "canceled"
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
  /** Onfido `applicant_id`. */
  applicantId?: string;
  /** Onfido `workflow_version_id`. */
  workflowVersionId?: number;
  /** Onfido `tags`. */
  tags?: string[];
  /** Onfido `dashboard_url`. */
  dashboardUrl?: string;
  /** Stripe `type` (`document`, `id_number`, `verification_flow`). */
  type?: string;
  /** Stripe `client_reference_id`. */
  clientReferenceId?: string;
  /** Stripe `redaction.status`. */
  redactionStatus?: string;
  /** Stripe `last_verification_report` (its id). */
  lastVerificationReport?: string;
}

/** One identity-verification session in the unified shape. Optional fields are absent, never `null`. */
export interface Session {
  provider: Provider;
  /** The provider's session id. */
  id: string;
  /** Unique across providers and rows: `provider:id`, plus `:applicationId` for Equals (a `:` or `%` inside an id written `%3A`, `%25`). */
  key: string;
  status: SessionStatus;
  /** The provider's status text, verbatim. */
  providerStatus: string;
  /** Equals `result`, verbatim, when present. */
  providerResult?: string;
  /** True for approved, declined, expired, abandoned, canceled, outdated, error. */
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
  /** `normalizeList`: a row that is not a session throws (`decode`) instead of going to `badRows`. */
  strict?: boolean;
}

/**
 * Normalizes one provider object (a list row, a single-session response or a
 * create response), given as an object, JSON text or UTF-8 bytes. Throws an
 * `IdvError` (`decode`) when it is not a session.
 */
export function normalizeSession(
  provider: Provider,
  raw: object | string | Uint8Array | ArrayBuffer,
  options?: NormalizeOptions | null,
): Session;

/**
 * Normalizes a provider's whole list response body (Mangopay's bare array,
 * Equals `{limit, offset, count, rows}`, Didit `{count, next, previous, results}`),
 * given as an object, JSON text or UTF-8 bytes. Rows that are not sessions are
 * in the result's `badRows` (with `strict`, the first one throws instead).
 */
export function normalizeList(
  provider: Provider,
  body: object | unknown[] | string | Uint8Array | ArrayBuffer,
  options?: NormalizeOptions | null,
): SessionList;

/**
 * The unified status for a provider's status text (and, for Equals, its
 * `result`). An unknown or absent status is `"unknown"`, never an error.
 */
export function mapStatus(
  provider: Provider,
  providerStatus: string | null | undefined,
  providerResult?: string | null,
): SessionStatus;

/**
 * Summarizes one user's sessions (any providers): current status, latest
 * status per check kind, last approved time, counts, history flags.
 */
export function summarize(sessions: Session[], options?: SummaryOptions | null): UserSummary;

/** What a webhook notification says happened, in one vocabulary. */
export type WebhookEventType = "session.updated" | "session.data_updated" | "other";

/**
 * How much of a notification is proven to come from the provider:
 * `signature` (the whole body is signed: Didit `X-Signature` or `X-Signature-V2`,
 * Onfido `X-SHA2-Signature`, Stripe `Stripe-Signature`), `envelope` (only id,
 * status, type and time: Didit `X-Signature-Simple`, Equals' shared Authorization
 * header), `none` (nothing is signed: Mangopay, Equals).
 */
export type WebhookVerification = "signature" | "envelope" | "none";

/** One provider notification, unified (SPEC section 8). */
export interface WebhookEvent {
  provider: Provider;
  /**
   * Deduplication key: retries of one notification carry the same one (Didit: built from the
   * signed `session_id`, `webhook_type`, `timestamp` and `status`).
   */
  id: string;
  /** The provider's id of this delivery attempt when the body is signed and it differs from `id` (Didit `event_id`, new on every retry). */
  deliveryId?: string;
  type: WebhookEventType;
  /** The provider's event type, verbatim (`status.updated`, `IDENTITY_VERIFICATION_VALIDATED`, ...). */
  providerType: string;
  sessionId?: string;
  status?: SessionStatus;
  providerStatus?: string;
  /** RFC 3339 UTC. */
  occurredAt: string;
  verification: WebhookVerification;
  /** True when the session must be fetched (`client.resolveWebhook`) to be trusted or known in full. */
  needsFetch: boolean;
  /** A test delivery (Didit's console, Mangopay's dashboard ping). */
  test: boolean;
  /** The full session, when a fully signed body carries it (Didit's `decision`). */
  session?: Session;
  /** Ids to find the session by (Equals `applicationId`, `associatedPersonId`, `correlationId`). */
  extra?: SessionExtra;
  /** The body (or Mangopay's query), with `includeRaw: true`. */
  raw?: unknown;
}

/** A received notification, as the server framework hands it over. */
export interface WebhookInput {
  /** The raw body, exactly as received (signatures are over these bytes): never a parsed object. */
  body?: string | Uint8Array | ArrayBuffer | null;
  /** Node's `req.headers`, a `Headers`, or any plain object (names in any case). */
  headers?: Headers | Record<string, string | string[] | undefined> | null;
  /** The full request URL (Mangopay sends a GET with `?EventType=&RessourceId=&Date=`). */
  url?: string | null;
  /**
   * Didit: the destination's secret; several during a rotation. Equals: the webhook's
   * `authorizationHeader`. An empty (or blank) secret, alone or in the array, is a `config`
   * error for every provider: an empty HMAC key would verify anyone's signature.
   */
  secret?: string | string[] | null;
  /** How far the signed timestamp may be from `now` (default 300 s). */
  toleranceSec?: number;
  /** Now: ms since the epoch or a `Date` (default: the clock). */
  now?: number | Date;
  /** Keep the body (or query) in `raw`. */
  includeRaw?: boolean;
}

/** What `signWebhook` signs. */
export interface SignWebhookInput {
  /** Didit, Onfido: the JSON payload; Stripe: the Event; Equals: the event inside the `{ body }` envelope; Mangopay: `{ EventType, RessourceId, Date? }`. */
  payload: Record<string, unknown>;
  /** Didit, Stripe (the endpoint secret), Onfido (the webhook token): required; Equals: sent as `Authorization`. */
  secret?: string;
  /** Unix seconds of the delivery (default: now). */
  timestamp?: number | Date | string;
  /** Where it goes (Mangopay's query is appended). */
  url?: string;
  now?: number | Date;
}

/** A delivery that `parseWebhook` accepts, for testing your own handler. */
export interface SignedWebhook {
  method: "POST" | "GET";
  url?: string;
  headers: Record<string, string>;
  body?: string;
}

/** A query of past events (Mangopay: the last 45 days). */
export interface EventsQuery {
  eventType?: string;
  /** Unix seconds, a `Date` or an ISO date-time. */
  afterDate?: number | Date | string;
  beforeDate?: number | Date | string;
}

/**
 * Verifies and unifies one webhook notification, synchronously and without
 * I/O. Throws an `IdvError` with code `config` (an empty secret), `signature`
 * (no secret, a missing or wrong signature, a stale timestamp) or `decode`
 * (not the provider's format).
 */
export function parseWebhook(provider: Provider, input: WebhookInput): WebhookEvent;

/** A test delivery signed as the provider signs (for your own handler's tests). */
export function signWebhook(provider: Provider, input: SignWebhookInput): SignedWebhook;

/** A list row that is not a session (no usable id or creation time, or not an object). */
export interface BadRow {
  provider: Provider;
  /** The row's position in its list response (0-based). */
  index: number;
  /** The provider's id of the row, when it has a usable one. */
  id?: string;
  /** Why it is not a session (names the field). */
  reason: string;
  /** Client listings: where the row's page started (Mangopay `page`, Equals and Didit `offset`). */
  page?: number;
}

/**
 * Sessions, with the rows that were not sessions beside them (not enumerable):
 * `badRows` describes the first 100, `badRowCount` counts them all.
 */
export type SessionList = Session[] & { readonly badRows: BadRow[]; readonly badRowCount: number };

/** `listEvents`: the events, oldest first, and the rows of the provider's answers that were not events (as a `SessionList` has them). */
export type EventList = WebhookEvent[] & { readonly badRows: BadRow[]; readonly badRowCount: number };

/** The `code` of an `IdvError`. */
export type IdvErrorCode =
  | "config"
  | "auth"
  | "forbidden"
  | "not_found"
  | "rate_limited"
  | "http"
  | "network"
  | "timeout"
  | "aborted"
  | "decode"
  | "unsupported"
  | "incomplete"
  | "signature";

/** The fields of an `IdvError` besides its message. */
export interface IdvErrorFields {
  code?: IdvErrorCode;
  provider?: Provider;
  httpStatus?: number;
  retryable?: boolean;
  retryAfterMs?: number;
}

/** Every failure of this package: a real `Error` (`instanceof IdvError`, `instanceof Error`). */
export class IdvError extends Error {
  constructor(message: string, fields?: IdvErrorFields);
  name: "IdvError";
  code: IdvErrorCode;
  provider?: Provider;
  httpStatus?: number;
  /** Whether trying again later may succeed. */
  retryable: boolean;
  /** How long the provider asked to wait. */
  retryAfterMs?: number;
}

/** Options of `summarize`. */
export interface SummaryOptions {
  /** "Now": ms since the epoch, a `Date` or an ISO date-time (default: the current time). */
  now?: number | string | Date;
  /** Window of the approved-liveness flag (default 90). */
  livenessWithinDays?: number;
  /** Window of the session-spike flag (default 30). */
  spikeWindowDays?: number;
  /** More than this many sessions in the window is a spike (default 3). */
  spikeThreshold?: number;
}

/** The latest known status of one check kind. */
export interface CheckSummary {
  status: CheckStatus;
  /** The session's `updatedAt`, else its `createdAt`. */
  at: string;
  sessionKey: string;
}

/** One user's verification state across sessions and providers. */
export interface UserSummary {
  sessionCount: number;
  /** The newest session's status; absent when there are no sessions. */
  currentStatus?: SessionStatus;
  currentSessionKey?: string;
  /** The newest session is approved. */
  verified: boolean;
  /** The newest approved session's `updatedAt`, else `createdAt`. */
  lastApprovedAt?: string;
  /** Latest status per check kind across sessions. */
  checks: Partial<Record<CheckKind, CheckSummary>>;
  /** Sessions per status (every status present). */
  counts: Record<SessionStatus, number>;
  /** Sessions per provider (every provider present). */
  byProvider: Record<Provider, number>;
  /** Sessions created within the last `spikeWindowDays`. */
  sessionsInWindow: number;
  flags: {
    /** An approved liveness check within `livenessWithinDays`. */
    approvedLivenessWithinDays: boolean;
    /** The newest session was declined. */
    newestDeclined: boolean;
    /** More than `spikeThreshold` sessions within `spikeWindowDays`. */
    sessionSpike: boolean;
  };
}

/** One provider's connection settings. */
export interface ProviderSettings {
  /** The provider's secret API key. Leave it out when `baseUrl` is a proxy that adds it. */
  apiKey?: string;
  /** Production by default; a sandbox, or your own proxy (an absolute URL or a path on this origin). */
  baseUrl?: string;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
}

/** Mangopay settings: the `clientId` is part of every path. */
export interface MangopaySettings extends ProviderSettings {
  clientId: string;
}

/** Onfido settings: the API's region (`eu` by default); not with `baseUrl`. */
export interface OnfidoSettings extends ProviderSettings {
  region?: "eu" | "us" | "ca";
}

/** Stripe settings: `apiVersion` overrides the `Stripe-Version` the package pins. */
export interface StripeSettings extends ProviderSettings {
  apiVersion?: string;
}

/** `new IdvClient(config)`. */
export interface IdvClientConfig {
  mangopay?: MangopaySettings;
  equals?: ProviderSettings;
  didit?: ProviderSettings;
  onfido?: OnfidoSettings;
  stripe?: StripeSettings;
  /** Per-request timeout (default 30000). */
  timeoutMs?: number;
  /** Retries after the first attempt on network errors, timeouts, 429, 500, 502, 503, 504 (default 3). */
  maxRetries?: number;
  /** Backoff base: retry n waits a random time up to `retryBaseMs * 2^n` (default 250). */
  retryBaseMs?: number;
  /** Upper bound of one wait, `Retry-After` included (default 20000). */
  retryMaxDelayMs?: number;
  /** Requests in flight per provider (default 4). */
  concurrency?: number;
  /** Multiplies the documented rate limits the client stays within (default 1). */
  rateLimitScale?: number;
  /** The fetch to use (default: the global one). */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Allow a secret key in a browser page. */
  dangerouslyAllowBrowser?: boolean;
}

/** Unified statuses, provider statuses, or several of them (array or comma-separated). */
export type StatusQuery = SessionStatus | (string & {}) | Array<SessionStatus | (string & {})>;

/** Mangopay lists sessions per user. */
export interface MangopayQuery {
  userId: string;
  page?: number;
  /** 1..100 (default 100). */
  perPage?: number;
  /** Applied after fetching (Mangopay has no status filter). */
  status?: StatusQuery;
}

export interface EqualsQuery {
  applicationId?: string;
  associatedPersonId?: string;
  /** 1..1000 (default 1000). */
  limit?: number;
  offset?: number;
  /** Applied after fetching (Equals has no status filter). */
  status?: StatusQuery;
}

export interface DiditQuery {
  vendorData?: string;
  /** Sent to Didit; unified statuses are translated to Didit's own. */
  status?: StatusQuery;
  /** ISO 3166 alpha-3. */
  country?: string;
  workflowId?: string;
  dateFrom?: string;
  dateTo?: string;
  /** 1..100 (default 100). */
  limit?: number;
  offset?: number;
}

/** Onfido workflow runs, newest first by default. */
export interface OnfidoQuery {
  applicantId?: string;
  /** Sent to Onfido (a comma list of its own statuses) when its filter documents them all; `in_review` (which includes `awaiting_client_input`) is applied after fetching. */
  status?: StatusQuery;
  /** A date or an RFC 3339 time: Onfido takes whole days, the exact instant is applied after fetching. */
  dateFrom?: string;
  dateTo?: string;
  /** Comma-separated: runs having every tag. */
  tags?: string;
  sort?: "asc" | "desc";
  /** Pages at Onfido's own page size. */
  page?: number;
}

/** Stripe Identity verification sessions, newest first, by cursor. */
export interface StripeQuery {
  clientReferenceId?: string;
  /** One status is sent to Stripe; several are applied after fetching. */
  status?: StatusQuery;
  /** A date or an RFC 3339 time (`created[gte]`/`created[lte]`). */
  dateFrom?: string;
  dateTo?: string;
  /** 1..100 (default 100). */
  limit?: number;
  /** The id of the last session of the page before (`next` carries it). */
  startingAfter?: string;
}

export interface RequestOptions {
  /** Cancels every request of the call; the promise rejects with `code: "aborted"`. */
  signal?: AbortSignal;
  /** Keep each provider object in `raw`. */
  includeRaw?: boolean;
  /**
   * Mangopay: fetch each listed session's View (verification URL, user, checks). Onfido
   * (`getSession`): the reports of the checks of the run's applicant created since the run.
   */
  details?: boolean;
  /** A list row that is not a session rejects the call (`decode`) instead of going to `badRows`. */
  strict?: boolean;
}

export interface ListProgress {
  provider: Provider;
  pagesDone: number;
  pagesTotal?: number;
  /** Distinct sessions received so far. */
  sessions: number;
}

export interface ListAllOptions extends RequestOptions {
  onProgress?: (progress: ListProgress) => void;
  /**
   * The most sessions the listing may hold (default 1,000,000): past it the call rejects with
   * `incomplete` instead of listing on (a proxy minting ids forever cannot hold it forever).
   */
  maxSessions?: number;
}

/** One page of `listSessions`. */
export interface SessionPage {
  provider: Provider;
  sessions: Session[];
  /** Rows the provider reports for the query, when it says (before filtering applied after fetching). */
  total?: number;
  /** The query of the next page; absent on the last page. */
  next?: MangopayQuery | EqualsQuery | DiditQuery | OnfidoQuery | StripeQuery;
  /** Rows of the page that were not sessions, the first 100 (absent when there are none). */
  badRows?: BadRow[];
  /** How many rows of the page were not sessions (absent when there are none). */
  badRowCount?: number;
}

/** Whose sessions `listUserSessions` lists at each provider. */
export interface UserRefs {
  /** Mangopay `UserId` (a string), or `{ userId }`. */
  mangopay?: string | { userId: string };
  /** Equals `associatedPersonId` (a string), or a query by person or application. */
  equals?: string | { associatedPersonId?: string; applicationId?: string };
  /** Didit `vendor_data` (a string), or `{ vendorData }`. */
  didit?: string | { vendorData: string };
  /** Onfido `applicant_id` (a string), or `{ applicantId }`. */
  onfido?: string | { applicantId: string };
  /** Stripe `client_reference_id` (a string), or `{ clientReferenceId }`. */
  stripe?: string | { clientReferenceId: string };
}

export interface UserSessions {
  /** Every provider's sessions that answered, newest first. */
  sessions: Session[];
  /** One error per provider that failed. */
  errors: IdvError[];
  /** Rows that were not sessions, the first 100. */
  badRows: BadRow[];
  /** How many rows were not sessions. */
  badRowCount: number;
}

export interface MangopayCreateInput {
  userId: string;
  returnUrl: string;
  tag?: string;
  /** Sent as `Idempotency-Key`. */
  idempotencyKey?: string;
}

export interface DiditCreateInput {
  workflowId: string;
  vendorData?: string;
  callback?: string;
  metadata?: Record<string, unknown>;
}

/** Onfido: a workflow run for an applicant, or for a new one (`applicant`: two requests, never repeated; an error after the applicant exists names its `applicantId`). */
export interface OnfidoCreateInput {
  workflowId: string;
  applicantId?: string;
  applicant?: { firstName: string; lastName: string; email?: string; dob?: string; phoneNumber?: string };
  customerUserId?: string;
  tags?: string[];
  completedRedirectUrl?: string;
  expiredRedirectUrl?: string;
}

/** Stripe: sent form-encoded with an `Idempotency-Key` (yours, or one per call) that every attempt reuses. */
export interface StripeCreateInput {
  /** `document` (the default) or `id_number`; or a `verificationFlow` instead. */
  type?: "document" | "id_number";
  verificationFlow?: string;
  clientReferenceId?: string;
  returnUrl?: string;
  metadata?: Record<string, string>;
  /** Stripe's `options` as Stripe names them (`{ document: { allowed_types, require_matching_selfie } }`). */
  options?: Record<string, unknown>;
  providedDetails?: { email?: string; phone?: string };
  idempotencyKey?: string;
}

export interface SessionStream extends AsyncIterableIterator<Session> {}

// The two classes are declared here rather than generated (`skip_typescript` on
// their structs in client.rs): wasm-bindgen's declarations add `[Symbol.dispose]()`,
// which does not compile under TypeScript's default `lib` with `skipLibCheck: false`.
// Keep them in step with the `#[wasm_bindgen] impl` blocks: tests/node/exports.test.mjs
// compares their members with the methods the classes have at run time.

/**
 * A client for the providers. Holds the configuration, Mangopay's
 * token and the rate budgets; share one per process or page.
 */
export class IdvClient {
  /**
   * A client for the configured providers. Throws a `config` IdvError for
   * a bad config, and in a browser for a secret key sent straight to a
   * provider (use a proxy `baseUrl`, or `dangerouslyAllowBrowser: true`).
   */
  constructor(config: IdvClientConfig);
  /**
   * Ends the client: later calls reject with a `config` IdvError, calls already
   * running finish. Its memory is released by the garbage collector once no
   * call holds it (`free()` never releases memory a call may still use).
   */
  free(): void;
  /**
   * One page of sessions, normalized, with `total` when the provider says
   * and `next` (the query of the next page) unless it is the last.
   */
  listSessions(provider: Provider, query: MangopayQuery | EqualsQuery | DiditQuery | OnfidoQuery | StripeQuery, options?: RequestOptions | null): Promise<SessionPage>;
  /**
   * Every page: after the first, the rest concurrently within the
   * provider's rate limit, in the provider's order, deduplicated by `key`.
   * `onProgress` is called as pages arrive.
   */
  listAll(provider: Provider, query: MangopayQuery | EqualsQuery | DiditQuery | OnfidoQuery | StripeQuery, options?: ListAllOptions | null): Promise<SessionList>;
  /** An async iterator over the sessions, page by page (`for await`). */
  sessions(provider: Provider, query: MangopayQuery | EqualsQuery | DiditQuery | OnfidoQuery | StripeQuery, options?: RequestOptions | null): SessionStream;
  /**
   * Every configured provider's sessions for one user, concurrently, merged
   * newest first: `{ sessions, errors, badRows, badRowCount }`, one IdvError per failed provider.
   */
  listUserSessions(refs: UserRefs, options?: RequestOptions | null): Promise<UserSessions>;
  /**
   * One session: Mangopay View (with checks), Didit decision. Equals has no
   * such endpoint: `unsupported`.
   */
  getSession(provider: Provider, id: string, options?: RequestOptions | null): Promise<Session>;
  /**
   * Creates a session: Mangopay `{userId, returnUrl, tag?, idempotencyKey?}`,
   * Didit `{workflowId, vendorData?, callback?, metadata?}`. Equals issues
   * sessions itself: `unsupported`.
   */
  createSession(provider: Provider, input: MangopayCreateInput | DiditCreateInput | OnfidoCreateInput | StripeCreateInput, options?: RequestOptions | null): Promise<Session>;
  /**
   * The session a webhook event is about, fetched from the provider: Mangopay
   * View, Didit decision; Equals: its row in the event's application (or
   * person), matched by id and `correlationId`.
   */
  resolveWebhook(event: WebhookEvent, options?: RequestOptions | null): Promise<Session>;
  /**
   * Past events, oldest first (Mangopay's events API, the last 45 days), to
   * catch up on missed notifications; `unsupported` at the other providers.
   */
  listEvents(provider: Provider, query?: EventsQuery | null, options?: RequestOptions | null): Promise<EventList>;
}

/**
 * The async iterator returned by `IdvClient.sessions()`: one session per
 * `next()`, fetching a page when the previous one is used up.
 */
export class SessionStream {
  private constructor();
  /** Ends the iteration, as `return()`, and releases its memory; later `next()` calls resolve `{ done: true }`. */
  free(): void;
  /** The rows read so far that were not sessions (as a `SessionList` has them), growing as pages arrive. */
  readonly badRows: BadRow[];
  /** How many rows read so far were not sessions. */
  readonly badRowCount: number;
  /** The next session: `{ value, done }`. */
  next(): Promise<IteratorResult<Session, undefined>>;
  /** Stops the iteration (called by `break` in `for await`). */
  return(): Promise<IteratorResult<Session, undefined>>;
}
