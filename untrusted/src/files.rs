//! Local files as untrusted input and output. Reading: a path a user or a submission names
//! may point at `/dev/zero`, a FIFO, a 2 GB sparse file or a directory, and none of that may
//! exhaust memory or hang a command; sizes are checked from metadata before reading, only
//! regular files are read, and a read never takes more than the limit of its kind (a file
//! growing while it is read is cut off and refused). Writing: a file is written beside its
//! final name and renamed onto it, so a symlink planted at that name is replaced, never
//! followed, and a reader never sees half a file.

use std::io::Read;
use std::path::Path;

/// A configuration file's limit (`scimcheck.toml`, a submission file).
pub const CONFIG_MAX_BYTES: u64 = 1024 * 1024;

/// A suite file's limit (the largest built-in suite is under 100 KiB).
pub const SUITE_MAX_BYTES: u64 = 4 * 1024 * 1024;

/// A Runscope export's limit (Okta's are under 200 KiB).
pub const RUNSCOPE_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// A PEM file of CA certificates' limit.
pub const CERTIFICATES_MAX_BYTES: u64 = 4 * 1024 * 1024;

/// The configuration guide's size limit (a guide of HTML or PDF; Okta's own are far smaller).
pub const GUIDE_MAX_BYTES: u64 = 10 * 1024 * 1024;

/// The largest `results.json` or `junit.xml` read (a 100k-user import run is well under).
pub const RESULTS_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// The largest bundle file `verify` reads (compressed).
pub const BUNDLE_MAX_BYTES: u64 = 256 * 1024 * 1024;

/// Why a file could not be read within its limit.
#[derive(Debug)]
pub enum ReadError {
    /// The file is missing or unreadable.
    Io {
        /// The path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not a regular file (a device, FIFO, socket or directory).
    NotRegular(String),
    /// Larger than the limit.
    TooLarge {
        /// The path.
        path: String,
        /// Its size (or the limit + 1 when it grew while read).
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Not UTF-8 text, where text was expected.
    NotText(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io { path, source } => write!(f, "cannot read {path}: {source}"),
            ReadError::NotRegular(path) => write!(
                f,
                "{path} is not a regular file (a device, FIFO or directory is never read)"
            ),
            ReadError::TooLarge { path, size, limit } => {
                write!(f, "{path} is {size} bytes; the limit is {limit} bytes")
            }
            ReadError::NotText(path) => write!(f, "{path} is not UTF-8 text"),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
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

/// Reads a regular file of at most `limit` bytes as UTF-8 text.
pub fn read_text_capped(path: &Path, limit: u64) -> Result<String, ReadError> {
    String::from_utf8(read_capped(path, limit)?)
        .map_err(|_| ReadError::NotText(path.display().to_string()))
}

/// Writes `bytes` to `path` through a new file beside it, renamed onto it: a symlink at `path`
/// is replaced, not followed, and the file is never seen half written. `private` makes it
/// readable by its owner only (0600 on Unix) from its creation on.
pub fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other(format!("{} names no file", path.display())))?;
    let mut temp = None;
    for attempt in 0..16u32 {
        let candidate = dir.join(format!(
            ".{}.{}-{attempt}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(if private { 0o600 } else { 0o644 });
        }
        match options.open(&candidate) {
            Ok(file) => {
                temp = Some((candidate, file));
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    let (temp_path, mut file) = temp.ok_or_else(|| {
        std::io::Error::other(format!(
            "no temporary file could be made in {}",
            dir.display()
        ))
    })?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&temp_path, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp_path);
    }
    written
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
    fn a_symlink_at_the_final_name_is_replaced_not_followed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let planted = dir.path().join("results.json");
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        write_atomic(&planted, b"{}", false).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(std::fs::read_to_string(&planted).unwrap(), "{}");
        assert!(
            !std::fs::symlink_metadata(&planted)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        write_atomic(&dir.path().join("token"), b"t", true).unwrap();
        let mode = std::fs::metadata(dir.path().join("token"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        // Nothing else is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
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
