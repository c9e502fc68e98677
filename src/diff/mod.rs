//! What changed between two exports, and which change opened or closed each route.
//!
//! Routes are matched by their stable id: a route in the new scan only is *opened*, in the
//! old scan only *closed*. The causes come from a structural diff of the two exports' files
//! (arrays of named objects matched by their name — `Arn`, `RoleName`, `Sid`, … — so that a
//! reordered list is no change): each changed JSON node is a `Change` with its file and JSON
//! pointer. A change is a cause of a route when it touches what the route rests on: a
//! statement a hop cites, the dataset's bucket settings, or a principal, role, function or
//! network object on the route; organization-wide policies (SCPs, RCPs, account Block
//! Public Access) are causes of every route of their account. A route with no related change
//! lists every change, marked as unexplained, rather than guessing.

use crate::routes::finding::Finding;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// One changed JSON node between the old and the new export.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Export-relative file path.
    pub file: String,
    /// JSON pointer inside the file (empty for the whole file).
    pub pointer: String,
    pub kind: ChangeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    Added,
    Removed,
    Modified,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Modified => "modified",
        }
    }
}

impl Change {
    /// `file#pointer`, the way findings cite evidence.
    pub fn location(&self) -> String {
        if self.pointer.is_empty() {
            self.file.clone()
        } else {
            format!("{}#{}", self.file, self.pointer)
        }
    }
}

/// A route that opened or closed, with the changes that explain it.
#[derive(Debug, Clone)]
pub struct RouteChange<'a> {
    pub finding: &'a Finding,
    pub causes: Vec<&'a Change>,
    /// True when no change touches the route and `causes` lists every change.
    pub unexplained: bool,
}

/// The difference between two scans.
#[derive(Debug, Clone)]
pub struct ExportDiff<'a> {
    pub opened: Vec<RouteChange<'a>>,
    pub closed: Vec<RouteChange<'a>>,
    pub changes: &'a [Change],
}

/// Keys whose value names an element of an array, so lists compare as sets of named things.
const IDENTITY_KEYS: &[&str] = &[
    "Arn",
    "RoleName",
    "UserName",
    "GroupName",
    "PolicyName",
    "InstanceProfileName",
    "VersionId",
    "Sid",
    "Name",
    "Id",
    "KeyId",
    "GroupId",
    "VpcId",
    "SubnetId",
    "RouteTableId",
    "NetworkAclId",
    "InternetGatewayId",
    "NatGatewayId",
    "VpcEndpointId",
    "InstanceId",
    "ReservationId",
    "FunctionName",
    "Key",
    "TargetId",
];

fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn identity_of(v: &Value) -> Option<String> {
    let obj = v.as_object()?;
    IDENTITY_KEYS.iter().find_map(|k| {
        obj.get(*k)
            .and_then(Value::as_str)
            .map(|s| format!("{k}={s}"))
    })
}

/// Policies arrive as JSON strings too (`{"Policy": "<json>"}`): compare their parsed form,
/// so that reformatting is no change and a change points inside the document.
fn normalized(v: &Value) -> std::borrow::Cow<'_, Value> {
    if let Value::String(s) = v {
        let t = s.trim_start();
        if t.starts_with('{') {
            if let Ok(parsed) = serde_json::from_str::<Value>(s) {
                return std::borrow::Cow::Owned(parsed);
            }
        }
    }
    std::borrow::Cow::Borrowed(v)
}

/// The elements of an array by their name, when every element has a distinct one.
fn named_elements(xs: &[Value]) -> Option<BTreeMap<String, (usize, &Value)>> {
    let mut m = BTreeMap::new();
    for (i, x) in xs.iter().enumerate() {
        if m.insert(identity_of(x)?, (i, x)).is_some() {
            return None;
        }
    }
    Some(m)
}

