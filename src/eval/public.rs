//! Block Public Access's "is this policy public" verdict, as the S3 User Guide defines it
//! ("The meaning of public", `../shared/data/policies/aws-docs/s3_bpa_meaning_of_public.md`).
//!
//! S3 starts from "public" and looks for reasons the policy is not: every `Allow` statement
//! must grant only to fixed principals (account ids, ARNs, service principals, canonical
//! users), or carry a condition that pins one of the listed keys to fixed values — values
//! with no wildcard and no policy variable. The rules, one per reason a statement is public:
//! - `Principal` `"*"`, `{"AWS": "*"}`, a principal value with a wildcard, any `Federated`
//!   principal (anyone with an identity at the provider; the guide's first example), and any
//!   `NotPrincipal` in an `Allow` (everyone but the listed).
//! - A condition pins a key only through a positive operator that requires the key to be
//!   present (`StringEquals`, `StringLike`, `ArnEquals`, `ArnLike`, `IpAddress`, optionally
//!   with `ForAnyValue:`). Negated operators (`StringNotEquals`, `NotIpAddress`) exclude values
//!   rather than pin them; `...IfExists` and `ForAllValues:` hold when the key is absent.
//! - The keys: `aws:SourceIp` (a CIDR no broader than /8 for IPv4 or /32 for IPv6),
//!   `aws:SourceArn`, `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceOwner`,
//!   `aws:SourceAccount`, `s3:x-amz-server-side-encryption-aws-kms-key-id`, `aws:userid`
//!   (a fixed id, or the `ROLEID:*` pattern that pins a role), `s3:DataAccessPointArn` (the
//!   access point name may be a wildcard when the account is fixed),
//!   `s3:DataAccessPointAccount`; and the keys that name "an AWS principal, user, role, or
//!   service principal": `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`,
//!   `aws:PrincipalAccount`, `aws:PrincipalArn`, `kms:CallerAccount`.
//! - A public `Allow` is not public after all when a `Deny` for everyone (`"*"`) over at
//!   least its actions and resources applies whenever one of those keys is *not* one of
//!   fixed values (one negated condition on a listed key, such as the common
//!   `"Deny" … "StringNotEquals": {"aws:SourceVpce": "vpce-1"}`): the grant is then only
//!   effective for the fixed values, which is what the guide asks.

use crate::eval::glob;
use crate::policy::{
    Condition, Effect, OperatorBase, PolicyDocument, PrincipalKind, PrincipalSet, SetQualifier,
    Statement,
};
use ipnet::IpNet;

/// The verdict, with one reason per statement that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicVerdict {
    pub public: bool,
    /// For a public policy: why each public statement is public. For a non-public one: why
    /// each `Allow` statement is not.
    pub reasons: Vec<String>,
}

/// Block Public Access's verdict on one bucket (or access point, or any resource) policy.
pub fn is_public_policy(doc: &PolicyDocument) -> PublicVerdict {
    let mut public_reasons = Vec::new();
    let mut fixed_reasons = Vec::new();
    for stmt in doc.statements.iter().filter(|s| s.effect == Effect::Allow) {
        let name = statement_name(stmt);
        match statement_publicness(stmt) {
            Publicness::Fixed(why) => fixed_reasons.push(format!("{name}: {why}")),
            Publicness::Public(why) => match neutralizing_deny(doc, stmt) {
                Some((deny, key)) => fixed_reasons.push(format!(
                    "{name}: {why}, but {} denies every request whose {key} is not a fixed value",
                    statement_name(deny)
                )),
                None => public_reasons.push(format!("{name}: {why}")),
            },
        }
    }
    if public_reasons.is_empty() {
        if fixed_reasons.is_empty() {
            fixed_reasons.push("no statement allows anything".to_string());
        }
        PublicVerdict {
            public: false,
            reasons: fixed_reasons,
        }
    } else {
        PublicVerdict {
            public: true,
            reasons: public_reasons,
        }
    }
}

fn statement_name(stmt: &Statement) -> String {
    match &stmt.sid {
        Some(sid) if !sid.is_empty() => format!("statement {} ({sid})", stmt.index),
        _ => format!("statement {}", stmt.index),
    }
}

enum Publicness {
    Fixed(String),
    Public(String),
}

/// Whether one `Allow` statement grants public access.
fn statement_publicness(stmt: &Statement) -> Publicness {
    let open_principal = match &stmt.principal {
        None => Some("it has no Principal element".to_string()),
        Some(clause) if clause.negated => {
            Some("it allows everyone but its NotPrincipal".to_string())
        }
        Some(clause) => open_principal(&clause.principals),
    };
    let Some(open) = open_principal else {
        return Publicness::Fixed("it grants only to fixed principals".to_string());
    };
    match stmt.conditions.iter().find_map(pinning_condition) {
        Some(key) => Publicness::Fixed(format!("{open}, but its condition fixes {key}")),
        None => Publicness::Public(format!(
            "{open} and no condition fixes a key that makes a policy non-public"
        )),
    }
}

