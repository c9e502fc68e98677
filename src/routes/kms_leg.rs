//! Refutes the KMS leg of a principal's object reads once per KMS key: when no request a
//! read question of the principal can carry lets it use the key, none of its object reads
//! of a bucket encrypted under that key can be allowed, and `confirm::plan_read` leaves
//! them out (the read edge is then decided by `s3:ListBucket` alone).
//!
//! Why this is sound. An object read of an SSE-KMS bucket is allowed only when its KMS
//! leg is (`smt::encode`, `encode_kms_leg`: the decrypt S3 makes on the reader's behalf,
//! a conjunct of the question). That leg is one authorization decision of
//! `kms:Decrypt` on the key ARN, by the reader's principal, with the reader's identity
//! inputs, the key policy (required) and the key account's RCPs; its context is the main
//! request's with `aws:ViaAWSService` = true, `aws:ResourceAccount` = the key's account,
//! `kms:CallerAccount` = the principal's account, `kms:ViaService` defaulted and the
//! network keys removed. None of these depends on the bucket beyond its key (the default
//! `kms:ViaService` names the bucket's region, and is left free here). The refutation
//! question is that decision as a one-hop question with every other key free (`Free`:
//! any value or absent), except the `aws:CalledVia*` keys, which are copied from the read
//! question at hand: they are what tells a principal's own request (absent) from the one
//! Athena forwards for it (`athena.amazonaws.com`), and a grant conditioned on another
//! service's name is exactly what this refutes. Every request the leg of that read
//! question ranges over is one this question ranges over, so when this one is denied
//! (unsatisfiable) so is that leg, and so the read. The answer is cached per identity
//! inputs (the very policy documents, boundary, session policies and SCPs), key, key
//! policy, key RCPs, KMS action, principal and `aws:CalledVia*` shapes, and shared across
//! every bucket under the key. Anything but `Denied` (allowed, unknown, an error) refutes
//! nothing.

use super::confirm::QuestionGroup;
use super::context::{doc_address, RouteCtx, CALLED_VIA_KEYS};
use crate::eval::{ContextValue, IdentityInputs, OrgPolicies, RequestPrincipal};
use crate::smt::question::{
    check_chain, Answer, KeyShape, PrincipalShape, Question, RequestShape, StrShape,
};

/// What a refutation is asked for: the identity inputs, the key (ARN, account, policy,
/// RCPs), the KMS action, the request principal and the shapes of the `aws:CalledVia*`
/// keys (`Debug` text). Policies are named by the address of their document, which the
/// model owns for the whole scan: two inputs with the same addresses are the same inputs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LegKey {
    identity: Vec<usize>,
    key_arn: String,
    key_account: String,
    key_policy: String,
    /// The key policy document: the label alone is not known to be unique across AWS
    /// managed keys.
    key_policy_doc: usize,
    rcps: Vec<usize>,
    kms_action: &'static str,
    principal: String,
    called_via: String,
}

/// The refutations of a scan: one answer per `LegKey`.
pub type KmsLegCache = super::relaxed::RefutationCache<LegKey>;

/// Whether every alternative of `group` (an object read) is denied by the KMS
/// leg of one of its hops alone. `false` when some alternative has no KMS leg, or a leg
/// the refutation does not cover (a principal other than one IAM identity, an action
/// matched by a pattern).
pub(crate) fn refutes_group(ctx: &RouteCtx<'_>, group: &QuestionGroup<'_>) -> bool {
    !group.alternatives.is_empty()
        && group
            .alternatives
            .iter()
            .all(|chain| chain.iter().any(|hop| refutes_hop(ctx, hop)))
}

/// Whether the KMS leg of `hop` is refuted (cached).
fn refutes_hop(ctx: &RouteCtx<'_>, hop: &Question<'_>) -> bool {
    let Some(key) = &hop.inputs.kms else {
        return false;
    };
    let StrShape::Exact(action) = &hop.shape.action else {
        return false;
    };
    let Some(kms_action) = crate::eval::kms::kms_action_for(action) else {
        return false;
    };
    let PrincipalShape::Exact(principal @ RequestPrincipal::Aws(aws)) = &hop.shape.principal else {
        return false;
    };
    // The `aws:CalledVia*` keys as the leg reads them: listed in the shape, or not (then
    // derived or `other_keys`, as the refutation question resolves them too, `Free` at
    // worst).
    let listed: Vec<(&str, Option<&KeyShape>)> = CALLED_VIA_KEYS
        .iter()
        .map(|k| (*k, hop.shape.context.get(&k.to_ascii_lowercase())))
        .collect();
    let cache_key = LegKey {
        identity: identity_fingerprint(&hop.inputs.identity),
        key_arn: key.key_arn.clone(),
        key_account: key.key_account.clone(),
        key_policy: key.key_policy.label.to_string(),
        key_policy_doc: doc_address(key.key_policy.doc),
        rcps: org_fingerprint(key.rcps.as_ref()),
        kms_action,
        principal: format!("{principal:?}"),
        called_via: format!("{listed:?}"),
    };
    ctx.kms_legs.refuted(cache_key, || {
        let inputs = key.leg_inputs(hop.inputs.identity.clone());
        let fixed = |v: &str| KeyShape::Fixed(ContextValue::Single(v.to_string()));
        let mut shape = RequestShape::new(
            PrincipalShape::Exact(principal.clone()),
            StrShape::Exact(kms_action.to_string()),
            StrShape::Exact(key.key_arn.clone()),
        )
        .with_key("aws:ViaAWSService", fixed("true"))
        .with_key("aws:ResourceAccount", fixed(&key.key_account))
        .with_key("kms:CallerAccount", fixed(&aws.account));
        for k in [
            "aws:SourceIp",
            "aws:SourceVpc",
            "aws:SourceVpce",
            "aws:VpcSourceIp",
        ] {
            shape = shape.with_key(k, KeyShape::Absent);
        }
        for (k, s) in &listed {
            if let Some(s) = s {
                shape = shape.with_key(k, (*s).clone());
            }
        }
        let answer = check_chain(&[Question { inputs, shape }]);
        matches!(answer, Ok(Answer::Denied(_)))
    })
}

/// Organization policies as addresses, levels separated (`usize::MAX`), `None` and the
/// management account told apart from every list of levels.
pub(super) fn org_fingerprint(org: Option<&OrgPolicies<'_>>) -> Vec<usize> {
    let Some(org) = org else {
        return vec![0];
    };
    let mut out = vec![1, usize::from(org.management_account)];
    for level in &org.levels {
        out.push(usize::MAX);
        out.extend(level.iter().map(|p| doc_address(p.doc)));
    }
    out
}

/// Identity inputs as addresses: every policy, the boundary, the session policies and the
/// SCPs, each part prefixed by its length or presence so no two inputs share a fingerprint.
fn identity_fingerprint(identity: &IdentityInputs<'_>) -> Vec<usize> {
    let IdentityInputs::Known(ip) = identity else {
        return vec![0];
    };
    let mut out = vec![1, ip.policies.len()];
    out.extend(ip.policies.iter().map(|p| doc_address(p.doc)));
    out.push(
        ip.permissions_boundary
            .as_ref()
            .map_or(0, |p| doc_address(p.doc)),
    );
    match &ip.session_policies {
        None => out.push(usize::MAX),
        Some(s) => {
            out.push(s.len());
            out.extend(s.iter().map(|p| doc_address(p.doc)));
        }
    }
    out.extend(org_fingerprint(ip.scps.as_ref()));
    out
}
