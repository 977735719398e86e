//! JavaScript and TypeScript: dockerode and every client that passes the
//! Engine API's `HostConfig` object, testcontainers-node, and processes
//! started through `child_process`, execa, zx, Bun and Deno.
//!
//! Literals as ECMAScript writes them: `'…'` and `"…"` end with their line
//! (a JSX text's apostrophe then costs one line, not the file), template
//! literals `` `…${…}…` `` span lines and nest, and a `/` starts a regular
//! expression where an operand is expected (after an operator, an opening
//! bracket, `return`, `typeof`, …) and divides after an operand — the
//! rule every JavaScript tokenizer without a parser uses. `//` and
//! `/* */` comments.
//!
//! Processes as Node's `child_process` runs them: `spawn`/`execFile`
//! (and `Sync`) take the program and an argv array; `exec`/`execSync`
//! hand their string to `/bin/sh -c`; so does `spawn` with `{shell:
//! true}`. execa's `execa(file, args)` is an argv, `execaCommand(string)`
//! splits its string; zx's and execa's `` $`…` `` run a command line
//! whose interpolations are each one argument. `Bun.spawn([…])` and
//! `new Deno.Command(program, {args: […]})` take an argv.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use super::launch::{Code, Item};
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

/// Names after which an operand is expected, so `/` starts a regex.
const BEFORE_OPERAND: &[&str] = &[
    "return",
    "typeof",
    "instanceof",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "case",
    "do",
    "else",
    "yield",
    "await",
];

fn string_at(b: &[u8], i: usize, last: Option<&Token>, text: &str) -> Option<Opening> {
    let quote = |close: &'static [u8], holes, multiline, regex| Opening {
        len: 1,
        close,
        escapes: Escapes::Js,
        holes,
        multiline,
        regex,
    };
    match b[i] {
        b'\'' => Some(quote(b"'", Holes::None, false, false)),
        b'"' => Some(quote(b"\"", Holes::None, false, false)),
        b'`' => Some(quote(b"`", Holes::DollarBrace, true, false)),
        b'/' => {
            let operand_expected = match last {
                None => true,
                Some(t) => match t.kind {
                    Kind::Punct | Kind::Open(_) => true,
                    Kind::Ident => BEFORE_OPERAND.contains(&text.get(t.span.range()).unwrap_or("")),
                    _ => false,
                },
            };
            operand_expected.then(|| quote(b"/", Holes::None, false, true))
        }
        _ => None,
    }
}

const SHELL: &[&str] = &["exec", "execSync", "execaCommand", "execaCommandSync"];
const ARGV: &[&str] = &[
    "spawn",
    "spawnSync",
    "execFile",
    "execFileSync",
    "execa",
    "execaSync",
];

pub fn read(source: &Arc<Source>, out: &mut Parsed) {
    let code = Code::new(source, lex::lex(&source.text, &SYNTAX));
    // testcontainers-node containers, by the `(` of their constructor.
    let mut constructed: HashMap<usize, usize> = HashMap::new();
    for i in 1..code.len() {
        // zx / execa: $`docker run …`
        if code.is(i - 1, "$")
            && code.kind(i - 1) == Some(Kind::Ident)
            && code.text(i).starts_with('`')
            && matches!(code.kind(i), Some(Kind::Str(_)))
        {
            let mark = out.mark();
            code.run_shell(&code.arg(&(i..i + 1)), out);
            out.within(mark, code.t.list[i - 1].span.start);
            continue;
        }
        if code.kind(i) != Some(Kind::Open(b'(')) || code.pair(i).is_none() {
            continue;
        }
        let Some((name, at)) = code.call_name(i) else {
            continue;
        };
        let testcontainers = matches!(
            name,
            "withPrivilegedMode" | "withAddedCapabilities" | "withDroppedCapabilities"
        );
        let constructor = name.ends_with("Container") && at >= 1 && code.is(at - 1, "new");
        if !(testcontainers
            || constructor
            || SHELL.contains(&name)
            || ARGV.contains(&name)
            || name == "Command")
        {
            continue;
        }
        let (callee, start, calls) = code.t.chain(code.file, i);
        let items = code.items(i);
        let mark = out.mark();
        if constructor {
            let mut c = code.container(format!("`{name}`"), code.t.list[at].span);
            if let Some(image) = items.first() {
                code.image(&mut c, image);
            }
            constructed.insert(i, out.containers.len());
            out.containers.push(c);
        } else if testcontainers {
            let k = match calls.iter().find_map(|o| constructed.get(o).copied()) {
                Some(k) => k,
                None => {
                    out.containers
                        .push(code.container(format!("`{name}`"), code.t.list[at].span));
                    out.containers.len() - 1
                }
            };
            let c = &mut out.containers[k];
            match name {
                "withPrivilegedMode" => {
                    code.privileged_at(c, code.span(at..code.pair(i).unwrap_or(i) + 1));
                }
                "withAddedCapabilities" | "withDroppedCapabilities" => {
                    for item in &items {
                        code.capabilities(c, item, name == "withAddedCapabilities");
                    }
                }
                _ => {}
            }
        } else {
            process(&code, name, &callee, &items, out);
        }
        out.within(mark, code.t.list[start].span.start);
    }
    code.host_config_objects(out);
    code.finish(out);
}

fn process(code: &Code, name: &str, callee: &[&str], items: &[Range<usize>], out: &mut Parsed) {
    let first = items.first();
    let shell_option = items.iter().skip(1).any(|item| {
        code.object(item)
            .and_then(|o| code.keyword(&code.items(o), "shell", ":"))
            .and_then(|v| code.boolean(&v))
            .is_some_and(|(v, _)| v)
    });
    if name == "Command" {
        // new Deno.Command(program, { args: […] })
        if callee.get(1) != Some(&"Deno") {
            return;
        }
        let Some(program) = first else { return };
        let mut argv = vec![code.item(program)];
        if let Some(args) = items
            .get(1)
            .and_then(|o| code.object(o))
            .and_then(|o| code.keyword(&code.items(o), "args", ":"))
            .and_then(|a| code.list_items(&a))
        {
            argv.extend(args);
        }
        return code.run_argv(&argv, out);
    }
    let Some(first) = first else { return };
    if SHELL.contains(&name) {
        return code.run_shell(&code.arg(first), out);
    }
    // An argv array first (`Bun.spawn([…])`), or a program and an array.
    if let Some(argv) = code.list_items(first) {
        return code.run_argv(&argv, out);
    }
    if shell_option && matches!(code.kind(first.start), Some(Kind::Str(_))) {
        return code.run_shell(&code.arg(first), out);
    }
    let mut argv: Vec<Item> = vec![code.item(first)];
    if let Some(args) = items.get(1).and_then(|a| code.list_items(a)) {
        argv.extend(args);
    }
    code.run_argv(&argv, out);
}
