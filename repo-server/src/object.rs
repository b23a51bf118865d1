//! S3-compatible object stores through the `object_store` crate.
//!
//! Create-if-absent is a conditional PUT (`If-None-Match: *`,
//! [`PutMode::Create`]): the store itself decides which of two racing
//! uploads wins, so replicas need no lock service. Uploads are staged in a
//! local file first and sent in one PUT, so a reader never sees a partial
//! object; memory is bounded by `--max-upload-size`.

use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use futures_util::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};

use crate::archive::is_safe_file_component;
use crate::storage::{
    BoxFuture, ObjectInfo, ObjectStream, Staged, Staging, Storage, StorageError, check_prefix,
};

/// Where to find an S3 bucket (ChartMuseum's `--storage-amazon-*` flags).
/// Credentials come from the usual `AWS_*` environment variables.
#[derive(Clone, Debug, Default)]
pub struct S3Options {
    /// Bucket name.
    pub bucket: String,
    /// Key prefix inside the bucket (may be empty).
    pub prefix: String,
    /// Region (may be empty: `AWS_REGION`, else us-east-1).
    pub region: String,
    /// Endpoint of an S3-compatible server (may be empty for AWS).
    pub endpoint: String,
}

/// Charts in an object store, under a key prefix.
#[derive(Debug, Clone)]
pub struct ObjectStorage {
    store: Arc<dyn ObjectStore>,
    prefix: StorePath,
    /// For error messages: `s3://bucket/prefix`.
    label: String,
    staging: Arc<Staging>,
}

fn store_err(context: String, e: object_store::Error) -> StorageError {
    StorageError::Io {
        context,
        source: std::io::Error::other(e.to_string()),
    }
}

impl ObjectStorage {
    /// Connects to an S3 bucket; staging files go to a folder of the
    /// system's temporary directory.
    pub fn s3(opts: &S3Options) -> Result<Self, StorageError> {
        let mut b = AmazonS3Builder::from_env().with_bucket_name(&opts.bucket);
        if !opts.region.is_empty() {
            b = b.with_region(&opts.region);
        }
        if !opts.endpoint.is_empty() {
            b = b
                .with_endpoint(&opts.endpoint)
                .with_allow_http(opts.endpoint.starts_with("http://"));
        }
        let store = b
            .build()
            .map_err(|e| store_err(format!("opening bucket {}", opts.bucket), e))?;
        let staging = Staging::new(&std::env::temp_dir().join("hoist-repo-server-staging"))?;
        Self::new(
            Arc::new(store),
            &opts.prefix,
            format!("s3://{}", opts.bucket),
            Arc::new(staging),
        )
    }

    /// Wraps any `object_store` store (tests use the in-memory one).
    pub fn new(
        store: Arc<dyn ObjectStore>,
        prefix: &str,
        label: String,
        staging: Arc<Staging>,
    ) -> Result<Self, StorageError> {
        let prefix = prefix.trim_matches('/');
        if !prefix.is_empty() {
            check_prefix(prefix)?;
        }
        let label = if prefix.is_empty() {
            label
        } else {
            format!("{label}/{prefix}")
        };
        Ok(Self {
            store,
            prefix: StorePath::from(prefix),
            label,
            staging,
        })
    }

    fn key(&self, name: &str) -> Result<StorePath, StorageError> {
        if is_safe_file_component(name) {
            Ok(self.prefix.clone().join(name))
        } else {
            Err(StorageError::BadName(name.to_string()))
        }
    }

    fn ctx(&self, what: &str, name: &str) -> String {
        format!("{what} {}/{name}", self.label)
    }
}

