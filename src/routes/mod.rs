//! Routes: candidate paths from outside actors to data stores, confirmed by the solver.
//!
//! A scan (`find_routes`) builds the access graph without the read edges of inside nodes
//! (`graph::build_without_reads`) and confirms edges as its search reaches them (`scan`):
//! breadth first from the outside actors, then per dataset and class the nearest reader
//! until one read is confirmed, then egress bucket by bucket. Each edge is one solver
//! question per request it needs (`confirm`, in parallel with rayon, answers cached per
//! edge). The confirmed graph is then searched (`search`) and, per dataset and exposure
//! class, the route that needs the least is kept, the other routes the search confirmed
//! counted as alternatives.
//!
//! `analyze` (who-can, escalations, tests) confirms a chosen set of edges of the full
//! candidate graph instead.
//!
//! A route is reported when every edge on it is allowed (`solver.result = "sat"`) or when
//! some edge is `Unknown` and none is denied (`"unknown"`, flagged, never dropped).
//! Findings come out with `Sensitivity::unknown()`, a zero risk and status `New`:
//! `classify`, `rank` and `state` fill those in. A finding's dataset is its bucket, or the
//! key prefix (`arn:aws:s3:::bucket/prefix/`, kind `s3-prefix`) that every object read of
//! its data hop is limited to (`confirm::read_prefix`).

pub mod bucket_grant;
pub mod confirm;
pub mod context;
pub mod escalations;
pub mod finding;
pub mod kms_leg;
pub mod relaxed;
pub mod scan;
pub mod search;
pub mod who_can;

use crate::graph::data::is_object_read;
use crate::graph::{node_name, AccessGraph, EdgeKind, Node};
use crate::model::{Model, SourceMap};
use crate::smt::question::{check_chain, Answer, KeyShape, Question};
use confirm::{confirm_edge, edge_plan, hop_witness, EdgeAnswer, EdgePlan, EdgeVerdict};
use context::RouteCtx;
use finding::{
    Dataset, ExposureClass, Finding, FindingStatus, HopWitness, RouteHop, RouteWitness,
    Sensitivity, SolverOutcome, SolverVerdict,
};
use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use rayon::prelude::*;
use search::{route_cost, RoutePath};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Progress callback: (edges confirmed so far, edges to confirm).
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// Options of a route search.
#[derive(Clone, Copy)]
pub struct RouteOptions<'a> {
    /// Longest route whose alternatives are enumerated, in hops. A dataset reached only by
    /// longer routes still gets its shortest one (role chains have no length limit).
    pub max_hops: usize,
    /// `aws:CurrentTime` of the scan as Unix seconds; `None` = now.
    pub now_epoch: Option<i64>,
    pub progress: Option<Progress<'a>>,
}

impl Default for RouteOptions<'_> {
    fn default() -> Self {
        RouteOptions {
            max_hops: 6,
            now_epoch: None,
            progress: None,
        }
    }
}

/// Errors of the routes stage.
#[derive(Debug, thiserror::Error)]
pub enum RouteError {
    #[error(transparent)]
    Graph(#[from] crate::graph::GraphError),
}

/// Counters of one search, for benchmarks and `--verbose`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteStats {
    pub nodes: usize,
    pub candidate_edges: usize,
    pub confirmed_edges: usize,
    pub unknown_edges: usize,
    pub solver_questions: usize,
    pub routes_considered: usize,
    /// Wall time of each phase of the search, in order (for `LEAKPATH_TIMINGS`).
    pub phases: Vec<(&'static str, std::time::Duration)>,
}

/// Every confirmed route by which data leaves the zone of trust, one finding per dataset
/// and exposure class, sorted by dataset, exposure, actor.
pub fn find_routes(
    model: &Model,
    sources: &SourceMap,
    opts: &RouteOptions<'_>,
) -> Result<Vec<Finding>, RouteError> {
    find_routes_with_stats(model, sources, opts).map(|(f, _)| f)
}

/// The analysis state of one export: the graph and the confirmed edge answers.
pub struct Analysis<'a> {
    pub ctx: RouteCtx<'a>,
    pub graph: AccessGraph,
    pub answers: HashMap<EdgeIndex, EdgeAnswer>,
    /// Wall time of each phase so far (the scan's own phases).
    pub phases: Vec<(&'static str, std::time::Duration)>,
}

pub(crate) fn now_iso(opts: &RouteOptions<'_>) -> String {
    let secs = opts.now_epoch.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    });
    context::iso8601(secs)
}

