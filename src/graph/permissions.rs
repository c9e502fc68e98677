//! Identity grants compiled once: for a principal and an action, the resources its identity
//! policies may allow the action on (over-approximate, exactly as `patterns` decides), so a
//! candidate edge costs a wildcard match instead of a walk over every policy.
//!
//! Graph building asks "may principal P do A on R?" for every (principal, role) and
//! (principal, bucket) pair it considers; walking and compiling every statement of every
//! policy per question made the 5,000-role export spend minutes here. A `Grant` is computed
//! once per (node, action) and cached; a `BucketIndex` turns a grant into the buckets it may
//! cover without trying every bucket.
//!
//! **Architecture Invariant:** `Grant::may_allow` answers exactly what
//! `patterns::doc_may_allow` answers over the same policies (tests compare the two), so no
//! candidate edge is lost by the speed-up.

use super::patterns::ResourceTarget;
use super::{Gain, Node};
use crate::model::{BucketId, Collected, Model, PolicyId, PrincipalRef};
use crate::policy::{ActionClause, Effect, ResourceClause};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A `*`/`?` wildcard pattern compiled for repeated matching. ASCII patterns and inputs
/// take a byte-wise matcher; anything else falls back to the solver's glob automaton, so
/// both always agree.
///
/// Memory (issue #7): the index holds hundreds of thousands of these, so the automaton (8
/// bytes per character plus a copy of the text) is kept only for a non-ASCII pattern; an
/// ASCII pattern builds it on the spot for the rare non-ASCII input. Lowercasing an ASCII
/// pattern changes nothing for a case-insensitive automaton, which compares lowercase
/// mappings on both sides.
#[derive(Debug, Clone)]
pub struct Wildcard {
    /// The pattern, lowercased (ASCII letters) when matching is case-insensitive.
    text: Box<str>,
    case_insensitive: bool,
    ascii: bool,
    /// The automaton of a non-ASCII pattern (built from the pattern as written).
    glob: Option<Box<crate::smt::glob::Glob>>,
    /// Length of the characters before the first wildcard (the whole pattern when none).
    prefix_len: usize,
    /// Those characters as written, kept only when lowercasing changed them.
    prefix_as_written: Option<Box<str>>,
    has_wildcard: bool,
}

impl Wildcard {
    pub fn new(pattern: &str, case_insensitive: bool) -> Wildcard {
        let ascii = pattern.is_ascii();
        let text: Box<str> = if case_insensitive {
            pattern.to_ascii_lowercase().into_boxed_str()
        } else {
            pattern.into()
        };
        let cut = pattern.find(['*', '?']).unwrap_or(pattern.len());
        // ASCII lowercasing keeps every byte where it was, so `cut` is a boundary of both.
        let written = pattern.get(..cut).unwrap_or("");
        let prefix_as_written =
            (text.get(..cut) != Some(written)).then(|| Box::<str>::from(written));
        Wildcard {
            text,
            case_insensitive,
            ascii,
            glob: (!ascii)
                .then(|| Box::new(crate::smt::glob::Glob::pattern(pattern, case_insensitive))),
            prefix_len: cut,
            prefix_as_written,
            has_wildcard: cut < pattern.len(),
        }
    }

    /// The characters before the first wildcard (the whole pattern when it has none).
    pub fn literal_prefix(&self) -> &str {
        match &self.prefix_as_written {
            Some(p) => p,
            None => self.text.get(..self.prefix_len).unwrap_or(""),
        }
    }

    pub fn has_wildcard(&self) -> bool {
        self.has_wildcard
    }

