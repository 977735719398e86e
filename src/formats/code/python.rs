//! Python: docker-py and podman-py, testcontainers-python, aiodocker's
//! config dicts, and processes started through `subprocess`, `os`,
//! `asyncio`, invoke and Fabric.
//!
//! Strings as Python's lexical analysis (§2.4.1) defines them: prefixes
//! `r`, `b`, `u`, `f`, `t` and their combinations, any case; triple
//! quotes span lines; raw strings keep their backslashes (which still
//! keep a quote from ending the string); f- and t-strings hold `{…}`
//! interpolations, `{{`/`}}` being braces. Comments start with `#`.
//!
//! Keyword arguments are read as docker-py takes them (`privileged` is a
//! truth value, `security_opt`, `cap_add`, `cap_drop` lists of strings);
//! a process gets its arguments as Python's `subprocess` builds them: a
//! sequence is the argv, a string is the program's name unless
//! `shell=True` makes it a `/bin/sh -c` script (`subprocess.Popen`).

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use super::launch::{Code, Item};
use super::lex::{self, Escapes, Holes, Kind, Opening, Syntax, Token};
use crate::model::{Capabilities, Parsed};
use crate::source::Source;

pub(super) const SYNTAX: Syntax = Syntax {
    line_comment: b"#",
    block_comments: false,
    nested_comments: false,
    ident_extra: b"",
    string_at,
};

fn string_at(b: &[u8], i: usize, _: Option<&Token>, _: &str) -> Option<Opening> {
    let mut j = i;
    while j < b.len() && j - i < 2 && matches!(b[j] | 0x20, b'r' | b'b' | b'u' | b'f' | b't') {
        j += 1;
    }
    let quote = *b.get(j)?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let prefix: Vec<u8> = b[i..j].iter().map(|c| c | 0x20).collect();
    let valid = match prefix.as_slice() {
        [] | [b'r'] | [b'u'] | [b'b'] | [b'f'] | [b't'] => true,
        [x, y] => {
            x != y && (*x == b'r' || *y == b'r') && matches!(x ^ y ^ b'r', b'b' | b'f' | b't')
        }
        _ => false,
    };
    if !valid {
        return None;
    }
    let raw = prefix.contains(&b'r');
    let interpolated = prefix.contains(&b'f') || prefix.contains(&b't');
    let triple = b[j..].starts_with(&[quote; 3]);
    let close: &'static [u8] = match (quote, triple) {
        (b'"', true) => b"\"\"\"",
        (b'"', false) => b"\"",
        (_, true) => b"'''",
        _ => b"'",
    };
    Some(Opening {
        len: j - i + close.len(),
        close,
        escapes: if raw {
            Escapes::PythonRaw
        } else {
            Escapes::Python
        },
        holes: if interpolated {
            Holes::Brace
        } else {
            Holes::None
        },
        multiline: triple,
        regex: false,
    })
}

/// Calls whose first argument is the argv (or, with `shell=True`, a
/// script): `subprocess`'s.
const SUBPROCESS: &[&str] = &["run", "call", "check_call", "check_output", "Popen"];

/// Receivers of invoke's and Fabric's `run`/`sudo`, which always hand the
/// string to a shell.
const INVOKE: &[&str] = &["c", "ctx", "context", "conn", "connection", "cxn", "local"];

