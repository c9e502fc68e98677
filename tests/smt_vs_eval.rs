//! The solver held to the oracle: random small worlds (identity policies, boundary, SCP
//! levels, bucket policy, ACLs, Block Public Access, ownership, cross-account, anonymous,
//! plus RCP levels, VPC endpoint policies, trust/key-policy mode and SSE-KMS keys)
//! drawn from a grammar covering effects, Principal/NotPrincipal, Action/NotAction,
//! Resource/NotResource, `*`/`?` globs, every condition operator family, IfExists, set
//! qualifiers and policy variables; and random concrete requests. Properties:
//!
//! 1. If `eval` allows a request, a question whose shape contains it (keys free, fixed, or
//!    present excluding other values or patterns, at random) is `Allowed` or `Unknown` —
//!    never `Denied`. (Every `Allowed` witness has been
//!    replayed through `eval::decide` inside the solver; a rejected witness is an error.)
//! 2. A question whose shape is exactly the request (every key fixed, no other key) agrees
//!    with `eval`: `Allowed` iff `eval` allows, unless `Unknown`.
//!
//! The case count defaults to 10,000; set `PROPTEST_CASES` for longer runs.

use leakpath::eval::{
    decide, AclGrant, AclGrantee, AclPermission, AuthzInputs, AwsPrincipal, AwsPrincipalKind,
    ContextValue, IdentityInputs, IdentityPolicies, KmsKeyInputs, ObjectOwnership, OrgPolicies,
    Outcome, PolicyRef, PublicAccessBlock, Request, RequestContext, RequestPrincipal,
    ResourcePolicyMode, S3Inputs,
};
use leakpath::policy::parse::parse_policy_value;
use leakpath::policy::PolicyDocument;
use leakpath::smt::{check, Answer, KeyShape, PrincipalShape, Question, RequestShape, StrShape};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};

const ME: &str = "111111111111";
const THEM: &str = "222222222222";

/// Random choices read from a tape proptest generates (and shrinks toward zeros, which are
/// the simplest choices everywhere).
struct Tape {
    vals: Vec<u32>,
    at: usize,
}

impl Tape {
    fn next(&mut self) -> u32 {
        let v = self.vals.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        v
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() as usize) % n.max(1)
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.next() % 100 < percent
    }
}

const ACTIONS: &[&str] = &["s3:GetObject", "s3:ListBucket", "s3:PutObject"];
const ACTION_PATTERNS: &[&str] = &[
    "*",
    "s3:GetObject",
    "s3:Get*",
    "s3:*",
    "s3:?etObject",
    "S3:GETOBJECT",
    "s3:ListBucket",
    "s3:Put*",
    "kms:Decrypt",
    "kms:*",
];
const RESOURCES: &[&str] = &[
    "arn:aws:s3:::b/a",
    "arn:aws:s3:::b/x/y",
    "arn:aws:s3:::b",
    "arn:aws:s3:::b/alice/k",
];
const RESOURCE_PATTERNS: &[&str] = &[
    "*",
    "arn:aws:s3:::b/*",
    "arn:aws:s3:::b",
    "arn:aws:s3:::b/x*",
    "arn:aws:s3:::b/?",
    "arn:aws:s3:::b/${aws:username}/*",
    "arn:aws:s3:::b*",
];

