//! GitHub Actions workflows (`.github/workflows/*.y[a]ml`) and composite
//! actions (`action.yml` with `runs.using: composite`).
//!
//! Three places hold container settings: the script of every `run:` step
//! (also a composite action's, whose `shell:` is required), and the docker
//! flags of a job's `container.options` and of each
//! `services.<id>.options`. Each is read as the runner hands it on
//! (GitHub docs, "Workflow syntax": `jobs.<job_id>.steps[*].shell`,
//! `defaults.run`; "Evaluate expressions in workflows and actions"):
//!
//! - The scalar's value, not its bytes ([`yaml_scalar`]): a folded `>-`
//!   script is one line, a `|` block has no indentation, CRLF is `\n`.
//! - `${{ … }}` is evaluated by the runner before the shell sees the script,
//!   so its text is unknown here: it is one opaque word (or part of one)
//!   wherever it stands, whatever spaces, quotes or `||` it holds.
//! - The shell is the step's `shell:`, else the job's, else the workflow's
//!   `defaults.run.shell`, else `bash` (`pwsh` on a `windows` runner). Only
//!   POSIX shells (`bash`, `sh`, a custom `bash … {0}`) are read as shell;
//!   `pwsh`, `powershell`, `cmd`, `python` and other interpreters are not.
//! - A relative seccomp profile path resolves where the script runs: the
//!   workspace (the repository root) or the step's `working-directory`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cmdline::{self, Mapped};
use crate::formats::yaml_scalar;
use crate::model::{Container, Parsed, Platform, Value};
use crate::source::{Location, Source};
use crate::yaml::{Yaml, YamlRef};

pub fn is_workflow_path(path: &Path) -> bool {
    let parts: Vec<_> = path.components().map(|c| c.as_os_str()).collect();
    parts
        .windows(2)
        .any(|w| w[0] == ".github" && w[1] == "workflows")
}

/// The repository root: the directory that holds `.github`.
fn workspace(path: &Path) -> PathBuf {
    let mut root = PathBuf::new();
    for c in path.components() {
        if c.as_os_str() == ".github" {
            return root;
        }
        root.push(c);
    }
    path.parent().unwrap_or(Path::new("")).to_path_buf()
}

pub fn read(source: &Arc<Source>, yaml: &Yaml, out: &mut Parsed) {
    let root_dir = workspace(&source.path);
    for root in yaml.roots() {
        let Some(jobs) = root.get("jobs") else {
            continue;
        };
        let workflow_run = root.get("defaults").and_then(|d| d.get("run"));
        for (key, job) in jobs.entries() {
            let job_name = key.as_str().unwrap_or("?");
            let job_run = job.get("defaults").and_then(|d| d.get("run"));
            let windows = runs_on_windows(job);
            for step in job.get("steps").map(|s| s.items()).unwrap_or_default() {
                run_step(
                    source,
                    step,
                    [job_run, workflow_run],
                    windows,
                    &root_dir,
                    out,
                );
            }
            if let Some(container) = job.get("container") {
                let name = format!("container of job `{job_name}`");
                declared(source, container, name, &root_dir, out);
            }
            for (svc_key, svc) in job.get("services").map(|s| s.entries()).unwrap_or_default() {
                let name = format!(
                    "service `{}` of job `{job_name}`",
                    svc_key.as_str().unwrap_or("?")
                );
                declared(source, svc, name, &root_dir, out);
            }
        }
    }
}

/// A composite action (`action.yml` with `runs.using: composite`): its
/// `run` steps, each with the `shell` such a step must name.
pub fn read_action(source: &Arc<Source>, yaml: &Yaml, out: &mut Parsed) {
    let root_dir = workspace(&source.path);
    for root in yaml.roots() {
        let Some(runs) = root.get("runs") else {
            continue;
        };
        if runs.get("using").and_then(|u| u.as_str()) != Some("composite") {
            continue;
        }
        for step in runs.get("steps").map(|s| s.items()).unwrap_or_default() {
            run_step(source, step, [None, None], false, &root_dir, out);
        }
    }
}

/// `action.yml` / `action.yaml`: a GitHub Action's metadata.
pub fn is_action_path(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n == "action.yml" || n == "action.yaml")
}

