//! Hook records, with the JSON shape of Helm's `pkg/release/v1/hook.go` so
//! they can be stored in and read from release records unchanged.

use crate::json::fields::{is_zero_i64, null_default};
use crate::release::gojson::lenient_time;
use crate::release::time::GoTime;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The annotation that turns a resource into a hook.
pub const HOOK_ANNOTATION: &str = "helm.sh/hook";
/// The annotation giving a hook's weight (an integer; anything else is 0).
pub const HOOK_WEIGHT_ANNOTATION: &str = "helm.sh/hook-weight";
/// The annotation listing a hook's delete policies.
pub const HOOK_DELETE_ANNOTATION: &str = "helm.sh/hook-delete-policy";
/// The annotation listing when a hook's pod logs are printed.
pub const HOOK_OUTPUT_LOG_ANNOTATION: &str = "helm.sh/hook-output-log-policy";

/// When a hook runs (`helm.sh/hook`), written as Helm's strings
/// (`pre-install`...).
///
/// Go's `HookEvent` is a plain string, so a stored record may hold any word;
/// words Helm does not know are kept in [`HookEvent::Other`] as written and
/// re-encode unchanged. (Rendering never produces them: Helm drops a resource
/// whose annotation names an unknown event, see [`HookEvent::from_annotation`].)
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum HookEvent {
    /// `pre-install`: before any resource is installed.
    PreInstall,
    /// `post-install`: after all resources are installed.
    PostInstall,
    /// `pre-delete`: before resources are deleted on uninstall.
    PreDelete,
    /// `post-delete`: after resources are deleted on uninstall.
    PostDelete,
    /// `pre-upgrade`: before an upgrade applies resources.
    PreUpgrade,
    /// `post-upgrade`: after an upgrade applied resources.
    PostUpgrade,
    /// `pre-rollback`: before a rollback applies resources.
    PreRollback,
    /// `post-rollback`: after a rollback applied resources.
    PostRollback,
    /// `test`: `helm test` (also written `test-success` in charts made for Helm 2).
    Test,
    /// Any other word found in a stored record.
    Other(String),
}

impl HookEvent {
    /// Every event Helm knows, in Helm's declaration order.
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
    pub fn as_str(&self) -> &str {
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
            HookEvent::Other(s) => s,
        }
    }

    /// Reads an event word as stored in a record; unknown words are kept.
    pub fn parse(text: &str) -> Self {
        HookEvent::ALL
            .into_iter()
            .find(|e| e.as_str() == text)
            .unwrap_or_else(|| HookEvent::Other(text.to_string()))
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

/// When Helm deletes a hook resource (`helm.sh/hook-delete-policy`). Helm
/// stores whatever the annotation says (trimmed, lower-cased), so unknown
/// words are kept verbatim in [`HookDeletePolicy::Other`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum HookDeletePolicy {
    /// `hook-succeeded`: after the hook succeeded.
    HookSucceeded,
    /// `hook-failed`: after the hook failed.
    HookFailed,
    /// `before-hook-creation`: before a new instance of the hook is created;
    /// the default when none is given.
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

/// When Helm copies a hook's pod logs out (`helm.sh/hook-output-log-policy`).
/// Unknown words are kept verbatim.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum HookOutputLogPolicy {
    /// `hook-succeeded` (Go's `HookOutputOnSucceeded`).
    HookSucceeded,
    /// `hook-failed` (Go's `HookOutputOnFailed`).
    HookFailed,
    /// Any other word.
    Other(String),
}

impl HookOutputLogPolicy {
    /// Helm's string for the policy.
    pub fn as_str(&self) -> &str {
        match self {
            HookOutputLogPolicy::HookSucceeded => "hook-succeeded",
            HookOutputLogPolicy::HookFailed => "hook-failed",
            HookOutputLogPolicy::Other(s) => s,
        }
    }

    /// Reads a policy word.
    pub fn parse(text: &str) -> Self {
        match text {
            "hook-succeeded" => HookOutputLogPolicy::HookSucceeded,
            "hook-failed" => HookOutputLogPolicy::HookFailed,
            other => HookOutputLogPolicy::Other(other.to_string()),
        }
    }
}

/// The outcome of a hook's last run. Unknown words are kept verbatim.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum HookPhase {
    /// Never ran: Helm writes an empty string.
    #[default]
    NotRun,
    /// `Unknown`
    Unknown,
    /// `Running`
    Running,
    /// `Succeeded`
    Succeeded,
    /// `Failed`
    Failed,
    /// Any other word.
    Other(String),
}

impl HookPhase {
    /// Helm's string for the phase.
    pub fn as_str(&self) -> &str {
        match self {
            HookPhase::NotRun => "",
            HookPhase::Unknown => "Unknown",
            HookPhase::Running => "Running",
            HookPhase::Succeeded => "Succeeded",
            HookPhase::Failed => "Failed",
            HookPhase::Other(s) => s,
        }
    }

