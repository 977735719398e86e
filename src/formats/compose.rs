//! Docker Compose files, read the way Docker Compose reads them.
//!
//! A file is Compose when its name says so (`compose*.y[a]ml`,
//! `docker-compose*.y[a]ml`, overrides included) or when its top-level
//! `services` mapping holds entries with `image`, `build` or `extends`.
//! For each service this reads `privileged`, `security_opt`,
//! `cap_add`/`cap_drop` and the build's insecure entitlement, after the
//! steps Compose itself applies: YAML anchors, aliases and `<<` merge keys
//! (from the [`yaml`](crate::yaml) tree), `extends` (same file or `file:`),
//! the top-level `include:` (Compose 2.20+), and `${VAR}` interpolation with
//! the `.env` file of the project directory. A value is always marked where
//! it is written; the alias, merge key, `extends` or `include` that applies
//! it to a service is kept as a related location.
//!
//! Values are read as compose-go reads them: YAML 1.2 (`gopkg.in/yaml.v3`,
//! so a plain `yes` is a string), then every string at a boolean field is
//! cast by `toBoolean` (`loader/interpolate.go` for `privileged`,
//! `loader/mapstructure.go` for any other boolean such as
//! `build.privileged`), which takes `y`, `yes`, `on`, `true` and their
//! negatives in any case: so `privileged: yes` is true for Compose too, by a
//! different road than Kubernetes'. `build.privileged: true` and
//! `build.entitlements: [security.insecure]` both make Compose pass
//! `--allow security.insecure` to the build (`bakeEntitlements` in
//! docker/compose `pkg/compose/build_bake.go`): an insecure build.
//! `include` entries are a path, a list of paths (the first is the
//! included project, the rest its overrides) or `{path, project_directory,
//! env_file}`; each included file is read with its own project directory's
//! `.env` (`loader/include.go`); remote includes (git, OCI) are not
//! followed.

mod interpolate;

use std::path::Path;
use std::sync::Arc;

use self::interpolate::{Env, interpolate};
use crate::diagnostic::{Diagnostic, Problem};
use crate::model::{
    Capabilities, Capability, Container, InsecureBuild, Parsed, Platform, Seccomp, SecurityOpt,
    Use, Value,
};
use crate::read::Reader;
use crate::source::{Location, Source};
use crate::yaml::{Yaml, YamlRef};

/// `extends` chains longer than this are cut (Compose rejects cycles).
const MAX_EXTENDS: usize = 8;
/// `include` nesting deeper than this is cut (Compose rejects cycles).
const MAX_INCLUDES: usize = 8;

/// Whether the file name alone makes this a Compose file.
pub fn is_compose_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let name = name.to_ascii_lowercase();
    // `compose.yaml`, `compose.prod.yml`, `docker-compose-dev.yml`; not
    // `composer.yml` (an Ansible role for PHP's Composer, say).
    let rest = name
        .strip_prefix("docker-compose")
        .or_else(|| name.strip_prefix("compose"));
    rest.is_some_and(|r| r.starts_with(['.', '-', '_']))
        && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

/// Whether a file must be parsed even without a keyword: a top-level
/// `include:` pulls in Compose files that may hold the finding.
pub fn follows_includes(source: &Source) -> bool {
    let text = source.text.as_str();
    (text.starts_with("include:") || text.contains("\ninclude:"))
        && source
            .path
            .extension()
            .is_some_and(|e| e == "yml" || e == "yaml")
}

/// Whether a YAML document has Compose's shape: a top-level `services`
/// mapping with at least one service that has `image`, `build` or `extends`.
pub fn has_compose_shape(root: YamlRef<'_>) -> bool {
    let Some(services) = root.get("services") else {
        return false;
    };
    services.entries().iter().any(|(_, svc)| {
        svc.is_mapping()
            && ["image", "build", "extends"]
                .iter()
                .any(|k| svc.get(k).is_some())
    })
}

