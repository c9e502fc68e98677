//! `leakpath classify PATH... [--json]`: sensitivity labels for files and folders of sample
//! data. A file is labelled as itself; a folder as one dataset made of the files under it
//! (their relative paths serve as the object keys). This file does the walking and opening;
//! the classifier only ever sees readers, read up to the byte cap.

use anyhow::Context;
use leakpath::classify::{classify_dataset_with, ClassifyOptions, Sample, SensitivityModel};
use leakpath::report::classify_output;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or folders to label (a folder is one dataset of the files under it).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Print one JSON object per line: {"path", "label", "confidence", "evidence"}.
    #[arg(long)]
    pub json: bool,
    /// A model file written by `leakpath train` (default: the embedded model).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Bytes read from each sample file; the rest is never read.
    #[arg(long, default_value_t = ClassifyOptions::default().sample_byte_cap)]
    pub sample_bytes: u64,
    /// Files sampled per folder.
    #[arg(long, default_value_t = ClassifyOptions::default().max_samples)]
    pub max_samples: usize,
}

/// Most keys (file paths) listed per folder, like `list-objects-v2 --max-items`.
const MAX_KEYS: usize = 10_000;

/// A reader standing in for a file that could not be opened, so the failure is reported as
/// evidence ("unreadable sample") instead of silently dropping the file.
struct Unopened(std::io::ErrorKind);

impl Read for Unopened {
    fn read(&mut self, _buf: &mut [u8]) -> std::io::Result<usize> {
        Err(std::io::Error::from(self.0))
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let loaded;
    let model: &SensitivityModel = match &args.model {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading model {}", path.display()))?;
            loaded = SensitivityModel::from_json(&text, &path.display().to_string())?;
            &loaded
        }
        None => SensitivityModel::embedded()?,
    };
    let options = ClassifyOptions {
        sample_byte_cap: args.sample_bytes,
        max_samples: args.max_samples,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for path in &args.paths {
        let meta =
            std::fs::metadata(path).with_context(|| format!("{}: cannot read", path.display()))?;
        let result = if meta.is_dir() {
            let mut files = Vec::new();
            walk(path, &mut files)
                .with_context(|| format!("{}: cannot list folder", path.display()))?;
            files.sort();
            let keys: Vec<String> = files
                .iter()
                .take(MAX_KEYS)
                .map(|f| relative(path, f))
                .collect();
            let samples = files
                .iter()
                .take(options.max_samples)
                .map(|f| open_sample(relative(path, f), f));
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            classify_dataset_with(samples, &keys, &name, model, &options)
        } else {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let file = std::fs::File::open(path)
                .with_context(|| format!("{}: cannot open", path.display()))?;
            classify_dataset_with(
                std::iter::once(Sample::new(name, file)),
                &[],
                "",
                model,
                &options,
            )
        };
        let shown = path.display().to_string();
        if args.json {
            writeln!(out, "{}", classify_output::json_line(&shown, &result)?)?;
        } else {
            write!(out, "{}", classify_output::text_block(&shown, &result))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn open_sample(name: String, path: &Path) -> Sample {
    match std::fs::File::open(path) {
        Ok(f) => Sample::new(name, f),
        Err(e) => Sample::new(name, Unopened(e.kind())),
    }
}

fn relative(root: &Path, file: &Path) -> String {
    file.strip_prefix(root)
        .unwrap_or(file)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Regular files under `dir`, recursively; symbolic links are not followed.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&entry.path(), out)?;
        } else if kind.is_file() {
            out.push(entry.path());
        }
        if out.len() >= MAX_KEYS {
            break;
        }
    }
    Ok(())
}
