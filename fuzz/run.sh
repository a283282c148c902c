#!/usr/bin/env bash
# Runs one fuzz target for a while, seeded with the fixtures of its kind.
# usage: fuzz/run.sh TARGET [SECONDS]      (needs cargo-fuzz: cargo install cargo-fuzz)
# The machine's stable toolchain builds fuzz targets with RUSTC_BOOTSTRAP=1.
set -euo pipefail
cd "$(dirname "$0")"
target=$1
seconds=${2:-600}
corpus=corpus/$target
mkdir -p "$corpus" artifacts/"$target"
case $target in
  template_yaml|suppression) pattern='*.yaml' ;;
  template_json) pattern='*.json' ;;
  serverless_yml) pattern='serverless.yml' ;;
  typescript) pattern='*.[jt]s' ;;
  python) pattern='*.py' ;;
  rust_code) pattern='*.rs' ;;
  config) pattern='*.toml' ;;
  *) echo "unknown target $target" >&2; exit 2 ;;
esac
find ../fixtures .. -maxdepth 4 -name "$pattern" -not -path '*/target/*' -not -path '*/fuzz/*' \
  -exec cp -n {} "$corpus"/ \; 2>/dev/null || true
RUSTC_BOOTSTRAP=1 cargo fuzz run -O "$target" "$corpus" -- \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix=artifacts/"$target"/