/// One step's `run` script, read when its shell (the step's, else the
/// `defaults.run` given, else the runner's default) is a POSIX shell.
fn run_step(
    source: &Arc<Source>,
    step: YamlRef<'_>,
    defaults: [Option<YamlRef<'_>>; 2],
    windows: bool,
    root_dir: &Path,
    out: &mut Parsed,
) {
    let Some(run) = step.get("run") else { return };
    let scopes = || std::iter::once(Some(step)).chain(defaults).flatten();
    let shell = scopes()
        .find_map(|m| m.get("shell"))
        .and_then(|s| s.as_str());
    let posix = match shell {
        Some(shell) => is_posix_shell(shell),
        None => !windows,
    };
    if !posix {
        return;
    }
    let dir = scopes()
        .find_map(|m| m.get("working-directory"))
        .and_then(|d| d.as_str())
        .filter(|d| !d.contains("${{"))
        .map_or_else(|| root_dir.to_path_buf(), |d| root_dir.join(d));
    if let Some(script) = yaml_scalar::value(&source.text, run) {
        cmdline::read_mapped(source, &opaque_expressions(&script), &dir, out);
    }
}

/// Whether the job's `runs-on` names a Windows runner (a label containing
/// `windows`), where an unspecified shell is `pwsh`.
fn runs_on_windows(job: YamlRef<'_>) -> bool {
    let Some(runs_on) = job.get("runs-on") else {
        return false;
    };
    let labels = if runs_on.is_sequence() {
        runs_on.items()
    } else if let Some(labels) = runs_on.get("labels") {
        if labels.is_sequence() {
            labels.items()
        } else {
            vec![labels]
        }
    } else {
        vec![runs_on]
    };
    labels
        .iter()
        .filter_map(|l| l.as_str())
        .any(|l| !l.contains("${{") && l.to_ascii_lowercase().contains("windows"))
}

/// A `shell:` value that runs the script with a POSIX shell: `bash`, `sh`,
/// or a custom template whose command is one (`bash --noprofile {0}`). An
/// expression (`${{ matrix.shell }}`) is not known here: read as the
/// common case, a shell.
fn is_posix_shell(shell: &str) -> bool {
    if shell.contains("${{") {
        return true;
    }
    let program = shell.split_whitespace().next().unwrap_or("");
    let name = program.rsplit(['/', '\\']).next().unwrap_or(program);
    matches!(
        name.strip_suffix(".exe").unwrap_or(name),
        "bash" | "sh" | "dash" | "zsh" | "ksh" | "ash"
    )
}

/// A job's `container` or one of its `services`: the image alone
/// (`container: node:20`) or a mapping with `image` and `options` (flags of
/// `docker create`, which the runner passes on).
fn declared(source: &Arc<Source>, node: YamlRef<'_>, name: String, base: &Path, out: &mut Parsed) {
    let image = if node.is_mapping() {
        node.get("image")
    } else {
        Some(node)
    };
    let image = image
        .and_then(|i| Some((i, i.as_str()?)))
        .filter(|(_, text)| !text.is_empty() && !text.contains("${{"))
        .map(|(i, text)| Value::new(text.to_string(), Location::new(source, i.span())));
    let options = node.get("options");
    let span = match options.and_then(|o| yaml_scalar::value(&source.text, o)) {
        // The value itself: a clipped `>` scalar's final line break is not part of it.
        Some(value) => value.span(0, value.text().trim_end().len()),
        None => node.span(),
    };
    let mut container = Container::new(name, Platform::Engine, Location::new(source, span));
    container.image = image;
    if let Some(value) = options.and_then(|o| yaml_scalar::value(&source.text, o)) {
        let split = opaque_expressions(&value).split();
        let words: Vec<_> = split.commands.into_iter().flatten().collect();
        cmdline::apply_run_flags(source, &words, base, &mut container);
    }
    out.containers.push(container);
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    Plain,
    Single,
    Double,
    Comment,
}

/// `script` with every `${{ … }}` made one opaque shell word: quoted for
/// the context it stands in (single quotes outside quotes, escapes inside
/// double quotes), so that a split gives back its exact text as one word.
/// Here-document bodies and comments are left as they are.
pub fn opaque_expressions(script: &Mapped) -> Mapped {
    let text = script.text();
    if !text.contains("${{") {
        return script.clone();
    }
    let b = text.as_bytes();
    let mut out = Mapped::new();
    let mut state = State::Plain;
    let mut heredocs: Vec<(String, bool)> = Vec::new();
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        if b[i..].starts_with(b"${{") && state != State::Comment {
            let end = expression_end(text, i);
            out.push_mapped(script, copied..i);
            let expr = script.slice(i..end);
            match state {
                State::Plain => out.push_quoted(&expr),
                State::Double => {
                    for (k, c) in expr.text().char_indices() {
                        if matches!(c, '"' | '\\' | '$' | '`') {
                            out.push_synthetic("\\", expr.offset(k));
                        }
                        out.push_mapped(&expr, k..k + c.len_utf8());
                    }
                }
                State::Single => {
                    for (k, c) in expr.text().char_indices() {
                        if c == '\'' {
                            out.push_synthetic("'\\", expr.offset(k));
                            out.push_mapped(&expr, k..k + 1);
                            out.push_synthetic("'", expr.offset(k));
                        } else {
                            out.push_mapped(&expr, k..k + c.len_utf8());
                        }
                    }
                }
                State::Comment => unreachable!("expressions in comments are copied"),
            }
            i = end;
            copied = end;
            continue;
        }
        let c = b[i];
        match state {
            State::Plain => match c {
                b'\'' => state = State::Single,
                b'"' => state = State::Double,
                b'\\' => i += 1,
                b'#' if i == 0 || b[i - 1].is_ascii_whitespace() => state = State::Comment,
                b'<' if b[i..].starts_with(b"<<") && !b[i..].starts_with(b"<<<") => {
                    if let Some((delimiter, strip, next)) = heredoc_start(text, i + 2) {
                        heredocs.push((delimiter, strip));
                        i = next;
                        continue;
                    }
                }
                b'\n' if !heredocs.is_empty() => {
                    i = skip_bodies(text, i + 1, &mut heredocs);
                    continue;
                }
                _ => {}
            },
            State::Single if c == b'\'' => state = State::Plain,
            State::Double if c == b'\\' => i += 1,
            State::Double if c == b'"' => state = State::Plain,
            State::Comment if c == b'\n' => {
                state = State::Plain;
                if !heredocs.is_empty() {
                    i = skip_bodies(text, i + 1, &mut heredocs);
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out.push_mapped(script, copied..b.len());
    out
}

/// The end of the expression opened at `start` (`${{`): after the `}}`
/// that is not inside one of the expression's `'…'` string literals.
fn expression_end(text: &str, start: usize) -> usize {
    let b = text.as_bytes();
    let mut i = start + 3;
    let mut in_string = false;
    while i < b.len() {
        match b[i] {
            b'\'' => in_string = !in_string,
            b'}' if !in_string && b.get(i + 1) == Some(&b'}') => return i + 2,
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// After `<<` at `at`: the delimiter (quotes removed), whether tabs are
/// stripped (`<<-`), and where the operator's word ends.
fn heredoc_start(text: &str, at: usize) -> Option<(String, bool, usize)> {
    let b = text.as_bytes();
    let mut i = at;
    let strip = b.get(i) == Some(&b'-');
    if strip {
        i += 1;
    }
    while i < b.len() && matches!(b[i], b' ' | b'\t') {
        i += 1;
    }
    let start = i;
    let mut delimiter = String::new();
    while i < b.len() && !b[i].is_ascii_whitespace() && !b";|&<>()".contains(&b[i]) {
        if matches!(b[i], b'\'' | b'"') {
            let q = b[i];
            let close = text[i + 1..].find(q as char)? + i + 1;
            delimiter.push_str(&text[i + 1..close]);
            i = close + 1;
        } else {
            let len = text[i..].chars().next().map_or(1, char::len_utf8);
            delimiter.push_str(&text[i..i + len]);
            i += len;
        }
    }
    (i > start && !delimiter.is_empty()).then_some((delimiter, strip, i))
}

/// Skips the bodies of the pending here-documents from line start `at`;
/// returns where the next command line starts.
fn skip_bodies(text: &str, mut at: usize, heredocs: &mut Vec<(String, bool)>) -> usize {
    for (delimiter, strip) in heredocs.drain(..) {
        while at < text.len() {
            let end = text[at..].find('\n').map_or(text.len(), |n| at + n);
            let line = &text[at..end];
            let line = if strip {
                line.trim_start_matches('\t')
            } else {
                line
            };
            at = (end + 1).min(text.len());
            if line == delimiter {
                break;
            }
        }
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Vec<String>> {
        let m = opaque_expressions(&Mapped::of_file(text, 0..text.len()));
        m.split()
            .commands
            .into_iter()
            .map(|c| c.into_iter().map(|w| w.text).collect())
            .collect()
    }

    #[test]
    fn expressions_are_one_word_in_every_quoting_context() {
        assert_eq!(
            words("docker run ${{ inputs.a == 'x' && '--privileged' || '' }} img"),
            [[
                "docker",
                "run",
                "${{ inputs.a == 'x' && '--privileged' || '' }}",
                "img"
            ]]
        );
        assert_eq!(
            words("echo \"a ${{ github.event.pull_request.title }}\" 'b ${{ x == 'y' }}'"),
            [[
                "echo",
                "a ${{ github.event.pull_request.title }}",
                "b ${{ x == 'y' }}"
            ]]
        );
        assert_eq!(words("x=--opt=${{ m.v }}end"), [["x=--opt=${{ m.v }}end"]]);
    }

    #[test]
    fn heredoc_bodies_and_comments_are_left_alone() {
        let text = "cat <<EOF\nit's ${{ x }}\nEOF\ndocker run ${{ m.f }} y # ${{ c }}'\n";
        assert_eq!(
            words(text),
            [vec!["cat"], vec!["docker", "run", "${{ m.f }}", "y"]]
        );
    }

    #[test]
    fn expression_spans_are_the_expression() {
        let text = "docker run --security-opt ${{ matrix.opt }} img";
        let m = opaque_expressions(&Mapped::of_file(text, 0..text.len()));
        let w = &m.split().commands[0][3];
        assert_eq!(&text[w.span().range()], "${{ matrix.opt }}");
    }

    #[test]
    fn shells() {
        assert!(is_posix_shell("bash"));
        assert!(is_posix_shell("bash --noprofile --norc -eo pipefail {0}"));
        assert!(is_posix_shell("/usr/bin/sh -e {0}"));
        assert!(!is_posix_shell("pwsh"));
        assert!(!is_posix_shell("python {0}"));
        assert!(!is_posix_shell("cmd"));
        assert!(!is_posix_shell("powershell -command \". '{0}'\""));
    }
}
