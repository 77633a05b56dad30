//! The token form every status table matches on: case, spaces, dashes and
//! underscores folded, so `Kyc Expired`, `KYC_EXPIRED` and `kyc expired` are one.
//! Plain text functions; nothing here knows a session or a provider.

/// The form statuses are compared in: trimmed, ASCII lower case, runs of spaces,
/// dashes and underscores turned into one `_`. So `Kyc Expired`,
/// `KYC_EXPIRED` and `kyc expired` are all `kyc_expired`.
///
/// Built on the stack (this runs for every status and check of every
/// session); text longer than any known status becomes `"?"`, which matches
/// nothing.
pub fn token(text: &str) -> Token {
    let mut out = Token {
        buf: [0; TOKEN_MAX],
        len: 0,
    };
    let mut pending_sep = false;
    for &b in text.trim().as_bytes() {
        if b == b' ' || b == b'_' || b == b'-' || b == b'\t' {
            pending_sep = out.len > 0;
            continue;
        }
        let needed = if pending_sep { 2 } else { 1 };
        if out.len + needed > TOKEN_MAX || !b.is_ascii() {
            // Longer than any status, or not ASCII: matches no table row.
            return Token {
                buf: [b'?'; TOKEN_MAX],
                len: 1,
            };
        }
        if pending_sep {
            out.buf[out.len] = b'_';
            out.len += 1;
            pending_sep = false;
        }
        // Statuses are ASCII; ASCII folding keeps Unicode case tables out of the wasm.
        out.buf[out.len] = b.to_ascii_lowercase();
        out.len += 1;
    }
    out
}

const TOKEN_MAX: usize = 48;

/// A status in [`token`] form, on the stack.
#[derive(Clone, Copy)]
pub struct Token {
    buf: [u8; TOKEN_MAX],
    len: usize,
}

impl Token {
    /// The token text.
    pub fn as_str(&self) -> &str {
        // Only ASCII bytes are ever written.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("?")
    }
}

impl PartialEq<&str> for Token {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq for Token {
    fn eq(&self, other: &Token) -> bool {
        self.as_str() == other.as_str()
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

/// True when `documented` (a table spelling such as `Kyc Expired` or
/// `IDV_AGE_CHECK`) is `token` once folded. Table spellings have no leading or
/// trailing blanks and single separators, so folding is byte by byte; a test
/// checks every table against [`token`].
pub fn matches(documented: &str, token: &Token) -> bool {
    let doc = documented.as_bytes();
    let tok = &token.buf[..token.len];
    doc.len() == tok.len() && doc.iter().zip(tok).all(|(&d, &t)| fold(d) == t)
}

/// `documented` is the start of `token` once folded (for `PSC_*` rows).
pub fn matches_prefix(documented: &str, token: &Token) -> bool {
    let doc = documented.as_bytes();
    let tok = &token.buf[..token.len];
    doc.len() <= tok.len() && doc.iter().zip(tok).all(|(&d, &t)| fold(d) == t)
}

fn fold(b: u8) -> u8 {
    match b {
        b' ' | b'-' | b'\t' => b'_',
        _ => b.to_ascii_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_folds_case_spaces_and_underscores() {
        assert_eq!(token("Kyc Expired"), "kyc_expired");
        assert_eq!(token("KYC_EXPIRED"), "kyc_expired");
        assert_eq!(token("  in   review "), "in_review");
        assert_eq!(token("OUT-OF-DATE"), "out_of_date");
        assert_eq!(token("_x_"), "x");
        assert_eq!(token(""), "");
        assert_eq!(token("Déclined"), "?");
        assert_eq!(token(&"a".repeat(200)), "?");
        assert_eq!(token(&"a".repeat(48)), "a".repeat(48).as_str());
    }
}
