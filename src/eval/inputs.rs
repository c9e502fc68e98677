//! Everything that bears on one authorization decision (`AuthzInputs`): the principal's
//! identity policies, boundary, session policies and SCPs; the resource's policy, RCPs, S3
//! ACLs and Block Public Access; the KMS key behind an SSE-KMS object; the VPC endpoint
//! policy. The glue from `model` to these inputs lives outside `eval` (routes, `cli can`).

use crate::policy::PolicyDocument;

/// A policy document with the label the caller wants to see in [`StatementRef`]s (an ARN,
/// `file#/json/path`, `scp:p-123`, …).
///
/// [`StatementRef`]: crate::eval::StatementRef
#[derive(Debug, Clone, Copy)]
pub struct PolicyRef<'a> {
    pub label: &'a str,
    pub doc: &'a PolicyDocument,
}

/// All the policies and settings that bear on one request. Borrowed: build one per request
/// (or per request shape) from the model; nothing here is copied.
#[derive(Debug, Clone)]
pub struct AuthzInputs<'a> {
    /// The principal's side. Ignored for anonymous, service and federated (web identity /
    /// SAML) callers, which have no identity policies.
    pub identity: IdentityInputs<'a>,
    /// The account that owns the resource. Decides same-account vs cross-account.
    pub resource_account: String,
    /// The resource's own policy: bucket policy, role trust policy, key policy, queue policy…
    /// `None` = the resource has none.
    pub resource_policy: Option<PolicyRef<'a>>,
    /// Whether the resource policy must allow (role trust policies, KMS key policies) or is
    /// one of two alternative grants (everything else). See [`ResourcePolicyMode`].
    pub resource_policy_mode: ResourcePolicyMode,
    /// RCPs of the resource's account. `None` = no RCPs apply (no organization, RCPs not
    /// enabled, or a service RCPs do not cover).
    pub rcps: Option<OrgPolicies<'a>>,
    /// Set when the request travels through a VPC endpoint: that endpoint's policy must allow
    /// it as well (the default endpoint policy is full access: pass it, or `None` for "no
    /// endpoint on the way").
    pub vpc_endpoint_policy: Option<PolicyRef<'a>>,
    /// S3 bucket settings, for requests on an S3 bucket or object.
    pub s3: Option<S3Inputs>,
    /// The KMS key that encrypts the object, for S3 object requests on SSE-KMS objects: S3
    /// calls KMS on the requester's behalf, and that call must be allowed too.
    pub kms: Option<KmsKeyInputs<'a>>,
}

impl<'a> AuthzInputs<'a> {
    /// A request on a resource with no policy, ACL, key or endpoint of its own (IAM calls,
    /// the steps of an escalation): only the identity side decides.
    pub fn identity_only(identity: IdentityInputs<'a>, resource_account: String) -> Self {
        AuthzInputs {
            identity,
            resource_account,
            resource_policy: None,
            resource_policy_mode: ResourcePolicyMode::Alternative,
            rcps: None,
            vpc_endpoint_policy: None,
            s3: None,
            kms: None,
        }
    }
}

/// How the resource policy combines with the identity side. AWS: "IAM role trust policies and
/// KMS key policies are exceptions … because they must explicitly allow access for
/// principals."
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourcePolicyMode {
    /// Same account: identity side OR resource policy allows. Cross-account: both must.
    Alternative,
    /// The resource policy must always allow (trust policies for `sts:AssumeRole*`, key
    /// policies). When it allows only the account (`arn:aws:iam::A:root` or `A`), it
    /// delegates to the account's IAM policies, which must allow as well.
    Required,
}

/// The principal's identity side.
#[derive(Debug, Clone)]
pub enum IdentityInputs<'a> {
    /// The principal belongs to an account outside the export: its identity policies and
    /// SCPs are unknown and may allow anything, so the identity side allows (the
    /// over-approximation that keeps the analysis sound).
    Unconstrained,
    /// The principal's collected policies.
    Known(IdentityPolicies<'a>),
}

/// The policies attached to the requesting identity.
#[derive(Debug, Clone, Default)]
pub struct IdentityPolicies<'a> {
    /// Inline and managed policies of the user or role, and of the user's groups.
    pub policies: Vec<PolicyRef<'a>>,
    /// The user's or role's permissions boundary, if one is set.
    pub permissions_boundary: Option<PolicyRef<'a>>,
    /// Session policies passed when the session was created (`AssumeRole --policy`,
    /// `--policy-arns`, `GetFederationToken`). `None` = no session policy was passed (no
    /// limit); `Some(vec![])` would deny everything.
    pub session_policies: Option<Vec<PolicyRef<'a>>>,
    /// SCPs of the principal's account. `None` = the account is in no organization.
    pub scps: Option<OrgPolicies<'a>>,
}

