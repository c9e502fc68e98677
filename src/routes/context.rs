//! Glue from the model to the solver's questions: for a graph node acting on a resource,
//! the `eval::AuthzInputs` (identity policies, boundary, SCPs, resource policy, RCPs, ACLs,
//! Block Public Access, KMS key) and the `smt` request shape (who asks, which condition
//! keys the model binds, which the requester chooses).
//!
//! Policy labels are the evidence strings of the `SourceMap` (`file#/json/pointer`), so a
//! witness's deciding statements cite where they were written.

use crate::eval::{
    AclGrant, AclGrantee, AclPermission, AuthzInputs, AwsPrincipal, AwsPrincipalKind, ContextValue,
    IdentityInputs, IdentityPolicies, KmsKeyInputs, ObjectOwnership, OrgPolicies, PolicyRef,
    PublicAccessBlock, RequestPrincipal, ResourcePolicyMode, S3Inputs,
};
use crate::graph::{Gain, Node, ZoneOfTrust};
use crate::model::{
    BucketId, Collected, Grantee, ItemRef, Model, OrgPolicyId, OrgPolicyType, PolicyId,
    PrincipalRef, SourceMap,
};
use crate::policy::parse::parse_policy_text;
use crate::policy::PolicyDocument;
use crate::smt::question::{KeyShape, PrincipalShape, RequestShape, StrShape};
use std::collections::HashMap;

/// Everything questions borrow from: the model, labels, and the synthetic documents.
pub struct RouteCtx<'a> {
    pub model: &'a Model,
    pub sources: &'a SourceMap,
    pub zone: ZoneOfTrust,
    /// Label of each policy (index = `PolicyId`).
    pub labels: Vec<String>,
    /// Label → policy, to turn a witness's deciding statements back into citations.
    pub by_label: HashMap<String, PolicyId>,
    /// `{"Effect":"Allow","Action":"*","Resource":"*"}`: the identity policy of a principal
    /// that can write its own permissions.
    pub allow_all: PolicyDocument,
    /// The bucket policy of storage the outsider owns: it lets anyone write.
    pub outside_bucket_policy: PolicyDocument,
    /// `aws:CurrentTime` of the scan (ISO 8601).
    pub now: String,
    /// Organization ids an outsider cannot carry in `aws:PrincipalOrgID`: ours, and every
    /// fixed org id the policies pin (Block Public Access counts a fixed org id as
    /// non-public; an outsider cannot join an organization it does not run).
    pub foreign_org_exclusions: Vec<String>,
}

const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const OUTSIDE_BUCKET: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;

