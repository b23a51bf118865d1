//! values.schema.json checks, reported the way Helm reports them.
//!
//! Helm validates with santhosh-tekuri/jsonschema v6 and prints its error
//! tree: one `- at '/json/pointer': message` line per failure, nested
//! failures indented by two spaces, several failures at one place grouped
//! under `validation failed`. Validation itself is done here by the
//! `jsonschema` crate (drafts 4 to 2020-12, no network references); its
//! errors are re-worded and re-shaped into Helm's tree and texts.
//!
//! The tree is rebuilt from each failure's keyword path (with `$ref`
//! hops): failures of one subschema at one value are grouped under
//! `validation failed`, `allOf` branches under `'allOf' failed`, and
//! anyOf/oneOf alternatives under their keyword, as Helm's validator does.
//!
//! Known differences: Helm's order among sibling property errors follows Go
//! map iteration (it changes from run to run), here it is by name;
//! `contains` failures list per-item reasons only when the `contains`
//! schema has no `$ref`; `format` failures carry Helm's reason (`: missing @`)
//! only for email, hostname and ipv4.

use super::error::ValuesError;
use super::formats;
use super::value::{Map, Value};
use crate::chart::Chart;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use jsonschema::{JsonType, ValidationError};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// Helm's `ValidateAgainstSchema`: checks `values` (coalesced) against the
/// chart's values.schema.json and, recursively, every subchart's schema
/// against the values under the subchart's name.
pub fn validate(chart: &Chart, values: &Value) -> Result<(), ValuesError> {
    let empty = Map::new();
    let map = values.as_map().unwrap_or(&empty);
    let report = chart_report(chart, map);
    if report.is_empty() {
        Ok(())
    } else {
        Err(ValuesError::SchemaViolation { report })
    }
}

fn chart_report(chart: &Chart, values: &Map) -> String {
    let mut sb = String::new();
    if let Some(Err(msg)) = chart.schema.as_ref().map(|s| validate_single(values, s)) {
        sb.push_str(&format!("{}:\n{msg}", chart.name()));
    }
    for sub in &chart.dependencies {
        match values.get(sub.name()) {
            None | Some(Value::Null) => {}
            Some(Value::Map(m)) => sb.push_str(&chart_report(sub, m)),
            Some(other) => sb.push_str(&format!(
                "{}:\ninvalid type for values: expected object (map), got {}\n",
                sub.name(),
                other.type_name()
            )),
        }
    }
    sb
}

/// Helm's `ValidateAgainstSingleSchema`. The error text is Helm's: the
/// failure tree followed by a newline, or a schema problem without one.
pub fn validate_single(values: &Map, schema: &[u8]) -> Result<(), String> {
    // A malformed file is reported with Go's decoder wording, as Helm does.
    let schema: Json = serde_json::from_slice(schema)
        .map_err(|e| crate::json::decoder_syntax_error(schema).unwrap_or_else(|| e.to_string()))?;
    let validator = jsonschema::options()
        .build(&schema)
        .map_err(|e| metaschema_error(&schema, e))?;
    let instance = serde_json::to_value(Value::Map(values.clone()))
        .map_err(|e| format!("unable to validate schema: {e}"))?;
    let errors: Vec<Failure> = validator
        .iter_errors(&instance)
        .flat_map(|e| Failure::expand(&e, &schema))
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    let mut out = String::new();
    for node in build(errors, 0, &[]) {
        node.display(&mut out, 1);
    }
    // Helm strips the "jsonschema validation failed with ..." head line and
    // adds a newline so subchart reports start on their own line.
    Err(format!("{}\n", out.trim_start_matches('\n')))
}

