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

/// The most entries a bundle may hold (a real one has about ten).
pub const MAX_ENTRIES: usize = 64;

/// The largest entry read, uncompressed (a results.json of a large import fits).
pub const MAX_ENTRY_BYTES: u64 = 64 * 1024 * 1024;

/// The most all entries together may hold, uncompressed: a gzip bomb stops here.
pub const MAX_TOTAL_BYTES: u64 = 256 * 1024 * 1024;

/// Reads every regular file of a tar.gz (names to bytes); an unreadable archive is an error
/// message, not a panic. The archive is streamed: each entry's declared size is checked
/// before it is read, no read takes more than the limits ([`MAX_ENTRIES`],
/// [`MAX_ENTRY_BYTES`], [`MAX_TOTAL_BYTES`]), so memory stays bounded whatever the archive
/// expands to.
pub fn read_tar_gz(bytes: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let mut out = BTreeMap::new();
    let mut total: u64 = 0;
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
        if out.len() >= MAX_ENTRIES {
            return Err(format!("more than {MAX_ENTRIES} entries: not a bundle"));
        }
        let size = entry.header().size().map_err(|e| format!("{name}: {e}"))?;
        if size > MAX_ENTRY_BYTES || total + size > MAX_TOTAL_BYTES {
            return Err(format!(
                "{name}: {size} bytes uncompressed, over the limits of a bundle ({MAX_ENTRY_BYTES} bytes an entry, {MAX_TOTAL_BYTES} in all); not read"
            ));
        }
        let mut data = Vec::with_capacity(size as usize);
        (&mut entry)
            .take(size.min(MAX_ENTRY_BYTES))
            .read_to_end(&mut data)
            .map_err(|e| format!("{name}: {e}"))?;
        total += data.len() as u64;
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

    /// A tar.gz whose one entry declares `size` bytes and holds `body`.
    fn declared(size: u64, body: &[u8]) -> Vec<u8> {
        let mut header = tar::Header::new_gnu();
        header.set_path("results/results.json").unwrap();
        header.set_size(size);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        let mut raw = header.as_bytes().to_vec();
        raw.extend_from_slice(body);
        raw.resize(raw.len().next_multiple_of(512) + 1024, 0);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &raw).unwrap();
        gz.finish().unwrap()
    }

    /// Regression: `verify` read every entry whole, so a 2 MB gzip bomb of 2 GiB took 2.1 GB
    /// of memory and a 10 GiB one was killed.
    #[test]
    fn a_bomb_is_refused_from_its_header_without_reading() {
        let err = read_tar_gz(&declared(10 << 30, b"{}")).unwrap_err();
        assert!(err.contains("over the limits of a bundle"), "{err}");
        let many: BTreeMap<String, Vec<u8>> = (0..MAX_ENTRIES + 1)
            .map(|i| (format!("f{i}"), vec![b'x']))
            .collect();
        let err = read_tar_gz(&write_tar_gz(&many).unwrap()).unwrap_err();
        assert!(err.contains("entries"), "{err}");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(read_tar_gz(b"not a tarball").is_err());
    }
}
