//! One scan, end to end: discover → classify → parse → rules → findings.
//!
//! Each file is handled on its own by whichever walker thread found it, and
//! only its findings, diagnostics and comments are kept, so memory stays
//! flat in the number of files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::diagnostic::{Diagnostic, Problem};
use crate::finding::{Finding, merge_same_value};
use crate::formats::{self, Prefilter};
use crate::read::Reader;
use crate::rules::{self, Rule};
use crate::source::Location;

#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub no_ignore: bool,
    pub max_file_size: u64,
    /// Rules switched on beyond the defaults (`k8s-seccomp-unset`).
    pub enable: Vec<String>,
    /// Rules switched off.
    pub disable: Vec<String>,
    /// Level overrides by rule id (`[rules.levels]`).
    pub levels: std::collections::BTreeMap<String, crate::finding::Level>,
    /// Paths to skip, relative to the scan root they are found under.
    pub exclude: Option<globset::GlobSet>,
    /// Extra file-name patterns per format.
    pub extra_names: formats::ExtraNames,
    /// Also read shell blocks in Markdown (examples are not deployments).
    pub include_docs: bool,
}

impl ScanOptions {
    pub fn new(paths: Vec<PathBuf>) -> ScanOptions {
        ScanOptions {
            paths,
            no_ignore: false,
            include_docs: false,
            max_file_size: crate::read::DEFAULT_MAX_FILE_SIZE,
            enable: Vec::new(),
            disable: Vec::new(),
            levels: Default::default(),
            exclude: None,
            extra_names: Default::default(),
        }
    }

    pub fn is_enabled(&self, rule: &Rule) -> bool {
        if self.disable.iter().any(|d| d == rule.id) {
            return false;
        }
        rule.enabled_by_default || self.enable.iter().any(|e| e == rule.id)
    }
}

#[derive(Debug, Default)]
pub struct ScanResult {
    /// Sorted by file and position; one per offending value.
    pub findings: Vec<Finding>,
    /// Files that could not be read or parsed, or were skipped.
    pub diagnostics: Vec<Diagnostic>,
    /// Comments the parsers recognised, by file: where suppressions live.
    pub comments: HashMap<PathBuf, Vec<Location>>,
    pub files_scanned: usize,
}

pub fn scan(options: &ScanOptions) -> ScanResult {
    let reader = Reader::new(&options.paths, options.max_file_size);
    // Without a profile there is no seccomp keyword to find: when the
    // missing-profile rule runs, every Kubernetes workload must be parsed.
    let k8s_unset = rules::get("k8s-seccomp-unset").is_some_and(|r| options.is_enabled(r));
    let prefilter = Prefilter::new(if k8s_unset { &["container"] } else { &[] });
    let profiles = formats::seccomp_profile::Cache::default();
    let collected = Mutex::new(ScanResult::default());
    let enabled = |rule: &Rule| options.is_enabled(rule);
    let visit = |path: &Path| {
        if let Some(exclude) = &options.exclude
            && crate::config::is_excluded(exclude, &options.paths, path)
        {
            return;
        }
        let Some(kind) = formats::classify_with(path, &options.extra_names) else {
            return;
        };
        let mut local = ScanResult::default();
        // An extension-less file is read only when its shebang names a
        // shell: most are binaries or data, and 128 bytes decide.
        if kind == formats::Kind::MaybeShell && !shebang_is_shell(path) {
            return;
        }
        if kind == formats::Kind::Markdown && !options.include_docs {
            return;
        }
        match reader.read(path) {
            Err(problem) => local.diagnostics.push(Diagnostic::new(path, problem)),
            Ok(source) if source.text.trim().is_empty() => {
                local
                    .diagnostics
                    .push(Diagnostic::new(path, Problem::Empty));
            }
            Ok(source) => {
                local.files_scanned = 1;
                if prefilter.wants(&source.text) {
                    let mut parsed = formats::parse(kind, &source, &reader);
                    formats::seccomp_profile::resolve_references(&mut parsed, &reader, &profiles);
                    local.findings = rules::run(&parsed, &enabled);
                    local.diagnostics = parsed.diagnostics;
                    for c in parsed.comments {
                        local
                            .comments
                            .entry(c.source.path.clone())
                            .or_default()
                            .push(c);
                    }
                }
            }
        }
        let mut all = collected.lock().unwrap_or_else(|e| e.into_inner());
        all.files_scanned += local.files_scanned;
        all.findings.extend(local.findings);
        all.diagnostics.extend(local.diagnostics);
        for (path, comments) in local.comments {
            all.comments.entry(path).or_default().extend(comments);
        }
    };
    let on_error = |path: PathBuf, err: ignore::Error| {
        let problem = match err.into_io_error() {
            Some(io) => Problem::Io(io),
            None => Problem::Io(std::io::Error::other("cannot walk this path")),
        };
        let mut all = collected.lock().unwrap_or_else(|e| e.into_inner());
        all.diagnostics.push(Diagnostic::new(path, problem));
    };
    crate::discover::walk(&options.paths, options.no_ignore, &visit, &on_error);
    let mut result = collected.into_inner().unwrap_or_else(|e| e.into_inner());
    result.findings = merge_same_value(std::mem::take(&mut result.findings));
    result
        .diagnostics
        .sort_by(|a, b| (&a.path, a.position).cmp(&(&b.path, b.position)));
    for comments in result.comments.values_mut() {
        comments.sort_by_key(|c| c.span.start);
        comments.dedup();
    }
    crate::suppress::apply(&mut result.findings, &result.comments, &enabled);
    for f in &mut result.findings {
        if let Some(&level) = options.levels.get(f.rule.id) {
            f.level = level;
        }
    }
    result
}

fn shebang_is_shell(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 128];
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let n = file.read(&mut head).unwrap_or(0);
    formats::shell::has_shell_shebang(&head[..n])
}
