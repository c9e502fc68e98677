//! Condition operators, every family AWS documents: String*, Numeric*, Date* (ISO 8601 and
//! epoch seconds), Bool, BinaryEquals (base64), IpAddress/NotIpAddress (IPv4 and IPv6), Arn*,
//! Null; the `...IfExists` suffix; the `ForAnyValue:` / `ForAllValues:` set qualifiers; and
//! the negated operators.
//!
//! How one `Operator: {key: [v1, v2]}` entry is decided, per the IAM User Guide:
//! - Key absent (or a multi-valued key with no values): `IfExists` → true; `ForAllValues` →
//!   true; `ForAnyValue` → false; otherwise a negated operator (`StringNotEquals`,
//!   `NotIpAddress`, …) → true and a positive one → false. `Null` tests presence itself.
//! - A request value `r` *satisfies* the entry when, for a positive operator, it matches at
//!   least one policy value (values are OR-ed), and for a negated operator, it matches none of
//!   the positive counterpart's values (`StringNotEquals [a, b]` ≡ `r ∉ {a, b}`).
//! - `ForAllValues`: every request value satisfies. `ForAnyValue`: some request value does.
//!   No qualifier on a multi-valued key: positive → some value satisfies; negated → every
//!   value does (no request value equals any policy value).
//! - Request values that cannot be read for the operator (not a number, date, IP…) match no
//!   policy value; policy values that cannot be read are an error (AWS would reject them).

use crate::eval::glob::{self, Case, Reading};
use crate::eval::request::{ContextValue, RequestContext};
use crate::policy::{Condition, OperatorBase, SetQualifier};
use ipnet::IpNet;
use std::net::IpAddr;

/// Why a condition could not be decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConditionError {
    /// The operator is not one AWS defines.
    UnsupportedOperator,
    /// A policy value cannot be read for the operator.
    Malformed(String),
}

/// Whether one condition entry holds for the request context. `variables` says whether
/// policy variables in the values are substituted (documents of version `2012-10-17`).
pub fn condition_holds(
    cond: &Condition,
    ctx: &RequestContext,
    variables: bool,
) -> Result<bool, ConditionError> {
    let op = &cond.operator;
    if let OperatorBase::Unknown(_) = op.base {
        return Err(ConditionError::UnsupportedOperator);
    }
    let present: Option<&[String]> = ctx
        .get(&cond.key)
        .map(ContextValue::values)
        .filter(|vs| !vs.is_empty());

    if op.base == OperatorBase::Null {
        return null_holds(&cond.values, present.is_some());
    }
    let reading = Reading {
        wildcards: false,
        variables: if variables { Some(ctx) } else { None },
    };
    let policy_values = PolicyValues::read(&op.base, &cond.values, reading)?;

    let Some(request_values) = present else {
        return Ok(op.if_exists
            || match op.set {
                Some(SetQualifier::ForAllValues) => true,
                Some(SetQualifier::ForAnyValue) => false,
                None => op.base.is_negated(),
            });
    };
    let negated = op.base.is_negated();
    let satisfies = |r: &String| {
        let any = policy_values.any_matches(&op.base, r);
        if negated {
            !any
        } else {
            any
        }
    };
    Ok(match op.set {
        Some(SetQualifier::ForAllValues) => request_values.iter().all(satisfies),
        Some(SetQualifier::ForAnyValue) => request_values.iter().any(satisfies),
        None if negated => request_values.iter().all(satisfies),
        None => request_values.iter().any(satisfies),
    })
}

/// `Null`: `"true"` holds when the key is absent, `"false"` when present; values OR-ed.
fn null_holds(values: &[String], present: bool) -> Result<bool, ConditionError> {
    let mut holds = false;
    for v in values {
        match v.to_ascii_lowercase().as_str() {
            "true" => holds |= !present,
            "false" => holds |= present,
            other => {
                return Err(ConditionError::Malformed(format!(
                    "Null expects true or false, found {other:?}"
                )))
            }
        }
    }
    Ok(holds)
}

/// The policy values of one entry, read for their operator family. A value whose policy
/// variable has no value in the request is dropped: it equals nothing.
enum PolicyValues {
    Strings(Vec<glob::Pattern>),
    Numbers(Vec<f64>),
    Dates(Vec<i128>),
    Bools(Vec<bool>),
    Binaries(Vec<Vec<u8>>),
    Networks(Vec<IpNet>),
    Arns(Vec<ArnPattern>),
}

