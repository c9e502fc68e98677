//! Policy document parser: the three encodings AWS uses, normalized into `PolicyDocument`.
//!
//! Accepted encodings, wherever a policy appears:
//! - a JSON object (the CLI decodes the IAM documents of `get-account-authorization-details`),
//! - a JSON string holding the document (`get-bucket-policy`, `get-key-policy`, endpoints),
//! - a URL-encoded JSON string (`%7B%22Version%22...`, IAM's raw API).
//!
//! The grammar is AWS's: unknown elements, wrong types, a missing `Effect`, an empty or
//! missing `Action`/`NotAction`, and both forms of one element in a statement are errors,
//! because AWS rejects such policies and guessing their meaning would be unsound. Every
//! error carries the JSON pointer inside the document (`/Statement/2/Condition/StringLike`).

use super::{
    ActionClause, Condition, ConditionOperator, Effect, PolicyDocument, PrincipalClause,
    PrincipalEntry, PrincipalKind, PrincipalSet, ResourceClause, Statement,
};
use serde_json::{Map, Value};

/// Deepest nesting accepted in any JSON text leakpath reads. serde_json stops at 128 on its
/// own; checking first gives a clear error with a location instead of its generic one, and
/// a real policy or AWS CLI output never comes close (GAAD nests about 8 deep).
pub const MAX_JSON_DEPTH: usize = 64;

/// Largest policy text accepted (bytes). AWS caps policies far lower (20 KB for bucket
/// policies, 6 KB for managed ones), so anything bigger is not a policy AWS stored.
pub const MAX_POLICY_TEXT_BYTES: usize = 1 << 20;

/// A policy that cannot be read, with the JSON pointer inside the document where it broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {problem}", display_pointer(path))]
pub struct PolicyError {
    /// JSON pointer inside the policy document (`""` is the whole document).
    pub path: String,
    pub problem: PolicyProblem,
}

fn display_pointer(p: &str) -> &str {
    if p.is_empty() {
        "(document root)"
    } else {
        p
    }
}

/// What is wrong with a policy document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyProblem {
    #[error("not valid JSON: {0}")]
    InvalidJson(String),
    #[error("URL-decoded policy text is not valid UTF-8")]
    InvalidUrlEncoding,
    #[error("policy text is {size} bytes, over the {limit}-byte limit")]
    TooLarge { size: usize, limit: usize },
    #[error("JSON nested deeper than {limit} levels")]
    TooDeep { limit: usize },
    #[error("expected {expected}, found {found}")]
    WrongType {
        expected: &'static str,
        found: &'static str,
    },
    #[error("unknown element `{0}` (AWS rejects policies with unknown elements)")]
    UnknownElement(String),
    #[error("missing required element `{0}`")]
    MissingElement(&'static str),
    #[error("both `{0}` and `{1}` in one statement")]
    ConflictingElements(&'static str, &'static str),
    #[error("`{0}` is empty")]
    EmptyElement(&'static str),
    #[error("`Effect` must be \"Allow\" or \"Deny\", found {0:?}")]
    InvalidEffect(String),
    #[error("`{element}` must be \"*\" or an object, found the string {value:?}")]
    InvalidPrincipal {
        element: &'static str,
        value: String,
    },
}

/// Where the parts of a parsed document sit inside it, for evidence.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyLayout {
    /// True when the document arrived as a (possibly URL-encoded) JSON string: pointers
    /// below are then inside that string's decoded text, not inside the enclosing file.
    pub embedded: bool,
    /// JSON pointer of each statement, in document order (`/Statement` when `Statement` is
    /// a single object, `/Statement/3` in a list).
    pub statement_pointers: Vec<String>,
}

/// Parses a policy given as a JSON value: an object, a JSON string or a URL-encoded JSON
/// string.
pub fn parse_policy_value(v: &Value) -> Result<PolicyDocument, PolicyError> {
    parse_policy_value_located(v).map(|(doc, _)| doc)
}

/// Parses a policy from its text: JSON, or URL-encoded JSON.
pub fn parse_policy_text(text: &str) -> Result<PolicyDocument, PolicyError> {
    parse_policy_text_located(text).map(|(doc, _)| doc)
}

