// The commands' options (for node:util parseArgs), their usage lines and their --help texts.
// Provider details in the texts come from the provider table (providers.mjs).
import { PROVIDERS, PROVIDER_NAMES } from "./providers.mjs";

const COMMON = {
  help: { type: "boolean", short: "h" },
  quiet: { type: "boolean", short: "q" },
};

const CREATE_FLAGS = [...new Set(Object.values(PROVIDERS).flatMap((p) => Object.keys(p.create ?? {})))];

export const STATUSES = "not_started, in_progress, in_review, approved, declined,\n" +
  "resubmission_requested, expired, abandoned, canceled, outdated, error, unknown";

export const COMMANDS = {
  list: {
    options: {
      ...COMMON,
      status: { type: "string" },
      user: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      all: { type: "boolean" },
      limit: { type: "string" },
      format: { type: "string" },
      "include-raw": { type: "boolean" },
    },
    positionals: ["provider"],
    formats: ["table", "csv", "json", "jsonl"],
    usage: "idv-sessions list <provider> [--user REF] [--status S] [--from DATE] [--to DATE] [--all]\n" +
      "                  [--limit N] [--format table|csv|json|jsonl] [--include-raw] [--quiet]",
  },
  get: {
    options: { ...COMMON, format: { type: "string" }, "include-raw": { type: "boolean" } },
    positionals: ["provider", "id"],
    formats: ["table", "json"],
    usage: "idv-sessions get <provider> <id> [--format table|json] [--include-raw]",
  },
  user: {
    options: {
      ...COMMON,
      ...Object.fromEntries(PROVIDER_NAMES.map((p) => [p, { type: "string" }])),
      format: { type: "string" },
    },
    positionals: [],
    formats: ["table", "json"],
    usage: `idv-sessions user ${PROVIDER_NAMES.map((p) => `[--${p} REF]`).join(" ")}\n` +
      "                  [--format table|json]",
  },
  create: {
    options: {
      ...COMMON,
      ...Object.fromEntries(CREATE_FLAGS.map((f) => [f.slice(2), { type: "string" }])),
      format: { type: "string" },
    },
    positionals: ["provider"],
    formats: ["table", "json"],
    usage: "idv-sessions create <provider> [--workflow-id ID] [--user REF] [--return-url URL]\n" +
      "                  [--idempotency-key K] [--applicant-id ID] [--format table|json]",
  },
  webhooks: {
    options: {
      ...COMMON,
      port: { type: "string" },
      host: { type: "string" },
      "path-prefix": { type: "string" },
    },
    positionals: [],
    formats: [],
    usage: "idv-sessions webhooks [--port 8787] [--host 127.0.0.1] [--path-prefix /webhooks]",
  },
};

const pad = (text, width) => text + " ".repeat(Math.max(1, width - text.length));
const LINE = 96;
/** `text` in lines of at most `room` characters (words kept whole). */
function wrap(text, room) {
  const lines = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}
/** Two columns: a term, and its description wrapped beside it. */
const rows = (pairs, width = 22) => pairs.map(([a, b]) => wrap(b, LINE - 2 - width)
  .map((text, i) => `  ${pad(i ? "" : a, width)}${text}`).join("\n")).join("\n");

function credentialLines() {
  return rows(Object.values(PROVIDERS).map((p) => [p.credentials.map((c) => c.env).join(", "), p.name]), 40);
}

const ENVIRONMENT = (more = "") => `Environment (credentials and endpoints come from here only, never from flags):
${credentialLines()}
  ${pad("IDV_<PROVIDER>_BASE_URL", 40)}another endpoint for that provider: a sandbox, your
  ${pad("", 40)}proxy, the mock (IDV_DIDIT_BASE_URL=http://127.0.0.1:8787)
${more}A provider without its credentials fails (exit 1) with a config error naming the variable.`;

const EXIT_CODES = `Exit codes: 0 done; 1 a provider, network or data error (its code and message on stderr);
2 a usage error; 130 interrupted by Ctrl-C (143 by SIGTERM): requests in flight are aborted.`;

const COMMON_OPTIONS = rows([
  ["-q, --quiet", "stderr gets errors only (no progress, notes or warnings)"],
  ["-h, --help", "this help"],
]);

