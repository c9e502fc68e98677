//! The typed, normalized account model that `ingest` builds and every later stage reads.
//!
//! Layout: one `Model` holds flat arenas (`Vec`s) of every kind of item across all
//! accounts and regions; items refer to each other by typed indices (`RoleId`, `PolicyId`,
//! ...) and carry their account (and region) as interned `Sym`s. Every policy document in
//! the export lives once in `Model::policies` and is referred to by `PolicyId`.
//!
//! "Not collected" is always explicit: `Collected::Missing` means the export does not say,
//! and later stages must treat it as "anything may be there", never as "nothing there".
//! `Collected::Present(None)` (where the type is an `Option`) means "collected, and there
//! is none" (see `ingest` for how a file says that).

pub mod arn;
pub mod coverage;
pub mod iam;
pub mod kms;
pub mod lambda;
pub mod network;
pub mod org;
pub mod s3;
pub mod settings;
pub mod source;
pub mod sym;

pub use arn::{is_account_id, Arn};
pub use coverage::{Coverage, CoverageItem, MissingItem};
pub use iam::*;
pub use kms::*;
pub use lambda::*;
pub use network::*;
pub use org::*;
pub use s3::*;
pub use settings::Settings;
pub use source::{ItemRef, SourceLoc, SourceMap};
pub use sym::{Interner, Sym};

use crate::policy::PolicyDocument;
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;

/// Whether a piece of data was collected. `Missing` = the export does not contain it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Collected<T> {
    Present(T),
    Missing,
}

impl<T> Collected<T> {
    pub fn is_present(&self) -> bool {
        matches!(self, Collected::Present(_))
    }

    pub fn is_missing(&self) -> bool {
        matches!(self, Collected::Missing)
    }

    /// The value when collected.
    pub fn present(&self) -> Option<&T> {
        match self {
            Collected::Present(t) => Some(t),
            Collected::Missing => None,
        }
    }

    pub fn as_ref(&self) -> Collected<&T> {
        match self {
            Collected::Present(t) => Collected::Present(t),
            Collected::Missing => Collected::Missing,
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Collected<U> {
        match self {
            Collected::Present(t) => Collected::Present(f(t)),
            Collected::Missing => Collected::Missing,
        }
    }
}

/// Declares a typed `u32` index into one of the model's arenas.
macro_rules! arena_id {
    ($($(#[$m:meta])* $name:ident;)*) => {$(
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        pub struct $name(pub u32);
        impl $name {
            pub fn index(self) -> usize { self.0 as usize }
        }
    )*};
}

arena_id! {
    /// Index into `Model::policies`.
    PolicyId;
    /// Index into `Model::accounts`.
    AccountId;
    /// Index into `Model::users`.
    UserId;
    /// Index into `Model::groups`.
    GroupId;
    /// Index into `Model::roles`.
    RoleId;
    /// Index into `Model::managed_policies`.
    ManagedPolicyId;
    /// Index into `Model::instance_profiles`.
    InstanceProfileId;
    /// Index into `Model::buckets`.
    BucketId;
    /// Index into `Model::kms_keys`.
    KmsKeyId;
    /// Index into `Model::vpcs`.
    VpcId;
    /// Index into `Model::subnets`.
    SubnetId;
    /// Index into `Model::route_tables`.
    RouteTableId;
    /// Index into `Model::security_groups`.
    SecurityGroupId;
    /// Index into `Model::network_acls`.
    NetworkAclId;
    /// Index into `Model::internet_gateways`.
    InternetGatewayId;
    /// Index into `Model::nat_gateways`.
    NatGatewayId;
    /// Index into `Model::vpc_endpoints`.
    VpcEndpointId;
    /// Index into `Model::instances`.
    InstanceId;
    /// Index into `Model::lambda_functions`.
    LambdaFunctionId;
    /// Index into `Organization::nodes`.
    OrgNodeId;
    /// Index into `Organization::policies`.
    OrgPolicyId;
}

/// What a policy document is, by where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum PolicyKind {
    /// Inline policy of a user, group or role.
    Inline,
    /// Default version of a customer- or AWS-managed policy (identity policy or boundary).
    Managed,
    /// A role's trust policy (`AssumeRolePolicyDocument`).
    Trust,
    /// S3 bucket policy.
    Bucket,
    /// KMS key policy.
    Key,
    /// VPC endpoint policy.
    VpcEndpoint,
    /// Lambda function resource policy.
    Lambda,
    /// Organizations service control policy.
    Scp,
    /// Organizations resource control policy.
    Rcp,
}

/// One parsed policy document with what it belongs to.
#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    pub kind: PolicyKind,
    /// Inline policy name, managed policy name, or `None` where AWS gives none.
    pub name: Option<String>,
    /// The account the document was found in (`None` for org policies of an export without
    /// a management account id).
    pub account: Option<Sym>,
    pub document: PolicyDocument,
}

/// One AWS account: from the organization's account list, from an `accounts/<id>/`
/// folder, or both.
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub id: Sym,
    pub name: Option<String>,
    /// Organizations status (`ACTIVE`, `SUSPENDED`, ...), when listed by the organization.
    pub status: Option<String>,
    /// True when the export holds this account's own data (an `accounts/<id>/` folder or
    /// a single-account export); false for accounts only named by the organization.
    pub exported: bool,
    /// Whether IAM (`get-account-authorization-details`) was collected.
    pub iam_collected: bool,
    /// Whether `s3 list-buckets` was collected (so `buckets` of this account are complete).
    pub buckets_listed: bool,
    /// Account-level S3 Block Public Access (`s3control get-public-access-block`).
    pub public_access_block: Collected<Option<PublicAccessBlock>>,
    /// The account's S3 canonical user id (`list-buckets` `Owner.ID`), which ACL grants
    /// to the owner name.
    pub s3_canonical_id: Option<String>,
    /// Regions with any collected regional data (KMS, EC2, Lambda), sorted.
    pub regions: Vec<Sym>,
}

