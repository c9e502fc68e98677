//! The scan's shortcuts never hide an allowed read, checked against the solver on every
//! (principal, bucket) pair of generated exports:
//! - the candidate reads of `graph::data::ReadIndex` (identity and bucket policies, and the
//!   KMS key an object read must decrypt with) hold every read the solver allows, each of
//!   `READ_ACTIONS` asked on its own (the scan asks `s3:GetObjectVersion` only when
//!   `s3:GetObject` is not allowed);
//! - an edge whose version read is allowed is confirmed reading objects;
//! - when the relaxed question (`routes::relaxed::held_reads_refuted`) says no principal of
//!   an account can read a bucket through a held network path, no principal of that
//!   account is allowed any read action on it.

use leakpath::graph::data::{is_object_read, ReadIndex, READ_ACTIONS};
use leakpath::graph::{principal_account, Edge, EdgeKind, Node};
use leakpath::model::{BucketId, PrincipalRef, RoleId, UserId};
use leakpath::routes::confirm::{confirm_edge, edge_plan, EdgePlan, EdgeVerdict};
use leakpath::routes::context::RouteCtx;
use leakpath::routes::relaxed::held_reads_refuted;
use leakpath::routes::{analyze, RouteOptions};
use leakpath::smt::question::{check_chain, Answer, Question, StrShape};
use leakpath::synth::SynthConfig;
use std::collections::HashMap;

const VERSION_READ: &str = "s3:GetObjectVersion";

/// Whether the solver allows `s3:GetObjectVersion` on the edge's bucket through a network
/// path the export holds: the edge plan's `s3:GetObject` questions with the action changed
/// (the same objects, inputs and network paths), so neither the scan's order of asking nor
/// a plan that leaves the version read out hides it here.
fn version_read_allowed(ctx: &RouteCtx<'_>, from: &Node, to: &Node, edge: &Edge) -> bool {
    let EdgePlan::Ask { groups, .. } = edge_plan(ctx, from, to, edge) else {
        return false;
    };
    groups
        .iter()
        .filter(|g| g.actions.iter().any(|a| a == "s3:GetObject"))
        .flat_map(|g| g.alternatives.iter().take(g.unknown_from))
        .any(|alt| {
            let chain: Vec<Question<'_>> = alt
                .iter()
                .map(|q| {
                    let mut q = q.clone();
                    q.shape.action = StrShape::Exact(VERSION_READ.to_string());
                    q
                })
                .collect();
            matches!(check_chain(&chain), Ok(Answer::Allowed(_)))
        })
}

#[path = "common/synth.rs"]
mod synth_export;
use synth_export::write_export;

