//! Hook records, with the JSON shape of Helm's `pkg/release/v1/hook.go` so
//! they can be stored in and read from release records unchanged.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The annotation that turns a resource into a hook.
pub const HOOK_ANNOTATION: &str = "helm.sh/hook";
/// The annotation giving a hook's weight (an integer; anything else is 0).
pub const HOOK_WEIGHT_ANNOTATION: &str = "helm.sh/hook-weight";
/// The annotation listing a hook's delete policies.
pub const HOOK_DELETE_ANNOTATION: &str = "helm.sh/hook-delete-policy";
/// The annotation listing when a hook's pod logs are printed.
pub const HOOK_OUTPUT_LOG_ANNOTATION: &str = "helm.sh/hook-output-log-policy";

/// When a hook runs. Serialized as Helm's strings (`pre-install`...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HookEvent {
    /// `pre-install`
    #[serde(rename = "pre-install")]
    PreInstall,
    /// `post-install`
    #[serde(rename = "post-install")]
    PostInstall,
    /// `pre-delete`
    #[serde(rename = "pre-delete")]
    PreDelete,
    /// `post-delete`
    #[serde(rename = "post-delete")]
    PostDelete,
    /// `pre-upgrade`
    #[serde(rename = "pre-upgrade")]
    PreUpgrade,
    /// `post-upgrade`
    #[serde(rename = "post-upgrade")]
    PostUpgrade,
    /// `pre-rollback`
    #[serde(rename = "pre-rollback")]
    PreRollback,
    /// `post-rollback`
    #[serde(rename = "post-rollback")]
    PostRollback,
    /// `test` (also written `test-success` in charts made for Helm 2).
    #[serde(rename = "test")]
    Test,
}

impl HookEvent {
    /// Every event, in Helm's declaration order.
    pub const ALL: [HookEvent; 9] = [
        HookEvent::PreInstall,
        HookEvent::PostInstall,
        HookEvent::PreDelete,
        HookEvent::PostDelete,
        HookEvent::PreUpgrade,
        HookEvent::PostUpgrade,
        HookEvent::PreRollback,
        HookEvent::PostRollback,
        HookEvent::Test,
    ];

    /// Helm's name for the event.
    pub fn as_str(self) -> &'static str {
        match self {
            HookEvent::PreInstall => "pre-install",
            HookEvent::PostInstall => "post-install",
            HookEvent::PreDelete => "pre-delete",
            HookEvent::PostDelete => "post-delete",
            HookEvent::PreUpgrade => "pre-upgrade",
            HookEvent::PostUpgrade => "post-upgrade",
            HookEvent::PreRollback => "pre-rollback",
            HookEvent::PostRollback => "post-rollback",
            HookEvent::Test => "test",
        }
    }

    /// Reads an event as written in the `helm.sh/hook` annotation (already
    /// trimmed and lower-cased). `test-success` is Helm 2's name for `test`;
    /// anything else (including Helm 2's `crd-install`) is unknown, and Helm
    /// then drops the whole resource.
    pub fn from_annotation(text: &str) -> Option<HookEvent> {
        if text == "test-success" {
            return Some(HookEvent::Test);
        }
        HookEvent::ALL.into_iter().find(|e| e.as_str() == text)
    }
}

impl std::fmt::Display for HookEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A hook delete policy. Helm stores whatever the annotation says (trimmed,
/// lower-cased), so unknown words are kept verbatim in [`HookDeletePolicy::Other`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum HookDeletePolicy {
    /// `hook-succeeded`
    HookSucceeded,
    /// `hook-failed`
    HookFailed,
    /// `before-hook-creation`, the default when none is given.
    BeforeHookCreation,
    /// Any other word; Helm ignores it when deleting.
    Other(String),
}

impl HookDeletePolicy {
    /// Helm's string for the policy.
    pub fn as_str(&self) -> &str {
        match self {
            HookDeletePolicy::HookSucceeded => "hook-succeeded",
            HookDeletePolicy::HookFailed => "hook-failed",
            HookDeletePolicy::BeforeHookCreation => "before-hook-creation",
            HookDeletePolicy::Other(s) => s,
        }
    }

    /// Reads a policy word.
    pub fn parse(text: &str) -> Self {
        match text {
            "hook-succeeded" => HookDeletePolicy::HookSucceeded,
            "hook-failed" => HookDeletePolicy::HookFailed,
            "before-hook-creation" => HookDeletePolicy::BeforeHookCreation,
            other => HookDeletePolicy::Other(other.to_string()),
        }
    }
}

/// When a hook's pod logs are printed. Unknown words are kept verbatim.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum HookOutputLogPolicy {
    /// `hook-succeeded`
    OnSucceeded,
    /// `hook-failed`
    OnFailed,
    /// Any other word.
    Other(String),
}

impl HookOutputLogPolicy {
    /// Helm's string for the policy.
    pub fn as_str(&self) -> &str {
        match self {
            HookOutputLogPolicy::OnSucceeded => "hook-succeeded",
            HookOutputLogPolicy::OnFailed => "hook-failed",
            HookOutputLogPolicy::Other(s) => s,
        }
    }

    /// Reads a policy word.
    pub fn parse(text: &str) -> Self {
        match text {
            "hook-succeeded" => HookOutputLogPolicy::OnSucceeded,
            "hook-failed" => HookOutputLogPolicy::OnFailed,
            other => HookOutputLogPolicy::Other(other.to_string()),
        }
    }
}

