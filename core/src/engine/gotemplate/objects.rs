//! The Go objects Helm puts in the render context: `.Files` (a map of file
//! name to bytes with methods) and `.Capabilities` (structs with methods).

use super::funcs::Param;
use super::value::{GoObject, Value};
use crate::engine::Capabilities;
use crate::engine::files::Files as ChartFiles;
use std::collections::BTreeMap;
use std::rc::Rc;

/// Helm's `files` type (`map[string][]byte`) as a Go object: the file logic
/// (Get, GetBytes, Glob, Lines, AsConfig, AsSecrets) is the engine-neutral
/// [`crate::engine::files::Files`]; this wrapper adds what is Go-specific —
/// method dispatch and argument checks, key lookups as on a Go map, `[]byte`
/// results, and truth by length (an empty `.Files` is false).
#[derive(Debug, Clone, Default)]
pub struct Files(ChartFiles);

impl Files {
    /// Wraps a chart's files.
    pub fn new(files: ChartFiles) -> Files {
        Files(files)
    }

    fn bytes(&self, name: &str) -> Value {
        Value::Bytes(Rc::new(self.0.get_bytes(name).to_vec()))
    }

    fn entry_values(&self) -> Vec<(String, Value)> {
        self.0
            .iter()
            .map(|(k, v)| (k.to_string(), Value::Bytes(Rc::new(v.to_vec()))))
            .collect()
    }
}

/// Go's arity error for a method that takes no argument.
pub(super) fn no_args(name: &str, args: &[Value]) -> Result<(), String> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "wrong number of args for {name}: want 0 got {}",
            args.len()
        ))
    }
}

fn one_str(name: &str, args: &[Value]) -> Result<String, String> {
    match args {
        [Value::Str(s)] => Ok(s.clone()),
        [other] => Err(format!(
            "wrong type for value; expected string; got {}",
            other.type_name()
        )),
        _ => Err(format!(
            "wrong number of args for {name}: want 1 got {}",
            args.len()
        )),
    }
}

impl GoObject for Files {
    fn type_name(&self) -> String {
        "engine.files".into()
    }
    fn method_params(&self, name: &str) -> Option<&'static [Param]> {
        match name {
            "Get" | "GetBytes" | "Glob" | "Lines" => Some(&[Param::Str]),
            "AsConfig" | "AsSecrets" => Some(&[]),
            _ => None,
        }
    }

    fn field(&self, name: &str) -> Option<Value> {
        // `files` is a map type: other names are key lookups.
        Some(self.bytes(name))
    }

    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let r = match name {
            "Get" => one_str(name, args).map(|p| Value::Str(self.0.get(&p))),
            "GetBytes" => one_str(name, args).map(|p| self.bytes(&p)),
            "Glob" => one_str(name, args).map(|p| Value::Object(Rc::new(Files(self.0.glob(&p))))),
            "Lines" => one_str(name, args).map(|p| Value::StrList(Rc::new(self.0.lines(&p)))),
            "AsConfig" => no_args(name, args).map(|()| Value::Str(self.0.as_config())),
            "AsSecrets" => no_args(name, args).map(|()| Value::Str(self.0.as_secrets())),
            _ => return None,
        };
        Some(r)
    }

    fn display(&self) -> String {
        super::fmt::format_v(&self.to_data())
    }

    fn to_data(&self) -> Value {
        Value::map(self.entry_values().into_iter().collect())
    }

    fn entries(&self) -> Option<Vec<(String, Value)>> {
        Some(self.entry_values())
    }
}

/// `.Capabilities.KubeVersion`.
#[derive(Debug, Clone)]
pub struct KubeVersionObj {
    version: String,
    normalized: String,
    major: String,
    minor: String,
}

impl GoObject for KubeVersionObj {
    fn type_name(&self) -> String {
        "common.KubeVersion".into()
    }
    fn method_params(&self, name: &str) -> Option<&'static [Param]> {
        matches!(name, "String" | "GitVersion").then_some(&[])
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" => Some(Value::str(self.version.clone())),
            "Major" => Some(Value::str(self.major.clone())),
            "Minor" => Some(Value::str(self.minor.clone())),
            _ => None,
        }
    }
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let v = match name {
            "String" => self.normalized.clone(),
            "GitVersion" => self.version.clone(),
            _ => return None,
        };
        Some(no_args(name, args).map(|()| Value::Str(v)))
    }
    // `String()` has a pointer receiver: `{{ .Capabilities.KubeVersion }}`
    // uses it, but a copy passed to a function (`quote`, `printf`) makes fmt
    // print the struct: Version, the unexported normalizedVersion (empty
    // for a version from the cluster, as in helm-render's output), Major,
    // Minor.
    fn display(&self) -> String {
        format!("{{{}  {} {}}}", self.version, self.major, self.minor)
    }
    fn display_action(&self) -> String {
        self.normalized.clone()
    }
    fn display_plus(&self) -> String {
        format!(
            "{{Version:{} normalizedVersion: Major:{} Minor:{}}}",
            self.version, self.major, self.minor
        )
    }
    fn to_data(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("Version".into(), Value::str(self.version.clone()));
        m.insert("Major".into(), Value::str(self.major.clone()));
        m.insert("Minor".into(), Value::str(self.minor.clone()));
        Value::map(m)
    }
}

