//! Go's `encoding/json` form of `[]byte`: standard base64 with padding.
//!
//! One engine and one pair of serde adapters for every byte field hoist
//! reads or writes as JSON (chart files, release records, stored releases),
//! so they all decode as leniently as Go does.

use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};

/// Go's `base64.StdEncoding`: padding required, non-zero trailing bits
/// tolerated on decoding (Go is not in strict mode).
pub(crate) const GO_STD_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// `[]byte` fields (`#[serde(default, with = "...")]`): `null` reads as
/// empty, as Go leaves a nil slice.
pub(crate) mod base64_bytes {
    use super::GO_STD_BASE64;
    use base64::Engine as _;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&GO_STD_BASE64.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        Ok(super::opt_base64::deserialize(d)?.unwrap_or_default())
    }
}

/// Nullable `[]byte` fields: `null` stays `None` so it re-encodes as `null`.
pub(crate) mod opt_base64 {
    use super::GO_STD_BASE64;
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match bytes {
            None => s.serialize_none(),
            Some(b) => s.serialize_str(&GO_STD_BASE64.encode(b)),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| {
                GO_STD_BASE64
                    .decode(s.as_bytes())
                    .map_err(|e| serde::de::Error::custom(format!("invalid base64: {e}")))
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Deserialize, Serialize)]
    struct F {
        #[serde(default, with = "base64_bytes")]
        data: Vec<u8>,
    }

    #[test]
    fn byte_fields_decode_like_go_std_encoding() {
        // "QR==" has non-zero trailing bits: Go's StdEncoding accepts it.
        let f: F = serde_json::from_str(r#"{"data":"QR=="}"#).unwrap();
        assert_eq!(f.data, b"A");
        let f: F = serde_json::from_str(r#"{"data":null}"#).unwrap();
        assert!(f.data.is_empty());
        // Go requires the padding.
        assert!(serde_json::from_str::<F>(r#"{"data":"QQ"}"#).is_err());
    }

    #[test]
    fn byte_fields_encode_with_padding() {
        let f = F {
            data: b"ab".to_vec(),
        };
        assert_eq!(serde_json::to_string(&f).unwrap(), r#"{"data":"YWI="}"#);
    }

    #[test]
    fn nullable_byte_fields_keep_null() {
        #[derive(Deserialize, Serialize)]
        struct O {
            #[serde(default, with = "opt_base64")]
            data: Option<Vec<u8>>,
        }
        let o: O = serde_json::from_str(r#"{"data":null}"#).unwrap();
        assert_eq!(o.data, None);
        assert_eq!(serde_json::to_string(&o).unwrap(), r#"{"data":null}"#);
        let o: O = serde_json::from_str(r#"{"data":"QQ=="}"#).unwrap();
        assert_eq!(o.data.as_deref(), Some(&b"A"[..]));
    }
}