export function mainHelp(version) {
  return `idv-sessions ${version}: identity-verification (KYC) sessions at ${PROVIDER_NAMES.join(", ")},
in one shape with one status.

Usage:
  idv-sessions list <provider> [options]     sessions: one page, or every page with --all
  idv-sessions get <provider> <id>           one session with its checks
  idv-sessions user --<provider> REF ...     one person's sessions at every provider, and whether
                                             they are verified now
  idv-sessions create <provider> [options]   a new session; prints its verification URL
  idv-sessions webhooks [options]            receives the providers' webhooks, verifies them,
                                             prints one JSON line per event

  idv-sessions <command> --help              everything about a command
  idv-sessions --version

Providers: ${PROVIDER_NAMES.join(", ")}.

${ENVIRONMENT(`  ${pad("NO_COLOR", 40)}set (not empty): no colours in tables\n`)}

Data goes to stdout; progress (on a terminal), warnings and errors to stderr.
${EXIT_CODES}

Examples:
  read -rs DIDIT_API_KEY && export DIDIT_API_KEY    # typed, kept out of shell history
  idv-sessions list didit --status in_review --all
  idv-sessions list mangopay --user user_m_01JTG7NDTE52MZCCF50QHJ870A --all --format csv > sessions.csv
  idv-sessions user --didit user-42 --mangopay user_m_01JTG7NDTE52MZCCF50QHJ870A
`;
}

export function commandHelp(command) {
  const text = HELP[command]();
  return `Usage: ${COMMANDS[command].usage}\n\n${text}`;
}

