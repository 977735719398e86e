//! Templated YAML, read before it is rendered: Helm chart templates and Go
//! or Jinja templated manifests (`*.yaml.tmpl`, `*.yaml.j2`, …).
//!
//! This is a pre-pass in front of the YAML readers, not a YAML reader of its
//! own: every template action is masked in place, byte for byte, so that
//! every offset of the masked text is the offset of the same byte in the
//! file, and the Kubernetes and Compose readers then read the masked text as
//! they read any YAML. What is written literally in a template is rendered
//! literally, so a literal `privileged: true` in a template is a finding at
//! its own span; a value that is itself an action is decided at render time
//! and is not.
//!
//! How actions are masked, and why:
//! - An action on a line of its own (`{{- if .Values.x }}`, `{{- end }}`,
//!   `{{- include "labels" . | nindent 4 }}`, `{{ toYaml . | indent 8 }}`)
//!   becomes a YAML comment (`#` and blanks): control actions leave no text
//!   behind, and the YAML an `include`/`toYaml` line injects is unknown
//!   here. A comment rather than blanks, because inside a block scalar a
//!   leading line of blanks deeper than the content is a YAML error.
//! - An action inside a line (`name: {{ .Release.Name }}`, `image:
//!   "{{ .Values.repo }}:{{ .Values.tag }}"`) becomes an opaque placeholder
//!   of `_` of the same length, which is a plain scalar in every YAML
//!   context (and stays inside the quotes it was written in).
//! - A comment or control action at the end of a line after content
//!   (`privileged: true {{- end }}`) becomes blank, so the value before it
//!   keeps its type; so does an output action there that writes a block
//!   (`labels: {{- include "labels" . | nindent 4 }}`, or more indented
//!   lines follow), so that the key owns the block below it.
//! - `{{ define "name" }} … {{ end }}` (a named template) is not output where
//!   it is written (Helm never renders files whose name starts with `_`
//!   either): its whole extent is blank in the text read as a manifest, and
//!   its body is offered on its own ([`Masked::defines`]).
//! - Every branch of `if`/`else`/`with`/`range` (Jinja: `if`/`elif`/`else`,
//!   `for`) is kept, so both sides are read; [`Masked::branch_at`] tells in
//!   which branch a value sits, so that a finding there can say so.
//!
//! The lexing follows the engines: Go's `text/template/parse/lex.go` (actions
//! `{{ … }}` with the trim markers `{{- ` and ` -}}`, comments `{{/* … */}}`
//! that must end at the closing delimiter, `"…"`, `` `…` `` and `'…'` literals
//! in which `}}` does not close the action, keywords `if`, `else`, `end`,
//! `range`, `with`, `define`, `block`); Jinja's lexer and its statement list
//! (`{{ … }}`, `{% … %}`, `{# … #}` with the `-`/`+` whitespace modifiers,
//! `{% raw %}` bodies left as text, blocks closed by `end<name>`, `{% set x %}`
//! without `=` captured like a macro). Helm renders chart templates with Go's
//! `text/template` (`pkg/engine/engine.go`, which skips files whose name
//! starts with `_` as partials), so only `{{` opens an action there: a `{%`
//! in a Helm template is text. A template that the engine could not parse
//! (an unclosed `{{`, an `{{ end }}` without a block) is a [`TemplateError`]
//! with its position: its caller reports a notice and reads nothing, as the
//! engine renders nothing.
//!
//! Work is linear in the file: one pass finds the actions, one pairs blocks
//! with an explicit stack, one masks; nothing recurses on the input.

use std::path::Path;

use crate::source::Span;

/// Which template language a file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Go `text/template` (Helm, `gomplate`, kops' `*.yaml.template`).
    Go,
    /// Jinja (Ansible's `*.j2`, Salt, cookiecutter).
    Jinja,
}

/// The template language a YAML file is written in, if its name or place
/// says it is templated: a Helm chart's `templates/` folder (when the text
/// holds an action), or a template suffix after `.yaml`/`.yml`.
pub fn dialect(path: &Path, text: &str) -> Option<Dialect> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let (stem, suffix) = name.rsplit_once('.')?;
    let templated_yaml = stem.ends_with(".yaml") || stem.ends_with(".yml");
    match suffix {
        "j2" | "jinja" | "jinja2" if templated_yaml => return Some(Dialect::Jinja),
        "gotmpl" if templated_yaml => return Some(Dialect::Go),
        // Names that both languages use: Jinja's statements decide.
        "template" | "tmpl" | "tpl" if templated_yaml => {
            return Some(dialect_of_text(text).unwrap_or(Dialect::Go));
        }
        _ => {}
    }
    if in_chart_templates(path) && text.contains("{{") {
        return Some(Dialect::Go);
    }
    None
}

