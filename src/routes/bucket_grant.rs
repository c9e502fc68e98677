//! Refutes the reads of a principal that only the bucket's own grants could allow, once per
//! (bucket, reader account, read action): when no identity policy of the reader may allow
//! the read and the bucket grants it to no user or role session of the reader's account,
//! `confirm::plan_read` leaves the read's group with nothing to ask (it is denied).
//!
//! Why this is sound. AWS allows an S3 request of an IAM user or role session `P` of account
//! `A` on a bucket of account `B` only when no explicit deny applies, every RCP level of `B`
//! and SCP level of `A` allows, a VPC endpoint on the way allows, and then (IAM User Guide,
//! "Policy evaluation logic", `eval::logic` step 4): in the same account (`A` = `B`), the
//! identity side (identity policies ∧ permissions boundary ∧ session policies) allows, or
//! the bucket policy or ACL grants `P` itself (`PrincipalMatch::Direct`: `*`, its ARN) or its
//! role / IAM user (`Underlying`, when the boundary and session policies allow); across
//! accounts, a grant of any kind *and* the identity side. The refutation applies only to a
//! hop whose identity policies cannot allow the action on the bucket at all
//! (`graph::patterns::doc_may_allow`: no `Allow` statement whose action and resource may
//! match, conditions ignored, policy variables read as wildcards, `NotAction` and
//! `NotResource` matching unless they exclude everything), and whose principal is not a root
//! user (which has every identity permission of its account): its identity side is false
//! for every request, whatever the boundary, session policies or conditions say. So across
//! accounts the hop is denied, and in the same account it is allowed only through a `Direct`
//! or `Underlying` grant with no explicit deny, RCPs allowing.
//!
//! The refutation question keeps the hop's resource side (the bucket policy, its mode, the
//! RCPs, the ACL, Object Ownership and Block Public Access: the hop's own inputs) and drops
//! everything else: identity inputs with no policy, no boundary, no session policy and no
//! SCP (`IdentityInputs::Known`, nothing allowed by identity, nothing restricting), no VPC
//! endpoint policy, no KMS leg; the principal is any user or role session of `A` with `A`'s
//! canonical id (`PrincipalShape::AnyIdentityOfAccount`); the action and resource are the
//! hop's; the keys the scan fixes for every request of a principal of `A` on this bucket
//! (`BOUND_KEYS`: the time, TLS present, `aws:PrincipalOrgID`, the resource account and
//! organization) are copied from the hop, and every other key is free, the network keys
//! included (a superset of every network path, held or unheld, direct or forwarded by a
//! service). For the hop's concrete request `r`, the refutation decides `r` with a subset
//! of the hop's policies: its denies and unreadable statements are a subset of the hop's
//! (fewer documents; no boundary, so fewer `NotPrincipal` denies), its RCPs are the hop's,
//! it has no SCP or endpoint gate, its grants are the hop's (same documents, principal and
//! context), and its `Underlying` grants stand (no boundary or session policy to cut them
//! off). So when the hop allows `r`, the refutation allows `r` too; it ranges over `r`, and
//! when it is `Denied` (no request of its shape is allowed) the hop is denied. Object reads
//! of an SSE-KMS bucket are allowed only when their S3 side is (the KMS leg is a further
//! conjunct, `eval::logic::decide`), so refuting the S3 side alone denies them.
//!
//! Anything but `Denied` (allowed, unknown, an error) refutes nothing, and `plan_read` does
//! not use the refutation when something the question needs was not collected (the bucket
//! policy or ACL, an identity policy).

use super::context::doc_address;
use super::kms_leg::org_fingerprint;
use crate::eval::request::AwsPrincipalKind;
use crate::eval::{
    AuthzInputs, IdentityInputs, IdentityPolicies, RequestPrincipal, ResourcePolicyMode, S3Inputs,
};
use crate::graph::data::READ_ACTIONS;
use crate::graph::patterns::{doc_may_allow, ResourceTarget};
use crate::smt::question::{
    check, Answer, KeyShape, PrincipalShape, Question, RequestShape, StrShape,
};

/// The keys the refutation copies from the hop: those the scan binds alike for every
/// principal of an account on a bucket (`RouteCtx::common_keys`, `RouteCtx::shapes`'
/// `aws:PrincipalOrgID`, `RouteCtx::resource_keys`). Every other key is free.
const BOUND_KEYS: [&str; 6] = [
    "aws:CurrentTime",
    "aws:TokenIssueTime",
    "aws:SecureTransport",
    "aws:PrincipalOrgID",
    "aws:ResourceAccount",
    "aws:ResourceOrgID",
];

/// What a refutation is asked for: the hop's resource side (the bucket policy and RCPs by
/// the address of their documents, which the model owns for the whole scan), the action
/// and resource, the reader's account and canonical id, and the shapes of `BOUND_KEYS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantKey {
    resource_account: String,
    resource_policy: Option<usize>,
    resource_policy_mode: ResourcePolicyMode,
    rcps: Vec<usize>,
    s3: Option<S3Inputs>,
    action: String,
    resource: StrShape,
    account: String,
    canonical_user: Option<String>,
    /// Compared, not hashed (`KeyShape` is not `Hash`): keys that differ only here are few.
    bound: Vec<KeyShape>,
}

impl std::hash::Hash for GrantKey {
    /// Every field but `bound`: equal keys hash alike.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let GrantKey {
            resource_account,
            resource_policy,
            resource_policy_mode,
            rcps,
            s3,
            action,
            resource,
            account,
            canonical_user,
            bound: _,
        } = self;
        resource_account.hash(state);
        resource_policy.hash(state);
        resource_policy_mode.hash(state);
        rcps.hash(state);
        s3.hash(state);
        action.hash(state);
        resource.hash(state);
        account.hash(state);
        canonical_user.hash(state);
    }
}

