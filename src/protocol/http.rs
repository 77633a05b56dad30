//! HTTP requests and responses as plain data: what the providers build and
//! read, and what a transport sends. No I/O here.

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    /// `GET` or `POST`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// One request, built by the pure request builders.
///
/// `Debug` omits header values: they carry credentials.
#[derive(Clone, PartialEq)]
pub struct HttpRequest {
    /// GET or POST.
    pub method: Method,
    /// Absolute URL.
    pub url: String,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// Request body, when any.
    pub body: Option<String>,
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("header_names", &names)
            .field("body_len", &self.body.as_ref().map(String::len))
            .finish()
    }
}

impl HttpRequest {
    /// A header's value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The response headers the engine reads (transports fetch only these).
pub const RESPONSE_HEADERS: [&str; 8] = [
    "content-type",
    "retry-after",
    "x-number-of-pages",
    "x-number-of-items",
    "link",
    "x-ratelimit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
];

/// One response.
///
/// `Debug` shows the status, header names and the body's length: a body may
/// carry a token (the OAuth answer) or personal data.
#[derive(Clone, PartialEq, Default)]
pub struct HttpResponse {
    /// HTTP status code.
    pub status: u16,
    /// Lower-case header names and values (at least [`RESPONSE_HEADERS`] when present).
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub body: String,
}

impl std::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("header_names", &names)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl HttpResponse {
    /// A header's value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// What the `Link` header (RFC 8288) says of a next page: `Some(true)`
    /// with a `rel="next"` link, `Some(false)` with paging links (first,
    /// last, prev) but no next, `None` without paging links (a deprecation
    /// link says nothing of pages). Only what follows a link's URL (up to the
    /// first `>`, which a URL cannot hold) is read; a piece without one is
    /// part of a URL that held a comma.
    pub fn link_next(&self) -> Option<bool> {
        let mut paging = false;
        for value in self.header("link")?.split(',') {
            let Some((_, params)) = value.split_once('>') else {
                continue;
            };
            for param in params.split(';') {
                let Some((name, rels)) = param.split_once('=') else {
                    continue;
                };
                if !name.trim().eq_ignore_ascii_case("rel") {
                    continue;
                }
                for rel in rels.trim().trim_matches('"').split_ascii_whitespace() {
                    if rel.eq_ignore_ascii_case("next") {
                        return Some(true);
                    }
                    paging |= ["first", "last", "prev", "previous"]
                        .iter()
                        .any(|p| rel.eq_ignore_ascii_case(p));
                }
            }
        }
        paging.then_some(false)
    }
}

#[cfg(test)]
mod tests {
    use super::HttpResponse;

    #[test]
    fn a_link_header_says_whether_a_next_page_follows() {
        let with = |link: &str| HttpResponse {
            headers: vec![("link".into(), link.into())],
            ..HttpResponse::default()
        };
        for (link, next) in [
            (
                r#"<https://a/x?page=2>; rel="next", <https://a/x?page=9>; rel="last""#,
                Some(true),
            ),
            (r#"<https://a/x?status=a,b&page=2>; rel=next"#, Some(true)),
            (
                r#"<https://a/x?page=3>; title="t"; rel="prev next""#,
                Some(true),
            ),
            (
                r#"<https://a/x?page=1>; rel="first", <https://a/x?page=2>; rel="prev""#,
                Some(false),
            ),
            (
                r#"<https://a/x?page=1>; rel="prev", <https://a/x?page=3>; rel="next"; title="Next >""#,
                Some(true),
            ),
            (r#"<https://a/x?q=x;rel=next,y>; rel="prev""#, Some(false)),
            (r#"<https://a/docs/deprecation>; rel="deprecation""#, None),
            (r#"<https://a/x?next=1>; rel="alternate""#, None),
        ] {
            assert_eq!(with(link).link_next(), next, "{link}");
        }
        assert_eq!(HttpResponse::default().link_next(), None);
    }
}
