//! Glob patterns (`*`, `?`) as small NFAs, decided outside the solver.
//!
//! A `Glob` is a token sequence; its NFA has one state per token position (state `i` means
//! "tokens `0..i` are matched"). State sets are bitsets, so a glob can be run on a string
//! (`matches`) and many globs can be run side by side (the product exploration in
//! `domain`). Case-insensitive globs compare characters by their lowercase mappings, as
//! IAM does for actions and the `*IgnoreCase` operators. ARN globs (`ArnLike`) keep `*` and
//! `?` inside one colon-delimited component for the first five components.

use std::fmt;

/// One token of a glob.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tok {
    Lit(char),
    /// `?`: exactly one character (`colon_ok = false`: any character but `:`).
    One {
        colon_ok: bool,
    },
    /// `*`: any run of characters, possibly empty (`colon_ok = false`: without `:`).
    Star {
        colon_ok: bool,
    },
}

/// A compiled glob: tokens plus the case rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Glob {
    toks: Vec<Tok>,
    case_insensitive: bool,
    /// The text the glob was built from, for display.
    source: String,
}

/// Lowercase folding of one character (the first char of its lowercase mapping).
pub fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

impl Glob {
    /// A pattern where `*` and `?` are wildcards (`StringLike`, `Action`, `Resource`).
    pub fn pattern(p: &str, case_insensitive: bool) -> Glob {
        let toks = p
            .chars()
            .map(|c| match c {
                '*' => Tok::Star { colon_ok: true },
                '?' => Tok::One { colon_ok: true },
                c => Tok::Lit(c),
            })
            .collect();
        Glob::from_toks(toks, case_insensitive, p)
    }

    /// A literal string: every character stands for itself (`StringEquals`).
    pub fn literal(s: &str, case_insensitive: bool) -> Glob {
        Glob::from_toks(s.chars().map(Tok::Lit).collect(), case_insensitive, s)
    }

    /// An `ArnLike` pattern: wildcards in the first five colon-delimited components do not
    /// cross a `:`; in the sixth (the resource part) they match anything.
    pub fn arn_pattern(p: &str) -> Glob {
        let mut colons = 0;
        let toks = p
            .chars()
            .map(|c| {
                let colon_ok = colons >= 5;
                match c {
                    '*' => Tok::Star { colon_ok },
                    '?' => Tok::One { colon_ok },
                    c => {
                        if c == ':' {
                            colons += 1;
                        }
                        Tok::Lit(c)
                    }
                }
            })
            .collect();
        Glob::from_toks(toks, false, p)
    }

    pub fn from_toks(toks: Vec<Tok>, case_insensitive: bool, source: &str) -> Glob {
        Glob {
            toks,
            case_insensitive,
            source: source.to_string(),
        }
    }

    pub fn toks(&self) -> &[Tok] {
        &self.toks
    }