/// Builds the graph and confirms the given edges (all when `only` is `None`).
pub fn analyze<'a>(
    model: &'a Model,
    sources: &'a SourceMap,
    opts: &RouteOptions<'_>,
    select: impl Fn(&AccessGraph) -> Vec<EdgeIndex>,
) -> Result<Analysis<'a>, RouteError> {
    let graph = crate::graph::build(model, sources)?;
    let ctx = RouteCtx::new(model, sources, graph.zone.clone(), now_iso(opts));
    let edges = select(&graph);
    let total = edges.len();
    let done = AtomicUsize::new(0);
    let answers: HashMap<EdgeIndex, EdgeAnswer> = edges
        .par_iter()
        .map(|e| {
            let a = match graph.graph.edge_endpoints(*e) {
                Some((from, to)) => {
                    confirm_edge(&ctx, &graph.graph[from], &graph.graph[to], &graph.graph[*e])
                }
                None => EdgeAnswer::denied("no such edge"),
            };
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(p) = opts.progress {
                p(n, total);
            }
            (*e, a)
        })
        .collect();
    Ok(Analysis {
        ctx,
        graph,
        answers,
        phases: Vec::new(),
    })
}

/// The edges a scan needs: those reachable from outside actors, and the read and egress
/// edges of inside principals that have an egress candidate.
pub fn scan_edges(g: &AccessGraph) -> Vec<EdgeIndex> {
    let mut reach: HashSet<NodeIndex> = HashSet::new();
    let mut queue: VecDeque<NodeIndex> = g
        .graph
        .node_indices()
        .filter(|i| g.graph[*i].is_outside_actor())
        .collect();
    reach.extend(queue.iter().copied());
    let mut edges: Vec<EdgeIndex> = Vec::new();
    while let Some(n) = queue.pop_front() {
        for e in g.graph.edges(n) {
            edges.push(e.id());
            if reach.insert(e.target()) {
                queue.push_back(e.target());
            }
        }
    }
    for n in g.graph.node_indices() {
        let has_egress = g
            .graph
            .edges(n)
            .any(|e| matches!(e.weight().kind, EdgeKind::Egress));
        if !has_egress {
            continue;
        }
        for e in g.graph.edges(n) {
            if matches!(e.weight().kind, EdgeKind::Egress | EdgeKind::DataRead) {
                edges.push(e.id());
            }
        }
        // Escalated nodes are entered through escalation edges.
        if matches!(g.graph[n], Node::Escalated { .. }) {
            for e in g.graph.edges_directed(n, petgraph::Direction::Incoming) {
                edges.push(e.id());
            }
        }
    }
    edges.sort();
    edges.dedup();
    edges
}

