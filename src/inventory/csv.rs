//! The inventory as CSV (RFC 4180: a header row, fields quoted when they
//! hold a comma, a quote or a line break, quotes doubled, CRLF line ends),
//! for spreadsheets and `csvkit`. The columns are the JSON schema's,
//! flattened: `findings` lists rule ids separated by spaces, a suppressed
//! one followed by `(suppressed)`. Written by hand: a quoting rule is not
//! worth a dependency.

use std::io::Write;

use super::State;
use crate::report::Context;
use crate::scan::ScanResult;

const HEADER: &[&str] = &[
    "path",
    "line",
    "column",
    "name",
    "platform",
    "image",
    "seccomp",
    "profile",
    "verdict",
    "widened_by",
    "findings",
];

pub fn write(out: &mut dyn Write, result: &ScanResult, ctx: &Context) -> std::io::Result<()> {
    row(out, HEADER.iter().map(|h| h.to_string()))?;
    for e in &result.inventory {
        let (profile, verdict, widened) = match &e.seccomp {
            State::Profile { path, verdict } => (path.clone(), verdict.to_string(), String::new()),
            State::Widened { by, .. } => (String::new(), String::new(), by.join(" ")),
            _ => Default::default(),
        };
        let findings: Vec<String> = e
            .findings
            .iter()
            .map(|a| {
                if a.suppressed {
                    format!("{} (suppressed)", a.rule)
                } else {
                    a.rule.to_string()
                }
            })
            .collect();
        row(
            out,
            [
                ctx.relative(&e.path),
                e.position.line.to_string(),
                e.position.column.to_string(),
                e.name.clone(),
                e.platform.clone(),
                e.image.clone().unwrap_or_default(),
                e.seccomp.kind().to_string(),
                profile,
                verdict,
                widened,
                findings.join(" "),
            ]
            .into_iter(),
        )?;
    }
    Ok(())
}

fn row(out: &mut dyn Write, fields: impl Iterator<Item = String>) -> std::io::Result<()> {
    let cells: Vec<String> = fields.map(|f| field(&f)).collect();
    write!(out, "{}\r\n", cells.join(","))
}

fn field(value: &str) -> String {
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_as_rfc_4180_says() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
    }
}
