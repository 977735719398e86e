//! One module per file format; this module decides which one reads a file.
//!
//! Classification is by name first, so that most files of a repository are
//! never opened; then a case-insensitive keyword search over the bytes
//! ([`Prefilter`]) keeps parsers off files that cannot hold a finding. Only
//! then does a parser run. A YAML file is parsed once and offered to each
//! YAML format by shape.

pub mod ansible;
pub mod bake;
pub mod chart;
pub mod code;
pub mod compose;
pub mod containers_conf;
pub mod daemon_json;
pub mod devcontainer;
pub mod dockerfile;
pub mod ecs;
pub mod github_actions;
pub mod gitlab_ci;
pub mod hcl;
pub mod heredoc;
pub mod json;
pub mod kubernetes;
pub mod makefile;
pub mod markdown;
pub mod nomad;
pub mod quadlet;
pub mod runtime;
pub mod seccomp_profile;
pub mod shell;
pub mod systemd;
pub mod template;
pub mod terraform;
pub mod yaml_scalar;

use std::path::Path;
use std::sync::Arc;

use aho_corasick::AhoCorasick;

use crate::diagnostic::{Diagnostic, Problem};
use crate::model::{Parsed, Use};
use crate::read::Reader;
use crate::source::{Location, Source};
use crate::yaml::Yaml;

/// How a file will be read, decided from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Any YAML: Compose, and later formats, are told apart by shape.
    Yaml,
    /// Terraform HCL (`*.tf`).
    Terraform,
    /// Terraform's JSON syntax (`*.tf.json`).
    TerraformJson,
    /// Nomad job files (`*.nomad`, `*.nomad.hcl`, `*.hcl` with `job` blocks).
    Nomad,
    /// `.devcontainer.json`, `.devcontainer/**/devcontainer.json` (JSONC).
    Devcontainer,
    /// Docker's `daemon.json`.
    DaemonJson,
    /// Any other `*.json`: judged when it has a seccomp profile's shape.
    Json,
    /// Podman Quadlet `*.container` units.
    Quadlet,
    /// `docker-bake.hcl` (and `docker-bake.*.hcl`).
    BakeHcl,
    /// `docker-bake.json` (and `docker-bake.*.json`).
    BakeJson,
    /// Podman's `containers.conf`.
    ContainersConf,
    /// Shell scripts by extension or by the shells' own file names.
    Shell,
    /// A name that decides nothing: the first bytes do ([`sniff`]).
    MaybeShell,
    /// Makefiles and justfiles.
    Makefile,
    /// systemd `*.service` units and their `*.service.d/*.conf` drop-ins.
    Systemd,
    /// Dockerfiles and Containerfiles.
    Dockerfile,
    /// Markdown: fenced shell blocks, only with `--include-docs`.
    Markdown,
    /// Application code that may start containers ([`code`]).
    Code(code::Lang),
}

impl Kind {
    /// How an inventory names the format of what a file of this kind
    /// declares, when no reader inside it said more (YAML: helm values
    /// and templates, whose containers are not named by another reader).
    pub fn label(self) -> &'static str {
        match self {
            Kind::Yaml => "helm",
            Kind::Terraform | Kind::TerraformJson => "terraform",
            Kind::Nomad => "nomad",
            Kind::Devcontainer => "devcontainer",
            Kind::DaemonJson => "daemon.json",
            Kind::Json => "json",
            Kind::Quadlet => "quadlet",
            Kind::BakeHcl | Kind::BakeJson => "bake",
            Kind::ContainersConf => "containers.conf",
            Kind::Shell | Kind::MaybeShell => "shell",
            Kind::Makefile => "make",
            Kind::Systemd => "systemd",
            Kind::Dockerfile => "dockerfile",
            Kind::Markdown => "markdown",
            Kind::Code(lang) => lang.label(),
        }
    }
}

