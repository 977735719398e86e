//! The one place where a container's settings are read from HCL, for every
//! tool that writes them: Terraform's `docker_container` and Kubernetes
//! provider workloads, Nomad's task drivers. The walkers
//! ([`crate::formats::terraform`], [`crate::formats::nomad`]) find the
//! blocks; the functions here read them into the model.
//!
//! A block's settings may be written in it (`container { … }`), in
//! `dynamic "container" { for_each = …; content { … } }` (one container per
//! item of `for_each` when it is known, with the iterator bound; one with
//! the iterator unknown otherwise), as an attribute (`container = [{ … }]`,
//! which providers refuse but configurations written for peers' fixtures
//! use), or as a value from elsewhere (`container = var.containers`). A
//! [`Node`] reads all of them alike.

use std::path::Path;

use super::eval::{Eval, Kind, Scope, Val};
use super::syntax::{Body, Expr, ExprKind, File, Item, Key};
use crate::model::{Capabilities, Capability, Container, Platform, Seccomp, SecurityOpt, Value};
use crate::source::{Location, Span};

/// Instances a `dynamic` block or a `for_each` is expanded to; past this,
/// the rest are not read.
pub const MAX_INSTANCES: usize = 64;

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// A block (or object) whose settings are read.
#[derive(Clone)]
pub struct Node<'a> {
    pub file: &'a File,
    pub scope: Scope,
    /// Where the block is declared: findings with no value to mark.
    pub at: Location,
    /// The block's first label (`task "web"`), when it has one.
    pub label: Option<String>,
    kind: NodeKind<'a>,
}

