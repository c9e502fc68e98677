//! Data-access edges: who may read a bucket's data (`s3:GetObject` on any key,
//! `s3:ListBucket` on the bucket), over-approximated from the bucket policy, the bucket ACL
//! and the identity policies. Block Public Access, KMS key policies, SCPs, RCPs, boundaries
//! and conditions are left to the confirmation in `routes`.

use super::patterns::{
    accounts_named, allowed_principals, doc_may_allow, principal_entry_account, NamedPrincipals,
    ResourceTarget,
};
use super::principals::identity_may_allow;
use super::{principal_account, principal_arn, AccessGraph, EdgeKind, Gain, Node};
use crate::model::{BucketId, Collected, Grantee, Model, PrincipalRef};
use crate::policy::{PolicyDocument, PrincipalKind};

/// The read actions a data edge stands for, with how each targets the bucket.
pub const READ_ACTIONS: [&str; 2] = ["s3:GetObject", "s3:ListBucket"];

/// The resource target of a read action on a bucket (object actions: any key).
pub fn read_target<'a>(
    action: &str,
    bucket_arn: &'a str,
    object_prefix: &'a str,
) -> ResourceTarget<'a> {
    if action == "s3:ListBucket" {
        ResourceTarget::Exact(bucket_arn)
    } else {
        ResourceTarget::Prefix(object_prefix)
    }
}

/// Who a bucket policy lets read, over-approximately.
struct PolicyGrantees {
    any: bool,
    accounts: Vec<String>,
    arns: Vec<String>,
}

fn policy_grantees(doc: &PolicyDocument, bucket_arn: &str, prefix: &str) -> PolicyGrantees {
    let mut out = PolicyGrantees {
        any: false,
        accounts: Vec::new(),
        arns: Vec::new(),
    };
    for action in READ_ACTIONS {
        match allowed_principals(doc, action, read_target(action, bucket_arn, prefix)) {
            NamedPrincipals::Any => out.any = true,
            NamedPrincipals::Entries(es) => {
                for e in es {
                    if e.kind != PrincipalKind::Aws {
                        continue;
                    }
                    if let Some(a) = principal_entry_account(&e.value) {
                        out.accounts.push(a.to_string());
                    }
                    out.arns.push(e.value.clone());
                }
            }
        }
    }
    if out.any {
        accounts_named(doc, &mut out.accounts);
    }
    out.accounts.sort();
    out.accounts.dedup();
    out
}

/// Whether the identity side of a graph node may allow a read.
fn identity_side_may_allow(model: &Model, n: &Node, bucket_arn: &str, prefix: &str) -> bool {
    let any_action = |p: PrincipalRef| {
        READ_ACTIONS
            .iter()
            .any(|a| identity_may_allow(model, p, a, read_target(a, bucket_arn, prefix)))
    };
    match n {
        Node::Principal(p) => any_action(*p),
        Node::Escalated {
            gain: Gain::AnyAction,
            ..
        } => true,
        Node::Escalated {
            principal,
            gain: Gain::Group(g),
        } => {
            any_action(*principal)
                || model.groups.get(g.index()).is_some_and(|grp| {
                    grp.inline_policies.iter().any(|pid| {
                        model.policy(*pid).is_some_and(|pol| {
                            READ_ACTIONS.iter().any(|a| {
                                doc_may_allow(&pol.document, a, read_target(a, bucket_arn, prefix))
                            })
                        })
                    }) || grp
                        .attached_policies
                        .iter()
                        .any(|ap| match model.managed_document(ap) {
                            Collected::Present(pid) => model.policy(pid).is_some_and(|pol| {
                                READ_ACTIONS.iter().any(|a| {
                                    doc_may_allow(
                                        &pol.document,
                                        a,
                                        read_target(a, bucket_arn, prefix),
                                    )
                                })
                            }),
                            Collected::Missing => true,
                        })
                })
        }
        _ => false,
    }
}

pub fn add_edges(model: &Model, g: &mut AccessGraph) {
    let sources: Vec<Node> = g
        .graph
        .node_indices()
        .filter_map(|i| g.graph.node_weight(i).cloned())
        .filter(|n| {
            matches!(
                n,
                Node::Anyone | Node::Account(_) | Node::Principal(_) | Node::Escalated { .. }
            )
        })
        .collect();
    for (bi, bucket) in model.buckets.iter().enumerate() {
        let bid = BucketId(bi as u32);
        let to = Node::Bucket(bid);
        let bucket_arn = model.str(bucket.arn).to_string();
        let prefix = format!("{bucket_arn}/");
        let bucket_account = model.str(bucket.account).to_string();
        let grantees = match &bucket.policy {
            Collected::Present(Some(pid)) => model
                .policy(*pid)
                .map(|p| policy_grantees(&p.document, &bucket_arn, &prefix)),
            Collected::Present(None) => Some(PolicyGrantees {
                any: false,
                accounts: Vec::new(),
                arns: Vec::new(),
            }),
            // Not collected: the policy may grant anyone.
            Collected::Missing => None,
        };
        let policy_any = grantees.as_ref().map_or(true, |gr| gr.any);
        let acl_public = match &bucket.acl {
            Collected::Present(acl) => acl.grants.iter().any(|gr| {
                matches!(&gr.grantee, Grantee::Group { uri } if uri == Grantee::ALL_USERS || uri == Grantee::AUTHENTICATED_USERS)
            }),
            Collected::Missing => true,
        };
        let add = |g: &mut AccessGraph, from: Node| {
            g.add_edge(
                from,
                to.clone(),
                EdgeKind::DataRead,
                "s3:GetObject",
                String::new(),
            );
        };
        if policy_any || acl_public {
            add(g, Node::Anyone);
        }
        if let Some(gr) = &grantees {
            for a in &gr.accounts {
                if !g.zone.contains(a) {
                    add(g, Node::Account(a.clone()));
                }
            }
        }
        for n in &sources {
            match n {
                Node::Account(a) => {
                    if policy_any || grantees.as_ref().is_some_and(|gr| gr.accounts.contains(a)) {
                        add(g, n.clone());
                    }
                }
                Node::Principal(p) | Node::Escalated { principal: p, .. } => {
                    let p_account = principal_account(model, *p);
                    let p_arn = principal_arn(model, *p);
                    let policy_names = policy_any
                        || grantees.as_ref().is_some_and(|gr| {
                            gr.accounts.contains(&p_account)
                                && gr.arns.iter().any(|x| {
                                    *x == p_account
                                        || *x == format!("arn:aws:iam::{p_account}:root")
                                        || *x == p_arn
                                })
                        });
                    let identity = identity_side_may_allow(model, n, &bucket_arn, &prefix);
                    let ok = if p_account == bucket_account {
                        identity || policy_names
                    } else {
                        identity && policy_names
                    };
                    if ok {
                        add(g, n.clone());
                    }
                }
                _ => {}
            }
        }
    }
}