/// Reads every service of a Compose file into the model.
pub fn read(source: &Arc<Source>, yaml: &Yaml, reader: &Reader, out: &mut Parsed) {
    let Some(root) = yaml.roots().next() else {
        return;
    };
    let services = root.get("services").filter(|s| s.is_mapping());
    if services.is_none() && root.get("include").is_none() {
        if is_compose_name(&source.path) && yaml.errors.is_empty() {
            out.diagnostics.push(Diagnostic::at(
                source,
                root.span().start,
                Problem::Shape {
                    format: "YAML",
                    expected: "Compose file",
                    message: "no top-level `services` mapping".into(),
                },
            ));
        }
        return;
    }
    let dir = source.path.parent().unwrap_or(Path::new("")).to_path_buf();
    let env = match reader.read_referenced(&dir.join(".env")) {
        Ok(env_source) => Env::parse(&env_source),
        Err(_) => Env::default(),
    };
    read_project(source, root, &dir, &env, reader, None, 0, out);
}

/// One Compose file as a project (or an included one): its services with
/// the variables of `env`, and the files it includes.
#[allow(clippy::too_many_arguments)]
fn read_project(
    source: &Arc<Source>,
    root: YamlRef<'_>,
    project_dir: &Path,
    env: &Env,
    reader: &Reader,
    included_by: Option<&Use>,
    depth: usize,
    out: &mut Parsed,
) {
    let dir = source.path.parent().unwrap_or(Path::new("")).to_path_buf();
    let file = ComposeFile {
        source: Arc::clone(source),
        root,
        dir: &dir,
    };
    let ctx = Ctx {
        env,
        reader,
        base_dir: project_dir,
    };
    let services = root.get("services").filter(|s| s.is_mapping());
    for (key, service) in services.map(|s| s.entries()).unwrap_or_default() {
        let Some(name) = key.as_str() else { continue };
        let label = format!("service `{name}`");
        let mut container =
            Container::new(label, Platform::Engine, Location::new(source, key.span()));
        let mut settings = ctx.service(&file, name, service, 0, out);
        if let Some(by) = included_by {
            settings.used_at(by);
        }
        container.image = service
            .get("image")
            .and_then(|i| Some((i, ctx.string(i)?)))
            .map(|(i, (text, sites))| ctx.value(source, i, text, sites));
        container.privileged = settings.privileged;
        container.seccomp = settings.seccomp;
        container.capabilities = settings.capabilities;
        out.containers.push(container);
        out.builds
            .extend(settings.builds.into_iter().map(|at| InsecureBuild {
                name: format!("the build of service `{name}`"),
                at,
            }));
    }
    if depth < MAX_INCLUDES {
        for item in root.get("include").map(|i| i.items()).unwrap_or_default() {
            ctx.include(&file, item, depth, out);
        }
    }
}

struct ComposeFile<'a> {
    source: Arc<Source>,
    root: YamlRef<'a>,
    dir: &'a Path,
}

struct Ctx<'a> {
    env: &'a Env,
    reader: &'a Reader,
    /// The project directory: where relative profile paths resolve.
    base_dir: &'a Path,
}

#[derive(Default)]
struct Settings {
    privileged: Option<Value<bool>>,
    seccomp: Vec<Value<Seccomp>>,
    capabilities: Capabilities,
    /// Where the build asks for `security.insecure`.
    builds: Vec<Location>,
}

impl Settings {
    /// Records that these settings reach a service through `used`.
    fn used_at(&mut self, used: &Use) {
        if let Some(p) = &mut self.privileged {
            p.used_at.push(used.clone());
        }
        for s in &mut self.seccomp {
            s.used_at.push(used.clone());
        }
        let caps = &mut self.capabilities;
        for c in caps.add.iter_mut().chain(caps.drop.iter_mut()) {
            c.used_at.push(used.clone());
        }
    }
}