fn metaschema_error(schema: &Json, e: ValidationError<'_>) -> String {
    const KNOWN: [&str; 5] = [
        "http://json-schema.org/draft-04/schema",
        "http://json-schema.org/draft-06/schema",
        "http://json-schema.org/draft-07/schema",
        "https://json-schema.org/draft/2019-09/schema",
        "https://json-schema.org/draft/2020-12/schema",
    ];
    let meta = schema
        .get("$schema")
        .and_then(Json::as_str)
        .unwrap_or("https://json-schema.org/draft/2020-12/schema")
        .trim_end_matches('#');
    let mut out = String::new();
    // All metaschema failures when the draft is a bundled one (the lookup
    // panics on others), else the one failure the build reported.
    let all = KNOWN
        .contains(&meta)
        .then(|| jsonschema::meta::validator_for(schema).ok())
        .flatten()
        .map(|mv| {
            mv.iter_errors(schema)
                .flat_map(|err| Failure::expand(&err, &Json::Null))
                .collect::<Vec<_>>()
        })
        .filter(|f| !f.is_empty());
    match all {
        Some(failures) => {
            for node in build(failures, 0, &[]) {
                node.display(&mut out, 1);
            }
        }
        None => Failure::from_error(&e, schema)
            .into_node()
            .display(&mut out, 1),
    }
    format!(
        "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation failed with {}{out}",
        quote(&format!("{meta}#"))
    )
}

/// One failure from the validator, re-worded.
struct Failure {
    path: Vec<String>,
    /// Keyword path through the schema (with `$ref` hops), which shapes
    /// Helm's nesting.
    eval: Vec<String>,
    rank: u8,
    /// Type, const, enum and format stop Helm's validator at that value.
    stops: bool,
    message: String,
    /// Per-alternative failures of anyOf/oneOf.
    branches: Vec<Vec<Failure>>,
    /// For `contains`: each item's location and why it did not match
    /// (keyword paths relative to the `contains` schema).
    items: Vec<(Vec<String>, Vec<Failure>)>,
}

/// A line of Helm's report with its nested lines.
struct Node {
    path: Vec<String>,
    message: String,
    causes: Vec<Node>,
}

impl Node {
    fn display(&self, out: &mut String, indent: usize) {
        out.push('\n');
        for _ in 1..indent {
            out.push_str("  ");
        }
        out.push_str(&format!(
            "- at {}: {}",
            quote(&json_pointer(&self.path)),
            self.message
        ));
        for c in &self.causes {
            c.display(out, indent + 1);
        }
    }
}

impl Failure {
    fn into_node(self) -> Node {
        // anyOf/oneOf alternatives are evaluated at `eval/N`.
        let consumed = self.eval.len() + 1;
        let path = self.path;
        let causes = self
            .branches
            .into_iter()
            .filter(|b| !b.is_empty())
            .map(|b| wrap(build(b, consumed, &path), &path))
            .chain(
                self.items
                    .into_iter()
                    .filter(|(_, f)| !f.is_empty())
                    .map(|(p, f)| wrap(build(f, 0, &p), &p)),
            )
            .collect();
        Node {
            path,
            message: self.message,
            causes,
        }
    }

    /// Re-roots the failure (and those nested in it) under `prefix`.
    fn prefix_paths(&mut self, prefix: &[String]) {
        let mut p = prefix.to_vec();
        p.append(&mut self.path);
        self.path = p;
        for f in self.branches.iter_mut().flatten() {
            f.prefix_paths(prefix);
        }
        for (path, fs) in self.items.iter_mut() {
            let mut p = prefix.to_vec();
            p.append(path);
            *path = p;
            for f in fs {
                f.prefix_paths(prefix);
            }
        }
    }

    /// Helm's validator checks each unevaluated property or item against a
    /// `false` schema, one failure per child; the crate reports them at once.
    fn expand(e: &ValidationError<'_>, root: &Json) -> Vec<Failure> {
        let unexpected = match e.kind() {
            ValidationErrorKind::UnevaluatedProperties { unexpected }
            | ValidationErrorKind::UnevaluatedItems { unexpected } => unexpected.clone(),
            ValidationErrorKind::Contains => {
                let mut base = Failure::from_error(e, root);
                base.items = contains_reasons(e, root, &base.path);
                return vec![base];
            }
            _ => return vec![Failure::from_error(e, root)],
        };
        let base = Failure::from_error(e, root);
        unexpected
            .into_iter()
            .map(|child| {
                let mut path = base.path.clone();
                path.push(child);
                Failure {
                    path,
                    eval: base.eval.clone(),
                    rank: base.rank,
                    stops: false,
                    message: "false schema".into(),
                    branches: Vec::new(),
                    items: Vec::new(),
                }
            })
            .collect()
    }

