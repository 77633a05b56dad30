// Python's `json.dumps(shorten_floats(data), sort_keys=True, separators=(",", ":"))`, byte for
// byte, in JavaScript: the canonical form Didit signs its webhooks with (webhooks.md 1.2).
//
// What differs from `JSON.stringify` and has to be done by hand:
// - keys sorted by Unicode code point at every depth (JS objects enumerate integer-like keys
//   first, in numeric order: "2","9","10" where Python gives "10","2","9");
// - `shorten_floats`: an integral number is written as an integer (100.0 -> 100, 1e16 ->
//   10000000000000000), any other one as Python's `repr` (shortest round trip, exponent form
//   `1e-05` / `1.5e+16` when the decimal exponent is < -4 or >= 16);
// - `ensure_ascii=True` (the default): every character outside ' '..'~' written `\uXXXX` with
//   lowercase hex (UTF-16 code units, so a character above the BMP is a surrogate pair);
//   `ensure_ascii=False` leaves non-ASCII (and DEL) raw; both escape `"`, `\`, \b \f \n \r \t
//   and the other control characters as `\u00XX`; `/` is never escaped;
// - NaN / Infinity written as Python does (`NaN`, `Infinity`, `-Infinity`).
//
// `parse(text)` is JSON.parse that keeps integers beyond 2^53 exact (as BigInt), so a body
// re-serialises to the same bytes. `pyStr(value)` is Python's `str()` of a JSON scalar (the
// `X-Signature-Simple` message): null -> "None", true -> "True", a float as its repr.

/** Python `json.dumps(shorten_floats(value), sort_keys=True, separators=(",",":"), ensure_ascii=...)`. */
export function dumps(value, { ensureAscii = true } = {}) {
  const out = [];
  write(value, ensureAscii, out);
  return out.join('');
}

function write(value, ascii, out) {
  if (value === null || value === undefined) {
    out.push('null');
  } else if (value === true) {
    out.push('true');
  } else if (value === false) {
    out.push('false');
  } else if (typeof value === 'number') {
    out.push(pyNumber(value));
  } else if (typeof value === 'bigint') {
    out.push(value.toString());
  } else if (typeof value === 'string') {
    out.push(quote(value, ascii));
  } else if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      write(value[i], ascii, out);
    }
    out.push(']');
  } else if (typeof value === 'object') {
    // like JSON.stringify, undefined members are left out (Python has no undefined)
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort(compareCodePoints);
    out.push('{');
    keys.forEach((k, i) => {
      if (i > 0) out.push(',');
      out.push(quote(k, ascii), ':');
      write(value[k], ascii, out);
    });
    out.push('}');
  } else {
    throw new TypeError(`cannot serialise a ${typeof value}`);
  }
}

/** Order of Python `sorted()` on str: by code point (JS `<` compares UTF-16 code units). */
export function compareCodePoints(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i);
    const y = b.codePointAt(i);
    if (x !== y) return x - y;
    if (x > 0xffff) i++; // both strings hold the same astral character: skip its low surrogate
  }
  return a.length - b.length;
}

const SHORT_ESCAPES = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function quote(s, ascii) {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const plain = c >= 0x20 && c !== 0x22 && c !== 0x5c && (!ascii || c <= 0x7e);
    if (plain) continue;
    out += s.slice(start, i);
    const ch = s[i];
    out += SHORT_ESCAPES[ch] ?? `\\u${c.toString(16).padStart(4, '0')}`;
    start = i + 1;
  }
  return `${out}${s.slice(start)}"`;
}

/** A number as `shorten_floats` then `json.dumps` write it. */
export function pyNumber(x) {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (Number.isInteger(x)) return BigInt(x).toString(); // exact digits, also beyond 1e21; -0 -> "0"
  return pyFloatRepr(x);
}

/** Python `repr(float)` of a finite number (integral ones get a trailing `.0`). */
export function pyFloatRepr(x) {
  if (!Number.isFinite(x)) return pyNumber(x);
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // toExponential() without an argument gives the shortest round-trip digits, like repr
  const [mantissa, expText] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac || '0'}`;
}

/** Python `str()` of a JSON value: None/True/False, floats as repr, strings as they are. */
export function pyStr(value) {
  if (value === undefined) return '';
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value).toString() : pyFloatRepr(value);
  // containers: Python's repr is not reproduced (no signed field of Didit is one)
  return dumps(value);
}

// ---------------------------------------------------------------------------------------------
// parse: JSON.parse, but integers outside the safe range stay exact (BigInt)

/** Parse JSON text; like `JSON.parse` except unsafe integers come back as BigInt. */
export function parse(text) {
  const p = { s: text, i: 0 };
  skipWs(p);
  const v = parseValue(p);
  skipWs(p);
  if (p.i !== p.s.length) fail(p, 'unexpected trailing text');
  return v;
}

function fail(p, what) {
  throw new SyntaxError(`${what} at position ${p.i}`);
}

function skipWs(p) {
  while (p.i < p.s.length) {
    const c = p.s.charCodeAt(p.i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    p.i++;
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

function parseValue(p) {
  const c = p.s[p.i];
  if (c === '{') {
    p.i++;
    const obj = Object.create(null);
    skipWs(p);
    if (p.s[p.i] === '}') {
      p.i++;
      return obj;
    }
    for (;;) {
      skipWs(p);
      if (p.s[p.i] !== '"') fail(p, 'expected a key');
      const key = parseString(p);
      skipWs(p);
      if (p.s[p.i] !== ':') fail(p, 'expected ":"');
      p.i++;
      skipWs(p);
      obj[key] = parseValue(p);
      skipWs(p);
      if (p.s[p.i] === ',') {
        p.i++;
        continue;
      }
      if (p.s[p.i] === '}') {
        p.i++;
        return obj;
      }
      fail(p, 'expected "," or "}"');
    }
  }
  if (c === '[') {
    p.i++;
    const arr = [];
    skipWs(p);
    if (p.s[p.i] === ']') {
      p.i++;
      return arr;
    }
    for (;;) {
      skipWs(p);
      arr.push(parseValue(p));
      skipWs(p);
      if (p.s[p.i] === ',') {
        p.i++;
        continue;
      }
      if (p.s[p.i] === ']') {
        p.i++;
        return arr;
      }
      fail(p, 'expected "," or "]"');
    }
  }
  if (c === '"') return parseString(p);
  for (const [word, v] of [['true', true], ['false', false], ['null', null]]) {
    if (p.s.startsWith(word, p.i)) {
      p.i += word.length;
      return v;
    }
  }
  NUMBER.lastIndex = p.i;
  const m = NUMBER.exec(p.s);
  if (!m) fail(p, 'unexpected character');
  p.i += m[0].length;
  const n = Number(m[0]);
  if (!m[1] && !m[2] && !Number.isSafeInteger(n)) return BigInt(m[0]);
  return n;
}

function parseString(p) {
  STRING.lastIndex = p.i;
  const m = STRING.exec(p.s);
  if (!m) fail(p, 'invalid string');
  p.i += m[0].length;
  return JSON.parse(m[0]);
}
