//! The command line: `seccheck scan`, `seccheck rules`, `seccheck explain`.
//!
//! Exit codes: 0 when nothing at or above `--fail-on` was found, 1 when
//! something was, 2 for usage or fatal errors. A file that cannot be parsed
//! is reported, never fatal.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::finding::Level;
use crate::report::{self, Context, Format};
use crate::rules;
use crate::scan::{ScanOptions, scan, scan_source};

#[derive(Debug, Parser)]
#[command(
    name = "seccheck",
    version = crate::VERSION,
    about = "Find containers whose seccomp confinement is switched off"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan files and directories (default: the current directory)
    Scan(Box<ScanArgs>),
    /// List the rule catalogue
    Rules,
    /// Print a rule's documentation
    Explain {
        /// Rule id, e.g. seccomp-unconfined
        rule: String,
    },
    /// List every container found, confined or not, with its effective seccomp state
    Inventory(Box<InventoryArgs>),
}

#[derive(Debug, clap::Args)]
struct InventoryArgs {
    /// Files or directories to read; `-` reads one file from standard input
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// With `-`: the path the standard input is judged as (its name decides the format)
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = InventoryFormat::Table)]
    format: InventoryFormat,
    /// Write the inventory to FILE (atomically) instead of standard output
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit with 1 when a container has a finding at or above this level (default: always 0)
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    #[command(flatten)]
    selection: Selection,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum InventoryFormat {
    /// An aligned table (the default)
    Table,
    /// JSON, schema `seccheck-inventory-v1`
    Json,
    /// CSV with a header row (RFC 4180)
    Csv,
}

