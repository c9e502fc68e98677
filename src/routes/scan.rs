//! The scan's search: edges are confirmed as the search reaches them, never all up front.
//!
//! A large organization has millions of candidate read edges (every principal that may
//! read `*` times every bucket), almost none of which a route from outside can use. So:
//!
//! 1. **Outside reach**, breadth first from the outside actors: each level's candidate
//!    edges are confirmed together (rayon); only the targets of edges that are not denied
//!    are expanded, and a node's read edges are materialized (`graph::data::ReadIndex`)
//!    when the node is reached.
//! 2. **Egress coverage**: a bucket needs one inside principal that can read it and write
//!    outside. Principals with an egress candidate are tried in order (plain principals
//!    before escalated ones, then by graph order); a principal's egress edge is confirmed
//!    only when it may read a bucket no earlier principal covered, and then only its reads
//!    of uncovered buckets are asked. Every candidate pair is still tried until the bucket
//!    is covered, so no egress route is missed.
//!
//! The confirmed edges then feed the same route search as `analyze` (`search`).

use super::confirm::{confirm_edge, EdgeAnswer, EdgeVerdict, Holder};
use super::context::RouteCtx;
use super::finding::ExposureClass;
use super::{Analysis, RouteError, RouteOptions};
use crate::graph::{EdgeKind, Node};
use crate::model::{BucketId, Model, SourceMap};
use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Escalation edges from one node with the same steps ask the same questions whatever
/// their target (the steps name every resource they need): an admin reached from outside
/// has one such edge per principal of its account, and each is one (often large) question.
#[derive(Clone, PartialEq, Eq, Hash)]
struct QuestionKey(NodeIndex, EdgeKind);

fn question_key(an: &Analysis<'_>, e: EdgeIndex) -> Option<QuestionKey> {
    let kind = &an.graph.graph[e].kind;
    if !matches!(kind, EdgeKind::Escalation(_)) {
        return None;
    }
    let (from, _) = an.graph.graph.edge_endpoints(e)?;
    Some(QuestionKey(from, kind.clone()))
}

/// Confirms `edges` (those not answered yet) in parallel and records the answers; edges
/// that ask the same questions as one already answered (`QuestionKey`) share its answer.
fn confirm_all(
    an: &mut Analysis<'_>,
    edges: &[EdgeIndex],
    opts: &RouteOptions<'_>,
    asked: &AtomicUsize,
    shared: &mut HashMap<QuestionKey, EdgeAnswer>,
) {
    let mut todo: Vec<EdgeIndex> = Vec::new();
    // Edges waiting for the answer of another edge with the same questions.
    let mut followers: Vec<(EdgeIndex, QuestionKey)> = Vec::new();
    {
        let mut seen = HashSet::new();
        let mut leaders: HashSet<QuestionKey> = HashSet::new();
        for e in edges.iter().copied() {
            if an.answers.contains_key(&e) || !seen.insert(e) {
                continue;
            }
            match question_key(an, e) {
                Some(k) if shared.contains_key(&k) => {
                    let mut a = shared[&k].clone();
                    a.questions = 0; // asked once, for the edge that answered it
                    an.answers.insert(e, a);
                }
                Some(k) if leaders.contains(&k) => followers.push((e, k)),
                Some(k) => {
                    leaders.insert(k);
                    todo.push(e);
                }
                None => todo.push(e),
            }
        }
    }
    if todo.is_empty() && followers.is_empty() {
        return;
    }
    let graph = &an.graph;
    let ctx = &an.ctx;
    let base = asked.load(Ordering::Relaxed);
    let total = base + todo.len();
    let answered: Vec<(EdgeIndex, EdgeAnswer)> = todo
        .par_iter()
        .filter_map(|e| {
            let (from, to) = graph.graph.edge_endpoints(*e)?;
            let a = confirm_edge(ctx, &graph.graph[from], &graph.graph[to], &graph.graph[*e]);
            let n = asked.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(p) = opts.progress {
                p(n, total.max(n));
            }
            Some((*e, a))
        })
        .collect();
    for (e, a) in answered {
        if let Some(k) = question_key(an, e) {
            shared.insert(k, a.clone());
        }
        an.answers.insert(e, a);
    }
    for (e, k) in followers {
        if let Some(a) = shared.get(&k) {
            let mut a = a.clone();
            a.questions = 0;
            an.answers.insert(e, a);
        }
    }
}

/// What a confirmed read covers of its bucket.
enum ReadCoverage {
    /// Reads objects anywhere in the bucket: no other reader can show more.
    Objects,
    /// Lists the whole bucket, reads no object: readers that may read objects are tried.
    ListsOnly,
    /// Limited to a key prefix (`confirm::read_prefix`): every other reader is still
    /// tried, as each may expose more of the bucket (its own dataset,
    /// `routes::group_findings`).
    Prefix,
}