    fn from_error(e: &ValidationError<'_>, root: &Json) -> Failure {
        let path = segments(e.instance_path().iter());
        let eval: Vec<String> = e
            .evaluation_path()
            .as_str()
            .split('/')
            .skip(1)
            .map(|p| p.replace("~1", "/").replace("~0", "~"))
            .collect();
        let schema_path = e.schema_path().as_str().to_string();
        let instance = e.instance().clone().into_owned();
        let mut branches = Vec::new();
        let (rank, stops, message) = match e.kind() {
            ValidationErrorKind::Type { kind } => {
                let mut want: Vec<JsonType> = match kind {
                    TypeKind::Single(t) => vec![*t],
                    TypeKind::Multiple(set) => set.iter().collect(),
                };
                want.sort_by_key(|t| type_order(*t));
                let want: Vec<&str> = want.iter().map(|t| t.as_str()).collect();
                (
                    0,
                    true,
                    format!("got {}, want {}", json_type(&instance), want.join(" or ")),
                )
            }
            ValidationErrorKind::Constant { expected_value } => (
                1,
                true,
                match display(expected_value) {
                    Some(d) => format!("value must be {d}"),
                    None => "'const' failed".into(),
                },
            ),
            ValidationErrorKind::Enum { options } => {
                let items: Vec<Json> = options.as_array().cloned().unwrap_or_default();
                let shown: Option<Vec<String>> = items.iter().map(display).collect();
                let msg = match shown {
                    Some(s) if s.len() == 1 => format!("value must be {}", s[0]),
                    Some(s) => format!("value must be one of {}", s.join(", ")),
                    None => "'enum' failed".into(),
                };
                (2, true, msg)
            }
            ValidationErrorKind::Format { format } => (3, true, {
                let shown = display(&instance).unwrap_or_else(|| "value".into());
                match instance.as_str().and_then(|s| formats::reason(format, s)) {
                    Some(why) => format!("{shown} is not valid {format}: {why}"),
                    None => format!("{shown} is not valid {format}"),
                }
            }),
            ValidationErrorKind::MinProperties { limit } => (
                10,
                false,
                format!(
                    "minProperties: got {}, want {}",
                    count(&instance),
                    group_int(*limit)
                ),
            ),
            ValidationErrorKind::MaxProperties { limit } => (
                11,
                false,
                format!(
                    "maxProperties: got {}, want {}",
                    count(&instance),
                    group_int(*limit)
                ),
            ),
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default().to_string();
                if schema_path.contains("/dependentRequired/")
                    || schema_path.contains("/dependencies/")
                {
                    let prop = schema_path
                        .rsplit('/')
                        .nth(1)
                        .unwrap_or_default()
                        .replace("~1", "/")
                        .replace("~0", "~");
                    (
                        23,
                        false,
                        format!(
                            "properties {} required, if {} exists",
                            quote(&name),
                            quote(&prop)
                        ),
                    )
                } else {
                    (12, false, format!("missing property {}", quote(&name)))
                }
            }
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let mut props = unexpected.clone();
                props.sort();
                let list: Vec<String> = props.iter().map(|p| quote(p)).collect();
                (
                    21,
                    false,
                    format!("additional properties {} not allowed", list.join(", ")),
                )
            }
            ValidationErrorKind::PropertyNames { error } => (
                22,
                false,
                format!(
                    "invalid propertyName {}",
                    quote(error.instance().as_str().unwrap_or_default())
                ),
            ),
            ValidationErrorKind::MinItems { limit } => (
                10,
                false,
                format!(
                    "minItems: got {}, want {}",
                    count(&instance),
                    group_int(*limit)
                ),
            ),
            ValidationErrorKind::MaxItems { limit } => (
                11,
                false,
                format!(
                    "maxItems: got {}, want {}",
                    count(&instance),
                    group_int(*limit)
                ),
            ),
            ValidationErrorKind::UniqueItems => {
                let (i, j) = duplicates(&instance);
                (12, false, format!("items at {i} and {j} are equal"))
            }
            ValidationErrorKind::AdditionalItems { limit } => (
                13,
                false,
                format!(
                    "last {} additionalItem(s) not allowed",
                    count(&instance).saturating_sub(*limit as u64)
                ),
            ),
            ValidationErrorKind::Contains => (25, false, "no items match contains schema".into()),
            ValidationErrorKind::MinLength { limit } => (
                10,
                false,
                format!(
                    "minLength: got {}, want {}",
                    group_int(str_len(&instance)),
                    group_int(*limit)
                ),
            ),
            ValidationErrorKind::MaxLength { limit } => (
                11,
                false,
                format!(
                    "maxLength: got {}, want {}",
                    group_int(str_len(&instance)),
                    group_int(*limit)
                ),
            ),
            ValidationErrorKind::Pattern { pattern } => (
                12,
                false,
                format!(
                    "{} does not match pattern {}",
                    quote(instance.as_str().unwrap_or_default()),
                    quote(pattern)
                ),
            ),
            ValidationErrorKind::ContentEncoding { content_encoding } => (
                13,
                false,
                format!("value is not {} encoded", quote(content_encoding)),
            ),
            ValidationErrorKind::ContentMediaType { content_media_type } => (
                14,
                false,
                format!("value if not of mediatype {}", quote(content_media_type)),
            ),
            ValidationErrorKind::Minimum { limit } => {
                (10, false, number_msg("minimum", &instance, limit))
            }
            ValidationErrorKind::Maximum { limit } => {
                (11, false, number_msg("maximum", &instance, limit))
            }
            ValidationErrorKind::ExclusiveMinimum { limit } => {
                (12, false, number_msg("exclusiveMinimum", &instance, limit))
            }
            ValidationErrorKind::ExclusiveMaximum { limit } => {
                (13, false, number_msg("exclusiveMaximum", &instance, limit))
            }
            ValidationErrorKind::MultipleOf { multiple_of } => (
                14,
                false,
                format!(
                    "multipleOf: got {}, want {}",
                    number(&instance),
                    group_float(*multiple_of)
                ),
            ),
            ValidationErrorKind::Not { .. } => (30, false, "'not' failed".into()),
            ValidationErrorKind::AnyOf { context } => {
                branches = context
                    .iter()
                    .map(|b| b.iter().flat_map(|e| Failure::expand(e, root)).collect())
                    .collect();
                (32, false, "'anyOf' failed".into())
            }
            ValidationErrorKind::OneOfNotValid { context } => {
                branches = context
                    .iter()
                    .map(|b| b.iter().flat_map(|e| Failure::expand(e, root)).collect())
                    .collect();
                (33, false, "'oneOf' failed, none matched".into())
            }
            ValidationErrorKind::OneOfMultipleValid { context } => {
                let valid: Vec<usize> = context
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| b.is_empty())
                    .map(|(i, _)| i)
                    .take(2)
                    .collect();
                let (a, b) = (
                    valid.first().copied().unwrap_or(0),
                    valid.get(1).copied().unwrap_or(1),
                );
                (
                    33,
                    false,
                    format!("'oneOf' failed, subschemas {a}, {b} matched"),
                )
            }
            ValidationErrorKind::FalseSchema
            | ValidationErrorKind::UnevaluatedProperties { .. }
            | ValidationErrorKind::UnevaluatedItems { .. } => (40, false, "false schema".into()),
            other => (50, false, format!("'{}' failed", other.keyword())),
        };
        Failure {
            path,
            eval,
            rank,
            stops,
            message,
            branches,
            items: Vec::new(),
        }
    }
}

