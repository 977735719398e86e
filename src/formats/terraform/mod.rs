//! Terraform (`*.tf`, and `*.tf.json` in Terraform's JSON syntax): the
//! Docker provider's `docker_container` and the Kubernetes provider's
//! workloads, with the values Terraform would give their attributes.
//!
//! Both syntaxes become one tree ([`hcl::syntax`]) and go through one
//! resource walker, here. A file is read as part of its module (the other
//! `*.tf`/`*.tf.json` files of its directory and its variable definitions
//! files, see [`module`]), and values are evaluated as Terraform evaluates
//! them ([`hcl::eval`]): a variable's `default` overridden by
//! `terraform.tfvars`/`*.auto.tfvars`, `locals`, `concat`/`flatten`/
//! `toset`/…, conditionals, `for` expressions, `dynamic` blocks and a
//! resource's `for_each` over values the files decide. A finding marks the
//! literal that decides it (in a `.tfvars` file, a variable's `default`,
//! a `locals` block) and points at each reference it came through.
//!
//! A `module` block whose `source` is a local path (`./modules/x`) is
//! followed: the called module's resources are read with the block's
//! arguments as its variables, so `privileged = true` passed in is a
//! finding at that argument, with the resource that uses it as related
//! location. Calls nest up to [`MAX_MODULE_DEPTH`] deep, and a module
//! that calls itself (directly or not) is not entered again.
//!
//! Only files that declare a container resource or call a local module
//! load their module's other files: most `.tf` files of a repository cost
//! one parse.

mod module;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::hcl::containers::{self, DOCKER_PROVIDER, Node};
use super::hcl::eval::{Caller, Eval, Kind, Module, Scope};
use super::hcl::syntax::{Block, ExprKind, File};
use super::hcl::{self};
use crate::diagnostic::{Diagnostic, Problem};
use crate::model::Parsed;
use crate::read::Reader;
use crate::source::{Location, Source};

/// How deep `module` calls are followed.
pub const MAX_MODULE_DEPTH: usize = 8;

/// A `*.tf` file.
pub fn read(source: &Arc<Source>, reader: &Reader, out: &mut Parsed) {
    out.comments.extend(
        hcl::comments(&source.text)
            .into_iter()
            .map(|span| Location::new(source, span)),
    );
    read_config(source, reader, out);
}

/// A `*.tf.json` file. Terraform's JSON parser (hashicorp/hcl
/// `json/scanner.go`) has no case for a UTF-8 byte-order mark, so a file
/// that starts with one is refused by Terraform: a diagnostic, and the
/// file is read as it will be once the mark is gone.
pub fn read_json(source: &Arc<Source>, reader: &Reader, out: &mut Parsed) {
    if source.bom {
        out.diagnostics.push(Diagnostic::at(
            source,
            0,
            Problem::Syntax {
                format: "Terraform JSON",
                message: "Terraform's JSON syntax does not accept a UTF-8 byte-order mark; \
                          read here as it will be without it"
                    .into(),
            },
        ));
    }
    read_config(source, reader, out);
}

fn read_config(source: &Arc<Source>, reader: &Reader, out: &mut Parsed) {
    let file = match module::parse_config(source) {
        Ok(file) => file,
        Err(d) => {
            out.diagnostics.push(d);
            return;
        }
    };
    if !file.body.blocks.iter().any(|b| wanted(b).is_some()) {
        return;
    }
    let dir = directory(&source.path);
    let loaded = module::load(&dir, reader, Some(&source.path), true);
    out.diagnostics.extend(loaded.diagnostics);
    out.comments.extend(loaded.comments);
    let mut module = Module::new(std::iter::once(&file).chain(&loaded.files));
    for values in &loaded.values {
        module.assign(values);
    }
    let ev = Eval::root(module);
    let walk = Walk {
        reader,
        base: dir.clone(),
        suffix: String::new(),
        stack: vec![dir.canonicalize().unwrap_or(dir)],
    };
    walk.file(&ev, &file, out);
    out.diagnostics.extend(ev.take_diagnostics());
}