/// The coverage of read edge `e` for requests `holder` holds; `None` unless allowed.
fn read_coverage(an: &Analysis<'_>, e: EdgeIndex, holder: Holder) -> Option<ReadCoverage> {
    let answer = an.answers.get(&e)?.held_by(holder);
    if answer.verdict != EdgeVerdict::Allowed {
        return None;
    }
    let (from, to) = an.graph.graph.edge_endpoints(e)?;
    let limited = super::confirm::read_prefix(
        &an.ctx,
        &an.graph.graph[from],
        &an.graph.graph[to],
        &an.graph.graph[e],
        answer,
    );
    Some(match (limited, answer.reads_objects()) {
        (Some(_), _) => ReadCoverage::Prefix,
        (None, true) => ReadCoverage::Objects,
        (None, false) => ReadCoverage::ListsOnly,
    })
}

fn usable(an: &Analysis<'_>, e: EdgeIndex, holder: Holder) -> bool {
    an.answers
        .get(&e)
        .is_some_and(|a| a.held_by(holder).verdict != EdgeVerdict::Denied)
}

/// Per exposure class, the nodes its actors reach over usable edges (any number of hops),
/// nearest first (ties in graph order), each with the holder of its requests there
/// (`Holder`; a node reached both by an outsider's assumptions and through our compute
/// appears once per holder).
fn reach_by_class(
    an: &Analysis<'_>,
    actors: &[NodeIndex],
) -> Vec<(ExposureClass, Vec<(NodeIndex, Holder)>)> {
    let mut out = Vec::new();
    for class in [
        ExposureClass::Public,
        ExposureClass::CrossAccount,
        ExposureClass::Federated,
        ExposureClass::InternetCompute,
    ] {
        let starts: Vec<(NodeIndex, Holder)> = actors
            .iter()
            .copied()
            .filter(|a| super::search::class_of(&an.graph.graph[*a]) == Some(class))
            .map(|a| (a, Holder::of_actor(&an.graph.graph[a])))
            .collect();
        let mut seen: HashSet<(NodeIndex, Holder)> = starts.iter().copied().collect();
        let mut order = Vec::new();
        let mut frontier = starts;
        while !frontier.is_empty() {
            let mut next = Vec::new();
            for (n, holder) in &frontier {
                let mut outs: Vec<(NodeIndex, EdgeIndex)> = an
                    .graph
                    .graph
                    .edges(*n)
                    .filter(|e| !matches!(e.weight().kind, EdgeKind::DataRead | EdgeKind::Egress))
                    .map(|e| (e.target(), e.id()))
                    .collect();
                outs.sort();
                for (t, e) in outs {
                    let state = (t, holder.after(&an.graph.graph[e].kind));
                    if usable(an, e, *holder) && seen.insert(state) {
                        next.push(state);
                    }
                }
            }
            order.extend(next.iter().copied());
            frontier = next;
        }
        out.push((class, order));
    }
    out
}

