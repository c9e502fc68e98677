//! How the policies combine into one decision, following the IAM User Guide's "Policy
//! evaluation logic" (single account, cross-account, and the resource-policy exceptions):
//!
//! 1. Every applicable policy is scanned. Any `Deny` that applies → explicit deny. (A
//!    statement that cannot be read only makes the answer unknown when no explicit deny
//!    decides.)
//! 2. RCPs of the resource's account, then SCPs of the principal's account: every level must
//!    allow. Neither applies to the management account or to service-linked roles; SCPs do
//!    not apply to anonymous callers, service principals or federated identities.
//! 3. A VPC endpoint policy on the way must allow.
//! 4. Grants: the resource policy's and the ACLs' (after Block Public Access), each with how
//!    it names the requester (`PrincipalMatch`). The identity side is identity policies ∧
//!    permissions boundary ∧ session policies.
//!    - Anonymous, service and federated callers: a grant is the only way in.
//!    - Same account, ordinary resource: the identity side, or a grant naming the requester
//!      itself, or a grant naming its role (or its session's IAM user) when the boundary and
//!      session policies allow — an implicit deny in a boundary or session policy does not
//!      limit a grant to the user or session ARN, but does limit one to the role ARN.
//!      A grant to the account delegates to IAM: the identity side must allow.
//!    - Same account, trust or key policy (`ResourcePolicyMode::Required`): a grant is
//!      required; one to the account needs the identity side too.
//!    - Cross-account: a grant of any kind and the identity side.
//! 5. For S3 reads and writes of an SSE-KMS object, the KMS call S3 makes as the requester is
//!    decided the same way (`kms`) and must be allowed too.

use crate::eval::inputs::{
    AuthzInputs, IdentityInputs, OrgPolicies, PolicyRef, ResourcePolicyMode,
};
use crate::eval::principal::PrincipalMatch;
use crate::eval::public::is_public_policy;
use crate::eval::request::{
    derived_context, AwsPrincipalKind, ContextValue, Request, RequestPrincipal,
};
use crate::eval::s3::{matching_acl_grants, restricted_by_public_bucket_rule};
use crate::eval::statement::{statement_applies, PolicyKind, Target};
use crate::eval::{kms, Decision, EvalError, Gate, Outcome, StatementRef};
use crate::policy::Effect;

/// Decides one fully concrete request. See the module documentation of `eval` for errors.
pub fn decide(inputs: &AuthzInputs<'_>, req: &Request) -> Result<Decision, EvalError> {
    let main = decide_without_kms(inputs, req)?;
    if main.outcome != Outcome::Allowed {
        return Ok(main);
    }
    let Some((key_inputs, key_req)) = kms::key_request(inputs, req) else {
        return Ok(main);
    };
    // KMS never serves unsigned requests.
    if key_req.principal == RequestPrincipal::Anonymous {
        return Ok(Decision {
            outcome: Outcome::ImplicitDeny,
            decided_by: Vec::new(),
            gate: Some(Gate::KmsKey),
        });
    }
    let key = decide_without_kms(&key_inputs, &key_req)?;
    Ok(match key.outcome {
        Outcome::Allowed => Decision {
            outcome: Outcome::Allowed,
            decided_by: main.decided_by.into_iter().chain(key.decided_by).collect(),
            gate: None,
        },
        denied => Decision {
            outcome: denied,
            decided_by: key.decided_by,
            gate: Some(Gate::KmsKey),
        },
    })
}

/// What one policy says about the request.
#[derive(Debug, Default)]
struct Scan {
    allows: Vec<(StatementRef, PrincipalMatch)>,
    denies: Vec<StatementRef>,
}

impl Scan {
    fn allows(&self) -> bool {
        !self.allows.is_empty()
    }

    fn first_allow(&self) -> Option<StatementRef> {
        self.allows.first().map(|(r, _)| r.clone())
    }
}

/// Scans policies, collecting denies (with the gate they belong to) and unreadable
/// statements.
struct Scanner<'r> {
    target: Target<'r>,
    denies: Vec<(Gate, StatementRef)>,
    errors: Vec<EvalError>,
}

impl Scanner<'_> {
    fn scan(&mut self, policy: PolicyRef<'_>, kind: PolicyKind, gate: Gate) -> Scan {
        let mut out = Scan::default();
        for stmt in &policy.doc.statements {
            match statement_applies(policy.label, policy.doc, stmt, kind, self.target) {
                Ok(None) => {}
                Ok(Some(how)) => {
                    let r = StatementRef {
                        policy: policy.label.to_string(),
                        statement: stmt.index,
                        sid: stmt.sid.clone(),
                    };
                    match stmt.effect {
                        Effect::Allow => out.allows.push((r, how)),
                        Effect::Deny => {
                            self.denies.push((gate, r.clone()));
                            out.denies.push(r);
                        }
                    }
                }
                Err(e) => self.errors.push(e),
            }
        }
        out
    }

    /// One scan per level, each level the union of its policies.
    fn scan_levels(
        &mut self,
        org: &OrgPolicies<'_>,
        kind: PolicyKind,
        gate: fn(usize) -> Gate,
    ) -> Vec<Scan> {
        org.levels
            .iter()
            .enumerate()
            .map(|(i, level)| {
                let mut merged = Scan::default();
                for p in level {
                    let s = self.scan(*p, kind, gate(i));
                    merged.allows.extend(s.allows);
                    merged.denies.extend(s.denies);
                }
                merged
            })
            .collect()
    }
}

