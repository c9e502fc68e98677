//! Finite domains for string keys: the regions a set of globs cuts the string space into.
//!
//! For one string-valued key, every constant and pattern a question compares it with
//! becomes a matcher (a `Glob`). Two strings that every matcher treats alike are
//! interchangeable for the question, so the key only needs one value per *region*: per
//! non-empty match signature (which matchers accept). The regions are found by exploring the
//! product of the matchers' NFAs breadth-first, outside any solver; each region keeps the
//! shortest string that reaches it (or a preferred hint, when one falls in it) as its
//! representative, which becomes the witness value. The region where no matcher accepts
//! ("anything else") is found the same way when it is non-empty.

use super::cache::{key_hash, SharedCache};
use super::glob::{After, Glob};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::rc::Rc;
use std::sync::Arc;

/// Exploration limit: product states visited before giving up (the question goes Unknown).
pub const DEFAULT_STATE_LIMIT: usize = 50_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("string domain too large: more than {0} product states")]
    TooLarge(usize),
}

/// Collects the distinct matchers of one key.
#[derive(Debug, Clone, Default)]
pub struct DomainBuilder {
    matchers: Vec<Glob>,
    index: HashMap<Glob, usize>,
    hints: Vec<String>,
    /// A matcher every value of the key must match (the request's own shape, e.g. the
    /// objects of one bucket): strings outside it are never explored and get no region.
    guard: Option<usize>,
}

impl DomainBuilder {
    pub fn new() -> DomainBuilder {
        DomainBuilder::default()
    }

    /// Registers a matcher (deduplicated) and returns its index.
    pub fn add(&mut self, g: Glob) -> usize {
        if let Some(&i) = self.index.get(&g) {
            return i;
        }
        let i = self.matchers.len();
        self.index.insert(g.clone(), i);
        self.matchers.push(g);
        i
    }

    /// The matchers registered so far, by index.
    pub fn matchers(&self) -> &[Glob] {
        &self.matchers
    }

    /// A preferred representative: used for its region when no earlier hint took it.
    pub fn hint(&mut self, s: &str) {
        if !self.hints.iter().any(|h| h == s) {
            self.hints.push(s.to_string());
        }
    }

    /// Restricts the domain to strings matcher `m` accepts. Sound only when the key's
    /// value is constrained to `m` anyway: the regions outside it could never be taken, and
    /// a matcher that accepts no string inside `m` simply accepts no region. Exploring a
    /// resource ARN inside `arn:aws:s3:::bucket/*` kills every pattern of other buckets at
    /// the first differing character instead of following each of them.
    pub fn guard(&mut self, m: usize) {
        if m < self.matchers.len() {
            self.guard = Some(m);
        }
    }

    pub fn len(&self) -> usize {
        self.matchers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.matchers.is_empty()
    }

    pub fn build(self, limit: usize) -> Result<Domain, DomainError> {
        Domain::explore(self.matchers, &self.hints, limit, self.guard)
    }

    /// `build`, shared: a builder with the same matchers (in the same order), hints, guard
    /// and limit as one built before gets that domain (or error) without exploring again.
    pub fn build_shared(self, limit: usize) -> Result<Arc<Domain>, DomainError> {
        let hash = key_hash(&(&self.matchers, &self.hints, self.guard, limit));
        let same = |e: &Explored| {
            e.hints == self.hints
                && e.guard == self.guard
                && e.limit == limit
                && match &e.result {
                    Ok(d) => d.matchers == self.matchers,
                    Err((matchers, _)) => *matchers == self.matchers,
                }
        };
        if let Some(r) = EXPLORED.find(hash, |e| same(e).then(|| e.result.clone())) {
            return r.map_err(|(_, err)| err);
        }
        let DomainBuilder {
            matchers,
            hints,
            guard,
            ..
        } = self;
        let explored = match residual_regions(&matchers, limit, guard) {
            Some(r) => r,
            None => explore_regions(&matchers, limit, guard),
        };
        let result = match explored {
            Ok(explored) => Ok(Arc::new(Domain::assemble(
                matchers, explored, &hints, guard,
            ))),
            Err(e) => Err((matchers, e)),
        };
        let out = result.clone().map_err(|(_, err)| err);
        EXPLORED.keep(
            hash,
            Explored {
                hints,
                guard,
                limit,
                result,
            },
        );
        out
    }
}

