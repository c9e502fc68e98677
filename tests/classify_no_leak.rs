//! No sensitive value leaves the classifier: a dataset full of card numbers, keys, SSNs,
//! IBANs, passwords and e-mail addresses is labelled, and neither the label's evidence nor
//! the `classify --json` line contains any of those values (or a 6-character piece of one).

use leakpath::classify::{classify_dataset, Label, Sample, SensitivityModel};
use leakpath::report::classify_output::{json_line, text_block};

const SECRETS: &[&str] = &[
    "4111111111111111",
    "5500 0000 0000 0004",
    "378282246310005",
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R",
    "514-69-0360",
    "GB82WEST12345698765432",
    "hunter2-Correct-Horse",
    "marie.hamanova@armyspy.com",
    "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi",
];

fn dataset() -> Vec<(String, Vec<u8>)> {
    let csv = format!(
        "name,card_number,cvv,ssn,iban,email\nMarie Hamanova,{},123,{},{},{}\nJohn Smith,{},456,{},{},{}\n",
        SECRETS[0], SECRETS[6], SECRETS[7], SECRETS[9], SECRETS[2], SECRETS[6], SECRETS[7], SECRETS[9]
    );
    let env = format!(
        "AWS_ACCESS_KEY_ID={}\nAWS_SECRET_ACCESS_KEY={}\nGITHUB_TOKEN={}\nDB_PASSWORD={}\n",
        SECRETS[3], SECRETS[4], SECRETS[5], SECRETS[8]
    );
    let text = format!(
        "Card {} was charged. -----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
        SECRETS[1], SECRETS[10]
    );
    vec![
        ("customers.csv".into(), csv.into_bytes()),
        (".env".into(), env.into_bytes()),
        ("notes.txt".into(), text.into_bytes()),
    ]
}

fn check(output: &str) {
    for secret in SECRETS {
        let compact: String = secret
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        for piece in [secret.to_string(), compact.clone()] {
            assert!(
                !output.contains(&piece),
                "output leaks {piece:?}:\n{output}"
            );
        }
        // No 8-character window of a value either (catches partial masking, e.g. last-4 + prefix).
        let chars: Vec<char> = compact.chars().collect();
        for w in chars.windows(8) {
            let piece: String = w.iter().collect();
            assert!(
                !output.contains(&piece),
                "output leaks part {piece:?} of a value:\n{output}"
            );
        }
    }
}

#[test]
fn evidence_and_json_carry_no_values() {
    let model = SensitivityModel::embedded().unwrap_or_else(|e| panic!("{e}"));
    let samples = dataset()
        .into_iter()
        .map(|(n, b)| Sample::new(n, std::io::Cursor::new(b)));
    let result = classify_dataset(
        samples,
        &["exports/customers.csv".to_string()],
        "acme-exports",
        model,
    );
    assert!(
        matches!(result.label, Label::Credentials | Label::Financial),
        "{result:?}"
    );
    assert!(!result.evidence.is_empty());
    let line = json_line("acme-exports", &result).unwrap_or_default();
    check(&line);
    check(&text_block("acme-exports", &result));
    check(&format!("{result:?}"));
}

#[test]
fn unreadable_samples_are_noted_without_content() {
    struct Broken;
    impl std::io::Read for Broken {
        fn read(&mut self, _buf: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "4111111111111111",
            ))
        }
    }
    let model = SensitivityModel::embedded().unwrap_or_else(|e| panic!("{e}"));
    let samples = vec![Sample::new("broken.csv", Broken)].into_iter();
    let result = classify_dataset(samples, &[], "", model);
    let text = format!("{result:?}");
    assert!(text.contains("broken.csv"), "{text}");
    // The io error's message is not copied (only its kind), so even a reader that puts data
    // in its error cannot leak through evidence.
    check(&text);
}
