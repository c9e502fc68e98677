//! `leakpath synth`: writes a generated export (see `src/synth/`) to a folder.

use anyhow::Context;
use leakpath::synth::{self, ManagedPolicy, SynthConfig};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where the AWS managed policy dump lives in a checkout next to `../shared`.
const SHARED_MANAGED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/policies/managed/iam-dataset_managed_policies.jsonl"
);

#[derive(Debug, clap::Args)]
pub struct Args {
    /// IAM roles to generate.
    #[arg(long, default_value_t = 100)]
    pub roles: usize,
    /// IAM users to generate.
    #[arg(long, default_value_t = 50)]
    pub users: usize,
    /// Customer managed policies to generate (each account also gets one permissions
    /// boundary policy on top).
    #[arg(long, default_value_t = 100)]
    pub policies: usize,
    /// S3 buckets to generate.
    #[arg(long, default_value_t = 40)]
    pub buckets: usize,
    /// Accounts; more than one writes an organizations/ folder too.
    #[arg(long, default_value_t = 1)]
    pub accounts: usize,
    /// Seed: the same seed (and managed-policy file) gives the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// AWS managed policies as JSON Lines (iam-dataset format). Default: the shared corpus
    /// when present, else a small built-in set.
    #[arg(long)]
    pub managed_policies: Option<PathBuf>,
    /// Write into OUT even when it is not empty.
    #[arg(long)]
    pub force: bool,
    /// Output folder.
    pub out: PathBuf,
}

/// Reads the managed-policy pool: the given file, else the shared corpus, else none (the
/// generator then uses its built-in set).
pub fn load_managed(path: Option<&Path>) -> anyhow::Result<Vec<ManagedPolicy>> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None if Path::new(SHARED_MANAGED).is_file() => PathBuf::from(SHARED_MANAGED),
        None => return Ok(Vec::new()),
    };
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(synth::parse_managed_jsonl(
        &path.display().to_string(),
        &text,
    )?)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = SynthConfig {
        roles: args.roles,
        users: args.users,
        policies: args.policies,
        buckets: args.buckets,
        accounts: args.accounts,
        seed: args.seed,
    };
    if args.out.exists() && !args.force {
        let non_empty = std::fs::read_dir(&args.out)
            .with_context(|| format!("reading {}", args.out.display()))?
            .next()
            .is_some();
        if non_empty {
            anyhow::bail!(
                "{} is not empty (pass --force to write into it anyway)",
                args.out.display()
            );
        }
    }
    let managed = load_managed(args.managed_policies.as_deref())?;
    let files = synth::generate(&config, &managed)?;
    write_files(&args.out, &files)?;
    eprintln!(
        "wrote {} files, {} bytes, to {}",
        files.len(),
        synth::total_bytes(&files),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes generated files under `out`, creating folders as needed.
pub fn write_files(out: &Path, files: &[synth::SynthFile]) -> anyhow::Result<()> {
    for f in files {
        let path = out.join(&f.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&path, &f.bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
