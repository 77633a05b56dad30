// Idempotency keys of the mock providers that have them: Mangopay creates and Stripe POSTs.
//
// One record per (provider, key). A request carrying a key registers when it arrives, before
// latency, holds and faults: if no record exists it becomes the record's owner ("pending"); if one
// exists its role is "pending" (the first request was still running when this one arrived) or
// "existing" (the first one had finished). The provider handler decides what each role gets
// (Mangopay: a 409 for every reuse; Stripe: a 409 while pending, else the stored answer replayed).
// The owner completes the record with the handler's answer; an owner that never reached the
// handler (a fault, a rate limit, a dropped hold, an authentication failure) releases it, so the
// key can be used again, as when a request never began executing.

/** Mangopay keeps keys 24 hours ("within 24 hours"); Stripe prunes them "at least 24 hours old". */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export class IdempotencyStore {
  constructor() {
    this.records = new Map(); // `${provider} ${key}` -> record
  }

  /** The live record of (provider, key), or undefined (expired ones are pruned). */
  get(provider, key, now = Date.now()) {
    const id = `${provider} ${key}`;
    const rec = this.records.get(id);
    if (rec && now - rec.createdAt >= IDEMPOTENCY_TTL_MS) {
      this.records.delete(id);
      return undefined;
    }
    return rec;
  }

  /**
   * A request with `key` arrives. Returns `{key, record, role}`: role `owner` (a new pending
   * record, this request's), `pending` (someone else's, not finished) or `existing` (finished).
   */
  arrive(provider, key, now = Date.now()) {
    const existing = this.get(provider, key, now);
    if (existing) return { key, record: existing, role: existing.state === 'pending' ? 'pending' : 'existing' };
    const record = { provider, key, state: 'pending', createdAt: now };
    this.records.set(`${provider} ${key}`, record);
    return { key, record, role: 'owner' };
  }

  /** The owner's answer is in: `info` is stored on the record (the response and what the
   * provider needs to replay or describe it). No effect when the record is no longer current. */
  complete(record, info) {
    if (this.records.get(`${record.provider} ${record.key}`) !== record) return;
    Object.assign(record, info, { state: 'done', completedAt: Date.now() });
  }

  /** Forget a record that is still pending (its owner never ran the handler). */
  release(record) {
    const id = `${record.provider} ${record.key}`;
    if (record.state === 'pending' && this.records.get(id) === record) this.records.delete(id);
  }

  clear() {
    this.records.clear();
  }

  /** What `GET /__mock/idempotency` shows: every live record, oldest first. */
  view() {
    const now = Date.now();
    return [...this.records.values()]
      .filter((r) => now - r.createdAt < IDEMPOTENCY_TTL_MS)
      .map((r) => ({ provider: r.provider, key: r.key, state: r.state, status: r.response?.status ?? null }));
  }
}

/** A stored copy of a handler response (headers copied, so later changes do not leak in). */
export function snapshot(response) {
  return { ...response, headers: { ...response.headers } };
}