/// Why each item of an array failed its `contains` schema, which Helm lists
/// under `no items match contains schema`. Worked out by validating the
/// items against that subschema alone, so only when it has no `$ref`
/// (a reference would not resolve outside the whole schema).
fn contains_reasons(
    e: &ValidationError<'_>,
    root: &Json,
    path: &[String],
) -> Vec<(Vec<String>, Vec<Failure>)> {
    let Some(mut sub) = root.pointer(e.schema_path().as_str()).cloned() else {
        return Vec::new();
    };
    if sub.to_string().contains("\"$ref\"") {
        return Vec::new();
    }
    if let (Json::Object(m), Some(draft)) = (&mut sub, root.get("$schema")) {
        m.entry("$schema").or_insert_with(|| draft.clone());
    }
    let Ok(validator) = jsonschema::options().build(&sub) else {
        return Vec::new();
    };
    let items = e.instance().as_array().cloned().unwrap_or_default();
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let mut item_path = path.to_vec();
            item_path.push(i.to_string());
            let failures = validator
                .iter_errors(item)
                .flat_map(|err| Failure::expand(&err, &sub))
                .map(|mut f| {
                    f.prefix_paths(&item_path);
                    f
                })
                .collect();
            (item_path, failures)
        })
        .collect()
}

/// How a schema keyword applies subschemas.
enum Applicator {
    /// To a property or item: failures nest under the child's location.
    Child,
    /// To the value itself ($ref, then, else, dependentSchemas...).
    InPlace,
    /// allOf: failing branches are listed under `'allOf' failed`.
    AllOf,
}

