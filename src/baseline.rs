//! `--baseline previous.sarif`: report only what is new since a previous
//! SARIF report, the way a team adopts a linter on an old code base.
//!
//! Findings are matched by `partialFingerprints.primaryLocationLineHash`,
//! which holds no line numbers (see [`Finding::fingerprint`]), so code that
//! moves stays matched; values only read, never trusted beyond string
//! equality.

use std::collections::HashSet;
use std::path::Path;

use crate::finding::Finding;
use crate::report::{Context, sarif};

/// The fingerprints of every result in a SARIF file.
pub fn load(path: &Path) -> Result<HashSet<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let log: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("{}:{}:{}: {e}", path.display(), e.line(), e.column()))?;
    let runs = log
        .get("runs")
        .and_then(|r| r.as_array())
        .ok_or_else(|| format!("{}: not a SARIF log (no `runs`)", path.display()))?;
    Ok(runs
        .iter()
        .filter_map(|run| run.get("results")?.as_array())
        .flatten()
        .filter_map(|r| {
            r.get("partialFingerprints")?
                .get("primaryLocationLineHash")?
                .as_str()
                .map(str::to_string)
        })
        .collect())
}

/// Drops the findings the baseline already has; returns how many. A
/// baseline written by seccheck 0.1 holds the fingerprints of that version;
/// a finding is known when either form is in it.
pub fn filter(findings: &mut Vec<Finding>, baseline: &HashSet<String>, ctx: &Context) -> usize {
    let keep: Vec<bool> = sarif::fingerprints(findings, ctx)
        .iter()
        .zip(sarif::legacy_fingerprints(findings))
        .map(|(fp, legacy)| !baseline.contains(fp) && !baseline.contains(&legacy))
        .collect();
    let before = findings.len();
    let mut keep = keep.into_iter();
    findings.retain(|_| keep.next().unwrap_or(true));
    before - findings.len()
}
