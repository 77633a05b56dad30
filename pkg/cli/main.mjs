// `idv-sessions`: the commands. Built on the package's own exports, imported through its Node
// entry (../index.mjs re-exports index.cjs: one wasm instance whoever imports the package).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { IdvClient, IdvError, isIdvError, mapStatus, parseWebhook, summarize, toCsv } from "../index.mjs";
import { COMMANDS, commandHelp, mainHelp } from "./help.mjs";
import { Output, ProgressBar, renderTable, shortTime, visible } from "./output.mjs";
import { PROVIDERS, PROVIDER_NAMES, providerSettings, secretValues } from "./providers.mjs";
import { normalizePrefix, startReceiver } from "./webhooks.mjs";

const VERSION = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;

class UsageError extends Error {
  constructor(command, message) {
    super(message);
    this.command = command;
  }
}

/** An error of the command line itself, in the package's type (a `config` error, `unsupported`). */
const cliError = (code, provider, message) => new IdvError(`${provider}: ${message}`, { code, provider });

const describe = (e) => {
  if (isIdvError(e)) {
    const wait = Number.isFinite(e.retryAfterMs) ? ` (the provider asks to wait ${Math.ceil(e.retryAfterMs / 1000)} s)` : "";
    return `${e.code}: ${e.message}${wait}`;
  }
  return `internal: ${e?.message ?? String(e)}`;
};

const errorJson = (e) => (isIdvError(e)
  ? Object.fromEntries(Object.entries({
    provider: e.provider, code: e.code, message: e.message, httpStatus: e.httpStatus,
    retryable: e.retryable, retryAfterMs: e.retryAfterMs,
  }).filter(([, v]) => v !== undefined))
  : { code: "internal", message: String(e?.message ?? e) });

/**
 * Runs the command line; `process.exitCode` is set when it returns (signals and a closed
 * stdout exit at once instead).
 */
export async function main(argv, { env = process.env, stdout = process.stdout, stderr = process.stderr } = {}) {
  const controller = new AbortController();
  let out = new Output({ stdout, stderr, env, secrets: secretValues(env), quiet: false });
  const state = { progress: null, server: null }; // the bar being drawn, the webhook receiver

  // Ctrl-C / SIGTERM: abort every request in flight, write nothing more to stdout, exit now.
  // (The receiver exits 0 on both: stopping it is how it ends.)
  const interrupt = (code) => () => {
    out.stopped = true;
    state.progress?.stop();
    controller.abort();
    if (state.server) {
      state.server.close();
      state.server.closeAllConnections?.();
      process.exit(0);
    }
    process.exit(code);
  };
  process.on("SIGINT", interrupt(130));
  process.on("SIGTERM", interrupt(143));
  // `| head`: the reader went away. End quietly, as a pipeline expects.
  stdout.on("error", (e) => {
    out.stopped = true;
    controller.abort();
    if (e?.code === "EPIPE") process.exit(0);
    out.error(`cannot write to stdout: ${e?.code ?? e?.message ?? e}`);
    process.exit(1);
  });
  stderr.on("error", () => {});

  const [command, ...rest] = argv;
  try {
    if (command === undefined) throw new UsageError(null, "no command given");
    if (command === "--version" || command === "-V" || command === "version") {
      await out.data(`${VERSION}\n`);
      return finish(0);
    }
    if (command === "--help" || command === "-h" || command === "help") {
      const topic = rest[0];
      await out.data(Object.hasOwn(COMMANDS, topic ?? "") ? commandHelp(topic) : mainHelp(VERSION));
      return finish(0);
    }
    if (!Object.hasOwn(COMMANDS, command)) {
      throw new UsageError(null, command.startsWith("-") ? `unknown option ${command}` : `unknown command "${command}"`);
    }
    const args = parseCommand(command, rest);
    if (args === "help") {
      await out.data(commandHelp(command));
      return finish(0);
    }
    out = new Output({ stdout, stderr, env, secrets: secretValues(env), quiet: args.values.quiet });
    const ctx = { out, env, signal: controller.signal, state };
    const code = await COMMAND_RUNNERS[command](ctx, args.values, args.positionals);
    return finish(code ?? 0);
  } catch (e) {
    if (e instanceof UsageError) {
      const name = e.command ? `idv-sessions ${e.command}` : "idv-sessions";
      const usage = e.command ? `Usage: ${COMMANDS[e.command].usage}`
        : `Usage: idv-sessions <${Object.keys(COMMANDS).join("|")}> ... (or --help, --version)`;
      out.line(`${name}: ${e.message}\n\n${usage}\n\nMore: ${name} --help`);
      return finish(2);
    }
    state.progress?.stop();
    out.error(describe(e));
    return finish(1);
  }

  function finish(code) {
    process.exitCode = code;
    // The client clears its timers and requests; should anything still hold the process once
    // stdout has drained, do not hang a script.
    setTimeout(() => process.exit(code), 3000).unref();
    return code;
  }
}

