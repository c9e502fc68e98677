//! `leakpath diff OLD_EXPORT NEW_EXPORT`: the routes opened and closed between two exports,
//! each with the statements or settings that changed.

use anyhow::Context;
use leakpath::routes::{find_routes, RouteOptions};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The earlier export.
    pub old: PathBuf,
    /// The later export.
    pub new: PathBuf,
    /// One JSON object per opened or closed route instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Every JSON file under an export, by relative path. Files that are not JSON (samples)
/// are left out: their changes do not open or close routes.
fn json_files(root: &Path) -> anyhow::Result<BTreeMap<String, Value>> {
    let mut out = BTreeMap::new();
    if root.is_file() {
        let text =
            std::fs::read_to_string(root).with_context(|| format!("reading {}", root.display()))?;
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Ok(v) = serde_json::from_str(&text) {
            out.insert(name, v);
        }
        return Ok(out);
    }
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries =
            std::fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))?;
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n == "samples") {
                    continue;
                }
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                let rel = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                // The loader has already validated these files; one it accepted but that
                // does not parse here would be a change we cannot attribute, so say so.
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                let v: Value = serde_json::from_str(&text)
                    .with_context(|| format!("{}: not JSON", path.display()))?;
                out.insert(rel, v);
            }
        }
    }
    Ok(out)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let old = leakpath::ingest::load_export(&args.old)?;
    let new = leakpath::ingest::load_export(&args.new)?;
    let opts = RouteOptions::default();
    let old_routes = find_routes(&old.model, &old.sources, &opts)?;
    let new_routes = find_routes(&new.model, &new.sources, &opts)?;
    let old_files = json_files(&args.old)?;
    let new_files = json_files(&args.new)?;
    let changes = leakpath::diff::diff_files(&old_files, &new_files);
    let d = leakpath::diff::diff_routes(&old_routes, &new_routes, &changes, &old_files, &new_files);
    let text = if args.json {
        leakpath::report::diff_output::diff_json_lines(&d)
    } else {
        leakpath::report::diff_output::diff_text(&d)
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}