fn diff_values(file: &str, pointer: &str, old: &Value, new: &Value, out: &mut Vec<Change>) {
    let (old, new) = (normalized(old), normalized(new));
    let (old, new) = (old.as_ref(), new.as_ref());
    if old == new {
        return;
    }
    let push = |out: &mut Vec<Change>, p: String, kind| {
        out.push(Change {
            file: file.to_string(),
            pointer: p,
            kind,
        })
    };
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                let p = format!("{pointer}/{}", escape_pointer(k));
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => diff_values(file, &p, x, y, out),
                    (None, Some(_)) => push(out, p, ChangeKind::Added),
                    (Some(_), None) => push(out, p, ChangeKind::Removed),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => match (named_elements(a), named_elements(b)) {
            (Some(ma), Some(mb)) if !ma.is_empty() || !mb.is_empty() => {
                let ids: BTreeSet<&String> = ma.keys().chain(mb.keys()).collect();
                for id in ids {
                    match (ma.get(id), mb.get(id)) {
                        (Some((_, x)), Some((j, y))) => {
                            diff_values(file, &format!("{pointer}/{j}"), x, y, out)
                        }
                        (None, Some((j, _))) => {
                            push(out, format!("{pointer}/{j}"), ChangeKind::Added)
                        }
                        (Some((i, _)), None) => {
                            push(out, format!("{pointer}/{i}"), ChangeKind::Removed)
                        }
                        (None, None) => {}
                    }
                }
            }
            _ => {
                let n = a.len().max(b.len());
                for i in 0..n {
                    let p = format!("{pointer}/{i}");
                    match (a.get(i), b.get(i)) {
                        (Some(x), Some(y)) => diff_values(file, &p, x, y, out),
                        (None, Some(_)) => push(out, p, ChangeKind::Added),
                        (Some(_), None) => push(out, p, ChangeKind::Removed),
                        (None, None) => {}
                    }
                }
            }
        },
        _ => push(out, pointer.to_string(), ChangeKind::Modified),
    }
}

/// The structural changes between two exports, given as (relative path → parsed JSON) for
/// every JSON file of each. Files present on one side only are whole-file changes.
pub fn diff_files(old: &BTreeMap<String, Value>, new: &BTreeMap<String, Value>) -> Vec<Change> {
    let mut out = Vec::new();
    let files: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for f in files {
        match (old.get(f), new.get(f)) {
            (Some(a), Some(b)) => diff_values(f, "", a, b, &mut out),
            (None, Some(_)) => out.push(Change {
                file: f.clone(),
                pointer: String::new(),
                kind: ChangeKind::Added,
            }),
            (Some(_), None) => out.push(Change {
                file: f.clone(),
                pointer: String::new(),
                kind: ChangeKind::Removed,
            }),
            (None, None) => {}
        }
    }
    out
}

/// The names a route rests on: cited statements, the dataset's bucket, every node's ARN and
/// its last name segment (role, user, function, instance ids appear by name in the files).
fn route_terms(f: &Finding) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut cited = BTreeSet::new();
    let mut names = BTreeSet::new();
    for hop in &f.route {
        cited.insert(hop.policy.clone());
        for node in [&hop.from, &hop.to] {
            names.insert(node.clone());
            if let Some(last) = node.rsplit(['/', ':']).next() {
                if last.len() > 2 {
                    names.insert(last.to_string());
                }
            }
        }
    }
    if let Some(bucket) = f.dataset.arn.strip_prefix("arn:aws:s3:::") {
        names.insert(bucket.split('/').next().unwrap_or(bucket).to_string());
    }
    (cited, names)
}