/// Builds the graph and confirms what a scan needs: every edge on a path from outside
/// (breadth first), and egress routes until every bucket an egress-capable principal may
/// read is covered or refuted.
pub fn analyze_for_scan<'a>(
    model: &'a Model,
    sources: &'a SourceMap,
    opts: &RouteOptions<'_>,
) -> Result<Analysis<'a>, RouteError> {
    let mut lap = std::time::Instant::now();
    let mut phases = Vec::new();
    let mut phase = |name: &'static str| {
        phases.push((name, lap.elapsed()));
        lap = std::time::Instant::now();
    };
    let (graph, reads) = crate::graph::build_without_reads(model, sources)?;
    let ctx = RouteCtx::new(model, sources, graph.zone.clone(), super::now_iso(opts));
    phase("graph");
    let mut an = Analysis {
        ctx,
        graph,
        answers: HashMap::new(),
        phases: Vec::new(),
    };
    let asked = AtomicUsize::new(0);
    let mut shared: HashMap<QuestionKey, EdgeAnswer> = HashMap::new();

    // 1. Outside reach, one level at a time, over every edge but reads (reads of accounts
    //    are their own: an outside account reads what names it).
    let mut actors: Vec<NodeIndex> = an
        .graph
        .graph
        .node_indices()
        .filter(|i| an.graph.graph[*i].is_outside_actor())
        .collect();
    actors.sort_by_key(|a| an.graph.graph[*a].sort_key());
    for a in &actors {
        let node = an.graph.graph[*a].clone();
        if matches!(node, Node::Account(_)) {
            reads.add_reads(&mut an.graph, &node);
        }
    }
    // Each exposure class is searched on its own: a node one class reached first must
    // still be reachable for the others.
    for class in [
        ExposureClass::Public,
        ExposureClass::CrossAccount,
        ExposureClass::Federated,
        ExposureClass::InternetCompute,
    ] {
        let starts: Vec<NodeIndex> = actors
            .iter()
            .copied()
            .filter(|a| super::search::class_of(&an.graph.graph[*a]) == Some(class))
            .collect();
        let mut reached: HashSet<NodeIndex> = starts.iter().copied().collect();
        let mut frontier = starts;
        // No depth limit: role chains have none in AWS, and each node is reached once.
        while !frontier.is_empty() {
            let mut edges = Vec::new();
            for n in &frontier {
                for e in an.graph.graph.edges(*n) {
                    let kind = &e.weight().kind;
                    let is_actor_read =
                        matches!(kind, EdgeKind::DataRead) && an.graph.graph[*n].is_outside_actor();
                    // A node an earlier level reached is reached: another way in at a
                    // greater depth would only be an alternative (an admin role reached from
                    // outside has escalation edges to every user and role of its account).
                    let reached_earlier = reached.contains(&e.target());
                    if is_actor_read
                        || (!matches!(kind, EdgeKind::Egress | EdgeKind::DataRead)
                            && !reached_earlier)
                    {
                        edges.push(e.id());
                    }
                }
            }
            confirm_all(&mut an, &edges, opts, &asked, &mut shared);
            let mut next = Vec::new();
            for n in &frontier {
                let mut outs: Vec<(NodeIndex, EdgeIndex)> = an
                    .graph
                    .graph
                    .edges(*n)
                    .filter(|e| !matches!(e.weight().kind, EdgeKind::DataRead))
                    .map(|e| (e.target(), e.id()))
                    .collect();
                outs.sort();
                // Reach is over-approximate here (every holder): the holder-exact reach
                // of `reach_by_class` decides which reads are asked and when a dataset is
                // covered.
                for (t, e) in outs {
                    if usable(&an, e, Holder::Zone) && reached.insert(t) {
                        next.push(t);
                    }
                }
            }
            frontier = next;
        }
    }

    phase("outside reach");
    // 1b. Reads of the inside nodes reached: per exposure class and bucket, the nodes the
    //     class reaches are tried nearest first until one object read is confirmed.
    // (bucket, class) -> candidate reader nodes (and their holders), nearest first.
    let mut wanted: BTreeMap<(BucketId, ExposureClass), Vec<(NodeIndex, Holder)>> = BTreeMap::new();
    let mut reads_cache: HashMap<NodeIndex, Vec<BucketId>> = HashMap::new();
    for (class, nodes) in reach_by_class(&an, &actors) {
        for (n, holder) in nodes {
            let node = an.graph.graph[n].clone();
            if !matches!(node, Node::Principal(_) | Node::Escalated { .. }) {
                continue;
            }
            let buckets = reads_cache
                .entry(n)
                .or_insert_with(|| reads.reads_of(&node));
            for b in buckets.iter() {
                wanted.entry((*b, class)).or_default().push((n, holder));
            }
        }
    }
    // Keys with a confirmed read that lists but reads no object: only readers that may read
    // objects are tried further (the finding must show the object read if a route has one).
    let mut listed: HashSet<(BucketId, ExposureClass)> = HashSet::new();
    let mut round = 0;
    loop {
        if round >= wanted.values().map(Vec::len).max().unwrap_or(0) {
            break;
        }
        let mut batch: Vec<((BucketId, ExposureClass), EdgeIndex, Holder)> = Vec::new();
        for (key, nodes) in &wanted {
            if let Some((n, holder)) = nodes.get(round) {
                let node = an.graph.graph[*n].clone();
                if listed.contains(key) && !reads.may_read_objects(&node, key.0) {
                    continue;
                }
                let e = an.graph.add_edge(
                    node,
                    Node::Bucket(key.0),
                    EdgeKind::DataRead,
                    "s3:GetObject",
                    String::new(),
                );
                batch.push((*key, e, *holder));
            }
        }
        let edges: Vec<EdgeIndex> = batch.iter().map(|(_, e, _)| *e).collect();
        confirm_all(&mut an, &edges, opts, &asked, &mut shared);
        for (key, e, holder) in batch {
            match read_coverage(&an, e, holder) {
                Some(ReadCoverage::Objects) => {
                    wanted.remove(&key);
                }
                Some(ReadCoverage::ListsOnly) => {
                    listed.insert(key);
                }
                Some(ReadCoverage::Prefix) | None => {}
            }
        }
        round += 1;
    }

    phase("reads of reached nodes");
    // 2. Egress coverage.
    let mut egress_nodes: Vec<(NodeIndex, EdgeIndex)> = an
        .graph
        .graph
        .edge_indices()
        .filter(|e| matches!(an.graph.graph[*e].kind, EdgeKind::Egress))
        .filter_map(|e| an.graph.graph.edge_endpoints(e).map(|(from, _)| (from, e)))
        .collect();
    egress_nodes.sort_by_key(|(n, _)| {
        let node = &an.graph.graph[*n];
        (matches!(node, Node::Escalated { .. }), node.sort_key())
    });
    let mut uncovered: HashSet<BucketId> = (0..model.buckets.len())
        .map(|i| BucketId(i as u32))
        .collect();
    // Buckets an egress-capable principal was confirmed to list but not to read objects of.
    let mut egress_listed: HashSet<BucketId> = HashSet::new();
    // (bucket, reader account) pairs no further reader of the account needs to try: an
    // `unknown` read is on record and no principal of the account can be allowed through a
    // network path the export holds (`relaxed::held_reads_refuted`).
    let mut settled: HashSet<(BucketId, String)> = HashSet::new();
    let mut relaxed_refuted: HashMap<(BucketId, String), bool> = HashMap::new();
    for (n, egress) in egress_nodes {
        if uncovered.is_empty() {
            break;
        }
        let node = an.graph.graph[n].clone();
        let account = match &node {
            Node::Principal(p) | Node::Escalated { principal: p, .. } => {
                crate::graph::principal_account(model, *p)
            }
            _ => String::new(),
        };
        let wanted: Vec<BucketId> = reads
            .reads_of(&node)
            .into_iter()
            .filter(|b| {
                uncovered.contains(b)
                    && !settled.contains(&(*b, account.clone()))
                    && (!egress_listed.contains(b) || reads.may_read_objects(&node, *b))
            })
            .collect();
        if wanted.is_empty() {
            continue;
        }
        // An escalated node is entered through its principal's escalation.
        if matches!(node, Node::Escalated { .. }) {
            let into: Vec<EdgeIndex> = an
                .graph
                .graph
                .edges_directed(n, petgraph::Direction::Incoming)
                .filter(|e| matches!(e.weight().kind, EdgeKind::Escalation(_)))
                .map(|e| e.id())
                .collect();
            confirm_all(&mut an, &into, opts, &asked, &mut shared);
            if !into.iter().any(|e| usable(&an, *e, Holder::Zone)) {
                continue;
            }
        }
        confirm_all(&mut an, &[egress], opts, &asked, &mut shared);
        if !usable(&an, egress, Holder::Zone) {
            continue;
        }
        let read_edges: Vec<(BucketId, EdgeIndex)> = wanted
            .iter()
            .map(|b| {
                let e = an.graph.add_edge(
                    node.clone(),
                    Node::Bucket(*b),
                    EdgeKind::DataRead,
                    "s3:GetObject",
                    String::new(),
                );
                (*b, e)
            })
            .collect();
        let just_edges: Vec<EdgeIndex> = read_edges.iter().map(|(_, e)| *e).collect();
        confirm_all(&mut an, &just_edges, opts, &asked, &mut shared);
        let egress_allowed = an
            .answers
            .get(&egress)
            .is_some_and(|a| a.verdict == EdgeVerdict::Allowed);
        // Only an unknown read on a confirmed egress can settle a bucket for the account.
        let unknown_reads: Vec<BucketId> = read_edges
            .iter()
            .filter(|_| egress_allowed)
            .filter(|(_, e)| {
                an.answers
                    .get(e)
                    .is_some_and(|a| a.verdict == EdgeVerdict::Unknown)
            })
            .map(|(b, _)| *b)
            .filter(|b| !relaxed_refuted.contains_key(&(*b, account.clone())))
            .collect();
        let ctx = &an.ctx;
        let refuted: Vec<(BucketId, bool)> = unknown_reads
            .par_iter()
            .map(|b| (*b, super::relaxed::held_reads_refuted(ctx, *b, &account)))
            .collect();
        for (b, r) in refuted {
            relaxed_refuted.insert((b, account.clone()), r);
        }
        for (b, e) in &read_edges {
            let unknown = an
                .answers
                .get(e)
                .is_some_and(|a| a.verdict == EdgeVerdict::Unknown);
            if egress_allowed
                && unknown
                && relaxed_refuted.get(&(*b, account.clone())) == Some(&true)
            {
                settled.insert((*b, account.clone()));
            }
        }
        for (b, e) in read_edges {
            if !egress_allowed {
                continue;
            }
            match read_coverage(&an, e, Holder::Zone) {
                Some(ReadCoverage::Objects) => {
                    uncovered.remove(&b);
                }
                Some(ReadCoverage::ListsOnly) => {
                    egress_listed.insert(b);
                }
                Some(ReadCoverage::Prefix) | None => {}
            }
        }
    }
    phase("egress coverage");
    an.phases = phases;
    Ok(an)
}
