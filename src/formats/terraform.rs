//! Terraform (`*.tf`): the Docker provider's `docker_container` and the
//! Kubernetes provider's workload resources.
//!
//! Parsed with `hcl-edit` (0.10, `parser::parse_body`): unlike `hcl-rs`'s
//! `hcl::parse`, it keeps the byte span of every expression, which is what
//! marking the offending value needs; its string spans include the quotes,
//! which are trimmed here. Containers may be written as blocks
//! (`container { … }`), inside `dynamic "container" { content { … } }`, or as
//! attributes (`container = [{ … }]`, which the provider rejects but peers'
//! fixtures use): all three are read alike. A `var.x` value is judged by the
//! `default` of `variable "x"` in this file or a sibling `*.tf` file (the
//! same module), and the reference is kept as where it is used. For
//! Kubernetes resources the effective seccomp profile is computed as
//! Kubernetes does (see [`kubernetes`](super::kubernetes)).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, Object, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Block, Body};

use crate::diagnostic::{Diagnostic, Problem};
use crate::model::{
    Capabilities, Capability, Container, Parsed, Platform, Seccomp, SecurityOpt, Use, Value,
};
use crate::read::Reader;
use crate::source::{Location, Source, Span};

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// Sibling files read for variable defaults are capped, so that a huge
/// module does not make every file of it quadratic.
const MAX_SIBLINGS: usize = 64;

pub fn read(source: &Arc<Source>, reader: &Reader, out: &mut Parsed) {
    with_module(source, reader, "tf", out, |body, ctx, out| {
        for block in body.blocks() {
            if block.ident.as_str() != "resource" || block.labels.len() < 2 {
                continue;
            }
            let ty = block.labels[0].as_str();
            let name = block.labels[1].as_str();
            match ty {
                "docker_container" => {
                    let body = Node::Body(&block.body);
                    let label = format!("docker_container `{name}`");
                    ctx.engine(body, label, block.ident.span(), "security_opts", out);
                }
                _ => {
                    if let Some(path) = k8s_pod_spec_path(ty) {
                        ctx.kubernetes(block, ty, name, path, out);
                    }
                }
            }
        }
    });
}

/// Parses an HCL file, collects its comments and the `variable` defaults of
/// its module (this file and siblings with extension `ext`), then hands the
/// body to `read`. A syntax error is a positioned diagnostic.
pub(super) fn with_module(
    source: &Arc<Source>,
    reader: &Reader,
    ext: &str,
    out: &mut Parsed,
    read: impl FnOnce(&Body, &Ctx<'_>, &mut Parsed),
) {
    out.comments = comments(&source.text)
        .into_iter()
        .map(|span| Location::new(source, span))
        .collect();
    let body = match hcl_edit::parser::parse_body(&source.text) {
        Ok(body) => body,
        Err(e) => {
            let offset = line_col_offset(&source.text, e.location().line(), e.location().column());
            out.diagnostics.push(Diagnostic::at(
                source,
                offset,
                Problem::Syntax {
                    format: "HCL",
                    message: e.message().to_string(),
                },
            ));
            return;
        }
    };
    let siblings = sibling_modules(source, reader, ext);
    let mut vars = Vars::default();
    vars.add(source, &body);
    for (s, b) in &siblings {
        vars.add(s, b);
    }
    let ctx = Ctx {
        source,
        vars: &vars,
    };
    read(&body, &ctx, out);
}

/// Where the pod spec sits in each Kubernetes provider resource.
fn k8s_pod_spec_path(ty: &str) -> Option<&'static [&'static str]> {
    let base = ty.strip_suffix("_v1").unwrap_or(ty);
    Some(match base {
        "kubernetes_pod" => &["spec"],
        "kubernetes_deployment"
        | "kubernetes_stateful_set"
        | "kubernetes_daemonset"
        | "kubernetes_daemon_set"
        | "kubernetes_replication_controller"
        | "kubernetes_job" => &["spec", "template", "spec"],
        "kubernetes_cron_job" => &["spec", "job_template", "spec", "template", "spec"],
        _ => return None,
    })
}

