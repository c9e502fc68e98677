//! Route search over confirmed edges: from each outside actor, every simple path (bounded
//! length) that ends with a data read; per dataset and exposure class the route that needs
//! the least (confirmed before unknown, object reads before listings, then fewest hops, then
//! fewest conditions; ranked in `routes::best_finding`) is kept, with the number of other
//! routes as alternatives. Egress routes start at the inside principal that both reads the
//! data and writes outside.

use super::confirm::{EdgeAnswer, EdgeVerdict, Holder};
use crate::graph::{AccessGraph, EdgeKind, Node};
use crate::routes::finding::ExposureClass;
use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Upper bound on paths explored per actor (dense graphs); the best route is still found
/// because paths are explored shortest-first by iterative deepening.
pub const PATH_BUDGET: usize = 20_000;

/// One route: the actor, its class, and the edges in order from the outside to the data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutePath {
    pub actor: NodeIndex,
    pub class: ExposureClass,
    pub bucket: NodeIndex,
    pub edges: Vec<EdgeIndex>,
}

/// The answer of each edge of a route, for the holder of its requests at that hop
/// (`Holder`: an outside route starts with its actor's, an egress route with the zone's).
pub fn hop_answers<'a>(
    g: &AccessGraph,
    answers: &'a HashMap<EdgeIndex, EdgeAnswer>,
    path: &RoutePath,
) -> Vec<Option<&'a EdgeAnswer>> {
    let mut holder = match path.class {
        ExposureClass::Egress => Holder::Zone,
        _ => Holder::of_actor(&g.graph[path.actor]),
    };
    path.edges
        .iter()
        .map(|e| {
            let a = answers.get(e).map(|a| a.held_by(holder));
            holder = holder.after(&g.graph[*e].kind);
            a
        })
        .collect()
}

/// The ranking key of a route (`hop_answers`): smaller needs less.
pub fn route_cost(path: &RoutePath, hops: &[Option<&EdgeAnswer>]) -> (bool, usize, usize) {
    let mut unknown = false;
    let mut conditions = 0;
    for a in hops.iter().flatten() {
        unknown |= a.verdict == EdgeVerdict::Unknown;
        conditions += a.conditions;
    }
    (unknown, path.edges.len(), conditions)
}

pub fn class_of(actor: &Node) -> Option<ExposureClass> {
    match actor {
        Node::Anyone => Some(ExposureClass::Public),
        Node::Account(_) => Some(ExposureClass::CrossAccount),
        Node::Federated(_) => Some(ExposureClass::Federated),
        Node::Internet => Some(ExposureClass::InternetCompute),
        _ => None,
    }
}

fn usable(answers: &HashMap<EdgeIndex, EdgeAnswer>, e: EdgeIndex, holder: Holder) -> bool {
    answers
        .get(&e)
        .is_some_and(|a| a.held_by(holder).verdict != EdgeVerdict::Denied)
}

/// Every route from outside actors, grouped by (bucket, class).
pub fn outside_routes(
    g: &AccessGraph,
    answers: &HashMap<EdgeIndex, EdgeAnswer>,
    max_hops: usize,
) -> BTreeMap<(NodeIndex, ExposureClass), Vec<RoutePath>> {
    let mut out: BTreeMap<(NodeIndex, ExposureClass), Vec<RoutePath>> = BTreeMap::new();
    let mut actors: Vec<NodeIndex> = g
        .graph
        .node_indices()
        .filter(|i| g.graph[*i].is_outside_actor())
        .collect();
    actors.sort_by_key(|a| g.graph[*a].sort_key());
    for actor in actors {
        let Some(class) = class_of(&g.graph[actor]) else {
            continue;
        };
        let mut budget = PATH_BUDGET;
        let mut seen_paths: HashSet<Vec<EdgeIndex>> = HashSet::new();
        // Iterative deepening: shorter routes are found before the budget runs out.
        for depth in 1..=max_hops {
            let mut stack: Vec<EdgeIndex> = Vec::new();
            let mut on_path: HashSet<NodeIndex> = HashSet::from([actor]);
            dfs(
                g,
                answers,
                actor,
                Holder::of_actor(&g.graph[actor]),
                depth,
                &mut stack,
                &mut on_path,
                &mut budget,
                &mut |edges: &[EdgeIndex], bucket: NodeIndex| {
                    if seen_paths.insert(edges.to_vec()) {
                        out.entry((bucket, class)).or_default().push(RoutePath {
                            actor,
                            class,
                            bucket,
                            edges: edges.to_vec(),
                        });
                    }
                },
            );
            if budget == 0 {
                break;
            }
        }
        // Role chains have no length limit in AWS: past `max_hops` (or the budget), the
        // shortest route from this actor to each (bucket, class) no route reaches yet.
        shortest_unreached(g, answers, actor, class, &mut out);
    }
    out
}

