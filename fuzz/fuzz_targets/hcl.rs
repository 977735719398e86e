//! Terraform, Nomad and docker-bake HCL: the first byte picks the file's
//! name (`names.txt`), the rest is the file, judged as `scan` judges it and
//! rendered in every report.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| seccheck_fuzz::judge_file("hcl", data));
