//! `phone_number`: telephone numbers as people write them: `(555) 123-4567`, `905-674-3793`,
//! `+44 7700 900123`, `0490 75 40 81`, `02.64.62.52.37` — 7 to 15 digits in at least two
//! groups (or one group after `+`), excluding dates, decimals, IP addresses and long ids.
//!
//! Why it matters: a phone number reaches a person (GDPR personal data, TCPA in the US) and is
//! a second factor for many accounts.
//!
//! Example: `call 905-674-3793` is a hit; `2015-10-14`, `61.131.218.218` and `3.0` are not.

use super::{Detector, Field, FieldFacts};
use crate::classify::Label;

pub struct PhoneNumber;

fn phone_byte(b: u8) -> bool {
    b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'.' | b'(' | b')' | b'+')
}

fn plausible(run: &[u8]) -> bool {
    let plus = run.first() == Some(&b'+');
    let mut groups: Vec<usize> = Vec::new();
    let mut seps: Vec<u8> = Vec::new();
    let mut cur = 0;
    for &b in run {
        if b.is_ascii_digit() {
            cur += 1;
        } else {
            if cur > 0 {
                groups.push(cur);
                cur = 0;
            }
            if b != b'(' && b != b')' && b != b'+' {
                seps.push(b);
            }
        }
    }
    if cur > 0 {
        groups.push(cur);
    }
    let digits: usize = groups.iter().sum();
    if !(7..=15).contains(&digits) {
        return false;
    }
    if groups.len() < 2 && !plus {
        return false;
    }
    if groups.iter().any(|&g| g > 8) || groups.len() > 6 {
        return false;
    }
    let dots = seps.iter().filter(|&&s| s == b'.').count();
    // Decimals and IPv4 addresses.
    if dots > 0
        && (groups.len() <= 2 || (groups.len() == 4 && groups.iter().all(|&g| g <= 3) && dots == 3))
    {
        return false;
    }
    // Dates: 2015-10-14, 2000-04-16 11 (the hour of a timestamp).
    if groups.len() >= 3
        && groups[0] == 4
        && groups[1] == 2
        && groups[2] == 2
        && !plus
        && seps.first() != Some(&b' ')
    {
        return false;
    }
    if groups.len() == 3 && groups[0] <= 2 && groups[1] <= 2 && groups[2] == 4 && !plus {
        return false;
    }
    // US ZIP+4 codes (35294-0110).
    if groups == [5, 4] && seps.first() == Some(&b'-') {
        return false;
    }
    // Space-separated small numbers in tables ("1 2 3 4 5 6 7") are not phones.
    if groups.iter().filter(|&&g| g == 1).count() > 1 {
        return false;
    }
    true
}

impl Detector for PhoneNumber {
    fn name(&self) -> &'static str {
        "phone_number"
    }
    fn indicates(&self) -> Label {
        Label::Personal
    }
    fn scan(&self, field: &Field<'_>, facts: &FieldFacts) -> u32 {
        if facts.digits < 7 {
            return 0;
        }
        let b = field.value.as_bytes();
        let mut hits = 0;
        let mut i = 0;
        while i < b.len() {
            let starts = (b[i].is_ascii_digit() || b[i] == b'+' || b[i] == b'(')
                && (i == 0
                    || !(b[i - 1].is_ascii_alphanumeric()
                        || matches!(b[i - 1], b'.' | b'-' | b'/' | b':' | b'_')));
            if !starts {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < b.len() && phone_byte(b[j]) {
                j += 1;
            }
            let mut end = j;
            while end > i && !(b[end - 1].is_ascii_digit() || b[end - 1] == b')') {
                end -= 1;
            }
            let glued = j < b.len()
                && (b[j].is_ascii_alphanumeric() || matches!(b[j], b'/' | b':' | b'_' | b'@'));
            if !glued && end > i && plausible(&b[i..end]) {
                hits += 1;
            }
            i = j.max(i + 1);
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: u32) {
        let f = Field {
            key: None,
            value: input,
        };
        assert_eq!(
            PhoneNumber.scan(&f, &FieldFacts::of(input)),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn phones() {
        check("call 905-674-3793", 1);
        check("(555) 123-4567", 1);
        check("+44 7700 900123", 1);
        check("0490 75 40 81", 1);
        check("2015-10-14", 0);
        check("61.131.218.218", 0);
        check("3.0", 0);
        check("2000-04-16 11:34:35", 0);
        check("3/29/1982", 0);
        check("5.54563E+15", 0);
        check("35294-0110", 0);
    }
}
