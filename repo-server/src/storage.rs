//! Chart storage behind a small object-store-like trait: a local folder
//! ([`LocalStorage`]) and S3-compatible object stores ([`ObjectStorage`],
//! through the `object_store` crate).
//!
//! Uploads are first written to a local staging file (bounded memory), then
//! published under their final name in one atomic step: readers never see a
//! half-written package, and a no-overwrite commit fails if the name exists
//! even when two uploads race (a hard link on a local folder, a conditional
//! `If-None-Match: *` PUT on an object store). Staging files live in a
//! per-process folder holding a lock; folders whose lock is free belong to
//! a process that died (even by SIGKILL mid-upload) and are removed at
//! startup.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::SystemTime;

use bytes::Bytes;

use crate::archive::is_safe_file_component;

/// A boxed future, so [`Storage`] stays object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The object does not exist.
    #[error("{0}: no such file or directory")]
    NotFound(String),
    /// A no-overwrite commit found the name taken.
    #[error("file already exists")]
    AlreadyExists,
    /// The name is not a plain file name.
    #[error("{0} is improperly formatted")]
    BadName(String),
    /// Any other I/O failure, with the object it concerned.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        source: std::io::Error,
    },
}

fn io_err(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> StorageError {
    let context = context.into();
    move |source| StorageError::Io { context, source }
}

/// An object's name and metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectInfo {
    /// Name (a single file name).
    pub name: String,
    /// Last modification time.
    pub modified: SystemTime,
    /// Size in bytes.
    pub size: u64,
    /// The store's entity tag, when it has one.
    pub etag: Option<String>,
}

impl ObjectInfo {
    /// Whether two listings of one name show the same content (same ETag
    /// when both have one, else same size and modification time).
    pub fn same_version(&self, other: &ObjectInfo) -> bool {
        match (&self.etag, &other.etag) {
            (Some(a), Some(b)) => a == b,
            _ => self.size == other.size && self.modified == other.modified,
        }
    }
}

/// An object being read: its size and a stream of its bytes.
pub struct ObjectStream {
    /// Size in bytes.
    pub size: u64,
    /// The content.
    pub stream: Pin<Box<dyn futures_util::Stream<Item = std::io::Result<Bytes>> + Send>>,
}

/// An upload in progress: a local temporary file removed on drop unless
/// committed.
#[derive(Debug)]
pub struct Staged {
    file: tempfile::NamedTempFile,
}

/// This process's staging folder, `<parent>/p-<random>/`, holding a lock
/// file for as long as the process lives.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    /// Held (locked) until the process exits; the OS releases it on SIGKILL.
    _lock: std::fs::File,
}

impl Staging {
    /// Creates a staging folder under `parent`, first removing the folders
    /// of processes that are gone.
    pub fn new(parent: &Path) -> Result<Self, StorageError> {
        std::fs::create_dir_all(parent)
            .map_err(io_err(format!("creating {}", parent.display())))?;
        remove_dead_staging(parent);
        let dir = tempfile::Builder::new()
            .prefix("p-")
            .tempdir_in(parent)
            .map_err(io_err(format!(
                "creating a staging folder in {}",
                parent.display()
            )))?
            .keep();
        let lock_path = dir.join(LOCK_FILE);
        let lock = std::fs::File::create(&lock_path)
            .map_err(io_err(format!("creating {}", lock_path.display())))?;
        lock.try_lock().map_err(|e| StorageError::Io {
            context: format!("locking {}", lock_path.display()),
            source: std::io::Error::other(e.to_string()),
        })?;
        Ok(Self { dir, _lock: lock })
    }

    /// A fresh staging file.
    pub fn stage(&self) -> Result<Staged, StorageError> {
        let file = tempfile::Builder::new()
            .prefix(".upload-")
            .tempfile_in(&self.dir)
            .map_err(io_err("creating staging file"))?;
        Ok(Staged { file })
    }
}

const LOCK_FILE: &str = "lock";

