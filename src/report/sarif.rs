//! SARIF 2.1.0, as GitHub code scanning reads it.
//!
//! About a dozen serde structs of our own rather than `serde-sarif`, which
//! leaves `columnKind` untyped and points at an old schema URL: these say
//! exactly what GitHub reads, and the compiler keeps them that way.
//! URIs are relative to the source root (`--srcroot`, else the git work
//! tree of the scanned paths, else the working directory or the deepest
//! directory holding them: [`super::source_root`]) under
//! `%SRCROOT%`, so that a scan of `/elsewhere/repo` from anywhere gives the
//! URIs GitHub expects; regions end before a trailing line break; columns are UTF-16 code units, declared in
//! `columnKind`; unreadable files are tool execution notifications, never
//! results, since a result opens an alert.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::Context;
use crate::diagnostic::Severity;
use crate::finding::Finding;
use crate::rules::{self, Rule};
use crate::scan::ScanResult;
use crate::source::Location;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    automation_details: Option<AutomationDetails>,
    original_uri_base_ids: HashMap<&'static str, ArtifactLocationBase>,
    column_kind: &'static str,
    results: Vec<SarifResult>,
    invocations: Vec<Invocation>,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocationBase {
    uri: String,
    description: Message,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Message,
    full_description: Message,
    help: Help,
    help_uri: String,
    default_configuration: DefaultConfiguration,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct DefaultConfiguration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    /// Only on security rules: with it GitHub shows a result as a security
    /// alert, which a maintenance note (`unused-suppression`) is not.
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'a str>,
    precision: &'static str,
    tags: Vec<String>,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties>,
}