    pub fn is_case_insensitive(&self) -> bool {
        self.case_insensitive
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// True when the glob matches exactly one string (no wildcard tokens, case-sensitive).
    pub fn is_literal(&self) -> bool {
        !self.case_insensitive && self.toks.iter().all(|t| matches!(t, Tok::Lit(_)))
    }

    /// Number of NFA states (`len + 1`).
    pub fn states(&self) -> usize {
        self.toks.len() + 1
    }

    /// Number of u64 words a state set of this glob takes.
    pub fn words(&self) -> usize {
        self.states().div_ceil(64)
    }

    /// Writes the start state set (closed under `*` skipping) into `out`.
    pub fn start(&self, out: &mut [u64]) {
        out.iter_mut().for_each(|w| *w = 0);
        set_bit(out, 0);
        self.close(out);
    }

    /// ε-closure: a `*` may match the empty string, so state `i` before a star implies
    /// state `i + 1`.
    fn close(&self, set: &mut [u64]) {
        // Only set bits are visited; a bit set here is visited next (stars in a row).
        let mut from = 0;
        while let Some(i) = next_bit(set, from) {
            if matches!(self.toks.get(i), Some(Tok::Star { .. })) {
                set_bit(set, i + 1);
            }
            from = i + 1;
        }
    }

    /// One step on character `c` from `from` into `to` (both `words()` long). Only the
    /// states in `from` are visited: a product exploration steps hundreds of globs of which
    /// a few are alive at a time.
    pub fn step(&self, from: &[u64], c: char, to: &mut [u64]) {
        to.iter_mut().for_each(|w| *w = 0);
        for_each_bit(from, |i| {
            let Some(t) = self.toks.get(i) else {
                return;
            };
            match *t {
                Tok::Lit(l) => {
                    // Case-insensitive: whole lowercase mappings compared, as eval does.
                    let hit = if self.case_insensitive {
                        l == c || l.to_lowercase().eq(c.to_lowercase())
                    } else {
                        l == c
                    };
                    if hit {
                        set_bit(to, i + 1)
                    }
                }
                Tok::One { colon_ok } => {
                    if colon_ok || c != ':' {
                        set_bit(to, i + 1)
                    }
                }
                Tok::Star { colon_ok } => {
                    if colon_ok || c != ':' {
                        set_bit(to, i)
                    }
                }
            }
        });
        self.close(to);
    }

    /// The characters that can move the glob on from the states in `set` (both cases of a
    /// case-insensitive literal; `:` where a wildcard excludes it). Every other character
    /// acts alike.
    pub fn live_chars(&self, set: &[u64], out: &mut Vec<char>) {
        for_each_bit(set, |k| match self.toks.get(k) {
            Some(Tok::Lit(c)) => {
                out.push(*c);
                if self.case_insensitive {
                    out.extend(c.to_uppercase());
                    out.extend(c.to_lowercase());
                }
            }
            Some(Tok::One { colon_ok: false } | Tok::Star { colon_ok: false }) => out.push(':'),
            _ => {}
        });
    }

    pub fn accepts(&self, set: &[u64]) -> bool {
        get_bit(set, self.toks.len())
    }

    pub fn is_dead(set: &[u64]) -> bool {
        set.iter().all(|w| *w == 0)
    }

    /// Runs the glob on `s`.
    pub fn matches(&self, s: &str) -> bool {
        self.read(s, |set| self.accepts(set)).unwrap_or(false)
    }

    /// Whether the glob matches some string that starts with `prefix`: some state is alive
    /// after reading it (every live state can still reach acceptance: a literal, `?` and `*`
    /// each take some character, or none).
    pub fn matches_some_starting_with(&self, prefix: &str) -> bool {
        self.read(prefix, |_| ()).is_some()
    }

    /// What the glob still needs of a string after reading `head` (its residual language).
    pub fn after(&self, head: &str) -> After {
        self.read(head, |cur| {
            // The states left are those reached from the first one by skipping stars: the
            // residual is the glob from there on.
            let Some(first) = next_bit(cur, 0) else {
                return After::Dead;
            };
            let mut single = vec![0u64; cur.len()];
            set_bit(&mut single, first);
            self.close(&mut single);
            if single != cur {
                return After::Mixed;
            }
            let toks = self.toks.get(first..).unwrap_or(&[]).to_vec();
            let source: String = toks
                .iter()
                .map(|t| match t {
                    Tok::Lit(c) => *c,
                    Tok::One { .. } => '?',
                    Tok::Star { .. } => '*',
                })
                .collect();
            After::Rest(Glob::from_toks(toks, self.case_insensitive, &source))
        })
        .unwrap_or(After::Dead)
    }

    /// Reads `s` from the start states and hands `done` the states left, or gives `None`
    /// as soon as none is left. State sets live on the stack for globs of up to 255 tokens
    /// (every policy pattern in practice): the encoder matches concrete actions and
    /// resources against every statement's patterns, and two allocations per match were a
    /// tenth of a scan.
    fn read<R>(&self, s: &str, done: impl FnOnce(&[u64]) -> R) -> Option<R> {
        const STACK_WORDS: usize = 4;
        let n = self.words();
        if n <= STACK_WORDS {
            let (mut a, mut b) = ([0u64; STACK_WORDS], [0u64; STACK_WORDS]);
            return self.read_into(s, &mut a[..n], &mut b[..n]).map(done);
        }
        self.read_into(s, &mut vec![0u64; n], &mut vec![0u64; n])
            .map(done)
    }

    /// `read` with two state sets of `words()` words each; the states left are in one.
    fn read_into<'a>(
        &self,
        s: &str,
        mut cur: &'a mut [u64],
        mut next: &'a mut [u64],
    ) -> Option<&'a [u64]> {
        self.start(cur);
        for c in s.chars() {
            self.step(cur, c, next);
            std::mem::swap(&mut cur, &mut next);
            if Glob::is_dead(cur) {
                return None;
            }
        }
        Some(cur)
    }

    /// The order residuals are listed in (tokens, then case rule).
    pub fn canonical_cmp(&self, other: &Glob) -> std::cmp::Ordering {
        (&self.toks, self.case_insensitive).cmp(&(&other.toks, other.case_insensitive))
    }

    /// The literal characters every accepted string starts with (empty when the glob is
    /// case-insensitive: its strings start with some casing of them).
    pub fn literal_head(&self) -> String {
        if self.case_insensitive {
            return String::new();
        }
        self.toks
            .iter()
            .map_while(|t| match t {
                Tok::Lit(c) => Some(*c),
                _ => None,
            })
            .collect()
    }

    /// The characters the glob mentions (both cases when case-insensitive), plus `:` when
    /// a wildcard treats it specially.
    pub fn alphabet(&self, out: &mut Vec<char>) {
        for t in &self.toks {
            match *t {
                Tok::Lit(c) => {
                    out.push(c);
                    if self.case_insensitive {
                        out.extend(c.to_uppercase());
                        out.extend(c.to_lowercase());
                    }
                }
                Tok::One { colon_ok: false } | Tok::Star { colon_ok: false } => out.push(':'),
                _ => {}
            }
        }
    }
}

