// Timing helpers shared by the Node and Chromium benchmarks (no Node built-ins).

/** Collect garbage when the engine exposes it (`--expose-gc`), so one contender's garbage is not billed to the next. */
export function collect() {
  if (typeof globalThis.gc === "function") globalThis.gc();
}

/**
 * Runs every contender `runs` times, interleaved: each round runs all of them
 * once, starting at a different one each round. Returns `{ name: [ms, …] }`.
 * `fn` returns a value whose length goes into `checksum` (the work is used).
 */
export let checksum = 0;

export function interleave(contenders, runs) {
  const times = Object.fromEntries(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(k + r) % contenders.length];
      collect();
      const t0 = performance.now();
      const out = c.fn();
      const ms = performance.now() - t0;
      checksum += out?.length ?? 1;
      times[c.name].push(ms);
    }
  }
  return times;
}

/** The same, for async contenders. */
export async function interleaveAsync(contenders, runs, { onRun } = {}) {
  const times = Object.fromEntries(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(k + r) % contenders.length];
      collect();
      const t0 = performance.now();
      const out = await c.fn();
      const ms = performance.now() - t0;
      times[c.name].push(ms);
      onRun?.(c.name, ms, out);
    }
  }
  return times;
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function best(values) {
  return Math.min(...values);
}

/** `{ best, median, runs }` of a list of times in ms. */
export function stats(values) {
  return { best: round(best(values)), median: round(median(values)), runs: values.map(round) };
}

export function round(x, digits = 2) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
