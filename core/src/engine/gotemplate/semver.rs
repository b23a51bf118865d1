//! Sprig's `semver` and `semverCompare` for the Go engine. Version parsing
//! and constraint checking are Masterminds semver v3's, owned by
//! [`crate::chart::constraint`]; this module only adds the Go side: the
//! `*semver.Version` object with its methods, and Masterminds' error texts.

use crate::chart::constraint::{Constraint, parse_version};

/// A parsed version as Sprig's `semver` returns it (Masterminds' `*Version`).
#[derive(Debug, Clone)]
pub struct SemVer {
    version: semver::Version,
    original: String,
}

impl SemVer {
    /// Masterminds' `NewVersion`: lenient (`v` prefix, missing parts).
    pub fn parse(s: &str) -> Result<SemVer, String> {
        let version = parse_version(s).map_err(|_| INVALID_VERSION.to_string())?;
        Ok(SemVer {
            version,
            original: s.to_string(),
        })
    }

    /// Masterminds' `String()`: `MAJOR.MINOR.PATCH[-PRE][+META]`.
    fn text(&self) -> String {
        self.version.to_string()
    }
}

/// Masterminds' `ErrInvalidSemVer`, which Sprig passes through.
const INVALID_VERSION: &str = "Invalid Semantic Version";

impl super::value::GoObject for SemVer {
    fn type_name(&self) -> String {
        "*semver.Version".into()
    }
    fn field(&self, _name: &str) -> Option<super::value::Value> {
        None
    }
    fn method_params(&self, name: &str) -> Option<&'static [super::funcs::Param]> {
        matches!(
            name,
            "Major" | "Minor" | "Patch" | "Prerelease" | "Metadata" | "Original" | "String"
        )
        .then_some(&[])
    }
    fn call(
        &self,
        name: &str,
        args: &[super::value::Value],
    ) -> Option<Result<super::value::Value, String>> {
        use super::value::Value;
        let v = match name {
            "Major" => Value::Int(self.version.major as i64),
            "Minor" => Value::Int(self.version.minor as i64),
            "Patch" => Value::Int(self.version.patch as i64),
            "Prerelease" => Value::str(self.version.pre.as_str()),
            "Metadata" => Value::str(self.version.build.as_str()),
            "Original" => Value::str(self.original.clone()),
            "String" => Value::str(self.text()),
            _ => return None,
        };
        Some(super::objects::no_args(name, args).map(|()| v))
    }
    fn display(&self) -> String {
        self.text()
    }
    fn to_data(&self) -> super::value::Value {
        super::value::Value::str(self.text())
    }
}

/// `semverCompare CONSTRAINT VERSION`: Sprig parses the constraint first,
/// then the version, and reports whichever fails first.
pub fn compare(constraint: &str, version: &str) -> Result<bool, String> {
    let c = Constraint::parse(constraint).map_err(|e| e.message)?;
    let v = parse_version(version).map_err(|_| INVALID_VERSION.to_string())?;
    Ok(c.matches(&v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::gotemplate::value::{GoObject, Value};

    #[test]
    fn common_helm_constraints() {
        assert!(compare(">=1.19-0", "v1.33.0").unwrap());
        assert!(!compare("<1.19-0", "v1.33.0").unwrap());
        assert!(compare(">=1.21-0", "1.21.0-gke.100").unwrap());
        assert!(!compare(">=1.21", "1.21.0-gke.100").unwrap());
        assert!(compare("^1.2.3", "1.9.0").unwrap());
        assert!(!compare("^1.2.3", "2.0.0").unwrap());
        assert!(compare("~1.2.3", "1.2.9").unwrap());
        assert!(!compare("~1.2.3", "1.3.0").unwrap());
        assert!(compare("1.2.x", "1.2.7").unwrap());
        assert!(compare(">= 1.2, < 2", "1.5.0").unwrap());
        assert!(compare("<1 || >=3", "3.1.0").unwrap());
        assert!(compare("1.0 - 2.0", "1.5.0").unwrap());
        assert!(compare("x".trim(), "1.0.0").is_ok());
        assert!(compare(">=1", "garbage").is_err());
    }

    #[test]
    fn version_object_methods() {
        let v = SemVer::parse("v1.2-rc.1+build.5").unwrap();
        let call = |m: &str| v.call(m, &[]).unwrap().unwrap();
        assert_eq!(call("Major").as_int(), Some(1));
        assert_eq!(call("Minor").as_int(), Some(2));
        assert_eq!(call("Patch").as_int(), Some(0));
        assert_eq!(call("Prerelease").as_str(), Some("rc.1"));
        assert_eq!(call("Metadata").as_str(), Some("build.5"));
        assert_eq!(call("Original").as_str(), Some("v1.2-rc.1+build.5"));
        assert_eq!(call("String").as_str(), Some("1.2.0-rc.1+build.5"));
        assert!(v.call("Major", &[Value::Int(1)]).unwrap().is_err());
        assert_eq!(
            SemVer::parse("one").unwrap_err(),
            "Invalid Semantic Version"
        );
    }
}