/// The template language of a text that holds actions, whatever its name:
/// Jinja when it has statements or comments (`{%`, `{#`), else Go.
pub fn dialect_of_text(text: &str) -> Option<Dialect> {
    if text.contains("{%") || text.contains("{#") {
        Some(Dialect::Jinja)
    } else if text.contains("{{") {
        Some(Dialect::Go)
    } else {
        None
    }
}

/// Whether a path lies in a `templates` folder: where Helm keeps a chart's
/// templates (`templates/**`, beside `Chart.yaml`).
pub fn in_chart_templates(path: &Path) -> bool {
    path.parent()
        .into_iter()
        .flat_map(|p| p.components())
        .any(|c| c.as_os_str() == "templates")
}

/// A template the engine would refuse to parse, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TemplateError {
    pub offset: usize,
    pub message: String,
}

/// A template with its actions masked.
#[derive(Debug)]
pub struct Masked {
    /// The file's text with every action blanked or replaced by `_`, and
    /// every named template blanked: what a manifest reader reads.
    pub text: String,
    /// Named templates (`define`, Jinja `macro` and block `set`), each with
    /// its body masked like [`Masked::text`].
    pub defines: Vec<Define>,
    /// Branch regions sorted by start, each with its enclosing branch.
    branches: Vec<Branch>,
}

/// A named template: `{{ define "name" }}body{{ end }}`.
#[derive(Debug)]
pub struct Define {
    pub name: String,
    /// Where the body starts in the file.
    pub offset: usize,
    /// The body, masked; its offsets are relative to `offset`.
    pub body: String,
}

/// The part of a conditional block between its head (`{{ if … }}`,
/// `{{ else }}`) and the next `else` or `end`.
#[derive(Debug)]
struct Branch {
    region: Span,
    /// The action that opens the branch.
    head: Span,
    /// The block's opening action, when the head is an `else`.
    opener: Option<Span>,
    /// Whether an `else` follows (this is not the block's last branch).
    before_else: bool,
    parent: Option<usize>,
}

/// Which branch of every `if`/`else` block a [`Masked::variant`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    First,
    Last,
}

/// Where a value sits in a conditional: the branch's head and, for an
/// `else` branch, the block's opening action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BranchAt {
    pub head: Span,
    pub opener: Option<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Output, or a statement that outputs nothing but opens nothing.
    Plain,
    Comment,
    /// Opens a block whose body runs only sometimes (if, with, range, for).
    OpenConditional,
    /// Opens a block whose body is output in place (Go `block`, Jinja `filter`…).
    OpenPlain,
    /// Opens a block whose body is not output here (define, macro, set).
    OpenCaptured,
    Else,
    End,
}

#[derive(Debug)]
struct Action {
    span: Span,
    role: Role,
    /// The named template's name, for [`Role::OpenCaptured`].
    name: String,
}

impl Masked {
    /// The masked text with only one branch of every `if`/`else` block:
    /// for templates whose branches are alternative structures (a list in
    /// one, a mapping in the other) and so are not YAML all together. The
    /// other branches become comments, as action lines do.
    pub fn variant(&self, keep: Keep) -> String {
        let mut out = self.text.clone().into_bytes();
        for b in &self.branches {
            let drop = match keep {
                Keep::First => b.opener.is_some(),
                Keep::Last => b.before_else,
            };
            if !drop {
                continue;
            }
            let mut start_of_line = true;
            for i in b.region.range() {
                match out[i] {
                    b'\n' => start_of_line = true,
                    b' ' | b'\t' | b'\r' => {}
                    _ if start_of_line => {
                        out[i] = b'#';
                        start_of_line = false;
                    }
                    _ => out[i] = b' ',
                }
            }
        }
        // Regions end at ASCII delimiters and every byte of a character in
        // them is overwritten, so this stays UTF-8.
        String::from_utf8(out).unwrap_or_else(|_| self.text.clone())
    }