macro_rules! string_serde {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok(<$t>::parse(&String::deserialize(d)?))
            }
        }
    };
}
string_serde!(HookDeletePolicy);
string_serde!(HookOutputLogPolicy);

/// The state of a hook's last run (`last_run` in release JSON).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HookExecution {
    /// RFC 3339 start time; absent when the hook never ran.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "empty_as_none"
    )]
    pub started_at: Option<String>,
    /// RFC 3339 completion time; absent while running or never run.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "empty_as_none"
    )]
    pub completed_at: Option<String>,
    /// `Unknown`, `Running`, `Succeeded`, `Failed`, or empty when never run.
    #[serde(default)]
    pub phase: String,
}

/// Helm accepts `""` for the times in stored records and reads it as unset.
fn empty_as_none<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<String>::deserialize(d)?;
    Ok(v.filter(|s| !s.is_empty()))
}

/// A hook resource of a release, as Helm stores it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hook {
    /// `metadata.name` of the resource.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// `kind` of the resource.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// Template path it came from.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// The YAML document.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub manifest: String,
    /// When it runs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<HookEvent>,
    /// The last execution.
    #[serde(default)]
    pub last_run: HookExecution,
    /// Execution order among hooks of one event (ascending, then by name).
    /// Go's `int` (64 bits), hence `i64`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub weight: i64,
    /// When to delete the resource; empty means "before-hook-creation",
    /// which Helm writes in when it runs the hook (see [`Hook::set_default_delete_policy`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delete_policies: Vec<HookDeletePolicy>,
    /// When to print the hook's pod logs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output_log_policies: Vec<HookOutputLogPolicy>,
}

fn is_zero(w: &i64) -> bool {
    *w == 0
}

impl Hook {
    /// True when the hook runs on `event`.
    pub fn runs_on(&self, event: HookEvent) -> bool {
        self.events.contains(&event)
    }

    /// Helm's `hookSetDeletePolicy`: a hook without a delete policy gets
    /// `before-hook-creation` when it is executed (and is stored that way).
    pub fn set_default_delete_policy(&mut self) {
        if self.delete_policies.is_empty() {
            self.delete_policies = vec![HookDeletePolicy::BeforeHookCreation];
        }
    }
}

/// The hooks that run on `event`, in execution order: by weight, then by
/// name, otherwise keeping the stored order (Helm's stable `hookByWeight`).
pub fn executing_hooks(hooks: &[Hook], event: HookEvent) -> Vec<&Hook> {
    let mut out: Vec<&Hook> = hooks.iter().filter(|h| h.runs_on(event)).collect();
    out.sort_by(|a, b| a.weight.cmp(&b.weight).then_with(|| a.name.cmp(&b.name)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_and_legacy_aliases() {
        assert_eq!(
            HookEvent::from_annotation("test-success"),
            Some(HookEvent::Test)
        );
        assert_eq!(
            HookEvent::from_annotation("post-rollback"),
            Some(HookEvent::PostRollback)
        );
        assert_eq!(HookEvent::from_annotation("crd-install"), None);
        assert_eq!(HookEvent::from_annotation("test-failure"), None);
        for e in HookEvent::ALL {
            assert_eq!(
                serde_json::to_string(&e).unwrap(),
                format!("\"{}\"", e.as_str())
            );
        }
    }

    #[test]
    fn json_shape_matches_helm() {
        let h = Hook {
            name: "a".into(),
            kind: "Job".into(),
            path: "c/templates/j.yaml".into(),
            manifest: "x".into(),
            events: vec![HookEvent::PreInstall],
            weight: 0,
            delete_policies: vec![HookDeletePolicy::parse("weird")],
            ..Hook::default()
        };
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(
            json,
            r#"{"name":"a","kind":"Job","path":"c/templates/j.yaml","manifest":"x","events":["pre-install"],"last_run":{"phase":""},"delete_policies":["weird"]}"#
        );
        let back: Hook = serde_json::from_str(&json).unwrap();
        assert_eq!(back, h);
        let blank: Hook =
            serde_json::from_str(r#"{"last_run":{"started_at":"","phase":"Succeeded"}}"#).unwrap();
        assert_eq!(blank.last_run.started_at, None);
    }

    #[test]
    fn execution_order_is_weight_then_name_stable() {
        let mk = |n: &str, w: i64, e: HookEvent| Hook {
            name: n.into(),
            weight: w,
            events: vec![e],
            ..Hook::default()
        };
        let hooks = vec![
            mk("b", 0, HookEvent::PreInstall),
            mk("a", 0, HookEvent::PreInstall),
            mk("z", -1, HookEvent::PreInstall),
            mk("c", -5, HookEvent::PostInstall),
        ];
        let names: Vec<_> = executing_hooks(&hooks, HookEvent::PreInstall)
            .iter()
            .map(|h| h.name.as_str())
            .collect();
        assert_eq!(names, vec!["z", "a", "b"]);
    }

    #[test]
    fn default_delete_policy_only_when_none() {
        let mut h = Hook::default();
        h.set_default_delete_policy();
        assert_eq!(
            h.delete_policies,
            vec![HookDeletePolicy::BeforeHookCreation]
        );
        let mut h2 = Hook {
            delete_policies: vec![HookDeletePolicy::HookSucceeded],
            ..Hook::default()
        };
        h2.set_default_delete_policy();
        assert_eq!(h2.delete_policies, vec![HookDeletePolicy::HookSucceeded]);
    }
}
