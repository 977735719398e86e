//! Compose, Kubernetes, GitHub Actions, GitLab CI, Go- and Jinja-templated
//! YAML, Helm templates and values: the first byte picks the file's name
//! (`names.txt`), the rest is the file, judged as `scan` judges it and
//! rendered in every report.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| seccheck_fuzz::judge_file("yaml", data));
