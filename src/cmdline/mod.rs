//! The one reader of container-engine command lines, for every format that
//! embeds them (scripts, Makefiles, Dockerfile `RUN`, systemd `ExecStart=`,
//! CI `run:` blocks, Actions `options:`).
//!
//! A command line goes through three steps, each in its own module:
//! [`words`] splits the text into simple commands as a POSIX shell does
//! (every byte keeping its file offset), [`vars`] expands the shell and
//! make variables the same file defines, and [`wrappers`] finds the program
//! behind `sudo`, `env`, `timeout`, … or the script inside `sh -c '…'`,
//! `ssh host '…'`, `eval`, which is read again as a script of its own (up
//! to [`MAX_SCRIPT_DEPTH`] levels).
//!
//! The programs read here, as their CLIs parse them:
//!
//! - `docker|podman|nerdctl [global options] (run|create|container run|
//!   container create)`: cobra/pflag with interspersed flags switched off
//!   (docker/cli `NewRunCommand`: `flags.SetInterspersed(false)`), so the
//!   first word that is not an option is the image and everything after it
//!   is the container's own command, never a finding. pflag reads `--opt
//!   value` and `--opt=value`, clusters of short options (`-itd`) where the
//!   first letter that takes a value takes the rest of the word or the next
//!   word, and `--` ends the options. Boolean flags take a value only as
//!   `--flag=value`, parsed by Go's `strconv.ParseBool`: `1 t T true TRUE
//!   True` and `0 f F false FALSE False`; anything else makes the CLI
//!   refuse the command, so it is no finding (`--privileged true` is the
//!   image `true`).
//! - `podman build`, `podman image build`, `buildah build|bud`
//!   `--security-opt …`: the profile of the containers that run the build's
//!   `RUN` steps (flags anywhere: build commands intersperse).
//! - `docker [buildx] build|bake --allow security.insecure`: BuildKit's
//!   insecure entitlement.
//! - `dockerd --seccomp-profile[=]…`: the daemon's default profile.
//!
//! A finding marks the value where it is written — inside the quotes of a
//! word, or in the definition of the variable that held it, with the
//! expansion site as a related location — and the container is named by
//! its image: the first word after the options once variables are
//! expanded; "an image from `$IMAGE`" when only an unknown variable gives
//! it; a word that expands an unknown variable is taken for options when
//! its name says so (`$DOCKER_OPTS`, `"$@"`) or an option follows it, since
//! an image followed by more docker options is not a command anyone runs.

pub mod mapped;
pub mod vars;
pub mod words;
mod wrappers;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use mapped::Mapped;
pub use words::Word;

use crate::diagnostic::{Diagnostic, Problem};
use crate::model::{
    Capability, Container, Daemon, InsecureBuild, Parsed, Platform, Seccomp, SecurityOpt, Use,
    Value, WrittenFile,
};
use crate::source::{Location, Source, Span};
use vars::{MakeVars, ShellVars};
use words::{ParamKind, Split};
use wrappers::Target;

/// Levels of scripts inside strings (`sh -c "ssh h 'bash -c …'"`).
pub const MAX_SCRIPT_DEPTH: usize = 8;

/// How a related location names the expansion that brought a value.
const THROUGH_VARIABLE: &str = "applied through this variable to";

/// Reads every invocation in `source.text[span]` (a whole script, a recipe,
/// a YAML scalar's source range) into `out`. `base` is the directory a
/// relative seccomp profile path resolves against.
pub fn read_script(source: &Arc<Source>, span: Span, base: &Path, out: &mut Parsed) {
    Reader { source, base }.read(words::split(&source.text, span.start, span.end), out, 0);
}

/// Reads every invocation in a script given as the text its engine runs,
/// with file offsets ([`Mapped`]): a joined Dockerfile `RUN`, a folded YAML
/// scalar, a systemd line with its continuations.
pub fn read_mapped(source: &Arc<Source>, script: &Mapped, base: &Path, out: &mut Parsed) {
    Reader { source, base }.read(script.split(), out, 0);
}

/// Reads a Makefile recipe line after make has expanded the variables of
/// `make` into it (every definition of a name is one reading; a flag on any
/// of them is found, at its place in the definition).
pub fn read_recipe(
    source: &Arc<Source>,
    line: &Mapped,
    base: &Path,
    make: &MakeVars,
    out: &mut Parsed,
) {
    let reader = Reader { source, base };
    let Some(expanded) = make.expand(line) else {
        return reader.read(line.split(), out, 0);
    };
    if expanded.limited {
        out.diagnostics.push(limit(source, line.offset(0)));
    }
    let mut merged = Parsed::default();
    for (k, script) in expanded.variants.iter().enumerate() {
        let mut one = Parsed::default();
        reader.read(script.split(), &mut one, 0);
        merge(&mut merged, one, k == 0);
    }
    append(out, merged);
}

/// Applies `docker run` flags written without the command (Actions
/// `container.options`, devcontainer `runArgs`, Quadlet `PodmanArgs=`).
pub fn apply_run_flags(
    source: &Arc<Source>,
    args: &[Word],
    base: &Path,
    container: &mut Container,
) {
    let reader = Reader { source, base };
    let mut i = 0;
    while i < args.len() {
        i = reader.run_flag(args, i, container).unwrap_or(i + 1);
    }
}

