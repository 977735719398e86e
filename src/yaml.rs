//! A YAML tree in which every node knows where it is written.
//!
//! Built from `granit-parser`'s events (the event parser under serde-saphyr):
//! it is the one YAML crate checked here that gives exact byte ranges for every
//! scalar, real `Comment` events (suppressions must come from comments the
//! parser recognised, never from a `#` inside a block scalar or a string),
//! anchor events with spans, multi-document streams and recovery after a
//! broken document. `saphyr` loses comments and smears the end of a quoted
//! scalar over a trailing comment; `yaml-rust2` has no alias budget;
//! `serde_yaml` is deprecated and positionless.
//!
//! Aliases are kept as references to their anchor's node, never copied, so a
//! "billion laughs" file costs memory linear in its size. Lookups resolve
//! aliases and `<<` merge keys lazily with a depth limit (an alias inside its
//! own anchor makes a cycle) and report both the place a value is written
//! (the anchor) and the place it is used (the alias).

use granit_parser::{Event, Parser, ScalarStyle, ScanError};

use crate::source::Span;

pub type NodeId = usize;

/// Files nested deeper than this are rejected rather than walked.
pub const MAX_DEPTH: usize = 256;
/// Upper bound on nodes in one file; real manifests are far below it.
pub const MAX_NODES: usize = 2_000_000;
/// How many aliases and merges one lookup may follow before giving up.
const MAX_HOPS: usize = 64;
/// Merge-key work allowed per file, beyond a share proportional to its size:
/// `<<: [*a, *a, …]` nested a few levels deep is exponential, like an alias
/// bomb, and must stop rather than hang.
const MERGE_BUDGET_BASE: usize = 100_000;

#[derive(Debug, Clone)]
pub enum NodeKind {
    Scalar {
        value: String,
        style: ScalarStyle,
    },
    Sequence(Vec<NodeId>),
    /// Key/value pairs in source order; `<<` keys are kept and applied on lookup.
    Mapping(Vec<(NodeId, NodeId)>),
    Alias(NodeId),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

/// A syntax error: a message and the byte offset it refers to.
#[derive(Debug, Clone)]
pub struct YamlError {
    pub message: String,
    pub offset: usize,
}

/// Every document of one YAML stream, sharing one node arena.
#[derive(Debug, Default)]
pub struct Yaml {
    nodes: Vec<Node>,
    /// Root node of each document that parsed completely.
    pub documents: Vec<NodeId>,
    /// Every comment the parser saw, `#` included.
    pub comments: Vec<Span>,
    /// Documents that failed; later documents are still read.
    pub errors: Vec<YamlError>,
    /// Merge entries that lookups may still visit; see [`MERGE_BUDGET_BASE`].
    merge_budget: std::cell::Cell<usize>,
    /// Where the merge budget ran out, if it did: lookups past that point
    /// see only part of the merged keys, which the caller must report.
    budget_exhausted_at: std::cell::Cell<Option<usize>>,
}

enum Open {
    Seq(usize, Vec<NodeId>),
    Map(usize, Vec<NodeId>),
}

impl Yaml {
    pub fn parse(text: &str) -> Yaml {
        let mut yaml = Yaml::default();
        let mut parser = Parser::new_from_str(text);
        let mut anchors: Vec<(usize, NodeId)> = Vec::new();
        loop {
            match yaml.read_document(&mut parser, &mut anchors, text) {
                Ok(true) => continue,
                Ok(false) => break,
                Err(e) => {
                    yaml.errors.push(e);
                    match parser.proceed_next_document() {
                        Ok(true) => continue,
                        _ => break,
                    }
                }
            }
        }
        yaml.merge_budget
            .set(MERGE_BUDGET_BASE + 10 * yaml.nodes.len());
        yaml
    }

    /// The offset of the merge key where expansion was cut short, if any.
    pub fn merge_budget_exhausted_at(&self) -> Option<usize> {
        self.budget_exhausted_at.get()
    }

    /// Takes one unit of merge work; false once the budget is spent.
    fn spend(&self, at: usize) -> bool {
        let left = self.merge_budget.get();
        if left == 0 {
            if self.budget_exhausted_at.get().is_none() {
                self.budget_exhausted_at.set(Some(at));
            }
            return false;
        }
        self.merge_budget.set(left - 1);
        true
    }

