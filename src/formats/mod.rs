//! One module per file format; this module decides which one reads a file.
//!
//! Classification is by name first, so that most files of a repository are
//! never opened; then a case-insensitive keyword search over the bytes
//! ([`Prefilter`]) keeps parsers off files that cannot hold a finding. Only
//! then does a parser run. A YAML file is parsed once and offered to each
//! YAML format by shape.

pub mod bake;
pub mod compose;
pub mod containers_conf;
pub mod daemon_json;
pub mod devcontainer;
pub mod dockerfile;
pub mod github_actions;
pub mod gitlab_ci;
pub mod json;
pub mod kubernetes;
pub mod makefile;
pub mod markdown;
pub mod nomad;
pub mod quadlet;
pub mod seccomp_profile;
pub mod shell;
pub mod systemd;
pub mod terraform;
pub mod terraform_json;
pub mod yaml_scalar;

use std::path::Path;
use std::sync::Arc;

use aho_corasick::AhoCorasick;

use crate::diagnostic::{Diagnostic, Problem};
use crate::model::Parsed;
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
    /// Shell scripts by extension.
    Shell,
    /// Files without an extension: a shell script when the shebang says so.
    MaybeShell,
    /// Makefiles and justfiles.
    Makefile,
    /// systemd `*.service` units and their `*.service.d/*.conf` drop-ins.
    Systemd,
    /// Dockerfiles and Containerfiles.
    Dockerfile,
    /// Markdown: fenced shell blocks, only with `--include-docs`.
    Markdown,
}

/// The format a file's name suggests, or `None` for files seccheck never reads.
pub fn classify(path: &Path) -> Option<Kind> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".yml") || lower.ends_with(".yaml") {
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
    if shell::is_shell_name(&lower) {
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
    if !name.contains('.') {
        return Some(Kind::MaybeShell);
    }
    None
}

/// Extra file-name patterns from configuration (`[formats]` in
/// `.seccheck.toml`), each with the kind that reads a matching file. Consulted
/// only for names [`classify`] does not know.
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

/// [`classify`], then the configured extra names.
pub fn classify_with(path: &Path, extra: &ExtraNames) -> Option<Kind> {
    classify(path).or_else(|| extra.kind(path))
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
    /// the keyword (a GitLab pipeline's `include:`).
    pub fn wants_file(&self, source: &Source) -> bool {
        self.wants(&source.text) || gitlab_ci::follows_includes(source)
    }
}

/// Parses one file into the model. Problems become diagnostics in the result.
pub fn parse(kind: Kind, source: &Arc<Source>, reader: &Reader) -> Parsed {
    let mut out = Parsed::default();
    match kind {
        Kind::Yaml => read_yaml(source, reader, &mut out),
        Kind::Terraform => terraform::read(source, reader, &mut out),
        Kind::Nomad => nomad::read(source, reader, &mut out),
        Kind::TerraformJson => terraform_json::read(source, &mut out),
        Kind::Devcontainer => devcontainer::read(source, &mut out),
        Kind::DaemonJson => daemon_json::read(source, &mut out),
        Kind::Json => {
            if seccomp_profile::has_profile_shape(&source.text) {
                seccomp_profile::read(source, &mut out)
            }
        }
        Kind::Quadlet => quadlet::read(source, &mut out),
        Kind::BakeHcl => bake::read_hcl(source, &mut out),
        Kind::BakeJson => bake::read_json(source, &mut out),
        Kind::ContainersConf => containers_conf::read(source, &mut out),
        Kind::Shell | Kind::MaybeShell => shell::read(source, &mut out),
        Kind::Makefile => makefile::read(source, &mut out),
        Kind::Systemd => systemd::read(source, &mut out),
        Kind::Dockerfile => dockerfile::read(source, &mut out),
        Kind::Markdown => markdown::read(source, &mut out),
    }
    out
}

fn read_yaml(source: &Arc<Source>, reader: &Reader, out: &mut Parsed) {
    if is_helm_template(source) {
        out.diagnostics.push(Diagnostic::new(
            &source.path,
            Problem::Skipped("a Helm template (`{{ … }}` under `templates/`) is not YAML".into()),
        ));
        return;
    }
    let yaml = Yaml::parse(&source.text);
    out.comments = yaml
        .comments
        .iter()
        .map(|&span| Location::new(source, span))
        .collect();
    for e in &yaml.errors {
        out.diagnostics
            .push(Diagnostic::at(source, e.offset, e.problem("YAML")));
    }
    let Some(root) = yaml.roots().next() else {
        return;
    };
    if compose::is_compose_name(&source.path) || compose::has_compose_shape(root) {
        compose::read(source, &yaml, reader, out);
    }
    if github_actions::is_workflow_path(&source.path) {
        github_actions::read(source, &yaml, out);
    }
    if source
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| gitlab_ci::is_gitlab_name(&n.to_ascii_lowercase()))
    {
        gitlab_ci::read(source, &yaml, reader, out);
    }
    if yaml.roots().any(kubernetes::has_k8s_shape) {
        kubernetes::read(source, &yaml, out);
    }
    if let Some(at) = yaml.merge_budget_exhausted_at() {
        out.diagnostics.push(Diagnostic::at(
            source,
            at,
            Problem::Limit("`<<` merge keys expand past the budget (a merge bomb?); keys merged beyond it were not read".into()),
        ));
    }
}

/// Helm renders files under `templates/` with Go templates before they are
/// YAML; read as YAML they give syntax errors or wrong values, never findings.
fn is_helm_template(source: &Source) -> bool {
    source.text.contains("{{")
        && source
            .path
            .parent()
            .into_iter()
            .flat_map(|p| p.components())
            .any(|c| c.as_os_str() == "templates")
}