fn limit(source: &Source, offset: usize) -> Diagnostic {
    Diagnostic::at(
        source,
        offset,
        Problem::Limit(format!(
            "variables expand to more than seccheck reads ({} levels, {} readings); \
             this command is read as written",
            vars::MAX_DEPTH,
            vars::MAX_VARIANTS
        )),
    )
}

/// Folds one reading of a command into the readings before it: the same
/// container (same place) collects every setting any reading gives it.
fn merge(into: &mut Parsed, from: Parsed, first: bool) {
    for c in from.containers {
        let Some(e) = into.containers.iter_mut().find(|e| e.at == c.at) else {
            into.containers.push(c);
            continue;
        };
        for s in c.seccomp {
            if !e.seccomp.iter().any(|x| x.at == s.at && x.value == s.value) {
                e.seccomp.push(s);
            }
        }
        match (&e.privileged, c.privileged) {
            (None, Some(p)) => e.privileged = Some(p),
            (Some(x), Some(p)) if !x.value && p.value => e.privileged = Some(p),
            _ => {}
        }
        for a in c.capabilities.add {
            if !e.capabilities.add.iter().any(|x| x.at == a.at) {
                e.capabilities.add.push(a);
            }
        }
        for d in c.capabilities.drop {
            if !e.capabilities.drop.iter().any(|x| x.at == d.at) {
                e.capabilities.drop.push(d);
            }
        }
    }
    for d in from.daemons {
        let same = |x: &Daemon| {
            x.at == d.at && x.seccomp.as_ref().map(|s| &s.at) == d.seccomp.as_ref().map(|s| &s.at)
        };
        if !into.daemons.iter().any(same) {
            into.daemons.push(d);
        }
    }
    for b in from.builds {
        if !into.builds.iter().any(|x| x.at == b.at) {
            into.builds.push(b);
        }
    }
    if first {
        into.comments.extend(from.comments);
        into.diagnostics.extend(from.diagnostics);
    }
}

fn append(out: &mut Parsed, from: Parsed) {
    out.containers.extend(from.containers);
    out.daemons.extend(from.daemons);
    out.builds.extend(from.builds);
    out.comments.extend(from.comments);
    out.diagnostics.extend(from.diagnostics);
}

struct Reader<'a> {
    source: &'a Arc<Source>,
    base: &'a Path,
}