    /// Reads events up to the end of one document. `Ok(false)` at end of stream.
    fn read_document<'t>(
        &mut self,
        parser: &mut Parser<'t, granit_parser::StrInput<'t>>,
        anchors: &mut Vec<(usize, NodeId)>,
        text: &str,
    ) -> Result<bool, YamlError> {
        let mut stack: Vec<Open> = Vec::new();
        let mut root: Option<NodeId> = None;
        loop {
            let Some(next) = parser.next_event() else {
                return Ok(false);
            };
            let (event, span) = next.map_err(|e| scan_error(&e, text))?;
            let range = span.byte_range().unwrap_or(0..0);
            let span = Span::new(range.start, range.end);
            let new_node = match event {
                Event::StreamStart | Event::DocumentStart(..) => continue,
                Event::StreamEnd => return Ok(false),
                Event::DocumentEnd => {
                    if let Some(root) = root {
                        self.documents.push(root);
                    }
                    return Ok(true);
                }
                Event::Comment(..) => {
                    self.comments.push(span);
                    continue;
                }
                Event::Scalar(value, style, anchor, _) => {
                    let span = content_span(text, span, style);
                    let id = self.push(
                        NodeKind::Scalar {
                            value: value.into_owned(),
                            style,
                        },
                        span,
                    )?;
                    if anchor != 0 {
                        anchors.push((anchor, id));
                    }
                    id
                }
                Event::Alias(anchor) => {
                    let target = anchors
                        .iter()
                        .rev()
                        .find(|(a, _)| *a == anchor)
                        .map(|&(_, id)| id)
                        .ok_or_else(|| YamlError {
                            message: "alias to an unknown anchor".into(),
                            offset: span.start,
                        })?;
                    self.push(NodeKind::Alias(target), span)?
                }
                Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(YamlError {
                            message: format!("nesting deeper than {MAX_DEPTH} levels"),
                            offset: span.start,
                        });
                    }
                    let is_seq = matches!(event, Event::SequenceStart(..));
                    let placeholder = if is_seq {
                        NodeKind::Sequence(Vec::new())
                    } else {
                        NodeKind::Mapping(Vec::new())
                    };
                    let id = self.push(placeholder, span)?;
                    if anchor != 0 {
                        anchors.push((anchor, id));
                    }
                    stack.push(if is_seq {
                        Open::Seq(id, Vec::new())
                    } else {
                        Open::Map(id, Vec::new())
                    });
                    continue;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let (id, kind) = match stack.pop() {
                        Some(Open::Seq(id, items)) => (id, NodeKind::Sequence(items)),
                        Some(Open::Map(id, flat)) => {
                            let pairs = flat.chunks(2).filter(|c| c.len() == 2);
                            (id, NodeKind::Mapping(pairs.map(|c| (c[0], c[1])).collect()))
                        }
                        None => continue,
                    };
                    let node = &mut self.nodes[id];
                    node.kind = kind;
                    node.span.end = span.end.max(node.span.start);
                    id
                }
                _ => continue,
            };
            match stack.last_mut() {
                Some(Open::Seq(_, items)) | Some(Open::Map(_, items)) => items.push(new_node),
                None => root = Some(new_node),
            }
        }
    }

    fn push(&mut self, kind: NodeKind, span: Span) -> Result<NodeId, YamlError> {
        if self.nodes.len() >= MAX_NODES {
            return Err(YamlError {
                message: format!("more than {MAX_NODES} YAML nodes"),
                offset: span.start,
            });
        }
        self.nodes.push(Node { kind, span });
        Ok(self.nodes.len() - 1)
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// A handle on the root of each document.
    pub fn roots(&self) -> impl Iterator<Item = YamlRef<'_>> {
        self.documents.iter().map(move |&id| YamlRef {
            yaml: self,
            id,
            used_at: None,
        })
    }
}

/// A quoted scalar's span without its quotes: findings mark the value
/// itself, as editors and the peers' expectations do.
fn content_span(text: &str, span: Span, style: ScalarStyle) -> Span {
    let quote = match style {
        ScalarStyle::SingleQuoted => b'\'',
        ScalarStyle::DoubleQuoted => b'"',
        _ => return span,
    };
    let bytes = text.as_bytes();
    if span.len() >= 2
        && bytes.get(span.start) == Some(&quote)
        && bytes.get(span.end - 1) == Some(&quote)
    {
        Span::new(span.start + 1, span.end - 1)
    } else {
        span
    }
}

fn scan_error(e: &ScanError, text: &str) -> YamlError {
    let m = e.marker();
    let offset = m.byte_offset().unwrap_or_else(|| {
        // Fall back to line/column, which the marker always has.
        let line_start: usize = text
            .split_inclusive('\n')
            .take(m.line().saturating_sub(1))
            .map(str::len)
            .sum();
        line_start + m.col()
    });
    YamlError {
        message: e.info().to_string(),
        offset: offset.min(text.len()),
    }
}