/// The format a file's name suggests, or `None` for files seccheck never reads.
pub fn classify(path: &Path) -> Option<Kind> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".yml") || lower.ends_with(".yaml") || is_template_name(path, &lower) {
        return Some(Kind::Yaml);
    }
    if lower.ends_with(".tf.json") {
        return Some(Kind::TerraformJson);
    }
    if lower.ends_with(".tf") {
        return Some(Kind::Terraform);
    }
    match bake::is_bake_name(&lower) {
        Some(true) => return Some(Kind::BakeHcl),
        Some(false) => return Some(Kind::BakeJson),
        None => {}
    }
    if name == "containers.conf" {
        return Some(Kind::ContainersConf);
    }
    if lower.ends_with(".nomad") || lower.ends_with(".hcl") {
        return Some(Kind::Nomad);
    }
    if devcontainer::is_devcontainer_name(path) {
        return Some(Kind::Devcontainer);
    }
    if name == "daemon.json" {
        return Some(Kind::DaemonJson);
    }
    if lower.ends_with(".json") {
        return Some(Kind::Json);
    }
    if lower.ends_with(".container") {
        return Some(Kind::Quadlet);
    }
    if shell::is_shell_name(name, &lower) {
        return Some(Kind::Shell);
    }
    if makefile::is_make_name(name, &lower) {
        return Some(Kind::Makefile);
    }
    if lower.ends_with(".service") || systemd::is_drop_in(path) {
        return Some(Kind::Systemd);
    }
    if dockerfile::is_dockerfile_name(name, &lower) {
        return Some(Kind::Dockerfile);
    }
    if lower.ends_with(".md") || lower.ends_with(".markdown") {
        return Some(Kind::Markdown);
    }
    if let Some(lang) = code::language(&lower) {
        return Some(Kind::Code(lang));
    }
    if names_nothing(&lower) {
        return Some(Kind::MaybeShell);
    }
    None
}

/// Templated YAML by name: a template suffix after `.yaml`/`.yml`, or a
/// Helm chart's `templates/*.tpl` helpers (named templates).
fn is_template_name(path: &Path, lower: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        ".template",
        ".tmpl",
        ".tpl",
        ".gotmpl",
        ".j2",
        ".jinja",
        ".jinja2",
    ];
    SUFFIXES.iter().any(|s| {
        lower.strip_suffix(s).is_some_and(|stem| {
            stem.ends_with(".yaml")
                || stem.ends_with(".yml")
                || (*s == ".tpl" && template::in_chart_templates(path))
        })
    })
}

/// Whether a (lowercased) file name leaves its format open: no extension,
/// a dotfile (`.dockerfunc`), or an extension that neither a format here
/// nor a well-known other language or data format claims (`build.linux`).
/// Names that do claim one are never opened: that keeps sniffing cheap on
/// a source tree.
fn names_nothing(lower: &str) -> bool {
    /// Extensions whose files are something else by name: source code,
    /// documents, data, media, archives, compiled objects.
    const OTHERS: &[&str] = &[
        "7z", "a", "ada", "adb", "ads", "adoc", "afm", "am", "apk", "asm", "avi", "awk", "bat",
        "bdf", "bib", "bin", "bmp", "bz2", "c", "cc", "cfg", "cjs", "class", "clj", "cls", "cmake",
        "cmd", "coffee", "conf", "cpp", "crt", "cs", "csproj", "css", "csv", "cxx", "d", "dart",
        "dat", "deb", "desktop", "diff", "dll", "doc", "docx", "dtd", "dylib", "el", "elc", "elm",
        "eot", "eps", "erl", "ex", "exe", "exs", "f", "f90", "fs", "gif", "gir", "glade", "go",
        "gradle", "gql", "graphql", "groovy", "gz", "h", "hh", "hpp", "hrl", "hs", "htm", "html",
        "hwdb", "icc", "ico", "img", "info", "ini", "ipynb", "iso", "jar", "java", "jl", "jpeg",
        "jpg", "js", "jsx", "key", "kt", "kts", "less", "lib", "lisp", "lock", "log", "lua", "m",
        "m4", "map", "mjs", "ml", "mm", "mo", "mod", "mov", "mp3", "mp4", "nim", "o", "odt", "ogg",
        "otf", "pas", "patch", "pcf", "pdf", "pem", "pfb", "php", "pl", "pm", "png", "po", "pom",
        "pot", "ppd", "ppt", "proto", "ps", "ps1", "psd", "psm1", "pub", "py", "pyc", "pyi", "qm",
        "r", "rar", "rb", "rkt", "rpm", "rs", "rst", "rules", "s", "sass", "scala", "scm", "scss",
        "sed", "sgml", "sln", "so", "sql", "sty", "sum", "svelte", "svg", "swift", "tar", "tcl",
        "tex", "tgz", "tiff", "toml", "ts", "tsv", "tsx", "ttf", "txt", "typelib", "ui", "vb",
        "vhd", "vhdl", "vim", "vue", "war", "wasm", "wav", "webm", "webp", "whl", "woff", "woff2",
        "xls", "xlsx", "xml", "xpm", "xsd", "xsl", "xz", "zig", "zip", "zst",
    ];
    match lower.rsplit_once('.') {
        None => true,
        Some((_, ext)) => !OTHERS.contains(&ext),
    }
}