impl<'a> RouteCtx<'a> {
    pub fn new(
        model: &'a Model,
        sources: &'a SourceMap,
        zone: ZoneOfTrust,
        now: String,
    ) -> RouteCtx<'a> {
        let mut labels = Vec::with_capacity(model.policies.len());
        let mut by_label = HashMap::new();
        for (i, p) in model.policies.iter().enumerate() {
            let pid = PolicyId(i as u32);
            let base = sources
                .cite(ItemRef::Policy(pid))
                .or_else(|| p.name.clone())
                .unwrap_or_else(|| format!("policy#{i}"));
            // Labels must be unique to map deciding statements back.
            let label = if by_label.contains_key(&base) {
                format!("{base}@{i}")
            } else {
                base
            };
            by_label.insert(label.clone(), pid);
            labels.push(label);
        }
        // Both constants are valid policies; an empty document (allows nothing) would only
        // make escalation and egress edges fail, never invent one.
        let empty = || PolicyDocument {
            version: None,
            id: None,
            statements: Vec::new(),
        };
        let mut foreign_org_exclusions: Vec<String> = zone.org_id.iter().cloned().collect();
        for p in &model.policies {
            for st in &p.document.statements {
                for c in &st.conditions {
                    if c.key.eq_ignore_ascii_case("aws:PrincipalOrgID") {
                        foreign_org_exclusions
                            .extend(c.values.iter().filter(|v| !v.contains(['*', '?'])).cloned());
                    }
                }
            }
        }
        foreign_org_exclusions.sort();
        foreign_org_exclusions.dedup();
        RouteCtx {
            foreign_org_exclusions,
            model,
            sources,
            zone,
            labels,
            by_label,
            allow_all: parse_policy_text(ALLOW_ALL).unwrap_or_else(|_| empty()),
            outside_bucket_policy: parse_policy_text(OUTSIDE_BUCKET).unwrap_or_else(|_| empty()),
            now,
        }
    }

    pub fn policy_ref(&self, pid: PolicyId) -> Option<PolicyRef<'_>> {
        let p = self.model.policy(pid)?;
        Some(PolicyRef {
            label: self.labels.get(pid.index())?.as_str(),
            doc: &p.document,
        })
    }

    /// The citation of statement `index` of the policy labelled `label`.
    pub fn cite_statement(&self, label: &str, index: usize) -> String {
        match self.by_label.get(label) {
            Some(pid) => self
                .sources
                .cite(ItemRef::Statement(*pid, index))
                .unwrap_or_else(|| format!("{label}/Statement/{index}")),
            None => format!("{label}/Statement/{index}"),
        }
    }

    /// SCPs (or RCPs) along an account's organization path, root first. `None` when the
    /// account is in no organization we know, or the policy type is not enabled.
    pub fn org_policies(&self, account: &str, kind: OrgPolicyType) -> Option<OrgPolicies<'_>> {
        let Collected::Present(org) = &self.model.organization else {
            return None;
        };
        let type_name = match kind {
            OrgPolicyType::ServiceControl => "SERVICE_CONTROL_POLICY",
            OrgPolicyType::ResourceControl => "RESOURCE_CONTROL_POLICY",
        };
        if org.policy_type_enabled(type_name) == Collected::Present(false) {
            return None;
        }
        let sym = self.model.sym(account)?;
        let Collected::Present(path) = org.path_to_root(sym) else {
            return None;
        };
        let management = org.management_account == sym;
        let mut levels = Vec::new();
        for node in path.iter().rev() {
            let Some(n) = org.node(*node) else { continue };
            let ids: &Vec<OrgPolicyId> = match kind {
                OrgPolicyType::ServiceControl => &n.scps,
                OrgPolicyType::ResourceControl => &n.rcps,
            };
            let mut level = Vec::new();
            for id in ids {
                if let Some(op) = org.policies.get(id.index()) {
                    if let Some(r) = self.policy_ref(op.document) {
                        level.push(r);
                    }
                }
            }
            levels.push(level);
        }
        Some(OrgPolicies {
            levels,
            management_account: management,
        })
    }

    /// The identity side of a graph node (`None` for outside actors and compute).
    pub fn identity(&self, n: &Node) -> Option<IdentityInputs<'_>> {
        let (p, gain) = match n {
            Node::Principal(p) => (*p, None),
            Node::Escalated { principal, gain } => (*principal, Some(*gain)),
            Node::Account(_) | Node::Anyone => return Some(IdentityInputs::Unconstrained),
            _ => return None,
        };
        let m = self.model;
        let mut policies = Vec::new();
        for ip in m.identity_policies(p) {
            if let Collected::Present(pid) = ip.policy {
                if let Some(r) = self.policy_ref(pid) {
                    policies.push(r);
                }
            }
        }
        match gain {
            Some(Gain::AnyAction) => policies.push(PolicyRef {
                label: "leakpath:escalated-any-action",
                doc: &self.allow_all,
            }),
            Some(Gain::Group(g)) => {
                if let Some(grp) = m.groups.get(g.index()) {
                    let docs = grp
                        .inline_policies
                        .iter()
                        .map(|p| Collected::Present(*p))
                        .chain(grp.attached_policies.iter().map(|a| m.managed_document(a)));
                    for d in docs {
                        if let Collected::Present(pid) = d {
                            if let Some(r) = self.policy_ref(pid) {
                                policies.push(r);
                            }
                        }
                    }
                }
            }
            None => {}
        }
        let permissions_boundary = match m.boundary(p) {
            Some(Collected::Present(pid)) => self.policy_ref(pid),
            _ => None,
        };
        let account = crate::graph::principal_account(m, p);
        Some(IdentityInputs::Known(IdentityPolicies {
            policies,
            permissions_boundary,
            session_policies: None,
            scps: self.org_policies(&account, OrgPolicyType::ServiceControl),
        }))
    }

    /// Whether any identity policy of the node was not collected (answers become unknown).
    pub fn identity_incomplete(&self, n: &Node) -> bool {
        let p = match n {
            Node::Principal(p) | Node::Escalated { principal: p, .. } => *p,
            _ => return false,
        };
        self.model
            .identity_policies(p)
            .iter()
            .any(|ip| ip.policy.is_missing())
            || matches!(self.model.boundary(p), Some(Collected::Missing))
    }

    /// The request principal of an inside principal.
    pub fn aws_principal(&self, p: PrincipalRef) -> RequestPrincipal {
        let m = self.model;
        let account = crate::graph::principal_account(m, p);
        let canonical = m
            .sym(&account)
            .and_then(|s| m.account(s))
            .and_then(|a| a.s3_canonical_id.clone());
        match p {
            PrincipalRef::User(_) => RequestPrincipal::Aws(AwsPrincipal {
                arn: crate::graph::principal_arn(m, p),
                account,
                kind: AwsPrincipalKind::User,
                canonical_user: canonical,
            }),
            PrincipalRef::Role(r) => {
                let role_arn = crate::graph::principal_arn(m, p);
                let name = m
                    .roles
                    .get(r.index())
                    .map(|x| x.name.clone())
                    .unwrap_or_default();
                RequestPrincipal::Aws(AwsPrincipal {
                    arn: format!("arn:aws:sts::{account}:assumed-role/{name}/leakpath"),
                    account,
                    kind: AwsPrincipalKind::RoleSession { role_arn },
                    canonical_user: canonical,
                })
            }
        }
    }

    /// The request shapes a node acts with (several for `Anyone`: anonymous, and a principal
    /// of any other account). Empty for nodes that make no requests themselves.
    pub fn shapes(&self, n: &Node, action: &str, resource: StrShape) -> Vec<RequestShape> {
        let action = StrShape::Exact(action.to_string());
        let outside = |shape: RequestShape| {
            self.common_keys(shape)
                .with_key("aws:SourceIp", KeyShape::PublicIp)
                .with_key("aws:SourceVpce", KeyShape::Absent)
                .with_key("aws:SourceVpc", KeyShape::Absent)
                .with_key("aws:VpcSourceIp", KeyShape::Absent)
                .with_key(
                    "aws:PrincipalOrgID",
                    KeyShape::NoneOf(self.foreign_org_exclusions.clone()),
                )
                .with_key("aws:PrincipalOrgPaths", KeyShape::Absent)
        };
        match n {
            Node::Anyone => vec![
                self.common_keys(RequestShape::anonymous(action.clone(), resource.clone())),
                outside(RequestShape::new(
                    PrincipalShape::AnyOutside {
                        excluded: self.zone.accounts.iter().cloned().collect(),
                        org_ids: self.foreign_org_exclusions.clone(),
                    },
                    action,
                    resource,
                )),
            ],
            Node::Account(a) => vec![outside(RequestShape::new(
                PrincipalShape::AnyOfAccount(a.clone()),
                action,
                resource,
            ))],
            Node::Federated(provider) => vec![self.common_keys(
                RequestShape::new(
                    PrincipalShape::Exact(RequestPrincipal::Federated {
                        provider: provider.clone(),
                    }),
                    action,
                    resource,
                )
                .with_key("aws:SourceIp", KeyShape::PublicIp),
            )],
            Node::Principal(p) | Node::Escalated { principal: p, .. } => {
                let account = crate::graph::principal_account(self.model, *p);
                let org = match (&self.zone.org_id, self.zone.contains(&account)) {
                    (Some(o), true) if self.in_org(&account) => {
                        KeyShape::Fixed(ContextValue::Single(o.clone()))
                    }
                    _ => KeyShape::Absent,
                };
                vec![self.common_keys(
                    RequestShape::new(
                        PrincipalShape::Exact(self.aws_principal(*p)),
                        action,
                        resource,
                    )
                    .with_key("aws:PrincipalOrgID", org)
                    .with_key("aws:SourceVpce", KeyShape::Absent)
                    .with_key("aws:SourceVpc", KeyShape::Absent)
                    .with_key("aws:VpcSourceIp", KeyShape::Absent),
                )]
            }
            _ => Vec::new(),
        }
    }

    /// Keys the world fixes for every request: the time of the scan, and whether TLS was
    /// used (always present, either value).
    fn common_keys(&self, shape: RequestShape) -> RequestShape {
        let now = KeyShape::Fixed(ContextValue::Single(self.now.clone()));
        shape
            .with_key("aws:CurrentTime", now.clone())
            .with_key("aws:TokenIssueTime", now)
            // Every request says whether it came over TLS.
            .with_key("aws:SecureTransport", KeyShape::AnyPresent)
    }

    pub fn in_org(&self, account: &str) -> bool {
        match &self.model.organization {
            Collected::Present(org) => self
                .model
                .sym(account)
                .is_some_and(|s| org.node_by_id(s).is_some()),
            Collected::Missing => false,
        }
    }

    /// Resource-side keys of a resource in `account`.
    pub fn resource_keys(&self, shape: RequestShape, account: &str) -> RequestShape {
        let org = match &self.zone.org_id {
            Some(o) if self.in_org(account) => KeyShape::Fixed(ContextValue::Single(o.clone())),
            _ => KeyShape::Absent,
        };
        shape
            .with_key(
                "aws:ResourceAccount",
                KeyShape::Fixed(ContextValue::Single(account.to_string())),
            )
            .with_key("aws:ResourceOrgID", org)
    }

    /// Inputs for a request on bucket `b` (object reads get the KMS key of the bucket's
    /// default encryption when the export holds it).
    ///
    /// For an outside requester (`outside`), ACL grants to the canonical ids of inside
    /// accounts are left out: such a grant names an account the requester is not, whatever
    /// principal of its own account it signs with.
    pub fn bucket_inputs(
        &self,
        identity: IdentityInputs<'a>,
        b: BucketId,
        object: bool,
        outside: bool,
    ) -> Option<AuthzInputs<'_>> {
        let m = self.model;
        let bucket = m.buckets.get(b.index())?;
        let account = m.str(bucket.account).to_string();
        let resource_policy = match &bucket.policy {
            Collected::Present(Some(pid)) => self.policy_ref(*pid),
            _ => None,
        };
        let inside_canonical: Vec<&str> = m
            .accounts
            .iter()
            .filter(|a| self.zone.contains(m.str(a.id)))
            .filter_map(|a| a.s3_canonical_id.as_deref())
            .chain(match &bucket.acl {
                Collected::Present(a) => a.owner_id.as_deref(),
                Collected::Missing => None,
            })
            .collect();
        let acl = match &bucket.acl {
            Collected::Present(a) => a
                .grants
                .iter()
                .filter_map(convert_grant)
                .filter(|g| {
                    !outside
                        || !matches!(&g.grantee, AclGrantee::CanonicalUser(id) if inside_canonical.contains(&id.as_str()))
                })
                .collect(),
            Collected::Missing => Vec::new(),
        };
        let ownership = match &bucket.ownership {
            Collected::Present(Some(crate::model::ObjectOwnership::BucketOwnerEnforced)) => {
                ObjectOwnership::BucketOwnerEnforced
            }
            Collected::Present(Some(crate::model::ObjectOwnership::BucketOwnerPreferred)) => {
                ObjectOwnership::BucketOwnerPreferred
            }
            _ => ObjectOwnership::ObjectWriter,
        };
        let bpa = |c: &Collected<Option<crate::model::PublicAccessBlock>>| match c {
            Collected::Present(Some(p)) => PublicAccessBlock {
                block_public_acls: p.block_public_acls,
                ignore_public_acls: p.ignore_public_acls,
                block_public_policy: p.block_public_policy,
                restrict_public_buckets: p.restrict_public_buckets,
            },
            _ => PublicAccessBlock::default(),
        };
        let account_bpa = m
            .account(bucket.account)
            .map(|a| bpa(&a.public_access_block))
            .unwrap_or_default();
        let kms = if object { self.bucket_key(b) } else { None };
        Some(AuthzInputs {
            identity,
            resource_account: account.clone(),
            resource_policy,
            resource_policy_mode: ResourcePolicyMode::Alternative,
            rcps: self.org_policies(&account, OrgPolicyType::ResourceControl),
            vpc_endpoint_policy: None,
            s3: Some(S3Inputs {
                bucket_acl: acl,
                object_acl: Vec::new(),
                object_ownership: ownership,
                public_access_block: PublicAccessBlock::merged(
                    account_bpa,
                    bpa(&bucket.public_access_block),
                ),
            }),
            kms,
        })
    }

    /// The customer KMS key of a bucket's default encryption, when the export holds it.
    fn bucket_key(&self, b: BucketId) -> Option<KmsKeyInputs<'_>> {
        let m = self.model;
        let bucket = m.buckets.get(b.index())?;
        let Collected::Present(Some(enc)) = &bucket.encryption else {
            return None;
        };
        let key_ref = enc.kms_key_id()?;
        let key = m.kms_keys.iter().find(|k| {
            let arn = m.str(k.arn);
            arn == key_ref || k.key_id == key_ref || arn.ends_with(&format!("/{key_ref}"))
        })?;
        let Collected::Present(pid) = key.policy else {
            return None;
        };
        let key_account = m.str(key.account).to_string();
        let region = bucket
            .region
            .present()
            .cloned()
            .unwrap_or_else(|| m.str(key.region).to_string());
        Some(KmsKeyInputs {
            key_arn: m.str(key.arn).to_string(),
            key_account: key_account.clone(),
            key_policy: self.policy_ref(pid)?,
            rcps: self.org_policies(&key_account, OrgPolicyType::ResourceControl),
            via_service: Some(format!("s3.{region}.amazonaws.com")),
        })
    }
}

