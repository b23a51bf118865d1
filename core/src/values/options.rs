//! User-supplied values from the command line, merged in Helm's order
//! (`pkg/cli/values/options.go`): every `-f` file in turn, then
//! `--set-json`, `--set`, `--set-string`, `--set-file`, `--set-literal`.

use super::error::ValuesError;
use super::strvals;
use super::value::{Map, Value};
use std::fmt;

/// The values flags of `install`, `upgrade`, `template`, `lint`...
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValueOptions {
    /// `-f/--values`: files (or URLs, or `-` for stdin), in order.
    pub value_files: Vec<String>,
    /// `--set`: typed values.
    pub values: Vec<String>,
    /// `--set-string`: string values.
    pub string_values: Vec<String>,
    /// `--set-file`: values read from files.
    pub file_values: Vec<String>,
    /// `--set-json`: JSON values (`key=JSON` or a whole `{...}` object).
    pub json_values: Vec<String>,
    /// `--set-literal`: a value taken verbatim.
    pub literal_values: Vec<String>,
}

impl ValueOptions {
    /// Merges all sources into one values map, later sources winning.
    ///
    /// `reader` fetches the bytes of a `-f` or `--set-file` argument; it
    /// decides what `-` (stdin) and URLs mean.
    pub fn merge_values<E: fmt::Display>(
        &self,
        reader: &dyn Fn(&str) -> Result<Vec<u8>, E>,
    ) -> Result<Value, ValuesError> {
        let mut base = Map::new();

        for file in &self.value_files {
            let raw = reader(file).map_err(|e| ValuesError::ReadFile {
                file: file.clone(),
                message: e.to_string(),
            })?;
            let current = load_values(&raw).map_err(|message| ValuesError::ParseFile {
                file: file.clone(),
                message,
            })?;
            base = merge_maps(base, current);
        }

        for expr in &self.json_values {
            let trimmed = expr.trim();
            if trimmed.starts_with('{') {
                match crate::json::parse(trimmed) {
                    Ok(Value::Map(m)) => base = merge_maps(base, m),
                    // Text starting with `{` parses to an object or not at all.
                    other => {
                        return Err(ValuesError::SetJson {
                            expression: expr.clone(),
                            whole_object: true,
                            reason: other
                                .err()
                                .map_or_else(|| "not a JSON object".into(), |e| e.to_string()),
                        });
                    }
                }
            } else if let Err(e) = strvals::parse_json(expr, &mut base) {
                return Err(ValuesError::SetJson {
                    expression: expr.clone(),
                    whole_object: false,
                    reason: e.message,
                });
            }
        }

        let set_err = |flag: &'static str, expr: &str| {
            let expression = expr.to_string();
            move |source| ValuesError::Set {
                flag,
                expression,
                source,
            }
        };
        for expr in &self.values {
            strvals::parse_into(expr, &mut base).map_err(set_err("--set", expr))?;
        }
        for expr in &self.string_values {
            strvals::parse_into_string(expr, &mut base).map_err(set_err("--set-string", expr))?;
        }
        for expr in &self.file_values {
            let read = |path: &str| -> Result<Value, String> {
                reader(path)
                    .map(|b| Value::String(String::from_utf8_lossy(&b).into_owned()))
                    .map_err(|e| e.to_string())
            };
            strvals::parse_into_file(expr, &mut base, &read)
                .map_err(set_err("--set-file", expr))?;
        }
        for expr in &self.literal_values {
            strvals::parse_literal_into(expr, &mut base).map_err(set_err("--set-literal", expr))?;
        }
        Ok(Value::Map(base))
    }
}

/// Helm's `loader.LoadValues`: every YAML document of the file, each a
/// mapping (or empty), merged in order.
pub fn load_values(raw: &[u8]) -> Result<Map, String> {
    let text = String::from_utf8_lossy(raw);
    let docs = crate::yaml::parse_all(&text)
        .map_err(|e| format!("cannot unmarshal yaml document: {e}"))?;
    let mut out = Map::new();
    for doc in docs {
        match doc {
            Value::Null => {}
            Value::Map(m) => out = merge_maps(out, m),
            other => {
                let kind = match other {
                    Value::Bool(_) => "bool",
                    Value::Int(_) | Value::Float(_) => "number",
                    Value::String(_) => "string",
                    _ => "array",
                };
                return Err(format!(
                    "cannot unmarshal yaml document: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
                ));
            }
        }
    }
    Ok(out)
}

