//! The functions seccheck evaluates: those that build the lists and
//! strings container settings are made of, with Terraform's semantics
//! (developer.hashicorp.com/terraform/language/functions). A list keeps
//! each item's own origin, so `concat(var.base, ["seccomp=unconfined"])`
//! still marks the literal; an argument that is not known leaves an
//! unknown item in the list rather than hiding the known ones. Any other
//! function's value is unknown.

use super::eval::{Kind, Val, number_text};
use crate::model::Use;
use crate::source::Location;

/// Nesting `flatten` follows.
const MAX_FLATTEN: usize = 16;

pub fn call(name: &str, args: Vec<Val>, at: Location, spend: &dyn Fn(usize) -> bool) -> Val {
    let input = args.iter().any(|a| a.input);
    let list = |items: Vec<Val>| {
        if spend(items.len()) {
            Val {
                input,
                ..Val::new(Kind::List(items), at.clone())
            }
        } else {
            Val::unknown()
        }
    };
    let mut positional = args.clone().into_iter();
    let mut next = || positional.next().unwrap_or_else(Val::unknown);
    match name {
        "tolist" | "toset" => {
            let v = next();
            if !is_list(&v) {
                return Val::unknown();
            }
            let items = v.items();
            list(if name == "toset" {
                distinct(items)
            } else {
                items
            })
        }
        "tomap" => next(),
        "concat" => {
            let mut items = Vec::new();
            for arg in args {
                if is_list(&arg) {
                    items.extend(arg.items());
                } else {
                    items.push(Val::unknown());
                }
            }
            list(items)
        }
        "flatten" => {
            let v = next();
            if !is_list(&v) {
                return Val::unknown();
            }
            let mut out = Vec::new();
            let mut stack: Vec<(Val, usize)> =
                v.items().into_iter().rev().map(|i| (i, 0)).collect();
            while let Some((item, depth)) = stack.pop() {
                if is_list(&item) && depth < MAX_FLATTEN {
                    stack.extend(item.items().into_iter().rev().map(|i| (i, depth + 1)));
                } else {
                    out.push(item);
                }
            }
            list(out)
        }
        "compact" => {
            let v = next();
            if !is_list(&v) {
                return Val::unknown();
            }
            list(
                v.items()
                    .into_iter()
                    .filter(|i| !matches!(&i.kind, Kind::Null) && i.as_str() != Some(""))
                    .collect(),
            )
        }
        "distinct" => {
            let v = next();
            if !is_list(&v) {
                return Val::unknown();
            }
            list(distinct(v.items()))
        }
        "merge" => {
            let mut entries: Vec<(String, Val)> = Vec::new();
            for arg in &args {
                match &arg.kind {
                    Kind::Map(map) => {
                        for (k, v) in map {
                            entries.retain(|(e, _)| e != k);
                            entries.push((k.clone(), v.clone().inherited(arg)));
                        }
                    }
                    Kind::Null => {}
                    _ => return Val::unknown(),
                }
            }
            Val {
                input,
                ..Val::new(Kind::Map(entries), at)
            }
        }
        "lookup" => {
            let map = next();
            let key = next();
            let default = next();
            match key.to_text().and_then(|k| map.field(&k)) {
                Some(v) => v,
                None if matches!(map.kind, Kind::Map(_)) => default,
                None => Val::unknown(),
            }
        }
        "coalesce" => {
            for arg in args {
                match &arg.kind {
                    Kind::Null => continue,
                    Kind::Str(s) if s.is_empty() => continue,
                    _ => return arg,
                }
            }
            Val::unknown()
        }
        "coalescelist" => {
            for arg in args {
                match &arg.kind {
                    Kind::List(items) if items.is_empty() => continue,
                    _ => return arg,
                }
            }
            Val::unknown()
        }
        "try" => args
            .into_iter()
            .find(|a| !a.is_unknown())
            .unwrap_or_else(Val::unknown),
        "element" => {
            let v = next();
            let index = next();
            match (&v.kind, &index.kind) {
                (Kind::List(items), Kind::Number(n)) if !items.is_empty() && *n >= 0.0 => {
                    let i = (*n as usize) % items.len();
                    v.clone()
                        .items()
                        .into_iter()
                        .nth(i)
                        .unwrap_or_else(Val::unknown)
                }
                _ => Val::unknown(),
            }
        }
        "join" => {
            let sep = next();
            let v = next();
            let (Some(sep), true) = (sep.to_text(), is_list(&v)) else {
                return Val::unknown();
            };
            let items = v.items();
            let texts: Option<Vec<String>> = items.iter().map(Val::to_text).collect();
            let Some(texts) = texts else {
                return Val::unknown();
            };
            derived(
                texts.join(&sep),
                &items,
                at,
                input,
                "joined into this string for",
            )
        }
        "format" => {
            let spec = next();
            let Some(spec) = spec.to_text() else {
                return Val::unknown();
            };
            let values: Vec<Val> = args.into_iter().skip(1).collect();
            match format(&spec, &values) {
                Some(text) => derived(text, &values, at, input, "formatted into this string for"),
                None => Val::unknown(),
            }
        }
        "lower" | "upper" | "trimspace" | "tostring" => {
            let v = next();
            let Some(text) = v.to_text() else {
                return Val::unknown();
            };
            let text = match name {
                "lower" => text.to_lowercase(),
                "upper" => text.to_uppercase(),
                "trimspace" => text.trim().to_string(),
                _ => text,
            };
            Val {
                kind: Kind::Str(text),
                ..v
            }
        }
        "tobool" => {
            let v = next();
            match v.as_bool() {
                Some(b) => Val {
                    kind: Kind::Bool(b),
                    ..v
                },
                None => Val::unknown(),
            }
        }
        "length" => match &next().kind {
            Kind::List(items) => Val::new(Kind::Number(items.len() as f64), at),
            Kind::Map(map) => Val::new(Kind::Number(map.len() as f64), at),
            Kind::Str(s) => Val::new(Kind::Number(s.chars().count() as f64), at),
            _ => Val::unknown(),
        },
        "contains" => {
            let v = next();
            let wanted = next();
            let (true, Some(wanted)) = (is_list(&v), wanted.to_text()) else {
                return Val::unknown();
            };
            let items = v.items();
            if items
                .iter()
                .any(|i| i.to_text().as_deref() == Some(wanted.as_str()))
            {
                Val::new(Kind::Bool(true), at)
            } else if items.iter().any(|i| i.to_text().is_none()) {
                Val::unknown()
            } else {
                Val::new(Kind::Bool(false), at)
            }
        }
        _ => Val::unknown(),
    }
}