/// A result's own `security-severity` when it differs from its rule's
/// (GitHub reads the rule's; other SARIF consumers may read this).
#[derive(Serialize)]
struct ResultProperties {
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Fingerprints {
    primary_location_line_hash: String,
}

#[derive(Serialize)]
struct SarifSuppression {
    kind: &'static str,
    justification: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    level: &'static str,
    message: Message,
    locations: Vec<SarifLocation>,
}

/// `primaryLocationLineHash` of each finding, in order. GitHub merges
/// results with one rule, file and fingerprint; an occurrence count keeps
/// identical values apart. `--baseline` compares these.
pub fn fingerprints(findings: &[Finding], ctx: &Context) -> Vec<String> {
    numbered(findings.iter().map(|f| {
        let path = ctx.repo_path(&f.location.source.path);
        f.fingerprint(&path)
    }))
}

/// The fingerprints seccheck 0.1 wrote, numbered the same way, for
/// baselines written by it.
pub fn legacy_fingerprints(findings: &[Finding]) -> Vec<String> {
    numbered(findings.iter().map(Finding::legacy_fingerprint))
}

fn numbered(bases: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    bases
        .map(|base| {
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            format!("{base}:{n}")
        })
        .collect()
}

pub fn write(out: &mut dyn Write, result: &ScanResult, ctx: &Context) -> std::io::Result<()> {
    let rules: Vec<&'static Rule> = rules::all().iter().collect();
    let rule_index: HashMap<&str, usize> =
        rules.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let results = result
        .findings
        .iter()
        .zip(fingerprints(&result.findings, ctx))
        .map(|(f, fingerprint)| sarif_result(f, rule_index[f.rule.id], fingerprint, ctx))
        .collect();
    let notifications = result
        .diagnostics
        .iter()
        .map(|d| Notification {
            level: match d.severity() {
                Severity::Error => "error",
                Severity::Notice => "note",
            },
            message: Message {
                text: d.problem.to_string(),
            },
            locations: vec![SarifLocation {
                id: None,
                physical_location: PhysicalLocation {
                    artifact_location: artifact(&d.path, ctx),
                    region: d.position.map(|p| Region {
                        start_line: p.line,
                        start_column: p.column,
                        end_line: p.line,
                        end_column: p.column,
                    }),
                },
                message: None,
            }],
        })
        .collect();
    let srcroot = ctx.srcroot.to_string_lossy().replace('\\', "/");
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "seccheck",
                    version: crate::VERSION,
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: "https://github.com/seccheck/seccheck",
                    rules: rules.iter().map(|r| descriptor(r)).collect(),
                },
            },
            automation_details: ctx.category.as_ref().map(|c| AutomationDetails {
                id: format!("{}/", c.trim_end_matches('/')),
            }),
            original_uri_base_ids: HashMap::from([(
                "%SRCROOT%",
                ArtifactLocationBase {
                    uri: format!("file://{}/", percent_encode(srcroot.trim_end_matches('/'))),
                    description: Message {
                        text: "The source root: --srcroot, else the git work tree of the \
                               scanned paths, else the directory seccheck was run from when \
                               it holds them, else the deepest directory that does."
                            .into(),
                    },
                },
            )]),
            column_kind: "utf16CodeUnits",
            results,
            invocations: vec![Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn descriptor(rule: &'static Rule) -> ReportingDescriptor<'static> {
    let mut tags: Vec<String> = rule.tags.iter().map(|t| t.to_string()).collect();
    if !rule.cwe.is_empty() {
        tags.push(format!("external/cwe/{}", rule.cwe.to_ascii_lowercase()));
    }
    if let Some(cis) = rule.cis.split(" — ").next().filter(|c| !c.is_empty()) {
        tags.push(cis.to_string());
    }
    ReportingDescriptor {
        id: rule.id,
        name: rule.name,
        short_description: Message {
            text: rule.title.to_string(),
        },
        full_description: Message {
            text: rule.summary(),
        },
        help: Help {
            text: rules::section(rule.doc, "Why is this bad?")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            markdown: rule.doc.to_string(),
        },
        help_uri: rule.help_uri(),
        default_configuration: DefaultConfiguration {
            level: rule.level.as_str(),
        },
        properties: RuleProperties {
            security_severity: Some(rule.security_severity).filter(|s| !s.is_empty()),
            precision: "very-high",
            tags,
        },
    }
}

fn sarif_result(f: &Finding, rule_index: usize, fingerprint: String, ctx: &Context) -> SarifResult {
    SarifResult {
        rule_id: f.rule.id,
        rule_index,
        level: f.level.as_str(),
        message: Message { text: f.message() },
        locations: vec![location(&f.location, None, Some(&f.label), ctx)],
        related_locations: f
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| location(&r.location, Some(i + 1), Some(&r.message), ctx))
            .collect(),
        partial_fingerprints: Fingerprints {
            primary_location_line_hash: fingerprint,
        },
        suppressions: f
            .suppression
            .iter()
            .map(|s| SarifSuppression {
                kind: "inSource",
                justification: s.justification.clone(),
            })
            .collect(),
        properties: f
            .security_severity
            .map(|security_severity| ResultProperties { security_severity }),
    }
}

fn location(
    loc: &Location,
    id: Option<usize>,
    message: Option<&str>,
    ctx: &Context,
) -> SarifLocation {
    let (start, end) = super::region(loc);
    SarifLocation {
        id,
        physical_location: PhysicalLocation {
            artifact_location: artifact(&loc.source.path, ctx),
            region: Some(Region {
                start_line: start.line,
                start_column: start.column,
                end_line: end.line,
                end_column: end.column,
            }),
        },
        message: message.map(|m| Message {
            text: m.to_string(),
        }),
    }
}

/// A file under the source root is a relative URI under `%SRCROOT%`; one
/// outside it (a scan of several repositories, or `--srcroot` below the
/// scanned path) an absolute `file://` URI without a base (SARIF 3.4.4).
fn artifact(path: &Path, ctx: &Context) -> ArtifactLocation {
    match ctx.under_root(path) {
        Ok(rel) => ArtifactLocation {
            uri: percent_encode(&rel),
            uri_base_id: Some("%SRCROOT%"),
        },
        Err(abs) => ArtifactLocation {
            uri: format!("file://{}", percent_encode(&abs)),
            uri_base_id: None,
        },
    }
}

/// RFC 3986: keep unreserved characters and `/`, encode every other byte.
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn percent_encoding() {
        assert_eq!(super::percent_encode("a b/ü#.yml"), "a%20b/%C3%BC%23.yml");
    }
}