const HELP = {
  list: () => `Lists sessions at one provider: the first page (the provider's order: newest first at
Equals and Didit, oldest first at Mangopay), or every page with --all.

Options:
${rows([
    ["--user REF", "whose sessions (required for mangopay):"],
    ...PROVIDER_NAMES.map((p) => ["", `  ${p}: ${PROVIDERS[p].user.means}`]),
    ["--status S", "a unified status or the provider's own spelling; several comma-separated"],
    ["--from DATE", "created at or after DATE: YYYY-MM-DD or RFC 3339 (2025-05-05T12:00:00Z)"],
    ["--to DATE", "created at or before DATE; a date alone includes that whole UTC day"],
    ["--all", "every page; a progress bar on stderr when it is a terminal"],
    ["--limit N", "the page size; without --all, one page of at most N sessions"],
    ["--format F", "table, csv, json or jsonl (default: table on a terminal, else jsonl)"],
    ["--include-raw", "keep each provider object in `raw` (json and jsonl)"],
  ])}
${COMMON_OPTIONS}

Statuses: ${STATUSES}.
A filter the provider has no parameter for (statuses at Mangopay and Equals, dates at Mangopay
and Equals, exact times at Didit) is applied after fetching: a page may hold fewer sessions.

Formats: table fits the terminal (ids shortened in the middle: use json or \`get\` for full ids,
statuses coloured unless NO_COLOR is set); csv is exactly the package's toCsv (RFC 4180, CRLF,
a header row); json is one array of sessions; jsonl one session per line. Paging (the total, more
pages) is noted on stderr when it is a terminal. Rows the provider sent that are not sessions are
warned about on stderr and do not change the exit code.

Examples:
  idv-sessions list didit --status in_review --all
  idv-sessions list didit --from 2025-05-01 --to 2025-05-31 --all --format csv > may.csv
  idv-sessions list mangopay --user user_m_01JTG7NDTE52MZCCF50QHJ870A --format json
  idv-sessions list equals --limit 20 --format jsonl | jq -r .verificationUrl

${ENVIRONMENT()}

${EXIT_CODES}
`,
  get: () => `Reads one session, with its checks (Mangopay: the View; Didit: the decision). Equals has no
endpoint for one session: list them with \`idv-sessions list equals --user <associatedPersonId>\`.

Options:
${rows([
    ["--format F", "table or json (default: table on a terminal, else json)"],
    ["--include-raw", "keep the provider's object in `raw` (json)"],
  ])}
${COMMON_OPTIONS}

Examples:
  idv-sessions get didit 11111111-2222-3333-4444-555555555555
  idv-sessions get mangopay idnver_01JTG8BTG92TTRP5VSNV35ZYGM --format json | jq .checks

${ENVIRONMENT()}

${EXIT_CODES}
`,
  user: () => `Every session of one person at the providers given, newest first, and the summary: is this
person verified now (their newest session approved), the latest status of each check kind,
when they were last approved, and the history flags (approved liveness within 90 days, newest
session declined, more than 3 sessions within 30 days).

Options (at least one provider):
${rows([
    ...PROVIDER_NAMES.map((p) => [`--${p} REF`, PROVIDERS[p].user.means]),
    ["--format F", "table or json (default: table on a terminal, else json)"],
  ])}
${COMMON_OPTIONS}

json prints { sessions, summary, errors }. A provider that fails (or lacks its credentials) is
reported on stderr and in \`errors\`, the others' sessions still print, and the exit code is 1.

Example:
  idv-sessions user --mangopay user_m_01JTG7NDTE52MZCCF50QHJ870A --didit user-42 \\
    --equals 6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f

${ENVIRONMENT()}

${EXIT_CODES}
`,
  create: () => `Creates a verification session and prints it with its verificationUrl (the link to send to the
person).

Flags per provider (* required):
${rows(PROVIDER_NAMES.map((p) => {
    const create = PROVIDERS[p].create;
    if (!create) return [p, `cannot: ${PROVIDERS[p].createUnsupported} (exit 1)`];
    return [p, Object.entries(create).map(([flag, { key, required }]) => `${flag}${required ? "*" : ""} (${key})`).join(", ")];
  }), 10)}
  Mangopay and Stripe send an Idempotency-Key (yours with --idempotency-key, else one per call)
  that every retry reuses, so a retry never creates twice. Running create again with the same
  key: Mangopay refuses it (409; its keys are 16-36 letters, digits or dashes), Stripe answers
  with the first session. Didit and Onfido have no such key: a create that may have reached the
  provider is never re-sent (the error says so).

Options:
${rows([["--format F", "table or json (default: table on a terminal, else json)"]])}
${COMMON_OPTIONS}

Examples:
  idv-sessions create didit --workflow-id a0c7f3d2-5b1e-4c8a-9f6d-2e4b8a1c7d35 --user user-42
  idv-sessions create mangopay --user user_m_01JTG7NDTE52MZCCF50QHJ870A \\
    --return-url https://example.com/kyc/done --idempotency-key order-1234-kyc-attempt-1 --format json \\
    | jq -r .verificationUrl

${ENVIRONMENT()}

${EXIT_CODES}
`,
  webhooks: () => `Receives the providers' webhooks: POST (Mangopay: GET) <prefix>/<provider>, verified with the
provider's secret from the environment, answered 200 and printed on stdout as one JSON line (the
package's WebhookEvent: provider, id to deduplicate on, type, sessionId, status, verification,
needsFetch, ...). Rejected deliveries are logged on stderr: 401 a failed signature or a provider
whose secret is not set, 400 a body that is not the provider's format, 404 an unknown path,
405 a wrong method, 413 a body over 1 MiB. Prints "listening on http://HOST:PORT" on stderr
(always, also with --quiet: --port 0 picks a free port); Ctrl-C or SIGTERM stops it (exit 0).

Options:
${rows([
    ["--port N", "the port (default 8787; 0: any free port)"],
    ["--host H", "the address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)"],
    ["--path-prefix P", "the path before /<provider> (default /webhooks)"],
  ])}
${COMMON_OPTIONS}

Secrets per provider (from the environment only):
${rows(PROVIDER_NAMES.map((p) => {
    const { secretEnv, secretHelp } = PROVIDERS[p].webhook;
    return [p, `${secretEnv ? `${secretEnv}: ` : ""}${secretHelp}`];
  }), 10)}
  needsFetch: true means the event is a hint: read the session (idv-sessions get) before acting.

Example:
  read -rs DIDIT_WEBHOOK_SECRET && export DIDIT_WEBHOOK_SECRET    # typed, kept out of shell history
  idv-sessions webhooks --port 8787 | jq -c 'select(.status == "approved")'
  # then point Didit's webhook at https://<your tunnel>/webhooks/didit

${EXIT_CODES.replace("130 interrupted by Ctrl-C (143 by SIGTERM): requests in flight are aborted", "Ctrl-C and SIGTERM stop the receiver with 0")}
`,
};