    /// Reads a phase word.
    pub fn parse(text: &str) -> Self {
        match text {
            "" => HookPhase::NotRun,
            "Unknown" => HookPhase::Unknown,
            "Running" => HookPhase::Running,
            "Succeeded" => HookPhase::Succeeded,
            "Failed" => HookPhase::Failed,
            other => HookPhase::Other(other.to_string()),
        }
    }
}

/// Go's string types: written as their word, any word read back, and `null`
/// read as the empty word, as Go leaves a string untouched on `null`.
macro_rules! string_serde {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let word = Option::<String>::deserialize(d)?.unwrap_or_default();
                Ok(<$t>::parse(&word))
            }
        }
    };
}
string_serde!(HookEvent);
string_serde!(HookDeletePolicy);
string_serde!(HookOutputLogPolicy);
string_serde!(HookPhase);

/// The state of a hook's last run (`last_run` in release JSON). Helm writes
/// `phase` always and the times only when set (`{"phase":""}` for a hook
/// that never ran); it reads `""` and `null` times as unset.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HookExecution {
    /// Start of the last run; Go's zero time when the hook never ran.
    #[serde(
        default,
        skip_serializing_if = "GoTime::is_zero",
        deserialize_with = "lenient_time"
    )]
    pub started_at: GoTime,
    /// End of the last run; zero while running or never run.
    #[serde(
        default,
        skip_serializing_if = "GoTime::is_zero",
        deserialize_with = "lenient_time"
    )]
    pub completed_at: GoTime,
    /// Outcome; written even when empty.
    #[serde(default)]
    pub phase: HookPhase,
}

/// A hook resource of a release, as Helm stores it (`release.Hook`). Every
/// field is Go's `omitempty` except `last_run`, which Go always writes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hook {
    /// `metadata.name` of the resource.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub name: String,
    /// `kind` of the resource.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub kind: String,
    /// The chart-relative template path, e.g. `mychart/templates/job.yaml`.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub path: String,
    /// The rendered YAML document.
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub manifest: String,
    /// The events the hook fires on.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub events: Vec<HookEvent>,
    /// The last execution; always written, even for hooks that never ran.
    #[serde(default, deserialize_with = "null_default")]
    pub last_run: HookExecution,
    /// Execution order among hooks of one event (ascending, then by name).
    /// Go's `int` (64 bits), hence `i64`.
    #[serde(
        default,
        skip_serializing_if = "is_zero_i64",
        deserialize_with = "null_default"
    )]
    pub weight: i64,
    /// When to delete the resource; empty means "before-hook-creation",
    /// which Helm writes in when it runs the hook (see [`Hook::set_default_delete_policy`]).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub delete_policies: Vec<HookDeletePolicy>,
    /// When to print the hook's pod logs.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub output_log_policies: Vec<HookOutputLogPolicy>,
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
    let mut out: Vec<&Hook> = hooks.iter().filter(|h| h.events.contains(&event)).collect();
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
        assert!(blank.last_run.started_at.is_zero());
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

    #[test]
    fn hook_last_run_and_phase_are_always_written() {
        let hook = Hook {
            name: "x".into(),
            ..Hook::default()
        };
        assert_eq!(
            serde_json::to_string(&hook).unwrap(),
            r#"{"name":"x","last_run":{"phase":""}}"#
        );
    }

    #[test]
    fn unknown_words_survive_a_round_trip_like_go_strings() {
        let json = r#"{"name":"h","events":["crd-install","post-install"],"last_run":{"phase":"Pending"},"delete_policies":["later"],"output_log_policies":["always"]}"#;
        let h: Hook = serde_json::from_str(json).unwrap();
        assert_eq!(
            h.events,
            vec![
                HookEvent::Other("crd-install".into()),
                HookEvent::PostInstall
            ]
        );
        assert_eq!(h.last_run.phase, HookPhase::Other("Pending".into()));
        assert_eq!(
            h.output_log_policies,
            vec![HookOutputLogPolicy::Other("always".into())]
        );
        assert_eq!(serde_json::to_string(&h).unwrap(), json);
        // Rendering still refuses them: Helm drops such a resource.
        assert_eq!(HookEvent::from_annotation("crd-install"), None);
    }

    #[test]
    fn null_fields_read_as_go_zero_values() {
        let h: Hook = serde_json::from_str(
            r#"{"name":null,"events":null,"weight":null,"last_run":{"started_at":null,"phase":null}}"#,
        )
        .unwrap();
        assert_eq!(h, Hook::default());
    }

    #[test]
    fn set_times_are_written_in_go_format() {
        let mut h = Hook::default();
        h.last_run.started_at = GoTime::parse("2026-11-27T13:50:01.120Z").unwrap();
        h.last_run.phase = HookPhase::Running;
        assert_eq!(
            serde_json::to_string(&h).unwrap(),
            r#"{"last_run":{"started_at":"2026-11-27T13:50:01.12Z","phase":"Running"}}"#
        );
    }
}
