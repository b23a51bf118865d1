//! Where plugins live and how they are found (Helm's `loader.go`).
//!
//! The plugin folders are `HOIST_PLUGINS`, else Helm's `HELM_PLUGINS`
//! (both a list separated like `PATH`), else `<data home>/plugins`. Each
//! holds one folder per plugin with a `plugin.yaml`. A plugin that cannot
//! be read is skipped with a warning, as Helm skips it; two plugins of one
//! name in the same folder are an error.

use super::{PLUGIN_FILE, Plugin, PluginError, PluginType, metadata};
use std::path::{Path, PathBuf};

/// The plugin folders, in search order.
pub fn plugin_dirs() -> Vec<PathBuf> {
    let set = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    match set("HOIST_PLUGINS").or_else(|| set("HELM_PLUGINS")) {
        Some(list) => std::env::split_paths(&list)
            .filter(|p| !p.as_os_str().is_empty())
            .collect(),
        None => vec![default_dir()],
    }
}

/// `<data home>/plugins`.
pub fn default_dir() -> PathBuf {
    crate::repo::Paths::from_env().data.join("plugins")
}

/// The plugin folder list as Helm's `HELM_PLUGINS` gives it to plugins.
pub fn plugins_variable() -> std::ffi::OsString {
    std::env::join_paths(plugin_dirs()).unwrap_or_default()
}

/// Where `plugin install` puts new plugins: the first plugin folder.
pub fn install_dir() -> PathBuf {
    plugin_dirs().into_iter().next().unwrap_or_else(default_dir)
}

/// Reads the plugin in `dir`.
pub fn load_dir(dir: &Path) -> Result<Plugin, PluginError> {
    let file = dir.join(PLUGIN_FILE);
    let bytes = std::fs::read(&file).map_err(|source| PluginError::Read {
        path: file.clone(),
        source,
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| PluginError::invalid(dir, "plugin.yaml is not UTF-8 text"))?;
    let metadata = metadata::parse(&text, dir)?;
    Ok(Plugin {
        dir: dir.to_path_buf(),
        metadata,
    })
}

/// The plugins of one folder and the ones that could not be read.
#[derive(Debug, Default)]
pub struct Found {
    /// Plugins read, in folder-name order.
    pub plugins: Vec<Plugin>,
    /// Plugins skipped: their plugin.yaml path and why.
    pub skipped: Vec<(PathBuf, PluginError)>,
}

impl Found {
    /// The first plugin named `name` (of type `kind` when given).
    pub fn get(&self, name: &str, kind: Option<PluginType>) -> Option<&Plugin> {
        self.plugins
            .iter()
            .find(|p| p.name() == name && kind.is_none_or(|k| p.metadata.plugin_type == k))
    }

    /// The reason a plugin named `name` was skipped, if one was: a
    /// WebAssembly plugin of that name, or a folder of that name.
    pub fn skipped_as(&self, name: &str) -> Option<&PluginError> {
        self.skipped.iter().find_map(|(file, e)| {
            let by_name = matches!(e, PluginError::UnsupportedRuntime { name: n, .. } if n == name);
            let by_dir = file
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|d| d == name);
            (by_name || by_dir).then_some(e)
        })
    }
}

/// Every plugin in `base/*/plugin.yaml`. A missing folder has none.
pub fn load_all(base: &Path) -> Result<Found, PluginError> {
    let mut found = Found::default();
    let entries = match std::fs::read_dir(base) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(PluginError::io("reading the plugin folder", base, e)),
    };
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join(PLUGIN_FILE).is_file())
        .collect();
    dirs.sort();
    for dir in dirs {
        match load_dir(&dir) {
            Ok(p) => found.plugins.push(p),
            Err(e) => found.skipped.push((dir.join(PLUGIN_FILE), e)),
        }
    }
    for (i, p) in found.plugins.iter().enumerate() {
        if let Some(first) = found.plugins[..i].iter().find(|q| q.name() == p.name()) {
            return Err(PluginError::Duplicate {
                name: p.name().to_string(),
                first: first.dir.clone(),
                second: p.dir.clone(),
            });
        }
    }
    Ok(found)
}

/// Every plugin in `dirs` (of type `kind` when given), folder by folder.
pub fn find_plugins(dirs: &[PathBuf], kind: Option<PluginType>) -> Result<Found, PluginError> {
    let mut all = Found::default();
    for dir in dirs {
        let found = load_all(dir)?;
        all.plugins.extend(
            found
                .plugins
                .into_iter()
                .filter(|p| kind.is_none_or(|k| p.metadata.plugin_type == k)),
        );
        all.skipped.extend(found.skipped);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, yaml: &str) {
        let d = dir.join(name);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join(PLUGIN_FILE), yaml).unwrap();
    }

    #[test]
    fn plugins_are_found_skipped_and_filtered() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        write(a.path(), "one", "name: one\ncommand: x\n");
        write(a.path(), "bad", "name: 'no spaces'\n");
        write(
            a.path(),
            "wasm",
            "apiVersion: v1\nname: wasmy\ntype: cli/v1\nruntime: extism/v1\nversion: 1.0.0\n",
        );
        std::fs::create_dir_all(a.path().join("not-a-plugin")).unwrap();
        write(
            b.path(),
            "get",
            "name: get\ndownloaders: [{command: g, protocols: [fx]}]\n",
        );
        let dirs = [
            a.path().to_path_buf(),
            b.path().to_path_buf(),
            a.path().join("missing"),
        ];
        let all = find_plugins(&dirs, None).unwrap();
        let names: Vec<&str> = all.plugins.iter().map(Plugin::name).collect();
        assert_eq!(names, ["one", "get"]);
        assert_eq!(all.skipped.len(), 2);
        assert!(all.get("get", Some(PluginType::Getter)).is_some());
        assert!(all.get("get", Some(PluginType::Cli)).is_none());
        assert!(matches!(
            all.skipped_as("wasmy"),
            Some(PluginError::UnsupportedRuntime { .. })
        ));
        assert!(all.skipped_as("bad").is_some());
        let cli = find_plugins(&dirs, Some(PluginType::Cli)).unwrap();
        assert_eq!(cli.plugins.len(), 1);
    }

    #[test]
    fn two_plugins_of_one_name_in_a_folder_are_an_error() {
        let a = tempfile::tempdir().unwrap();
        write(a.path(), "x1", "name: x\n");
        write(a.path(), "x2", "name: x\n");
        let e = load_all(a.path()).unwrap_err().to_string();
        assert!(e.contains("two plugins claim the name \"x\""), "{e}");
    }
}
