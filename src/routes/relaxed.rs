//! Relaxed read questions: can *any* principal of an account read a bucket through a
//! network path the export holds, whatever its identity policies?
//!
//! A bucket locked to a VPC endpoint the export does not hold (`Deny … StringNotEquals
//! aws:SourceVpce vpce-x`) answers every reader `unknown`, one question per network path,
//! and egress coverage would ask it of every reader that writes outside (quadratic in a
//! large organization). The relaxed question drops everything on the requester's side:
//! identity policies allow all (`IdentityInputs::Unconstrained`: no SCP, boundary or
//! session policy either), the principal is any identity of the account, every key a
//! specific request would bind is free except the network keys, which may be absent or any
//! value but an unheld endpoint or VPC. Each reader's question through a held path (direct,
//! a held endpoint, an outsider's endpoint) is this one with more constraints, so when the
//! relaxed one is denied, no reader of the account can be *allowed* to read the bucket:
//! at best `unknown`, through an unheld endpoint.
//!
//! **Soundness:** only ever used to stop asking once an `unknown` read of the bucket is
//! already on record, so the route it stands for is still reported (flagged unknown).

use super::confirm::{version_read_may_add, VERSION_READ};
use super::context::RouteCtx;
use crate::eval::IdentityInputs;
use crate::graph::data::{is_object_read, READ_ACTIONS};
use crate::model::BucketId;
use crate::smt::question::StrShape;
use crate::smt::question::{check, Answer, KeyShape, PrincipalShape, Question, RequestShape};
use rustc_hash::FxHashMap;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

/// Values computed once per key and shared by a scan's threads: the first thread to need
/// a key computes its value, the others wait for it.
pub struct OnceMap<K, V> {
    /// FxHash: the keys are the scan's own (no untrusted collisions to fear), and SipHash
    /// of the refutations' long keys was ~1% of the 1,000-role scan's instructions.
    cells: Mutex<FxHashMap<K, Arc<OnceLock<V>>>>,
}

impl<K, V> Default for OnceMap<K, V> {
    fn default() -> Self {
        OnceMap {
            cells: Mutex::new(FxHashMap::default()),
        }
    }
}

impl<K: Hash + Eq, V> OnceMap<K, V> {
    /// `read` of the value of `key`, which `init` computes on first use. A poisoned lock
    /// (a thread panicked while inserting) costs only the sharing: `init` runs here.
    pub(crate) fn with<R>(
        &self,
        key: K,
        init: impl FnOnce() -> V,
        read: impl FnOnce(&V) -> R,
    ) -> R {
        let cell = match self.cells.lock() {
            Ok(mut cells) => cells.entry(key).or_default().clone(),
            Err(_) => return read(&init()),
        };
        read(cell.get_or_init(init))
    }

    /// The values computed, by key (the map is no longer shared).
    pub(crate) fn into_values(self) -> HashMap<K, V> {
        let cells = match self.cells.into_inner() {
            Ok(cells) => cells,
            Err(poisoned) => poisoned.into_inner(),
        };
        cells
            .into_iter()
            .filter_map(|(k, cell)| Some((k, Arc::into_inner(cell)?.into_inner()?)))
            .collect()
    }
}

/// The answers of a scan's cached refutations (`kms_leg`, `bucket_grant`), shared by its
/// threads: one relaxed question per key, asked once, and how many were asked.
pub struct RefutationCache<K> {
    answers: OnceMap<K, bool>,
    questions: AtomicUsize,
}

impl<K> Default for RefutationCache<K> {
    fn default() -> Self {
        RefutationCache {
            answers: OnceMap::default(),
            questions: AtomicUsize::new(0),
        }
    }
}

impl<K: Hash + Eq> RefutationCache<K> {
    /// Solver questions the refutations asked so far.
    pub fn questions(&self) -> usize {
        self.questions.load(Ordering::Relaxed)
    }