/// How many leading bytes [`sniff`] looks at: enough for a shebang and for
/// the first keys of a YAML document below a licence header.
pub const SNIFF_BYTES: usize = 1024;

/// What the first bytes of a file whose name decides nothing say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// A shell shebang (`#!/bin/sh -eu`, `#!/usr/bin/env -S bash -e`).
    Shell,
    /// YAML that starts like a Kubernetes object (top-level `apiVersion:`
    /// and `kind:`) or a Compose file (top-level `services:`); the whole
    /// file must then have that shape, or nothing is said about it.
    Yaml,
    /// JSON whose first keys are those of a shape read by [`read_json`].
    Json,
}

/// Keys that make sniffed JSON worth reading (see [`Sniffed::Json`]).
const JSON_KEYS: &[&str] = &[
    "Id",
    "HostConfig",
    "apiVersion",
    "containerDefinitions",
    "taskDefinition",
    "AWSTemplateFormatVersion",
    "Resources",
];

/// Decides from a file's first bytes (at most [`SNIFF_BYTES`]); `None` for
/// anything else, binaries (a NUL byte) included.
pub fn sniff(head: &[u8]) -> Option<Sniffed> {
    let head = &head[..head.len().min(SNIFF_BYTES)];
    if memchr::memchr(0, head).is_some() {
        return None;
    }
    if shell::has_shell_shebang(head) {
        return Some(Sniffed::Shell);
    }
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // A cut at the end may split a character; anything else is binary.
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return None,
    };
    let top_key = |key: &str| {
        text.lines().any(|l| {
            l.strip_prefix(key)
                .and_then(|r| r.strip_prefix(':'))
                .is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t', '\r']))
        })
    };
    // `kubectl get … -o yaml` prints a List whose `kind` comes after its items.
    if (top_key("apiVersion") && (top_key("kind") || top_key("items")))
        || top_key("services")
        || top_key("AWSTemplateFormatVersion")
        || top_key("Resources")
    {
        return Some(Sniffed::Yaml);
    }
    // JSON that starts like a runtime inventory or a manifest:
    // `docker inspect` (`[{"Id": …`), `kubectl get -o json`, an ECS task
    // definition or a CloudFormation template; its shape decides.
    let json = text.trim_start();
    let quoted = |key: &str| json.contains(&format!("\"{key}\""));
    ((json.starts_with('[') || json.starts_with('{')) && JSON_KEYS.iter().any(|k| quoted(k)))
        .then_some(Sniffed::Json)
}

/// Extra file-name patterns from configuration (`[formats]` in
/// `.seccheck.toml`), each with the kind that reads a matching file. Consulted
/// only for names [`classify`] does not decide.
#[derive(Debug, Clone, Default)]
pub struct ExtraNames(pub Vec<(globset::GlobSet, Kind)>);

impl ExtraNames {
    pub fn kind(&self, path: &Path) -> Option<Kind> {
        let name = path.file_name()?;
        self.0
            .iter()
            .find(|(set, _)| set.is_match(name))
            .map(|&(_, kind)| kind)
    }
}

/// [`classify`], then the configured extra names, which also decide names
/// that would otherwise be sniffed.
pub fn classify_with(path: &Path, extra: &ExtraNames) -> Option<Kind> {
    match classify(path) {
        None | Some(Kind::MaybeShell) => extra.kind(path).or(classify(path)),
        known => known,
    }
}

/// The words without which no rule can fire in a file. A file without any
/// of them is not parsed: that is what keeps a scan near `rg` speed.
pub struct Prefilter {
    matcher: AhoCorasick,
}

