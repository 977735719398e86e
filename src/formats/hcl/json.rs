//! HCL's JSON syntax (`*.tf.json`, `*.tfvars.json`) lowered into the same
//! tree as the native syntax ([`super::syntax`]).
//!
//! The rules are hashicorp/hcl's `json/spec.md`, as Terraform applies them
//! (developer.hashicorp.com/terraform/language/syntax/json):
//!
//! - the root is an object (or an array of objects); a top-level key names
//!   a block type, and its labels are that many levels of nested object
//!   keys (`resource` two, `variable`/`module`/`output`/`provider` one,
//!   `locals`/`terraform` none); a level may also be an array of objects;
//! - a property named `"//"` is a comment and is ignored;
//! - a string is a template: `"${var.x}"` is the expression `var.x` itself
//!   (a template of a single interpolation keeps the value's type), other
//!   strings interpolate; the template text is the JSON string after its
//!   escapes are decoded, so positions are mapped back through them;
//! - `"dynamic": {"container": {…}}` is a `dynamic "container"` block;
//! - a variable's `default` and a `.tfvars.json` value are literal JSON,
//!   never templates.
//!
//! Which keys of a body are nested blocks is decided by the provider's
//! schema, which a static scan has not got: every key stays an attribute
//! here, and the resource walker reads an object or array-of-objects
//! attribute as a nested block, as it does for `container = [{ … }]` in the
//! native syntax.
//!
//! JSON is parsed strictly (no comments, no trailing commas: hcl's own JSON
//! scanner has neither) with positions, by [`crate::formats::json`].

use jsonc_parser::ast::{ObjectProp, Value as Json};
use jsonc_parser::common::Ranged;

use super::syntax::{Attr, Block, Body, Expr, ExprKind, Item, Key, Part};
use crate::source::Span;

/// How many labels a top-level block type has in Terraform.
fn label_count(block_type: &str) -> usize {
    match block_type {
        "resource" | "data" | "ephemeral" => 2,
        "variable" | "module" | "output" | "provider" | "check" => 1,
        _ => 0,
    }
}

/// A Terraform configuration file: `root` is the parsed document.
pub fn lower_config(root: &Json<'_>, text: &str) -> Body {
    lower_document(root, text, &label_count)
}