/// `parse_policy_value`, also returning where each statement sits.
pub fn parse_policy_value_located(
    v: &Value,
) -> Result<(PolicyDocument, PolicyLayout), PolicyError> {
    match v {
        Value::Object(map) => {
            if !value_within_depth(v, MAX_JSON_DEPTH) {
                return Err(PolicyError {
                    path: String::new(),
                    problem: PolicyProblem::TooDeep {
                        limit: MAX_JSON_DEPTH,
                    },
                });
            }
            let (doc, pointers) = parse_document(map)?;
            Ok((
                doc,
                PolicyLayout {
                    embedded: false,
                    statement_pointers: pointers,
                },
            ))
        }
        Value::String(s) => parse_policy_text_located(s),
        other => Err(PolicyError {
            path: String::new(),
            problem: PolicyProblem::WrongType {
                expected: "a policy document (object or JSON string)",
                found: type_name(other),
            },
        }),
    }
}

/// `parse_policy_text`, also returning where each statement sits.
pub fn parse_policy_text_located(
    text: &str,
) -> Result<(PolicyDocument, PolicyLayout), PolicyError> {
    let root_err = |problem| PolicyError {
        path: String::new(),
        problem,
    };
    if text.len() > MAX_POLICY_TEXT_BYTES {
        return Err(root_err(PolicyProblem::TooLarge {
            size: text.len(),
            limit: MAX_POLICY_TEXT_BYTES,
        }));
    }
    let trimmed = text.trim_start();
    let decoded;
    let json_text: &str = if trimmed.starts_with('{') {
        text
    } else {
        // IAM's raw API form: the whole document percent-encoded (`%7B%22Version...`).
        // `+` is left alone: AWS encodes spaces as `%20` and `+` may be literal.
        decoded = percent_encoding::percent_decode_str(text)
            .decode_utf8()
            .map_err(|_| root_err(PolicyProblem::InvalidUrlEncoding))?
            .into_owned();
        &decoded
    };
    if !text_within_depth(json_text, MAX_JSON_DEPTH) {
        return Err(root_err(PolicyProblem::TooDeep {
            limit: MAX_JSON_DEPTH,
        }));
    }
    let value: Value = serde_json::from_str(json_text)
        .map_err(|e| root_err(PolicyProblem::InvalidJson(e.to_string())))?;
    match &value {
        Value::Object(map) => {
            let (doc, pointers) = parse_document(map)?;
            Ok((
                doc,
                PolicyLayout {
                    embedded: true,
                    statement_pointers: pointers,
                },
            ))
        }
        other => Err(root_err(PolicyProblem::WrongType {
            expected: "a policy document object",
            found: type_name(other),
        })),
    }
}

