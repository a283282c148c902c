// Writes the npm package holding one platform's faaslint binary:
//   node npm/make-platform-package.mjs <os> <cpu> <binary> <out-dir>
// <os> and <cpu> are Node's names (linux, darwin, win32; x64, arm64). The package's version is
// the launcher's, so `npm/faaslint/package.json` is the one place a release changes it.
import { copyFileSync, chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const [os, cpu, binary, out] = process.argv.slice(2);
if (!out) {
  console.error("usage: make-platform-package.mjs <os> <cpu> <binary> <out-dir>");
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const launcher = JSON.parse(readFileSync(join(here, "faaslint", "package.json"), "utf8"));
const name = `@faaslint/cli-${os}-${cpu}`;
if (!(name in launcher.optionalDependencies)) {
  console.error(`${name} is not an optional dependency of npm/faaslint/package.json`);
  process.exit(2);
}
const executable = os === "win32" ? "faaslint.exe" : "faaslint";
mkdirSync(join(out, "bin"), { recursive: true });
copyFileSync(binary, join(out, "bin", executable));
chmodSync(join(out, "bin", executable), 0o755);
const manifest = {
  name,
  version: launcher.version,
  description: `The faaslint binary for ${os}-${cpu}; install the faaslint package, which selects it`,
  license: launcher.license,
  // Linux binaries are static (musl): they run with glibc and musl alike, so no `libc` field.
  os: [os],
  cpu: [cpu],
  files: [`bin/${executable}`],
  preferUnplugged: true,
};
writeFileSync(join(out, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
writeFileSync(
  join(out, "README.md"),
  `# ${name}\n\nThe faaslint binary for ${os}-${cpu}. Install \`faaslint\`, which depends on it.\n`
);
