//! Scenarios for `smt::check` / `check_chain`: one per kind of symbolic reasoning — conditions
//! the requester can meet (or not), globs on object keys, IP ranges, dates, numbers, set
//! qualifiers, anonymous internet callers, foreign accounts, Block Public Access, SCP levels,
//! chains with shared variables, and constructs that must go Unknown. Every `Allowed` answer
//! has already been replayed through `eval::decide` by the solver itself.

use leakpath::eval::{
    AuthzInputs, AwsPrincipal, AwsPrincipalKind, ContextValue, IdentityInputs, IdentityPolicies,
    OrgPolicies, PolicyRef, PublicAccessBlock, RequestPrincipal, ResourcePolicyMode, S3Inputs,
};
use leakpath::policy::parse::parse_policy_value;
use leakpath::policy::PolicyDocument;
use leakpath::smt::{
    check, check_chain, Answer, KeyShape, PrincipalShape, Question, RequestShape, StrShape,
};
use serde_json::{json, Value};

const ME: &str = "111111111111";
const THEM: &str = "222222222222";

fn doc(v: Value) -> PolicyDocument {
    parse_policy_value(&v).expect("test policy parses")
}

fn stmts(list: Value) -> PolicyDocument {
    doc(json!({"Version": "2012-10-17", "Statement": list}))
}

fn user(account: &str, name: &str) -> RequestPrincipal {
    RequestPrincipal::Aws(AwsPrincipal {
        arn: format!("arn:aws:iam::{account}:user/{name}"),
        account: account.into(),
        kind: AwsPrincipalKind::User,
        canonical_user: None,
    })
}

/// The world of one question, owned.
struct World {
    identity: Vec<PolicyDocument>,
    unconstrained: bool,
    scps: Option<Vec<Vec<PolicyDocument>>>,
    resource: Option<PolicyDocument>,
    s3: Option<S3Inputs>,
    resource_account: String,
}

impl World {
    fn new() -> World {
        World {
            identity: Vec::new(),
            unconstrained: false,
            scps: None,
            resource: None,
            s3: None,
            resource_account: ME.into(),
        }
    }

    fn inputs(&self) -> AuthzInputs<'_> {
        let identity = if self.unconstrained {
            IdentityInputs::Unconstrained
        } else {
            IdentityInputs::Known(IdentityPolicies {
                policies: self
                    .identity
                    .iter()
                    .map(|d| PolicyRef {
                        label: "identity",
                        doc: d,
                    })
                    .collect(),
                permissions_boundary: None,
                session_policies: None,
                scps: self.scps.as_ref().map(|levels| OrgPolicies {
                    levels: levels
                        .iter()
                        .map(|l| {
                            l.iter()
                                .map(|d| PolicyRef {
                                    label: "scp",
                                    doc: d,
                                })
                                .collect()
                        })
                        .collect(),
                    management_account: false,
                }),
            })
        };
        AuthzInputs {
            identity,
            resource_account: self.resource_account.clone(),
            resource_policy: self.resource.as_ref().map(|d| PolicyRef {
                label: "bucket-policy",
                doc: d,
            }),
            resource_policy_mode: ResourcePolicyMode::Alternative,
            rcps: None,
            vpc_endpoint_policy: None,
            s3: self.s3.clone(),
            kms: None,
        }
    }
}

/// Asks the question and checks the result name; returns the answer for further checks.
fn check_q(world: &World, shape: RequestShape, expect: &str) -> Answer {
    let q = Question {
        inputs: world.inputs(),
        shape,
    };
    let a = check(&q).expect("no solver error");
    assert_eq!(a.result_name(), expect, "{a:?}");
    a
}

fn witness_value(a: &Answer, key: &str) -> Option<String> {
    match a {
        Answer::Allowed(w) => w
            .request()
            .and_then(|r| r.context.get(key))
            .map(|v| v.values().join(",")),
        _ => None,
    }
}

fn witness_resource(a: &Answer) -> String {
    match a {
        Answer::Allowed(w) => w.request().map(|r| r.resource.clone()).unwrap_or_default(),
        _ => String::new(),
    }
}

fn get_object(principal: PrincipalShape, resource: StrShape) -> RequestShape {
    RequestShape::new(principal, StrShape::Exact("s3:GetObject".into()), resource)
}

fn any_object() -> StrShape {
    StrShape::Matching("arn:aws:s3:::b/*".into())
}

