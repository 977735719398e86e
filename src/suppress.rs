//! In-source suppressions: `# seccheck: ignore[rule-id, …] reason`.
//!
//! Directives are read only from comments the format parsers recognised
//! (`ScanResult::comments`), never by searching raw lines, so a `#` inside a
//! YAML block scalar or a quoted string cannot silence anything. A directive
//! applies to findings that start on its own line, or on the next line when
//! the comment stands alone on its line. Modelled on ruff's `# noqa` and
//! RUF100: an ignore that silences nothing, names an unknown rule, or cannot
//! be read is itself reported, under the meta-rule `unused-suppression`, so
//! stale ignores do not pile up.

use std::collections::HashMap;
use std::path::PathBuf;

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
    /// Nothing but whitespace precedes the comment on its line.
    own_line: bool,
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
pub fn apply(
    findings: &mut Vec<Finding>,
    comments: &HashMap<PathBuf, Vec<Location>>,
    enabled: &dyn Fn(&Rule) -> bool,
) {
    let meta = rules::get(META_RULE).filter(|r| enabled(r));
    let mut extra = Vec::new();
    for (path, file_comments) in comments {
        let mut directives = Vec::new();
        for c in file_comments {
            let text = c.text();
            match parse(text, c.span.start) {
                Parse::NotOurs => {}
                Parse::Malformed => {
                    if let Some(meta) = meta {
                        extra.push(meta_finding(
                            meta,
                            c.clone(),
                            "cannot read this suppression; the form is \
                             `seccheck: ignore[rule-id, …] reason`",
                            "malformed",
                        ));
                    }
                }
                Parse::Directive(rules, reason) => {
                    let line_start = c
                        .source
                        .lines
                        .line_start(c.source.lines.line_of(c.span.start));
                    let own_line = c.source.text[line_start..c.span.start].trim().is_empty();
                    directives.push(Directive {
                        comment: c.clone(),
                        rules,
                        reason,
                        own_line,
                    });
                }
            }
        }
        let mut used = vec![Vec::new(); directives.len()];
        for (i, d) in directives.iter().enumerate() {
            used[i] = vec![false; d.rules.len()];
        }
        for f in findings
            .iter_mut()
            .filter(|f| &f.location.source.path == path)
        {
            let line = f.location.source.lines.line_of(f.location.span.start);
            for (i, d) in directives.iter().enumerate() {
                let at = d.comment.source.lines.line_of(d.comment.span.start);
                if !(at == line || (d.own_line && at + 1 == line)) {
                    continue;
                }
                for (j, (name, _)) in d.rules.iter().enumerate() {
                    if name == f.rule.id {
                        used[i][j] = true;
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
        let Some(meta) = meta else { continue };
        for (d, used) in directives.iter().zip(used) {
            for ((name, span), used) in d.rules.iter().zip(used) {
                let at = Location::new(&d.comment.source, *span);
                match rules::get(name) {
                    None => extra.push(meta_finding(
                        meta,
                        at,
                        &format!("`{name}` is not a seccheck rule; `seccheck rules` lists them"),
                        "unknown rule",
                    )),
                    Some(rule) if !used && enabled(rule) && rule.id != META_RULE => {
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