/// Whether a change touches a route. `new_json`/`old_json` let us look at the changed node
/// (and its enclosing named object) for names on the route.
fn touches(
    change: &Change,
    f: &Finding,
    cited: &BTreeSet<String>,
    names: &BTreeSet<String>,
    trees: &[&BTreeMap<String, Value>],
) -> bool {
    // A cited statement changed, or something inside/around it.
    if cited.iter().any(|c| {
        let (cf, cp) = c.split_once('#').unwrap_or((c.as_str(), ""));
        cf == change.file && (change.pointer.starts_with(cp) || cp.starts_with(&change.pointer))
    }) {
        return true;
    }
    // A bucket's own files: a cause of routes to that bucket, and of no other route.
    if let Some((_, rest)) = change.file.split_once("/s3/buckets/") {
        let changed_bucket = rest.split('/').next().unwrap_or(rest);
        let dataset_bucket = f
            .dataset
            .arn
            .strip_prefix("arn:aws:s3:::")
            .map(|b| b.split('/').next().unwrap_or(b));
        return dataset_bucket == Some(changed_bucket);
    }
    // Organization-wide and account-wide gates of the dataset's account.
    if change.file.starts_with("organizations/")
        || change
            .file
            .ends_with("s3control/get-public-access-block.json")
            && change.file.contains(&f.dataset.account)
    {
        return true;
    }
    // Network and compute objects, principals: the changed node's enclosing top-level entry
    // (e.g. `/RoleDetailList/7`) names something on the route.
    let top: String = change
        .pointer
        .split('/')
        .take(3)
        .collect::<Vec<_>>()
        .join("/");
    for tree in trees {
        if let Some(doc) = tree.get(&change.file) {
            let scope = if top.is_empty() {
                doc
            } else {
                doc.pointer(&top).unwrap_or(doc)
            };
            let text = scope.to_string();
            if names.iter().any(|n| text.contains(n.as_str())) {
                return true;
            }
        }
    }
    false
}

/// Matches old and new findings by id and attaches the changes that explain each.
pub fn diff_routes<'a>(
    old: &'a [Finding],
    new: &'a [Finding],
    changes: &'a [Change],
    old_files: &BTreeMap<String, Value>,
    new_files: &BTreeMap<String, Value>,
) -> ExportDiff<'a> {
    let old_ids: BTreeSet<String> = old.iter().map(Finding::stable_id).collect();
    let new_ids: BTreeSet<String> = new.iter().map(Finding::stable_id).collect();
    let explain = |f: &'a Finding| -> RouteChange<'a> {
        let (cited, names) = route_terms(f);
        let causes: Vec<&Change> = changes
            .iter()
            .filter(|c| touches(c, f, &cited, &names, &[old_files, new_files]))
            .collect();
        if causes.is_empty() {
            RouteChange {
                finding: f,
                causes: changes.iter().collect(),
                unexplained: true,
            }
        } else {
            RouteChange {
                finding: f,
                causes,
                unexplained: false,
            }
        }
    };
    ExportDiff {
        opened: new
            .iter()
            .filter(|f| !old_ids.contains(&f.stable_id()))
            .map(explain)
            .collect(),
        closed: old
            .iter()
            .filter(|f| !new_ids.contains(&f.stable_id()))
            .map(explain)
            .collect(),
        changes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(old: Value, new: Value, expect: &[(&str, ChangeKind)]) {
        let mut a = BTreeMap::new();
        a.insert("f.json".to_string(), old);
        let mut b = BTreeMap::new();
        b.insert("f.json".to_string(), new);
        let got: Vec<(String, ChangeKind)> = diff_files(&a, &b)
            .into_iter()
            .map(|c| (c.pointer, c.kind))
            .collect();
        let want: Vec<(String, ChangeKind)> =
            expect.iter().map(|(p, k)| (p.to_string(), *k)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn structural_diff_matches_named_elements_and_parses_policy_strings() {
        use ChangeKind::*;
        check(json!({"a": 1}), json!({"a": 1}), &[]);
        check(
            json!({"a": 1}),
            json!({"a": 2, "b": 3}),
            &[("/a", Modified), ("/b", Added)],
        );
        // Reordered named roles are no change; a changed one points at its new index.
        check(
            json!({"R": [{"RoleName": "x", "v": 1}, {"RoleName": "y", "v": 1}]}),
            json!({"R": [{"RoleName": "y", "v": 2}, {"RoleName": "x", "v": 1}]}),
            &[("/R/0/v", Modified)],
        );
        // A policy given as a JSON string is compared as a document.
        check(
            json!({"Policy": "{\"Statement\":[{\"Sid\":\"A\",\"Effect\":\"Allow\"}]}"}),
            json!({"Policy": "{ \"Statement\": [ {\"Sid\":\"A\",\"Effect\":\"Deny\"} ] }"}),
            &[("/Policy/Statement/0/Effect", Modified)],
        );
        check(json!([1, 2]), json!([1]), &[("/1", Removed)]);
    }
}