impl Reader<'_> {
    fn read(&self, split: Split, out: &mut Parsed, depth: usize) {
        out.comments.extend(
            split
                .comments
                .iter()
                .map(|&c| Location::new(self.source, c)),
        );
        for e in &split.errors {
            out.diagnostics.push(Diagnostic::at(
                self.source,
                e.offset,
                Problem::Syntax {
                    format: "shell",
                    message: e.message.into(),
                },
            ));
        }
        // Here-documents written to files: only in a script read as it is
        // written (depth 0), whose body is one stretch of the file.
        if depth == 0 {
            for h in &split.heredocs {
                let Some(words) = h.command.and_then(|i| split.commands.get(i)) else {
                    continue;
                };
                if let Some(target) = heredoc_target(words, &h.redirects) {
                    out.written.push(WrittenFile {
                        target,
                        body: h.body,
                        expands: !h.quoted,
                        strip_tabs: h.strip_tabs,
                    });
                }
            }
        }
        let vars = ShellVars::collect(split.commands.iter().map(Vec::as_slice));
        for command in &split.commands {
            // What a command continued over lines gives is inside it: an
            // ignore comment above its first line covers it.
            let mark = out.mark();
            self.expanded(&vars, command, out, depth);
            if let Some(first) = command.first() {
                out.within(mark, first.raw.start);
            }
        }
    }

    fn expanded(&self, vars: &ShellVars, command: &[Word], out: &mut Parsed, depth: usize) {
        if vars::only_assigns(command) {
            return;
        }
        let Some(expanded) = vars.expand(command) else {
            return self.command(command, out, depth);
        };
        if expanded.limited {
            out.diagnostics
                .push(limit(self.source, command[0].raw.start));
        }
        let mut merged = Parsed::default();
        for (k, words) in expanded.variants.iter().enumerate() {
            let mut one = Parsed::default();
            self.command(words, &mut one, depth);
            merge(&mut merged, one, k == 0);
        }
        append(out, merged);
    }

    fn command(&self, words: &[Word], out: &mut Parsed, depth: usize) {
        match wrappers::target(words) {
            Target::Program(i) => self.program(words, i, out),
            Target::Script(script) if depth < MAX_SCRIPT_DEPTH => {
                let script = Mapped::of_words(&script);
                self.read(script.split(), out, depth + 1);
            }
            Target::Script(_) | Target::Nothing => {}
        }
    }

    fn program(&self, words: &[Word], at: usize, out: &mut Parsed) {
        // `$(DOCKER)`, `${DOCKER}`, `$DOCKER` left unknown: a variable
        // named after the engine.
        let bare = wrappers::program_name(&words[at])
            .trim_start_matches(['@', '+', '-'])
            .trim_start_matches(['$', '(', '{'])
            .trim_end_matches([')', '}']);
        let lower = bare.to_ascii_lowercase();
        let name = match lower.as_str() {
            "docker" | "docker_cmd" | "docker_bin" | "docker.exe" => "docker",
            "podman" | "podman_cmd" | "podman_bin" | "podman-remote" => "podman",
            "nerdctl" => "nerdctl",
            "buildah" => "buildah",
            "dockerd" => "dockerd",
            _ => return,
        };
        if name == "dockerd" {
            self.daemon(words, at, out);
        } else {
            self.engine(words, at, name, out);
        }
    }

    fn engine(&self, words: &[Word], at: usize, program: &str, out: &mut Parsed) {
        let mut i = at + 1;
        while let Some(w) = words.get(i)
            && w.text.len() > 1
            && w.text.starts_with('-')
        {
            i += if GLOBAL_WITH_VALUE.contains(&w.text.as_str()) {
                2
            } else {
                1
            };
        }
        let Some(first) = words.get(i).map(|w| w.text.as_str()) else {
            return;
        };
        let group = matches!(first, "container" | "image" | "buildx" | "builder");
        let (sub, next) = if group {
            (words.get(i + 1).map_or("", |w| w.text.as_str()), i + 2)
        } else {
            (first, i + 1)
        };
        let written = if first == "buildx" {
            format!("`{program} buildx {sub}`")
        } else {
            format!("`{program} {sub}`")
        };
        match (program, sub) {
            ("buildah", "build" | "bud") | ("podman", "build") => {
                self.build(words, at, next, &written, out);
            }
            ("buildah", _) => {}
            (_, "run" | "create") => self.run(words, at, next, written, out),
            (_, "build" | "bake") => self.allow(words, next, &written, out),
            _ => {}
        }
    }

    fn run(&self, words: &[Word], at: usize, next: usize, invocation: String, out: &mut Parsed) {
        let mut container = Container::new(
            invocation.clone(),
            Platform::Engine,
            Location::new(self.source, words[at].raw),
        );
        let mut j = next;
        let mut image = None;
        while let Some(w) = words.get(j) {
            if w.text == "--" {
                image = words.get(j + 1);
                break;
            }
            if w.is_opaque() && holds_options(w, &words[j + 1..], &self.source.text) {
                j += 1;
                continue;
            }
            if !w.text.starts_with('-') || w.text == "-" || w.is_opaque() {
                image = Some(w);
                break;
            }
            j = self.run_flag(words, j, &mut container).unwrap_or(j + 1);
        }
        if let Some(image) = image {
            container.name = format!("{invocation} of {}", image_name(image, &self.source.text));
            if image.params().is_empty() {
                let text = image.text.clone();
                container.image = Some(self.value(image, 0, text.len(), text));
            }
        }
        out.containers.push(container);
    }

    /// `podman build --security-opt …`: the containers that run the build.
    fn build(&self, words: &[Word], at: usize, next: usize, written: &str, out: &mut Parsed) {
        let mut container = Container::new(
            format!("the build containers of {written}"),
            Platform::Engine,
            Location::new(self.source, words[at].raw),
        );
        let mut k = next;
        while let Some(w) = words.get(k) {
            if w.text == "--" {
                break;
            }
            k = if w.text == "--security-opt" || w.text.starts_with("--security-opt=") {
                self.run_flag(words, k, &mut container).unwrap_or(k + 1)
            } else {
                k + 1
            };
        }
        if !container.seccomp.is_empty() {
            out.containers.push(container);
        }
    }

    /// `--allow security.insecure` of a BuildKit build.
    fn allow(&self, words: &[Word], next: usize, written: &str, out: &mut Parsed) {
        for (k, w) in words.iter().enumerate().skip(next) {
            if w.text == "--" {
                break;
            }
            let value = match w.text.strip_prefix("--allow=") {
                Some(_) => Some((w, "--allow=".len())),
                None if w.text == "--allow" => words.get(k + 1).map(|v| (v, 0)),
                None => None,
            };
            let Some((word, skip)) = value else { continue };
            let mut offset = skip;
            for part in word.text[skip..].split(',') {
                if part == "security.insecure" {
                    out.builds.push(InsecureBuild {
                        name: written.to_string(),
                        at: Location::new(self.source, word.span_of(offset, offset + part.len())),
                    });
                }
                offset += part.len() + 1;
            }
        }
    }

    fn daemon(&self, words: &[Word], at: usize, out: &mut Parsed) {
        for (k, w) in words.iter().enumerate().skip(at + 1) {
            let (word, start) = match w.text.strip_prefix("--seccomp-profile=") {
                Some(_) => (w, "--seccomp-profile=".len()),
                None if w.text == "--seccomp-profile" => match words.get(k + 1) {
                    Some(v) => (v, 0),
                    None => continue,
                },
                None => continue,
            };
            let value = &word.text[start..];
            let seccomp = if value == "unconfined" {
                Seccomp::Unconfined
            } else {
                Seccomp::Profile {
                    path: value.to_string(),
                    base: self
                        .source
                        .path
                        .parent()
                        .map(PathBuf::from)
                        .unwrap_or_default(),
                }
            };
            out.daemons.push(Daemon {
                name: "`dockerd`".into(),
                at: Location::new(self.source, words[at].raw),
                seccomp: Some(self.value(word, start, word.text.len(), seccomp)),
            });
        }
    }

    /// `v` as written at `word.text[start..end]`, with the expansions that
    /// brought it there.
    fn value<T>(&self, word: &Word, start: usize, end: usize, v: T) -> Value<T> {
        let mut value = Value::new(v, Location::new(self.source, word.span_of(start, end)));
        value.used_at = word
            .sites_of(start, end)
            .into_iter()
            .map(|s| Use::new(Location::new(self.source, s), THROUGH_VARIABLE))
            .collect();
        value
    }

    /// Reads the option at `words[i]`; returns the index after it and its
    /// value, or `None` when `words[i]` is not an option.
    fn run_flag(&self, words: &[Word], i: usize, container: &mut Container) -> Option<usize> {
        let word = &words[i];
        let text = word.text.as_str();
        if let Some(long) = text.strip_prefix("--") {
            let (name, attached) = match long.split_once('=') {
                Some((n, _)) => (n, Some(2 + n.len() + 1)),
                None => (long, None),
            };
            return match name {
                "security-opt" => {
                    let (value_word, start, next) = match attached {
                        Some(s) => (word, s, i + 1),
                        None => (words.get(i + 1)?, 0, i + 2),
                    };
                    let value = &value_word.text[start..];
                    let seccomp = SecurityOpt::parse(value).seccomp(self.base);
                    if let Some(seccomp) = seccomp {
                        let end = value_word.text.len();
                        container
                            .seccomp
                            .push(self.value(value_word, start, end, seccomp));
                    }
                    Some(next)
                }
                "cap-add" | "cap-drop" => {
                    let (value_word, start, next) = match attached {
                        Some(s) => (word, s, i + 1),
                        None => (words.get(i + 1)?, 0, i + 2),
                    };
                    let list = if name == "cap-add" {
                        &mut container.capabilities.add
                    } else {
                        &mut container.capabilities.drop
                    };
                    self.push_capabilities(value_word, start, list);
                    Some(next)
                }
                "privileged" => {
                    let value = match attached {
                        Some(s) => parse_bool(&text[s..]),
                        None => Some(true),
                    };
                    if let Some(v) = value {
                        container.privileged = Some(self.value(word, 0, text.len(), v));
                    }
                    Some(i + 1)
                }
                _ if attached.is_some() || BOOLEAN_LONG.contains(&name) => Some(i + 1),
                _ => Some(i + 2),
            };
        }
        let short = text.strip_prefix('-').filter(|s| !s.is_empty())?;
        // pflag: each letter in turn; the first one that takes a value
        // takes the rest of the word (`-ePATH=x`, `-e=x`) or the next word.
        for (k, c) in short.char_indices() {
            if SHORT_WITH_VALUE.contains(c) {
                return Some(if k + 1 == short.len() { i + 2 } else { i + 1 });
            }
            if short[k + c.len_utf8()..].starts_with('=') {
                break;
            }
        }
        Some(i + 1)
    }
}

