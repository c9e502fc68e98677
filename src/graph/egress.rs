//! Egress edges: an inside principal that may write objects to storage outside the zone of
//! trust (`s3:PutObject` on a bucket of another account). Candidates are principals whose
//! identity policies may allow `s3:PutObject` on some bucket ARN at all; `routes` confirms
//! with a concrete outside destination, with the SCPs, boundary, and the
//! `aws:ResourceAccount` / `aws:ResourceOrgID` conditions that usually fence egress in.

use super::patterns::ResourceTarget;
use super::permissions::PermissionIndex;
use super::{AccessGraph, EdgeKind, Node};

pub const EGRESS_ACTION: &str = "s3:PutObject";

pub fn add_edges(perms: &PermissionIndex<'_>, g: &mut AccessGraph) {
    let nodes: Vec<Node> = g
        .graph
        .node_indices()
        .filter_map(|i| g.graph.node_weight(i).cloned())
        .filter(|n| matches!(n, Node::Principal(_) | Node::Escalated { .. }))
        .collect();
    let any_bucket = ResourceTarget::Prefix("arn:aws:s3:::");
    for n in nodes {
        if perms.may_allow(&n, EGRESS_ACTION, any_bucket) {
            g.add_edge(
                n,
                Node::OutsideStorage,
                EdgeKind::Egress,
                EGRESS_ACTION,
                String::new(),
            );
        }
    }
}
