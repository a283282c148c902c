#!/usr/bin/env bash
# Runs faaslint once per output: annotations in the log, a job summary, a SARIF report. Inputs
# arrive as environment variables (never interpolated into this script).
set -uo pipefail
read -r -a paths <<< "${INPUT_PATHS:-.}"
read -r -a extra <<< "${INPUT_ARGS:-}"
[ ${#paths[@]} -gt 0 ] || paths=(.)
fail_on="${INPUT_FAIL_ON:-warning}"
sarif="${INPUT_SARIF_FILE:-}"

faaslint check "${paths[@]}" "${extra[@]}" --format github --fail-on "$fail_on"
status=$?
if [ "$status" -eq 2 ]; then
  echo "::error title=faaslint::faaslint could not run (usage or configuration error, see the log above)"
  exit 2
fi

report=$(mktemp)
faaslint check "${paths[@]}" "${extra[@]}" --format json --fail-on never --output "$report"
python3 "$GITHUB_ACTION_PATH/action/summary.py" "$report" >> "$GITHUB_STEP_SUMMARY"
findings=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["diagnostics"]))' "$report")
echo "findings=$findings" >> "$GITHUB_OUTPUT"

if [ -n "$sarif" ]; then
  faaslint check "${paths[@]}" "${extra[@]}" --format sarif --fail-on never --output "$sarif"
  echo "sarif-file=$sarif" >> "$GITHUB_OUTPUT"
fi
exit "$status"
