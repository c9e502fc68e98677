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

/// Every principal each principal can act as or escalate to, with the shortest path
/// there: `escalation_paths` reports only each principal's nearest escalation; this lists
/// every node (principal, role session, escalated principal) reached over confirmed
/// assume-role and escalation edges, one entry per (principal, reached node), sorted by
/// principal then path length. An entry whose `detectors` is empty was reached by
/// assuming roles alone.
pub fn escalation_reach(
    model: &Model,
    sources: &SourceMap,
    opts: &RouteOptions<'_>,
) -> Result<Vec<PrincipalEscalation>, RouteError> {
    let an = analyze(model, sources, opts, escalation_edges)?;
    Ok(reach_in(&an, opts.max_hops.max(1)))
}

/// Breadth-first search from `start` over confirmed inside edges, on states (node, an
/// escalation edge used yet). Calls `visit` on each state reached, in BFS order, until it
/// returns true; returns that state (if any) and the parents to rebuild paths with.
fn search(
    an: &Analysis<'_>,
    start: NodeIndex,
    max_hops: usize,
    mut visit: impl FnMut((NodeIndex, bool)) -> bool,
) -> (Option<(NodeIndex, bool)>, Parents) {
    let g = &an.graph;
    let allowed = |e: EdgeIndex| {
        an.answers
            .get(&e)
            .is_some_and(|a| a.verdict == EdgeVerdict::Allowed)
    };
    let mut parent: Parents = HashMap::new();
    let mut depth: HashMap<(NodeIndex, bool), usize> = HashMap::from([((start, false), 0)]);
    let mut queue = VecDeque::from([(start, false)]);
    while let Some((n, esc)) = queue.pop_front() {
        if visit((n, esc)) {
            return (Some((n, esc)), parent);
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
    (None, parent)
}

/// BFS parents: state -> (previous node, its escalation flag, edge taken).
type Parents = HashMap<(NodeIndex, bool), (NodeIndex, bool, EdgeIndex)>;

/// The path from the search's start to `end`, as reported.
fn path_to(
    an: &Analysis<'_>,
    start: NodeIndex,
    parent: &Parents,
    end: (NodeIndex, bool),
) -> PrincipalEscalation {
    let g = &an.graph;
    let mut cur = end;
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
            via: edge.via.to_string(),
            policy: an
                .answers
                .get(&e)
                .and_then(|x| x.cites.first().cloned())
                .unwrap_or_default(),
        });
    }
    PrincipalEscalation {
        principal: node_name(model, &g.graph[start]),
        path,
        detectors,
    }
}

fn principal_nodes(an: &Analysis<'_>) -> Vec<NodeIndex> {
    an.graph
        .graph
        .node_indices()
        .filter(|n| matches!(an.graph.graph[*n], Node::Principal(_)))
        .collect()
}

/// Every node each principal reaches, in an analysis already made (see `escalation_reach`).
pub fn reach_in(an: &Analysis<'_>, max_hops: usize) -> Vec<PrincipalEscalation> {
    let mut out = Vec::new();
    for start in principal_nodes(an) {
        let mut reached = Vec::new();
        let (_, parent) = search(an, start, max_hops, |state| {
            if state.0 != start {
                reached.push(state);
            }
            false
        });
        // A node reached both with and without an escalation is listed once, by the
        // shorter path (BFS order: the first time it is seen).
        let mut seen = std::collections::HashSet::new();
        for state in reached {
            if seen.insert(state.0) {
                out.push(path_to(an, start, &parent, state));
            }
        }
    }
    out.sort_by(|a, b| {
        (&a.principal, a.path.len(), &a.path.last().map(|h| &h.to)).cmp(&(
            &b.principal,
            b.path.len(),
            &b.path.last().map(|h| &h.to),
        ))
    });
    out
}

/// Escalation paths in an analysis already made.
pub fn paths_in(an: &Analysis<'_>, max_hops: usize) -> Vec<PrincipalEscalation> {
    let mut out = Vec::new();
    for start in principal_nodes(an) {
        // The first state reached through an escalation edge ends the shortest path.
        if let (Some(end), parent) = search(an, start, max_hops, |(_, esc)| esc) {
            out.push(path_to(an, start, &parent, end));
        }
    }
    out.sort_by(|a, b| a.principal.cmp(&b.principal));
    out
}