/// Keywords every finding needs one of (values, keys and the `extends`
/// that carries a finding from another file into this one's services).
const KEYWORDS: &[&str] = &[
    "seccomp",
    "privileged",
    "security_opt",
    "security-opt",
    "securityopt",
    "extends",
    "scmp_act",
    "security.insecure",
    "security=insecure",
    // Capabilities widen the default profile (`cap_add`, `--cap-add`,
    // `capAdd`, Quadlet `AddCapability=`, `capabilities { add = … }`).
    "cap_add",
    "cap-add",
    "capadd",
    "addcapability",
    "capabilities",
];

impl Prefilter {
    pub fn new(extra: &[&str]) -> Prefilter {
        let words: Vec<&str> = KEYWORDS.iter().chain(extra).copied().collect();
        let matcher = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(words)
            .expect("keywords form a valid automaton");
        Prefilter { matcher }
    }

    pub fn wants(&self, text: &str) -> bool {
        self.matcher.is_match(text)
    }

    /// [`Self::wants`], or a file that pulls in other files which may hold
    /// the keyword (a GitLab pipeline's or a Compose file's `include:`).
    /// In YAML, a keyword that only states the safe setting
    /// ([`inert_in_yaml`]) does not count, unless a `seccheck:` comment in
    /// the file needs reading.
    pub fn wants_file(&self, source: &Source, kind: Kind) -> bool {
        let text = &source.text;
        let wanted = if kind == Kind::Yaml && !text.contains("seccheck:") {
            self.matcher
                .find_iter(text)
                .any(|m| !inert_in_yaml(text, m.start()))
        } else {
            self.wants(text)
        };
        wanted || gitlab_ci::follows_includes(source) || compose::follows_includes(source)
    }
}

/// Whether the keyword at `at` is a YAML key that sets the very thing the
/// rules look for to its safe value, written so plainly that no reader
/// could see anything else: `privileged: false` and `seccompProfile:
/// {type: RuntimeDefault}` (flow, or block on the next line). Half of the
/// YAML files that hold a keyword in gen-corpus hold only these: Kubernetes
/// manifests that are already confined. A file whose every keyword is one
/// of them can give no finding — a finding needs a true `privileged`, a
/// profile other than the runtime's default, a capability, a security
/// option or `extends`, each of which is a keyword that is not inert —
/// so it is not parsed. Aliases only repeat text of the same file, and an
/// enabled `k8s-seccomp-unset` adds `container`, which is never inert.
fn inert_in_yaml(text: &str, at: usize) -> bool {
    let rest = &text[at..];
    // After a key: its closing quote if quoted, blanks, `:`, blanks.
    let value_after = |key: &str| -> Option<&str> {
        let r = rest.strip_prefix(key)?;
        let r = r.strip_prefix(['"', '\'']).unwrap_or(r);
        let r = r.trim_start_matches([' ', '\t']).strip_prefix(':')?;
        Some(r.trim_start_matches([' ', '\t']))
    };
    // A value ends its line, or its flow item, or a comment follows.
    let ends = |r: &str| {
        let r = r.trim_start_matches([' ', '\t']);
        r.is_empty() || r.starts_with(['\n', '\r', ',', '}', '#'])
    };
    if let Some(v) = value_after("privileged") {
        return v.strip_prefix("false").is_some_and(ends);
    }
    let Some(v) = value_after("seccompProfile") else {
        return false;
    };
    fn runtime_default(r: &str) -> Option<&str> {
        let r = r.strip_prefix("type")?;
        let r = r.trim_start_matches([' ', '\t']).strip_prefix(':')?;
        r.trim_start_matches([' ', '\t'])
            .strip_prefix("RuntimeDefault")
    }
    if let Some(flow) = v.strip_prefix('{') {
        return runtime_default(flow.trim_start_matches([' ', '\t']))
            .map(|r| r.trim_start_matches([' ', '\t']))
            .is_some_and(|r| r.starts_with('}') && ends(&r[1..]));
    }
    // Block: nothing after the key but a line break, then `type:
    // RuntimeDefault` alone on the next line.
    let Some(next) = v.strip_prefix("\r\n").or_else(|| v.strip_prefix('\n')) else {
        return false;
    };
    runtime_default(next.trim_start_matches([' ', '\t'])).is_some_and(ends)
}

