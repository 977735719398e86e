//! The official conformance suites against seccheck's readers, with the data
//! vendored under `testdata/conformance/` (see its README for the commits).
//!
//! Each suite asserts the exact set of cases that still differ, with the
//! reason, so that a fix and a regression both show up as a failing test.
//! `cargo test --test conformance -- --nocapture` prints the pass rates.

mod json;
mod yaml;

use std::path::{Path, PathBuf};

fn suite_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/conformance")
        .join(name)
}
