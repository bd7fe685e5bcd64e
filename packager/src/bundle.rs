//! The review bundle: a deterministic `.tar.gz` (sorted entries, fixed mode, owner and times,
//! gzip without a timestamp: the same inputs give the same bytes) with `SHA256SUMS` over
//! every other file, and its verification.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use sha2::{Digest, Sha256};

/// The files every bundle holds (besides the logo and a bundled guide).
pub const REQUIRED_FILES: &[&str] = &[
    "manifest.json",
    "report.html",
    "results/junit.xml",
    "results/results.json",
    "submission.json",
];

/// The checksum file's name.
pub const SUMS: &str = "SHA256SUMS";

/// Lower-case hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `SHA256SUMS` text for these files (sorted by name, `sha256sum` format).
pub fn sums(files: &BTreeMap<String, Vec<u8>>) -> String {
    files
        .iter()
        .map(|(name, data)| format!("{}  {name}\n", sha256_hex(data)))
        .collect()
}

/// Writes the files and their SHA256SUMS as a deterministic tar.gz.
pub fn write_tar_gz(files: &BTreeMap<String, Vec<u8>>) -> std::io::Result<Vec<u8>> {
    let mut all: Vec<(String, Vec<u8>)> =
        files.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    all.push((SUMS.to_string(), sums(files).into_bytes()));
    let gz = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    for (name, data) in &all {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, name, data.as_slice())?;
    }
    let gz = tar.into_inner()?;
    let mut bytes = gz.finish()?;
    bytes.flush()?;
    Ok(bytes)
}

/// Reads every regular file of a tar.gz (names to bytes); an unreadable archive is an error
/// message, not a panic.
pub fn read_tar_gz(bytes: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let mut out = BTreeMap::new();
    for entry in archive
        .entries()
        .map_err(|e| format!("not a tar.gz: {e}"))?
    {
        let mut entry = entry.map_err(|e| format!("unreadable entry: {e}"))?;
        let name = entry
            .path()
            .map_err(|e| format!("bad entry name: {e}"))?
            .to_string_lossy()
            .into_owned();
        if entry.header().entry_type() != tar::EntryType::Regular {
            return Err(format!("{name}: not a regular file"));
        }
        let mut data = Vec::new();
        entry
            .read_to_end(&mut data)
            .map_err(|e| format!("{name}: {e}"))?;
        if out.insert(name.clone(), data).is_some() {
            return Err(format!("{name} appears twice"));
        }
    }
    Ok(out)
}

/// Checks SHA256SUMS against the files: every tampered, missing or extra file is named.
pub fn check_sums(files: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let Some(text) = files.get(SUMS) else {
        return vec![format!("{SUMS} is missing")];
    };
    let text = String::from_utf8_lossy(text);
    let mut problems = Vec::new();
    let mut listed = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match line.split_once("  ") {
            Some((hash, name)) => {
                listed.insert(name.to_string(), hash.to_string());
            }
            None => problems.push(format!("{SUMS}: malformed line {line:?}")),
        }
    }
    for (name, hash) in &listed {
        match files.get(name) {
            None => problems.push(format!(
                "{name}: listed in {SUMS} but missing from the bundle"
            )),
            Some(data) if sha256_hex(data) != *hash => problems.push(format!(
                "{name}: its SHA-256 does not match {SUMS} (tampered)"
            )),
            Some(_) => {}
        }
    }
    for name in files
        .keys()
        .filter(|n| *n != SUMS && !listed.contains_key(*n))
    {
        problems.push(format!(
            "{name}: in the bundle but not in {SUMS} (extra file)"
        ));
    }
    for name in REQUIRED_FILES {
        if !files.contains_key(*name) {
            problems.push(format!("{name}: required in every bundle, missing"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> BTreeMap<String, Vec<u8>> {
        REQUIRED_FILES
            .iter()
            .map(|n| (n.to_string(), format!("content of {n}").into_bytes()))
            .collect()
    }

    #[test]
    fn same_inputs_same_bytes_and_round_trip() {
        let a = write_tar_gz(&files()).unwrap();
        let b = write_tar_gz(&files()).unwrap();
        assert_eq!(a, b);
        let back = read_tar_gz(&a).unwrap();
        assert!(check_sums(&back).is_empty(), "{:?}", check_sums(&back));
    }

    #[test]
    fn tampering_is_named() {
        let mut back = read_tar_gz(&write_tar_gz(&files()).unwrap()).unwrap();
        back.insert("report.html".into(), b"changed".to_vec());
        back.insert("extra.txt".into(), b"x".to_vec());
        back.remove("submission.json");
        let p = check_sums(&back).join("\n");
        assert!(p.contains("report.html: its SHA-256 does not match"), "{p}");
        assert!(
            p.contains("extra.txt: in the bundle but not in SHA256SUMS"),
            "{p}"
        );
        assert!(
            p.contains("submission.json: listed in SHA256SUMS but missing"),
            "{p}"
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(read_tar_gz(b"not a tarball").is_err());
    }
}
