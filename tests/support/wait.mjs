// Waiting in tests without betting on the clock. A fixed `sleep(n)` followed by an assertion is a
// race that a loaded machine loses; these wait for the thing itself, with a generous bound that
// only a condition that never becomes true (or a promise that never settles) runs into.
import assert from "node:assert/strict";

/**
 * Polls `condition()` (sync or async) until it returns a truthy value, and returns that value.
 * Fails the test, naming `what`, only when it is still falsy after `timeoutMs`: the bound is a
 * hang guard, not a speed requirement, so keep it far above the time the condition needs.
 */
export async function waitFor(condition, { timeoutMs = 10_000, intervalMs = 10, what = "the condition" } = {}) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (performance.now() >= deadline) assert.fail(`${what}: still not true after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * `promise`'s outcome as `{ value }` or `{ error }`; fails the test, naming `what`, when it is still
 * pending after `timeoutMs` (a hang guard: choose it far above the time a working call takes and
 * below the time a broken one would take to settle by itself).
 */
export async function settleWithin(timeoutMs, what, promise) {
  let timer;
  const pending = Symbol("pending");
  const deadline = new Promise((resolve) => {
    timer = setTimeout(() => resolve(pending), timeoutMs);
  });
  try {
    const outcome = await Promise.race([
      Promise.resolve(promise).then((value) => ({ value }), (error) => ({ error })),
      deadline,
    ]);
    if (outcome === pending) assert.fail(`${what}: still pending after ${timeoutMs} ms`);
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}
