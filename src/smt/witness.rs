//! Model → concrete `eval::Request` per hop, and the replay through `eval::decide` that every
//! witness must pass before it is returned as `Allowed`.

use super::encode::Case;
use super::keys::Slots;
use super::question::{KeyShape, Question, StrShape};
use super::solver::SolverError;
use super::term::Model;
use crate::eval::{decide, ContextValue, Outcome, Request, RequestContext, StatementRef};

fn set(ctx: &mut RequestContext, key: &str, v: ContextValue) {
    match v {
        ContextValue::Single(s) => ctx.set(key, s),
        ContextValue::Multi(vs) => ctx.set_multi(key, vs),
    }
}

/// The witness requests a model describes, one per hop.
pub fn requests(
    hops: &[Question<'_>],
    case: &Case,
    slots: &Slots,
    model: &Model,
) -> Result<Vec<Request>, SolverError> {
    let mut out = Vec::new();
    for (i, (q, cp)) in hops.iter().zip(case).enumerate() {
        let string = |shape: &StrShape, what: &str| -> Result<String, SolverError> {
            match shape {
                StrShape::Exact(s) => Ok(s.clone()),
                StrShape::Matching(_) => slots
                    .string_value(&format!("h{i}/{what}"), model)
                    .ok_or_else(|| SolverError::Backend(format!("no model value for the {what}"))),
            }
        };
        let action = string(&q.shape.action, "action")?;
        let resource = string(&q.shape.resource, "resource")?;
        let mut context = RequestContext::new();
        for (k, shape) in &q.shape.context {
            if let KeyShape::Fixed(v) = shape {
                set(&mut context, k, v.clone());
            }
            if let KeyShape::Shared { inner, .. } = shape {
                if let KeyShape::Fixed(v) = inner.as_ref() {
                    set(&mut context, k, v.clone());
                }
            }
        }
        for (k, slot) in slots.hop_keys(i) {
            if let Some(v) = slots.key_value(&slot, model) {
                set(&mut context, &k, v);
            }
        }
        out.push(Request {
            principal: cp.principal.clone(),
            action,
            resource,
            context,
        });
    }
    Ok(out)
}

/// Replays each hop's request through the concrete evaluator; any hop not allowed is a bug
/// in the encoding (or in eval) and an error, never a finding.
pub fn replay(
    hops: &[Question<'_>],
    requests: &[Request],
) -> Result<Vec<Vec<StatementRef>>, SolverError> {
    let mut out = Vec::new();
    for (i, (q, req)) in hops.iter().zip(requests).enumerate() {
        if let Some(why) = excluded_value(q, req) {
            return Err(SolverError::WitnessRejected(format!(
                "hop {i}: the witness takes a value its shape excludes ({why}) {req:?}"
            )));
        }
        match decide(&q.inputs, req) {
            Ok(d) if d.outcome == Outcome::Allowed => out.push(d.decided_by),
            Ok(d) => {
                return Err(SolverError::WitnessRejected(format!(
                    "hop {i}: eval says {:?} (gate {:?}, {:?}) for {req:?}",
                    d.outcome, d.gate, d.decided_by
                )))
            }
            Err(e) => {
                return Err(SolverError::WitnessRejected(format!(
                    "hop {i}: eval cannot decide the witness ({e}) {req:?}"
                )))
            }
        }
    }
    Ok(out)
}

/// A value of the witness that its shape excludes (`NoneOf`: one of the values; `NoneLike`:
/// matched by one of the patterns, read as `eval` reads `StringLike`), if any: the encoding
/// must never pick one, so this is checked independently of it.
fn excluded_value(q: &Question<'_>, req: &Request) -> Option<String> {
    use crate::eval::glob::{matches, Case, Reading};
    let like = Reading {
        wildcards: true,
        variables: None,
    };
    for (k, shape) in &q.shape.context {
        let shape = match shape {
            KeyShape::Shared { inner, .. } => inner.as_ref(),
            other => other,
        };
        let Some(value) = req.context.get(k) else {
            continue;
        };
        for v in value.values() {
            let hit = match shape {
                KeyShape::NoneOf(vs) => vs.iter().find(|x| *x == v),
                // Literals and prefixes (`ID:*`, most of them) are looked up; the rest is
                // read by eval's glob.
                KeyShape::NoneLike(ps) => ps
                    .literal_index(v)
                    .and_then(|i| ps.literals().get(i))
                    .or_else(|| {
                        ps.prefixes_of(v)
                            .next()
                            .and_then(|i| ps.prefixes().get(i))
                            .map(|(_, p)| p)
                    })
                    .or_else(|| {
                        ps.others()
                            .iter()
                            .find(|p| matches(p, v, like, Case::Sensitive))
                    }),
                _ => None,
            };
            if let Some(x) = hit {
                return Some(format!("{k} = {v} against {x}"));
            }
        }
    }
    None
}
