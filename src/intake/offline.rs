//! Offline intake: `.eml` files, folders of them, and Maildirs, for demos and backfills.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use jiff::Timestamp;

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("no such file or folder: {}", path.display())]
    NotFound { path: PathBuf },
    #[error("cannot read folder {}", path.display())]
    ReadFolder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// One file that holds (or should hold) one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageFile {
    pub path: PathBuf,
    /// The delivery time a Maildir file name records (`<unix seconds>.<unique>`).
    pub delivered_at: Option<Timestamp>,
    /// The size from the directory listing, so an oversize file is never read.
    pub size: Option<u64>,
    /// What the path is when it is not a regular file (`a FIFO`, `a character device`):
    /// such a path is never opened, only listed in the quarantine.
    pub not_regular: Option<&'static str>,
}

impl MessageFile {
    fn new(path: PathBuf, metadata: Option<&fs::Metadata>, in_maildir: bool) -> MessageFile {
        let delivered_at = in_maildir.then(|| maildir_delivery_time(&path)).flatten();
        MessageFile {
            path,
            delivered_at,
            size: metadata.map(fs::Metadata::len),
            not_regular: metadata.and_then(not_regular),
        }
    }
}

/// Lists the message files under `paths`, in a stable order: each argument in turn, and
/// within a Maildir its `cur/` and `new/` messages by file name, which Maildir makes
/// delivery order. A folder that is not a Maildir contributes its `*.eml` files, and
/// its sub-folders recursively. `tmp/` (deliveries in progress) and hidden entries are
/// skipped. Symlinks are followed, but each folder and each file (by device and inode) is
/// visited once, so a symlink cycle ends and a file reached twice counts once.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<MessageFile>, IntakeError> {
    let mut walk = Walk::default();
    for path in paths {
        let metadata =
            fs::metadata(path).map_err(|_| IntakeError::NotFound { path: path.clone() })?;
        if metadata.is_dir() {
            walk.folder(path, &metadata)?;
        } else if walk.first_visit_of_file(&metadata) {
            walk.files
                .push(MessageFile::new(path.clone(), Some(&metadata), false));
        }
    }
    Ok(walk.files)
}

/// Device and inode: what a file is, whatever path reached it.
type FileKey = (u64, u64);

fn key(metadata: &fs::Metadata) -> FileKey {
    (metadata.dev(), metadata.ino())
}

#[derive(Default)]
struct Walk {
    files: Vec<MessageFile>,
    folders_seen: HashSet<FileKey>,
    files_seen: HashSet<FileKey>,
}

impl Walk {
    fn first_visit_of_file(&mut self, metadata: &fs::Metadata) -> bool {
        self.files_seen.insert(key(metadata))
    }

    fn folder(&mut self, folder: &Path, metadata: &fs::Metadata) -> Result<(), IntakeError> {
        if !self.folders_seen.insert(key(metadata)) {
            return Ok(()); // Seen before: a symlink cycle, or the same folder named twice.
        }
        if is_maildir(folder) {
            let mut found = Vec::new();
            for sub in ["cur", "new"] {
                let dir = folder.join(sub);
                let Ok(meta) = fs::metadata(&dir) else {
                    continue;
                };
                if !meta.is_dir() || !self.folders_seen.insert(key(&meta)) {
                    continue;
                }
                for (path, meta) in list(&dir)?.files {
                    if meta.as_ref().is_none_or(|m| self.first_visit_of_file(m)) {
                        found.push(MessageFile::new(path, meta.as_ref(), true));
                    }
                }
            }
            found.sort_by(|a, b| a.path.file_name().cmp(&b.path.file_name()));
            self.files.extend(found);
            return Ok(());
        }
        let listing = list(folder)?;
        for (path, meta) in listing.files {
            let is_eml = path
                .extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("eml"));
            if is_eml && meta.as_ref().is_none_or(|m| self.first_visit_of_file(m)) {
                self.files
                    .push(MessageFile::new(path, meta.as_ref(), false));
            }
        }
        for (sub, meta) in listing.folders {
            self.folder(&sub, &meta)?;
        }
        Ok(())
    }
}

fn is_maildir(path: &Path) -> bool {
    path.join("cur").is_dir() || path.join("new").is_dir()
}

/// What a path that is not a regular file is, for the quarantine's reason.
fn not_regular(metadata: &fs::Metadata) -> Option<&'static str> {
    let kind = metadata.file_type();
    if kind.is_file() {
        None
    } else if kind.is_fifo() {
        Some("a FIFO")
    } else if kind.is_socket() {
        Some("a socket")
    } else if kind.is_char_device() {
        Some("a character device")
    } else if kind.is_block_device() {
        Some("a block device")
    } else if kind.is_dir() {
        Some("a folder")
    } else {
        Some("not a file")
    }
}

