//! GitLab CI (`.gitlab-ci.yml` and the files it includes): the scripts each job
//! runs, as GitLab composes them (CI/CD YAML reference: `script`,
//! `before_script`, `after_script`, `default`, `extends`, `inherit`,
//! `include`, `!reference`; "Optimize GitLab CI/CD configuration files"):
//!
//! - A job runs its `before_script`, `script` and `after_script`: its own,
//!   else the one it inherits through `extends` (several levels; of several
//!   parents the last wins), else for the two hooks `default:`'s (or the
//!   global keys), unless `inherit: default:` says otherwise.
//! - A hidden job (`.name:`) never runs by itself: its scripts are read
//!   when a job uses them through `extends` or `!reference`, and the
//!   finding then names that use as a related location. An unused template
//!   is like commented-out code.
//! - Script lists may nest (`- *anchor` of a list): GitLab flattens them
//!   (`Entry::Commands`).
//! - `!reference [job, key]` is resolved to that job's key. (The tree kept
//!   here has no tags: a two- or three-item list whose first item names a
//!   job and whose second is a script key is taken as the reference; as
//!   commands it would run a job name.)
//! - `include: local:` files (also plain strings and `*`/`**` wildcards)
//!   are followed inside the scanned tree, relative to the repository root;
//!   their jobs merge with the main file's, whose keys win. `project:`,
//!   `remote:`, `template:` and `component:` lie outside the repository.
//!
//! - The shell comes from the runner's configuration, which the repository
//!   does not hold; a job whose runner `tags` name Windows (Windows runners
//!   default to PowerShell) is not read as sh.
//!
//! Each script item is read as the runner gets it ([`yaml_scalar`]), by
//! the shared shell reader, and relative profile paths resolve at the
//! repository root, where jobs start.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cmdline;
use crate::formats::yaml_scalar;
use crate::model::{Parsed, Use};
use crate::read::{Reader, normalize};
use crate::source::{Location, Source, Span};
use crate::yaml::{Yaml, YamlRef};

/// A pipeline's root file. Files it includes are read through it, with the
/// jobs and templates of the whole pipeline: read alone, a job's `extends`
/// parents and runner tags may live in another file.
pub fn is_gitlab_name(lower: &str) -> bool {
    lower == ".gitlab-ci.yml" || lower == ".gitlab-ci.yaml"
}

/// Whether a pipeline file must be parsed even without a keyword: its
/// `include:`d files may hold the finding.
pub fn follows_includes(source: &Source) -> bool {
    source
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| is_gitlab_name(&n.to_ascii_lowercase()))
        && source.text.contains("include")
}

/// Keys at the top of a pipeline that are not jobs.
const GLOBAL_KEYS: &[&str] = &[
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "types",
    "spec",
];

const SCRIPT_KEYS: &[&str] = &["before_script", "script", "after_script"];

/// GitLab's limits: included files per pipeline, `extends` depth.
const MAX_INCLUDES: usize = 150;
const MAX_DEPTH: usize = 11;
/// Lookups through `extends` one pipeline may make: with several parents
/// per level the walk could otherwise grow exponentially in the depth.
const MAX_LOOKUPS: usize = 100_000;

