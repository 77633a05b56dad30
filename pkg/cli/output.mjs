// Where output goes: data to stdout, the rest to stderr (a progress bar and notes only on a
// terminal, warnings unless --quiet, errors always), every line redacted of the secrets in the
// environment; tables that fit the terminal; statuses coloured on a terminal unless NO_COLOR.

const ESC = "\u001b[";
const STATUS_COLOURS = {
  approved: "32", // green
  declined: "31", // red
  error: "31",
  in_review: "33", // yellow
  resubmission_requested: "33",
  in_progress: "36", // cyan
  not_started: "36",
  expired: "90", // grey
  abandoned: "90",
  canceled: "90",
  outdated: "90",
  unknown: "35", // magenta
};

/**
 * `text` safe for a terminal: a control character from a provider's data (an escape sequence
 * that clears the screen or retitles the window, a line break that splits a row) is shown as
 * its control picture (ESC as ␛, LF as ␊), DEL as ␡, and C1 controls as U+FFFD. For tables
 * and messages; CSV and JSON output carry the data as it is.
 */
export function visible(text) {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    return code === 0x7f ? "\u2421" : "\ufffd";
  });
}

/** Secrets shorter than this are not searched for (a 1-3 character value would shred the output). */
const MIN_SECRET_LENGTH = 4;

export class Output {
  constructor({ stdout, stderr, env, secrets, quiet }) {
    this.stdout = stdout;
    this.stderr = stderr;
    this.quiet = Boolean(quiet);
    this.secrets = secrets.filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
    this.stopped = false; // after a signal or a closed stdout: nothing more is written
    this.stderrTTY = Boolean(stderr.isTTY);
    this.stdoutTTY = Boolean(stdout.isTTY);
    this.colour = this.stdoutTTY && !(typeof env.NO_COLOR === "string" && env.NO_COLOR !== "") && env.TERM !== "dumb";
    this.stderrColour = this.stderrTTY && !(typeof env.NO_COLOR === "string" && env.NO_COLOR !== "") && env.TERM !== "dumb";
    this.env = env;
    this.progressLine = null; // the progress bar's line, redrawn after a message
  }

  /** Keeps one more value (a token the client was given) out of every output. */
  addSecret(value) {
    if (typeof value !== "string" || value.length < MIN_SECRET_LENGTH || this.secrets.includes(value)) return;
    this.secrets = [...this.secrets, value].sort((a, b) => b.length - a.length);
  }

  redact(text) {
    let out = text;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join("[redacted]");
    }
    return out;
  }

  /** Writes data to stdout; resolves when it may write more (backpressure). */
  data(text) {
    if (this.stopped || text === "") return Promise.resolve();
    const ok = this.stdout.write(this.redact(text));
    if (ok) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.stdout.off("drain", done);
        this.stdout.off("close", done);
        resolve();
      };
      this.stdout.on("drain", done);
      this.stdout.on("close", done);
    });
  }

  /** Width of the terminal on stdout: its columns, else COLUMNS, else unbounded. */
  width() {
    if (this.stdoutTTY && this.stdout.columns > 0) return this.stdout.columns;
    const columns = Number.parseInt(this.env.COLUMNS ?? "", 10);
    return columns > 0 ? columns : Infinity;
  }

  stderrWrite(text) {
    try {
      this.stderr.write(this.redact(text));
    } catch {
      // stderr closed: nothing to tell anyone
    }
  }

  /** A line on stderr; the progress bar (if any) is cleared first and redrawn after. */
  line(text) {
    if (this.progressLine !== null) this.stderrWrite(`\r${ESC}K`);
    this.stderrWrite(`${text}\n`);
    if (this.progressLine !== null) this.stderrWrite(this.progressLine);
  }

  error(text) {
    const shown = visible(text);
    this.line(this.stderrColour ? `${ESC}31merror${ESC}0m: ${shown}` : `error: ${shown}`);
  }

  warn(text) {
    const shown = visible(text);
    if (!this.quiet) this.line(this.stderrColour ? `${ESC}33mwarning${ESC}0m: ${shown}` : `warning: ${shown}`);
  }

  /** A note for a person at a terminal (paging, totals); never when stderr is not a terminal. */
  info(text) {
    if (!this.quiet && this.stderrTTY) this.line(text);
  }

  /** `text` (by default the status itself) in the status's colour, on a colour terminal. */
  status(status, text = status) {
    const code = STATUS_COLOURS[status];
    return this.colour && code ? `${ESC}${code}m${text}${ESC}0m` : text;
  }
}

/** Characters as a terminal counts them (code points; tables hold ids, statuses and dates). */
const len = (s) => [...s].length;

/** `text` in at most `width` characters: the middle (ids) or the end replaced by "…". */
export function shorten(text, width, where = "middle") {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return "…".slice(0, width);
  if (where === "end") return `${chars.slice(0, width - 1).join("")}…`;
  const head = Math.ceil((width - 1) / 2);
  const tail = width - 1 - head;
  return `${chars.slice(0, head).join("")}…${tail ? chars.slice(-tail).join("") : ""}`;
}

/**
 * A table that fits `width`: columns shrink (`shrink`: "middle" or "end") down to `min`, then
 * the columns with the highest `drop` go (0: never) until the rest fits; room left over goes
 * back to the shrunk columns; an `optional` column with no value in any row is left out.
 * `paint(column, row, text)` colours a cell after padding.
 */
