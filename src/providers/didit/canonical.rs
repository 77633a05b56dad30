//! The exact text Didit signs: Python's
//! `json.dumps(shorten_floats(data), sort_keys=True, separators=(",", ":"))`,
//! with `ensure_ascii` on (`X-Signature`: also the body Didit sends) or off
//! (`X-Signature-V2`). `../shared/webhooks.md` section 1.2 has the source.
//!
//! A parser of its own, not `serde_json::Value`, because Python's form
//! depends on what JSON numbers and strings were: an integer is printed
//! exactly however long it is, a float as Python's shortest `repr` (`95.4`,
//! `1e-05`, `1e+16`), an integral float as an integer (`shorten_floats`), and
//! a string may hold lone surrogates. Keys sort by code point at every depth
//! (JavaScript's object order would put `"2"` before `"10"`), the last of
//! repeated keys wins, as in `json.loads`.

/// A JSON value as Python's `json.loads` sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum PyJson {
    /// `None`.
    Null,
    /// `True` / `False`.
    Bool(bool),
    /// An `int`: the digits as written (without a sign), and the sign.
    Int {
        /// True for a negative number.
        negative: bool,
        /// Decimal digits, no leading zeros (`"0"` for zero).
        digits: String,
    },
    /// A `float`.
    Float(f64),
    /// A `str`, as code points (lone surrogates included).
    Str(Vec<u32>),
    /// A `list`.
    List(Vec<PyJson>),
    /// A `dict`, keys sorted by code point, each once (the last wins).
    Dict(Vec<(Vec<u32>, PyJson)>),
}

/// Deep nesting is refused rather than risking the stack.
const MAX_DEPTH: usize = 256;

/// Parses JSON text as Python's `json.loads` would; `None` when it is not JSON.
pub fn parse(text: &str) -> Option<PyJson> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    p.ws();
    let value = p.value(0)?;
    p.ws();
    (p.i == p.s.len()).then_some(value)
}