impl Ctx<'_> {
    fn service(
        &self,
        file: &ComposeFile<'_>,
        name: &str,
        service: YamlRef<'_>,
        depth: usize,
        out: &mut Parsed,
    ) -> Settings {
        let mut settings = match service.get("extends") {
            Some(ext) if depth < MAX_EXTENDS => self.extends(file, name, ext, depth, out),
            _ => Settings::default(),
        };
        if let Some(v) = service
            .get("privileged")
            .and_then(|p| self.boolean(&file.source, p))
        {
            settings.privileged = Some(v);
        }
        if let Some(opts) = service.get("security_opt") {
            // An ignore comment above the key covers every item below it.
            let key = service.key("security_opt").map(|k| k.span().start);
            for item in opts.items() {
                if let Some(mut v) = self.security_opt(&file.source, item) {
                    if let Some(key) = key {
                        v.at = v.at.within(key);
                    }
                    settings.seccomp.push(v);
                }
            }
        }
        if let Some(build) = service.get("build").filter(|b| b.is_mapping()) {
            if let Some(p) = build
                .get("privileged")
                .and_then(|p| self.boolean(&file.source, p))
                .filter(|p| p.value)
            {
                settings.builds.push(p.at);
            }
            for item in build
                .get("entitlements")
                .map(|e| e.items())
                .unwrap_or_default()
            {
                if self
                    .string(item)
                    .is_some_and(|(e, _)| e == "security.insecure")
                {
                    settings
                        .builds
                        .push(Location::new(&file.source, item.span()));
                }
            }
        }
        // Sequences merge with the base service's (Compose's merge rules
        // for `cap_add`/`cap_drop`), so local entries are appended.
        for (key, list) in [
            ("cap_add", &mut settings.capabilities.add),
            ("cap_drop", &mut settings.capabilities.drop),
        ] {
            for item in service.get(key).map(|l| l.items()).unwrap_or_default() {
                if let Some((text, env_sites)) = self.string(item)
                    && let Some(cap) = Capability::parse(&text)
                {
                    list.push(self.value(&file.source, item, cap, env_sites));
                }
            }
        }
        settings
    }

    /// `extends: base` or `extends: {service: base, file: other.yml}`: the
    /// base service's settings, with the `extends` key as where they are used.
    fn extends(
        &self,
        file: &ComposeFile<'_>,
        name: &str,
        ext: YamlRef<'_>,
        depth: usize,
        out: &mut Parsed,
    ) -> Settings {
        let (base_name, other_file) = match ext.as_str() {
            Some(s) => (s, None),
            None => (
                ext.get("service").and_then(|s| s.as_str()).unwrap_or(""),
                ext.get("file").and_then(|f| f.as_str()),
            ),
        };
        let used_at = Use::new(
            Location::new(&file.source, ext.span()),
            "inherited through `extends` by",
        );
        let mut settings = match other_file {
            None => {
                if base_name == name && depth == 0 {
                    return Settings::default();
                }
                match file.root.get("services").and_then(|s| s.get(base_name)) {
                    Some(base) => self.service(file, base_name, base, depth + 1, out),
                    None => Settings::default(),
                }
            }
            Some(path) => {
                let path = file.dir.join(path);
                let Ok(source) = self.reader.read_referenced(&path) else {
                    return Settings::default();
                };
                let yaml = Yaml::parse(&source.text);
                out.comments
                    .extend(yaml.comments.iter().map(|&c| Location::new(&source, c)));
                let Some(root) = yaml.roots().next() else {
                    return Settings::default();
                };
                let other = ComposeFile {
                    source: Arc::clone(&source),
                    root,
                    dir: path.parent().unwrap_or(Path::new("")),
                };
                match root.get("services").and_then(|s| s.get(base_name)) {
                    Some(base) => self.service(&other, base_name, base, depth + 1, out),
                    None => Settings::default(),
                }
            }
        };
        settings.used_at(&used_at);
        settings
    }

    /// One `include` entry: `path`, `[main, override…]` or `{path,
    /// project_directory, env_file}`, relative to the including file.
    fn include(&self, file: &ComposeFile<'_>, item: YamlRef<'_>, depth: usize, out: &mut Parsed) {
        let paths = match item.get("path") {
            Some(p) => p,
            None => item,
        };
        let paths: Vec<&str> = match paths.as_str() {
            Some(one) => vec![one],
            None => paths.items().iter().filter_map(|p| p.as_str()).collect(),
        };
        let Some(main) = paths.first() else { return };
        // Remote includes (git, OCI) are not followed.
        if main.contains("://") || main.starts_with("oci:") {
            return;
        }
        let main_path = file.dir.join(main);
        let project_dir = match item.get("project_directory").and_then(|p| p.as_str()) {
            Some(p) => file.dir.join(p),
            None => main_path.parent().unwrap_or(Path::new("")).to_path_buf(),
        };
        // The included project sees the including one's variables, then
        // its own `env_file`s (or its directory's `.env`), later ones winning.
        let env_files: Vec<_> = match item.get("env_file") {
            Some(e) => match e.as_str() {
                Some(one) => vec![file.dir.join(one)],
                None => e
                    .items()
                    .iter()
                    .filter_map(|i| Some(file.dir.join(i.as_str()?)))
                    .collect(),
            },
            None => vec![project_dir.join(".env")],
        };
        let mut env = self.env.clone();
        for f in env_files {
            if let Ok(env_source) = self.reader.read_referenced(&f) {
                env = env.parse_over(&env_source);
            }
        }
        let used = Use::new(
            Location::new(&file.source, item.span()),
            "included by this `include` into",
        );
        for path in paths {
            let Ok(source) = self.reader.read_referenced(&file.dir.join(path)) else {
                continue;
            };
            let yaml = Yaml::parse(&source.text);
            out.comments
                .extend(yaml.comments.iter().map(|&c| Location::new(&source, c)));
            let Some(root) = yaml.roots().next() else {
                continue;
            };
            read_project(
                &source,
                root,
                &project_dir,
                &env,
                self.reader,
                Some(&used),
                depth + 1,
                out,
            );
        }
    }

    /// The string value of a scalar after interpolation, with the `.env`
    /// lines it used; `None` when it cannot be resolved.
    fn string(&self, node: YamlRef<'_>) -> Option<(String, Vec<Location>)> {
        interpolate(node.as_str()?, self.env)
    }

    /// `privileged`: Compose casts interpolated strings with its own
    /// boolean words (`y`, `yes`, `true`, `on` and their negatives).
    fn boolean(&self, source: &Arc<Source>, node: YamlRef<'_>) -> Option<Value<bool>> {
        let (text, env_sites) = self.string(node)?;
        let value = match text.to_ascii_lowercase().as_str() {
            "y" | "yes" | "true" | "on" => true,
            "n" | "no" | "false" | "off" => false,
            _ => return None,
        };
        Some(self.value(source, node, value, env_sites))
    }

    fn security_opt(&self, source: &Arc<Source>, node: YamlRef<'_>) -> Option<Value<Seccomp>> {
        let (text, env_sites) = self.string(node)?;
        let seccomp = SecurityOpt::parse(&text).seccomp(self.base_dir)?;
        Some(self.value(source, node, seccomp, env_sites))
    }

    fn value<T>(
        &self,
        source: &Arc<Source>,
        node: YamlRef<'_>,
        value: T,
        env_sites: Vec<Location>,
    ) -> Value<T> {
        let mut v = Value::new(value, Location::new(source, node.span()));
        if let Some(alias) = node.used_at() {
            v.used_at.push(Use::new(
                Location::new(source, alias),
                "applied through this alias to",
            ));
        }
        v.used_at.extend(
            env_sites
                .into_iter()
                .map(|at| Use::new(at, "set in `.env`, interpolated for")),
        );
        v
    }
}
