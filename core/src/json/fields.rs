//! Serde helpers for how Go's `encoding/json` treats struct fields: `null`
//! leaves a field at its zero value, and `omitempty` leaves zero values out.

use serde::{Deserialize, Deserializer};

/// Go leaves a field untouched when the JSON has `null`; serde would fail.
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// `omitempty` for integers.
pub(crate) fn is_zero_i64(v: &i64) -> bool {
    *v == 0
}

/// `omitempty` for booleans.
pub(crate) fn is_false(v: &bool) -> bool {
    !*v
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Deserialize, Serialize)]
    struct F {
        #[serde(
            default,
            deserialize_with = "null_default",
            skip_serializing_if = "is_false"
        )]
        on: bool,
        #[serde(
            default,
            deserialize_with = "null_default",
            skip_serializing_if = "is_zero_i64"
        )]
        n: i64,
    }

    #[test]
    fn null_reads_as_zero_and_zero_is_omitted() {
        let f: F = serde_json::from_str(r#"{"on":null,"n":null}"#).unwrap();
        assert!(!f.on && f.n == 0);
        assert_eq!(serde_json::to_string(&f).unwrap(), "{}");
        let f: F = serde_json::from_str(r#"{"on":true,"n":3}"#).unwrap();
        assert_eq!(serde_json::to_string(&f).unwrap(), r#"{"on":true,"n":3}"#);
    }
}
