//! Data-access edges: who may read a bucket's data (`s3:GetObject` or
//! `s3:GetObjectVersion` on any key, `s3:ListBucket` on the bucket), over-approximated from
//! the bucket policy, the bucket ACL and the identity policies. An object read of an SSE-KMS
//! bucket also needs `kms:Decrypt` on its key: from the identity policies, unless the key
//! policy may name the reader itself (`KmsGate`). Block Public Access, the rest of KMS key
//! policies, SCPs, RCPs, boundaries and conditions are left to the confirmation in `routes`.

use super::patterns::{
    accounts_named, allowed_principals, principal_entry_account, NamedPrincipals, ResourceTarget,
};
use super::permissions::{BucketIndex, PermissionIndex};
use super::{principal_account, principal_arn, AccessGraph, EdgeKind, Node};
use crate::model::{BucketId, Collected, Grantee, Model};
use crate::policy::{PolicyDocument, PrincipalKind};
use petgraph::graph::EdgeIndex;
use std::collections::HashMap;

/// The read actions a data edge stands for, with how each targets the bucket: the object
/// read, the listing, and the version read (`routes::confirm` asks it last, only when
/// `s3:GetObject` is not allowed).
pub const READ_ACTIONS: [&str; 3] = ["s3:GetObject", "s3:ListBucket", "s3:GetObjectVersion"];

/// The read actions that return an object's data. `s3:GetObjectVersion` reads any object
/// as well as `s3:GetObject` does: every object of an unversioned bucket has the version
/// id `null`, and a versioned bucket's ids are in its listings (S3 API Reference,
/// GetObject: a request with `versionId` needs `s3:GetObjectVersion`).
pub const OBJECT_READS: [&str; 2] = ["s3:GetObject", "s3:GetObjectVersion"];

/// Whether read action `action` returns object data (one of `OBJECT_READS`), not a listing.
pub fn is_object_read(action: &str) -> bool {
    OBJECT_READS.iter().any(|a| a.eq_ignore_ascii_case(action))
}

/// Which of `READ_ACTIONS` a principal may be allowed on a bucket (candidates:
/// over-approximated as `ReadIndex::reads_of` does), in `READ_ACTIONS` order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadCandidates(pub [bool; READ_ACTIONS.len()]);

impl ReadCandidates {
    /// Whether any read may be allowed.
    pub fn any(&self) -> bool {
        self.0.contains(&true)
    }

    /// Whether an object read (`OBJECT_READS`) may be allowed.
    pub fn objects(&self) -> bool {
        self.may(is_object_read)
    }

    /// Whether a listing (a read that is not an object read) may be allowed.
    pub fn listing(&self) -> bool {
        self.may(|action| !is_object_read(action))
    }

    fn may(&self, kind: impl Fn(&str) -> bool) -> bool {
        READ_ACTIONS
            .iter()
            .zip(self.0)
            .any(|(action, may)| may && kind(action))
    }
}

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
    /// The bucket ACL may let every AWS account read (a grant to `AllUsers` or
    /// `AuthenticatedUsers`, to a grantee no account of the model is known to be, or an
    /// ACL that was not collected).
    acl_any: bool,
    /// Accounts of the model whose canonical user id an ACL grant names.
    acl_accounts: Vec<String>,
}

impl BucketAdmission {
    /// Whether the bucket policy or ACL names the principal (its ARN, its account, or `*`).
    fn names(&self, p_account: &str, p_root: &str, p_arn: &str) -> bool {
        self.policy_any
            || self.acl_any
            || self.acl_accounts.iter().any(|a| a == p_account)
            || self.grantees.as_ref().is_some_and(|gr| {
                gr.accounts.iter().any(|a| a == p_account)
                    && gr
                        .arns
                        .iter()
                        .any(|x| x == p_account || x == p_root || x == p_arn)
            })
    }
}