/// Breadth first from `actor` over usable edges: for every usable read of a bucket that has
/// no route of `class` yet, the shortest route to it.
fn shortest_unreached(
    g: &AccessGraph,
    answers: &HashMap<EdgeIndex, EdgeAnswer>,
    actor: NodeIndex,
    class: ExposureClass,
    out: &mut BTreeMap<(NodeIndex, ExposureClass), Vec<RoutePath>>,
) {
    // States are (node, holder of its requests): a role reached by an outsider's chain of
    // assumptions and by code on our compute answers differently (`Holder`).
    let start = (actor, Holder::of_actor(&g.graph[actor]));
    let mut parent: HashMap<(NodeIndex, Holder), (EdgeIndex, Holder)> = HashMap::new();
    let mut seen: HashSet<(NodeIndex, Holder)> = HashSet::from([start]);
    let mut queue: std::collections::VecDeque<(NodeIndex, Holder)> = [start].into_iter().collect();
    while let Some((n, holder)) = queue.pop_front() {
        let mut edges: Vec<_> = g.graph.edges(n).collect();
        edges.sort_by_key(|e| (e.target(), e.id()));
        for e in edges {
            if !usable(answers, e.id(), holder) {
                continue;
            }
            match &e.weight().kind {
                EdgeKind::DataRead => {
                    let key = (e.target(), class);
                    if out.contains_key(&key) {
                        continue;
                    }
                    let mut edges = vec![e.id()];
                    let mut at = (n, holder);
                    while let Some((pe, ph)) = parent.get(&at) {
                        edges.push(*pe);
                        match g.graph.edge_endpoints(*pe) {
                            Some((from, _)) => at = (from, *ph),
                            None => break,
                        }
                    }
                    edges.reverse();
                    out.entry(key).or_default().push(RoutePath {
                        actor,
                        class,
                        bucket: e.target(),
                        edges,
                    });
                }
                EdgeKind::Egress => {}
                _ => {
                    let next = (e.target(), holder.after(&e.weight().kind));
                    if seen.insert(next) {
                        parent.insert(next, (e.id(), holder));
                        queue.push_back(next);
                    }
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn dfs(
    g: &AccessGraph,
    answers: &HashMap<EdgeIndex, EdgeAnswer>,
    at: NodeIndex,
    holder: Holder,
    depth_left: usize,
    stack: &mut Vec<EdgeIndex>,
    on_path: &mut HashSet<NodeIndex>,
    budget: &mut usize,
    emit: &mut dyn FnMut(&[EdgeIndex], NodeIndex),
) {
    if depth_left == 0 || *budget == 0 {
        return;
    }
    let mut edges: Vec<_> = g.graph.edges(at).collect();
    edges.sort_by_key(|e| (e.target(), e.id()));
    for e in edges {
        if *budget == 0 {
            return;
        }
        if !usable(answers, e.id(), holder) {
            continue;
        }
        let next = e.target();
        match &e.weight().kind {
            EdgeKind::DataRead => {
                // Only paths of exactly the current depth are emitted at this round.
                if depth_left == 1 {
                    stack.push(e.id());
                    *budget = budget.saturating_sub(1);
                    emit(stack, next);
                    stack.pop();
                }
            }
            EdgeKind::Egress => {}
            _ => {
                if on_path.contains(&next) || depth_left == 1 {
                    continue;
                }
                stack.push(e.id());
                on_path.insert(next);
                dfs(
                    g,
                    answers,
                    next,
                    holder.after(&e.weight().kind),
                    depth_left - 1,
                    stack,
                    on_path,
                    budget,
                    emit,
                );
                on_path.remove(&next);
                stack.pop();
            }
        }
    }
}

/// Egress routes: (escalation into the node, if any) + egress + read, grouped by bucket.
pub fn egress_routes(
    g: &AccessGraph,
    answers: &HashMap<EdgeIndex, EdgeAnswer>,
) -> BTreeMap<NodeIndex, Vec<RoutePath>> {
    let mut out: BTreeMap<NodeIndex, Vec<RoutePath>> = BTreeMap::new();
    for n in g.graph.node_indices() {
        let node = &g.graph[n];
        if !matches!(node, Node::Principal(_) | Node::Escalated { .. }) {
            continue;
        }
        let egress: Vec<EdgeIndex> = g
            .graph
            .edges(n)
            .filter(|e| {
                matches!(e.weight().kind, EdgeKind::Egress) && usable(answers, e.id(), Holder::Zone)
            })
            .map(|e| e.id())
            .collect();
        let Some(egress) = egress.first().copied() else {
            continue;
        };
        // An escalated node is entered through its principal's escalation.
        let prefix: Option<Vec<EdgeIndex>> = match node {
            Node::Escalated { .. } => {
                let mut into: Vec<EdgeIndex> = g
                    .graph
                    .edges_directed(n, petgraph::Direction::Incoming)
                    .filter(|e| {
                        matches!(e.weight().kind, EdgeKind::Escalation(_))
                            && usable(answers, e.id(), Holder::Zone)
                    })
                    .map(|e| e.id())
                    .collect();
                into.sort();
                match into.first() {
                    Some(e) => Some(vec![*e]),
                    None => continue,
                }
            }
            _ => Some(Vec::new()),
        };
        for e in g.graph.edges(n) {
            if !matches!(e.weight().kind, EdgeKind::DataRead)
                || !usable(answers, e.id(), Holder::Zone)
            {
                continue;
            }
            let mut edges = prefix.clone().unwrap_or_default();
            edges.push(egress);
            edges.push(e.id());
            out.entry(e.target()).or_default().push(RoutePath {
                actor: n,
                class: ExposureClass::Egress,
                bucket: e.target(),
                edges,
            });
        }
    }
    out
}