impl Reader<'_> {
    /// `--cap-add SYS_ADMIN`, also `--cap-add=a,b`: Podman's flag is a
    /// string slice that splits on commas; Docker's takes one name and
    /// refuses a comma, so splitting never invents a capability Docker
    /// would grant.
    fn push_capabilities(&self, word: &Word, start: usize, list: &mut Vec<Value<Capability>>) {
        let mut offset = start;
        for part in word.text[start..].split(',') {
            if let Some(cap) = Capability::parse(part) {
                list.push(self.value(word, offset, offset + part.len(), cap));
            }
            offset += part.len() + 1;
        }
    }
}

/// Where a command sends the here-document it reads, when that is a file
/// seccheck reads or a reader of manifests: `cat` with its output
/// redirected (`cat > f <<EOF`, `cat <<EOF >> f`; not `cat` alone, which
/// prints, nor `cat a - > f`, which writes more than the body), `tee`'s
/// first file (`tee -a f`), `kubectl|oc apply|create|replace -f -`. The
/// last output redirection wins, as the shell opens them in order.
fn heredoc_target(words: &[Word], redirects: &[(&'static str, Word)]) -> Option<String> {
    let Target::Program(i) = wrappers::target(words) else {
        return None;
    };
    let args = &words[i + 1..];
    let target = match wrappers::program_name(&words[i]) {
        "cat" if args.iter().all(|w| w.text.starts_with('-')) => redirects
            .iter()
            .rev()
            .find(|(op, _)| matches!(*op, ">" | ">>" | ">|" | "&>" | "&>>"))
            .map(|(_, w)| w.text.clone())?,
        "tee" => args
            .iter()
            .find(|w| !w.text.starts_with('-'))
            .map(|w| w.text.clone())?,
        "kubectl" | "oc" => {
            let verb = args
                .iter()
                .any(|w| matches!(w.text.as_str(), "apply" | "create" | "replace"));
            let stdin = args
                .windows(2)
                .any(|p| matches!(p[0].text.as_str(), "-f" | "--filename") && p[1].text == "-")
                || args
                    .iter()
                    .any(|w| matches!(w.text.as_str(), "-f-" | "--filename=-"));
            if !(verb && stdin) {
                return None;
            }
            "kubectl.yaml".to_string()
        }
        _ => return None,
    };
    (!target.starts_with("/dev/")).then_some(target)
}

/// Go's `strconv.ParseBool`, which pflag's boolean flags use.
fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// How a message names the image of `docker run`.
fn image_name(word: &Word, file: &str) -> String {
    if word.params().is_empty() {
        return word.text.clone();
    }
    // A variable whose value is itself unknown (`IMAGE=$(grep …)`) is
    // named as the command writes it: `${IMAGE}`, not the grep.
    match word.vias() {
        [via] if via.range == (0..word.text.len()) && file.get(via.site.range()).is_some() => {
            format!("an image from `{}`", &file[via.site.range()])
        }
        _ => format!("an image from `{}`", word.text),
    }
}

/// Whether a word that only expands unknown values stands for options
/// rather than the image. Its name decides when it says so (`$DOCKER_OPTS`,
/// `"$@"` → options; `$IMAGE`, `$(cat image.txt)` → the image); otherwise
/// it is options when a written word follows it (`docker run $MOUNTS
/// --privileged img`, `docker run $(if …,-v …) img`): an image followed by
/// docker options or by the image's name is no command anyone runs.
fn holds_options(word: &Word, rest: &[Word], file: &str) -> bool {
    const OPTIONS: &[&str] = &[
        "opts",
        "opt",
        "options",
        "args",
        "arguments",
        "flags",
        "params",
        "extra",
        "@",
        "*",
    ];
    const IMAGE: &[&str] = &["img", "images", "tag", "ref", "repo", "repository"];
    // The variables the command writes (`${SQLIMAGE}` whose value is an
    // unknown `$(grep …)`) speak first, then what their values expand.
    let written = word.vias().iter().map(|v| {
        file.get(v.site.range())
            .unwrap_or("")
            .trim_start_matches(['$', '{', '(', '"'])
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    });
    let expanded = word.params().iter().map(|p| match &p.kind {
        ParamKind::Var { name, .. } => name.to_ascii_lowercase(),
        ParamKind::Opaque { hint } => hint.to_ascii_lowercase(),
    });
    for name in written.chain(expanded) {
        let parts: Vec<&str> = name
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '@' || c == '*'))
            .collect();
        if parts.last().is_some_and(|l| OPTIONS.contains(l)) {
            return true;
        }
        if name.contains("image") || parts.iter().any(|x| IMAGE.contains(x)) {
            return false;
        }
        if parts.iter().any(|x| OPTIONS.contains(x)) {
            return true;
        }
    }
    rest.iter().any(|w| !w.is_opaque())
}