/// Domains explored so far, shared by every thread: a scan builds the same domain over and
/// over (the resource of one bucket for every reader, the action of every question of an
/// action): 117,000 builds on the 5,000-role export are 11,500 distinct ones.
/// At most 4,096 are kept before the cache starts over: a kept domain (matchers, regions,
/// their index) averages ~5 KB, and on the one-account 5,000-role export 8,192 of them were
/// ~20 MB of the peak memory (issue #7) for ~0.1 s of CPU (within the noise) saved.
static EXPLORED: SharedCache<Explored> = SharedCache::new(4_096);

/// One exploration: what it was asked (the matchers are the domain's own, or kept with the
/// error) and what it found.
struct Explored {
    hints: Vec<String>,
    guard: Option<usize>,
    limit: usize,
    result: Result<Arc<Domain>, (Vec<Glob>, DomainError)>,
}

/// Explorations of residual matchers (`residual_regions`), shared by every thread: the
/// resource domains of one bucket's readers differ in the patterns of other buckets, which
/// the guard's head kills, and in nothing else; those of different buckets mostly differ in
/// the head alone. At most 8,192 are kept before the cache starts over.
static RESIDUALS: SharedCache<ResidualExplored> = SharedCache::new(8_192);

struct ResidualExplored {
    matchers: Vec<Glob>,
    guard: usize,
    limit: usize,
    result: Result<Arc<Vec<Region>>, DomainError>,
}

/// The regions inside a guard with a literal head (`arn:aws:s3:::bucket/` of
/// `arn:aws:s3:::bucket/*`), found by exploring what each matcher still needs after the
/// head: every string of the domain starts with it, so a string head + `t` is accepted by a
/// matcher exactly when `t` is accepted by its residual (`Glob::after`), and a matcher dead
/// after the head accepts nothing. The residuals are listed without repeats in a canonical
/// order, so explorations that differ only in the head, or in matchers the head kills, are
/// one exploration. `None` when the guard has no literal head or some residual is not one
/// glob: then the caller explores the matchers themselves.
fn residual_regions(
    matchers: &[Glob],
    limit: usize,
    guard: Option<usize>,
) -> Option<Result<Vec<Region>, DomainError>> {
    let head = matchers.get(guard?)?.literal_head();
    if head.is_empty() {
        return None;
    }
    let mut rest: Vec<Option<Glob>> = Vec::with_capacity(matchers.len());
    for m in matchers {
        rest.push(match m.after(&head) {
            After::Dead => None,
            After::Rest(r) => Some(r),
            After::Mixed => return None,
        });
    }
    let mut distinct: Vec<Glob> = rest.iter().flatten().cloned().collect();
    distinct.sort_by(|a, b| a.canonical_cmp(b));
    distinct.dedup();
    // Each matcher's residual, by index into `distinct`.
    let place: Vec<Option<usize>> = rest
        .iter()
        .map(|r| {
            r.as_ref()
                .and_then(|g| distinct.binary_search_by(|x| x.canonical_cmp(g)).ok())
        })
        .collect();
    let guard_rest = (*place.get(guard?)?)?;
    let hash = key_hash(&(&distinct, guard_rest, limit));
    let found = RESIDUALS.find(hash, |e| {
        (e.guard == guard_rest && e.limit == limit && e.matchers == distinct)
            .then(|| e.result.clone())
    });
    let explored = match found {
        Some(r) => r,
        None => {
            let result = explore_regions(&distinct, limit, Some(guard_rest)).map(Arc::new);
            RESIDUALS.keep(
                hash,
                ResidualExplored {
                    matchers: distinct,
                    guard: guard_rest,
                    limit,
                    result: result.clone(),
                },
            );
            result
        }
    };
    Some(explored.map(|regions| {
        regions
            .iter()
            .map(|r| Region {
                signature: place
                    .iter()
                    .map(|k| k.is_some_and(|k| r.signature.get(k).copied().unwrap_or(false)))
                    .collect(),
                representative: format!("{head}{}", r.representative),
            })
            .collect()
    }))
}

