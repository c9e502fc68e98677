//! Glue from the account `Model` to the solver's questions: for a principal and a resource,
//! the `AuthzInputs` that bear on the request (identity policies, boundary, SCP levels of
//! the principal's account; the bucket's policy, ACL, Block Public Access, ownership and
//! SSE-KMS key; RCP levels of the resource's account), each policy labelled for evidence.
//!
//! Data the export does not hold (`Collected::Missing`) is never read as "none": where it
//! could change the answer the question is not asked and the caller gets the reason
//! (`FromModelError::Missing`), which `can` reports as `unknown`.

use crate::eval::{
    AclGrant, AclGrantee, AclPermission, AuthzInputs, AwsPrincipal, AwsPrincipalKind,
    IdentityInputs, IdentityPolicies, KmsKeyInputs, ObjectOwnership, OrgPolicies, PolicyRef,
    PublicAccessBlock, RequestPrincipal, ResourcePolicyMode, S3Inputs,
};
use crate::model::{self, BucketId, Collected, Grantee, Model, PolicyId, PrincipalRef, Sym};

/// Why a question could not be built from the model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FromModelError {
    /// Data that could change the answer was not collected.
    #[error("not collected: {0}")]
    Missing(String),
    #[error("not in the export: {0}")]
    NotFound(String),
}

/// The model with a label for every policy document, so `AuthzInputs` can borrow both.
#[derive(Debug)]
pub struct ModelView<'m> {
    pub model: &'m Model,
    labels: Vec<String>,
    /// The AWS managed key `aws/s3` of each bucket whose default encryption uses it.
    managed_keys: std::collections::HashMap<usize, model::kms::ManagedKey>,
    /// The policy of a key that cannot be used (disabled, pending deletion): allows nothing.
    unusable_key_policy: crate::policy::PolicyDocument,
}

impl<'m> ModelView<'m> {
    pub fn new(model: &'m Model) -> ModelView<'m> {
        let mut labels: Vec<String> = (0..model.policies.len())
            .map(|i| format!("policy#{i}"))
            .collect();
        let mut set = |id: PolicyId, label: String| {
            if let Some(l) = labels.get_mut(id.index()) {
                *l = label;
            }
        };
        let name = |p: PolicyId| {
            model
                .policy(p)
                .and_then(|p| p.name.clone())
                .unwrap_or_default()
        };
        for u in &model.users {
            for p in &u.inline_policies {
                set(*p, format!("{}#inline:{}", model.str(u.arn), name(*p)));
            }
        }
        for g in &model.groups {
            for p in &g.inline_policies {
                set(*p, format!("{}#inline:{}", model.str(g.arn), name(*p)));
            }
        }
        for r in &model.roles {
            for p in &r.inline_policies {
                set(*p, format!("{}#inline:{}", model.str(r.arn), name(*p)));
            }
            if let Collected::Present(p) = r.trust_policy {
                set(p, format!("{}#trust", model.str(r.arn)));
            }
        }
        for m in &model.managed_policies {
            if let Collected::Present(p) = m.document {
                set(p, model.str(m.arn).to_string());
            }
        }
        for b in &model.buckets {
            if let Collected::Present(Some(p)) = b.policy {
                set(p, format!("{}#bucket-policy", model.str(b.arn)));
            }
        }
        for k in &model.kms_keys {
            if let Collected::Present(p) = k.policy {
                set(p, format!("{}#key-policy", model.str(k.arn)));
            }
        }
        if let Collected::Present(org) = &model.organization {
            for p in &org.policies {
                let kind = match p.policy_type {
                    model::OrgPolicyType::ServiceControl => "scp",
                    model::OrgPolicyType::ResourceControl => "rcp",
                };
                set(
                    p.document,
                    format!(
                        "{kind}:{}{}",
                        p.id,
                        p.name
                            .as_ref()
                            .map(|n| format!(" ({n})"))
                            .unwrap_or_default()
                    ),
                );
            }
        }
        ModelView {
            model,
            labels,
            managed_keys: model::kms::managed_s3_keys(model),
            unusable_key_policy: crate::policy::PolicyDocument {
                version: None,
                id: None,
                statements: Vec::new(),
            },
        }
    }

    fn pref(&self, id: PolicyId) -> Option<PolicyRef<'_>> {
        Some(PolicyRef {
            label: self.labels.get(id.index())?,
            doc: &self.model.policy(id)?.document,
        })
    }

