// The mock's fixed reference time and date formats, shared by the data modules. Seeded data
// never reads the wall clock: every time derives from REFERENCE_DATE.

export const REFERENCE_DATE = '2026-11-01T00:00:00Z';
export const REFERENCE_UNIX = Date.UTC(2026, 10, 1) / 1000;
export const DAY = 86400;
/** The seeded sessions lie in the two years before REFERENCE_DATE. */
export const SPAN = 730 * DAY;

/** ISO 8601 without milliseconds (`2026-11-01T00:00:00Z`), as Equals and Onfido format dates. */
export function isoSeconds(unix) {
  return new Date(unix * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