    /// The solver's automaton for this pattern: kept for a non-ASCII pattern, built from
    /// the (ASCII) text otherwise.
    fn glob(&self) -> std::borrow::Cow<'_, crate::smt::glob::Glob> {
        match &self.glob {
            Some(g) => std::borrow::Cow::Borrowed(g),
            None => std::borrow::Cow::Owned(crate::smt::glob::Glob::pattern(
                &self.text,
                self.case_insensitive,
            )),
        }
    }

    /// Whether the pattern matches `s` entirely.
    pub fn matches(&self, s: &str) -> bool {
        if !self.ascii || !s.is_ascii() {
            return self.glob().matches(s);
        }
        self.run(s.as_bytes(), false)
    }

    /// Whether the pattern matches some string that starts with `prefix`.
    pub fn matches_some_extension(&self, prefix: &str) -> bool {
        if !self.ascii || !prefix.is_ascii() {
            return self.glob().matches_some_starting_with(prefix);
        }
        self.run(prefix.as_bytes(), true)
    }

    /// Whether the pattern and the glob `other` (`*`, `?`) match some string in common.
    /// A non-ASCII pattern on either side answers `true`: over-approximate, as every
    /// candidate question here must be.
    pub fn overlaps(&self, other: &str) -> bool {
        if !self.ascii || !other.is_ascii() {
            return true;
        }
        globs_overlap(
            self.text.as_bytes(),
            other.as_bytes(),
            self.case_insensitive,
        )
    }

    /// The byte-wise run (`smt::glob::ascii_run`; the text is lowercased already when
    /// matching ignores case).
    fn run(&self, s: &[u8], prefix_only: bool) -> bool {
        crate::smt::glob::ascii_run(self.text.as_bytes(), s, self.case_insensitive, prefix_only)
    }
}

/// Whether the ASCII globs `a` and `b` (`*` any run of bytes, `?` one byte) match some
/// string in common: a walk over pairs of positions (the product of their automata), where
/// a `*` may match nothing or absorb one byte the other side reads, and two single-byte
/// items advance together when they can read the same byte.
fn globs_overlap(a: &[u8], b: &[u8], ignore_case: bool) -> bool {
    let width = b.len() + 1;
    let mut seen = vec![false; (a.len() + 1) * width];
    let mut todo = vec![(0usize, 0usize)];
    while let Some((i, j)) = todo.pop() {
        let Some(slot) = seen.get_mut(i * width + j) else {
            continue;
        };
        if *slot {
            continue;
        }
        *slot = true;
        let (x, y) = (a.get(i).copied(), b.get(j).copied());
        if x.is_none() && y.is_none() {
            return true;
        }
        if x == Some(b'*') {
            todo.push((i + 1, j));
            if y.is_some_and(|c| c != b'*') {
                todo.push((i, j + 1));
            }
        }
        if y == Some(b'*') {
            todo.push((i, j + 1));
            if x.is_some_and(|c| c != b'*') {
                todo.push((i + 1, j));
            }
        }
        if let (Some(x), Some(y)) = (x, y) {
            let same = x == y || (ignore_case && x.eq_ignore_ascii_case(&y));
            if x != b'*' && y != b'*' && (x == b'?' || y == b'?' || same) {
                todo.push((i + 1, j + 1));
            }
        }
    }
    false
}

