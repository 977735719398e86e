//! yaml/yaml-test-suite against [`seccheck::yaml::Yaml::parse`].
//!
//! A valid case must parse without an error into a tree that gives the
//! suite's expected events (anchors and tags aside: the tree resolves
//! aliases and keeps no tags), and every scalar's span must hold exactly the
//! source of its value: for plain and quoted scalars, the span's text folded
//! and unescaped as YAML 1.2 (§6.5, §7.3) defines is the value; for block
//! scalars, the span starts at the first and ends at the last character of
//! the content. An invalid case must give an error at an offset inside the
//! file. No case may panic.

use std::collections::BTreeMap;
use std::path::Path;

use granit_parser::ScalarStyle;
use seccheck::source::Span;
use seccheck::yaml::{NodeId, NodeKind, Yaml};

/// Cases whose result differs from the suite, and why. The test fails when
/// this list is not exactly the set of differing cases.
const KNOWN: &[(&str, &str)] = &[
    // All three are under-indented continuation lines inside a flow
    // collection or a quoted scalar, which YAML 1.2 forbids. granit's default
    // (relaxed) mode accepts them because libyaml does, and so do the
    // libyaml ports the engines use (go-yaml in Compose and Kubernetes,
    // Psych in GitLab): libyaml ignores indentation in flow context
    // (`yaml_parser_unroll_indent` returns early when `flow_level` is set)
    // and does not check it in quoted continuation lines. Rejecting them
    // would call files invalid that every engine reads.
    (
        "9C9N",
        "flow sequence continued at column 0 (accepted as libyaml does)",
    ),
    (
        "DK95/01",
        "tab before a quoted continuation line (accepted as libyaml does)",
    ),
    (
        "QB6E",
        "quoted scalar continued at column 0 (accepted as libyaml does)",
    ),
];

#[test]
fn yaml_test_suite() {
    let root = super::suite_dir("yaml");
    let mut cases = Vec::new();
    collect_cases(&root, &root, &mut cases);
    cases.sort();
    assert!(cases.len() > 400, "suite data missing: {}", cases.len());

    let mut failures: BTreeMap<String, String> = BTreeMap::new();
    let (mut valid, mut valid_ok, mut invalid, mut invalid_ok) = (0, 0, 0, 0);
    for name in &cases {
        let dir = root.join(name);
        let text = std::fs::read_to_string(dir.join("in.yaml")).unwrap();
        let expect_error = dir.join("error").exists();
        let outcome = std::panic::catch_unwind(|| Yaml::parse(&text));
        let result = match outcome {
            Err(_) => Err("panicked".to_string()),
            Ok(yaml) if expect_error => check_invalid(&yaml, &text),
            Ok(yaml) => {
                let expected = std::fs::read_to_string(dir.join("test.event")).unwrap();
                check_valid(&yaml, &text, &expected)
            }
        };
        if expect_error {
            invalid += 1;
        } else {
            valid += 1;
        }
        match result {
            Ok(()) if expect_error => invalid_ok += 1,
            Ok(()) => valid_ok += 1,
            Err(why) => {
                failures.insert(name.clone(), why);
            }
        }
    }
    println!(
        "yaml-test-suite: valid {valid_ok}/{valid}, invalid {invalid_ok}/{invalid}, \
         {} differing",
        failures.len()
    );
    for (name, why) in &failures {
        println!("  {name}: {why}");
    }
    let known: Vec<&str> = KNOWN.iter().map(|(n, _)| *n).collect();
    let failed: Vec<&str> = failures.keys().map(String::as_str).collect();
    assert_eq!(failed, known, "cases differing from the suite changed");
}