/// Whether JSON text nests no deeper than `limit` arrays/objects, checked without parsing.
/// Brackets inside strings (with escapes) are skipped. Malformed text passes (true) to the
/// real parser, which reports it.
pub fn text_within_depth(text: &str, limit: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for b in text.bytes() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > limit {
                    return false;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    true
}

/// Whether an already parsed value nests no deeper than `limit` (checked iteratively, so a
/// deep value cannot overflow the stack here).
pub fn value_within_depth(v: &Value, limit: usize) -> bool {
    let mut stack: Vec<(&Value, usize)> = vec![(v, 1)];
    while let Some((v, d)) = stack.pop() {
        match v {
            Value::Object(m) => {
                if d > limit {
                    return false;
                }
                stack.extend(m.values().map(|c| (c, d + 1)));
            }
            Value::Array(a) => {
                if d > limit {
                    return false;
                }
                stack.extend(a.iter().map(|c| (c, d + 1)));
            }
            _ => {}
        }
    }
    true
}

/// The JSON type of a value, for error messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Escapes one JSON-pointer segment (RFC 6901: `~` → `~0`, `/` → `~1`).
pub fn pointer_segment(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn err(path: &str, problem: PolicyProblem) -> PolicyError {
    PolicyError {
        path: path.to_string(),
        problem,
    }
}

fn parse_document(map: &Map<String, Value>) -> Result<(PolicyDocument, Vec<String>), PolicyError> {
    let mut version = None;
    let mut id = None;
    let mut statement_value = None;
    for (k, v) in map {
        match k.as_str() {
            "Version" => version = Some(expect_string(v, "/Version")?),
            "Id" => id = Some(expect_string(v, "/Id")?),
            "Statement" => statement_value = Some(v),
            other => {
                return Err(err(
                    &format!("/{}", pointer_segment(other)),
                    PolicyProblem::UnknownElement(other.to_string()),
                ))
            }
        }
    }
    let statement_value =
        statement_value.ok_or_else(|| err("", PolicyProblem::MissingElement("Statement")))?;
    let mut statements = Vec::new();
    let mut pointers = Vec::new();
    match statement_value {
        Value::Object(m) => {
            statements.push(parse_statement(m, 0, "/Statement")?);
            pointers.push("/Statement".to_string());
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let path = format!("/Statement/{i}");
                match item {
                    Value::Object(m) => statements.push(parse_statement(m, i, &path)?),
                    other => {
                        return Err(err(
                            &path,
                            PolicyProblem::WrongType {
                                expected: "a statement object",
                                found: type_name(other),
                            },
                        ))
                    }
                }
                pointers.push(path);
            }
        }
        other => {
            return Err(err(
                "/Statement",
                PolicyProblem::WrongType {
                    expected: "a statement object or a list of them",
                    found: type_name(other),
                },
            ))
        }
    }
    Ok((
        PolicyDocument {
            version,
            id,
            statements,
        },
        pointers,
    ))
}

fn parse_statement(
    map: &Map<String, Value>,
    index: usize,
    path: &str,
) -> Result<Statement, PolicyError> {
    let mut sid = None;
    let mut effect = None;
    let mut principal: Option<PrincipalClause> = None;
    let mut action: Option<ActionClause> = None;
    let mut resource: Option<ResourceClause> = None;
    let mut conditions = Vec::new();
    for (k, v) in map {
        let here = format!("{path}/{}", pointer_segment(k));
        match k.as_str() {
            "Sid" => sid = Some(expect_string(v, &here)?),
            "Effect" => {
                let s = expect_string(v, &here)?;
                effect = Some(match s.as_str() {
                    "Allow" => Effect::Allow,
                    "Deny" => Effect::Deny,
                    _ => return Err(err(&here, PolicyProblem::InvalidEffect(s))),
                });
            }
            "Principal" | "NotPrincipal" => {
                let negated = k == "NotPrincipal";
                if principal.is_some() {
                    return Err(err(
                        &here,
                        PolicyProblem::ConflictingElements("Principal", "NotPrincipal"),
                    ));
                }
                let element = if negated { "NotPrincipal" } else { "Principal" };
                principal = Some(PrincipalClause {
                    negated,
                    principals: parse_principal(v, &here, element)?,
                });
            }
            "Action" | "NotAction" => {
                let negated = k == "NotAction";
                if action.is_some() {
                    return Err(err(
                        &here,
                        PolicyProblem::ConflictingElements("Action", "NotAction"),
                    ));
                }
                let element = if negated { "NotAction" } else { "Action" };
                let patterns = string_or_list(v, &here)?;
                if patterns.is_empty() {
                    return Err(err(&here, PolicyProblem::EmptyElement(element)));
                }
                action = Some(ActionClause { negated, patterns });
            }
            "Resource" | "NotResource" => {
                let negated = k == "NotResource";
                if resource.is_some() {
                    return Err(err(
                        &here,
                        PolicyProblem::ConflictingElements("Resource", "NotResource"),
                    ));
                }
                let element = if negated { "NotResource" } else { "Resource" };
                let patterns = string_or_list(v, &here)?;
                if patterns.is_empty() {
                    return Err(err(&here, PolicyProblem::EmptyElement(element)));
                }
                resource = Some(ResourceClause { negated, patterns });
            }
            "Condition" => conditions = parse_conditions(v, &here)?,
            other => {
                return Err(err(&here, PolicyProblem::UnknownElement(other.to_string())));
            }
        }
    }
    let effect = effect.ok_or_else(|| err(path, PolicyProblem::MissingElement("Effect")))?;
    let action = action.ok_or_else(|| err(path, PolicyProblem::MissingElement("Action")))?;
    Ok(Statement {
        sid,
        effect,
        principal,
        action,
        resource,
        conditions,
        index,
    })
}

fn parse_principal(
    v: &Value,
    path: &str,
    element: &'static str,
) -> Result<PrincipalSet, PolicyError> {
    match v {
        Value::String(s) if s == "*" => Ok(PrincipalSet::Any),
        Value::String(s) => Err(err(
            path,
            PolicyProblem::InvalidPrincipal {
                element,
                value: s.clone(),
            },
        )),
        Value::Object(map) => {
            let mut entries = Vec::new();
            for (k, vals) in map {
                let here = format!("{path}/{}", pointer_segment(k));
                let kind = match k.as_str() {
                    "AWS" => PrincipalKind::Aws,
                    "Service" => PrincipalKind::Service,
                    "Federated" => PrincipalKind::Federated,
                    "CanonicalUser" => PrincipalKind::CanonicalUser,
                    other => {
                        return Err(err(&here, PolicyProblem::UnknownElement(other.to_string())))
                    }
                };
                for value in string_or_list(vals, &here)? {
                    entries.push(PrincipalEntry { kind, value });
                }
            }
            Ok(PrincipalSet::Entries(entries))
        }
        other => Err(err(
            path,
            PolicyProblem::WrongType {
                expected: "\"*\" or a principal object",
                found: type_name(other),
            },
        )),
    }
}

fn parse_conditions(v: &Value, path: &str) -> Result<Vec<Condition>, PolicyError> {
    let map = match v {
        Value::Object(m) => m,
        other => {
            return Err(err(
                path,
                PolicyProblem::WrongType {
                    expected: "a condition object",
                    found: type_name(other),
                },
            ))
        }
    };
    let mut out = Vec::new();
    for (op, keys) in map {
        let op_path = format!("{path}/{}", pointer_segment(op));
        let keys = match keys {
            Value::Object(m) => m,
            other => {
                return Err(err(
                    &op_path,
                    PolicyProblem::WrongType {
                        expected: "an object of condition keys",
                        found: type_name(other),
                    },
                ))
            }
        };
        let operator = ConditionOperator::from_raw(op);
        for (key, values) in keys {
            let key_path = format!("{op_path}/{}", pointer_segment(key));
            out.push(Condition {
                operator: operator.clone(),
                key: key.clone(),
                values: condition_values(values, &key_path)?,
            });
        }
    }
    Ok(out)
}

/// Condition values: a scalar or a list of scalars; booleans and numbers become their JSON
/// text (`true`, `42`), as AWS compares them as strings.
fn condition_values(v: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    fn scalar(v: &Value, path: &str) -> Result<String, PolicyError> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Bool(b) => Ok(b.to_string()),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(err(
                path,
                PolicyProblem::WrongType {
                    expected: "a string, number or boolean condition value",
                    found: type_name(other),
                },
            )),
        }
    }
    match v {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| scalar(item, &format!("{path}/{i}")))
            .collect(),
        other => Ok(vec![scalar(other, path)?]),
    }
}

