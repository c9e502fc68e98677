//! Egress edges: an inside principal that may write objects to storage outside the zone of
//! trust (`s3:PutObject` on a bucket of another account). Candidates are principals whose
//! identity policies may allow `s3:PutObject` on some bucket ARN at all; `routes` confirms
//! with a concrete outside destination, with the SCPs, boundary, and the
//! `aws:ResourceAccount` / `aws:ResourceOrgID` conditions that usually fence egress in.

use super::patterns::{doc_may_allow, ResourceTarget};
use super::principals::identity_may_allow;
use super::{AccessGraph, EdgeKind, Gain, Node};
use crate::model::{Collected, Model};

pub const EGRESS_ACTION: &str = "s3:PutObject";

pub fn add_edges(model: &Model, g: &mut AccessGraph) {
    let nodes: Vec<Node> = g
        .graph
        .node_indices()
        .filter_map(|i| g.graph.node_weight(i).cloned())
        .filter(|n| matches!(n, Node::Principal(_) | Node::Escalated { .. }))
        .collect();
    let any_bucket = ResourceTarget::Prefix("arn:aws:s3:::");
    for n in nodes {
        let may = match &n {
            Node::Principal(p) => identity_may_allow(model, *p, EGRESS_ACTION, any_bucket),
            Node::Escalated {
                gain: Gain::AnyAction,
                ..
            } => true,
            Node::Escalated {
                principal,
                gain: Gain::Group(gid),
            } => {
                identity_may_allow(model, *principal, EGRESS_ACTION, any_bucket)
                    || model.groups.get(gid.index()).is_some_and(|grp| {
                        grp.inline_policies
                            .iter()
                            .map(|p| Collected::Present(*p))
                            .chain(
                                grp.attached_policies
                                    .iter()
                                    .map(|a| model.managed_document(a)),
                            )
                            .any(|c| match c {
                                Collected::Present(pid) => model.policy(pid).is_some_and(|pol| {
                                    doc_may_allow(&pol.document, EGRESS_ACTION, any_bucket)
                                }),
                                Collected::Missing => true,
                            })
                    })
            }
            _ => false,
        };
        if may {
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