pub fn read(source: &Arc<Source>, yaml: &Yaml, reader: &Reader, out: &mut Parsed) {
    let root_dir = source.path.parent().unwrap_or(Path::new("")).to_path_buf();
    let included = includes(source, yaml, reader, &root_dir, out);
    let mut files: Vec<(&Arc<Source>, YamlRef<'_>)> = Vec::new();
    for (s, y) in &included {
        files.extend(y.roots().map(|r| (s, r)));
    }
    files.extend(yaml.roots().map(|r| (source, r)));
    let pipeline = Pipeline::new(files);
    pipeline.read(&root_dir, out);
}

/// Every file `include:`d by the pipeline, transitively, parsed.
fn includes(
    source: &Arc<Source>,
    yaml: &Yaml,
    reader: &Reader,
    root_dir: &Path,
    out: &mut Parsed,
) -> Vec<(Arc<Source>, Yaml)> {
    let mut seen: HashSet<PathBuf> = HashSet::from([normalize(&source.path)]);
    let mut files: Vec<(Arc<Source>, Yaml)> = Vec::new();
    let mut pending: Vec<PathBuf> = yaml
        .roots()
        .flat_map(|r| local_includes(r, root_dir))
        .collect();
    pending.reverse();
    while let Some(path) = pending.pop() {
        if files.len() >= MAX_INCLUDES {
            break;
        }
        if !seen.insert(normalize(&path)) {
            continue;
        }
        let Ok(included) = reader.read_referenced(&path) else {
            continue;
        };
        // Its syntax errors are its own: reported when it is scanned.
        let parsed = Yaml::parse(&included.text);
        out.comments
            .extend(parsed.comments.iter().map(|&c| Location::new(&included, c)));
        let mut nested: Vec<PathBuf> = parsed
            .roots()
            .flat_map(|r| local_includes(r, root_dir))
            .collect();
        nested.reverse();
        pending.extend(nested);
        files.push((included, parsed));
    }
    files
}

/// The repository files a document's `include:` names.
fn local_includes(root: YamlRef<'_>, root_dir: &Path) -> Vec<PathBuf> {
    let Some(include) = root.get("include") else {
        return Vec::new();
    };
    let entries = if include.is_sequence() {
        include.items()
    } else {
        vec![include]
    };
    let mut paths = Vec::new();
    for entry in entries {
        let local = match entry.as_str() {
            Some(s) if !s.contains("://") => Some(s),
            Some(_) => None,
            None => entry.get("local").and_then(|l| l.as_str()),
        };
        let Some(local) = local.filter(|l| !l.contains('$')) else {
            continue;
        };
        let relative = local.trim_start_matches('/');
        if relative.contains('*') {
            paths.extend(glob(root_dir, relative));
        } else {
            paths.push(root_dir.join(relative));
        }
    }
    paths
}

/// `include: local:` wildcards: `*` within a directory, `**` across them.
fn glob(root_dir: &Path, pattern: &str) -> Vec<PathBuf> {
    let fixed = pattern
        .replace("**/", "\u{0}")
        .replace("**", "**/*")
        .replace('\u{0}', "**/");
    let Ok(glob) = globset::GlobBuilder::new(&fixed)
        .literal_separator(true)
        .build()
    else {
        return Vec::new();
    };
    let matcher = glob.compile_matcher();
    let prefix = match pattern.find('*') {
        Some(star) => pattern[..star]
            .rfind('/')
            .map_or("", |slash| &pattern[..slash]),
        None => "",
    };
    let mut found = Vec::new();
    let mut stack = vec![root_dir.join(prefix)];
    let mut budget = 10_000usize;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            budget = budget.saturating_sub(1);
            if budget == 0 {
                return found;
            }
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() && entry.file_name() != ".git" {
                stack.push(path);
            } else if kind.is_file()
                && let Ok(rel) = path.strip_prefix(root_dir)
                && matcher.is_match(rel)
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// One definition of a job (a job may be defined in several files).
#[derive(Clone, Copy)]
struct Def<'a> {
    file: usize,
    node: YamlRef<'a>,
}

/// A place a script is used through: file index, span, and how.
type Site = (usize, Span, &'static str);

/// A script key's value as a job gets it, and the `extends`/`!reference`
/// sites it came through.
struct Resolved<'a> {
    def: Def<'a>,
    via: Vec<Site>,
}

struct Pipeline<'a> {
    sources: Vec<&'a Arc<Source>>,
    jobs: HashMap<&'a str, Vec<Def<'a>>>,
    /// Visible jobs, in file order.
    visible: Vec<&'a str>,
    /// `default:` mappings, and the documents themselves (global keys).
    defaults: Vec<Def<'a>>,
    lookups: std::cell::Cell<usize>,
}

