//! `financial_terms`: words of payments and banking in text (`invoice`, `iban`, `payment`,
//! `credit card`, `balance`, `routing`, …), counted through the shared lexicon.
//!
//! Why it matters: free-text records ("please charge my credit card …", "the IBAN for the
//! refund is …") carry their meaning in words; the detectors for numbers cannot see that a
//! message is about money.
//!
//! Example: `Please refund the payment to my card` has 3 hits (refund, payment, card).

use super::{Detector, Field, FieldFacts};
use crate::classify::lexicon::WordClass;
use crate::classify::Label;

pub struct FinancialTerms;

pub const TERMS: &[&str] = &[
    "invoice",
    "invoices",
    "payment",
    "payments",
    "paid",
    "refund",
    "iban",
    "swift",
    "bic",
    "bank",
    "banking",
    "account",
    "accounts",
    "balance",
    "transaction",
    "transactions",
    "txn",
    "credit",
    "debit",
    "card",
    "cards",
    "visa",
    "mastercard",
    "amex",
    "maestro",
    "cardholder",
    "routing",
    "ledger",
    "payable",
    "receivable",
    "billing",
    "billed",
    "charge",
    "charged",
    "chargeback",
    "wire",
    "transfer",
    "remittance",
    "loan",
    "mortgage",
    "deposit",
    "withdrawal",
    "overdraft",
    "cvv",
    "cvc",
    "expiry",
    "merchant",
    "payee",
    "payer",
    "amount",
    "tax",
    "vat",
    "ach",
    "sepa",
    "savings",
    "ccnumber",
];

impl Detector for FinancialTerms {
    fn name(&self) -> &'static str {
        "financial_terms"
    }
    fn indicates(&self) -> Label {
        Label::Financial
    }
    fn scan(&self, _field: &Field<'_>, facts: &FieldFacts) -> u32 {
        facts.words.get(WordClass::Financial)
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
            FinancialTerms.scan(&f, &FieldFacts::of(input)),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn terms() {
        check("Please refund the payment to my card", 3);
        check("the iris dataset", 0);
    }
}
