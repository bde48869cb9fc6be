//! CSV (RFC 4180): a header row, CRLF line ends, fields quoted when needed.

/// Renders rows as CSV; the first row is the header.
pub fn render(rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for row in rows {
        let fields: Vec<String> = row.iter().map(|f| field(f)).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

fn field(f: &str) -> String {
    // A leading = + - @ TAB CR would be run as a formula by spreadsheets
    // (OWASP's list): quote and prefix it.
    let f = if f.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{f}")
    } else {
        f.to_string()
    };
    if f.contains([',', '"', '\n', '\r']) || f.starts_with('\'') {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_what_needs_quoting() {
        let rows = vec![
            vec!["a".into(), "b,c".into()],
            vec!["say \"hi\"".into(), "=1+1".into()],
        ];
        assert_eq!(
            super::render(&rows),
            "a,\"b,c\"\r\n\"say \"\"hi\"\"\",\"'=1+1\"\r\n"
        );
    }

    #[test]
    fn neutralises_every_formula_start_owasp_lists() {
        for start in ["=", "+", "-", "@", "\t", "\r"] {
            let f = format!("{start}cmd|' /C calc'!A0");
            let out = super::render(&[vec![f.clone()]]);
            assert_eq!(out, format!("\"'{f}\"\r\n"), "{start:?}");
        }
    }
}
