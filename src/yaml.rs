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
//! granit buffers the comments between a key and the node it cannot classify
//! yet, and by default gives up after 96: a Helm values file that documents
//! a pod spec as a commented block after a key was "not valid YAML" and gave
//! no finding. The limit is an option (`max_buffered_comment_events`), so it
//! is lifted here rather than patched or the parser replaced: every buffered
//! comment is a comment of the input, so memory stays linear. Measured on a
//! release build (2 shared cores, times ±30 %): a 5 MB Compose file of 16,722
//! services parses into this tree at ~22 MB/s with 40 MB peak RSS (granit's
//! events alone: ~30 MB/s, 7.6 MB), the same with and without the limit; a
//! key followed by 5 MB of comments (87,719 lines) parses at ~54 MB/s with
//! 52 MB peak RSS (the buffered comment events, ~500 bytes each) where the
//! default stopped at line 98. 10,000 `[` and 3,000 levels of block nesting
//! stop at granit's limit of 255 in under 50 ms; an alias bomb stays a few
//! hundred nodes; a merge bomb stops at the merge budget below.
//!
//! Conformance (`tests/conformance/`): every valid case of yaml-test-suite
//! gives the suite's events with exact scalar spans; every invalid case but
//! three gives an error. Those three (under-indented continuation lines in
//! flow context and in quoted scalars) are accepted on purpose, as libyaml
//! and its ports in the engines (go-yaml for Compose and Kubernetes) do.
//!
//! Aliases are kept as references to their anchor's node, never copied, so a
//! "billion laughs" file costs memory linear in its size. Lookups resolve
//! aliases and `<<` merge keys lazily with a depth limit (an alias inside its
//! own anchor makes a cycle) and report both the place a value is written
//! (the anchor) and the place it is used (the alias).

use std::collections::{HashMap, HashSet};

use granit_parser::{ErrorKind, Event, Parser, ScalarStyle, ScanError, Tag};

use crate::diagnostic::Problem;
use crate::source::{LineIndex, Span};

pub type NodeId = usize;

/// Files nested deeper than this are rejected rather than walked.
pub const MAX_DEPTH: usize = 256;
/// granit's own limit is 255 nested flow and 255 nested block collections.
/// go-yaml (Compose, Kubernetes) stops at 10,000: deeper than ours is a
/// limit of seccheck's, not an invalid file.
const NESTING_MESSAGE: &str =
    "YAML nested deeper than 255 levels (Compose and Kubernetes read up to 10,000)";
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
    /// The explicit tag, resolved: `tag:yaml.org,2002:str` for `!!str`,
    /// `!Ref` for a local tag, `!` for the non-specific one.
    pub tag: Option<Box<str>>,
}

/// Why a document could not be read: a message and the byte offset of the
/// first byte the parser could not accept.
#[derive(Debug, Clone)]
pub struct YamlError {
    pub message: String,
    pub offset: usize,
    /// A limit of seccheck's (nesting, node count), not of YAML: the file
    /// may well be valid and read by its engine.
    pub limit: bool,
}

impl YamlError {
    /// The diagnostic for this error in a file read as `format` (YAML, or
    /// JSON read through this tree).
    pub fn problem(&self, format: &'static str) -> Problem {
        if self.limit {
            Problem::Unreadable(self.message.clone())
        } else {
            Problem::Syntax {
                format,
                message: self.message.clone(),
            }
        }
    }
}

/// Every document of one YAML stream, sharing one node arena.
#[derive(Debug, Default)]
pub struct Yaml {
    nodes: Vec<Node>,
    /// Root node of each document that parsed completely.
    pub documents: Vec<NodeId>,
    /// Every comment the parser saw, `#` included, when it was asked to
    /// keep them ([`Yaml::parse`] keeps them only where a suppression can be).
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
    /// The tree, with the comments when the text holds a `seccheck:`
    /// directive: comments serve only suppressions, and a file without one
    /// parses ~5 % faster without comment events (granit still checks
    /// their syntax).
    pub fn parse(text: &str) -> Yaml {
        Yaml::parse_keeping_comments(
            text,
            memchr::memmem::find(text.as_bytes(), b"seccheck:").is_some(),
        )
    }