/// Replaces policy variables (`${aws:username}`) by `*`: the variable may take any value.
pub fn widen_variables(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut rest = p;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => {
                out.push('*');
                rest = &rest[start + end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The resources one allowing statement may cover.
#[derive(Debug, Clone)]
pub enum ResourceGrant {
    /// No `Resource` element: the statement applies to the resource itself.
    Everything,
    /// `Resource` patterns (variables widened to `*`).
    Patterns(Vec<Wildcard>),
    /// `NotResource`: every resource but the exact ones its variable-free patterns match
    /// (`star`: it names `*`, which excludes every resource).
    Except { star: bool, excluded: Vec<Wildcard> },
}

impl ResourceGrant {
    pub fn compile(clause: Option<&ResourceClause>) -> ResourceGrant {
        let Some(clause) = clause else {
            return ResourceGrant::Everything;
        };
        if clause.negated {
            ResourceGrant::Except {
                star: clause.patterns.iter().any(|p| p == "*"),
                excluded: clause
                    .patterns
                    .iter()
                    .filter(|p| !p.contains("${"))
                    .map(|p| Wildcard::new(p, false))
                    .collect(),
            }
        } else {
            ResourceGrant::Patterns(
                clause
                    .patterns
                    .iter()
                    .map(|p| Wildcard::new(&widen_variables(p), false))
                    .collect(),
            )
        }
    }

    /// Same answer as `patterns::resource_may_match`.
    pub fn may_match(&self, target: ResourceTarget<'_>) -> bool {
        match self {
            ResourceGrant::Everything => true,
            ResourceGrant::Patterns(ps) => ps.iter().any(|w| match target {
                ResourceTarget::Exact(s) => w.matches(s),
                ResourceTarget::Prefix(p) => w.matches_some_extension(p),
                ResourceTarget::Matching(g) => w.overlaps(g),
            }),
            ResourceGrant::Except { star, excluded } => match target {
                ResourceTarget::Exact(s) => !excluded.iter().any(|w| w.matches(s)),
                ResourceTarget::Prefix(_) | ResourceTarget::Matching(_) => !star,
            },
        }
    }
}

/// An action clause compiled (actions match case-insensitively).
#[derive(Debug, Clone)]
pub struct ActionSet {
    negated: bool,
    patterns: Vec<Wildcard>,
}

impl ActionSet {
    pub fn compile(clause: &ActionClause) -> ActionSet {
        ActionSet {
            negated: clause.negated,
            patterns: clause
                .patterns
                .iter()
                .map(|p| Wildcard::new(p, true))
                .collect(),
        }
    }

    /// Same answer as `patterns::action_matches`.
    pub fn covers(&self, action: &str) -> bool {
        self.patterns.iter().any(|w| w.matches(action)) != self.negated
    }
}

/// One statement of a policy, compiled.
#[derive(Debug, Clone)]
struct CompiledStatement {
    allow: bool,
    actions: ActionSet,
    /// Shared with every grant the statement is part of (issue #7: a principal has a grant
    /// per action asked, and a managed policy is attached to thousands of principals).
    resources: Arc<ResourceGrant>,
}

/// What the identity side of a node may allow for one action: the union of the resource
/// sets of its allowing statements (empty: nothing).
#[derive(Debug, Clone, Default)]
pub struct Grant {
    pub parts: Vec<Arc<ResourceGrant>>,
}

impl Grant {
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    pub fn may_allow(&self, target: ResourceTarget<'_>) -> bool {
        self.parts.iter().any(|r| r.may_match(target))
    }
}

/// A cache's map (a panic while it was held left nothing half-written: entries are
/// inserted whole).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Compiled identity policies of the model's principals, with grants cached per
/// (node, action). Shared by the scan's threads (`ReadIndex::reads_of` runs in parallel).
pub struct PermissionIndex<'m> {
    model: &'m Model,
    docs: Mutex<HashMap<PolicyId, Arc<Vec<CompiledStatement>>>>,
    grants: Mutex<HashMap<(Node, String), Arc<Grant>>>,
}

impl<'m> PermissionIndex<'m> {
    pub fn new(model: &'m Model) -> PermissionIndex<'m> {
        PermissionIndex {
            model,
            docs: Mutex::new(HashMap::new()),
            grants: Mutex::new(HashMap::new()),
        }
    }

    fn doc(&self, id: PolicyId) -> Arc<Vec<CompiledStatement>> {
        if let Some(d) = lock(&self.docs).get(&id) {
            return d.clone();
        }
        let compiled: Vec<CompiledStatement> = self
            .model
            .policy(id)
            .map(|p| {
                p.document
                    .statements
                    .iter()
                    .map(|s| CompiledStatement {
                        allow: s.effect == Effect::Allow,
                        actions: ActionSet::compile(&s.action),
                        resources: Arc::new(ResourceGrant::compile(s.resource.as_ref())),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let rc = Arc::new(compiled);
        lock(&self.docs).insert(id, rc.clone());
        rc
    }

    /// Adds the resource sets `policy` may allow `action` on (a policy not collected may
    /// allow anything).
    fn add_policy(&self, policy: Collected<PolicyId>, action: &str, out: &mut Grant) {
        match policy {
            Collected::Present(id) => {
                for s in self.doc(id).iter() {
                    if s.allow && s.actions.covers(action) {
                        out.parts.push(Arc::clone(&s.resources));
                    }
                }
            }
            Collected::Missing => out.parts.push(Arc::new(ResourceGrant::Everything)),
        }
    }

    fn principal_grant(&self, p: PrincipalRef, action: &str, out: &mut Grant) {
        for ip in self.model.identity_policies(p) {
            self.add_policy(ip.policy, action, out);
        }
    }

    /// What the identity side of `node` may allow for `action` (users, roles, escalated
    /// principals; empty for every other node).
    pub fn grant(&self, node: &Node, action: &str) -> Arc<Grant> {
        let key = (node.clone(), action.to_ascii_lowercase());
        if let Some(g) = lock(&self.grants).get(&key) {
            return g.clone();
        }
        let mut g = Grant::default();
        match node {
            Node::Principal(p) => self.principal_grant(*p, action, &mut g),
            Node::Escalated {
                gain: Gain::AnyAction,
                ..
            } => g.parts.push(Arc::new(ResourceGrant::Everything)),
            Node::Escalated {
                principal,
                gain: Gain::Group(gid),
            } => {
                self.principal_grant(*principal, action, &mut g);
                if let Some(grp) = self.model.groups.get(gid.index()) {
                    for pid in &grp.inline_policies {
                        self.add_policy(Collected::Present(*pid), action, &mut g);
                    }
                    for ap in &grp.attached_policies {
                        self.add_policy(self.model.managed_document(ap), action, &mut g);
                    }
                }
            }
            _ => {}
        }
        let rc = Arc::new(g);
        lock(&self.grants).insert(key, rc.clone());
        rc
    }

    /// Whether the identity side of `node` may allow `action` on `target`.
    pub fn may_allow(&self, node: &Node, action: &str, target: ResourceTarget<'_>) -> bool {
        self.grant(node, action).may_allow(target)
    }
}

const S3_ARN_PREFIX: &str = "arn:aws:s3:::";

/// The model's buckets sorted by name, to find the buckets a resource pattern may cover
/// without trying each one.
pub struct BucketIndex {
    /// (name, id), sorted by name.
    by_name: Vec<(String, BucketId)>,
}

impl BucketIndex {
    pub fn new(model: &Model) -> BucketIndex {
        let mut by_name: Vec<(String, BucketId)> = model
            .buckets
            .iter()
            .enumerate()
            .map(|(i, b)| (model.str(b.name).to_string(), BucketId(i as u32)))
            .collect();
        by_name.sort();
        BucketIndex { by_name }
    }

    pub fn all(&self) -> impl Iterator<Item = BucketId> + '_ {
        self.by_name.iter().map(|(_, id)| *id)
    }

    /// Buckets whose ARN or objects the wildcard could name: a superset, to be checked
    /// with `Grant::may_allow`. The literal text before the first wildcard narrows it.
    fn covered_by(&self, w: &Wildcard, out: &mut Vec<BucketId>) {
        let lit = w.literal_prefix();
        if lit.len() <= S3_ARN_PREFIX.len() {
            if S3_ARN_PREFIX.starts_with(lit) {
                out.extend(self.all());
            }
            return;
        }
        let Some(name_part) = lit.strip_prefix(S3_ARN_PREFIX) else {
            return;
        };
        match name_part.split_once('/') {
            Some((name, _)) => {
                if let Ok(i) = self.by_name.binary_search_by(|(n, _)| n.as_str().cmp(name)) {
                    out.push(self.by_name[i].1);
                }
            }
            None if !w.has_wildcard() => {
                if let Ok(i) = self
                    .by_name
                    .binary_search_by(|(n, _)| n.as_str().cmp(name_part))
                {
                    out.push(self.by_name[i].1);
                }
            }
            None => {
                let start = self
                    .by_name
                    .partition_point(|(n, _)| n.as_str() < name_part);
                for (n, id) in &self.by_name[start..] {
                    if !n.starts_with(name_part) {
                        break;
                    }
                    out.push(*id);
                }
            }
        }
    }

    /// Buckets a grant may cover (a superset; sorted, deduplicated).
    pub fn candidates(&self, grant: &Grant) -> Vec<BucketId> {
        let mut out = Vec::new();
        for part in &grant.parts {
            match &**part {
                ResourceGrant::Everything | ResourceGrant::Except { .. } => {
                    out.clear();
                    out.extend(self.all());
                    break;
                }
                ResourceGrant::Patterns(ws) => {
                    for w in ws {
                        self.covered_by(w, &mut out);
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smt::glob::Glob;

    /// The byte matcher agrees with the solver's automaton on full and prefix matches.
    fn check(pattern: &str, input: &str, ci: bool) {
        let w = Wildcard::new(pattern, ci);
        let g = Glob::pattern(pattern, ci);
        assert_eq!(w.matches(input), g.matches(input), "{pattern} ~ {input}");
        let n = g.words();
        let mut cur = vec![0u64; n];
        let mut next = vec![0u64; n];
        g.start(&mut cur);
        let mut alive = true;
        for c in input.chars() {
            g.step(&cur, c, &mut next);
            std::mem::swap(&mut cur, &mut next);
            if Glob::is_dead(&cur) {
                alive = false;
                break;
            }
        }
        assert_eq!(
            w.matches_some_extension(input),
            alive,
            "{pattern} ~ {input}…"
        );
    }

    #[test]
    fn literal_prefix_is_as_written() {
        for (pattern, ci, prefix, wild) in [
            ("S3:Get*", true, "S3:Get", true),
            ("s3:get*", true, "s3:get", true),
            ("arn:aws:s3:::b/*", false, "arn:aws:s3:::b/", true),
            ("Ab?c", false, "Ab", true),
            ("AB", true, "AB", false),
            ("Été*", true, "Été", true),
            ("", false, "", false),
        ] {
            let w = Wildcard::new(pattern, ci);
            assert_eq!(w.literal_prefix(), prefix, "{pattern}");
            assert_eq!(w.has_wildcard(), wild, "{pattern}");
        }
    }

    /// `Wildcard::overlaps` finds a common string exactly when one exists: checked against
    /// every string over the patterns' letters (and one other) up to the length of both
    /// patterns together, which bounds the shortest common string.
    #[test]
    fn overlap_agrees_with_enumeration() {
        let mut seed = 11u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let alpha = ['a', 'b', 'A', '*', '?'];
        let letters = ['a', 'b', 'A', 'z'];
        let mut strings: Vec<String> = vec![String::new()];
        let mut last = strings.clone();
        for _ in 0..8 {
            last = last
                .iter()
                .flat_map(|s| letters.iter().map(move |c| format!("{s}{c}")))
                .collect();
            strings.extend(last.iter().cloned());
        }
        for _ in 0..600 {
            let mut glob = || -> String { (0..next() % 5).map(|_| alpha[next() % 5]).collect() };
            let (a, b) = (glob(), glob());
            for ci in [false, true] {
                let (wa, wb) = (Wildcard::new(&a, ci), Wildcard::new(&b, ci));
                let bound = a.len() + b.len();
                let common = strings
                    .iter()
                    .any(|s| s.len() <= bound && wa.matches(s) && wb.matches(s));
                assert_eq!(wa.overlaps(&b), common, "{a} & {b} (ignoring case: {ci})");
            }
        }
    }

    #[test]
    fn wildcard_agrees_with_glob() {
        let patterns = [
            "*",
            "a*",
            "*a",
            "a*b",
            "a?c",
            "*a*b*",
            "arn:aws:s3:::b/*",
            "s3:Get*",
            "S3:GET*",
            "a**b",
            "?",
            "",
            "ab*cd*",
            "*:*",
            "x?*y",
            "é*",
            "S3:GÉT*",
            "Ä?b",
        ];
        let inputs = [
            "",
            "a",
            "ab",
            "abc",
            "acb",
            "aXb",
            "arn:aws:s3:::b/k",
            "arn:aws:s3:::b",
            "s3:getobject",
            "S3:GetObject",
            "abcd",
            "abxcdcd",
            "x:y",
            "xy",
            "xzy",
            "ba",
            "aab",
            "é",
            "s3:gétobject",
            "S3:GÉTOBJECT",
            "äab",
            "ÄxB",
            "aé",
        ];
        for p in patterns {
            for i in inputs {
                check(p, i, false);
                check(p, i, true);
            }
        }
        // Pseudo-random patterns and inputs over a small alphabet.
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let alpha = ['a', 'b', 'A', '*', '?', ':'];
        for _ in 0..20_000 {
            let p: String = (0..next() % 7)
                .map(|_| alpha[next() % alpha.len()])
                .collect();
            let i: String = (0..next() % 7)
                .map(|_| ['a', 'b', 'A', ':'][next() % 4])
                .collect();
            check(&p, &i, next() % 2 == 0);
        }
    }

    #[test]
    fn variables_widen_to_wildcards() {
        assert_eq!(
            widen_variables("arn:aws:s3:::${aws:username}/*"),
            "arn:aws:s3:::*/*"
        );
        assert_eq!(widen_variables("a${x"), "a${x");
    }
}
