//! Assume-role and federated-assume edges, from trust policies.
//!
//! For each role, its trust policy names who may call `sts:AssumeRole` (and
//! `sts:AssumeRoleWithWebIdentity`, `sts:AssumeRoleWithSAML`): `*` (anyone, and every
//! principal inside that holds `sts:AssumeRole`), whole accounts (every principal of an
//! inside account that holds the permission; a foreign account as an outside actor), single
//! principals, and federated providers. Chains of any length follow from role → role edges.
//!
//! Every web-identity (OIDC) and SAML provider a trust names is an outside actor, EKS
//! clusters' service-account issuers included: whether outsiders can present one of its
//! identities is decided by the trust's subject-claim conditions, which `routes` asks
//! (as IAM Access Analyzer reports such trusts as external access).

use super::patterns::{
    accounts_named, allowed_principals, doc_may_allow, principal_entry_account, NamedPrincipals,
    ResourceTarget,
};
use super::permissions::{Grant, PermissionIndex};
use super::{AccessGraph, EdgeKind, Node};
use crate::model::{Collected, Model, PrincipalRef, RoleId, UserId};
use crate::policy::PrincipalKind;
use std::sync::Arc;

/// Whether any identity policy of `p` may allow `action` on `target` (a policy that was
/// not collected may allow anything).
pub fn identity_may_allow(
    model: &Model,
    p: PrincipalRef,
    action: &str,
    target: ResourceTarget<'_>,
) -> bool {
    model.identity_policies(p).iter().any(|ip| match ip.policy {
        Collected::Present(id) => model
            .policy(id)
            .is_some_and(|pol| doc_may_allow(&pol.document, action, target)),
        Collected::Missing => true,
    })
}

/// Every user and role of the model, with its account.
pub fn all_principals(model: &Model) -> Vec<(PrincipalRef, &str)> {
    let mut out = Vec::new();
    for (i, u) in model.users.iter().enumerate() {
        out.push((PrincipalRef::User(UserId(i as u32)), model.str(u.account)));
    }
    for (i, r) in model.roles.iter().enumerate() {
        out.push((PrincipalRef::Role(RoleId(i as u32)), model.str(r.account)));
    }
    out
}

/// The user or role with this ARN, if the model holds it.
pub fn principal_by_arn(model: &Model, arn: &str) -> Option<PrincipalRef> {
    model
        .role_by_arn(arn)
        .map(PrincipalRef::Role)
        .or_else(|| model.user_by_arn(arn).map(PrincipalRef::User))
}

/// Whether a `Federated` principal is an IAM SAML provider
/// (`arn:aws:iam::111122223333:saml-provider/Okta`), whose identities arrive through
/// `sts:AssumeRoleWithSAML`; every other federated principal (OIDC provider ARNs,
/// `accounts.google.com`, `cognito-identity.amazonaws.com`, …) through
/// `sts:AssumeRoleWithWebIdentity`.
pub fn is_saml_provider(provider: &str) -> bool {
    provider.contains(":saml-provider/")
}

/// The STS action by which identities of `provider` assume a role.
pub fn federated_action(provider: &str) -> &'static str {
    if is_saml_provider(provider) {
        "sts:AssumeRoleWithSAML"
    } else {
        "sts:AssumeRoleWithWebIdentity"
    }
}

