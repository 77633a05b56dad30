//! The JSON reader: RFC 8259 text to a borrowed [`Json`] tree, with the
//! fields nobody reads skipped (checked, never built) and a list's rows
//! handed out one by one.
//!
//! Strict on syntax (what `JSON.parse` refuses is refused), lenient on one
//! thing `JSON.parse` accepts: an escaped lone surrogate (`"\ud800"`, which
//! `JSON.stringify` writes for a string holding half an emoji) becomes U+FFFD,
//! as `TextEncoder` turns such a string into UTF-8. Nesting deeper than
//! [`MAX_DEPTH`] is an error, not a stack overflow.

use super::tree::Json;
use std::borrow::Cow;
use std::fmt;

/// The message of the error that stops a read when a row sink says so
/// (`stream_rows`).
pub const STOPPED: &str = "stopped by the row callback";

/// Arrays and objects nested deeper than this are refused (the reader
/// recurses; so does dropping a tree). serde_json's limit.
pub const MAX_DEPTH: u32 = 128;

/// Why a text is not JSON, and where (1-based line and column, in bytes).
#[derive(Debug, Clone, PartialEq)]
pub struct JsonError {
    problem: Cow<'static, str>,
    line: usize,
    column: usize,
}

impl JsonError {
    /// The error that ends a read when a row sink says stop.
    pub(super) fn stopped() -> JsonError {
        JsonError {
            problem: Cow::Borrowed(STOPPED),
            line: 0,
            column: 0,
        }
    }

    /// What is wrong, without the position.
    pub fn problem(&self) -> &str {
        &self.problem
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.problem, self.line, self.column
        )
    }
}

impl std::error::Error for JsonError {}