impl PolicyValues {
    fn read(
        base: &OperatorBase,
        raw: &[String],
        reading: Reading<'_>,
    ) -> Result<PolicyValues, ConditionError> {
        use OperatorBase::*;
        let substituted = |wildcards: bool| -> Vec<glob::Pattern> {
            raw.iter()
                .filter_map(|v| {
                    glob::compile(
                        v,
                        Reading {
                            wildcards,
                            ..reading
                        },
                    )
                })
                .collect()
        };
        // Typed families: substitute variables first, then parse the literal text.
        let texts = || -> Vec<String> {
            substituted(false)
                .iter()
                .filter_map(glob::Pattern::literal)
                .collect()
        };
        Ok(match base {
            StringEquals | StringNotEquals | StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => {
                PolicyValues::Strings(substituted(false))
            }
            StringLike | StringNotLike => PolicyValues::Strings(substituted(true)),
            NumericEquals
            | NumericNotEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => PolicyValues::Numbers(
                texts()
                    .iter()
                    .map(|t| parse_number(t).ok_or_else(|| malformed("a number", t)))
                    .collect::<Result<_, _>>()?,
            ),
            DateEquals
            | DateNotEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => PolicyValues::Dates(
                texts()
                    .iter()
                    .map(|t| parse_date(t).ok_or_else(|| malformed("a date", t)))
                    .collect::<Result<_, _>>()?,
            ),
            Bool => PolicyValues::Bools(
                texts()
                    .iter()
                    .map(|t| parse_bool(t).ok_or_else(|| malformed("true or false", t)))
                    .collect::<Result<_, _>>()?,
            ),
            BinaryEquals => PolicyValues::Binaries(
                texts()
                    .iter()
                    .map(|t| decode_base64(t).ok_or_else(|| malformed("base64", t)))
                    .collect::<Result<_, _>>()?,
            ),
            IpAddress | NotIpAddress => PolicyValues::Networks(
                texts()
                    .iter()
                    .map(|t| parse_network(t).ok_or_else(|| malformed("an IP address or CIDR", t)))
                    .collect::<Result<_, _>>()?,
            ),
            ArnEquals | ArnNotEquals | ArnLike | ArnNotLike => PolicyValues::Arns(
                raw.iter()
                    .filter_map(|v| ArnPattern::read(v, reading))
                    .collect(),
            ),
            Null | Unknown(_) => return Err(ConditionError::UnsupportedOperator),
        })
    }

    /// Whether the request value matches at least one policy value under the operator's
    /// positive form.
    fn any_matches(&self, base: &OperatorBase, r: &str) -> bool {
        use OperatorBase::*;
        match self {
            PolicyValues::Strings(ps) => {
                let case = match base {
                    StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => Case::Insensitive,
                    _ => Case::Sensitive,
                };
                ps.iter().any(|p| p.matches(r, case))
            }
            PolicyValues::Numbers(ns) => match parse_number(r) {
                Some(x) => ns.iter().any(|n| match base {
                    NumericEquals | NumericNotEquals => x == *n,
                    NumericLessThan => x < *n,
                    NumericLessThanEquals => x <= *n,
                    NumericGreaterThan => x > *n,
                    _ => x >= *n,
                }),
                None => false,
            },
            PolicyValues::Dates(ds) => match parse_date(r) {
                Some(x) => ds.iter().any(|d| match base {
                    DateEquals | DateNotEquals => x == *d,
                    DateLessThan => x < *d,
                    DateLessThanEquals => x <= *d,
                    DateGreaterThan => x > *d,
                    _ => x >= *d,
                }),
                None => false,
            },
            PolicyValues::Bools(bs) => match parse_bool(r) {
                Some(x) => bs.contains(&x),
                None => false,
            },
            PolicyValues::Binaries(bs) => match decode_base64(r) {
                Some(x) => bs.contains(&x),
                None => false,
            },
            PolicyValues::Networks(nets) => match r.trim().parse::<IpAddr>() {
                Ok(ip) => nets.iter().any(|n| n.contains(&ip)),
                Err(_) => false,
            },
            PolicyValues::Arns(arns) => arns.iter().any(|a| a.matches(r)),
        }
    }
}

fn malformed(expected: &str, found: &str) -> ConditionError {
    ConditionError::Malformed(format!("expected {expected}, found {found:?}"))
}

