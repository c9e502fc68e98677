//! Training and evaluation: fits the multinomial logistic regression with linfa-logistic on
//! labelled feature vectors, splits examples into train and held-out sets deterministically
//! (stratified by label, seeded), and scores a model with per-class precision, recall, F1.
//! No I/O: the `train` command reads the data and writes the model.

use crate::classify::features::feature_names;
use crate::classify::model::{ClassMetrics, Evaluation, SensitivityModel, TrainingInfo, FORMAT};
use crate::classify::trainset::SplitMix64;
use crate::classify::{ClassifyError, Label};
use linfa::prelude::*;
use linfa_logistic::MultiLogisticRegression;
use ndarray::{Array1, Array2};

/// One labelled feature vector.
#[derive(Debug, Clone)]
pub struct LabelledVector {
    pub label: Label,
    pub x: Vec<f64>,
}

/// Hyper-parameters.
#[derive(Debug, Clone, Copy)]
pub struct TrainParams {
    /// L2 regularization strength.
    pub alpha: f64,
    pub max_iterations: u64,
    /// Fraction of each label's examples held out for evaluation.
    pub held_out: f64,
    pub seed: u64,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            alpha: 0.02,
            max_iterations: 300,
            held_out: 0.2,
            seed: 7,
        }
    }
}

/// Deterministic stratified split: returns (train indices, held-out indices).
pub fn split(labels: &[Label], held_out: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut rng = SplitMix64::new(seed);
    let mut train = Vec::new();
    let mut test = Vec::new();
    for l in Label::TRAINED {
        let mut idx: Vec<usize> = labels
            .iter()
            .enumerate()
            .filter(|(_, x)| **x == l)
            .map(|(i, _)| i)
            .collect();
        rng.shuffle(&mut idx);
        let k = ((idx.len() as f64) * held_out).round() as usize;
        test.extend_from_slice(&idx[..k.min(idx.len())]);
        train.extend_from_slice(&idx[k.min(idx.len())..]);
    }
    train.sort_unstable();
    test.sort_unstable();
    (train, test)
}

/// Fits a model on `examples`. `info` and `evaluation` are stored as given.
pub fn fit(
    examples: &[LabelledVector],
    params: &TrainParams,
    info: TrainingInfo,
    evaluation: Evaluation,
) -> Result<SensitivityModel, ClassifyError> {
    let names = feature_names();
    let d = names.len();
    if examples.is_empty() {
        return Err(ClassifyError::Training("no training examples".to_string()));
    }
    if let Some(e) = examples.iter().find(|e| e.x.len() != d) {
        return Err(ClassifyError::Training(format!(
            "feature vector of length {} (expected {d}) for a {} example",
            e.x.len(),
            e.label
        )));
    }
    let flat: Vec<f64> = examples.iter().flat_map(|e| e.x.iter().copied()).collect();
    let x = Array2::from_shape_vec((examples.len(), d), flat)
        .map_err(|e| ClassifyError::Training(e.to_string()))?;
    let y: Array1<usize> = examples
        .iter()
        .map(|e| {
            Label::TRAINED
                .iter()
                .position(|l| *l == e.label)
                .unwrap_or(0)
        })
        .collect();
    let dataset = Dataset::new(x, y);
    let fitted = MultiLogisticRegression::default()
        .alpha(params.alpha)
        .max_iterations(params.max_iterations)
        .fit(&dataset)
        .map_err(|e| ClassifyError::Training(e.to_string()))?;
    let classes: Vec<usize> = fitted.classes().to_vec();
    let w = fitted.params(); // (features × classes)
    let b = fitted.intercept();
    let mut labels = Vec::new();
    let mut weights = Vec::new();
    let mut intercepts = Vec::new();
    for (col, &class) in classes.iter().enumerate() {
        let Some(label) = Label::TRAINED.get(class).copied() else {
            continue;
        };
        labels.push(label);
        weights.push((0..d).map(|f| w[[f, col]]).collect::<Vec<f64>>());
        intercepts.push(b[col]);
    }
    Ok(SensitivityModel {
        format: FORMAT.to_string(),
        labels,
        features: names,
        weights,
        intercepts,
        training: info,
        evaluation,
    })
}

/// Per-class precision/recall/F1 of predictions against truth, over the trained labels that
/// occur in either.
pub fn score(truth: &[Label], predicted: &[Label]) -> Evaluation {
    let mut per_class = Vec::new();
    for l in Label::TRAINED {
        let tp = truth
            .iter()
            .zip(predicted)
            .filter(|(t, p)| **t == l && **p == l)
            .count();
        let fp = truth
            .iter()
            .zip(predicted)
            .filter(|(t, p)| **t != l && **p == l)
            .count();
        let fn_ = truth
            .iter()
            .zip(predicted)
            .filter(|(t, p)| **t == l && **p != l)
            .count();
        let support = tp + fn_;
        if support == 0 && fp == 0 {
            continue;
        }
        let precision = if tp + fp == 0 {
            0.0
        } else {
            tp as f64 / (tp + fp) as f64
        };
        let recall = if support == 0 {
            0.0
        } else {
            tp as f64 / support as f64
        };
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        per_class.push(ClassMetrics {
            label: l,
            precision,
            recall,
            f1,
            support,
        });
    }
    let correct = truth.iter().zip(predicted).filter(|(t, p)| t == p).count();
    let macro_f1 = if per_class.is_empty() {
        0.0
    } else {
        per_class.iter().map(|c| c.f1).sum::<f64>() / per_class.len() as f64
    };
    Evaluation {
        examples: truth.len(),
        accuracy: if truth.is_empty() {
            0.0
        } else {
            correct as f64 / truth.len() as f64
        },
        macro_f1,
        per_class,
    }
}