    /// The organization policies along an account's path (root first), or `None` when the
    /// account is in no organization the export knows.
    fn org_levels(
        &self,
        account: Sym,
        rcp: bool,
    ) -> Result<Option<OrgPolicies<'_>>, FromModelError> {
        let Collected::Present(org) = &self.model.organization else {
            return Ok(None);
        };
        let acct = self.model.str(account);
        let enabled = org.policy_type_enabled(if rcp {
            "RESOURCE_CONTROL_POLICY"
        } else {
            "SERVICE_CONTROL_POLICY"
        });
        if enabled == Collected::Present(false) {
            return Ok(None);
        }
        let path = match org.path_to_root(account) {
            Collected::Present(p) => p,
            Collected::Missing => {
                if org.node_by_id(account).is_none() {
                    return Ok(None);
                }
                return Err(FromModelError::Missing(format!(
                    "the organization path of account {acct}"
                )));
            }
        };
        if !org.policies_complete() {
            return Err(FromModelError::Missing(
                "the targets of the organization's policies".into(),
            ));
        }
        let mut levels = Vec::new();
        for node in path.iter().rev() {
            let Some(n) = org.node(*node) else { continue };
            let ids = if rcp { &n.rcps } else { &n.scps };
            let mut level = Vec::new();
            for pid in ids {
                if let Some(p) = org.policies.get(pid.index()) {
                    level.extend(self.pref(p.document));
                }
            }
            levels.push(level);
        }
        if rcp && levels.iter().all(|l| l.is_empty()) {
            return Ok(None);
        }
        Ok(Some(OrgPolicies {
            levels,
            management_account: org.management_account == account,
        }))
    }

    /// The identity side of a user or role of the export.
    pub fn identity(&self, who: PrincipalRef) -> Result<IdentityInputs<'_>, FromModelError> {
        let mut policies = Vec::new();
        for ip in self.model.identity_policies(who) {
            match ip.policy {
                Collected::Present(p) => policies.extend(self.pref(p)),
                Collected::Missing => {
                    return Err(FromModelError::Missing(format!(
                        "an identity policy ({:?})",
                        ip.source
                    )))
                }
            }
        }
        let permissions_boundary = match self.model.boundary(who) {
            None => None,
            Some(Collected::Present(p)) => self.pref(p),
            Some(Collected::Missing) => {
                return Err(FromModelError::Missing("the permissions boundary".into()))
            }
        };
        let account = match who {
            PrincipalRef::User(u) => self.model.users.get(u.index()).map(|u| u.account),
            PrincipalRef::Role(r) => self.model.roles.get(r.index()).map(|r| r.account),
        }
        .ok_or_else(|| FromModelError::NotFound("principal".into()))?;
        Ok(IdentityInputs::Known(IdentityPolicies {
            policies,
            permissions_boundary,
            session_policies: None,
            scps: self.org_levels(account, false)?,
        }))
    }

    /// The concrete request principal for a user or role (a role acts through a session).
    pub fn request_principal(&self, who: PrincipalRef) -> Option<RequestPrincipal> {
        let (arn, account, kind) = match who {
            PrincipalRef::User(u) => {
                let u = self.model.users.get(u.index())?;
                (
                    self.model.str(u.arn).to_string(),
                    u.account,
                    AwsPrincipalKind::User,
                )
            }
            PrincipalRef::Role(r) => {
                let r = self.model.roles.get(r.index())?;
                let role_arn = self.model.str(r.arn).to_string();
                let acct = self.model.str(r.account);
                (
                    format!(
                        "arn:aws:sts::{acct}:assumed-role/{}/leakpath-witness",
                        r.name
                    ),
                    r.account,
                    AwsPrincipalKind::RoleSession { role_arn },
                )
            }
        };
        Some(RequestPrincipal::Aws(AwsPrincipal {
            arn,
            account: self.model.str(account).to_string(),
            kind,
            canonical_user: self
                .model
                .account(account)
                .and_then(|a| a.s3_canonical_id.clone()),
        }))
    }

    /// The inputs of a request on `resource` (an S3 bucket or object ARN, or anything
    /// else), with the given identity side.
    pub fn inputs_for<'s>(
        &'s self,
        identity: IdentityInputs<'s>,
        action: &str,
        resource: &str,
    ) -> Result<AuthzInputs<'s>, FromModelError> {
        let mut inputs = AuthzInputs::identity_only(identity, String::new());
        if let Some(rest) = resource.strip_prefix("arn:aws:s3:::") {
            let (bucket_name, object) = match rest.split_once('/') {
                Some((b, _)) => (b, true),
                None => (rest, false),
            };
            let id = self
                .model
                .bucket_by_name(bucket_name)
                .ok_or_else(|| FromModelError::NotFound(format!("bucket {bucket_name}")))?;
            self.fill_bucket(&mut inputs, id, object, action)?;
        } else if let Some(role) = self.model.role_by_arn(resource) {
            let r = &self.model.roles[role.index()];
            inputs.resource_account = self.model.str(r.account).to_string();
            inputs.resource_policy_mode = ResourcePolicyMode::Required;
            inputs.resource_policy = match r.trust_policy {
                Collected::Present(p) => self.pref(p),
                Collected::Missing => {
                    return Err(FromModelError::Missing(format!(
                        "the trust policy of {resource}"
                    )))
                }
            };
            inputs.rcps = self.org_levels(r.account, true)?;
        } else {
            // Another resource type: its account from the ARN, no resource policy known.
            inputs.resource_account = resource.split(':').nth(4).unwrap_or_default().to_string();
            if let Some(acct) = self.model.sym(&inputs.resource_account) {
                inputs.rcps = self.org_levels(acct, true)?;
            }
        }
        Ok(inputs)
    }

    fn fill_bucket<'s>(
        &'s self,
        inputs: &mut AuthzInputs<'s>,
        id: BucketId,
        object: bool,
        action: &str,
    ) -> Result<(), FromModelError> {
        let m = self.model;
        let b = &m.buckets[id.index()];
        let name = m.str(b.name);
        inputs.resource_account = m.str(b.account).to_string();
        inputs.rcps = self.org_levels(b.account, true)?;
        inputs.resource_policy = match b.policy {
            Collected::Present(Some(p)) => self.pref(p),
            Collected::Present(None) => None,
            Collected::Missing => {
                return Err(FromModelError::Missing(format!(
                    "the bucket policy of {name}"
                )))
            }
        };
        let account_bpa = match m.account(b.account).map(|a| &a.public_access_block) {
            Some(Collected::Present(Some(p))) => convert_bpa(p),
            // Not collected: assume none (the weaker setting keeps the answer sound).
            _ => PublicAccessBlock::default(),
        };
        let bucket_bpa = match &b.public_access_block {
            Collected::Present(Some(p)) => convert_bpa(p),
            _ => PublicAccessBlock::default(),
        };
        let object_ownership = match &b.ownership {
            Collected::Present(Some(model::ObjectOwnership::BucketOwnerEnforced)) => {
                ObjectOwnership::BucketOwnerEnforced
            }
            Collected::Present(Some(model::ObjectOwnership::BucketOwnerPreferred)) => {
                ObjectOwnership::BucketOwnerPreferred
            }
            _ => ObjectOwnership::ObjectWriter,
        };
        let bucket_acl = match &b.acl {
            Collected::Present(acl) => acl.grants.iter().filter_map(convert_grant).collect(),
            Collected::Missing if object_ownership == ObjectOwnership::BucketOwnerEnforced => {
                Vec::new()
            }
            Collected::Missing => {
                return Err(FromModelError::Missing(format!("the ACL of {name}")))
            }
        };
        inputs.s3 = Some(S3Inputs {
            bucket_acl,
            object_acl: Vec::new(),
            object_ownership,
            public_access_block: PublicAccessBlock::merged(account_bpa, bucket_bpa),
        });
        // SSE-KMS: the key must let the requester decrypt (object reads only). No key id:
        // the AWS managed key aws/s3, which only the bucket's account uses, through S3; a
        // key that cannot be used decrypts nothing.
        if object && crate::eval::kms::kms_action_for(action).is_some() {
            if let Some(k) = self.managed_keys.get(&id.index()) {
                inputs.kms = Some(managed_key_inputs(k));
            } else if let Some(k) = m.bucket_kms_key(id) {
                let key_policy = if k.unusable() {
                    Some(PolicyRef {
                        label: UNUSABLE_KEY_LABEL,
                        doc: &self.unusable_key_policy,
                    })
                } else {
                    match k.policy {
                        Collected::Present(p) => self.pref(p),
                        Collected::Missing => None,
                    }
                };
                if let Some(pr) = key_policy {
                    inputs.kms = Some(KmsKeyInputs {
                        key_arn: m.str(k.arn).to_string(),
                        key_account: m.str(k.account).to_string(),
                        key_policy: pr,
                        rcps: self.org_levels(k.account, true)?,
                        via_service: None,
                    });
                }
            }
        }
        Ok(())
    }
}

