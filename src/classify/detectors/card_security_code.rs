//! `card_security_code`: card verification codes (CVV/CVC/CID) and card expiry dates, found
//! by their column or key name (`cvv`, `cvv2`, `cvc`, `card_expiry`, `exp_date`, …) holding a
//! value of the right shape (3–4 digits; `MM/YY`, `MM/YYYY` or `Mon-YY`).
//!
//! Why it matters: PCI DSS forbids storing the CVV at all after authorization; a CVV column
//! is a card-fraud kit even where the card number itself was mangled (e.g. by a spreadsheet
//! turning it into `5.54563E+15`).
//!
//! Example: column `CVV2` with value `511`, column `CCExpires` with value `Jan-20`.

use super::{key_matches, Detector, Field, FieldFacts};
use crate::classify::Label;

pub struct CardSecurityCode;

impl Detector for CardSecurityCode {
    fn name(&self) -> &'static str {
        "card_security_code"
    }
    fn indicates(&self) -> Label {
        Label::Financial
    }
    fn scan(&self, field: &Field<'_>, facts: &FieldFacts) -> u32 {
        let Some(key) = field.key else { return 0 };
        let v = field.value.trim();
        if key_matches(
            key,
            &["cvv", "cvc", "cvv2", "cvc2", "cid", "csc"],
            &["securitycode", "cardcode"],
        ) {
            let n = v.len();
            return u32::from((3..=4).contains(&n) && v.bytes().all(|b| b.is_ascii_digit()));
        }
        let expiry_key = key_matches(
            key,
            &[],
            &[
                "ccexp",
                "cardexp",
                "expdate",
                "expiry",
                "expiration",
                "ccexpires",
                "validthru",
            ],
        );
        if expiry_key && facts.digits >= 2 && facts.digits <= 6 && v.len() <= 10 {
            let digit_groups = v.split(['/', '-', ' ']).filter(|p| !p.is_empty()).count();
            return u32::from(digit_groups == 2);
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
            CardSecurityCode.scan(&f, &FieldFacts::of(value)),
            expect,
            "{key}={value}"
        );
    }

    #[test]
    fn codes() {
        check("cvv2", "511", 1);
        check("ccexpires", "Jan-20", 1);
        check("card_expiry", "03/27", 1);
        check("cvv", "hello", 0);
        check("count", "511", 0);
    }
}
