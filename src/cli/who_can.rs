//! `leakpath who-can EXPORT --action A --resource ARN [--json]`: every principal and outside
//! actor that can perform the action on the resource, directly or through a path.

use anyhow::Context;
use leakpath::report::who_can::{to_json_lines, to_text};
use leakpath::routes::who_can::who_can;
use leakpath::routes::RouteOptions;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The export folder (or a bare get-account-authorization-details JSON file).
    pub export: PathBuf,
    /// The action, e.g. `s3:GetObject`.
    #[arg(long)]
    pub action: String,
    /// The resource ARN, e.g. `arn:aws:s3:::bucket/key`.
    #[arg(long)]
    pub resource: String,
    /// One JSON object per line instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let export = leakpath::ingest::load_export(&args.export)
        .with_context(|| format!("loading {}", args.export.display()))?;
    let entries = who_can(
        &export.model,
        &export.sources,
        &args.action,
        &args.resource,
        &RouteOptions::default(),
    )?;
    let out = if args.json {
        to_json_lines(&entries, &args.action, &args.resource)
    } else {
        to_text(&entries, &args.action, &args.resource)
    };
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
