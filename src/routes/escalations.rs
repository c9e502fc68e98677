//! Privilege-escalation paths per principal: which users and roles can gain permissions
//! they do not hold, through confirmed escalation edges, possibly after assuming roles.
//!
//! A principal escalates when a path of confirmed assume-role and escalation edges, with at
//! least one escalation edge, leaves it (so a user that can assume a role which can rewrite
//! its own policies escalates too). The shortest such path is reported.

use super::confirm::EdgeVerdict;
use super::finding::RouteHop;
use super::{analyze, Analysis, RouteError, RouteOptions};
use crate::graph::{node_name, AccessGraph, EdgeKind, Node};
use crate::model::{Model, SourceMap};
use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::{HashMap, VecDeque};

/// One principal's escalation: the shortest path and the detectors on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalEscalation {
    pub principal: String,
    pub path: Vec<RouteHop>,
    pub detectors: Vec<String>,
}

fn is_inside_edge(g: &AccessGraph, e: EdgeIndex) -> bool {
    matches!(
        g.graph[e].kind,
        EdgeKind::AssumeRole | EdgeKind::Escalation(_)
    )
}

/// The edges an escalation analysis needs: assume-role and escalation edges between
/// inside principals.
pub fn escalation_edges(g: &AccessGraph) -> Vec<EdgeIndex> {
    g.graph
        .edge_indices()
        .filter(|e| {
            is_inside_edge(g, *e)
                && g.graph.edge_endpoints(*e).is_some_and(|(a, _)| {
                    matches!(g.graph[a], Node::Principal(_) | Node::Escalated { .. })
                })
        })
        .collect()
}

/// Every principal with an escalation path, sorted by ARN.
pub fn escalation_paths(
    model: &Model,
    sources: &SourceMap,
    opts: &RouteOptions<'_>,
) -> Result<Vec<PrincipalEscalation>, RouteError> {
    let an = analyze(model, sources, opts, escalation_edges)?;
    Ok(paths_in(&an, opts.max_hops.max(1)))
}

/// Escalation paths in an analysis already made.
pub fn paths_in(an: &Analysis<'_>, max_hops: usize) -> Vec<PrincipalEscalation> {
    let g = &an.graph;
    let allowed = |e: EdgeIndex| {
        an.answers
            .get(&e)
            .is_some_and(|a| a.verdict == EdgeVerdict::Allowed)
    };
    let mut out = Vec::new();
    for start in g.graph.node_indices() {
        if !matches!(g.graph[start], Node::Principal(_)) {
            continue;
        }
        // BFS over (node, used an escalation edge yet); parents to rebuild the path.
        let mut parent: HashMap<(NodeIndex, bool), (NodeIndex, bool, EdgeIndex)> = HashMap::new();
        let mut depth: HashMap<(NodeIndex, bool), usize> = HashMap::from([((start, false), 0)]);
        let mut queue = VecDeque::from([(start, false)]);
        let mut found: Option<(NodeIndex, bool)> = None;
        while let Some((n, esc)) = queue.pop_front() {
            if esc {
                found = Some((n, esc));
                break;
            }
            let d = depth.get(&(n, esc)).copied().unwrap_or(0);
            if d >= max_hops {
                continue;
            }
            let mut edges: Vec<_> = g.graph.edges(n).collect();
            edges.sort_by_key(|e| (e.target(), e.id()));
            for e in edges {
                if !is_inside_edge(g, e.id()) || !allowed(e.id()) || e.target() == start {
                    continue;
                }
                let next = (
                    e.target(),
                    esc || matches!(g.graph[e.id()].kind, EdgeKind::Escalation(_)),
                );
                if depth.contains_key(&next) {
                    continue;
                }
                depth.insert(next, d + 1);
                parent.insert(next, (n, esc, e.id()));
                queue.push_back(next);
            }
        }
        let Some(mut cur) = found else { continue };
        let mut edges = Vec::new();
        while let Some((pn, pe, e)) = parent.get(&cur).copied() {
            edges.push(e);
            cur = (pn, pe);
        }
        edges.reverse();
        let model = an.ctx.model;
        let mut path = Vec::new();
        let mut detectors = Vec::new();
        for e in edges {
            let Some((a, b)) = g.graph.edge_endpoints(e) else {
                continue;
            };
            let edge = &g.graph[e];
            if let EdgeKind::Escalation(x) = &edge.kind {
                detectors.push(x.detector.to_string());
            }
            path.push(RouteHop {
                from: node_name(model, &g.graph[a]),
                to: node_name(model, &g.graph[b]),
                via: edge.via.clone(),
                policy: an
                    .answers
                    .get(&e)
                    .and_then(|x| x.cites.first().cloned())
                    .unwrap_or_default(),
            });
        }
        out.push(PrincipalEscalation {
            principal: node_name(model, &g.graph[start]),
            path,
            detectors,
        });
    }
    out.sort_by(|a, b| a.principal.cmp(&b.principal));
    out
}
