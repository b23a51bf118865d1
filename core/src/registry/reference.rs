//! `oci://HOST[:PORT]/REPOSITORY[:TAG][@DIGEST]` references.

use super::RegistryError;

/// The URL scheme of registry references.
pub const OCI_SCHEME: &str = "oci://";

/// A parsed registry reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `HOST` or `HOST:PORT`.
    pub registry: String,
    /// The repository path, e.g. `charts/nginx`.
    pub repository: String,
    /// The tag, with `+` already turned into `_` as Helm does (OCI tags
    /// cannot hold `+`).
    pub tag: Option<String>,
    /// `sha256:HEX`, when the reference pins a digest.
    pub digest: Option<String>,
}

impl Reference {
    /// Parses a reference with or without the `oci://` prefix.
    pub fn parse(raw: &str) -> Result<Reference, RegistryError> {
        let bad = |message: &str| RegistryError::InvalidReference {
            reference: raw.to_string(),
            message: message.to_string(),
        };
        let mut rest = raw.strip_prefix(OCI_SCHEME).unwrap_or(raw);
        let mut digest = None;
        if let Some(at) = rest.rfind('@') {
            let d = &rest[at + 1..];
            let Some(hex) = d.strip_prefix("sha256:") else {
                return Err(bad("only sha256 digests are supported (…@sha256:HEX)"));
            };
            if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad("the digest must be sha256: followed by 64 hex digits"));
            }
            digest = Some(d.to_ascii_lowercase());
            rest = &rest[..at];
        }
        let Some(slash) = rest.find('/') else {
            return Err(bad("expected HOST/REPOSITORY"));
        };
        let registry = &rest[..slash];
        let mut path = &rest[slash + 1..];
        let mut tag = None;
        if let Some(colon) = path.rfind(':') {
            let t = &path[colon + 1..];
            if t.is_empty() {
                return Err(bad("empty tag after ':'"));
            }
            let t = t.replace('+', "_");
            if !valid_tag(&t) {
                return Err(bad(
                    "a tag is up to 128 letters, digits, '_', '.', '-' (and '+' for versions)",
                ));
            }
            tag = Some(t);
            path = &path[..colon];
        }
        if registry.is_empty() || registry.contains(['/', '@', ' ']) {
            return Err(bad("the registry host is missing or invalid"));
        }
        if !valid_repository(path) {
            return Err(bad(
                "the repository path must be lowercase letters, digits and separators (., _, -, /)",
            ));
        }
        Ok(Reference {
            registry: registry.to_string(),
            repository: path.to_string(),
            tag,
            digest,
        })
    }

    /// The tag or digest to fetch the manifest by (digest wins).
    pub fn manifest_ref(&self) -> Option<&str> {
        self.digest.as_deref().or(self.tag.as_deref())
    }

    /// The last path element: the chart name.
    pub fn chart_name(&self) -> &str {
        self.repository
            .rsplit('/')
            .next()
            .unwrap_or(&self.repository)
    }
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// Tag grammar of the distribution spec: `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`.
fn valid_tag(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// Repository grammar: lowercase components joined by `/`, each
/// `[a-z0-9]+` runs separated by `.`, `_`, `__` or `-`s.
fn valid_repository(path: &str) -> bool {
    !path.is_empty()
        && path.split('/').all(|comp| {
            let b = comp.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_lowercase() | b[0].is_ascii_digit()
                && b[b.len() - 1].is_ascii_lowercase() | b[b.len() - 1].is_ascii_digit()
                && b.iter().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'.' | b'_' | b'-')
                })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_host_port_repository_and_tag() {
        let r = Reference::parse("oci://127.0.0.1:5000/charts/app:1.2.3+build.7").unwrap();
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert_eq!(r.repository, "charts/app");
        assert_eq!(r.tag.as_deref(), Some("1.2.3_build.7"));
        assert_eq!(r.chart_name(), "app");
        assert_eq!(r.to_string(), "127.0.0.1:5000/charts/app:1.2.3_build.7");
    }

    #[test]
    fn port_is_not_taken_for_a_tag() {
        let r = Reference::parse("oci://localhost:5000/app").unwrap();
        assert_eq!(r.registry, "localhost:5000");
        assert_eq!(r.repository, "app");
        assert_eq!(r.tag, None);
    }

    #[test]
    fn digest_is_kept_and_wins_over_tag() {
        let d = format!("sha256:{}", "a".repeat(64));
        let r = Reference::parse(&format!("oci://h/app:1.0.0@{d}")).unwrap();
        assert_eq!(r.manifest_ref(), Some(d.as_str()));
        assert_eq!(r.tag.as_deref(), Some("1.0.0"));
    }

    #[test]
    fn bad_references_are_refused() {
        for bad in [
            "oci://hostonly",
            "oci://h/Upper",
            "oci://h/app:",
            "oci://h/app@sha256:xyz",
            "oci://h/a//b",
            "oci:///app",
        ] {
            assert!(Reference::parse(bad).is_err(), "{bad}");
        }
    }
}