/// Parses one file into the model. Problems become diagnostics in the result.
pub fn parse(kind: Kind, source: &Arc<Source>, reader: &Reader) -> Parsed {
    let mut out = Parsed::default();
    match kind {
        Kind::Yaml => read_yaml(source, reader, Origin::Named, &mut out),
        Kind::Terraform => terraform::read(source, reader, &mut out),
        Kind::Nomad => nomad::read(source, &mut out),
        Kind::TerraformJson => terraform::read_json(source, reader, &mut out),
        Kind::Devcontainer => devcontainer::read(source, &mut out),
        Kind::DaemonJson => daemon_json::read(source, &mut out),
        Kind::Json => read_json(source, &mut out),
        Kind::Quadlet => quadlet::read(source, &mut out),
        Kind::BakeHcl => bake::read_hcl(source, &mut out),
        Kind::BakeJson => bake::read_json(source, &mut out),
        Kind::ContainersConf => containers_conf::read(source, &mut out),
        Kind::Shell => shell::read(source, reader, &mut out),
        Kind::MaybeShell => match sniff(source.text.as_bytes()) {
            Some(Sniffed::Shell) => shell::read(source, reader, &mut out),
            Some(Sniffed::Yaml) => read_yaml(source, reader, Origin::Sniffed, &mut out),
            Some(Sniffed::Json) => read_json(source, &mut out),
            None => {}
        },
        Kind::Makefile => makefile::read(source, &mut out),
        Kind::Systemd => systemd::read(source, &mut out),
        Kind::Dockerfile => dockerfile::read(source, &mut out),
        Kind::Markdown => markdown::read(source, &mut out),
        Kind::Code(lang) => code::read(lang, source, &mut out),
    }
    stamp(&mut out, 0, kind.label());
    out
}

/// Names the format of the containers read since `from` that no reader
/// named yet (a YAML file is offered to several readers in turn).
fn stamp(out: &mut Parsed, from: usize, format: &'static str) {
    for c in out.containers.iter_mut().skip(from) {
        if c.format.is_empty() {
            c.format = format;
        }
    }
}

/// A JSON file whose name decides nothing more, read by its shape: a
/// runtime inventory (`docker`/`podman inspect`), Kubernetes objects
/// (`kubectl get -o json` Lists, JSON manifests), else a seccomp profile.
/// The shapes other than a profile are read through the YAML tree (JSON is
/// YAML, and one reader per format serves both); a file the tree refuses
/// is checked as JSON, for a diagnostic in JSON's terms.
fn read_json(source: &Arc<Source>, out: &mut Parsed) {
    let text = &source.text;
    let quoted = |key: &str| text.contains(&format!("\"{key}\""));
    let inspect = text.trim_start().starts_with('[') && quoted("HostConfig");
    let k8s = quoted("apiVersion") && quoted("kind");
    let ecs = quoted("containerDefinitions")
        || quoted("AWS::ECS::TaskDefinition")
        || (text.trim_start().starts_with('[') && quoted("image") && quoted("essential"));
    if !(inspect || k8s || ecs) {
        if seccomp_profile::has_profile_shape(text) {
            seccomp_profile::read(source, out);
        }
        return;
    }
    let yaml = Yaml::parse(text);
    if let Some(e) = yaml.errors.first() {
        if json::parse_or_report(source, json::Dialect::Strict, out).is_some() {
            out.diagnostics.push(Diagnostic::at(
                source,
                e.offset,
                Problem::Unreadable(e.message.clone()),
            ));
        }
        return;
    }
    let from = out.containers.len();
    for root in yaml.roots() {
        if runtime::is_inspect(root) {
            runtime::read_inspect(source, root, out);
        }
    }
    stamp(out, from, "inspect");
    if yaml.roots().any(kubernetes::has_k8s_shape) {
        kubernetes::read(source, &yaml, out);
    }
    stamp(out, from, "kubernetes");
    for root in yaml.roots() {
        if ecs::is_task_definition(root) {
            ecs::read_task_definition(source, root, out);
        }
    }
    stamp(out, from, "ecs");
    if yaml.roots().any(ecs::is_cloudformation) {
        ecs::read_cloudformation(source, &yaml, out);
    }
    stamp(out, from, "cloudformation");
}

/// Why a YAML text is read, which decides what is said about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// Its name says YAML: syntax errors are errors.
    Named,
    /// Its first bytes looked like Kubernetes or Compose: read only when a
    /// document has that shape; otherwise (prose that mentions
    /// `apiVersion:`, a broken file) nothing is said about it.
    Sniffed,
    /// A template with its actions masked: a document that is still not
    /// YAML is a notice (the rendered file may well be YAML).
    Template,
    /// One way through a template's branches: its errors are reported
    /// once for all ways, by the caller.
    Variant,
}