/// The applicator keyword a failure's remaining keyword path starts with,
/// and how many path segments it spans.
fn applicator(rest: &[String]) -> (usize, Applicator) {
    match rest[0].as_str() {
        "properties" | "patternProperties" | "prefixItems" => (2, Applicator::Child),
        "items"
            if rest
                .get(1)
                .is_some_and(|s| s.bytes().all(|b| b.is_ascii_digit())) =>
        {
            (2, Applicator::Child)
        }
        "items"
        | "additionalProperties"
        | "additionalItems"
        | "unevaluatedProperties"
        | "unevaluatedItems"
        | "propertyNames"
        | "contains" => (1, Applicator::Child),
        "allOf" => (2, Applicator::AllOf),
        "anyOf" | "oneOf" | "dependentSchemas" | "dependencies" => (2, Applicator::InPlace),
        _ => (1, Applicator::InPlace),
    }
}

/// Where Helm's validator reports a keyword among its siblings.
fn keyword_rank(kw: &str) -> u8 {
    match kw {
        "$ref" | "$dynamicRef" | "$recursiveRef" => 4,
        "dependencies" => 13,
        "properties"
        | "patternProperties"
        | "additionalProperties"
        | "items"
        | "prefixItems"
        | "additionalItems" => 20,
        "propertyNames" => 22,
        "dependentSchemas" => 24,
        "contains" => 25,
        "not" => 30,
        "allOf" => 31,
        "anyOf" => 32,
        "oneOf" => 33,
        "if" | "then" | "else" => 34,
        "unevaluatedProperties" | "unevaluatedItems" => 40,
        _ => 50,
    }
}

/// One failure, or several under `validation failed` (Helm's error group).
fn wrap(mut nodes: Vec<Node>, path: &[String]) -> Node {
    if nodes.len() == 1 {
        nodes.remove(0)
    } else {
        Node {
            path: path.to_vec(),
            message: "validation failed".into(),
            causes: nodes,
        }
    }
}

/// Sorts subschema groups like Helm: keyword rank, child, keyword path.
type GroupKey = (u8, Option<ChildKey>, String);
/// A group's instance location, applicator kind, keyword-path length and failures.
type Group = (Vec<String>, Applicator, usize, Vec<Failure>);