/// A node reached through lookups, aliases already followed.
#[derive(Clone, Copy)]
pub struct YamlRef<'a> {
    yaml: &'a Yaml,
    id: NodeId,
    /// The alias through which this node was reached, when it was.
    used_at: Option<Span>,
}

impl std::fmt::Debug for YamlRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("YamlRef")
            .field("span", &self.span())
            .field("used_at", &self.used_at)
            .finish()
    }
}

impl<'a> YamlRef<'a> {
    fn at(yaml: &'a Yaml, id: NodeId, used_at: Option<Span>) -> Option<YamlRef<'a>> {
        let mut r = YamlRef { yaml, id, used_at };
        for _ in 0..MAX_HOPS {
            match yaml.nodes[r.id].kind {
                NodeKind::Alias(target) => {
                    r.used_at = Some(r.used_at.unwrap_or(yaml.nodes[r.id].span));
                    r.id = target;
                }
                _ => return Some(r),
            }
        }
        None
    }

    /// Where the value is written (the anchored node, for an alias).
    pub fn span(&self) -> Span {
        self.yaml.nodes[self.id].span
    }

    /// The alias that brought this value here, if it was reached through one.
    pub fn used_at(&self) -> Option<Span> {
        self.used_at
    }

    pub fn id(&self) -> NodeId {
        self.id
    }

    pub fn as_str(&self) -> Option<&'a str> {
        match &self.yaml.nodes[self.id].kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    pub fn style(&self) -> Option<ScalarStyle> {
        match &self.yaml.nodes[self.id].kind {
            NodeKind::Scalar { style, .. } => Some(*style),
            _ => None,
        }
    }

    /// A plain scalar: the only kind YAML resolves to booleans, numbers, null.
    pub fn as_plain(&self) -> Option<&'a str> {
        match &self.yaml.nodes[self.id].kind {
            NodeKind::Scalar {
                value,
                style: ScalarStyle::Plain,
            } => Some(value),
            _ => None,
        }
    }