fn read_yaml(source: &Arc<Source>, reader: &Reader, origin: Origin, out: &mut Parsed) {
    if origin == Origin::Named {
        if let Some(dialect) = template::dialect(&source.path, &source.text) {
            return read_template(source, reader, dialect, out);
        }
        if chart::is_values_file(&source.path, reader) {
            let yaml = Yaml::parse(&source.text);
            collect_comments(source, &yaml, 0, out);
            report_yaml_errors(source, &yaml, origin, out);
            chart::read_values(source, &yaml, out);
            return;
        }
    }
    let yaml = Yaml::parse(&source.text);
    // Not YAML, but it holds template actions: a template kept under a
    // plain name (Istio's injection templates in `files/*.yaml`).
    if origin == Origin::Named
        && !yaml.errors.is_empty()
        && !github_actions::is_workflow_path(&source.path)
        && let Some(dialect) = template::dialect_of_text(&source.text)
        && let Ok(masked) = template::mask(&source.text, dialect)
    {
        return read_masked(source, reader, &masked, out);
    }
    read_documents(source, &yaml, reader, origin, out);
}

/// A template: masked, then read as YAML; its named templates are read on
/// their own, and every value found in a branch says so.
fn read_template(
    source: &Arc<Source>,
    reader: &Reader,
    dialect: template::Dialect,
    out: &mut Parsed,
) {
    let lower = source
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    // A bare `*.tpl` is a Helm helper only inside a chart.
    if lower.ends_with(".tpl")
        && !(lower.ends_with(".yaml.tpl") || lower.ends_with(".yml.tpl"))
        && !chart::in_chart(&source.path, reader)
    {
        return;
    }
    match template::mask(&source.text, dialect) {
        Ok(masked) => read_masked(source, reader, &masked, out),
        Err(e) => out.diagnostics.push(Diagnostic::at(
            source,
            e.offset,
            Problem::Skipped(format!("the template engine would not parse it: {e}")),
        )),
    }
}

fn read_masked(source: &Arc<Source>, reader: &Reader, masked: &template::Masked, out: &mut Parsed) {
    let first = out.containers.len();
    let yaml = Yaml::parse(&masked.text);
    let mut read = vec![yaml];
    let mut origin = Origin::Template;
    if !read[0].errors.is_empty() {
        // Branches that are alternative structures are not YAML together:
        // each way through the `if`/`else` blocks is read instead, when it
        // is YAML (the same values found twice are one finding).
        let variants: Vec<Yaml> = [template::Keep::First, template::Keep::Last]
            .into_iter()
            .map(|keep| Yaml::parse(&masked.variant(keep)))
            .filter(|v| v.errors.len() < read[0].errors.len())
            .collect();
        if let Some(best) = variants.iter().min_by_key(|v| v.errors.len()) {
            report_yaml_errors(source, best, Origin::Template, out);
            read = variants;
            origin = Origin::Variant;
        }
    }
    let name = source
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for yaml in &read {
        read_documents(source, yaml, reader, origin, out);
        // A template that renders part of an object (Istio's injection
        // template, a helmfile's `values.yaml.gotmpl`) holds security
        // contexts all the same.
        if !yaml
            .roots()
            .any(|r| kubernetes::has_k8s_shape(r) || compose::has_compose_shape(r))
        {
            chart::read_fragment(source, yaml, 0, &name, out);
        }
    }
    for define in &masked.defines {
        let yaml = Yaml::parse(&define.body);
        collect_comments(source, &yaml, define.offset, out);
        chart::read_named_template(source, &yaml, define.offset, &define.name, out);
    }
    for container in &mut out.containers[first..] {
        let values = container
            .privileged
            .iter_mut()
            .map(|v| (&v.at, &mut v.used_at))
            .chain(
                container
                    .seccomp
                    .iter_mut()
                    .map(|v| (&v.at, &mut v.used_at)),
            );
        for (at, used_at) in values {
            if !Arc::ptr_eq(&at.source, source) {
                continue;
            }
            let Some(branch) = masked.branch_at(at.span.start) else {
                continue;
            };
            let quote = |span| format!("`{}`", template::one_line(source.slice(span)));
            let how = match branch.opener {
                None => format!("only inside the template branch {}", quote(branch.head)),
                Some(opener) => format!(
                    "only inside the {} branch of {}",
                    quote(branch.head),
                    quote(opener)
                ),
            };
            used_at.push(Use::condition(Location::new(source, branch.head), how));
        }
    }
}

