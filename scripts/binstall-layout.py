#!/usr/bin/env python3
"""Checks that `cargo binstall` would find a release archive: the templates of
[package.metadata.binstall] in Cargo.toml, filled in for the archive's version and target,
name that archive and the binary inside it (cargo-binstall's own placeholders, as its
documentation defines them).

    python3 scripts/binstall-layout.py dist/scimcheck-v0.1.0-x86_64-unknown-linux-gnu.tar.gz
"""
import os
import re
import sys
import tarfile
import tomllib


def fill(template, values):
    def one(m):
        key = m.group(1)
        if key not in values:
            sys.exit(f"binstall-layout: Cargo.toml's template uses {{ {key} }}, which this check does not know")
        return values[key]
    return re.sub(r"\{\s*([a-z-]+)\s*\}", one, template)


def main():
    archive = sys.argv[1]
    with open("Cargo.toml", "rb") as f:
        package = tomllib.load(f)["package"]
    meta = package.get("metadata", {}).get("binstall")
    if not meta:
        sys.exit("binstall-layout: Cargo.toml has no [package.metadata.binstall]")
    if meta.get("pkg-fmt") != "tgz":
        sys.exit(f"binstall-layout: pkg-fmt is {meta.get('pkg-fmt')!r}, the archives are tgz")
    m = re.fullmatch(r"(scimcheck)-v([^-]+)-(.+)\.tar\.gz", os.path.basename(archive))
    if not m:
        sys.exit(f"binstall-layout: {archive} is not named scimcheck-vVERSION-TARGET.tar.gz")
    name, version, target = m.groups()
    values = {
        "repo": "https://example.invalid/repo",
        "name": name,
        "version": version,
        "target": target,
        "archive-suffix": ".tar.gz",
        "archive-format": "tgz",
        "bin": "scimcheck",
        "binary-ext": ".exe" if "windows" in target else "",
    }
    url = fill(meta["pkg-url"], values)
    expected = f"{values['repo']}/releases/download/v{version}/{os.path.basename(archive)}"
    if url != expected:
        sys.exit(f"binstall-layout: pkg-url gives {url}, the release holds {expected}")
    binary = fill(meta["bin-dir"], values)
    with tarfile.open(archive) as t:
        member = next((i for i in t.getmembers() if i.name == binary), None)
    if member is None or not member.isfile() or not member.mode & 0o111:
        sys.exit(f"binstall-layout: bin-dir names {binary}, which is no executable file in {archive}")
    print(f"binstall-layout: {os.path.basename(archive)} is where pkg-url points; {binary} is its binary")


if __name__ == "__main__":
    main()
