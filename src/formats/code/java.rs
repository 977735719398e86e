//! Java: testcontainers-java, docker-java, and processes started through
//! `ProcessBuilder` and `Runtime.exec`. Kotlin uses the same libraries
//! and is read by the same calls ([`read_calls`]) after its own lexer
//! ([`super::kotlin`]).
//!
//! Literals as the JLS writes them (§3.10): `"…"` strings, `"""` text
//! blocks over lines, `'…'` characters, backslash escapes including `\s`;
//! `//` and `/* */` comments.
//!
//! The calls, with the libraries' own names: testcontainers-java
//! `withPrivilegedMode(boolean)` on a container, and
//! `withCreateContainerCmdModifier(cmd -> …)` whose command is
//! docker-java's; docker-java `HostConfig.withPrivileged(Boolean)`,
//! `withSecurityOpts(List<String>)`, `withCapAdd(Capability…)`,
//! `withCapDrop(Capability…)`, also on `CreateContainerCmd` and inside
//! `withHostConfig(…)`. Settings made inside a modifier or a
//! `withHostConfig(…)` belong to the container of the chain that calls
//! it: `new GenericContainer<>("img")`, `createContainerCmd("img")`.
//!
//! `new ProcessBuilder("docker", …)` (arguments or one list) and
//! `.command(…)` give an argv; `Runtime.getRuntime().exec(String[])`
//! too, while `exec(String)` splits its string at whitespace with a
//! `StringTokenizer` — no quotes, no shell.

use std::collections::HashMap;
use std::sync::Arc;

use super::launch::Code;
use super::lex::{self, Escapes, Holes, Kind, Opening, Syntax, Token};
use crate::model::Parsed;
use crate::source::Source;

pub(super) const SYNTAX: Syntax = Syntax {
    line_comment: b"//",
    block_comments: true,
    nested_comments: false,
    ident_extra: b"$",
    string_at,
};

fn string_at(b: &[u8], i: usize, _: Option<&Token>, _: &str) -> Option<Opening> {
    let quote = |len, close: &'static [u8], multiline| Opening {
        len,
        close,
        escapes: Escapes::Java,
        holes: Holes::None,
        multiline,
        regex: false,
    };
    match b[i] {
        b'"' if b[i..].starts_with(b"\"\"\"") => Some(quote(3, b"\"\"\"", true)),
        b'"' => Some(quote(1, b"\"", false)),
        b'\'' => Some(quote(1, b"'", false)),
        _ => None,
    }
}

pub fn read(source: &Arc<Source>, out: &mut Parsed) {
    let code = Code::new(source, lex::lex(&source.text, &SYNTAX));
    read_calls(&code, out);
    code.finish(out);
}

/// How many calls out a setting inside a modifier or `withHostConfig`
/// looks for the container it belongs to.
const MAX_ENCLOSING: usize = 4;

/// The container calls and process launches of a JVM language's tokens.
pub fn read_calls(code: &Code, out: &mut Parsed) {
    // Containers by the `(` of the call that creates them, and by the
    // first token of a chain of settings with no such call.
    let mut constructed: HashMap<usize, usize> = HashMap::new();
    let mut chains: HashMap<usize, usize> = HashMap::new();
    for i in 1..code.len() {
        if code.kind(i) != Some(Kind::Open(b'(')) || code.pair(i).is_none() {
            continue;
        }
        let Some((name, at)) = code.call_name(i) else {
            continue;
        };
        let items = code.items(i);
        let constructor = (name.ends_with("Container")
            && name.starts_with(|c: char| c.is_ascii_uppercase()))
            || name == "createContainerCmd";
        let setting = matches!(
            name,
            "withPrivilegedMode"
                | "withPrivileged"
                | "withSecurityOpts"
                | "withCapAdd"
                | "withCapDrop"
        );
        if constructor {
            let mut c = code.container(format!("`{name}`"), code.t.list[at].span);
            if let Some(image) = items.first().and_then(|a| {
                a.clone()
                    .find(|&k| matches!(code.kind(k), Some(Kind::Str(_))))
                    .map(|k| k..k + 1)
            }) {
                code.image(&mut c, &image);
            }
            constructed.insert(i, out.containers.len());
            out.containers.push(c);
            continue;
        }
        if setting {
            let mark = out.mark();
            let k = owner(code, i, &constructed).unwrap_or_else(|| {
                let (_, start, _) = code.t.chain(code.file, i);
                *chains.entry(start).or_insert_with(|| {
                    out.containers
                        .push(code.container(format!("`{name}`"), code.t.list[at].span));
                    out.containers.len() - 1
                })
            });
            let c = &mut out.containers[k];
            match (name, items.first()) {
                ("withPrivilegedMode", None) => {
                    code.privileged_at(c, code.span(at..code.pair(i).unwrap_or(i) + 1));
                }
                ("withPrivilegedMode" | "withPrivileged", Some(v)) => code.privileged(c, v),
                ("withSecurityOpts", Some(v)) => code.security_opts(c, v),
                ("withCapAdd" | "withCapDrop", _) => {
                    for item in &items {
                        code.capabilities(c, item, name == "withCapAdd");
                    }
                }
                _ => {}
            }
            out.within(mark, code.t.list[at].span.start);
            continue;
        }
        let mark = out.mark();
        let (callee, start, _) = code.t.chain(code.file, i);
        match name {
            "ProcessBuilder" | "command" => {
                let argv = match items.as_slice() {
                    [one] if code.list_items(one).is_some() => code.list_items(one),
                    _ if items
                        .first()
                        .is_some_and(|f| matches!(code.kind(f.start), Some(Kind::Str(_)))) =>
                    {
                        Some(code.flatten(&items))
                    }
                    _ => None,
                };
                if let Some(argv) = argv {
                    code.run_argv(&argv, out);
                }
            }
            "exec" if callee.contains(&"getRuntime") || callee.contains(&"Runtime") => {
                if let Some(first) = items.first() {
                    match code.list_items(first) {
                        Some(argv) => code.run_argv(&argv, out),
                        None => code.run_fields(&code.arg(first), out),
                    }
                }
            }
            _ => {}
        }
        out.within(mark, code.t.list[start].span.start);
    }
}

/// The container a setting at the call `open` belongs to: the chain's
/// own (`new GenericContainer<>(…).withPrivilegedMode(true)`), or that
/// of the call it is an argument of (`withCreateContainerCmdModifier(cmd
/// -> cmd.withPrivileged(true))`, `withHostConfig(HostConfig…)`).
fn owner(code: &Code, open: usize, constructed: &HashMap<usize, usize>) -> Option<usize> {
    let mut at = open;
    for _ in 0..MAX_ENCLOSING {
        let (_, _, calls) = code.t.chain(code.file, at);
        if let Some(k) = calls.iter().find_map(|o| constructed.get(o)) {
            return Some(*k);
        }
        at = enclosing_call(code, at)?;
        if let Some(k) = constructed.get(&at) {
            return Some(*k);
        }
    }
    None
}

/// The `(` of the call whose arguments hold token `i`, when that call
/// hands its argument to a container (a modifier, `withHostConfig`).
fn enclosing_call(code: &Code, i: usize) -> Option<usize> {
    let mut p = code.parent(i);
    while let Some(o) = p {
        if code.kind(o) == Some(Kind::Open(b'(')) {
            let name = code.t.ident(code.file, o.checked_sub(1)?)?;
            return (name.ends_with("Modifier") || name == "withHostConfig").then_some(o);
        }
        p = code.parent(o);
    }
    None
}