/// The label a model gives a feature vector.
pub fn predict(model: &SensitivityModel, x: &[f64]) -> Label {
    let probs = model.probabilities(x);
    let best = probs
        .iter()
        .enumerate()
        .fold(
            (0, f64::NEG_INFINITY),
            |acc, (i, &p)| if p > acc.1 { (i, p) } else { acc },
        )
        .0;
    model.labels.get(best).copied().unwrap_or(Label::Unknown)
}

/// Averages the weights and intercepts of models trained on different generator seeds (a
/// bagged ensemble: the synthetic training set is random, and averaging removes the part of
/// each model that fits one draw). All models must share labels and features.
pub fn average(models: &[SensitivityModel]) -> Result<SensitivityModel, ClassifyError> {
    let first = models
        .first()
        .ok_or_else(|| ClassifyError::Training("no models to average".to_string()))?;
    if models
        .iter()
        .any(|m| m.labels != first.labels || m.features != first.features)
    {
        return Err(ClassifyError::Training(
            "ensemble members disagree on labels or features".to_string(),
        ));
    }
    let k = models.len() as f64;
    let mut avg = first.clone();
    for (r, row) in avg.weights.iter_mut().enumerate() {
        for (f, w) in row.iter_mut().enumerate() {
            *w = models.iter().map(|m| m.weights[r][f]).sum::<f64>() / k;
        }
    }
    for (r, b) in avg.intercepts.iter_mut().enumerate() {
        *b = models.iter().map(|m| m.intercepts[r]).sum::<f64>() / k;
    }
    Ok(avg)
}

/// The held-out part of `examples` under `params` (the complement of what
/// [`train_and_evaluate`] trains on).
pub fn held_out(examples: &[LabelledVector], params: &TrainParams) -> Vec<LabelledVector> {
    let labels: Vec<Label> = examples.iter().map(|e| e.label).collect();
    let (_, test_idx) = split(&labels, params.held_out, params.seed);
    test_idx
        .iter()
        .filter_map(|&i| examples.get(i).cloned())
        .collect()
}

/// Scores a model on labelled vectors.
pub fn evaluate(model: &SensitivityModel, examples: &[LabelledVector]) -> Evaluation {
    let truth: Vec<Label> = examples.iter().map(|e| e.label).collect();
    let predicted: Vec<Label> = examples.iter().map(|e| predict(model, &e.x)).collect();
    score(&truth, &predicted)
}

/// Trains on the train split, evaluates on the held-out split, returns the model (trained on
/// the train split only, so its stored evaluation describes it honestly).
pub fn train_and_evaluate(
    examples: &[LabelledVector],
    params: &TrainParams,
    set_hash: String,
) -> Result<SensitivityModel, ClassifyError> {
    let labels: Vec<Label> = examples.iter().map(|e| e.label).collect();
    let (train_idx, test_idx) = split(&labels, params.held_out, params.seed);
    let train: Vec<LabelledVector> = train_idx
        .iter()
        .filter_map(|&i| examples.get(i).cloned())
        .collect();
    let info = TrainingInfo {
        training_set_sha256: set_hash,
        examples: examples.len(),
        train_examples: train.len(),
        held_out_examples: test_idx.len(),
        seed: params.seed,
        alpha: params.alpha,
        max_iterations: params.max_iterations,
    };
    let placeholder = Evaluation {
        examples: 0,
        accuracy: 0.0,
        macro_f1: 0.0,
        per_class: Vec::new(),
    };
    let mut model = fit(&train, params, info, placeholder)?;
    let truth: Vec<Label> = test_idx
        .iter()
        .filter_map(|&i| examples.get(i))
        .map(|e| e.label)
        .collect();
    let predicted: Vec<Label> = test_idx
        .iter()
        .filter_map(|&i| examples.get(i))
        .map(|e| predict(&model, &e.x))
        .collect();
    model.evaluation = score(&truth, &predicted);
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(truth: &[Label], predicted: &[Label], expect_macro: f64) {
        let e = score(truth, predicted);
        assert!((e.macro_f1 - expect_macro).abs() < 1e-9, "{e:?}");
    }

    #[test]
    fn scoring() {
        use Label::*;
        check(&[Health, Public], &[Health, Public], 1.0);
        // Health: p=1/2, r=1 → 2/3; Public: p=0, r=0 → 0.
        check(&[Health, Public], &[Health, Health], 1.0 / 3.0);
    }

    #[test]
    fn split_is_stratified_and_deterministic() {
        let labels: Vec<Label> = (0..60).map(|i| Label::TRAINED[i % 6]).collect();
        let a = split(&labels, 0.2, 1);
        let b = split(&labels, 0.2, 1);
        assert_eq!(a, b);
        assert_eq!(a.1.len(), 12);
        assert_eq!(a.0.len() + a.1.len(), 60);
    }
}