fn collect_comments(source: &Arc<Source>, yaml: &Yaml, offset: usize, out: &mut Parsed) {
    out.comments.extend(yaml.comments.iter().map(|&span| {
        Location::new(
            source,
            crate::source::Span::new(span.start + offset, span.end + offset),
        )
    }));
}

fn report_yaml_errors(source: &Arc<Source>, yaml: &Yaml, origin: Origin, out: &mut Parsed) {
    for e in &yaml.errors {
        let problem = match origin {
            Origin::Template | Origin::Variant if !e.limit => Problem::Skipped(format!(
                "not YAML once its template actions are masked: {}",
                e.message
            )),
            _ => e.problem("YAML"),
        };
        out.diagnostics
            .push(Diagnostic::at(source, e.offset, problem));
    }
}

fn read_documents(
    source: &Arc<Source>,
    yaml: &Yaml,
    reader: &Reader,
    origin: Origin,
    out: &mut Parsed,
) {
    if origin == Origin::Sniffed
        && !yaml.roots().any(|r| {
            kubernetes::has_k8s_shape(r)
                || compose::has_compose_shape(r)
                || ecs::is_cloudformation(r)
        })
    {
        return;
    }
    collect_comments(source, yaml, 0, out);
    if origin != Origin::Variant {
        report_yaml_errors(source, yaml, origin, out);
    }
    let Some(root) = yaml.roots().next() else {
        return;
    };
    let from = out.containers.len();
    if compose::is_compose_name(&rendered_path(&source.path)) || compose::has_compose_shape(root) {
        compose::read(source, yaml, reader, out);
    }
    stamp(out, from, "compose");
    if origin == Origin::Named && github_actions::is_workflow_path(&source.path) {
        github_actions::read(source, yaml, out);
    }
    if origin == Origin::Named && github_actions::is_action_path(&source.path) {
        github_actions::read_action(source, yaml, out);
    }
    stamp(out, from, "github-actions");
    if origin == Origin::Named
        && source
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| gitlab_ci::is_gitlab_name(&n.to_ascii_lowercase()))
    {
        gitlab_ci::read(source, yaml, reader, out);
    }
    stamp(out, from, "gitlab-ci");
    if yaml.roots().any(kubernetes::has_k8s_shape) {
        kubernetes::read(source, yaml, out);
    }
    stamp(out, from, "kubernetes");
    if yaml.roots().any(ecs::is_cloudformation) {
        ecs::read_cloudformation(source, yaml, out);
    }
    stamp(out, from, "cloudformation");
    if origin == Origin::Named && ansible::mentions_modules(&source.text) {
        ansible::read(source, yaml, out);
    }
    stamp(out, from, "ansible");
    if let Some(at) = yaml.merge_budget_exhausted_at() {
        out.diagnostics.push(Diagnostic::at(
            source,
            at,
            Problem::Limit("`<<` merge keys expand past the budget (a merge bomb?); keys merged beyond it were not read".into()),
        ));
    }
}