/// `container_definitions`: `jsonencode([...])` evaluated, or JSON written
/// in a heredoc, read in place (see [`ecs`](crate::formats::ecs)).
fn ecs_definitions(ev: &Eval<'_>, node: &Node<'_>, owner: &str, out: &mut Parsed) {
    let Some(expr) = node.written_attr("container_definitions") else {
        return;
    };
    let source = &node.file.source;
    match &expr.kind {
        ExprKind::Call { name, args, .. } if name == "jsonencode" && args.len() == 1 => {
            let value = ev.eval(node.file, &args[0], &node.scope);
            crate::formats::ecs::from_terraform_value(source, value, owner, &node.at, out);
        }
        ExprKind::Template(_) | ExprKind::Str(_) => {
            let written = source.slice(expr.span);
            // A heredoc: the body runs from the line after `<<EOF` to the
            // line before the closing marker.
            if !written.starts_with("<<") {
                return;
            }
            let Some(first) = written.find('\n') else {
                return;
            };
            let last = written.trim_end().rfind('\n').unwrap_or(first);
            let body = crate::source::Span::new(
                expr.span.start + first + 1,
                expr.span.start + last.max(first + 1),
            );
            crate::formats::ecs::from_embedded_json(source, body, owner, &node.at, out);
        }
        _ => {}
    }
}

fn directory(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// What a top-level block is to the walker.
enum Wanted<'b> {
    Docker,
    /// `aws_ecs_task_definition`: its `container_definitions` JSON.
    Ecs,
    Kubernetes(&'static [&'static str]),
    Module(&'b str),
}