/// Rebuilds Helm's error tree for the subschema reached after `consumed`
/// keyword-path segments, evaluated at instance location `inst`.
fn build(failures: Vec<Failure>, consumed: usize, inst: &[String]) -> Vec<Node> {
    let mut own: Vec<Failure> = Vec::new();
    // (rank, child, applicator path) -> failures below it
    let mut groups: BTreeMap<GroupKey, Group> = BTreeMap::new();
    for f in failures {
        let rest = &f.eval[consumed.min(f.eval.len())..];
        let dependency_required = matches!(
            rest.first().map(String::as_str),
            Some("dependencies" | "dependentRequired")
        ) && f.rank == 23;
        if rest.len() <= 1 || dependency_required {
            own.push(f);
            continue;
        }
        let (n, kind) = applicator(rest);
        let rank = keyword_rank(&rest[0]);
        let (child, child_path) = match kind {
            Applicator::Child if f.path.len() > inst.len() => {
                let seg = f.path[inst.len()].clone();
                let mut p = inst.to_vec();
                p.push(seg.clone());
                (Some(ChildKey::new(&seg)), p)
            }
            _ => (None, inst.to_vec()),
        };
        let key_segs = match kind {
            Applicator::AllOf => "allOf".to_string(),
            _ => rest[..n].join("/"),
        };
        groups
            .entry((rank, child, key_segs))
            .or_insert_with(|| (child_path, kind, n, Vec::new()))
            .3
            .push(f);
    }
    own.sort_by_key(|f| f.rank);
    if let Some(pos) = own.iter().position(|f| f.stops) {
        return vec![own.swap_remove(pos).into_node()];
    }
    let mut out: Vec<(u8, Option<ChildKey>, Node)> = merge_required(own)
        .into_iter()
        .map(|f| {
            let child = (f.path.len() > inst.len()).then(|| ChildKey::new(&f.path[inst.len()]));
            (f.rank, child, f.into_node())
        })
        .collect();
    for ((rank, child, _), (path, kind, n, group)) in groups {
        let node = match kind {
            Applicator::AllOf => {
                let mut branches: BTreeMap<usize, Vec<Failure>> = BTreeMap::new();
                for f in group {
                    let idx = f
                        .eval
                        .get(consumed + 1)
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(0);
                    branches.entry(idx).or_default().push(f);
                }
                Node {
                    path: path.clone(),
                    message: "'allOf' failed".into(),
                    causes: branches
                        .into_values()
                        .map(|b| wrap(build(b, consumed + n, &path), &path))
                        .collect(),
                }
            }
            _ => wrap(build(group, consumed + n, &path), &path),
        };
        out.push((rank, child, node));
    }
    out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    out.into_iter().map(|(_, _, n)| n).collect()
}

/// Helm reports all missing required properties of one object in one line.
fn merge_required(own: Vec<Failure>) -> Vec<Failure> {
    let mut out: Vec<Failure> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut at: Option<usize> = None;
    for f in own {
        if f.rank == 12 && f.message.starts_with("missing property ") {
            names.push(
                f.message
                    .trim_start_matches("missing property ")
                    .to_string(),
            );
            if at.is_none() {
                at = Some(out.len());
                out.push(f);
            }
        } else {
            out.push(f);
        }
    }
    if let Some(i) = at.filter(|_| names.len() > 1) {
        out[i].message = format!("missing properties {}", names.join(", "));
    }
    out
}

/// Orders sibling values: list indexes numerically, then property names.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum ChildKey {
    Index(usize),
    Name(String),
}

impl ChildKey {
    fn new(seg: &str) -> Self {
        match seg.parse::<usize>() {
            Ok(i) => ChildKey::Index(i),
            Err(_) => ChildKey::Name(seg.to_string()),
        }
    }
}

fn segments<'a>(it: impl Iterator<Item = LocationSegment<'a>>) -> Vec<String> {
    it.map(|s| match s {
        LocationSegment::Property(p) => p.into_owned(),
        LocationSegment::Index(i) => i.to_string(),
    })
    .collect()
}