/// The refutations of a scan: one answer per `GrantKey`.
pub type BucketGrantCache = super::relaxed::RefutationCache<GrantKey>;

/// Whether every read question of `base` (one action's direct requests on a bucket, hops
/// with the same inputs, action and resource) is by a user or role session whose identity
/// policies cannot allow it, and the bucket grants it to no user or role session of its
/// account (cached). `false` when `base` is empty. The answer depends on nothing the
/// network path or a service forwarding the request changes (the endpoint policy, the
/// network keys, `aws:ViaAWSService`, `aws:CalledVia*`, `aws:SourceIp`, the KMS leg):
/// every question `confirm` derives from `base` along a network path or through Athena is
/// refuted with it.
pub(crate) fn refutes_all(
    cache: &BucketGrantCache,
    base: &[(AuthzInputs<'_>, RequestShape)],
) -> bool {
    let Some((inputs, shape)) = base.first() else {
        return false;
    };
    // The identity side is read once: every hop of `base` has the same identity policies,
    // action and resource (checked; a hop that differs is read on its own).
    let blocked = identity_cannot_allow(inputs, shape);
    base.iter().all(|(i, s)| {
        let same = same_identity_policies(i, inputs)
            && s.action == shape.action
            && s.resource == shape.resource;
        (if same {
            blocked
        } else {
            identity_cannot_allow(i, s)
        }) && grants_refute(cache, i, s)
    })
}

/// Whether `a` and `b` hold the same identity policy documents (by address), which is all
/// `identity_cannot_allow` reads of them.
fn same_identity_policies(a: &AuthzInputs<'_>, b: &AuthzInputs<'_>) -> bool {
    match (&a.identity, &b.identity) {
        (IdentityInputs::Known(a), IdentityInputs::Known(b)) => a
            .policies
            .iter()
            .map(|p| doc_address(p.doc))
            .eq(b.policies.iter().map(|p| doc_address(p.doc))),
        _ => false,
    }
}

/// Whether the read question `inputs`, `shape` is of a read action whose identity policies
/// (collected: `IdentityInputs::Known`) cannot allow it on its resource, conditions
/// ignored (`doc_may_allow`).
fn identity_cannot_allow(inputs: &AuthzInputs<'_>, shape: &RequestShape) -> bool {
    let StrShape::Exact(action) = &shape.action else {
        return false;
    };
    if !READ_ACTIONS.contains(&action.as_str()) {
        return false;
    }
    let IdentityInputs::Known(identity) = &inputs.identity else {
        return false;
    };
    let target = match &shape.resource {
        StrShape::Exact(arn) => ResourceTarget::Exact(arn),
        StrShape::Matching(glob) => match glob.strip_suffix('*') {
            Some(prefix) if !prefix.contains(['*', '?']) => ResourceTarget::Prefix(prefix),
            _ => ResourceTarget::Matching(glob),
        },
    };
    !identity
        .policies
        .iter()
        .any(|p| doc_may_allow(p.doc, action, target))
}

/// Whether the bucket grants the read question `inputs`, `shape` (of a read action, by a
/// principal whose identity cannot allow it: `identity_cannot_allow`) to no user or role
/// session of its principal's account, the principal being one (cached).
fn grants_refute(cache: &BucketGrantCache, inputs: &AuthzInputs<'_>, shape: &RequestShape) -> bool {
    let StrShape::Exact(action) = &shape.action else {
        return false;
    };
    let PrincipalShape::Exact(RequestPrincipal::Aws(principal)) = &shape.principal else {
        return false;
    };
    if !matches!(
        principal.kind,
        AwsPrincipalKind::User | AwsPrincipalKind::RoleSession { .. }
    ) {
        return false;
    }
    let bound: Vec<KeyShape> = BOUND_KEYS.iter().map(|k| shape.key(k).clone()).collect();
    let key = GrantKey {
        resource_account: inputs.resource_account.clone(),
        resource_policy: inputs.resource_policy.as_ref().map(|p| doc_address(p.doc)),
        resource_policy_mode: inputs.resource_policy_mode,
        rcps: org_fingerprint(inputs.rcps.as_ref()),
        s3: inputs.s3.clone(),
        action: action.clone(),
        resource: shape.resource.clone(),
        account: principal.account.clone(),
        canonical_user: principal.canonical_user.clone(),
        bound,
    };
    cache.refuted(key, || {
        let relaxed = AuthzInputs {
            identity: IdentityInputs::Known(IdentityPolicies::default()),
            resource_account: inputs.resource_account.clone(),
            resource_policy: inputs.resource_policy,
            resource_policy_mode: inputs.resource_policy_mode,
            rcps: inputs.rcps.clone(),
            vpc_endpoint_policy: None,
            s3: inputs.s3.clone(),
            kms: None,
        };
        let mut relaxed_shape = RequestShape::new(
            PrincipalShape::AnyIdentityOfAccount {
                account: principal.account.clone(),
                canonical_user: principal.canonical_user.clone(),
            },
            shape.action.clone(),
            shape.resource.clone(),
        );
        for k in BOUND_KEYS {
            relaxed_shape = relaxed_shape.with_key(k, shape.key(k).clone());
        }
        let q = Question {
            inputs: relaxed,
            shape: relaxed_shape,
        };
        matches!(check(&q), Ok(Answer::Denied(_)))
    })
}
