//! One scan, end to end: discover → classify → parse → rules → findings →
//! suppressions.
//!
//! [`Session::judge`] is the per-file step: a path and its bytes in, that
//! file's findings, diagnostics and suppression comments out. `scan` calls
//! it for every file it walks, `scan -` for standard input and the fuzz
//! targets for arbitrary bytes (through [`scan_source`]), so all three
//! exercise one path. Each file is judged by whichever walker thread found
//! it, and only its findings and `seccheck:` directives are kept: a file's
//! text stays in memory only when one of them points into it, so memory
//! stays flat in the number of files. The steps after the walk (merging,
//! suppressions, levels) are linear in findings and files.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::diagnostic::{Diagnostic, Problem};
use crate::finding::{Finding, merge_same_value};
use crate::formats::{self, Prefilter};
use crate::read::Reader;
use crate::rules::{self, Rule};
use crate::suppress::Directives;

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
    /// Paths to skip, relative to `exclude_base`, else to the scan root
    /// they are found under.
    pub exclude: Option<globset::GlobSet>,
    /// The directory of the configuration file that `exclude` came from,
    /// when it was found beside the scanned paths (absolute).
    pub exclude_base: Option<PathBuf>,
    /// Extra file-name patterns per format.
    pub extra_names: formats::ExtraNames,
    /// Also read shell blocks in Markdown (examples are not deployments).
    pub include_docs: bool,
    /// Keep every file's containers as inventory entries (`seccheck
    /// inventory`); files are then parsed whether or not they hold a
    /// keyword, since a confined container is listed too.
    pub inventory: bool,
    /// Also walk vendored directories (`vendor/`, `node_modules/`, …).
    pub include_vendored: bool,
}

impl ScanOptions {
    pub fn new(paths: Vec<PathBuf>) -> ScanOptions {
        ScanOptions {
            paths,
            no_ignore: false,
            include_docs: false,
            inventory: false,
            include_vendored: false,
            max_file_size: crate::read::DEFAULT_MAX_FILE_SIZE,
            enable: Vec::new(),
            disable: Vec::new(),
            levels: Default::default(),
            exclude: None,
            exclude_base: None,
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
    pub files_scanned: usize,
    /// Every container, with `ScanOptions::inventory` (empty otherwise).
    pub inventory: Vec<crate::inventory::Entry>,
    /// The suppression comments found, until [`ScanResult::finish`] applies them.
    directives: Directives,
}

/// How many files could not be read, and how many could not be parsed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FailedFiles {
    pub unreadable: usize,
    pub unparseable: usize,
}

impl FailedFiles {
    pub fn total(self) -> usize {
        self.unreadable + self.unparseable
    }
}

impl ScanResult {
    /// Adds the finished result of another scan of other paths (scanned
    /// under another configuration): a value both reported is one finding.
    pub fn merge(&mut self, other: ScanResult) {
        self.files_scanned += other.files_scanned;
        self.findings.extend(other.findings);
        self.findings = merge_same_value(std::mem::take(&mut self.findings));
        self.diagnostics.extend(other.diagnostics);
        self.diagnostics
            .sort_by(|a, b| (&a.path, a.position).cmp(&(&b.path, b.position)));
        self.inventory.extend(other.inventory);
        self.inventory
            .sort_by(|a, b| (&a.path, a.position).cmp(&(&b.path, b.position)));
    }

    /// Files with an error diagnostic, each counted once (a file may have
    /// several), by whether it could be read at all. Files skipped on
    /// purpose (binary, too large, empty) are not failures.
    pub fn failed_files(&self) -> FailedFiles {
        let mut seen: HashSet<&Path> = HashSet::new();
        let mut out = FailedFiles::default();
        for d in &self.diagnostics {
            if d.severity() != crate::diagnostic::Severity::Error || !seen.insert(&d.path) {
                continue;
            }
            match d.problem {
                Problem::Io(_) | Problem::NotUtf8 { .. } => out.unreadable += 1,
                _ => out.unparseable += 1,
            }
        }
        out
    }

    /// Adds one file's part (from [`Session::judge`]).
    pub fn absorb(&mut self, part: ScanResult) {
        self.files_scanned += part.files_scanned;
        self.findings.extend(part.findings);
        self.diagnostics.extend(part.diagnostics);
        self.directives.extend(part.directives);
        self.inventory.extend(part.inventory);
    }