    /// Whether `key` is refuted: `refute` (one solver question) is asked once per key, by
    /// the first thread to need it; the others wait for its answer.
    pub(crate) fn refuted(&self, key: K, refute: impl FnOnce() -> bool) -> bool {
        self.answers.with(
            key,
            || {
                self.questions.fetch_add(1, Ordering::Relaxed);
                refute()
            },
            |refuted| *refuted,
        )
    }
}

/// The (bucket, reader account) pairs a scan found `held_reads_refuted` (which records
/// them as soon as it answers), shared by its threads. A read of such a bucket by a
/// principal of such an account can be at best `unknown`, so `confirm` asks it only through
/// the endpoints the export does not hold, and stops at its first `unknown` action group:
/// every question it leaves out is one the relaxed question already answered `denied`. A
/// read answered before its pair was recorded (on another thread, or earlier) asked those
/// questions and got the same verdict.
#[derive(Default)]
pub struct HeldReadsRefuted {
    pairs: RwLock<HashMap<BucketId, HashSet<String>>>,
}

impl HeldReadsRefuted {
    /// Records that `held_reads_refuted(b, account)` was `true`.
    pub fn record(&self, b: BucketId, account: &str) {
        if let Ok(mut pairs) = self.pairs.write() {
            pairs.entry(b).or_default().insert(account.to_string());
        }
    }

    /// Whether `held_reads_refuted(b, account)` was recorded `true`.
    pub fn contains(&self, b: BucketId, account: &str) -> bool {
        self.pairs
            .read()
            .is_ok_and(|pairs| pairs.get(&b).is_some_and(|a| a.contains(account)))
    }
}

/// Whether no principal of `account` can read bucket `b` (any of `READ_ACTIONS`:
/// `s3:GetObject` or `s3:GetObjectVersion` on any key, `s3:ListBucket`) through a network
/// path the export holds: every relaxed question is denied. `false` when any is allowed or
/// unknown, or the bucket is not in the model. A refuted pair is recorded in
/// `RouteCtx::held_reads_refuted`, which shortens every later read of it (`confirm`).
pub fn held_reads_refuted(ctx: &RouteCtx<'_>, b: BucketId, account: &str) -> bool {
    let m = ctx.model;
    let Some(bucket) = m.buckets.get(b.index()) else {
        return false;
    };
    let arn = m.str(bucket.arn).to_string();
    let bucket_account = m.str(bucket.account).to_string();
    let org = ctx.principal_org_key(account);
    // Absent, or present with a value no unheld endpoint (VPC) has.
    let network = |unheld: &[String]| [KeyShape::Absent, KeyShape::NoneOf(unheld.into())];
    for action in READ_ACTIONS {
        let object = is_object_read(action);
        let resource = RouteCtx::read_resource(action, &arn);
        let Some(inputs) = ctx.bucket_inputs(IdentityInputs::Unconstrained, b, object, false)
        else {
            return false;
        };
        // Denied with the object read's, already denied, unless a policy may allow it
        // where it does not allow the object read.
        if action == VERSION_READ && !version_read_may_add(ctx, &inputs) {
            continue;
        }
        let base = ctx.common_keys(
            RequestShape::new(
                PrincipalShape::AnyOfAccount(account.to_string()),
                StrShape::Exact(action.to_string()),
                resource,
            )
            .with_key("aws:PrincipalOrgID", org.clone()),
        );
        for vpce in network(&ctx.unheld_vpces) {
            for vpc in network(&ctx.unheld_vpcs) {
                let shape = base
                    .clone()
                    .with_key("aws:SourceVpce", vpce.clone())
                    .with_key("aws:SourceVpc", vpc);
                let q = Question {
                    inputs: inputs.clone(),
                    shape: ctx.resource_keys(shape, &bucket_account),
                };
                match check(&q) {
                    Ok(Answer::Denied(_)) => {}
                    _ => return false,
                }
            }
        }
    }
    ctx.held_reads_refuted.record(b, account);
    true
}