/// `hcl-edit` reports 1-based line and column (in characters).
fn line_col_offset(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset
                + l.char_indices()
                    .nth(column.saturating_sub(1))
                    .map_or(l.len(), |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}

fn sibling_modules(source: &Arc<Source>, reader: &Reader, ext: &str) -> Vec<(Arc<Source>, Body)> {
    let Some(dir) = source.path.parent() else {
        return Vec::new();
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == ext) && p.file_name() != source.path.file_name()
        })
        .collect();
    paths.sort();
    paths
        .into_iter()
        .take(MAX_SIBLINGS)
        .filter_map(|p| {
            let s = reader.read_referenced(&p).ok()?;
            let body = hcl_edit::parser::parse_body(&s.text).ok()?;
            Some((s, body))
        })
        .collect()
}

/// `variable "x" { default = … }` of the module.
#[derive(Default)]
struct Vars<'a> {
    defaults: HashMap<String, (&'a Arc<Source>, &'a Expression)>,
}

impl<'a> Vars<'a> {
    fn add(&mut self, source: &'a Arc<Source>, body: &'a Body) {
        for block in body.get_blocks("variable") {
            let (Some(label), Some(default)) =
                (block.labels.first(), block.body.get_attribute("default"))
            else {
                continue;
            };
            self.defaults
                .entry(label.as_str().to_string())
                .or_insert((source, &default.value));
        }
    }
}

/// A literal, with where it is written and where a variable brought it in.
pub(super) struct Lit<'a> {
    expr: &'a Expression,
    at: Location,
    used_at: Vec<Use>,
}

impl Lit<'_> {
    fn value<T>(self, value: T) -> Value<T> {
        Value {
            value,
            at: self.at,
            used_at: self.used_at,
        }
    }

    fn as_bool(&self) -> Option<bool> {
        match self.expr {
            Expression::Bool(b) => Some(*b.value()),
            // Terraform converts the strings "true"/"false" to bool.
            Expression::String(s) => match s.value().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub(super) fn as_str(&self) -> Option<&str> {
        match self.expr {
            Expression::String(s) => Some(s.value().as_str()),
            _ => None,
        }
    }
}

pub(super) struct Ctx<'a> {
    source: &'a Arc<Source>,
    vars: &'a Vars<'a>,
}

/// A body or an object: blocks and attribute-objects are read alike.
#[derive(Clone, Copy)]
pub(super) enum Node<'a> {
    Body(&'a Body),
    Object(&'a Object),
}

impl<'a> Node<'a> {
    pub(super) fn attr(self, key: &str) -> Option<&'a Expression> {
        match self {
            Node::Body(b) => b.get_attribute(key).map(|a| &a.value),
            Node::Object(o) => o
                .iter()
                .find(|(k, _)| object_key(k) == Some(key))
                .map(|(_, v)| v.expr()),
        }
    }

    /// Nested blocks `key { … }`, `dynamic "key" { content { … } }`, and
    /// attributes `key = { … }` / `key = [{ … }]`, each with its first span.
    pub(super) fn children(self, key: &str) -> Vec<(Node<'a>, Option<std::ops::Range<usize>>)> {
        let mut out = Vec::new();
        if let Node::Body(b) = self {
            for block in b.blocks() {
                if block.ident.as_str() == key {
                    out.push((Node::Body(&block.body), block.ident.span()));
                } else if block.ident.as_str() == "dynamic"
                    && block.labels.first().is_some_and(|l| l.as_str() == key)
                {
                    for content in block.body.get_blocks("content") {
                        out.push((Node::Body(&content.body), dynamic_span(block)));
                    }
                }
            }
        }
        if let Some(expr) = self.attr(key) {
            let objects: Vec<&Object> = match expr {
                Expression::Object(o) => vec![o],
                Expression::Array(a) => a.iter().filter_map(|e| e.as_object()).collect(),
                _ => Vec::new(),
            };
            for o in objects {
                let start = o.span().map(|r| r.start..r.start + 1);
                out.push((Node::Object(o), start));
            }
        }
        out
    }

    pub(super) fn child(self, key: &str) -> Option<Node<'a>> {
        self.children(key).into_iter().next().map(|(n, _)| n)
    }

    fn path(self, keys: &[&str]) -> Option<Node<'a>> {
        keys.iter().try_fold(self, |n, k| n.child(k))
    }
}