/// Who a bucket ACL may let read (`READ`, `FULL_CONTROL`, or `WRITE_ACP`, which lets the
/// grantee grant itself the rest): (every account, the model's other accounts it names).
/// A grant to an account works like a bucket policy naming the account's root: its
/// principals still need their own identity permission, so a grant to the owner's account
/// (every bucket has one) adds nothing to what the identity side allows and is left out.
/// A grant to a canonical id no account of the model has counts as every account when some
/// account's canonical id was not collected (it may be that account's).
fn acl_readers(
    model: &Model,
    acl: &Collected<crate::model::Acl>,
    owner: &str,
) -> (bool, Vec<String>) {
    use crate::model::AclPermission;
    let Collected::Present(acl) = acl else {
        return (true, Vec::new());
    };
    let some_id_unknown = model.accounts.iter().any(|a| a.s3_canonical_id.is_none());
    let mut any = false;
    let mut accounts = Vec::new();
    for gr in &acl.grants {
        if !matches!(
            gr.permission,
            AclPermission::Read | AclPermission::FullControl | AclPermission::WriteAcp
        ) && !matches!(gr.permission, AclPermission::Other(_))
        {
            continue;
        }
        match &gr.grantee {
            Grantee::CanonicalUser { id, .. } => {
                match model
                    .accounts
                    .iter()
                    .find(|a| a.s3_canonical_id.as_deref() == Some(id.as_str()))
                {
                    Some(a) if model.str(a.id) == owner => {}
                    Some(a) => accounts.push(model.str(a.id).to_string()),
                    None => any |= some_id_unknown,
                }
            }
            Grantee::Group { uri } => {
                any |= uri == Grantee::ALL_USERS || uri == Grantee::AUTHENTICATED_USERS
            }
            Grantee::AmazonCustomerByEmail { .. } | Grantee::Other { .. } => any = true,
        }
    }
    accounts.sort();
    accounts.dedup();
    (any, accounts)
}

/// The KMS key an object read of a bucket must decrypt with (its default encryption key,
/// when the export holds the key and its policy).
struct KmsGate {
    key_arn: String,
    /// The key policy may allow `kms:Decrypt` to a principal by name (or to anyone): such a
    /// principal needs no identity permission, so the gate is left to the solver. Naming an
    /// account (its root) delegates to that account's identity policies, which must then
    /// allow `kms:Decrypt` themselves.
    names_principals: bool,
}

impl KmsGate {
    fn of(model: &Model, b: BucketId) -> Option<KmsGate> {
        let key = model.bucket_kms_key(b)?;
        let Collected::Present(pid) = key.policy else {
            return None;
        };
        let key_arn = model.str(key.arn).to_string();
        let names_principals = match model.policy(pid) {
            None => true,
            Some(p) => match allowed_principals(
                &p.document,
                "kms:Decrypt",
                ResourceTarget::Exact(&key_arn),
            ) {
                NamedPrincipals::Any => true,
                NamedPrincipals::Entries(es) => es.iter().any(|e| {
                    e.kind != PrincipalKind::Aws
                        || !principal_entry_account(&e.value).is_some_and(|a| {
                            e.value == a || e.value == format!("arn:aws:iam::{a}:root")
                        })
                }),
            },
        };
        Some(KmsGate {
            key_arn,
            names_principals,
        })
    }
}

/// A principal node asking which buckets it may read, with its compiled grants.
struct Reader {
    node: Node,
    account: String,
    arn: String,
    root: String,
    /// Identity grants of `READ_ACTIONS`, in order.
    grants: [std::sync::Arc<super::permissions::Grant>; 3],
    /// The grant of `kms:Decrypt`, compiled when a bucket with a KMS gate is asked.
    decrypt: std::sync::OnceLock<std::sync::Arc<super::permissions::Grant>>,
}