/// A number as the Numeric operators read it (integer or decimal).
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.'))
    {
        return None;
    }
    t.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// `Bool` reads `true`/`false` in any case, trimmed.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// An IP address (a /32 or /128) or a CIDR.
pub fn parse_network(s: &str) -> Option<IpNet> {
    let t = s.trim();
    if t.contains('/') {
        // AWS accepts CIDRs with host bits set (`10.1.2.3/8`); the network is what counts.
        t.parse::<IpNet>().ok().map(|n| n.trunc())
    } else {
        t.parse::<IpAddr>().ok().map(IpNet::from)
    }
}

/// A date as the Date operators read it, in milliseconds since the epoch: epoch seconds
/// (`1563278400`) or ISO 8601 (`2019-07-16`, `2019-07-16T12:00:00Z`,
/// `2019-07-16T12:00:00.123+02:00`).
pub fn parse_date(s: &str) -> Option<i128> {
    let t = s.trim();
    if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) {
        return t.parse::<i128>().ok().map(|secs| secs * 1000);
    }
    let (date, time) = match t.split_once(['T', 't']) {
        Some((d, tm)) => (d, Some(tm)),
        None => (t, None),
    };
    let mut parts = date.split('-');
    let year: i64 = parse_digits(parts.next()?, 4)?;
    let month: i64 = parse_digits(parts.next()?, 2)?;
    let day: i64 = parse_digits(parts.next()?, 2)?;
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut millis_of_day: i64 = 0;
    let mut offset_minutes: i64 = 0;
    if let Some(time) = time {
        let (clock, zone) = split_zone(time)?;
        let mut hms = clock.split(':');
        let h: i64 = parse_digits(hms.next()?, 2)?;
        let m: i64 = parse_digits(hms.next()?, 2)?;
        let (sec, frac_ms) = match hms.next() {
            Some(sec) => {
                let (whole, frac) = match sec.split_once('.') {
                    Some((w, f)) => (w, Some(f)),
                    None => (sec, None),
                };
                let s: i64 = parse_digits(whole, 2)?;
                let ms = match frac {
                    Some(f) if !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()) => {
                        let padded: String = f.chars().chain("000".chars()).take(3).collect();
                        padded.parse::<i64>().ok()?
                    }
                    Some(_) => return None,
                    None => 0,
                };
                (s, ms)
            }
            None => (0, 0),
        };
        if hms.next().is_some() || h > 24 || m > 59 || sec > 60 {
            return None;
        }
        millis_of_day = ((h * 60 + m) * 60 + sec) * 1000 + frac_ms;
        offset_minutes = zone;
    }
    let days = days_from_civil(year, month, day);
    Some(days as i128 * 86_400_000 + millis_of_day as i128 - offset_minutes as i128 * 60_000)
}

/// Splits `12:00:00+02:00` into the clock and the UTC offset in minutes (`Z` or none = 0).
fn split_zone(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    match time.rfind(['+', '-']) {
        Some(i) => {
            let (clock, zone) = time.split_at(i);
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 {
                return None;
            }
            let h: i64 = parse_digits(&digits[..2], 2)?;
            let m: i64 = parse_digits(&digits[2..], 2)?;
            Some((clock, sign * (h * 60 + m)))
        }
        None => Some((time, 0)),
    }
}

