#!/usr/bin/env bash
# Puts faaslint on PATH. The release asset for this runner (RUNNER_OS/RUNNER_ARCH) at the
# requested version is downloaded, its SHA-256 checked against the published .sha256, and kept in
# the tool cache; only when no asset matches (a commit ref, a platform without a release binary)
# is faaslint built from the action's own source.
#
# Environment: INPUT_VERSION (empty: the action's own ref when it is a tag such as v0.1.0),
# ACTION_REF and ACTION_REPOSITORY (the action's ref and owner/name), FAASLINT_RELEASE_URL (the
# releases' base URL, for mirrors: <base>/v<version>/<asset>), FAASLINT_PREBUILT (a binary to use
# as is, for self-hosted runners that provide one).
set -euo pipefail

cache="${RUNNER_TOOL_CACHE:-$HOME/.cache}/faaslint"
fail() { echo "::error title=faaslint install::$1"; exit 1; }
put_on_path() { # <dir holding the binary>
  echo "$1" >> "$GITHUB_PATH"
  "$1/faaslint" --version
}

if [ -n "${FAASLINT_PREBUILT:-}" ]; then
  mkdir -p "$cache/prebuilt"
  cp "$FAASLINT_PREBUILT" "$cache/prebuilt/faaslint"
  put_on_path "$cache/prebuilt"
  exit 0
fi

version="${INPUT_VERSION:-}"
ref="${ACTION_REF:-${GITHUB_ACTION_REF:-}}"
if [ -z "$version" ] && [[ "$ref" =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]]; then
  version="$ref"
fi
version="${version#v}"

case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc ;;
  *) target="" ;;
esac

build_from_source() { # <why>
  echo "faaslint: $1; building it from the action's source"
  local root="$cache/source"
  local own
  own=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$GITHUB_ACTION_PATH/Cargo.toml" | head -n 1)
  if [ "$("$root/bin/faaslint" --version 2>/dev/null || true)" != "faaslint $own" ]; then
    cargo install --locked --path "$GITHUB_ACTION_PATH" --root "$root" --force
  fi
  put_on_path "$root/bin"
}

if [ -z "$version" ]; then
  build_from_source "no release version (input \`version\` is empty and the action's ref '${ref:-none}' is no tag)"
  exit 0
fi
if [ -z "$target" ]; then
  build_from_source "no release binary for ${RUNNER_OS:-unknown}/${RUNNER_ARCH:-unknown}"
  exit 0
fi

dir="$cache/$version/$target"
exe=faaslint
[ "${RUNNER_OS}" = Windows ] && exe=faaslint.exe
if [ -f "$dir.complete" ] && [ -x "$dir/$exe" ]; then
  echo "faaslint: $version for $target from the tool cache"
  put_on_path "$dir"
  exit 0
fi

name="faaslint-$version-$target"
asset="$name.tar.gz"
[ "${RUNNER_OS}" = Windows ] && asset="$name.zip"
repository="${ACTION_REPOSITORY:-${GITHUB_ACTION_REPOSITORY:-}}"
base="${FAASLINT_RELEASE_URL:-https://github.com/$repository/releases/download}"
url="$base/v$version/$asset"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=$(curl -sSL --retry 3 --retry-connrefused -o "$work/$asset" -w '%{http_code}' "$url" || true)
if [ "$status" = 404 ]; then
  build_from_source "no release asset $asset at $url"
  exit 0
fi
[ "$status" = 200 ] || fail "could not download $url (HTTP status ${status:-none})"
curl -fsSL --retry 3 -o "$work/$asset.sha256" "$url.sha256" \
  || fail "could not download the checksum $url.sha256; the asset is not used unverified"

expected=$(awk 'NR == 1 { print tolower($1) }' "$work/$asset.sha256")
if command -v sha256sum >/dev/null 2>&1; then
  actual=$(sha256sum "$work/$asset" | awk '{ print $1 }')
else
  actual=$(shasum -a 256 "$work/$asset" | awk '{ print $1 }')
fi
if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
  fail "checksum mismatch for $asset: the release says ${expected:-nothing}, the download is $actual. The file was not installed; download it again, or report it if it persists."
fi

mkdir -p "$dir"
case "$asset" in
  *.zip) unzip -q -o "$work/$asset" -d "$work/unpacked" ;;
  *) mkdir -p "$work/unpacked" && tar -xzf "$work/$asset" -C "$work/unpacked" ;;
esac
cp "$work/unpacked/$name/$exe" "$dir/$exe"
chmod 755 "$dir/$exe"
touch "$dir.complete"
echo "faaslint: downloaded $asset (SHA-256 verified) into the tool cache"
put_on_path "$dir"
