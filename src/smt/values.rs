//! Typed request values as the condition operators read them — numbers, dates, IP addresses,
//! booleans, base64 — parsed and rendered for the symbolic encoding: numbers become scaled
//! integers, dates milliseconds since the epoch, IPs a (family, 128-bit) pair; and the
//! reverse, so a model value becomes a string `eval` reads back as the same value.
//!
//! These follow the IAM User Guide as `eval` implements it (`eval/conditions.rs`): numbers
//! are plain decimals (no exponent), dates are epoch seconds or ISO 8601 with an optional
//! offset, IP values are single addresses or CIDRs (host bits ignored).

// Reading a value is the same on both sides; only the semantics are kept independent.
use crate::eval::conditions::days_from_civil;
pub use crate::eval::conditions::{decode_base64, parse_bool};

use std::net::IpAddr;

/// A decimal number as an exact scaled integer: `value = mantissa / 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    pub mantissa: i128,
    pub scale: u32,
}

/// Reads a number the way the Numeric operators do: optional sign, digits, optional
/// fraction (`10`, `-1.5`, `.5`, `5.`). `None` for anything else.
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    let t = s.trim();
    let (neg, body) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Keep at most 30 significant digits; beyond that f64 (eval) cannot tell them apart
    // either, and we refuse rather than guess.
    let digits = format!("{int}{frac}");
    let trimmed = digits.trim_start_matches('0');
    if trimmed.len() > 30 {
        return None;
    }
    let mantissa: i128 = if trimmed.is_empty() {
        0
    } else {
        trimmed.parse().ok()?
    };
    Some(Decimal {
        mantissa: if neg { -mantissa } else { mantissa },
        scale: frac.len() as u32,
    })
}

impl Decimal {
    /// The value as an integer at `scale` (which must be >= self.scale).
    pub fn at_scale(self, scale: u32) -> Option<i128> {
        let factor = 10i128.checked_pow(scale.checked_sub(self.scale)?)?;
        self.mantissa.checked_mul(factor)
    }
}

/// Renders `x / 10^scale` as a decimal string.
pub fn render_decimal(x: i64, scale: u32) -> String {
    if scale == 0 {
        return x.to_string();
    }
    let neg = x < 0;
    let abs = (x as i128).unsigned_abs();
    let factor = 10u128.pow(scale);
    let (int, frac) = (abs / factor, abs % factor);
    format!(
        "{}{int}.{frac:0width$}",
        if neg { "-" } else { "" },
        width = scale as usize
    )
}

