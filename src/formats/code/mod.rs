//! Containers started from application code: Python, Go, JavaScript and
//! TypeScript, Java and Kotlin, where the settings are literals in the
//! call that starts the container.
//!
//! What is read (one module per language; the SDKs' own names, checked in
//! their sources):
//!
//! - engine SDKs: docker-py and podman-py `containers.run|create(…,
//!   privileged=, security_opt=, cap_add=, cap_drop=)` (docker-py
//!   `docker/models/containers.py` `RUN_HOST_CONFIG_KWARGS`), the
//!   low-level `create_host_config(…)` / `docker.types.HostConfig(…)`;
//!   the Engine API's own `HostConfig` object wherever a client passes it
//!   as written — dockerode `createContainer({HostConfig: {Privileged,
//!   SecurityOpt, CapAdd, CapDrop}})`, aiodocker's config dict — and Go's
//!   moby client `container.HostConfig{Privileged:, SecurityOpt:,
//!   CapAdd:, CapDrop:}` (moby `api/types/container/hostconfig.go`;
//!   `CapAdd` was `strslice.StrSlice` in older versions), also through
//!   a variable or parameter of that type (`hc.Privileged = true`);
//!   docker-java `HostConfig.withPrivileged(…)`, `withSecurityOpts(List)`,
//!   `withCapAdd(Capability…)`, `withCapDrop(…)`.
//! - Testcontainers: Python `DockerContainer(image, **kwargs)` and
//!   `.with_kwargs(**kwargs)`, which go to docker-py's `containers.create`
//!   (testcontainers-python `src/testcontainers/core/container.py`, earlier
//!   `core/testcontainers/core/container.py`; a
//!   later `with_kwargs` replaces the earlier keywords, so the last one
//!   counts); Go `ContainerRequest{Privileged:, CapAdd:, CapDrop:}` (the
//!   deprecated fields that testcontainers-go `lifecycle.go`
//!   `defaultHostConfigModifier` copies into the HostConfig) and
//!   `WithHostConfigModifier(func(hc *container.HostConfig) {…})`;
//!   Java/Kotlin `withPrivilegedMode(boolean)` (testcontainers-java
//!   `GenericContainer`), Node `withPrivilegedMode()`,
//!   `withAddedCapabilities(…)`, `withDroppedCapabilities(…)`
//!   (testcontainers-node `GenericContainer`). testcontainers-go has no
//!   `WithPrivileged` option; a function of that name elsewhere is some
//!   other library's and is not read.
//! - argument lists handed to a process, read by the same command-line
//!   reader as scripts ([`cmdline`](crate::cmdline)): Python `subprocess`
//!   (`run`, `call`, `check_call`, `check_output`, `Popen`; a string with
//!   `shell=True`; `shlex.split("…")`; `"…".split()`), `os.system`,
//!   `os.popen`, `os.exec*`/`os.spawn*`, `asyncio.create_subprocess_*`,
//!   invoke/Fabric `c.run("…")`; Go `exec.Command`/`CommandContext`;
//!   Node `child_process` `spawn`/`execFile`/`exec` (and their `Sync`
//!   forms), execa, zx's `` $`…` ``, `Bun.spawn`, `Deno.Command`; Java
//!   and Kotlin `ProcessBuilder(…)`/`.command(…)` and `Runtime.exec`
//!   (whose one-string form splits at whitespace, with no quoting: JDK
//!   `Runtime.exec(String)` uses a `StringTokenizer`).
//!
//! Only what is literal in the call counts; a value computed elsewhere is
//! unknown, never guessed. Comments, docstrings, log messages and strings
//! that no call above receives are never read; `privileged=False` is a
//! setting, not a finding; an argument list whose program is `echo` is
//! read by the command-line reader as what it is.
//!
//! ## Why a literal-only lexer, not tree-sitter
//!
//! Measured on this machine (2 shared cores, under the load of several
//! builds) with a prototype that links tree-sitter 0.27 and the Python,
//! Go, JavaScript, TypeScript, Java and Kotlin grammars, against the
//! lexer here:
//!
//! | | tree-sitter (6 grammars) | this lexer |
//! |---|---|---|
//! | clean release build | +2 min 07 s wall, 58 s CPU (C compiler required; seccheck itself: 4 min 07 s wall, 85 s CPU on the same machine) | no crate, no C compiler: the seccheck crate's release compile 54.2 s CPU against 51.4 s without `code/` (+2.8 s; wall 1 min 20 s against 1 min 10 s) |
//! | stripped binary | +6.5 MB (6.9 MB against a 0.35 MB empty program; more than the 5.9 MB of stripped seccheck itself) | +0.21 MB (stripped: 5.94 MB against 5.73 MB without `code/`) |
//! | speed | 1.3 MB/s (Python), 1.9 MB/s (Go), parse + walk | 43 MB/s (Python), 49 MB/s (Go), 56 MB/s (Java): read, decode, lex, calls and rules end to end |
//!
//! tree-sitter would give a full syntax tree and error recovery, but what
//! is read here needs neither: a call's name, its brackets, and literals
//! with their exact bytes. Those are lexical, and a lexer that knows each
//! language's strings and comments finds them exactly — including the
//! offsets inside a literal after its escapes are undone, which a
//! tree-sitter tree does not give either. The lexer is linear, keeps its
//! nesting on explicit stacks with limits ([`lex`]), and needs no C
//! compiler on the machines where the pre-commit hook builds seccheck.
//!
//! ## Cost
//!
//! Code files are read only when they name a container engine or a
//! container library at all ([`wants`]) — besides the keyword prefilter in
//! front of every parser — so the many source files of a repository that
//! mention `privileged` in a comment are never lexed.
//!
//! Measured with hyperfine on the release build, over testcontainers-go,
//! -python and -java together (2,818 files, 1,452 of them code, nearly
//! all naming Docker: the worst case): 80 ms a scan, against 38 ms
//! without `code/` and 83 ms for `rg -l -i --hidden -e seccomp -e
//! privileged -e unconfined -e insecure` on the same tree. On code that
//! starts no containers — Go 1.19's `src`, CPython 3.11's library and a
//! global `node_modules` together (11,580 files, 191 MB, 7,445 of them
//! code, 5 naming an engine) — 197 ms, against 40 ms without `code/` and
//! 161 ms for `rg -l`: the engine names are looked for in the raw bytes,
//! so such files are never decoded (222 ms when they were).