/// Which files and rules a scan reads: shared by `scan` and `inventory`.
#[derive(Debug, clap::Args)]
struct Selection {
    /// Do not honour .gitignore, .ignore and git's excludes (files git tracks are read anyway)
    #[arg(long)]
    no_ignore: bool,
    /// Also read vendored third-party directories (vendor/, node_modules/, third_party/, .venv/, …)
    #[arg(long)]
    include_vendored: bool,
    /// Also read fenced shell blocks in Markdown files (off: docs are not deployments)
    #[arg(long)]
    include_docs: bool,
    /// Switch on a rule that is off by default (repeatable)
    #[arg(long, value_name = "RULE")]
    enable: Vec<String>,
    /// Switch off a rule (repeatable)
    #[arg(long, value_name = "RULE")]
    disable: Vec<String>,
    /// Skip files larger than this many bytes
    #[arg(long, value_name = "BYTES", default_value_t = crate::read::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
    /// Read settings from FILE instead of the `.seccheck.toml` found above each scanned path
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct ScanArgs {
    /// Files or directories to scan; `-` reads one file from standard input
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// With `-`: the path the standard input is judged as (its name decides the format)
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
    /// Report format (default human); repeat it, each with its own --output, for several reports
    #[arg(long, value_enum)]
    format: Vec<Format>,
    /// Write the report of the --format before it to FILE (atomically) instead of standard output
    #[arg(long, short, value_name = "FILE")]
    output: Vec<PathBuf>,
    /// Also write a SARIF report to FILE, beside the report on standard output
    #[arg(long, value_name = "FILE")]
    sarif_output: Option<PathBuf>,
    /// Make SARIF URIs, annotations and fingerprints relative to DIR (default: the git work tree of the scanned paths, else the working directory)
    #[arg(long, value_name = "DIR")]
    srcroot: Option<PathBuf>,
    /// Exit with 2 when a file could not be read or parsed
    #[arg(long)]
    strict: bool,
    /// Exit with 1 when a finding at or above this level remains
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    fail_on: FailOn,
    #[command(flatten)]
    selection: Selection,
    /// Report only findings whose fingerprints are not in this earlier SARIF report
    #[arg(long, value_name = "SARIF")]
    baseline: Option<PathBuf>,
    /// SARIF automationDetails category (only when set)
    #[arg(long)]
    category: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Level> {
        match self {
            FailOn::Error => Some(Level::Error),
            FailOn::Warning => Some(Level::Warning),
            FailOn::Note => Some(Level::Note),
            FailOn::Never => None,
        }
    }
}

pub fn run() -> i32 {
    use clap::{CommandFactory, FromArgMatches};
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match cli.command {
        Command::Scan(args) => {
            // Which --output belongs to which --format is a matter of
            // their order on the command line, which only the matches keep.
            let scan = matches.subcommand_matches("scan");
            let indices = |id: &str| -> Vec<usize> {
                scan.and_then(|m| m.indices_of(id))
                    .map(|i| i.collect())
                    .unwrap_or_default()
            };
            let (formats, outputs) = (indices("format"), indices("output"));
            match plan_reports(&args, &formats, &outputs) {
                Ok(reports) => run_scan(*args, reports),
                Err(message) => {
                    eprintln!("error: {message}");
                    2
                }
            }
        }
        Command::Inventory(args) => run_inventory(*args),
        Command::Rules => {
            let mut out = std::io::stdout().lock();
            let width = rules::all().iter().map(|r| r.id.len()).max().unwrap_or(0);
            let _ = writeln!(
                out,
                "{:<width$}  {:<7}  {:>8}  title",
                "rule", "level", "severity"
            );
            for r in rules::all() {
                let default = if r.enabled_by_default {
                    ""
                } else {
                    " (off by default)"
                };
                let _ = writeln!(
                    out,
                    "{:<width$}  {:<7}  {:>8}  {}{}",
                    r.id,
                    r.level.as_str(),
                    if r.security_severity.is_empty() {
                        "-"
                    } else {
                        r.security_severity
                    },
                    r.title,
                    default
                );
            }
            0
        }
        Command::Explain { rule } => match rules::get(&rule) {
            Some(r) => {
                println!("# {} — {}\n", r.id, r.title);
                let mut facts = vec![format!("level: {}", r.level.as_str())];
                if !r.security_severity.is_empty() {
                    facts.push(format!("security-severity: {}", r.security_severity));
                }
                facts.extend(
                    [r.cis, r.cwe]
                        .into_iter()
                        .filter(|f| !f.is_empty())
                        .map(str::to_string),
                );
                println!("{}\n", facts.join("; "));
                println!("{}", r.doc);
                0
            }
            None => {
                eprintln!("error: {}", rules::unknown(&rule));
                2
            }
        },
    }
}

/// The name `--format` takes for `format`.
fn format_name(format: Format) -> String {
    format
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

/// One report to write: its format, and its file (else standard output).
#[derive(Debug, Clone, PartialEq, Eq)]
struct ReportPlan {
    format: Format,
    output: Option<PathBuf>,
}

/// Pairs each `--output` with the `--format` written before it (a single
/// pair may come in either order, as before several reports existed), adds
/// `--sarif-output`, and refuses what cannot be meant: two reports on
/// standard output or in one file, an `--output` with no `--format` before
/// it, an output that is a directory.
fn plan_reports(
    args: &ScanArgs,
    format_at: &[usize],
    output_at: &[usize],
) -> Result<Vec<ReportPlan>, String> {
    let mut plans: Vec<ReportPlan> = Vec::new();
    if args.format.len() <= 1 && args.output.len() <= 1 {
        plans.push(ReportPlan {
            format: args.format.first().copied().unwrap_or(Format::Human),
            output: args.output.first().cloned(),
        });
    } else {
        plans.extend(args.format.iter().map(|&format| ReportPlan {
            format,
            output: None,
        }));
        for (k, output) in args.output.iter().enumerate() {
            let at = output_at.get(k).copied().unwrap_or(usize::MAX);
            let owner = format_at.iter().rposition(|&f| f < at);
            let Some(plan) = owner.and_then(|i| plans.get_mut(i)) else {
                return Err(format!(
                    "--output {}: with several reports, write each --output after the --format it is for",
                    output.display()
                ));
            };
            if let Some(earlier) = &plan.output {
                return Err(format!(
                    "--format {} has two files, {} and {}",
                    format_name(plan.format),
                    earlier.display(),
                    output.display()
                ));
            }
            plan.output = Some(output.clone());
        }
    }
    if let Some(path) = &args.sarif_output {
        plans.push(ReportPlan {
            format: Format::Sarif,
            output: Some(path.clone()),
        });
    }
    if plans.iter().filter(|p| p.output.is_none()).count() > 1 {
        return Err(
            "several reports would go to standard output; give all but one an --output FILE".into(),
        );
    }
    let mut files: Vec<&Path> = Vec::new();
    for path in plans.iter().filter_map(|p| p.output.as_deref()) {
        if files.contains(&path) {
            return Err(format!(
                "two reports would be written to {}",
                path.display()
            ));
        }
        files.push(path);
        if path.is_dir() {
            return Err(format!(
                "--output {}: is a directory; name a file in it, e.g. {}",
                path.display(),
                path.join("seccheck.sarif").display()
            ));
        }
    }
    Ok(plans)
}

/// Checks the inputs of a scan and runs it: one scan per configuration
/// found for the given paths (or the one `--config` names), or standard
/// input judged as `--stdin-filename`. `Err` holds the exit code, after
/// the error was said.
fn collect(
    args: &mut ScanArgs,
    command: &str,
    inventory: bool,
) -> Result<crate::scan::ScanResult, i32> {
    for id in args.selection.enable.iter().chain(&args.selection.disable) {
        if rules::get(id).is_none() {
            eprintln!("error: {}", rules::unknown(id));
            return Err(2);
        }
    }
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    if stdin {
        let Some(name) = args.stdin_filename.clone() else {
            eprintln!(
                "error: `{command} -` needs `--stdin-filename PATH`: the name decides how the input is read"
            );
            return Err(2);
        };
        if args.paths.len() > 1 {
            eprintln!("error: `-` (standard input) cannot be scanned together with other paths");
            return Err(2);
        }
        // The input is judged as that file: configuration, the fence for
        // the files it refers to, and report paths all follow the name.
        args.paths = vec![name];
    } else if args.stdin_filename.is_some() {
        eprintln!("error: `--stdin-filename` names standard input; scan `-` with it");
        return Err(2);
    }
    for p in args.paths.iter().filter(|_| !stdin) {
        if !p.exists() {
            eprintln!("error: {}: no such file or directory", p.display());
            return Err(2);
        }
    }
    if let Some(dir) = args.srcroot.as_deref().filter(|d| !d.is_dir()) {
        eprintln!("error: --srcroot {}: not a directory", dir.display());
        return Err(2);
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    // Each given path is scanned under the configuration found for it
    // (or the one given with --config): one scan per configuration.
    let mut groups: Vec<(Option<PathBuf>, Vec<PathBuf>)> = Vec::new();
    for path in &args.paths {
        let config = match &args.selection.config {
            Some(file) => Some(file.clone()),
            None => crate::config::find(path, &cwd),
        };
        match groups.iter_mut().find(|(c, _)| *c == config) {
            Some((_, paths)) => paths.push(path.clone()),
            None => groups.push((config, vec![path.clone()])),
        }
    }
    let mut scans = Vec::new();
    for (config_path, paths) in groups {
        let config = match config_path.as_deref().map(crate::config::load) {
            None => crate::config::Config::default(),
            Some(Ok(config)) => config,
            Some(Err(e)) => {
                eprintln!("error: {e}");
                return Err(2);
            }
        };
        let mut options = ScanOptions::new(paths);
        options.inventory = inventory;
        options.no_ignore = args.selection.no_ignore;
        options.include_docs = args.selection.include_docs;
        options.include_vendored = args.selection.include_vendored || config.include_vendored;
        options.max_file_size = args.selection.max_file_size;
        // The command line wins over the file: a rule it enables is not
        // disabled by the file, and the other way round.
        options.enable = config.enable;
        options.enable.extend(args.selection.enable.iter().cloned());
        options.disable = config.disable;
        options
            .disable
            .retain(|d| !args.selection.enable.contains(d));
        options
            .disable
            .extend(args.selection.disable.iter().cloned());
        options.levels = config.levels;
        options.exclude = config.exclude;
        if args.selection.config.is_none() {
            options.exclude_base = config_path.as_deref().and_then(|c| {
                crate::read::normalize(&cwd.join(c))
                    .parent()
                    .map(Path::to_path_buf)
            });
        }
        options.extra_names = config.extra_names;
        scans.push(options);
    }
    let mut result = crate::scan::ScanResult::default();
    for options in &scans {
        let part = if stdin {
            match read_stdin(options.max_file_size) {
                Ok(bytes) => scan_source(&options.paths[0], bytes, options),
                Err(e) => {
                    eprintln!("error: cannot read standard input: {e}");
                    return Err(2);
                }
            }
        } else {
            scan(options)
        };
        result.merge(part);
    }
    Ok(result)
}

fn run_inventory(args: InventoryArgs) -> i32 {
    let mut scan_args = ScanArgs {
        paths: args.paths,
        stdin_filename: args.stdin_filename,
        format: Vec::new(),
        output: Vec::new(),
        sarif_output: None,
        srcroot: None,
        strict: false,
        fail_on: FailOn::Never,
        selection: args.selection,
        baseline: None,
        category: None,
    };
    if let Some(dir) = args.output.as_deref().filter(|p| p.is_dir()) {
        eprintln!("error: --output {}: is a directory", dir.display());
        return 2;
    }
    let result = match collect(&mut scan_args, "inventory", true) {
        Ok(result) => result,
        Err(code) => return code,
    };
    let ctx = Context::new(std::env::current_dir().unwrap_or_default());
    let write = |w: &mut dyn Write| match args.format {
        InventoryFormat::Table => crate::inventory::table::write(w, &result, &ctx),
        InventoryFormat::Json => crate::inventory::json::write(w, &result, &ctx),
        InventoryFormat::Csv => crate::inventory::csv::write(w, &result, &ctx),
    };
    let written = match &args.output {
        Some(path) => {
            write_atomically(path, write).map_err(|e| format!("to {}: {e}", path.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            match write(&mut out).and_then(|_| out.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.map_err(|e| format!("to standard output: {e}")),
            }
        }
    };
    if let Err(e) = written {
        eprintln!("error: cannot write the inventory {e}");
        return 2;
    }
    let failing = args
        .fail_on
        .and_then(FailOn::threshold)
        .is_some_and(|min| crate::inventory::fails(&result.inventory, min));
    i32::from(failing)
}

fn run_scan(mut args: ScanArgs, reports: Vec<ReportPlan>) -> i32 {
    let baseline = match args.baseline.as_deref().map(crate::baseline::load) {
        None => None,
        Some(Ok(set)) => Some(set),
        Some(Err(e)) => {
            eprintln!("error: --baseline {e}");
            return 2;
        }
    };
    let mut result = match collect(&mut args, "scan", false) {
        Ok(result) => result,
        Err(code) => return code,
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut ctx = Context {
        srcroot: report::source_root(args.srcroot.as_deref(), &args.paths, &cwd),
        cwd,
        category: args.category,
        color: false,
    };
    if let Some(baseline) = &baseline {
        let known = crate::baseline::filter(&mut result.findings, baseline, &ctx);
        if known > 0 {
            eprintln!("{known} finding(s) already in the baseline are not reported");
        }
    }
    let mut code = 0;
    for plan in &reports {
        let written = match &plan.output {
            Some(path) => {
                ctx.color = false;
                write_atomically(path, |w| report::write(plan.format, w, &result, &ctx))
                    .map_err(|e| format!("to {}: {e}", path.display()))
            }
            None => {
                ctx.color = plan.format == Format::Human
                    && use_colour(std::io::stdout().is_terminal(), |k| std::env::var_os(k));
                let mut out = std::io::stdout().lock();
                match report::write(plan.format, &mut out, &result, &ctx).and_then(|_| out.flush())
                {
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                    other => other.map_err(|e| format!("to standard output: {e}")),
                }
            }
        };
        if let Err(e) = written {
            eprintln!(
                "error: cannot write the {} report {e}",
                format_name(plan.format)
            );
            code = 2;
        }
    }
    let failed = result.failed_files().total();
    if args.strict && failed > 0 {
        eprintln!(
            "error: {failed} file{} could not be read or parsed (--strict)",
            if failed == 1 { "" } else { "s" }
        );
        return 2;
    }
    if code != 0 {
        return code;
    }
    let failing = args.fail_on.threshold().is_some_and(|min| {
        result
            .findings
            .iter()
            .any(|f| f.suppression.is_none() && f.level >= min)
    });
    i32::from(failing)
}

/// Whether the terminal report on standard output is coloured, decided as
/// `anstream` (the crate clap prints through) decides: a non-empty
/// `NO_COLOR` never (no-color.org); a non-empty `CLICOLOR_FORCE` always,
/// also into a pipe; `CLICOLOR=0` never; otherwise only on a terminal whose
/// `TERM` is set and not `dumb`, or in CI. Reports written to files are
/// never coloured.
fn use_colour(to_terminal: bool, env: impl Fn(&str) -> Option<std::ffi::OsString>) -> bool {
    let set = |k: &str| env(k).is_some_and(|v| !v.is_empty());
    if set("NO_COLOR") {
        return false;
    }
    if set("CLICOLOR_FORCE") {
        return true;
    }
    if env("CLICOLOR").is_some_and(|v| v == "0") {
        return false;
    }
    let term_colours = env("TERM").is_some_and(|t| t != "dumb");
    to_terminal && (term_colours || env("CLICOLOR").is_some() || env("CI").is_some())
}

/// Standard input, read up to one byte past the size limit: enough for the
/// limit's own check to refuse it, never more.
fn read_stdin(max_file_size: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(max_file_size.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Writes beside the target and renames, so a reader never sees half a report.
fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    // A symbolic link is written through: renaming over it would replace
    // the link with a file and leave its target stale.
    let resolved;
    let path = if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        let target = std::fs::read_link(path)?;
        resolved = path.parent().unwrap_or(Path::new("")).join(&target);
        if resolved
            .parent()
            .is_some_and(|d| !d.as_os_str().is_empty() && !d.is_dir())
        {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!(
                    "it is a symbolic link to {}, whose directory does not exist",
                    target.display()
                ),
            ));
        }
        resolved.as_path()
    } else {
        path
    };
    // A device or pipe (`/dev/null`, `/dev/stdout`, a FIFO) is written in
    // place: renaming over it would replace the device with a file.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        let mut out = std::io::BufWriter::new(std::fs::OpenOptions::new().write(true).open(path)?);
        fill(&mut out)?;
        return out.flush();
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        fill(&mut file)?;
        file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::use_colour;

    #[test]
    fn colour_follows_no_color_clicolor_and_term() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == k)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            }
        };
        assert!(use_colour(true, env(&[("TERM", "xterm")])));
        assert!(!use_colour(false, env(&[("TERM", "xterm")])));
        assert!(!use_colour(true, env(&[("TERM", "dumb")])));
        assert!(!use_colour(true, env(&[])));
        assert!(!use_colour(
            true,
            env(&[("TERM", "xterm"), ("NO_COLOR", "1")])
        ));
        // An empty NO_COLOR is unset (no-color.org).
        assert!(use_colour(
            true,
            env(&[("TERM", "xterm"), ("NO_COLOR", "")])
        ));
        assert!(use_colour(false, env(&[("CLICOLOR_FORCE", "1")])));
        assert!(use_colour(
            false,
            env(&[("CLICOLOR_FORCE", "1"), ("TERM", "dumb")])
        ));
        assert!(!use_colour(
            false,
            env(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")])
        ));
        assert!(!use_colour(
            true,
            env(&[("TERM", "xterm"), ("CLICOLOR", "0")])
        ));
    }
}
