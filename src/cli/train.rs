//! `leakpath train DATA --out models/…`: rebuilds the training set (the seeded generator plus
//! the hand-written examples under `DATA/handwritten/<label>/`), profiles every example with
//! a progress bar on stderr, fits the multinomial logistic regression on a stratified split,
//! prints per-class precision/recall/F1 on the held-out part, and writes the model file.
//! With `--ensemble k` (default 10) it does this for k generator seeds and averages the
//! weights; the reported evaluation is the averaged model on every member's held-out split.

use anyhow::{bail, Context};
use leakpath::classify::train::{
    average, evaluate, held_out, train_and_evaluate, LabelledVector, TrainParams,
};
use leakpath::classify::trainset::{generate, TrainingDataset};
use leakpath::classify::{features::features, profile_dataset, ClassifyOptions, Label, Sample};
use leakpath::report::classify_output;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Training data folder (datasets/sensitivity): hand-written examples in
    /// handwritten/<label>/<file-or-folder>.
    pub data: PathBuf,
    /// Where to write the model (e.g. models/sensitivity-v1.json).
    #[arg(long)]
    pub out: PathBuf,
    /// Generator seed.
    #[arg(long, default_value_t = 20_241_127)]
    pub seed: u64,
    /// Generated datasets per label, per ensemble member.
    #[arg(long, default_value_t = 1000)]
    pub per_label: usize,
    /// Ensemble members: models trained on generator seeds seed, seed+1, …, averaged.
    #[arg(long, default_value_t = 10)]
    pub ensemble: u64,
    /// L2 regularization.
    #[arg(long, default_value_t = TrainParams::default().alpha)]
    pub alpha: f64,
    #[arg(long, default_value_t = TrainParams::default().max_iterations)]
    pub max_iterations: u64,
    /// Also write the generated datasets here (one folder per dataset) for inspection.
    #[arg(long)]
    pub dump_generated: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let handwritten = read_handwritten(&args.data.join("handwritten"))?;
    let params = TrainParams {
        alpha: args.alpha,
        max_iterations: args.max_iterations,
        ..TrainParams::default()
    };
    let mut members = Vec::new();
    let mut held = Vec::new();
    let mut hasher = Sha256::new();
    for member in 0..args.ensemble.max(1) {
        let seed = args.seed.wrapping_add(member);
        let mut datasets = generate(seed, args.per_label);
        eprintln!(
            "member {}/{}: {} generated (seed {seed}) + {} hand-written datasets",
            member + 1,
            args.ensemble.max(1),
            datasets.len(),
            handwritten.len()
        );
        datasets.extend(handwritten.iter().cloned());
        if member == 0 {
            if let Some(dir) = &args.dump_generated {
                dump(dir, &datasets)?;
            }
        }
        hash_training_set(&mut hasher, &datasets);
        let vectors = profile_all(&datasets);
        let model = train_and_evaluate(&vectors, &params, String::new())?;
        print!(
            "{}",
            classify_output::evaluation_table(
                &format!("member {} held-out", member + 1),
                &model.evaluation
            )
        );
        held.extend(held_out(&vectors, &params));
        members.push(model);
    }
    let mut model = average(&members)?;
    model.training.training_set_sha256 = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    model.training.examples = members.iter().map(|m| m.training.examples).sum();
    model.training.train_examples = members.iter().map(|m| m.training.train_examples).sum();
    model.training.held_out_examples = held.len();
    model.training.seed = args.seed;
    model.evaluation = evaluate(&model, &held);
    print!(
        "{}",
        classify_output::evaluation_table("ensemble held-out evaluation", &model.evaluation)
    );
    let text = classify_output::model_json(&model)?;
    std::fs::write(&args.out, text).with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!("wrote {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

fn profile_all(datasets: &[TrainingDataset]) -> Vec<LabelledVector> {
    let bar = indicatif::ProgressBar::new(datasets.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} profiling {pos}/{len} [{bar:40}] {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let options = ClassifyOptions::default();
    let mut vectors = Vec::with_capacity(datasets.len());
    for d in datasets {
        let samples = d
            .samples
            .iter()
            .map(|(n, b)| Sample::new(n.clone(), std::io::Cursor::new(b.clone())));
        let profile = profile_dataset(samples, &d.keys, &d.name, &options);
        vectors.push(LabelledVector {
            label: d.label,
            x: features(&profile),
        });
        bar.inc(1);
    }
    bar.finish_and_clear();
    vectors
}

/// `handwritten/<label>/<entry>`: each entry (a file, or a folder of files) is one dataset.
fn read_handwritten(dir: &Path) -> anyhow::Result<Vec<TrainingDataset>> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut labels: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    labels.sort();
    for label_dir in labels {
        let label_name = label_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(label) = Label::parse(&label_name).filter(|l| *l != Label::Unknown) else {
            bail!("{}: folder name is not a label (credentials, financial, health, personal, internal, public)", label_dir.display());
        };
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&label_dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            let name = entry
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut samples = Vec::new();
            let mut keys = Vec::new();
            if entry.is_dir() {
                let mut files: Vec<PathBuf> = std::fs::read_dir(&entry)?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.is_file())
                    .collect();
                files.sort();
                for f in files {
                    let fname = f
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    if fname == "keys.txt" {
                        let text = std::fs::read_to_string(&f)
                            .with_context(|| format!("reading {}", f.display()))?;
                        keys.extend(
                            text.lines()
                                .filter(|l| !l.trim().is_empty())
                                .map(str::to_string),
                        );
                    } else {
                        samples.push((
                            fname,
                            std::fs::read(&f)
                                .with_context(|| format!("reading {}", f.display()))?,
                        ));
                    }
                }
            } else {
                samples.push((
                    name.clone(),
                    std::fs::read(&entry)
                        .with_context(|| format!("reading {}", entry.display()))?,
                ));
            }
            out.push(TrainingDataset {
                label,
                name,
                keys,
                samples,
            });
        }
    }
    Ok(out)
}

fn hash_training_set(h: &mut Sha256, datasets: &[TrainingDataset]) {
    for d in datasets {
        h.update(d.label.as_str().as_bytes());
        h.update([0]);
        h.update(d.name.as_bytes());
        h.update([0]);
        for k in &d.keys {
            h.update(k.as_bytes());
            h.update([0]);
        }
        for (n, b) in &d.samples {
            h.update(n.as_bytes());
            h.update([0]);
            h.update((b.len() as u64).to_le_bytes());
            h.update(b);
        }
    }
}

fn dump(dir: &Path, datasets: &[TrainingDataset]) -> anyhow::Result<()> {
    for (i, d) in datasets.iter().enumerate() {
        let folder = dir
            .join(d.label.as_str())
            .join(format!("{i:05}-{}", d.name));
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("creating {}", folder.display()))?;
        std::fs::write(folder.join("keys.txt"), d.keys.join("\n"))?;
        for (n, b) in &d.samples {
            std::fs::write(folder.join(n.trim_start_matches('.')), b)?;
        }
    }
    Ok(())
}
