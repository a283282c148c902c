#!/usr/bin/env node
// Runs the faaslint binary of this platform's package (`@faaslint/cli-<os>-<cpu>`, one of the
// optional dependencies; npm installs only the one whose `os` and `cpu` match).
"use strict";

const { spawnSync } = require("node:child_process");
const path = require("node:path");

const platform = `${process.platform}-${process.arch}`;
const packageName = `@faaslint/cli-${platform}`;
const supported = Object.keys(require("../package.json").optionalDependencies);

function fail(message) {
  process.stderr.write(`faaslint: ${message}\n`);
  process.exit(1);
}

function binaryPath() {
  if (process.env.FAASLINT_BINARY) {
    return process.env.FAASLINT_BINARY;
  }
  if (!supported.includes(packageName)) {
    const platforms = supported.map((name) => name.replace("@faaslint/cli-", "")).join(", ");
    fail(
      `no prebuilt binary for ${platform}; there are binaries for ${platforms}.\n` +
        "Build it from source with `cargo install faaslint`, then point FAASLINT_BINARY at it."
    );
  }
  const executable = process.platform === "win32" ? "faaslint.exe" : "faaslint";
  try {
    const manifest = require.resolve(`${packageName}/package.json`);
    return path.join(path.dirname(manifest), "bin", executable);
  } catch {
    fail(
      `the package ${packageName} with this platform's binary is not installed.\n` +
        "It is an optional dependency of faaslint: install again without `--omit=optional` " +
        "(or `--no-optional`), or add it yourself."
    );
  }
}

const result = spawnSync(binaryPath(), process.argv.slice(2), { stdio: "inherit" });
if (result.error) {
  fail(`could not run ${result.error.path ?? "the binary"}: ${result.error.message}`);
}
if (result.signal) {
  process.kill(process.pid, result.signal);
}
process.exit(result.status ?? 1);