/// Milliseconds since the epoch of a date as the Date operators read it: all-digit epoch
/// seconds, or ISO 8601 `YYYY-MM-DD[Thh:mm[:ss[.fff]][Z|±hh:mm]]`.
pub fn parse_date_ms(s: &str) -> Option<i128> {
    let t = s.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<i128>().ok()?.checked_mul(1000);
    }
    let (date, time) = match t.find(['T', 't']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let mut ymd = date.split('-');
    let y = fixed_digits(ymd.next()?, 4)?;
    let mo = fixed_digits(ymd.next()?, 2)?;
    let d = fixed_digits(ymd.next()?, 2)?;
    if ymd.next().is_some() || !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let mut ms_of_day = 0i64;
    let mut offset_min = 0i64;
    if let Some(time) = time {
        let (clock, zone) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
            (c, 0)
        } else if let Some(i) = time.rfind(['+', '-']) {
            let (c, z) = time.split_at(i);
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let digits: String = z[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 {
                return None;
            }
            let zh = fixed_digits(digits.get(..2)?, 2)?;
            let zm = fixed_digits(digits.get(2..)?, 2)?;
            (c, sign * (zh * 60 + zm))
        } else {
            (time, 0)
        };
        let mut hms = clock.split(':');
        let h = fixed_digits(hms.next()?, 2)?;
        let m = fixed_digits(hms.next()?, 2)?;
        let (sec, ms) = match hms.next() {
            Some(sec) => {
                let (whole, frac) = match sec.split_once('.') {
                    Some((w, f)) => (w, Some(f)),
                    None => (sec, None),
                };
                let s = fixed_digits(whole, 2)?;
                let ms = match frac {
                    Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
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
        ms_of_day = ((h * 60 + m) * 60 + sec) * 1000 + ms;
        offset_min = zone;
    }
    let days = days_from_civil(y, mo, d);
    Some(days as i128 * 86_400_000 + ms_of_day as i128 - offset_min as i128 * 60_000)
}

fn fixed_digits(s: &str, len: usize) -> Option<i64> {
    (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// The civil date of a day count (Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The smallest and largest instants an ISO 8601 date with a 4-digit year can name, in ms.
pub const DATE_MIN_MS: i64 = -62_167_219_200_000; // 0000-01-01T00:00:00Z
pub const DATE_MAX_MS: i64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

/// Renders milliseconds since the epoch as ISO 8601 UTC with milliseconds (within
/// `DATE_MIN_MS..=DATE_MAX_MS`).
pub fn render_date(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s, f) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{f:03}Z")
}

/// An IP network as `(is_v6, first, last)` over the 32- or 128-bit address space; a single
/// address is a /32 or /128. `None` when the text is neither.
pub fn parse_network_range(s: &str) -> Option<(bool, u128, u128)> {
    let t = s.trim();
    let (addr, prefix) = match t.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (t, None),
    };
    let ip: IpAddr = addr.parse().ok()?;
    let (is6, bits, width) = match ip {
        IpAddr::V4(v4) => (false, u32::from(v4) as u128, 32u32),
        IpAddr::V6(v6) => (true, u128::from(v6), 128u32),
    };
    let len = match prefix {
        Some(p) => {
            // ipnet accepts decimal prefix lengths only, up to the width.
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 3 {
                return None;
            }
            let n: u32 = p.parse().ok()?;
            if n > width {
                return None;
            }
            n
        }
        None => width,
    };
    let host_bits = width - len;
    let mask: u128 = if host_bits >= 128 {
        u128::MAX
    } else {
        (1u128 << host_bits) - 1
    };
    let first = bits & !mask;
    let last = first | mask;
    let last = if width == 32 {
        last & 0xffff_ffff
    } else {
        last
    };
    Some((is6, first, last))
}

/// Reads a request IP value: one address, v4 or v6.
pub fn parse_ip(s: &str) -> Option<(bool, u128)> {
    match s.trim().parse::<IpAddr>().ok()? {
        IpAddr::V4(v4) => Some((false, u32::from(v4) as u128)),
        IpAddr::V6(v6) => Some((true, u128::from(v6))),
    }
}

pub fn render_ip(is6: bool, bits: u128) -> String {
    if is6 {
        std::net::Ipv6Addr::from(bits).to_string()
    } else {
        std::net::Ipv4Addr::from((bits & 0xffff_ffff) as u32).to_string()
    }
}

/// Address ranges that are not reachable from the public internet (RFC 6890 special-purpose
/// registries): an anonymous internet requester's source IP is never one of these.
pub const NON_PUBLIC_V4: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
];
pub const NON_PUBLIC_V6: &[&str] = &[
    "::/128",
    "::1/128",
    "::ffff:0:0/96",
    "64:ff9b::/96",
    "100::/64",
    "2001:db8::/32",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
];

pub fn encode_base64(bytes: &[u8]) -> String {
    const ALPHA: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ALPHA[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
        for _ in chunk.len()..3 {
            out.push('=');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check<T: PartialEq + std::fmt::Debug>(got: T, expect: T) {
        assert_eq!(got, expect);
    }

    #[test]
    fn decimals_parse_like_f64_and_round_trip() {
        for s in ["10", "-1.5", ".5", "5.", "+3", "0.001", "007"] {
            let d = parse_decimal(s).unwrap();
            let f: f64 = s.parse().unwrap();
            check(d.mantissa as f64 / 10f64.powi(d.scale as i32), f);
        }
        for s in ["", ".", "-", "1e3", "1.2.3", "abc", "--1", "inf"] {
            check(parse_decimal(s), None);
        }
        check(render_decimal(15, 1), "1.5".to_string());
        check(render_decimal(-5, 2), "-0.05".to_string());
        check(render_decimal(42, 0), "42".to_string());
        check(parse_decimal("1.5").unwrap().at_scale(3), Some(1500));
    }

    #[test]
    fn dates_parse_and_render_back() {
        check(parse_date_ms("1709294400"), Some(1_709_294_400_000));
        check(
            parse_date_ms("2024-03-01T14:00:00+02:00"),
            Some(1_709_294_400_000),
        );
        check(parse_date_ms("2000-03-01"), Some(951_868_800_000));
        check(parse_date_ms("2024-02-30x"), None);
        for ms in [
            0i64,
            1,
            -1,
            951_868_800_123,
            DATE_MIN_MS,
            DATE_MAX_MS,
            1_709_294_399_999,
        ] {
            check(parse_date_ms(&render_date(ms)), Some(ms as i128));
        }
    }

    #[test]
    fn networks_and_addresses() {
        check(
            parse_network_range("10.1.2.3/8"),
            Some((false, 10 << 24, (10 << 24) | 0xff_ffff)),
        );
        check(
            parse_network_range("203.0.113.7"),
            Some((false, 0xcb00_7107, 0xcb00_7107)),
        );
        check(parse_network_range("10.0.0/33"), None);
        check(parse_network_range("::/0"), Some((true, 0, u128::MAX)));
        check(
            parse_network_range("1.2.3.4/0"),
            Some((false, 0, 0xffff_ffff)),
        );
        check(
            parse_ip(" 2001:db8::1 "),
            Some((true, (0x2001_0db8u128 << 96) | 1)),
        );
        check(render_ip(false, 0xcb00_7107), "203.0.113.7".to_string());
    }

    #[test]
    fn base64_round_trips() {
        for bytes in [&b""[..], b"h", b"he", b"hel", b"hello"] {
            check(decode_base64(&encode_base64(bytes)), Some(bytes.to_vec()));
        }
        check(decode_base64("aGVsbG8"), Some(b"hello".to_vec()));
        check(decode_base64("!!"), None);
    }
}