/** `--help` anywhere (before `--`), else node:util parseArgs, strict, with usage errors. */
function parseCommand(command, args) {
  const end = args.indexOf("--");
  if ((end === -1 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h")) return "help";
  const spec = COMMANDS[command];
  let parsed;
  try {
    parsed = parseArgs({ args, options: spec.options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(command, friendlyParseError(e));
  }
  const { values, positionals } = parsed;
  if (positionals.length < spec.positionals.length) {
    throw new UsageError(command, `missing <${spec.positionals[positionals.length]}>`);
  }
  if (positionals.length > spec.positionals.length) {
    throw new UsageError(command, `unexpected argument "${positionals[spec.positionals.length]}"`);
  }
  if (spec.positionals[0] === "provider" && !Object.hasOwn(PROVIDERS, positionals[0])) {
    throw new UsageError(command, `unknown provider "${positionals[0]}" (one of: ${PROVIDER_NAMES.join(", ")})`);
  }
  if (values.format !== undefined && !spec.formats.includes(values.format)) {
    throw new UsageError(command, `--format must be ${spec.formats.join(" or ")}, not "${values.format}"`);
  }
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === "string" && value.trim() === "") throw new UsageError(command, `--${name} is empty`);
  }
  return { values, positionals };
}

function friendlyParseError(e) {
  const option = /'(-[^' ]+)/.exec(e.message)?.[1];
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${option ?? e.message}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (/argument missing/.test(e.message)) return `${option} needs a value`;
      if (/does not take an argument/.test(e.message)) return `${option} takes no value`;
      return e.message;
    default:
      return e.message;
  }
}

/** The package's own error for a provider it does not know (null when it knows it). */
function packageSupport(provider) {
  try {
    mapStatus(provider, "");
    return null;
  } catch (e) {
    return e;
  }
}

/** A client for `providers`, credentials from the environment; throws a `config` error naming what is missing. */
function clientFor(ctx, providers, watch = requestWatch(ctx.out)) {
  const config = { fetch: watch.fetch };
  for (const provider of providers) {
    const unsupported = packageSupport(provider);
    if (unsupported) throw unsupported;
    const { settings, missing } = providerSettings(provider, ctx.env);
    if (missing) {
      throw cliError("config", provider,
        `${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not set (credentials come from the environment only)`);
    }
    config[provider] = settings;
  }
  return new IdvClient(config);
}

/**
 * Watches the client's requests (its `fetch`): to tell a person at the terminal why a listing
 * waits (a 429 and its Retry-After, a back-off after an error, or the client holding requests
 * back to stay within the provider's rate limit: nothing in flight for a while), and to add an
 * OAuth access token (Mangopay's) to the values kept out of every output.
 */