/// `.Capabilities.APIVersions` (a `[]string` with `Has`).
#[derive(Debug, Clone)]
pub struct VersionSet(pub Rc<Vec<String>>);

impl GoObject for VersionSet {
    fn type_name(&self) -> String {
        "common.VersionSet".into()
    }
    fn method_params(&self, name: &str) -> Option<&'static [Param]> {
        (name == "Has").then_some(&[Param::Str])
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        if name != "Has" {
            return None;
        }
        Some(one_str(name, args).map(|v| Value::Bool(self.0.contains(&v))))
    }
    fn display(&self) -> String {
        super::fmt::format_v(&Value::StrList(self.0.clone()))
    }
    fn to_data(&self) -> Value {
        Value::StrList(self.0.clone())
    }
    fn entries(&self) -> Option<Vec<(String, Value)>> {
        None
    }
    fn items(&self) -> Option<Vec<Value>> {
        Some(self.0.iter().map(|s| Value::str(s.clone())).collect())
    }
}

/// A plain struct with only fields (e.g. `.Capabilities.HelmVersion`).
#[derive(Debug, Clone)]
pub struct Struct {
    type_name: &'static str,
    fields: BTreeMap<String, Value>,
    order: Vec<String>,
    /// The struct's `json` tags, which `toJson`/`toYaml` follow: `(Go field,
    /// JSON name, omitempty)`. Empty for a struct without tags (Go names).
    json: &'static [(&'static str, &'static str, bool)],
}

impl GoObject for Struct {
    fn type_name(&self) -> String {
        self.type_name.into()
    }
    fn method_params(&self, _name: &str) -> Option<&'static [Param]> {
        None
    }
    fn field(&self, name: &str) -> Option<Value> {
        self.fields.get(name).cloned()
    }
    fn call(&self, _name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        None
    }
    fn display(&self) -> String {
        let parts: Vec<String> = self
            .order
            .iter()
            .filter_map(|k| self.fields.get(k))
            .map(super::fmt::format_v)
            .collect();
        format!("{{{}}}", parts.join(" "))
    }
    fn to_data(&self) -> Value {
        if self.json.is_empty() {
            return Value::map(self.fields.clone());
        }
        Value::map(
            self.json
                .iter()
                .filter_map(|(go, json, omitempty)| {
                    let v = self.fields.get(*go)?;
                    (!(*omitempty && v.is_empty())).then(|| (json.to_string(), v.clone()))
                })
                .collect(),
        )
    }
}

/// Helm's `version.BuildInfo` fields and their `json` tags.
const BUILD_INFO: &[(&str, &str, bool)] = &[
    ("Version", "version", true),
    ("GitCommit", "git_commit", true),
    ("GitTreeState", "git_tree_state", true),
    ("GoVersion", "go_version", true),
    ("KubeClientVersion", "kube_client_version", false),
];