fn parse_digits(s: &str, len: usize) -> Option<i64> {
    if s.len() == len && s.chars().all(|c| c.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Standard base64 (padding optional), as `BinaryEquals` values are written.
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let t = s.trim().trim_end_matches('=');
    let mut out = Vec::with_capacity(t.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in t.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // A single leftover character (6 bits) cannot end a base64 text.
    if bits >= 6 {
        return None;
    }
    Some(out)
}

/// An ARN pattern as the Arn operators read it: the six `:`-separated parts matched one by
/// one (a `*` in the service part does not cross into the region part); the last part, the
/// resource, may itself hold `:`. `ArnEquals` and `ArnLike` behave alike (both honour `*`
/// and `?`), as the IAM User Guide says.
enum ArnPattern {
    /// The six parts of an ARN-shaped value.
    Parts(Vec<glob::Pattern>),
    /// A value without any `:` (`*`): matched against the whole ARN.
    Whole(glob::Pattern),
    /// A value with two to five parts: no ARN has that shape, so it matches nothing.
    Malshaped,
}

impl ArnPattern {
    fn read(raw: &str, reading: Reading<'_>) -> Option<ArnPattern> {
        let wild = Reading {
            wildcards: true,
            ..reading
        };
        let segments: Vec<&str> = raw.splitn(6, ':').collect();
        Some(match segments.len() {
            6 => ArnPattern::Parts(
                segments
                    .iter()
                    .map(|s| glob::compile(s, wild))
                    .collect::<Option<Vec<_>>>()?,
            ),
            1 => ArnPattern::Whole(glob::compile(raw, wild)?),
            _ => ArnPattern::Malshaped,
        })
    }

    fn matches(&self, arn: &str) -> bool {
        match self {
            ArnPattern::Whole(p) => p.matches(arn, Case::Sensitive),
            ArnPattern::Parts(parts) => {
                let segments: Vec<&str> = arn.splitn(6, ':').collect();
                segments.len() == 6
                    && parts
                        .iter()
                        .zip(&segments)
                        .all(|(p, s)| p.matches(s, Case::Sensitive))
            }
            ArnPattern::Malshaped => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::ConditionOperator;

    fn ctx() -> RequestContext {
        let mut c = RequestContext::new();
        c.set("aws:SourceIp", "203.0.113.7");
        c.set("aws:SourceIpV6", "2001:db8::1");
        c.set("aws:username", "alice");
        c.set("s3:max-keys", "10");
        c.set("aws:CurrentTime", "2024-03-01T12:00:00Z");
        c.set("aws:EpochTime", "1709294400");
        c.set("aws:SecureTransport", "true");
        c.set("aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:topic");
        c.set("aws:PrincipalTag/team", "red");
        c.set("bin", "aGVsbG8=");
        c.set_multi("aws:TagKeys", vec!["env".into(), "team".into()]);
        c.set_multi("aws:Empty", vec![]);
        c
    }

    /// `(operator, key, values) → expected holds` (or `Err` text fragment via `check_err`).
    fn check(op: &str, key: &str, values: &[&str], expect: bool) {
        let cond = Condition {
            operator: ConditionOperator::from_raw(op),
            key: key.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        };
        let got = condition_holds(&cond, &ctx(), true);
        assert_eq!(got, Ok(expect), "{op} {key} {values:?}");
    }

    fn check_err(op: &str, key: &str, values: &[&str], expect: ConditionError) {
        let cond = Condition {
            operator: ConditionOperator::from_raw(op),
            key: key.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        };
        assert_eq!(condition_holds(&cond, &ctx(), true), Err(expect), "{op}");
    }

    #[test]
    fn strings() {
        check("StringEquals", "aws:username", &["bob", "alice"], true);
        check("StringEquals", "AWS:USERNAME", &["alice"], true);
        check("StringEquals", "aws:username", &["Alice"], false);
        check("StringEquals", "aws:username", &["ali*"], false);
        check("StringEqualsIgnoreCase", "aws:username", &["ALICE"], true);
        check("StringNotEquals", "aws:username", &["bob"], true);
        check("StringNotEquals", "aws:username", &["bob", "alice"], false);
        check(
            "StringNotEqualsIgnoreCase",
            "aws:username",
            &["ALICE"],
            false,
        );
        check("StringLike", "aws:username", &["a?i*"], true);
        check("StringLike", "aws:username", &["b*"], false);
        check("StringNotLike", "aws:username", &["b*"], true);
        check("StringNotLike", "aws:username", &["*"], false);
        // Missing keys: positive false, negated true.
        check("StringEquals", "aws:PrincipalOrgID", &["o-1"], false);
        check("StringNotEquals", "aws:PrincipalOrgID", &["o-1"], true);
        check("StringNotLike", "aws:PrincipalOrgID", &["*"], true);
    }

    #[test]
    fn variables_in_values() {
        check("StringEquals", "aws:username", &["${aws:username}"], true);
        check(
            "StringLike",
            "aws:SourceArn",
            &["*:${aws:PrincipalTag/team}"],
            false,
        );
        check(
            "StringEquals",
            "aws:PrincipalTag/team",
            &["${aws:PrincipalTag/team}"],
            true,
        );
        // A variable with no value equals nothing.
        check(
            "StringEquals",
            "aws:username",
            &["${aws:PrincipalTag/none}"],
            false,
        );
        check(
            "StringNotEquals",
            "aws:username",
            &["${aws:PrincipalTag/none}"],
            true,
        );
    }

    #[test]
    fn if_exists() {
        check("StringEqualsIfExists", "aws:PrincipalOrgID", &["o-1"], true);
        check("StringEqualsIfExists", "aws:username", &["bob"], false);
        check("StringNotEqualsIfExists", "aws:username", &["alice"], false);
        check(
            "IpAddressIfExists",
            "aws:VpcSourceIp",
            &["10.0.0.0/8"],
            true,
        );
        check(
            "BoolIfExists",
            "aws:MultiFactorAuthPresent",
            &["false"],
            true,
        );
    }

    #[test]
    fn set_qualifiers() {
        check(
            "ForAllValues:StringEquals",
            "aws:TagKeys",
            &["env", "team", "x"],
            true,
        );
        check("ForAllValues:StringEquals", "aws:TagKeys", &["env"], false);
        check("ForAnyValue:StringEquals", "aws:TagKeys", &["env"], true);
        check("ForAnyValue:StringEquals", "aws:TagKeys", &["x"], false);
        // Absent or empty keys.
        check("ForAllValues:StringEquals", "aws:Absent", &["x"], true);
        check("ForAllValues:StringEquals", "aws:Empty", &["x"], true);
        check("ForAnyValue:StringEquals", "aws:Absent", &["x"], false);
        check("ForAnyValue:StringEquals", "aws:Empty", &["x"], false);
        check("ForAnyValue:StringNotEquals", "aws:Absent", &["x"], false);
        check(
            "ForAnyValue:StringEqualsIfExists",
            "aws:Absent",
            &["x"],
            true,
        );
        // Negated with qualifiers: per value "equals none of".
        check("ForAnyValue:StringNotEquals", "aws:TagKeys", &["env"], true);
        check(
            "ForAnyValue:StringNotEquals",
            "aws:TagKeys",
            &["env", "team"],
            false,
        );
        check("ForAllValues:StringNotEquals", "aws:TagKeys", &["x"], true);
        check(
            "ForAllValues:StringNotEquals",
            "aws:TagKeys",
            &["env"],
            false,
        );
        check(
            "ForAllValues:StringLike",
            "aws:TagKeys",
            &["e*", "t*"],
            true,
        );
        // No qualifier on a multi-valued key: positive any, negated none.
        check("StringEquals", "aws:TagKeys", &["team"], true);
        check("StringNotEquals", "aws:TagKeys", &["team"], false);
        check("StringNotEquals", "aws:TagKeys", &["x"], true);
        // Single-valued key with a qualifier behaves as a one-element set.
        check(
            "ForAllValues:StringEquals",
            "aws:username",
            &["alice"],
            true,
        );
    }

    #[test]
    fn numbers() {
        check("NumericEquals", "s3:max-keys", &["10"], true);
        check("NumericEquals", "s3:max-keys", &["10.0"], true);
        check("NumericNotEquals", "s3:max-keys", &["10"], false);
        check("NumericLessThan", "s3:max-keys", &["11"], true);
        check("NumericLessThan", "s3:max-keys", &["10"], false);
        check("NumericLessThanEquals", "s3:max-keys", &["10"], true);
        check("NumericGreaterThan", "s3:max-keys", &["9"], true);
        check("NumericGreaterThanEquals", "s3:max-keys", &["11"], false);
        check("NumericLessThan", "aws:username", &["11"], false);
        check("NumericNotEquals", "aws:username", &["11"], true);
        check_err(
            "NumericEquals",
            "s3:max-keys",
            &["ten"],
            malformed("a number", "ten"),
        );
    }

    #[test]
    fn dates() {
        check(
            "DateEquals",
            "aws:CurrentTime",
            &["2024-03-01T12:00:00Z"],
            true,
        );
        check(
            "DateEquals",
            "aws:CurrentTime",
            &["2024-03-01T14:00:00+02:00"],
            true,
        );
        check("DateEquals", "aws:CurrentTime", &["1709294400"], true);
        check(
            "DateEquals",
            "aws:EpochTime",
            &["2024-03-01T12:00:00.000Z"],
            true,
        );
        check("DateLessThan", "aws:CurrentTime", &["2024-03-02"], true);
        check("DateLessThan", "aws:CurrentTime", &["2024-03-01"], false);
        check("DateGreaterThan", "aws:CurrentTime", &["2024-03-01"], true);
        check(
            "DateLessThanEquals",
            "aws:CurrentTime",
            &["2024-03-01T12:00:00Z"],
            true,
        );
        check(
            "DateGreaterThanEquals",
            "aws:CurrentTime",
            &["2024-03-01T12:00:01Z"],
            false,
        );
        check("DateNotEquals", "aws:CurrentTime", &["2020-01-01"], true);
        check_err(
            "DateLessThan",
            "aws:CurrentTime",
            &["yesterday"],
            malformed("a date", "yesterday"),
        );
        assert_eq!(parse_date("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_date("2000-03-01"), Some(951_868_800_000));
        assert_eq!(parse_date("2024-02-30x"), None);
    }

    #[test]
    fn bools_and_binary() {
        check("Bool", "aws:SecureTransport", &["true"], true);
        check("Bool", "aws:SecureTransport", &["TRUE"], true);
        check("Bool", "aws:SecureTransport", &["false"], false);
        check("Bool", "aws:MultiFactorAuthPresent", &["false"], false);
        check(
            "BoolIfExists",
            "aws:MultiFactorAuthPresent",
            &["true"],
            true,
        );
        check("BinaryEquals", "bin", &["aGVsbG8"], true);
        check("BinaryEquals", "bin", &["aGVsbA=="], false);
        check_err(
            "Bool",
            "aws:SecureTransport",
            &["yes"],
            malformed("true or false", "yes"),
        );
        check_err("BinaryEquals", "bin", &["!!"], malformed("base64", "!!"));
    }

    #[test]
    fn ip_addresses() {
        check("IpAddress", "aws:SourceIp", &["203.0.113.0/24"], true);
        check("IpAddress", "aws:SourceIp", &["203.0.113.7"], true);
        check(
            "IpAddress",
            "aws:SourceIp",
            &["198.51.100.0/24", "203.0.113.0/28"],
            true,
        );
        check("IpAddress", "aws:SourceIp", &["198.51.100.0/24"], false);
        check("NotIpAddress", "aws:SourceIp", &["198.51.100.0/24"], true);
        check("NotIpAddress", "aws:SourceIp", &["0.0.0.0/0"], false);
        check("IpAddress", "aws:SourceIpV6", &["2001:db8::/32"], true);
        check("IpAddress", "aws:SourceIpV6", &["2001:db9::/32"], false);
        check("IpAddress", "aws:SourceIp", &["2001:db8::/32"], false);
        check("IpAddress", "aws:SourceIp", &["203.0.113.9/8"], true);
        check("NotIpAddress", "aws:Absent", &["10.0.0.0/8"], true);
        check_err(
            "IpAddress",
            "aws:SourceIp",
            &["10.0.0/33"],
            malformed("an IP address or CIDR", "10.0.0/33"),
        );
    }

    #[test]
    fn arns() {
        let k = "aws:SourceArn";
        check(
            "ArnEquals",
            k,
            &["arn:aws:sns:us-east-1:111122223333:topic"],
            true,
        );
        check("ArnLike", k, &["arn:aws:sns:*:111122223333:*"], true);
        check("ArnEquals", k, &["arn:aws:sns:*:111122223333:*"], true);
        check("ArnLike", k, &["arn:aws:sns:*:444455556666:*"], false);
        check("ArnNotLike", k, &["arn:aws:sns:*:444455556666:*"], true);
        check(
            "ArnNotEquals",
            k,
            &["arn:aws:sns:us-east-1:111122223333:topic"],
            false,
        );
        // Parts match one by one: `*` in the service part does not swallow the region.
        check("ArnLike", k, &["arn:aws:*:111122223333:topic"], false);
        check("ArnLike", k, &["*"], true);
        check(
            "ArnLike",
            k,
            &["arn:aws:sns:us-east-1:111122223333:top?c"],
            true,
        );
    }

    #[test]
    fn null() {
        check("Null", "aws:PrincipalOrgID", &["true"], true);
        check("Null", "aws:username", &["true"], false);
        check("Null", "aws:username", &["false"], true);
        check("Null", "aws:Empty", &["true"], true);
        check_err(
            "Null",
            "aws:username",
            &["maybe"],
            ConditionError::Malformed("Null expects true or false, found \"maybe\"".into()),
        );
    }

    #[test]
    fn unknown_operators_are_errors() {
        check_err(
            "StringEqualz",
            "aws:username",
            &["x"],
            ConditionError::UnsupportedOperator,
        );
        check_err(
            "stringequals",
            "aws:username",
            &["x"],
            ConditionError::UnsupportedOperator,
        );
    }
}
