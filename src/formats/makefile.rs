//! Makefiles (`Makefile`, `GNUmakefile`, `*.mk`) read as GNU make reads
//! them, and justfiles.
//!
//! What GNU make hands to the shell (manual, "Recipe Syntax", "Splitting
//! Recipe Lines", "Defining Canned Recipes", "Other Special Variables",
//! "One Shell"; `read.c`/`job.c`):
//!
//! - A recipe line starts with the recipe prefix (a tab, or the first
//!   character of `.RECIPEPREFIX`) in a rule context: after a rule line,
//!   until another rule or a variable definition. Blank lines, comment
//!   lines and conditionals (`ifeq`, `else`, `endif`) do not end it. Lines
//!   starting with the prefix outside a rule context are make syntax.
//! - The first recipe line may follow the rule line after `;`
//!   (`target: deps ; cmd`), unless a `#` comes first; a target-specific
//!   variable (`target: VAR = a;b`) has no recipe.
//! - A backslash-newline continues a recipe line and is passed on to the
//!   shell; a recipe prefix at the start of the continuation line is
//!   removed (and only that character).
//! - `@`, `-`, `+` and blanks at the start of a recipe line are make's,
//!   not the shell's (`job.c` skips them before running the line).
//! - A canned recipe (`define NAME … endef`) used as a whole recipe line
//!   (`$(NAME)`, `$(call NAME,…)`) runs each of its lines as a recipe line,
//!   with their own prefixes.
//! - `.ONESHELL:` gives all lines of a recipe to one shell; a `SHELL` that
//!   is not a POSIX shell (`SHELL := pwsh`) makes recipes something this
//!   reader does not read.
//! - Line ends: GNU make since 4.3 takes the `\r` of a CRLF line end off,
//!   so CRLF makefiles read like LF ones, with columns as written.
//!
//! Variable definitions (also `override`/`export` and target-specific
//! ones) are collected here and expanded into each recipe line by the
//! shared reader ([`cmdline::vars`]) as make does before the shell runs it.
//!
//! justfiles: the indented lines under a recipe header, each without its
//! indentation and its `@`/`-` prefixes, `{{ … }}` interpolations kept as
//! one opaque word; a recipe whose body starts with a non-shell `#!` is not
//! read.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use crate::cmdline::{self, Mapped};
use crate::model::Parsed;
use crate::source::{Location, Source, Span};

pub fn is_make_name(name: &str, lower: &str) -> bool {
    matches!(
        name,
        "Makefile" | "makefile" | "GNUmakefile" | "justfile" | "Justfile" | ".justfile"
    ) || lower.starts_with("makefile.")
        || lower.starts_with("makefile-")
        || lower.ends_with(".mk")
        || lower.ends_with(".just")
}

fn is_just_name(lower: &str) -> bool {
    lower == "justfile" || lower == ".justfile" || lower.ends_with(".just")
}

pub fn read(source: &Arc<Source>, out: &mut Parsed) {
    let lower = source
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if is_just_name(&lower) {
        read_justfile(source, out);
    } else {
        read_makefile(source, out);
    }
}

/// One physical line: its start and the end of its text (before `\r\n`).
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    content_end: usize,
}

fn physical_lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let end =
            memchr::memchr(b'\n', &text.as_bytes()[start..]).map_or(text.len(), |n| start + n + 1);
        let mut content_end = end;
        if text[..content_end].ends_with('\n') {
            content_end -= 1;
        }
        if text[start..content_end].ends_with('\r') {
            content_end -= 1;
        }
        lines.push(Line { start, content_end });
        start = end;
    }
    lines
}

