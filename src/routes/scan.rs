//! The scan's search: edges are confirmed as the search reaches them, never all up front.
//!
//! A large organization has millions of candidate read edges (every principal that may
//! read `*` times every bucket), almost none of which a route from outside can use. So:
//!
//! 1. **Outside reach**, breadth first from the outside actors: each level's candidate
//!    edges (the four exposure classes' levels in step) are confirmed together (rayon),
//!    the actors' own reads alongside; only the targets of edges that are not denied are
//!    expanded, and a node's read edges are materialized (`graph::data::ReadIndex`) when
//!    the node is reached.
//! 2. **Egress coverage**: a bucket needs one inside principal that can read it and write
//!    outside. Principals with an egress candidate are tried in order (plain principals
//!    before escalated ones, then by graph order); a principal's egress edge is confirmed
//!    only when it may read a bucket no earlier principal covered, and then only its reads
//!    of uncovered buckets are asked. Every candidate pair is still tried until the bucket
//!    is covered, so no egress route is missed. The questions of a window of principals
//!    are answered ahead in parallel (`Memo`), then each principal is decided in order.
//!
//! How the work is scheduled never changes what is recorded: an answer computed ahead
//! becomes an edge's answer only when the one-step-at-a-time logic asks for that edge.
//!
//! The confirmed edges then feed the same route search as `analyze` (`search`).

use super::confirm::{confirm_edge, EdgeAnswer, EdgeVerdict, Holder};
use super::context::RouteCtx;
use super::finding::ExposureClass;
use super::relaxed::OnceMap;
use super::{Analysis, RouteError, RouteOptions};
use crate::graph::data::{ReadCandidates, ReadIndex};
use crate::graph::{AccessGraph, Edge, EdgeKind, Node};
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

fn question_key(graph: &AccessGraph, e: EdgeIndex) -> Option<QuestionKey> {
    let kind = &graph.graph[e].kind;
    if !matches!(kind, EdgeKind::Escalation(_)) {
        return None;
    }
    let (from, _) = graph.graph.edge_endpoints(e)?;
    Some(QuestionKey(from, kind.clone()))
}

/// Fewest questions worth one parallel batch: below it a phase answers ahead (`Ahead`) the
/// questions its next steps may need, so that both cores stay busy instead of meeting at a
/// barrier after every few edges.
const AHEAD_BATCH: usize = 64;

/// A question answered ahead of the step that decides whether it is needed: an edge of the
/// graph, or a read (reader node, bucket) that is not an edge yet.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Ahead {
    Edge(EdgeIndex),
    Read(NodeIndex, BucketId),
}

/// Answers a scan keeps besides `Analysis::answers`.
///
/// Answers computed ahead (`answer_ahead`) wait here until the phase's own logic asks for
/// the edge (`confirm_all` takes them); only then do they become the edge's answer. So a
/// scan records exactly the answers it would record asking one step at a time, and its
/// findings do not depend on how far ahead it answered: what is answered ahead and never
/// asked for only costs time.
#[derive(Default)]
struct Memo {
    /// The answer of each escalation question asked (`QuestionKey`).
    shared: HashMap<QuestionKey, EdgeAnswer>,
    /// Edges answered ahead (escalations are kept by `QuestionKey` instead).
    edges: HashMap<EdgeIndex, EdgeAnswer>,
    /// Escalation questions answered ahead.
    keyed: HashMap<QuestionKey, EdgeAnswer>,
    /// Reads answered ahead, by (reader node, bucket).
    reads: HashMap<(NodeIndex, BucketId), EdgeAnswer>,
    /// The read edges the scan added, by (reader node, bucket).
    read_edges: HashMap<(NodeIndex, BucketId), EdgeIndex>,
}

impl Memo {
    /// The answer computed ahead for edge `e`, removed from the memo.
    fn take(&mut self, graph: &AccessGraph, e: EdgeIndex) -> Option<EdgeAnswer> {
        if let Some(a) = self.edges.remove(&e) {
            return Some(a);
        }
        if let Some(k) = question_key(graph, e) {
            return self.keyed.remove(&k);
        }
        let (from, to) = graph.graph.edge_endpoints(e)?;
        match (&graph.graph[e].kind, &graph.graph[to]) {
            (EdgeKind::DataRead, Node::Bucket(b)) => self.reads.remove(&(from, *b)),
            _ => None,
        }
    }

