//! In-source suppressions: `# seccheck: ignore[rule-id, …] reason`.
//!
//! Directives are read only from comments the format parsers recognised
//! (`ScanResult::comments`), never by searching raw lines, so a `#` inside a
//! YAML block scalar or a quoted string cannot silence anything. A directive
//! applies to findings that start on its own line, or on the next line when
//! the comment stands alone on its line — or whose construct starts there
//! (a `docker run` continued over lines, a Dockerfile `RUN`, the
//! `security_opt:` key above a list; see `Location::construct`), since
//! that is where people put the comment. Modelled on ruff's `# noqa` and
//! RUF100: an ignore that silences nothing, names an unknown rule, or cannot
//! be read is itself reported, under the meta-rule `unused-suppression`, so
//! stale ignores do not pile up; so is one without a reason (the finding
//! stays suppressed: the reason is for the reviewer, the alert is not).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::finding::{Finding, Suppression};
use crate::model::Parsed;
use crate::rules::{self, Rule};
use crate::source::{Location, Span};

pub const META_RULE: &str = "unused-suppression";

/// `unused-suppression` is decided across a whole file's findings after
/// merging, not over one file's model, so its per-file check finds nothing;
/// [`apply`] does the work.
pub fn check(_: &'static Rule, _: &Parsed, _: &mut Vec<Finding>) {}

/// One `ignore[...]` directive: the rule names with their spans in the file.
#[derive(Debug)]
struct Directive {
    comment: Location,
    rules: Vec<(String, Span)>,
    reason: String,
    /// The 0-based line whose findings it covers besides its own: the next
    /// one when the comment stands alone on its line.
    next_line: Option<usize>,
    line: usize,
}

/// The `seccheck:` comments of a scan, by file. Only directives are kept:
/// other comments are dropped as each file is judged, so memory does not
/// grow with the files scanned.
#[derive(Debug, Default)]
pub struct Directives {
    by_file: HashMap<PathBuf, Vec<Directive>>,
    /// Comments that start like a directive but cannot be read.
    malformed: HashMap<PathBuf, Vec<Location>>,
}

impl Directives {
    /// Reads the directives among one file's comments (which may include
    /// comments of files it refers to, such as an `extends` target).
    pub fn collect(&mut self, comments: &[Location]) {
        for c in comments {
            if memchr::memmem::find(c.text().as_bytes(), b"seccheck:").is_none() {
                continue;
            }
            match parse(c.text(), c.span.start) {
                Parse::NotOurs => {}
                Parse::Malformed => self
                    .malformed
                    .entry(c.source.path.clone())
                    .or_default()
                    .push(c.clone()),
                Parse::Directive(rules, reason) => {
                    let lines = &c.source.lines;
                    let line = lines.line_of(c.span.start);
                    let own_line = c.source.text[lines.line_start(line)..c.span.start]
                        .trim()
                        .is_empty();
                    self.by_file
                        .entry(c.source.path.clone())
                        .or_default()
                        .push(Directive {
                            comment: c.clone(),
                            rules,
                            reason,
                            next_line: own_line.then_some(line + 1),
                            line,
                        });
                }
            }
        }
    }

    /// Adds another part's directives (a file read twice, as itself and as
    /// a reference, gives the same directive twice; [`apply`] keeps one).
    pub fn extend(&mut self, other: Directives) {
        for (path, mut list) in other.by_file {
            self.by_file.entry(path).or_default().append(&mut list);
        }
        for (path, mut list) in other.malformed {
            self.malformed.entry(path).or_default().append(&mut list);
        }
    }
}

enum Parse {
    NotOurs,
    Malformed,
    Directive(Vec<(String, Span)>, String),
}

/// Reads a comment's text; spans are offsets into the file (`base` is the
/// comment's start).
fn parse(text: &str, base: usize) -> Parse {
    let body_start = ["#", "//", "/*"]
        .iter()
        .find(|p| text.starts_with(**p))
        .map_or(0, |p| p.len());
    let mut body = &text[body_start..];
    if text.starts_with("/*") {
        body = body.strip_suffix("*/").unwrap_or(body);
    }
    let trimmed = body.trim_start();
    let mut offset = body_start + (body.len() - trimmed.len());
    let Some(rest) = trimmed.strip_prefix("seccheck:") else {
        return Parse::NotOurs;
    };
    offset += "seccheck:".len();
    let after = rest.trim_start();
    offset += rest.len() - after.len();
    let Some(list) = after.strip_prefix("ignore[") else {
        return Parse::Malformed;
    };
    offset += "ignore[".len();
    let Some(close) = list.find(']') else {
        return Parse::Malformed;
    };
    let mut names = Vec::new();
    let mut pos = 0;
    for part in list[..close].split(',') {
        let lead = part.len() - part.trim_start().len();
        let name = part.trim();
        if !name.is_empty() {
            let start = base + offset + pos + lead;
            names.push((name.to_string(), Span::new(start, start + name.len())));
        }
        pos += part.len() + 1;
    }
    if names.is_empty() {
        return Parse::Malformed;
    }
    let reason = list[close + 1..].trim().to_string();
    Parse::Directive(names, reason)
}

/// Marks suppressed findings and adds `unused-suppression` findings.
/// `enabled` is the scan's rule selection: an ignore for a rule that is
/// switched off is not stale, only out of scope for this run.
///
/// `findings` must be sorted by file (as [`merge_same_value`] leaves them):
/// each file's directives are then looked up once, by key, and indexed by
/// line, so the work is linear in findings and directives.
///
/// [`merge_same_value`]: crate::finding::merge_same_value
pub fn apply(findings: &mut Vec<Finding>, directives: Directives, enabled: &dyn Fn(&Rule) -> bool) {
    let meta = rules::get(META_RULE).filter(|r| enabled(r));
    let Directives {
        mut by_file,
        malformed,
    } = directives;
    for list in by_file.values_mut() {
        list.sort_by_key(|d| d.comment.span.start);
        list.dedup_by_key(|d| d.comment.span.start);
    }
    // For each file: which directives cover a 0-based line, and which of
    // their rule names silenced something.
    let mut used: HashMap<&Path, Vec<Vec<bool>>> = HashMap::new();
    let mut i = 0;
    while i < findings.len() {
        let source = Arc::clone(&findings[i].location.source);
        let mut end = i + 1;
        while end < findings.len() && {
            let next = &findings[end].location.source;
            Arc::ptr_eq(next, &source) || next.path == source.path
        } {
            end += 1;
        }
        if let Some((path, list)) = by_file.get_key_value(source.path.as_path()) {
            let mut covering: HashMap<usize, Vec<usize>> = HashMap::new();
            for (k, d) in list.iter().enumerate() {
                covering.entry(d.line).or_default().push(k);
                if let Some(next) = d.next_line {
                    covering.entry(next).or_default().push(k);
                }
            }
            let flags = used
                .entry(path.as_path())
                .or_insert_with(|| list.iter().map(|d| vec![false; d.rules.len()]).collect());
            for f in &mut findings[i..end] {
                let lines = &f.location.source.lines;
                let line = lines.line_of(f.location.span.start);
                // The line of the value, and the first line of the construct
                // that holds it (a continued command, a `security_opt:` key).
                let construct = f
                    .location
                    .construct
                    .map(|c| lines.line_of(c))
                    .filter(|&c| c != line);
                let candidates = [Some(line), construct];
                let mut seen: Vec<usize> = Vec::new();
                for &k in candidates
                    .iter()
                    .flatten()
                    .flat_map(|l| covering.get(l).into_iter().flatten())
                {
                    if seen.contains(&k) {
                        continue;
                    }
                    seen.push(k);
                    let d = &list[k];
                    for (j, (name, _)) in d.rules.iter().enumerate() {
                        if name == f.rule.id {
                            flags[k][j] = true;
                            if f.suppression.is_none() {
                                f.suppression = Some(Suppression {
                                    justification: d.reason.clone(),
                                    at: d.comment.clone(),
                                });
                            }
                        }
                    }
                }
            }
        }
        i = end;
    }
    let Some(meta) = meta else { return };
    let mut extra = Vec::new();
    for mut list in malformed.into_values() {
        list.sort_by_key(|c| c.span.start);
        list.dedup_by_key(|c| c.span.start);
        for c in list {
            extra.push(meta_finding(
                meta,
                c,
                "cannot read this suppression; the form is \
                 `seccheck: ignore[rule-id, …] reason`",
                "malformed",
            ));
        }
    }
    for (path, list) in &by_file {
        let flags = used.get(path.as_path());
        for (k, d) in list.iter().enumerate() {
            for (j, (name, span)) in d.rules.iter().enumerate() {
                let was_used = flags.is_some_and(|f| f[k][j]);
                let at = Location::new(&d.comment.source, *span);
                match rules::get(name) {
                    Some(rule) if was_used && d.reason.is_empty() && rule.id != META_RULE => extra
                        .push(meta_finding(
                            meta,
                            at,
                            &format!(
                                "this ignore of `{name}` needs a reason: \
                                 `seccheck: ignore[{name}] <why this is safe>`"
                            ),
                            "needs a reason",
                        )),
                    None => extra.push(meta_finding(
                        meta,
                        at,
                        &rules::unknown(name),
                        "unknown rule",
                    )),
                    Some(rule) if !was_used && enabled(rule) && rule.id != META_RULE => {
                        extra.push(meta_finding(
                            meta,
                            at,
                            &format!("this ignore of `{name}` suppresses nothing; remove it"),
                            "unused",
                        ))
                    }
                    Some(_) => {}
                }
            }
        }
    }
    if !extra.is_empty() {
        findings.extend(extra);
        findings.sort_by(|a, b| {
            (&a.location.source.path, a.location.span.start, a.rule.id).cmp(&(
                &b.location.source.path,
                b.location.span.start,
                b.rule.id,
            ))
        });
    }
}

fn meta_finding(rule: &'static Rule, at: Location, what: &str, label: &str) -> Finding {
    Finding {
        rule,
        level: rule.level,
        subjects: Vec::new(),
        what: what.to_string(),
        label: label.to_string(),
        location: at,
        related: Vec::new(),
        suppression: None,
        security_severity: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(p: Parse) -> Vec<String> {
        match p {
            Parse::Directive(r, _) => r.into_iter().map(|(n, _)| n).collect(),
            _ => panic!("not a directive"),
        }
    }

    #[test]
    fn reads_hash_and_slash_comments() {
        assert_eq!(names(parse("# seccheck: ignore[a, b] why", 0)), ["a", "b"]);
        assert_eq!(names(parse("//seccheck:ignore[a]", 0)), ["a"]);
        assert_eq!(names(parse("/* seccheck: ignore[a] */", 0)), ["a"]);
        assert!(matches!(parse("# plain comment", 0), Parse::NotOurs));
        assert!(matches!(parse("# seccheck: ignore a", 0), Parse::Malformed));
        assert!(matches!(parse("# seccheck: ignore[]", 0), Parse::Malformed));
    }

    #[test]
    fn rule_spans_point_into_the_file() {
        let text = "x # seccheck: ignore[ a ,bb] r";
        let Parse::Directive(rules, reason) = parse(&text[2..], 2) else {
            panic!()
        };
        assert_eq!(reason, "r");
        assert_eq!(&text[rules[0].1.range()], "a");
        assert_eq!(&text[rules[1].1.range()], "bb");
    }
}
