//! Fuzz target: the policy parser on arbitrary bytes, as text (JSON or URL-encoded) and as
//! an already parsed JSON value. It must return Ok or a PolicyError, never panic.
#![no_main]

use leakpath::policy::parse::{parse_policy_text_located, parse_policy_value_located};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok((doc, layout)) = parse_policy_text_located(text) {
        // Every statement has exactly one pointer.
        assert_eq!(doc.statements.len(), layout.statement_pointers.len());
    }
    // serde_json's own recursion limit (128) keeps this from overflowing the stack.
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        let _ = parse_policy_value_located(&v);
    }
});
