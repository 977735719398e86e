//! The inventory as an aligned table for a terminal: one container per
//! line, `path:line` first (what editors and terminals open), then name,
//! platform, image, seccomp state and the findings that apply; a summary
//! line of how many containers are in each state; files that could not be
//! read, as the scan's report says them. Cells longer than [`CELL`]
//! columns are cut with `…`, so a generated name cannot push the table off
//! the screen — all but the location, which people copy into an editor;
//! widths count terminal columns (`unicode-width`).

use std::collections::BTreeMap;
use std::io::Write;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::Entry;
use crate::diagnostic::Severity;
use crate::report::Context;
use crate::report::human::clean;
use crate::scan::ScanResult;

/// Widest cell, in terminal columns.
pub const CELL: usize = 60;

pub fn write(out: &mut dyn Write, result: &ScanResult, ctx: &Context) -> std::io::Result<()> {
    let rows: Vec<[String; 6]> = result.inventory.iter().map(|e| cells(e, ctx)).collect();
    let header = [
        "LOCATION", "NAME", "PLATFORM", "IMAGE", "SECCOMP", "FINDINGS",
    ]
    .map(String::from);
    let mut widths = header.clone().map(|h| h.width());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    if !rows.is_empty() {
        line(out, &header, &widths)?;
        for row in &rows {
            line(out, row, &widths)?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{}", summary(&result.inventory, result.files_scanned))?;
    let mut failed = 0;
    for d in &result.diagnostics {
        if d.severity() != Severity::Error {
            continue;
        }
        failed += 1;
        let at = match (d.position, d.char_column) {
            (Some(p), Some(c)) => format!(":{}:{c}", p.line),
            (Some(p), None) => format!(":{}:{}", p.line, p.column),
            _ => String::new(),
        };
        // A message may quote the file (a syscall name with a DEL in it).
        writeln!(
            out,
            "error: {}{at}: {}",
            clean(&ctx.relative(&d.path)),
            clean(&d.problem.to_string())
        )?;
    }
    if failed > 0 {
        writeln!(
            out,
            "containers in the {} that could not be read are not listed",
            if failed == 1 {
                "file above"
            } else {
                "files above"
            }
        )?;
    }
    Ok(())
}

fn cells(e: &Entry, ctx: &Context) -> [String; 6] {
    let findings: Vec<String> = e
        .findings
        .iter()
        .map(|a| {
            if a.suppressed {
                format!("({})", a.rule)
            } else {
                a.rule.to_string()
            }
        })
        .collect();
    let mut cells = [
        format!("{}:{}", ctx.relative(&e.path), e.position.line),
        e.name.clone(),
        e.platform.clone(),
        e.image.clone().unwrap_or_else(|| "-".into()),
        e.seccomp.to_string(),
        if findings.is_empty() {
            "-".into()
        } else {
            findings.join(" ")
        },
    ];
    for cell in cells.iter_mut().skip(1) {
        *cell = cut(cell);
    }
    cells
}

fn line(out: &mut dyn Write, row: &[String; 6], widths: &[usize; 6]) -> std::io::Result<()> {
    let mut text = String::new();
    for (k, (cell, w)) in row.iter().zip(widths).enumerate() {
        text.push_str(cell);
        if k + 1 < row.len() {
            text.push_str(&" ".repeat(w - cell.width() + 2));
        }
    }
    writeln!(out, "{}", text.trim_end())
}

/// `text` cut to [`CELL`] columns, with `…` where it was cut; control
/// characters (a line break in a name) shown as spaces.
fn cut(text: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in text.chars() {
        let c = if c.is_control() { ' ' } else { c };
        let w = c.width().unwrap_or(0);
        if width + w > CELL - 1 {
            out.push('…');
            return out;
        }
        width += w;
        out.push(c);
    }
    out
}

/// "5 containers in 3 files: 2 default, 1 unconfined, …".
fn summary(entries: &[Entry], files_scanned: usize) -> String {
    let mut files: Vec<&std::path::Path> = entries.iter().map(|e| e.path.as_path()).collect();
    files.sort();
    files.dedup();
    let mut states: BTreeMap<&'static str, usize> = BTreeMap::new();
    for e in entries {
        *states.entry(e.seccomp.kind()).or_default() += 1;
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut s = format!(
        "{} in {} ({} scanned)",
        plural(entries.len(), "container", "containers"),
        plural(files.len(), "file", "files"),
        plural(files_scanned, "file", "files"),
    );
    if !states.is_empty() {
        let parts: Vec<String> = states.iter().map(|(k, n)| format!("{n} {k}")).collect();
        s.push_str(": ");
        s.push_str(&parts.join(", "));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_cells_are_cut_to_the_width() {
        let long = "x".repeat(200);
        let c = cut(&long);
        assert_eq!(c.width(), CELL);
        assert!(c.ends_with('…'));
        assert_eq!(cut("a\nb"), "a b");
        // Wide characters count two columns.
        assert!(cut(&"漢".repeat(100)).width() <= CELL);
    }
}
