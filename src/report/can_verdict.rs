//! Output of `leakpath can`: one JSON object
//! `{"result": "allowed"|"denied"|"unknown", "witness": {...}, "decided_by": [...]}` (`--json`;
//! tools rely on these names) or a short text for the terminal.

use crate::eval::{ContextValue, Request, RequestPrincipal, StatementRef};
use crate::smt::Answer;
use serde::Serialize;
use serde_json::{Map, Value};

/// What was asked, echoed in the output.
#[derive(Debug, Clone, Serialize)]
pub struct CanQuery<'a> {
    pub principal: &'a str,
    pub action: &'a str,
    pub resource: &'a str,
}

#[derive(Debug, Serialize)]
struct StatementJson<'a> {
    policy: &'a str,
    statement: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    sid: Option<&'a str>,
}

fn statement_json(r: &StatementRef) -> StatementJson<'_> {
    StatementJson {
        policy: &r.policy,
        statement: r.statement,
        sid: r.sid.as_deref(),
    }
}

/// A witness request as JSON: principal, action, resource and context keys.
pub fn request_json(r: &Request) -> Value {
    let mut obj = Map::new();
    match &r.principal {
        RequestPrincipal::Anonymous => {
            obj.insert("principal".into(), Value::from("anonymous"));
        }
        RequestPrincipal::Aws(p) => {
            obj.insert("principal".into(), Value::from(p.arn.as_str()));
            obj.insert("principal_account".into(), Value::from(p.account.as_str()));
        }
        RequestPrincipal::Service(s) => {
            obj.insert("principal".into(), Value::from(s.as_str()));
        }
        RequestPrincipal::Federated { provider } => {
            obj.insert("principal".into(), Value::from(provider.as_str()));
        }
    }
    obj.insert("action".into(), Value::from(r.action.as_str()));
    obj.insert("resource".into(), Value::from(r.resource.as_str()));
    let mut ctx = Map::new();
    for (k, v) in r.context.iter() {
        let value = match v {
            ContextValue::Single(s) => Value::from(s.as_str()),
            ContextValue::Multi(vs) => Value::from(vs.clone()),
        };
        ctx.insert(k.to_string(), value);
    }
    obj.insert("context".into(), Value::Object(ctx));
    Value::Object(obj)
}

/// The answer as one JSON object.
pub fn to_json(q: &CanQuery<'_>, answer: &Answer) -> String {
    let mut obj = Map::new();
    obj.insert("result".into(), Value::from(answer.result_name()));
    let (witness, decided_by, reason, gates) = match answer {
        Answer::Allowed(w) => (
            w.request()
                .map(request_json)
                .unwrap_or(Value::Object(Map::new())),
            w.decided_by.iter().flatten().collect::<Vec<_>>(),
            None,
            Vec::new(),
        ),
        Answer::Denied(why) => (
            Value::Object(Map::new()),
            why.statements.iter().collect(),
            Some(why.summary.clone()),
            why.gates.iter().map(|g| format!("{g:?}")).collect(),
        ),
        Answer::Unknown(r) => (
            Value::Object(Map::new()),
            Vec::new(),
            Some(r.clone()),
            Vec::new(),
        ),
    };
    obj.insert("witness".into(), witness);
    obj.insert(
        "decided_by".into(),
        serde_json::to_value(
            decided_by
                .iter()
                .map(|r| statement_json(r))
                .collect::<Vec<_>>(),
        )
        .unwrap_or(Value::Array(Vec::new())),
    );
    if let Some(r) = reason {
        obj.insert("reason".into(), Value::from(r));
    }
    if !gates.is_empty() {
        obj.insert("gates".into(), Value::from(gates));
    }
    obj.insert(
        "query".into(),
        serde_json::to_value(q).unwrap_or(Value::Null),
    );
    Value::Object(obj).to_string()
}

/// The answer as text: the verdict, then the witness or the reason, then the statements.
pub fn to_text(q: &CanQuery<'_>, answer: &Answer) -> String {
    let mut out = format!(
        "{} {} {}: {}\n",
        q.principal,
        q.action,
        q.resource,
        answer.result_name().to_uppercase()
    );
    let refs: Vec<&StatementRef> = match answer {
        Answer::Allowed(w) => {
            if let Some(r) = w.request() {
                out.push_str(&format!("  witness: {}\n", request_json(r)));
            }
            w.decided_by.iter().flatten().collect()
        }
        Answer::Denied(why) => {
            out.push_str(&format!("  why: {}\n", why.summary));
            why.statements.iter().collect()
        }
        Answer::Unknown(r) => {
            out.push_str(&format!("  reason: {r}\n"));
            Vec::new()
        }
    };
    for r in refs {
        out.push_str(&format!(
            "  decided by: {}#/Statement/{}",
            r.policy, r.statement
        ));
        if let Some(sid) = &r.sid {
            out.push_str(&format!(" ({sid})"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::RequestContext;
    use crate::smt::{Why, Witness};

    fn check(answer: Answer, expect_json: &str) {
        let q = CanQuery {
            principal: "anonymous",
            action: "s3:GetObject",
            resource: "arn:aws:s3:::b/k",
        };
        assert_eq!(to_json(&q, &answer), expect_json);
        assert!(to_text(&q, &answer).starts_with("anonymous s3:GetObject arn:aws:s3:::b/k: "));
    }

    #[test]
    fn json_names_are_stable() {
        let mut context = RequestContext::new();
        context.set("aws:SourceIp", "1.2.3.4");
        let req = Request {
            principal: RequestPrincipal::Anonymous,
            action: "s3:GetObject".into(),
            resource: "arn:aws:s3:::b/k".into(),
            context,
        };
        let r = StatementRef {
            policy: "p".into(),
            statement: 0,
            sid: Some("S".into()),
        };
        let q = r#""query":{"principal":"anonymous","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}"#;
        check(
            Answer::Allowed(Witness {
                requests: vec![req],
                decided_by: vec![vec![r.clone()]],
            }),
            &format!(
                r#"{{"result":"allowed","witness":{{"principal":"anonymous","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","context":{{"aws:sourceip":"1.2.3.4"}}}},"decided_by":[{{"policy":"p","statement":0,"sid":"S"}}],{q}}}"#
            ),
        );
        check(
            Answer::Denied(Why {
                hop: 0,
                gates: vec![],
                statements: vec![r],
                summary: "no".into(),
            }),
            &format!(
                r#"{{"result":"denied","witness":{{}},"decided_by":[{{"policy":"p","statement":0,"sid":"S"}}],"reason":"no",{q}}}"#
            ),
        );
        check(
            Answer::Unknown("timeout".into()),
            &format!(
                r#"{{"result":"unknown","witness":{{}},"decided_by":[],"reason":"timeout",{q}}}"#
            ),
        );
    }
}
