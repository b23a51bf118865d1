//! Writing files so that a reader never sees half of one.

use super::RepoError;
use std::io::Write;
use std::path::Path;

/// Writes `data` to `path` through a temporary file in the same folder and
/// a rename, so an interrupted write leaves the old file (or none) rather
/// than a truncated one. `mode` sets Unix permissions (e.g. 0o600 for files
/// holding credentials) before any byte is written.
pub fn write_atomic(path: &Path, data: &[u8], mode: u32) -> Result<(), RepoError> {
    stage(path, data, mode)?
        .persist(path)
        .map_err(|e| RepoError::io("replacing", path, e.error))?;
    Ok(())
}

/// `data` written and synced to a temporary file beside `path` with Unix
/// permissions `mode`, for the caller to persist over `path` once it is
/// sure; dropped unpersisted, the temporary file is removed.
pub fn stage(path: &Path, data: &[u8], mode: u32) -> Result<tempfile::NamedTempFile, RepoError> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| RepoError::io("creating folder", dir, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(dir)
        .map_err(|e| RepoError::io("creating a temporary file in", dir, e))?;
    set_mode(tmp.as_file(), mode).map_err(|e| RepoError::io("setting permissions of", path, e))?;
    tmp.write_all(data)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| RepoError::io("writing", path, e))?;
    Ok(tmp)
}

#[cfg(unix)]
fn set_mode(file: &std::fs::File, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &std::fs::File, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_sets_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/f.yaml");
        write_atomic(&p, b"one", 0o600).unwrap();
        write_atomic(&p, b"two", 0o600).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // No temporary files are left behind.
        assert_eq!(std::fs::read_dir(p.parent().unwrap()).unwrap().count(), 1);
    }
}
