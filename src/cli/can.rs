//! `leakpath can EXPORT --principal ARN|ACCOUNT_ID|anonymous --action ACTION --resource ARN
//! [--context KEY=VALUE]... [--json]`: could any request of this shape be allowed? Prints
//! allowed / denied / unknown with the witness (replayed through the concrete evaluator) or
//! the statements that decided.

use anyhow::Context;
use leakpath::ingest::load_export;
use leakpath::report::can_verdict::{to_json, to_text, CanQuery};
use leakpath::smt::from_model::{ask, ModelView, PrincipalSpec};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Export folder (native or CloudMapper layout) or a get-account-authorization-details file.
    pub export: PathBuf,
    /// Who asks: a principal ARN, a 12-digit account id (any principal of that account), or
    /// `anonymous` (the unauthenticated internet).
    #[arg(long)]
    pub principal: String,
    /// The action, e.g. `s3:GetObject`.
    #[arg(long)]
    pub action: String,
    /// The resource ARN; `*` and `?` make it a pattern (e.g. `arn:aws:s3:::bucket/*`).
    #[arg(long)]
    pub resource: String,
    /// Fixes a condition key (repeat a key for a multi-valued key); other keys are free.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Print one JSON object: {"result", "witness", "decided_by", ...}.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let who = PrincipalSpec::parse(&args.principal).with_context(|| {
        format!(
            "--principal {:?}: expected an ARN, a 12-digit account id or `anonymous`",
            args.principal
        )
    })?;
    let mut context = Vec::new();
    for kv in &args.context {
        let (k, v) = kv
            .split_once('=')
            .with_context(|| format!("--context {kv:?}: expected KEY=VALUE"))?;
        context.push((k.to_string(), v.to_string()));
    }
    let shown = args.export.display().to_string();
    let loaded = load_export(&args.export).with_context(|| format!("loading {shown}"))?;
    let view = ModelView::new(&loaded.model);
    let answer = ask(&view, &who, &args.action, &args.resource, &context).with_context(|| {
        format!(
            "deciding {} {} {}",
            args.principal, args.action, args.resource
        )
    })?;
    let q = CanQuery {
        principal: &args.principal,
        action: &args.action,
        resource: &args.resource,
    };
    let text = if args.json {
        let mut s = to_json(&q, &answer);
        s.push('\n');
        s
    } else {
        to_text(&q, &answer)
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
