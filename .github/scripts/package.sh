#!/usr/bin/env bash
# Packs one release asset: faaslint-<version>-<target>.tar.gz (.zip for Windows) holding
# faaslint-<version>-<target>/faaslint[.exe], with a .sha256 beside it (`<hex>  <file>`, as
# sha256sum writes it). Usage: package.sh <version> <target-triple> <binary> <out-dir>
set -euo pipefail
version=$1 target=$2 binary=$3 out=$4
name="faaslint-$version-$target"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/$name" "$out"
case "$target" in
  *windows*) exe=faaslint.exe ;;
  *) exe=faaslint ;;
esac
cp "$binary" "$work/$name/$exe"
chmod 755 "$work/$name/$exe"
if [ -f README.md ]; then cp README.md "$work/$name/"; fi
case "$target" in
  *windows*)
    asset="$name.zip"
    (cd "$work" && 7z a -tzip -bd "$asset" "$name" >/dev/null) ;;
  *)
    asset="$name.tar.gz"
    tar -C "$work" -czf "$work/$asset" "$name" ;;
esac
mv "$work/$asset" "$out/$asset"
if command -v sha256sum >/dev/null 2>&1; then
  (cd "$out" && sha256sum "$asset" > "$asset.sha256")
else
  (cd "$out" && shasum -a 256 "$asset" > "$asset.sha256")
fi
echo "$out/$asset"
