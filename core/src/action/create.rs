//! `hoist create`: a new chart from a built-in starter, for either engine.

use std::path::{Path, PathBuf};

use super::ActionError;

/// Which engine the starter chart is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StarterEngine {
    /// Go templates (works with Helm too).
    GoTemplate,
    /// hoist's handlebars engine.
    Handlebars,
}

const PLACEHOLDER: &str = "<CHARTNAME>";

/// Starter files: (path inside the chart, contents with `<CHARTNAME>`).
fn starter_files(engine: StarterEngine) -> &'static [(&'static str, &'static str)] {
    macro_rules! starter {
        ($dir:literal, [$($file:literal),* $(,)?]) => {
            &[$(($file, include_str!(concat!("starter/", $dir, "/", $file)))),*]
        };
    }
    match engine {
        StarterEngine::GoTemplate => starter!(
            "gotemplate",
            [
                "Chart.yaml",
                "values.yaml",
                "values.schema.json",
                ".helmignore",
                "templates/_helpers.tpl",
                "templates/deployment.yaml",
                "templates/service.yaml",
                "templates/serviceaccount.yaml",
                "templates/NOTES.txt",
            ]
        ),
        StarterEngine::Handlebars => starter!(
            "handlebars",
            [
                "Chart.yaml",
                "values.yaml",
                "values.schema.json",
                ".helmignore",
                "templates/_helpers.hbs",
                "templates/deployment.yaml",
                "templates/service.yaml",
                "templates/serviceaccount.yaml",
                "templates/NOTES.txt",
            ]
        ),
    }
}

/// Validates a chart name the way Helm's `create` does: letters, digits,
/// `-` and `_`... and no path separators inside the name itself.
fn validate_name(name: &str) -> Result<(), ActionError> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(ActionError::Invalid(format!(
            "chart name {name:?} is invalid: use letters, digits, '-', '_' and '.', starting with a letter or digit"
        )))
    }
}

/// Creates a chart folder at `path` (its last component is the chart name).
/// Refuses to write into an existing non-empty folder, so nothing the user
/// has is overwritten. Returns the folder created.
pub fn create(path: &Path, engine: StarterEngine) -> Result<PathBuf, ActionError> {
    let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        ActionError::Invalid(format!("cannot take a chart name from {}", path.display()))
    })?;
    validate_name(name)?;
    if path.exists() {
        let non_empty = std::fs::read_dir(path)
            .map_err(|e| ActionError::io(format!("reading {}", path.display()), e))?
            .next()
            .is_some();
        if non_empty {
            return Err(ActionError::Invalid(format!(
                "{} already exists and is not empty; choose another name or remove it first",
                path.display()
            )));
        }
    }
    for (rel, content) in starter_files(engine) {
        let target = path.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| ActionError::io(format!("creating {}", parent.display()), e))?;
        }
        std::fs::write(&target, content.replace(PLACEHOLDER, name))
            .map_err(|e| ActionError::io(format!("writing {}", target.display()), e))?;
    }
    Ok(path.to_path_buf())
}

/// The Chart.yaml Helm writes for a chart made from a starter: its own
/// metadata for the new name (Helm marshals it with sorted keys).
fn starter_chart_yaml(name: &str) -> String {
    format!(
        "apiVersion: v2\nappVersion: 0.1.0\ndescription: A Helm chart for Kubernetes\n\
         name: {name}\ntype: application\nversion: 0.1.0\n"
    )
}

