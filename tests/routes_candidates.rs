//! The scan's shortcuts never hide an allowed read, checked against the solver on every
//! (principal, bucket) pair of generated exports:
//! - the candidate reads of `graph::data::ReadIndex` (identity and bucket policies, and the
//!   KMS key an object read must decrypt with) hold every read the solver allows;
//! - when the relaxed question (`routes::relaxed::held_reads_refuted`) says no principal of
//!   an account can read a bucket through a held network path, no principal of that
//!   account is allowed to read it.

use leakpath::graph::data::{ReadIndex, READ_ACTIONS};
use leakpath::graph::{principal_account, EdgeKind, Node};
use leakpath::model::{BucketId, PrincipalRef, RoleId, UserId};
use leakpath::routes::confirm::{confirm_edge, EdgeVerdict};
use leakpath::routes::relaxed::held_reads_refuted;
use leakpath::routes::{analyze, RouteOptions};
use leakpath::synth::SynthConfig;
use std::collections::HashMap;

#[path = "common/synth.rs"]
mod synth_export;
use synth_export::write_export;

/// Counts of one export: (pairs asked, allowed reads, pairs the relaxed question refuted,
/// non-candidate pairs).
fn check(cfg: SynthConfig) -> (usize, usize, usize, usize) {
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
            let is_allowed = answer.verdict == EdgeVerdict::Allowed;
            allowed += usize::from(is_allowed);
            let candidate = candidates.contains(&b);
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
            for (action, may) in READ_ACTIONS.iter().zip(per_action) {
                if is_allowed && answer.actions.iter().any(|a| a == action) {
                    kms_objects +=
                        usize::from(*action == "s3:GetObject" && model.bucket_kms_key(b).is_some());
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
    (asked, allowed, refuted_pairs, outside_candidates)
}

#[test]
fn candidates_and_relaxed_refutations_never_hide_an_allowed_read() {
    let mut totals = (0, 0, 0, 0);
    for seed in [3, 11] {
        let (asked, allowed, refuted, non_candidates) = check(SynthConfig {
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
        );
    }
    // The property is only worth something if every kind of pair occurred.
    let (asked, allowed, refuted, non_candidates) = totals;
    eprintln!("pairs {asked}, allowed {allowed}, relaxed-refuted {refuted}, non-candidates {non_candidates}");
    assert!(allowed > 0, "no allowed read among {asked} pairs");
    assert!(refuted > 0, "no pair refuted by the relaxed question");
    assert!(non_candidates > 0, "every pair was a candidate");
}