mod go;
mod java;
mod javascript;
mod kotlin;
pub mod launch;
pub mod lex;
mod python;

use std::sync::Arc;

use aho_corasick::AhoCorasick;

use crate::model::Parsed;
use crate::source::Source;

/// The languages read here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Python,
    Go,
    JavaScript,
    TypeScript,
    Java,
    Kotlin,
}

impl Lang {
    pub fn label(self) -> &'static str {
        match self {
            Lang::Python => "python",
            Lang::Go => "go",
            Lang::JavaScript => "javascript",
            Lang::TypeScript => "typescript",
            Lang::Java => "java",
            Lang::Kotlin => "kotlin",
        }
    }
}

/// The language a (lowercased) file name says.
pub fn language(lower: &str) -> Option<Lang> {
    let (_, ext) = lower.rsplit_once('.')?;
    Some(match ext {
        "py" | "pyw" => Lang::Python,
        "go" => Lang::Go,
        "js" | "mjs" | "cjs" | "jsx" => Lang::JavaScript,
        "ts" | "mts" | "cts" | "tsx" => Lang::TypeScript,
        "java" => Lang::Java,
        "kt" | "kts" => Lang::Kotlin,
        _ => return None,
    })
}

/// Words without one of which no code starts a container the readers
/// here know: the engines, their SDKs' and clients' names, the Engine
/// API's `HostConfig`, Testcontainers.
const ENGINES: &[&str] = &[
    "docker",
    "podman",
    "nerdctl",
    "hostconfig",
    "testcontainers",
    "containers.run",
    "containers.create",
    "dockerode",
];

/// Whether a code file can start a container at all.
/// Asked of the raw bytes, before they are decoded: most source files
/// of a tree name no engine and cost one search, not a decoding too.
pub fn wants(text: &[u8]) -> bool {
    static MATCHER: std::sync::OnceLock<AhoCorasick> = std::sync::OnceLock::new();
    MATCHER
        .get_or_init(|| {
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(ENGINES)
                .expect("keywords form a valid automaton")
        })
        .is_match(text)
}

