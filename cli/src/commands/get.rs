//! `hoist get values|manifest|notes|hooks|metadata|all`: parts of a
//! release's last revision.

use super::release::{connect, print_release, print_rows, storage, with_storage};
use crate::args::{ClusterArgs, GetCommand, OutputFormat};
use hoist_core::action::get::{
    all_text, hooks_text, metadata_text, notes_text, release_metadata, release_values, values_text,
};
use hoist_core::action::status::status;
use hoist_core::release::record::Release;
use miette::miette;
use std::process::ExitCode;

/// The requested revision, or the last one.
async fn last(cluster: &ClusterArgs, name: &str, revision: Option<i64>) -> miette::Result<Release> {
    let client = connect(cluster).await?;
    let namespace = client.namespace().to_string();
    let backend = storage(cluster, &client, Some(&namespace));
    match revision {
        Some(rev) => with_storage!(&backend, s => s.get(name, rev).await)
            .map_err(|e| miette!("release {name:?} revision {rev}: {e}")),
        None => with_storage!(&backend, s => status(s, name).await).map_err(|e| miette!("{e}")),
    }
}

/// The `-o json|yaml` form of `get manifest` and `get notes`: the text with
/// the revision it came from.
#[derive(serde::Serialize)]
struct ReleaseText<'a> {
    name: &'a str,
    namespace: &'a str,
    revision: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    manifest: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<&'a str>,
}

pub async fn run(c: GetCommand) -> miette::Result<ExitCode> {
    match c {
        GetCommand::Values(a) => {
            let rel = last(&a.cluster, &a.name, a.revision).await?;
            let values = release_values(&rel, a.all).map_err(|e| miette!("{e}"))?;
            match a.output {
                OutputFormat::Table => print!("{}", values_text(&values, a.all)),
                f => print_rows(&values, f)?,
            }
        }
        GetCommand::Manifest(a) => {
            let rel = last(&a.cluster, &a.name, a.revision).await?;
            match a.output {
                OutputFormat::Table => println!("{}", rel.manifest),
                f => print_rows(
                    &ReleaseText {
                        name: &rel.name,
                        namespace: &rel.namespace,
                        revision: rel.version,
                        manifest: Some(&rel.manifest),
                        notes: None,
                    },
                    f,
                )?,
            }
        }
        GetCommand::Notes(a) => {
            let rel = last(&a.cluster, &a.name, a.revision).await?;
            match a.output {
                OutputFormat::Table => print!("{}", notes_text(&rel)),
                f => print_rows(
                    &ReleaseText {
                        name: &rel.name,
                        namespace: &rel.namespace,
                        revision: rel.version,
                        manifest: None,
                        notes: Some(rel.info.as_ref().map(|i| i.notes.as_str()).unwrap_or("")),
                    },
                    f,
                )?,
            }
        }
        GetCommand::Hooks(a) => {
            let rel = last(&a.cluster, &a.name, a.revision).await?;
            match a.output {
                OutputFormat::Table => print!("{}", hooks_text(&rel)),
                f => print_rows(&rel.hooks, f)?,
            }
        }
        GetCommand::Metadata(a) => {
            let rel = last(&a.cluster, &a.name, a.revision).await?;
            let md = release_metadata(&rel);
            match a.output {
                OutputFormat::Table => print!("{}", metadata_text(&md)),
                f => print_rows(&md, f)?,
            }
        }
        GetCommand::All(all) => {
            let a = &all.get;
            let rel = last(&a.cluster, &a.name, a.revision).await?;
            if let Some(template) = &all.template {
                print!("{}", release_template(template, &rel)?);
                return Ok(ExitCode::SUCCESS);
            }
            match a.output {
                OutputFormat::Table => {
                    print!("{}", all_text(&rel).map_err(|e| miette!("{e}"))?)
                }
                f => print_release(&rel, f)?,
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `get all --template`: `template` over `{"Release": release}` with the
/// Go field names Helm's templates see (`.Release.Info.Status`,
/// `.Release.Chart.Metadata.AppVersion`...). Times stay in the record's
/// RFC 3339 text, where Go would print its own `time.Time` format.
fn release_template(template: &str, release: &Release) -> miette::Result<String> {
    let json = hoist_core::release::record::to_go_json(release).map_err(|e| miette!("{e}"))?;
    let json: serde_json::Value = serde_json::from_slice(&json).map_err(|e| miette!("{e}"))?;
    let data = serde_json::json!({ "Release": go_field_names(json) });
    hoist_core::engine::gotemplate::render_text("_", template, &data.into())
        .map_err(|e| miette!("--template: {e}"))
}

/// Helm's JSON field names turned into its Go struct field names; maps
/// that hold user data (values, labels, annotations, live resources) keep
/// their keys.
fn go_field_names(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    const USER_MAPS: &[&str] = &["config", "values", "labels", "annotations", "resources"];
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let value = if USER_MAPS.contains(&key.as_str()) {
                        value
                    } else {
                        go_field_names(value)
                    };
                    (go_field_name(&key), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(go_field_names).collect()),
        other => other,
    }
}

/// `first_deployed` → `FirstDeployed`, `apiVersion` → `APIVersion`...
fn go_field_name(key: &str) -> String {
    match key {
        "apiVersion" => return "APIVersion".into(),
        "url" => return "URL".into(),
        "schemamodtime" => return "SchemaModTime".into(),
        "modtime" => return "ModTime".into(),
        _ => {}
    }
    key.split(['_', '-'])
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_names_become_helms_go_field_names() {
        assert_eq!(go_field_name("first_deployed"), "FirstDeployed");
        assert_eq!(go_field_name("apiVersion"), "APIVersion");
        assert_eq!(go_field_name("appVersion"), "AppVersion");
        assert_eq!(go_field_name("import-values"), "ImportValues");
        assert_eq!(go_field_name("name"), "Name");
        let converted = go_field_names(serde_json::json!({
            "info": {"last_deployed": "t"},
            "config": {"my_key": 1},
            "chart": {"metadata": {"annotations": {"a_b": "c"}}},
        }));
        assert_eq!(converted["Info"]["LastDeployed"], "t");
        assert_eq!(converted["Config"]["my_key"], 1);
        assert_eq!(converted["Chart"]["Metadata"]["Annotations"]["a_b"], "c");
    }
}