/// Global engine options that take a value (`docker -H host run …`,
/// `podman --root DIR run …`).
const GLOBAL_WITH_VALUE: &[&str] = &[
    "-H",
    "--host",
    "--context",
    "-c",
    "--config",
    "-l",
    "--log-level",
    "--tlscacert",
    "--tlscert",
    "--tlskey",
    "--url",
    "--connection",
    "--identity",
    "--root",
    "--runroot",
    "--storage-driver",
    "--storage-opt",
    "--cgroup-manager",
    "--events-backend",
    "--hooks-dir",
    "--module",
    "--network-cmd-path",
    "--runtime",
    "--runtime-flag",
    "--tmpdir",
    "--ssh",
    "--namespace",
    "-n",
    "--address",
    "-a",
    "--snapshotter",
    "--cni-path",
    "--data-root",
];

/// `docker|podman run` long options that take no value (docker/cli
/// `AddFlags`/`AddRunFlags`, podman's run flags); every other long option
/// does unless written `--opt=value`.
const BOOLEAN_LONG: &[&str] = &[
    "privileged",
    "detach",
    "interactive",
    "tty",
    "rm",
    "init",
    "read-only",
    "no-healthcheck",
    "oom-kill-disable",
    "publish-all",
    "help",
    "quiet",
    "disable-content-trust",
    "sig-proxy",
    "replace",
    "use-api-socket",
    "no-hosts",
    "http-proxy",
    "tls-verify",
    "rootfs",
    "env-host",
    "read-only-tmpfs",
    "rmi",
    "passwd",
];
/// Short options that take a value (`-e X`, `-v a:b`, `-p 80:80` …).
const SHORT_WITH_VALUE: &str = "acehlmpuvw";
#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Parsed {
        let source = Source::new("t.sh", text);
        let mut out = Parsed::default();
        read_script(
            &source,
            Span::new(0, text.len()),
            std::path::Path::new(""),
            &mut out,
        );
        out
    }

    #[test]
    fn flags_before_the_image_only() {
        let p = read(
            "sudo -E env A=1 docker run --rm -it -e X=1 --security-opt seccomp=unconfined nginx:1 --privileged\n",
        );
        assert!(
            read("docker run --rm --privileged x\n").containers[0]
                .privileged
                .is_some()
        );
        assert_eq!(p.containers.len(), 1);
        let c = &p.containers[0];
        assert_eq!(c.name, "`docker run` of nginx:1");
        assert_eq!(c.seccomp.len(), 1);
        assert!(c.privileged.is_none());
    }

    #[test]
    fn echo_is_not_an_invocation_but_then_is_a_prefix() {
        assert!(
            read("echo docker run --privileged x\n")
                .containers
                .is_empty()
        );
        let p = read("if true; then docker container create --privileged=true x; fi\n");
        assert!(p.containers[0].privileged.as_ref().unwrap().value);
        let p = read("podman run --privileged=false x\n");
        assert!(!p.containers[0].privileged.as_ref().unwrap().value);
    }

    #[test]
    fn capabilities_with_their_spans() {
        let text = "docker run --cap-add=sys_admin --cap-add 'NET_ADMIN' --cap-drop ALL -e CAP=x img --cap-add BPF\n";
        let p = read(text);
        let caps = &p.containers[0].capabilities;
        let added: Vec<&str> = caps.add.iter().map(|v| &text[v.at.span.range()]).collect();
        assert_eq!(added, ["sys_admin", "NET_ADMIN"]);
        assert_eq!(caps.drop[0].value, Capability::All);
        let text = "podman run --cap-add=SYS_PTRACE,cap_bpf x\n";
        let caps = &read(text).containers[0].capabilities;
        let added: Vec<&str> = caps.add.iter().map(|v| &text[v.at.span.range()]).collect();
        assert_eq!(added, ["SYS_PTRACE", "cap_bpf"]);
    }

    #[test]
    fn dockerd_and_buildx() {
        let p = read(
            "dockerd --seccomp-profile=unconfined &\ndocker buildx build --allow network.host,security.insecure .\n",
        );
        assert_eq!(p.daemons.len(), 1);
        assert_eq!(p.builds.len(), 1);
        let text = "docker buildx build --allow network.host,security.insecure .\n";
        let p = read(text);
        assert_eq!(&text[p.builds[0].at.span.range()], "security.insecure");
    }
}