/// Evidence label of the empty policy a disabled or pending-deletion key stands with.
pub const UNUSABLE_KEY_LABEL: &str = "leakpath:kms-key-disabled-or-pending-deletion";

/// The KMS inputs of the AWS managed key `aws/s3` (RCPs never apply to AWS managed keys).
pub fn managed_key_inputs(k: &model::ManagedKey) -> KmsKeyInputs<'_> {
    KmsKeyInputs {
        key_arn: k.arn.clone(),
        key_account: k.account.clone(),
        key_policy: PolicyRef {
            label: &k.label,
            doc: &k.policy,
        },
        rcps: None,
        via_service: Some(k.via_service.clone()),
    }
}

fn convert_bpa(p: &model::PublicAccessBlock) -> PublicAccessBlock {
    PublicAccessBlock {
        block_public_acls: p.block_public_acls,
        ignore_public_acls: p.ignore_public_acls,
        block_public_policy: p.block_public_policy,
        restrict_public_buckets: p.restrict_public_buckets,
    }
}

fn convert_grant(g: &model::AclGrant) -> Option<AclGrant> {
    let grantee = match &g.grantee {
        Grantee::CanonicalUser { id, .. } => AclGrantee::CanonicalUser(id.clone()),
        Grantee::Group { uri } if uri == Grantee::ALL_USERS => AclGrantee::AllUsers,
        Grantee::Group { uri } if uri == Grantee::AUTHENTICATED_USERS => {
            AclGrantee::AuthenticatedUsers
        }
        Grantee::Group { uri } if uri == Grantee::LOG_DELIVERY => AclGrantee::LogDelivery,
        _ => return None,
    };
    let permission = match g.permission {
        model::AclPermission::FullControl => AclPermission::FullControl,
        model::AclPermission::Read => AclPermission::Read,
        model::AclPermission::Write => AclPermission::Write,
        model::AclPermission::ReadAcp => AclPermission::ReadAcp,
        model::AclPermission::WriteAcp => AclPermission::WriteAcp,
        model::AclPermission::Other(_) => return None,
    };
    Some(AclGrant {
        grantee,
        permission,
    })
}

