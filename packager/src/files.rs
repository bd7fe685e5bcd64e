//! Reading the files a submission or a command names, with limits: a path may point at
//! `/dev/zero`, a FIFO, a 2 GB sparse file or a directory, and none of that may exhaust memory
//! or hang `package` and `verify`. Sizes are checked from metadata before reading, only
//! regular files are read, and a read never takes more than the limit (a file growing while
//! it is read is cut off and refused).

use std::io::Read;
use std::path::Path;

/// The configuration guide's size limit (a guide of HTML or PDF; Okta's own are far smaller).
pub const GUIDE_MAX_BYTES: u64 = 10 * 1024 * 1024;

/// The largest `results.json` or `junit.xml` read (a 100k-user import run is well under).
pub const RESULTS_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// The largest bundle file `verify` reads (compressed).
pub const BUNDLE_MAX_BYTES: u64 = 256 * 1024 * 1024;

/// Why a file could not be read within its limit.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file is missing or unreadable.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not a regular file (a device, FIFO, socket or directory).
    #[error("{0} is not a regular file (a device, FIFO or directory is never read)")]
    NotRegular(String),
    /// Larger than the limit.
    #[error("{path} is {size} bytes; the limit is {limit} bytes")]
    TooLarge {
        /// The path.
        path: String,
        /// Its size (or the limit + 1 when it grew while read).
        size: u64,
        /// The limit.
        limit: u64,
    },
}

/// Reads a regular file of at most `limit` bytes.
pub fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let name = || path.display().to_string();
    let io = |source| ReadError::Io {
        path: name(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(name()));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            path: name(),
            size: meta.len(),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .map_err(io)?
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            path: name(),
            size: limit + 1,
            limit,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_directories_and_large_files_are_refused_without_reading() {
        assert!(matches!(
            read_capped(Path::new("/dev/zero"), 1024),
            Err(ReadError::NotRegular(_))
        ));
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read_capped(dir.path(), 1024),
            Err(ReadError::NotRegular(_))
        ));
        // A 2 GB sparse file: refused from its metadata, nothing read.
        let sparse = dir.path().join("sparse.png");
        std::fs::File::create(&sparse)
            .unwrap()
            .set_len(2 << 30)
            .unwrap();
        assert!(matches!(
            read_capped(&sparse, 1024),
            Err(ReadError::TooLarge { size, .. }) if size == 2 << 30
        ));
        let small = dir.path().join("small");
        std::fs::write(&small, b"abc").unwrap();
        assert_eq!(read_capped(&small, 3).unwrap(), b"abc");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("guide.html");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            panic!("mkfifo is needed for this test and is missing");
        }
        assert!(matches!(
            read_capped(&fifo, 1024),
            Err(ReadError::NotRegular(_))
        ));
    }
}
