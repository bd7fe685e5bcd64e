#!/usr/bin/env bash
# Checks a release archive the way a user meets it: the checksum matches, it unpacks into one
# folder, the binary in it runs on a machine with no Rust toolchain on PATH, says the archive's
# version, and its `demo` passes (the built-in reference servers, every suite, a verified
# bundle); the man page and completions are there; `cargo binstall`'s templates in Cargo.toml
# point at the archive and its binary (run from the repository's root).
#
# usage: scripts/check-release.sh ARCHIVE.tar.gz
set -euo pipefail
archive="$1"
dir=$(cd "$(dirname "$archive")" && pwd)
file=$(basename "$archive")
(cd "$dir" && if command -v sha256sum >/dev/null; then sha256sum -c "$file.sha256"; else shasum -a 256 -c "$file.sha256"; fi)
unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
tar -xzf "$archive" -C "$unpacked"
name="${file%.tar.gz}"
top=$(ls "$unpacked")
[ "$top" = "$name" ] || { echo "check-release: the archive unpacks into '$top', not '$name'" >&2; exit 1; }
for f in scimcheck README.md scimcheck.1 completions/scimcheck.bash completions/scimcheck.zsh completions/scimcheck.fish; do
  [ -s "$unpacked/$name/$f" ] || { echo "check-release: $f missing from the archive" >&2; exit 1; }
done
python3 "$(dirname "$0")/binstall-layout.py" "$archive"
version="${name#scimcheck-}"; version="${version%%-*}"
# No cargo, no rustc: only the system's own tools.
env -i PATH=/usr/bin:/bin HOME="$unpacked" "$unpacked/$name/scimcheck" --version | grep -q " ${version#v}$" || {
  echo "check-release: the binary does not say version $version" >&2; exit 1; }
(cd "$unpacked" && env -i PATH=/usr/bin:/bin HOME="$unpacked" "$unpacked/$name/scimcheck" demo --out results >demo.log 2>&1) || {
  tail -20 "$unpacked/demo.log"; echo "check-release: demo failed from the archive" >&2; exit 1; }
grep -E "^(PASSED|FAILED)" "$unpacked/demo.log"
echo "check-release: $file verified, unpacks, runs demo (exit 0)"