/// The pairs of one object sorted by key, each key once with its last value
/// (`json.loads` keeps the last of repeated keys): a stable sort, then the
/// last of each run of equal keys. O(n log n), so that a body of 100,000
/// keys costs milliseconds, not a scan per key.
fn sorted_last_wins(mut pairs: Vec<(Vec<u32>, PyJson)>) -> Vec<(Vec<u32>, PyJson)> {
    crate::order::sort_by(&mut pairs, |a, b| a.0.cmp(&b.0));
    let mut out: Vec<(Vec<u32>, PyJson)> = Vec::with_capacity(pairs.len());
    for pair in pairs {
        match out.last_mut() {
            Some(last) if last.0 == pair.0 => *last = pair,
            _ => out.push(pair),
        }
    }
    out
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn eat(&mut self, literal: &str) -> Option<()> {
        let end = self.i + literal.len();
        (self.s.get(self.i..end)? == literal.as_bytes()).then(|| self.i = end)
    }

    fn value(&mut self, depth: usize) -> Option<PyJson> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.s.get(self.i)? {
            b'n' => self.eat("null").map(|_| PyJson::Null),
            b't' => self.eat("true").map(|_| PyJson::Bool(true)),
            b'f' => self.eat("false").map(|_| PyJson::Bool(false)),
            b'"' => self.string().map(PyJson::Str),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Some(PyJson::List(items));
                }
                loop {
                    self.ws();
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.s.get(self.i)? {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            return Some(PyJson::List(items));
                        }
                        _ => return None,
                    }
                }
            }
            b'{' => {
                self.i += 1;
                let mut pairs: Vec<(Vec<u32>, PyJson)> = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Some(PyJson::Dict(pairs));
                }
                loop {
                    self.ws();
                    if self.s.get(self.i) != Some(&b'"') {
                        return None;
                    }
                    let key = self.string()?;
                    self.ws();
                    self.eat(":")?;
                    self.ws();
                    let value = self.value(depth + 1)?;
                    pairs.push((key, value));
                    self.ws();
                    match self.s.get(self.i)? {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            return Some(PyJson::Dict(sorted_last_wins(pairs)));
                        }
                        _ => return None,
                    }
                }
            }
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn number(&mut self) -> Option<PyJson> {
        let start = self.i;
        let negative = self.s.get(self.i) == Some(&b'-');
        if negative {
            self.i += 1;
        }
        let int_start = self.i;
        match self.s.get(self.i)? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
                    self.i += 1;
                }
            }
            _ => return None,
        }
        let int_end = self.i;
        let mut float = false;
        if self.s.get(self.i) == Some(&b'.') {
            float = true;
            self.i += 1;
            let digits = self.i;
            while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
                self.i += 1;
            }
            if self.i == digits {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.s.get(self.i) {
            float = true;
            self.i += 1;
            if let Some(b'+' | b'-') = self.s.get(self.i) {
                self.i += 1;
            }
            let digits = self.i;
            while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
                self.i += 1;
            }
            if self.i == digits {
                return None;
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        if float {
            let value: f64 = text.parse().ok()?;
            // Python's json.loads gives inf for 1e999; json.dumps would then write
            // `Infinity`, which no signature over valid JSON can match.
            return value.is_finite().then_some(PyJson::Float(value));
        }
        let digits = std::str::from_utf8(&self.s[int_start..int_end]).ok()?;
        Some(PyJson::Int {
            negative: negative && digits != "0",
            digits: digits.to_string(),
        })
    }

    /// Four hex digits, nothing else (Python's C scanner refuses `\u+041`).
    fn hex4(&mut self) -> Option<u32> {
        let digits = self.s.get(self.i..self.i + 4)?;
        let value = digits
            .iter()
            .try_fold(0, |acc, &b| Some(acc * 16 + char::from(b).to_digit(16)?))?;
        self.i += 4;
        Some(value)
    }

    /// A string's code points; `\uD83D\uDE00` pairs are joined, lone surrogates kept.
    fn string(&mut self) -> Option<Vec<u32>> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let b = *self.s.get(self.i)?;
            match b {
                b'"' => {
                    self.i += 1;
                    return Some(out);
                }
                b'\\' => {
                    self.i += 1;
                    let escaped = *self.s.get(self.i)?;
                    self.i += 1;
                    let c = match escaped {
                        b'"' => 0x22,
                        b'\\' => 0x5c,
                        b'/' => 0x2f,
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => 0x0a,
                        b'r' => 0x0d,
                        b't' => 0x09,
                        b'u' => {
                            let unit = self.hex4()?;
                            if (0xd800..0xdc00).contains(&unit)
                                && self.s.get(self.i..self.i + 2) == Some(b"\\u")
                            {
                                let save = self.i;
                                self.i += 2;
                                match self.hex4() {
                                    Some(low) if (0xdc00..0xe000).contains(&low) => {
                                        0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00)
                                    }
                                    _ => {
                                        self.i = save;
                                        unit
                                    }
                                }
                            } else {
                                unit
                            }
                        }
                        _ => return None,
                    };
                    out.push(c);
                }
                0x00..=0x1f => return None,
                _ => {
                    // One UTF-8 character.
                    let len = match b {
                        0x00..=0x7f => 1,
                        0xc0..=0xdf => 2,
                        0xe0..=0xef => 3,
                        _ => 4,
                    };
                    let chunk = std::str::from_utf8(self.s.get(self.i..self.i + len)?).ok()?;
                    out.extend(chunk.chars().map(|c| c as u32));
                    self.i += len;
                }
            }
        }
    }
}

/// `json.dumps(shorten_floats(value), sort_keys=True, separators=(",", ":"),
/// ensure_ascii=ascii)`, as bytes (UTF-8 when not `ascii`). `None` when the
/// text cannot be encoded (a lone surrogate without `ensure_ascii`: Python's
/// encoder fails there too), or when it would be longer than `limit` bytes:
/// an integral float is written with all its digits (`1e308` has 309), so a
/// body of them would otherwise make a text fifty times its size.
pub fn dumps(value: &PyJson, ascii: bool, limit: usize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    write(&mut out, value, ascii, limit)?;
    Some(out)
}

