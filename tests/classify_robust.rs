//! The classifier never panics on input: arbitrary bytes (binary, invalid UTF-8, truncated
//! gzip, CSV with ragged rows, unterminated JSON strings) under any file name and byte cap
//! produce a label.

use leakpath::classify::{
    classify_dataset_with, ClassifyOptions, Label, Sample, SensitivityLabel, SensitivityModel,
};
use proptest::prelude::*;

fn check(name: &str, body: Vec<u8>, cap: u64) -> SensitivityLabel {
    let model = SensitivityModel::embedded().unwrap_or_else(|e| panic!("{e}"));
    let options = ClassifyOptions {
        sample_byte_cap: cap,
        max_samples: 4,
    };
    let samples = std::iter::once(Sample::new(name, std::io::Cursor::new(body)));
    classify_dataset_with(samples, &["k/é.csv".to_string()], "bücket", model, &options)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn arbitrary_bytes(body in proptest::collection::vec(any::<u8>(), 0..2048), cap in 0u64..4096, ext in prop::sample::select(vec!["a.csv", "b.json", "c.env", "d.txt", "e.gz", "f"])) {
        let _ = check(ext, body, cap);
    }

    #[test]
    fn arbitrary_text(body in "[a-zA-Z0-9 ,;:=\"'{}\\[\\]<>/@.#\\-\\n\\t]{0,600}", ext in prop::sample::select(vec!["a.csv", "b.json", "c.yaml", "d.xml"])) {
        let _ = check(ext, body.into_bytes(), 1 << 20);
    }
}

#[test]
fn truncated_gzip_and_empty_inputs() {
    let truncated = check("x.gz", vec![0x1f, 0x8b, 0x08, 0x00, 0x01], 1024);
    assert!(
        truncated
            .evidence
            .iter()
            .any(|e| e.contains("unreadable sample x.gz")),
        "{truncated:?}"
    );
    let model = SensitivityModel::embedded().unwrap_or_else(|e| panic!("{e}"));
    let none = classify_dataset_with(
        std::iter::empty(),
        &[],
        "",
        model,
        &ClassifyOptions::default(),
    );
    assert_eq!(none.label, Label::Unknown);
    assert_eq!(none.confidence, 0.0);
}