    /// The answer edge `e` has or will have without another question (answered, or
    /// answered ahead).
    fn known<'m>(
        &'m self,
        graph: &AccessGraph,
        answers: &'m HashMap<EdgeIndex, EdgeAnswer>,
        e: EdgeIndex,
    ) -> Option<&'m EdgeAnswer> {
        if let Some(a) = answers.get(&e).or_else(|| self.edges.get(&e)) {
            return Some(a);
        }
        let k = question_key(graph, e)?;
        self.shared.get(&k).or_else(|| self.keyed.get(&k))
    }

    /// Whether `job` needs no question: answered, or answered ahead.
    fn has(
        &self,
        graph: &AccessGraph,
        answers: &HashMap<EdgeIndex, EdgeAnswer>,
        job: Ahead,
    ) -> bool {
        match job {
            Ahead::Edge(e) => self.known(graph, answers, e).is_some(),
            Ahead::Read(n, b) => {
                self.reads.contains_key(&(n, b))
                    || self
                        .read_edges
                        .get(&(n, b))
                        .is_some_and(|e| self.known(graph, answers, *e).is_some())
            }
        }
    }

    /// Adds the read edge from `reader` to bucket `b` (once) and notes it.
    fn add_read(&mut self, an: &mut Analysis<'_>, reader: NodeIndex, b: BucketId) -> EdgeIndex {
        let node = an.graph.graph[reader].clone();
        // The very edge a read answered ahead was asked as.
        let Edge {
            kind,
            via,
            evidence,
        } = read_edge();
        let e = an
            .graph
            .add_edge(node, Node::Bucket(b), kind, &via, evidence);
        self.read_edges.insert((reader, b), e);
        e
    }
}

/// Counts the edges answered for the progress callback.
struct Tally<'o, 'p> {
    opts: &'o RouteOptions<'p>,
    asked: AtomicUsize,
}

impl Tally<'_, '_> {
    fn one_more(&self, total: usize) {
        let n = self.asked.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(p) = self.opts.progress {
            p(n, total.max(n));
        }
    }

    fn so_far(&self) -> usize {
        self.asked.load(Ordering::Relaxed)
    }
}

/// The edge a read from `reader` to bucket `b` becomes (`Memo::add_read`), for asking it
/// before it is one.
fn read_edge() -> Edge {
    Edge {
        kind: EdgeKind::DataRead,
        via: "s3:GetObject".into(),
        evidence: String::new(),
    }
}

/// Answers `jobs` in parallel into the memo (`Memo`), skipping what is answered or
/// answered ahead already and escalations with the same questions as another job.
fn answer_ahead(
    ctx: &RouteCtx<'_>,
    graph: &AccessGraph,
    answers: &HashMap<EdgeIndex, EdgeAnswer>,
    jobs: &[Ahead],
    tally: &Tally<'_, '_>,
    memo: &mut Memo,
) {
    let mut seen: HashSet<Ahead> = HashSet::new();
    let mut keys: HashSet<QuestionKey> = HashSet::new();
    let todo: Vec<Ahead> = jobs
        .iter()
        .copied()
        .filter(|j| !memo.has(graph, answers, *j) && seen.insert(*j))
        .filter(|j| match j {
            Ahead::Edge(e) => question_key(graph, *e).is_none_or(|k| keys.insert(k)),
            Ahead::Read(..) => true,
        })
        .collect();
    if todo.is_empty() {
        return;
    }
    let total = tally.so_far() + todo.len();
    let read = read_edge();
    let answered: Vec<(Ahead, EdgeAnswer)> = todo
        .par_iter()
        .filter_map(|job| {
            let a = match *job {
                Ahead::Edge(e) => {
                    let (from, to) = graph.graph.edge_endpoints(e)?;
                    confirm_edge(ctx, &graph.graph[from], &graph.graph[to], &graph.graph[e])
                }
                Ahead::Read(n, b) => confirm_edge(ctx, &graph.graph[n], &Node::Bucket(b), &read),
            };
            tally.one_more(total);
            Some((*job, a))
        })
        .collect();
    for (job, a) in answered {
        match job {
            Ahead::Edge(e) => match question_key(graph, e) {
                Some(k) => {
                    memo.keyed.insert(k, a);
                }
                None => {
                    memo.edges.insert(e, a);
                }
            },
            Ahead::Read(n, b) => {
                memo.reads.insert((n, b), a);
            }
        }
    }
}