#[derive(Clone)]
enum NodeKind<'a> {
    /// A block body, evaluated on demand.
    Body(&'a Body),
    /// An object written in place (`container = [{ … }]`, JSON blocks).
    Items(&'a [Item]),
    /// An object that came from elsewhere, already evaluated.
    Value(Val),
}

impl<'a> Node<'a> {
    pub fn body(file: &'a File, body: &'a Body, scope: Scope, at: Location) -> Node<'a> {
        Node {
            file,
            scope,
            at,
            label: None,
            kind: NodeKind::Body(body),
        }
    }

    /// The same block, declared at `at` as far as findings are concerned.
    pub fn located(&self, at: Location) -> Node<'a> {
        Node { at, ..self.clone() }
    }

    /// The same block under other bindings (a `for_each` instance).
    pub fn with_scope(&self, scope: Scope) -> Node<'a> {
        Node {
            scope,
            ..self.clone()
        }
    }

    /// The attribute `name` as written, not evaluated.
    pub fn written_attr(&self, name: &str) -> Option<&'a Expr> {
        self.syntax(name)
    }

    fn syntax(&self, name: &str) -> Option<&'a Expr> {
        match &self.kind {
            NodeKind::Body(b) => b.attr(name).map(|a| &a.value),
            NodeKind::Items(items) => items
                .iter()
                .rev()
                .find(|i| matches!(&i.key, Key::Name(n) if n == name))
                .map(|i| &i.value),
            NodeKind::Value(_) => None,
        }
    }

    /// The attribute `name`, evaluated.
    pub fn attr(&self, ev: &Eval<'_>, name: &str) -> Option<Val> {
        match &self.kind {
            NodeKind::Value(v) => v.field(name),
            _ => self
                .syntax(name)
                .map(|e| ev.eval(self.file, e, &self.scope)),
        }
    }

    /// Nested blocks `name`, however written.
    pub fn children(&self, ev: &Eval<'_>, name: &str) -> Vec<Node<'a>> {
        let mut out = Vec::new();
        match &self.kind {
            NodeKind::Body(body) => {
                for block in &body.blocks {
                    let at = Location::new(&self.file.source, block.head);
                    if block.ident == name {
                        let mut node = Node::body(self.file, &block.body, self.scope.clone(), at);
                        node.label = block.labels.first().cloned();
                        out.push(node);
                    } else if block.ident == "dynamic" && block.label(0) == Some(name) {
                        let iterator = match block.body.attr("iterator").map(|a| &a.value.kind) {
                            Some(ExprKind::Name(n) | ExprKind::Str(n)) => n.as_str(),
                            _ => name,
                        };
                        let for_each = block.body.attr("for_each").map(|a| &a.value);
                        for scope in self.instances(ev, for_each, iterator) {
                            // `labels = [...]`, evaluated per instance.
                            let label = block
                                .body
                                .attr("labels")
                                .map(|l| ev.eval(self.file, &l.value, &scope))
                                .and_then(|v| v.items().into_iter().next())
                                .and_then(|v| v.to_text());
                            for content in block.body.blocks("content") {
                                let mut node =
                                    Node::body(self.file, &content.body, scope.clone(), at.clone());
                                node.label = label.clone();
                                out.push(node);
                            }
                        }
                    }
                }
                if let Some(expr) = self.syntax(name) {
                    self.written(ev, expr, &mut out);
                }
            }
            NodeKind::Items(items) => {
                if let Some(expr) = self.syntax(name) {
                    self.written(ev, expr, &mut out);
                }
                // JSON: `"dynamic": {"container": {"for_each": …, "content": {…}}}`.
                for item in items
                    .iter()
                    .filter(|i| matches!(&i.key, Key::Name(n) if n == "dynamic"))
                {
                    let ExprKind::Object(kinds) = &item.value.kind else {
                        continue;
                    };
                    for d in kinds
                        .iter()
                        .filter(|d| matches!(&d.key, Key::Name(n) if n == name))
                    {
                        for block in objects(&d.value) {
                            let get = |k: &str| {
                                block
                                    .iter()
                                    .find(|i| matches!(&i.key, Key::Name(n) if n == k))
                                    .map(|i| &i.value)
                            };
                            let iterator = match get("iterator").map(|e| &e.kind) {
                                Some(ExprKind::Str(n) | ExprKind::Name(n)) => n.as_str(),
                                _ => name,
                            };
                            let at = Location::new(&self.file.source, d.value.span);
                            for scope in self.instances(ev, get("for_each"), iterator) {
                                for content in get("content").map(objects).unwrap_or_default() {
                                    out.push(Node {
                                        file: self.file,
                                        scope: scope.clone(),
                                        at: at.clone(),
                                        label: None,
                                        kind: NodeKind::Items(content),
                                    });
                                }
                            }
                        }
                    }
                }
            }
            NodeKind::Value(v) => {
                if let Some(v) = v.field(name) {
                    self.values(v, &mut out);
                }
            }
        }
        out
    }

    pub fn child(&self, ev: &Eval<'_>, name: &str) -> Option<Node<'a>> {
        self.children(ev, name).into_iter().next()
    }

    pub fn path(&self, ev: &Eval<'_>, names: &[&str]) -> Option<Node<'a>> {
        let mut node = self.clone();
        for name in names {
            node = node.child(ev, name)?;
        }
        Some(node)
    }

    /// An attribute holding blocks: objects written in place are read
    /// lazily (so `dynamic` iterators and `for_each` apply), anything else
    /// is evaluated.
    fn written(&self, ev: &Eval<'_>, expr: &'a Expr, out: &mut Vec<Node<'a>>) {
        match &expr.kind {
            ExprKind::Object(_) | ExprKind::Array(_) => {
                for items in objects(expr) {
                    let start = expr.span.start;
                    let at = items_span(items).unwrap_or(Span::new(start, start + 1));
                    out.push(Node {
                        file: self.file,
                        scope: self.scope.clone(),
                        at: Location::new(&self.file.source, Span::new(at.start, at.start + 1)),
                        label: None,
                        kind: NodeKind::Items(items),
                    });
                }
            }
            _ => self.values(ev.eval(self.file, expr, &self.scope), out),
        }
    }

    fn values(&self, v: Val, out: &mut Vec<Node<'a>>) {
        for alt in v.alternatives() {
            let objects = match &alt.kind {
                Kind::Map(_) => vec![alt],
                Kind::List(_) => alt.items(),
                _ => Vec::new(),
            };
            for o in objects {
                if matches!(o.kind, Kind::Map(_)) {
                    out.push(Node {
                        file: self.file,
                        scope: self.scope.clone(),
                        at: o.at.clone().unwrap_or_else(|| self.at.clone()),
                        label: None,
                        kind: NodeKind::Value(o),
                    });
                }
            }
        }
    }

    /// The scopes of a `dynamic` block's (or a resource's) instances:
    /// `iterator` bound to `{key, value}` of each item of `for_each`, or to
    /// an unknown value once when `for_each` is not known.
    pub fn instances(&self, ev: &Eval<'_>, for_each: Option<&Expr>, iterator: &str) -> Vec<Scope> {
        let Some(for_each) = for_each else {
            return vec![self.scope.clone()];
        };
        let collection = ev.eval(self.file, for_each, &self.scope);
        let at = Location::new(&self.file.source, for_each.span);
        let mut entries: Vec<(Val, Val)> = Vec::new();
        for alt in collection.alternatives() {
            match &alt.kind {
                Kind::List(_) => {
                    for item in alt.clone().items() {
                        // A set's key is its value (`each.key == each.value`).
                        entries.push((item.clone(), item));
                    }
                }
                Kind::Map(map) => {
                    for (k, v) in map {
                        entries.push((
                            Val::new(Kind::Str(k.clone()), at.clone()),
                            v.clone().inherited(&alt),
                        ));
                    }
                }
                _ => entries.push((Val::unknown(), Val::unknown())),
            }
        }
        entries
            .into_iter()
            .take(MAX_INSTANCES)
            .map(|(key, value)| {
                let binding = Val::new(
                    Kind::Map(vec![("key".into(), key), ("value".into(), value)]),
                    at.clone(),
                );
                self.scope.bind(iterator, binding)
            })
            .collect()
    }
}

/// The objects an expression writes in place: itself, or an array's.
fn objects(expr: &Expr) -> Vec<&[Item]> {
    match &expr.kind {
        ExprKind::Object(items) => vec![items.as_slice()],
        ExprKind::Array(elements) => elements
            .iter()
            .filter_map(|e| match &e.kind {
                ExprKind::Object(items) => Some(items.as_slice()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn items_span(items: &[Item]) -> Option<Span> {
    let first = items.first()?;
    Some(first.value.span)
}

/// A setting as the model holds it: where it is written, what it passed
/// through. Of the values it may take, the one that weakens confinement
/// (`true`) wins: that branch is the finding.
pub fn bool_setting(v: Option<Val>) -> Option<Value<bool>> {
    let alts = v?.alternatives();
    let pick = alts
        .iter()
        .find(|a| a.as_bool() == Some(true) && a.at.is_some())
        .or_else(|| {
            alts.iter()
                .find(|a| a.as_bool().is_some() && a.at.is_some())
        })?;
    Some(Value {
        value: pick.as_bool()?,
        at: pick.at.clone()?,
        used_at: pick.uses.clone(),
    })
}

/// Each string an attribute may hold, with its origin.
fn strings(v: Val) -> Vec<(String, Value<()>)> {
    v.alternatives()
        .into_iter()
        .filter_map(|a| {
            let text = a.as_str()?.to_string();
            let at = a.at?;
            Some((
                text,
                Value {
                    value: (),
                    at,
                    used_at: a.uses,
                },
            ))
        })
        .collect()
}

/// Capability names from list attributes (`["SYS_ADMIN"]`, `var.caps`),
/// each where it is written.
fn capabilities(lists: impl IntoIterator<Item = Option<Val>>) -> Vec<Value<Capability>> {
    lists
        .into_iter()
        .flatten()
        .flat_map(Val::items)
        .flat_map(strings)
        .filter_map(|(text, at)| Some(with(at, Capability::parse(&text)?)))
        .collect()
}

/// `capabilities { add = […], drop = […] }` (Terraform's Docker and
/// Kubernetes providers) and `cap_add`/`cap_drop` (Nomad's drivers); no
/// tool has both spellings.
fn capability_settings(ev: &Eval<'_>, node: &Node<'_>) -> Capabilities {
    let block = node.child(ev, "capabilities");
    let from_block = |key: &str| block.as_ref().and_then(|b| b.attr(ev, key));
    Capabilities {
        add: capabilities([from_block("add"), node.attr(ev, "cap_add")]),
        drop: capabilities([from_block("drop"), node.attr(ev, "cap_drop")]),
    }
}

fn with<T>(v: Value<()>, value: T) -> Value<T> {
    Value {
        value,
        at: v.at,
        used_at: v.used_at,
    }
}

/// The image an attribute names, when it evaluates to one string.
fn image_setting(v: Option<Val>) -> Option<Value<String>> {
    match strings(v?).as_slice() {
        [(text, at)] => Some(with(at.clone(), text.clone())),
        _ => None,
    }
}

/// How a tool spells the Docker-style settings of a container.
pub struct EngineKeys {
    pub privileged: &'static str,
    pub security_opts: &'static str,
}

/// Terraform's Docker provider (`docker_container`).
pub const DOCKER_PROVIDER: EngineKeys = EngineKeys {
    privileged: "privileged",
    security_opts: "security_opts",
};

/// Nomad's `docker` and `podman` task drivers.
pub const NOMAD_DRIVER: EngineKeys = EngineKeys {
    privileged: "privileged",
    security_opts: "security_opt",
};

/// A Docker-style container: `privileged`, and each security option read
/// as Docker reads `--security-opt` (so `seccomp=unconfined` and
/// `seccomp:unconfined`, and a profile path resolved against `base`, the
/// directory the engine runs from).
pub fn engine(
    ev: &Eval<'_>,
    node: &Node<'_>,
    name: String,
    keys: &EngineKeys,
    base: &Path,
) -> Container {
    let mut container = Container::new(name, Platform::Engine, node.at.clone());
    container.image = image_setting(node.attr(ev, "image"));
    container.privileged = bool_setting(node.attr(ev, keys.privileged));
    container.capabilities = capability_settings(ev, node);
    if let Some(list) = node.attr(ev, keys.security_opts) {
        for item in list.items() {
            for (text, at) in strings(item) {
                let Some(seccomp) = SecurityOpt::parse(&text).seccomp(base) else {
                    continue;
                };
                container.seccomp.push(with(at, seccomp));
            }
        }
    }
    container
}

/// A task of Nomad's community `containerd-driver`
/// (Roblox/nomad-driver-containerd, README "Task Config" and
/// `containerd/containerd.go`): `privileged`, and `seccomp`, which defaults
/// to `false` and only `true` applies a filter (`seccomp_profile`, a path on
/// the client node, is read only then).
pub fn containerd(ev: &Eval<'_>, node: &Node<'_>, name: String, base: &Path) -> Container {
    let mut container = Container::new(name, Platform::Engine, node.at.clone());
    container.image = image_setting(node.attr(ev, "image"));
    container.privileged = bool_setting(node.attr(ev, "privileged"));
    container.capabilities = capability_settings(ev, node);
    let seccomp = node
        .attr(ev, "seccomp")
        .map(Val::alternatives)
        .unwrap_or_default();
    if let Some(off) = seccomp
        .iter()
        .find(|v| v.as_bool() == Some(false) && v.at.is_some())
    {
        container.seccomp.push(Value {
            value: Seccomp::Unconfined,
            at: off.at.clone().expect("checked above"),
            used_at: off.uses.clone(),
        });
    } else if seccomp.iter().any(|v| v.as_bool() == Some(true))
        && let Some(profile) = node.attr(ev, "seccomp_profile")
    {
        for (text, at) in strings(profile) {
            let profile = Seccomp::Profile {
                path: text,
                base: base.to_path_buf(),
            };
            container.seccomp.push(with(at, profile));
        }
    }
    container
}

/// Where the pod spec sits in each Kubernetes provider resource type.
pub fn k8s_pod_spec_path(ty: &str) -> Option<&'static [&'static str]> {
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

/// The containers of a Kubernetes provider workload, with the seccomp
/// profile that takes effect for each as the kubelet decides it (see
/// [`kubernetes`](crate::formats::kubernetes)): the container's field, then
/// its annotation, then the pod's field, then the pod's annotation.
pub fn kubernetes(
    ev: &Eval<'_>,
    resource: &Node<'_>,
    ty: &str,
    name: &str,
    suffix: &str,
    spec_path: &[&str],
) -> Vec<Container> {
    let Some(spec) = resource.path(ev, spec_path) else {
        return Vec::new();
    };
    // The pod metadata: the resource's for a pod, the template's otherwise.
    let meta_path = &spec_path[..spec_path.len() - 1];
    let metadata = if meta_path.is_empty() {
        resource.child(ev, "metadata")
    } else {
        resource
            .path(ev, meta_path)
            .and_then(|t| t.child(ev, "metadata"))
    };
    let annotations = metadata.and_then(|m| m.attr(ev, "annotations"));
    let resource_name = resource
        .child(ev, "metadata")
        .and_then(|m| m.attr(ev, "name"))
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| name.to_string());
    let pod_field = spec
        .child(ev, "security_context")
        .and_then(|sc| profile(ev, &sc));
    let pod_annotation = annotations
        .as_ref()
        .and_then(|a| annotation(a.field(POD_ANNOTATION)));
    let mut out = Vec::new();
    for list in ["init_container", "container"] {
        for c in spec.children(ev, list) {
            let cname = c
                .attr(ev, "name")
                .and_then(|v| v.as_str().map(str::to_string));
            let label = match &cname {
                Some(n) => format!("container `{n}` of {ty} `{resource_name}`{suffix}"),
                None => format!("a container of {ty} `{resource_name}`{suffix}"),
            };
            let mut container = Container::new(label, Platform::Kubernetes, c.at.clone());
            container.image = image_setting(c.attr(ev, "image"));
            let security = c.child(ev, "security_context");
            let own_annotation = cname.as_ref().and_then(|n| {
                annotations
                    .as_ref()
                    .and_then(|a| annotation(a.field(&format!("{CONTAINER_ANNOTATION_PREFIX}{n}"))))
            });
            let effective = security
                .as_ref()
                .and_then(|sc| profile(ev, sc))
                .or(own_annotation)
                .or_else(|| pod_field.clone())
                .or_else(|| pod_annotation.clone());
            container.seccomp.extend(effective);
            if let Some(sc) = &security {
                container.capabilities = capability_settings(ev, sc);
            }
            container.privileged = security.and_then(|sc| bool_setting(sc.attr(ev, "privileged")));
            out.push(container);
        }
    }
    out
}

/// `security_context { seccomp_profile { type = … } }`. Of the values a
/// conditional may give it, `Unconfined` wins.
fn profile(ev: &Eval<'_>, security: &Node<'_>) -> Option<Value<Seccomp>> {
    let profile = security.child(ev, "seccomp_profile")?;
    let localhost = || {
        profile
            .attr(ev, "localhost_profile")
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let mut choices: Vec<Value<Seccomp>> = strings(profile.attr(ev, "type")?)
        .into_iter()
        .filter_map(|(text, at)| {
            let seccomp = match text.as_str() {
                "Unconfined" => Seccomp::Unconfined,
                "RuntimeDefault" => Seccomp::RuntimeDefault,
                "Localhost" => Seccomp::Localhost(localhost()),
                _ => return None,
            };
            Some(with(at, seccomp))
        })
        .collect();
    let worst = choices
        .iter()
        .position(|c| c.value == Seccomp::Unconfined)
        .unwrap_or(0);
    (!choices.is_empty()).then(|| choices.swap_remove(worst))
}

/// A seccomp annotation's value (`unconfined`, `runtime/default`,
/// `localhost/<path>`).
fn annotation(value: Option<Val>) -> Option<Value<Seccomp>> {
    let mut choices: Vec<Value<Seccomp>> = strings(value?)
        .into_iter()
        .filter_map(|(text, at)| {
            let seccomp = match text.as_str() {
                "unconfined" => Seccomp::Unconfined,
                "runtime/default" | "docker/default" => Seccomp::RuntimeDefault,
                _ => Seccomp::Localhost(text.strip_prefix("localhost/")?.to_string()),
            };
            Some(with(at, seccomp))
        })
        .collect();
    let worst = choices
        .iter()
        .position(|c| c.value == Seccomp::Unconfined)
        .unwrap_or(0);
    (!choices.is_empty()).then(|| choices.swap_remove(worst))
}
