//! Where hoist keeps its repository configuration and caches.
//!
//! Follows the XDG base directory layout Helm uses (`~/.config/helm`,
//! `~/.cache/helm`...), under `hoist` instead of `helm`. `HOIST_CONFIG_HOME`,
//! `HOIST_CACHE_HOME` and `HOIST_DATA_HOME` replace the whole folder, as
//! Helm's `HELM_*_HOME` do. `HOIST_REPOSITORY_CONFIG`,
//! `HOIST_REPOSITORY_CACHE` and `HOIST_CONTENT_CACHE` (Helm's
//! `--repository-config`, `--repository-cache` and `--content-cache`) move
//! one file or folder only.

use std::path::{Path, PathBuf};

/// hoist's three base folders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    /// Configuration (repositories.yaml).
    pub config: PathBuf,
    /// Caches (repository indexes, downloaded charts).
    pub cache: PathBuf,
    /// Data (plugins, starters).
    pub data: PathBuf,
    /// repositories.yaml when not `<config>/repositories.yaml`.
    pub repository_config_file: Option<PathBuf>,
    /// The repository index folder when not `<cache>/repository`.
    pub repository_cache_dir: Option<PathBuf>,
    /// The downloaded chart folder when not `<cache>/charts`.
    pub content_cache_dir: Option<PathBuf>,
}

impl Paths {
    /// The folders from the process environment.
    pub fn from_env() -> Self {
        Self::resolve("hoist", "HOIST", &|k| {
            std::env::var_os(k).map(PathBuf::from)
        })
    }

    /// Helm's own folders (`HELM_*_HOME`, XDG, `~/.config/helm`), for importing.
    pub fn helm_from_env() -> Self {
        Self::resolve("helm", "HELM", &|k| std::env::var_os(k).map(PathBuf::from))
    }

    /// Three base folders and nothing moved on its own.
    pub fn under(config: PathBuf, cache: PathBuf, data: PathBuf) -> Self {
        Paths {
            config,
            cache,
            data,
            repository_config_file: None,
            repository_cache_dir: None,
            content_cache_dir: None,
        }
    }

    /// Resolves the folders of `app` with a custom environment lookup, so
    /// tests do not have to touch the process environment.
    pub fn resolve(app: &str, prefix: &str, env: &dyn Fn(&str) -> Option<PathBuf>) -> Self {
        let home = env("HOME").unwrap_or_else(|| PathBuf::from("."));
        let set = |k: &str| env(k).filter(|p| !p.as_os_str().is_empty());
        let pick = |own: &str, xdg: &str, fallback: &str| -> PathBuf {
            set(&format!("{prefix}_{own}_HOME"))
                .or_else(|| set(xdg).map(|p| p.join(app)))
                .unwrap_or_else(|| home.join(fallback).join(app))
        };
        Paths {
            config: pick("CONFIG", "XDG_CONFIG_HOME", ".config"),
            cache: pick("CACHE", "XDG_CACHE_HOME", ".cache"),
            data: pick("DATA", "XDG_DATA_HOME", ".local/share"),
            repository_config_file: set(&format!("{prefix}_REPOSITORY_CONFIG")),
            repository_cache_dir: set(&format!("{prefix}_REPOSITORY_CACHE")),
            content_cache_dir: set(&format!("{prefix}_CONTENT_CACHE")),
        }
    }

    /// repositories.yaml.
    pub fn repository_config(&self) -> PathBuf {
        self.repository_config_file
            .clone()
            .unwrap_or_else(|| self.config.join("repositories.yaml"))
    }

    /// The folder holding repository indexes.
    pub fn repository_cache(&self) -> PathBuf {
        self.repository_cache_dir
            .clone()
            .unwrap_or_else(|| self.cache.join("repository"))
    }

    /// The folder holding downloaded chart archives.
    pub fn content_cache(&self) -> PathBuf {
        self.content_cache_dir
            .clone()
            .unwrap_or_else(|| self.cache.join("charts"))
    }

    /// The cached index.yaml of repository `name` (Helm's file name).
    pub fn index_file(&self, name: &str) -> PathBuf {
        index_file_in(&self.repository_cache(), name)
    }
}

/// `<cache>/<name>-index.yaml`, as Helm's `helmpath.CacheIndexFile`.
pub fn index_file_in(cache: &Path, name: &str) -> PathBuf {
    cache.join(format!("{name}-index.yaml"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<PathBuf> {
        let m: HashMap<String, PathBuf> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), PathBuf::from(v)))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn home_fallbacks_follow_xdg_defaults() {
        let p = Paths::resolve("hoist", "HOIST", &with(&[("HOME", "/h")]));
        assert_eq!(p.config, PathBuf::from("/h/.config/hoist"));
        assert_eq!(p.cache, PathBuf::from("/h/.cache/hoist"));
        assert_eq!(p.data, PathBuf::from("/h/.local/share/hoist"));
        assert_eq!(
            p.index_file("stable"),
            PathBuf::from("/h/.cache/hoist/repository/stable-index.yaml")
        );
    }

    #[test]
    fn own_variables_beat_xdg() {
        let env = with(&[
            ("HOME", "/h"),
            ("XDG_CONFIG_HOME", "/x"),
            ("XDG_CACHE_HOME", "/xc"),
            ("HOIST_CONFIG_HOME", "/own"),
            ("HOIST_DATA_HOME", ""),
        ]);
        let p = Paths::resolve("hoist", "HOIST", &env);
        assert_eq!(p.config, PathBuf::from("/own"));
        assert_eq!(p.cache, PathBuf::from("/xc/hoist"));
        assert_eq!(p.data, PathBuf::from("/h/.local/share/hoist"));
    }

    #[test]
    fn one_file_or_folder_can_move_alone() {
        let env = with(&[
            ("HOME", "/h"),
            ("HELM_REPOSITORY_CONFIG", "/elsewhere/repos.yaml"),
            ("HELM_REPOSITORY_CACHE", "/idx"),
            ("HELM_CONTENT_CACHE", ""),
        ]);
        let p = Paths::resolve("helm", "HELM", &env);
        assert_eq!(
            p.repository_config(),
            PathBuf::from("/elsewhere/repos.yaml")
        );
        assert_eq!(p.repository_cache(), PathBuf::from("/idx"));
        assert_eq!(p.index_file("r"), PathBuf::from("/idx/r-index.yaml"));
        // Empty is unset; the rest stays under the base folders.
        assert_eq!(p.content_cache(), PathBuf::from("/h/.cache/helm/charts"));
        assert_eq!(p.config, PathBuf::from("/h/.config/helm"));
        let p = Paths::resolve("hoist", "HOIST", &with(&[("HOME", "/h")]));
        assert_eq!(
            p.repository_config(),
            PathBuf::from("/h/.config/hoist/repositories.yaml")
        );
        assert_eq!(
            p.repository_cache(),
            PathBuf::from("/h/.cache/hoist/repository")
        );
    }
}