/// `find_routes` with the search's counters.
pub fn find_routes_with_stats(
    model: &Model,
    sources: &SourceMap,
    opts: &RouteOptions<'_>,
) -> Result<(Vec<Finding>, RouteStats), RouteError> {
    let mut an = scan::analyze_for_scan(model, sources, opts)?;
    let mut lap = std::time::Instant::now();
    let mut stats = RouteStats {
        nodes: an.graph.node_count(),
        candidate_edges: an.graph.edge_count(),
        phases: std::mem::take(&mut an.phases),
        ..RouteStats::default()
    };
    for a in an.answers.values() {
        stats.solver_questions += a.questions;
        match a.verdict {
            EdgeVerdict::Allowed => stats.confirmed_edges += 1,
            EdgeVerdict::Unknown => stats.unknown_edges += 1,
            EdgeVerdict::Denied => {}
        }
    }
    stats.solver_questions += an.ctx.kms_legs.questions();
    stats.solver_questions += an.ctx.bucket_grants.questions();
    // The two searches read the same graph and answers and are independent.
    let (outside, egress) = rayon::join(
        || search::outside_routes(&an.graph, &an.answers, opts.max_hops.max(1)),
        || search::egress_routes(&an.graph, &an.answers),
    );
    let mut groups: Vec<((NodeIndex, ExposureClass), Vec<RoutePath>)> =
        outside.into_iter().collect();
    for (bucket, paths) in egress {
        groups.push(((bucket, ExposureClass::Egress), paths));
    }
    stats.routes_considered = groups.iter().map(|(_, paths)| paths.len()).sum();
    stats.phases.push(("route search", lap.elapsed()));
    lap = std::time::Instant::now();
    // Each dataset and class is decided on its own (whole-chain checks are independent).
    let mut findings: Vec<Finding> = groups
        .par_iter()
        .flat_map(|(_, paths)| group_findings(&an, paths))
        .collect();
    // The edge answers, the largest part of the analysis, are freed on a thread of their
    // own (40-110 ms on the 5,000-role export), which the scan does not wait for.
    let answers = std::mem::take(&mut an.answers);
    std::thread::spawn(move || drop(answers));
    subsume_and_sort(&mut findings);
    stats.phases.push(("findings", lap.elapsed()));
    Ok((findings, stats))
}

/// Anyone subsumes every other actor: a dataset readable by anyone gets no second finding
/// for a narrower class that reads nothing more (either object read returns the same
/// objects). Then findings are sorted by dataset, exposure, actor and route.
fn subsume_and_sort(findings: &mut Vec<Finding>) {
    let public: Vec<(String, Vec<String>)> = findings
        .iter()
        .filter(|f| f.exposure == ExposureClass::Public && f.solver.verdict == SolverVerdict::Sat)
        .map(|f| (f.dataset.arn.clone(), f.actions.clone()))
        .collect();
    findings.retain(|f| {
        f.exposure == ExposureClass::Public
            || !public.iter().any(|(arn, acts)| {
                dataset_covers(arn, &f.dataset.arn)
                    && f.actions.iter().all(|a| {
                        acts.contains(a)
                            || (is_object_read(a) && acts.iter().any(|x| is_object_read(x)))
                    })
            })
    });
    findings.sort_by(|a, b| {
        (&a.dataset.arn, a.exposure, &a.actor, &a.route).cmp(&(
            &b.dataset.arn,
            b.exposure,
            &b.actor,
            &b.route,
        ))
    });
}

/// Whether dataset `outer` holds all of dataset `inner`: the same, its bucket, or a
/// shorter prefix of the same bucket (`arn:aws:s3:::b` ⊇ `arn:aws:s3:::b/p/` ⊇
/// `arn:aws:s3:::b/p/q/`).
fn dataset_covers(outer: &str, inner: &str) -> bool {
    if outer == inner {
        return true;
    }
    match inner.strip_prefix(outer) {
        // A prefix dataset ends in `/`; a bucket's objects follow a `/`.
        Some(rest) => outer.ends_with('/') || rest.starts_with('/'),
        None => false,
    }
}

/// Routes tried, best first, before a dataset's finding is reported as `unknown` because
/// every whole-chain check so far was refuted.
const CHAIN_TRIES: usize = 8;

/// The whole-chain verdict on one route.
enum ChainOutcome {
    /// The witness requests of each edge, in route order.
    Allowed(Vec<Vec<HopWitness>>),
    Denied,
    Unknown,
}