fn wanted(block: &Block) -> Option<Wanted<'_>> {
    match (block.ident.as_str(), block.label(0), block.label(1)) {
        ("resource", Some("docker_container"), Some(_)) => Some(Wanted::Docker),
        ("resource", Some("aws_ecs_task_definition"), Some(_)) => Some(Wanted::Ecs),
        ("resource", Some(ty), Some(_)) => {
            containers::k8s_pod_spec_path(ty).map(Wanted::Kubernetes)
        }
        ("module", Some(_), _) => match block.body.attr("source").map(|a| &a.value.kind) {
            Some(ExprKind::Str(s)) if s.starts_with("./") || s.starts_with("../") => {
                Some(Wanted::Module(s))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The resource walker: one for both syntaxes and for called modules.
struct Walk<'r> {
    reader: &'r Reader,
    /// The directory Terraform runs in (the root module's): where a
    /// relative seccomp profile path is resolved.
    base: PathBuf,
    /// " in module `x`" for a called module's resources.
    suffix: String,
    /// The module directories being walked, to stop a module calling itself.
    stack: Vec<PathBuf>,
}

impl Walk<'_> {
    fn file(&self, ev: &Eval<'_>, file: &File, out: &mut Parsed) {
        for block in &file.body.blocks {
            let Some(what) = wanted(block) else { continue };
            let at = Location::new(&file.source, block.head);
            let resource = Node::body(file, &block.body, Scope::default(), at);
            let name = block.label(1).unwrap_or("");
            match what {
                Wanted::Docker => {
                    for (scope, key) in instances(ev, &resource) {
                        let node = resource.with_scope(scope);
                        let label = format!("docker_container `{name}{key}`{}", self.suffix);
                        out.containers.push(containers::engine(
                            ev,
                            &node,
                            label,
                            &DOCKER_PROVIDER,
                            &self.base,
                        ));
                    }
                }
                Wanted::Kubernetes(path) => {
                    let ty = block.label(0).unwrap_or("");
                    for (scope, key) in instances(ev, &resource) {
                        let node = resource.with_scope(scope);
                        let name = format!("{name}{key}");
                        out.containers.extend(containers::kubernetes(
                            ev,
                            &node,
                            ty,
                            &name,
                            &self.suffix,
                            path,
                        ));
                    }
                }
                Wanted::Ecs => {
                    for (scope, key) in instances(ev, &resource) {
                        let node = resource.with_scope(scope);
                        let owner = format!("aws_ecs_task_definition `{name}{key}`{}", self.suffix);
                        ecs_definitions(ev, &node, &owner, out);
                    }
                }
                Wanted::Module(source) => self.module(ev, file, block, source, out),
            }
        }
    }

    fn module(&self, ev: &Eval<'_>, file: &File, call: &Block, source: &str, out: &mut Parsed) {
        if self.stack.len() > MAX_MODULE_DEPTH {
            return;
        }
        let here = directory(&file.source.path);
        let Some(dir) = module::local_source(&here, source) else {
            return;
        };
        if !dir.is_dir() || !self.reader.is_inside(&dir) {
            return;
        }
        let real = dir.canonicalize().unwrap_or_else(|_| dir.clone());
        if self.stack.contains(&real) {
            return;
        }
        let loaded = module::load(&dir, self.reader, None, false);
        if !loaded
            .files
            .iter()
            .any(|f| f.body.blocks.iter().any(|b| wanted(b).is_some()))
        {
            return;
        }
        out.comments.extend(loaded.comments);
        let child = Eval::called(
            Module::new(&loaded.files),
            Caller {
                eval: ev,
                file,
                call: &call.body,
                scope: Scope::default(),
            },
        );
        let name = call.label(0).unwrap_or("");
        let mut stack = self.stack.clone();
        stack.push(real);
        let walk = Walk {
            reader: self.reader,
            base: self.base.clone(),
            suffix: format!(" in module `{name}`{}", self.suffix),
            stack,
        };
        for f in &loaded.files {
            walk.file(&child, f, out);
        }
    }
}

/// A resource's instances: with `for_each` known, one per item, `each`
/// bound and the key in the name (`app["a"]`); otherwise one, with `each`
/// and `count` unknown.
fn instances(ev: &Eval<'_>, resource: &Node<'_>) -> Vec<(Scope, String)> {
    let Some(for_each) = resource.written_attr("for_each") else {
        return vec![(Scope::default(), String::new())];
    };
    resource
        .instances(ev, Some(for_each), "each")
        .into_iter()
        .map(|scope| {
            let key = scope
                .get("each")
                .and_then(|e| e.field("key"))
                .and_then(|k| match k.kind {
                    Kind::Str(s) => Some(format!("[\"{s}\"]")),
                    _ => None,
                })
                .unwrap_or_default();
            (scope, key)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Problem;

    /// Reads `main.tf` of a module made of `files`.
    fn module(files: &[(&str, String)]) -> Parsed {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let reader = Reader::new(&[dir.path().to_path_buf()], 1 << 24);
        let source = reader.read(&dir.path().join("main.tf")).unwrap();
        let mut out = Parsed::default();
        read(&source, &reader, &mut out);
        out
    }

    fn limited(out: &Parsed) -> bool {
        out.diagnostics
            .iter()
            .any(|d| matches!(d.problem, Problem::Limit(_)))
    }

    #[test]
    fn locals_that_double_stop_at_the_budget() {
        // 2^60 items if followed: the budget ends it, with a diagnostic.
        let mut text = String::from("locals {\n  a0 = [\"seccomp=unconfined\"]\n");
        for i in 1..60 {
            text.push_str(&format!(
                "  a{i} = concat(local.a{p}, local.a{p})\n",
                p = i - 1
            ));
        }
        text.push_str("}\nresource \"docker_container\" \"x\" {\n  security_opts = local.a59\n}\n");
        let out = module(&[("main.tf", text)]);
        assert!(limited(&out), "{:?}", out.diagnostics);
    }

    #[test]
    fn a_long_chain_of_references_is_cut_not_followed_off_the_stack() {
        let mut text = String::from("locals {\n  l0 = true\n");
        for i in 1..20_000 {
            text.push_str(&format!("  l{i} = local.l{}\n", i - 1));
        }
        text.push_str("}\nresource \"docker_container\" \"x\" {\n  privileged = local.l19999\n}\n");
        // Half a walker thread's stack (2 MiB, Rust's default), unoptimised.
        let out = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || module(&[("main.tf", text)]))
            .unwrap()
            .join()
            .expect("no stack overflow");
        assert!(limited(&out));
        assert!(out.containers[0].privileged.is_none());
    }

    #[test]
    fn modules_that_call_each_other_are_entered_once() {
        let call = |to: &str| {
            format!(
                "module \"m\" {{\n  source = \"{to}\"\n  privileged = true\n}}\n\
                 variable \"privileged\" {{}}\n\
                 resource \"docker_container\" \"c\" {{\n  privileged = var.privileged\n}}\n"
            )
        };
        let out = module(&[
            ("main.tf", call("./a")),
            ("a/main.tf", call("../b")),
            ("b/main.tf", call("../a")),
        ]);
        let mut names: Vec<&str> = out.containers.iter().map(|c| c.name.as_str()).collect();
        names.sort();
        assert_eq!(
            names,
            [
                "docker_container `c`",
                "docker_container `c` in module `m`",
                "docker_container `c` in module `m` in module `m`",
            ]
        );
        // The root's own variable has no value; the called ones get `true`.
        for c in &out.containers {
            let called = c.name.contains("in module");
            assert_eq!(
                c.privileged.as_ref().map(|p| p.value),
                called.then_some(true)
            );
        }
    }
}