export function renderTable(columns, rows, { width = Infinity, paint } = {}) {
  const GAP = 2;
  const cells = rows.map((row) => columns.map((c) => visible(String(c.value(row) ?? ""))));
  const natural = columns.map((c, i) => Math.max(len(c.title), ...cells.map((r) => len(r[i]))));
  const minimum = (i) => (columns[i].shrink ? Math.min(natural[i], Math.max(columns[i].min ?? 8, len(columns[i].title))) : natural[i]);
  // A column marked `optional` whose every cell is empty is left out.
  let shown = columns.map((_, i) => i).filter((i) => !columns[i].optional || cells.some((r) => r[i] !== ""));
  const total = (widths) => shown.reduce((sum, i) => sum + widths[i], 0) + GAP * (shown.length - 1);
  const mins = columns.map((_, i) => minimum(i));
  while (total(mins) > width) {
    const droppable = shown.filter((i) => columns[i].drop > 0);
    if (!droppable.length) break;
    const victim = droppable.reduce((a, b) => (columns[b].drop > columns[a].drop ? b : a));
    shown = shown.filter((i) => i !== victim);
  }
  const widths = [...natural];
  if (total(widths) > width) {
    // Start every shrinkable column at its minimum, then give the room back, widest need first.
    for (const i of shown) widths[i] = mins[i];
    let room = width - total(widths);
    const growable = shown.filter((i) => columns[i].shrink);
    while (room > 0) {
      const open = growable.filter((i) => widths[i] < natural[i]);
      if (!open.length) break;
      for (const i of open) {
        if (room <= 0) break;
        widths[i] += 1;
        room -= 1;
      }
    }
  }
  const line = (texts, isHeader, row) => shown.map((i, k) => {
    const text = shorten(texts[i], widths[i], columns[i].shrink || "end");
    const padded = k === shown.length - 1 ? text : text + " ".repeat(widths[i] - len(text) + GAP);
    if (isHeader || !paint) return padded;
    const painted = paint(columns[i], row, text);
    return painted === text ? padded : painted + padded.slice(text.length);
  }).join("").trimEnd();
  const out = [line(columns.map((c) => c.title), true)];
  rows.forEach((row, r) => out.push(line(cells[r], false, row)));
  return `${out.join("\n")}\n`;
}

/** RFC 3339 to the second, for tables: `2025-05-05 12:45:21Z`. */
export function shortTime(value) {
  if (!value) return "";
  const m = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.\d+)?(.*)$/.exec(value);
  return m ? `${m[1]} ${m[2]}${m[3]}` : value;
}

/**
 * The progress bar of a listing on stderr (only on a terminal, without --quiet): pages done of
 * the total when known, sessions, elapsed time, and a note while the client waits (a 429's
 * Retry-After, its own rate budget, a back-off after an error). Redrawn on each progress report,
 * on each note and every 200 ms for the clock.
 */
export class ProgressBar {
  constructor(out, provider, { note = () => "", now = () => performance.now() } = {}) {
    this.out = out;
    this.provider = provider;
    this.now = now;
    this.noteOf = note;
    this.enabled = out.stderrTTY && !out.quiet;
    this.started = now();
    this.pagesDone = 0;
    this.pagesTotal = undefined;
    this.sessions = 0;
    this.timer = null;
  }

  start() {
    if (!this.enabled) return;
    this.draw();
    this.timer = setInterval(() => this.draw(), 200);
    this.timer.unref?.();
  }

  update({ pagesDone, pagesTotal, sessions }) {
    if (Number.isFinite(pagesDone)) this.pagesDone = pagesDone;
    if (Number.isFinite(pagesTotal)) this.pagesTotal = pagesTotal;
    if (Number.isFinite(sessions)) this.sessions = sessions;
    this.draw();
  }

  elapsed() {
    return `${((this.now() - this.started) / 1000).toFixed(1)}s`;
  }

  draw() {
    if (!this.enabled || this.out.stopped) return;
    const columns = this.out.stderr.columns > 0 ? this.out.stderr.columns : 80;
    const known = Number.isFinite(this.pagesTotal) && this.pagesTotal > 0;
    const pages = known ? `${this.pagesDone}/${this.pagesTotal} pages` : `${this.pagesDone} page${this.pagesDone === 1 ? "" : "s"}`;
    const note = this.noteOf();
    const tail = ` ${pages} · ${this.sessions} sessions · ${this.elapsed()}${note ? ` · ${note}` : ""}`;
    const label = `${this.provider} `;
    let bar = "";
    if (known) {
      const size = Math.max(0, Math.min(30, columns - 1 - len(label) - len(tail) - 2));
      if (size >= 5) {
        const filled = Math.round((Math.min(this.pagesDone, this.pagesTotal) / this.pagesTotal) * size);
        bar = `[${"█".repeat(filled)}${"░".repeat(size - filled)}]`;
      }
    }
    const text = shorten(`${label}${bar}${tail}`, columns - 1, "end");
    this.out.progressLine = `\r${text}${ESC}K`;
    this.out.stderrWrite(this.out.progressLine);
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.enabled && this.out.progressLine !== null) {
      this.out.progressLine = null;
      this.out.stderrWrite(`\r${ESC}K`);
    }
  }
}