/// `create --starter`: a chart at `path` from the starter chart folder
/// `starter`, as Helm's `CreateFrom`: the starter's files (its .helmignore
/// applied), a new Chart.yaml for the name, and `<CHARTNAME>` replaced by
/// the name in templates/ and values.yaml (other files are copied as they
/// are). Refuses a non-empty target, as [`create`] does.
pub fn create_from_starter(path: &Path, starter: &Path) -> Result<PathBuf, ActionError> {
    let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        ActionError::Invalid(format!("cannot take a chart name from {}", path.display()))
    })?;
    validate_name(name)?;
    // Helm loads the starter as a chart first (a folder or an archive): a
    // broken one is refused before anything is written.
    let unloadable = |e: crate::chart::ChartError| {
        ActionError::Invalid(format!("could not load {}: {e}", starter.display()))
    };
    let loaded = crate::chart::load(starter).map_err(unloadable)?;
    let files = if starter.is_dir() {
        crate::chart::read_dir_files(starter).map_err(unloadable)?
    } else {
        let file = std::fs::File::open(starter)
            .map_err(|e| ActionError::io(format!("reading {}", starter.display()), e))?;
        crate::chart::archive::read_archive(file, &starter.display().to_string())
            .map_err(unloadable)?
    };
    if path.exists()
        && std::fs::read_dir(path)
            .map_err(|e| ActionError::io(format!("reading {}", path.display()), e))?
            .next()
            .is_some()
    {
        return Err(ActionError::Invalid(format!(
            "{} already exists and is not empty; choose another name or remove it first",
            path.display()
        )));
    }
    let write = |rel: &str, data: &[u8]| -> Result<(), ActionError> {
        let target = path.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| ActionError::io(format!("creating {}", parent.display()), e))?;
        }
        std::fs::write(&target, data)
            .map_err(|e| ActionError::io(format!("writing {}", target.display()), e))
    };
    write("Chart.yaml", starter_chart_yaml(name).as_bytes())?;
    for file in files {
        // Helm's loader keeps the lock files out of the chart's files and
        // SaveDir does not write them: the new Chart.yaml has no
        // dependencies for them to lock.
        if ["Chart.yaml", "Chart.lock", "requirements.lock"].contains(&file.name.as_str()) {
            continue;
        }
        // Subcharts are written below as Helm's SaveDir writes them; their
        // `.prov` files are chart files to Helm's loader and stay.
        if file.name.starts_with("charts/") && !file.name.ends_with(".prov") {
            continue;
        }
        if file.name == "values.yaml" || file.name.starts_with("templates/") {
            let text = String::from_utf8_lossy(&file.data).replace(PLACEHOLDER, name);
            write(&file.name, text.as_bytes())?;
        } else {
            write(&file.name, &file.data)?;
        }
    }
    // As archives named NAME-VERSION.tgz, whether the starter held them
    // as folders or as archives.
    for sub in &loaded.dependencies {
        let bytes = crate::chart::archive_bytes(sub).map_err(unloadable)?;
        write(
            &format!("charts/{}-{}.tgz", sub.metadata.name, sub.metadata.version),
            &bytes,
        )?;
    }
    Ok(path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_named_chart_and_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("web");
        create(&path, StarterEngine::GoTemplate).unwrap();
        let chart_yaml = std::fs::read_to_string(path.join("Chart.yaml")).unwrap();
        assert!(chart_yaml.contains("name: web"));
        let helpers = std::fs::read_to_string(path.join("templates/_helpers.tpl")).unwrap();
        assert!(!helpers.contains(PLACEHOLDER));
        let err = create(&path, StarterEngine::GoTemplate).unwrap_err();
        assert!(err.to_string().contains("already exists"));
    }

    #[test]
    fn a_starter_becomes_the_named_chart() {
        let dir = tempfile::tempdir().unwrap();
        let starter = dir.path().join("org-starter");
        std::fs::create_dir_all(starter.join("templates")).unwrap();
        std::fs::write(
            starter.join("Chart.yaml"),
            "apiVersion: v2\nname: org-starter\nversion: 9.9.9\n",
        )
        .unwrap();
        std::fs::write(starter.join("values.yaml"), "image: <CHARTNAME>\n").unwrap();
        std::fs::write(
            starter.join("templates/cm.yaml"),
            "metadata:\n  name: <CHARTNAME>-cm\n",
        )
        .unwrap();
        std::fs::write(starter.join("README.md"), "about <CHARTNAME>\n").unwrap();
        std::fs::write(starter.join("Chart.lock"), "dependencies: []\n").unwrap();
        std::fs::write(starter.join("secret.txt"), "x").unwrap();
        std::fs::write(starter.join(".helmignore"), "secret.txt\n").unwrap();
        // A subchart kept as a folder.
        std::fs::create_dir_all(starter.join("charts/db/templates")).unwrap();
        std::fs::write(
            starter.join("charts/db/Chart.yaml"),
            "apiVersion: v2\nname: db\nversion: 1.2.3\n",
        )
        .unwrap();
        std::fs::write(
            starter.join("charts/db/templates/db.yaml"),
            "kind: <CHARTNAME>\n",
        )
        .unwrap();
        std::fs::write(starter.join("charts/old-1.0.0.tgz.prov"), "signature\n").unwrap();
        let target = dir.path().join("shop");
        create_from_starter(&target, &starter).unwrap();
        let read = |rel: &str| std::fs::read_to_string(target.join(rel)).unwrap();
        assert!(read("Chart.yaml").contains("name: shop\n"));
        assert!(read("Chart.yaml").contains("version: 0.1.0\n"));
        assert_eq!(read("values.yaml"), "image: shop\n");
        assert_eq!(read("templates/cm.yaml"), "metadata:\n  name: shop-cm\n");
        // Only templates and values.yaml are rewritten, as in Helm.
        assert_eq!(read("README.md"), "about <CHARTNAME>\n");
        assert!(!target.join("secret.txt").exists());
        assert!(!target.join("Chart.lock").exists());
        // The subchart folder became an archive, its templates untouched;
        // a provenance file beside it stays.
        assert_eq!(read("charts/old-1.0.0.tgz.prov"), "signature\n");
        assert!(!target.join("charts/db").exists());
        let sub = crate::chart::load(target.join("charts/db-1.2.3.tgz")).unwrap();
        assert_eq!(sub.metadata.name, "db");
        assert_eq!(
            sub.templates
                .iter()
                .find(|t| t.name == "templates/db.yaml")
                .map(|t| t.data.as_slice()),
            Some(&b"kind: <CHARTNAME>\n"[..])
        );
        // A packaged starter works too.
        let archive = crate::chart::package(
            &starter,
            &crate::chart::PackageOptions {
                destination: dir.path().to_path_buf(),
                ..Default::default()
            },
        )
        .unwrap();
        let from_archive = dir.path().join("cart");
        create_from_starter(&from_archive, &archive).unwrap();
        assert_eq!(
            std::fs::read_to_string(from_archive.join("templates/cm.yaml")).unwrap(),
            "metadata:\n  name: cart-cm\n"
        );
        // The result is a chart; a second run refuses to overwrite it.
        crate::chart::load_dir(&target).unwrap();
        let err = create_from_starter(&target, &starter).unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
        let err =
            create_from_starter(&dir.path().join("other"), &dir.path().join("none")).unwrap_err();
        assert!(err.to_string().contains("could not load"), "{err}");
        assert!(!dir.path().join("other").exists());
    }

    #[test]
    fn rejects_bad_names() {
        let dir = tempfile::tempdir().unwrap();
        assert!(create(&dir.path().join("-bad"), StarterEngine::GoTemplate).is_err());
        assert!(create(&dir.path().join("bad name"), StarterEngine::Handlebars).is_err());
    }
}
