//! Offline intake: `.eml` files, folders of them, and Maildirs, for demos and backfills.

use std::fs;
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
}

/// Lists the message files under `paths`, in a stable order: each argument in turn, and
/// within a Maildir its `cur/` and `new/` messages by file name, which Maildir makes
/// delivery order. A folder that is not a Maildir contributes its `*.eml` files, and
/// its sub-folders recursively. `tmp/` (deliveries in progress) and hidden entries are
/// skipped.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<MessageFile>, IntakeError> {
    let mut files = Vec::new();
    for path in paths {
        let metadata =
            fs::metadata(path).map_err(|_| IntakeError::NotFound { path: path.clone() })?;
        if metadata.is_dir() {
            collect_folder(path, &mut files)?;
        } else {
            files.push(MessageFile {
                path: path.clone(),
                delivered_at: None,
                size: Some(metadata.len()),
            });
        }
    }
    Ok(files)
}

fn is_maildir(path: &Path) -> bool {
    path.join("cur").is_dir() || path.join("new").is_dir()
}

fn collect_folder(folder: &Path, files: &mut Vec<MessageFile>) -> Result<(), IntakeError> {
    if is_maildir(folder) {
        let mut found = Vec::new();
        for sub in ["cur", "new"] {
            let dir = folder.join(sub);
            if dir.is_dir() {
                for (path, size) in list(&dir)?.files {
                    let delivered_at = maildir_delivery_time(&path);
                    found.push(MessageFile {
                        path,
                        delivered_at,
                        size,
                    });
                }
            }
        }
        found.sort_by(|a, b| a.path.file_name().cmp(&b.path.file_name()));
        files.extend(found);
        return Ok(());
    }
    let listing = list(folder)?;
    for (path, size) in listing.files {
        let is_eml = path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("eml"));
        if is_eml {
            files.push(MessageFile {
                path,
                delivered_at: None,
                size,
            });
        }
    }
    for sub in listing.folders {
        collect_folder(&sub, files)?;
    }
    Ok(())
}

struct Listing {
    files: Vec<(PathBuf, Option<u64>)>,
    folders: Vec<PathBuf>,
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
            Ok(meta) if meta.is_dir() => listing.folders.push(path),
            Ok(meta) => listing.files.push((path, Some(meta.len()))),
            Err(_) => listing.files.push((path, None)),
        }
    }
    listing.files.sort();
    listing.folders.sort();
    Ok(listing)
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
