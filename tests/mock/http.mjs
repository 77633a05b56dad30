// Small response helpers shared by the mock provider handlers.
// A handler returns `{ status, headers, body }` (body a string); the server writes it, after
// applying any fault that changes how the body travels (slow, truncate, html).

export function json(status, value, headers = {}) {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(value),
  };
}

export function empty(status, headers = {}) {
  return { status, headers, body: '' };
}

export function html(status, text, headers = {}) {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, body: text };
}

const REASONS = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The kind of HTML error page a load balancer or CDN returns. */
export function gatewayErrorPage(status) {
  const reason = REASONS[status] ?? 'Error';
  return html(
    status,
    `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n` +
      `<hr><center>mock-gateway</center>\r\n</body>\r\n</html>\r\n`,
  );
}

/** A 200 HTML page where JSON was expected (captive portal, maintenance page, wrong base URL). */
export function maintenancePage() {
  return html(
    200,
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Scheduled maintenance</title></head>\n' +
      '<body><h1>We&rsquo;ll be back soon</h1><p>The service is undergoing scheduled maintenance.</p></body></html>\n',
  );
}

/** Integer parsing for query parameters: digits only, else NaN. */
export function strictInt(text) {
  return /^\d{1,15}$/.test(text) ? Number(text) : NaN;
}

/** Parse a JSON request body; returns `{ ok: true, value }` or `{ ok: false, error }`. */
export function parseJsonBody(buf) {
  const text = buf.toString('utf8');
  if (text.trim() === '') return { ok: false, error: 'empty body' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, error: e.message };
  }
}

export function nowUnix() {
  return Math.floor(Date.now() / 1000);
}

/** `/__mock/paging` modes. `huge-count`: real rows under absurd totals; `ignore-page`: the rows of
 * the first page whatever page/offset was asked, with the metadata of the page asked for. */
export const PAGING_MODES = ['normal', 'huge-count', 'ignore-page'];
export const HUGE_COUNT = Object.freeze({ pages: 4000000000, items: 400000000000, count: 4000000000 });
