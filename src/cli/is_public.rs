//! `leakpath is-public POLICY.json [--json]`: Block Public Access's verdict on one resource
//! policy. The file may hold the policy document, a JSON string holding it, a URL-encoded
//! policy, `{"Policy": "<json string>"}` as `aws s3api get-bucket-policy` prints it, or a
//! single statement object (as the S3 User Guide prints its examples).

use anyhow::Context;
use leakpath::policy::parse::{parse_policy_text, parse_policy_value};
use leakpath::policy::PolicyDocument;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy file (a document, a JSON string, or get-bucket-policy's {"Policy": "..."}).
    pub policy: PathBuf,
    /// Print one JSON object: {"public": true|false, "reasons": [...]}.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let doc = read_policy_file(&args.policy)?;
    let verdict = leakpath::eval::is_public_policy(&doc);
    if args.json {
        println!("{}", leakpath::report::public_verdict::to_json(&verdict));
    } else {
        print!(
            "{}",
            leakpath::report::public_verdict::to_text(&verdict, &args.policy.display().to_string())
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a policy from a file in any of the accepted shapes; errors name the file and the
/// JSON path inside it.
fn read_policy_file(path: &Path) -> anyhow::Result<PolicyDocument> {
    let name = path.display();
    let bytes = std::fs::read(path).with_context(|| format!("{name}: cannot read the file"))?;
    let text = String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{name}: not UTF-8 text"))?;
    let value: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        // Not JSON: perhaps IAM's URL-encoded form.
        Err(json_err) => {
            return parse_policy_text(text.trim()).map_err(|policy_err| {
                anyhow::anyhow!(
                    "{name}: not a JSON policy ({json_err}) nor a URL-encoded one ({policy_err})"
                )
            })
        }
    };
    if let Value::Object(map) = &value {
        if !map.contains_key("Statement") {
            // get-bucket-policy (and lambda get-policy) wrap the document: {"Policy": "<json>"}.
            if let Some(inner) = map.get("Policy") {
                return parse_policy_value(inner)
                    .map_err(|e| anyhow::anyhow!("{name}: /Policy: {e}"));
            }
            // A lone statement, as the S3 User Guide prints its Block Public Access examples:
            // judged as a policy holding just that statement.
            if map.contains_key("Effect") {
                let wrapped = serde_json::json!({ "Statement": [value.clone()] });
                return parse_policy_value(&wrapped).map_err(|e| {
                    anyhow::anyhow!("{name}: (as the only statement of a policy) {e}")
                });
            }
        }
    }
    parse_policy_value(&value).map_err(|e| anyhow::anyhow!("{name}: {e}"))
}
