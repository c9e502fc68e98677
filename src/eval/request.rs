//! One fully concrete AWS request: who asks, for which action on which resource, with which
//! request context. Shared by `eval` (which decides it) and `smt` (whose witnesses are
//! requests of exactly this shape).

use std::collections::BTreeMap;

/// A single, fully concrete request, as AWS's authorization code sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Who signs the request (or nobody: `Anonymous`).
    pub principal: RequestPrincipal,
    /// `service:Action`, e.g. `s3:GetObject`. Matched case-insensitively.
    pub action: String,
    /// The resource ARN, e.g. `arn:aws:s3:::bucket/key`, `arn:aws:iam::111122223333:role/R`.
    /// Matched case-sensitively.
    pub resource: String,
    /// Condition keys and their values. See [`RequestContext`] for which keys `eval`
    /// derives by itself.
    pub context: RequestContext,
}

/// Who makes the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestPrincipal {
    /// An unsigned request (S3 allows these). Only resource policies (`"*"` principals) and
    /// ACL grants to `AllUsers` can allow it; identity policies and SCPs do not apply.
    Anonymous,
    /// An IAM identity: root user, IAM user, role session, or federated-user session.
    Aws(AwsPrincipal),
    /// An AWS service principal acting itself, e.g. `cloudtrail.amazonaws.com`. Matched by
    /// `{"Service": ...}` entries; SCPs do not apply to it, RCPs do.
    Service(String),
    /// An identity of an OIDC or SAML provider calling `sts:AssumeRoleWithWebIdentity` /
    /// `sts:AssumeRoleWithSAML`: `provider` is exactly what a trust policy names under
    /// `{"Federated": ...}` (`cognito-identity.amazonaws.com`, `accounts.google.com`,
    /// `arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com`,
    /// `arn:aws:iam::111122223333:saml-provider/Okta`). Only the role's trust policy (and the
    /// role account's RCPs) decide; the provider claims (`token.actions…:sub`, `saml:aud`,
    /// …) travel in the context.
    Federated { provider: String },
}

/// An IAM identity that signs a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsPrincipal {
    /// The caller's ARN as `sts:GetCallerIdentity` prints it: `arn:aws:iam::A:root`,
    /// `arn:aws:iam::A:user/path/name`, `arn:aws:sts::A:assumed-role/RoleName/session`,
    /// `arn:aws:sts::A:federated-user/name`.
    pub arn: String,
    /// The 12-digit account id the identity belongs to.
    pub account: String,
    pub kind: AwsPrincipalKind,
    /// The canonical user id of the principal's account, when known. S3 ACL grants and
    /// `{"CanonicalUser": ...}` principals name accounts by it.
    pub canonical_user: Option<String>,
}

/// Which kind of IAM identity signs, with what policies may name instead of its own ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwsPrincipalKind {
    /// The account's root user: has every identity permission of its account (SCPs still
    /// apply to member accounts).
    Root,
    /// An IAM user.
    User,
    /// A session of a role (from `AssumeRole*`). `role_arn` is the role's full ARN with its
    /// path (`arn:aws:iam::A:role/path/RoleName`); a policy naming the role ARN matches every
    /// session of it. A role under the path `/aws-service-role/` is a service-linked role,
    /// exempt from SCPs and RCPs.
    RoleSession { role_arn: String },
    /// A session from `sts:GetFederationToken`; `user_arn` is the IAM user that called it.
    FederatedUser { user_arn: String },
}

impl AwsPrincipal {
    /// `arn:aws:iam::<account>:root`, the ARN resource policies use to name the account.
    pub fn account_root_arn(&self) -> String {
        format!("arn:aws:iam::{}:root", self.account)
    }

    /// True for sessions of a service-linked role (path `/aws-service-role/`), which SCPs
    /// and RCPs do not restrict.
    pub fn is_service_linked_role(&self) -> bool {
        match &self.kind {
            AwsPrincipalKind::RoleSession { role_arn } => {
                role_arn.contains(":role/aws-service-role/")
            }
            _ => false,
        }
    }
}