impl Storage for ObjectStorage {
    fn list(&self) -> BoxFuture<'_, Result<Vec<ObjectInfo>, StorageError>> {
        Box::pin(async move {
            let prefix = (!self.prefix.as_ref().is_empty()).then_some(&self.prefix);
            let listed = self
                .store
                .list_with_delimiter(prefix)
                .await
                .map_err(|e| store_err(format!("listing {}", self.label), e))?;
            let mut out: Vec<ObjectInfo> = listed
                .objects
                .into_iter()
                .filter_map(|m| {
                    let name = m.location.filename()?.to_string();
                    is_safe_file_component(&name).then(|| ObjectInfo {
                        name,
                        modified: SystemTime::from(m.last_modified),
                        size: m.size,
                        etag: m.e_tag,
                    })
                })
                .collect();
            out.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(out)
        })
    }

    fn get<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Bytes, StorageError>> {
        Box::pin(async move {
            let key = self.key(name)?;
            let got = match self.store.get(&key).await {
                Ok(g) => g,
                Err(object_store::Error::NotFound { .. }) => {
                    return Err(StorageError::NotFound(name.to_string()));
                }
                Err(e) => return Err(store_err(self.ctx("reading", name), e)),
            };
            got.bytes()
                .await
                .map_err(|e| store_err(self.ctx("reading", name), e))
        })
    }

    fn open<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<ObjectStream, StorageError>> {
        Box::pin(async move {
            let key = self.key(name)?;
            let got = match self.store.get(&key).await {
                Ok(g) => g,
                Err(object_store::Error::NotFound { .. }) => {
                    return Err(StorageError::NotFound(name.to_string()));
                }
                Err(e) => return Err(store_err(self.ctx("opening", name), e)),
            };
            let size = got.meta.size;
            let stream = got
                .into_stream()
                .map(|r| r.map_err(|e| std::io::Error::other(e.to_string())));
            Ok(ObjectStream {
                size,
                stream: Box::pin(stream),
            })
        })
    }

    fn exists<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<bool, StorageError>> {
        Box::pin(async move {
            let key = self.key(name)?;
            match self.store.head(&key).await {
                Ok(_) => Ok(true),
                Err(object_store::Error::NotFound { .. }) => Ok(false),
                Err(e) => Err(store_err(self.ctx("checking", name), e)),
            }
        })
    }

    fn stage(&self) -> Result<Staged, StorageError> {
        self.staging.stage()
    }

    fn sub(&self, prefix: &str) -> Result<Arc<dyn Storage>, StorageError> {
        check_prefix(prefix)?;
        let mut p = self.prefix.clone();
        for part in prefix.split('/') {
            p = p.join(part);
        }
        Ok(Arc::new(ObjectStorage {
            store: self.store.clone(),
            label: format!("{}/{prefix}", self.label),
            prefix: p,
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
            let key = self.key(name)?;
            let data = tokio::fs::read(staged.path())
                .await
                .map_err(|source| StorageError::Io {
                    context: format!("reading staged upload for {name}"),
                    source,
                })?;
            let mode = if overwrite {
                PutMode::Overwrite
            } else {
                PutMode::Create
            };
            let opts = PutOptions {
                mode,
                ..PutOptions::default()
            };
            match self
                .store
                .put_opts(&key, PutPayload::from(data), opts)
                .await
            {
                Ok(_) => Ok(()),
                Err(
                    object_store::Error::AlreadyExists { .. }
                    | object_store::Error::Precondition { .. },
                ) => Err(StorageError::AlreadyExists),
                Err(e) => Err(store_err(self.ctx("storing", name), e)),
            }
        })
    }

    fn delete<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(async move {
            // S3 deletes are idempotent; ChartMuseum answers 404 for a
            // missing chart, so look first.
            if !self.exists(name).await? {
                return Err(StorageError::NotFound(format!("remove {name}")));
            }
            let key = self.key(name)?;
            self.store
                .delete(&key)
                .await
                .map_err(|e| store_err(self.ctx("deleting", name), e))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn storage() -> (tempfile::TempDir, ObjectStorage) {
        let dir = tempfile::tempdir().unwrap();
        let staging = Arc::new(Staging::new(dir.path()).unwrap());
        let store = Arc::new(object_store::memory::InMemory::new());
        let s = ObjectStorage::new(store, "team/repo", "mem://b".into(), staging).unwrap();
        (dir, s)
    }

    fn staged(s: &ObjectStorage, data: &[u8]) -> Staged {
        let st = s.stage().unwrap();
        st.reopen().unwrap().write_all(data).unwrap();
        st
    }

    #[tokio::test]
    async fn create_if_absent_list_and_delete() {
        let (_dir, s) = storage();
        s.commit(staged(&s, b"one"), "a-1.0.0.tgz", false)
            .await
            .unwrap();
        assert!(matches!(
            s.commit(staged(&s, b"two"), "a-1.0.0.tgz", false).await,
            Err(StorageError::AlreadyExists)
        ));
        assert_eq!(&s.get("a-1.0.0.tgz").await.unwrap()[..], b"one");
        s.commit(staged(&s, b"three"), "a-1.0.0.tgz", true)
            .await
            .unwrap();
        assert_eq!(&s.get("a-1.0.0.tgz").await.unwrap()[..], b"three");
        // A tenant below this prefix is not listed as an object here.
        let sub = s.sub("nested").unwrap();
        let st = sub.stage().unwrap();
        st.reopen().unwrap().write_all(b"x").unwrap();
        sub.commit(st, "b-1.0.0.tgz", false).await.unwrap();
        let listed = s.list().await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].name, "a-1.0.0.tgz");
        assert_eq!(listed[0].size, 5);
        assert!(listed[0].etag.is_some());
        assert!(s.exists("a-1.0.0.tgz").await.unwrap());
        assert!(matches!(s.get("../x").await, Err(StorageError::BadName(_))));
        s.delete("a-1.0.0.tgz").await.unwrap();
        assert!(matches!(
            s.delete("a-1.0.0.tgz").await,
            Err(StorageError::NotFound(_))
        ));
        assert!(matches!(s.sub(".."), Err(StorageError::BadName(_))));
    }
}
