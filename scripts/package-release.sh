#!/usr/bin/env bash
# Packs a built scimcheck into the archive a user downloads and runs without a Rust toolchain:
#   scimcheck-<version>-<target>.tar.gz   the binary, README.md, the man page, shell completions
#   scimcheck-<version>-<target>.tar.gz.sha256   its SHA-256, as `sha256sum -c` reads it
# The release workflow (.github/workflows/release.yml) runs it for every platform; CI runs it
# for this machine's target and checks the result with scripts/check-release.sh.
#
# usage: scripts/package-release.sh TARGET VERSION OUTDIR [BINARY]
#   BINARY defaults to target/TARGET/release/scimcheck (scimcheck.exe on Windows).
set -euo pipefail
target="$1" version="$2" out="$3"
exe=scimcheck
case "$target" in *windows*) exe=scimcheck.exe ;; esac
binary="${4:-target/$target/release/$exe}"
[ -x "$binary" ] || { echo "package-release: no executable at $binary (build it first)" >&2; exit 2; }
# The archive's version is the binary's: a tag and a Cargo.toml that disagree stop here.
built=$("$binary" --version | awk '{print $2}')
[ "v$built" = "$version" ] || [ "$built" = "$version" ] || {
  echo "package-release: the binary is version $built, not $version" >&2; exit 2; }

name="scimcheck-$version-$target"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name/completions" "$out"
cp "$binary" "$stage/$name/$exe"
cp README.md "$stage/$name/"
"$binary" man > "$stage/$name/scimcheck.1"
for shell in bash zsh fish; do
  "$binary" completions "$shell" > "$stage/$name/completions/scimcheck.$shell"
done
# Reproducible with GNU tar (Linux; gtar where installed): sorted names, no owner, the commit's
# time (or 0) as every file's time. BSD tar (macOS, Windows) packs the same files plainly.
mtime="${SOURCE_DATE_EPOCH:-0}"
gnu_tar=""
for t in tar gtar; do
  if command -v "$t" >/dev/null && "$t" --version 2>/dev/null | grep -q "GNU tar"; then gnu_tar="$t"; break; fi
done
if [ -n "$gnu_tar" ]; then
  "$gnu_tar" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" \
    -C "$stage" -czf "$out/$name.tar.gz" "$name"
else
  tar -C "$stage" -czf "$out/$name.tar.gz" "$name"
fi
(cd "$out" && if command -v sha256sum >/dev/null; then sha256sum "$name.tar.gz"; else shasum -a 256 "$name.tar.gz"; fi) \
  > "$out/$name.tar.gz.sha256"
echo "$out/$name.tar.gz"