/// (operator, key, candidate values)
fn condition(t: &mut Tape) -> (String, String, Vec<String>) {
    let families: &[(&[&str], &str, &[&str])] = &[
        (
            &["IpAddress", "NotIpAddress"],
            "aws:SourceIp",
            &[
                "10.0.0.0/8",
                "10.1.0.0/16",
                "52.0.0.0/8",
                "2001:db8::/32",
                "10.1.2.3",
            ],
        ),
        (
            &[
                "StringEquals",
                "StringNotEquals",
                "StringLike",
                "StringNotLike",
                "StringEqualsIgnoreCase",
                "StringNotEqualsIgnoreCase",
            ],
            "aws:PrincipalTag/team",
            &["red", "RED", "r*", "b?ue", "${aws:username}"],
        ),
        (
            &["StringEquals", "StringLike", "StringNotEquals"],
            "aws:username",
            &["alice", "a*", "bob"],
        ),
        (
            &[
                "StringEquals",
                "StringLike",
                "StringNotLike",
                "StringNotEquals",
            ],
            "aws:userid",
            &[
                "AROAOURROLE:*",
                "AROA*:*",
                "AIDAUSER",
                "anonymous",
                "222222222222:*",
            ],
        ),
        (
            &[
                "DateLessThan",
                "DateGreaterThan",
                "DateEquals",
                "DateNotEquals",
                "DateLessThanEquals",
            ],
            "aws:CurrentTime",
            &["2020-01-01", "2024-06-01T00:00:00Z", "1700000000"],
        ),
        (
            &[
                "NumericLessThan",
                "NumericGreaterThan",
                "NumericEquals",
                "NumericNotEquals",
                "NumericGreaterThanEquals",
            ],
            "s3:max-keys",
            &["10", "10.5", "-1"],
        ),
        (&["Bool"], "aws:SecureTransport", &["true", "false"]),
        (
            &[
                "ForAnyValue:StringEquals",
                "ForAllValues:StringEquals",
                "ForAllValues:StringLike",
                "ForAnyValue:StringNotEquals",
            ],
            "aws:TagKeys",
            &["env", "team", "t*"],
        ),
        (
            &["ArnLike", "ArnEquals", "ArnNotLike"],
            "aws:SourceArn",
            &[
                "arn:aws:sns:*:111111111111:*",
                "arn:aws:sns:us-east-1:222222222222:t",
                "*",
            ],
        ),
        (
            &["StringEquals", "StringNotEquals"],
            "aws:PrincipalOrgID",
            &["o-mine"],
        ),
        (&["BinaryEquals"], "bin", &["aGVsbG8=", "AA=="]),
        (
            &["ArnLike", "ArnNotLike", "StringLike"],
            "aws:PrincipalArn",
            &[
                "arn:aws:iam::111111111111:role/*",
                "arn:aws:iam::*:user/alice",
            ],
        ),
    ];
    let (ops, key, vals) = t.pick(families);
    let mut op = t.pick(ops).to_string();
    if t.chance(15) {
        op.push_str("IfExists");
    }
    if t.chance(8) {
        op = "Null".into();
    }
    let n = 1 + t.below(2);
    let values: Vec<String> = if op == "Null" {
        vec![t.pick(&["true", "false"]).to_string()]
    } else {
        (0..n).map(|_| t.pick(vals).to_string()).collect()
    };
    (op, key.to_string(), values)
}

fn principal_value(t: &mut Tape) -> Value {
    let entries = [
        json!("*"),
        json!({"AWS": "*"}),
        json!({"AWS": ME}),
        json!({"AWS": format!("arn:aws:iam::{ME}:user/alice")}),
        json!({"AWS": format!("arn:aws:iam::{THEM}:root")}),
        json!({"AWS": format!("arn:aws:iam::{ME}:role/R")}),
        json!({"AWS": [format!("arn:aws:iam::{ME}:role/R"), format!("arn:aws:sts::{ME}:assumed-role/R/s"), ME]}),
        json!({"Service": "s3.amazonaws.com"}),
    ];
    t.pick(&entries).clone()
}

