//! Where the REPL keeps its history across sessions, and when it must
//! not use that file.

use std::path::{Path, PathBuf};

pub(super) fn history_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("DLANG_HISTORY") {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".dlang_history"))
}

/// Why the history file must not be used, if it must not: saving
/// rewrites the file in place, so through a symbolic link (or into a
/// device or a FIFO) it would overwrite whatever the link names. A file
/// not there yet is fine (saving creates it).
pub(super) fn history_file_refused(path: &Path) -> Option<&'static str> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(_) => Some("it cannot be examined"),
        Ok(meta) if meta.file_type().is_symlink() => Some("it is a symbolic link"),
        Ok(meta) if !meta.is_file() => Some("it is not a regular file"),
        Ok(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn history_is_refused_through_links_and_special_files() {
        let dir = std::env::temp_dir().join(format!("dlang-history-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let regular = dir.join("history");
        assert_eq!(history_file_refused(&regular), None, "a file not there yet");
        std::fs::write(&regular, "1 + 2\n").unwrap();
        assert_eq!(history_file_refused(&regular), None);
        let link = dir.join("link");
        std::os::unix::fs::symlink(&regular, &link).unwrap();
        assert_eq!(history_file_refused(&link), Some("it is a symbolic link"));
        assert_eq!(history_file_refused(&dir), Some("it is not a regular file"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