/// Why a `Principal` element opens the statement to the public, or `None` when it names only
/// fixed principals.
fn open_principal(set: &PrincipalSet) -> Option<String> {
    let entries = match set {
        PrincipalSet::Any => return Some("Principal \"*\" allows everyone".to_string()),
        PrincipalSet::Entries(entries) => entries,
    };
    for e in entries {
        if e.kind == PrincipalKind::Aws && e.value == "*" {
            return Some("Principal {\"AWS\": \"*\"} allows everyone".to_string());
        }
        if e.value.contains(['*', '?']) {
            return Some(format!("principal {:?} has a wildcard", e.value));
        }
        if e.kind == PrincipalKind::Federated {
            return Some(format!(
                "Federated principal {:?} allows anyone with an identity there",
                e.value
            ));
        }
    }
    None
}

/// The keys whose fixed values make a statement non-public, lowercased.
const PINNING_KEYS: &[&str] = &[
    "aws:sourceip",
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceowner",
    "aws:sourceaccount",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "aws:userid",
    "s3:dataaccesspointarn",
    "s3:dataaccesspointaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "kms:calleraccount",
];

/// The key a condition pins to fixed values, if it does.
fn pinning_condition(cond: &Condition) -> Option<String> {
    use OperatorBase::*;
    let op = &cond.operator;
    if op.if_exists || op.set == Some(SetQualifier::ForAllValues) {
        return None;
    }
    let family_ok = matches!(
        op.base,
        StringEquals | StringEqualsIgnoreCase | StringLike | ArnEquals | ArnLike | IpAddress
    );
    let key = cond.key.to_ascii_lowercase();
    if !family_ok || !PINNING_KEYS.contains(&key.as_str()) || cond.values.is_empty() {
        return None;
    }
    if op.base == IpAddress && key != "aws:sourceip" {
        return None;
    }
    cond.values
        .iter()
        .all(|v| value_is_fixed(&key, &op.base, v))
        .then(|| cond.key.clone())
}

/// Whether one policy value of a pinning key is "fixed" for that key.
fn value_is_fixed(key: &str, base: &OperatorBase, value: &str) -> bool {
    if glob::has_variable(value) {
        return false;
    }
    let wildcard = value.contains(['*', '?']);
    match key {
        "aws:sourceip" => {
            if *base != OperatorBase::IpAddress {
                return !wildcard && value.parse::<std::net::IpAddr>().is_ok();
            }
            match crate::eval::conditions::parse_network(value) {
                Some(IpNet::V4(n)) => n.prefix_len() >= 8,
                Some(IpNet::V6(n)) => n.prefix_len() >= 32,
                None => false,
            }
        }
        // `AROLEID:*` pins a role (any of its sessions).
        "aws:userid" => match value.split_once(':') {
            Some((id, "*")) => !id.is_empty() && !id.contains(['*', '?']),
            _ => !wildcard,
        },
        // A bucket policy may leave the access point name open as long as the account is
        // fixed (arn:aws:s3:region:ACCOUNT:accesspoint/*); without a wildcard any value is
        // fixed.
        "s3:dataaccesspointarn" if wildcard => {
            let parts: Vec<&str> = value.splitn(6, ':').collect();
            match parts.as_slice() {
                [arn, partition, service, region, account, resource] => {
                    let fixed = |s: &str| !s.is_empty() && !s.contains(['*', '?']);
                    *arn == "arn"
                        && fixed(partition)
                        && fixed(service)
                        && !region.contains(['*', '?'])
                        && account.len() == 12
                        && account.chars().all(|c| c.is_ascii_digit())
                        && resource.starts_with("accesspoint/")
                        && !resource["accesspoint/".len()..].contains('/')
                }
                _ => false,
            }
        }
        _ => !wildcard,
    }
}