/// Who may read which bucket, precomputed from bucket policies and ACLs, with the compiled
/// identity grants: `graph::build` materializes every read edge with it, a scan only the
/// read edges of the nodes it reaches (`add_reads`).
pub struct ReadIndex<'m> {
    model: &'m Model,
    pub perms: PermissionIndex<'m>,
    buckets: BucketIndex,
    admissions: Vec<BucketAdmission>,
    /// Per bucket, the KMS key its object reads need.
    kms_gates: Vec<Option<KmsGate>>,
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
            kms_gates: Vec::with_capacity(model.buckets.len()),
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
            let (acl_any, acl_accounts) = acl_readers(model, &bucket.acl, &bucket_account);
            if policy_any || acl_public {
                idx.public.push(bid);
            }
            if policy_any || acl_any {
                idx.named_by_anyone.push(bid);
            } else {
                let policy_accounts = grantees.iter().flat_map(|gr| gr.accounts.iter());
                for a in policy_accounts.chain(acl_accounts.iter()) {
                    idx.named_by_account.entry(a.clone()).or_default().push(bid);
                }
            }
            idx.kms_gates.push(KmsGate::of(model, bid));
            idx.admissions.push(BucketAdmission {
                arn: bucket_arn,
                prefix,
                account: bucket_account,
                grantees,
                policy_any,
                acl_any,
                acl_accounts,
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
    /// over-approximated; same account: either suffices, another account: both), each with
    /// the reads it may be allowed (`ReadCandidates`: none for an outside account, which
    /// reads what names it).
    pub fn reads_of(&self, n: &Node) -> Vec<(BucketId, ReadCandidates)> {
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
                out.into_iter()
                    .map(|b| (b, ReadCandidates::default()))
                    .collect()
            }
            Node::Principal(_) | Node::Escalated { .. } => {
                let Some(reader) = self.reader(n) else {
                    return Vec::new();
                };
                let mut candidates: Vec<BucketId> = Vec::new();
                for g in &reader.grants {
                    candidates.extend(self.buckets.candidates(g));
                }
                candidates.extend(self.named_by_anyone.iter().copied());
                if let Some(named) = self.named_by_account.get(&reader.account) {
                    candidates.extend(named.iter().copied());
                }
                candidates.sort();
                candidates.dedup();
                candidates
                    .into_iter()
                    .map(|bid| (bid, self.read_actions(&reader, bid)))
                    .filter(|(_, may)| may.any())
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// Which of `READ_ACTIONS` principal node `n` may be allowed on bucket `b` (candidates,
    /// over-approximated as `reads_of` does; none for other nodes).
    pub fn read_candidates(&self, n: &Node, b: BucketId) -> ReadCandidates {
        self.reader(n).map_or(ReadCandidates::default(), |reader| {
            self.read_actions(&reader, b)
        })
    }

    fn reader(&self, n: &Node) -> Option<Reader> {
        let (Node::Principal(p) | Node::Escalated { principal: p, .. }) = n else {
            return None;
        };
        let account = principal_account(self.model, *p);
        Some(Reader {
            node: n.clone(),
            arn: principal_arn(self.model, *p),
            root: format!("arn:aws:iam::{account}:root"),
            account,
            grants: READ_ACTIONS.map(|a| self.perms.grant(n, a)),
            decrypt: std::sync::OnceLock::new(),
        })
    }

    /// Per read action: may the identity side and the bucket policy or ACL together allow
    /// it (same account: either; another account: both), and for an object read of an
    /// SSE-KMS bucket, may the key be used?
    fn read_actions(&self, reader: &Reader, b: BucketId) -> ReadCandidates {
        let Some(adm) = self.admissions.get(b.index()) else {
            return ReadCandidates::default();
        };
        // Both sides are pure, so each is asked only when the other does not decide: a
        // scan asks this for every (reached reader, candidate bucket) pair, and most are in
        // another account than the bucket and not named by it.
        let same_account = reader.account == adm.account;
        let mut names_once: Option<bool> = None;
        let mut names = || {
            *names_once.get_or_insert_with(|| adm.names(&reader.account, &reader.root, &reader.arn))
        };
        let mut out = [false; READ_ACTIONS.len()];
        for ((may, action), grant) in out.iter_mut().zip(READ_ACTIONS).zip(&reader.grants) {
            let identity = || grant.may_allow(read_target(action, &adm.arn, &adm.prefix));
            *may = if same_account {
                identity() || names()
            } else {
                names() && identity()
            };
        }
        // Listing needs no key; an object read needs the KMS key too.
        if out
            .iter()
            .zip(READ_ACTIONS)
            .any(|(may, action)| *may && is_object_read(action))
        {
            let key_usable = match self.kms_gates.get(b.index()) {
                Some(Some(gate)) => {
                    gate.names_principals
                        || reader
                            .decrypt
                            .get_or_init(|| self.perms.grant(&reader.node, "kms:Decrypt"))
                            .may_allow(ResourceTarget::Exact(&gate.key_arn))
                }
                _ => true,
            };
            for (may, action) in out.iter_mut().zip(READ_ACTIONS) {
                *may &= key_usable || !is_object_read(action);
            }
        }
        ReadCandidates(out)
    }

    /// Adds the read edges of `n` to the graph; returns them.
    pub fn add_reads(&self, g: &mut AccessGraph, n: &Node) -> Vec<EdgeIndex> {
        self.reads_of(n)
            .into_iter()
            .map(|(bid, _)| {
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
