//! seccheck's own JSON: one object with a schema version from the first
//! release (`seccheck-json-v1`), so that consumers can rely on the shape.
//!
//! ```json
//! {"schema": "seccheck-json-v1", "version": "0.1.0",
//!  "column_kind": "utf16CodeUnits",
//!  "findings": [{"rule": "seccomp-unconfined", "level": "error",
//!    "message": "...", "subjects": ["service `db`"],
//!    "location": {"path": "compose.yaml", "start": {"line": 7, "column": 9},
//!                 "end": {"line": 7, "column": 27}, "text": "seccomp:unconfined"},
//!    "related": [{"message": "...", "location": {...}}],
//!    "fingerprint": "…", "suppressed": null}],
//!  "diagnostics": [{"path": "broken.yaml", "line": 3, "column": 1,
//!    "severity": "error", "message": "not valid YAML: …"}],
//!  "files_scanned": 12}
//! ```
//! Lines and columns are 1-based; columns count UTF-16 code units (said in
//! `column_kind`, as SARIF's `columnKind` says it), so that JSON and SARIF
//! agree and a consumer in JavaScript or an LSP client can use them as they
//! are; the terminal report counts characters. `end` is exclusive.

use std::io::Write;

use serde::Serialize;

use super::Context;
use crate::diagnostic::Severity;
use crate::finding::Level;
use crate::scan::ScanResult;
use crate::source::{Location, Position};

pub const SCHEMA: &str = "seccheck-json-v1";

#[derive(Serialize)]
struct Output<'a> {
    schema: &'static str,
    version: &'static str,
    /// How `column` counts, in SARIF's words: UTF-16 code units.
    column_kind: &'static str,
    findings: Vec<JsonFinding<'a>>,
    diagnostics: Vec<JsonDiagnostic>,
    files_scanned: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'static str,
    level: Level,
    message: String,
    subjects: &'a [String],
    location: JsonLocation,
    related: Vec<JsonRelated>,
    fingerprint: String,
    suppressed: Option<&'a str>,
    /// The finding's own security-severity when it differs from the rule's.
    #[serde(skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

#[derive(Serialize)]
struct JsonLocation {
    path: String,
    start: Position,
    end: Position,
    text: String,
}

#[derive(Serialize)]
struct JsonRelated {
    message: String,
    location: JsonLocation,
}

/// A diagnostic as both JSON outputs write it (the scan report and the
/// inventory share this shape).
#[derive(Serialize)]
pub struct JsonDiagnostic {
    path: String,
    line: Option<usize>,
    column: Option<usize>,
    severity: Severity,
    message: String,
}

/// Every diagnostic of a scan, paths relative to the source root.
pub fn diagnostics(result: &ScanResult, ctx: &Context) -> Vec<JsonDiagnostic> {
    result
        .diagnostics
        .iter()
        .map(|d| JsonDiagnostic {
            path: ctx.relative(&d.path),
            line: d.position.map(|p| p.line),
            column: d.position.map(|p| p.column),
            severity: d.severity(),
            message: d.problem.to_string(),
        })
        .collect()
}

fn location(loc: &Location, ctx: &Context) -> JsonLocation {
    let (start, end) = super::region(loc);
    JsonLocation {
        path: ctx.relative(&loc.source.path),
        start,
        end,
        text: loc.text().to_string(),
    }
}

pub fn write(out: &mut dyn Write, result: &ScanResult, ctx: &Context) -> std::io::Result<()> {
    let output = Output {
        schema: SCHEMA,
        version: env!("CARGO_PKG_VERSION"),
        column_kind: "utf16CodeUnits",
        findings: result
            .findings
            .iter()
            .map(|f| JsonFinding {
                rule: f.rule.id,
                level: f.level,
                message: f.message(),
                subjects: &f.subjects,
                location: location(&f.location, ctx),
                related: f
                    .related
                    .iter()
                    .map(|r| JsonRelated {
                        message: r.message.clone(),
                        location: location(&r.location, ctx),
                    })
                    .collect(),
                fingerprint: f.fingerprint(&ctx.repo_path(&f.location.source.path)),
                suppressed: f.suppression.as_ref().map(|s| s.justification.as_str()),
                security_severity: f.security_severity,
            })
            .collect(),
        diagnostics: diagnostics(result, ctx),
        files_scanned: result.files_scanned,
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    writeln!(out)
}