pub fn add_edges(model: &Model, perms: &PermissionIndex<'_>, g: &mut AccessGraph) {
    // Only principals whose identity policies may allow sts:AssumeRole at all can take an
    // edge that needs the caller's permission; their grants are compiled once.
    let assumers: Vec<(PrincipalRef, &str, Arc<Grant>)> = all_principals(model)
        .into_iter()
        .filter_map(|(p, account)| {
            let grant = perms.grant(&Node::Principal(p), "sts:AssumeRole");
            (!grant.is_empty()).then_some((p, account, grant))
        })
        .collect();
    for (ri, role) in model.roles.iter().enumerate() {
        let rid = RoleId(ri as u32);
        let to = Node::Principal(PrincipalRef::Role(rid));
        if role.service_linked {
            continue;
        }
        let Collected::Present(pid) = role.trust_policy else {
            continue;
        };
        let Some(policy) = model.policy(pid) else {
            continue;
        };
        let doc = &policy.document;
        let role_arn = model.str(role.arn).to_string();
        let target = ResourceTarget::Exact(&role_arn);

        match allowed_principals(doc, "sts:AssumeRole", target) {
            NamedPrincipals::Any => {
                g.add_edge(
                    Node::Anyone,
                    to.clone(),
                    EdgeKind::AssumeRole,
                    "sts:AssumeRole",
                    String::new(),
                );
                let mut named = Vec::new();
                accounts_named(doc, &mut named);
                for a in named {
                    if !g.zone.contains(&a) {
                        g.add_edge(
                            Node::Account(a),
                            to.clone(),
                            EdgeKind::AssumeRole,
                            "sts:AssumeRole",
                            String::new(),
                        );
                    }
                }
                for (p, _, grant) in &assumers {
                    if *p != PrincipalRef::Role(rid) && grant.may_allow(target) {
                        g.add_edge(
                            Node::Principal(*p),
                            to.clone(),
                            EdgeKind::AssumeRole,
                            "sts:AssumeRole",
                            String::new(),
                        );
                    }
                }
            }
            NamedPrincipals::Entries(entries) => {
                for e in entries {
                    if e.kind != PrincipalKind::Aws {
                        continue;
                    }
                    let Some(account) = principal_entry_account(&e.value) else {
                        continue;
                    };
                    if !g.zone.contains(account) {
                        g.add_edge(
                            Node::Account(account.to_string()),
                            to.clone(),
                            EdgeKind::AssumeRole,
                            "sts:AssumeRole",
                            String::new(),
                        );
                        continue;
                    }
                    let whole_account =
                        e.value == account || e.value == format!("arn:aws:iam::{account}:root");
                    if whole_account {
                        for (p, pa, grant) in &assumers {
                            if *pa == account
                                && *p != PrincipalRef::Role(rid)
                                && grant.may_allow(target)
                            {
                                g.add_edge(
                                    Node::Principal(*p),
                                    to.clone(),
                                    EdgeKind::AssumeRole,
                                    "sts:AssumeRole",
                                    String::new(),
                                );
                            }
                        }
                    } else if let Some(p) = principal_by_arn(model, &e.value) {
                        // A principal named by ARN still needs the permission when it is in
                        // another account; in the same account the trust policy suffices.
                        g.add_edge(
                            Node::Principal(p),
                            to.clone(),
                            EdgeKind::AssumeRole,
                            "sts:AssumeRole",
                            String::new(),
                        );
                    }
                }
            }
        }

        // Federated providers: each is asked with the action its identities use (a SAML
        // provider named for web identity, or the reverse, admits no one).
        for action in ["sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"] {
            if let NamedPrincipals::Entries(entries) = allowed_principals(doc, action, target) {
                for e in entries {
                    if e.kind == PrincipalKind::Federated && federated_action(&e.value) == action {
                        g.add_edge(
                            Node::Federated(e.value.clone()),
                            to.clone(),
                            EdgeKind::WebIdentity,
                            action,
                            String::new(),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::ZoneOfTrust;
    use serde_json::{json, Value};

    /// The federated edges built for one role trusting `trust`, as (provider, via).
    fn check(trust: Value, expect: &[(&str, &str)]) {
        let gaad = json!({"UserDetailList": [], "GroupDetailList": [], "Policies": [],
            "RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r",
                "Path": "/", "AssumeRolePolicyDocument": trust, "RolePolicyList": [],
                "AttachedManagedPolicies": [], "InstanceProfileList": []}]});
        let bytes = serde_json::to_vec(&gaad).expect("test JSON");
        let export = crate::ingest::load_gaad_bytes(&bytes, "gaad.json").expect("GAAD loads");
        let m = &export.model;
        let mut g = AccessGraph::new(ZoneOfTrust::of(m));
        let perms = PermissionIndex::new(m);
        add_edges(m, &perms, &mut g);
        let mut got: Vec<(String, String)> = g
            .graph
            .edge_indices()
            .filter_map(|e| {
                let (a, _) = g.graph.edge_endpoints(e)?;
                match &g.graph[a] {
                    Node::Federated(p) => Some((p.clone(), g.graph[e].via.to_string())),
                    _ => None,
                }
            })
            .collect();
        got.sort();
        let want: Vec<(String, String)> = expect
            .iter()
            .map(|(p, v)| (p.to_string(), v.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    fn trust(provider: &str, action: Value) -> Value {
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Federated": provider}, "Action": action}]})
    }

    #[test]
    fn every_federated_provider_is_an_outside_actor() {
        let saml = "arn:aws:iam::111122223333:saml-provider/Okta";
        let eks =
            "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AB12";
        let gh = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";
        let web = "sts:AssumeRoleWithWebIdentity";
        let with_saml = "sts:AssumeRoleWithSAML";
        check(
            trust(saml, json!([with_saml, "sts:TagSession"])),
            &[(saml, with_saml)],
        );
        check(trust(saml, json!("sts:AssumeRole*")), &[(saml, with_saml)]);
        // A SAML provider does not sign web identity tokens, nor an OIDC provider assertions.
        check(trust(saml, json!(web)), &[]);
        check(trust(gh, json!(with_saml)), &[]);
        check(trust(eks, json!(web)), &[(eks, web)]);
        check(trust(gh, json!(web)), &[(gh, web)]);
        check(
            trust("accounts.google.com", json!(web)),
            &[("accounts.google.com", web)],
        );
    }
}