    pub fn parse_keeping_comments(text: &str, comments: bool) -> Yaml {
        let mut yaml = Yaml::default();
        let mut parser = Parser::new_from_str_with_options(text, parser_options(comments));
        let mut anchors: HashMap<usize, NodeId> = HashMap::new();
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
        anchors: &mut HashMap<usize, NodeId>,
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
                Event::Scalar(value, style, anchor, tag) => {
                    let span = value_span(text, span, style);
                    // granit reports an empty node as `~`; the tree keeps
                    // what is written, and `is_null` reads both as null.
                    let value = if style == ScalarStyle::Plain && span.is_empty() {
                        String::new()
                    } else {
                        value.into_owned()
                    };
                    let id = self.push(NodeKind::Scalar { value, style }, span, tag.as_deref())?;
                    if anchor != 0 {
                        anchors.insert(anchor, id);
                    }
                    id
                }
                Event::Alias(anchor) => {
                    // granit numbers every anchor definition afresh, so a
                    // redefined name already maps to its latest node.
                    let target = anchors.get(&anchor).copied().ok_or_else(|| YamlError {
                        message: "alias to an unknown anchor".into(),
                        offset: span.start,
                        limit: false,
                    })?;
                    self.push(NodeKind::Alias(target), span, None)?
                }
                Event::SequenceStart(_, anchor, ref tag)
                | Event::MappingStart(_, anchor, ref tag) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(YamlError {
                            message: NESTING_MESSAGE.into(),
                            offset: span.start,
                            limit: true,
                        });
                    }
                    let is_seq = matches!(event, Event::SequenceStart(..));
                    let placeholder = if is_seq {
                        NodeKind::Sequence(Vec::new())
                    } else {
                        NodeKind::Mapping(Vec::new())
                    };
                    let id = self.push(placeholder, span, tag.as_deref())?;
                    if anchor != 0 {
                        anchors.insert(anchor, id);
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

    fn push(&mut self, kind: NodeKind, span: Span, tag: Option<&Tag>) -> Result<NodeId, YamlError> {
        if self.nodes.len() >= MAX_NODES {
            return Err(YamlError {
                message: format!("more than {MAX_NODES} YAML nodes"),
                offset: span.start,
                limit: true,
            });
        }
        let tag = tag.map(|t| format!("{}{}", t.handle(), t.suffix()).into_boxed_str());
        self.nodes.push(Node { kind, span, tag });
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

/// granit's defaults, except the comment buffer. The parser buffers the
/// comments between a key and the node it cannot classify yet (a Helm values
/// file documents a whole pod spec as a commented block right after a key);
/// its default of 96 rejects such valid files. Every buffered comment is one
/// comment of the input, so an unbounded buffer is still linear in its size.
fn parser_options(comments: bool) -> granit_parser::Options {
    granit_parser::options! {
        max_buffered_comment_events: usize::MAX,
        emit_comments: comments,
    }
}

/// The span of a scalar's value, which is what a finding marks: a quoted
/// scalar without its quotes (as editors and the peers' expectations do),
/// a block scalar from the first to the last character of its content (the
/// parser's span runs on over the trailing line breaks and into the next
/// line's indentation; blanks at the end of the last line are content and
/// stay). A block scalar of blanks only keeps the first line of its span
/// (the parser's span of an empty one is its header, or empty).
fn value_span(text: &str, span: Span, style: ScalarStyle) -> Span {
    let bytes = text.as_bytes();
    let quote = match style {
        ScalarStyle::SingleQuoted => b'\'',
        ScalarStyle::DoubleQuoted => b'"',
        ScalarStyle::Literal | ScalarStyle::Folded => {
            let Some(raw) = text.get(span.range()) else {
                return span;
            };
            let visible = raw.trim_end_matches([' ', '\t', '\r', '\n']).len();
            if visible == 0 {
                // Only blanks (or nothing): the first line of what is there.
                let first_line = raw.find(['\r', '\n']).unwrap_or(raw.len());
                return Span::new(span.start, span.start + first_line);
            }
            let mut end = span.start + visible;
            while end < span.end && matches!(bytes[end], b' ' | b'\t') {
                end += 1;
            }
            return Span::new(span.start, end);
        }
        ScalarStyle::Plain => return span,
    };
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
    let marked = m
        .byte_offset()
        .unwrap_or_else(|| {
            // Fall back to line/column, which the marker always has.
            let line_start: usize = text
                .split_inclusive('\n')
                .take(m.line().saturating_sub(1))
                .map(str::len)
                .sum();
            line_start + m.col()
        })
        .min(text.len());
    let mut message = match e.kind() {
        ErrorKind::RecursionLimitExceeded => NESTING_MESSAGE.to_string(),
        _ => e.info(),
    };
    let offset = match failure_offset(e.kind(), text, marked) {
        Some(offset) if offset != marked => {
            let at = LineIndex::new(text).position(text, marked);
            message.push_str(&format!(
                " (it starts at line {}, column {})",
                at.line, at.column
            ));
            offset
        }
        _ => marked,
    };
    let limit = matches!(
        e.kind(),
        ErrorKind::RecursionLimitExceeded
            | ErrorKind::AnchorCountOverflow
            | ErrorKind::DirectiveByteLimitExceeded { .. }
            | ErrorKind::TooManyReservedDirectiveParams { .. }
            | ErrorKind::TooManyComments
    );
    YamlError {
        message,
        offset,
        limit,
    }
}

/// The first byte the parser could not accept, for the errors that granit
/// marks where the construct began (the opening quote or bracket, the block
/// scalar indicator, the tag, the directive): a diagnostic must point at what
/// to fix, and says where the construct started.
fn failure_offset(kind: &ErrorKind, text: &str, at: usize) -> Option<usize> {
    let rest = text.get(at..)?;
    let found = |i: Option<usize>| i.map(|i| at + i);
    match kind {
        ErrorKind::UnclosedQuotedScalar => Some(text.len()),
        // Only a document marker or the end of the input ends an open flow
        // collection or quoted scalar without its closing character.
        ErrorKind::UnclosedFlowCollection { .. } | ErrorKind::DocumentIndicatorInQuotedScalar => {
            Some(found(document_marker(rest)).unwrap_or(text.len()))
        }
        ErrorKind::UnknownQuotedScalarEscape => {
            let mut chars = rest.char_indices().skip(1);
            while let Some((_, c)) = chars.next() {
                if c == '"' {
                    break;
                }
                if c == '\\' {
                    match chars.next() {
                        Some((_, e)) if "0abt\tnvfre \"/\\N_LPxuU\r\n".contains(e) => {}
                        Some((i, _)) => return Some(at + i),
                        None => break,
                    }
                }
            }
            None
        }
        ErrorKind::TabAtBlockScalarStart | ErrorKind::TabInPlainScalar => found(rest.find('\t')),
        ErrorKind::ZeroBlockScalarIndent => found(rest.find('0')),
        ErrorKind::InvalidTagTerminator => {
            found(rest.find(|c: char| c.is_whitespace() || ",[]{}".contains(c)))
        }
        ErrorKind::InvalidBlockScalarHeader => {
            // `|` or `>`, at most one indentation digit and one chomping
            // indicator, then blanks and a comment or the line's end.
            let mut chars = rest.char_indices().skip(1).peekable();
            let (mut digit, mut chomp) = (false, false);
            while let Some(&(_, c)) = chars.peek() {
                match c {
                    '1'..='9' if !digit => digit = true,
                    '+' | '-' if !chomp => chomp = true,
                    _ => break,
                }
                chars.next();
            }
            let after = chars.peek().map(|&(i, _)| i)?;
            let blanks = rest[after..].len() - rest[after..].trim_start_matches([' ', '\t']).len();
            Some(at + after + blanks)
        }
        ErrorKind::InvalidDirectiveTerminator => {
            // `%NAME` and its parameters (one for YAML, two for TAG).
            let line = rest.split(['\r', '\n']).next().unwrap_or("");
            let params = if line.starts_with("%TAG") { 2 } else { 1 };
            let mut i = line.find([' ', '\t'])?;
            for _ in 0..params {
                i += line[i..].len() - line[i..].trim_start_matches([' ', '\t']).len();
                i += line[i..].find([' ', '\t']).unwrap_or(line.len() - i);
            }
            i += line[i..].len() - line[i..].trim_start_matches([' ', '\t']).len();
            Some(at + i)
        }
        _ => None,
    }
}

/// Offset in `rest` of the first `---` or `...` that starts a line (after
/// `rest`'s own first line) and is followed by a blank, a line break or the end.
fn document_marker(rest: &str) -> Option<usize> {
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if offset > 0 && (line.starts_with("---") || line.starts_with("...")) {
            let after = line[3..].chars().next();
            if after.is_none_or(|c| matches!(c, ' ' | '\t' | '\r' | '\n')) {
                return Some(offset);
            }
        }
        offset += line.len();
    }
    None
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

    /// The node's explicit tag, resolved (`tag:yaml.org,2002:str`, `!Ref`,
    /// `!reference`), if it has one.
    pub fn tag(&self) -> Option<&'a str> {
        self.yaml.nodes[self.id].tag.as_deref()
    }

    /// A scalar that YAML resolves to a boolean, number or null: plain and
    /// untagged, or tagged explicitly with one of those core types in any
    /// style. `!!str true` and `!Ref x` are not booleans or nulls.
    pub fn as_plain(&self) -> Option<&'a str> {
        let node = &self.yaml.nodes[self.id];
        let NodeKind::Scalar { value, style } = &node.kind else {
            return None;
        };
        match node.tag.as_deref() {
            None if *style == ScalarStyle::Plain => Some(value),
            Some(tag) => match tag.strip_prefix("tag:yaml.org,2002:") {
                Some("bool" | "int" | "float" | "null") => Some(value),
                _ => None,
            },
            None => None,
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

    /// The entries written in this mapping, in order, duplicates included,
    /// aliases followed and `<<` merge keys left as written: for walking a
    /// whole document once, and for templates whose branches repeat a key.
    pub fn pairs(&self) -> impl Iterator<Item = (YamlRef<'a>, YamlRef<'a>)> + 'a {
        let yaml = self.yaml;
        let used_at = self.used_at;
        let pairs: &'a [(NodeId, NodeId)] = match &yaml.nodes[self.id].kind {
            NodeKind::Mapping(pairs) => pairs,
            _ => &[],
        };
        pairs.iter().filter_map(move |&(k, v)| {
            Some((
                YamlRef::at(yaml, k, used_at)?,
                YamlRef::at(yaml, v, used_at)?,
            ))
        })
    }

