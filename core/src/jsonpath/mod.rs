//! Kubernetes' JSONPath templates (`k8s.io/client-go/util/jsonpath`), as
//! Helm's `show values --jsonpath` runs them over a chart's values.
//!
//! A template is text with actions in braces: `{.image.tag}`,
//! `{range .ports[*]}{.name}={.port}{"\n"}{end}`. Inside an action:
//!
//! - `$` and `@` name the current object (they are skipped: a path starts
//!   from it anyway); `.field` and `['field']` index a map; `.*` yields
//!   every element of a map, list or string (a string yields its bytes);
//!   `..` descends recursively.
//! - `[n]`, `[-n]`, `[start:end:step]`, `[*]` slice lists; `[a,b]` unions;
//!   `[?(@.x == "y")]` filters (`==`, `!=`, `<`, `<=`, `>`, `>=`, or a path
//!   alone for existence).
//! - `"text"`/`'text'` print text (with Go's escapes), `1`, `1.5`, `true`
//!   are literals, and `range` … `end` repeat the actions between them for
//!   each result.
//!
//! The engine is reproduced as the Go one behaves, quirks included, because
//! the output is what scripts read:
//!
//! - Numbers from values files are `float64` in Helm (`1e+06` for 1000000
//!   when printed alone, `1000000` inside JSON), and a filter comparing one
//!   with an integer literal fails (`[?(@.port==80)]` is an error; `80.0`
//!   works).
//! - Maps and lists print as compact JSON (sorted keys, HTML characters
//!   escaped), other values as Go's `fmt.Print` does; several results of
//!   one action are joined by a space.
//! - A key that is missing is an error (Helm does not allow missing keys),
//!   and any error while evaluating discards all output: the Go engine
//!   collects every result before printing one.
//!
//! Two things differ, both where the Go engine cannot give an answer: where
//! it ranges over a map (`.*`, `..`) Go's order is random and hoist uses
//! sorted key order, the order Go's JSON printing uses; and where Go
//! panics (evaluating `[0]` or `range @` on a missing value inside a
//! `range`) or would take unbounded time or memory, hoist returns an error
//! that [`ExecError::is_fatal`] reports.

mod eval;
mod parser;

#[cfg(test)]
mod golden_tests;

use crate::values::Value;

pub use eval::ExecError;
pub use parser::ParseError;

/// A parsed JSONPath template.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonPath {
    nodes: Vec<parser::Node>,
}

impl JsonPath {
    /// Parses `template`; errors carry the Go parser's messages
    /// (`unclosed action`, `invalid array index x`, ...).
    pub fn parse(template: &str) -> Result<JsonPath, ParseError> {
        Ok(JsonPath {
            nodes: parser::parse(template)?,
        })
    }

    /// Evaluates the template over `data` and appends the text to `out`, as
    /// Go's `JSONPath.Execute` writes it. Evaluation errors leave `out`
    /// untouched; an error while printing (a value JSON cannot represent)
    /// keeps what was printed before it, as in Go.
    pub fn execute(&self, data: &Value, out: &mut Vec<u8>) -> Result<(), ExecError> {
        eval::execute(&self.nodes, data, out)
    }
}

/// Why `show values --jsonpath` failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ShowError {
    /// The template does not parse; worded as Helm words it.
    #[error("error parsing jsonpath {template}: {source}")]
    Parse {
        /// The template as given.
        template: String,
        /// The Go parser's complaint.
        source: ParseError,
    },
    /// Evaluation hit a case where Helm's engine panics, or one of hoist's
    /// limits.
    #[error(transparent)]
    Fatal(ExecError),
}

/// Helm's `show values --jsonpath TEMPLATE` over a chart's values: the
/// template's output with no newline added. Like Helm, an evaluation error
/// is not reported (the output is then empty, or what was printed before a
/// printing error); hoist logs it at debug level (`--debug`).
pub fn show_values(template: &str, values: &Value) -> Result<Vec<u8>, ShowError> {
    let path = JsonPath::parse(template).map_err(|source| ShowError::Parse {
        template: template.to_string(),
        source,
    })?;
    let mut out = Vec::new();
    match path.execute(values, &mut out) {
        Ok(()) => {}
        Err(e) if e.is_fatal() => return Err(ShowError::Fatal(e)),
        Err(e) => tracing::debug!(
            error = %e,
            "jsonpath: evaluation failed; as Helm does, nothing more is printed for the values"
        ),
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_then_execute() {
        let data = crate::chart::load_values("a:\n  b: [1, x]\n").unwrap();
        let p = JsonPath::parse("b={.a.b[*]}").unwrap();
        let mut out = Vec::new();
        p.execute(&data, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "b=1 x");
    }

    #[test]
    fn show_values_words_errors_as_helm() {
        let data = crate::chart::load_values("a: 1\nl: []\n").unwrap();
        assert_eq!(show_values("{.a}", &data).unwrap(), b"1");
        assert_eq!(show_values("x{.b}", &data).unwrap(), b"");
        assert_eq!(
            show_values("{.a", &data).unwrap_err().to_string(),
            "error parsing jsonpath {.a: unclosed action"
        );
        let fatal = show_values("{range .l[*]}{[0]}{end}", &data).unwrap_err();
        assert!(
            matches!(fatal, ShowError::Fatal(ExecError::Panic(_))),
            "{fatal}"
        );
    }

    #[test]
    fn errors_discard_the_output() {
        let data = crate::chart::load_values("a: 1\n").unwrap();
        let p = JsonPath::parse("{.a} {.b}").unwrap();
        let mut out = Vec::new();
        let err = p.execute(&data, &mut out).unwrap_err();
        assert_eq!(err.to_string(), "b is not found");
        assert!(!err.is_fatal());
        assert!(out.is_empty());
    }
}
