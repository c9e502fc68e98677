//! The access graph: who (or what) can get from where to where, each edge carrying the
//! policy question that must be answerable "yes" to take it.
//!
//! Nodes are outside actors (anyone, foreign accounts, federated providers, the internet),
//! principals (users, roles — a role node stands for its sessions), principals after a
//! privilege escalation, compute (EC2 instances, Lambda functions), data stores (S3
//! buckets) and the "storage outside the zone" sink of egress routes. Edges are
//! *candidates*: built by over-approximate matching (`patterns`), so an edge is present
//! unless it is impossible whatever the conditions say; `routes` asks the oracle/solver to
//! confirm each one.
//!
//! Network reachability from the internet is decided here, concretely (`network`): route
//! tables, NACLs and security groups hold no request-dependent conditions beyond the
//! source address and port, which `network` enumerates.
//!
//! Builders, one file each: `principals` (assume-role, federated), `compute` (instance
//! profiles, function roles, function URLs), `network`, `data` (bucket reads), `egress`,
//! and `escalation/` (one detector per file).

pub mod compute;
pub mod data;
pub mod egress;
pub mod escalation;
pub mod network;
pub mod patterns;
pub mod permissions;
pub mod principals;
pub mod zone;

pub use zone::ZoneOfTrust;

use crate::model::{
    BucketId, GroupId, InstanceId, InstanceProfileId, LambdaFunctionId, Model, PrincipalRef,
    SourceMap,
};
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use std::collections::HashMap;

/// A node of the access graph.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Node {
    /// Anyone: anonymous callers and principals of any AWS account (`*`).
    Anyone,
    /// A named AWS account outside the zone of trust.
    Account(String),
    /// A web-identity (OIDC) or SAML provider a trust names, as it names it
    /// (`accounts.google.com`, an OIDC provider ARN, EKS cluster issuers included, a
    /// `saml-provider/` ARN); whether outsiders can present one of its identities is
    /// decided by the trust's subject claim in `routes::confirm`.
    Federated(String),
    /// Any address on the internet (network routes into compute).
    Internet,
    /// A user, or a role (standing for its sessions).
    Principal(PrincipalRef),
    /// A principal after a privilege escalation that gave it more permissions.
    Escalated {
        principal: PrincipalRef,
        gain: Gain,
    },
    Instance(InstanceId),
    Lambda(LambdaFunctionId),
    Bucket(BucketId),
    /// Storage in an account outside the zone of trust (the end of an egress hop).
    OutsideStorage,
}

/// What a self-escalation gave the principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Gain {
    /// Any identity permission (it can write its own policies); its permissions boundary
    /// and the SCPs still apply.
    AnyAction,
    /// The permissions of a group it added itself to.
    Group(GroupId),
}

impl Node {
    /// A total order for deterministic iteration (kind, then index or name).
    pub fn sort_key(&self) -> (u8, u64, String) {
        let pr = |p: &PrincipalRef| match p {
            PrincipalRef::User(u) => u.0 as u64,
            PrincipalRef::Role(r) => (1u64 << 32) | r.0 as u64,
        };
        match self {
            Node::Anyone => (0, 0, String::new()),
            Node::Account(a) => (1, 0, a.clone()),
            Node::Federated(p) => (2, 0, p.clone()),
            Node::Internet => (3, 0, String::new()),
            Node::Principal(p) => (4, pr(p), String::new()),
            Node::Escalated { principal, gain } => (
                5,
                pr(principal),
                match gain {
                    Gain::AnyAction => String::new(),
                    Gain::Group(g) => format!("{:010}", g.0),
                },
            ),
            Node::Instance(i) => (6, i.0 as u64, String::new()),
            Node::Lambda(f) => (7, f.0 as u64, String::new()),
            Node::Bucket(b) => (8, b.0 as u64, String::new()),
            Node::OutsideStorage => (9, 0, String::new()),
        }
    }

    /// True for the outside actors routes start from.
    pub fn is_outside_actor(&self) -> bool {
        matches!(
            self,
            Node::Anyone | Node::Account(_) | Node::Federated(_) | Node::Internet
        )
    }
}