fn convert_grant(g: &crate::model::AclGrant) -> Option<AclGrant> {
    let grantee = match &g.grantee {
        Grantee::Group { uri } if uri == Grantee::ALL_USERS => AclGrantee::AllUsers,
        Grantee::Group { uri } if uri == Grantee::AUTHENTICATED_USERS => {
            AclGrantee::AuthenticatedUsers
        }
        Grantee::Group { uri } if uri == Grantee::LOG_DELIVERY => AclGrantee::LogDelivery,
        Grantee::CanonicalUser { id, .. } => AclGrantee::CanonicalUser(id.clone()),
        _ => return None,
    };
    let permission = match g.permission {
        crate::model::AclPermission::FullControl => AclPermission::FullControl,
        crate::model::AclPermission::Read => AclPermission::Read,
        crate::model::AclPermission::Write => AclPermission::Write,
        crate::model::AclPermission::ReadAcp => AclPermission::ReadAcp,
        crate::model::AclPermission::WriteAcp => AclPermission::WriteAcp,
        crate::model::AclPermission::Other(_) => return None,
    };
    Some(AclGrant {
        grantee,
        permission,
    })
}

/// ISO 8601 (UTC, seconds) of a Unix time, for `aws:CurrentTime`.
pub fn iso8601(epoch_secs: i64) -> String {
    let days = epoch_secs.div_euclid(86_400);
    let secs = epoch_secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(epoch: i64, expect: &str) {
        assert_eq!(iso8601(epoch), expect);
    }

    #[test]
    fn iso_dates() {
        check(0, "1970-01-01T00:00:00Z");
        check(1_700_000_000, "2023-11-14T22:13:20Z");
        check(951_782_400, "2000-02-29T00:00:00Z");
    }
}
