//! Go: moby's client types (`container.HostConfig`), testcontainers-go
//! (`ContainerRequest`, `WithHostConfigModifier`), and `os/exec`.
//!
//! Literals as the Go specification writes them: interpreted strings
//! `"…"` with backslash escapes, raw strings `` `…` `` over lines with no
//! escapes, runes `'…'`; `//` and `/* */` comments.
//!
//! A `HostConfig` (or testcontainers' `ContainerRequest`) is read where it
//! is written as a composite literal (`container.HostConfig{Privileged:
//! true}`, also behind `&`) and where a field of one is assigned through a
//! name of that type: a parameter (`func(hc *container.HostConfig) {
//! hc.Privileged = true }`, the form testcontainers' modifiers take), a
//! variable declared with that type or from such a literal, or a
//! `.HostConfig` field (`cfg.HostConfig.CapAdd = …`). A field set by
//! `append(hc.SecurityOpt, "…")` adds what the call appends. Each
//! declaration is one container, wherever its fields are set.
//!
//! `exec.Command(name, args...)` and `exec.CommandContext(ctx, name,
//! args...)` give the argv; `xs...` spreads a slice, which is read when it
//! is written in place (`[]string{…}...`).

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use super::launch::Code;
use super::lex::{self, Escapes, Holes, Kind, Opening, Syntax, Token};
use crate::model::Parsed;
use crate::source::{Source, Span};

pub(super) const SYNTAX: Syntax = Syntax {
    line_comment: b"//",
    block_comments: true,
    nested_comments: false,
    ident_extra: b"",
    string_at,
};

fn string_at(b: &[u8], i: usize, _: Option<&Token>, _: &str) -> Option<Opening> {
    let (close, escapes, multiline): (&'static [u8], _, _) = match b[i] {
        b'"' => (b"\"", Escapes::Go, false),
        b'\'' => (b"'", Escapes::Go, false),
        b'`' => (b"`", Escapes::Raw, true),
        _ => return None,
    };
    Some(Opening {
        len: 1,
        close,
        escapes,
        holes: Holes::None,
        multiline,
        regex: false,
    })
}

/// The types whose fields weaken a container, and which of them each has.
fn fields(ty: &str) -> &'static [&'static str] {
    match ty {
        "HostConfig" => &["Privileged", "SecurityOpt", "CapAdd", "CapDrop"],
        // testcontainers-go's deprecated request fields.
        "ContainerRequest" => &["Privileged", "CapAdd", "CapDrop"],
        _ => &[],
    }
}

/// A name bound to one of those types, and the tokens where it holds.
struct Binding<'a> {
    name: &'a str,
    ty: &'a str,
    scope: Range<usize>,
    /// Where it is declared (the type as written).
    at: Span,
    /// Its container, once something is set through it (or the literal
    /// it was declared from).
    container: Option<usize>,
}

pub fn read(source: &Arc<Source>, out: &mut Parsed) {
    let code = Code::new(source, lex::lex(&source.text, &SYNTAX));
    let mut bindings: Vec<Binding> = Vec::new();
    // Containers of composite literals, by the `{` of each.
    let mut literals: HashMap<usize, usize> = HashMap::new();
    for i in 0..code.len() {
        match code.kind(i) {
            Some(Kind::Ident) if !fields(code.text(i)).is_empty() => {
                let ty = code.text(i);
                if code.kind(i + 1) == Some(Kind::Open(b'{')) && code.pair(i + 1).is_some() {
                    let k = literal(&code, i, ty, out);
                    literals.insert(i + 1, k);
                }
                if let Some(b) = binding(&code, i, ty) {
                    bindings.push(b);
                }
            }
            Some(Kind::Open(b'(')) if i > 0 => {
                let (callee, start, _) = code.t.chain(code.file, i);
                if let ["Command" | "CommandContext", "exec", ..] = callee.as_slice() {
                    let mark = out.mark();
                    let mut items = code.items(i);
                    if callee[0] == "CommandContext" && !items.is_empty() {
                        items.remove(0);
                    }
                    code.run_argv(&code.flatten(&items), out);
                    out.within(mark, code.t.list[start].span.start);
                }
            }
            _ => {}
        }
    }
    // A variable declared from a literal shares the literal's container.
    for b in &mut bindings {
        let brace = b.scope.start;
        if let Some(&k) = literals.get(&brace) {
            b.container = Some(k);
        }
    }
    assignments(&code, &mut bindings, out);
    code.finish(out);
}