/// What an edge means and which question confirms it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EdgeKind {
    /// `sts:AssumeRole` into the target role (trust policy, and the caller's permissions).
    AssumeRole,
    /// `sts:AssumeRoleWithWebIdentity` (OIDC) or `sts:AssumeRoleWithSAML` (SAML) from a
    /// federated provider into the target role (`principals::federated_action`).
    WebIdentity,
    /// The instance's profile hands the role's credentials to code on the instance.
    InstanceProfile(InstanceProfileId),
    /// The function runs with its execution role.
    FunctionRole,
    /// The internet reaches an instance (decided concretely by `network`). Boxed: every
    /// edge is as large as the largest kind, and the few network edges would otherwise
    /// double the size of the many others (issue #7).
    Network(Box<network::Reach>),
    /// The internet invokes a function URL with auth type `NONE`.
    FunctionUrl,
    /// Reads of the target bucket's data (`s3:GetObject`, `s3:ListBucket`).
    DataRead,
    /// Writes to storage in an account outside the zone (`s3:PutObject`).
    Egress,
    /// A privilege escalation: every step must be allowed to the source principal. Shared:
    /// the same escalation (a detector's steps into one target) is found from many
    /// principals (issue #7: 257,000 edges, far fewer distinct escalations, on a one-account
    /// 5,000-role export).
    Escalation(std::sync::Arc<escalation::Escalation>),
}

/// One edge: its meaning and the evidence the builder already knows (for edges decided
/// without a policy question: instance profiles, network reachability).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub kind: EdgeKind,
    /// `via` of the route hop: `sts:AssumeRole`, `s3:GetObject`, `network:tcp/22`, …
    /// (refined with the confirmed actions by `routes`).
    /// Shared text: the many escalation edges of one kind carry the same `via`.
    pub via: std::sync::Arc<str>,
    /// Evidence for edges decided here (`file#pointer`), empty when a policy question
    /// decides the edge.
    pub evidence: String,
}

/// Errors of the graph stage.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// The model refers to an item that is not in its arenas (a bug in ingest).
    #[error("model is inconsistent: {0}")]
    InconsistentModel(String),
}

/// The access graph of one model.
#[derive(Debug, Clone)]
pub struct AccessGraph {
    pub graph: DiGraph<Node, Edge>,
    pub index: HashMap<Node, NodeIndex>,
    pub zone: ZoneOfTrust,
    /// Edges present, by (from, to, kind): `add_edge` keeps one edge per triple without
    /// scanning the source's edges (hub nodes have thousands).
    edge_set: HashMap<(NodeIndex, NodeIndex, EdgeKind), EdgeIndex>,
}

impl AccessGraph {
    /// An empty graph for a zone of trust (builders and tests add to it).
    pub fn new(zone: ZoneOfTrust) -> AccessGraph {
        AccessGraph {
            graph: DiGraph::new(),
            index: HashMap::new(),
            zone,
            edge_set: HashMap::new(),
        }
    }

    /// The node's index, adding the node on first use.
    pub fn node(&mut self, n: Node) -> NodeIndex {
        if let Some(i) = self.index.get(&n) {
            return *i;
        }
        let i = self.graph.add_node(n.clone());
        self.index.insert(n, i);
        i
    }

    pub fn find(&self, n: &Node) -> Option<NodeIndex> {
        self.index.get(n).copied()
    }

    /// The edge of `kind` from `from` to `to`, if the graph has one.
    pub fn find_edge(&self, from: NodeIndex, to: NodeIndex, kind: EdgeKind) -> Option<EdgeIndex> {
        self.edge_set.get(&(from, to, kind)).copied()
    }

    /// Adds an edge unless one of the same kind already joins the two nodes; returns the
    /// edge's index either way.
    pub fn add_edge(
        &mut self,
        from: Node,
        to: Node,
        kind: EdgeKind,
        via: &str,
        evidence: String,
    ) -> EdgeIndex {
        let a = self.node(from);
        let b = self.node(to);
        match self.edge_set.entry((a, b, kind)) {
            std::collections::hash_map::Entry::Occupied(e) => *e.get(),
            std::collections::hash_map::Entry::Vacant(v) => {
                let kind = v.key().2.clone();
                let i = self.graph.add_edge(
                    a,
                    b,
                    Edge {
                        kind,
                        via: via.into(),
                        evidence,
                    },
                );
                v.insert(i);
                i
            }
        }
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }
}