/// What a list's rows are handed to while they are read (their index, the row).
pub type RowSink<'a, 'f> = dyn FnMut(usize, Json<'a>) -> Result<(), JsonError> + 'f;

/// A position in a JSON text.
pub struct Reader<'a> {
    text: &'a str,
    pos: usize,
    depth: u32,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text`.
    pub fn new(text: &'a str) -> Self {
        Reader {
            text,
            pos: 0,
            depth: 0,
        }
    }

    /// An error at the current position.
    pub fn error(&self, problem: impl Into<Cow<'static, str>>) -> JsonError {
        let before = self.text.as_bytes().get(..self.pos).unwrap_or_default();
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        JsonError {
            problem: problem.into(),
            line: 1 + before.iter().filter(|&&b| b == b'\n').count(),
            column: self.pos - line_start + 1,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    /// Only whitespace is left.
    ///
    /// # Errors
    /// When anything else follows the value.
    pub fn end(&mut self) -> Result<(), JsonError> {
        self.skip_ws();
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error("trailing characters")),
        }
    }

    fn expect(&mut self, byte: u8, problem: &'static str) -> Result<(), JsonError> {
        self.skip_ws();
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.eof_or(problem))
        }
    }

    fn eof_or(&self, problem: &'static str) -> JsonError {
        if self.pos >= self.text.len() {
            self.error("EOF while parsing a value")
        } else {
            self.error(problem)
        }
    }

    /// Past a `[` or `{`, one level deeper.
    fn open(&mut self) -> Result<(), JsonError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error("recursion limit exceeded"));
        }
        self.depth += 1;
        self.pos += 1;
        Ok(())
    }

    /// Reads an array's items (past its `[`) with `item`, through its `]`.
    fn items(
        &mut self,
        mut item: impl FnMut(&mut Self, usize) -> Result<(), JsonError>,
    ) -> Result<(), JsonError> {
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        let mut index = 0;
        loop {
            item(self, index)?;
            index += 1;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(self.eof_or("expected `,` or `]`")),
            }
        }
    }

    /// Reads an object's fields (past its `{`) through its `}`: `field` reads
    /// each value and keeps it (`Some`) or skips it (`None`).
    fn fields(
        &mut self,
        capacity: usize,
        mut field: impl FnMut(&mut Self, &str) -> Result<Option<Json<'a>>, JsonError>,
    ) -> Result<Vec<(Cow<'a, str>, Json<'a>)>, JsonError> {
        let mut pairs = Vec::with_capacity(capacity);
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(pairs);
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.eof_or("key must be a string"));
            }
            let key = self.string()?;
            self.expect(b':', "expected `:`")?;
            if let Some(value) = field(self, &key)? {
                pairs.push((key, value));
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(pairs);
                }
                _ => return Err(self.eof_or("expected `,` or `}`")),
            }
        }
    }

    /// The next value, built in full.
    ///
    /// # Errors
    /// When the text there is not a JSON value.
    pub fn value(&mut self) -> Result<Json<'a>, JsonError> {
        self.skip_ws();
        match self.peek() {
            Some(b'{') => {
                self.open()?;
                self.fields(0, |r, _| r.value().map(Some)).map(Json::Object)
            }
            Some(b'[') => {
                self.open()?;
                let mut items = Vec::new();
                self.items(|r, _| {
                    items.push(r.value()?);
                    Ok(())
                })?;
                Ok(Json::Array(items))
            }
            Some(b'"') => self.string().map(Json::Str),
            _ => self.scalar(),
        }
    }

    /// Skips the next value, checking it is JSON, building nothing.
    pub fn skip_value(&mut self) -> Result<(), JsonError> {
        self.skip_ws();
        match self.peek() {
            Some(b'{') => {
                self.open()?;
                // Keys are read as when building (borrowed unless escaped),
                // values skipped: nothing is kept.
                self.fields(0, |r, _| r.skip_value().map(|()| None))
                    .map(drop)
            }
            Some(b'[') => {
                self.open()?;
                self.items(|r, _| r.skip_value())
            }
            Some(b'"') => self.skip_string(),
            Some(b'-' | b'0'..=b'9') => self.number_end().map(drop),
            _ => self.scalar().map(drop),
        }
    }

    /// `null`, `true`, `false` or a number.
    fn scalar(&mut self) -> Result<Json<'a>, JsonError> {
        let rest = self.text.as_bytes().get(self.pos..).unwrap_or_default();
        let (value, len) = match rest.first() {
            Some(b'n') if rest.starts_with(b"null") => (Json::Null, 4),
            Some(b't') if rest.starts_with(b"true") => (Json::Bool(true), 4),
            Some(b'f') if rest.starts_with(b"false") => (Json::Bool(false), 5),
            Some(b'-' | b'0'..=b'9') => return self.number(),
            None => return Err(self.error("EOF while parsing a value")),
            Some(_) => return Err(self.error("expected value")),
        };
        self.pos += len;
        Ok(value)
    }

    /// Past a number, checking its grammar; whether it is an integer.
    fn number_end(&mut self) -> Result<bool, JsonError> {
        let bytes = self.text.as_bytes();
        let digits = |mut i: usize| {
            while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            i
        };
        let mut i = self.pos;
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        match bytes.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => i = digits(i + 1),
            _ => {
                self.pos = i;
                return Err(self.eof_or("invalid number"));
            }
        }
        let mut integer = true;
        if bytes.get(i) == Some(&b'.') {
            let end = digits(i + 1);
            if end == i + 1 {
                self.pos = end;
                return Err(self.eof_or("invalid number"));
            }
            i = end;
            integer = false;
        }
        if let Some(b'e' | b'E') = bytes.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = bytes.get(i) {
                i += 1;
            }
            let end = digits(i);
            if end == i {
                self.pos = end;
                return Err(self.eof_or("invalid number"));
            }
            i = end;
            integer = false;
        }
        self.pos = i;
        Ok(integer)
    }

    /// A number: `Int` when it is an integer that fits in `i64`, else the
    /// nearest `f64` (correctly rounded: the digits Didit signs survive).
    fn number(&mut self) -> Result<Json<'a>, JsonError> {
        let start = self.pos;
        let integer = self.number_end()?;
        let text = self.text.get(start..self.pos).unwrap_or_default();
        if integer {
            let (negative, digits) = match text.strip_prefix('-') {
                Some(digits) => (true, digits),
                None => (false, text),
            };
            if let Ok(magnitude) = digits.parse::<u64>() {
                return Ok(match (negative, i64::try_from(magnitude)) {
                    // `-0` is a float, as in serde_json (and JS).
                    (true, _) if magnitude == 0 => Json::Float(-0.0),
                    (true, Ok(m)) => Json::Int(-m),
                    (true, Err(_)) if magnitude == 1 << 63 => Json::Int(i64::MIN),
                    (false, Ok(m)) => Json::Int(m),
                    // Beyond i64: the nearest float.
                    (_, Err(_)) => Json::Float(text.parse().unwrap_or(f64::NAN)),
                });
            }
        }
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Json::Float(f)),
            _ => {
                self.pos = start;
                Err(self.error("number out of range"))
            }
        }
    }

    /// A string (at its opening quote): borrowed from the text when it has
    /// no escapes.
    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        let bytes = self.text.as_bytes();
        let start = self.pos + 1;
        let mut end = plain_end::<false>(bytes, start);
        if bytes.get(end) == Some(&b'"') {
            self.pos = end + 1;
            return Ok(Cow::Borrowed(self.text.get(start..end).unwrap_or_default()));
        }
        let mut owned = String::with_capacity(end - start + 16);
        let mut from = start;
        loop {
            // `from..end` holds no quote, backslash or control character: all
            // of it is text (and `end` is at an ASCII byte, a char boundary).
            owned.push_str(self.text.get(from..end).unwrap_or_default());
            self.pos = end;
            match bytes.get(end) {
                Some(b'"') => {
                    self.pos = end + 1;
                    return Ok(Cow::Owned(owned));
                }
                Some(b'\\') => {
                    self.pos = end + 1;
                    let c = self.escape()?;
                    owned.push(c);
                }
                Some(_) => return Err(self.error("control character in a string")),
                None => return Err(self.error("EOF while parsing a string")),
            }
            from = self.pos;
            end = plain_end::<false>(bytes, from);
        }
    }

    /// Past a string (at its opening quote), checking its escapes.
    fn skip_string(&mut self) -> Result<(), JsonError> {
        let bytes = self.text.as_bytes();
        let mut end = plain_end::<false>(bytes, self.pos + 1);
        loop {
            self.pos = end;
            match bytes.get(end) {
                Some(b'"') => {
                    self.pos = end + 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos = end + 1;
                    self.escape()?;
                }
                Some(_) => return Err(self.error("control character in a string")),
                None => return Err(self.error("EOF while parsing a string")),
            }
            end = plain_end::<false>(bytes, self.pos);
        }
    }

    /// The character of an escape (past its backslash).
    fn escape(&mut self) -> Result<char, JsonError> {
        let byte = self.peek();
        self.pos += 1;
        Ok(match byte {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let unit = self.hex4()?;
                match unit {
                    0xD800..=0xDBFF => {
                        // A high surrogate: with the low one after it, one
                        // character; alone, U+FFFD.
                        let rest = self.text.as_bytes().get(self.pos..).unwrap_or_default();
                        if rest.starts_with(b"\\u") {
                            let back = self.pos;
                            self.pos += 2;
                            let low = self.hex4()?;
                            if (0xDC00..=0xDFFF).contains(&low) {
                                let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                                return Ok(char::from_u32(c).unwrap_or('\u{fffd}'));
                            }
                            // Not a pair: the second escape is read on its own.
                            self.pos = back;
                        }
                        '\u{fffd}'
                    }
                    _ => char::from_u32(unit).unwrap_or('\u{fffd}'),
                }
            }
            None => return Err(self.error("EOF while parsing a string")),
            Some(_) => {
                self.pos -= 1;
                return Err(self.error("invalid escape"));
            }
        })
    }

    /// Four hex digits of a `\u` escape.
    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut unit = 0;
        for _ in 0..4 {
            let digit = self.peek().and_then(|b| char::from(b).to_digit(16));
            let Some(digit) = digit else {
                return Err(self.eof_or("invalid escape"));
            };
            unit = unit * 16 + digit;
            self.pos += 1;
        }
        Ok(unit)
    }

    /// A session object: only the fields `keep` names are built, the others
    /// skipped. Anything but an object is built in full.
    fn row(&mut self, keep: fn(&str) -> bool) -> Result<Json<'a>, JsonError> {
        self.skip_ws();
        if self.peek() != Some(b'{') {
            return self.value();
        }
        self.open()?;
        // A session keeps at most about fifteen fields: sized once.
        self.fields(16, |r, key| {
            if keep(key) {
                r.value().map(Some)
            } else {
                r.skip_value().map(|()| None)
            }
        })
        .map(Json::Object)
    }

    /// A list's rows: an array's items are read with [`Reader::row`] and
    /// collected, or handed to `sink` (the array is then left empty).
    /// Anything but an array is built in full.
    fn rows<'f>(
        &mut self,
        keep: fn(&str) -> bool,
        mut sink: Option<&mut RowSink<'a, 'f>>,
    ) -> Result<Json<'a>, JsonError> {
        self.skip_ws();
        if self.peek() != Some(b'[') {
            return self.value();
        }
        self.open()?;
        let mut items = Vec::new();
        self.items(|r, index| {
            let row = r.row(keep)?;
            match sink.as_mut() {
                Some(sink) => sink(index, row),
                None => {
                    items.push(row);
                    Ok(())
                }
            }
        })?;
        Ok(Json::Array(items))
    }

    /// A provider's body: a bare array of sessions, a list object whose
    /// `rows` field holds them, or (`rows` is `None`) one session, pruned
    /// by `keep` when its rows are collected.
    ///
    /// # Errors
    /// When the text is not JSON, a list object has its rows twice while
    /// they are streamed, or `sink` fails.
    pub fn body<'f>(
        &mut self,
        rows: Option<&str>,
        keep: fn(&str) -> bool,
        mut sink: Option<&mut RowSink<'a, 'f>>,
    ) -> Result<Json<'a>, JsonError> {
        self.skip_ws();
        match self.peek() {
            Some(b'[') => self.rows(keep, sink),
            Some(b'{') => {
                self.open()?;
                let streaming = sink.is_some();
                let mut seen = false;
                self.fields(if rows.is_some() { 4 } else { 16 }, |r, key| match rows {
                    Some(field) if key == field => {
                        // Rows streamed twice would be read as one list:
                        // refused, as the parsed-tree path refuses them.
                        if streaming && std::mem::replace(&mut seen, true) {
                            return Err(r.error(format!("the list body has `{key}` twice")));
                        }
                        r.rows(keep, sink.as_deref_mut()).map(Some)
                    }
                    None if !streaming && !keep(key) => r.skip_value().map(|()| None),
                    _ => r.value().map(Some),
                })
                .map(Json::Object)
            }
            _ => self.value(),
        }
    }
}

/// The index of the first quote, backslash or control character at or after
/// `from` (and with `BEYOND_ASCII`, of the first byte beyond ASCII), or the
/// text's length: eight bytes at a time. The reader's strings end there; the
/// sessions' writer escapes from there.
pub(crate) fn plain_end<const BEYOND_ASCII: bool>(bytes: &[u8], mut from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = bytes.get(from..from + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let quote = x ^ (ONES * u64::from(b'"'));
        let backslash = x ^ (ONES * u64::from(b'\\'));
        // Each term's lowest set high bit marks a byte that is zero (so
        // `"` or `\`) or below 0x20, or (`x`) beyond ASCII; bits above it
        // may be false, never below.
        let found = ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (x.wrapping_sub(ONES * 0x20) & !x)
            | if BEYOND_ASCII { x } else { 0 })
            & HIGH;
        if found != 0 {
            return from + (found.trailing_zeros() / 8) as usize;
        }
        from += 8;
    }
    while let Some(&b) = bytes.get(from) {
        if b == b'"' || b == b'\\' || b < 0x20 || (BEYOND_ASCII && b >= 0x80) {
            return from;
        }
        from += 1;
    }
    bytes.len().max(from)
}