fn statement(t: &mut Tape, resource_policy: bool) -> Value {
    let mut s = serde_json::Map::new();
    s.insert(
        "Effect".into(),
        json!(if t.chance(25) { "Deny" } else { "Allow" }),
    );
    if resource_policy {
        let key = if t.chance(12) {
            "NotPrincipal"
        } else {
            "Principal"
        };
        s.insert(key.into(), principal_value(t));
    }
    let action_key = if t.chance(12) { "NotAction" } else { "Action" };
    let n = 1 + t.below(2);
    let acts: Vec<&str> = (0..n).map(|_| *t.pick(ACTION_PATTERNS)).collect();
    s.insert(action_key.into(), json!(acts));
    let resource_key = if t.chance(12) {
        "NotResource"
    } else {
        "Resource"
    };
    let n = 1 + t.below(2);
    let res: Vec<&str> = (0..n).map(|_| *t.pick(RESOURCE_PATTERNS)).collect();
    s.insert(resource_key.into(), json!(res));
    let nconds = [0, 0, 1, 1, 2][t.below(5)];
    if nconds > 0 {
        let mut c = serde_json::Map::new();
        for _ in 0..nconds {
            let (op, key, values) = condition(t);
            let entry = c.entry(op).or_insert_with(|| json!({}));
            if let Some(o) = entry.as_object_mut() {
                o.insert(key, json!(values));
            }
        }
        s.insert("Condition".into(), Value::Object(c));
    }
    Value::Object(s)
}

fn policy(t: &mut Tape, resource_policy: bool) -> PolicyDocument {
    let n = 1 + t.below(3);
    let stmts: Vec<Value> = (0..n).map(|_| statement(t, resource_policy)).collect();
    let version = if t.chance(90) {
        "2012-10-17"
    } else {
        "2008-10-17"
    };
    parse_policy_value(&json!({"Version": version, "Statement": stmts})).expect("grammar parses")
}

fn allow_all() -> PolicyDocument {
    parse_policy_value(&json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        .expect("parses")
}

struct World {
    endpoint: Option<PolicyDocument>,
    rcps: Option<Vec<Vec<PolicyDocument>>>,
    required: bool,
    kms: Option<(PolicyDocument, String, Option<String>)>,
    identity: Vec<PolicyDocument>,
    unconstrained: bool,
    boundary: Option<PolicyDocument>,
    scps: Option<Vec<Vec<PolicyDocument>>>,
    resource: Option<PolicyDocument>,
    s3: Option<S3Inputs>,
    resource_account: String,
}

fn world(t: &mut Tape) -> World {
    let mut identity = Vec::new();
    if t.chance(40) {
        identity.push(allow_all());
    }
    for _ in 0..t.below(3) {
        identity.push(policy(t, false));
    }
    let boundary = t.chance(20).then(|| policy(t, false));
    let scps = t.chance(25).then(|| {
        (0..1 + t.below(2))
            .map(|_| {
                if t.chance(50) {
                    vec![allow_all(), policy(t, false)]
                } else {
                    vec![policy(t, false)]
                }
            })
            .collect()
    });
    let resource = t.chance(60).then(|| policy(t, true));
    let s3 = t.chance(70).then(|| {
        let grantees = [
            AclGrantee::AllUsers,
            AclGrantee::AuthenticatedUsers,
            AclGrantee::CanonicalUser("canon-them".into()),
        ];
        let perms = [
            AclPermission::Read,
            AclPermission::FullControl,
            AclPermission::Write,
        ];
        let bucket_acl = (0..t.below(3))
            .map(|_| AclGrant {
                grantee: t.pick(&grantees).clone(),
                permission: *t.pick(&perms),
            })
            .collect();
        let object_acl = (0..t.below(2))
            .map(|_| AclGrant {
                grantee: t.pick(&grantees).clone(),
                permission: *t.pick(&perms),
            })
            .collect();
        S3Inputs {
            bucket_acl,
            object_acl,
            object_ownership: *t.pick(&[
                ObjectOwnership::ObjectWriter,
                ObjectOwnership::BucketOwnerEnforced,
            ]),
            public_access_block: PublicAccessBlock {
                block_public_acls: false,
                ignore_public_acls: t.chance(30),
                block_public_policy: false,
                restrict_public_buckets: t.chance(30),
            },
        }
    });
    let endpoint = t.chance(15).then(|| policy(t, true));
    let rcps = t
        .chance(15)
        .then(|| (0..1 + t.below(2)).map(|_| vec![policy(t, true)]).collect());
    let required = t.chance(15);
    let kms = t.chance(20).then(|| {
        let via = t
            .chance(50)
            .then(|| "s3.us-east-1.amazonaws.com".to_string());
        let acct = if t.chance(70) { ME } else { THEM };
        (policy(t, true), acct.to_string(), via)
    });
    World {
        endpoint,
        rcps,
        required,
        kms,
        identity,
        unconstrained: t.chance(15),
        boundary,
        scps,
        resource,
        s3,
        resource_account: if t.chance(75) { ME } else { THEM }.to_string(),
    }
}

impl World {
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
                permissions_boundary: self.boundary.as_ref().map(|d| PolicyRef {
                    label: "boundary",
                    doc: d,
                }),
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
                label: "bucket",
                doc: d,
            }),
            resource_policy_mode: if self.required {
                ResourcePolicyMode::Required
            } else {
                ResourcePolicyMode::Alternative
            },
            rcps: self.rcps.as_ref().map(|levels| OrgPolicies {
                levels: levels
                    .iter()
                    .map(|l| {
                        l.iter()
                            .map(|d| PolicyRef {
                                label: "rcp",
                                doc: d,
                            })
                            .collect()
                    })
                    .collect(),
                management_account: false,
            }),
            vpc_endpoint_policy: self.endpoint.as_ref().map(|d| PolicyRef {
                label: "endpoint",
                doc: d,
            }),
            s3: self.s3.clone(),
            kms: self.kms.as_ref().map(|(d, acct, via)| KmsKeyInputs {
                key_arn: format!("arn:aws:kms:us-east-1:{acct}:key/k"),
                key_account: acct.clone(),
                key_policy: PolicyRef {
                    label: "key",
                    doc: d,
                },
                rcps: None,
                via_service: via.clone(),
            }),
        }
    }
}

