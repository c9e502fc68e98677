//! `leakpath.toml`: scan settings (format documented on `model::Settings`).

use super::json::MAX_FILE_BYTES;
use super::IngestError;
use crate::model::{is_account_id, Settings};
use ipnet::IpNet;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsFile {
    #[serde(default)]
    trusted_accounts: Vec<String>,
    #[serde(default)]
    trusted_cidrs: Vec<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

/// Parses the bytes of `leakpath.toml` (`rel` names it in errors).
pub fn parse_settings(bytes: &[u8], rel: &str) -> Result<Settings, IngestError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(IngestError::TooLarge {
            file: rel.to_string(),
            size: bytes.len() as u64,
            limit: MAX_FILE_BYTES,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| IngestError::NotUtf8 {
        file: rel.to_string(),
        offset: e.valid_up_to(),
    })?;
    let err = |message: String| IngestError::Settings {
        file: rel.to_string(),
        message,
    };
    let raw: SettingsFile =
        toml::from_str(text).map_err(|e| err(e.to_string().trim().to_string()))?;
    let mut trusted_cidrs = Vec::new();
    for (i, c) in raw.trusted_cidrs.iter().enumerate() {
        let net: IpNet = c
            .parse()
            .map_err(|_| err(format!("trusted_cidrs[{i}]: invalid CIDR {c:?}")))?;
        trusted_cidrs.push(net);
    }
    for (i, a) in raw.trusted_accounts.iter().enumerate() {
        if !is_account_id(a) {
            return Err(err(format!(
                "trusted_accounts[{i}]: {a:?} is not a 12-digit account id"
            )));
        }
    }
    Ok(Settings {
        from_file: true,
        trusted_accounts: raw.trusted_accounts,
        trusted_cidrs,
        labels: raw.labels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: Result<(usize, usize, usize), &str>) {
        let got = parse_settings(input.as_bytes(), "leakpath.toml")
            .map(|s| {
                (
                    s.trusted_accounts.len(),
                    s.trusted_cidrs.len(),
                    s.labels.len(),
                )
            })
            .map_err(|e| e.to_string());
        match (&got, &expect) {
            (Ok(g), Ok(e)) => assert_eq!(g, e),
            (Err(g), Err(e)) => assert!(g.starts_with(e), "{g}"),
            _ => panic!("{input}: got {got:?}, want {expect:?}"),
        }
    }

    #[test]
    fn settings_parse_and_validate() {
        check("", Ok((0, 0, 0)));
        check(
            "trusted_accounts = [\"111122223333\"]\ntrusted_cidrs = [\"10.0.0.0/8\", \"2001:db8::/32\"]\n[labels]\nb = \"pii\"\n",
            Ok((1, 2, 1)),
        );
        check(
            "trusted_accounts = [\"1111\"]",
            Err("leakpath.toml: invalid settings: trusted_accounts[0]: \"1111\" is not a 12-digit account id"),
        );
        check(
            "trusted_cidrs = [\"10.0.0.0/99\"]",
            Err("leakpath.toml: invalid settings: trusted_cidrs[0]: invalid CIDR"),
        );
        check(
            "trusted_acounts = []",
            Err("leakpath.toml: invalid settings: "),
        );
        check(
            "trusted_accounts = 3",
            Err("leakpath.toml: invalid settings: "),
        );
    }
}
