// Scripted faults (`POST /__mock/script`): queues of one-shot faults per provider and endpoint,
// consumed in order by the next matching requests, before (and instead of) the random roll.

/** Kinds of the random fault roll (`--faults`), in the order of the cumulative rates. */
export const FAULT_KINDS = ['429', '500', '502', '503', 'reset', 'slow', 'truncate', 'html'];

/** Kinds only a script can ask for. `commit-then-*` and `reset-after-store` need the create endpoint. */
export const SCRIPT_ONLY_KINDS = ['ok', 'hold', 'commit-then-reset', 'commit-then-hold', 'commit-then-500', 'reset-after-store', 'forbidden'];
export const SCRIPT_KINDS = [...FAULT_KINDS, ...SCRIPT_ONLY_KINDS];
/** The handler runs for real, then the answer is lost. `reset-after-store` is `commit-then-reset`
 * under the name of what idempotent-retry tests rely on: the create exists and its answer is
 * stored under its Idempotency-Key (Mangopay `/responses/{key}`, a Stripe replay). */
export const COMMIT_KINDS = ['commit-then-reset', 'commit-then-hold', 'commit-then-500', 'reset-after-store'];

/** Endpoints a script can target, per provider (`any` = every request of the provider except
 * Mangopay's token endpoint). Equals has only its list endpoint. */
export const SCRIPT_ENDPOINTS = Object.freeze({
  mangopay: ['token', 'list', 'get', 'create', 'events', 'responses', 'any'],
  equals: ['list', 'any'],
  didit: ['list', 'get', 'create', 'any'],
  onfido: ['list', 'get', 'create', 'applicants', 'checks', 'reports', 'any'],
  stripe: ['list', 'get', 'create', 'update', 'cancel', 'redact', 'report', 'any'],
});

export const DEFAULT_HOLD_MS = 60_000;

function nonNegative(name, value) {
  const n = Number(value);
  if (typeof value === 'boolean' || value === null || !(n >= 0) || !Number.isFinite(n)) {
    throw new Error(`${name} must be a number >= 0, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Validate one entry: `"500"`, `429`, `{kind: "429", retryAfter: 5}`, `{kind: "hold", holdMs: 100}`. */
function normalizeEntry(entry, endpoint) {
  const obj = entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? entry : { kind: entry };
  for (const key of Object.keys(obj)) {
    if (!['kind', 'retryAfter', 'holdMs'].includes(key)) throw new Error(`unknown key "${key}" in a script entry`);
  }
  const kind = typeof obj.kind === 'number' ? String(obj.kind) : obj.kind;
  if (!SCRIPT_KINDS.includes(kind)) throw new Error(`unknown scripted fault ${JSON.stringify(obj.kind)} (known: ${SCRIPT_KINDS.join(', ')})`);
  if (COMMIT_KINDS.includes(kind) && endpoint !== 'create') throw new Error(`${kind} needs endpoint "create"`);
  const out = { kind };
  if (obj.retryAfter !== undefined) {
    if (kind !== '429') throw new Error('retryAfter only goes with kind 429');
    out.retryAfter = nonNegative('retryAfter', obj.retryAfter);
  }
  if (obj.holdMs !== undefined) {
    if (kind !== 'hold' && kind !== 'commit-then-hold') throw new Error('holdMs only goes with hold and commit-then-hold');
    out.holdMs = nonNegative('holdMs', obj.holdMs);
  }
  return out;
}

/** An entry as shown by `GET /__mock/script`: the kind alone, or the object when it has options. */
function show(entry) {
  return Object.keys(entry).length === 1 ? entry.kind : { ...entry };
}

export class Scripts {
  constructor() {
    this.queues = new Map(); // `${provider} ${endpoint}` -> entries, in insertion order of the keys
  }

  /** Append `faults` to the queue of (provider, endpoint); returns what is left everywhere. */
  add(provider, endpoint, faults) {
    const endpoints = SCRIPT_ENDPOINTS[provider];
    if (!endpoints) throw new Error(`unknown provider ${provider}`);
    if (!endpoints.includes(endpoint)) {
      throw new Error(`endpoint for ${provider} must be one of ${endpoints.join(', ')}, got ${JSON.stringify(endpoint)}`);
    }
    if (!Array.isArray(faults)) throw new Error('faults must be an array');
    const entries = faults.map((f) => normalizeEntry(f, endpoint));
    const key = `${provider} ${endpoint}`;
    const queue = this.queues.get(key) ?? [];
    queue.push(...entries);
    if (queue.length) this.queues.set(key, queue);
    return this.view();
  }

  /** The next entry for a request (the endpoint's own queue first, then `any`), or null. */
  take(provider, endpoint) {
    const keys = endpoint ? [`${provider} ${endpoint}`] : [];
    if (endpoint !== 'token') keys.push(`${provider} any`);
    for (const key of keys) {
      const queue = this.queues.get(key);
      if (queue && queue.length) {
        const entry = queue.shift();
        if (!queue.length) this.queues.delete(key);
        return entry;
      }
    }
    return null;
  }

  clear() {
    this.queues.clear();
    return this.view();
  }

  view() {
    const scripts = [...this.queues].map(([key, queue]) => {
      const [provider, endpoint] = key.split(' ');
      return { provider, endpoint, faults: queue.map(show) };
    });
    return { pending: scripts.reduce((n, s) => n + s.faults.length, 0), scripts };
  }
}
