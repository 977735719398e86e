//! GitHub Actions workflow commands: one `::error file=…::message` line per
//! finding, which the runner turns into annotations on the pull request's
//! diff — no upload and no `security-events` permission needed.
//!
//! Paths are relative to the source root (the repository root in CI), as
//! the runner resolves them.
//!
//! Escaping follows the runner's own `escapeData` / `escapeProperty`
//! (actions/toolkit `core/src/command.ts`): `%`, CR and LF in the message;
//! additionally `:` and `,` in property values, which would otherwise end
//! the value.

use std::io::Write;

use super::Context;
use crate::diagnostic::Severity;
use crate::finding::Level;
use crate::scan::ScanResult;

pub fn write(out: &mut dyn Write, result: &ScanResult, ctx: &Context) -> std::io::Result<()> {
    for f in result.findings.iter().filter(|f| f.suppression.is_none()) {
        let (start, end) = super::region(&f.location);
        let command = match f.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "notice",
        };
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&ctx.repo_path(&f.location.source.path)),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(&format!("{}: {}", f.rule.id, f.rule.title)),
            escape_data(&f.message()),
        )?;
    }
    for d in &result.diagnostics {
        // A file that could not be read or parsed may hide findings: an
        // error, so that it is not missed on the pull request.
        let command = match d.severity() {
            Severity::Error => "error",
            Severity::Notice => "notice",
        };
        let mut props = format!("file={}", escape_property(&ctx.repo_path(&d.path)));
        if let Some(p) = d.position {
            props.push_str(&format!(",line={},col={}", p.line, p.column));
        }
        writeln!(
            out,
            "::{command} {props},title=seccheck::{}",
            escape_data(&d.problem.to_string())
        )?;
    }
    Ok(())
}

/// A message: `%` first, so the escapes it introduces are not re-escaped.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A `key=value` property: also `:` (ends the properties) and `,` (ends the value).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escapes_percent_first_then_newlines() {
        assert_eq!(escape_data("100%\r\nnext"), "100%25%0D%0Anext");
        assert_eq!(escape_data("%0A"), "%250A");
        assert_eq!(escape_data("a: b, c"), "a: b, c");
    }

    #[test]
    fn properties_also_escape_colon_and_comma() {
        assert_eq!(
            escape_property("dir,x/a:b%.yaml\n"),
            "dir%2Cx/a%3Ab%25.yaml%0A"
        );
    }
}