    /// The innermost conditional branch that contains `offset`, if any.
    pub fn branch_at(&self, offset: usize) -> Option<BranchAt> {
        let last = self
            .branches
            .partition_point(|b| b.region.start <= offset)
            .checked_sub(1)?;
        let mut i = Some(last);
        while let Some(at) = i {
            let b = &self.branches[at];
            if b.region.start <= offset && offset < b.region.end {
                return Some(BranchAt {
                    head: b.head,
                    opener: b.opener,
                });
            }
            i = b.parent;
        }
        None
    }
}

/// Masks every action of `text`, keeping every byte offset.
pub fn mask(text: &str, dialect: Dialect) -> Result<Masked, TemplateError> {
    let actions = lex(text, dialect)?;
    let (branches, captured) = pair_blocks(text, &actions)?;
    let bytes = text.as_bytes();
    let mut covered = vec![false; bytes.len()];
    for a in &actions {
        covered[a.span.range()].iter_mut().for_each(|c| *c = true);
    }
    // A line is action-only when every byte that is not blank belongs to an
    // action: its actions vanish rather than leave a placeholder.
    // Per line: whether it holds only actions, where its trailing run of
    // actions and blanks starts, and its last byte of text that is not an
    // action (one pass over each line, so long lines stay linear).
    let mut line_only_actions = Vec::new();
    let mut line_starts = Vec::new();
    let mut tail_starts = Vec::new();
    let mut last_texts = Vec::new();
    let mut start = 0;
    let is_blank = |b: u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    for line in text.split_inclusive('\n') {
        let end = start + line.len();
        let last_text = (start..end)
            .rev()
            .find(|&i| !covered[i] && !is_blank(bytes[i]));
        // Actions followed by nothing but a comment (`{{- if .X }} # note`)
        // render as that comment alone: the line is one of actions.
        let first_text = (start..end).find(|&i| !covered[i] && !is_blank(bytes[i]));
        let commented = first_text.is_some_and(|i| {
            bytes[i] == b'#'
                && i > start
                && is_blank(bytes[i - 1])
                && covered[start..i].contains(&true)
        });
        line_starts.push(start);
        line_only_actions.push(last_text.is_none() || commented);
        tail_starts.push(last_text.map_or(start, |i| i + 1));
        last_texts.push(last_text);
        start = end;
    }
    let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset) - 1;
    let indent_of = |l: usize| {
        text[line_starts[l]..]
            .bytes()
            .take_while(|b| *b == b' ' || *b == b'\t')
            .count()
    };
    // The next line after each line with text that is not an action,
    // found in one backward pass (nested blocks make long runs of them).
    let mut next_contents = vec![None; line_starts.len()];
    for l in (0..line_starts.len().saturating_sub(1)).rev() {
        next_contents[l] = if line_only_actions[l + 1] {
            next_contents[l + 1]
        } else {
            Some(l + 1)
        };
    }
    let next_content = |l: usize| next_contents[l];
    // Lines that an action left as a placeholder touches keep no comment.
    let mut inline_line = vec![false; line_starts.len()];
    let mut out = bytes.to_vec();
    for a in &actions {
        let first = line_of(a.span.start);
        let last = line_of(a.span.end.saturating_sub(1).max(a.span.start));
        let standalone = (first..=last).all(|l| line_only_actions[l]);
        if standalone {
            blank(&mut out[a.span.range()], b' ');
            continue;
        }
        inline_line[first..=last].iter_mut().for_each(|l| *l = true);
        // `{{- ` first on a line with text after it: Go trims the line
        // break and indentation before it, so the text continues the line
        // above (`value: {{ .X }}` then `{{- if .Y }} --flag{{ end }}`).
        // Followed only when the line above holds text, not only actions.
        let left_trim = text[a.span.start..].starts_with(match dialect {
            Dialect::Go => "{{- ",
            Dialect::Jinja => "{{-",
        });
        if left_trim && a.span.start > line_starts[first] {
            let before = &bytes[line_starts[first]..a.span.start];
            let run = bytes[..a.span.start]
                .iter()
                .rev()
                .take_while(|b| is_blank(**b))
                .count();
            let prev = a.span.start - run;
            if before.iter().all(|b| is_blank(*b))
                && prev > 0
                && !line_only_actions[line_of(prev - 1)]
            {
                // Line breaks too: offsets stay, the parser sees one line.
                out[prev..a.span.start].fill(b' ');
            }
        }
        let ends_line = a.span.end >= tail_starts[last];
        // At the end of a line after content, a comment or control action
        // leaves the value before it alone, and an output action that
        // writes a block (`labels: {{- include … | nindent 4 }}`, or more
        // indented lines follow) leaves the key to own that block.
        let blank_it = ends_line
            && match a.role {
                Role::Plain => {
                    // The text before it on its line ends a key (`key: `).
                    let after_key = last_texts[first].is_some_and(|k| {
                        bytes[k] == b':' && matches!(bytes.get(k + 1), Some(b' ' | b'\t'))
                    });
                    let key = &text[line_starts[first]..a.span.start];
                    after_key
                        && (text[a.span.range()].contains("nindent")
                            || next_content(last).is_some_and(|n| indent_of(n) > key_column(key)))
                }
                _ => true,
            };
        blank(&mut out[a.span.range()], if blank_it { b' ' } else { b'_' });
    }
    // Each line of actions becomes a comment: a comment wherever YAML
    // allows one, and inside a block scalar a line of content rather than
    // a blank line (a leading blank line deeper than the content is an
    // error there). Its `#` sits at the next content line's indentation
    // when the actions cover that column, so that a block scalar the line
    // sits in goes on past it, as it does once `{{-` has trimmed the line.
    for (l, &only) in line_only_actions.iter().enumerate() {
        let start = line_starts[l];
        if !only || inline_line[l] {
            continue;
        }
        let line = text[start..].split('\n').next().unwrap_or("");
        let first = line.find(|c: char| !c.is_whitespace());
        let last = line.rfind(|c: char| !c.is_whitespace());
        let (Some(first), Some(last)) = (first, last) else {
            continue;
        };
        let target = next_content(l).map_or(first, indent_of);
        out[start + target.clamp(first, last)] = b'#';
    }
    let masked_all = String::from_utf8(out).map_err(|e| TemplateError {
        offset: e.utf8_error().valid_up_to(),
        message: "masking broke a character (a bug): please report".into(),
    })?;
    let mut main = masked_all.clone().into_bytes();
    let mut defines = Vec::new();
    for (name, whole, body) in captured {
        blank(&mut main[whole.range()], b' ');
        defines.push(Define {
            name,
            offset: body.start,
            body: masked_all[body.range()].to_string(),
        });
    }
    let text = String::from_utf8(main).map_err(|e| TemplateError {
        offset: e.utf8_error().valid_up_to(),
        message: "masking broke a character (a bug): please report".into(),
    })?;
    Ok(Masked {
        text,
        defines,
        branches,
    })
}