/// `dynamic "container"`: from the keyword to the end of the label.
fn dynamic_span(block: &Block) -> Option<std::ops::Range<usize>> {
    let start = block.ident.span()?.start;
    let end = block.labels.first().and_then(|l| match l {
        hcl_edit::structure::BlockLabel::String(s) => s.span(),
        hcl_edit::structure::BlockLabel::Ident(i) => i.span(),
    });
    Some(start..end.map_or(start + "dynamic".len(), |r| r.end))
}

fn object_key(key: &ObjectKey) -> Option<&str> {
    match key {
        ObjectKey::Ident(i) => Some(i.as_str()),
        ObjectKey::Expression(Expression::String(s)) => Some(s.value().as_str()),
        _ => None,
    }
}

impl<'a> Ctx<'a> {
    /// The value's own span: string quotes trimmed.
    fn span_of(&self, source: &Arc<Source>, expr: &Expression) -> Option<Span> {
        let r = expr.span()?;
        let mut span = Span::new(r.start, r.end);
        if matches!(expr, Expression::String(_)) {
            let text = source.text.get(r.clone())?;
            if text.len() >= 2 && text.starts_with('"') && text.ends_with('"') {
                span = Span::new(r.start + 1, r.end - 1);
            }
        }
        Some(span)
    }

