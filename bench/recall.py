#!/usr/bin/env python3
"""Score a seccheck JSON report against gen-corpus's expected.jsonl.

usage: recall.py REPORT.json CORPUS_DIR

A planted finding is found when a finding of the matching rule starts at the
same file, line and column. Prints recall, and the findings that match no
planted one (extras: look-alikes reported, or real findings gen-corpus did
not plant; each is listed for a human to judge).
"""
import json
import os
import sys

KIND_TO_RULES = {
    "seccomp-unconfined": {"seccomp-unconfined"},
    # gen-corpus counts BuildKit's RUN --security=insecure as "privileged".
    "privileged": {"privileged-container", "build-insecure"},
}

report = json.load(open(sys.argv[1]))
corpus = sys.argv[2]
found = {}
for f in report["findings"]:
    path = f["location"]["path"]
    path = os.path.relpath(os.path.abspath(path), os.path.abspath(corpus))
    key = (path, f["location"]["start"]["line"], f["location"]["start"]["column"])
    found.setdefault(key, set()).add(f["rule"])

expected = [json.loads(l) for l in open(os.path.join(corpus, "expected.jsonl"))]
missed = []
matched = set()
for e in expected:
    key = (e["file"], e["line"], e["col"])
    if found.get(key, set()) & KIND_TO_RULES[e["kind"]]:
        matched.add(key)
    else:
        missed.append(e)
extras = sorted(k for k in found if k not in matched)
print(f"recall: {len(expected) - len(missed)}/{len(expected)} planted findings")
print(f"extra findings: {len(extras)}")
for e in missed[:20]:
    print("  missed:", e["file"], e["line"], e["col"], e["kind"], e["format"], repr(e["text"]))
for k in extras[:20]:
    print("  extra:", *k, sorted(found[k]))
sys.exit(1 if missed else 0)
