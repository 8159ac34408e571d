//! Label selectors (`=`, `==`, `!=`, `in`, `notin`, `key`, `!key`, `>`, `<`) and field
//! selectors (`=`, `==`, `!=` on the fields the real server indexes), parsed from the query
//! string. A selector that does not parse is a 400, as on the real server.

use serde_json::Value;

use super::resources::ResourceType;
use super::status::ApiError;

#[derive(Debug, Clone, PartialEq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
    Greater(String, i64),
    Less(String, i64),
}

/// A parsed label selector; empty matches everything.
#[derive(Debug, Clone, Default)]
pub struct LabelSelector(Vec<Requirement>);

impl LabelSelector {
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        split_top_level(raw)
            .into_iter()
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                requirement(part).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "unable to parse requirement: found '{part}', expected: label selector requirement"
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(LabelSelector)
    }

    pub fn matches(&self, object: &Value) -> bool {
        let labels = object.pointer("/metadata/labels");
        let label = |key: &str| labels.and_then(|l| l.get(key)).and_then(Value::as_str);
        self.0.iter().all(|req| match req {
            Requirement::Equals(k, v) => label(k) == Some(v.as_str()),
            Requirement::NotEquals(k, v) => label(k) != Some(v.as_str()),
            Requirement::In(k, vs) => label(k).is_some_and(|l| vs.iter().any(|v| v == l)),
            Requirement::NotIn(k, vs) => !label(k).is_some_and(|l| vs.iter().any(|v| v == l)),
            Requirement::Exists(k) => label(k).is_some(),
            Requirement::NotExists(k) => label(k).is_none(),
            Requirement::Greater(k, n) => number(label(k)).is_some_and(|l| l > *n),
            Requirement::Less(k, n) => number(label(k)).is_some_and(|l| l < *n),
        })
    }
}

fn number(value: Option<&str>) -> Option<i64> {
    value.and_then(|v| v.parse().ok())
}

/// Splits on commas outside parentheses: `a in (x,y),b` -> [`a in (x,y)`, `b`].
fn split_top_level(raw: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in raw.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&raw[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&raw[start..]);
    parts
}

fn requirement(part: &str) -> Option<Requirement> {
    if let Some(open) = part.find('(') {
        let values = part[open + 1..].strip_suffix(')')?;
        let values: Vec<String> = values.split(',').map(|v| v.trim().to_string()).collect();
        if values.iter().any(|v| !valid_value(v)) {
            return None;
        }
        let words: Vec<&str> = part[..open].split_whitespace().collect();
        return match words.as_slice() {
            [key, "in"] if valid_key(key) => Some(Requirement::In(key.to_string(), values)),
            [key, "notin"] if valid_key(key) => Some(Requirement::NotIn(key.to_string(), values)),
            _ => None,
        };
    }
    if let Some(key) = part.strip_prefix('!') {
        let key = key.trim();
        return valid_key(key).then(|| Requirement::NotExists(key.to_string()));
    }
    for (op, build) in OPERATORS {
        if let Some((key, value)) = part.split_once(op) {
            let (key, value) = (key.trim(), value.trim());
            if !valid_key(key) || !valid_value(value) {
                return None;
            }
            return build(key.to_string(), value.to_string());
        }
    }
    valid_key(part).then(|| Requirement::Exists(part.to_string()))
}

type Build = fn(String, String) -> Option<Requirement>;

/// Longest operators first, so `!=` and `==` are not taken for `=`.
const OPERATORS: &[(&str, Build)] = &[
    ("!=", |k, v| Some(Requirement::NotEquals(k, v))),
    ("==", |k, v| Some(Requirement::Equals(k, v))),
    ("=", |k, v| Some(Requirement::Equals(k, v))),
    (">", |k, v| {
        v.parse().ok().map(|n| Requirement::Greater(k, n))
    }),
    ("<", |k, v| v.parse().ok().map(|n| Requirement::Less(k, n))),
];

/// A label key: optional DNS prefix and `/`, then a name of alphanumerics, `-`, `_`, `.`.
fn valid_key(key: &str) -> bool {
    let name = key.rsplit_once('/').map_or(key, |(_, name)| name);
    !name.is_empty()
        && name.len() <= 63
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

fn valid_value(value: &str) -> bool {
    value.len() <= 63
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A parsed field selector.
#[derive(Debug, Clone, Default)]
pub struct FieldSelector(Vec<(String, bool, String)>);

/// Fields every type can be selected on.
const COMMON_FIELDS: &[&str] = &["metadata.name", "metadata.namespace"];

/// Extra fields the real server indexes per kind.
fn kind_fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "Pod" => &[
            "spec.nodeName",
            "spec.serviceAccountName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        "Node" => &["spec.unschedulable"],
        "Namespace" => &["status.phase"],
        "Secret" => &["type"],
        _ => &[],
    }
}

impl FieldSelector {
    pub fn parse(raw: &str, rt: &ResourceType) -> Result<Self, ApiError> {
        let mut terms = Vec::new();
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, equal, value) = if let Some((f, v)) = part.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = part.split_once("==") {
                (f, true, v)
            } else if let Some((f, v)) = part.split_once('=') {
                (f, true, v)
            } else {
                return Err(ApiError::bad_request(format!(
                    "invalid selector: '{raw}'; can't understand '{part}'"
                )));
            };
            let field = field.trim();
            if !COMMON_FIELDS.contains(&field) && !kind_fields(&rt.kind).contains(&field) {
                return Err(ApiError::bad_request(format!(
                    "field label not supported: {field}"
                )));
            }
            terms.push((field.to_string(), equal, value.trim().to_string()));
        }
        Ok(FieldSelector(terms))
    }

    pub fn matches(&self, object: &Value) -> bool {
        self.0.iter().all(|(field, equal, value)| {
            let pointer = format!("/{}", field.replace('.', "/"));
            let actual = match object.pointer(&pointer) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Bool(b)) => b.to_string(),
                Some(Value::Number(n)) => n.to_string(),
                // Unset fields select as the empty string (`spec.nodeName=` = unscheduled),
                // and unset booleans as false.
                _ if field == "spec.hostNetwork" || field == "spec.unschedulable" => {
                    "false".to_string()
                }
                _ => String::new(),
            };
            (actual == *value) == *equal
        })
    }
}