/// Which input layout an export used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ExportLayout {
    /// `organizations/` and/or `accounts/<id>/` (export-layout.md).
    Native,
    /// One account's `accounts/<id>/` contents at the root.
    NativeSingleAccount,
    /// CloudMapper's `<region>/<svc>-<call>.json`.
    CloudMapper,
    /// A bare `get-account-authorization-details` file.
    GaadFile,
}

/// The whole model.
#[derive(Debug, Clone)]
pub struct Model {
    /// The export root (absolute or as given); sample paths are relative to it.
    pub root: PathBuf,
    pub layout: ExportLayout,
    pub interner: Interner,
    /// `Missing` when the export has no `organizations/` data.
    pub organization: Collected<Organization>,
    pub accounts: Vec<Account>,
    pub policies: Vec<Policy>,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub roles: Vec<Role>,
    pub managed_policies: Vec<ManagedPolicy>,
    pub instance_profiles: Vec<InstanceProfile>,
    pub buckets: Vec<Bucket>,
    pub kms_keys: Vec<KmsKey>,
    pub vpcs: Vec<Vpc>,
    pub subnets: Vec<Subnet>,
    pub route_tables: Vec<RouteTable>,
    pub security_groups: Vec<SecurityGroup>,
    pub network_acls: Vec<NetworkAcl>,
    pub internet_gateways: Vec<InternetGateway>,
    pub nat_gateways: Vec<NatGateway>,
    pub vpc_endpoints: Vec<VpcEndpoint>,
    pub instances: Vec<Instance>,
    pub lambda_functions: Vec<LambdaFunction>,
    pub settings: Settings,
    pub index: ModelIndex,
}

/// Lookups by interned ARN / id, filled by `Model::rebuild_index` (ingest calls it last).
#[derive(Debug, Clone, Default)]
pub struct ModelIndex {
    pub accounts: HashMap<Sym, AccountId>,
    pub users: HashMap<Sym, UserId>,
    pub groups: HashMap<Sym, GroupId>,
    pub roles: HashMap<Sym, RoleId>,
    /// (account, policy ARN) → managed policy: AWS managed policies (`arn:aws:iam::aws:...`)
    /// appear once per account export.
    pub managed_policies: HashMap<(Sym, Sym), ManagedPolicyId>,
    pub instance_profiles: HashMap<Sym, InstanceProfileId>,
    /// Bucket name → bucket (names are global in AWS).
    pub buckets: HashMap<Sym, BucketId>,
    /// Key ARN → key.
    pub kms_keys: HashMap<Sym, KmsKeyId>,
    pub vpcs: HashMap<Sym, VpcId>,
    pub subnets: HashMap<Sym, SubnetId>,
    pub route_tables: HashMap<Sym, RouteTableId>,
    pub security_groups: HashMap<Sym, SecurityGroupId>,
    pub network_acls: HashMap<Sym, NetworkAclId>,
    pub internet_gateways: HashMap<Sym, InternetGatewayId>,
    pub nat_gateways: HashMap<Sym, NatGatewayId>,
    pub vpc_endpoints: HashMap<Sym, VpcEndpointId>,
    pub instances: HashMap<Sym, InstanceId>,
    /// Function ARN → function.
    pub lambda_functions: HashMap<Sym, LambdaFunctionId>,
}

