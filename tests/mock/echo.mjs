// `/__mock/echo`: a 400 in the provider's error shape whose message repeats the request's
// credential headers verbatim, to prove a client scrubs them from the errors it reports.
//
// Echoed: `authorization`, `x-api-key` and every other `x-*` header except `x-forwarded-*`, in
// that order (the other `x-*` by name). The message names them all near its start, then, after
// filler text, repeats the first one so that it straddles character 400 (it starts at
// 400 - floor(length / 2); a value of 21 characters or more covers 390-410 entirely), then the
// others. A client that cuts messages at 400 characters before scrubbing leaks half a secret.

import { json } from './http.mjs';
import { mangopayError } from './mangopay.mjs';
import { onfidoError } from './onfido.mjs';
import { stripeError } from './stripe.mjs';

export const ECHO_MIDDLE = 400;
const FILLER = 'The request could not be processed because one or more of its headers are not valid here. ';
const LEAD = ' Rejected value: ';

/** `[[name, value], …]` of the headers to echo, in echo order. */
export function echoedHeaders(headers) {
  const rank = (n) => (n === 'authorization' ? 0 : n === 'x-api-key' ? 1 : 2);
  return Object.keys(headers)
    .filter((n) => n === 'authorization' || (n.startsWith('x-') && !n.startsWith('x-forwarded-')))
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map((n) => [n, Array.isArray(headers[n]) ? headers[n].join(', ') : String(headers[n])]);
}

/** The echo message for those headers. */
export function echoMessage(entries) {
  if (!entries.length) return 'Invalid request: no authorization or x- header was sent.';
  let msg = `Invalid request headers: ${entries.map(([n, v]) => `${n}=${v}`).join('; ')}. `;
  const [, first] = entries[0];
  const start = ECHO_MIDDLE - Math.floor(first.length / 2);
  const pad = start - msg.length - LEAD.length;
  // when the start is already too long, the repeat simply follows it
  if (pad > 0) msg += FILLER.repeat(Math.ceil(pad / FILLER.length)).slice(0, pad);
  msg += `${LEAD}${first}`;
  for (const [n, v] of entries.slice(1)) msg += `; ${n}=${v}`;
  return `${msg}.`;
}

/** The 400 answer of `provider` while echo is on. */
export function echoResponse(provider, headers) {
  const entries = echoedHeaders(headers);
  const message = echoMessage(entries);
  if (provider === 'mangopay') {
    const errors = {};
    for (const [n, v] of entries) errors[n] = `The value of the header ${n} is not valid: ${v}`;
    return mangopayError(400, 'param_error', message, errors);
  }
  if (provider === 'equals') return json(400, { message });
  if (provider === 'onfido') return onfidoError(400, 'bad_request', message);
  if (provider === 'stripe') return stripeError(400, { message });
  return json(400, { detail: message });
}