    /// Mapping entries with `<<` merges applied as YAML 1.1 defines them:
    /// keys written in the mapping win over merged ones, and among merged
    /// mappings the first listed wins. Keys are returned with their values.
    pub fn entries(&self) -> Vec<(YamlRef<'a>, YamlRef<'a>)> {
        let mut out = Vec::new();
        self.collect_entries(&mut out, &mut HashSet::new(), 0);
        out
    }

    /// `seen` holds the keys already in `out`: a mapping with many keys
    /// (a values file, a Compose file with thousands of services) must not
    /// cost a scan of `out` per key.
    fn collect_entries(
        &self,
        out: &mut Vec<(YamlRef<'a>, YamlRef<'a>)>,
        seen: &mut HashSet<&'a str>,
        depth: usize,
    ) {
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
            if key.as_str().is_some_and(|name| !seen.insert(name)) {
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
                source.collect_entries(&mut merged, &mut HashSet::new(), depth + 1);
                for (k, v) in merged {
                    if !self.yaml.spend(merge.span().start) {
                        return;
                    }
                    if k.as_str().is_some_and(|name| !seen.insert(name)) {
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
        let y = Yaml::parse_keeping_comments(src, true);
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
        // Valid YAML that Compose and Kubernetes would read: our limit.
        assert!(y.errors[0].limit);
        assert!(
            y.errors[0]
                .problem("YAML")
                .to_string()
                .starts_with("seccheck could not read this file")
        );
    }

    fn comments(n: usize, indent: &str) -> String {
        (0..n).map(|i| format!("{indent}# line {i}\n")).collect()
    }

    /// Charts document a whole pod spec as a commented block right after a
    /// key; granit's default buffer of 96 comments rejected such files.
    #[test]
    fn any_number_of_comments_anywhere() {
        let many = comments(5_000, "  ");
        let cases = [
            // Between a key and the first entry of its block mapping.
            format!("securityContext:\n{many}  privileged: true\n"),
            // Before the first entry of a block sequence.
            format!("security_opt:\n{many}  - privileged: true\n"),
            // Between a key and its scalar value on a later line.
            format!("privileged:\n{many}  true\n"),
            // Inside flow collections.
            format!("x: [\n{many}  {{privileged:\n{many}  true}}]\n"),
            // Before the first document and between documents.
            format!("{many}---\n{many}privileged: true\n{many}...\n{many}"),
            // After an explicit key.
            format!("? privileged\n{many}: true\n"),
        ];
        for src in &cases {
            let y = Yaml::parse_keeping_comments(src, true);
            assert!(y.errors.is_empty(), "{:?} in {}", y.errors, &src[..80]);
            let count = src.matches("# line").count();
            assert_eq!(y.comments.len(), count);
            assert!(
                y.comments
                    .iter()
                    .all(|&c| src[c.range()].starts_with("# line"))
            );
            let found = y.roots().next().and_then(|r| {
                let r = if r.is_sequence() { r.items()[0] } else { r };
                r.get("privileged")
                    .or_else(|| r.get("securityContext").and_then(|m| m.get("privileged")))
                    .or_else(|| {
                        r.get("security_opt")
                            .map(|s| s.items()[0])
                            .and_then(|m| m.get("privileged"))
                    })
                    .or_else(|| {
                        r.get("x")
                            .map(|s| s.items()[0])
                            .and_then(|m| m.get("privileged"))
                    })
            });
            let value = found.unwrap_or_else(|| panic!("no value in {}", &src[..80]));
            assert_eq!(value.as_bool(), Some(true));
            assert_eq!(&src[value.span().range()], "true");
        }
    }

    #[test]
    fn directives_document_ends_and_crlf() {
        let src = "%YAML 1.2\r\n---\r\nprivileged: true\r\n...\r\n---\r\nb: \"x\"\r\n...\r\n";
        let y = Yaml::parse(src);
        assert!(y.errors.is_empty(), "{:?}", y.errors);
        assert_eq!(y.documents.len(), 2);
        let p = y.roots().next().unwrap().get("privileged").unwrap();
        assert_eq!((p.as_bool(), &src[p.span().range()]), (Some(true), "true"));
        let b = y.roots().nth(1).unwrap().get("b").unwrap();
        assert_eq!((b.as_str(), &src[b.span().range()]), (Some("x"), "x"));
        // A block scalar's span ends at its last character, not at the CRLF.
        let src = "run: |\r\n  docker run \\\r\n    --privileged x\r\n\r\nnext: 1\r\n";
        let y = Yaml::parse(src);
        let run = y.roots().next().unwrap().get("run").unwrap();
        assert_eq!(run.as_str(), Some("docker run \\\n  --privileged x\n"));
        assert_eq!(
            &src[run.span().range()],
            "docker run \\\r\n    --privileged x"
        );
    }

    #[test]
    fn tags_are_kept_and_only_untagged_plain_scalars_resolve() {
        let src = "a: !!str true\nb: !!bool \"true\"\nc: !Ref Param\nd: !Sub 'x-${AWS::Region}'\n\
                   e: !reference [.setup, script]\nf: ! true\ng: true\n";
        let y = Yaml::parse(src);
        assert!(y.errors.is_empty(), "{:?}", y.errors);
        let root = y.roots().next().unwrap();
        let get = |k| root.get(k).unwrap();
        assert_eq!(get("a").tag(), Some("tag:yaml.org,2002:str"));
        assert_eq!(
            (get("a").as_bool(), get("a").as_str()),
            (None, Some("true"))
        );
        assert_eq!(get("b").as_bool(), Some(true));
        assert_eq!(get("c").tag(), Some("!Ref"));
        assert_eq!(&src[get("c").span().range()], "Param");
        assert_eq!(get("d").tag(), Some("!Sub"));
        assert_eq!(&src[get("d").span().range()], "x-${AWS::Region}");
        assert_eq!(get("e").tag(), Some("!reference"));
        let items: Vec<_> = get("e")
            .items()
            .iter()
            .map(|i| i.as_str().unwrap())
            .collect();
        assert_eq!(items, [".setup", "script"]);
        assert_eq!((get("f").tag(), get("f").as_bool()), (Some("!"), None));
        assert_eq!((get("g").tag(), get("g").as_bool()), (None, Some(true)));
    }

    #[test]
    fn complex_keys_anchored_collections_and_block_scalars() {
        let src = "? [a, b]\n: complex\n? |\n  block key\n: v\n\
                   opts: &opts\n  - seccomp=unconfined\ncmd: &cmd >-\n  docker run\n  --privileged\n\
                   x:\n  security_opt: *opts\n  command: *cmd\n";
        let y = Yaml::parse(src);
        assert!(y.errors.is_empty(), "{:?}", y.errors);
        let root = y.roots().next().unwrap();
        let entries = root.entries();
        assert!(entries[0].0.is_sequence());
        assert_eq!(entries[0].1.as_str(), Some("complex"));
        assert_eq!(entries[1].0.as_str(), Some("block key\n"));
        let x = root.get("x").unwrap();
        let opt = x.get("security_opt").unwrap().items()[0];
        assert_eq!(&src[opt.span().range()], "seccomp=unconfined");
        assert_eq!(&src[opt.used_at().unwrap().range()], "*opts");
        let cmd = x.get("command").unwrap();
        assert_eq!(cmd.as_str(), Some("docker run --privileged"));
        assert_eq!(&src[cmd.span().range()], "docker run\n  --privileged");
        assert_eq!(&src[cmd.used_at().unwrap().range()], "*cmd");
    }

    #[test]
    fn block_scalar_indentation_indicators_and_tabs() {
        // `|2` keeps the extra indentation; tabs are content inside block
        // scalars and separators after indentation.
        let src = "a: |2\n    indented\n  base\nb: >+1\n  two\n\nc:\tvalue\t# tab before comment\nd: |\n  \tx\n";
        let y = Yaml::parse_keeping_comments(src, true);
        assert!(y.errors.is_empty(), "{:?}", y.errors);
        let root = y.roots().next().unwrap();
        let a = root.get("a").unwrap();
        assert_eq!(a.as_str(), Some("  indented\nbase\n"));
        // The extra indentation is content, so the span starts with it.
        assert_eq!(&src[a.span().range()], "  indented\n  base");
        assert_eq!(root.get("b").unwrap().as_str(), Some(" two\n\n"));
        let c = root.get("c").unwrap();
        assert_eq!(
            (c.as_str(), &src[c.span().range()]),
            (Some("value"), "value")
        );
        assert_eq!(root.get("d").unwrap().as_str(), Some("\tx\n"));
        assert!(src[y.comments[0].range()].starts_with("# tab"));
    }

    #[test]
    fn very_long_plain_scalars() {
        let long = "x".repeat(1 << 20);
        let src = format!("a: {long}\nb:\n  {long}\n  {long}\n");
        let y = Yaml::parse(&src);
        assert!(y.errors.is_empty(), "{:?}", y.errors);
        let root = y.roots().next().unwrap();
        assert_eq!(root.get("a").unwrap().span().len(), long.len());
        let b = root.get("b").unwrap();
        assert_eq!(b.as_str().unwrap().len(), 2 * long.len() + 1);
        assert_eq!(b.span().len(), 2 * long.len() + 3);
    }

    #[test]
    fn empty_values_have_empty_text() {
        let src = "a:\nb: ~\n";
        let y = Yaml::parse(src);
        let root = y.roots().next().unwrap();
        let a = root.get("a").unwrap();
        assert_eq!(
            (a.as_str(), a.is_null(), a.span().is_empty()),
            (Some(""), true, true)
        );
        assert_eq!(root.get("b").unwrap().as_str(), Some("~"));
        assert!(root.get("b").unwrap().is_null());
    }

    /// The offset of the first error and its message.
    fn first_error(src: &str) -> (usize, String) {
        let y = Yaml::parse(src);
        let e = y
            .errors
            .first()
            .unwrap_or_else(|| panic!("no error in {src:?}"));
        assert!(!e.limit);
        (e.offset, e.message.clone())
    }

    #[test]
    fn errors_point_at_the_first_byte_not_accepted() {
        let cases: &[(&str, &str)] = &[
            // (input, the text at the expected offset; "" for the end)
            ("a: [1, 2\n", ""),
            ("a: \"open\nb: 1\n", ""),
            ("a: [1,\n---\nb: 1\n", "---\nb: 1\n"),
            ("a: \"x\\.y\"\n", ".y\"\n"),
            ("a: |10\n  x\n", "0\n  x\n"),
            ("a: > text\n  x\n", "text\n  x\n"),
            ("a: |0\n  x\n", "0\n  x\n"),
            ("- !!str, x\n", ", x\n"),
            ("a: !x{}y z\n", "{}y z\n"),
            ("foo: |\n\t\nbar: 1\n", "\t\nbar: 1\n"),
            ("%YAML 1.2 foo\n---\na\n", "foo\n---\na\n"),
            ("a: b: c\n", ": c\n"),
            ("a: 1\n b: 2\n", ": 2\n"),
        ];
        for (src, at) in cases {
            let (offset, message) = first_error(src);
            assert_eq!(&src[offset..], *at, "{src:?}: {message}");
        }
        let (_, message) = first_error("x: 1\na: [1, 2\n");
        assert!(
            message.ends_with("(it starts at line 2, column 4)"),
            "{message}"
        );
    }
}