/// Builds `.Capabilities`.
pub fn capabilities(c: &Capabilities) -> Value {
    let kv = &c.kube_version;
    let kube = Value::Object(Rc::new(KubeVersionObj {
        version: kv.version.clone(),
        normalized: kv.normalized(),
        major: kv.major.clone(),
        minor: kv.minor.clone(),
    }));
    // Only the version is known; the build details of a Go binary are not
    // hoist's to claim, so they read as empty strings.
    let helm = Value::Object(Rc::new(Struct {
        type_name: "version.BuildInfo",
        fields: BUILD_INFO
            .iter()
            .map(|(go, _, _)| {
                let v = if *go == "Version" {
                    c.helm_version.clone()
                } else {
                    String::new()
                };
                (go.to_string(), Value::str(v))
            })
            .collect(),
        order: BUILD_INFO.iter().map(|(go, _, _)| go.to_string()).collect(),
        json: BUILD_INFO,
    }));
    let apis = Value::Object(Rc::new(VersionSet(Rc::new(c.api_versions.clone()))));
    let mut fields = BTreeMap::new();
    fields.insert("APIVersions".to_string(), apis);
    fields.insert("KubeVersion".to_string(), kube);
    fields.insert("HelmVersion".to_string(), helm);
    Value::Object(Rc::new(Struct {
        type_name: "*common.Capabilities",
        json: &[],
        fields,
        order: vec![
            "APIVersions".into(),
            "KubeVersion".into(),
            "HelmVersion".into(),
        ],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::ChartFile;

    fn files() -> Files {
        let f = |name: &str, data: &[u8]| ChartFile {
            name: name.into(),
            data: data.to_vec(),
        };
        Files::new(ChartFiles::new(&[
            f("conf/a.txt", b"x: 1\ny\n"),
            f("conf/sub/b.txt", b"bee"),
            f("README.md", b"r"),
        ]))
    }

    fn call(f: &Files, name: &str, args: &[Value]) -> Value {
        f.call(name, args).unwrap().unwrap()
    }

    // Helm v4 prints its KubeVersion struct, not a String() (helm-render of
    // tests/fixtures/engine/gaps).
    #[test]
    fn kube_version_prints_as_helms_struct() {
        let caps = capabilities(&Capabilities {
            kube_version: crate::engine::KubeVersion::parse("v1.33.0").unwrap(),
            api_versions: Vec::new(),
            helm_version: "v4.3.0".into(),
        });
        let Value::Object(c) = caps else {
            panic!("capabilities is an object")
        };
        let kv = c.field("KubeVersion").unwrap();
        let Value::Object(o) = &kv else {
            panic!("KubeVersion is an object");
        };
        assert_eq!(o.display(), "{v1.33.0  1 33}");
        assert_eq!(
            o.display_plus(),
            "{Version:v1.33.0 normalizedVersion: Major:1 Minor:33}"
        );
        assert_eq!(
            super::super::fmt::sprintf("%+v|%s", &[kv.clone(), kv]),
            "{Version:v1.33.0 normalizedVersion: Major:1 Minor:33}|{v1.33.0  1 33}"
        );
    }

    #[test]
    fn glob_returns_a_files_object() {
        let f = files();
        let g = call(&f, "Glob", &[Value::str("conf/**")]);
        assert_eq!(g.type_name(), "engine.files");
        assert_eq!(g.len(), Some(2));
        assert_eq!(call(&f, "Glob", &[Value::str("conf/*")]).len(), Some(1));
    }

    #[test]
    fn methods() {
        let f = files();
        let lines = call(&f, "Lines", &[Value::str("conf/a.txt")]);
        assert_eq!(lines.list_items().unwrap().len(), 2);
        let got = call(&f, "Get", &[Value::str("conf/sub/b.txt")]);
        assert_eq!(got.as_str(), Some("bee"));
        assert!(f.call("Get", &[]).unwrap().is_err());
        assert!(f.call("AsConfig", &[Value::str("x")]).unwrap().is_err());
        assert!(f.call("Nope", &[]).is_none());
    }

    #[test]
    fn go_types_bytes_and_truth() {
        let f = files();
        let b = call(&f, "GetBytes", &[Value::str("README.md")]);
        assert_eq!(b.type_name(), "[]uint8");
        // A map key lookup on a missing file is an empty []byte, as in Go.
        assert_eq!(f.field("missing").unwrap().len(), Some(0));
        assert!(!call(&f, "Glob", &[Value::str("none/*")]).truth());
        assert!(call(&f, "Glob", &[Value::str("conf/*")]).truth());
        assert!(!Value::Object(Rc::new(Files::default())).truth());
    }

    #[test]
    fn helm_version_marshals_with_its_json_tags() {
        let caps = capabilities(&Capabilities {
            kube_version: crate::engine::KubeVersion::parse("v1.33.0").unwrap(),
            api_versions: Vec::new(),
            helm_version: "v4.3.0".into(),
        });
        let Value::Object(c) = caps else {
            panic!("capabilities is an object")
        };
        let helm = c.field("HelmVersion").unwrap();
        assert_eq!(
            crate::json::to_string(&helm.to_input()),
            r#"{"kube_client_version":"","version":"v4.3.0"}"#
        );
        let Value::Object(h) = helm else {
            panic!("HelmVersion is an object")
        };
        assert_eq!(h.field("KubeClientVersion").unwrap().as_str(), Some(""));
        assert_eq!(h.display(), "{v4.3.0    }");
    }
}