fn principal(t: &mut Tape) -> RequestPrincipal {
    let aws = |arn: String, account: &str, kind: AwsPrincipalKind, canon: &str| {
        RequestPrincipal::Aws(AwsPrincipal {
            arn,
            account: account.into(),
            kind,
            canonical_user: Some(canon.into()),
        })
    };
    match t.below(5) {
        0 => aws(
            format!("arn:aws:iam::{ME}:user/alice"),
            ME,
            AwsPrincipalKind::User,
            "canon-me",
        ),
        1 => aws(
            format!("arn:aws:sts::{ME}:assumed-role/R/s"),
            ME,
            AwsPrincipalKind::RoleSession {
                role_arn: format!("arn:aws:iam::{ME}:role/R"),
            },
            "canon-me",
        ),
        2 => aws(
            format!("arn:aws:iam::{THEM}:user/bob"),
            THEM,
            AwsPrincipalKind::User,
            "canon-them",
        ),
        3 => RequestPrincipal::Anonymous,
        _ => aws(
            format!("arn:aws:iam::{ME}:root"),
            ME,
            AwsPrincipalKind::Root,
            "canon-me",
        ),
    }
}

/// Context keys a request may carry, with values to draw from.
const KEYS: &[(&str, &[&str])] = &[
    (
        "aws:SourceIp",
        &[
            "10.1.2.3",
            "10.2.0.1",
            "52.1.1.1",
            "2001:db8::5",
            "8.8.8.8",
            "x",
        ],
    ),
    ("aws:PrincipalTag/team", &["red", "RED", "blue", "alice"]),
    (
        "aws:CurrentTime",
        &[
            "2019-05-05T00:00:00Z",
            "2022-01-01",
            "1800000000",
            "garbage",
        ],
    ),
    ("s3:max-keys", &["5", "10", "10.5", "11", "abc", "-1"]),
    ("aws:SecureTransport", &["true", "false", "TRUE", "x"]),
    (
        "aws:SourceArn",
        &[
            "arn:aws:sns:us-east-1:111111111111:t",
            "arn:aws:sns:us-east-1:222222222222:t",
            "nope",
        ],
    ),
    ("aws:PrincipalOrgID", &["o-mine", "o-other"]),
    (
        "aws:userid",
        &["AROAOURROLE:s1", "AROATHEIRS:x", "AIDAUSER", "222222222222"],
    ),
    ("bin", &["aGVsbG8", "AA==", "!!"]),
];