/// A document of any HCL tool, whose block types have `labels(type)`
/// labels.
pub fn lower_document(root: &Json<'_>, text: &str, labels: &dyn Fn(&str) -> usize) -> Body {
    let mut body = Body::default();
    for object in objects(root) {
        for prop in &object.properties {
            let ident = prop.name.as_str();
            if ident == "//" {
                continue;
            }
            let mut heads: Vec<(Vec<String>, &Json<'_>, Span)> =
                vec![(Vec::new(), &prop.value, name_span(prop))];
            for _ in 0..labels(ident) {
                let mut next = Vec::new();
                for (labels, value, _) in heads {
                    for o in objects(value) {
                        for p in &o.properties {
                            if p.name.as_str() == "//" {
                                continue;
                            }
                            let mut labels = labels.clone();
                            labels.push(p.name.as_str().to_string());
                            next.push((labels, &p.value, name_span(p)));
                        }
                    }
                }
                heads = next;
            }
            for (labels, value, head) in heads {
                for o in objects(value) {
                    body.blocks.push(Block {
                        ident: ident.to_string(),
                        labels: labels.clone(),
                        head,
                        body: lower_block_body(&o.properties, text, ident != "variable"),
                    });
                }
            }
        }
    }
    body
}

/// A `.tfvars.json` file: each property assigns a variable, literally.
pub fn lower_values(root: &Json<'_>, text: &str) -> Body {
    let mut body = Body::default();
    for object in objects(root) {
        for prop in &object.properties {
            if prop.name.as_str() != "//" {
                body.attrs.push(Attr {
                    name: prop.name.as_str().to_string(),
                    value: lower_value(&prop.value, text, false),
                });
            }
        }
    }
    body
}

/// A property's name as written, quotes included.
fn name_span(prop: &ObjectProp<'_>) -> Span {
    let r = match &prop.name {
        jsonc_parser::ast::ObjectPropName::String(s) => s.range,
        jsonc_parser::ast::ObjectPropName::Word(w) => w.range,
    };
    Span::new(r.start, r.end)
}

fn objects<'a, 'j>(value: &'a Json<'j>) -> Vec<&'a jsonc_parser::ast::Object<'j>> {
    match value {
        Json::Object(o) => vec![o],
        Json::Array(a) => a
            .elements
            .iter()
            .filter_map(|e| match e {
                Json::Object(o) => Some(o),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn lower_block_body(props: &[ObjectProp<'_>], text: &str, templates: bool) -> Body {
    let mut body = Body::default();
    for prop in props {
        match prop.name.as_str() {
            "//" => {}
            "dynamic" => {
                for o in objects(&prop.value) {
                    for d in &o.properties {
                        for content in objects(&d.value) {
                            body.blocks.push(Block {
                                ident: "dynamic".into(),
                                labels: vec![d.name.as_str().to_string()],
                                head: name_span(d),
                                body: lower_block_body(&content.properties, text, templates),
                            });
                        }
                    }
                }
            }
            name => body.attrs.push(Attr {
                name: name.to_string(),
                // A variable's other arguments (`type`, `description`) are
                // not values seccheck reads; `default` is literal.
                value: lower_value(&prop.value, text, templates && name != "default"),
            }),
        }
    }
    body
}

fn lower_value(value: &Json<'_>, text: &str, templates: bool) -> Expr {
    let r = value.range();
    let span = Span::new(r.start, r.end);
    let kind = match value {
        Json::NullKeyword(_) => ExprKind::Null,
        Json::BooleanLit(b) => ExprKind::Bool(b.value),
        Json::NumberLit(n) => ExprKind::Number(n.value.parse().unwrap_or(f64::NAN)),
        Json::StringLit(_) => return string(text, span, templates),
        Json::Array(a) => ExprKind::Array(
            a.elements
                .iter()
                .map(|e| lower_value(e, text, templates))
                .collect(),
        ),
        Json::Object(o) => ExprKind::Object(
            o.properties
                .iter()
                .filter(|p| p.name.as_str() != "//")
                .map(|p| Item {
                    key: Key::Name(p.name.as_str().to_string()),
                    value: lower_value(&p.value, text, templates),
                })
                .collect(),
        ),
    };
    Expr { span, kind }
}

/// A JSON string at `span` (quotes included): a literal, or a template
/// whose positions are mapped back into the file.
fn string(text: &str, span: Span, templates: bool) -> Expr {
    let content = Span::new(
        span.start + 1,
        span.end.saturating_sub(1).max(span.start + 1),
    );
    let raw = text.get(content.range()).unwrap_or("");
    let (decoded, map) = decode(raw);
    let literal = |decoded: String| Expr {
        span: content,
        kind: ExprKind::Str(decoded),
    };
    if !templates || !(decoded.contains("${") || decoded.contains("%{")) {
        return literal(decoded);
    }
    let Ok(template) = hcl_edit::parser::parse_template(&decoded) else {
        // Terraform refuses the file; its value is not read.
        return Expr {
            span: content,
            kind: ExprKind::Unknown,
        };
    };
    let to_file = |offset: usize| content.start + map.get(offset).copied().unwrap_or(raw.len());
    let mut parts = super::syntax::lower_template(&template, &decoded);
    for part in &mut parts {
        if let Part::Interpolation(e) = part {
            remap(e, &to_file);
        }
    }
    if let [Part::Interpolation(_)] = parts.as_slice() {
        let Some(Part::Interpolation(e)) = parts.pop() else {
            unreachable!("matched above")
        };
        return e;
    }
    Expr {
        span: content,
        kind: ExprKind::Template(parts),
    }
}

/// Moves every span of `expr` from template offsets to file offsets.
fn remap(expr: &mut Expr, to_file: &dyn Fn(usize) -> usize) {
    expr.span = Span::new(to_file(expr.span.start), to_file(expr.span.end));
    match &mut expr.kind {
        ExprKind::Template(parts) => {
            for p in parts {
                if let Part::Interpolation(e) = p {
                    remap(e, to_file);
                }
            }
        }
        ExprKind::Array(items) => items.iter_mut().for_each(|e| remap(e, to_file)),
        ExprKind::Object(items) => {
            for item in items {
                if let Key::Expr { expr, .. } = &mut item.key {
                    remap(expr, to_file);
                }
                remap(&mut item.value, to_file);
            }
        }
        ExprKind::Traversal(base, steps) => {
            remap(base, to_file);
            for s in steps {
                if let super::syntax::Step::Index(e) = s {
                    remap(e, to_file);
                }
            }
        }
        ExprKind::Call { args, .. } => args.iter_mut().for_each(|e| remap(e, to_file)),
        ExprKind::Conditional(c) => c.iter_mut().for_each(|e| remap(e, to_file)),
        ExprKind::Not(e) | ExprKind::Negate(e) => remap(e, to_file),
        ExprKind::Binary(_, b) => b.iter_mut().for_each(|e| remap(e, to_file)),
        ExprKind::For(f) => {
            remap(&mut f.collection, to_file);
            if let Some(k) = &mut f.key {
                remap(k, to_file);
            }
            remap(&mut f.value, to_file);
            if let Some(c) = &mut f.cond {
                remap(c, to_file);
            }
        }
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Number(_)
        | ExprKind::Str(_)
        | ExprKind::Name(_)
        | ExprKind::Unknown => {}
    }
}

/// A JSON string's content with its escapes decoded, and for each decoded
/// byte (plus one past the end) the offset in `raw` it came from.
fn decode(raw: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(raw.len());
    let mut map = Vec::with_capacity(raw.len() + 1);
    let bytes = raw.as_bytes();
    let mut i = 0;
    let push = |out: &mut String, map: &mut Vec<usize>, c: char, at: usize| {
        out.push(c);
        map.extend(std::iter::repeat_n(at, c.len_utf8()));
    };
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            let c = raw[i..].chars().next().unwrap_or('\u{fffd}');
            for k in 0..c.len_utf8() {
                map.push(i + k);
            }
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        let at = i;
        let Some(&e) = bytes.get(i + 1) else {
            break;
        };
        i += 2;
        let c = match e {
            b'n' => '\n',
            b't' => '\t',
            b'r' => '\r',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'u' => {
                let hex = |s: usize| {
                    raw.get(s..s + 4)
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                };
                let Some(mut code) = hex(i) else {
                    break;
                };
                i += 4;
                if (0xD800..0xDC00).contains(&code)
                    && raw.get(i..i + 2) == Some("\\u")
                    && let Some(low) = hex(i + 2)
                    && (0xDC00..0xE000).contains(&low)
                {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                    i += 6;
                }
                char::from_u32(code).unwrap_or('\u{fffd}')
            }
            other => other as char,
        };
        push(&mut out, &mut map, c, at);
    }
    map.push(raw.len());
    (out, map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_map_back_to_where_they_are_written() {
        let (s, map) = decode(r#"a\"b\u00e9\n${x}"#);
        assert_eq!(s, "a\"bé\n${x}");
        let x = s.find('x').unwrap();
        assert_eq!(map[x], r#"a\"b\u00e9\n${x}"#.find('x').unwrap());
        assert_eq!(*map.last().unwrap(), r#"a\"b\u00e9\n${x}"#.len());
        let (s, _) = decode(r"\ud83d\ude00");
        assert_eq!(s, "😀");
    }
}