fn string_or_list(v: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(err(
                    &format!("{path}/{i}"),
                    PolicyProblem::WrongType {
                        expected: "a string",
                        found: type_name(other),
                    },
                )),
            })
            .collect(),
        other => Err(err(
            path,
            PolicyProblem::WrongType {
                expected: "a string or a list of strings",
                found: type_name(other),
            },
        )),
    }
}

fn expect_string(v: &Value, path: &str) -> Result<String, PolicyError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        other => Err(err(
            path,
            PolicyProblem::WrongType {
                expected: "a string",
                found: type_name(other),
            },
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{OperatorBase, SetQualifier};
    use serde_json::json;

    /// Parses `input` (a JSON value: object or string) and compares either the document's
    /// debug-free summary or the error pointer + problem.
    fn check(input: Value, expect: Result<fn(&PolicyDocument), (&str, PolicyProblem)>) {
        let got = parse_policy_value(&input);
        match (got, expect) {
            (Ok(doc), Ok(f)) => f(&doc),
            (Err(e), Err((path, problem))) => {
                assert_eq!(e.path, path, "{input}");
                assert_eq!(e.problem, problem, "{input}");
            }
            (got, _) => panic!("unexpected result for {input}: {got:?}"),
        }
    }

    fn simple_allow() -> Value {
        json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b/*"]}
        ]})
    }

    #[test]
    fn three_encodings_give_the_same_document() {
        let obj = simple_allow();
        let text = obj.to_string();
        let url: String =
            percent_encoding::utf8_percent_encode(&text, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let a = parse_policy_value(&obj).unwrap();
        let b = parse_policy_value(&Value::String(text.clone())).unwrap();
        let c = parse_policy_value(&Value::String(url.clone())).unwrap();
        let d = parse_policy_text(&url).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a, d);
        assert_eq!(a.statements[0].action.patterns, vec!["s3:GetObject"]);
        let (_, layout) = parse_policy_value_located(&Value::String(text)).unwrap();
        assert!(layout.embedded);
        assert_eq!(layout.statement_pointers, vec!["/Statement/0"]);
    }

    #[test]
    fn single_statement_object_and_star_principal() {
        check(
            json!({"Statement": {"Effect": "Deny", "Principal": "*", "NotAction": ["s3:*"],
                "NotResource": "arn:aws:s3:::x"}}),
            Ok(|d| {
                let s = &d.statements[0];
                assert_eq!(s.effect, Effect::Deny);
                assert_eq!(
                    s.principal,
                    Some(PrincipalClause {
                        negated: false,
                        principals: PrincipalSet::Any
                    })
                );
                assert!(s.action.negated);
                assert!(s.resource.as_ref().unwrap().negated);
                assert_eq!(d.version, None);
            }),
        );
        let (_, layout) =
            parse_policy_value_located(&json!({"Statement": {"Effect": "Allow", "Action": "*"}}))
                .unwrap();
        assert_eq!(layout.statement_pointers, vec!["/Statement"]);
    }

    #[test]
    fn principal_maps_flatten_and_keep_values() {
        check(
            json!({"Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": ["arn:aws:iam::1:root", "*"],
                "Service": "ec2.amazonaws.com", "Federated": "cognito-identity.amazonaws.com",
                "CanonicalUser": "abc"}, "Action": "sts:AssumeRole"}]}),
            Ok(|d| {
                let p = d.statements[0].principal.as_ref().unwrap();
                assert!(p.negated);
                let PrincipalSet::Entries(e) = &p.principals else {
                    panic!("entries")
                };
                let kinds: Vec<_> = e.iter().map(|e| (e.kind, e.value.as_str())).collect();
                assert_eq!(
                    kinds,
                    vec![
                        (PrincipalKind::Aws, "arn:aws:iam::1:root"),
                        (PrincipalKind::Aws, "*"),
                        (PrincipalKind::Service, "ec2.amazonaws.com"),
                        (PrincipalKind::Federated, "cognito-identity.amazonaws.com"),
                        (PrincipalKind::CanonicalUser, "abc"),
                    ]
                );
                assert_eq!(d.statements[0].resource, None);
            }),
        );
    }

    #[test]
    fn conditions_keep_operators_keys_and_values_exactly() {
        check(
            json!({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*",
            "Condition": {
                "ForAnyValue:StringLikeIfExists": {"aws:PrincipalTag/team": ["${aws:username}", "a*"]},
                "Bool": {"aws:SecureTransport": false},
                "NumericLessThan": {"s3:max-keys": 10, "s3:other": [1.5, true]}
            }}]}),
            Ok(|d| {
                let c = &d.statements[0].conditions;
                assert_eq!(c.len(), 4);
                assert_eq!(c[0].operator.set, Some(SetQualifier::ForAnyValue));
                assert_eq!(c[0].operator.base, OperatorBase::StringLike);
                assert!(c[0].operator.if_exists);
                assert_eq!(c[0].key, "aws:PrincipalTag/team");
                assert_eq!(c[0].values, vec!["${aws:username}", "a*"]);
                assert_eq!(c[1].values, vec!["false"]);
                assert_eq!(c[2].values, vec!["10"]);
                assert_eq!(c[3].values, vec!["1.5", "true"]);
            }),
        );
    }

    #[test]
    fn bad_documents_name_the_path() {
        check(
            json!({"Statement": [{"Effect": "Allow", "Action": "*"}, {"Effect": "Allow", "Action": [], "Resource": "*"}]}),
            Err(("/Statement/1/Action", PolicyProblem::EmptyElement("Action"))),
        );
        check(
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Bogus": 1}]}),
            Err((
                "/Statement/0/Bogus",
                PolicyProblem::UnknownElement("Bogus".into()),
            )),
        );
        check(
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Condition": {"StringLike": {"k": {"x": 1}}}}]}),
            Err((
                "/Statement/0/Condition/StringLike/k",
                PolicyProblem::WrongType {
                    expected: "a string, number or boolean condition value",
                    found: "an object",
                },
            )),
        );
        check(
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Condition": {"StringLike": "x"}}]}),
            Err((
                "/Statement/0/Condition/StringLike",
                PolicyProblem::WrongType {
                    expected: "an object of condition keys",
                    found: "a string",
                },
            )),
        );
        check(
            json!({"Statement": [{"Effect": "allow", "Action": "*"}]}),
            Err((
                "/Statement/0/Effect",
                PolicyProblem::InvalidEffect("allow".into()),
            )),
        );
        check(
            json!({"Statement": [{"Action": "*"}]}),
            Err(("/Statement/0", PolicyProblem::MissingElement("Effect"))),
        );
        check(
            json!({"Statement": [{"Effect": "Allow", "Resource": "*"}]}),
            Err(("/Statement/0", PolicyProblem::MissingElement("Action"))),
        );
        check(
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "x"}]}),
            Err((
                "/Statement/0/NotAction",
                PolicyProblem::ConflictingElements("Action", "NotAction"),
            )),
        );
        check(
            json!({"Statement": [{"Effect": "Allow", "Action": ["a", 3]}]}),
            Err((
                "/Statement/0/Action/1",
                PolicyProblem::WrongType {
                    expected: "a string",
                    found: "a number",
                },
            )),
        );
        check(
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Principal": "arn:aws:iam::1:root"}]}),
            Err((
                "/Statement/0/Principal",
                PolicyProblem::InvalidPrincipal {
                    element: "Principal",
                    value: "arn:aws:iam::1:root".into(),
                },
            )),
        );
        check(
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Principal": {"Bob": "x"}}]}),
            Err((
                "/Statement/0/Principal/Bob",
                PolicyProblem::UnknownElement("Bob".into()),
            )),
        );
        check(
            json!({"Version": "2012-10-17"}),
            Err(("", PolicyProblem::MissingElement("Statement"))),
        );
        check(
            json!({"Statement": [], "Extra/x": 1}),
            Err(("/Extra~1x", PolicyProblem::UnknownElement("Extra/x".into()))),
        );
        check(
            json!(42),
            Err((
                "",
                PolicyProblem::WrongType {
                    expected: "a policy document (object or JSON string)",
                    found: "a number",
                },
            )),
        );
        check(
            json!("[1,2]"),
            Err((
                "",
                PolicyProblem::WrongType {
                    expected: "a policy document object",
                    found: "a list",
                },
            )),
        );
    }

    #[test]
    fn malformed_deep_and_huge_text_are_errors_not_panics() {
        let e = parse_policy_text("{\"Statement\": [").unwrap_err();
        assert!(matches!(e.problem, PolicyProblem::InvalidJson(_)), "{e}");
        let deep = format!(
            "{{\"Statement\": {}{}}}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        let e = parse_policy_text(&deep).unwrap_err();
        assert_eq!(
            e.problem,
            PolicyProblem::TooDeep {
                limit: MAX_JSON_DEPTH
            }
        );
        let huge = format!("{{\"Id\": \"{}\"}}", "x".repeat(MAX_POLICY_TEXT_BYTES));
        let e = parse_policy_text(&huge).unwrap_err();
        assert!(matches!(e.problem, PolicyProblem::TooLarge { .. }));
        let e = parse_policy_text("%7B%FF%FE").unwrap_err();
        assert_eq!(e.problem, PolicyProblem::InvalidUrlEncoding);
        // Brackets inside strings do not count towards depth.
        let s = format!(
            "{{\"Statement\": {{\"Effect\": \"Allow\", \"Action\": \"{}\"}}}}",
            "[".repeat(500)
        );
        assert!(parse_policy_text(&s).is_ok());
    }

    #[test]
    fn error_display_includes_pointer() {
        let e = parse_policy_value(&json!({"Statement": [{"Effect": "Allow", "Action": []}]}))
            .unwrap_err();
        assert_eq!(e.to_string(), "/Statement/0/Action: `Action` is empty");
    }
}
