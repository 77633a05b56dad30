//! Timestamps: every provider's form in, RFC 3339 UTC out (`2025-05-05T12:45:21Z`).
//!
//! Sub-second precision is kept when the input has it (in groups of 3 digits).
//! Instants outside years 0000-9999 have no RFC 3339 form: they count as missing.

use chrono::{DateTime, Datelike, Timelike, Utc};

/// Formats an instant as RFC 3339 UTC with a `Z`, keeping fractions only when
/// non-zero. `None` outside years 0000-9999 (RFC 3339 has four-digit years;
/// `+10000-01-01T00:00:00Z` is not a date `Date.parse` reads).
///
/// Written digit by digit, as chrono's `to_rfc3339_opts(AutoSi, true)`
/// writes it (a test compares them): this runs for every date of every
/// session, and chrono's goes through `core::fmt`.
pub fn format(instant: DateTime<Utc>) -> Option<String> {
    let year = u32::try_from(instant.year()).ok().filter(|y| *y <= 9999)?;
    let mut second = instant.second();
    let mut nanos = instant.nanosecond();
    if nanos >= 1_000_000_000 {
        // A leap second: chrono keeps it in the nanoseconds, writes it as :60.
        second += 1;
        nanos -= 1_000_000_000;
    }
    // `YYYY-MM-DDThh:mm:ss`, then `.fff`, `.ffffff` or `.fffffffff`, then `Z`.
    let mut text = *b"0000-00-00T00:00:00.000000000Z";
    put_digits(&mut text[0..4], year);
    put_digits(&mut text[5..7], instant.month());
    put_digits(&mut text[8..10], instant.day());
    put_digits(&mut text[11..13], instant.hour());
    put_digits(&mut text[14..16], instant.minute());
    put_digits(&mut text[17..19], second);
    let end = if nanos == 0 {
        19
    } else if nanos % 1_000_000 == 0 {
        put_digits(&mut text[20..23], nanos / 1_000_000);
        23
    } else if nanos % 1_000 == 0 {
        put_digits(&mut text[20..26], nanos / 1_000);
        26
    } else {
        put_digits(&mut text[20..29], nanos);
        29
    };
    text[end] = b'Z';
    std::str::from_utf8(&text[..=end]).ok().map(str::to_owned)
}

/// `value`'s last `digits.len()` decimal digits, zero-padded.
fn put_digits(digits: &mut [u8], mut value: u32) {
    for digit in digits.iter_mut().rev() {
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// Unix seconds (integer, or float with a fraction, as Mangopay sends) to RFC 3339 UTC,
/// the fraction rounded to microseconds (`1746458497.1` is `.100`, not the
/// float's `.099999905`). `None` when out of range or not finite.
pub fn from_unix_seconds(seconds: f64) -> Option<String> {
    if !seconds.is_finite() {
        return None;
    }
    let whole = seconds.floor();
    // i64 range check before the cast; chrono then checks its own range.
    if !(-8.0e15..=8.0e15).contains(&whole) {
        return None;
    }
    let micros = ((seconds - whole) * 1e6).round() as u32;
    let (whole, micros) = if micros >= 1_000_000 {
        (whole as i64 + 1, 0)
    } else {
        (whole as i64, micros)
    };
    DateTime::from_timestamp(whole, micros * 1000).and_then(format)
}

/// Integer Unix seconds to RFC 3339 UTC.
pub fn from_unix_int(seconds: i64) -> Option<String> {
    DateTime::from_timestamp(seconds, 0).and_then(format)
}

/// Milliseconds since the epoch (as JS `Date.now()` gives) to RFC 3339 UTC.
pub fn from_unix_millis(millis: f64) -> Option<String> {
    from_unix_seconds((millis / 1000.0).floor()).filter(|_| millis.is_finite())
}

/// An ISO 8601 / RFC 3339 string to RFC 3339 UTC. Offsets are converted to UTC;
/// a string without an offset is taken as UTC. `None` when it is not a date-time.
pub fn from_iso(text: &str) -> Option<String> {
    let text = text.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return format(instant.with_timezone(&Utc));
    }
    // No offset (or a space for `T`): UTC. Only the RFC 3339 parser is used, which
    // keeps chrono's general format-string machinery out of the wasm.
    let (date, clock) = text.split_once(['T', 't', ' '])?;
    if clock.ends_with(['Z', 'z']) || clock.contains(['+', '-']) {
        return None;
    }
    DateTime::parse_from_rfc3339(&format!("{date}T{clock}Z"))
        .ok()
        .and_then(|instant| format(instant.with_timezone(&Utc)))
}

/// Parses an RFC 3339 string produced by [`format`] (or any RFC 3339 input) to
/// milliseconds since the epoch, for ordering. `None` when unparseable.
pub fn to_unix_millis(text: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// An RFC 3339 time as (Unix seconds, nanoseconds), to order times exactly
/// (sub-millisecond differences count: Didit's times have microseconds).
/// `None` when unparseable.
pub fn to_unix_exact(text: &str) -> Option<(i64, u32)> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| (t.timestamp(), t.timestamp_subsec_nanos()))
}