    /// After the last file: one finding per value reported from several
    /// files, suppressions applied, level overrides, a stable order.
    pub fn finish(mut self, options: &ScanOptions) -> ScanResult {
        self.findings = merge_same_value(std::mem::take(&mut self.findings));
        // A file read for several others (a Terraform module's tfvars) may
        // be reported by each of them: once is enough.
        self.diagnostics
            .sort_by_cached_key(|d| (d.path.clone(), d.position, d.to_string()));
        self.diagnostics.dedup_by(|a, b| {
            a.path == b.path && a.position == b.position && a.to_string() == b.to_string()
        });
        let directives = std::mem::take(&mut self.directives);
        crate::suppress::apply(&mut self.findings, directives, &|r| options.is_enabled(r));
        for f in &mut self.findings {
            if let Some(&level) = options.levels.get(f.rule.id) {
                f.level = level;
            }
        }
        crate::inventory::attach(&mut self.inventory, &self.findings);
        self.inventory
            .sort_by(|a, b| (&a.path, a.position).cmp(&(&b.path, b.position)));
        self
    }
}

/// What every file of one scan shares: the fence around reads, the keyword
/// prefilter, and the cache of resolved seccomp profiles.
pub struct Session<'a> {
    options: &'a ScanOptions,
    reader: Reader,
    prefilter: Prefilter,
    profiles: formats::seccomp_profile::Cache,
    cwd: Option<PathBuf>,
}

