//! Shell scripts, Makefiles and justfiles, systemd units and drop-ins,
//! Dockerfiles, Quadlet units, containers.conf, Markdown and files sniffed
//! by their first bytes: the first byte picks the file's name
//! (`names.txt`), the rest is the file, judged as `scan` judges it and
//! rendered in every report.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| seccheck_fuzz::judge_file("text", data));