fn index_of<T, I: Copy>(
    items: &[T],
    key: impl Fn(&T) -> Sym,
    make: impl Fn(u32) -> I,
) -> HashMap<Sym, I> {
    items
        .iter()
        .enumerate()
        .map(|(i, t)| (key(t), make(i as u32)))
        .collect()
}

impl Model {
    /// An empty model for the export at `root`.
    pub fn new(root: PathBuf, layout: ExportLayout) -> Model {
        Model {
            root,
            layout,
            interner: Interner::new(),
            organization: Collected::Missing,
            accounts: Vec::new(),
            policies: Vec::new(),
            users: Vec::new(),
            groups: Vec::new(),
            roles: Vec::new(),
            managed_policies: Vec::new(),
            instance_profiles: Vec::new(),
            buckets: Vec::new(),
            kms_keys: Vec::new(),
            vpcs: Vec::new(),
            subnets: Vec::new(),
            route_tables: Vec::new(),
            security_groups: Vec::new(),
            network_acls: Vec::new(),
            internet_gateways: Vec::new(),
            nat_gateways: Vec::new(),
            vpc_endpoints: Vec::new(),
            instances: Vec::new(),
            lambda_functions: Vec::new(),
            settings: Settings::default(),
            index: ModelIndex::default(),
        }
    }

    /// The string behind a symbol.
    pub fn str(&self, s: Sym) -> &str {
        self.interner.resolve(s)
    }

    /// The symbol of a string, if the model holds it.
    pub fn sym(&self, s: &str) -> Option<Sym> {
        self.interner.get(s)
    }

    pub fn policy(&self, id: PolicyId) -> Option<&Policy> {
        self.policies.get(id.index())
    }

    pub fn account(&self, id: Sym) -> Option<&Account> {
        self.index
            .accounts
            .get(&id)
            .and_then(|a| self.accounts.get(a.index()))
    }

    /// The KMS key of bucket `b`'s default encryption (`SSE-KMS`), when the export holds it
    /// (named by ARN, key id, or an ARN ending in `/<id>`).
    pub fn bucket_kms_key(&self, b: BucketId) -> Option<&KmsKey> {
        let bucket = self.buckets.get(b.index())?;
        let Collected::Present(Some(enc)) = &bucket.encryption else {
            return None;
        };
        let key_ref = enc.kms_key_id()?;
        self.kms_keys.iter().find(|k| {
            let arn = self.str(k.arn);
            arn == key_ref
                || k.key_id == key_ref
                || arn
                    .strip_suffix(key_ref)
                    .is_some_and(|head| head.ends_with('/'))
        })
    }

    pub fn role_by_arn(&self, arn: &str) -> Option<RoleId> {
        self.sym(arn)
            .and_then(|s| self.index.roles.get(&s).copied())
    }

    pub fn user_by_arn(&self, arn: &str) -> Option<UserId> {
        self.sym(arn)
            .and_then(|s| self.index.users.get(&s).copied())
    }

    pub fn bucket_by_name(&self, name: &str) -> Option<BucketId> {
        self.sym(name)
            .and_then(|s| self.index.buckets.get(&s).copied())
    }