impl<'a> Session<'a> {
    pub fn new(options: &'a ScanOptions) -> Session<'a> {
        // Without a profile there is no seccomp keyword to find: when the
        // missing-profile rule runs, every Kubernetes workload must be parsed.
        let k8s_unset = rules::get("k8s-seccomp-unset").is_some_and(|r| options.is_enabled(r));
        Session {
            options,
            reader: Reader::new(&options.paths, options.max_file_size),
            prefilter: Prefilter::new(if k8s_unset { &["container"] } else { &[] }),
            profiles: Default::default(),
            cwd: std::env::current_dir().ok(),
        }
    }

    /// Judges one file's bytes as the file `path`: classified by its name,
    /// checked (size, binary, UTF-8), parsed, and the rules run. The part
    /// still has to be [`absorb`](ScanResult::absorb)ed and
    /// [`finish`](ScanResult::finish)ed.
    pub fn judge(&self, path: &Path, bytes: Vec<u8>) -> ScanResult {
        match formats::classify_with(path, &self.options.extra_names) {
            Some(kind) => self.judge_as(kind, path, bytes),
            None => ScanResult::default(),
        }
    }

    fn judge_as(&self, kind: formats::Kind, path: &Path, bytes: Vec<u8>) -> ScanResult {
        let mut out = ScanResult::default();
        if kind == formats::Kind::MaybeShell && formats::sniff(&bytes).is_none() {
            return out;
        }
        if kind == formats::Kind::Markdown && !self.options.include_docs {
            return out;
        }
        if let formats::Kind::Code(_) = kind
            && !formats::code::wants(&bytes)
        {
            out.files_scanned = 1;
            return out;
        }
        match self.reader.decode(path, bytes) {
            Err(problem) => out.diagnostics.push(Diagnostic::new(path, problem)),
            // An empty source file is ordinary (Python's `__init__.py`
            // marks a package): no notice for code.
            Ok(source) if source.text.trim().is_empty() => {
                if !matches!(kind, formats::Kind::Code(_)) {
                    out.diagnostics.push(Diagnostic::new(path, Problem::Empty));
                }
            }
            Ok(source) => {
                out.files_scanned = 1;
                if self.options.inventory || self.prefilter.wants_file(&source, kind) {
                    let mut parsed = formats::parse(kind, &source, &self.reader);
                    formats::seccomp_profile::resolve_references(
                        &mut parsed,
                        &self.reader,
                        &self.profiles,
                    );
                    out.findings = rules::run(&parsed, &|r| self.options.is_enabled(r));
                    if self.options.inventory {
                        out.inventory = crate::inventory::entries(&parsed);
                    }
                    out.directives.collect(&parsed.comments);
                    out.diagnostics = parsed.diagnostics;
                }
            }
        }
        out
    }

    /// A walked or named file: skipped when excluded or of no known kind;
    /// a file whose name decides nothing is read only when its first bytes
    /// say it is ours ([`formats::sniff`]): most are binaries or data.
    fn visit(&self, path: &Path, regular: bool) -> ScanResult {
        if let Some(exclude) = &self.options.exclude
            && crate::config::is_excluded(
                exclude,
                self.options
                    .exclude_base
                    .as_deref()
                    .zip(self.cwd.as_deref()),
                &self.options.paths,
                path,
            )
        {
            return ScanResult::default();
        }
        let Some(kind) = formats::classify_with(path, &self.options.extra_names) else {
            return ScanResult::default();
        };
        if (kind == formats::Kind::MaybeShell && !sniffs(path))
            || (kind == formats::Kind::Markdown && !self.options.include_docs)
        {
            return ScanResult::default();
        }
        let bytes = if regular {
            self.reader.read_regular(path)
        } else {
            self.reader.read_bytes(path)
        };
        match bytes {
            Ok(bytes) => self.judge_as(kind, path, bytes),
            Err(problem) => ScanResult {
                diagnostics: vec![Diagnostic::new(path, problem)],
                ..Default::default()
            },
        }
    }
}

/// Judges one in-memory file as `path`, exactly as `scan` judges each file
/// it walks: the entry point of `scan -` and of the fuzz targets.
pub fn scan_source(path: &Path, bytes: Vec<u8>, options: &ScanOptions) -> ScanResult {
    Session::new(options).judge(path, bytes).finish(options)
}

pub fn scan(options: &ScanOptions) -> ScanResult {
    let session = Session::new(options);
    let collected = Mutex::new(ScanResult::default());
    // A file reachable from two of the given paths (`scan . compose.yaml`,
    // the same directory twice) is judged once. Only then is a set of the
    // files seen kept.
    let seen = roots_overlap(&options.paths).then(|| Mutex::new(HashSet::new()));
    let visit = |path: &Path, regular: bool| {
        if let Some(seen) = &seen {
            let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
            if !seen.lock().unwrap_or_else(|e| e.into_inner()).insert(key) {
                return;
            }
        }
        let part = session.visit(path, regular);
        collected
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .absorb(part);
    };
    let on_error = |path: PathBuf, err: ignore::Error| {
        let problem = match err.into_io_error() {
            Some(io) => Problem::Io(io),
            None => Problem::Io(std::io::Error::other("cannot walk this path")),
        };
        let mut all = collected.lock().unwrap_or_else(|e| e.into_inner());
        all.diagnostics.push(Diagnostic::new(path, problem));
    };
    let walk = crate::discover::Options {
        no_ignore: options.no_ignore,
        include_vendored: options.include_vendored,
    };
    let skipped = crate::discover::walk(&options.paths, &walk, &visit, &on_error);
    let mut result = collected.into_inner().unwrap_or_else(|e| e.into_inner());
    for s in skipped {
        let what = format!(
            "{} file{} in a vendored directory (third-party code); --include-vendored scans them",
            s.files,
            if s.files == 1 { "" } else { "s" }
        );
        result
            .diagnostics
            .push(Diagnostic::new(s.dir, Problem::Skipped(what)));
    }
    result.finish(options)
}

/// Whether one given path lies inside (or is) another. Sorted by
/// components, a path's descendants follow it directly, so neighbours
/// decide.
fn roots_overlap(paths: &[PathBuf]) -> bool {
    let mut real: Vec<PathBuf> = paths
        .iter()
        .map(|p| p.canonicalize().unwrap_or_else(|_| p.clone()))
        .collect();
    real.sort();
    real.windows(2).any(|w| w[1].starts_with(&w[0]))
}

/// Whether the first bytes of a file whose name decides nothing make it
/// one of ours; only those bytes are read.
fn sniffs(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; formats::SNIFF_BYTES];
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut n = 0;
    // `read` may return less than asked: fill the head or reach the end.
    let mut file = file.take(formats::SNIFF_BYTES as u64);
    while let Ok(k) = file.read(&mut head[n..]) {
        if k == 0 {
            break;
        }
        n += k;
    }
    formats::sniff(&head[..n]).is_some()
}