fn request(t: &mut Tape) -> Request {
    let principal = principal(t);
    let mut context = RequestContext::new();
    for (k, vals) in KEYS {
        let value = *t.pick(vals);
        // AWS never puts principal-side keys in an unsigned request; the solver models
        // the anonymous caller that way, so requests that could not exist are not drawn.
        let principal_key = k.to_ascii_lowercase().starts_with("aws:principal");
        // `aws:userid` is derived (so never the caller's to set) but for IAM users and role
        // sessions, whose unique ids the caller supplies.
        let userid_derived = *k == "aws:userid"
            && !matches!(&principal, RequestPrincipal::Aws(p)
                if matches!(p.kind, AwsPrincipalKind::User | AwsPrincipalKind::RoleSession { .. }));
        if t.chance(50)
            && !(principal == RequestPrincipal::Anonymous && principal_key)
            && !userid_derived
        {
            context.set(k, value);
        }
    }
    if t.chance(50) {
        let pool = ["env", "team", "tx", "zz"];
        let vs: Vec<String> = pool
            .iter()
            .filter(|_| t.chance(40))
            .map(|s| s.to_string())
            .collect();
        context.set_multi("aws:TagKeys", vs);
    }
    Request {
        principal,
        action: t.pick(ACTIONS).to_string(),
        resource: t.pick(RESOURCES).to_string(),
        context,
    }
}

/// A shape containing `req`: each key fixed to its value or free; action and resource
/// exact or a pattern matching them.
fn containing_shape(t: &mut Tape, req: &Request) -> RequestShape {
    let action = if t.chance(20) {
        StrShape::Matching("s3:*".into())
    } else {
        StrShape::Exact(req.action.clone())
    };
    let resource = if t.chance(40) && req.resource.starts_with("arn:aws:s3:::b/") {
        StrShape::Matching("arn:aws:s3:::b/*".into())
    } else {
        StrShape::Exact(req.resource.clone())
    };
    let mut shape = RequestShape::new(
        PrincipalShape::Exact(req.principal.clone()),
        action,
        resource,
    );
    for (k, v) in req.context.iter() {
        // A key left free ranges over the values AWS can send: a boolean key is exactly
        // `true` or `false` whenever present (`keys::is_boolean_key`), so a request with
        // another value is inside the shape only when the shape fixes it.
        let impossible_when_free = leakpath::smt::keys::is_boolean_key(k)
            && !matches!(v, ContextValue::Single(x) if x == "true" || x == "false");
        if impossible_when_free || t.chance(40) {
            shape = shape.with_key(k, KeyShape::Fixed(v.clone()));
        } else if let (ContextValue::Single(value), true) = (v, STRING_KEYS.contains(&k)) {
            if t.chance(30) {
                shape = shape.with_key(k, excluding_others(t, value));
            }
        }
    }
    shape
}

/// The keys of `KEYS` compared as strings only (exclusions need a string key).
const STRING_KEYS: &[&str] = &[
    "aws:principaltag/team",
    "aws:sourcearn",
    "aws:principalorgid",
    "aws:userid",
];

/// A shape that still holds `value`: present, none of some values or patterns (`NoneOf`,
/// `NoneLike`) that `value` is not and does not match (read as `eval` reads `StringLike`).
fn excluding_others(t: &mut Tape, value: &str) -> KeyShape {
    use leakpath::eval::glob::{matches, Case, Reading};
    let head: String = value.chars().take(3).collect();
    let candidates = [
        format!("{value}x"),
        format!("{value}:*"),
        format!("{head}*"),
        format!("x{value}*"),
        "*zz".to_string(),
        "AROA*:*".to_string(),
        "AROAOURROLE:*".to_string(),
        "AIDAUSER".to_string(),
        "a?".to_string(),
        "alice".to_string(),
        "*".to_string(),
    ];
    let like = Reading {
        wildcards: true,
        variables: None,
    };
    let patterns = t.chance(50);
    let picked: Vec<String> = candidates
        .into_iter()
        .filter(|c| {
            if patterns {
                !matches(c, value, like, Case::Sensitive)
            } else {
                c != value
            }
        })
        .filter(|_| t.chance(50))
        .collect();
    if patterns {
        KeyShape::none_like(picked)
    } else {
        KeyShape::NoneOf(picked.into())
    }
}