/// A condition key's value in the request. Values stay strings; each operator family
/// parses them (number, date, IP, base64, bool) when it compares, exactly like AWS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextValue {
    Single(String),
    /// A multi-valued key (`aws:TagKeys`, `aws:PrincipalOrgPaths`, …). An empty list is a
    /// present-but-empty key: `ForAllValues` holds on it, `ForAnyValue` does not.
    Multi(Vec<String>),
}

impl ContextValue {
    /// The values as a slice, one element for `Single`.
    pub fn values(&self) -> &[String] {
        match self {
            ContextValue::Single(v) => std::slice::from_ref(v),
            ContextValue::Multi(vs) => vs,
        }
    }
}

/// The request context: condition key (compared case-insensitively; stored lowercased) →
/// value.
///
/// `eval` adds the keys AWS derives from the principal when the caller has not set them
/// (see [`derived_context`]): `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`,
/// `aws:username` (IAM users), `aws:userid` (anonymous: `anonymous`; root: the account id;
/// federated users: `account:name`; IAM users and role sessions: the caller's, from
/// AWS's unique id), `aws:PrincipalIsAWSService`, `aws:PrincipalServiceName`
/// (service principals); `aws:PrincipalType` is `Anonymous` for unsigned requests. Everything else (source IP, VPC
/// endpoint, org id, tags, `s3:prefix`, …) is the caller's to supply; a key not present is
/// absent from the request, with the consequences AWS defines (IfExists, Null, negated
/// operators, set qualifiers).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestContext {
    entries: BTreeMap<String, ContextValue>,
}

impl RequestContext {
    pub fn new() -> RequestContext {
        RequestContext::default()
    }

    /// Sets a single-valued key (the key is lowercased).
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.entries
            .insert(key.to_ascii_lowercase(), ContextValue::Single(value.into()));
    }

    /// Sets a multi-valued key (the key is lowercased).
    pub fn set_multi(&mut self, key: &str, values: Vec<String>) {
        self.entries
            .insert(key.to_ascii_lowercase(), ContextValue::Multi(values));
    }

    /// The value of a key, looked up case-insensitively.
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        self.entries.get(&key.to_ascii_lowercase())
    }

    /// Every key (lowercased) with its value, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Sets `key` only where the caller has not set it.
    pub fn set_default(&mut self, key: &str, value: ContextValue) {
        self.entries
            .entry(key.to_ascii_lowercase())
            .or_insert(value);
    }

    /// Removes a key (looked up case-insensitively).
    pub fn remove(&mut self, key: &str) {
        self.entries.remove(&key.to_ascii_lowercase());
    }
}