/// Who a `can` question is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalSpec {
    /// The unauthenticated internet requester.
    Anonymous,
    /// Any principal of this account (its users, roles and root when the export holds its
    /// IAM; any identity at all otherwise).
    Account(String),
    /// One principal by ARN (user, role, assumed-role session or account root).
    Arn(String),
}

impl PrincipalSpec {
    /// Reads `anonymous`, a 12-digit account id, or an ARN.
    pub fn parse(s: &str) -> Option<PrincipalSpec> {
        if s.eq_ignore_ascii_case("anonymous") || s == "*" {
            Some(PrincipalSpec::Anonymous)
        } else if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
            Some(PrincipalSpec::Account(s.to_string()))
        } else if s.starts_with("arn:") && s.split(':').count() >= 6 {
            Some(PrincipalSpec::Arn(s.to_string()))
        } else {
            None
        }
    }
}

use super::question::{Answer, KeyShape, PrincipalShape, Question, RequestShape, StrShape};
use super::solver::SolverError;
use crate::eval::ContextValue;

/// Answers "can `who` perform `action` on `resource`" over the model: one question per
/// concrete principal the spec stands for (the first allowed wins; any unknown makes the
/// answer unknown). `context` fixes condition keys; every other key is free.
pub fn ask(
    view: &ModelView<'_>,
    who: &PrincipalSpec,
    action: &str,
    resource: &str,
    context: &[(String, String)],
) -> Result<Answer, SolverError> {
    let resource_shape = if resource.contains(['*', '?']) {
        StrShape::Matching(resource.to_string())
    } else {
        StrShape::Exact(resource.to_string())
    };
    // The resource part of a pattern names the bucket; inputs come from its concrete prefix.
    let concrete_resource: String = resource
        .split(['*', '?'])
        .next()
        .unwrap_or(resource)
        .to_string();
    let with_context = |mut shape: RequestShape| {
        let mut grouped: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for (k, v) in context {
            grouped
                .entry(k.to_ascii_lowercase())
                .or_default()
                .push(v.clone());
        }
        for (k, mut vs) in grouped {
            let v = if vs.len() == 1 {
                ContextValue::Single(vs.remove(0))
            } else {
                ContextValue::Multi(vs)
            };
            shape = shape.with_key(&k, KeyShape::Fixed(v));
        }
        shape
    };
    let action_shape = StrShape::Exact(action.to_string());
    let m = view.model;
    let mut answers = Vec::new();
    // `aws:userid` of an exported user (its unique id) or role session
    // (`ROLEID:leakpath-witness`, the session `request_principal` names), when the export
    // has the unique id; other principals' userids are derived by eval or free.
    let userid = |p: PrincipalRef| principal_userid(m, p, "leakpath-witness");
    // The endpoints and VPCs the export holds: an outsider's endpoint is none of them.
    let mut held_vpces: Vec<String> = m
        .vpc_endpoints
        .iter()
        .map(|e| m.str(e.id).to_string())
        .collect();
    let mut held_vpcs: Vec<String> = m
        .vpcs
        .iter()
        .map(|v| m.str(v.id).to_string())
        .chain(
            m.vpc_endpoints
                .iter()
                .filter_map(|e| e.vpc.map(|v| m.str(v).to_string())),
        )
        .collect();
    held_vpces.sort();
    held_vpces.dedup();
    held_vpcs.sort();
    held_vpcs.dedup();
    let ask_one = |identity: Result<IdentityInputs<'_>, FromModelError>,
                   principal: PrincipalShape,
                   userid: Option<String>|
     -> Result<Answer, SolverError> {
        let identity = match identity {
            Ok(i) => i,
            Err(e) => return Ok(Answer::Unknown(e.to_string())),
        };
        let inputs = match view.inputs_for(identity, action, &concrete_resource) {
            Ok(i) => i,
            Err(e) => return Ok(Answer::Unknown(e.to_string())),
        };
        // The model binds the organization a principal belongs to: a member account's
        // principals carry our org id, any other account's principals never do (issue 3's
        // "who controls which key"). A value the user gave with --context wins.
        let principal_account: Option<String> = match &principal {
            PrincipalShape::Exact(RequestPrincipal::Aws(p)) => Some(p.account.clone()),
            PrincipalShape::AnyOfAccount(a) => Some(a.clone()),
            PrincipalShape::AnyIdentityOfAccount { account, .. } => Some(account.clone()),
            _ => None,
        };
        let org_binding = match (m.organization.present(), principal_account) {
            (Some(org), Some(acct)) => {
                let member = m.sym(&acct).is_some_and(|s| {
                    org.nodes
                        .iter()
                        .any(|n| n.id == s && n.kind == model::OrgNodeKind::Account)
                });
                Some(if member {
                    KeyShape::Fixed(ContextValue::Single(org.id.clone()))
                } else {
                    KeyShape::NoneOf(vec![org.id.clone()].into())
                })
            }
            _ => None,
        };
        let mut shape = match &principal {
            PrincipalShape::Exact(RequestPrincipal::Anonymous) => {
                RequestShape::anonymous(action_shape.clone(), resource_shape.clone())
            }
            _ => RequestShape::new(principal, action_shape.clone(), resource_shape.clone()),
        };
        if let Some(id) = userid {
            shape = shape.with_key("aws:userid", KeyShape::Fixed(ContextValue::Single(id)));
        }
        let user_gave_org = context
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("aws:PrincipalOrgID"));
        if let (Some(binding), false) = (org_binding, user_gave_org) {
            shape = shape.with_key("aws:PrincipalOrgID", binding);
        }
        let anonymous = matches!(
            shape.principal,
            PrincipalShape::Exact(RequestPrincipal::Anonymous)
        );
        let q = Question {
            inputs,
            shape: with_context(shape),
        };
        let direct = super::question::check(&q)?;
        if !anonymous || direct.is_allowed() {
            return Ok(direct);
        }
        // An unsigned request may also come through a VPC endpoint of the requester's own
        // (anyone can create one): `aws:SourceVpce`/`aws:SourceVpc` none of the export's,
        // `aws:VpcSourceIp` set, `aws:SourceIp` left out; its policy is the requester's.
        // (Principals' questions leave the network keys free.)
        let mut through = q.shape.clone();
        for (key, value) in [
            (
                "aws:SourceVpce",
                KeyShape::NoneOf(held_vpces.clone().into()),
            ),
            ("aws:SourceVpc", KeyShape::NoneOf(held_vpcs.clone().into())),
            ("aws:VpcSourceIp", KeyShape::AnyPresent),
            ("aws:SourceIp", KeyShape::Absent),
        ] {
            if !context.iter().any(|(k, _)| k.eq_ignore_ascii_case(key)) {
                through = through.with_key(key, value);
            }
        }
        let foreign = super::question::check(&Question {
            inputs: q.inputs,
            shape: through,
        })?;
        Ok(match (direct, foreign) {
            (_, a @ Answer::Allowed(_)) => a,
            (a @ Answer::Unknown(_), _) | (_, a @ Answer::Unknown(_)) => a,
            (denied, _) => denied,
        })
    };
    match who {
        PrincipalSpec::Anonymous => answers.push(ask_one(
            Ok(IdentityInputs::Unconstrained),
            PrincipalShape::Exact(RequestPrincipal::Anonymous),
            None,
        )?),
        PrincipalSpec::Account(acct) => {
            let exported = m
                .sym(acct)
                .and_then(|s| m.account(s))
                .is_some_and(|a| a.iam_collected);
            if exported {
                let acct_sym = m.sym(acct);
                let root_identity = || -> Result<IdentityInputs<'_>, FromModelError> {
                    Ok(IdentityInputs::Known(IdentityPolicies {
                        policies: Vec::new(),
                        permissions_boundary: None,
                        session_policies: None,
                        scps: match acct_sym {
                            Some(s) => view.org_levels(s, false)?,
                            None => None,
                        },
                    }))
                };
                answers.push(ask_one(
                    root_identity(),
                    PrincipalShape::Exact(RequestPrincipal::Aws(AwsPrincipal {
                        arn: format!("arn:aws:iam::{acct}:root"),
                        account: acct.clone(),
                        kind: AwsPrincipalKind::Root,
                        canonical_user: acct_sym
                            .and_then(|s| m.account(s))
                            .and_then(|a| a.s3_canonical_id.clone()),
                    })),
                    None,
                )?);
                let mut who_list: Vec<PrincipalRef> = Vec::new();
                for (i, u) in m.users.iter().enumerate() {
                    if m.str(u.account) == acct {
                        who_list.push(PrincipalRef::User(model::UserId(i as u32)));
                    }
                }
                for (i, r) in m.roles.iter().enumerate() {
                    if m.str(r.account) == acct {
                        who_list.push(PrincipalRef::Role(model::RoleId(i as u32)));
                    }
                }
                for p in who_list {
                    if answers.iter().any(Answer::is_allowed) {
                        break;
                    }
                    if let Some(rp) = view.request_principal(p) {
                        answers.push(ask_one(
                            view.identity(p),
                            PrincipalShape::Exact(rp),
                            userid(p),
                        )?);
                    }
                }
            } else {
                answers.push(ask_one(
                    Ok(IdentityInputs::Unconstrained),
                    PrincipalShape::AnyOfAccount(acct.clone()),
                    None,
                )?);
            }
        }
        PrincipalSpec::Arn(arn) => {
            let known = m
                .user_by_arn(arn)
                .map(PrincipalRef::User)
                .or_else(|| m.role_by_arn(arn).map(PrincipalRef::Role));
            match known {
                Some(p) => match view.request_principal(p) {
                    Some(rp) => answers.push(ask_one(
                        view.identity(p),
                        PrincipalShape::Exact(rp),
                        userid(p),
                    )?),
                    None => return Err(SolverError::BadQuestion(format!("principal {arn}"))),
                },
                None => {
                    let rp = principal_from_arn(arn).ok_or_else(|| {
                        SolverError::BadQuestion(format!("{arn} is not a principal ARN"))
                    })?;
                    answers.push(ask_one(
                        Ok(IdentityInputs::Unconstrained),
                        PrincipalShape::Exact(rp),
                        None,
                    )?)
                }
            }
        }
    }
    let mut denied = None;
    let mut unknown = None;
    for a in answers {
        match a {
            Answer::Allowed(_) => return Ok(a),
            Answer::Denied(_) => {
                denied.get_or_insert(a);
            }
            Answer::Unknown(_) => {
                unknown.get_or_insert(a);
            }
        }
    }
    Ok(unknown
        .or(denied)
        .unwrap_or_else(|| Answer::Unknown("no principal to ask about".into())))
}