/// Confirms a route's whole chain in one solver call: the request that confirmed each edge,
/// one request context per hop, with what role sessions carry from hop to hop. A source
/// identity, once set when a role is assumed (`sts:SourceIdentity`), can never change in
/// the sessions chained from it, and every request they sign shows it as
/// `aws:SourceIdentity`: all of these are one variable of the chain. (A session handed out
/// by EC2 or Lambda starts without one.)
fn confirm_chain(an: &Analysis<'_>, path: &RoutePath) -> ChainOutcome {
    let mut chain: Vec<Question<'_>> = Vec::new();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    const SOURCE_IDENTITY: &str = "route-source-identity";
    let mut carried = false;
    let mut shared_hops = 0;
    let answers = search::hop_answers(&an.graph, &an.answers, path);
    for (e, a) in path.edges.iter().zip(&answers) {
        let Some(a) = a else {
            return ChainOutcome::Unknown;
        };
        let Some((from, to)) = an.graph.graph.edge_endpoints(*e) else {
            return ChainOutcome::Unknown;
        };
        let edge = &an.graph.graph[*e];
        let start = chain.len();
        let sets_identity = matches!(edge.kind, EdgeKind::AssumeRole | EdgeKind::WebIdentity);
        if let Some((gi, ai)) = a.chosen {
            let plan = edge_plan(&an.ctx, &an.graph.graph[from], &an.graph.graph[to], edge);
            let EdgePlan::Ask { mut groups, .. } = plan else {
                return ChainOutcome::Unknown;
            };
            if gi >= groups.len() || ai >= groups[gi].alternatives.len() {
                return ChainOutcome::Unknown;
            }
            for mut q in groups.swap_remove(gi).alternatives.swap_remove(ai) {
                if carried {
                    q.shape = q.shape.with_key(
                        "aws:SourceIdentity",
                        KeyShape::Shared {
                            name: SOURCE_IDENTITY.to_string(),
                            inner: Box::new(KeyShape::Free),
                        },
                    );
                }
                if sets_identity {
                    q.shape = q.shape.with_key(
                        "sts:SourceIdentity",
                        KeyShape::Shared {
                            name: SOURCE_IDENTITY.to_string(),
                            inner: Box::new(KeyShape::Free),
                        },
                    );
                }
                chain.push(q);
            }
        } else if a.verdict != EdgeVerdict::Allowed || a.questions > 0 {
            // Not allowed on its own (unknown): the chain cannot be confirmed either.
            return ChainOutcome::Unknown;
        }
        // Only hops whose policies can constrain the source identity tie the hops together.
        if (carried || sets_identity)
            && chain[start..]
                .iter()
                .any(|q| crate::smt::question::mentions_key(q, "sourceidentity"))
        {
            shared_hops += 1;
        }
        spans.push((start, chain.len()));
        carried = sets_identity || (carried && matches!(edge.kind, EdgeKind::Escalation(_)));
    }
    // Hops share nothing but the source identity: when at most one hop's questions carry
    // it, the chain is the conjunction of independent questions, each already confirmed
    // with a witness eval accepted, so those witnesses are the chain's.
    if chain.is_empty() || shared_hops <= 1 {
        return ChainOutcome::Allowed(
            answers
                .iter()
                .map(|a| a.map(|a| a.witness.to_vec()).unwrap_or_default())
                .collect(),
        );
    }
    match check_chain(&chain) {
        Ok(Answer::Allowed(w)) => {
            let mut out = Vec::new();
            for (a, (start, end)) in answers.iter().zip(spans) {
                let mut hops: Vec<HopWitness> = w
                    .requests
                    .get(start..end)
                    .unwrap_or(&[])
                    .iter()
                    .map(hop_witness)
                    .collect();
                if let Some(a) = a {
                    // Other actions the edge allows (a read's second action) keep their
                    // own witnesses.
                    hops.extend(a.witness.iter().skip(end - start).cloned());
                }
                out.push(hops);
            }
            ChainOutcome::Allowed(out)
        }
        Ok(Answer::Denied(_)) => ChainOutcome::Denied,
        Ok(Answer::Unknown(_)) | Err(_) => ChainOutcome::Unknown,
    }
}

