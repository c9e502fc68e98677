//! `leakpath inventory EXPORT [--json]`: what an export holds and what it is missing.

use anyhow::Context;
use leakpath::ingest::load_export;
use leakpath::report::inventory::{inventory_json, inventory_text};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Export folder (native or CloudMapper layout) or a get-account-authorization-details file.
    pub export: PathBuf,
    /// Print one JSON object: {"counts", "accounts", "organization", "coverage", "warnings", ...}.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let shown = args.export.display().to_string();
    // Load fully before printing anything: a bad export prints nothing on stdout.
    let loaded = load_export(&args.export).with_context(|| format!("loading {shown}"))?;
    let text = if args.json {
        let mut s = serde_json::to_string_pretty(&inventory_json(&loaded, &shown))?;
        s.push('\n');
        s
    } else {
        inventory_text(&loaded, &shown)
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