/// The context `eval` decides with: the request's own context plus the keys AWS derives from
/// the principal, where the caller has not set them. `smt` must treat the derived keys as
/// bound by the principal in the same way.
pub fn derived_context(req: &Request) -> RequestContext {
    let mut ctx = req.context.clone();
    let single = |s: &str| ContextValue::Single(s.to_string());
    match &req.principal {
        RequestPrincipal::Anonymous => {
            ctx.set_default("aws:PrincipalType", single("Anonymous"));
            ctx.set_default("aws:userid", single("anonymous"));
        }
        RequestPrincipal::Aws(p) => {
            ctx.set_default("aws:PrincipalAccount", single(&p.account));
            ctx.set_default("aws:PrincipalIsAWSService", single("false"));
            let (principal_arn, principal_type) = match &p.kind {
                AwsPrincipalKind::Root => (p.arn.clone(), "Account"),
                AwsPrincipalKind::User => (p.arn.clone(), "User"),
                // aws:PrincipalArn of a role session is the role's ARN, not the session's.
                AwsPrincipalKind::RoleSession { role_arn } => (role_arn.clone(), "AssumedRole"),
                AwsPrincipalKind::FederatedUser { .. } => (p.arn.clone(), "FederatedUser"),
            };
            ctx.set_default("aws:PrincipalArn", ContextValue::Single(principal_arn));
            ctx.set_default("aws:PrincipalType", single(principal_type));
            if let AwsPrincipalKind::User = p.kind {
                if let Some(name) = p.arn.rsplit('/').next() {
                    ctx.set_default("aws:username", single(name));
                }
            }
            // `aws:userid` of the root user is the account id, of a federated user
            // `account:name`. An IAM user's (`AIDA…`) and a role session's
            // (`AROA…:session`) carry AWS's unique id, which the principal does not hold:
            // the caller supplies them in the context (the model knows them).
            match &p.kind {
                AwsPrincipalKind::Root => ctx.set_default("aws:userid", single(&p.account)),
                AwsPrincipalKind::FederatedUser { .. } => {
                    if let Some(name) = p.arn.rsplit('/').next() {
                        ctx.set_default(
                            "aws:userid",
                            ContextValue::Single(format!("{}:{name}", p.account)),
                        );
                    }
                }
                AwsPrincipalKind::User | AwsPrincipalKind::RoleSession { .. } => {}
            }
        }
        RequestPrincipal::Service(name) => {
            ctx.set_default("aws:PrincipalIsAWSService", single("true"));
            ctx.set_default("aws:PrincipalServiceName", single(name));
        }
        RequestPrincipal::Federated { .. } => {}
    }
    ctx
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(principal: RequestPrincipal, expect: &[(&str, Option<&str>)]) {
        let req = Request {
            principal,
            action: "s3:GetObject".into(),
            resource: "arn:aws:s3:::b/k".into(),
            context: RequestContext::new(),
        };
        let ctx = derived_context(&req);
        for (key, want) in expect {
            let got = ctx.get(key).map(|v| v.values().join(","));
            assert_eq!(got.as_deref(), *want, "{key}");
        }
    }

    #[test]
    fn principal_keys_are_derived() {
        check(
            RequestPrincipal::Aws(AwsPrincipal {
                arn: "arn:aws:sts::111122223333:assumed-role/R/s".into(),
                account: "111122223333".into(),
                kind: AwsPrincipalKind::RoleSession {
                    role_arn: "arn:aws:iam::111122223333:role/p/R".into(),
                },
                canonical_user: None,
            }),
            &[
                (
                    "aws:principalarn",
                    Some("arn:aws:iam::111122223333:role/p/R"),
                ),
                ("AWS:PrincipalAccount", Some("111122223333")),
                ("aws:PrincipalType", Some("AssumedRole")),
                ("aws:username", None),
            ],
        );
        check(
            RequestPrincipal::Aws(AwsPrincipal {
                arn: "arn:aws:iam::111122223333:user/dev/alice".into(),
                account: "111122223333".into(),
                kind: AwsPrincipalKind::User,
                canonical_user: None,
            }),
            &[
                ("aws:username", Some("alice")),
                ("aws:PrincipalIsAWSService", Some("false")),
                ("aws:userid", None),
            ],
        );
        check(
            RequestPrincipal::Aws(AwsPrincipal {
                arn: "arn:aws:iam::111122223333:root".into(),
                account: "111122223333".into(),
                kind: AwsPrincipalKind::Root,
                canonical_user: None,
            }),
            &[("aws:userid", Some("111122223333"))],
        );
        check(
            RequestPrincipal::Aws(AwsPrincipal {
                arn: "arn:aws:sts::111122223333:federated-user/bob".into(),
                account: "111122223333".into(),
                kind: AwsPrincipalKind::FederatedUser {
                    user_arn: "arn:aws:iam::111122223333:user/alice".into(),
                },
                canonical_user: None,
            }),
            &[("aws:userid", Some("111122223333:bob"))],
        );
        check(
            RequestPrincipal::Anonymous,
            &[
                ("aws:PrincipalArn", None),
                ("aws:PrincipalType", Some("Anonymous")),
                ("aws:userid", Some("anonymous")),
            ],
        );
        // A federated (OIDC or SAML) identity derives no principal keys: its claims are the
        // caller's context, as the provider issued them.
        let mut req = Request {
            principal: RequestPrincipal::Federated {
                provider: "arn:aws:iam::111122223333:saml-provider/Okta".into(),
            },
            action: "sts:AssumeRoleWithSAML".into(),
            resource: "arn:aws:iam::111122223333:role/sso".into(),
            context: RequestContext::new(),
        };
        req.context
            .set("SAML:aud", "https://signin.aws.amazon.com/saml");
        let ctx = derived_context(&req);
        let keys: Vec<&str> = ctx.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["saml:aud"]);
        check(
            RequestPrincipal::Service("cloudtrail.amazonaws.com".into()),
            &[
                ("aws:PrincipalIsAWSService", Some("true")),
                ("aws:PrincipalAccount", None),
            ],
        );
    }
}