pub fn read(source: &Arc<Source>, out: &mut Parsed) {
    let code = Code::new(source, lex::lex(&source.text, &SYNTAX));
    let testcontainers = source.text.contains("testcontainers");
    // Testcontainers constructors, by their `(`, for the `with_kwargs`
    // calls chained to them.
    let mut constructed: HashMap<usize, usize> = HashMap::new();
    for i in 1..code.len() {
        if code.kind(i) != Some(Kind::Open(b'(')) || code.pair(i).is_none() {
            continue;
        }
        let Some(name) = code.t.ident(code.file, i - 1) else {
            continue;
        };
        let interesting = matches!(
            name,
            "run"
                | "create"
                | "create_host_config"
                | "HostConfig"
                | "with_kwargs"
                | "system"
                | "popen"
                | "getoutput"
                | "getstatusoutput"
                | "create_subprocess_exec"
                | "create_subprocess_shell"
                | "sudo"
        ) || SUBPROCESS.contains(&name)
            || (name.starts_with("exec") || name.starts_with("spawn"))
            || (testcontainers && name.ends_with("Container"));
        if !interesting {
            continue;
        }
        let (callee, start, calls) = code.t.chain(code.file, i);
        let items = code.items(i);
        let mark = out.mark();
        let from = code.t.list[start].span.start;
        match (name, callee.get(1).copied()) {
            ("run" | "create", Some("containers")) => {
                // aiodocker's `run(config={…})`: the Engine API's own
                // object, read with the `HostConfig` in it.
                let config = positional(&code, &items)
                    .first()
                    .cloned()
                    .or_else(|| code.keyword(&items, "config", "="))
                    .is_some_and(|a| code.object(&a).is_some());
                if config {
                    continue;
                }
                let mut c = code.container(format!("`containers.{name}`"), code.t.list[i - 1].span);
                if let Some(image) = image_argument(&code, &items) {
                    code.image(&mut c, &image);
                }
                keywords(&code, &mut c, &items);
                out.containers.push(c);
            }
            ("create_host_config" | "HostConfig", _) => {
                let mut c = code.container(format!("`{name}`"), code.t.list[i - 1].span);
                // `create_container(image, host_config=…)` around it.
                if let Some(outer) = code.parent(i)
                    && code.callee(outer).first() == Some(&"create_container")
                    && let Some(image) = positional(&code, &code.items(outer)).first()
                {
                    code.image(&mut c, image);
                }
                keywords(&code, &mut c, &items);
                out.containers.push(c);
            }
            ("with_kwargs", _) => {
                // `with_kwargs` replaces the keywords given before.
                let root = calls.iter().find_map(|o| constructed.get(o).copied());
                match root {
                    Some(k) => {
                        let c = &mut out.containers[k];
                        c.privileged = None;
                        c.seccomp.clear();
                        c.capabilities = Capabilities::default();
                        keywords(&code, c, &items);
                        continue;
                    }
                    None => {
                        let mut c = code.container("`with_kwargs`".into(), code.t.list[i - 1].span);
                        keywords(&code, &mut c, &items);
                        out.containers.push(c);
                    }
                }
            }
            (n, _)
                if testcontainers
                    && n.ends_with("Container")
                    && n.starts_with(|c: char| c.is_ascii_uppercase()) =>
            {
                let mut c = code.container(format!("`{n}`"), code.t.list[i - 1].span);
                if let Some(image) = image_argument(&code, &items) {
                    code.image(&mut c, &image);
                }
                keywords(&code, &mut c, &items);
                constructed.insert(i, out.containers.len());
                out.containers.push(c);
            }
            _ => process(&code, name, &callee, &items, out),
        }
        out.within(mark, from);
    }
    code.host_config_objects(out);
    code.finish(out);
}

/// The arguments without a keyword (and not `**mapping`).
/// The image a call names: its first positional argument, else `image=`
/// (`containers.run("alpine", …)`, `DockerContainer(image="alpine")`).
fn image_argument(code: &Code, items: &[Range<usize>]) -> Option<Range<usize>> {
    positional(code, items)
        .first()
        .cloned()
        .or_else(|| code.keyword(items, "image", "="))
}

fn positional(code: &Code, items: &[Range<usize>]) -> Vec<Range<usize>> {
    items
        .iter()
        .filter(|i| code.keyed(i, "=").is_none() && !code.is(i.start, "**"))
        .cloned()
        .collect()
}

/// docker-py's keyword arguments that weaken a container.
fn keywords(code: &Code, c: &mut crate::model::Container, items: &[Range<usize>]) {
    for item in items {
        let Some((key, value)) = code.keyed(item, "=") else {
            continue;
        };
        match key {
            "privileged" => code.privileged(c, &value),
            "security_opt" => code.security_opts(c, &value),
            "cap_add" => code.capabilities(c, &value, true),
            "cap_drop" => code.capabilities(c, &value, false),
            _ => {}
        }
    }
}

fn process(code: &Code, name: &str, callee: &[&str], items: &[Range<usize>], out: &mut Parsed) {
    let module = callee.get(1).copied();
    let args = positional(code, items);
    let first = args
        .first()
        .cloned()
        .or_else(|| code.keyword(items, "args", "="));
    match (name, module) {
        ("system" | "popen", Some("os"))
        | ("getoutput" | "getstatusoutput", Some("subprocess"))
        | ("create_subprocess_shell", _) => {
            if let Some(first) = first {
                code.run_shell(&code.arg(&first), out);
            }
        }
        ("run" | "sudo", Some(receiver)) if INVOKE.contains(&receiver) => {
            if let Some(first) = first {
                code.run_shell(&code.arg(&first), out);
            }
        }
        ("create_subprocess_exec", _) => code.run_argv(&code.flatten(&args), out),
        (n, Some("os")) if n.starts_with("exec") || n.starts_with("spawn") => {
            os_exec(code, n, &args, out);
        }
        (n, None | Some("subprocess" | "sp")) if SUBPROCESS.contains(&n) => {
            let Some(first) = first else { return };
            let shell = code
                .keyword(items, "shell", "=")
                .and_then(|v| code.boolean(&v))
                .is_some_and(|(v, _)| v);
            argv_or_script(code, &first, shell, out);
        }
        _ => {}
    }
}