/// One region: a non-empty set of strings sharing a match signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// `signature[i]`: does matcher `i` accept the region's strings.
    pub signature: Vec<bool>,
    /// A concrete member of the region.
    pub representative: String,
}

/// The regions of one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    matchers: Vec<Glob>,
    regions: Vec<Region>,
    by_signature: HashMap<Vec<bool>, u32>,
    /// Matcher index by glob (encoding looks matchers up once per predicate).
    index: HashMap<Glob, usize>,
}

/// A product state, sparse: for each matcher still alive (in increasing index), its index
/// followed by its `words()` state words. Matchers not listed are dead (they can never
/// accept again), which is most of them a few characters into a resource ARN.
type ProductState = Vec<u64>;

/// The live matchers of a product state: (matcher index, its state words).
fn live<'s>(
    matchers: &'s [Glob],
    state: &'s [u64],
) -> impl Iterator<Item = (usize, &'s [u64])> + 's {
    let mut pos = 0;
    std::iter::from_fn(move || {
        let i = *state.get(pos)? as usize;
        let w = matchers.get(i)?.words();
        let words = state.get(pos + 1..pos + 1 + w)?;
        pos += 1 + w;
        Some((i, words))
    })
}

impl Domain {
    fn explore(
        matchers: Vec<Glob>,
        hints: &[String],
        limit: usize,
        guard: Option<usize>,
    ) -> Result<Domain, DomainError> {
        let explored = explore_regions(&matchers, limit, guard)?;
        Ok(Domain::assemble(matchers, explored, hints, guard))
    }

    /// The domain from explored regions: the regions hints fall in first (in hint order,
    /// each with its first hint as representative), then the others in the order the
    /// exploration found them.
    fn assemble(
        matchers: Vec<Glob>,
        explored: Vec<Region>,
        hints: &[String],
        guard: Option<usize>,
    ) -> Domain {
        let mut regions: Vec<Region> = Vec::new();
        let mut by_signature: HashMap<Vec<bool>, u32> = HashMap::default();
        for h in hints {
            let sig: Vec<bool> = matchers.iter().map(|g| g.matches(h)).collect();
            let inside = guard.is_none_or(|g| sig.get(g).copied().unwrap_or(false));
            if inside && !by_signature.contains_key(&sig) {
                by_signature.insert(sig.clone(), regions.len() as u32);
                regions.push(Region {
                    signature: sig,
                    representative: h.clone(),
                });
            }
        }
        for r in explored {
            if !by_signature.contains_key(&r.signature) {
                by_signature.insert(r.signature.clone(), regions.len() as u32);
                regions.push(r);
            }
        }
        // A region must exist even with no matchers (the whole string space) or when the
        // guard admits nothing (then no matcher accepts it and the shape cannot be met).
        if regions.is_empty() {
            let signature = vec![false; matchers.len()];
            by_signature.insert(signature.clone(), 0);
            regions.push(Region {
                signature,
                representative: String::new(),
            });
        }
        let index = matchers
            .iter()
            .enumerate()
            .map(|(i, g)| (g.clone(), i))
            .collect();
        Domain {
            matchers,
            regions,
            by_signature,
            index,
        }
    }

    /// Number of regions (the enum size of the key).
    pub fn len(&self) -> u32 {
        self.regions.len() as u32
    }

    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    pub fn matchers(&self) -> &[Glob] {
        &self.matchers
    }

    /// The index of matcher `g`.
    pub fn index_of(&self, g: &Glob) -> Option<usize> {
        self.index.get(g).copied()
    }

    /// The regions whose strings matcher `m` accepts.
    pub fn accepting(&self, m: usize) -> Vec<u32> {
        self.regions
            .iter()
            .enumerate()
            .filter(|(_, r)| r.signature.get(m).copied().unwrap_or(false))
            .map(|(i, _)| i as u32)
            .collect()
    }

    /// The region a concrete string falls in (always found: the exploration is complete).
    pub fn region_of(&self, s: &str) -> Option<u32> {
        let sig: Vec<bool> = self.matchers.iter().map(|g| g.matches(s)).collect();
        self.by_signature.get(&sig).copied()
    }

    pub fn representative(&self, r: u32) -> Option<&str> {
        self.regions
            .get(r as usize)
            .map(|x| x.representative.as_str())
    }
}

/// Every region inside the guard, breadth first over product states (the shortest string
/// that reaches a region is its representative).
fn explore_regions(
    matchers: &[Glob],
    limit: usize,
    guard: Option<usize>,
) -> Result<Vec<Region>, DomainError> {
    // Signatures are kept sparse (the accepting matchers) while exploring.
    let accepting_of = |state: &[u64]| -> Vec<u32> {
        live(matchers, state)
            .filter(|(i, words)| matchers[*i].accepts(words))
            .map(|(i, _)| i as u32)
            .collect()
    };
    let dense = |sparse: &[u32]| -> Vec<bool> {
        let mut sig = vec![false; matchers.len()];
        for i in sparse {
            if let Some(b) = sig.get_mut(*i as usize) {
                *b = true;
            }
        }
        sig
    };
    let guarded = |sparse: &[u32]| guard.is_none_or(|g| sparse.contains(&(g as u32)));
    let guard_alive =
        |state: &[u64]| guard.is_none_or(|g| live(matchers, state).any(|(i, _)| i == g));

    let mut regions: Vec<Region> = Vec::new();
    let mut found: HashSet<Vec<u32>> = HashSet::default();
    let fresh = fresh_char(matchers);
    let mut start: ProductState = Vec::new();
    for (i, g) in matchers.iter().enumerate() {
        let mut words = vec![0u64; g.words()];
        g.start(&mut words);
        start.push(i as u64);
        start.extend(words);
    }
    // Breadth-first over product states; parent links rebuild the shortest string. Each
    // state is stored once, shared by the queue and the seen set (large explorations hold
    // tens of thousands of states).
    let start: Rc<[u64]> = start.into();
    let mut seen: HashSet<Rc<[u64]>> = HashSet::default();
    let mut nodes: Vec<(Rc<[u64]>, Option<(usize, char)>)> = Vec::new();
    seen.insert(start.clone());
    nodes.push((start, None));
    let mut head = 0;
    let mut chars: Vec<char> = Vec::new();
    let mut scratch: Vec<u64> = Vec::new();
    while head < nodes.len() {
        if nodes.len() > limit {
            return Err(DomainError::TooLarge(limit));
        }
        let state = nodes[head].0.clone();
        let sparse = accepting_of(&state);
        if guarded(&sparse) && !found.contains(&sparse) {
            let rep = rebuild(&nodes, head);
            regions.push(Region {
                signature: dense(&sparse),
                representative: rep,
            });
            found.insert(sparse);
        }
        if state.is_empty() {
            head += 1;
            continue;
        }
        // Characters that can make a difference from here: live literals (and `:` where a
        // wildcard excludes it); every other character acts like `fresh`.
        chars.clear();
        chars.push(fresh);
        for (i, words) in live(matchers, &state) {
            matchers[i].live_chars(words, &mut chars);
        }
        chars.sort_unstable();
        chars.dedup();
        for &c in &chars {
            let mut next: ProductState = Vec::with_capacity(state.len());
            for (i, words) in live(matchers, &state) {
                scratch.clear();
                scratch.resize(words.len(), 0);
                matchers[i].step(words, c, &mut scratch);
                if !Glob::is_dead(&scratch) {
                    next.push(i as u64);
                    next.extend_from_slice(&scratch);
                }
            }
            if guard_alive(&next) && !seen.contains(next.as_slice()) {
                let next: Rc<[u64]> = next.into();
                seen.insert(next.clone());
                nodes.push((next, Some((head, c))));
            }
        }
        head += 1;
    }
    Ok(regions)
}

fn rebuild(nodes: &[(Rc<[u64]>, Option<(usize, char)>)], mut i: usize) -> String {
    let mut out = Vec::new();
    while let Some((_, Some((parent, c)))) = nodes.get(i) {
        out.push(*c);
        i = *parent;
    }
    out.iter().rev().collect()
}

/// A character no matcher mentions (in any case), standing for "every other character".
fn fresh_char(matchers: &[Glob]) -> char {
    let mut used = Vec::new();
    for g in matchers {
        g.alphabet(&mut used);
    }
    let used: HashSet<char> = used
        .into_iter()
        .flat_map(|c| [c, super::glob::fold(c)])
        .chain(used_upper(matchers))
        .collect();
    "xqzjkvw0123456789-_.abcdefghilmnoprstuy"
        .chars()
        .chain(('\u{00e0}'..='\u{00ff}').filter(|c| c.is_lowercase()))
        .chain('\u{4e00}'..='\u{9fff}')
        .find(|c| !used.contains(c) && !used.contains(&c.to_ascii_uppercase()))
        .unwrap_or('\u{10ffff}')
}

fn used_upper(matchers: &[Glob]) -> Vec<char> {
    let mut v = Vec::new();
    for g in matchers {
        g.alphabet(&mut v);
    }
    v.into_iter().flat_map(|c| c.to_uppercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds the domain of `patterns` (`=`: literal, `~`: ignore-case literal, else glob)
    /// and checks the set of signatures found.
    fn check(patterns: &[&str], expect: &[&str]) {
        let mut b = DomainBuilder::new();
        for p in patterns {
            let g = if let Some(l) = p.strip_prefix('=') {
                Glob::literal(l, false)
            } else if let Some(l) = p.strip_prefix('~') {
                Glob::pattern(l, true)
            } else {
                Glob::pattern(p, false)
            };
            b.add(g);
        }
        let d = b.build(DEFAULT_STATE_LIMIT).unwrap();
        let mut got: Vec<String> = d
            .regions()
            .iter()
            .map(|r| {
                r.signature
                    .iter()
                    .map(|&x| if x { '1' } else { '0' })
                    .collect()
            })
            .collect();
        got.sort();
        let mut want: Vec<String> = expect.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(got, want, "{patterns:?}");
        // Every representative lies in its region.
        for (i, r) in d.regions().iter().enumerate() {
            assert_eq!(d.region_of(&r.representative), Some(i as u32), "{r:?}");
        }
    }

    /// The signatures of explored regions, sorted.
    fn signatures(regions: &[Region]) -> Vec<Vec<bool>> {
        let mut v: Vec<Vec<bool>> = regions.iter().map(|r| r.signature.clone()).collect();
        v.sort();
        v
    }

    proptest::proptest! {
        /// Exploring the residuals after the guard's head finds exactly the regions the
        /// matchers themselves have inside the guard, each representative in its region.
        #[test]
        fn residual_exploration_finds_the_same_regions(
            head in "[ab:]{1,4}",
            patterns in proptest::collection::vec("[ab:*?]{0,6}", 0..5),
            ci in proptest::collection::vec(proptest::bool::ANY, 5),
        ) {
            let mut matchers = vec![Glob::pattern(&format!("{head}*"), false)];
            for (i, p) in patterns.iter().enumerate() {
                matchers.push(Glob::pattern(p, ci.get(i).copied().unwrap_or(false)));
            }
            let full = explore_regions(&matchers, DEFAULT_STATE_LIMIT, Some(0)).unwrap();
            if let Some(residual) = residual_regions(&matchers, DEFAULT_STATE_LIMIT, Some(0)) {
                let residual = residual.unwrap();
                proptest::prop_assert_eq!(signatures(&residual), signatures(&full));
                for r in &residual {
                    let sig: Vec<bool> = matchers.iter().map(|g| g.matches(&r.representative)).collect();
                    proptest::prop_assert_eq!(&sig, &r.signature, "{:?}", r.representative);
                }
            }
        }
    }

    #[test]
    fn regions_are_exactly_the_non_empty_signatures() {
        check(&[], &[""]);
        check(&["=a"], &["0", "1"]);
        check(&["*"], &["1"]);
        check(&["a*", "*b"], &["00", "01", "10", "11"]);
        // `ab` is matched by `a*`, so "literal ab and not a*" is empty.
        check(&["a*", "=ab"], &["00", "10", "11"]);
        check(&["=a", "=b"], &["00", "01", "10"]);
        check(&["s3:Get*", "s3:GetObject"], &["00", "10", "11"]);
        check(&["~s3:get*", "=s3:GetObject"], &["00", "10", "11"]);
        check(&["=s3:getobject", "~S3:GETOBJECT"], &["00", "01", "11"]);
        check(&["a?c", "*b*"], &["00", "01", "10", "11"]);
        check(&["a", "?"], &["00", "01", "11"]);
    }

    #[test]
    fn hints_become_representatives() {
        let mut b = DomainBuilder::new();
        b.add(Glob::pattern("arn:aws:s3:::bucket/*", false));
        b.hint("arn:aws:s3:::bucket/witness.csv");
        let d = b.build(DEFAULT_STATE_LIMIT).unwrap();
        let r = d.accepting(0);
        assert_eq!(r.len(), 1);
        assert_eq!(
            d.representative(r[0]),
            Some("arn:aws:s3:::bucket/witness.csv")
        );
    }

    #[test]
    fn identical_builders_share_one_domain() {
        let builder = |hint: &str| {
            let mut b = DomainBuilder::new();
            let g = b.add(Glob::pattern("arn:aws:s3:::shared-domain-test/*", false));
            b.add(Glob::pattern(
                "arn:aws:s3:::shared-domain-test/public/*",
                false,
            ));
            b.guard(g);
            b.hint(hint);
            b
        };
        let a = builder("arn:aws:s3:::shared-domain-test/a").build_shared(DEFAULT_STATE_LIMIT);
        let b = builder("arn:aws:s3:::shared-domain-test/a").build_shared(DEFAULT_STATE_LIMIT);
        let c = builder("arn:aws:s3:::shared-domain-test/c").build_shared(DEFAULT_STATE_LIMIT);
        let (Ok(a), Ok(b), Ok(c)) = (a, b, c) else {
            panic!("the domains build");
        };
        assert!(Arc::ptr_eq(&a, &b));
        // Another hint is another representative: not shared.
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(
            a.representative(0),
            Some("arn:aws:s3:::shared-domain-test/a")
        );
        assert_eq!(
            c.representative(0),
            Some("arn:aws:s3:::shared-domain-test/c")
        );
        assert_eq!(
            *a,
            builder("arn:aws:s3:::shared-domain-test/a")
                .build(DEFAULT_STATE_LIMIT)
                .unwrap()
        );
        // A failed exploration is remembered as failed.
        let mut big = DomainBuilder::new();
        for i in 0..12 {
            big.add(Glob::pattern(&format!("*{i}*a?b*{i}"), false));
        }
        assert_eq!(big.clone().build_shared(50), Err(DomainError::TooLarge(50)));
        assert_eq!(big.build_shared(50), Err(DomainError::TooLarge(50)));
    }

    #[test]
    fn exploration_gives_up_past_the_limit() {
        let mut b = DomainBuilder::new();
        for i in 0..12 {
            b.add(Glob::pattern(&format!("*{i}*a?b*{i}"), false));
        }
        assert_eq!(b.build(50), Err(DomainError::TooLarge(50)));
    }
}
