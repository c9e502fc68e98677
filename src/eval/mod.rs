//! The concrete evaluator (the oracle): AWS's documented policy evaluation logic for ONE fully
//! concrete request, in plain code with no solver. Every `smt` witness is replayed through
//! [`decide`]; property tests hold the solver to it.
//!
//! Entry points:
//! - [`decide`]`(&AuthzInputs, &Request) -> Result<Decision, EvalError>`: the authorization
//!   decision, with the statements that decided it.
//! - [`is_public_policy`]: S3 Block Public Access's "is this policy public" verdict.
//!
//! Errors: an operator AWS does not define, or a condition value that cannot be read for its
//! operator (a malformed date, CIDR, number…), makes the decision `Err(EvalError)` — the
//! caller reports it as `Unknown`, never as denied — unless an explicit deny already decides
//! the request (nothing an unreadable statement says can undo an explicit deny).

pub mod conditions;
pub mod glob;
pub mod inputs;
pub mod kms;
pub mod logic;
pub mod principal;
pub mod public;
pub mod request;
pub mod s3;
pub mod statement;

pub use inputs::*;
pub use logic::decide;
pub use public::{is_public_policy, PublicVerdict};
pub use request::*;

use serde::Serialize;

/// The outcome of one authorization decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Outcome {
    Allowed,
    /// No applicable policy allowed (or a required one did not).
    ImplicitDeny,
    /// A `Deny` statement applies.
    ExplicitDeny,
}

/// Which policy a statement belongs to, by the caller's label, and its index in the document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct StatementRef {
    /// The [`PolicyRef::label`] of the policy.
    pub policy: String,
    /// Index in the document's `Statement` list (`/Statement/<index>`).
    pub statement: usize,
    pub sid: Option<String>,
}

/// Where a request stopped (for implicit denies) or what class of policy denied it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Gate {
    /// An SCP level (0 = root) has no allowing statement, or an SCP denies.
    Scp { level: usize },
    /// An RCP level (0 = root) has no allowing statement, or an RCP denies.
    Rcp { level: usize },
    /// The VPC endpoint policy does not allow, or denies.
    VpcEndpoint,
    /// No identity-based policy allows (and no resource policy grants on its own).
    IdentityPolicy,
    /// The permissions boundary does not allow.
    PermissionsBoundary,
    /// The session policies do not allow.
    SessionPolicy,
    /// The resource policy (or ACL) does not allow where it must (cross-account, anonymous,
    /// trust and key policies), or denies.
    ResourcePolicy,
    /// Block Public Access's RestrictPublicBuckets removed the grant that would have allowed.
    BlockPublicAccess,
    /// The KMS key the object is encrypted with does not let the requester decrypt.
    KmsKey,
}

/// The decision on one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub outcome: Outcome,
    /// For `Allowed`: the allowing statements that made it (one per policy class that had to
    /// allow). For `ExplicitDeny`: every deny statement that applies. For `ImplicitDeny`:
    /// empty.
    pub decided_by: Vec<StatementRef>,
    /// For denies: the gate that stopped the request. `None` for `Allowed`.
    pub gate: Option<Gate>,
}

/// Why a decision could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// A condition operator AWS does not define (or that we do not know).
    #[error("{policy} /Statement/{statement}: unsupported condition operator `{operator}`")]
    UnsupportedOperator {
        policy: String,
        statement: usize,
        operator: String,
    },
    /// A condition value that cannot be read for its operator (not a number, date, CIDR,
    /// base64, bool…).
    #[error("{policy} /Statement/{statement}: condition {operator} on `{key}`: {problem}")]
    MalformedValue {
        policy: String,
        statement: usize,
        operator: String,
        key: String,
        problem: String,
    },
}