/// `subprocess`'s first argument: a sequence is the argv; with
/// `shell=True`, a string (or a sequence's first item) is the script.
fn argv_or_script(code: &Code, value: &Range<usize>, shell: bool, out: &mut Parsed) {
    if let Some(items) = code.list_items(value) {
        if !shell {
            return code.run_argv(&items, out);
        }
        if let Some(Item::Word(script)) = items.first() {
            code.run_shell(script, out);
        }
        return;
    }
    // `shlex.split("…")`: split as a POSIX shell splits words.
    if value.len() >= 4
        && code.is(value.start, "shlex")
        && code.is(value.start + 1, ".")
        && code.is(value.start + 2, "split")
        && code.kind(value.start + 3) == Some(Kind::Open(b'('))
        && code.pair(value.start + 3) == Some(value.end - 1)
    {
        if let Some(s) = code.items(value.start + 3).first() {
            code.run_shell(&code.arg(s), out);
        }
        return;
    }
    // `"docker run …".split()`: fields at whitespace.
    let n = value.len();
    if n >= 4
        && matches!(code.kind(value.start), Some(Kind::Str(_)))
        && code.is(value.end - 4, ".")
        && code.is(value.end - 3, "split")
        && code.kind(value.end - 2) == Some(Kind::Open(b'('))
        && code.pair(value.end - 2) == Some(value.end - 1)
    {
        return code.run_fields(&code.arg(&(value.start..value.end - 4)), out);
    }
    if shell && matches!(code.kind(value.start), Some(Kind::Str(_))) {
        code.run_shell(&code.arg(value), out);
    }
}

/// `os.execv(path, argv)`, `os.execl(path, arg0, …)`, `os.spawnv(mode,
/// path, argv)`, …: the argv as a list or as the remaining arguments
/// (the `e` forms end with the environment).
fn os_exec(code: &Code, name: &str, args: &[Range<usize>], out: &mut Parsed) {
    let skip = if name.starts_with("spawn") { 2 } else { 1 };
    let suffix = name.trim_start_matches("exec").trim_start_matches("spawn");
    let env = suffix.ends_with('e');
    if suffix.starts_with('v') {
        if let Some(list) = args.get(skip).and_then(|a| code.list_items(a)) {
            code.run_argv(&list, out);
        }
    } else if suffix.starts_with('l') {
        let end = if env {
            args.len().saturating_sub(1)
        } else {
            args.len()
        };
        if end > skip {
            code.run_argv(&code.flatten(&args[skip..end]), out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(text: &str) -> Vec<String> {
        let t = lex::lex(text, &SYNTAX);
        (0..t.list.len())
            .filter(|&i| matches!(t.list[i].kind, Kind::Str(_)))
            .map(|i| t.text(text, i).to_string())
            .collect()
    }

    #[test]
    fn strings_as_python_writes_them() {
        assert_eq!(
            strings(r#"a = rb'x\'' + f"{d['k']}" + '''a"b''' # 'no'"#),
            [r"rb'x\''", r#"f"{d['k']}""#, r#"'''a"b'''"#]
        );
        // `br` is a prefix, `bf` is not (a name, then a string).
        assert_eq!(strings("br'x' bf'y'"), ["br'x'", "'y'"]);
        // A format spec is text: its `#` is no comment, its quote no
        // string, and a nested field ends where its braces do (CPython
        // Lib/asyncio/queues.py writes `{id(self):#x}`).
        assert_eq!(
            strings(r#"f'<{id(self):#x} {d["k"]!r:>{w}}>' + "a" # c"#),
            [r#"f'<{id(self):#x} {d["k"]!r:>{w}}>'"#, r#""a""#]
        );
        assert_eq!(
            strings(r#"f"{x:'^10}{a[1:2]}{(y:=3)}" 'b'"#),
            [r#"f"{x:'^10}{a[1:2]}{(y:=3)}""#, "'b'"]
        );
    }
}