/// `Glob::pattern(pattern, ignore_case).matches(text)` without building the glob, for ASCII
/// pattern and text (`None` otherwise): `*` any run, `?` one character, ASCII case folded
/// when `ignore_case`. The encoder decides a statement's action and resource patterns
/// against the question's concrete action or resource with it, before compiling anything:
/// most statements of a large policy name other actions and resources.
pub fn ascii_matches(pattern: &str, text: &str, ignore_case: bool) -> Option<bool> {
    if !pattern.is_ascii() || !text.is_ascii() {
        return None;
    }
    Some(ascii_run(
        pattern.as_bytes(),
        text.as_bytes(),
        ignore_case,
        false,
    ))
}

/// The byte-wise glob run behind `ascii_matches` (and `graph::permissions::Wildcard`):
/// greedy, backtracking to the last `*`. With `prefix_only`, success is reading all of
/// `text` alive (some continuation of it may match: every rest of a pattern can be met).
pub fn ascii_run(pattern: &[u8], text: &[u8], ignore_case: bool, prefix_only: bool) -> bool {
    let (p, t) = (pattern, text);
    let (mut pi, mut ti) = (0usize, 0usize);
    // The last `*` seen and the text position it is retried from.
    let mut star: Option<(usize, usize)> = None;
    while let Some(&tc) = t.get(ti) {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == b'?' || c == tc || (ignore_case && c.eq_ignore_ascii_case(&tc)) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    prefix_only || p.get(pi..).unwrap_or(&[]).iter().all(|&c| c == b'*')
}

/// A glob after a fixed head (`Glob::after`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum After {
    /// No string starting with the head matches.
    Dead,
    /// The strings `t` for which head + `t` matches are exactly this glob's.
    Rest(Glob),
    /// The rest is a union of several positions, not one glob.
    Mixed,
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if self.case_insensitive {
            write!(f, " (ignoring case)")?;
        }
        Ok(())
    }
}

/// The first set bit at or after `from`.
fn next_bit(set: &[u64], from: usize) -> Option<usize> {
    let mut wi = from / 64;
    let mut w = set.get(wi)? & (u64::MAX << (from % 64));
    loop {
        if w != 0 {
            return Some(wi * 64 + w.trailing_zeros() as usize);
        }
        wi += 1;
        w = *set.get(wi)?;
    }
}