fn denied(gate: Gate) -> Decision {
    Decision {
        outcome: Outcome::ImplicitDeny,
        decided_by: Vec::new(),
        gate: Some(gate),
    }
}

/// The decision on the request itself, without the KMS leg.
fn decide_without_kms(inputs: &AuthzInputs<'_>, req: &Request) -> Result<Decision, EvalError> {
    let mut context = derived_context(req);
    context.set_default(
        "aws:ResourceAccount",
        ContextValue::Single(inputs.resource_account.clone()),
    );
    let aws = match &req.principal {
        RequestPrincipal::Aws(p) => Some(p),
        _ => None,
    };
    let identity = match (aws, &inputs.identity) {
        (Some(_), IdentityInputs::Known(ip)) => Some(ip),
        _ => None,
    };
    let service_linked = aws.is_some_and(|p| p.is_service_linked_role());
    let has_boundary = identity.is_some_and(|ip| ip.permissions_boundary.is_some());
    let mut scanner = Scanner {
        target: Target {
            request: req,
            context: &context,
            has_boundary,
        },
        denies: Vec::new(),
        errors: Vec::new(),
    };

    let rcps = match &inputs.rcps {
        Some(org) if !org.management_account && !service_linked => {
            scanner.scan_levels(org, PolicyKind::Resource, |level| Gate::Rcp { level })
        }
        _ => Vec::new(),
    };
    let scps = match identity.and_then(|ip| ip.scps.as_ref()) {
        Some(org) if !org.management_account && !service_linked => {
            scanner.scan_levels(org, PolicyKind::Identity, |level| Gate::Scp { level })
        }
        _ => Vec::new(),
    };
    let endpoint = inputs
        .vpc_endpoint_policy
        .map(|p| scanner.scan(p, PolicyKind::Resource, Gate::VpcEndpoint));
    let identity_scans: Vec<Scan> = identity
        .map(|ip| {
            ip.policies
                .iter()
                .map(|p| scanner.scan(*p, PolicyKind::Identity, Gate::IdentityPolicy))
                .collect()
        })
        .unwrap_or_default();
    let boundary = identity
        .and_then(|ip| ip.permissions_boundary)
        .map(|p| scanner.scan(p, PolicyKind::Identity, Gate::PermissionsBoundary));
    let session: Option<Vec<Scan>> =
        identity
            .and_then(|ip| ip.session_policies.as_ref())
            .map(|ps| {
                ps.iter()
                    .map(|p| scanner.scan(*p, PolicyKind::Identity, Gate::SessionPolicy))
                    .collect()
            });
    let resource = inputs
        .resource_policy
        .map(|p| scanner.scan(p, PolicyKind::Resource, Gate::ResourcePolicy));

    // 1. Explicit deny anywhere wins, even over statements we could not read.
    if let Some((gate, _)) = scanner.denies.first() {
        let gate = *gate;
        return Ok(Decision {
            outcome: Outcome::ExplicitDeny,
            decided_by: scanner.denies.into_iter().map(|(_, r)| r).collect(),
            gate: Some(gate),
        });
    }
    if let Some(e) = scanner.errors.into_iter().next() {
        return Err(e);
    }

    // 2. Organization guardrails: every level must allow.
    let mut decided_by = Vec::new();
    for (level, scan) in rcps.iter().enumerate() {
        match scan.first_allow() {
            Some(r) => decided_by.push(r),
            None => return Ok(denied(Gate::Rcp { level })),
        }
    }
    for (level, scan) in scps.iter().enumerate() {
        match scan.first_allow() {
            Some(r) => decided_by.push(r),
            None => return Ok(denied(Gate::Scp { level })),
        }
    }
    // 3. The VPC endpoint on the way.
    if let Some(scan) = &endpoint {
        match scan.first_allow() {
            Some(r) => decided_by.push(r),
            None => return Ok(denied(Gate::VpcEndpoint)),
        }
    }

    // 4. Grants from the resource policy (after RestrictPublicBuckets) and the ACLs.
    let mut grants: Vec<(StatementRef, PrincipalMatch)> = Vec::new();
    let mut removed_by_bpa = false;
    if let Some(scan) = resource {
        let restricted = match (&inputs.s3, inputs.resource_policy) {
            (Some(s3), Some(policy)) => {
                s3.public_access_block.restrict_public_buckets
                    && restricted_by_public_bucket_rule(&req.principal, &inputs.resource_account)
                    && is_public_policy(policy.doc).public
            }
            _ => false,
        };
        if restricted {
            removed_by_bpa = scan.allows();
        } else {
            grants.extend(scan.allows);
        }
    }
    if let Some(s3) = &inputs.s3 {
        for (acl, index, how) in matching_acl_grants(s3, &req.principal, &req.action) {
            let r = StatementRef {
                policy: acl.label().to_string(),
                statement: index,
                sid: None,
            };
            grants.push((r, how));
        }
    }
    let grant_of = |kind: PrincipalMatch| {
        grants
            .iter()
            .find(|(_, m)| *m == kind)
            .map(|(r, _)| r.clone())
    };
    let resource_gate = if removed_by_bpa {
        Gate::BlockPublicAccess
    } else {
        Gate::ResourcePolicy
    };

    let Some(p) = aws else {
        // Anonymous, service and federated callers: only a grant lets them in.
        return Ok(match grants.first() {
            Some((r, _)) => {
                decided_by.push(r.clone());
                Decision {
                    outcome: Outcome::Allowed,
                    decided_by,
                    gate: None,
                }
            }
            None => denied(resource_gate),
        });
    };

    // The identity side: identity policies ∧ boundary ∧ session policies.
    let (identity_allows, identity_refs): (bool, Vec<StatementRef>) =
        match (&inputs.identity, &p.kind) {
            (IdentityInputs::Unconstrained, _) => (true, Vec::new()),
            // The root user has every identity permission of its account.
            (IdentityInputs::Known(_), AwsPrincipalKind::Root) => (true, Vec::new()),
            (IdentityInputs::Known(_), _) => {
                let first = identity_scans.iter().find_map(Scan::first_allow);
                (first.is_some(), first.into_iter().collect())
            }
        };
    let boundary_ok = boundary.as_ref().map_or(true, Scan::allows);
    let session_ok = session
        .as_ref()
        .map_or(true, |s| s.iter().any(Scan::allows));
    let mut limit_refs: Vec<StatementRef> = Vec::new();
    limit_refs.extend(boundary.as_ref().and_then(Scan::first_allow));
    limit_refs.extend(session.iter().flatten().find_map(Scan::first_allow));
    let identity_side = identity_allows && boundary_ok && session_ok;
    let limit_gate = if !boundary_ok {
        Gate::PermissionsBoundary
    } else {
        Gate::SessionPolicy
    };
    let identity_gate = if !identity_allows {
        Gate::IdentityPolicy
    } else {
        limit_gate
    };
    let identity_proof = || {
        identity_refs
            .iter()
            .chain(&limit_refs)
            .cloned()
            .collect::<Vec<_>>()
    };

    let same_account = p.account == inputs.resource_account;
    // A grant that stands on its own in the same account.
    let own_grant = grant_of(PrincipalMatch::Direct)
        .or_else(|| grant_of(PrincipalMatch::Underlying).filter(|_| boundary_ok && session_ok));
    let any_grant = grants.first().map(|(r, _)| r.clone());
    // Where a grant to the role was there but the boundary or session policies cut it off,
    // that is the gate to report.
    let blocked_gate =
        if grant_of(PrincipalMatch::Underlying).is_some() && !(boundary_ok && session_ok) {
            limit_gate
        } else {
            identity_gate
        };

    let allowed_by: Result<Vec<StatementRef>, Gate> =
        match (same_account, inputs.resource_policy_mode) {
            (true, ResourcePolicyMode::Alternative) => {
                if identity_side {
                    Ok(identity_proof())
                } else if let Some(g) = own_grant {
                    Ok(vec![g])
                } else {
                    Err(blocked_gate)
                }
            }
            (true, ResourcePolicyMode::Required) => match (own_grant, any_grant) {
                (Some(g), _) => Ok(vec![g]),
                (None, Some(g)) if identity_side => {
                    Ok(std::iter::once(g).chain(identity_proof()).collect())
                }
                (None, Some(_)) => Err(blocked_gate),
                (None, None) => Err(resource_gate),
            },
            (false, _) => match any_grant {
                Some(g) if identity_side => {
                    Ok(std::iter::once(g).chain(identity_proof()).collect())
                }
                Some(_) => Err(identity_gate),
                None => Err(resource_gate),
            },
        };
    Ok(match allowed_by {
        Ok(refs) => {
            decided_by.extend(refs);
            Decision {
                outcome: Outcome::Allowed,
                decided_by,
                gate: None,
            }
        }
        Err(gate) => denied(gate),
    })
}