/// `[&][pkg.]HostConfig{…}`: one container, its fields read.
fn literal(code: &Code, i: usize, ty: &str, out: &mut Parsed) -> usize {
    let qualified = i >= 2 && code.is(i - 1, ".") && code.kind(i - 2) == Some(Kind::Ident);
    let first = if qualified { i - 2 } else { i };
    let at = code.span(first..i + 1);
    let mark = out.mark();
    let mut c = code.container(format!("`{}`", code.file.get(at.range()).unwrap_or(ty)), at);
    let items = code.items(i + 1);
    if let Some(image) = code.keyword(&items, "Image", ":") {
        code.image(&mut c, &image);
    } else if ty == "HostConfig"
        && let Some(call) = code.parent(first)
        && code.kind(call) == Some(Kind::Open(b'('))
    {
        // `ContainerCreate(ctx, &container.Config{Image: "…"}, &container.HostConfig{…}, …)`
        let image = code.once(call, "config image", || {
            code.items(call).iter().find_map(|arg| {
                let open = arg
                    .clone()
                    .find(|&k| code.kind(k) == Some(Kind::Open(b'{')))?;
                let config = code.text(open.checked_sub(1)?) == "Config";
                config.then(|| code.keyword(&code.items(open), "Image", ":"))?
            })
        });
        if let Some(image) = image {
            code.image(&mut c, &image);
        }
    }
    let allowed = fields(ty);
    let items: Vec<Range<usize>> = items
        .into_iter()
        .filter(|item| {
            code.keyed(item, ":")
                .is_some_and(|(k, _)| allowed.contains(&k))
        })
        .collect();
    code.api_fields(&mut c, &items, ":");
    let k = out.containers.len();
    out.containers.push(c);
    out.within(mark, at.start);
    k
}

/// A name of type `ty` declared at the type token `i`: a parameter
/// (`hc *container.HostConfig`), `var hc container.HostConfig`, or
/// `hc := &container.HostConfig{…}`.
fn binding<'a>(code: &Code<'a>, i: usize, ty: &'a str) -> Option<Binding<'a>> {
    let qualified = i >= 2 && code.is(i - 1, ".") && code.kind(i - 2) == Some(Kind::Ident);
    let first = if qualified { i - 2 } else { i };
    let at = code.span(first..i + 1);
    let mut k = first;
    // `x := &T{` / `x = T{` / `var x = &T{`
    if code.kind(i + 1) == Some(Kind::Open(b'{')) {
        if k > 0 && code.is(k - 1, "&") {
            k -= 1;
        }
        if k >= 2 && (code.is(k - 1, ":=") || code.is(k - 1, "=")) {
            let name = code.t.ident(code.file, k - 2)?;
            let scope_end = enclosing_end(code, i);
            return Some(Binding {
                name,
                ty,
                scope: i + 1..scope_end,
                at,
                container: None,
            });
        }
        return None;
    }
    // `name *T` / `name T` followed by `)`, `,` or (var) a line's end.
    if k > 0 && code.is(k - 1, "*") {
        k -= 1;
    }
    let name = code.t.ident(code.file, k.checked_sub(1)?)?;
    if matches!(name, "func" | "struct" | "type" | "map" | "chan" | "return") {
        return None;
    }
    let before = k.checked_sub(2);
    let after = i + 1;
    let param = before.is_some_and(|b| code.is(b, ",") || code.kind(b) == Some(Kind::Open(b'(')))
        && (code.is(after, ",") || code.kind(after) == Some(Kind::Close(b')')));
    let var = before.is_some_and(|b| code.is(b, "var"));
    if param {
        // The function body: the first `{` after the parameter list.
        let params_close = code.parent(i).and_then(|o| code.pair(o))?;
        let body = (params_close + 1..code.len().min(params_close + 16))
            .find(|&b| code.kind(b) == Some(Kind::Open(b'{')))?;
        let end = code.pair(body)?;
        return Some(Binding {
            name,
            ty,
            scope: body..end,
            at,
            container: None,
        });
    }
    if var {
        return Some(Binding {
            name,
            ty,
            scope: i + 1..enclosing_end(code, i),
            at,
            container: None,
        });
    }
    None
}

/// The image of the container a modifier at token `i` configures: the
/// `Image:` of the request literal around it, or the image argument of
/// testcontainers' `Run(ctx, "image", opts...)` it is handed to.
fn image_around(code: &Code, i: usize) -> Option<Range<usize>> {
    let mut p = code.parent(i);
    for _ in 0..MAX_AROUND {
        let o = p?;
        match code.kind(o) {
            Some(Kind::Open(b'{')) => {
                let image = code.once(o, "image", || code.keyword(&code.items(o), "Image", ":"));
                if image.is_some() {
                    return image;
                }
            }
            Some(Kind::Open(b'(')) if code.callee(o).first() == Some(&"Run") => {
                return code.once(o, "run image", || {
                    code.items(o)
                        .into_iter()
                        .find(|a| a.len() == 1 && matches!(code.kind(a.start), Some(Kind::Str(_))))
                });
            }
            _ => {}
        }
        p = code.parent(o);
    }
    None
}

/// Earlier scopes of the same name an assignment looks back over for
/// the one it is in: a bound, so that n same-named variables in n
/// functions cost linear time, not n².
const MAX_SCOPES: usize = 64;

/// How many brackets out [`image_around`] looks.
const MAX_AROUND: usize = 6;

/// The end of the block around token `i` (the file's end at top level).
fn enclosing_end(code: &Code, i: usize) -> usize {
    let mut p = code.parent(i);
    while let Some(o) = p {
        if code.kind(o) == Some(Kind::Open(b'{')) {
            return code.pair(o).unwrap_or(code.len());
        }
        p = code.parent(o);
    }
    code.len()
}