/// SCPs or RCPs along the organization path of one account.
#[derive(Debug, Clone, Default)]
pub struct OrgPolicies<'a> {
    /// The policies attached at each level: the root first, then each OU down the path, then
    /// the account itself. Every level must have a policy that allows the request (a level
    /// with no policy allows nothing); a deny at any level wins. Include the AWS-managed
    /// defaults (`FullAWSAccess`, `RCPFullAWSAccess`) where they are attached.
    pub levels: Vec<Vec<PolicyRef<'a>>>,
    /// The account is the organization's management account: SCPs and RCPs do not apply.
    pub management_account: bool,
}

/// S3 bucket settings that bear on requests to the bucket and its objects. The bucket policy
/// itself is `AuthzInputs::resource_policy`; the bucket owner is `resource_account`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct S3Inputs {
    /// Grants of the bucket ACL.
    pub bucket_acl: Vec<AclGrant>,
    /// Grants of the object's ACL, for object requests (empty when unknown or not an object).
    pub object_acl: Vec<AclGrant>,
    /// `BucketOwnerEnforced` disables ACLs altogether.
    pub object_ownership: ObjectOwnership,
    /// Block Public Access, account and bucket settings merged (see
    /// [`PublicAccessBlock::merged`]).
    pub public_access_block: PublicAccessBlock,
}

/// One ACL grant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AclGrant {
    pub grantee: AclGrantee,
    pub permission: AclPermission,
}

/// An ACL grantee.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AclGrantee {
    /// `http://acs.amazonaws.com/groups/global/AllUsers`: everyone, anonymous included.
    AllUsers,
    /// `http://acs.amazonaws.com/groups/global/AuthenticatedUsers`: any signed AWS request,
    /// from any account.
    AuthenticatedUsers,
    /// `http://acs.amazonaws.com/groups/s3/LogDelivery`: the S3 log delivery service.
    LogDelivery,
    /// An account, by its canonical user id.
    CanonicalUser(String),
}

/// An ACL permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AclPermission {
    Read,
    Write,
    ReadAcp,
    WriteAcp,
    FullControl,
}

/// The bucket's Object Ownership setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ObjectOwnership {
    /// ACLs are disabled; only policies grant access.
    BucketOwnerEnforced,
    BucketOwnerPreferred,
    /// The default before April 2023, and what a bucket without ownership controls has.
    #[default]
    ObjectWriter,
}

/// The four Block Public Access settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PublicAccessBlock {
    /// Rejects puts of public ACLs (affects writes of ACLs only, not reads).
    pub block_public_acls: bool,
    /// Public ACL grants (`AllUsers`, `AuthenticatedUsers`) are ignored.
    pub ignore_public_acls: bool,
    /// Rejects puts of public bucket policies (an existing one stays in effect).
    pub block_public_policy: bool,
    /// While the bucket policy is public, only AWS service principals and principals of the
    /// bucket owner's account get access through it.
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// S3 applies the most restrictive combination of the account and bucket settings.
    pub fn merged(account: PublicAccessBlock, bucket: PublicAccessBlock) -> PublicAccessBlock {
        PublicAccessBlock {
            block_public_acls: account.block_public_acls || bucket.block_public_acls,
            ignore_public_acls: account.ignore_public_acls || bucket.ignore_public_acls,
            block_public_policy: account.block_public_policy || bucket.block_public_policy,
            restrict_public_buckets: account.restrict_public_buckets
                || bucket.restrict_public_buckets,
        }
    }
}

/// The customer-managed (or AWS-managed) KMS key behind an SSE-KMS object. S3 calls KMS as the
/// requester (`kms:Decrypt` for reads, `kms:GenerateDataKey` for writes), so the key policy
/// must allow the requester, and where it allows only the account (delegation), the
/// requester's IAM policies must allow the KMS action too.
#[derive(Debug, Clone)]
pub struct KmsKeyInputs<'a> {
    /// `arn:aws:kms:region:account:key/id`.
    pub key_arn: String,
    /// The account that owns the key.
    pub key_account: String,
    /// The key policy (every KMS key has exactly one).
    pub key_policy: PolicyRef<'a>,
    /// RCPs of the key's account. `None` = none apply (RCPs never apply to AWS-managed keys).
    pub rcps: Option<OrgPolicies<'a>>,
    /// `kms:ViaService` for the S3 call, e.g. `s3.us-east-1.amazonaws.com`, when known.
    pub via_service: Option<String>,
}

impl<'a> KmsKeyInputs<'a> {
    /// The inputs of the KMS call S3 makes for a requester with `identity`: the key policy
    /// (which must allow), the key account's RCPs, nothing of the bucket. One definition
    /// for `eval`, the encoding and the per-key refutation (`routes::kms_leg`), which must
    /// ask the very decision the other two make.
    pub fn leg_inputs(&self, identity: IdentityInputs<'a>) -> AuthzInputs<'a> {
        AuthzInputs {
            identity,
            resource_account: self.key_account.clone(),
            resource_policy: Some(self.key_policy),
            resource_policy_mode: ResourcePolicyMode::Required,
            rcps: self.rcps.clone(),
            vpc_endpoint_policy: None,
            s3: None,
            kms: None,
        }
    }
}
