//! YAML reading and writing with the semantics of Helm's Go YAML stack
//! (sigs.k8s.io/yaml over go-yaml v2).

use crate::values::Value;

/// A YAML document that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// What went wrong and where (line and column when known).
    pub message: String,
}

/// Parses one YAML document into a [`Value`]. An empty document is `Null`.
pub fn parse(text: &str) -> Result<Value, YamlError> {
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_saphyr::from_str::<Value>(text).map_err(|e| YamlError {
        message: e.to_string(),
    })
}

/// Parses a stream of YAML documents separated by `---`.
pub fn parse_all(text: &str) -> Result<Vec<Value>, YamlError> {
    serde_saphyr::from_multiple::<Value>(text).map_err(|e| YamlError {
        message: e.to_string(),
    })
}

/// Writes a value as YAML the way Helm's `toYaml` does (sigs.k8s.io/yaml).
pub fn to_string(value: &Value) -> String {
    serde_saphyr::to_string(value).unwrap_or_default()
}