struct Listing {
    /// Files with what `stat` said of them (`None`: a dangling or looping symlink).
    files: Vec<(PathBuf, Option<fs::Metadata>)>,
    folders: Vec<(PathBuf, fs::Metadata)>,
}

fn list(folder: &Path) -> Result<Listing, IntakeError> {
    let read_error = |source| IntakeError::ReadFolder {
        path: folder.to_path_buf(),
        source,
    };
    let mut listing = Listing {
        files: Vec::new(),
        folders: Vec::new(),
    };
    for entry in fs::read_dir(folder).map_err(read_error)? {
        let entry = entry.map_err(read_error)?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        // Follow symlinks as a user would expect; a dangling one is still listed as a file,
        // so reading it fails loudly and it is accounted for.
        match fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => listing.folders.push((path, meta)),
            Ok(meta) => listing.files.push((path, Some(meta))),
            Err(_) => listing.files.push((path, None)),
        }
    }
    listing.files.sort_by(|a, b| a.0.cmp(&b.0));
    listing.folders.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(listing)
}

/// Reads one message file, never more than `max_bytes` + 1 bytes of it, and only if it is a
/// regular file: a FIFO would block, a device (a link to /dev/zero) never end. It is opened
/// without blocking and checked on the open descriptor, so a file swapped for a FIFO after
/// the listing is refused too.
pub fn read_message(path: &Path, max_bytes: u64) -> io::Result<Vec<u8>> {
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    let metadata = file.metadata()?;
    if let Some(what) = not_regular(&metadata) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a regular file ({what})"),
        ));
    }
    read_bounded(file, metadata.len(), max_bytes)
}

/// Reads at most `max_bytes` + 1 bytes; more than `max_bytes` is an error, so a file that
/// grew after it was listed (or lies about its size) cannot exhaust memory.
fn read_bounded(reader: impl Read, size_hint: u64, max_bytes: u64) -> io::Result<Vec<u8>> {
    let limit = max_bytes.saturating_add(1);
    let capacity = usize::try_from(size_hint.min(limit)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    reader.take(limit).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("longer than the limit of {max_bytes} bytes (ingest.max_message_bytes)"),
        ));
    }
    Ok(bytes)
}

/// Maildir names start with the delivery time in Unix seconds (`1759729200.M123P45.host`).
fn maildir_delivery_time(path: &Path) -> Option<Timestamp> {
    let name = path.file_name()?.to_str()?;
    let digits = name.split('.').next()?;
    if digits.len() < 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Timestamp::from_second(digits.parse().ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_maildir_delivery_time() {
        let path = Path::new("/m/cur/1759729200.M1P2.mx1,S=10:2,S");
        assert_eq!(
            maildir_delivery_time(path),
            Some(Timestamp::from_second(1_759_729_200).unwrap())
        );
        assert_eq!(maildir_delivery_time(Path::new("/m/cur/notes.txt")), None);
    }

    #[test]
    fn reading_stops_one_byte_past_the_limit() {
        let err = read_bounded(io::repeat(0), 0, 1000).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert_eq!(read_bounded(&b"abc"[..], 3, 3).unwrap(), b"abc");
        let err = read_message(Path::new("/dev/zero"), 1000).unwrap_err();
        assert_eq!(err.to_string(), "not a regular file (a character device)");
    }

    #[test]
    fn missing_path_is_named() {
        let err = collect(&[PathBuf::from("/no/such/place")]).unwrap_err();
        assert_eq!(err.to_string(), "no such file or folder: /no/such/place");
    }

    #[test]
    fn maildir_then_eml_folders() {
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("box");
        for sub in ["cur", "new", "tmp"] {
            fs::create_dir_all(maildir.join(sub)).unwrap();
        }
        fs::write(maildir.join("new/1759729300.M1P1.h"), "b").unwrap();
        fs::write(maildir.join("cur/1759729200.M1P1.h:2,S"), "a").unwrap();
        fs::write(maildir.join("tmp/1759729400.M1P1.h"), "in progress").unwrap();
        let emls = dir.path().join("emls/deeper");
        fs::create_dir_all(&emls).unwrap();
        fs::write(emls.join("x.eml"), "x").unwrap();
        fs::write(emls.join("notes.txt"), "not mail").unwrap();
        let files = collect(&[maildir.clone(), dir.path().join("emls")]).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            ["1759729200.M1P1.h:2,S", "1759729300.M1P1.h", "x.eml"]
        );
        assert!(files[0].delivered_at.is_some());
        assert_eq!(files[2].delivered_at, None);
    }
}