/// Calls `f` with the index of every set bit, in increasing order.
pub fn for_each_bit(set: &[u64], mut f: impl FnMut(usize)) {
    for (wi, w) in set.iter().enumerate() {
        let mut w = *w;
        while w != 0 {
            let b = w.trailing_zeros() as usize;
            f(wi * 64 + b);
            w &= w - 1;
        }
    }
}

pub fn get_bit(set: &[u64], i: usize) -> bool {
    set.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
}

pub fn set_bit(set: &mut [u64], i: usize) {
    if let Some(w) = set.get_mut(i / 64) {
        *w |= 1 << (i % 64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(g: Glob, s: &str, expect: bool) {
        assert_eq!(g.matches(s), expect, "{g} on {s:?}");
    }

    proptest::proptest! {
        /// The allocation-free ASCII matcher the encoder decides actions with agrees with
        /// the glob it stands for.
        #[test]
        fn ascii_matcher_agrees_with_glob(
            p in "[aAbB:*?]{0,8}",
            t in "[aAbB:]{0,8}",
            ignore_case in proptest::bool::ANY,
        ) {
            proptest::prop_assert_eq!(
                ascii_matches(&p, &t, ignore_case),
                Some(Glob::pattern(&p, ignore_case).matches(&t))
            );
        }
    }

    #[test]
    fn ascii_matcher_declines_non_ascii() {
        assert_eq!(ascii_matches("s3:*", "s3:Ä", true), None);
        assert_eq!(ascii_matches("s3:get*", "S3:GetObject", true), Some(true));
        assert_eq!(ascii_matches("s3:get?", "S3:GetObject", true), Some(false));
    }

    #[test]
    fn globs_match_like_iam() {
        check(Glob::pattern("s3:Get*", true), "s3:getobject", true);
        check(Glob::pattern("s3:Get*", true), "S3:GETOBJECT", true);
        check(Glob::pattern("s3:Get*", false), "s3:getobject", false);
        check(Glob::pattern("s3:?etObject", false), "s3:GetObject", true);
        check(Glob::pattern("s3:?etObject", false), "s3:etObject", false);
        check(Glob::pattern("*", false), "", true);
        check(Glob::pattern("a*b*c", false), "abc", true);
        check(Glob::pattern("a*b*c", false), "axxbyyc", true);
        check(Glob::pattern("a*b*c", false), "axxbyy", false);
        check(Glob::literal("a*", false), "a*", true);
        check(Glob::literal("a*", false), "ab", false);
        check(
            Glob::pattern("arn:aws:s3:::b/*", false),
            "arn:aws:s3:::b/x:y",
            true,
        );
        check(
            Glob::pattern("arn:aws:s3:::b/*", false),
            "arn:aws:s3:::B/x",
            false,
        );
        check(Glob::literal("ÄB", true), "äb", true);
    }

    #[test]
    fn arn_globs_keep_wildcards_inside_a_component() {
        let g = Glob::arn_pattern("arn:aws:iam::*:role/x");
        check(g.clone(), "arn:aws:iam::123456789012:role/x", true);
        check(g.clone(), "arn:aws:iam::1:2:role/x", false);
        let g = Glob::arn_pattern("arn:aws:s3:::b/*");
        check(g, "arn:aws:s3:::b/a:b:c", true);
        let g = Glob::arn_pattern("arn:*");
        check(g.clone(), "arn:aws:s3:::b", false);
        check(g, "arn:aws", true);
    }

    #[test]
    fn long_globs_use_several_words() {
        let p = format!("{}*", "a".repeat(130));
        let g = Glob::pattern(&p, false);
        assert_eq!(g.words(), 3);
        check(g.clone(), &"a".repeat(131), true);
        check(g, &"a".repeat(129), false);
        // Past the stack buffer of `matches` (4 words).
        let p = format!("{}*b", "a".repeat(300));
        let g = Glob::pattern(&p, false);
        assert_eq!(g.words(), 5);
        check(g.clone(), &format!("{}xb", "a".repeat(300)), true);
        check(g, &format!("{}xb", "a".repeat(299)), false);
    }
}