/// The name a templated file renders to (`compose.yaml.j2` →
/// `compose.yaml`), which decides its format as any name does.
fn rendered_path(path: &Path) -> std::path::PathBuf {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return path.to_path_buf();
    };
    let lower = name.to_ascii_lowercase();
    match lower.rsplit_once('.') {
        Some((stem, _)) if stem.ends_with(".yaml") || stem.ends_with(".yml") => {
            path.with_file_name(&name[..stem.len()])
        }
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_decide_first() {
        let kind = |p: &str| classify(Path::new(p));
        assert_eq!(kind("chart/templates/_helpers.tpl"), Some(Kind::Yaml));
        assert_eq!(kind("x.tpl"), Some(Kind::MaybeShell));
        assert_eq!(kind("addon/k8s-1.12.yaml.template"), Some(Kind::Yaml));
        assert_eq!(kind("compose.yml.j2"), Some(Kind::Yaml));
        assert_eq!(kind(".bashrc"), Some(Kind::Shell));
        for open in ["deploy", ".dockerfunc", "build.linux", "x_k8s-1.17_content"] {
            assert_eq!(kind(open), Some(Kind::MaybeShell), "{open}");
        }
        for dockerfile in [
            "Dockerfile",
            "Dockerfile.dev",
            "Dockerfile-2",
            "dockerfile_alpine",
            "app.Dockerfile",
            "base-dockerfile",
            "Containerfile.fedora",
        ] {
            assert_eq!(kind(dockerfile), Some(Kind::Dockerfile), "{dockerfile}");
        }
        assert_eq!(
            kind("dockerfile_utils.py"),
            Some(Kind::Code(code::Lang::Python))
        );
        assert_eq!(kind("main.go"), Some(Kind::Code(code::Lang::Go)));
        assert_eq!(kind("App.KT"), Some(Kind::Code(code::Lang::Kotlin)));
        for other in [
            "main.rs",
            "notes.txt",
            "messages.mo",
            "syntax.vim",
            "logo.png",
        ] {
            assert_eq!(kind(other), None, "{other}");
        }
    }

    #[test]
    fn keywords_that_only_state_the_safe_value_do_not_count_in_yaml() {
        let p = Prefilter::new(&[]);
        let wants = |text: &str| p.wants_file(&Source::new("k.yaml", text), Kind::Yaml);
        for inert in [
            "spec:\n  securityContext:\n    privileged: false\n",
            "c: {privileged: false, x: 1}\n",
            "\"privileged\" : false # no\n",
            "securityContext:\n  seccompProfile:\n    type: RuntimeDefault\n",
            "securityContext:\r\n  seccompProfile:\r\n    type: RuntimeDefault\r\n",
            "sc: {seccompProfile: { type: RuntimeDefault }}\n",
            "a:\n  privileged: false\n  seccompProfile: {type: RuntimeDefault}\n",
        ] {
            assert!(!wants(inert), "{inert:?}");
            // Any other file kind reads them.
            assert!(p.wants_file(&Source::new("x.sh", inert), Kind::Shell));
        }
        for live in [
            "privileged: true\n",
            "privileged: false\nother:\n  privileged: true\n",
            "privileged: falsey\n",
            "privileged: no\n",
            "privileged: *x\n",
            "Privileged: false\n",
            "privileged: false\nsecurity_opt: [x]\n",
            "seccompProfile:\n  type: Unconfined\n",
            "seccompProfile:\n  type: Localhost\n  localhostProfile: p.json\n",
            "seccompProfile: {type: RuntimeDefault, x: y}\n",
            "seccompProfile:\n  # c\n  type: RuntimeDefault\n",
            "seccompProfile:\n  type: RuntimeDefault\ncapabilities: {add: [SYS_ADMIN]}\n",
            "metadata:\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: runtime/default\n",
            // A suppression comment is read (unused-suppression may apply).
            "# seccheck: ignore[privileged-container] old\nprivileged: false\n",
        ] {
            assert!(wants(live), "{live:?}");
        }
        // With k8s-seccomp-unset on, `container` is a keyword: parsed.
        let unset = Prefilter::new(&["container"]);
        let text = "spec:\n  containers:\n  - securityContext:\n      privileged: false\n";
        assert!(unset.wants_file(&Source::new("k.yaml", text), Kind::Yaml));
    }

    #[test]
    fn first_bytes_decide_the_rest() {
        assert_eq!(sniff(b"#!/bin/sh -eu\necho"), Some(Sniffed::Shell));
        assert_eq!(
            sniff(b"# c\napiVersion: v1\nkind: Pod\n"),
            Some(Sniffed::Yaml)
        );
        assert_eq!(sniff(b"services:\n  web:\n"), Some(Sniffed::Yaml));
        assert_eq!(sniff(b"Set apiVersion: v1 and kind: Pod\n"), None);
        assert_eq!(sniff(b"apiVersion: v1\nkind: Pod\n\0\0"), None);
        assert_eq!(sniff(b"\xff\xfe\x00a"), None);
        // A character cut at the end of the head is not binary.
        let mut head = b"apiVersion: v1\nkind: Pod\n".to_vec();
        head.resize(SNIFF_BYTES - 1, b' ');
        head.extend("é".as_bytes());
        assert_eq!(sniff(&head), Some(Sniffed::Yaml));
    }
}