/// The column of the key a line starts with, past its indentation and any
/// `- ` of sequence items (`  - image: x` → 4). Reads only that prefix.
fn key_column(line: &str) -> usize {
    let bytes = line.as_bytes();
    let mut i = 0;
    loop {
        while matches!(bytes.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        if bytes.get(i) == Some(&b'-') && matches!(bytes.get(i + 1), Some(b' ' | b'\t')) {
            i += 1;
        } else {
            return i;
        }
    }
}

/// Overwrites bytes with `fill`, keeping line breaks so lines stay lines.
fn blank(bytes: &mut [u8], fill: u8) {
    for b in bytes {
        if *b != b'\n' && *b != b'\r' {
            *b = fill;
        }
    }
}

/// Finds every action, comment and statement, in order.
fn lex(text: &str, dialect: Dialect) -> Result<Vec<Action>, TemplateError> {
    let bytes = text.as_bytes();
    let mut actions = Vec::new();
    let mut i = 0;
    while let Some(found) = memchr::memchr(b'{', &bytes[i..]) {
        let open = i + found;
        let next = bytes.get(open + 1).copied();
        let action = match (next, dialect) {
            (Some(b'{'), _) => expression(text, open, dialect)?,
            (Some(b'%'), Dialect::Jinja) => statement(text, open)?,
            (Some(b'#'), Dialect::Jinja) => jinja_comment(text, open)?,
            _ => {
                i = open + 1;
                continue;
            }
        };
        i = action.span.end;
        if dialect == Dialect::Jinja && action.name == "raw" {
            // `{% raw %}…{% endraw %}`: the body is text, not template.
            let close = find_endraw(text, i).ok_or_else(|| TemplateError {
                offset: open,
                message: "`{% raw %}` without `{% endraw %}`".into(),
            })?;
            actions.push(Action {
                name: String::new(),
                ..action
            });
            let end = statement(text, close)?;
            i = end.span.end;
            actions.push(Action {
                role: Role::Plain,
                ..end
            });
            continue;
        }
        actions.push(action);
    }
    Ok(actions)
}

/// `{{ … }}`: a Go action or a Jinja expression, from `open` (at `{{`).
fn expression(text: &str, open: usize, dialect: Dialect) -> Result<Action, TemplateError> {
    let bytes = text.as_bytes();
    let mut i = open + 2;
    // Go's trim marker is `-` followed by a space; Jinja's `-`/`+` stand alone.
    if matches!(bytes.get(i), Some(b'-') | Some(b'+'))
        && (dialect == Dialect::Jinja || bytes.get(i + 1).is_some_and(|b| b.is_ascii_whitespace()))
    {
        i += 1;
    }
    let body_start = i;
    let rest = &text[i..];
    let trimmed = rest.trim_start();
    if dialect == Dialect::Go && trimmed.starts_with("/*") {
        let comment = i + (rest.len() - trimmed.len());
        let close = text[comment + 2..]
            .find("*/")
            .map(|n| comment + 2 + n + 2)
            .ok_or_else(|| unclosed(open, "comment `{{/*`"))?;
        let after = text[close..].trim_start_matches([' ', '\t', '\r', '\n']);
        let after = after.strip_prefix('-').unwrap_or(after);
        if !after.starts_with("}}") {
            return Err(TemplateError {
                offset: close,
                message: "a `{{/* … */}}` comment must end at the closing `}}`".into(),
            });
        }
        let end = text.len() - after.len() + 2;
        return Ok(Action {
            span: Span::new(open, end),
            role: Role::Comment,
            name: String::new(),
        });
    }
    let end = scan_to(text, body_start, b"}}", open, "`{{`")?;
    let body = text[body_start..end - 2].trim_start();
    let (role, name) = match dialect {
        Dialect::Go => go_keyword(body),
        Dialect::Jinja => (Role::Plain, String::new()),
    };
    Ok(Action {
        span: Span::new(open, end),
        role,
        name,
    })
}

/// `{% … %}`: a Jinja statement.
fn statement(text: &str, open: usize) -> Result<Action, TemplateError> {
    let bytes = text.as_bytes();
    let mut i = open + 2;
    if matches!(bytes.get(i), Some(b'-') | Some(b'+')) {
        i += 1;
    }
    let end = scan_to(text, i, b"%}", open, "`{%`")?;
    let body = text[i..end - 2].trim_start();
    let (role, name) = jinja_keyword(body);
    Ok(Action {
        span: Span::new(open, end),
        role,
        name,
    })
}

/// `{# … #}`: a Jinja comment, which holds no strings.
fn jinja_comment(text: &str, open: usize) -> Result<Action, TemplateError> {
    let end = text[open + 2..]
        .find("#}")
        .map(|n| open + 2 + n + 2)
        .ok_or_else(|| unclosed(open, "comment `{#`"))?;
    Ok(Action {
        span: Span::new(open, end),
        role: Role::Comment,
        name: String::new(),
    })
}

/// The offset just past `close`, skipping quoted literals in which the
/// closing delimiter does not count.
fn scan_to(
    text: &str,
    from: usize,
    close: &[u8; 2],
    open: usize,
    what: &str,
) -> Result<usize, TemplateError> {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b if b == close[0] && bytes.get(i + 1) == Some(&close[1]) => return Ok(i + 2),
            q @ (b'"' | b'\'' | b'`') => {
                let mut j = i + 1;
                loop {
                    match bytes.get(j) {
                        None => return Err(unclosed(i, "string")),
                        Some(b'\\') if q != b'`' => j += 2,
                        // Go's interpreted strings and char constants end at
                        // a line break; only raw strings span lines.
                        Some(b'\n') if q != b'`' => return Err(unclosed(i, "string")),
                        Some(&b) if b == q => break,
                        Some(_) => j += 1,
                    }
                }
                i = j + 1;
            }
            _ => i += 1,
        }
    }
    Err(unclosed(open, what))
}

