//! `bank_account`: bank account numbers, routing numbers, sort codes and SWIFT/BIC codes,
//! found by their column or key name (`account_number`, `routing_number`, `sort_code`,
//! `swift`, `bic`, …) holding a value of the right shape (6–17 digits, `12-34-56`, or an
//! 8/11-character BIC).
//!
//! Why it matters: account plus routing number is what a fraudulent ACH debit needs; these
//! columns make a table a financial record even without card numbers.
//!
//! Example: column `routing_number` = `021000021`, column `bic` = `DEUTDEFF`.

use super::{key_matches, Detector, Field, FieldFacts};
use crate::classify::Label;

pub struct BankAccount;

impl Detector for BankAccount {
    fn name(&self) -> &'static str {
        "bank_account"
    }
    fn indicates(&self) -> Label {
        Label::Financial
    }
    fn scan(&self, field: &Field<'_>, facts: &FieldFacts) -> u32 {
        let Some(key) = field.key else { return 0 };
        let v = field.value.trim();
        if key_matches(key, &["swift", "bic"], &["swiftcode", "biccode"]) {
            let ok = (v.len() == 8 || v.len() == 11)
                && v.bytes().take(6).all(|b| b.is_ascii_uppercase())
                && v.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
            return u32::from(ok);
        }
        let account_key = key_matches(
            key,
            &["routing", "aba", "acct"],
            &[
                "accountnumber",
                "accountno",
                "accountnum",
                "bankaccount",
                "sortcode",
                "routingnumber",
                "acctno",
            ],
        );
        if account_key {
            let only = v
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'-' || b == b' ');
            return u32::from(only && (6..=17).contains(&facts.digits));
        }
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(key: &str, value: &str, expect: u32) {
        let f = Field {
            key: Some(key),
            value,
        };
        assert_eq!(
            BankAccount.scan(&f, &FieldFacts::of(value)),
            expect,
            "{key}={value}"
        );
    }

    #[test]
    fn accounts() {
        check("routing_number", "021000021", 1);
        check("sort_code", "12-34-56", 1);
        check("bic", "DEUTDEFF", 1);
        check("account_number", "not a number", 0);
        check("accounts_count", "12345678", 0);
    }
}