/// Whether a line's text ends in a backslash that escapes its newline (an
/// odd number of trailing backslashes).
fn continues(content: &str) -> bool {
    content.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

/// The recipes of one makefile, before canned recipes are expanded.
struct Makefile<'a> {
    text: &'a str,
    lines: Vec<Line>,
    prefix: char,
    /// Recipe lines of each rule, in order: the physical line each starts on
    /// and the offset where its text starts (built only when read, so that
    /// a large makefile is not held twice).
    rules: Vec<Vec<(usize, usize)>>,
    /// `define NAME` bodies: the line indices of each body.
    defines: HashMap<String, std::ops::Range<usize>>,
    oneshell: bool,
    /// Whether `SHELL` (last assignment) is a POSIX shell; recipes for
    /// `SHELL := pwsh` are not shell syntax this reader knows.
    posix: bool,
    comments: Vec<Span>,
    /// Variable definitions, expanded into recipes by the shared reader.
    vars: cmdline::vars::MakeVars,
}

fn read_makefile(source: &Arc<Source>, out: &mut Parsed) {
    let base = source.path.parent().unwrap_or(Path::new("")).to_path_buf();
    let text = source.text.as_str();
    let mut make = Makefile {
        text,
        lines: physical_lines(text),
        prefix: '\t',
        rules: Vec::new(),
        defines: HashMap::new(),
        oneshell: false,
        posix: true,
        comments: Vec::new(),
        vars: cmdline::vars::MakeVars::default(),
    };
    make.read_lines();
    if !make.posix {
        make.rules.clear();
    }
    out.comments
        .extend(make.comments.iter().map(|&c| Location::new(source, c)));
    let mut expanded = HashSet::new();
    for rule in std::mem::take(&mut make.rules) {
        let mut lines = Vec::new();
        for (i, from) in rule {
            let (line, _) = make.recipe_from(i, from);
            make.expand(line, &mut lines, &mut expanded, 0);
        }
        if make.oneshell {
            let mut script = Mapped::new();
            for line in &lines {
                if !script.is_empty() {
                    script.push_synthetic("\n", script.offset(script.len()));
                }
                script.push_mapped(line, 0..line.len());
            }
            lines = vec![script];
        }
        for line in &lines {
            cmdline::read_recipe(source, line, &base, &make.vars, out);
        }
    }
}