/// A `Deny` statement that makes a public `Allow` effective only for fixed values of a
/// pinning key, with that key.
fn neutralizing_deny<'d>(
    doc: &'d PolicyDocument,
    allow: &Statement,
) -> Option<(&'d Statement, String)> {
    doc.statements
        .iter()
        .filter(|s| s.effect == Effect::Deny)
        .find_map(|deny| {
            let everyone = match &deny.principal {
                Some(c) if !c.negated => match &c.principals {
                    PrincipalSet::Any => true,
                    PrincipalSet::Entries(es) => es
                        .iter()
                        .any(|e| e.kind == PrincipalKind::Aws && e.value == "*"),
                },
                _ => false,
            };
            if !everyone || deny.conditions.len() != 1 {
                return None;
            }
            let covers_actions = !deny.action.negated
                && !allow.action.negated
                && allow.action.patterns.iter().all(|a| {
                    deny.action
                        .patterns
                        .iter()
                        .any(|d| pattern_covers(&d.to_ascii_lowercase(), &a.to_ascii_lowercase()))
                });
            let covers_resources = match (&deny.resource, &allow.resource) {
                (Some(d), Some(a)) if !d.negated && !a.negated => a
                    .patterns
                    .iter()
                    .all(|ap| d.patterns.iter().any(|dp| pattern_covers(dp, ap))),
                _ => false,
            };
            if !covers_actions || !covers_resources {
                return None;
            }
            let cond = deny.conditions.first()?;
            let op = &cond.operator;
            let key = cond.key.to_ascii_lowercase();
            let negated_pin = op.set.is_none()
                && matches!(
                    op.base,
                    OperatorBase::StringNotEquals
                        | OperatorBase::StringNotEqualsIgnoreCase
                        | OperatorBase::StringNotLike
                        | OperatorBase::ArnNotEquals
                        | OperatorBase::ArnNotLike
                        | OperatorBase::NotIpAddress
                )
                && PINNING_KEYS.contains(&key.as_str())
                && !cond.values.is_empty()
                && cond.values.iter().all(|v| {
                    let positive = if op.base == OperatorBase::NotIpAddress {
                        OperatorBase::IpAddress
                    } else {
                        OperatorBase::StringEquals
                    };
                    value_is_fixed(&key, &positive, v)
                });
            negated_pin.then(|| (deny, cond.key.clone()))
        })
}

