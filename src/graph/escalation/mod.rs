//! Privilege escalation: IAM permissions that let a principal gain another principal's
//! permissions (or any permission), as catalogued by Rhino Security Labs, BishopFox's
//! iam-vulnerable and DataDog's pathfinding.cloud.
//!
//! One detector per file, each documented "what it finds / why it matters / example". A
//! detector proposes candidate escalations from over-approximate matching; each carries
//! the concrete steps (action, resource, context) that `routes` must see allowed to the
//! source principal before the edge is taken.
//!
//! Targets: a detector either hands the principal another principal's permissions (an
//! edge to that user or role: passing a role to compute it controls, minting credentials
//! for a user, rewriting a role's trust), or lets it rewrite its own permissions (an edge to
//! `Node::Escalated`: any action, or a group's permissions).

pub mod add_user_to_group;
pub mod attach_policy;
pub mod cloudformation_update_stack;
pub mod create_access_key;
pub mod create_policy_version;
pub mod ec2_instance_connect;
pub mod login_profile;
pub mod pass_role;
pub mod put_policy;
pub mod sagemaker_presigned_url;
pub mod set_default_policy_version;
pub mod ssm_command;
pub mod update_assume_role_policy;
pub mod update_glue_dev_endpoint;
pub mod update_lambda_code;

use super::patterns::{doc_may_allow, ResourceTarget};
use super::principals::{all_principals, identity_may_allow};
use super::{principal_account, principal_arn, AccessGraph, EdgeKind, Gain, Node};
use crate::model::{Collected, IdentityPolicySource, Model, PrincipalRef, RoleId};
use crate::policy::{PrincipalKind, PrincipalSet};

/// One IAM call the escalation needs, which the source principal must be allowed to make.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Step {
    pub action: String,
    pub resource: String,
    /// Context the call carries by construction (e.g. `iam:PassedToService`).
    pub context: Vec<(String, String)>,
}

impl Step {
    pub fn new(action: &str, resource: &str) -> Step {
        Step {
            action: action.to_string(),
            resource: resource.to_string(),
            context: Vec::new(),
        }
    }

    pub fn with(mut self, key: &str, value: &str) -> Step {
        self.context.push((key.to_string(), value.to_string()));
        self
    }
}

/// A candidate escalation: which detector found it and the steps it needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Escalation {
    pub detector: &'static str,
    pub steps: Vec<Step>,
}

/// A detector's finding: where the escalation leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub target: Node,
    pub escalation: Escalation,
}

/// What detectors read.
pub struct Ctx<'a> {
    pub model: &'a Model,
    pub principals: Vec<(PrincipalRef, &'a str)>,
}

impl<'a> Ctx<'a> {
    /// Whether `p`'s identity policies may allow `action` on `resource` (exact ARN, or any
    /// resource when `resource` is `*`).
    pub fn may(&self, p: PrincipalRef, action: &str, resource: &str) -> bool {
        let target = if resource == "*" {
            ResourceTarget::Prefix("")
        } else {
            ResourceTarget::Exact(resource)
        };
        identity_may_allow(self.model, p, action, target)
    }

    pub fn arn(&self, p: PrincipalRef) -> String {
        principal_arn(self.model, p)
    }

    pub fn account(&self, p: PrincipalRef) -> String {
        principal_account(self.model, p)
    }

    /// Roles of `account` whose trust policy lets `service` assume them.
    pub fn roles_trusting_service(&self, account: &str, service: &str) -> Vec<RoleId> {
        let m = self.model;
        let mut out = Vec::new();
        for (i, r) in m.roles.iter().enumerate() {
            if m.str(r.account) != account || r.service_linked {
                continue;
            }
            let Collected::Present(pid) = r.trust_policy else {
                continue;
            };
            let Some(pol) = m.policy(pid) else { continue };
            let trusts = pol.document.statements.iter().any(|s| {
                s.effect == crate::policy::Effect::Allow
                    && super::patterns::action_matches(&s.action, "sts:AssumeRole")
                    && s.principal.as_ref().is_some_and(|pc| match &pc.principals {
                        PrincipalSet::Any => true,
                        PrincipalSet::Entries(es) => es
                            .iter()
                            .any(|e| e.kind == PrincipalKind::Service && e.value == service),
                    })
            });
            if trusts {
                out.push(RoleId(i as u32));
            }
        }
        out
    }

    /// The customer-managed policies attached to `p` (and to its groups), by ARN.
    pub fn attached_customer_policies(&self, p: PrincipalRef) -> Vec<String> {
        let m = self.model;
        let mut out = Vec::new();
        for ip in m.identity_policies(p) {
            if let IdentityPolicySource::Managed(arn) = ip.source {
                let s = m.str(arn);
                if !s.starts_with("arn:aws:iam::aws:") {
                    out.push(s.to_string());
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Whether a document of `p` could be rewritten: used by self-escalation detectors.
    pub fn doc_allows(
        &self,
        doc: &crate::policy::PolicyDocument,
        action: &str,
        resource: &str,
    ) -> bool {
        doc_may_allow(doc, action, ResourceTarget::Exact(resource))
    }
}

/// Every detector, by name.
pub const DETECTORS: &[(&str, fn(&Ctx<'_>, PrincipalRef, &mut Vec<Found>))] = &[
    (create_policy_version::NAME, create_policy_version::detect),
    (
        set_default_policy_version::NAME,
        set_default_policy_version::detect,
    ),
    (put_policy::NAME, put_policy::detect),
    (attach_policy::NAME, attach_policy::detect),
    (add_user_to_group::NAME, add_user_to_group::detect),
    (
        update_assume_role_policy::NAME,
        update_assume_role_policy::detect,
    ),
    (create_access_key::NAME, create_access_key::detect),
    (login_profile::NAME, login_profile::detect),
    (pass_role::NAME, pass_role::detect),
    (update_lambda_code::NAME, update_lambda_code::detect),
    (
        update_glue_dev_endpoint::NAME,
        update_glue_dev_endpoint::detect,
    ),
    (
        cloudformation_update_stack::NAME,
        cloudformation_update_stack::detect,
    ),
    (ssm_command::NAME, ssm_command::detect),
    (ec2_instance_connect::NAME, ec2_instance_connect::detect),
    (
        sagemaker_presigned_url::NAME,
        sagemaker_presigned_url::detect,
    ),
];

/// Runs every detector on one principal.
pub fn detect_all(ctx: &Ctx<'_>, p: PrincipalRef) -> Vec<Found> {
    let mut out = Vec::new();
    for (_, d) in DETECTORS {
        d(ctx, p, &mut out);
    }
    out
}

pub fn add_edges(model: &Model, g: &mut AccessGraph) {
    let ctx = Ctx {
        model,
        principals: all_principals(model),
    };
    let ps: Vec<PrincipalRef> = ctx.principals.iter().map(|(p, _)| *p).collect();
    for p in ps {
        for f in detect_all(&ctx, p) {
            if f.target == Node::Principal(p) {
                continue;
            }
            let via = f
                .escalation
                .steps
                .iter()
                .map(|s| s.action.clone())
                .collect::<Vec<_>>()
                .join("+");
            g.add_edge(
                Node::Principal(p),
                f.target,
                EdgeKind::Escalation(f.escalation),
                &via,
                String::new(),
            );
        }
    }
}

/// The `Node::Escalated` target of a self-escalation.
pub fn escalated(p: PrincipalRef) -> Node {
    Node::Escalated {
        principal: p,
        gain: Gain::AnyAction,
    }
}
