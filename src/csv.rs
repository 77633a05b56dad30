//! Sessions as CSV: one row per session, stable columns, RFC 4180 quoting
//! (CRLF line ends; fields with `,`, `"`, CR or LF quoted, quotes doubled),
//! and safe to open in a spreadsheet: a cell starting with `=`, `+`, `-`,
//! `@`, TAB or CR is prefixed with `'` so it is never run as a formula.

use crate::session::Session;

/// The columns, in order.
pub const COLUMNS: [&str; 16] = [
    "provider",
    "id",
    "key",
    "user_ref",
    "status",
    "provider_status",
    "provider_result",
    "is_terminal",
    "created_at",
    "updated_at",
    "verification_url",
    "return_url",
    "full_name",
    "country",
    "document_type",
    "checks",
];

/// One cell: neutralized against formulas, then quoted when needed.
fn push_cell(out: &mut String, value: &str) {
    let neutralized;
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        neutralized = format!("'{value}");
        neutralized.as_str()
    } else {
        value
    };
    if value.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

fn push_row<'a>(out: &mut String, cells: impl IntoIterator<Item = &'a str>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_cell(out, cell);
    }
    out.push_str("\r\n");
}

/// The full name, else first and last name joined.
fn full_name(p: &crate::session::Person) -> String {
    match &p.full_name {
        Some(name) => name.clone(),
        None => [&p.first_name, &p.last_name]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// The CSV text: a header row, then one row per session in the given order.
pub fn to_csv(sessions: &[Session]) -> String {
    let mut out = String::with_capacity(64 + sessions.len() * 256);
    push_row(&mut out, COLUMNS);
    for s in sessions {
        let person = s.person.as_ref();
        let checks = s
            .checks
            .iter()
            .map(|c| format!("{}:{}", c.kind.as_str(), c.status.as_str()))
            .collect::<Vec<_>>()
            .join(" ");
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let cells = [
            s.provider.as_str().to_string(),
            s.id.clone(),
            s.key.clone(),
            opt(&s.user_ref),
            s.status.as_str().to_string(),
            s.provider_status.clone(),
            opt(&s.provider_result),
            s.is_terminal.to_string(),
            s.created_at.clone(),
            opt(&s.updated_at),
            opt(&s.verification_url),
            opt(&s.return_url),
            person.map(full_name).unwrap_or_default(),
            person.and_then(|p| p.country.clone()).unwrap_or_default(),
            person
                .and_then(|p| p.document_type.clone())
                .unwrap_or_default(),
            checks,
        ];
        push_row(&mut out, cells.iter().map(String::as_str));
    }
    out
}