fn collect_cases(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_cases(root, &path, out);
        } else if path.file_name().is_some_and(|n| n == "in.yaml") {
            let rel = dir.strip_prefix(root).unwrap();
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn check_invalid(yaml: &Yaml, text: &str) -> Result<(), String> {
    let Some(first) = yaml.errors.first() else {
        return Err("accepted an invalid file".into());
    };
    if first.offset > text.len() {
        return Err(format!("error offset {} past the end", first.offset));
    }
    Ok(())
}

fn check_valid(yaml: &Yaml, text: &str, expected: &str) -> Result<(), String> {
    if let Some(e) = yaml.errors.first() {
        return Err(format!("error at {}: {}", e.offset, e.message));
    }
    let expected: Vec<String> = expected.lines().filter_map(normalize_event).collect();
    let mut actual = Vec::new();
    for &doc in &yaml.documents {
        actual.push("+DOC".to_string());
        walk(yaml, doc, text, &mut actual)?;
        actual.push("-DOC".to_string());
    }
    if actual != expected {
        let at = actual
            .iter()
            .zip(&expected)
            .position(|(a, e)| a != e)
            .unwrap_or(actual.len().min(expected.len()));
        return Err(format!(
            "events differ at {at}: got {:?}, expected {:?}",
            actual.get(at),
            expected.get(at)
        ));
    }
    Ok(())
}

/// The suite's event line without what the tree does not keep: stream
/// markers, document markers, flow/block style, anchors, tags, alias names.
fn normalize_event(line: &str) -> Option<String> {
    let (head, rest) = line.split_once(' ').unwrap_or((line, ""));
    match head {
        "+STR" | "-STR" => None,
        "+DOC" | "-DOC" | "+MAP" | "-MAP" | "+SEQ" | "-SEQ" | "=ALI" => Some(head.to_string()),
        "=VAL" => {
            let mut rest = rest;
            loop {
                if rest.starts_with('&') {
                    rest = rest.split_once(' ').map_or("", |(_, r)| r);
                } else if rest.starts_with('<') {
                    rest = rest.split_once("> ").map_or("", |(_, r)| r);
                } else {
                    break;
                }
            }
            Some(format!("=VAL {rest}"))
        }
        other => panic!("unknown event {other:?}"),
    }
}

/// The tree as suite events, checking each node's span on the way. An
/// explicit stack, so that nesting depth costs no native stack.
fn walk(yaml: &Yaml, root: NodeId, text: &str, out: &mut Vec<String>) -> Result<(), String> {
    enum Step {
        Enter(NodeId, Span),
        Leave(&'static str),
    }
    let whole = Span::new(0, text.len());
    let mut stack = vec![Step::Enter(root, whole)];
    while let Some(step) = stack.pop() {
        let (id, parent) = match step {
            Step::Leave(event) => {
                out.push(event.to_string());
                continue;
            }
            Step::Enter(id, parent) => (id, parent),
        };
        let node = yaml.node(id);
        let span = node.span;
        if span.start > span.end || span.end > text.len() {
            return Err(format!("span {span:?} outside the file"));
        }
        match &node.kind {
            NodeKind::Scalar { value, style } => {
                check_scalar_span(text, span, value, *style)?;
                out.push(format!("=VAL {}{}", style_char(*style), escape(value)));
            }
            NodeKind::Alias(_) => {
                if !text[span.range()].starts_with('*') {
                    return Err(format!("alias span {span:?} is not the alias"));
                }
                out.push("=ALI".to_string());
            }
            NodeKind::Sequence(items) => {
                out.push("+SEQ".to_string());
                stack.push(Step::Leave("-SEQ"));
                stack.extend(items.iter().rev().map(|&i| Step::Enter(i, span)));
            }
            NodeKind::Mapping(pairs) => {
                out.push("+MAP".to_string());
                stack.push(Step::Leave("-MAP"));
                for &(k, v) in pairs.iter().rev() {
                    stack.push(Step::Enter(v, span));
                    stack.push(Step::Enter(k, span));
                }
            }
        }
        let inside = parent.start <= span.start && span.end <= parent.end;
        if !inside && !matches!(node.kind, NodeKind::Alias(_)) {
            return Err(format!("span {span:?} outside its parent {parent:?}"));
        }
    }
    Ok(())
}

fn style_char(style: ScalarStyle) -> char {
    match style {
        ScalarStyle::Plain => ':',
        ScalarStyle::SingleQuoted => '\'',
        ScalarStyle::DoubleQuoted => '"',
        ScalarStyle::Literal => '|',
        ScalarStyle::Folded => '>',
    }
}

/// The suite's escaping of values in `test.event`.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\x0b' => out.push_str("\\v"),
            '\x0c' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\x1b' => out.push_str("\\e"),
            '\u{85}' => out.push_str("\\N"),
            '\u{a0}' => out.push_str("\\_"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c => out.push(c),
        }
    }
    out
}