fn exact_shape(req: &Request) -> RequestShape {
    let mut shape = RequestShape::new(
        PrincipalShape::Exact(req.principal.clone()),
        StrShape::Exact(req.action.clone()),
        StrShape::Exact(req.resource.clone()),
    );
    shape.other_keys = KeyShape::Absent;
    for (k, v) in req.context.iter() {
        shape = shape.with_key(k, KeyShape::Fixed(v.clone()));
    }
    shape
}

static ALLOWED_BY_EVAL: AtomicUsize = AtomicUsize::new(0);
static UNKNOWN: AtomicUsize = AtomicUsize::new(0);
static UNKNOWN_WHY: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn note_unknown(a: &Answer) {
    if let Answer::Unknown(why) = a {
        UNKNOWN.fetch_add(1, Ordering::Relaxed);
        // Keep the reason without the statement location, to count kinds.
        let kind = why.rsplit(": ").next().unwrap_or(why).to_string();
        if let Ok(mut v) = UNKNOWN_WHY.lock() {
            v.push(kind);
        }
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

fn run_case(tape: Vec<u32>) -> Result<(), TestCaseError> {
    let mut t = Tape { vals: tape, at: 0 };
    let w = world(&mut t);
    let req = request(&mut t);
    let inputs = w.inputs();
    let verdict = decide(&inputs, &req);
    let allowed = matches!(&verdict, Ok(d) if d.outcome == Outcome::Allowed);
    if allowed {
        ALLOWED_BY_EVAL.fetch_add(1, Ordering::Relaxed);
    }

    // Property 1: a shape containing an allowed request is never denied.
    let q = Question {
        inputs: w.inputs(),
        shape: containing_shape(&mut t, &req),
    };
    let a = check(&q)
        .map_err(|e| TestCaseError::fail(format!("solver error: {e}\nrequest {req:?}")))?;
    note_unknown(&a);
    if allowed {
        prop_assert!(
            !a.is_denied(),
            "eval allows {req:?} but the solver denies shape {:?}: {a:?}",
            q.shape
        );
    }

    // Property 2: the exact shape agrees with eval.
    let q = Question {
        inputs: w.inputs(),
        shape: exact_shape(&req),
    };
    let a = check(&q)
        .map_err(|e| TestCaseError::fail(format!("solver error: {e}\nrequest {req:?}")))?;
    note_unknown(&a);
    match (&a, allowed) {
        (Answer::Unknown(_), _) => {}
        (Answer::Allowed(_), false) => {
            prop_assert!(false, "solver allows {req:?}, eval says {verdict:?}")
        }
        (Answer::Denied(_), true) => {
            prop_assert!(false, "eval allows {req:?}, solver denies: {a:?}")
        }
        _ => {}
    }
    Ok(())
}

#[test]
fn solver_agrees_with_eval_on_random_worlds() {
    let config = ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let result = runner.run(&proptest::collection::vec(any::<u32>(), 400), run_case);
    eprintln!(
        "smt_vs_eval: {} cases, {} allowed by eval, {} unknown answers",
        cases(),
        ALLOWED_BY_EVAL.load(Ordering::Relaxed),
        UNKNOWN.load(Ordering::Relaxed)
    );
    if let Ok(v) = UNKNOWN_WHY.lock() {
        let mut kinds: std::collections::BTreeMap<&str, usize> = Default::default();
        for k in v.iter() {
            *kinds.entry(k.as_str()).or_default() += 1;
        }
        let mut kinds: Vec<_> = kinds.into_iter().collect();
        kinds.sort_by(|a, b| b.1.cmp(&a.1));
        for (k, n) in kinds.iter().take(8) {
            eprintln!("  unknown x{n}: {k}");
        }
    }
    if let Err(e) = result {
        panic!("{e}");
    }
}