function requestWatch(out, onChange = () => {}) {
  const state = { inFlight: 0, idleSince: performance.now(), last: null };
  const fetchImpl = async (input, init) => {
    state.inFlight += 1;
    try {
      const response = await globalThis.fetch(input, init);
      if (response.ok && /\/oauth\/token(?:[?#]|$)/.test(String(input?.url ?? input))) {
        try {
          out.addSecret(JSON.parse(await response.clone().text())?.access_token);
        } catch {
          // not JSON: the client reports it
        }
      }
      const retryAfter = Number.parseFloat(response.headers.get("retry-after") ?? "");
      state.last = { status: response.status, at: performance.now(), retryAfterMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined };
      return response;
    } catch (e) {
      state.last = { status: 0, at: performance.now() };
      throw e;
    } finally {
      state.inFlight -= 1;
      if (state.inFlight === 0) state.idleSince = performance.now();
      onChange();
    }
  };
  const note = () => {
    if (state.inFlight > 0 || !state.last) return "";
    const now = performance.now();
    const { status, at, retryAfterMs } = state.last;
    if (status === 429) {
      const left = retryAfterMs === undefined ? undefined : Math.max(0, Math.ceil((at + retryAfterMs - now) / 1000));
      return left === undefined ? "rate limited: waiting" : `rate limited: waiting ${left}s (Retry-After)`;
    }
    if (status === 0) return "retrying after a network error";
    if (status >= 500) return `retrying after HTTP ${status}`;
    return now - state.idleSince > 500 ? "waiting for the rate limit" : "";
  };
  return { fetch: fetchImpl, note };
}

// ---- dates ------------------------------------------------------------------------------

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** `YYYY-MM-DD` or RFC 3339 to Unix ms; a date alone is its first (or, `end`, its last) ms, UTC. */
function parseDate(command, flag, text, end) {
  const bad = () => new UsageError(command, `${flag} "${text}" is not a date: use YYYY-MM-DD or RFC 3339 (2025-05-05T12:00:00Z)`);
  const m = DATE_ONLY.exec(text) ?? DATE_TIME.exec(text);
  if (!m) throw bad();
  const [y, mo, d] = [m[1], m[2], m[3]].map(Number);
  const [h, mi, s] = m[4] === undefined ? [0, 0, 0] : [m[4], m[5], m[6]].map(Number);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) throw bad();
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) throw bad();
  let ms = date.getTime() + ((h * 60 + mi) * 60 + Math.min(s, 59)) * 1000;
  if (m[4] === undefined) return end ? ms + 86_400_000 - 1 : ms;
  ms += m[7] ? Number(m[7].slice(1, 4).padEnd(3, "0")) : 0; // milliseconds, finer digits dropped
  const zone = m[8];
  if (zone !== "Z" && zone !== "z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const [zh, zm] = zone.slice(1).split(":").map(Number);
    if (zh > 23 || zm > 59) throw bad();
    ms -= sign * (zh * 60 + zm) * 60_000;
  }
  return ms;
}

function dateRange(command, from, to) {
  if (from === undefined && to === undefined) return null;
  const range = {
    from: from === undefined ? undefined : parseDate(command, "--from", from, false),
    to: to === undefined ? undefined : parseDate(command, "--to", to, true),
  };
  if (range.from !== undefined && range.to !== undefined && range.from > range.to) {
    throw new UsageError(command, `--from ${from} is after --to ${to}`);
  }
  return range;
}

const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);
const inRange = ({ from, to }) => (s) => {
  const t = Date.parse(s.createdAt);
  return (from === undefined || t >= from) && (to === undefined || t <= to);
};

// ---- printing ---------------------------------------------------------------------------

function sessionColumns(withProvider) {
  return [
    ...(withProvider ? [{ title: "PROVIDER", value: (s) => s.provider, drop: 0 }] : []),
    { title: "ID", value: (s) => s.id, shrink: "middle", min: 12, drop: 0 },
    { title: "STATUS", value: (s) => s.status, drop: 0, status: true },
    { title: "PROVIDER STATUS", value: (s) => [s.providerStatus, s.providerResult].filter(Boolean).join(" / "), shrink: "end", min: 10, drop: 3 },
    { title: "USER", value: (s) => s.userRef ?? "", shrink: "middle", min: 10, drop: 2, optional: true },
    { title: "CREATED", value: (s) => shortTime(s.createdAt), drop: 1 },
    { title: "UPDATED", value: (s) => shortTime(s.updatedAt), drop: 4, optional: true },
  ];
}

function sessionsTable(out, sessions, withProvider) {
  return renderTable(sessionColumns(withProvider), sessions, {
    width: out.width(),
    paint: (column, row, text) => (column.status ? out.status(text) : text),
  });
}

