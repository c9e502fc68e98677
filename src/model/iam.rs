//! IAM principals and managed policies, as linked by ingest from
//! `get-account-authorization-details`.

use super::{
    Collected, GroupId, InstanceProfileId, ManagedPolicyId, PolicyId, RoleId, Sym, UserId,
};
use serde::Serialize;

/// A user or a role: the principals that hold identity policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum PrincipalRef {
    User(UserId),
    Role(RoleId),
}

/// A managed policy attached to a principal (or used as its boundary).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachedPolicy {
    pub arn: Sym,
    pub name: String,
    /// `Missing` when the export's managed policy list does not hold this ARN.
    pub policy: Collected<ManagedPolicyId>,
}

/// A user's membership in a group, by name as GAAD lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupMembership {
    pub name: String,
    /// `Missing` when no group of that name is in the user's account's export.
    pub group: Collected<GroupId>,
}

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub arn: Sym,
    pub name: String,
    /// AWS's unique id (`AIDA...`), when given.
    pub unique_id: Option<String>,
    pub path: String,
    pub account: Sym,
    pub inline_policies: Vec<PolicyId>,
    pub attached_policies: Vec<AttachedPolicy>,
    pub groups: Vec<GroupMembership>,
    /// `None` = no permissions boundary.
    pub permissions_boundary: Option<AttachedPolicy>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub arn: Sym,
    pub name: String,
    pub unique_id: Option<String>,
    pub path: String,
    pub account: Sym,
    pub inline_policies: Vec<PolicyId>,
    pub attached_policies: Vec<AttachedPolicy>,
    /// Users of the export that list this group.
    pub members: Vec<UserId>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Role {
    pub arn: Sym,
    pub name: String,
    pub unique_id: Option<String>,
    pub path: String,
    pub account: Sym,
    /// `AssumeRolePolicyDocument`; `Missing` only if the export omitted it.
    pub trust_policy: Collected<PolicyId>,
    pub inline_policies: Vec<PolicyId>,
    pub attached_policies: Vec<AttachedPolicy>,
    pub permissions_boundary: Option<AttachedPolicy>,
    pub instance_profiles: Vec<InstanceProfileId>,
    /// True for service-linked roles (path `/aws-service-role/`), which only their service
    /// can assume whatever the trust policy says.
    pub service_linked: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct InstanceProfile {
    pub arn: Sym,
    pub name: String,
    pub unique_id: Option<String>,
    pub path: String,
    pub account: Sym,
    /// The profile's roles, by ARN; `Missing` for a role not in the export.
    pub roles: Vec<(Sym, Collected<RoleId>)>,
}

/// A managed policy with its default version's document.
#[derive(Debug, Clone, Serialize)]
pub struct ManagedPolicy {
    pub arn: Sym,
    pub name: String,
    pub path: String,
    /// The account whose export listed it (AWS managed policies appear in each account).
    pub account: Sym,
    /// True for `arn:aws:iam::aws:policy/...`.
    pub aws_managed: bool,
    pub default_version_id: Option<String>,
    /// The default version's document; `Missing` when the version list lacks it.
    pub document: Collected<PolicyId>,
    pub attachment_count: Option<u64>,
}

/// One identity policy that applies to a principal (see `Model::identity_policies`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdentityPolicy {
    /// The group it comes through, for users' group policies.
    pub via_group: Option<GroupId>,
    pub source: IdentityPolicySource,
    pub policy: Collected<PolicyId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum IdentityPolicySource {
    Inline,
    /// An attached managed policy, by ARN.
    Managed(Sym),
    /// A group the user is listed in but whose policies were not collected.
    UnknownGroup(String),
}