/// The span must hold the value's source and nothing around it.
fn check_scalar_span(
    text: &str,
    span: Span,
    value: &str,
    style: ScalarStyle,
) -> Result<(), String> {
    let src = &text[span.range()];
    let ok = match style {
        ScalarStyle::Plain | ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
            fold_flow(src, style).as_deref() == Some(value)
        }
        ScalarStyle::Literal | ScalarStyle::Folded => {
            // The header is outside the span, so indentation and chomping
            // cannot be recomputed; the words and both ends can.
            fn words(s: &str) -> Vec<&str> {
                s.split_whitespace().collect()
            }
            let content = value
                .trim_start_matches('\n')
                .trim_end_matches(['\n', ' ', '\t']);
            if content.trim_matches([' ', '\t']).is_empty() {
                // No visible content: the header, the blanks, or nothing.
                !src.contains(['\n', '\r']) && words(src).len() <= 1
            } else {
                words(src) == words(value)
                    && src.chars().next() == content.chars().next()
                    && src.trim_end_matches([' ', '\t']).chars().last() == content.chars().last()
                    && !src.ends_with(['\n', '\r'])
            }
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "scalar {value:?} has span {span:?} holding {src:?}"
        ))
    }
}

/// A flow scalar's meaning from its source: line folding, and the quotes'
/// escapes. `None` for an escape that is not YAML.
fn fold_flow(src: &str, style: ScalarStyle) -> Option<String> {
    let src = src.replace("\r\n", "\n");
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::new();
    // Blanks that a following line break would trim.
    let mut pending = String::new();
    let mut i = 0;
    let skip_blank_lines = |i: &mut usize| {
        let mut empty = 0;
        loop {
            while *i < chars.len() && matches!(chars[*i], ' ' | '\t') {
                *i += 1;
            }
            if *i < chars.len() && chars[*i] == '\n' {
                empty += 1;
                *i += 1;
            } else {
                return empty;
            }
        }
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' => {
                pending.push(c);
                i += 1;
            }
            '\n' => {
                pending.clear();
                i += 1;
                match skip_blank_lines(&mut i) {
                    0 => out.push(' '),
                    n => out.extend(std::iter::repeat_n('\n', n)),
                }
            }
            '\'' if style == ScalarStyle::SingleQuoted => {
                out.push_str(&std::mem::take(&mut pending));
                if chars.get(i + 1) != Some(&'\'') {
                    return None;
                }
                out.push('\'');
                i += 2;
            }
            '\\' if style == ScalarStyle::DoubleQuoted => {
                out.push_str(&std::mem::take(&mut pending));
                let e = *chars.get(i + 1)?;
                i += 2;
                let hex = |i: &mut usize, n: usize| -> Option<u32> {
                    let digits: String = chars.get(*i..*i + n)?.iter().collect();
                    *i += n;
                    u32::from_str_radix(&digits, 16).ok()
                };
                let decoded = match e {
                    '\n' => {
                        out.extend(std::iter::repeat_n('\n', skip_blank_lines(&mut i)));
                        continue;
                    }
                    '0' => '\0',
                    'a' => '\x07',
                    'b' => '\x08',
                    't' | '\t' => '\t',
                    'n' => '\n',
                    'v' => '\x0b',
                    'f' => '\x0c',
                    'r' => '\r',
                    'e' => '\x1b',
                    ' ' => ' ',
                    '"' => '"',
                    '/' => '/',
                    '\\' => '\\',
                    'N' => '\u{85}',
                    '_' => '\u{a0}',
                    'L' => '\u{2028}',
                    'P' => '\u{2029}',
                    'x' => char::from_u32(hex(&mut i, 2)?)?,
                    'U' => char::from_u32(hex(&mut i, 8)?)?,
                    'u' => {
                        let unit = hex(&mut i, 4)?;
                        if (0xD800..0xDC00).contains(&unit) && chars.get(i) == Some(&'\\') {
                            i += 2;
                            let low = hex(&mut i, 4)?;
                            char::decode_utf16([unit as u16, low as u16]).next()?.ok()?
                        } else {
                            char::from_u32(unit)?
                        }
                    }
                    _ => return None,
                };
                out.push(decoded);
            }
            c => {
                out.push_str(&std::mem::take(&mut pending));
                out.push(c);
                i += 1;
            }
        }
    }
    out.push_str(&pending);
    Some(out)
}