/// Removes staging folders whose owner died: their lock can be taken.
/// Leftovers of the older flat layout (`.upload-*` files) are removed too.
fn remove_dead_staging(parent: &Path) {
    let Ok(dir) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in dir.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(".upload-") {
            let _ = std::fs::remove_file(&path);
            continue;
        }
        if !name.starts_with("p-") || !path.is_dir() {
            continue;
        }
        let dead = match std::fs::File::open(path.join(LOCK_FILE)) {
            Ok(f) => f.try_lock().is_ok(),
            // No lock file: a process killed between creating the folder
            // and its lock.
            Err(_) => true,
        };
        if dead {
            tracing::info!(folder = %path.display(), "removing staging files of a stopped server");
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

impl Staged {
    /// The local path of the staged bytes.
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// A second handle to the staged file, for writing or reading it.
    pub fn reopen(&self) -> Result<std::fs::File, StorageError> {
        self.file
            .reopen()
            .map_err(io_err("reopening staged upload"))
    }
}

/// Where chart packages and provenance files live.
pub trait Storage: Send + Sync + 'static {
    /// Every object at the top level of the store.
    fn list(&self) -> BoxFuture<'_, Result<Vec<ObjectInfo>, StorageError>>;
    /// The whole content of one object.
    fn get<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Bytes, StorageError>>;
    /// Streams one object, with its size, without loading it into memory.
    fn open<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<ObjectStream, StorageError>>;
    /// Whether an object exists.
    fn exists<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<bool, StorageError>>;
    /// A fresh local staging file for an upload.
    fn stage(&self) -> Result<Staged, StorageError>;
    /// The same store narrowed to the folder or key prefix `prefix`
    /// (`org/repo`, for multitenancy); `prefix` is made of safe components.
    fn sub(&self, prefix: &str) -> Result<std::sync::Arc<dyn Storage>, StorageError>;
    /// Stores the staged bytes as `name`; without `overwrite`, fails with
    /// [`StorageError::AlreadyExists`] when `name` exists (atomically).
    fn commit<'a>(
        &'a self,
        staged: Staged,
        name: &'a str,
        overwrite: bool,
    ) -> BoxFuture<'a, Result<(), StorageError>>;
    /// Deletes one object.
    fn delete<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<(), StorageError>>;
}

/// A folder on the local file system. Staging files live in a hidden
/// sub-folder of the top folder, so a commit is a rename (or hard link) on
/// one file system.
#[derive(Debug, Clone)]
pub struct LocalStorage {
    root: PathBuf,
    staging: std::sync::Arc<Staging>,
}

impl LocalStorage {
    /// Opens (creating if needed) the folder `root`.
    pub fn new(root: impl Into<PathBuf>) -> Result<Self, StorageError> {
        let root = root.into();
        let staging = Staging::new(&root.join(".hoist-staging"))?;
        Ok(Self {
            root,
            staging: std::sync::Arc::new(staging),
        })
    }

    fn path_of(&self, name: &str) -> Result<PathBuf, StorageError> {
        if is_safe_file_component(name) {
            Ok(self.root.join(name))
        } else {
            Err(StorageError::BadName(name.to_string()))
        }
    }
}

/// Checks that a tenant prefix is made of safe components (`org/repo`).
pub fn check_prefix(prefix: &str) -> Result<(), StorageError> {
    if prefix.split('/').all(is_safe_file_component) {
        Ok(())
    } else {
        Err(StorageError::BadName(prefix.to_string()))
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StorageError> + Send + 'static,
) -> Result<T, StorageError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StorageError::Io {
            context: "storage task".into(),
            source: std::io::Error::other(e),
        })?
}