#[cfg(test)]
mod fuzz_regressions {
    //! Inputs found by fuzzing, read end to end.
    use super::*;

    fn read(text: &str) -> Parsed {
        let source = Source::new("t.sh", text);
        let mut out = Parsed::default();
        read_script(
            &source,
            Span::new(0, text.len()),
            std::path::Path::new(""),
            &mut out,
        );
        out
    }

    #[test]
    fn a_value_ending_in_a_multibyte_character() {
        let text = "docker run --security-opt seccomp=é";
        let p = read(text);
        let c = &p.containers[0];
        assert_eq!(&text[c.seccomp[0].at.span.range()], "seccomp=é");
    }

    #[test]
    fn nested_and_unterminated_substitutions() {
        let p = read("seccomp \"$(\"$(é");
        assert_eq!(p.diagnostics.len(), 1);
        let deep = "\"$(".repeat(10_000);
        let p = read(&deep);
        assert_eq!(p.diagnostics.len(), 1);
        let wide = format!("{}{}", "\"$(".repeat(20_000), ")\"".repeat(20_000));
        let p = read(&wide);
        assert_eq!(p.diagnostics.len(), 1);
    }
}

#[cfg(test)]
mod reading {
    //! Issue 9 points 1-6 and 13, issue 12 point 2, issue 18 point 3.
    use super::*;

    fn read(text: &str) -> Parsed {
        let source = Source::new("t.sh", text);
        let mut out = Parsed::default();
        read_script(&source, Span::new(0, text.len()), Path::new(""), &mut out);
        out
    }

    /// What each container of `text` marks, as written.
    fn marks(text: &str) -> Vec<String> {
        let p = read(text);
        p.containers
            .iter()
            .flat_map(|c| {
                c.seccomp
                    .iter()
                    .map(|s| s.at.span)
                    .chain(c.privileged.iter().filter(|p| p.value).map(|p| p.at.span))
            })
            .map(|s| text[s.range()].to_string())
            .collect()
    }

    fn names(text: &str) -> Vec<String> {
        read(text).containers.into_iter().map(|c| c.name).collect()
    }

    #[test]
    fn wrappers_in_any_combination() {
        for line in [
            "time -p timeout -s KILL 5m nice -n 5 nohup docker run --privileged x",
            "sudo -E -u app --preserve-env=A doas env -i -u X A=1 docker run --privileged x",
            "stdbuf -oL xargs -0 -n1 docker run --privileged x",
            "exec command docker run --privileged x",
        ] {
            assert_eq!(marks(line), ["--privileged"], "{line}");
        }
        assert!(marks("command -v docker run --privileged x").is_empty());
    }