/// The finding for the route of `paths` that needs the least and whose whole chain the
/// solver confirms.
fn best_finding<'p>(an: &Analysis<'_>, paths: &'p [RoutePath]) -> Option<(Finding, &'p RoutePath)> {
    // Confirmed before unknown, then a route that reads objects before one that only lists
    // them (the finding must show the worst the class can do), then what the route needs.
    let lists_only = |hops: &[Option<&EdgeAnswer>]| {
        !hops
            .last()
            .copied()
            .flatten()
            .is_some_and(EdgeAnswer::reads_objects)
    };
    let mut ranked: Vec<(bool, &RoutePath, (bool, usize, usize), Vec<RouteHop>)> = paths
        .iter()
        .map(|p| {
            let hops = search::hop_answers(&an.graph, &an.answers, p);
            (
                lists_only(&hops),
                p,
                route_cost(p, &hops),
                hops_of(an, p, &hops),
            )
        })
        .collect();
    ranked.sort_by(|a, b| (a.2 .0, a.0, a.2, &a.3).cmp(&(b.2 .0, b.0, b.2, &b.3)));
    let mut chosen = None;
    for (i, (_, p, cost, route)) in ranked.iter().enumerate() {
        if i == CHAIN_TRIES {
            // Every route tried was refuted as a whole chain; the rest were not asked.
            chosen = ranked
                .first()
                .map(|(_, p, c, r)| (*p, (true, c.1, c.2), r.clone(), None));
            break;
        }
        if cost.0 {
            chosen = Some((*p, *cost, route.clone(), None));
            break;
        }
        match confirm_chain(an, p) {
            ChainOutcome::Allowed(w) => {
                chosen = Some((*p, *cost, route.clone(), Some(w)));
                break;
            }
            ChainOutcome::Denied => continue,
            ChainOutcome::Unknown => {
                chosen = Some((*p, (true, cost.1, cost.2), route.clone(), None));
                break;
            }
        }
    }
    let (best, cost, route, chain_witness) = chosen?;
    let model = an.ctx.model;
    let Node::Bucket(bid) = an.graph.graph[best.bucket] else {
        return None;
    };
    let bucket = model.buckets.get(bid.index())?;
    let mut witness = RouteWitness::default();
    let mut millis = 0;
    let answers = search::hop_answers(&an.graph, &an.answers, best);
    for (i, a) in answers.iter().enumerate() {
        if let Some(a) = a {
            match &chain_witness {
                Some(w) => witness.hops.extend(w.get(i).cloned().unwrap_or_default()),
                None => witness.hops.extend(a.witness.iter().cloned()),
            }
            millis += a.millis;
        }
    }
    let actions = answers
        .last()
        .copied()
        .flatten()
        .map(|a| a.actions.clone())
        .unwrap_or_default();
    let actor = match best.class {
        ExposureClass::Egress => "*".to_string(),
        _ => node_name(model, &an.graph.graph[best.actor]),
    };
    let bucket_arn = model.str(bucket.arn);
    // The data hop: the last read on the route (egress routes list their write first).
    let prefix = best
        .edges
        .iter()
        .zip(&answers)
        .rev()
        .find(|(e, _)| matches!(an.graph.graph[**e].kind, EdgeKind::DataRead))
        .and_then(|(e, a)| {
            let (from, to) = an.graph.graph.edge_endpoints(*e)?;
            confirm::read_prefix(
                &an.ctx,
                &an.graph.graph[from],
                &an.graph.graph[to],
                &an.graph.graph[*e],
                (*a)?,
            )
        });
    let (arn, kind) = match prefix {
        // The key prefix as S3 names a folder: `arn:aws:s3:::bucket/public/`.
        Some(p) => (format!("{bucket_arn}/{p}"), "s3-prefix"),
        None => (bucket_arn.to_string(), "s3-bucket"),
    };
    let finding = Finding {
        dataset: Dataset {
            arn,
            account: model.str(bucket.account).to_string(),
            kind: kind.to_string(),
        },
        exposure: best.class,
        actor,
        route: route.clone(),
        actions,
        witness,
        solver: SolverOutcome {
            verdict: if cost.0 {
                SolverVerdict::Unknown
            } else {
                SolverVerdict::Sat
            },
            millis,
        },
        alternatives: paths.len().saturating_sub(1),
        conditions_required: cost.2,
        sensitivity: Sensitivity::unknown(),
        risk: crate::rank::Risk {
            score: 0,
            severity: crate::rank::Severity::Informational,
        },
        status: FindingStatus::New,
        triage: finding::Triage::default(),
    };
    Some((finding, best))
}