/// Whether every string `inner` matches is also matched by `outer` — decided only in the easy
/// cases (equal patterns; `outer` a literal prefix followed by one final `*`), and `false`
/// otherwise, which errs towards "public".
fn pattern_covers(outer: &str, inner: &str) -> bool {
    if outer == inner {
        return true;
    }
    match outer.strip_suffix('*') {
        Some(prefix) if !prefix.contains(['*', '?']) && !glob::has_variable(outer) => {
            inner.starts_with(prefix) && !prefix.contains("${")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::parse::parse_policy_value;
    use serde_json::json;

    fn check(statements: serde_json::Value, expect: bool) {
        let doc = parse_policy_value(&json!({"Version": "2012-10-17", "Statement": statements}))
            .expect("test policy parses");
        let verdict = is_public_policy(&doc);
        assert_eq!(
            verdict.public, expect,
            "{statements}: {:?}",
            verdict.reasons
        );
        assert!(!verdict.reasons.is_empty());
    }

    fn allow_all_with(condition: serde_json::Value) -> serde_json::Value {
        json!([{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/*", "Condition": condition}])
    }

    #[test]
    fn the_guides_examples() {
        check(
            json!([{"Principal": {"Federated": "graph.facebook.com"}, "Resource": "*", "Action": "s3:PutObject", "Effect": "Allow"}]),
            true,
        );
        check(
            json!([{"Principal": "*", "Resource": "*", "Action": "s3:PutObject", "Effect": "Allow"}]),
            true,
        );
        check(
            json!([{"Principal": "*", "Resource": "*", "Action": "s3:PutObject", "Effect": "Allow",
                      "Condition": {"StringLike": {"aws:SourceVpc": "vpc-*"}}}]),
            true,
        );
        check(
            json!([{"Principal": "*", "Resource": "*", "Action": "s3:PutObject", "Effect": "Allow",
                      "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-91237329"}}}]),
            false,
        );
        // CloudTrail + Account-2 + public statement: public because of the third.
        check(
            json!([
                {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "*"},
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "s3:GetObject", "Resource": "*"},
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
            ]),
            true,
        );
        check(
            json!([
                {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "*"},
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "s3:GetObject", "Resource": "*"}
            ]),
            false,
        );
    }

    #[test]
    fn principals() {
        check(
            json!([{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": "*"}]),
            true,
        );
        check(
            json!([{"Effect": "Allow", "Principal": {"AWS": ["111122223333", "*"]}, "Action": "s3:*", "Resource": "*"}]),
            true,
        );
        check(
            json!([{"Effect": "Allow", "NotPrincipal": {"AWS": "111122223333"}, "Action": "s3:*", "Resource": "*"}]),
            true,
        );
        check(
            json!([{"Effect": "Allow", "Principal": {"CanonicalUser": "abc"}, "Action": "s3:*", "Resource": "*"}]),
            false,
        );
        check(
            json!([{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]),
            false,
        );
    }

    #[test]
    fn conditions() {
        check(
            allow_all_with(json!({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
            false,
        );
        check(
            allow_all_with(json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
            false,
        );
        check(
            allow_all_with(json!({"IpAddress": {"aws:SourceIp": "0.0.0.0/1"}})),
            true,
        );
        check(
            allow_all_with(json!({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "0.0.0.0/0"]}})),
            true,
        );
        check(
            allow_all_with(json!({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}})),
            false,
        );
        check(
            allow_all_with(json!({"IpAddress": {"aws:SourceIp": "2001:db8::/31"}})),
            true,
        );
        check(
            allow_all_with(json!({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
            true,
        );
        check(
            allow_all_with(json!({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}})),
            true,
        );
        check(
            allow_all_with(json!({"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}})),
            true,
        );
        check(
            allow_all_with(json!({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-1"}})),
            true,
        );
        check(
            allow_all_with(json!({"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": "o-1"}})),
            false,
        );
        check(
            allow_all_with(json!({"StringEquals": {"aws:PrincipalOrgID": "o-1"}})),
            false,
        );
        check(
            allow_all_with(json!({"StringLike": {"aws:PrincipalOrgID": "o-*"}})),
            true,
        );
        check(
            allow_all_with(json!({"StringEquals": {"aws:PrincipalOrgID": "${aws:username}"}})),
            true,
        );
        check(
            allow_all_with(json!({"StringEquals": {"aws:SourceAccount": "111122223333"}})),
            false,
        );
        check(
            allow_all_with(json!({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:*"}})),
            true,
        );
        check(
            allow_all_with(
                json!({"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:t"}}),
            ),
            false,
        );
        check(
            allow_all_with(json!({"StringLike": {"aws:userid": "AROAEXAMPLE:*"}})),
            false,
        );
        check(
            allow_all_with(json!({"StringLike": {"aws:userid": "AROA*"}})),
            true,
        );
        check(
            allow_all_with(json!({"StringEquals": {"s3:DataAccessPointAccount": "111122223333"}})),
            false,
        );
        check(
            allow_all_with(
                json!({"ArnLike": {"s3:DataAccessPointArn": "arn:aws:s3:us-west-2:123456789012:accesspoint/*"}}),
            ),
            false,
        );
        check(
            allow_all_with(
                json!({"ArnLike": {"s3:DataAccessPointArn": "arn:aws:s3:us-west-2:*:accesspoint/*"}}),
            ),
            true,
        );
        // A fixed value is fixed whatever its shape (the guide's Multi-Region example).
        check(
            allow_all_with(
                json!({"StringEquals": {"s3:DataAccessPointArn": "MultiRegionAccessPoint_ARN"}}),
            ),
            false,
        );
        check(
            allow_all_with(json!({"Bool": {"aws:SecureTransport": "true"}})),
            true,
        );
        check(
            allow_all_with(json!({"StringEquals": {"aws:UserAgent": "x"}})),
            true,
        );
        // One pinning condition among others is enough (conditions are AND-ed).
        check(
            allow_all_with(
                json!({"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"aws:SourceVpce": "vpce-1"}}),
            ),
            false,
        );
    }

    #[test]
    fn perimeter_denies() {
        let allow = json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"});
        let deny = |cond: serde_json::Value, action: &str, resource: &str| json!({"Effect": "Deny", "Principal": "*", "Action": action, "Resource": resource, "Condition": cond});
        check(
            json!([
                allow,
                deny(
                    json!({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}),
                    "s3:*",
                    "arn:aws:s3:::b/*"
                )
            ]),
            false,
        );
        check(
            json!([
                allow,
                deny(
                    json!({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}),
                    "*",
                    "*"
                )
            ]),
            false,
        );
        // Not covering the allowed actions or resources, or a wildcard value: still public.
        check(
            json!([
                allow,
                deny(
                    json!({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}),
                    "s3:PutObject",
                    "*"
                )
            ]),
            true,
        );
        check(
            json!([
                allow,
                deny(
                    json!({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}),
                    "s3:*",
                    "arn:aws:s3:::other/*"
                )
            ]),
            true,
        );
        check(
            json!([
                allow,
                deny(
                    json!({"StringNotLike": {"aws:SourceVpce": "vpce-*"}}),
                    "s3:*",
                    "*"
                )
            ]),
            true,
        );
        check(
            json!([
                allow,
                deny(
                    json!({"Bool": {"aws:SecureTransport": "false"}}),
                    "s3:*",
                    "*"
                )
            ]),
            true,
        );
    }
}
