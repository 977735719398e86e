//! GitLab Code Quality: the JSON array a job publishes as
//! `artifacts:reports:codequality`, which merge requests show in their
//! widget (and, on higher tiers, in the diff).
//!
//! GitLab reads a subset of the Code Climate issue format
//! (<https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format>):
//! `description`, `check_name`, `fingerprint`, `severity` (one of `info`,
//! `minor`, `major`, `critical`, `blocker`), `location.path` relative to the
//! repository root and `location.lines.begin`. `type` and `categories` are
//! what Code Climate's own spec requires; GitLab ignores them.
//!
//! GitLab decides which issues a merge request introduces or resolves by
//! comparing fingerprints between the two branches' reports, and shows only
//! the first issue of a fingerprint: the fingerprints are SARIF's
//! (rule, file, container and value, plus an occurrence count), so moved
//! code is not a new issue and two identical values stay two issues.
//!
//! Severity follows the finding's level after `[rules.levels]`: an error is
//! `critical`, or `blocker` when its rule's security-severity is 9.0 or more
//! (privileged mode, a daemon without seccomp: the band GitHub calls
//! critical); a warning is `major`; a note is `minor`. Suppressed findings
//! are left out (Code Quality has no notion of a reviewed exception), and so
//! are files that could not be read: they are not issues in the code.

use std::io::Write;

use serde::Serialize;

use super::Context;
use super::sarif::fingerprints;
use crate::finding::{Finding, Level};
use crate::scan::ScanResult;

#[derive(Serialize)]
struct Issue {
    #[serde(rename = "type")]
    kind: &'static str,
    check_name: &'static str,
    description: String,
    categories: [&'static str; 1],
    severity: &'static str,
    fingerprint: String,
    location: IssueLocation,
}

#[derive(Serialize)]
struct IssueLocation {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

pub fn write(out: &mut dyn Write, result: &ScanResult, ctx: &Context) -> std::io::Result<()> {
    let issues: Vec<Issue> = result
        .findings
        .iter()
        .zip(fingerprints(&result.findings, ctx))
        .filter(|(f, _)| f.suppression.is_none())
        .map(|(f, fingerprint)| {
            let (start, end) = f.location.source.region(f.location.span);
            Issue {
                kind: "issue",
                check_name: f.rule.id,
                description: f.message(),
                categories: ["Security"],
                severity: severity(f),
                fingerprint,
                location: IssueLocation {
                    path: ctx.repo_path(&f.location.source.path),
                    lines: Lines {
                        begin: start.line,
                        end: end.line,
                    },
                },
            }
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}

fn severity(f: &Finding) -> &'static str {
    match f.level {
        Level::Error
            if f.rule
                .security_severity
                .parse::<f64>()
                .is_ok_and(|s| s >= 9.0) =>
        {
            "blocker"
        }
        Level::Error => "critical",
        Level::Warning => "major",
        Level::Note => "minor",
    }
}