/// `aws:userid` of a user's requests (its unique id) or of a role session named `session`
/// (`ROLEID:session`), when the export has the unique id.
pub fn principal_userid(model: &Model, p: PrincipalRef, session: &str) -> Option<String> {
    match p {
        PrincipalRef::User(u) => model.users.get(u.index())?.unique_id.clone(),
        PrincipalRef::Role(r) => model
            .roles
            .get(r.index())?
            .unique_id
            .as_ref()
            .map(|id| format!("{id}:{session}")),
    }
}

/// A principal outside the export, from its ARN alone.
pub fn principal_from_arn(arn: &str) -> Option<RequestPrincipal> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let (account, resource) = (*parts.get(4)?, *parts.get(5)?);
    let kind = if resource == "root" {
        AwsPrincipalKind::Root
    } else if resource.starts_with("user/") {
        AwsPrincipalKind::User
    } else if let Some(rest) = resource.strip_prefix("role/") {
        let name = rest.rsplit('/').next().unwrap_or(rest);
        return Some(RequestPrincipal::Aws(AwsPrincipal {
            arn: format!("arn:aws:sts::{account}:assumed-role/{name}/leakpath-witness"),
            account: account.to_string(),
            kind: AwsPrincipalKind::RoleSession {
                role_arn: arn.to_string(),
            },
            canonical_user: None,
        }));
    } else if let Some(rest) = resource.strip_prefix("assumed-role/") {
        let role = rest.split('/').next().unwrap_or(rest);
        AwsPrincipalKind::RoleSession {
            role_arn: format!("arn:aws:iam::{account}:role/{role}"),
        }
    } else {
        return None;
    };
    Some(RequestPrincipal::Aws(AwsPrincipal {
        arn: arn.to_string(),
        account: account.to_string(),
        kind,
        canonical_user: None,
    }))
}
