#!/usr/bin/env bash
# Runs fuzz targets, each seeded with the fixtures of its kind, and prints how many inputs each
# one executed. A crashing input lands in fuzz/artifacts/TARGET/; keep it in
# fuzz/regressions/TARGET/ once fixed (tests/fuzz_regressions.rs replays that folder).
#
# usage: fuzz/run.sh TARGET|all [SECONDS]     (needs cargo-fuzz: cargo install cargo-fuzz)
# `all` runs the thirteen targets, SECONDS each (default 600), one after the other, or JOBS at a
# time with JOBS=2 in the environment.
# A nightly toolchain builds the fuzz targets; without one, the stable toolchain with
# RUSTC_BOOTSTRAP=1.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${2:-600}
targets=(template_yaml template_json serverless_yml typescript python rust_code config suppression terraform wrangler go java csharp)
[[ ${1:-} == all ]] && chosen=("${targets[@]}") || chosen=("${1:?usage: fuzz/run.sh TARGET|all [SECONDS]}")

seed_pattern() {
  case $1 in
    template_yaml|suppression) echo '*.yaml' ;;
    template_json) echo '*.json' ;;
    serverless_yml) echo 'serverless.yml' ;;
    typescript) echo '*.[jt]s' ;;
    python) echo '*.py' ;;
    rust_code) echo '*.rs' ;;
    config) echo '*.toml' ;;
    terraform) echo '*.tf' ;;
    go) echo '*.go' ;;
    java) echo '*.java' ;;
    csharp) echo '*.cs' ;;
    wrangler) echo 'wrangler.*' ;;
    *) echo "unknown target $1" >&2; exit 2 ;;
  esac
}

# Build once, then run the binaries, so that editing the crate meanwhile changes nothing. A
# nightly toolchain, where there is one, builds the sanitizer flags natively (some build scripts
# drop RUSTC_BOOTSTRAP when they probe the compiler).
if rustup run nightly rustc --version >/dev/null 2>&1; then
  cargo +nightly fuzz build -O
else
  RUSTC_BOOTSTRAP=1 cargo fuzz build -O
fi
bin=target/x86_64-unknown-linux-gnu/release
fuzz_one() {
  local target=$1 pattern corpus log status executions
  pattern=$(seed_pattern "$target")
  corpus=corpus/$target
  mkdir -p "$corpus" artifacts/"$target"
  find ../fixtures .. -maxdepth 4 -name "$pattern" -not -path '*/target/*' -not -path '*/fuzz/*' \
    -exec cp -n {} "$corpus"/ \; 2>/dev/null || true
  log=artifacts/$target/last-run.log
  status=ok
  "$bin/$target" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix=artifacts/"$target"/ >"$log" 2>&1 || status=FAILED
  executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  echo "$target: $status, $executions executions in ${seconds}s (log: fuzz/$log)"
}

jobs=${JOBS:-1}
for ((lane = 0; lane < jobs; lane++)); do
  (
    for ((i = lane; i < ${#chosen[@]}; i += jobs)); do
      fuzz_one "${chosen[$i]}"
    done
  ) &
done
wait
