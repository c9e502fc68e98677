//! The zone of trust: the accounts whose principals count as "inside".
//!
//! AWS has no such notion; it is the user's: the organization's accounts (every account
//! `organizations list-accounts` names), or, without an organization, the exported
//! accounts, plus `trusted_accounts` from `leakpath.toml`. Everything else — other AWS
//! accounts, anonymous callers, federated identities from public providers, the internet —
//! is outside, and a route from there to data is an exposure.

use crate::model::{is_account_id, Collected, Model};
use std::collections::BTreeSet;

/// The set of account ids inside the zone of trust, and the organization id (if any) that
/// the zone's principals carry in `aws:PrincipalOrgID`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneOfTrust {
    pub accounts: BTreeSet<String>,
    /// `o-...` of the organization, when the export has one.
    pub org_id: Option<String>,
}

impl ZoneOfTrust {
    /// The zone of a model: organization accounts (or the exported accounts without one)
    /// plus the settings' trusted accounts.
    pub fn of(model: &Model) -> ZoneOfTrust {
        let mut accounts = BTreeSet::new();
        let org_id = match &model.organization {
            Collected::Present(org) => Some(org.id.clone()),
            Collected::Missing => None,
        };
        // Every account the model knows comes either from the organization's list (then it
        // is in the organization) or from an exported folder (then it is the scanned
        // account). Both are inside.
        for a in &model.accounts {
            let id = model.str(a.id);
            if is_account_id(id) {
                accounts.insert(id.to_string());
            }
        }
        for t in &model.settings.trusted_accounts {
            accounts.insert(t.clone());
        }
        ZoneOfTrust { accounts, org_id }
    }

    pub fn contains(&self, account: &str) -> bool {
        self.accounts.contains(account)
    }

    /// An account id certainly outside the zone, used to stand for "any other AWS account"
    /// in witness requests. Deterministic: the largest 12-digit id not in the zone.
    pub fn generic_outside_account(&self) -> String {
        let mut n: u64 = 999_999_999_999;
        loop {
            let s = format!("{n:012}");
            if !self.accounts.contains(&s) || n == 0 {
                return s;
            }
            n -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(zone: &[&str], expect_generic: &str) {
        let z = ZoneOfTrust {
            accounts: zone.iter().map(|s| s.to_string()).collect(),
            org_id: None,
        };
        assert_eq!(z.generic_outside_account(), expect_generic);
        for a in zone {
            assert!(z.contains(a));
        }
        assert!(!z.contains(expect_generic));
    }

    #[test]
    fn generic_outside_account_is_never_inside() {
        check(&[], "999999999999");
        check(&["999999999999"], "999999999998");
        check(
            &["111111111111", "999999999999", "999999999998"],
            "999999999997",
        );
    }
}
