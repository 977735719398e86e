//! The inventory as JSON, schema `seccheck-inventory-v1` (versioned like
//! the scan's `seccheck-json-v1`: a consumer can rely on the shape, and a
//! change to it gets a new name).
//!
//! ```json
//! {"schema": "seccheck-inventory-v1", "version": "0.1.0",
//!  "column_kind": "utf16CodeUnits",
//!  "containers": [{"path": "compose.yaml", "line": 2, "column": 3,
//!    "name": "service `db`", "platform": "compose", "image": "postgres:16",
//!    "seccomp": {"state": "profile", "text": "profile ./p.json (confining)",
//!                "profile": "./p.json", "verdict": "confining"},
//!    "findings": [{"rule": "seccomp-profile-permissive", "level": "error",
//!                  "suppressed": false}]}],
//!  "diagnostics": [{"path": "broken.yaml", "line": 3, "column": 1,
//!    "severity": "error", "message": "not valid YAML: …"}],
//!  "files_scanned": 12}
//! ```
//! `seccomp.state` is one of `default`, `runtime-default`, `profile`,
//! `unconfined`, `privileged`, `widened`, `unset`, `templated`; `text` is
//! the state as the table shows it. With `profile`: `profile` (the path as
//! written, `localhost/<name>` for a Kubernetes Localhost profile) and
//! `verdict`, one of `confining`, `permissive`, `engine-default`,
//! `on-host`, `unresolved`, with `reason` for the last three and the
//! finding's `level` for `permissive`. With `widened`: `widened_by`
//! (capability names, most dangerous first) and `base` (`default` or
//! `runtime-default`). `image` is null when no image is written literally.
//! Lines and columns are 1-based, columns in UTF-16 code units.

use std::io::Write;

use serde::Serialize;

use super::{Entry, State, Verdict};
use crate::finding::Level;
use crate::report::Context;
use crate::scan::ScanResult;

pub const SCHEMA: &str = "seccheck-inventory-v1";

#[derive(Serialize)]
struct Output {
    schema: &'static str,
    version: &'static str,
    column_kind: &'static str,
    containers: Vec<Container>,
    diagnostics: Vec<crate::report::json::JsonDiagnostic>,
    files_scanned: usize,
}

#[derive(Serialize)]
struct Container {
    path: String,
    line: usize,
    column: usize,
    name: String,
    platform: String,
    image: Option<String>,
    seccomp: Seccomp,
    findings: Vec<Applied>,
}

#[derive(Serialize)]
struct Seccomp {
    state: &'static str,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verdict: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<Level>,
    #[serde(skip_serializing_if = "Option::is_none")]
    widened_by: Option<Vec<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    base: Option<&'static str>,
}

#[derive(Serialize)]
struct Applied {
    rule: &'static str,
    level: Level,
    suppressed: bool,
}

fn seccomp(state: &State) -> Seccomp {
    let mut s = Seccomp {
        state: state.kind(),
        text: state.to_string(),
        profile: None,
        verdict: None,
        reason: None,
        level: None,
        widened_by: None,
        base: None,
    };
    match state {
        State::Profile { path, verdict } => {
            s.profile = Some(path.clone());
            s.verdict = Some(verdict.kind());
            match verdict {
                Verdict::Permissive(level) => s.level = Some(*level),
                Verdict::EngineDefault(which) => s.reason = Some(format!("{which} default")),
                Verdict::OnHost => {
                    s.reason = Some("a file on the host, which the repository cannot show".into())
                }
                Verdict::Unresolved(why) => s.reason = Some(why.clone()),
                Verdict::Confining => {}
            }
        }
        State::Widened {
            by,
            runtime_default,
        } => {
            s.widened_by = Some(by.clone());
            s.base = Some(if *runtime_default {
                "runtime-default"
            } else {
                "default"
            });
        }
        _ => {}
    }
    s
}

pub fn write(out: &mut dyn Write, result: &ScanResult, ctx: &Context) -> std::io::Result<()> {
    let output = Output {
        schema: SCHEMA,
        version: env!("CARGO_PKG_VERSION"),
        column_kind: "utf16CodeUnits",
        containers: result.inventory.iter().map(|e| container(e, ctx)).collect(),
        diagnostics: crate::report::json::diagnostics(result, ctx),
        files_scanned: result.files_scanned,
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    writeln!(out)
}

fn container(e: &Entry, ctx: &Context) -> Container {
    Container {
        path: ctx.relative(&e.path),
        line: e.position.line,
        column: e.position.column,
        name: e.name.clone(),
        platform: e.platform.clone(),
        image: e.image.clone(),
        seccomp: seccomp(&e.seccomp),
        findings: e
            .findings
            .iter()
            .map(|a| Applied {
                rule: a.rule,
                level: a.level,
                suppressed: a.suppressed,
            })
            .collect(),
    }
}
