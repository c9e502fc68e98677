//! Typed IAM policy documents: the one shape every policy (identity, resource, trust,
//! boundary, SCP, RCP, key, endpoint) takes inside leakpath.
//!
//! The parser (`parse`) accepts the three encodings AWS uses (a JSON object, a JSON string,
//! a URL-encoded JSON string) and normalizes every "string or list" element into a list.
//! Values are kept exactly as written: policy variables such as `${aws:username}` and
//! wildcards are interpreted by the evaluators (`eval`, `smt`), never here.

pub mod parse;

use serde::Serialize;

/// A whole policy document (`{"Version": ..., "Statement": [...]}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyDocument {
    pub version: Option<String>,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// One statement. Which of `Principal`/`NotPrincipal`, `Action`/`NotAction` and
/// `Resource`/`NotResource` was written is kept in the `negated` flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    /// `None` where the statement has neither `Principal` nor `NotPrincipal`
    /// (identity policies, SCPs, boundaries).
    pub principal: Option<PrincipalClause>,
    pub action: ActionClause,
    /// `None` where the statement has neither `Resource` nor `NotResource`
    /// (trust policies may omit it).
    pub resource: Option<ResourceClause>,
    /// Condition blocks: every entry must hold (AND); within one entry the values are OR-ed
    /// (or AND-ed for negated operators, as AWS defines).
    pub conditions: Vec<Condition>,
    /// Index of the statement inside its document, for evidence paths (`/Statement/3`).
    pub index: usize,
}

/// `Principal` (negated = false) or `NotPrincipal` (negated = true).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrincipalClause {
    pub negated: bool,
    pub principals: PrincipalSet,
}

/// The value of a `Principal` element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum PrincipalSet {
    /// `"Principal": "*"` — everyone, including anonymous requests.
    Any,
    /// `{"AWS": [...], "Service": [...], "Federated": [...], "CanonicalUser": [...]}`, flattened.
    /// Note `{"AWS": "*"}` stays an entry here; evaluators treat it like `Any` as AWS does.
    Entries(Vec<PrincipalEntry>),
}

/// One principal named in a `Principal` map.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PrincipalEntry {
    pub kind: PrincipalKind,
    /// Exactly as written: an ARN, an account id, `*`, a service name, a provider, a canonical id.
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum PrincipalKind {
    Aws,
    Service,
    Federated,
    CanonicalUser,
}

/// `Action` (negated = false) or `NotAction` (negated = true). Patterns may hold `*` and `?`
/// and match case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionClause {
    pub negated: bool,
    pub patterns: Vec<String>,
}

/// `Resource` (negated = false) or `NotResource` (negated = true). Patterns may hold `*`,
/// `?` and policy variables, and match case-sensitively.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceClause {
    pub negated: bool,
    pub patterns: Vec<String>,
}

/// One `"Operator": {"key": [values]}` entry, split per key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    pub operator: ConditionOperator,
    /// The condition key exactly as written (keys are case-insensitive in AWS; evaluators
    /// compare them lowercased).
    pub key: String,
    /// Values as written; JSON booleans and numbers become their JSON text (`true`, `42`).
    pub values: Vec<String>,
}

/// A condition operator with its qualifiers: `ForAnyValue:StringLikeIfExists` is
/// `{set: Some(ForAnyValue), base: StringLike, if_exists: true}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionOperator {
    pub set: Option<SetQualifier>,
    pub base: OperatorBase,
    pub if_exists: bool,
    /// The operator exactly as written, for evidence and error messages.
    pub raw: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum SetQualifier {
    ForAnyValue,
    ForAllValues,
}

/// Every operator family AWS documents. `Unknown` keeps an operator we do not know so the
/// evaluators can answer `Unknown` instead of guessing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum OperatorBase {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnNotEquals,
    ArnLike,
    ArnNotLike,
    Null,
    Unknown(String),
}