fn unclosed(offset: usize, what: &str) -> TemplateError {
    TemplateError {
        offset,
        message: format!("unclosed {what}"),
    }
}

fn find_endraw(text: &str, from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(n) = text[i..].find("{%") {
        let at = i + n;
        let body = text[at + 2..].trim_start_matches(['-', '+']).trim_start();
        if body.starts_with("endraw") {
            return Some(at);
        }
        i = at + 2;
    }
    None
}

/// The first word of an action, as Go's parser reads keywords.
fn first_word(body: &str) -> &str {
    let end = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(body.len());
    &body[..end]
}

fn go_keyword(body: &str) -> (Role, String) {
    match first_word(body) {
        "if" | "with" | "range" => (Role::OpenConditional, String::new()),
        "block" => (Role::OpenPlain, String::new()),
        "define" => (Role::OpenCaptured, quoted_name(&body["define".len()..])),
        "else" => (Role::Else, String::new()),
        "end" => (Role::End, String::new()),
        _ => (Role::Plain, String::new()),
    }
}

fn jinja_keyword(body: &str) -> (Role, String) {
    let word = first_word(body);
    match word {
        "if" | "for" => (Role::OpenConditional, String::new()),
        "elif" | "else" => (Role::Else, String::new()),
        "macro" => {
            let rest = body["macro".len()..].trim_start();
            (Role::OpenCaptured, first_word(rest).to_string())
        }
        // `{% set x %}…{% endset %}` captures; `{% set x = … %}` does not.
        "set" if !body.contains('=') => {
            let rest = body["set".len()..].trim_start();
            (Role::OpenCaptured, first_word(rest).to_string())
        }
        "block" | "call" | "filter" | "with" | "autoescape" | "trans" => {
            (Role::OpenPlain, String::new())
        }
        "raw" => (Role::Plain, "raw".into()),
        w if w.starts_with("end") && w.len() > 3 => (Role::End, String::new()),
        _ => (Role::Plain, String::new()),
    }
}