impl<'a> Makefile<'a> {
    fn content(&self, i: usize) -> &'a str {
        let l = self.lines[i];
        &self.text[l.start..l.content_end]
    }

    /// The first pass: rules with their recipe lines, defines, `.RECIPEPREFIX`
    /// and `.ONESHELL`, make comments.
    fn read_lines(&mut self) {
        let mut in_rule = false;
        let mut i = 0;
        while i < self.lines.len() {
            let content = self.content(i);
            if in_rule && content.starts_with(self.prefix) {
                let from = self.lines[i].start + self.prefix.len_utf8();
                let next = self.recipe_end(i);
                if let Some(rule) = self.rules.last_mut() {
                    rule.push((i, from));
                }
                i = next;
                continue;
            }
            let trimmed = content.trim_start();
            if trimmed.is_empty() {
                i += 1;
                continue;
            }
            let lead = self.lines[i].start + (content.len() - trimmed.len());
            if trimmed.starts_with('#') {
                // A make comment; its backslash-continued lines are comment too.
                let mut j = i;
                while continues(self.content(j)) && j + 1 < self.lines.len() {
                    j += 1;
                }
                self.comments
                    .push(Span::new(lead, self.lines[j].content_end));
                i = j + 1;
                continue;
            }
            // The logical line (make syntax: continuations joined).
            let mut j = i;
            while continues(self.content(j)) && j + 1 < self.lines.len() {
                j += 1;
            }
            let end = self.lines[j].content_end;
            let first_word = trimmed
                .split(|c: char| c.is_whitespace() || c == '(')
                .next()
                .unwrap_or("");
            match first_word {
                "ifeq" | "ifneq" | "ifdef" | "ifndef" | "else" | "endif" => {}
                "define" | "override" | "export" | "private" if is_define(trimmed) => {
                    j = self.define(i, trimmed);
                    in_rule = false;
                }
                _ => match self.statement(lead, end) {
                    Statement::Assignment { name, value } => {
                        in_rule = false;
                        self.vars.define(self.text, &name, value, end);
                        if name == ".RECIPEPREFIX" {
                            self.prefix =
                                self.text[value..end].trim().chars().next().unwrap_or('\t');
                        }
                        if name == "SHELL" {
                            self.posix = is_posix_shell(self.text[value..end].trim());
                        }
                    }
                    Statement::Rule {
                        targets,
                        recipe,
                        variable,
                    } => {
                        in_rule = true;
                        // `target: VAR = value`: counted like any definition.
                        if let Some(at) = variable
                            && let lead =
                                self.text[at..end].len() - self.text[at..end].trim_start().len()
                            && let Statement::Assignment { name, value } =
                                self.statement(at + lead, end)
                        {
                            self.vars.define(self.text, &name, value, end);
                        }
                        if targets.split_whitespace().any(|t| t == ".ONESHELL") {
                            self.oneshell = true;
                        }
                        self.rules.push(Vec::new());
                        if let Some(at) = recipe {
                            // The physical line the `;` is on.
                            let on = (i..=j)
                                .find(|&k| at <= self.lines[k].content_end)
                                .unwrap_or(j);
                            let next = self.recipe_end(on);
                            if let Some(rule) = self.rules.last_mut() {
                                rule.push((on, at));
                            }
                            j = next - 1;
                        }
                    }
                    Statement::Comment(span) => self.comments.push(span),
                    Statement::Other => {}
                },
            }
            i = j + 1;
        }
    }

    /// `define NAME …` up to its `endef` (nested defines counted); returns
    /// the index of the `endef` line.
    fn define(&mut self, i: usize, trimmed: &str) -> usize {
        let name = define_name(trimmed);
        let mut depth = 1;
        let mut j = i + 1;
        while j < self.lines.len() {
            let t = self.content(j).trim();
            if is_define(t) {
                depth += 1;
            } else if t == "endef" || t.starts_with("endef ") || t.starts_with("endef\t") {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            j += 1;
        }
        if let Some(name) = name {
            self.defines.insert(name, i + 1..j.min(self.lines.len()));
        }
        j
    }

    /// The index of the line after the recipe line that starts on line `i`
    /// (its backslash-continued lines included).
    fn recipe_end(&self, i: usize) -> usize {
        let mut j = i;
        while continues(self.content(j)) && j + 1 < self.lines.len() {
            j += 1;
        }
        j + 1
    }

    /// A recipe line starting at file offset `from` of line `i`, with its
    /// continuation lines, as the shell gets it; and the next line index.
    fn recipe_from(&self, i: usize, from: usize) -> (Mapped, usize) {
        let mut script = Mapped::new();
        let mut j = i;
        let mut start = from;
        loop {
            let line = self.lines[j];
            if continues(self.content(j)) && j + 1 < self.lines.len() {
                // The backslash-newline goes to the shell (without a `\r`).
                script.push_file(self.text, start..line.content_end);
                script.push_synthetic("\n", line.content_end);
                j += 1;
                let next = self.lines[j];
                start = next.start;
                if self.content(j).starts_with(self.prefix) {
                    start += self.prefix.len_utf8();
                }
                continue;
            }
            script.push_file(self.text, start..line.content_end);
            break;
        }
        (strip_prefixes(&script), j + 1)
    }

    /// Adds the lines `line` runs: itself, or the body of the canned recipe
    /// it names (once per define; canned recipes may nest a few levels).
    fn expand(
        &self,
        line: Mapped,
        into: &mut Vec<Mapped>,
        done: &mut HashSet<String>,
        depth: usize,
    ) {
        let Some(name) = canned_reference(line.text()).filter(|n| self.defines.contains_key(*n))
        else {
            into.push(line);
            return;
        };
        if depth > 8 || !done.insert(name.to_string()) {
            return;
        }
        let body = self.defines[name].clone();
        let mut k = body.start;
        while k < body.end {
            let l = self.lines[k];
            let mut script = Mapped::new();
            let mut last = k;
            script.push_file(self.text, l.start..l.content_end);
            while continues(self.content(last)) && last + 1 < body.end {
                script.push_synthetic("\n", self.lines[last].content_end);
                last += 1;
                let n = self.lines[last];
                script.push_file(self.text, n.start..n.content_end);
            }
            let script = strip_prefixes(&script);
            if !script.text().trim().is_empty() {
                self.expand(script, into, done, depth + 1);
            }
            k = last + 1;
        }
    }

    /// What a non-recipe logical line `text[start..end]` is.
    fn statement(&self, start: usize, end: usize) -> Statement {
        let line = &self.text[start..end];
        let b = line.as_bytes();
        // Leading `override`/`export`/`private` words of an assignment.
        let mut from = 0;
        for word in ["override", "export", "private", "unexport"] {
            if let Some(rest) = line[from..].strip_prefix(word)
                && rest.starts_with([' ', '\t'])
            {
                from = line.len() - rest.trim_start().len();
            }
        }
        let mut i = from;
        let mut name_end = None;
        while i < b.len() {
            match b[i] {
                b'$' if matches!(b.get(i + 1), Some(b'(' | b'{')) => {
                    i = skip_reference(b, i + 1);
                    continue;
                }
                b'#' => {
                    return Statement::Comment(Span::new(start + i, end));
                }
                b'=' => {
                    return Statement::Assignment {
                        name: line[from..name_end.unwrap_or(i)].trim().to_string(),
                        value: start + i + 1,
                    };
                }
                b'+' | b'?' | b'!' if b.get(i + 1) == Some(&b'=') => {
                    return Statement::Assignment {
                        name: line[from..name_end.unwrap_or(i)].trim().to_string(),
                        value: start + i + 2,
                    };
                }
                b':' => {
                    let colons = b[i..].iter().take_while(|&&c| c == b':').count();
                    if b.get(i + colons) == Some(&b'=') && colons <= 3 {
                        return Statement::Assignment {
                            name: line[from..name_end.unwrap_or(i)].trim().to_string(),
                            value: start + i + colons + 1,
                        };
                    }
                    return self.rule(start, end, i + colons);
                }
                b' ' | b'\t' => {
                    name_end.get_or_insert(i);
                }
                _ => {}
            }
            i += 1;
        }
        Statement::Other
    }

    /// A rule line whose prerequisites start at `line[after..]`: the recipe
    /// after an unquoted `;`, unless a comment or a target-specific variable
    /// comes first.
    fn rule(&self, start: usize, end: usize, after: usize) -> Statement {
        let line = &self.text[start..end];
        let targets = line[..after].trim_end_matches(':').to_string();
        let b = line.as_bytes();
        let mut i = after;
        let mut assignment = false;
        while i < b.len() {
            match b[i] {
                b'$' if matches!(b.get(i + 1), Some(b'(' | b'{')) => {
                    i = skip_reference(b, i + 1);
                    continue;
                }
                b'\\' => i += 1,
                b'#' => break,
                b'=' => assignment = true,
                b';' if !assignment => {
                    return Statement::Rule {
                        targets,
                        recipe: Some(start + i + 1),
                        variable: None,
                    };
                }
                b';' => break,
                _ => {}
            }
            i += 1;
        }
        Statement::Rule {
            targets,
            recipe: None,
            variable: assignment.then_some(start + after),
        }
    }
}

