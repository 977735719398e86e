//! The rule catalogue: one module per rule, one Markdown file per rule.
//!
//! A rule's metadata and documentation live once, in `rules/<id>.md` at the
//! repository root (front matter + Markdown body, in ruff's "what it does /
//! why is this bad / example" sections). They are compiled in, and feed the
//! SARIF rule descriptors, `seccheck explain` and `seccheck rules`. A rule
//! module holds only logic over the [`model`](crate::model): a few lines and
//! a message.

mod build_insecure;
mod daemon_seccomp_disabled;
mod escape;
mod k8s_seccomp_unset;
mod privileged_container;
mod seccomp_profile_permissive;
mod seccomp_profile_unresolved;
mod seccomp_unconfined;
mod seccomp_widened_by_capability;

use std::sync::LazyLock;

use crate::finding::{Finding, Level};
use crate::model::{Parsed, Use};

pub use seccomp_widened_by_capability::widened_by;

/// A rule's check: the model of one file in, findings out.
type Check = fn(&'static Rule, &Parsed, &mut Vec<Finding>);

/// Every rule: its documentation file and its check. The one registry.
const CATALOGUE: &[(&str, Check)] = &[
    (
        include_str!("../../rules/seccomp-unconfined.md"),
        seccomp_unconfined::check,
    ),
    (
        include_str!("../../rules/privileged-container.md"),
        privileged_container::check,
    ),
    (
        include_str!("../../rules/daemon-seccomp-disabled.md"),
        daemon_seccomp_disabled::check,
    ),
    (
        include_str!("../../rules/build-insecure.md"),
        build_insecure::check,
    ),
    (
        include_str!("../../rules/k8s-seccomp-unset.md"),
        k8s_seccomp_unset::check,
    ),
    (
        include_str!("../../rules/unused-suppression.md"),
        crate::suppress::check,
    ),
    (
        include_str!("../../rules/seccomp-profile-permissive.md"),
        seccomp_profile_permissive::check,
    ),
    (
        include_str!("../../rules/seccomp-profile-unresolved.md"),
        seccomp_profile_unresolved::check,
    ),
    (
        include_str!("../../rules/seccomp-widened-by-capability.md"),
        seccomp_widened_by_capability::check,
    ),
];

#[derive(Debug)]
pub struct Rule {
    /// kebab-case id: SARIF `ruleId`, suppression name, doc file name.
    pub id: &'static str,
    /// PascalCase name for SARIF `name`.
    pub name: &'static str,
    /// One sentence: SARIF `shortDescription`.
    pub title: &'static str,
    pub level: Level,
    /// GitHub's `security-severity`, as written in the doc (a number 0–10).
    pub security_severity: &'static str,
    /// What the severity of each finding depends on, when it varies (the
    /// rule's own is then the highest): "by capability".
    pub severity_varies: &'static str,
    pub cis: &'static str,
    pub cwe: &'static str,
    pub tags: Vec<&'static str>,
    /// Off unless enabled in configuration.
    pub enabled_by_default: bool,
    /// The Markdown body: what it does, why it is bad, examples, references.
    pub doc: &'static str,
    check: Check,
}

impl Rule {
    pub fn check(&'static self, parsed: &Parsed, out: &mut Vec<Finding>) {
        (self.check)(self, parsed, out)
    }

    /// The first paragraph of "What it does": SARIF `fullDescription`.
    pub fn summary(&self) -> String {
        section(self.doc, "What it does")
            .split("\n\n")
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn help_uri(&self) -> String {
        format!(
            "https://github.com/seccheck/seccheck/blob/main/rules/{}.md",
            self.id
        )
    }
}

/// The text under `## heading`, up to the next heading.
pub fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let marker = format!("## {heading}");
    let Some(start) = doc.find(&marker) else {
        return "";
    };
    let body = &doc[start + marker.len()..];
    let end = body.find("\n## ").unwrap_or(body.len());
    body[..end].trim()
}

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    CATALOGUE
        .iter()
        .map(|&(text, check)| parse_doc(text, check))
        .collect()
});

pub fn all() -> &'static [Rule] {
    &RULES
}

pub fn get(id: &str) -> Option<&'static Rule> {
    all().iter().find(|r| r.id == id)
}