function sessionView(out, s) {
  const person = s.person
    ? [s.person.fullName ?? [s.person.firstName, s.person.lastName].filter(Boolean).join(" "), s.person.country, s.person.documentType]
      .filter(Boolean).join(", ")
    : "";
  const extra = s.extra
    ? Object.entries(s.extra).map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : v}`).join(", ")
    : "";
  // A provider's text, control characters shown as symbols (only the status colour is ours).
  const fields = [
    ["provider", s.provider],
    ["id", visible(s.id)],
    ["key", visible(s.key)],
    ["status", `${out.status(s.status)} (${visible([s.providerStatus || '""', s.providerResult].filter(Boolean).join(" / "))})${s.isTerminal ? "" : ", not final"}`],
    ["user", s.userRef && visible(s.userRef)],
    ["verification url", s.verificationUrl && visible(s.verificationUrl)],
    ["return url", s.returnUrl && visible(s.returnUrl)],
    ["created", s.createdAt],
    ["updated", s.updatedAt],
    ["person", visible(person)],
    ["extra", visible(extra)],
  ].filter(([, v]) => v);
  let text = fields.map(([k, v]) => `${k.padEnd(17)}${v}`).join("\n");
  text += `\nchecks           ${s.checks.length ? "" : "none"}\n`;
  if (s.checks.length) {
    const columns = [
      { title: "  KIND", value: (c) => `  ${c.kind}`, drop: 0 },
      { title: "STATUS", value: (c) => c.status, drop: 0, status: true },
      { title: "PROVIDER TYPE", value: (c) => c.providerType, shrink: "end", min: 10, drop: 2 },
      { title: "PROVIDER STATUS", value: (c) => c.providerStatus, shrink: "end", min: 8, drop: 3 },
      { title: "REASONS", value: (c) => c.reasons.map((r) => (r.detail ? `${r.code}: ${r.detail}` : r.code)).join("; "), shrink: "end", min: 10, drop: 1 },
    ];
    text += renderTable(columns, s.checks, {
      width: out.width(),
      paint: (column, row, cell) => (column.status ? out.status(cell) : cell),
    });
  }
  return text;
}

async function printSession(ctx, session, format) {
  const { out } = ctx;
  const chosen = format ?? (out.stdoutTTY ? "table" : "json");
  await out.data(chosen === "json" ? `${JSON.stringify(session, null, 2)}\n` : sessionView(out, session));
}

async function printSessions(out, sessions, format, withProvider) {
  switch (format) {
    case "csv":
      return out.data(toCsv(sessions));
    case "table":
      return out.data(sessionsTable(out, sessions, withProvider));
    case "json":
    case "jsonl": {
      // One session per line (inside one array for json), written in chunks.
      let chunk = format === "json" ? "[" : "";
      for (let i = 0; i < sessions.length; i += 1) {
        chunk += format === "json" ? `${i ? "," : ""}\n${JSON.stringify(sessions[i])}` : `${JSON.stringify(sessions[i])}\n`;
        if (chunk.length > 65_536) {
          await out.data(chunk);
          chunk = "";
        }
      }
      if (format === "json") chunk += sessions.length ? "\n]\n" : "]\n";
      return out.data(chunk);
    }
    default:
      throw new Error(`format ${format}`);
  }
}

/** Rows the provider sent that are not sessions: a warning each (the first 10), never an error. */
function warnBadRows(out, label, badRows, badRowCount) {
  if (!badRowCount) return;
  out.warn(`${label}: ${badRowCount === 1 ? "1 row is not a session" : `${badRowCount} rows are not sessions`} (left out):`);
  const shown = (badRows ?? []).slice(0, 10);
  for (const r of shown) {
    const where = [r.page !== undefined ? `page ${r.page}` : "", `row ${r.index}`, r.id ? `id ${r.id}` : ""].filter(Boolean).join(", ");
    out.warn(`  ${r.provider ?? label} ${where}: ${r.reason}`);
  }
  if (badRowCount > shown.length) out.warn(`  ... and ${badRowCount - shown.length} more`);
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

// ---- commands ---------------------------------------------------------------------------

const COMMAND_RUNNERS = {
  async list(ctx, opts, [provider]) {
    const { out } = ctx;
    const row = PROVIDERS[provider];
    const query = {};
    if (opts.user !== undefined) query[row.user.key] = opts.user;
    else if (row.user.required) {
      throw new UsageError("list", `${provider} lists sessions per user: --user <${row.user.means}> is required`);
    }
    if (opts.status !== undefined) query.status = opts.status;
    if (opts.limit !== undefined) {
      if (!/^\d+$/.test(opts.limit) || Number(opts.limit) < 1) {
        throw new UsageError("list", `--limit must be a whole number of at least 1, not "${opts.limit}"`);
      }
      if (!row.limit) throw new UsageError("list", `--limit: ${provider} has no page size`);
      if (Number(opts.limit) > row.maxLimit) {
        throw new UsageError("list", `--limit: ${row.name} pages hold at most ${row.maxLimit} sessions, not ${opts.limit}`);
      }
      query[row.limit] = Number(opts.limit);
    }
    const range = dateRange("list", opts.from, opts.to);
    if (range && row.dates === "date") {
      if (range.from !== undefined) query.dateFrom = isoDay(range.from);
      if (range.to !== undefined) query.dateTo = isoDay(range.to);
    } else if (range && row.dates === "instant") {
      if (range.from !== undefined) query.dateFrom = new Date(range.from).toISOString();
      if (range.to !== undefined) query.dateTo = new Date(range.to).toISOString();
    }
    const format = opts.format ?? (out.stdoutTTY ? "table" : "jsonl");
    const options = { signal: ctx.signal, ...(opts["include-raw"] ? { includeRaw: true } : {}) };

    let bar = null;
    const watch = requestWatch(out, () => bar?.draw());
    const client = clientFor(ctx, [provider], watch);
    let sessions;
    let badRows;
    let badRowCount;
    let note;
    const started = performance.now();
    if (opts.all) {
      bar = new ProgressBar(out, provider, { note: watch.note });
      ctx.state.progress = bar;
      bar.start();
      let last = null;
      try {
        sessions = await client.listAll(provider, query, {
          ...options,
          onProgress: (p) => {
            last = p;
            bar.update(p);
          },
        });
      } finally {
        bar.stop();
        ctx.state.progress = null;
      }
      ({ badRows, badRowCount } = sessions);
      const pages = last ? `, ${plural(last.pagesDone, "page")}` : "";
      note = `${pages} in ${((performance.now() - started) / 1000).toFixed(1)}s`;
    } else {
      const page = await client.listSessions(provider, query, options);
      ({ sessions, badRows, badRowCount } = page);
      const total = Number.isFinite(page.total) ? ` of ${page.total}` : "";
      note = `${total} (one page${page.next ? "; more follow: add --all for every page" : ", the last"})`;
    }
    warnBadRows(out, provider, badRows, badRowCount);
    if (range) sessions = sessions.filter(inRange(range));
    await printSessions(out, sessions, format, false);
    // The paging note after the data: at a terminal, it ends up under the table.
    out.info(`${provider}: ${plural(sessions.length, "session")}${note}`);
    return 0;
  },

  async get(ctx, opts, [provider, id]) {
    const row = PROVIDERS[provider];
    const unsupported = packageSupport(provider);
    if (unsupported) throw unsupported;
    if (row.get) throw cliError("unsupported", provider, row.get);
    const client = clientFor(ctx, [provider]);
    const session = await client.getSession(provider, id, {
      signal: ctx.signal, ...(opts["include-raw"] ? { includeRaw: true } : {}),
    });
    await printSession(ctx, session, opts.format);
    return 0;
  },

  async create(ctx, opts, [provider]) {
    const row = PROVIDERS[provider];
    const unsupported = packageSupport(provider);
    if (unsupported) throw unsupported;
    if (!row.create) throw cliError("unsupported", provider, row.createUnsupported);
    const given = Object.keys(opts).filter((k) => !["help", "quiet", "format"].includes(k)).map((k) => `--${k}`);
    const takes = Object.keys(row.create);
    const foreign = given.filter((flag) => !takes.includes(flag));
    if (foreign.length) {
      throw new UsageError("create", `${foreign.join(", ")} ${foreign.length > 1 ? "are" : "is"} not used by ${provider} (it takes ${takes.join(", ")})`);
    }
    const missing = Object.entries(row.create).filter(([flag, f]) => f.required && opts[flag.slice(2)] === undefined).map(([flag]) => flag);
    if (missing.length) throw new UsageError("create", `${provider} needs ${missing.join(" and ")}`);
    const input = Object.fromEntries(Object.entries(row.create)
      .filter(([flag]) => opts[flag.slice(2)] !== undefined)
      .map(([flag, { key }]) => [key, opts[flag.slice(2)]]));
    const client = clientFor(ctx, [provider]);
    const session = await client.createSession(provider, input, { signal: ctx.signal });
    await printSession(ctx, session, opts.format);
    if (session.verificationUrl) ctx.out.info(`send the person to: ${visible(session.verificationUrl)}`);
    return 0;
  },

  async user(ctx, opts) {
    const { out } = ctx;
    const asked = PROVIDER_NAMES.filter((p) => opts[p] !== undefined);
    if (!asked.length) {
      throw new UsageError("user", `give at least one of ${PROVIDER_NAMES.map((p) => `--${p} REF`).join(", ")}`);
    }
    const errors = [];
    const refs = {};
    const config = {};
    for (const provider of asked) {
      const unsupported = packageSupport(provider);
      if (unsupported) {
        errors.push(unsupported);
        continue;
      }
      const { settings, missing } = providerSettings(provider, ctx.env);
      if (missing) {
        errors.push(cliError("config", provider,
          `${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not set (credentials come from the environment only)`));
        continue;
      }
      config[provider] = settings;
      refs[PROVIDERS[provider].userRefs] = opts[provider];
    }
    let sessions = [];
    if (Object.keys(config).length) {
      const result = await new IdvClient({ ...config, fetch: requestWatch(out).fetch }).listUserSessions(refs, { signal: ctx.signal });
      sessions = result.sessions;
      errors.push(...result.errors);
      warnBadRows(out, Object.keys(config).join(", "), result.badRows, result.badRowCount);
    }
    const summary = summarize(sessions);
    for (const e of errors) out.error(describe(e));
    const format = opts.format ?? (out.stdoutTTY ? "table" : "json");
    if (format === "json") {
      await out.data(`${JSON.stringify({ sessions, summary, errors: errors.map(errorJson) }, null, 2)}\n`);
    } else {
      await out.data(`${sessionsTable(out, sessions, true)}\n${summaryView(out, summary, asked, errors)}`);
    }
    return errors.length ? 1 : 0;
  },

  async webhooks(ctx, opts) {
    const { out } = ctx;
    const portText = opts.port ?? "8787";
    if (!/^\d+$/.test(portText) || Number(portText) > 65535) {
      throw new UsageError("webhooks", `--port must be a number from 0 to 65535, not "${portText}"`);
    }
    const prefix = normalizePrefix(opts["path-prefix"] ?? "/webhooks");
    if (/[?#\s]/.test(prefix)) throw new UsageError("webhooks", `--path-prefix "${opts["path-prefix"]}" is not a path`);
    const host = opts.host ?? "127.0.0.1";
    try {
      ctx.state.server = await startReceiver({
        out, env: ctx.env, host, port: Number(portText), prefix, parseWebhook, isIdvError,
      });
    } catch (e) {
      out.error(`cannot listen on ${host}:${portText}: ${e?.code ?? e?.message ?? e}`);
      return 1;
    }
    // Serves until SIGINT or SIGTERM (exit 0).
    await new Promise(() => {});
    return 0;
  },
};

function summaryView(out, summary, asked, errors) {
  const yes = (b) => (b ? "yes" : "no");
  const lines = [];
  const failed = new Set(errors.map((e) => e.provider));
  const scope = asked.map((p) => (failed.has(p) ? `${p} (failed)` : p)).join(", ");
  lines.push(`verified now     ${summary.verified ? out.status("approved", "yes") : "no"}` +
    `${summary.currentStatus ? ` (newest session ${visible(summary.currentSessionKey)}: ${out.status(summary.currentStatus)})` : " (no sessions)"}`);
  if (summary.lastApprovedAt) lines.push(`last approved    ${summary.lastApprovedAt}`);
  const byProvider = Object.entries(summary.byProvider).filter(([, n]) => n).map(([p, n]) => `${p} ${n}`).join(", ");
  lines.push(`sessions         ${summary.sessionCount}${byProvider ? ` (${byProvider})` : ""}; looked at ${scope}`);
  const counts = Object.entries(summary.counts).filter(([, n]) => n).map(([s, n]) => `${out.status(s)} ${n}`).join(", ");
  if (counts) lines.push(`statuses         ${counts}`);
  const checks = Object.entries(summary.checks).map(([kind, c]) => `${kind} ${out.status(c.status)}`).join(", ");
  if (checks) lines.push(`latest checks    ${checks}`);
  lines.push(`flags            approved liveness within 90 days: ${yes(summary.flags.approvedLivenessWithinDays)}; ` +
    `newest declined: ${yes(summary.flags.newestDeclined)}; session spike: ${yes(summary.flags.sessionSpike)} ` +
    `(${summary.sessionsInWindow} in 30 days)`);
  return `${lines.join("\n")}\n`;
}
