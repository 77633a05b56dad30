// The providers of the command line, as data: where each one's credentials and endpoint come
// from (environment variables only), which flag fills which key of the package's queries and
// create inputs, and how its webhooks arrive. The commands read nothing about a provider
// anywhere else.
//
// All five providers of SPEC section 10 are here. The package decides what it supports: for a
// provider it does not know every command fails with the package's own error (a `config`
// IdvError from `mapStatus`, see `packageSupports`).
//
// Fields:
//   name            the display name
//   credentials     [{ env, key }]: each environment variable and the key of the provider's
//                   IdvClient settings it fills; every one is required
//   baseUrlEnv      the variable of another endpoint (a sandbox, a proxy, the mock) -> `baseUrl`
//   user            what `--user` means there (help text) and the query key it fills;
//                   `userRequired`: the provider lists per user only
//   limit           the query key of `--limit` (the page size), null when it has none
//   maxLimit        the largest page the provider allows (a larger `--limit` is a usage error)
//   dates           how `--from`/`--to` reach the provider: "date" (YYYY-MM-DD days, widened to
//                   whole UTC days, the exact bounds applied after fetching), "instant" (RFC 3339
//                   UTC, passed through), null (no parameter: applied after fetching)
//   get             null, or a sentence when the provider has no endpoint for one session
//   create          { flag: { key, required } } (null: the provider issues sessions itself, and
//                   `createUnsupported` says why)
//   userRefs        the key of `listUserSessions` for `user --<provider> REF`
//   webhook         { methods, secretEnv, secretHelp }: secretEnv null means the provider signs
//                   nothing and has no secret to set (Mangopay)

export const PROVIDERS = {
  mangopay: {
    name: "Mangopay",
    credentials: [
      { env: "MANGOPAY_CLIENT_ID", key: "clientId" },
      { env: "MANGOPAY_API_KEY", key: "apiKey" },
    ],
    baseUrlEnv: "IDV_MANGOPAY_BASE_URL",
    user: { key: "userId", means: "the Mangopay user id (UserId)", required: true },
    limit: "perPage",
    maxLimit: 100,
    dates: null,
    get: null,
    create: {
      "--user": { key: "userId", required: true },
      "--return-url": { key: "returnUrl", required: true },
      "--idempotency-key": { key: "idempotencyKey", required: false },
    },
    userRefs: "mangopay",
    webhook: {
      methods: ["GET"],
      secretEnv: null,
      secretHelp: "signs nothing and has no secret: its GETs are always accepted (verification \"none\", needsFetch)",
    },
  },
  equals: {
    name: "Equals Money",
    credentials: [{ env: "EQUALS_API_KEY", key: "apiKey" }],
    baseUrlEnv: "IDV_EQUALS_BASE_URL",
    user: { key: "associatedPersonId", means: "the Equals associatedPersonId (a UUID)", required: false },
    limit: "limit",
    maxLimit: 1000,
    dates: null,
    get: "Equals has no endpoint for one session: list them with `idv-sessions list equals --user <associatedPersonId>`",
    create: null,
    createUnsupported: "sessions are issued by Equals during onboarding; the API cannot create one",
    userRefs: "equals",
    webhook: {
      methods: ["POST"],
      secretEnv: "EQUALS_WEBHOOK_AUTHORIZATION",
      secretHelp: "signs nothing; the request's Authorization header must equal this variable (the webhook's " +
        "authorizationHeader at Equals). Not set: every Equals delivery is answered 401",
    },
  },
  didit: {
    name: "Didit",
    credentials: [{ env: "DIDIT_API_KEY", key: "apiKey" }],
    baseUrlEnv: "IDV_DIDIT_BASE_URL",
    user: { key: "vendorData", means: "the Didit vendor_data", required: false },
    limit: "limit",
    maxLimit: 100,
    dates: "date",
    get: null,
    create: {
      "--workflow-id": { key: "workflowId", required: true },
      "--user": { key: "vendorData", required: false },
      "--return-url": { key: "callback", required: false },
    },
    userRefs: "didit",
    webhook: {
      methods: ["POST"],
      secretEnv: "DIDIT_WEBHOOK_SECRET",
      secretHelp: "the destination's secret key (X-Signature, X-Signature-V2, X-Signature-Simple). Not set: 401",
    },
  },
  onfido: {
    name: "Onfido",
    credentials: [{ env: "ONFIDO_API_TOKEN", key: "apiKey" }],
    baseUrlEnv: "IDV_ONFIDO_BASE_URL",
    user: { key: "applicantId", means: "the Onfido applicant_id", required: false },
    limit: null,
    dates: "instant",
    get: null,
    create: {
      "--workflow-id": { key: "workflowId", required: true },
      "--applicant-id": { key: "applicantId", required: true },
    },
    userRefs: "onfido",
    webhook: {
      methods: ["POST"],
      secretEnv: "ONFIDO_WEBHOOK_TOKEN",
      secretHelp: "the webhook's token (X-SHA2-Signature). Not set: 401",
    },
  },
  stripe: {
    name: "Stripe Identity",
    credentials: [{ env: "STRIPE_SECRET_KEY", key: "apiKey" }],
    baseUrlEnv: "IDV_STRIPE_BASE_URL",
    user: { key: "clientReferenceId", means: "the Stripe client_reference_id", required: false },
    limit: "limit",
    maxLimit: 100,
    dates: "instant",
    get: null,
    create: {
      "--user": { key: "clientReferenceId", required: false },
      "--return-url": { key: "returnUrl", required: false },
      "--idempotency-key": { key: "idempotencyKey", required: false },
    },
    userRefs: "stripe",
    webhook: {
      methods: ["POST"],
      secretEnv: "STRIPE_WEBHOOK_SECRET",
      secretHelp: "the endpoint's signing secret, whsec_... (Stripe-Signature). Not set: 401",
    },
  },
};

export const PROVIDER_NAMES = Object.keys(PROVIDERS);

/** The value of an environment variable, or undefined when it is unset or blank (never `""`). */
export function envValue(env, name) {
  const value = env[name];
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

/**
 * Every secret value in the environment (credentials, webhook secrets), and the Basic
 * credential of each provider with two (Mangopay's `clientId:apiKey` in base64), for redaction.
 */
export function secretValues(env) {
  const values = [];
  for (const row of Object.values(PROVIDERS)) {
    const credentials = row.credentials.map((c) => envValue(env, c.env));
    values.push(...credentials.filter(Boolean));
    if (credentials.length === 2 && credentials.every(Boolean)) {
      values.push(Buffer.from(credentials.join(":")).toString("base64"));
    }
    if (row.webhook.secretEnv) values.push(envValue(env, row.webhook.secretEnv));
  }
  return [...new Set(values.filter(Boolean))];
}

/**
 * The provider's IdvClient settings from the environment, or the names of the variables that
 * are missing (`{ missing: [...] }`).
 */
export function providerSettings(provider, env) {
  const row = PROVIDERS[provider];
  const settings = {};
  const missing = [];
  for (const { env: name, key } of row.credentials) {
    const value = envValue(env, name);
    if (value === undefined) missing.push(name);
    else settings[key] = value;
  }
  const baseUrl = envValue(env, row.baseUrlEnv);
  if (baseUrl !== undefined) settings.baseUrl = baseUrl.trim();
  return missing.length ? { missing } : { settings };
}
