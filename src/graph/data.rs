//! Data-access edges: who may read a bucket's data (`s3:GetObject` on any key,
//! `s3:ListBucket` on the bucket), over-approximated from the bucket policy, the bucket ACL
//! and the identity policies. Block Public Access, KMS key policies, SCPs, RCPs, boundaries
//! and conditions are left to the confirmation in `routes`.

use super::patterns::{
    accounts_named, allowed_principals, principal_entry_account, NamedPrincipals, ResourceTarget,
};
use super::permissions::{BucketIndex, PermissionIndex};
use super::{principal_account, principal_arn, AccessGraph, EdgeKind, Node};
use crate::model::{BucketId, Collected, Grantee, Model};
use crate::policy::{PolicyDocument, PrincipalKind};
use petgraph::graph::EdgeIndex;
use std::collections::HashMap;

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

/// What a bucket's policy and ACL admit, before any identity policy is looked at.
struct BucketAdmission {
    arn: String,
    prefix: String,
    account: String,
    /// `None`: the policy was not collected (it may grant anyone).
    grantees: Option<PolicyGrantees>,
    policy_any: bool,
}

impl BucketAdmission {
    /// Whether the bucket policy names the principal (its ARN, its account, or `*`).
    fn names(&self, p_account: &str, p_root: &str, p_arn: &str) -> bool {
        self.policy_any
            || self.grantees.as_ref().is_some_and(|gr| {
                gr.accounts.iter().any(|a| a == p_account)
                    && gr
                        .arns
                        .iter()
                        .any(|x| x == p_account || x == p_root || x == p_arn)
            })
    }
}

/// Who may read which bucket, precomputed from bucket policies and ACLs, with the compiled
/// identity grants: `graph::build` materializes every read edge with it, a scan only the
/// read edges of the nodes it reaches (`add_reads`).
pub struct ReadIndex<'m> {
    model: &'m Model,
    pub perms: PermissionIndex<'m>,
    buckets: BucketIndex,
    admissions: Vec<BucketAdmission>,
    /// Buckets whose policy may name every principal (`*`, or not collected).
    named_by_anyone: Vec<BucketId>,
    /// Buckets whose policy names an account or one of its principals, by account.
    named_by_account: HashMap<String, Vec<BucketId>>,
    /// Buckets anyone may read through their policy or ACL.
    public: Vec<BucketId>,
}

impl<'m> ReadIndex<'m> {
    pub fn new(model: &'m Model) -> ReadIndex<'m> {
        let mut idx = ReadIndex {
            model,
            perms: PermissionIndex::new(model),
            buckets: BucketIndex::new(model),
            admissions: Vec::with_capacity(model.buckets.len()),
            named_by_anyone: Vec::new(),
            named_by_account: HashMap::new(),
            public: Vec::new(),
        };
        for (bi, bucket) in model.buckets.iter().enumerate() {
            let bid = BucketId(bi as u32);
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
            if policy_any || acl_public {
                idx.public.push(bid);
            }
            if policy_any {
                idx.named_by_anyone.push(bid);
            } else if let Some(gr) = &grantees {
                for a in &gr.accounts {
                    idx.named_by_account.entry(a.clone()).or_default().push(bid);
                }
            }
            idx.admissions.push(BucketAdmission {
                arn: bucket_arn,
                prefix,
                account: bucket_account,
                grantees,
                policy_any,
            });
        }
        idx
    }

    /// Read edges from outside actors: anyone (public policy or ACL) and the outside
    /// accounts bucket policies name.
    pub fn add_outside_edges(&self, g: &mut AccessGraph) {
        for bid in &self.public {
            g.add_edge(
                Node::Anyone,
                Node::Bucket(*bid),
                EdgeKind::DataRead,
                "s3:GetObject",
                String::new(),
            );
        }
        for (bi, adm) in self.admissions.iter().enumerate() {
            let Some(gr) = &adm.grantees else { continue };
            for a in &gr.accounts {
                if !g.zone.contains(a) {
                    g.add_edge(
                        Node::Account(a.clone()),
                        Node::Bucket(BucketId(bi as u32)),
                        EdgeKind::DataRead,
                        "s3:GetObject",
                        String::new(),
                    );
                }
            }
        }
    }

    /// The buckets a node may read (candidates: identity policies and bucket policies
    /// over-approximated; same account: either suffices, another account: both).
    pub fn reads_of(&self, n: &Node) -> Vec<BucketId> {
        let model = self.model;
        match n {
            Node::Account(a) => {
                let mut out: Vec<BucketId> = self
                    .named_by_anyone
                    .iter()
                    .chain(self.named_by_account.get(a).into_iter().flatten())
                    .copied()
                    .collect();
                out.sort();
                out.dedup();
                out
            }
            Node::Principal(p) | Node::Escalated { principal: p, .. } => {
                let p_account = principal_account(model, *p);
                let p_arn = principal_arn(model, *p);
                let p_root = format!("arn:aws:iam::{p_account}:root");
                let grants = READ_ACTIONS.map(|a| self.perms.grant(n, a));
                let mut candidates: Vec<BucketId> = Vec::new();
                for g in &grants {
                    candidates.extend(self.buckets.candidates(g));
                }
                candidates.extend(self.named_by_anyone.iter().copied());
                if let Some(named) = self.named_by_account.get(&p_account) {
                    candidates.extend(named.iter().copied());
                }
                candidates.sort();
                candidates.dedup();
                candidates.retain(|bid| {
                    let Some(adm) = self.admissions.get(bid.index()) else {
                        return false;
                    };
                    let policy_names = adm.names(&p_account, &p_root, &p_arn);
                    let identity = READ_ACTIONS
                        .iter()
                        .zip(&grants)
                        .any(|(a, g)| g.may_allow(read_target(a, &adm.arn, &adm.prefix)));
                    if p_account == adm.account {
                        identity || policy_names
                    } else {
                        identity && policy_names
                    }
                });
                candidates
            }
            _ => Vec::new(),
        }
    }

    /// Adds the read edges of `n` to the graph; returns them.
    pub fn add_reads(&self, g: &mut AccessGraph, n: &Node) -> Vec<EdgeIndex> {
        self.reads_of(n)
            .into_iter()
            .map(|bid| {
                g.add_edge(
                    n.clone(),
                    Node::Bucket(bid),
                    EdgeKind::DataRead,
                    "s3:GetObject",
                    String::new(),
                )
            })
            .collect()
    }
}

/// Every read edge of the graph: from outside actors, and from every account and
/// principal node already in it.
pub fn add_edges(reads: &ReadIndex<'_>, g: &mut AccessGraph) {
    reads.add_outside_edges(g);
    let sources: Vec<Node> = g
        .graph
        .node_indices()
        .filter_map(|i| g.graph.node_weight(i).cloned())
        .filter(|n| {
            matches!(
                n,
                Node::Account(_) | Node::Principal(_) | Node::Escalated { .. }
            )
        })
        .collect();
    for n in &sources {
        reads.add_reads(g, n);
    }
}