fn json_pointer(path: &[String]) -> String {
    path.iter()
        .map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// santhosh-tekuri's `quote`: Go's `%q` in single quotes.
fn quote(s: &str) -> String {
    let q = crate::strconv::quote(s)
        .replace("\\\"", "\"")
        .replace('\'', "\\'");
    format!("'{}'", &q[1..q.len() - 1])
}

/// Helm's validator orders type names null, boolean, number, integer, ...
fn type_order(t: JsonType) -> u8 {
    match t {
        JsonType::Null => 0,
        JsonType::Boolean => 1,
        JsonType::Number => 2,
        JsonType::Integer => 3,
        JsonType::String => 4,
        JsonType::Array => 5,
        JsonType::Object => 6,
    }
}

fn json_type(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

/// santhosh-tekuri's `display` for primitives; `None` for lists and maps.
fn display(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(quote(s)),
        Json::Array(_) | Json::Object(_) => None,
        Json::Null => Some("<nil>".into()),
        Json::Bool(b) => Some(b.to_string()),
        Json::Number(n) => Some(n.to_string()),
    }
}

fn count(v: &Json) -> u64 {
    match v {
        Json::Array(a) => a.len() as u64,
        Json::Object(o) => o.len() as u64,
        _ => 0,
    }
}

fn str_len(v: &Json) -> u64 {
    v.as_str().map(|s| s.chars().count() as u64).unwrap_or(0)
}

fn duplicates(v: &Json) -> (usize, usize) {
    let arr = v.as_array().map(Vec::as_slice).unwrap_or(&[]);
    for i in 1..arr.len() {
        for j in 0..i {
            if arr[i] == arr[j] {
                return (j, i);
            }
        }
    }
    (0, 0)
}

fn number(v: &Json) -> String {
    group_float(v.as_f64().unwrap_or(0.0))
}

fn number_msg(keyword: &str, instance: &Json, limit: &Json) -> String {
    format!(
        "{keyword}: got {}, want {}",
        number(instance),
        number(limit)
    )
}

/// Helm's messages go through an English `message.Printer`, which groups
/// thousands in the numbers it prints.
fn group_float(f: f64) -> String {
    let s = crate::strconv::format_float(f, 'g', -1);
    if s.contains('e') || s.contains("Inf") || s.contains("NaN") {
        return s;
    }
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s.as_str()),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut out = format!("{sign}{}", group_digits(int));
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

fn group_int(n: u64) -> String {
    group_digits(&n.to_string())
}

fn group_digits(int: &str) -> String {
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Metadata;
    use serde_json::json;

    fn chart(name: &str, schema: Option<serde_json::Value>, deps: Vec<Chart>) -> Chart {
        Chart {
            metadata: Metadata {
                name: name.into(),
                version: "1.0.0".into(),
                ..Default::default()
            },
            schema: schema.map(|s| serde_json::to_vec(&s).unwrap()),
            dependencies: deps,
            ..Default::default()
        }
    }

    const PERSON: &str = r#"{
      "$schema": "http://json-schema.org/draft-07/schema#",
      "type": "object",
      "required": ["firstname", "employmentInfo"],
      "properties": {
        "age": {"type": "integer", "minimum": 0},
        "firstname": {"type": "string"},
        "employmentInfo": {"type": "object", "required": ["salary"]}
      }
    }"#;

    #[test]
    fn single_schema_errors_are_listed_with_paths() {
        let values = Value::from(json!({"firstname": "John", "age": -5}));
        let err = validate_single(values.as_map().unwrap(), PERSON.as_bytes()).unwrap_err();
        assert_eq!(
            err,
            "- at '': missing property 'employmentInfo'\n- at '/age': minimum: got -5, want 0\n"
        );
    }

    #[test]
    fn several_failures_on_one_value_are_grouped() {
        let schema = json!({
            "type": "object",
            "properties": {
                "image": {
                    "type": "object",
                    "required": ["repo", "tag"],
                    "additionalProperties": false,
                    "properties": {"pull": {"enum": ["Always", "Never"]}}
                }
            }
        });
        let values = Value::from(json!({"image": {"x": 1, "pull": "Sometimes"}}));
        let err = validate_single(
            values.as_map().unwrap(),
            &serde_json::to_vec(&schema).unwrap(),
        )
        .unwrap_err();
        assert_eq!(
            err,
            "- at '/image': validation failed\n  - at '/image': missing properties 'repo', 'tag'\n  - at '/image/pull': value must be one of 'Always', 'Never'\n  - at '/image': additional properties 'x' not allowed\n"
        );
    }

    #[test]
    fn type_errors_stop_at_the_value() {
        let schema = json!({"properties": {"n": {"type": ["integer", "null"], "minimum": 3}}});
        let values = Value::from(json!({"n": "x"}));
        let err = validate_single(
            values.as_map().unwrap(),
            &serde_json::to_vec(&schema).unwrap(),
        )
        .unwrap_err();
        assert_eq!(err, "- at '/n': got string, want null or integer\n");
    }

    #[test]
    fn subcharts_are_checked_with_their_values() {
        let sub_schema = json!({"type": "object", "required": ["age"]});
        let sub = chart("subchart", Some(sub_schema), vec![]);
        let top = chart("top", Some(json!({"type": "object"})), vec![sub]);
        let err = validate(&top, &Value::from(json!({"subchart": {}}))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "values don't meet the specifications of the schema(s) in the following chart(s):\nsubchart:\n- at '': missing property 'age'\n"
        );
        // No values for the subchart: nothing to check.
        assert!(validate(&top, &Value::from(json!({}))).is_ok());
        let err = validate(&top, &Value::from(json!({"subchart": 3}))).unwrap_err();
        assert!(
            err.to_string().ends_with(
                "subchart:\ninvalid type for values: expected object (map), got float64\n"
            )
        );
    }

    #[test]
    fn anyof_lists_each_alternative() {
        let schema = json!({"properties": {"p": {"anyOf": [{"type": "number"}, {"type": "string", "minLength": 3}]}}});
        let values = Value::from(json!({"p": "ab"}));
        let err = validate_single(
            values.as_map().unwrap(),
            &serde_json::to_vec(&schema).unwrap(),
        )
        .unwrap_err();
        assert_eq!(
            err,
            "- at '/p': 'anyOf' failed\n  - at '/p': got string, want number\n  - at '/p': minLength: got 2, want 3\n"
        );
    }

    #[test]
    fn malformed_schemas_are_reported() {
        let values = Map::new();
        // Expected texts from real Helm v4 (helm-render).
        let err = validate_single(&values, br#"{"type": "object",}"#).unwrap_err();
        assert_eq!(
            err,
            "invalid character '}' looking for beginning of object key string"
        );
        // Expected texts from real Helm v4 (helm-render).
        let err = validate_single(
            &values,
            br#"{"type": 5, "properties": {"a": {"minimum": "x"}}}"#,
        )
        .unwrap_err();
        assert_eq!(
            err,
            "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation failed with 'https://json-schema.org/draft/2020-12/schema#'
- at '': 'allOf' failed
  - at '/properties/a': 'allOf' failed
    - at '/properties/a/minimum': got string, want number
  - at '/type': 'anyOf' failed
    - at '/type': value must be one of 'array', 'boolean', 'integer', 'null', 'number', 'object', 'string'
    - at '/type': got number, want array"
        );
        let err = validate_single(
            &values,
            br#"{"$schema": "http://json-schema.org/draft-07/schema#", "type": "strin"}"#,
        )
        .unwrap_err();
        assert_eq!(
            err,
            "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation failed with 'http://json-schema.org/draft-07/schema#'
- at '/type': 'anyOf' failed
  - at '/type': value must be one of 'array', 'boolean', 'integer', 'null', 'number', 'object', 'string'
  - at '/type': got string, want array"
        );
    }

    #[test]
    fn formats_follow_the_draft() {
        let values = Value::from(json!({"mail": "nobody", "odd": "x"}));
        let map = values.as_map().unwrap();
        // Draft 7 asserts formats; unknown formats are ignored.
        let d7 = json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "properties": {"mail": {"format": "email"}, "odd": {"format": "made-up"}}
        });
        let err = validate_single(map, &serde_json::to_vec(&d7).unwrap()).unwrap_err();
        assert_eq!(
            err,
            "- at '/mail': 'nobody' is not valid email: missing @\n"
        );
        // 2020-12 treats format as an annotation.
        let d2020 = json!({"properties": {"mail": {"format": "email"}}});
        assert!(validate_single(map, &serde_json::to_vec(&d2020).unwrap()).is_ok());
    }

    #[test]
    fn numbers_are_grouped_like_go_printer() {
        assert_eq!(group_float(-5.0), "-5");
        assert_eq!(group_float(12345.5), "12,345.5");
        assert_eq!(group_int(1000), "1,000");
    }
}