/// The data hop of a route: its last read (egress routes list their write first).
fn data_edge(an: &Analysis<'_>, p: &RoutePath) -> Option<EdgeIndex> {
    p.edges
        .iter()
        .rev()
        .find(|e| matches!(an.graph.graph[**e].kind, EdgeKind::DataRead))
        .copied()
}

/// Most datasets reported for one bucket and exposure class.
const DATASETS_PER_GROUP: usize = 4;

/// The findings of one (bucket, class): the best route's, and when its dataset is only a
/// prefix of the bucket, the best of the routes with another data hop too (they may expose
/// more of the bucket: a listing of every key beside object reads under one prefix), as
/// long as each new dataset is not inside one already reported.
fn group_findings(an: &Analysis<'_>, paths: &[RoutePath]) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let mut rest: Vec<RoutePath> = paths.to_vec();
    while out.len() < DATASETS_PER_GROUP {
        let Some((f, best)) = best_finding(an, &rest) else {
            break;
        };
        let Some(used) = data_edge(an, best) else {
            break;
        };
        let prefix = f.dataset.kind == "s3-prefix";
        if !out
            .iter()
            .any(|o| dataset_covers(&o.dataset.arn, &f.dataset.arn))
        {
            out.push(f);
        }
        if !prefix {
            break;
        }
        rest.retain(|p| data_edge(an, p) != Some(used));
    }
    out
}

/// The hops of a route as a finding prints them (egress: the outside destination first),
/// from each hop's answer (`search::hop_answers`).
pub fn hops_of(an: &Analysis<'_>, p: &RoutePath, answers: &[Option<&EdgeAnswer>]) -> Vec<RouteHop> {
    let model = an.ctx.model;
    let mut hops = Vec::new();
    for (e, answer) in p.edges.iter().zip(answers.iter().copied()) {
        let Some((from, to)) = an.graph.graph.edge_endpoints(*e) else {
            continue;
        };
        let edge = &an.graph.graph[*e];
        let via = match (&edge.kind, answer) {
            (EdgeKind::DataRead, Some(a)) => a
                .actions
                .first()
                .cloned()
                .unwrap_or_else(|| edge.via.to_string()),
            _ => edge.via.to_string(),
        };
        let policy = answer
            .and_then(|a| a.cites.first().cloned())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| edge.evidence.clone());
        if matches!(edge.kind, EdgeKind::Egress) {
            let dest = answer
                .and_then(|a| a.witness.first())
                .map(|w| w.resource.clone())
                .unwrap_or_else(|| node_name(model, &an.graph.graph[to]));
            hops.insert(
                0,
                RouteHop {
                    from: dest,
                    to: node_name(model, &an.graph.graph[from]),
                    via,
                    policy,
                },
            );
            continue;
        }
        hops.push(RouteHop {
            from: node_name(model, &an.graph.graph[from]),
            to: node_name(model, &an.graph.graph[to]),
            via,
            policy,
        });
    }
    hops
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(outer: &str, inner: &str, expect: bool) {
        assert_eq!(dataset_covers(outer, inner), expect, "{outer} ⊇ {inner}");
    }

    #[test]
    fn datasets_cover_their_prefixes() {
        check("arn:aws:s3:::b", "arn:aws:s3:::b", true);
        check("arn:aws:s3:::b", "arn:aws:s3:::b/public/", true);
        check(
            "arn:aws:s3:::b/public/",
            "arn:aws:s3:::b/public/2024/",
            true,
        );
        check("arn:aws:s3:::b/public/", "arn:aws:s3:::b", false);
        check("arn:aws:s3:::b", "arn:aws:s3:::bb/public/", false);
        check("arn:aws:s3:::b/public/", "arn:aws:s3:::b/private/", false);
    }
}