    /// YAML 1.2 core-schema boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self.as_plain()? {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        }
    }

    pub fn is_mapping(&self) -> bool {
        matches!(self.yaml.nodes[self.id].kind, NodeKind::Mapping(_))
    }

    pub fn is_sequence(&self) -> bool {
        matches!(self.yaml.nodes[self.id].kind, NodeKind::Sequence(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(self.as_plain(), Some("" | "~" | "null" | "Null" | "NULL"))
    }

    /// Sequence items, aliases followed; empty for anything else.
    pub fn items(&self) -> Vec<YamlRef<'a>> {
        match &self.yaml.nodes[self.id].kind {
            NodeKind::Sequence(items) => items
                .iter()
                .filter_map(|&id| YamlRef::at(self.yaml, id, self.used_at))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Mapping entries with `<<` merges applied as YAML 1.1 defines them:
    /// keys written in the mapping win over merged ones, and among merged
    /// mappings the first listed wins. Keys are returned with their values.
    pub fn entries(&self) -> Vec<(YamlRef<'a>, YamlRef<'a>)> {
        let mut out = Vec::new();
        self.collect_entries(&mut out, 0);
        out
    }

    fn collect_entries(&self, out: &mut Vec<(YamlRef<'a>, YamlRef<'a>)>, depth: usize) {
        let NodeKind::Mapping(pairs) = &self.yaml.nodes[self.id].kind else {
            return;
        };
        if depth > MAX_HOPS {
            return;
        }
        let mut merges = Vec::new();
        for &(k, v) in pairs {
            let (Some(key), Some(value)) = (
                YamlRef::at(self.yaml, k, self.used_at),
                YamlRef::at(self.yaml, v, self.used_at),
            ) else {
                continue;
            };
            if key.as_plain() == Some("<<") {
                merges.push(value);
                continue;
            }
            let name = key.as_str();
            if name.is_some() && out.iter().any(|(k, _)| k.as_str() == name) {
                continue;
            }
            out.push((key, value));
        }
        for merge in merges {
            let sources = if merge.is_sequence() {
                merge.items()
            } else {
                vec![merge]
            };
            for source in sources {
                if !self.yaml.spend(merge.span().start) {
                    return;
                }
                let mut merged = Vec::new();
                source.collect_entries(&mut merged, depth + 1);
                for (k, v) in merged {
                    if !self.yaml.spend(merge.span().start) {
                        return;
                    }
                    let name = k.as_str();
                    if name.is_some() && out.iter().any(|(o, _)| o.as_str() == name) {
                        continue;
                    }
                    // A merged value is used at the merge site.
                    let v = YamlRef {
                        used_at: v.used_at.or(merge.used_at).or(Some(merge.span())),
                        ..v
                    };
                    out.push((k, v));
                }
            }
        }
    }

    /// The value of `key`, with the same precedence as [`Self::entries`]
    /// but without building the entry list: lookups are the hot path of
    /// every YAML format.
    pub fn get(&self, key: &str) -> Option<YamlRef<'a>> {
        self.lookup(key, 0)
    }

    fn lookup(&self, key: &str, depth: usize) -> Option<YamlRef<'a>> {
        let NodeKind::Mapping(pairs) = &self.yaml.nodes[self.id].kind else {
            return None;
        };
        let mut has_merge = false;
        for &(k, v) in pairs {
            let Some(kref) = YamlRef::at(self.yaml, k, self.used_at) else {
                continue;
            };
            match kref.as_str() {
                Some(name) if name == key && kref.as_plain() != Some("<<") => {
                    return YamlRef::at(self.yaml, v, self.used_at);
                }
                _ if kref.as_plain() == Some("<<") => has_merge = true,
                _ => {}
            }
        }
        if !has_merge || depth > MAX_HOPS {
            return None;
        }
        for &(k, v) in pairs {
            let is_merge =
                YamlRef::at(self.yaml, k, self.used_at).is_some_and(|k| k.as_plain() == Some("<<"));
            if !is_merge {
                continue;
            }
            let Some(merge) = YamlRef::at(self.yaml, v, self.used_at) else {
                continue;
            };
            let sources = if merge.is_sequence() {
                merge.items()
            } else {
                vec![merge]
            };
            for source in sources {
                if !self.yaml.spend(merge.span().start) {
                    return None;
                }
                if let Some(found) = source.lookup(key, depth + 1) {
                    return Some(YamlRef {
                        used_at: found.used_at.or(merge.used_at).or(Some(merge.span())),
                        ..found
                    });
                }
            }
        }
        None
    }

    /// The key node of `key`, for pointing at a mapping entry itself.
    pub fn key(&self, key: &str) -> Option<YamlRef<'a>> {
        self.entries()
            .into_iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, _)| k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(src: &str, span: Span) -> &str {
        &src[span.range()]
    }

    #[test]
    fn scalar_spans_are_exact() {
        let src = "a:\n  - 'seccomp:unconfined' # c\n  - plain\nb: \"x\"\n";
        let y = Yaml::parse(src);
        assert!(y.errors.is_empty(), "{:?}", y.errors);
        let root = y.roots().next().unwrap();
        let items = root.get("a").unwrap().items();
        assert_eq!(text_of(src, items[0].span()), "seccomp:unconfined");
        assert_eq!(items[0].as_str(), Some("seccomp:unconfined"));
        assert_eq!(text_of(src, items[1].span()), "plain");
        assert_eq!(text_of(src, y.comments[0]), "# c");
    }

    #[test]
    fn merges_and_aliases_keep_both_sites() {
        let src = "x: &base\n  privileged: true\n  image: a\ny:\n  <<: *base\n  image: b\n";
        let y = Yaml::parse(src);
        let root = y.roots().next().unwrap();
        let ysvc = root.get("y").unwrap();
        let p = ysvc.get("privileged").unwrap();
        assert_eq!(p.as_bool(), Some(true));
        assert_eq!(text_of(src, p.span()), "true");
        assert_eq!(text_of(src, p.used_at().unwrap()), "*base");
        assert_eq!(ysvc.get("image").unwrap().as_str(), Some("b"));
    }

    #[test]
    fn alias_bomb_is_linear() {
        let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..40 {
            let p = i - 1;
            src.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let y = Yaml::parse(&src);
        assert!(y.errors.is_empty());
        assert!(y.nodes.len() < 1000);
    }

    #[test]
    fn merge_bomb_stops_within_budget() {
        let mut src = String::from("a0: &a0 {k0: 1, k1: 2, k2: 3}\n");
        for i in 1..30 {
            let p = i - 1;
            src.push_str(&format!(
                "a{i}: &a{i} {{<<: [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}], x{i}: 1}}\n"
            ));
        }
        let y = Yaml::parse(&src);
        let root = y.roots().next().unwrap();
        let started = std::time::Instant::now();
        let _ = root.get("a29").unwrap().entries();
        assert!(y.merge_budget_exhausted_at().is_some());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn broken_document_does_not_hide_the_next() {
        let src = "a: [1, 2\n---\nb: 1\n";
        let y = Yaml::parse(src);
        assert_eq!(y.errors.len(), 1);
        assert_eq!(y.documents.len(), 1);
        assert!(y.roots().next().unwrap().get("b").is_some());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = "[".repeat(10_000);
        let y = Yaml::parse(&src);
        assert!(!y.errors.is_empty());
    }
}