/// An RFC 3339 time, or a date (`YYYY-MM-DD`, UTC): its first millisecond,
/// or with `end_of_day` its last. In ms since the epoch.
pub fn instant(text: &str, end_of_day: bool) -> Option<i64> {
    if let Some(ms) = to_unix_millis(text) {
        return Some(ms);
    }
    let is_date = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    let start = to_unix_millis(&format!("{text}T00:00:00Z")).filter(|_| is_date)?;
    Some(if end_of_day {
        start + 86_399_999
    } else {
        start
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_seconds() {
        assert_eq!(
            from_unix_int(1746449121).as_deref(),
            Some("2025-05-05T12:45:21Z")
        );
        assert_eq!(
            from_unix_seconds(1740581497.0).as_deref(),
            Some("2025-02-26T14:51:37Z")
        );
        assert_eq!(
            from_unix_seconds(1740581497.25).as_deref(),
            Some("2025-02-26T14:51:37.250Z")
        );
        assert_eq!(from_unix_seconds(f64::NAN), None);
        assert_eq!(from_unix_seconds(f64::INFINITY), None);
        assert_eq!(from_unix_seconds(1e300), None);
        assert_eq!(from_unix_int(i64::MAX), None);
        assert_eq!(from_unix_int(0).as_deref(), Some("1970-01-01T00:00:00Z"));
        // Fractions are rounded to microseconds, not printed with float noise.
        assert_eq!(
            from_unix_seconds(1746458497.1).as_deref(),
            Some("2025-05-05T15:21:37.100Z")
        );
        assert_eq!(
            from_unix_seconds(1_746_458_497.123_456_7).as_deref(),
            Some("2025-05-05T15:21:37.123457Z")
        );
        assert_eq!(
            from_unix_seconds(1746458497.9999999).as_deref(),
            Some("2025-05-05T15:21:38Z")
        );
    }

    #[test]
    fn years_outside_0000_9999_are_missing() {
        assert_eq!(
            from_unix_int(253_402_300_799).as_deref(),
            Some("9999-12-31T23:59:59Z")
        );
        assert_eq!(from_unix_int(253_402_300_800), None);
        assert_eq!(from_unix_seconds(253_402_300_800.5), None);
        assert_eq!(
            from_unix_int(-62_167_219_200).as_deref(),
            Some("0000-01-01T00:00:00Z")
        );
        assert_eq!(from_unix_int(-62_167_219_201), None);
        // An offset that carries the instant past 9999.
        assert_eq!(from_iso("9999-12-31T23:00:00-05:00"), None);
        assert_eq!(from_iso("0000-01-01T01:00:00+05:00"), None);
    }

    #[test]
    fn iso_strings() {
        assert_eq!(
            from_iso("2025-06-09T12:26:54.328364Z").as_deref(),
            Some("2025-06-09T12:26:54.328364Z")
        );
        assert_eq!(
            from_iso("2019-08-24T14:15:22Z").as_deref(),
            Some("2019-08-24T14:15:22Z")
        );
        assert_eq!(
            from_iso("2019-08-24T16:15:22+02:00").as_deref(),
            Some("2019-08-24T14:15:22Z")
        );
        assert_eq!(
            from_iso("2019-08-24T14:15:22.5").as_deref(),
            Some("2019-08-24T14:15:22.500Z")
        );
        assert_eq!(
            from_iso("2019-08-24 14:15:22").as_deref(),
            Some("2019-08-24T14:15:22Z")
        );
        assert_eq!(from_iso("yesterday"), None);
        assert_eq!(from_iso(""), None);
        assert_eq!(from_iso("2019-02-30T00:00:00Z"), None);
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        #[test]
        fn written_as_chrono_writes_it(
            seconds in -62_167_219_200i64..=253_402_300_799,
            nanos in proptest::prop_oneof![
                proptest::strategy::Just(0u32),
                (0u32..1000).prop_map(|m| m * 1_000_000),
                (0u32..1_000_000).prop_map(|u| u * 1000),
                0u32..2_000_000_000,
            ],
        ) {
            if let Some(instant) = DateTime::from_timestamp(seconds, nanos) {
                proptest::prop_assert_eq!(
                    format(instant),
                    Some(instant.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
                );
            }
        }
    }

    #[test]
    fn a_leap_second_is_written_as_chrono_writes_it() {
        let leap = DateTime::from_timestamp(1_483_228_799, 1_500_000_000).unwrap();
        assert_eq!(format(leap).as_deref(), Some("2016-12-31T23:59:60.500Z"));
        assert_eq!(
            format(leap),
            Some(leap.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        );
    }

    #[test]
    fn millis_round_trip() {
        assert_eq!(to_unix_millis("2025-05-05T12:45:21Z"), Some(1746449121000));
        assert_eq!(
            to_unix_millis("2025-05-05T12:45:21.5Z"),
            Some(1746449121500)
        );
        assert_eq!(to_unix_millis("nope"), None);
        assert_eq!(
            from_unix_millis(1746449121999.0).as_deref(),
            Some("2025-05-05T12:45:21Z")
        );
    }
}
