//! The public question API: "could ANY request of this shape be allowed?", for one hop
//! (`check`) or a whole chain of hops (`check_chain`).
//!
//! A question is the same `eval::AuthzInputs` the concrete evaluator takes, plus a
//! `RequestShape` saying which parts of the request are fixed and which the requester (or
//! the world) may choose. The answer is `Allowed` with a concrete witness request per hop
//! that `eval::decide` has allowed, `Denied` with the statements that decide, or `Unknown`
//! (timeout, unsupported construct) — never read as denied.

use super::encode;
use super::exclusions::ExcludedPatterns;
use super::solver::{Solver, SolverError, DEFAULT_TIMEOUT};
use super::z3_backend::Z3Backend;
use crate::eval::{AuthzInputs, ContextValue, Gate, Request, RequestPrincipal, StatementRef};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Which values a string of the request (action, resource) may take.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StrShape {
    /// Exactly this string.
    Exact(String),
    /// Any string the glob (`*`, `?`; case-sensitive) matches, e.g.
    /// `arn:aws:s3:::bucket/*` for "any object of the bucket".
    Matching(String),
}

/// Which values a condition key may take in the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyShape {
    /// Not in the request.
    Absent,
    /// Exactly this value (bound by the model, or given by the caller).
    Fixed(ContextValue),
    /// Anything, or absent: a key we know nothing about (sound default).
    Free,
    /// Present with any value (the key is always set, e.g. `aws:SourceIp`).
    AnyPresent,
    /// Present, any value except these (e.g. `aws:PrincipalOrgID` of an outside principal:
    /// anything but our organization id). Shared: the lists of a large export (every
    /// unique id of its users and roles) are cloned with every shape and slot.
    NoneOf(Arc<[String]>),
    /// Present, any value that matches none of these patterns (`*` any run of characters,
    /// `?` one character; case-sensitive; no policy variables): e.g. an outsider's
    /// `aws:userid`, never one of our unique ids nor `OUR-ROLE-ID:` with any session name
    /// (`OUR-ROLE-ID:*`). Shared like `NoneOf`, and indexed (`KeyShape::none_like`).
    NoneLike(Arc<ExcludedPatterns>),
    /// Present: a public (internet-routable) IPv4 or IPv6 address.
    PublicIp,
    /// A variable shared between hops of a chain: hops naming the same `name` see the same
    /// value. `inner` says what the value may be.
    Shared { name: String, inner: Box<KeyShape> },
}

impl KeyShape {
    /// `NoneLike` over `patterns`.
    pub fn none_like(patterns: Vec<String>) -> KeyShape {
        KeyShape::NoneLike(Arc::new(ExcludedPatterns::new(patterns)))
    }
}

/// Who makes the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalShape {
    /// One concrete caller.
    Exact(RequestPrincipal),
    /// Any IAM identity (root user, IAM user, role session) of this account.
    AnyOfAccount(String),
    /// Any IAM user or role session of `account`, never its root user (whose identity
    /// side allows everything), each carrying `canonical_user`, the account's canonical
    /// id, as every principal of the account does.
    AnyIdentityOfAccount {
        account: String,
        canonical_user: Option<String>,
    },
    /// Any IAM identity of any account not listed (a "foreign" principal). Its principal
    /// account is outside `excluded`, its `aws:PrincipalOrgID` (unless the shape says
    /// otherwise) is anything but `org_ids`.
    AnyOutside {
        excluded: Vec<String>,
        org_ids: Vec<String>,
    },
}

/// The shape of the requests a question ranges over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestShape {
    pub principal: PrincipalShape,
    pub action: StrShape,
    pub resource: StrShape,
    /// Condition keys (any case; compared lowercased) and their shapes. Keys `eval` derives
    /// from the principal (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`,
    /// `aws:username`, `aws:PrincipalIsAWSService`, …) are bound by the principal and must
    /// not be listed.
    pub context: BTreeMap<String, KeyShape>,
    /// The shape of every key not listed: `Free` (sound: we know nothing) or `Absent`.
    pub other_keys: KeyShape,
}

impl RequestShape {
    /// A shape with the principal, action and resource given and every condition key free.
    pub fn new(principal: PrincipalShape, action: StrShape, resource: StrShape) -> RequestShape {
        RequestShape {
            principal,
            action,
            resource,
            context: BTreeMap::new(),
            other_keys: KeyShape::Free,
        }
    }

    /// Sets one key's shape (the key is lowercased).
    pub fn with_key(mut self, key: &str, shape: KeyShape) -> RequestShape {
        self.context.insert(key.to_ascii_lowercase(), shape);
        self
    }

    /// The shape of key `key` (lowercased lookup).
    pub fn key(&self, key: &str) -> &KeyShape {
        self.context
            .get(&key.to_ascii_lowercase())
            .unwrap_or(&self.other_keys)
    }

