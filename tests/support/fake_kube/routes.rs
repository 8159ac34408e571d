//! Request paths and query strings: which endpoint a path names (discovery, a collection, an
//! object or its subresource), resolved against the resource-type table.

use percent_encoding::percent_decode_str;

use super::resources::ResourceType;
use super::state::State;

/// What a request path names.
#[derive(Debug, Clone)]
pub enum Route {
    Version,
    Health,
    /// `/api`
    CoreVersions,
    /// `/apis`
    Groups,
    /// `/apis/GROUP`
    Group(String),
    /// `/api/v1` or `/apis/GROUP/VERSION`
    Resources {
        group: String,
        version: String,
    },
    /// The legacy `/api/v1/watch/...` form.
    Watch,
    Resource(Box<Target>),
    Unknown,
}

/// A collection, object or subresource of one resource type.
#[derive(Debug, Clone)]
pub struct Target {
    pub rt: ResourceType,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub subresource: Option<String>,
}

impl Target {
    /// The resource as RBAC names it: `pods` or `serviceaccounts/token`.
    pub fn rbac_resource(&self) -> String {
        match &self.subresource {
            Some(sub) => format!("{}/{sub}", self.rt.plural),
            None => self.rt.plural.clone(),
        }
    }

    /// The storage namespace: "" for cluster-scoped types.
    pub fn ns(&self) -> &str {
        self.namespace.as_deref().unwrap_or("")
    }
}

pub fn route(state: &State, path: &str) -> Route {
    let segments: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let parts: Vec<&str> = segments.iter().map(String::as_str).collect();
    match parts.as_slice() {
        ["version"] => Route::Version,
        ["healthz" | "livez" | "readyz"] => Route::Health,
        ["api"] => Route::CoreVersions,
        ["apis"] => Route::Groups,
        ["apis", group] if state.types.iter().any(|t| t.group == *group) => {
            Route::Group(group.to_string())
        }
        ["api", version, rest @ ..] => resource_route(state, "", version, rest),
        ["apis", group, version, rest @ ..] => resource_route(state, group, version, rest),
        _ => Route::Unknown,
    }
}

fn resource_route(state: &State, group: &str, version: &str, rest: &[&str]) -> Route {
    if !state.serves_version(group, version) {
        return Route::Unknown;
    }
    let typed = |plural: &str| state.type_at(group, version, plural);
    let target = |rt: ResourceType, ns: Option<&str>, name: Option<&&str>, sub: Option<&&str>| {
        Route::Resource(Box::new(Target {
            rt,
            namespace: ns.map(str::to_string),
            name: name.map(|s| s.to_string()),
            subresource: sub.map(|s| s.to_string()),
        }))
    };
    match rest {
        [] => Route::Resources {
            group: group.to_string(),
            version: version.to_string(),
        },
        ["watch", ..] => Route::Watch,
        ["namespaces", ns, plural, tail @ ..] if tail.len() <= 2 => match typed(plural) {
            Some(rt) if rt.namespaced => target(rt, Some(ns), tail.first(), tail.get(1)),
            // `/api/v1/namespaces/NAME/status`: a subresource of the namespace itself.
            _ if group.is_empty() && tail.is_empty() => match typed("namespaces") {
                Some(rt) => target(rt, None, Some(ns), Some(plural)),
                None => Route::Unknown,
            },
            _ => Route::Unknown,
        },
        [plural, tail @ ..] if tail.len() <= 2 => match typed(plural) {
            // A namespaced type without a namespace only has the all-namespaces collection.
            Some(rt) if rt.namespaced && tail.is_empty() => target(rt, None, None, None),
            Some(rt) if !rt.namespaced => target(rt, None, tail.first(), tail.get(1)),
            _ => Route::Unknown,
        },
        _ => Route::Unknown,
    }
}

/// Decoded query parameters, in order.
#[derive(Debug, Clone, Default)]
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn parse(raw: &str) -> Self {
        let decode = |s: &str| {
            let spaced = s.replace('+', " ");
            percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
        };
        Query(
            raw.split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| match pair.split_once('=') {
                    Some((k, v)) => (decode(k), decode(v)),
                    None => (decode(pair), String::new()),
                })
                .collect(),
        )
    }

    /// The first value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A boolean flag such as `watch=true` or `watch=1`.
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some("true" | "1"))
    }
}