/// Counts of one export: (pairs asked, allowed reads, pairs the relaxed question refuted,
/// non-candidate pairs, allowed version reads).
fn check(cfg: SynthConfig) -> (usize, usize, usize, usize, usize) {
    let dir = write_export(&cfg);
    let export = leakpath::ingest::load_export(dir.path()).expect("load");
    let model = &export.model;
    let opts = RouteOptions {
        now_epoch: Some(1_767_225_600),
        ..RouteOptions::default()
    };
    let mut an = analyze(model, &export.sources, &opts, |_| Vec::new()).expect("analyze");
    let reads = ReadIndex::new(model);
    let principals: Vec<PrincipalRef> = (0..model.users.len())
        .map(|i| PrincipalRef::User(UserId(i as u32)))
        .chain((0..model.roles.len()).map(|i| PrincipalRef::Role(RoleId(i as u32))))
        .collect();
    let mut refuted: HashMap<(BucketId, String), bool> = HashMap::new();
    let (mut asked, mut allowed, mut refuted_pairs, mut outside_candidates) = (0, 0, 0, 0);
    let mut versions = 0;
    let mut kms_objects = 0;
    for p in principals {
        let node = Node::Principal(p);
        let account = principal_account(model, p);
        let candidates = reads.reads_of(&node);
        for bi in 0..model.buckets.len() {
            let b = BucketId(bi as u32);
            let e = an.graph.add_edge(
                node.clone(),
                Node::Bucket(b),
                EdgeKind::DataRead,
                "s3:GetObject",
                String::new(),
            );
            let edge = an.graph.graph[e].clone();
            let answer = confirm_edge(&an.ctx, &node, &Node::Bucket(b), &edge);
            asked += 1;
            let version_allowed = version_read_allowed(&an.ctx, &node, &Node::Bucket(b), &edge);
            versions += usize::from(version_allowed);
            // The scan asks the version read only without an allowed s3:GetObject, so the
            // edge's actions hold one of the object reads.
            assert!(
                !version_allowed
                    || (answer.verdict == EdgeVerdict::Allowed
                        && answer.actions.iter().any(|a| is_object_read(a))),
                "{cfg:?}: {} may read {} with {VERSION_READ}, but the edge is {:?} {:?}",
                leakpath::graph::node_name(model, &node),
                model.str(model.buckets[bi].arn),
                answer.verdict,
                answer.actions
            );
            let is_allowed = answer.verdict == EdgeVerdict::Allowed;
            allowed += usize::from(is_allowed);
            let carried = candidates
                .iter()
                .find(|(c, _)| *c == b)
                .map(|(_, may)| *may);
            let candidate = carried.is_some();
            outside_candidates += usize::from(!candidate);
            assert!(
                candidate || answer.verdict == EdgeVerdict::Denied,
                "{cfg:?}: {} reads {} ({:?}: {}) but is no candidate",
                leakpath::graph::node_name(model, &node),
                model.str(model.buckets[bi].arn),
                answer.verdict,
                answer.reason
            );
            // Each allowed action is a candidate on its own (an object read of an SSE-KMS
            // bucket: with its key).
            let per_action = reads.read_candidates(&node, b);
            // The scan uses the reads `reads_of` carries (`scan::reads_of_reached`).
            if let Some(carried) = carried {
                assert_eq!(
                    carried, per_action,
                    "{cfg:?}: reads_of and read_candidates differ"
                );
            }
            for (action, may) in READ_ACTIONS.iter().zip(per_action.0) {
                let action_allowed = if *action == VERSION_READ {
                    version_allowed
                } else {
                    answer.verdict == EdgeVerdict::Allowed
                        && answer.actions.iter().any(|a| a == action)
                };
                if action_allowed {
                    kms_objects +=
                        usize::from(is_object_read(action) && model.bucket_kms_key(b).is_some());
                    assert!(
                        may,
                        "{cfg:?}: {} is allowed {action} on {} but it is no candidate",
                        leakpath::graph::node_name(model, &node),
                        model.str(model.buckets[bi].arn)
                    );
                }
            }
            let r = *refuted
                .entry((b, account.clone()))
                .or_insert_with(|| held_reads_refuted(&an.ctx, b, &account));
            if r {
                refuted_pairs += 1;
                assert!(
                    !is_allowed,
                    "{cfg:?}: relaxed question refuted {} for account {account}, yet {} reads it",
                    model.str(model.buckets[bi].arn),
                    leakpath::graph::node_name(model, &node)
                );
            }
        }
    }
    assert!(
        kms_objects > 0,
        "{cfg:?}: no allowed object read of an SSE-KMS bucket"
    );
    (asked, allowed, refuted_pairs, outside_candidates, versions)
}

#[test]
fn candidates_and_relaxed_refutations_never_hide_an_allowed_read() {
    let mut totals = (0, 0, 0, 0, 0);
    for seed in [3, 11] {
        let (asked, allowed, refuted, non_candidates, versions) = check(SynthConfig {
            roles: 40,
            users: 25,
            policies: 30,
            buckets: 30,
            accounts: 2,
            seed,
        });
        totals = (
            totals.0 + asked,
            totals.1 + allowed,
            totals.2 + refuted,
            totals.3 + non_candidates,
            totals.4 + versions,
        );
    }
    // The property is only worth something if every kind of pair occurred.
    let (asked, allowed, refuted, non_candidates, versions) = totals;
    eprintln!(
        "pairs {asked}, allowed {allowed}, relaxed-refuted {refuted}, \
         non-candidates {non_candidates}, version reads {versions}"
    );
    assert!(allowed > 0, "no allowed read among {asked} pairs");
    assert!(
        versions > 0,
        "no allowed {VERSION_READ} among {asked} pairs"
    );
    assert!(refuted > 0, "no pair refuted by the relaxed question");
    assert!(non_candidates > 0, "every pair was a candidate");
}
