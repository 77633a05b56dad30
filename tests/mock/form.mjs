// Stripe's request parameters: `application/x-www-form-urlencoded` bodies and query strings with
// bracket nesting (providers-next.md 1.1: `options[document][require_matching_selfie]=true`,
// `created[gte]=…`). stripe-node writes arrays with indexes (`expand[0]=a&expand[1]=b`,
// node_modules/stripe/cjs/utils.js `stringifyRequestData`); `a[]=x` appends, as qs/Rack parse it.

/** Split `a[b][]` into ['a', 'b', '']; null when the brackets are malformed. */
function keyPath(key) {
  const first = key.indexOf('[');
  if (first < 0) return [key];
  if (first === 0 || !key.endsWith(']')) return null;
  const parts = [key.slice(0, first)];
  const rest = key.slice(first);
  const re = /\[([^[\]]*)\]/g;
  let consumed = 0;
  let m;
  while ((m = re.exec(rest)) !== null) {
    if (m.index !== consumed) return null;
    parts.push(m[1]);
    consumed = re.lastIndex;
  }
  return consumed === rest.length ? parts : null;
}

const isIndex = (s) => /^\d{1,6}$/.test(s);

/**
 * Parse `[key, value]` pairs into nested objects; objects whose keys are all indexes become arrays
 * (in index order). A repeated plain key keeps its last value. Returns `{ok: true, value}` or
 * `{ok: false, param, message}` for a key that is both a value and a hash.
 */
export function parseParams(pairs) {
  const root = {};
  let appendCount = 0;
  for (const [key, value] of pairs) {
    const path = keyPath(key);
    if (!path) return { ok: false, param: key, message: `Invalid parameter name: ${key}` };
    let node = root;
    for (let i = 0; i < path.length; i++) {
      // `[]` appends: a fresh index past any given so far
      const part = path[i] === '' ? `${900000 + appendCount++}` : path[i];
      const last = i === path.length - 1;
      if (last) {
        if (node[part] !== undefined && typeof node[part] === 'object') return conflict(path, i);
        node[part] = value;
      } else {
        if (node[part] === undefined) node[part] = Object.create(null);
        else if (typeof node[part] !== 'object') return conflict(path, i);
        node = node[part];
      }
    }
  }
  return { ok: true, value: arraysFromIndexes(root) };
}

function conflict(path, i) {
  const name = path[0] + path.slice(1, i + 1).map((p) => `[${p}]`).join('');
  return { ok: false, param: name, message: `Invalid hash: ${name} is given both as a value and as a hash` };
}

function arraysFromIndexes(node) {
  if (node === null || typeof node !== 'object') return node;
  const keys = Object.keys(node);
  if (keys.length && keys.every(isIndex)) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => arraysFromIndexes(node[k]));
  }
  const out = {};
  for (const k of keys) out[k] = arraysFromIndexes(node[k]);
  return out;
}

/** The parameters of a request: the query string, plus the form body for non-GET requests. */
export function requestParams(url, body, contentType = '') {
  const pairs = [...url.searchParams];
  if (body && body.length) {
    if (!/^application\/x-www-form-urlencoded\b/i.test(contentType) && contentType !== '') {
      return { ok: false, param: null, message: `Invalid request: unsupported Content-Type ${contentType}. If error persists and you need assistance, please contact support@stripe.com.` };
    }
    pairs.push(...new URLSearchParams(body.toString('utf8')));
  }
  return parseParams(pairs);
}

/** A canonical text of parsed parameters (sorted keys): the idempotency fingerprint. */
export function canonicalParams(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalParams).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalParams(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
