//! The one reader of container-engine command lines, for every format that
//! embeds them (scripts, Makefiles, Dockerfile `RUN`, systemd `ExecStart=`,
//! CI `run:` blocks, Actions `options:`).
//!
//! It recognises `docker|podman|nerdctl (run|create|container run|container
//! create)` behind `sudo`, `exec`, `env VAR=…`, `VAR=…`, `command`, `time`
//! and shell keywords (`then docker run …`), `dockerd --seccomp-profile` and
//! `docker buildx build --allow security.insecure`, and reads the flags as
//! Docker does: options that take a value consume the next word, and the
//! first word that is not an option is the image — everything after it is
//! the container's own command and never a finding. `echo`/`printf`
//! arguments are words of another command, so they are never invocations.

pub mod mapped;
pub mod words;

use std::path::PathBuf;
use std::sync::Arc;

pub use mapped::Mapped;
pub use words::Word;

use crate::diagnostic::{Diagnostic, Problem};
use crate::model::{
    Capability, Container, Daemon, InsecureBuild, Parsed, Platform, Seccomp, SecurityOpt, Value,
};
use crate::source::{Location, Source, Span};

/// Reads every invocation in `source.text[span]` (a whole script, a recipe,
/// a YAML scalar's source range) into `out`. `base` is the directory a
/// relative seccomp profile path resolves against.
pub fn read_script(source: &Arc<Source>, span: Span, base: &std::path::Path, out: &mut Parsed) {
    read_split(
        source,
        words::split(&source.text, span.start, span.end),
        base,
        out,
    );
}

/// Reads every invocation in a script given as the text its engine runs,
/// with file offsets ([`Mapped`]): a joined Dockerfile `RUN`, a folded YAML
/// scalar, a systemd line with its continuations.
pub fn read_mapped(
    source: &Arc<Source>,
    script: &Mapped,
    base: &std::path::Path,
    out: &mut Parsed,
) {
    read_split(source, script.split(), base, out);
}

fn read_split(source: &Arc<Source>, split: words::Split, base: &std::path::Path, out: &mut Parsed) {
    out.comments
        .extend(split.comments.iter().map(|&c| Location::new(source, c)));
    for e in split.errors {
        out.diagnostics.push(Diagnostic::at(
            source,
            e.offset,
            Problem::Syntax {
                format: "shell",
                message: e.message.into(),
            },
        ));
    }
    for command in &split.commands {
        read_command(source, command, base, out);
    }
}

/// Applies `docker run` flags written without the command (Actions
/// `container.options`, devcontainer `runArgs`, Quadlet `PodmanArgs=`).
pub fn apply_run_flags(
    source: &Arc<Source>,
    args: &[Word],
    base: &std::path::Path,
    container: &mut Container,
) {
    let mut i = 0;
    while i < args.len() {
        i = run_flag(source, args, i, base, container).unwrap_or(i + 1);
    }
}

/// Shell keywords and wrappers that may stand before the program.
const PREFIXES: &[&str] = &[
    "sudo", "exec", "command", "time", "nohup", "then", "do", "else", "elif", "if", "while",
    "until", "!", "xargs",
];

fn read_command(source: &Arc<Source>, words: &[Word], base: &std::path::Path, out: &mut Parsed) {
    let mut i = 0;
    // Prefixes, their options, and VAR=value assignments.
    while i < words.len() {
        let w = words[i].text.as_str();
        if PREFIXES.contains(&w) || w == "env" {
            i += 1;
            while i < words.len() && words[i].text.starts_with('-') {
                let takes_value = matches!(words[i].text.as_str(), "-u" | "-g" | "-C" | "-p");
                i += if takes_value { 2 } else { 1 };
            }
        } else if is_assignment(w) {
            i += 1;
        } else {
            break;
        }
    }
    let Some(program) = words.get(i) else { return };
    // `$(DOCKER)`, `${DOCKER}`, `$DOCKER`: a variable named after the engine.
    let bare = program
        .text
        .trim_start_matches(['@', '+', '-'])
        .trim_start_matches(['$', '(', '{'])
        .trim_end_matches([')', '}']);
    let lower = bare.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
    let name = match lower.as_str() {
        "docker" | "docker_cmd" | "docker_bin" => "docker",
        "podman" | "podman_cmd" | "podman_bin" => "podman",
        "nerdctl" => "nerdctl",
        "dockerd" => "dockerd",
        _ => "",
    };
    match name {
        "docker" | "podman" | "nerdctl" => engine(source, words, i, name, base, out),
        "dockerd" => daemon(source, words, i, out),
        _ => {}
    }
}