impl Storage for LocalStorage {
    fn list(&self) -> BoxFuture<'_, Result<Vec<ObjectInfo>, StorageError>> {
        let root = self.root.clone();
        Box::pin(blocking(move || {
            let mut out = Vec::new();
            let dir = match std::fs::read_dir(&root) {
                Ok(d) => d,
                // A tenant nobody uploaded to yet.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
                Err(e) => return Err(io_err(format!("listing {}", root.display()))(e)),
            };
            for entry in dir {
                let entry = entry.map_err(io_err(format!("listing {}", root.display())))?;
                let Ok(name) = entry.file_name().into_string() else {
                    continue;
                };
                if !is_safe_file_component(&name) {
                    continue;
                }
                let Ok(meta) = entry.metadata() else {
                    continue;
                };
                if meta.is_file() {
                    out.push(ObjectInfo {
                        name,
                        modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                        size: meta.len(),
                        etag: None,
                    });
                }
            }
            out.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(out)
        }))
    }

    fn get<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Bytes, StorageError>> {
        Box::pin(async move {
            let path = self.path_of(name)?;
            match tokio::fs::read(&path).await {
                Ok(b) => Ok(Bytes::from(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    Err(StorageError::NotFound(name.to_string()))
                }
                Err(e) => Err(io_err(format!("reading {name}"))(e)),
            }
        })
    }

    fn open<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<ObjectStream, StorageError>> {
        Box::pin(async move {
            let path = self.path_of(name)?;
            let file = match tokio::fs::File::open(&path).await {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(StorageError::NotFound(name.to_string()));
                }
                Err(e) => return Err(io_err(format!("opening {name}"))(e)),
            };
            let meta = file
                .metadata()
                .await
                .map_err(io_err(format!("reading {name}")))?;
            if !meta.is_file() {
                return Err(StorageError::NotFound(name.to_string()));
            }
            Ok(ObjectStream {
                size: meta.len(),
                stream: Box::pin(tokio_util::io::ReaderStream::new(file)),
            })
        })
    }

    fn exists<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<bool, StorageError>> {
        Box::pin(async move {
            let path = self.path_of(name)?;
            tokio::fs::try_exists(&path)
                .await
                .map_err(io_err(format!("checking {name}")))
        })
    }

    fn stage(&self) -> Result<Staged, StorageError> {
        self.staging.stage()
    }

    fn sub(&self, prefix: &str) -> Result<std::sync::Arc<dyn Storage>, StorageError> {
        check_prefix(prefix)?;
        Ok(std::sync::Arc::new(LocalStorage {
            root: self.root.join(prefix),
            staging: self.staging.clone(),
        }))
    }

    fn commit<'a>(
        &'a self,
        staged: Staged,
        name: &'a str,
        overwrite: bool,
    ) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(async move {
            let dest = self.path_of(name)?;
            let name = name.to_string();
            let root = self.root.clone();
            blocking(move || {
                std::fs::create_dir_all(&root)
                    .map_err(io_err(format!("creating {}", root.display())))?;
                staged
                    .file
                    .as_file()
                    .sync_all()
                    .map_err(io_err(format!("syncing {name}")))?;
                let result = if overwrite {
                    staged.file.persist(&dest).map(|_| ())
                } else {
                    // A hard link fails with EEXIST if `dest` exists, so of two
                    // racing uploads exactly one wins.
                    staged.file.persist_noclobber(&dest).map(|_| ())
                };
                result.map_err(|e| {
                    if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                        StorageError::AlreadyExists
                    } else {
                        io_err(format!("storing {name}"))(e.error)
                    }
                })
            })
            .await
        })
    }

    fn delete<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(async move {
            let path = self.path_of(name)?;
            match tokio::fs::remove_file(&path).await {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    Err(StorageError::NotFound(format!("remove {name}")))
                }
                Err(e) => Err(io_err(format!("removing {name}"))(e)),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn staged_with(s: &LocalStorage, data: &[u8]) -> Staged {
        let st = s.stage().unwrap();
        st.reopen().unwrap().write_all(data).unwrap();
        st
    }

    #[tokio::test]
    async fn commit_without_overwrite_refuses_existing_names() {
        let dir = tempfile::tempdir().unwrap();
        let s = LocalStorage::new(dir.path()).unwrap();
        s.commit(staged_with(&s, b"one"), "a-1.0.0.tgz", false)
            .await
            .unwrap();
        let again = s
            .commit(staged_with(&s, b"two"), "a-1.0.0.tgz", false)
            .await;
        assert!(matches!(again, Err(StorageError::AlreadyExists)));
        assert_eq!(&s.get("a-1.0.0.tgz").await.unwrap()[..], b"one");
        s.commit(staged_with(&s, b"three"), "a-1.0.0.tgz", true)
            .await
            .unwrap();
        assert_eq!(&s.get("a-1.0.0.tgz").await.unwrap()[..], b"three");
        let mut obj = s.open("a-1.0.0.tgz").await.unwrap();
        assert_eq!(obj.size, 5);
        let mut streamed = Vec::new();
        while let Some(chunk) = futures_util::StreamExt::next(&mut obj.stream).await {
            streamed.extend_from_slice(&chunk.unwrap());
        }
        assert_eq!(streamed, b"three");
        assert!(matches!(
            s.open("nope.tgz").await,
            Err(StorageError::NotFound(_))
        ));
        // Staging files never show up as objects.
        let names: Vec<String> = s
            .list()
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.name)
            .collect();
        assert_eq!(names, vec!["a-1.0.0.tgz".to_string()]);
    }

    #[tokio::test]
    async fn rejects_unsafe_names_and_reports_missing() {
        let dir = tempfile::tempdir().unwrap();
        let s = LocalStorage::new(dir.path()).unwrap();
        assert!(matches!(
            s.get("../x.tgz").await,
            Err(StorageError::BadName(_))
        ));
        assert!(matches!(
            s.get(".hidden").await,
            Err(StorageError::BadName(_))
        ));
        assert!(matches!(
            s.get("x.tgz").await,
            Err(StorageError::NotFound(_))
        ));
        assert!(matches!(
            s.delete("x.tgz").await,
            Err(StorageError::NotFound(_))
        ));
    }
}
