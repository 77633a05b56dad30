// The IdvError class (SPEC section 5): every failure of idv-sessions is one.
// A real Error (stack, `instanceof Error`), with a stable `code` to switch on
// and the provider's details. Imported by the wasm module (crates/wasm/src/errors.rs)
// and exported by every package entry, so `e instanceof IdvError` works.

const CODES = new Set([
  "config", "auth", "forbidden", "not_found", "rate_limited", "http", "network",
  "timeout", "aborted", "decode", "unsupported", "incomplete", "signature",
]);

export class IdvError extends Error {
  /**
   * @param {string} message
   * @param {{ code?: string, provider?: string, httpStatus?: number,
   *           retryable?: boolean, retryAfterMs?: number }} [fields]
   */
  constructor(message, fields) {
    super(typeof message === "string" ? message : "IdvError");
    const f = readFields(fields);
    this.name = "IdvError";
    this.code = CODES.has(f.code) ? f.code : "config";
    if (typeof f.provider === "string") this.provider = f.provider;
    if (typeof f.httpStatus === "number") this.httpStatus = f.httpStatus;
    this.retryable = f.retryable === true;
    if (typeof f.retryAfterMs === "number") this.retryAfterMs = f.retryAfterMs;
  }
}

/**
 * The fields a caller passed, read once each; a getter or Proxy that throws
 * leaves the field out instead of making the constructor throw.
 */
function readFields(fields) {
  const out = {};
  if (fields === null || typeof fields !== "object") return out;
  for (const name of ["code", "provider", "httpStatus", "retryable", "retryAfterMs"]) {
    try {
      out[name] = fields[name];
    } catch {
      // Left out: a constructor of errors must not throw.
    }
  }
  return out;
}

/** Builds the error the wasm module throws (never throws itself). */
export function idvError(message, code, provider, httpStatus, retryable, retryAfterMs) {
  return new IdvError(message, { code, provider, httpStatus, retryable, retryAfterMs });
}

/** The class, for the package entries to export. */
export function idvErrorClass() {
  return IdvError;
}
