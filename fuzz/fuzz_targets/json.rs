//! devcontainer.json (JSONC), daemon.json, seccomp profiles, Terraform and
//! bake JSON, inspect output: the first byte picks the file's name
//! (`names.txt`), the rest is the file, judged as `scan` judges it and
//! rendered in every report.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| seccheck_fuzz::judge_file("json", data));