/// `"name"` (or `` `name` ``) after `define`.
fn quoted_name(rest: &str) -> String {
    let rest = rest.trim_start();
    let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '`') else {
        return String::new();
    };
    rest[1..].split(q).next().unwrap_or("").to_string()
}

type Captured = Vec<(String, Span, Span)>;

/// Pairs every block opener with its `end`, with an explicit stack: the
/// branch regions of conditional blocks, and the extent and body of every
/// captured block (only the outermost ones; they are blanked whole).
fn pair_blocks(text: &str, actions: &[Action]) -> Result<(Vec<Branch>, Captured), TemplateError> {
    struct Open {
        action: usize,
        head: Span,
        heads_else: bool,
    }
    let mut stack: Vec<Open> = Vec::new();
    let mut regions: Vec<(Span, Span, Option<Span>, bool)> = Vec::new();
    let mut captured = Vec::new();
    for (i, a) in actions.iter().enumerate() {
        match a.role {
            Role::OpenConditional | Role::OpenPlain | Role::OpenCaptured => stack.push(Open {
                action: i,
                head: a.span,
                heads_else: false,
            }),
            Role::Else => {
                let Some(open) = stack.last_mut() else {
                    return Err(unexpected(text, a));
                };
                let opener = &actions[open.action];
                if opener.role == Role::OpenConditional {
                    regions.push((
                        Span::new(open.head.end, a.span.start),
                        open.head,
                        open.heads_else.then_some(opener.span),
                        true,
                    ));
                }
                open.head = a.span;
                open.heads_else = true;
            }
            Role::End => {
                let Some(open) = stack.pop() else {
                    return Err(unexpected(text, a));
                };
                let opener = &actions[open.action];
                match opener.role {
                    Role::OpenConditional => regions.push((
                        Span::new(open.head.end, a.span.start),
                        open.head,
                        open.heads_else.then_some(opener.span),
                        false,
                    )),
                    Role::OpenCaptured
                        if !stack
                            .iter()
                            .any(|o| actions[o.action].role == Role::OpenCaptured) =>
                    {
                        captured.push((
                            opener.name.clone(),
                            Span::new(opener.span.start, a.span.end),
                            Span::new(opener.span.end, a.span.start),
                        ));
                    }
                    _ => {}
                }
            }
            Role::Plain | Role::Comment => {}
        }
    }
    if let Some(open) = stack.last() {
        let a = &actions[open.action];
        return Err(TemplateError {
            offset: a.span.start,
            message: format!("`{}` is never closed", one_line(&text[a.span.range()])),
        });
    }
    // Regions of one block are disjoint and nest inside their block's
    // enclosing region: sorted by start (outer first on a tie), a sweep with
    // a stack finds each one's parent.
    regions.sort_by_key(|(r, _, _, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut branches: Vec<Branch> = Vec::with_capacity(regions.len());
    let mut open: Vec<usize> = Vec::new();
    for (region, head, opener, before_else) in regions {
        while let Some(&top) = open.last() {
            if branches[top].region.end <= region.start {
                open.pop();
            } else {
                break;
            }
        }
        branches.push(Branch {
            region,
            head,
            opener,
            before_else,
            parent: open.last().copied(),
        });
        open.push(branches.len() - 1);
    }
    Ok((branches, captured))
}

fn unexpected(text: &str, a: &Action) -> TemplateError {
    TemplateError {
        offset: a.span.start,
        message: format!("`{}` outside any block", one_line(&text[a.span.range()])),
    }
}

/// An action's text on one line, shortened for a message.
pub fn one_line(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let joined = words.join(" ");
    if joined.chars().count() <= 60 {
        return joined;
    }
    let cut: String = joined.chars().take(57).collect();
    format!("{cut}...")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go(text: &str) -> Masked {
        mask(text, Dialect::Go).unwrap()
    }

    #[test]
    fn offsets_are_kept_and_lines_of_actions_vanish() {
        let src = "a: 1\n  {{- include \"x\" . | nindent 2 }}\nb: {{ .Values.b }}\n";
        let m = go(src);
        assert_eq!(m.text.len(), src.len());
        assert_eq!(
            m.text,
            "a: 1\n  #                               \nb: _______________\n"
        );
    }

    /// An action line that ends in a comment renders as the comment: found
    /// on rook's and nextcloud's charts (`{{ $x := .X }} # note`).
    #[test]
    fn a_line_of_actions_with_a_comment_vanishes() {
        let src = "spec:\n  {{- if .X }} # keep this\n  securityContext:\n    privileged: true\n  {{ end }}\n";
        let m = go(src);
        assert_eq!(m.text.len(), src.len());
        let y = crate::yaml::Yaml::parse(&m.text);
        assert!(y.errors.is_empty(), "{:?}\n{}", y.errors, m.text);
        let root = y.roots().next().unwrap();
        let p = root
            .get("spec")
            .unwrap()
            .get("securityContext")
            .unwrap()
            .get("privileged")
            .unwrap();
        assert_eq!(&src[p.span().range()], "true");
        // A `#` glued to an action's end is text, not a comment.
        assert!(!go("a: {{ .X }}#x\n").text.starts_with("a:  "));
    }

    /// `{{- ` first on a line of text trims the line break before it, so
    /// the text continues the value above (found on wavefront's chart).
    #[test]
    fn a_left_trim_joins_text_to_the_line_above() {
        let src = "env:\n  - name: A\n    value: {{ .X }}\n    {{- if .Y }} --flag {{ .Y }}{{- end }}\n  - name: B\n    value: c\n";
        let m = go(src);
        assert_eq!(m.text.len(), src.len());
        let y = crate::yaml::Yaml::parse(&m.text);
        assert!(y.errors.is_empty(), "{:?}\n{}", y.errors, m.text);
        let root = y.roots().next().unwrap();
        let b = &root.get("env").unwrap().items()[1];
        assert_eq!(&src[b.get("value").unwrap().span().range()], "c");
    }

    #[test]
    fn actions_inside_quotes_stay_inside_them() {
        let m = go("image: \"{{ .Values.repo }}:{{ .Values.tag }}\"\n");
        assert_eq!(m.text, "image: \"__________________:_________________\"\n");
    }

    #[test]
    fn a_trailing_end_leaves_the_value_alone() {
        let m = go("{{ if .x }}\nx:\n  privileged: true {{- end }}\n");
        assert_eq!(m.text, "#          \nx:\n  privileged: true           \n");
    }

    #[test]
    fn a_block_written_after_a_key_belongs_to_the_key() {
        let m = go(
            "labels: {{- include \"l\" . | nindent 4 }}\n    a: b\n- image: {{ .r }}/x:{{ .t }}\n  pull: y\n",
        );
        assert_eq!(
            m.text,
            "labels:                                 \n    a: b\n- image: ________/x:________\n  pull: y\n"
        );
    }

    #[test]
    fn a_block_after_a_key_behind_a_condition() {
        let src = "a: {{- if .x -}}{{- include \"i\" . | nindent 2 }}{{- end -}}\n  - b\n";
        let m = go(src);
        assert_eq!(m.text.trim_end_matches(['\n', '-', 'b', ' ']), "a:");
    }

    #[test]
    fn closing_delimiters_inside_strings_and_comments() {
        let m = go("a: {{ \"}}\" }}\n{{/* }} {{ */}}\nb: {{ `x\n}}` }}\n");
        assert_eq!(m.text, "a: __________\n#              \nb: _____\n______\n");
    }

    #[test]
    fn branches_are_found_innermost_first() {
        let src =
            "{{ if .A }}\na: 1\n{{ if .B }}\nb: 1\n{{ else }}\nc: 1\n{{ end }}\n{{ end }}\nd: 1\n";
        let m = go(src);
        let at = |s: &str| m.branch_at(src.find(s).unwrap());
        let text = |s: Span| &src[s.range()];
        assert_eq!(text(at("a: 1").unwrap().head), "{{ if .A }}");
        assert_eq!(text(at("b: 1").unwrap().head), "{{ if .B }}");
        let c = at("c: 1").unwrap();
        assert_eq!(text(c.head), "{{ else }}");
        assert_eq!(text(c.opener.unwrap()), "{{ if .B }}");
        assert_eq!(at("d: 1"), None);
    }

    #[test]
    fn defines_are_blank_in_the_manifest_and_read_alone() {
        let src = "{{- define \"pod\" -}}\nprivileged: true\n{{- end }}\nkind: Pod\n";
        let m = go(src);
        assert!(!m.text.contains("privileged"));
        assert!(m.text.ends_with("kind: Pod\n"));
        assert_eq!(m.defines.len(), 1);
        assert_eq!(m.defines[0].name, "pod");
        let d = &m.defines[0];
        assert_eq!(
            &src[d.offset..d.offset + d.body.len()],
            "\nprivileged: true\n"
        );
    }

    #[test]
    fn jinja_statements_comments_and_raw() {
        let src = "{% if x %}\na: {{ y }}\n{% endif %}\n{# c #}\n{% raw %}b: {{ z }}{% endraw %}\n";
        let m = mask(src, Dialect::Jinja).unwrap();
        assert_eq!(
            m.text,
            "#         \na: _______\n#          \n#      \n_________b: {{ z }}____________\n"
        );
        assert!(m.branch_at(src.find("a:").unwrap()).is_some());
    }

    #[test]
    fn a_percent_brace_is_text_in_go() {
        let m = go("a: \"{%\"\n");
        assert_eq!(m.text, "a: \"{%\"\n");
    }

    #[test]
    fn broken_templates_are_errors_with_a_position() {
        let e = mask("a: 1\nb: {{ .x\n", Dialect::Go).unwrap_err();
        assert_eq!(e.offset, 8);
        let e = mask("{{ end }}\n", Dialect::Go).unwrap_err();
        assert_eq!(e.offset, 0);
        let e = mask("a: 1\n{{ if .x }}\n", Dialect::Go).unwrap_err();
        assert_eq!(e.offset, 5);
        let e = mask("{% if x %}", Dialect::Jinja).unwrap_err();
        assert_eq!(e.offset, 0);
    }

    #[test]
    fn deep_nesting_is_linear() {
        let n = 50_000;
        let src = format!(
            "{}a: 1\n{}",
            "{{ if .x }}\n".repeat(n),
            "{{ end }}\n".repeat(n)
        );
        let m = go(&src);
        assert!(m.branch_at(src.find("a: 1").unwrap()).is_some());
    }

    #[test]
    fn long_lines_of_actions_are_linear() {
        let src = format!("a: {}\n", "{{ .x }}".repeat(200_000));
        assert_eq!(go(&src).text.len(), src.len());
        let src = format!("{}\n", "{{- end }}".repeat(100_000));
        assert!(mask(&src, Dialect::Go).is_err());
    }

    #[test]
    fn multibyte_text_inside_actions_stays_valid() {
        let m = go("a: {{ \"é\" }}\n");
        assert_eq!(m.text, "a: __________\n");
    }

    #[test]
    fn names_and_places() {
        let d = |p: &str, t: &str| dialect(Path::new(p), t);
        assert_eq!(d("x.yaml.j2", ""), Some(Dialect::Jinja));
        assert_eq!(d("x.yml.gotmpl", ""), Some(Dialect::Go));
        assert_eq!(d("x.yaml.template", "{{ .x }}"), Some(Dialect::Go));
        assert_eq!(d("x.yaml.tmpl", "{% if x %}"), Some(Dialect::Jinja));
        assert_eq!(d("chart/templates/d.yaml", "{{ .x }}"), Some(Dialect::Go));
        assert_eq!(d("chart/templates/d.yaml", "a: 1"), None);
        assert_eq!(d("x.yaml", "{{ .x }}"), None);
        assert_eq!(d("x.template", ""), None);
    }
}