    /// A literal, or `var.x` resolved to its default.
    pub(super) fn literal(&self, expr: &'a Expression) -> Option<Lit<'a>> {
        if let Some(name) = var_name(expr) {
            let (source, default) = self.vars.defaults.get(name)?;
            let at = Location::new(source, self.span_of(source, default)?);
            let used = Location::new(self.source, self.span_of(self.source, expr)?);
            return Some(Lit {
                expr: default,
                at,
                used_at: vec![Use::new(used, "passed through this variable to")],
            });
        }
        Some(Lit {
            expr,
            at: Location::new(self.source, self.span_of(self.source, expr)?),
            used_at: Vec::new(),
        })
    }

    /// The items of a list literal. The list itself may come from a
    /// variable: its items are then written in the variable's file and
    /// used here.
    fn list(&self, expr: Option<&'a Expression>) -> Vec<Lit<'a>> {
        let mut items = Vec::new();
        if let Some(list) = expr.and_then(|e| self.literal(e))
            && let Expression::Array(a) = list.expr
        {
            let source = &list.at.source;
            for item in a.iter() {
                let Some(span) = self.span_of(source, item) else {
                    continue;
                };
                let item = match self.literal(item) {
                    Some(lit) if !lit.used_at.is_empty() => lit,
                    _ => Lit {
                        expr: item,
                        at: Location::new(source, span),
                        used_at: list.used_at.clone(),
                    },
                };
                items.push(item);
            }
        }
        items
    }

    /// Capability names from list literals (`["SYS_ADMIN"]`, `var.caps`).
    fn capabilities(&self, lists: &[Option<&'a Expression>]) -> Vec<Value<Capability>> {
        lists
            .iter()
            .flat_map(|e| self.list(*e))
            .filter_map(|lit| {
                let cap = lit.as_str().and_then(Capability::parse)?;
                Some(lit.value(cap))
            })
            .collect()
    }

    fn bool(&self, expr: Option<&'a Expression>) -> Option<Value<bool>> {
        let lit = self.literal(expr?)?;
        let b = lit.as_bool()?;
        Some(lit.value(b))
    }

    /// A Docker/Podman container's `privileged` and security options list
    /// (`opts_key`: `security_opts` in Terraform, `security_opt` in Nomad).
    pub(super) fn engine(
        &self,
        body: Node<'a>,
        label: String,
        at: Option<std::ops::Range<usize>>,
        opts_key: &str,
        out: &mut Parsed,
    ) {
        let at = at.map_or(Span::new(0, 0), |r| Span::new(r.start, r.end));
        let mut container = Container::new(label, Platform::Engine, Location::new(self.source, at));
        container.privileged = self.bool(body.attr("privileged"));
        // Terraform's `capabilities { add = […] drop = […] }`; Nomad's
        // `cap_add = […]`/`cap_drop = […]` (neither format has the other's).
        let caps = body.child("capabilities");
        container.capabilities = Capabilities {
            add: self.capabilities(&[caps.and_then(|c| c.attr("add")), body.attr("cap_add")]),
            drop: self.capabilities(&[caps.and_then(|c| c.attr("drop")), body.attr("cap_drop")]),
        };
        for lit in self.list(body.attr(opts_key)) {
            let seccomp = match lit.as_str().map(SecurityOpt::parse) {
                Some(SecurityOpt::SeccompUnconfined) => Seccomp::Unconfined,
                Some(SecurityOpt::SeccompProfile(path)) => Seccomp::Profile {
                    path: path.to_string(),
                    base: self
                        .source
                        .path
                        .parent()
                        .unwrap_or(Path::new(""))
                        .to_path_buf(),
                },
                _ => continue,
            };
            container.seccomp.push(lit.value(seccomp));
        }
        out.containers.push(container);
    }

    fn kubernetes(&self, block: &'a Block, ty: &str, name: &str, path: &[&str], out: &mut Parsed) {
        let resource = Node::Body(&block.body);
        let Some(spec) = resource.path(path) else {
            return;
        };
        // The pod metadata: the resource's for a pod, the template's otherwise.
        let meta_path = &path[..path.len() - 1];
        let metadata = if meta_path.is_empty() {
            resource.child("metadata")
        } else {
            resource.path(meta_path).and_then(|t| t.child("metadata"))
        };
        let annotations = metadata.and_then(|m| match m.attr("annotations") {
            Some(Expression::Object(o)) => Some(o),
            _ => None,
        });
        let resource_name = resource
            .child("metadata")
            .and_then(|m| self.literal(m.attr("name")?))
            .and_then(|l| l.as_str().map(str::to_string))
            .unwrap_or_else(|| name.to_string());
        let pod_field = spec
            .child("security_context")
            .and_then(|sc| self.profile(sc));
        let pod_annotation = annotations.and_then(|a| self.annotation(a, POD_ANNOTATION));
        for list in ["init_container", "container"] {
            for (c, at) in spec.children(list) {
                let cname = c
                    .attr("name")
                    .and_then(|e| self.literal(e))
                    .and_then(|l| l.as_str().map(str::to_string));
                let label = match &cname {
                    Some(n) => format!("container `{n}` of {ty} `{resource_name}`"),
                    None => format!("a container of {ty} `{resource_name}`"),
                };
                let at = at.map_or(Span::new(0, 0), |r| Span::new(r.start, r.end));
                let mut container =
                    Container::new(label, Platform::Kubernetes, Location::new(self.source, at));
                let security = c.child("security_context");
                let own_annotation = cname.as_ref().and_then(|n| {
                    annotations.and_then(|a| {
                        self.annotation(a, &format!("{CONTAINER_ANNOTATION_PREFIX}{n}"))
                    })
                });
                let effective = security
                    .and_then(|sc| self.profile(sc))
                    .or(own_annotation)
                    .or_else(|| pod_field.clone())
                    .or_else(|| pod_annotation.clone());
                container.seccomp.extend(effective);
                container.privileged = security.and_then(|sc| self.bool(sc.attr("privileged")));
                if let Some(caps) = security.and_then(|sc| sc.child("capabilities")) {
                    container.capabilities = Capabilities {
                        add: self.capabilities(&[caps.attr("add")]),
                        drop: self.capabilities(&[caps.attr("drop")]),
                    };
                }
                out.containers.push(container);
            }
        }
    }

    fn profile(&self, security: Node<'a>) -> Option<Value<Seccomp>> {
        let profile = security.child("seccomp_profile")?;
        let lit = self.literal(profile.attr("type")?)?;
        let seccomp = match lit.as_str()? {
            "Unconfined" => Seccomp::Unconfined,
            "RuntimeDefault" => Seccomp::RuntimeDefault,
            "Localhost" => Seccomp::Localhost(
                profile
                    .attr("localhost_profile")
                    .and_then(|e| self.literal(e))
                    .and_then(|l| l.as_str().map(str::to_string))
                    .unwrap_or_default(),
            ),
            _ => return None,
        };
        Some(lit.value(seccomp))
    }

    /// An annotation by key; keys may be quoted or, as some write them,
    /// bare (an expression to HCL): compared by their text.
    fn annotation(&self, annotations: &'a Object, key: &str) -> Option<Value<Seccomp>> {
        let (_, value) = annotations.iter().find(|(k, _)| {
            object_key(k) == Some(key)
                || k.span()
                    .and_then(|r| self.source.text.get(r))
                    .is_some_and(|t| t.trim().trim_matches('"') == key)
        })?;
        let lit = self.literal(value.expr())?;
        let text = lit.as_str()?;
        let seccomp = match text {
            "unconfined" => Seccomp::Unconfined,
            "runtime/default" | "docker/default" => Seccomp::RuntimeDefault,
            _ => Seccomp::Localhost(text.strip_prefix("localhost/")?.to_string()),
        };
        Some(lit.value(seccomp))
    }
}

/// `var.x` → `x`.
fn var_name(expr: &Expression) -> Option<&str> {
    let Expression::Traversal(t) = expr else {
        return None;
    };
    if t.expr.as_variable().map(|v| v.as_str()) != Some("var") || t.operators.len() != 1 {
        return None;
    }
    match t.operators[0].value() {
        TraversalOperator::GetAttr(name) => Some(name.as_str()),
        _ => None,
    }
}

/// Comment spans (`#`, `//`, `/* */`), skipping string literals and
/// heredocs, for suppressions.
pub fn comments(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'<' if text[i..].starts_with("<<") => {
                let rest = &text[i + 2..];
                let rest_trim = rest.strip_prefix('-').unwrap_or(rest);
                let tag: String = rest_trim
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if tag.is_empty() {
                    i += 2;
                    continue;
                }
                // Skip to the line holding only the tag.
                let mut pos = text[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
                while pos < bytes.len() {
                    let end = text[pos..].find('\n').map_or(bytes.len(), |n| pos + n);
                    if text[pos..end].trim() == tag {
                        break;
                    }
                    pos = end + 1;
                }
                i = pos;
            }
            b'#' => {
                let end = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                out.push(Span::new(i, end));
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                out.push(Span::new(i, end));
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                out.push(Span::new(i, end));
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_skip_strings_and_heredocs() {
        let src = "a = \"# not\" # yes\nb = <<EOT\n// not\nEOT\n/* c */ d = 1 // e\n";
        let found: Vec<&str> = comments(src).iter().map(|s| &src[s.range()]).collect();
        assert_eq!(found, ["# yes", "/* c */", "// e"]);
    }

    #[test]
    fn error_positions_map_to_offsets() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_col_offset(text, 2, 3), 5);
        assert_eq!(line_col_offset(text, 2, 4), 7);
        assert_eq!(line_col_offset(text, 9, 1), text.len());
    }
}