fn is_list(v: &Val) -> bool {
    matches!(v.kind, Kind::List(_))
        || matches!(&v.kind, Kind::OneOf(alts) if alts.iter().all(|a| matches!(a.kind, Kind::List(_))))
}

/// Keeps the first of equal primitive items, as a set would hold them.
fn distinct(items: Vec<Val>) -> Vec<Val> {
    let mut seen: Vec<String> = Vec::new();
    items
        .into_iter()
        .filter(|i| match i.to_text() {
            Some(t) if seen.contains(&t) => false,
            Some(t) => {
                seen.push(t);
                true
            }
            None => true,
        })
        .collect()
}

/// A string computed from `from`. When a single value went into it, that
/// value's origin is where the string is decided; otherwise the call.
fn derived(text: String, from: &[Val], at: Location, input: bool, how: &'static str) -> Val {
    let written: Vec<&Val> = from.iter().filter(|v| v.at.is_some()).collect();
    if let [single] = written.as_slice() {
        return Val {
            kind: Kind::Str(text),
            at: single.at.clone(),
            uses: single.uses.clone(),
            input,
        }
        .through(Use::new(at, how));
    }
    Val {
        input,
        ..Val::new(Kind::Str(text), at)
    }
}

/// Terraform's `format` for the verbs configuration strings use.
fn format(spec: &str, values: &[Val]) -> Option<String> {
    let mut out = String::new();
    let mut args = values.iter();
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '%' => out.push('%'),
            's' | 'v' => out.push_str(&args.next()?.to_text()?),
            'd' => match &args.next()?.kind {
                Kind::Number(n) => out.push_str(&number_text(n.trunc())),
                _ => return None,
            },
            'q' => out.push_str(&format!("{:?}", args.next()?.to_text()?)),
            _ => return None,
        }
    }
    Some(out)
}
