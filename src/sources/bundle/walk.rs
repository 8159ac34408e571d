//! Reading a bundle directory from disk: a recursive walk that skips hidden entries, follows
//! symbolic links without looping, caps the depth, the file count and each file's size, and
//! never opens anything but regular files (a FIFO would block). File names are only used in
//! messages; what a file holds is decided by its content later.
//!
//! To change a limit, edit the constants below; every skipped entry gets a note saying why.

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::error::BundleError;
use crate::model::snapshot::LoadNote;

/// Files bigger than this are skipped with a note.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// Directories nested deeper than this below the bundle root are skipped.
pub const MAX_DEPTH: usize = 16;
/// At most this many files are read from one bundle directory.
pub const MAX_FILES: usize = 100_000;

/// What the walk finds, in path order: a file to load (name for messages, content) or an
/// entry it skipped and why.
pub enum Found {
    File(String, Vec<u8>),
    Skipped(LoadNote),
}

/// Walks `dir`, handing each file to `visit` as soon as it is read (so a large bundle is never
/// held in memory at once). Returns the number of files read.
pub fn walk(dir: &Path, visit: &mut dyn FnMut(Found)) -> Result<usize, BundleError> {
    let meta = fs::metadata(dir).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => BundleError::NotFound {
            path: dir.to_path_buf(),
        },
        _ => BundleError::Unreadable {
            path: dir.to_path_buf(),
            source,
        },
    })?;
    if !meta.is_dir() {
        return Err(BundleError::NotADirectory {
            path: dir.to_path_buf(),
        });
    }
    let entries = sorted_entries(dir).map_err(|source| BundleError::Unreadable {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut walker = Walker {
        visit,
        files: 0,
        visited: HashSet::new(),
        stopped: false,
    };
    if let Ok(canonical) = fs::canonicalize(dir) {
        walker.visited.insert(canonical);
    }
    walker.walk_entries(entries, 0);
    Ok(walker.files)
}

struct Walker<'v> {
    visit: &'v mut dyn FnMut(Found),
    files: usize,
    /// Canonical paths of the directories already walked: a symbolic link back to one of them
    /// would loop.
    visited: HashSet<PathBuf>,
    stopped: bool,
}

impl Walker<'_> {
    fn note(&mut self, path: &Path, message: impl Into<String>) {
        (self.visit)(Found::Skipped(LoadNote {
            file: path.display().to_string(),
            message: message.into(),
        }));
    }

    fn walk_entries(&mut self, entries: Vec<PathBuf>, depth: usize) {
        for path in entries {
            if self.stopped {
                return;
            }
            self.visit(&path, depth);
        }
    }

    fn visit(&mut self, path: &Path, depth: usize) {
        // Follows a symbolic link; a dangling one is an error here.
        let meta = match fs::metadata(path) {
            Ok(meta) => meta,
            Err(err) => return self.note(path, format!("cannot read: {err}; skipped")),
        };
        if meta.is_dir() {
            self.visit_dir(path, depth + 1);
        } else if meta.is_file() {
            self.read_file(path, meta.len());
        } else {
            self.note(path, "not a regular file; skipped");
        }
    }

    fn visit_dir(&mut self, path: &Path, depth: usize) {
        if depth > MAX_DEPTH {
            return self.note(
                path,
                format!("directory nested more than {MAX_DEPTH} levels deep; skipped"),
            );
        }
        match fs::canonicalize(path) {
            Ok(canonical) => {
                if !self.visited.insert(canonical) {
                    return self.note(path, "directory already read (symbolic link loop); skipped");
                }
            }
            Err(err) => return self.note(path, format!("cannot read: {err}; skipped")),
        }
        match sorted_entries(path) {
            Ok(entries) => self.walk_entries(entries, depth),
            Err(err) => self.note(path, format!("cannot read directory: {err}; skipped")),
        }
    }

    fn read_file(&mut self, path: &Path, len: u64) {
        if self.files >= MAX_FILES {
            self.stopped = true;
            return self.note(
                path,
                format!("more than {MAX_FILES} files in the bundle; this and later files skipped"),
            );
        }
        if len > MAX_FILE_BYTES {
            return self.note(path, too_big(len));
        }
        let mut content = Vec::new();
        let read = fs::File::open(path)
            .and_then(|file| file.take(MAX_FILE_BYTES + 1).read_to_end(&mut content));
        match read {
            Err(err) => self.note(path, format!("cannot read: {err}; skipped")),
            Ok(n) if n as u64 > MAX_FILE_BYTES => self.note(path, too_big(n as u64)),
            Ok(_) => {
                self.files += 1;
                (self.visit)(Found::File(path.display().to_string(), content));
            }
        }
    }
}

fn too_big(len: u64) -> String {
    format!(
        "{len} bytes, more than the {} MiB a bundle file may hold; skipped",
        MAX_FILE_BYTES / (1024 * 1024)
    )
}

/// The directory's entries, hidden ones (`.name`) left out, sorted so loading is deterministic.
fn sorted_entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().as_encoded_bytes().starts_with(b".") {
            continue;
        }
        entries.push(entry.path());
    }
    entries.sort();
    Ok(entries)
}