/// Builds the candidate access graph of a model, with every read edge.
pub fn build(model: &Model, sources: &SourceMap) -> Result<AccessGraph, GraphError> {
    let (mut g, reads) = build_without_reads(model, sources)?;
    data::add_edges(&reads, &mut g);
    Ok(g)
}

/// Builds the candidate access graph with read edges from outside actors only; the reads
/// of inside nodes are added on demand through the returned `ReadIndex` (a scan reaches a
/// small part of principals x buckets).
pub fn build_without_reads<'m>(
    model: &'m Model,
    sources: &SourceMap,
) -> Result<(AccessGraph, data::ReadIndex<'m>), GraphError> {
    let zone = ZoneOfTrust::of(model);
    let mut g = AccessGraph::new(zone);
    g.node(Node::Anyone);
    g.node(Node::Internet);
    for (i, _) in model.users.iter().enumerate() {
        g.node(Node::Principal(PrincipalRef::User(crate::model::UserId(
            i as u32,
        ))));
    }
    for (i, _) in model.roles.iter().enumerate() {
        g.node(Node::Principal(PrincipalRef::Role(crate::model::RoleId(
            i as u32,
        ))));
    }
    for (i, _) in model.buckets.iter().enumerate() {
        g.node(Node::Bucket(BucketId(i as u32)));
    }
    let reads = data::ReadIndex::new(model);
    principals::add_edges(model, &reads.perms, &mut g);
    escalation::add_edges(model, &mut g);
    compute::add_edges(model, sources, &mut g);
    network::add_edges(model, sources, &mut g);
    reads.add_outside_edges(&mut g);
    egress::add_edges(&reads.perms, &mut g);
    Ok((g, reads))
}

/// A node's display name: the ARN or id a finding prints for it.
pub fn node_name(model: &Model, n: &Node) -> String {
    match n {
        Node::Anyone => "*".to_string(),
        Node::Account(a) => a.clone(),
        // An OIDC provider ARN is shown as its issuer host, the name claims carry.
        Node::Federated(p) => p
            .rsplit_once(":oidc-provider/")
            .map(|(_, h)| h.to_string())
            .unwrap_or_else(|| p.clone()),
        Node::Internet => "internet".to_string(),
        Node::Principal(p) => principal_arn(model, *p),
        Node::Escalated { principal, gain } => match gain {
            Gain::AnyAction => format!("{} (escalated)", principal_arn(model, *principal)),
            Gain::Group(g) => format!(
                "{} (in {})",
                principal_arn(model, *principal),
                model
                    .groups
                    .get(g.index())
                    .map(|g| model.str(g.arn).to_string())
                    .unwrap_or_default()
            ),
        },
        Node::Instance(i) => model
            .instances
            .get(i.index())
            .map(|x| {
                let id = model.str(x.id);
                format!(
                    "arn:aws:ec2:{}:{}:instance/{}",
                    model.str(x.region),
                    model.str(x.account),
                    id
                )
            })
            .unwrap_or_default(),
        Node::Lambda(f) => model
            .lambda_functions
            .get(f.index())
            .map(|x| model.str(x.arn).to_string())
            .unwrap_or_default(),
        Node::Bucket(b) => model
            .buckets
            .get(b.index())
            .map(|x| model.str(x.arn).to_string())
            .unwrap_or_default(),
        Node::OutsideStorage => "arn:aws:s3:::* (outside the zone of trust)".to_string(),
    }
}

/// The ARN of a user or role.
pub fn principal_arn(model: &Model, p: PrincipalRef) -> String {
    match p {
        PrincipalRef::User(u) => model
            .users
            .get(u.index())
            .map(|x| model.str(x.arn).to_string())
            .unwrap_or_default(),
        PrincipalRef::Role(r) => model
            .roles
            .get(r.index())
            .map(|x| model.str(x.arn).to_string())
            .unwrap_or_default(),
    }
}

/// The account of a user or role.
pub fn principal_account(model: &Model, p: PrincipalRef) -> String {
    match p {
        PrincipalRef::User(u) => model
            .users
            .get(u.index())
            .map(|x| model.str(x.account).to_string())
            .unwrap_or_default(),
        PrincipalRef::Role(r) => model
            .roles
            .get(r.index())
            .map(|x| model.str(x.account).to_string())
            .unwrap_or_default(),
    }
}