/// Helm's `loader.MergeMaps`: `b` over `a`, maps merged recursively,
/// everything else (nulls included) replaced.
pub fn merge_maps(mut a: Map, b: Map) -> Map {
    for (k, v) in b {
        match (a.remove(&k), v) {
            (Some(Value::Map(av)), Value::Map(bv)) => {
                a.insert(k, Value::Map(merge_maps(av, bv)));
            }
            (_, v) => {
                a.insert(k, v);
            }
        }
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashMap;

    fn files() -> HashMap<&'static str, &'static str> {
        HashMap::from([
            ("a.yaml", "x: 1\nm:\n  a: 1\n  b: 1\nl: [1, 2]\n"),
            ("b.yaml", "m:\n  b: 2\nl: [3]\n---\nz: doc2\n"),
            ("bad.yaml", "- 1\n- 2\n"),
            ("cert.pem", "-----BEGIN-----\n"),
        ])
    }

    fn run(opts: &ValueOptions) -> Result<Value, ValuesError> {
        let fs = files();
        let reader = move |p: &str| -> Result<Vec<u8>, String> {
            fs.get(p)
                .map(|s| s.as_bytes().to_vec())
                .ok_or_else(|| format!("open {p}: no such file or directory"))
        };
        opts.merge_values(&reader)
    }

    #[test]
    fn files_merge_in_order_with_multiple_documents() {
        let got = run(&ValueOptions {
            value_files: vec!["a.yaml".into(), "b.yaml".into()],
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            got,
            Value::from(json!({"x": 1, "m": {"a": 1, "b": 2}, "l": [3], "z": "doc2"}))
        );
    }

    #[test]
    fn flag_order_is_json_set_string_file_literal() {
        let got = run(&ValueOptions {
            value_files: vec!["a.yaml".into()],
            json_values: vec!["x=[1]".into(), r#"{"j": {"k": 1}}"#.into()],
            values: vec!["x=2,y=3".into()],
            string_values: vec!["y=4".into()],
            file_values: vec!["cert=cert.pem".into()],
            literal_values: vec!["y=a,b".into()],
        })
        .unwrap();
        let m = got.as_map().unwrap();
        assert_eq!(m["x"], Value::Int(2));
        assert_eq!(m["y"], Value::from("a,b"));
        assert_eq!(m["cert"], Value::from("-----BEGIN-----\n"));
        assert_eq!(got.get_path("j.k"), Some(&Value::Float(1.0)));
        assert_eq!(got.get_path("m.a"), Some(&Value::Float(1.0)));
    }

    #[test]
    fn errors_name_file_flag_and_expression() {
        let err = run(&ValueOptions {
            value_files: vec!["missing.yaml".into()],
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "open missing.yaml: no such file or directory"
        );

        let err = run(&ValueOptions {
            value_files: vec!["bad.yaml".into()],
            ..Default::default()
        })
        .unwrap_err();
        assert!(
            err.to_string().starts_with("failed to parse bad.yaml: "),
            "{err}"
        );

        let err = run(&ValueOptions {
            values: vec!["a.b".into()],
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "failed parsing --set data: key \"b\" has no value"
        );
        assert!(matches!(err, ValuesError::Set { ref expression, .. } if expression == "a.b"));

        let err = run(&ValueOptions {
            json_values: vec!["{bad".into()],
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "failed parsing --set-json data JSON: {bad");

        let err = run(&ValueOptions {
            json_values: vec!["a={bad".into()],
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "failed parsing --set-json data a={bad");

        let err = run(&ValueOptions {
            file_values: vec!["a=nofile".into()],
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "failed parsing --set-file data: open nofile: no such file or directory"
        );
    }

    #[test]
    fn null_from_set_replaces_file_value() {
        let got = run(&ValueOptions {
            value_files: vec!["a.yaml".into()],
            values: vec!["m=null".into()],
            ..Default::default()
        })
        .unwrap();
        assert_eq!(got.get_path("m"), Some(&Value::Null));
    }
}
