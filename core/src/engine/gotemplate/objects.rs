//! The Go objects Helm puts in the render context: `.Files` (a map of file
//! name to bytes with methods) and `.Capabilities` (structs with methods).

use super::funcs::Param;
use super::funcs::helm::to_yaml;
use super::value::{GoObject, Value};
use crate::engine::Capabilities;
use base64::Engine as _;
use std::collections::BTreeMap;
use std::rc::Rc;

/// A source of chart files for `.Files`. Implemented here for plain
/// name → bytes maps; a richer chart file store can implement it too.
pub trait FileSource {
    /// Every file (path relative to the chart root → contents).
    fn all_files(&self) -> BTreeMap<String, Rc<Vec<u8>>>;
}

impl FileSource for BTreeMap<String, Rc<Vec<u8>>> {
    fn all_files(&self) -> BTreeMap<String, Rc<Vec<u8>>> {
        self.clone()
    }
}

/// Helm's `files` type: `map[string][]byte` with Get, GetBytes, Glob, Lines,
/// AsConfig and AsSecrets.
#[derive(Debug, Clone, Default)]
pub struct Files {
    files: BTreeMap<String, Rc<Vec<u8>>>,
}

impl Files {
    /// Builds `.Files` from any file source.
    pub fn new(src: &dyn FileSource) -> Files {
        Files {
            files: src.all_files(),
        }
    }

