#!/usr/bin/env bash
# Builds faaslint from the action's own source into the tool cache, unless the cached binary is
# already this version. FAASLINT_PREBUILT (a path to a faaslint binary) skips the build, for
# self-hosted runners that provide one.
set -euo pipefail
root="${FAASLINT_INSTALL_ROOT:-${RUNNER_TOOL_CACHE:-$HOME/.cache}/faaslint}"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$GITHUB_ACTION_PATH/Cargo.toml" | head -n 1)
mkdir -p "$root/bin"
if [ -n "${FAASLINT_PREBUILT:-}" ]; then
  cp "$FAASLINT_PREBUILT" "$root/bin/faaslint"
elif [ "$("$root/bin/faaslint" --version 2>/dev/null || true)" != "faaslint $version" ]; then
  cargo install --locked --path "$GITHUB_ACTION_PATH" --root "$root" --force
fi
echo "$root/bin" >> "$GITHUB_PATH"
"$root/bin/faaslint" --version