enum Statement {
    Assignment {
        name: String,
        value: usize,
    },
    Rule {
        targets: String,
        recipe: Option<usize>,
        /// Where a target-specific variable definition starts.
        variable: Option<usize>,
    },
    Comment(Span),
    Other,
}

/// The index after the `)`/`}` that closes the reference opened at `open`.
fn skip_reference(b: &[u8], open: usize) -> usize {
    let (o, c) = if b[open] == b'(' {
        (b'(', b')')
    } else {
        (b'{', b'}')
    };
    let mut depth = 0usize;
    let mut i = open;
    while i < b.len() {
        if b[i] == o {
            depth += 1;
        } else if b[i] == c {
            depth -= 1;
            if depth == 0 {
                return i + 1;
            }
        }
        i += 1;
    }
    b.len()
}

fn is_define(trimmed: &str) -> bool {
    let mut rest = trimmed;
    for word in ["override", "export", "private"] {
        if let Some(r) = rest.strip_prefix(word)
            && r.starts_with([' ', '\t'])
        {
            rest = r.trim_start();
        }
    }
    rest == "define" || rest.starts_with("define ") || rest.starts_with("define\t")
}

/// `define NAME`, `define NAME =` (and `:=`, `+=`, …): the name.
fn define_name(trimmed: &str) -> Option<String> {
    let at = trimmed.find("define")? + "define".len();
    let rest = trimmed[at..].trim();
    let name = rest.trim_end_matches(['=', ':', '+', '?', '!']).trim_end();
    (!name.is_empty() && !name.contains(char::is_whitespace)).then(|| name.to_string())
}

