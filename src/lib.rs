//! seccheck: finds containers whose seccomp confinement is switched off.
//!
//! Data flows one way: [`discover`] → [`formats`] (one module per format) →
//! [`model`] → [`rules`] (one module per rule) → [`finding`] → [`report`]
//! (one module per output format). [`scan`] wires them together; [`cli`] is
//! the command line.

pub mod baseline;
pub mod cli;
pub mod cmdline;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod finding;
pub mod formats;
pub mod inventory;
pub mod model;
pub mod read;
pub mod report;
pub mod rules;
pub mod scan;
pub mod source;
pub mod suppress;
pub mod yaml;

/// `0.1.0 (commit 0123…)`, or the bare version when the build did not know
/// its commit (see `build.rs`): what `--version` and SARIF's
/// `tool.driver.version` say.
pub const VERSION: &str = env!("SECCHECK_VERSION");
