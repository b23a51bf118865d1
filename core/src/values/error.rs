//! The error type of the values pipeline.

use super::strvals::StrvalsError;

/// Something in the values pipeline that stops an install or render.
///
/// Messages follow Helm's wording so output and scripts stay compatible;
/// the fields carry the file, flag or expression for callers that want more.
#[derive(Debug, thiserror::Error)]
pub enum ValuesError {
    /// A `-f` file could not be read (missing, unreadable, unsupported URL).
    #[error("{message}")]
    ReadFile {
        /// The path or URL as given on the command line (`-` is stdin).
        file: String,
        /// What the reader reported.
        message: String,
    },
    /// A `-f` file is not a YAML mapping.
    #[error("failed to parse {file}: {message}")]
    ParseFile {
        /// The path or URL as given on the command line.
        file: String,
        /// The YAML error, line and column included when known.
        message: String,
    },
    /// A `--set`, `--set-string`, `--set-file` or `--set-literal` entry is malformed.
    #[error("failed parsing {flag} data: {source}")]
    Set {
        /// The flag (`--set`, `--set-string`...).
        flag: &'static str,
        /// The offending argument as the user typed it.
        expression: String,
        /// The parser's reason, in Helm's words.
        source: StrvalsError,
    },
    /// A `--set-json` entry is malformed.
    #[error("failed parsing --set-json data {}{expression}", if *.whole_object { "JSON: " } else { "" })]
    SetJson {
        /// The offending argument as the user typed it.
        expression: String,
        /// True for the `{...}` whole-object form.
        whole_object: bool,
        /// The JSON decoder's reason (Helm does not print it).
        reason: String,
    },
    /// User values give a non-map where a subchart's values belong.
    #[error("type mismatch on {key}: {found}")]
    TypeMismatch {
        /// The subchart name.
        key: String,
        /// What was found, as Go's `%t` prints it (`%!t(string=x)`...).
        found: String,
    },
    /// Values handed to coalescing are not a map.
    #[error("values must be a map, got {found}")]
    NotAMap {
        /// The Go type name of what was given.
        found: &'static str,
    },
    /// Values violate one or more charts' values.schema.json, or a schema
    /// is itself broken (Helm reports both in the same per-chart list).
    #[error(
        "values don't meet the specifications of the schema(s) in the following chart(s):\n{report}"
    )]
    SchemaViolation {
        /// Helm's per-chart report (`CHART:\n- at '/path': ...\n`).
        report: String,
    },
}