/// "unknown rule `x`; did you mean `y`? `seccheck rules` lists them": the
/// nearest id by edit distance (as cargo suggests subcommands), or the one
/// id that contains what was typed (`unconfined`).
pub fn unknown(id: &str) -> String {
    let lower = id.to_ascii_lowercase();
    let containing: Vec<&Rule> = all()
        .iter()
        .filter(|r| lower.len() >= 4 && r.id.contains(&lower))
        .collect();
    let nearest = all()
        .iter()
        .map(|r| (edit_distance(&lower, r.id), r))
        .filter(|&(d, r)| d <= (r.id.len() / 3).max(2))
        .min_by_key(|&(d, _)| d)
        .map(|(_, r)| r)
        .or(match containing.as_slice() {
            [only] => Some(*only),
            _ => None,
        });
    match nearest {
        Some(r) => format!(
            "unknown rule `{id}`; did you mean `{}`? `seccheck rules` lists them",
            r.id
        ),
        None => format!("unknown rule `{id}`; `seccheck rules` lists them"),
    }
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// Front matter is `key: value` lines between `---` fences. The docs are
/// compiled in and covered by a test, so a malformed one fails the build's
/// tests, never a user's scan.
fn parse_doc(text: &'static str, check: Check) -> Rule {
    let rest = text
        .strip_prefix("---\n")
        .expect("rule doc starts with ---");
    let end = rest.find("\n---\n").expect("rule doc front matter ends");
    let (front, body) = (&rest[..end], &rest[end + 5..]);
    let field = |key: &str| -> &'static str {
        front
            .lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
            .map(str::trim)
            .unwrap_or("")
    };
    Rule {
        id: field("id"),
        name: field("name"),
        title: field("title"),
        level: Level::parse(field("level")).expect("rule doc level"),
        security_severity: field("security-severity"),
        severity_varies: field("security-severity-varies"),
        cis: field("cis"),
        cwe: field("cwe"),
        tags: field("tags").split(',').map(str::trim).collect(),
        enabled_by_default: field("enabled") != "false",
        doc: body.trim(),
        check,
    }
}

/// The README's rule table, generated from the rule documents so that the
/// two cannot drift (checked by `tests/readme.rs`).
pub fn markdown_table() -> String {
    let mut out =
        String::from("| rule | level | security-severity | what it finds |\n|---|---|---|---|\n");
    for r in all() {
        let off = if r.enabled_by_default {
            ""
        } else {
            " (off by default)"
        };
        let severity = if r.security_severity.is_empty() {
            "—".to_string()
        } else if r.severity_varies.is_empty() {
            r.security_severity.to_string()
        } else {
            format!("{}, up to {}", r.severity_varies, r.security_severity)
        };
        out.push_str(&format!(
            "| [`{}`](rules/{}.md) | {}{off} | {severity} | {} |\n",
            r.id,
            r.id,
            r.level.as_str(),
            r.title
        ));
    }
    out
}

/// A finding about a value, with the places that apply it as related
/// locations ("applied through this alias to service `db`"); a condition the
/// value depends on (a template branch) is said in the message as well,
/// since a reader of the message alone must not take it for unconditional.
pub(crate) fn with_uses(mut finding: Finding, uses: &[Use], subject: &str) -> Finding {
    for used in uses {
        if used.condition {
            finding.what = format!("{} ({})", finding.what, used.how);
            finding = finding.with_related(
                used.at.clone(),
                format!("the template branch that applies it to {subject}"),
            );
        } else {
            finding = finding.with_related(used.at.clone(), format!("{} {subject}", used.how));
        }
    }
    finding
}

/// Runs every enabled rule over one file's model.
pub fn run(parsed: &Parsed, enabled: &dyn Fn(&Rule) -> bool) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in all().iter().filter(|r| enabled(r)) {
        rule.check(parsed, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_ids_suggest_the_nearest() {
        assert_eq!(
            unknown("privilegd-container"),
            "unknown rule `privilegd-container`; did you mean `privileged-container`? `seccheck rules` lists them"
        );
        assert!(unknown("seccomp-unconfind").contains("did you mean `seccomp-unconfined`?"));
        assert!(unknown("unconfined").contains("did you mean `seccomp-unconfined`?"));
        assert_eq!(
            unknown("nope"),
            "unknown rule `nope`; `seccheck rules` lists them"
        );
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn every_rule_doc_is_complete() {
        for rule in all() {
            assert!(!rule.id.is_empty());
            assert!(
                rule.name.chars().next().unwrap().is_ascii_uppercase(),
                "{}",
                rule.id
            );
            assert!(!rule.title.is_empty(), "{}", rule.id);
            // A security rule has a severity; a maintenance rule neither
            // (GitHub would show it as a security alert).
            if rule.tags.contains(&"security") {
                let sev: f64 = rule.security_severity.parse().unwrap();
                assert!(sev > 0.0 && sev <= 10.0);
            } else {
                assert_eq!(rule.security_severity, "", "{}", rule.id);
            }
            for s in ["What it does", "Why is this bad?", "Example", "Use instead"] {
                assert!(!section(rule.doc, s).is_empty(), "{}: {s}", rule.id);
            }
            assert!(!rule.summary().is_empty());
        }
        let ids: std::collections::HashSet<_> = all().iter().map(|r| r.id).collect();
        assert_eq!(ids.len(), all().len(), "duplicate rule ids");
    }
}