/// Reads the container launches of one code file.
pub fn read(lang: Lang, source: &Arc<Source>, out: &mut Parsed) {
    if !wants(source.text.as_bytes()) {
        return;
    }
    out.relative_to_root_too = true;
    match lang {
        Lang::Python => python::read(source, out),
        Lang::Go => go::read(source, out),
        Lang::JavaScript | Lang::TypeScript => javascript::read(source, out),
        Lang::Java => java::read(source, out),
        Lang::Kotlin => kotlin::read(source, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;
    use proptest::prelude::*;

    const ALL: [Lang; 6] = [
        Lang::Python,
        Lang::Go,
        Lang::JavaScript,
        Lang::TypeScript,
        Lang::Java,
        Lang::Kotlin,
    ];

    fn syntax(lang: Lang) -> &'static lex::Syntax {
        match lang {
            Lang::Python => &python::SYNTAX,
            Lang::Go => &go::SYNTAX,
            Lang::JavaScript | Lang::TypeScript => &javascript::SYNTAX,
            Lang::Java => &java::SYNTAX,
            Lang::Kotlin => &kotlin::SYNTAX,
        }
    }

    /// Pieces of every language's strings, comments, brackets and calls,
    /// cut anywhere: what a half-written or hostile file is made of.
    fn code() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("docker"),
            Just(".containers.run("),
            Just("subprocess.run(["),
            Just("exec.Command("),
            Just("spawn("),
            Just("new ProcessBuilder("),
            Just("container.HostConfig{"),
            Just("HostConfig: {"),
            Just("Privileged: true, "),
            Just("privileged=True, "),
            Just("withPrivilegedMode(true)"),
            Just("with_kwargs(privileged=True)"),
            Just("\"docker\", \"run\", "),
            Just("\"--privileged\", "),
            Just("\"--security-opt\", \"seccomp=unconfined\", "),
            Just("security_opt=['seccomp:unconfined'], "),
            Just("cap_add=[\"SYS_ADMIN\"]"),
            Just("\""),
            Just("'"),
            Just("`"),
            Just("\"\"\""),
            Just("f\""),
            Just("r'"),
            Just("${"),
            Just("$x"),
            Just("{"),
            Just("}"),
            Just("("),
            Just(")"),
            Just("["),
            Just("]"),
            Just("\\"),
            Just("\\u{1F6"),
            Just("\\x4"),
            Just("/*"),
            Just("*/"),
            Just("//"),
            Just("#"),
            Just("/"),
            Just("é"),
            Just("😀"),
            Just("\n"),
            Just("\r\n"),
            Just(" + "),
            Just(", "),
            Just("="),
        ];
        proptest::collection::vec(piece, 0..60).prop_map(|v| v.concat())
    }

    fn inside(text: &str, span: Span) -> bool {
        span.start <= span.end
            && span.end <= text.len()
            && text.is_char_boundary(span.start)
            && text.is_char_boundary(span.end)
    }

    proptest! {
        #[test]
        fn the_lexer_keeps_every_span_on_the_input(text in code()) {
            for lang in ALL {
                let t = lex::lex(&text, syntax(lang));
                for (i, tok) in t.list.iter().enumerate() {
                    prop_assert!(inside(&text, tok.span), "{lang:?} token {i}");
                    if let Some(p) = tok.pair {
                        prop_assert!(p < t.list.len());
                        prop_assert_eq!(t.list[p].pair, Some(i));
                    }
                }
                for lit in &t.lits {
                    prop_assert!(inside(&text, lit.span));
                    for part in &lit.parts {
                        match *part {
                            lex::Part::Text(s) => prop_assert!(inside(&text, s)),
                            lex::Part::Hole { code, written } => {
                                prop_assert!(inside(&text, code));
                                prop_assert!(inside(&text, written));
                            }
                        }
                    }
                }
                for c in &t.comments {
                    prop_assert!(inside(&text, *c));
                }
                for (at, _) in &t.problems {
                    prop_assert!(*at <= text.len() && text.is_char_boundary(*at));
                }
            }
        }

        #[test]
        fn every_setting_read_lies_inside_the_input(text in code()) {
            for lang in ALL {
                let source = Source::new("t", text.as_str());
                let mut out = Parsed::default();
                read(lang, &source, &mut out);
                for c in &out.containers {
                    prop_assert!(inside(&text, c.at.span));
                    let spans = c
                        .seccomp
                        .iter()
                        .map(|v| (&v.at, &v.used_at))
                        .chain(c.privileged.iter().map(|v| (&v.at, &v.used_at)))
                        .chain(c.capabilities.add.iter().map(|v| (&v.at, &v.used_at)))
                        .chain(c.capabilities.drop.iter().map(|v| (&v.at, &v.used_at)));
                    for (at, used) in spans {
                        prop_assert!(inside(&text, at.span), "{lang:?}");
                        for u in used {
                            prop_assert!(inside(&text, u.at.span), "{lang:?}");
                        }
                    }
                }
                for c in &out.comments {
                    prop_assert!(inside(&text, c.span));
                }
            }
        }
    }
}