fn is_assignment(w: &str) -> bool {
    match w.split_once('=') {
        Some((k, _)) => {
            !k.is_empty()
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !k.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

/// Global engine options that take a value (`docker -H host run …`).
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
    "--root",
    "--runroot",
    "--namespace",
    "-n",
    "--address",
    "-a",
];

fn engine(
    source: &Arc<Source>,
    words: &[Word],
    at: usize,
    program: &str,
    base: &std::path::Path,
    out: &mut Parsed,
) {
    let mut i = at + 1;
    while i < words.len() && words[i].text.starts_with('-') {
        let w = &words[i].text;
        i += if GLOBAL_WITH_VALUE.contains(&w.as_str()) {
            2
        } else {
            1
        };
    }
    let Some(sub) = words.get(i).map(|w| w.text.as_str()) else {
        return;
    };
    let (sub, next) = match sub {
        "container" => (words.get(i + 1).map_or("", |w| w.text.as_str()), i + 2),
        "buildx" | "image" | "builder" => (words.get(i + 1).map_or("", |w| w.text.as_str()), i + 2),
        other => (other, i + 1),
    };
    match sub {
        "run" | "create" => {
            let invocation = format!("`{program} {sub}`");
            let mut container = Container::new(
                invocation.clone(),
                Platform::Engine,
                Location::new(source, words[at].raw),
            );
            let mut j = next;
            while j < words.len() {
                if words[j].text == "--" {
                    j += 1;
                    break;
                }
                if !words[j].text.starts_with('-') || words[j].text == "-" {
                    break;
                }
                j = run_flag(source, words, j, base, &mut container).unwrap_or(j + 1);
            }
            if let Some(image) = words.get(j) {
                container.name = format!("{invocation} of {}", image.text);
            }
            out.containers.push(container);
        }
        "build" | "bake" => {
            for (k, w) in words.iter().enumerate().skip(next) {
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
                            name: format!("`{program} buildx {sub}`"),
                            at: Location::new(source, word.span_of(offset, offset + part.len())),
                        });
                    }
                    offset += part.len() + 1;
                }
            }
        }
        _ => {}
    }
}

fn daemon(source: &Arc<Source>, words: &[Word], at: usize, out: &mut Parsed) {
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
                base: source.path.parent().map(PathBuf::from).unwrap_or_default(),
            }
        };
        let span = word.span_of(start, word.text.len());
        out.daemons.push(Daemon {
            name: "`dockerd`".into(),
            at: Location::new(source, words[at].raw),
            seccomp: Some(Value::new(seccomp, Location::new(source, span))),
        });
    }
}

/// `docker run` options (without `--`) that take no value; every other long option does
/// unless written `--opt=value`.
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
    "systemd",
    "no-hosts",
    "http-proxy",
    "tls-verify",
    "rootfs",
    "env-host",
    "read-only-tmpfs",
];
/// Short options that take a value (`-e X`, `-v a:b`, `-p 80:80` …).
const SHORT_WITH_VALUE: &[u8] = b"acehlmpuvw";

/// Reads the option at `words[i]`; returns the index after it and its value.
fn run_flag(
    source: &Arc<Source>,
    words: &[Word],
    i: usize,
    base: &std::path::Path,
    container: &mut Container,
) -> Option<usize> {
    let word = &words[i];
    let text = word.text.as_str();
    if let Some(long) = text.strip_prefix("--") {
        let (name, attached) = match long.split_once('=') {
            Some((n, _)) => (n, Some(2 + n.len() + 1)),
            None => (long, None),
        };
        match name {
            "security-opt" => {
                let (value_word, start, next) = match attached {
                    Some(s) => (word, s, i + 1),
                    None => (words.get(i + 1)?, 0, i + 2),
                };
                let value = &value_word.text[start..];
                let seccomp = match SecurityOpt::parse(value) {
                    SecurityOpt::SeccompUnconfined => Some(Seccomp::Unconfined),
                    SecurityOpt::SeccompProfile(path) => Some(Seccomp::Profile {
                        path: path.to_string(),
                        base: base.to_path_buf(),
                    }),
                    SecurityOpt::Other => None,
                };
                if let Some(seccomp) = seccomp {
                    let span = value_word.span_of(start, value_word.text.len());
                    container
                        .seccomp
                        .push(Value::new(seccomp, Location::new(source, span)));
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
                push_capabilities(source, value_word, start, list);
                Some(next)
            }
            "privileged" => {
                let value = match attached {
                    Some(s) => text[s..].eq_ignore_ascii_case("true"),
                    None => true,
                };
                container.privileged = Some(Value::new(value, Location::new(source, word.span())));
                Some(i + 1)
            }
            _ if attached.is_some() || BOOLEAN_LONG.contains(&name) => Some(i + 1),
            _ => Some(i + 2),
        }
    } else if let Some(short) = text.strip_prefix('-') {
        // A cluster like `-it` or `-e`: the last letter may take a value.
        let takes_value = short
            .bytes()
            .last()
            .is_some_and(|c| SHORT_WITH_VALUE.contains(&c))
            && short.len() == 1;
        Some(if takes_value { i + 2 } else { i + 1 })
    } else {
        None
    }
}

/// `--cap-add SYS_ADMIN`, also `--cap-add=a,b`: Podman's flag is a string
/// slice that splits on commas; Docker's takes one name and refuses a comma,
/// so splitting never invents a capability Docker would grant.
fn push_capabilities(
    source: &Arc<Source>,
    word: &Word,
    start: usize,
    list: &mut Vec<Value<Capability>>,
) {
    let mut offset = start;
    for part in word.text[start..].split(',') {
        if let Some(cap) = Capability::parse(part) {
            let span = word.span_of(offset, offset + part.len());
            list.push(Value::new(cap, Location::new(source, span)));
        }
        offset += part.len() + 1;
    }
}

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