    /// Files whose names match a gobwas-style glob (`*` stays within one
    /// path segment, `**` crosses segments).
    pub fn glob(&self, pattern: &str) -> Files {
        let pat: Vec<char> = pattern.chars().collect();
        Files {
            files: self
                .files
                .iter()
                .filter(|(k, _)| glob_match(&pat, &k.chars().collect::<Vec<_>>()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    fn base_name(k: &str) -> &str {
        k.rsplit('/').next().unwrap_or(k)
    }

    fn as_config(&self) -> String {
        let m: BTreeMap<String, Value> = self
            .files
            .iter()
            .map(|(k, v)| {
                (
                    Self::base_name(k).to_string(),
                    Value::Str(String::from_utf8_lossy(v).into_owned()),
                )
            })
            .collect();
        to_yaml(&Value::map(m))
    }

    fn as_secrets(&self) -> String {
        let m: BTreeMap<String, Value> = self
            .files
            .iter()
            .map(|(k, v)| {
                (
                    Self::base_name(k).to_string(),
                    Value::Str(base64::engine::general_purpose::STANDARD.encode(v.as_slice())),
                )
            })
            .collect();
        to_yaml(&Value::map(m))
    }

    fn lines(&self, path: &str) -> Vec<String> {
        match self.files.get(path) {
            None => Vec::new(),
            Some(b) if b.is_empty() => Vec::new(),
            Some(b) => {
                let s = String::from_utf8_lossy(b);
                let s = s.strip_suffix('\n').unwrap_or(&s);
                s.split('\n').map(String::from).collect()
            }
        }
    }
}

/// Matches gobwas/glob syntax with `/` as separator: `*`, `**`, `?`,
/// `[abc]`, `[!abc]`, `{a,b}`.
fn glob_match(p: &[char], s: &[char]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some('*') => {
            if p.get(1) == Some(&'*') {
                let rest = &p[2..];
                (0..=s.len()).any(|i| glob_match(rest, &s[i..]))
            } else {
                let rest = &p[1..];
                for i in 0..=s.len() {
                    if glob_match(rest, &s[i..]) {
                        return true;
                    }
                    if i < s.len() && s[i] == '/' {
                        break;
                    }
                }
                false
            }
        }
        Some('?') => !s.is_empty() && s[0] != '/' && glob_match(&p[1..], &s[1..]),
        Some('[') => {
            let Some(end) = p.iter().position(|c| *c == ']') else {
                return !s.is_empty() && s[0] == '[' && glob_match(&p[1..], &s[1..]);
            };
            if s.is_empty() {
                return false;
            }
            let class = &p[1..end];
            let (neg, class) = match class.first() {
                Some('!') | Some('^') => (true, &class[1..]),
                _ => (false, class),
            };
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == '-' {
                    if class[i] <= s[0] && s[0] <= class[i + 2] {
                        hit = true;
                    }
                    i += 3;
                } else {
                    if class[i] == s[0] {
                        hit = true;
                    }
                    i += 1;
                }
            }
            hit != neg && glob_match(&p[end + 1..], &s[1..])
        }
        Some('{') => {
            let Some(end) = p.iter().position(|c| *c == '}') else {
                return !s.is_empty() && s[0] == '{' && glob_match(&p[1..], &s[1..]);
            };
            let rest = &p[end + 1..];
            p[1..end].split(|c| *c == ',').any(|alt| {
                let mut q = alt.to_vec();
                q.extend_from_slice(rest);
                glob_match(&q, s)
            })
        }
        Some('\\') if p.len() > 1 => !s.is_empty() && s[0] == p[1] && glob_match(&p[2..], &s[1..]),
        Some(c) => !s.is_empty() && s[0] == *c && glob_match(&p[1..], &s[1..]),
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
        Some(match self.files.get(name) {
            Some(b) => Value::Bytes(b.clone()),
            None => Value::Bytes(Rc::new(Vec::new())),
        })
    }

    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let r = match name {
            "Get" => one_str(name, args).map(|p| {
                Value::Str(
                    self.files
                        .get(&p)
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .unwrap_or_default(),
                )
            }),
            "GetBytes" => one_str(name, args)
                .map(|p| Value::Bytes(self.files.get(&p).cloned().unwrap_or_default())),
            "Glob" => one_str(name, args).map(|p| Value::Object(Rc::new(self.glob(&p)))),
            "Lines" => one_str(name, args).map(|p| Value::StrList(Rc::new(self.lines(&p)))),
            "AsConfig" | "AsSecrets" => {
                if !args.is_empty() {
                    Err(format!(
                        "wrong number of args for {name}: want 0 got {}",
                        args.len()
                    ))
                } else if name == "AsConfig" {
                    Ok(Value::Str(self.as_config()))
                } else {
                    Ok(Value::Str(self.as_secrets()))
                }
            }
            _ => return None,
        };
        Some(r)
    }

    fn display(&self) -> String {
        super::fmt::format_v(&self.to_data())
    }

    fn to_data(&self) -> Value {
        Value::map(
            self.files
                .iter()
                .map(|(k, v)| (k.clone(), Value::Bytes(v.clone())))
                .collect(),
        )
    }

    fn entries(&self) -> Option<Vec<(String, Value)>> {
        Some(
            self.files
                .iter()
                .map(|(k, v)| (k.clone(), Value::Bytes(v.clone())))
                .collect(),
        )
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
        if !args.is_empty() {
            return Some(Err(format!(
                "wrong number of args for {name}: want 0 got {}",
                args.len()
            )));
        }
        Some(Ok(Value::Str(v)))
    }
    fn display(&self) -> String {
        self.normalized.clone()
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
        Value::map(
            self.fields
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }
}

/// Builds `.Capabilities`.
pub fn capabilities(c: &Capabilities) -> Value {
    let kv = &c.kube_version;
    let normalized = {
        let t = kv.version.trim_start_matches('v');
        let core: String = t
            .chars()
            .take_while(|ch| ch.is_ascii_digit() || *ch == '.')
            .collect();
        format!("v{}", core.trim_end_matches('.'))
    };
    let kube = Value::Object(Rc::new(KubeVersionObj {
        version: kv.version.clone(),
        normalized,
        major: kv.major.clone(),
        minor: kv.minor.clone(),
    }));
    let helm_fields = [
        ("Version", c.helm_version.clone()),
        ("GitCommit", String::new()),
        ("GitTreeState", String::new()),
        ("GoVersion", String::new()),
    ];
    let helm = Value::Object(Rc::new(Struct {
        type_name: "version.BuildInfo",
        fields: helm_fields
            .iter()
            .map(|(k, v)| (k.to_string(), Value::str(v.clone())))
            .collect(),
        order: helm_fields.iter().map(|(k, _)| k.to_string()).collect(),
    }));
    let apis = Value::Object(Rc::new(VersionSet(Rc::new(c.api_versions.clone()))));
    let mut fields = BTreeMap::new();
    fields.insert("APIVersions".to_string(), apis);
    fields.insert("KubeVersion".to_string(), kube);
    fields.insert("HelmVersion".to_string(), helm);
    Value::Object(Rc::new(Struct {
        type_name: "*common.Capabilities",
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

    fn files() -> Files {
        let mut m: BTreeMap<String, Rc<Vec<u8>>> = BTreeMap::new();
        m.insert("conf/a.txt".into(), Rc::new(b"x: 1\ny\n".to_vec()));
        m.insert("conf/sub/b.txt".into(), Rc::new(b"bee".to_vec()));
        m.insert("README.md".into(), Rc::new(b"r".to_vec()));
        Files::new(&m)
    }

    #[test]
    fn glob_semantics() {
        let f = files();
        assert_eq!(f.glob("conf/*").files.len(), 1);
        assert_eq!(f.glob("conf/**").files.len(), 2);
        assert_eq!(f.glob("*.md").files.len(), 1);
        assert_eq!(f.glob("conf/{a,c}.txt").files.len(), 1);
    }

    #[test]
    fn methods() {
        let f = files();
        assert_eq!(f.lines("conf/a.txt"), ["x: 1", "y"]);
        let got = f
            .call("Get", &[Value::str("conf/sub/b.txt")])
            .unwrap()
            .unwrap();
        assert_eq!(got.as_str(), Some("bee"));
        assert!(f.call("Get", &[]).unwrap().is_err());
        assert!(!Value::Object(Rc::new(f.glob("none/*"))).truth());
        assert!(Value::Object(Rc::new(f.glob("conf/*"))).truth());
    }
}