fn write(out: &mut Vec<u8>, value: &PyJson, ascii: bool, limit: usize) -> Option<()> {
    match value {
        PyJson::Null => out.extend_from_slice(b"null"),
        PyJson::Bool(true) => out.extend_from_slice(b"true"),
        PyJson::Bool(false) => out.extend_from_slice(b"false"),
        PyJson::Int { negative, digits } => {
            if *negative {
                out.push(b'-');
            }
            out.extend_from_slice(digits.as_bytes());
        }
        PyJson::Float(f) => {
            if out.len().saturating_add(float_len_bound(*f)) > limit {
                return None;
            }
            out.extend_from_slice(shortened_float(*f).as_bytes());
        }
        PyJson::Str(s) => write_str(out, s, ascii)?,
        PyJson::List(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(out, item, ascii, limit)?;
            }
            out.push(b']');
        }
        PyJson::Dict(pairs) => {
            out.push(b'{');
            for (i, (key, item)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(out, key, ascii)?;
                out.push(b':');
                write(out, item, ascii, limit)?;
            }
            out.push(b'}');
        }
    }
    Some(())
}

fn write_str(out: &mut Vec<u8>, s: &[u32], ascii: bool) -> Option<()> {
    out.push(b'"');
    for &c in s {
        match c {
            0x22 => out.extend_from_slice(b"\\\""),
            0x5c => out.extend_from_slice(b"\\\\"),
            0x0a => out.extend_from_slice(b"\\n"),
            0x0d => out.extend_from_slice(b"\\r"),
            0x09 => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            0x00..=0x1f => push_u(out, c),
            0x20..=0x7e => out.push(c as u8),
            _ if ascii => {
                if c >= 0x10000 {
                    let v = c - 0x10000;
                    push_u(out, 0xd800 + (v >> 10));
                    push_u(out, 0xdc00 + (v & 0x3ff));
                } else {
                    push_u(out, c);
                }
            }
            _ => {
                let ch = char::from_u32(c)?;
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
    Some(())
}

fn push_u(out: &mut Vec<u8>, unit: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(b"\\u");
    for shift in [12, 8, 4, 0] {
        out.push(HEX[((unit >> shift) & 0xf) as usize]);
    }
}

/// A float after `shorten_floats`: an integral value as Python's `int(x)`
/// (exactly, however large), anything else as Python's `repr(x)`.
pub fn shortened_float(f: f64) -> String {
    if f.fract() == 0.0 {
        return integral_float(f);
    }
    python_repr(f)
}

/// Python's `repr(float)`: the shortest digits that round-trip, in fixed
/// notation when the decimal exponent is in `[-4, 16)`, else `d.ddde±XX`.
pub fn python_repr(f: f64) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    // Rust's `{:e}` gives the shortest round-trip digits too: `9.54e1`.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if f < 0.0 { "-" } else { "" };
    if !(-4..16).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exp_sign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{dot}e{exp_sign}{:02}", exp.abs());
    }
    let point = exp + 1; // digits before the decimal point
    let body = if point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else if point as usize >= digits.len() {
        format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{int}.{frac}")
    };
    format!("{sign}{body}")
}

/// At least as long as [`shortened_float`]'s text of `f`: a `repr` is at
/// most 24 characters, an integral float's digits about 0.302 per bit of its
/// binary exponent.
fn float_len_bound(f: f64) -> usize {
    let exponent = ((f.to_bits() >> 52) & 0x7ff) as usize;
    exponent.saturating_sub(1023) * 3 / 10 + 32
}

/// Python's `int(x)` of an integral float, exactly: `1e300` is a 301-digit
/// integer, not `1e+300`.
fn integral_float(f: f64) -> String {
    if f.abs() < 9.007_199_254_740_992e15 {
        return format!("{}", f as i64);
    }
    // f = mantissa * 2^exp exactly, mantissa < 2^53, exp >= 0 here.
    let bits = f.abs().to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32 - 1075;
    let mantissa = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
    // Decimal digits in base 1e9 limbs, least significant first, multiplied
    // by 2^29 at a time (a limb below 1e9 times 2^29 fits a u64).
    let mut limbs: Vec<u64> = vec![mantissa % 1_000_000_000, mantissa / 1_000_000_000];
    let mut left = exp.max(0) as u32;
    while left > 0 {
        let shift = left.min(29);
        left -= shift;
        let mut carry = 0u64;
        for limb in limbs.iter_mut() {
            let v = (*limb << shift) + carry;
            *limb = v % 1_000_000_000;
            carry = v / 1_000_000_000;
        }
        while carry > 0 {
            limbs.push(carry % 1_000_000_000);
            carry /= 1_000_000_000;
        }
    }
    while limbs.len() > 1 && limbs.last() == Some(&0) {
        limbs.pop();
    }
    let mut out = String::from(if f < 0.0 { "-" } else { "" });
    let mut iter = limbs.iter().rev();
    if let Some(first) = iter.next() {
        out.push_str(&first.to_string());
    }
    for limb in iter {
        out.push_str(&format!("{limb:09}"));
    }
    out
}

/// Python's `str()` of a scalar (the pieces of `X-Signature-Simple`):
/// `None`, `True`, an `int`'s digits, a float's `repr`, a string itself.
/// `None` for a list or dict (their `str()` is Python syntax, not reproduced).
pub fn python_str(value: Option<&PyJson>) -> Option<String> {
    Some(match value {
        None => String::new(),
        Some(PyJson::Null) => "None".into(),
        Some(PyJson::Bool(true)) => "True".into(),
        Some(PyJson::Bool(false)) => "False".into(),
        Some(PyJson::Int { negative, digits }) => {
            format!("{}{digits}", if *negative { "-" } else { "" })
        }
        Some(PyJson::Float(f)) => python_repr(*f),
        Some(PyJson::Str(s)) => s
            .iter()
            .map(|&c| char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
        Some(PyJson::List(_) | PyJson::Dict(_)) => return None,
    })
}

impl PyJson {
    /// A field of a dict.
    pub fn get(&self, key: &str) -> Option<&PyJson> {
        let PyJson::Dict(pairs) = self else {
            return None;
        };
        let key: Vec<u32> = key.chars().map(|c| c as u32).collect();
        // Sorted by key, each once.
        let at = pairs.binary_search_by(|(k, _)| k.cmp(&key)).ok()?;
        pairs.get(at).map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_as_python_writes_them() {
        for (f, want) in [
            (95.4, "95.4"),
            (96.15, "96.15"),
            (0.1, "0.1"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (1.5e16, "1.5e+16"),
            (1e22, "1e+22"),
            (123456.789, "123456.789"),
            (-2.5e-7, "-2.5e-07"),
            (1.0 / 3.0, "0.3333333333333333"),
            (1e15 + 0.5, "1000000000000000.5"),
        ] {
            assert_eq!(python_repr(f), want, "{f}");
        }
        // shorten_floats: integral floats are ints, exactly (values checked with CPython 3.11).
        assert_eq!(shortened_float(100.0), "100");
        assert_eq!(shortened_float(-0.0), "0");
        assert_eq!(shortened_float(1e16), "10000000000000000");
        assert_eq!(
            shortened_float(1e300),
            "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160"
        );
        for (f, want) in [
            (9_007_199_254_740_992.0, "9007199254740992"),
            (18_446_744_073_709_551_616.0, "18446744073709551616"),
            (1.234_567_890_123_456_8e17, "123456789012345680"),
            (-1e308, "-100000000000000001097906362944045541740492309677311846336810682903157585404911491537163328978494688899061249669721172515611590283743140088328307009198146046031271664502933027185697489699588559043338384466165001178426897626212945177628091195786707458122783970171784415105291802893207873272974885715430223118336"),
            (f64::MAX, "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368"),
        ] {
            assert_eq!(shortened_float(f), want, "{f:e}");
            assert!(float_len_bound(f) >= want.len(), "{f:e}");
        }
    }

    #[test]
    fn a_form_longer_than_the_limit_is_refused_before_it_is_written() {
        let v = parse("[1e308,1e308,2.5]").unwrap();
        let full = dumps(&v, false, usize::MAX).unwrap();
        assert_eq!(full.len(), 2 + 2 * 309 + 1 + 4);
        assert_eq!(dumps(&v, false, full.len() + 64), Some(full.clone()));
        // The second 1e308 would pass the limit: refused before it is expanded.
        assert_eq!(dumps(&v, false, 400), None);
        for f in [0.0, 1.0, 95.4, -2.5e-7, 1e22, f64::MAX, f64::MIN_POSITIVE] {
            assert!(float_len_bound(f) >= shortened_float(f).len(), "{f:e}");
        }
    }

    #[test]
    fn keys_sort_by_code_point_and_strings_escape_as_python() {
        let v = parse(r#"{"b": 1, "a": {"10": 1.0, "2": 2.50, "9": null}, "é": "\u00e9\ud83d\ude00/", "x": "a\"b\\c\nd\u0001\u007f"}"#).unwrap();
        assert_eq!(
            String::from_utf8(dumps(&v, true, usize::MAX).unwrap()).unwrap(),
            r#"{"a":{"10":1,"2":2.5,"9":null},"b":1,"x":"a\"b\\c\nd\u0001\u007f","\u00e9":"\u00e9\ud83d\ude00/"}"#
        );
        assert_eq!(
            String::from_utf8(dumps(&v, false, usize::MAX).unwrap()).unwrap(),
            "{\"a\":{\"10\":1,\"2\":2.5,\"9\":null},\"b\":1,\"x\":\"a\\\"b\\\\c\\nd\\u0001\u{7f}\",\"é\":\"é😀/\"}"
        );
    }

    #[test]
    fn integers_are_exact_and_repeated_keys_keep_the_last() {
        let v = parse(r#"{"n": 123456789012345678901234567890, "z": -0, "k": 1, "k": 2}"#).unwrap();
        assert_eq!(
            String::from_utf8(dumps(&v, true, usize::MAX).unwrap()).unwrap(),
            r#"{"k":2,"n":123456789012345678901234567890,"z":0}"#
        );
        // Repeats apart from each other, several times: still the last.
        let v =
            parse(r#"{"k": 1, "b": {"x": 1, "y": 2, "x": 3}, "k": 3, "a": 0, "k": 2}"#).unwrap();
        assert_eq!(
            String::from_utf8(dumps(&v, true, usize::MAX).unwrap()).unwrap(),
            r#"{"a":0,"b":{"x":3,"y":2},"k":2}"#
        );
        // Many keys, each twice: one pass of sorting, not a scan per key.
        let many: Vec<String> = (0..40_000)
            .map(|i| format!(r#""k{}":{i}"#, i % 20_000))
            .collect();
        let v = parse(&format!("{{{}}}", many.join(","))).unwrap();
        let PyJson::Dict(pairs) = &v else {
            panic!("not a dict")
        };
        assert_eq!(pairs.len(), 20_000);
        assert_eq!(python_str(v.get("k7")).unwrap(), "20007");
        // Only hex digits in `\u` escapes, as Python's C scanner.
        assert_eq!(parse(r#""\u+041""#), None);
        assert_eq!(parse(r#""\u0041""#), Some(PyJson::Str(vec![0x41])));
        assert_eq!(parse("{"), None);
        assert_eq!(parse("[1,]"), None);
        assert_eq!(parse("01"), None);
        assert_eq!(parse(&"[".repeat(100_000)), None);
    }

    #[test]
    fn python_str_of_scalars() {
        let v = parse(r#"{"t": 1774970000, "f": 1.5, "n": null, "b": true, "s": "x"}"#).unwrap();
        assert_eq!(python_str(v.get("t")).unwrap(), "1774970000");
        assert_eq!(python_str(v.get("f")).unwrap(), "1.5");
        assert_eq!(python_str(v.get("n")).unwrap(), "None");
        assert_eq!(python_str(v.get("b")).unwrap(), "True");
        assert_eq!(python_str(v.get("s")).unwrap(), "x");
        assert_eq!(python_str(v.get("missing")).unwrap(), "");
    }
}