    #[test]
    fn commands_inside_strings_a_shell_runs() {
        let text = "bash -lc \"docker run --security-opt \\\"seccomp=unconfined\\\" x\"";
        assert_eq!(marks(text), ["seccomp=unconfined"]);
        let text = "sudo sh -ec 'docker run --privileged x; echo --privileged'";
        assert_eq!(marks(text), ["--privileged"]);
        let text =
            "ssh -i key host 'docker run --privileged x' && su - u -c 'podman run --privileged y'";
        assert_eq!(marks(text), ["--privileged", "--privileged"]);
        assert_eq!(marks("eval 'docker run --privileged x'"), ["--privileged"]);
        assert_eq!(
            marks("watch -n 5 'docker run --privileged x'"),
            ["--privileged"]
        );
        assert!(marks("echo \"bash -c 'docker run --privileged x'\"").is_empty());
    }

    #[test]
    fn redirections_are_not_arguments() {
        assert_eq!(
            marks("docker run >out.log --privileged img\n"),
            ["--privileged"]
        );
        assert_eq!(
            names("docker run --privileged < list.txt img\n"),
            ["`docker run` of img"]
        );
        assert_eq!(
            names("docker run 2>&1 -d img 2>/dev/null\n"),
            ["`docker run` of img"]
        );
    }

    #[test]
    fn booleans_as_strconv_parse_bool_reads_them() {
        for v in ["1", "t", "T", "true", "TRUE", "True"] {
            let p = read(&format!("docker run --privileged={v} x"));
            assert!(p.containers[0].privileged.as_ref().unwrap().value, "{v}");
        }
        for v in ["0", "f", "F", "false", "FALSE", "False"] {
            let p = read(&format!("docker run --privileged={v} x"));
            assert!(!p.containers[0].privileged.as_ref().unwrap().value, "{v}");
        }
        for v in ["yes", "on", "", "tRUE", "2"] {
            let p = read(&format!("docker run --privileged={v} x"));
            assert!(p.containers[0].privileged.is_none(), "{v}");
        }
        // Not `--flag value`: `true` is the image.
        assert_eq!(
            names("docker run --privileged true"),
            ["`docker run` of true"]
        );
    }

    #[test]
    fn short_option_clusters_as_pflag_reads_them() {
        assert_eq!(
            marks("docker run -de X=1 --privileged img"),
            ["--privileged"]
        );
        assert_eq!(
            marks("docker run -itePATH=/x --privileged img"),
            ["--privileged"]
        );
        assert_eq!(
            names("docker run -it -v a:b img --privileged"),
            ["`docker run` of img"]
        );
        assert!(marks("docker run -it -v a:b img --privileged").is_empty());
    }

    #[test]
    fn build_containers_of_podman_and_buildah() {
        let text = "podman build --security-opt seccomp=unconfined -t x .\nbuildah bud --security-opt=seccomp=unconfined .\nbuildah build -t y . --security-opt seccomp=unconfined\n";
        assert_eq!(marks(text).len(), 3);
        assert_eq!(
            names(text),
            [
                "the build containers of `podman build`",
                "the build containers of `buildah bud`",
                "the build containers of `buildah build`"
            ]
        );
        assert!(marks("podman build --security-opt apparmor=unconfined .\necho podman build --security-opt seccomp=unconfined\n").is_empty());
    }

    #[test]
    fn values_in_quoted_words_are_marked_from_first_to_last_byte() {
        for (text, value) in [
            (
                "docker run --security-opt seccomp=\"unconfined\" x",
                "seccomp=\"unconfined\"",
            ),
            (
                "docker run --security-opt \"seccomp\"=unconfined x",
                "\"seccomp\"=unconfined",
            ),
            (
                "docker run --security-opt seccomp=uncon\"fined\" x",
                "seccomp=uncon\"fined\"",
            ),
            (
                "docker run --security-opt 'seccomp=unconfined' x",
                "seccomp=unconfined",
            ),
            (
                "docker run --security-opt=\"seccomp=unconfined\" x",
                "seccomp=unconfined",
            ),
        ] {
            assert_eq!(marks(text), [value], "{text}");
        }
    }

    #[test]
    fn flags_held_in_variables_are_marked_where_written() {
        let text = "OPTS=\"--privileged\"\nopts+=(--security-opt seccomp=unconfined)\ndocker run $OPTS \"${opts[@]}\" img\n";
        let p = read(text);
        assert_eq!(p.containers.len(), 1);
        let c = &p.containers[0];
        assert_eq!(c.name, "`docker run` of img");
        let privileged = c.privileged.as_ref().unwrap();
        assert_eq!(&text[privileged.at.span.range()], "--privileged");
        assert_eq!(privileged.at.start().line, 1);
        assert_eq!(privileged.used_at[0].at.text(), "$OPTS");
        assert_eq!(&text[c.seccomp[0].at.span.range()], "seccomp=unconfined");
        assert_eq!(c.seccomp[0].used_at[0].at.text(), "${opts[@]}");
        // On one branch only, and as the look-alike in an echo.
        let text = "if [ \"$D\" ]; then X=--privileged; else X=; fi\necho docker run $X img\ndocker run $X img\n";
        assert_eq!(marks(text), ["--privileged"]);
    }