#[test]
fn conditions_the_requester_can_meet_yield_a_witness() {
    let mut w = World::new();
    w.identity.push(stmts(json!([
        {"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/*",
         "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
        {"Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"NotIpAddress": {"aws:SourceIp": ["10.1.0.0/16", "192.168.0.0/16"]}}}
    ])));
    let a = check_q(
        &w,
        get_object(PrincipalShape::Exact(user(ME, "alice")), any_object()),
        "allowed",
    );
    let ip = witness_value(&a, "aws:SourceIp").unwrap();
    assert!(ip.starts_with("10.1."), "{ip}");
}

#[test]
fn conflicting_conditions_are_denied_with_the_deciding_statements() {
    let mut w = World::new();
    w.identity.push(stmts(json!([
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                       "DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}},
        {"Sid": "NoOldRequests", "Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"DateLessThan": {"aws:CurrentTime": "2021-01-01"}}}
    ])));
    let a = check_q(
        &w,
        get_object(PrincipalShape::Exact(user(ME, "alice")), any_object()),
        "denied",
    );
    match a {
        Answer::Denied(why) => assert!(
            why.statements
                .iter()
                .any(|s| s.sid.as_deref() == Some("NoOldRequests")),
            "{why:?}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn object_key_globs_avoid_denied_prefixes() {
    let mut w = World::new();
    w.identity.push(stmts(json!([
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b/private/*", "arn:aws:s3:::b/?"]}
    ])));
    let a = check_q(
        &w,
        get_object(PrincipalShape::Exact(user(ME, "alice")), any_object()),
        "allowed",
    );
    let r = witness_resource(&a);
    assert!(
        !r.starts_with("arn:aws:s3:::b/private/") && r.len() != "arn:aws:s3:::b/x".len(),
        "{r}"
    );
    // Only the denied prefix left: denied.
    let shape = get_object(
        PrincipalShape::Exact(user(ME, "alice")),
        StrShape::Matching("arn:aws:s3:::b/private/*".into()),
    );
    check_q(&w, shape, "denied");
}

#[test]
fn numbers_dates_booleans_and_set_qualifiers() {
    let mut w = World::new();
    w.identity.push(stmts(json!([
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b",
         "Condition": {
            "NumericGreaterThan": {"s3:max-keys": "10"},
            "NumericLessThan": {"s3:max-keys": "11"},
            "DateGreaterThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
            "Bool": {"aws:SecureTransport": "true"},
            "ForAllValues:StringLike": {"aws:TagKeys": ["env*", "team"]},
            "ForAnyValue:StringEquals": {"aws:TagKeys": "team"}}}
    ])));
    let shape = RequestShape::new(
        PrincipalShape::Exact(user(ME, "alice")),
        StrShape::Exact("s3:ListBucket".into()),
        StrShape::Exact("arn:aws:s3:::b".into()),
    );
    let a = check_q(&w, shape, "allowed");
    let n: f64 = witness_value(&a, "s3:max-keys").unwrap().parse().unwrap();
    assert!(n > 10.0 && n < 11.0);
    assert!(witness_value(&a, "aws:TagKeys").unwrap().contains("team"));
}

#[test]
fn anonymous_internet_callers_need_a_public_ip_and_no_bpa() {
    let mut w = World::new();
    w.resource = Some(stmts(json!([
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
         "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "52.0.0.0/8"]}}}
    ])));
    w.s3 = Some(S3Inputs::default());
    let a = check_q(
        &w,
        RequestShape::anonymous(StrShape::Exact("s3:GetObject".into()), any_object()),
        "allowed",
    );
    assert!(witness_value(&a, "aws:SourceIp")
        .unwrap()
        .starts_with("52."));
    // Only private ranges: the internet cannot.
    w.resource = Some(stmts(json!([
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
         "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}}}
    ])));
    check_q(
        &w,
        RequestShape::anonymous(StrShape::Exact("s3:GetObject".into()), any_object()),
        "denied",
    );
    // A public policy under RestrictPublicBuckets serves no anonymous caller.
    w.resource = Some(stmts(json!([
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    ])));
    w.s3 = Some(S3Inputs {
        public_access_block: PublicAccessBlock {
            restrict_public_buckets: true,
            ..PublicAccessBlock::default()
        },
        ..S3Inputs::default()
    });
    check_q(
        &w,
        RequestShape::anonymous(StrShape::Exact("s3:GetObject".into()), any_object()),
        "denied",
    );
}

#[test]
fn foreign_accounts_reach_what_the_bucket_policy_grants_them() {
    let mut w = World::new();
    w.unconstrained = true;
    w.resource = Some(stmts(json!([
        {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{THEM}:root")},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-mine"}}}
    ])));
    let outside = PrincipalShape::AnyOutside {
        excluded: vec![ME.into()],
        org_ids: vec!["o-mine".into()],
    };
    // The org-id guard stops every outsider.
    check_q(&w, get_object(outside.clone(), any_object()), "denied");
    w.resource = Some(stmts(json!([
        {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{THEM}:root")},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    ])));
    let a = check_q(&w, get_object(outside, any_object()), "allowed");
    match a {
        Answer::Allowed(wit) => match &wit.requests[0].principal {
            RequestPrincipal::Aws(p) => assert_eq!(p.account, THEM),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_scp_level_must_allow() {
    let mut w = World::new();
    w.identity.push(stmts(
        json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
    ));
    let full = || stmts(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]));
    let no_s3 = || stmts(json!([{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}]));
    w.scps = Some(vec![vec![full()], vec![no_s3()]]);
    check_q(
        &w,
        get_object(PrincipalShape::Exact(user(ME, "alice")), any_object()),
        "denied",
    );
    w.scps = Some(vec![vec![full()], vec![full()]]);
    check_q(
        &w,
        get_object(PrincipalShape::Exact(user(ME, "alice")), any_object()),
        "allowed",
    );
}

#[test]
fn variables_over_free_keys_are_unknown_and_bound_ones_are_exact() {
    let mut w = World::new();
    w.identity.push(stmts(json!([
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/home/${aws:username}/*"}
    ])));
    // aws:username is derived from the user: bound.
    let a = check_q(
        &w,
        get_object(PrincipalShape::Exact(user(ME, "alice")), any_object()),
        "allowed",
    );
    assert!(witness_resource(&a).starts_with("arn:aws:s3:::b/home/alice/"));
    w.identity = vec![stmts(json!([
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:PrincipalTag/team}/*"}
    ]))];
    check_q(
        &w,
        get_object(PrincipalShape::Exact(user(ME, "alice")), any_object()),
        "unknown",
    );
    // Bound by the shape: exact again.
    let shape = get_object(PrincipalShape::Exact(user(ME, "alice")), any_object()).with_key(
        "aws:PrincipalTag/team",
        KeyShape::Fixed(ContextValue::Single("red".into())),
    );
    let a = check_q(&w, shape, "allowed");
    assert!(witness_resource(&a).starts_with("arn:aws:s3:::b/red/"));
}

#[test]
fn chains_share_named_variables() {
    // Hop 1 needs the tag to be "a", hop 2 needs it to be "b": with a shared tag the chain
    // is denied, with independent tags it is allowed.
    let mut w1 = World::new();
    w1.identity.push(stmts(
        json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
        "Condition": {"StringEquals": {"aws:RequestTag/k": "a"}}}]),
    ));
    let mut w2 = World::new();
    w2.identity.push(stmts(
        json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
        "Condition": {"StringEquals": {"aws:RequestTag/k": "b"}}}]),
    ));
    let shared = KeyShape::Shared {
        name: "tag".into(),
        inner: Box::new(KeyShape::Free),
    };
    fn hop(w: &World, shape: KeyShape) -> Question<'_> {
        Question {
            inputs: w.inputs(),
            shape: get_object(PrincipalShape::Exact(user(ME, "alice")), any_object())
                .with_key("aws:RequestTag/k", shape),
        }
    }
    let a = check_chain(&[hop(&w1, shared.clone()), hop(&w2, shared)]).unwrap();
    assert!(a.is_denied(), "{a:?}");
    let a = check_chain(&[hop(&w1, KeyShape::Free), hop(&w2, KeyShape::Free)]).unwrap();
    assert!(a.is_allowed(), "{a:?}");
}

/// An outsider's `aws:userid` excluded by patterns (`KeyShape::NoneLike`): `OURROLE:*` (any
/// session of our role) is never the outsider's, whether a policy pattern names that role's
/// sessions (kept as a matcher) or not (left out of the domain, but never the witness).
#[test]
fn excluded_userid_patterns() {
    let mut w = World::new();
    w.unconstrained = true;
    w.s3 = Some(S3Inputs::default());
    let grant = |pattern: &str| {
        stmts(json!([
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
             "Condition": {"StringLike": {"aws:userid": pattern}}}
        ]))
    };
    let outsider = |excluded: &[&str]| {
        get_object(
            PrincipalShape::AnyOutside {
                excluded: vec![ME.into()],
                org_ids: Vec::new(),
            },
            any_object(),
        )
        .with_key(
            "aws:userid",
            KeyShape::none_like(excluded.iter().map(|s| s.to_string()).collect()),
        )
    };
    let ours = ["AROAOURROLE", "AROAOURROLE:*", "anonymous"];
    w.resource = Some(grant("AROAOURROLE:*"));
    check_q(&w, outsider(&ours), "denied");
    // Before the pattern was known, only the exact ids were excluded.
    check_q(&w, outsider(&["AROAOURROLE", "anonymous"]), "allowed");
    w.resource = Some(grant("AROAOURROLE:sess*"));
    check_q(&w, outsider(&ours), "denied");
    // Any role's sessions: an outsider's role, never ours.
    w.resource = Some(grant("AROA*:*"));
    let a = check_q(&w, outsider(&ours), "allowed");
    let id = witness_value(&a, "aws:userid").expect("a userid");
    assert!(!id.starts_with("AROAOURROLE:"), "{id}");
    // No policy pattern reaches the role's sessions: the excluded prefix is left out of
    // the domain, and still never the witness.
    w.resource = Some(stmts(json!([
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
         "Condition": {"StringNotLike": {"aws:userid": "AIDA*"}}}
    ])));
    let a = check_q(&w, outsider(&ours), "allowed");
    let id = witness_value(&a, "aws:userid").expect("a userid");
    assert!(
        !id.starts_with("AROAOURROLE:") && !id.starts_with("AIDA"),
        "{id}"
    );
    w.resource = Some(grant("AROAOU*"));
    let a = check_q(&w, outsider(&ours), "allowed");
    let id = witness_value(&a, "aws:userid").expect("a userid");
    assert!(
        !id.starts_with("AROAOURROLE:") && id != "AROAOURROLE",
        "{id}"
    );
}

/// An unsigned request's `aws:userid` is `anonymous` (eval derives it; the anonymous shape
/// leaves it to eval): a grant to exactly that value admits anonymous callers.
#[test]
fn anonymous_callers_carry_userid_anonymous() {
    let mut w = World::new();
    w.s3 = Some(S3Inputs::default());
    let grant = |value: &str| {
        stmts(json!([
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
             "Condition": {"StringEquals": {"aws:userid": value}}}
        ]))
    };
    w.resource = Some(grant("anonymous"));
    check_q(
        &w,
        RequestShape::anonymous(StrShape::Exact("s3:GetObject".into()), any_object()),
        "allowed",
    );
    w.resource = Some(grant("AIDAEXAMPLE"));
    check_q(
        &w,
        RequestShape::anonymous(StrShape::Exact("s3:GetObject".into()), any_object()),
        "denied",
    );
}

/// `AnyIdentityOfAccount` ranges over the users and role sessions of an account, never its
/// root user, which has every identity permission of its account (IAM User Guide, "AWS
/// account root user"): with no identity policy and no bucket grant only the root user
/// reads, so "any identity" of the account is denied where "any principal" is allowed.
/// A grant to one role lets a session of it read, carrying the account's canonical id.
#[test]
fn identities_of_an_account_leave_out_its_root_user() {
    let mut w = World::new();
    let identities = PrincipalShape::AnyIdentityOfAccount {
        account: ME.into(),
        canonical_user: Some("c0ffee".into()),
    };
    check_q(
        &w,
        get_object(PrincipalShape::AnyOfAccount(ME.into()), any_object()),
        "allowed",
    );
    check_q(&w, get_object(identities.clone(), any_object()), "denied");
    w.resource = Some(stmts(json!([
        {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ME}:role/reader")},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    ])));
    match check_q(&w, get_object(identities, any_object()), "allowed") {
        Answer::Allowed(wit) => match &wit.requests[0].principal {
            RequestPrincipal::Aws(p) => {
                assert_eq!(
                    p.kind,
                    AwsPrincipalKind::RoleSession {
                        role_arn: format!("arn:aws:iam::{ME}:role/reader")
                    }
                );
                assert_eq!(p.canonical_user.as_deref(), Some("c0ffee"));
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}