/// A whole recipe line that only expands a variable (`$(NAME)`, `${NAME}`,
/// `$(call NAME,args)`): the variable's name.
fn canned_reference(line: &str) -> Option<&str> {
    let t = line.trim();
    let inner = t
        .strip_prefix("$(")
        .and_then(|r| r.strip_suffix(')'))
        .or_else(|| t.strip_prefix("${").and_then(|r| r.strip_suffix('}')))?;
    let inner = match inner.strip_prefix("call") {
        Some(r) if r.starts_with([' ', '\t']) => r.trim_start().split(',').next()?.trim(),
        _ => inner,
    };
    let valid = !inner.is_empty()
        && inner
            .chars()
            .all(|c| !c.is_whitespace() && !matches!(c, '$' | '(' | ')' | '{' | '}' | ':' | '='));
    valid.then_some(inner)
}

/// A `SHELL` value that is a POSIX shell (`/bin/bash`, `sh -e`), or a
/// value this reader cannot know (`$(shell which bash)`).
fn is_posix_shell(value: &str) -> bool {
    let program = value.split_whitespace().next().unwrap_or("");
    if program.is_empty() || program.contains('$') {
        return true;
    }
    let name = program.rsplit(['/', '\\']).next().unwrap_or(program);
    matches!(
        name.strip_suffix(".exe").unwrap_or(name),
        "sh" | "bash" | "dash" | "zsh" | "ksh" | "ash" | "mksh" | "busybox"
    )
}

/// The recipe line without make's `@`, `-`, `+` prefixes and the blanks
/// among them (`job.c`).
fn strip_prefixes(line: &Mapped) -> Mapped {
    let skip = line
        .text()
        .bytes()
        .take_while(|b| matches!(b, b'@' | b'-' | b'+' | b' ' | b'\t'))
        .count();
    line.slice(skip..line.len())
}

/// justfiles: indented lines under a recipe header.
fn read_justfile(source: &Arc<Source>, out: &mut Parsed) {
    let base = source.path.parent().unwrap_or(Path::new("")).to_path_buf();
    let text = source.text.as_str();
    let lines = physical_lines(text);
    let mut in_recipe = false;
    let mut shebang_skip = false;
    let mut first_body = false;
    for l in &lines {
        let content = &text[l.start..l.content_end];
        let trimmed = content.trim_start();
        let indented = trimmed.len() < content.len();
        if trimmed.is_empty() {
            continue;
        }
        if !indented {
            if trimmed.starts_with('#') {
                out.comments
                    .push(Location::new(source, Span::new(l.start, l.content_end)));
            } else {
                let header = trimmed.split('#').next().unwrap_or("");
                in_recipe = header.contains(':') && !header.contains(":=");
                first_body = true;
                shebang_skip = false;
            }
            continue;
        }
        if !in_recipe {
            continue;
        }
        let lead = l.start + (content.len() - trimmed.len());
        if first_body {
            first_body = false;
            if trimmed.starts_with("#!") {
                shebang_skip = !crate::formats::shell::has_shell_shebang(trimmed.as_bytes());
                continue;
            }
        }
        if shebang_skip {
            continue;
        }
        let line = strip_prefixes(&opaque_interpolations(text, lead, l.content_end));
        cmdline::read_mapped(source, &line, &base, out);
    }
}