/// Confirms `edges` (those not answered yet) in parallel and records the answers; edges
/// that ask the same questions as one already answered (`QuestionKey`) share its answer,
/// and answers computed ahead (`Memo`) are taken instead of asked again.
fn confirm_all(
    ctx: &RouteCtx<'_>,
    graph: &AccessGraph,
    answers: &mut HashMap<EdgeIndex, EdgeAnswer>,
    edges: &[EdgeIndex],
    tally: &Tally<'_, '_>,
    memo: &mut Memo,
) {
    let mut todo: Vec<EdgeIndex> = Vec::new();
    // Edges waiting for the answer of another edge with the same questions.
    let mut followers: Vec<(EdgeIndex, QuestionKey)> = Vec::new();
    {
        let mut seen = HashSet::new();
        let mut leaders: HashSet<QuestionKey> = HashSet::new();
        for e in edges.iter().copied() {
            if answers.contains_key(&e) || !seen.insert(e) {
                continue;
            }
            match question_key(graph, e) {
                Some(k) if memo.shared.contains_key(&k) => {
                    let mut a = memo.shared[&k].clone();
                    a.questions = 0; // asked once, for the edge that answered it
                    answers.insert(e, a);
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
    let mut answered: Vec<(EdgeIndex, EdgeAnswer)> = Vec::new();
    let mut ask: Vec<EdgeIndex> = Vec::new();
    for e in todo {
        match memo.take(graph, e) {
            Some(a) => answered.push((e, a)),
            None => ask.push(e),
        }
    }
    let total = tally.so_far() + ask.len();
    answered.par_extend(ask.par_iter().filter_map(|e| {
        let (from, to) = graph.graph.edge_endpoints(*e)?;
        let a = confirm_edge(ctx, &graph.graph[from], &graph.graph[to], &graph.graph[*e]);
        tally.one_more(total);
        Some((*e, a))
    }));
    for (e, a) in answered {
        if let Some(k) = question_key(graph, e) {
            memo.shared.insert(k, a.clone());
        }
        answers.insert(e, a);
    }
    for (e, k) in followers {
        if let Some(a) = memo.shared.get(&k) {
            let mut a = a.clone();
            a.questions = 0;
            answers.insert(e, a);
        }
    }
}

/// `confirm_all` over the analysis.
fn confirm(an: &mut Analysis<'_>, edges: &[EdgeIndex], tally: &Tally<'_, '_>, memo: &mut Memo) {
    confirm_all(&an.ctx, &an.graph, &mut an.answers, edges, tally, memo);
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
    let (from, to) = an.graph.graph.edge_endpoints(e)?;
    coverage_of(
        &an.ctx,
        &an.graph.graph[from],
        &an.graph.graph[to],
        &an.graph.graph[e],
        answer,
    )
}

/// The coverage of read `edge` from `from` to `to` with `answer` (one holder's); `None`
/// unless allowed.
fn coverage_of(
    ctx: &RouteCtx<'_>,
    from: &Node,
    to: &Node,
    edge: &Edge,
    answer: &EdgeAnswer,
) -> Option<ReadCoverage> {
    if answer.verdict != EdgeVerdict::Allowed {
        return None;
    }
    let limited = super::confirm::read_prefix(ctx, from, to, edge, answer);
    Some(match (limited, answer.reads_objects()) {
        (Some(_), _) => ReadCoverage::Prefix,
        (None, true) => ReadCoverage::Objects,
        (None, false) => ReadCoverage::ListsOnly,
    })
}

fn usable(an: &Analysis<'_>, e: EdgeIndex, holder: Holder) -> bool {
    usable_in(&an.answers, e, holder)
}

fn usable_in(answers: &HashMap<EdgeIndex, EdgeAnswer>, e: EdgeIndex, holder: Holder) -> bool {
    answers
        .get(&e)
        .is_some_and(|a| a.held_by(holder).verdict != EdgeVerdict::Denied)
}

/// A node a class reaches: the node, the holder of its requests there, and the fewest
/// hops from the class's actors.
type ReachedNode = (NodeIndex, Holder, usize);

/// Per exposure class, the nodes its actors reach over usable edges (any number of hops),
/// nearest first (ties in graph order), each with the holder of its requests there
/// (`Holder`; a node reached both by an outsider's assumptions and through our compute
/// appears once per holder) and its distance.
fn reach_by_class(
    an: &Analysis<'_>,
    actors: &[NodeIndex],
) -> Vec<(ExposureClass, Vec<ReachedNode>)> {
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
        let mut depth = 0;
        while !frontier.is_empty() {
            depth += 1;
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
            order.extend(next.iter().map(|(n, holder)| (*n, *holder, depth)));
            frontier = next;
        }
        out.push((class, order));
    }
    out
}

/// The four exposure classes an outside actor starts, in the order a scan searches them.
const OUTSIDE_CLASSES: [ExposureClass; 4] = [
    ExposureClass::Public,
    ExposureClass::CrossAccount,
    ExposureClass::Federated,
    ExposureClass::InternetCompute,
];

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
    // The context reads only the model (and the zone, a function of it): it is built while
    // the graph is.
    let zone = crate::graph::ZoneOfTrust::of(model);
    let (built, ctx) = rayon::join(
        || crate::graph::build_without_reads(model, sources),
        || RouteCtx::new(model, sources, zone, super::now_iso(opts)),
    );
    let (graph, reads) = built?;
    phase("graph");
    let mut an = Analysis {
        ctx,
        graph,
        answers: HashMap::new(),
        phases: Vec::new(),
    };
    let tally = Tally {
        opts,
        asked: AtomicUsize::new(0),
    };
    let mut memo = Memo::default();

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
    // The actors' own reads open no further edge, so they are answered alongside the
    // levels (rayon::join): they fill the cores while a level waits for its slowest edge.
    let actor_reads: Vec<Ahead> = actors
        .iter()
        .flat_map(|a| an.graph.graph.edges(*a))
        .filter(|e| matches!(e.weight().kind, EdgeKind::DataRead))
        .map(|e| Ahead::Edge(e.id()))
        .collect();
    {
        let Analysis {
            ctx,
            graph,
            answers,
            ..
        } = &mut an;
        let (ctx, graph) = (&*ctx, &*graph);
        let mut read_memo = Memo::default();
        let ((), ()) = rayon::join(
            || outside_reach(ctx, graph, answers, &actors, &tally, &mut memo),
            || {
                answer_ahead(
                    ctx,
                    graph,
                    &HashMap::new(),
                    &actor_reads,
                    &tally,
                    &mut read_memo,
                )
            },
        );
        let read_edges: Vec<EdgeIndex> = actor_reads
            .iter()
            .filter_map(|j| match j {
                Ahead::Edge(e) => Some(*e),
                Ahead::Read(..) => None,
            })
            .collect();
        memo.edges.extend(read_memo.edges);
        confirm_all(ctx, graph, answers, &read_edges, &tally, &mut memo);
    }

    phase("outside reach");
    // 1b. Reads of the inside nodes reached: per exposure class and bucket, the nodes the
    //     class reaches are tried nearest first until one object read is confirmed.
    // (bucket, class) -> candidate reader nodes (with their holders and distances),
    // nearest first.
    let mut wanted = WantedReads::new();
    let reached = reach_by_class(&an, &actors);
    let mut readers: Vec<NodeIndex> = reached
        .iter()
        .flat_map(|(_, nodes)| nodes.iter().map(|(n, _, _)| *n))
        .filter(|n| {
            matches!(
                an.graph.graph[*n],
                Node::Principal(_) | Node::Escalated { .. }
            )
        })
        .collect();
    readers.sort();
    readers.dedup();
    let mut reads_cache: ReadsOf = reads_of_all(&an, &reads, &readers);
    let account_of: HashMap<NodeIndex, String> = readers
        .iter()
        .filter_map(|n| match &an.graph.graph[*n] {
            Node::Principal(p) | Node::Escalated { principal: p, .. } => {
                Some((*n, crate::graph::principal_account(model, *p)))
            }
            _ => None,
        })
        .collect();
    // Nodes whose reads also make egress routes (`search::egress_routes`).
    let egress_capable: HashSet<NodeIndex> = an
        .graph
        .graph
        .edge_indices()
        .filter(|e| matches!(an.graph.graph[*e].kind, EdgeKind::Egress))
        .filter_map(|e| an.graph.graph.edge_endpoints(e).map(|(from, _)| from))
        .collect();
    for (class, nodes) in reached {
        for (n, holder, depth) in nodes {
            let Some(buckets) = reads_cache.get(&n) else {
                continue;
            };
            for (b, may) in buckets.iter() {
                wanted
                    .entry((*b, class))
                    .or_default()
                    .push((n, holder, depth, *may));
            }
        }
    }
    let relaxed_refuted = reads_of_reached(
        &mut an,
        wanted,
        &account_of,
        &egress_capable,
        &tally,
        &mut memo,
    );

    phase("reads of reached nodes");
    egress_coverage(
        &mut an,
        &reads,
        &mut reads_cache,
        relaxed_refuted,
        &tally,
        &mut memo,
    );
    phase("egress coverage");
    an.phases = phases;
    Ok(an)
}

/// The readers of each (bucket, class) key, with the holder of their requests, their
/// distance and the reads they may be allowed, nearest first.
type WantedReads =
    BTreeMap<(BucketId, ExposureClass), Vec<(NodeIndex, Holder, usize, ReadCandidates)>>;

/// The buckets each reader node may read (`ReadIndex::reads_of`).
type ReadsOf = HashMap<NodeIndex, Vec<(BucketId, ReadCandidates)>>;

/// Phase 1b, reads of the inside nodes reached: per (bucket, class) key, its readers are
/// tried nearest first until one object read is confirmed (`walk_key`). Returns the
/// (bucket, reader account) pairs asked `relaxed::held_reads_refuted`, with the answers.
///
/// Each key's walk depends only on its own reads' answers, so the keys are walked in
/// parallel, each on its own, the answers they share (a reader's read of a bucket serves
/// every class; the refutations serve every key of a bucket) computed once (`OnceMap`).
/// Then the reads the walks asked become edges with their answers in the order a walk of
/// every key one round at a time would add them (round, then key), so the graph does not
/// depend on which walk finished first. Walking the keys in rounds instead left the cores
/// at a barrier after every round: 1,904 rounds on the one-account 5,000-role export, 1,807
/// of them with fewer than 64 reads, and the rounds' bookkeeping on one thread.
fn reads_of_reached(
    an: &mut Analysis<'_>,
    wanted: WantedReads,
    account_of: &HashMap<NodeIndex, String>,
    egress_capable: &HashSet<NodeIndex>,
    tally: &Tally<'_, '_>,
    memo: &mut Memo,
) -> HashMap<(BucketId, String), bool> {
    let walks = KeyWalks {
        an,
        memo,
        account_of,
        egress_capable,
        tally,
        total: tally.so_far() + wanted.values().map(Vec::len).sum::<usize>(),
        answers: OnceMap::default(),
        objects_refuted: OnceMap::default(),
        relaxed_refuted: OnceMap::default(),
    };
    let mut asked: Vec<(usize, (BucketId, ExposureClass), NodeIndex)> = wanted
        .par_iter()
        .flat_map_iter(|(key, nodes)| {
            walks
                .walk_key(*key, nodes)
                .into_iter()
                .map(|(round, n)| (round, *key, n))
        })
        .collect();
    let KeyWalks {
        answers,
        relaxed_refuted,
        ..
    } = walks;
    let mut answers = answers.into_values();
    asked.sort_unstable();
    let mut unanswered = Vec::new();
    for (_, key, n) in asked {
        let e = memo.add_read(an, n, key.0);
        if an.answers.contains_key(&e) {
            continue;
        }
        match memo
            .take(&an.graph, e)
            .or_else(|| answers.remove(&(n, key.0)))
        {
            Some(a) => {
                an.answers.insert(e, a);
            }
            // Only when a walk could not share its answer (a poisoned lock).
            None => unanswered.push(e),
        }
    }
    confirm(an, &unanswered, tally, memo);
    relaxed_refuted.into_values()
}

/// What the key walks of the reads phase share (`reads_of_reached`).
struct KeyWalks<'w, 'a, 'o, 'p> {
    an: &'w Analysis<'a>,
    memo: &'w Memo,
    account_of: &'w HashMap<NodeIndex, String>,
    egress_capable: &'w HashSet<NodeIndex>,
    tally: &'w Tally<'o, 'p>,
    /// Questions the phase may ask at most, for the progress callback.
    total: usize,
    /// The reads the walks asked, by (reader node, bucket).
    answers: OnceMap<(NodeIndex, BucketId), EdgeAnswer>,
    /// Whether every object read of (reader node, bucket) is refuted by its KMS leg
    /// (`confirm::object_reads_refuted`).
    objects_refuted: OnceMap<(NodeIndex, BucketId), bool>,
    /// `relaxed::held_reads_refuted` of (bucket, reader account).
    relaxed_refuted: OnceMap<(BucketId, String), bool>,
}

impl KeyWalks<'_, '_, '_, '_> {
    /// The readers of `key` tried nearest first until one reads objects anywhere in the
    /// bucket (`ReadCoverage::Objects`); returns the position of each reader whose read
    /// was asked.
    ///
    /// A reader is skipped when it cannot show more than the reads on record:
    /// - the bucket is listed by a confirmed read that reads no object
    ///   (`ReadCoverage::ListsOnly`) and the reader may not read objects, or every object
    ///   read of it is refuted by its KMS leg (the finding must show the object read if a
    ///   route has one);
    /// - it may not list and every object read of it is refuted by its KMS leg;
    /// - an `unknown` read of a nearer reader of its account is on record and no principal
    ///   of the account can read the bucket through a network path the export holds
    ///   (`relaxed::held_reads_refuted`): it can only add an unknown or denied route with
    ///   more hops than the one on record, which ranks before it (`routes::best_finding`).
    ///   Readers that write outside are still tried: their reads are egress routes too.
    fn walk_key(
        &self,
        key: (BucketId, ExposureClass),
        nodes: &[(NodeIndex, Holder, usize, ReadCandidates)],
    ) -> Vec<(usize, NodeIndex)> {
        let (graph, b) = (&self.an.graph.graph, key.0);
        let has_kms = self.an.ctx.aws_managed_keys.contains_key(&b.index())
            || self.an.ctx.model.bucket_kms_key(b).is_some();
        let mut asked = Vec::new();
        let mut listed = false;
        // Per reader account, the distance of its nearest unknown read refuted as above.
        let mut unknown_at: HashMap<&str, usize> = HashMap::new();
        for (round, (n, holder, depth, may)) in nodes.iter().enumerate() {
            let node = &graph[*n];
            let account = self.account_of.get(n).map_or("", String::as_str);
            if !self.egress_capable.contains(n)
                && unknown_at.get(account).is_some_and(|at| at < depth)
            {
                continue;
            }
            if listed && !may.objects() {
                continue;
            }
            // Only a bucket with a KMS key (`RouteCtx::bucket_inputs`) has a KMS leg.
            if may.objects()
                && has_kms
                && (listed || !may.listing())
                && self.objects_refuted.with(
                    (*n, b),
                    || super::confirm::object_reads_refuted(&self.an.ctx, node, b),
                    |refuted| *refuted,
                )
            {
                continue;
            }
            asked.push((round, *n));
            let (verdict, coverage) = self.read(*n, b, *holder);
            if verdict == EdgeVerdict::Unknown
                && self.relaxed_refuted.with(
                    (b, account.to_string()),
                    || super::relaxed::held_reads_refuted(&self.an.ctx, b, account),
                    |refuted| *refuted,
                )
            {
                unknown_at.entry(account).or_insert(*depth);
            }
            match coverage {
                Some(ReadCoverage::Objects) => break,
                Some(ReadCoverage::ListsOnly) => listed = true,
                Some(ReadCoverage::Prefix) | None => {}
            }
        }
        asked
    }

    /// The verdict and coverage for `holder` of the read of bucket `b` by node `n`: the
    /// answer on record or answered ahead (as `confirm_all` would take it), or else asked
    /// once for every walk.
    fn read(
        &self,
        n: NodeIndex,
        b: BucketId,
        holder: Holder,
    ) -> (EdgeVerdict, Option<ReadCoverage>) {
        let (an, graph) = (self.an, &self.an.graph);
        let to = Node::Bucket(b);
        let existing = graph
            .find(&to)
            .and_then(|t| graph.find_edge(n, t, EdgeKind::DataRead));
        let fresh = read_edge();
        let edge = existing.map_or(&fresh, |e| &graph.graph[e]);
        let from = &graph.graph[n];
        let outcome = |a: &EdgeAnswer| {
            let a = a.held_by(holder);
            (a.verdict, coverage_of(&an.ctx, from, &to, edge, a))
        };
        let known = existing
            .and_then(|e| self.memo.known(graph, &an.answers, e))
            .or_else(|| self.memo.reads.get(&(n, b)));
        if let Some(a) = known {
            return outcome(a);
        }
        self.answers.with(
            (n, b),
            || {
                let a = confirm_edge(&an.ctx, from, &to, edge);
                self.tally.one_more(self.total);
                a
            },
            outcome,
        )
    }
}

/// `ReadIndex::reads_of` for each of `nodes`, in parallel (the index is shared; its
/// caches are behind locks).
fn reads_of_all(an: &Analysis<'_>, reads: &ReadIndex<'_>, nodes: &[NodeIndex]) -> ReadsOf {
    let graph = &an.graph.graph;
    nodes
        .par_iter()
        .map(|n| (*n, reads.reads_of(&graph[*n])))
        .collect()
}

/// Phase 1: breadth first from the outside actors over every edge but reads and egress,
/// each exposure class on its own (a node one class reached first must still be reachable
/// for the others), the classes' levels in step so that each level is one parallel batch.
/// The actors' reads are left to the caller.
fn outside_reach(
    ctx: &RouteCtx<'_>,
    graph: &AccessGraph,
    answers: &mut HashMap<EdgeIndex, EdgeAnswer>,
    actors: &[NodeIndex],
    tally: &Tally<'_, '_>,
    memo: &mut Memo,
) {
    // Per class: the nodes reached and the current level.
    let mut classes: Vec<(HashSet<NodeIndex>, Vec<NodeIndex>)> = OUTSIDE_CLASSES
        .iter()
        .map(|class| {
            let starts: Vec<NodeIndex> = actors
                .iter()
                .copied()
                .filter(|a| super::search::class_of(&graph.graph[*a]) == Some(*class))
                .collect();
            (starts.iter().copied().collect(), starts)
        })
        .collect();
    // No depth limit: role chains have none in AWS, and each node is reached once.
    while classes.iter().any(|(_, frontier)| !frontier.is_empty()) {
        let mut edges = Vec::new();
        for (reached, frontier) in &classes {
            for n in frontier {
                for e in graph.graph.edges(*n) {
                    // A node an earlier level reached is reached: another way in at a
                    // greater depth would only be an alternative (an admin role reached
                    // from outside has escalation edges to every user and role of its
                    // account).
                    if !matches!(e.weight().kind, EdgeKind::Egress | EdgeKind::DataRead)
                        && !reached.contains(&e.target())
                    {
                        edges.push(e.id());
                    }
                }
            }
        }
        confirm_all(ctx, graph, answers, &edges, tally, memo);
        for (reached, frontier) in &mut classes {
            let mut next = Vec::new();
            for n in frontier.iter() {
                let mut outs: Vec<(NodeIndex, EdgeIndex)> = graph
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
                    if usable_in(answers, e, Holder::Zone) && reached.insert(t) {
                        next.push(t);
                    }
                }
            }
            *frontier = next;
        }
    }
}

/// Phase 2, egress coverage: a bucket needs one inside principal that can read it and
/// write outside. Principals with an egress candidate are tried in order (plain before
/// escalated, then graph order); a principal's egress is confirmed only when it may read
/// a bucket no earlier principal covered, and then only its reads of uncovered buckets.
///
/// The principals are taken in windows: the questions a window's principals may need
/// under the coverage at its start (their escalations in and egress, then the reads of
/// those whose egress is usable) are answered ahead in two parallel batches, then each
/// principal is decided in order exactly as one at a time would (`Memo`). Coverage only
/// grows, so a principal needs no question its window did not answer.
fn egress_coverage(
    an: &mut Analysis<'_>,
    reads: &ReadIndex<'_>,
    reads_cache: &mut ReadsOf,
    relaxed_refuted: HashMap<(BucketId, String), bool>,
    tally: &Tally<'_, '_>,
    memo: &mut Memo,
) {
    let model = an.ctx.model;
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
    let mut state = EgressState {
        uncovered: (0..model.buckets.len())
            .map(|i| BucketId(i as u32))
            .collect(),
        egress_listed: HashSet::new(),
        settled: HashSet::new(),
        relaxed_refuted,
    };
    let accounts: Vec<String> = egress_nodes
        .iter()
        .map(|(n, _)| match &an.graph.graph[*n] {
            Node::Principal(p) | Node::Escalated { principal: p, .. } => {
                crate::graph::principal_account(model, *p)
            }
            _ => String::new(),
        })
        .collect();
    let mut next = 0;
    while next < egress_nodes.len() && !state.uncovered.is_empty() {
        // The window: from `next`, principals with something to read, until their reads
        // may fill a batch.
        let mut end = next;
        let mut window: Vec<(usize, Vec<BucketId>)> = Vec::new();
        let mut reads_in_window = 0;
        while end < egress_nodes.len() && reads_in_window < AHEAD_BATCH {
            let block: Vec<NodeIndex> = egress_nodes
                [end..(end + AHEAD_BATCH).min(egress_nodes.len())]
                .iter()
                .map(|(n, _)| *n)
                .filter(|n| !reads_cache.contains_key(n))
                .collect();
            if !block.is_empty() {
                let mut block: Vec<NodeIndex> = block;
                block.sort();
                block.dedup();
                reads_cache.extend(reads_of_all(an, reads, &block));
            }
            while end < egress_nodes.len() && reads_in_window < AHEAD_BATCH {
                let Some(&(n, _)) = egress_nodes.get(end) else {
                    break;
                };
                let Some(buckets) = reads_cache.get(&n) else {
                    break;
                };
                let want = state.wanted(buckets, &accounts[end]);
                if !want.is_empty() {
                    reads_in_window += want.len();
                    window.push((end, want));
                }
                end += 1;
                if end % AHEAD_BATCH == 0 {
                    break;
                }
            }
        }
        // Ahead, first the edges into the window's escalated principals and their egress.
        let mut jobs: Vec<Ahead> = Vec::new();
        for (i, _) in &window {
            let (n, egress) = egress_nodes[*i];
            jobs.extend(escalations_into(an, n).into_iter().map(Ahead::Edge));
            jobs.push(Ahead::Edge(egress));
        }
        answer_ahead(&an.ctx, &an.graph, &an.answers, &jobs, tally, memo);
        // Then the reads of those that can write outside.
        let mut jobs: Vec<Ahead> = Vec::new();
        for (i, want) in &window {
            let (n, egress) = egress_nodes[*i];
            let usable_ahead = |e: EdgeIndex| {
                memo.known(&an.graph, &an.answers, e)
                    .is_none_or(|a| a.verdict != EdgeVerdict::Denied)
            };
            let into = escalations_into(an, n);
            if (!into.is_empty() && !into.iter().any(|e| usable_ahead(*e))) || !usable_ahead(egress)
            {
                continue;
            }
            jobs.extend(want.iter().map(|b| Ahead::Read(n, *b)));
        }
        answer_ahead(&an.ctx, &an.graph, &an.answers, &jobs, tally, memo);
        // Each principal in order, as if alone.
        for i in next..end {
            if state.uncovered.is_empty() {
                break;
            }
            let (n, egress) = egress_nodes[i];
            let buckets = reads_cache.get(&n).cloned().unwrap_or_default();
            state.cover(an, n, egress, &buckets, &accounts[i], tally, memo);
        }
        next = end;
    }
}

/// The escalation edges into an escalated node (none for a plain principal).
fn escalations_into(an: &Analysis<'_>, n: NodeIndex) -> Vec<EdgeIndex> {
    if !matches!(an.graph.graph[n], Node::Escalated { .. }) {
        return Vec::new();
    }
    an.graph
        .graph
        .edges_directed(n, petgraph::Direction::Incoming)
        .filter(|e| matches!(e.weight().kind, EdgeKind::Escalation(_)))
        .map(|e| e.id())
        .collect()
}

/// What egress coverage knows so far; every set only grows (`uncovered` only shrinks).
struct EgressState {
    uncovered: HashSet<BucketId>,
    /// Buckets an egress-capable principal was confirmed to list but not to read objects of.
    egress_listed: HashSet<BucketId>,
    /// (bucket, reader account) pairs no further reader of the account needs to try: an
    /// `unknown` read is on record and no principal of the account can be allowed through
    /// a network path the export holds (`relaxed::held_reads_refuted`).
    settled: HashSet<(BucketId, String)>,
    relaxed_refuted: HashMap<(BucketId, String), bool>,
}

impl EgressState {
    /// The buckets of `buckets` (what `node` may read) that `node` should try.
    fn wanted(&self, buckets: &[(BucketId, ReadCandidates)], account: &str) -> Vec<BucketId> {
        buckets
            .iter()
            .filter(|(b, may)| {
                self.uncovered.contains(b)
                    && !self.settled.contains(&(*b, account.to_string()))
                    && (!self.egress_listed.contains(b) || may.objects())
            })
            .map(|(b, _)| *b)
            .collect()
    }

    /// Tries principal `n` (egress edge `egress`, readable `buckets`).
    #[allow(clippy::too_many_arguments)]
    fn cover(
        &mut self,
        an: &mut Analysis<'_>,
        n: NodeIndex,
        egress: EdgeIndex,
        buckets: &[(BucketId, ReadCandidates)],
        account: &str,
        tally: &Tally<'_, '_>,
        memo: &mut Memo,
    ) {
        let wanted = self.wanted(buckets, account);
        if wanted.is_empty() {
            return;
        }
        // An escalated node is entered through its principal's escalation.
        let into = escalations_into(an, n);
        if !into.is_empty() {
            confirm(an, &into, tally, memo);
            if !into.iter().any(|e| usable(an, *e, Holder::Zone)) {
                return;
            }
        }
        confirm(an, &[egress], tally, memo);
        if !usable(an, egress, Holder::Zone) {
            return;
        }
        let read_edges: Vec<(BucketId, EdgeIndex)> = wanted
            .iter()
            .map(|b| (*b, memo.add_read(an, n, *b)))
            .collect();
        let just_edges: Vec<EdgeIndex> = read_edges.iter().map(|(_, e)| *e).collect();
        confirm(an, &just_edges, tally, memo);
        let egress_allowed = an
            .answers
            .get(&egress)
            .is_some_and(|a| a.verdict == EdgeVerdict::Allowed);
        let account = account.to_string();
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
            .filter(|b| !self.relaxed_refuted.contains_key(&(*b, account.clone())))
            .collect();
        let ctx = &an.ctx;
        let refuted: Vec<(BucketId, bool)> = unknown_reads
            .par_iter()
            .map(|b| (*b, super::relaxed::held_reads_refuted(ctx, *b, &account)))
            .collect();
        for (b, r) in refuted {
            self.relaxed_refuted.insert((b, account.clone()), r);
        }
        for (b, e) in &read_edges {
            let unknown = an
                .answers
                .get(e)
                .is_some_and(|a| a.verdict == EdgeVerdict::Unknown);
            if egress_allowed
                && unknown
                && self.relaxed_refuted.get(&(*b, account.clone())) == Some(&true)
            {
                self.settled.insert((*b, account.clone()));
            }
        }
        for (b, e) in read_edges {
            if !egress_allowed {
                continue;
            }
            match read_coverage(an, e, Holder::Zone) {
                Some(ReadCoverage::Objects) => {
                    self.uncovered.remove(&b);
                }
                Some(ReadCoverage::ListsOnly) => {
                    self.egress_listed.insert(b);
                }
                Some(ReadCoverage::Prefix) | None => {}
            }
        }
    }
}