impl OperatorBase {
    /// The negated operators, whose values AWS combines so that *no* value may match.
    pub fn is_negated(&self) -> bool {
        matches!(
            self,
            OperatorBase::StringNotEquals
                | OperatorBase::StringNotEqualsIgnoreCase
                | OperatorBase::StringNotLike
                | OperatorBase::NumericNotEquals
                | OperatorBase::DateNotEquals
                | OperatorBase::NotIpAddress
                | OperatorBase::ArnNotEquals
                | OperatorBase::ArnNotLike
        )
    }

    /// Parses the base name (without `ForAnyValue:` and `IfExists`), case-sensitively as
    /// AWS does.
    pub fn from_name(name: &str) -> OperatorBase {
        use OperatorBase::*;
        match name {
            "StringEquals" => StringEquals,
            "StringNotEquals" => StringNotEquals,
            "StringEqualsIgnoreCase" => StringEqualsIgnoreCase,
            "StringNotEqualsIgnoreCase" => StringNotEqualsIgnoreCase,
            "StringLike" => StringLike,
            "StringNotLike" => StringNotLike,
            "NumericEquals" => NumericEquals,
            "NumericNotEquals" => NumericNotEquals,
            "NumericLessThan" => NumericLessThan,
            "NumericLessThanEquals" => NumericLessThanEquals,
            "NumericGreaterThan" => NumericGreaterThan,
            "NumericGreaterThanEquals" => NumericGreaterThanEquals,
            "DateEquals" => DateEquals,
            "DateNotEquals" => DateNotEquals,
            "DateLessThan" => DateLessThan,
            "DateLessThanEquals" => DateLessThanEquals,
            "DateGreaterThan" => DateGreaterThan,
            "DateGreaterThanEquals" => DateGreaterThanEquals,
            "Bool" => Bool,
            "BinaryEquals" => BinaryEquals,
            "IpAddress" => IpAddress,
            "NotIpAddress" => NotIpAddress,
            "ArnEquals" => ArnEquals,
            "ArnNotEquals" => ArnNotEquals,
            "ArnLike" => ArnLike,
            "ArnNotLike" => ArnNotLike,
            "Null" => Null,
            other => Unknown(other.to_string()),
        }
    }
}

impl ConditionOperator {
    /// Splits `ForAllValues:StringLikeIfExists` into its parts. Never fails: an operator we
    /// do not know becomes `OperatorBase::Unknown`.
    pub fn from_raw(raw: &str) -> ConditionOperator {
        let (set, rest) = if let Some(r) = raw.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), r)
        } else if let Some(r) = raw.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), r)
        } else {
            (None, raw)
        };
        // `Null` has no IfExists form; every other operator may carry the suffix.
        let (base_name, if_exists) = match rest.strip_suffix("IfExists") {
            Some(b) if !b.is_empty() && b != "Null" => (b, true),
            _ => (rest, false),
        };
        ConditionOperator {
            set,
            base: OperatorBase::from_name(base_name),
            if_exists,
            raw: raw.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str, expect: (Option<SetQualifier>, OperatorBase, bool)) {
        let op = ConditionOperator::from_raw(raw);
        assert_eq!((op.set, op.base, op.if_exists), expect, "{raw}");
    }

    #[test]
    fn operators_split_into_qualifier_base_and_if_exists() {
        use OperatorBase::*;
        check("StringEquals", (None, StringEquals, false));
        check("StringLikeIfExists", (None, StringLike, true));
        check(
            "ForAnyValue:StringLike",
            (Some(SetQualifier::ForAnyValue), StringLike, false),
        );
        check(
            "ForAllValues:ArnNotLikeIfExists",
            (Some(SetQualifier::ForAllValues), ArnNotLike, true),
        );
        check("Null", (None, Null, false));
        check("IfExists", (None, Unknown("IfExists".into()), false));
        check(
            "stringequals",
            (None, Unknown("stringequals".into()), false),
        );
    }
}