    /// An anonymous internet requester: a public source IP, no VPC endpoint, no principal,
    /// no MFA, no principal-side keys; everything else free. (`aws:userid` is not listed:
    /// `eval` derives `anonymous` for an unsigned request.)
    pub fn anonymous(action: StrShape, resource: StrShape) -> RequestShape {
        RequestShape::new(
            PrincipalShape::Exact(RequestPrincipal::Anonymous),
            action,
            resource,
        )
        .with_key("aws:SourceIp", KeyShape::PublicIp)
        .with_key("aws:SourceVpce", KeyShape::Absent)
        .with_key("aws:SourceVpc", KeyShape::Absent)
        .with_key("aws:VpcSourceIp", KeyShape::Absent)
        .with_key("aws:PrincipalOrgID", KeyShape::Absent)
        .with_key("aws:PrincipalOrgPaths", KeyShape::Absent)
        .with_key("aws:MultiFactorAuthPresent", KeyShape::Absent)
        .with_key("aws:MultiFactorAuthAge", KeyShape::Absent)
        .with_key("aws:SourceAccount", KeyShape::Absent)
        .with_key("aws:SourceArn", KeyShape::Absent)
        .with_key("aws:SourceOrgID", KeyShape::Absent)
        .with_key(
            "aws:ViaAWSService",
            KeyShape::Fixed(ContextValue::Single("false".into())),
        )
    }
}

/// One hop: the inputs `eval::decide` takes plus the shape of the request.
#[derive(Debug, Clone)]
pub struct Question<'a> {
    pub inputs: AuthzInputs<'a>,
    pub shape: RequestShape,
}

/// Options of a check.
#[derive(Debug, Clone, Copy)]
pub struct CheckOptions {
    /// Per-question solver timeout; past it the answer is `Unknown`.
    pub timeout: Duration,
    /// Product states the string-domain exploration may visit per key.
    pub domain_limit: usize,
}

impl Default for CheckOptions {
    fn default() -> CheckOptions {
        CheckOptions {
            timeout: DEFAULT_TIMEOUT,
            domain_limit: super::domain::DEFAULT_STATE_LIMIT,
        }
    }
}

/// A concrete request per hop that `eval::decide` allowed, with the statements that allowed
/// each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
    pub requests: Vec<Request>,
    pub decided_by: Vec<Vec<StatementRef>>,
}

impl Witness {
    /// The first hop's request (the only one for single questions).
    pub fn request(&self) -> Option<&Request> {
        self.requests.first()
    }
}

/// Why no request of the shape is allowed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Why {
    /// The hop (index) whose policies decide.
    pub hop: usize,
    /// The gates that stop every request (explicit deny, a missing allow at an SCP level,
    /// the identity side, …).
    pub gates: Vec<Gate>,
    /// The deciding statements: explicit denies that always fire, or the candidate allow
    /// statements whose conditions cannot be met together with the rest.
    pub statements: Vec<StatementRef>,
    /// A one-line human summary.
    pub summary: String,
}

/// The answer to a question or a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Allowed(Witness),
    Denied(Why),
    Unknown(String),
}

impl Answer {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Answer::Allowed(_))
    }

    pub fn is_denied(&self) -> bool {
        matches!(self, Answer::Denied(_))
    }

    /// `"allowed"`, `"denied"` or `"unknown"`.
    pub fn result_name(&self) -> &'static str {
        match self {
            Answer::Allowed(_) => "allowed",
            Answer::Denied(_) => "denied",
            Answer::Unknown(_) => "unknown",
        }
    }
}

/// Decides one question with the calling thread's Z3 backend and default options.
pub fn check(q: &Question<'_>) -> Result<Answer, SolverError> {
    check_with(q, &mut Z3Backend, CheckOptions::default())
}

/// Decides one question with a given backend and options.
pub fn check_with(
    q: &Question<'_>,
    solver: &mut dyn Solver,
    opts: CheckOptions,
) -> Result<Answer, SolverError> {
    encode::decide_chain(std::slice::from_ref(q), solver, opts)
}

/// Decides a whole chain at once: is there one request per hop such that every hop is
/// allowed? Hops share the variables their shapes name alike (`KeyShape::Shared`);
/// otherwise the chain is the conjunction of its hops.
pub fn check_chain(hops: &[Question<'_>]) -> Result<Answer, SolverError> {
    check_chain_with(hops, &mut Z3Backend, CheckOptions::default())
}

pub fn check_chain_with(
    hops: &[Question<'_>],
    solver: &mut dyn Solver,
    opts: CheckOptions,
) -> Result<Answer, SolverError> {
    encode::decide_chain(hops, solver, opts)
}

/// Whether any policy of `q` refers to a condition key whose lowercase name contains
/// `needle` (lowercase), as a condition key or as a policy variable in a condition value or
/// resource pattern. Over-approximates on purpose: a key the question's policies never
/// mention cannot constrain its requests.
pub fn mentions_key(q: &Question<'_>, needle: &str) -> bool {
    let hit = |s: &str| s.to_ascii_lowercase().contains(needle);
    super::principals::policies(q).iter().any(|p| {
        p.doc.statements.iter().any(|st| {
            st.conditions
                .iter()
                .any(|c| hit(&c.key) || c.values.iter().any(|v| v.contains("${") && hit(v)))
                || st
                    .resource
                    .as_ref()
                    .is_some_and(|r| r.patterns.iter().any(|v| v.contains("${") && hit(v)))
        })
    })
}