    /// Recomputes `index` from the arenas.
    pub fn rebuild_index(&mut self) {
        self.index = ModelIndex {
            accounts: index_of(&self.accounts, |a| a.id, AccountId),
            users: index_of(&self.users, |u| u.arn, UserId),
            groups: index_of(&self.groups, |g| g.arn, GroupId),
            roles: index_of(&self.roles, |r| r.arn, RoleId),
            managed_policies: self
                .managed_policies
                .iter()
                .enumerate()
                .map(|(i, p)| ((p.account, p.arn), ManagedPolicyId(i as u32)))
                .collect(),
            instance_profiles: index_of(&self.instance_profiles, |p| p.arn, InstanceProfileId),
            buckets: index_of(&self.buckets, |b| b.name, BucketId),
            kms_keys: index_of(&self.kms_keys, |k| k.arn, KmsKeyId),
            vpcs: index_of(&self.vpcs, |v| v.id, VpcId),
            subnets: index_of(&self.subnets, |v| v.id, SubnetId),
            route_tables: index_of(&self.route_tables, |v| v.id, RouteTableId),
            security_groups: index_of(&self.security_groups, |v| v.id, SecurityGroupId),
            network_acls: index_of(&self.network_acls, |v| v.id, NetworkAclId),
            internet_gateways: index_of(&self.internet_gateways, |v| v.id, InternetGatewayId),
            nat_gateways: index_of(&self.nat_gateways, |v| v.id, NatGatewayId),
            vpc_endpoints: index_of(&self.vpc_endpoints, |v| v.id, VpcEndpointId),
            instances: index_of(&self.instances, |v| v.id, InstanceId),
            lambda_functions: index_of(&self.lambda_functions, |f| f.arn, LambdaFunctionId),
        };
    }

    /// Every identity policy that applies to a principal, with where it comes from: its
    /// inline policies, its attached managed policies, and (for users) those of its groups.
    /// A managed policy whose document was not collected, or a group that is not in the
    /// export, appears as `Collected::Missing` so callers can answer "unknown".
    pub fn identity_policies(&self, principal: PrincipalRef) -> Vec<IdentityPolicy> {
        let mut out = Vec::new();
        let push_own = |out: &mut Vec<IdentityPolicy>,
                        inline: &[PolicyId],
                        attached: &[AttachedPolicy],
                        via: Option<GroupId>| {
            for p in inline {
                out.push(IdentityPolicy {
                    via_group: via,
                    source: IdentityPolicySource::Inline,
                    policy: Collected::Present(*p),
                });
            }
            for a in attached {
                out.push(IdentityPolicy {
                    via_group: via,
                    source: IdentityPolicySource::Managed(a.arn),
                    policy: self.managed_document(a),
                });
            }
        };
        match principal {
            PrincipalRef::User(u) => {
                let Some(user) = self.users.get(u.index()) else {
                    return out;
                };
                push_own(
                    &mut out,
                    &user.inline_policies,
                    &user.attached_policies,
                    None,
                );
                for m in &user.groups {
                    match m.group {
                        Collected::Present(g) => {
                            if let Some(group) = self.groups.get(g.index()) {
                                push_own(
                                    &mut out,
                                    &group.inline_policies,
                                    &group.attached_policies,
                                    Some(g),
                                );
                            }
                        }
                        Collected::Missing => out.push(IdentityPolicy {
                            via_group: None,
                            source: IdentityPolicySource::UnknownGroup(m.name.clone()),
                            policy: Collected::Missing,
                        }),
                    }
                }
            }
            PrincipalRef::Role(r) => {
                if let Some(role) = self.roles.get(r.index()) {
                    push_own(
                        &mut out,
                        &role.inline_policies,
                        &role.attached_policies,
                        None,
                    );
                }
            }
        }
        out
    }

    /// The document of an attached managed policy (its default version), or `Missing` when
    /// the export does not hold it.
    pub fn managed_document(&self, a: &AttachedPolicy) -> Collected<PolicyId> {
        match a.policy {
            Collected::Present(m) => match self.managed_policies.get(m.index()) {
                Some(mp) => mp.document.clone(),
                None => Collected::Missing,
            },
            Collected::Missing => Collected::Missing,
        }
    }

    /// A principal's permissions boundary: `None` = no boundary set; `Some(Missing)` = a
    /// boundary is set but its document was not collected.
    pub fn boundary(&self, principal: PrincipalRef) -> Option<Collected<PolicyId>> {
        let b = match principal {
            PrincipalRef::User(u) => self.users.get(u.index())?.permissions_boundary.as_ref(),
            PrincipalRef::Role(r) => self.roles.get(r.index())?.permissions_boundary.as_ref(),
        }?;
        Some(self.managed_document(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(c: Collected<u8>, expect: (bool, Option<u8>)) {
        assert_eq!((c.is_present(), c.present().copied()), expect);
        assert_eq!(c.is_missing(), !expect.0);
    }

    #[test]
    fn collected_accessors() {
        check(Collected::Present(3), (true, Some(3)));
        check(Collected::Missing, (false, None));
        assert_eq!(Collected::Present(2).map(|x| x * 2), Collected::Present(4));
    }
}