/// `text[start..end]` with each `{{ … }}` interpolation kept as one
/// single-quoted word: just substitutes it before the shell runs.
fn opaque_interpolations(text: &str, start: usize, end: usize) -> Mapped {
    let mut m = Mapped::new();
    let mut i = start;
    while let Some(open) = text[i..end].find("{{").map(|n| i + n) {
        let Some(close) = text[open + 2..end].find("}}").map(|n| open + 2 + n + 2) else {
            break;
        };
        m.push_file(text, i..open);
        m.push_quoted(&Mapped::of_file(text, open..close));
        i = close;
    }
    m.push_file(text, i..end);
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(name: &str, text: &str) -> Parsed {
        let source = Source::new(name, text);
        let mut out = Parsed::default();
        read(&source, &mut out);
        out
    }

    fn marked(text: &str, p: &Parsed) -> Vec<String> {
        p.containers
            .iter()
            .flat_map(|c| {
                c.seccomp
                    .iter()
                    .map(|s| s.at.span)
                    .chain(c.privileged.iter().map(|p| p.at.span))
            })
            .map(|s| text[s.range()].to_string())
            .collect()
    }

    #[test]
    fn recipe_on_the_rule_line_and_after_a_comment() {
        let t = "a: b ; @docker run --privileged x\nc: # ; docker run --privileged y\nd: VAR = 1;docker run --privileged z\n";
        assert_eq!(marked(t, &parse("Makefile", t)), ["--privileged"]);
    }

    #[test]
    fn a_recipe_after_a_continued_rule_line() {
        let t = "a: b \\\n  c ; docker run \\\n\t--privileged x\n\\\njobs:;\n";
        assert_eq!(marked(t, &parse("Makefile", t)), ["--privileged"]);
    }

    #[test]
    fn recipe_prefix_and_continuations() {
        let t = ".RECIPEPREFIX = >\nall:\n>-docker run \\\n>--security-opt seccomp=unconfined x\n\tdocker run --privileged y\n";
        assert_eq!(marked(t, &parse("Makefile", t)), ["seccomp=unconfined"]);
    }

    #[test]
    fn tab_lines_outside_a_rule_are_make_syntax() {
        let t = "ifeq ($(X),1)\n\tdocker run --privileged x\nendif\nall:\n\n# comment\nifdef Y\n\t+ @ docker run --privileged y\nendif\nV = 1\n\tdocker run --privileged z\n";
        let p = parse("Makefile", t);
        assert_eq!(marked(t, &p), ["--privileged"]);
        assert_eq!(p.containers[0].name, "`docker run` of y");
    }

    #[test]
    fn canned_recipes_run_their_lines() {
        let t = "define run-debug =\n@docker run --rm \\\n  --privileged $(IMAGE)\nendef\ndefine unused\ndocker run --privileged never\nendef\ndebug:\n\t$(run-debug)\nalso:\n\t@$(call run-debug,x)\n";
        let p = parse("Makefile", t);
        assert_eq!(marked(t, &p), ["--privileged"]);
    }

    #[test]
    fn crlf_and_oneshell() {
        let t = ".ONESHELL:\r\nall:\r\n\tcat <<EOF\r\n\tdocker run --privileged x\r\n\tEOF\r\n\tdocker run \\\r\n\t  --privileged y\r\n";
        let p = parse("Makefile", t);
        let names: Vec<_> = p.containers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["`docker run` of y"]);
    }

    #[test]
    fn justfile_recipes() {
        let t = "set shell := [\"bash\", \"-c\"]\nrun image:\n    @docker run --rm {{ opts }} --privileged {{image}}\npy:\n    #!/usr/bin/env python3\n    print('docker run --privileged x')\n";
        let p = parse("justfile", t);
        assert_eq!(p.containers.len(), 1);
    }
}