    #[test]
    fn images_named_after_expansion() {
        let text = "OPTS=--rm\nOPT2='-e A=1'\ndocker run $OPTS ${OPT2} ${IMAGE}\n";
        assert_eq!(names(text), ["`docker run` of an image from `${IMAGE}`"]);
        let text = "IMAGE=nginx:1\ndocker run --privileged $IMAGE sh\n";
        assert_eq!(names(text), ["`docker run` of nginx:1"]);
        // A variable the file sets to something unknown is named as the
        // command writes it, and its name still says it is the image.
        let text = "SQLIMAGE=$(grep -o 'mariadb:.+' compose.yml)\ndocker run --privileged -v $(pwd):/b ${SQLIMAGE} mariabackup --backup\n";
        assert_eq!(names(text), ["`docker run` of an image from `${SQLIMAGE}`"]);
        assert_eq!(
            names("docker run $DOCKER_OPTS --privileged \"$IMAGE\""),
            ["`docker run` of an image from `$IMAGE`"]
        );
        assert_eq!(
            marks("docker run $EXTRA --privileged img"),
            ["--privileged"]
        );
        assert_eq!(
            names("podman run --privileged golang make"),
            ["`podman run` of golang"]
        );
        assert_eq!(names("docker run \"$@\""), ["`docker run`"]);
        let text = "docker run $MOUNTS $(if $(X),-v a:b) --privileged img sh";
        assert_eq!(marks(text), ["--privileged"]);
        assert_eq!(names(text), ["`docker run` of img"]);
        assert_eq!(
            names("docker run -it $(docker images -q | head -1) bash"),
            ["`docker run` of an image from `$(docker images -q | head -1)`"]
        );
        assert_eq!(
            names("docker run --rm $X $Y"),
            ["`docker run` of an image from `$X`"]
        );
        assert_eq!(
            names("docker run --rm $REGISTRY/app:$TAG"),
            ["`docker run` of an image from `$REGISTRY/app:$TAG`"]
        );
    }

    #[test]
    fn variables_past_the_budget_are_a_positioned_diagnostic() {
        let mut text = String::from("A0=--privileged\n");
        for k in 1..30 {
            text.push_str(&format!("A{k}=\"$A{p} $A{p} $A{p}\"\n", p = k - 1));
        }
        text.push_str("docker run $A29 img\n");
        let p = read(&text);
        assert_eq!(p.diagnostics.len(), 1);
        assert!(matches!(p.diagnostics[0].problem, Problem::Limit(_)));
        assert_eq!(p.diagnostics[0].position.unwrap().line, 31);
        // Read as written: `$A29` is taken for an unknown image.
        assert!(p.containers[0].privileged.is_none());
    }

    #[test]
    fn make_variables_expand_into_recipes() {
        let text = "OPTS := --security-opt seccomp=unconfined\nOPTS += --rm\n\tdocker run $(OPTS) $(IMAGE)\n";
        let source = Source::new("Makefile", text);
        let mut make = MakeVars::default();
        make.define(text, "OPTS", 7, 41);
        make.define(text, "OPTS", 50, 54);
        let line = Mapped::of_file(text, 56..text.len() - 1);
        let mut out = Parsed::default();
        read_recipe(&source, &line, Path::new(""), &make, &mut out);
        let c = &out.containers[0];
        assert_eq!(c.name, "`docker run` of an image from `$(IMAGE)`");
        assert_eq!(&text[c.seccomp[0].at.span.range()], "seccomp=unconfined");
        assert_eq!(c.seccomp[0].used_at[0].at.text(), "$(OPTS)");
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    fn script() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("docker run "),
            Just("--privileged "),
            Just("--security-opt "),
            Just("seccomp=unconfined "),
            Just("O="),
            Just("O+=("),
            Just("$O "),
            Just("\"${O[@]}\" "),
            Just("\""),
            Just("'"),
            Just("bash -c "),
            Just("sudo "),
            Just("é"),
            Just("\n"),
            Just(";"),
            Just(")"),
            Just("$("),
            Just("`"),
            Just("<<EOF\n"),
            Just("EOF\n"),
            Just("\\"),
            Just(" x"),
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    fn inside(text: &str, span: Span) -> bool {
        span.start <= span.end
            && span.end <= text.len()
            && text.is_char_boundary(span.start)
            && text.is_char_boundary(span.end)
    }

    proptest! {
        #[test]
        fn every_location_read_lies_inside_the_input(text in script()) {
            let source = Source::new("t.sh", text.as_str());
            let mut out = Parsed::default();
            read_script(&source, Span::new(0, text.len()), Path::new(""), &mut out);
            for c in &out.containers {
                prop_assert!(inside(&text, c.at.span));
                for v in &c.seccomp {
                    prop_assert!(inside(&text, v.at.span));
                    for u in &v.used_at {
                        prop_assert!(inside(&text, u.at.span));
                    }
                }
                for p in c.privileged.iter() {
                    prop_assert!(inside(&text, p.at.span));
                    for u in &p.used_at {
                        prop_assert!(inside(&text, u.at.span));
                    }
                }
            }
            for c in &out.comments {
                prop_assert!(inside(&text, c.span));
            }
        }
    }
}