/// `name.Field = value` for a bound name, and `x.HostConfig.Field = value`.
fn assignments(code: &Code, bindings: &mut [Binding], out: &mut Parsed) {
    // Containers of `.HostConfig` fields, by the receiver as written and
    // the block it is set in.
    let mut selected: HashMap<(String, usize), usize> = HashMap::new();
    // Bindings by name, in the order their scopes open: the innermost
    // scope around an assignment is the last one opened before it that
    // still holds it (blocks nest or are disjoint).
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (k, b) in bindings.iter().enumerate() {
        by_name.entry(b.name).or_default().push(k);
    }
    for list in by_name.values_mut() {
        list.sort_by_key(|&k| bindings[k].scope.start);
    }
    for i in 2..code.len() {
        if !code.is(i, "=") || code.kind(i - 1) != Some(Kind::Ident) || !code.is(i - 2, ".") {
            continue;
        }
        let field = code.text(i - 1);
        let Some(owner) = (i - 2).checked_sub(1) else {
            continue;
        };
        let Some(owner_name) = code.t.ident(code.file, owner) else {
            continue;
        };
        let value = statement_value(code, i + 1);
        if value.is_empty() {
            continue;
        }
        let selector = owner > 0 && code.is(owner - 1, ".");
        let bound = by_name
            .get(owner_name)
            .filter(|_| !selector)
            .and_then(|list| {
                let before = list.partition_point(|&k| bindings[k].scope.start <= i);
                list[..before]
                    .iter()
                    .rev()
                    .take(MAX_SCOPES)
                    .find(|&&k| bindings[k].scope.contains(&i))
                    .copied()
            });
        let k = match bound {
            Some(k) => {
                let b = &mut bindings[k];
                if !fields(b.ty).contains(&field) {
                    continue;
                }
                match b.container {
                    Some(k) => k,
                    None => {
                        let name = format!(
                            "`{} {}`",
                            b.name,
                            code.file.get(b.at.range()).unwrap_or(b.ty)
                        );
                        let mut c = code.container(name, b.at);
                        if let Some(image) = image_around(code, b.scope.start) {
                            code.image(&mut c, &image);
                        }
                        out.containers.push(c);
                        b.container = Some(out.containers.len() - 1);
                        out.containers.len() - 1
                    }
                }
            }
            None if owner_name == "HostConfig" && selector && owner >= 2 => {
                if !fields("HostConfig").contains(&field) {
                    continue;
                }
                let receiver_start = (0..owner)
                    .rev()
                    .take_while(|&k| code.kind(k) == Some(Kind::Ident) || code.is(k, "."))
                    .last()
                    .unwrap_or(owner);
                let receiver = code.span(receiver_start..owner + 1);
                let block = code.parent(i).unwrap_or(0);
                let key = (
                    code.file.get(receiver.range()).unwrap_or("").to_string(),
                    block,
                );
                *selected.entry(key).or_insert_with(|| {
                    let name = format!("`{}`", code.file.get(receiver.range()).unwrap_or(""));
                    out.containers.push(code.container(name, receiver));
                    out.containers.len() - 1
                })
            }
            None => continue,
        };
        let mark = out.mark();
        let c = &mut out.containers[k];
        // `append(x.Field, a, b)`: what is appended.
        let appended = code.is(value.start, "append")
            && code.kind(value.start + 1) == Some(Kind::Open(b'('))
            && code.pair(value.start + 1) == Some(value.end - 1);
        let values: Vec<Range<usize>> = if appended {
            code.items(value.start + 1).into_iter().skip(1).collect()
        } else {
            vec![value]
        };
        for v in &values {
            let v = v.start..v.end - usize::from(code.is(v.end - 1, "..."));
            match field {
                "Privileged" => code.privileged(c, &v),
                "SecurityOpt" => code.security_opts(c, &v),
                "CapAdd" => code.capabilities(c, &v, true),
                "CapDrop" => code.capabilities(c, &v, false),
                _ => {}
            }
        }
        out.within(mark, code.t.list[owner].span.start);
    }
}

/// The tokens of the expression that starts at `from` and ends with its
/// line (Go ends a statement at a line's end outside brackets) or at `;`.
fn statement_value(code: &Code, from: usize) -> Range<usize> {
    let Some(first) = code.t.list.get(from) else {
        return from..from;
    };
    let mut i = from;
    let mut last_end = first.span.start;
    while let Some(t) = code.t.list.get(i) {
        let gap = code.file.get(last_end..t.span.start).unwrap_or("");
        if i > from && gap.contains('\n') {
            break;
        }
        match t.kind {
            Kind::Close(_) => break,
            Kind::Punct if code.text(i) == ";" => break,
            Kind::Open(_) => {
                let Some(p) = t.pair.filter(|&p| p > i) else {
                    break;
                };
                last_end = code.t.list[p].span.end;
                i = p + 1;
                continue;
            }
            _ => {}
        }
        last_end = t.span.end;
        i += 1;
    }
    from..i
}