impl<'a> Pipeline<'a> {
    fn new(files: Vec<(&'a Arc<Source>, YamlRef<'a>)>) -> Pipeline<'a> {
        let mut pipeline = Pipeline {
            sources: Vec::new(),
            jobs: HashMap::new(),
            visible: Vec::new(),
            defaults: Vec::new(),
            lookups: std::cell::Cell::new(0),
        };
        for (file, (source, root)) in files.into_iter().enumerate() {
            pipeline.sources.push(source);
            pipeline.defaults.push(Def { file, node: root });
            for (key, value) in root.entries() {
                let Some(name) = key.as_str() else { continue };
                if name == "default" && value.is_mapping() {
                    pipeline.defaults.push(Def { file, node: value });
                }
                if GLOBAL_KEYS.contains(&name) || !value.is_mapping() {
                    continue;
                }
                let defs = pipeline.jobs.entry(name).or_default();
                defs.push(Def { file, node: value });
                if !name.starts_with('.') && defs.len() == 1 {
                    pipeline.visible.push(name);
                }
            }
        }
        pipeline
    }

    /// `key` of job `name`: its own (the last definition that has it wins),
    /// else through `extends`.
    fn resolve(&self, name: &str, key: &str, depth: usize) -> Option<Resolved<'a>> {
        if self.lookups.get() >= MAX_LOOKUPS {
            return None;
        }
        self.lookups.set(self.lookups.get() + 1);
        let defs = self.jobs.get(name)?;
        if let Some(def) = defs
            .iter()
            .rev()
            .find_map(|d| d.node.get(key).map(|node| Def { file: d.file, node }))
        {
            return Some(Resolved {
                def,
                via: Vec::new(),
            });
        }
        if depth >= MAX_DEPTH {
            return None;
        }
        let (file, extends) = defs
            .iter()
            .rev()
            .find_map(|d| d.node.get("extends").map(|e| (d.file, e)))?;
        let parents = if extends.is_sequence() {
            extends.items()
        } else {
            vec![extends]
        };
        parents.iter().rev().find_map(|parent| {
            let mut r = self.resolve(parent.as_str()?, key, depth + 1)?;
            r.via
                .push((file, parent.span(), "applied through this `extends` to"));
            Some(r)
        })
    }

    /// Whether job `name` takes `default:`'s value of `key`.
    fn inherits_default(&self, name: &str, key: &str) -> bool {
        let Some(inherit) = self.resolve(name, "inherit", 0) else {
            return true;
        };
        let Some(default) = inherit.def.node.get("default") else {
            return true;
        };
        match default.as_bool() {
            Some(b) => b,
            None => default.items().iter().any(|k| k.as_str() == Some(key)),
        }
    }

    /// Whether a job's runner tags (own or inherited, `!reference`s as
    /// written) name Windows, whose runners run scripts in PowerShell.
    fn runs_on_windows(&self, name: &str) -> bool {
        fn names_windows(node: YamlRef<'_>, depth: usize) -> bool {
            match node.as_str() {
                Some(s) => s.to_ascii_lowercase().contains("windows"),
                None if depth < MAX_DEPTH => node
                    .items()
                    .into_iter()
                    .any(|i| names_windows(i, depth + 1)),
                None => false,
            }
        }
        self.resolve(name, "tags", 0)
            .is_some_and(|r| names_windows(r.def.node, 0))
    }

    fn default_of(&self, key: &str) -> Option<Resolved<'a>> {
        self.defaults.iter().rev().find_map(|d| {
            let node = d.node.get(key)?;
            Some(Resolved {
                def: Def { file: d.file, node },
                via: Vec::new(),
            })
        })
    }

    /// `[job, key]` written in a script list: a `!reference`.
    fn reference(&self, item: YamlRef<'a>) -> Option<(&'a str, &'a str)> {
        let parts = item.items();
        if !(2..=3).contains(&parts.len()) {
            return None;
        }
        let job = parts[0].as_str()?;
        let key = parts[1].as_str()?;
        (self.jobs.contains_key(job) && SCRIPT_KEYS.contains(&key)).then_some((job, key))
    }

    fn read(&self, base: &Path, out: &mut Parsed) {
        // Every script node some job runs, with the sites it is used through.
        let mut uses: Vec<(Def<'a>, Vec<Site>)> = Vec::new();
        let mut add = |r: Resolved<'a>| match uses
            .iter_mut()
            .find(|(d, _)| d.file == r.def.file && d.node.id() == r.def.node.id())
        {
            Some((_, via)) => via.extend(r.via),
            None => uses.push((r.def, r.via)),
        };
        for name in &self.visible {
            if self.runs_on_windows(name) {
                continue;
            }
            for key in SCRIPT_KEYS {
                let found = self.resolve(name, key, 0).or_else(|| {
                    (*key != "script" && self.inherits_default(name, key))
                        .then(|| self.default_of(key))
                        .flatten()
                });
                if let Some(r) = found {
                    add(r);
                }
            }
        }
        // Scripts, with references followed as they are found.
        let mut i = 0;
        let mut read: HashSet<(usize, usize)> = HashSet::new();
        while i < uses.len() {
            let (def, via) = (uses[i].0, uses[i].1.clone());
            i += 1;
            if !read.insert((def.file, def.node.id())) {
                continue;
            }
            let mut items = Vec::new();
            let mut references = Vec::new();
            self.flatten(def.node, 0, &mut items, &mut references);
            let source = self.sources[def.file];
            let first = out.containers.len();
            for item in items {
                if let Some(script) = yaml_scalar::value(&source.text, item) {
                    cmdline::read_mapped(source, &script, base, out);
                }
            }
            for container in &mut out.containers[first..] {
                for &(file, span, how) in &via {
                    let at = Use::new(Location::new(self.sources[file], span), how);
                    for v in &mut container.seccomp {
                        v.used_at.push(at.clone());
                    }
                    if let Some(p) = &mut container.privileged {
                        p.used_at.push(at.clone());
                    }
                }
            }
            for (job, key, site) in references {
                if let Some(mut r) = self.resolve(job, key, 0) {
                    r.via
                        .push((def.file, site, "applied through this `!reference` to"));
                    r.via.extend(via.iter().copied());
                    uses.push((r.def, r.via));
                }
            }
        }
    }

    /// The command strings of a script value, nested lists flattened and
    /// `!reference`s set aside.
    fn flatten(
        &self,
        node: YamlRef<'a>,
        depth: usize,
        items: &mut Vec<YamlRef<'a>>,
        references: &mut Vec<(&'a str, &'a str, Span)>,
    ) {
        if node.as_str().is_some() {
            items.push(node);
            return;
        }
        if depth > MAX_DEPTH || !node.is_sequence() {
            return;
        }
        if let Some((job, key)) = self.reference(node) {
            references.push((job, key, node.used_at().unwrap_or(node.span())));
            return;
        }
        for item in node.items() {
            self.flatten(item, depth + 1, items, references);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Parsed {
        let source = Source::new(".gitlab-ci.yml", text);
        let yaml = Yaml::parse(text);
        let reader = Reader::new(&[], 1 << 20);
        let mut out = Parsed::default();
        read(&source, &yaml, &reader, &mut out);
        out
    }

    fn names(p: &Parsed) -> Vec<&str> {
        let mut v: Vec<&str> = p.containers.iter().map(|c| c.name.as_str()).collect();
        v.sort();
        v
    }

    #[test]
    fn hidden_jobs_run_only_through_extends_or_references() {
        let p = parse(
            ".unused:\n  script: docker run --privileged unused\n.tmpl:\n  script:\n    - docker run --privileged tmpl\n.hooks:\n  before_script: [docker run --privileged ref]\njob:\n  extends: .tmpl\n  before_script:\n    - !reference [.hooks, before_script]\n",
        );
        assert_eq!(names(&p), ["`docker run` of ref", "`docker run` of tmpl"]);
        let tmpl = p
            .containers
            .iter()
            .find(|c| c.name.ends_with("tmpl"))
            .unwrap();
        assert_eq!(tmpl.privileged.as_ref().unwrap().used_at.len(), 1);
    }

    #[test]
    fn nested_lists_defaults_and_inherit() {
        let p = parse(
            ".setup: &setup\n  - docker run --privileged a\n  - - docker run --privileged b\ndefault:\n  after_script: [docker run --privileged d]\njob:\n  script:\n    - *setup\n    - docker run x\nother:\n  inherit:\n    default: false\n  script: [docker run y]\n",
        );
        assert_eq!(
            names(&p),
            [
                "`docker run` of a",
                "`docker run` of b",
                "`docker run` of d",
                "`docker run` of x",
                "`docker run` of y"
            ]
        );
    }

    #[test]
    fn wide_extends_chains_stop_at_the_lookup_budget() {
        let mut t = String::from(".l0:\n  image: x\n");
        for i in 1..12 {
            let p = i - 1;
            t.push_str(&format!(
                ".l{i}:\n  extends: [.l{p}, .l{p}, .l{p}, .l{p}, .l{p}, .l{p}, .l{p}, .l{p}]\n"
            ));
        }
        t.push_str("job:\n  extends: .l11\n");
        // 8^11 lookups without the budget: this would not finish.
        assert!(parse(&t).containers.is_empty());
    }

    #[test]
    fn windows_runners_are_not_sh() {
        let p = parse(
            ".win:\n  tags: [saas-windows-medium-amd64]\njob:\n  extends: .win\n  script: docker run --privileged w\nlinux:\n  tags: [docker]\n  script: docker run --privileged l\n",
        );
        assert_eq!(names(&p), ["`docker run` of l"]);
    }

    #[test]
    fn a_job_own_script_wins_over_its_parent() {
        let p = parse(
            ".base:\n  script: docker run --privileged base\njob:\n  extends: [.base]\n  script: docker run own\n",
        );
        assert_eq!(names(&p), ["`docker run` of own"]);
    }
}
