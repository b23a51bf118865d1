//! Go's `%v` rendering of values, used where Helm prints values into warnings.

use super::value::Value;

/// Go's `%v` for a `float64` is `strconv.FormatFloat(f, 'g', -1, 64)`.
fn go_float(f: f64) -> String {
    crate::strconv::format_float(f, 'g', -1)
}

/// Formats a value as Go's `fmt` `%v` would print the equivalent `interface{}`.
pub(crate) fn go_v(v: &Value) -> String {
    composite(v, &|scalar| match scalar {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => go_float(*f),
        Value::String(s) => s.clone(),
        Value::List(_) | Value::Map(_) => String::new(),
    })
}

/// Formats a value as Go's `%t` verb would (Helm uses it in one error):
/// booleans print plainly, other scalars as `%!t(TYPE=VALUE)`, and lists and
/// maps element by element.
pub(crate) fn go_t(v: &Value) -> String {
    composite(v, &|scalar| match scalar {
        Value::Null => "%!t(<nil>)".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => format!("%!t(int64={i})"),
        Value::Float(f) => format!("%!t(float64={})", go_float(*f)),
        Value::String(s) => format!("%!t(string={s})"),
        Value::List(_) | Value::Map(_) => String::new(),
    })
}

/// How `fmt` prints slices (`[a b]`) and maps (`map[k:v]`, keys sorted)
/// whatever the verb; `scalar` prints everything else.
fn composite(v: &Value, scalar: &dyn Fn(&Value) -> String) -> String {
    match v {
        Value::List(l) => format!(
            "[{}]",
            l.iter()
                .map(|x| composite(x, scalar))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Value::Map(m) => format!(
            "map[{}]",
            m.iter()
                .map(|(k, x)| format!("{k}:{}", composite(x, scalar)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        other => scalar(other),
    }
}
