//! An adversarial audit of the scan against AWS's documented semantics: one small export
//! per scenario (`tests/fixtures/semantics/<scenario>/`, written by `make_fixtures.py`),
//! each an exposure or its negative twin with one blocker, the expected routes taken from
//! the AWS documentation cited next to each case. Cases where the scan disagrees with AWS
//! are kept, ignored with the reason, one per test so each can be un-ignored on its own.

#[path = "common/route_scenarios.rs"]
mod route_scenarios;
use route_scenarios::Expected;

const DATA: &str = "arn:aws:s3:::data";
const FOREIGN: &str = "444455556666";

/// The scan of `fixture` finds exactly `expected` (`route_scenarios::check_in`).
fn check(fixture: &str, expected: &[Expected<'_>]) {
    route_scenarios::check_in("semantics", fixture, expected)
}

const PUBLIC_GET: Expected<'static> = (DATA, "public", "*", &["s3:GetObject"]);
const PUBLIC_LIST: Expected<'static> = (DATA, "public", "*", &["s3:ListBucket"]);
const PARTNER_GET: Expected<'static> = (DATA, "cross-account", FOREIGN, &["s3:GetObject"]);
const EGRESS: Expected<'static> = (DATA, "egress", "*", &["s3:PutObject", "s3:GetObject"]);
const INSTANCE: Expected<'static> = (
    DATA,
    "internet-compute",
    "internet",
    &["network:tcp/443", "ec2:InstanceProfile", "s3:GetObject"],
);

// ---- public ------------------------------------------------------------------------------

/// S3 User Guide, "Access control list (ACL) overview" (Amazon S3 predefined groups):
/// `AuthenticatedUsers` is every AWS account, so a READ grant to it is public like
/// `AllUsers`. "Blocking public access to your Amazon S3 storage": `BlockPublicAcls` only
/// rejects new public ACLs (existing ones keep working), `IgnorePublicAcls` at the account
/// level (s3control) ignores them in every bucket. "Controlling ownership of objects and
/// disabling ACLs": `BucketOwnerEnforced` disables ACLs.
#[test]
fn public_acl_grantees_block_public_access_and_ownership() {
    check("acl_authenticated_users", &[PUBLIC_LIST]);
    check("acl_block_public_acls_only", &[PUBLIC_LIST]);
    check("acl_account_ignore_public_acls", &[]);
    check("acl_owner_enforced", &[]);
}

/// IAM User Guide, "AWS JSON policy elements: Principal": `{"AWS": "*"}` is everyone,
/// anonymous users included. S3 User Guide, Block Public Access, "The meaning of public":
/// `aws:SecureTransport` and an `aws:SourceIp` of 0.0.0.0/0 pin nothing; a Deny of plain
/// HTTP leaves HTTPS reads public; `BlockPublicPolicy` only rejects new public policies.
#[test]
fn public_policies_that_stay_public() {
    check("policy_aws_star", &[PUBLIC_GET]);
    check("policy_secure_transport", &[PUBLIC_GET]);
    check("policy_source_ip_any", &[PUBLIC_GET]);
    check("policy_deny_insecure_transport", &[PUBLIC_GET]);
    check("policy_block_public_policy_only", &[PUBLIC_GET]);
}

/// More grants that stay public. S3 BPA "The meaning of public": a condition value with a
/// wildcard (`aws:SourceVpce` `vpce-*`, `aws:PrincipalArn` of any account) pins nothing;
/// "everyone but our account" is everyone else. IAM User Guide, "IAM JSON policy elements:
/// NotAction" and "Action" (action names are case-insensitive). A key policy allowing
/// `kms:Decrypt` to `{"AWS": "*"}` lets any AWS account read SSE-KMS objects.
#[test]
fn public_wildcards_negations_and_open_keys() {
    check("policy_source_vpce_wildcard", &[PUBLIC_GET]);
    check("policy_not_our_account", &[PUBLIC_GET]);
    check("policy_principal_arn_any_account", &[PUBLIC_GET]);
    check("policy_notaction", &[PUBLIC_GET]);
    check("policy_action_case", &[PUBLIC_GET]);
    check("policy_public_sse_kms_open_key", &[PUBLIC_GET]);
}

/// IAM User Guide, "IAM JSON policy elements: Condition operators": `...IfExists` is true
/// when the key is absent (requests from the internet carry no `aws:SourceVpce`); `Null`
/// true means absent; `ForAllValues` is true when the request has no values for the key
/// (anonymous callers carry no `aws:PrincipalOrgPaths`), `ForAnyValue` is then false.
/// `aws:CurrentTime` before 2099 holds now; an Allow with NotPrincipal grants everyone but
/// the listed principal ("IAM JSON policy elements: NotPrincipal").
#[test]
fn public_condition_operator_traps() {
    check("policy_source_vpce_ifexists", &[PUBLIC_GET]);
    check("policy_null_no_endpoint", &[PUBLIC_GET]);
    check("policy_forallvalues_org_paths", &[PUBLIC_GET]);
    check("policy_foranyvalue_org_paths", &[]);
    check("policy_until_2099", &[PUBLIC_GET]);
    check("policy_expired", &[]);
    check("policy_allow_notprincipal", &[PUBLIC_GET]);
}

/// Condition keys that pin nothing an outsider cannot meet: `aws:PrincipalIsAWSService`
/// true admits services only (IAM User Guide, global condition keys); anyone can tag a
/// principal of their own account (`aws:PrincipalTag`); `aws:ResourceAccount` of the
/// bucket itself always holds; `aws:SourceIp` pinned to a network leakpath.toml trusts is
/// inside the zone.
#[test]
fn public_service_tag_and_trusted_network_keys() {
    check("policy_principal_is_aws_service", &[]);
    check("policy_principal_tag", &[PUBLIC_GET]);
    check("policy_resource_account_self", &[PUBLIC_GET]);
    check("policy_source_ip_trusted_cidr", &[]);
}

/// IAM User Guide, global condition keys: `aws:SourceAccount` is present only when an AWS
/// service makes the request on a resource's behalf; a caller signing its own request
/// never carries it, so `Principal: *` with `aws:SourceAccount` = our account admits only
/// services acting for our resources (S3 BPA "The meaning of public" lists it as a pin).
#[test]
fn public_pinned_by_source_account() {
    check("policy_source_account", &[]);
}

/// S3 API Reference, PublicAccessBlockConfiguration ("The meaning of public"): a fixed
/// `aws:SourceArn` is a pin; the key is present only when a service acts for a resource
/// (IAM User Guide, global condition keys), never on an outsider's own request.
#[test]
fn public_pinned_by_source_arn() {
    check("policy_source_arn", &[]);
}

/// IAM User Guide, global condition keys: `aws:PrincipalServiceName` is present only when
/// an AWS service principal makes the request; an outsider's request never carries it.
#[test]
fn public_pinned_by_principal_service_name() {
    check("policy_principal_service_name", &[]);
}

/// IAM User Guide, global condition keys: `aws:userid` is the caller's unique id (for an
/// IAM user its `AIDA...` id, for anonymous callers `anonymous`). A grant pinned to our
/// user's id admits that user only.
#[test]
fn public_pinned_by_userid() {
    check("policy_userid_pinned", &[]);
}

/// IAM User Guide, "Policy variables" (unique identifiers): a role session's `aws:userid` is
/// `role-id:session-name`, an IAM user's its `AIDA...` id, a root user's its account id,
/// anonymous callers' `anonymous`. `OUR-ROLE-ID:*` admits every session of our role and no
/// one else (S3 Block Public Access counts it as a fixed value too); `AROA*:*` admits any
/// account's role sessions, an outsider's included.
#[test]
fn public_pinned_to_our_role_sessions_by_userid() {
    check("policy_userid_role_sessions", &[]);
    check("policy_userid_any_role_session", &[PUBLIC_GET]);
}

/// KMS Developer Guide, "Enabling and disabling keys": a disabled KMS key cannot be used in
/// any cryptographic operation, so SSE-KMS objects under it cannot be decrypted by anyone,
/// however open the key policy and the bucket policy are.
#[test]
fn public_read_through_a_disabled_key() {
    check("policy_public_sse_kms_disabled_key", &[]);
}

/// S3 User Guide, Block Public Access settings: `RestrictPublicBuckets` restricts buckets
/// with public *policies* only, a public ACL stays public. "Access control list (ACL)
/// overview": FULL_CONTROL includes READ; READ_ACP only reads the ACL.
/// "Controlling ownership of objects": `BucketOwnerPreferred` keeps ACLs enabled.
#[test]
fn public_acl_permissions_and_settings() {
    check("acl_restrict_public_buckets_only", &[PUBLIC_LIST]);
    check("acl_full_control", &[PUBLIC_LIST]);
    check("acl_owner_preferred", &[PUBLIC_LIST]);
    check("acl_read_acp_only", &[]);
}

/// A grant to our own organization (`aws:PrincipalOrgID`) is inside the zone; s3:ListBucket
/// is a bucket operation (S3 User Guide, "Policy resources for Amazon S3"), so a grant on
/// `data/*` allows no listing.
#[test]
fn public_grants_that_reach_no_outsider() {
    check("policy_own_org", &[]);
    check("policy_list_on_object_arn", &[]);
    // IAM User Guide, Resource element: ARNs match case-sensitively; DATA/* is not data/*.
    check("policy_resource_case", &[]);
}

/// S3 API Reference, GetObject: reading with a `versionId` (every object of an unversioned
/// bucket has version id `null`) needs `s3:GetObjectVersion`, and returns the object's
/// data. A public grant of that action alone exposes the objects; the read hop is named
/// after the granted action, and it is the finding's only action.
#[test]
fn public_get_object_version_only() {
    check(
        "policy_get_object_version",
        &[(DATA, "public", "*", &["s3:GetObjectVersion"])],
    );
    let found = route_scenarios::findings_in("semantics", "policy_get_object_version");
    assert_eq!(found[0].actions, ["s3:GetObjectVersion"]);
}

/// The blockers of an object read stop the version read too: `RestrictPublicBuckets` (S3
/// User Guide, Block Public Access), an explicit deny of the action (IAM User Guide, policy
/// evaluation logic), an SSE-KMS key that admits our account only (S3 calls `kms:Decrypt`
/// as the requester for a version as for the current object). A grant to a foreign
/// account is cross-account, and an inside reader with the version read and writes
/// anywhere is egress.
#[test]
fn get_object_version_blockers_and_classes() {
    check("policy_get_object_version_restrict_public_buckets", &[]);
    check("policy_get_object_version_denied", &[]);
    check("policy_get_object_version_sse_kms", &[]);
    check(
        "xacct_get_object_version",
        &[(DATA, "cross-account", FOREIGN, &["s3:GetObjectVersion"])],
    );
    check(
        "egress_get_object_version",
        &[(
            DATA,
            "egress",
            "*",
            &["s3:PutObject", "s3:GetObjectVersion"],
        )],
    );
}

/// A finding's dataset is a prefix only when every object read stays under it: a public
/// `s3:GetObject` limited to `public/` beside a version read of every key exposes the
/// bucket; a version read limited to `public/` exposes the prefix.
#[test]
fn get_object_version_and_prefix_datasets() {
    check("policy_get_object_version_outside_prefix", &[PUBLIC_GET]);
    check(
        "policy_get_object_version_prefix",
        &[(
            "arn:aws:s3:::data/public/",
            "public",
            "*",
            &["s3:GetObjectVersion"],
        )],
    );
}

/// `Principal: *` pinned by `aws:PrincipalAccount` to one foreign account: S3 BPA "The
/// meaning of public" counts a fixed `aws:PrincipalAccount` as not public, and findings.md
/// names such a grant cross-account (a named account outside the zone), not public.
#[test]
fn public_star_pinned_to_one_foreign_account() {
    check(
        "policy_star_pinned_to_partner",
        &[(DATA, "cross-account", FOREIGN, &["s3:GetObject"])],
    );
}

/// S3 BPA "The meaning of public": fixed values of `aws:SourceVpce`, `aws:SourceVpc`,
/// `aws:PrincipalAccount` make a `Principal: *` grant non-public (the endpoint and VPC are
/// ours); an `aws:SourceIp` in 10.0.0.0/8 is never met from the internet (IAM User Guide,
/// global condition keys: requests through a VPC endpoint carry no `aws:SourceIp`).
/// `RestrictPublicBuckets` at the account level limits a public policy to the owner's
/// account and AWS services. "AWS JSON policy elements: NotPrincipal": a Deny with
/// NotPrincipal denies everyone else, anonymous callers included.
#[test]
fn public_policies_pinned_or_blocked() {
    check("policy_source_vpce", &[]);
    check("policy_source_vpc", &[]);
    check("policy_principal_account", &[]);
    check("policy_source_ip_private", &[]);
    check("policy_account_restrict_public_buckets", &[]);
    check("policy_notprincipal_deny", &[]);
}

/// S3 User Guide, "Using server-side encryption with AWS KMS keys (SSE-KMS)": reading an
/// SSE-KMS object needs `kms:Decrypt` on the key for the requester; the key policy admits
/// our account only, so anonymous and foreign readers get nothing.
#[test]
fn public_read_of_sse_kms_objects() {
    check("policy_public_sse_kms", &[]);
}

// ---- cross-account -----------------------------------------------------------------------

/// IAM User Guide, Principal element: a bare account id stands for `arn:aws:iam::ID:root`;
/// a foreign role ARN grants that account's role. An account of our organization, exported
/// or not, is inside the zone of trust (findings.md).
#[test]
fn cross_account_principal_forms() {
    check("xacct_bare_account_id", &[PARTNER_GET]);
    check("xacct_foreign_role", &[PARTNER_GET]);
    check("xacct_org_member_not_exported", &[]);
}

/// Organizations User Guide, "Service control policies (SCPs)": SCPs do not affect
/// principals outside the organization, so an SCP denying `s3:GetObject` on our account
/// leaves the partner's grant. "Resource control policies (RCPs)": an RCP denying
/// principals outside the organization (`aws:PrincipalOrgID`) blocks the partner, on S3 and
/// on STS; the same RCP attached to another account does not apply to our bucket.
#[test]
fn cross_account_scps_and_rcps() {
    check("xacct_scp_does_not_bind_outsiders", &[PARTNER_GET]);
    check("xacct_rcp_perimeter", &[]);
    check("xacct_rcp_other_account", &[PARTNER_GET]);
    check(
        "xacct_external_id",
        &[(
            DATA,
            "cross-account",
            FOREIGN,
            &["sts:AssumeRole", "s3:GetObject"],
        )],
    );
    check("xacct_external_id_rcp", &[]);
    // Once the partner has assumed our role it acts as our role, which our account's SCP
    // binds (Organizations User Guide: SCPs affect the roles of member accounts).
    check("xacct_role_scp_binds_session", &[]);
    // "RCPs don't affect resources in the management account": the bucket is there, so
    // the RCP perimeter at the root leaves the partner's grant.
    check("xacct_rcp_management_account", &[PARTNER_GET]);
    // IAM User Guide, Principal element: a deleted principal shows as its unique id
    // (`AROA...`) and matches nobody; a grant to the partner pinned to our organization by
    // `aws:PrincipalOrgID` admits no outsider.
    check("trust_deleted_principal_id", &[]);
    check("xacct_partner_pinned_to_our_org", &[]);
}

/// KMS Developer Guide, condition keys, `kms:ViaService`: a key grant to the partner
/// limited to S3 in the bucket's region is met by the read through S3; limited to another
/// service it is not.
#[test]
fn cross_account_kms_via_service() {
    check("xacct_kms_via_s3", &[PARTNER_GET]);
    check("xacct_kms_via_other_service", &[]);
}

/// S3 User Guide, Block Public Access settings, RestrictPublicBuckets: it acts only on a
/// bucket whose policy is public, and then blocks every cross-account access (the
/// partner's grant included); a policy naming the partner only is not public and keeps
/// working. A bucket-policy Deny for principals outside our organization blocks the
/// partner. Organizations User Guide, RCPs (AWS KMS is a supported service): an RCP on the
/// key's account denying outsiders `kms:*` stops the S3 read of SSE-KMS objects; a key
/// grant to `*` limited by `kms:CallerAccount` to our account admits no partner.
#[test]
fn cross_account_restrict_public_buckets_perimeters_and_keys() {
    check("xacct_restrict_nonpublic_policy", &[PARTNER_GET]);
    check("xacct_restrict_public_policy", &[]);
    check("xacct_bucket_deny_outside_org", &[]);
    check("xacct_kms_rcp", &[]);
    check("xacct_kms_caller_account", &[]);
    // S3 User Guide, "Using dual-layer server-side encryption with AWS KMS keys
    // (DSSE-KMS)": the key policy gates reads as with SSE-KMS.
    check("xacct_dsse_kms_blocked", &[]);
    // A trust requiring MFA still admits the foreign account (its users can present MFA).
    check(
        "xacct_trust_mfa",
        &[(
            DATA,
            "cross-account",
            FOREIGN,
            &["sts:AssumeRole", "s3:GetObject"],
        )],
    );
}

/// IAM User Guide, Principal element: `{"AWS": "*"}` in a trust policy lets anyone with an
/// AWS account assume the role (public, through `sts:AssumeRole`), unless a condition such
/// as `aws:PrincipalOrgID` pins it to our organization. A trust that allows only
/// `sts:TagSession` admits no `sts:AssumeRole`.
#[test]
fn role_trusts_open_pinned_and_wrong_action() {
    check(
        "trust_any_aws",
        &[(DATA, "public", "*", &["sts:AssumeRole", "s3:GetObject"])],
    );
    check("trust_any_aws_org_pinned", &[]);
    check("trust_wrong_action", &[]);
}

/// KMS Developer Guide, "AWS KMS keys" (AWS managed keys): an AWS managed key (`aws/s3`,
/// used when SSE-KMS default encryption names no key) can be used only by principals of its
/// own account, through the service; resources encrypted with it cannot be shared with
/// other accounts. So the partner's `s3:GetObject` grant reads nothing.
#[test]
fn cross_account_aws_managed_key() {
    check("xacct_aws_managed_key", &[]);
}

// ---- federated ---------------------------------------------------------------------------

/// AWS STS API Reference, AssumeRoleWithWebIdentity (RoleArn): a trust of
/// `cognito-identity.amazonaws.com` without the `cognito-identity.amazonaws.com:aud`
/// condition lets users of unintended identity pools (anyone's) assume the role. IAM User
/// Guide, "Creating a role for web identity or OIDC federation": a Google trust pinned by
/// `aud` only admits every Google user of the client; pinned to one `sub`, one user.
#[test]
fn federated_cognito_and_google() {
    let read: &[&str] = &["sts:AssumeRoleWithWebIdentity", "s3:GetObject"];
    check(
        "fed_cognito_no_aud",
        &[(DATA, "federated", "cognito-identity.amazonaws.com", read)],
    );
    check(
        "fed_google_no_sub",
        &[(DATA, "federated", "accounts.google.com", read)],
    );
    check("fed_google_sub_pinned", &[]);
    // A web-identity trust must allow sts:AssumeRoleWithWebIdentity (AWS STS API
    // Reference); `StringLikeIfExists` on `sub` still pins it (tokens always carry `sub`).
    check("fed_github_wrong_action", &[]);
    check("fed_github_sub_ifexists", &[]);
}

/// The GitHub trust allows any token for `sts.amazonaws.com` but an explicit Deny removes
/// every subject outside `repo:acme/*` (IAM User Guide, policy evaluation logic: an explicit
/// deny overrides the allow; "Configuring a role for GitHub OIDC identity provider" pins the
/// `sub`). Outsiders cannot obtain tokens for `acme`'s repositories, just as with the
/// Allow-side pin of `federated_pinned` in routes_scenarios.rs.
#[test]
fn federated_github_subject_pinned_by_deny() {
    check("fed_github_open_with_deny", &[]);
}

// ---- internet-compute --------------------------------------------------------------------

/// VPC User Guide, "Enable internet access for a VPC using an internet gateway" (IPv6: an
/// instance with an IPv6 address, `::/0` to the internet gateway) and "Enable outbound IPv6
/// traffic using an egress-only internet gateway" (it prevents the internet from initiating
/// IPv6 connections). A NAT gateway only carries outbound connections; an instance without
/// a public address is not reachable.
#[test]
fn internet_gateways_ipv6_nat_and_addresses() {
    check("net_ipv6_igw", &[INSTANCE]);
    check("net_ipv6_egress_only", &[]);
    // IPv6 traffic needs IPv6 rules: NACL allows and security-group ranges for IPv4 only
    // do not admit it (VPC User Guide, network ACL and security group rules per family).
    check("net_ipv6_nacl_v4_only", &[]);
    check("net_ipv6_sg_v4_only", &[]);
    check("net_nat_only", &[]);
    check("net_no_public_ip", &[]);
}

/// VPC User Guide, "Configure route tables" (subnet route table association): a subnet's
/// explicit association replaces the main route table, either way.
#[test]
fn internet_subnet_route_table_association() {
    check("net_explicit_private_table", &[]);
    check("net_explicit_public_table", &[INSTANCE]);
}

/// VPC User Guide, "Control subnet traffic with network access control lists": rules are
/// evaluated lowest number first and the first match decides; NACLs are stateless, so the
/// reply to the client's ephemeral port must be allowed outbound.
#[test]
fn internet_nacl_rule_order_and_statelessness() {
    check("net_nacl_deny_first", &[]);
    check("net_nacl_deny_after_allow", &[INSTANCE]);
    check("net_nacl_no_ephemeral_out", &[]);
}

/// VPC User Guide: a `blackhole` route carries nothing; an internet gateway must be
/// attached to the VPC; the rules of all security groups of an instance are aggregated.
#[test]
fn internet_routes_gateways_and_security_groups() {
    check("net_route_blackhole", &[]);
    check("net_igw_detached", &[]);
    check("net_two_security_groups", &[INSTANCE]);
    // VPC User Guide, "Route priority": the most specific route wins; both IPv4 halves go
    // to the NAT gateway, so no reply leaves through the internet gateway.
    check("net_more_specific_nat", &[]);
    // A security group open only to a network leakpath.toml trusts.
    check("net_sg_trusted_cidr", &[]);
}

/// Lambda Developer Guide, "Control access to Lambda function URLs": with AuthType `NONE`
/// Lambda still checks the function's resource-based policy, which must allow
/// `lambda:InvokeFunctionUrl` to `*`; no policy, a policy for our account only, or one
/// granting `lambda:InvokeFunction` instead all answer 403. A public URL whose role cannot
/// read, or whose read the bucket policy denies, reaches no data.
#[test]
fn internet_function_urls_need_the_public_permission_and_a_reader() {
    check("url_none_no_policy", &[]);
    check("url_none_policy_own_account", &[]);
    check("url_none_policy_invoke_function_only", &[]);
    check("url_none_role_cannot_read", &[]);
    check("url_none_bucket_denies_role", &[]);
    // A public statement conditioned on AuthType AWS_IAM is not met by a NONE URL;
    // `lambda:*` covers `lambda:InvokeFunctionUrl`.
    check("url_none_policy_auth_type_mismatch", &[]);
    // Requests to a URL from the internet carry their public aws:SourceIp.
    check("url_none_policy_source_ip_private", &[]);
    check(
        "url_none_policy_lambda_star",
        &[(
            DATA,
            "internet-compute",
            "internet",
            &[
                "lambda:InvokeFunctionUrl",
                "lambda:ExecutionRole",
                "s3:GetObject",
            ],
        )],
    );
}

/// IAM User Guide, "Use an IAM role to grant permissions to applications running on
/// Amazon EC2 instances": the role of an instance profile must trust `ec2.amazonaws.com`,
/// or the instance gets no credentials; this role trusts only our account.
#[test]
fn internet_instance_role_not_trusting_ec2() {
    check("net_role_trust_not_ec2", &[]);
}

/// Lambda Developer Guide, "Defining Lambda function permissions with an execution role":
/// the execution role must trust `lambda.amazonaws.com`; this one trusts EC2 only, so the
/// function gets no credentials for the read.
#[test]
fn internet_function_role_not_trusting_lambda() {
    check("url_role_trust_not_lambda", &[]);
}

/// Organizations User Guide, RCPs, "List of AWS services that support RCPs" (S3, STS,
/// KMS, SQS, Secrets Manager, ...; the AWS Control Tower RCP controls name the same five):
/// Lambda is not among them, so a perimeter RCP on `"Action": "*"` does not apply to the
/// anonymous `lambda:InvokeFunctionUrl`, and the function's role, inside the
/// organization, passes it for its S3 read. The public URL still reaches the data.
#[test]
fn internet_function_url_not_covered_by_rcps() {
    check(
        "url_none_rcp_not_for_lambda",
        &[(
            DATA,
            "internet-compute",
            "internet",
            &[
                "lambda:InvokeFunctionUrl",
                "lambda:ExecutionRole",
                "s3:GetObject",
            ],
        )],
    );
}

/// One blocker each on the internet-compute and federated routes (IAM User Guide,
/// "Policy evaluation logic"): a boundary without S3 on the instance role, a bucket-policy
/// deny of that role, an SCP denying the function role's read, an SCP denying the
/// web-identity role's read, an RCP denying `sts:AssumeRoleWithWebIdentity` on the role
/// (Organizations User Guide, RCPs cover STS role trust).
#[test]
fn blockers_on_compute_and_federated_routes() {
    check("net_role_boundary", &[]);
    check("net_bucket_denies_role", &[]);
    check("url_none_scp_denies_read", &[]);
    check("fed_google_scp_denies_read", &[]);
    check("fed_google_rcp_denies_sts", &[]);
}

// ---- egress ------------------------------------------------------------------------------

/// Organizations User Guide, SCP examples (data perimeter: `aws:ResourceOrgID`): the SCP
/// fences writes into the organization; an SCP on another key (`aws:RequestedRegion`) does
/// not; SCPs do not affect the management account; without FullAWSAccess on the account,
/// an SCP allowing only reads leaves `s3:PutObject` without the allow every level needs.
#[test]
fn egress_and_scps() {
    check("egress_scp_resource_org", &[]);
    check("egress_scp_region_only", &[EGRESS]);
    check("egress_scp_management_account", &[EGRESS]);
    check("egress_scp_allow_list", &[]);
    // SCPs are inherited from the root; a Deny with NotAction denies every write.
    check("egress_scp_at_root", &[]);
    check("egress_scp_deny_notaction", &[]);
    // Organizations User Guide, RCPs: they apply to resources of the organization, never
    // to the outsider's bucket, so they do not fence egress.
    check("egress_rcp_does_not_fence", &[EGRESS]);
    // SCPs attached to the OU holding the account apply; FullAWSAccess missing at the OU
    // level leaves nothing allowed (every level from the root to the account must allow).
    check("egress_scp_on_ou", &[]);
    check("egress_scp_ou_without_full_access", &[]);
}

/// An identity Deny of writes outside our bucket (NotResource), or an allow of writes
/// limited to `aws:ResourceOrgID` = our organization (IAM User Guide, global condition
/// keys), leaves no write outside.
#[test]
fn egress_fenced_by_identity_policies() {
    check("egress_deny_notresource", &[]);
    check("egress_identity_resource_org", &[]);
}

/// The allow of writes is limited by `s3:ResourceAccount` (the bucket owner's account id:
/// AWS What's New 2020-12-21, "New IAM condition keys for Amazon S3 ... s3:ResourceAccount";
/// S3 User Guide, "Verifying bucket ownership"): only our account's buckets, no egress.
#[test]
fn egress_fenced_by_s3_resource_account() {
    check("egress_s3_resource_account", &[]);
}

/// The allow of writes is limited by `aws:ResourceOrgPaths` to our organization (IAM User
/// Guide, global condition keys: the path of the resource's account in its organization).
/// An outsider's bucket carries another organization's path or none: no egress.
#[test]
fn egress_fenced_by_resource_org_paths() {
    check("egress_resource_org_paths", &[]);
}

/// Egress by a role, not a user; a boundary allowing writes only with
/// `aws:ResourceAccount` = our account fences it (IAM User Guide, "Permissions boundaries
/// for IAM entities": the effective permissions are the intersection); writes limited to
/// our own bucket by ARN go nowhere outside; a principal that reads nothing has no egress
/// of the data. S3 bucket names are global and first-come (S3 User Guide, "General purpose
/// bucket naming rules"): a pattern such as `acme-*` matches buckets anyone can create.
#[test]
fn egress_principals_boundaries_and_resource_patterns() {
    check("egress_role", &[EGRESS]);
    check("egress_boundary_allow_own_account", &[]);
    check("egress_own_bucket_only", &[]);
    check("egress_no_read", &[]);
    check("egress_name_pattern", &[EGRESS]);
    // IAM User Guide, Resource element: `*` in an ARN also matches `/`, so
    // `arn:aws:s3:::*` covers every object of every bucket.
    check("egress_bucket_star", &[EGRESS]);
    // Permissions from a group (IAM User Guide, "IAM user groups") and from an AWS managed
    // policy count; a condition on the SSE header and the classic "force MFA" deny leave a
    // write the outsider's bucket accepts.
    check("egress_via_group", &[EGRESS]);
    check("egress_aws_managed_policy", &[EGRESS]);
    check("egress_sse_header_condition", &[EGRESS]);
    check("egress_force_mfa", &[EGRESS]);
}

/// Writes allowed on `arn:aws:s3:::${aws:username}-*/*` (IAM User Guide, "IAM policy
/// elements: Variables and tags"): for user `etl` every bucket named `etl-...`, which anyone
/// may create (bucket names are global).
#[test]
fn egress_policy_variable_bucket() {
    check("egress_policy_variable_bucket", &[EGRESS]);
}

/// Writes allowed on `arn:aws:s3:::*/uploads/*`: every bucket, anyone's, under the key
/// prefix `uploads/` (the outsider picks the key when writing into its own bucket).
#[test]
fn egress_key_prefix_pattern() {
    check("egress_key_prefix_pattern", &[EGRESS]);
}

/// The identity policy writes anywhere; the permissions boundary allows `s3:PutObject`
/// only on `arn:aws:s3:::acme-*/*`. The effective permission is the intersection (IAM User
/// Guide, "Permissions boundaries for IAM entities"), and a bucket named `acme-...` may be
/// anyone's (bucket names are global), so the data can still be written outside.
#[test]
fn egress_boundary_name_pattern() {
    check("egress_boundary_name_pattern", &[EGRESS]);
}

/// AWS whitepaper "Building a data perimeter on AWS" (network perimeter) and IAM User
/// Guide (`aws:SourceVpc`): an SCP denies our principals' requests not sent from our VPC.
/// The partner assumes our role but sends every request from its own network, so the read
/// never carries `aws:SourceVpc` = vpc-0a1. NOTE: this contradicts `vpce_assume_chain` in
/// routes_scenarios.rs, which lets an outsider-held session use our endpoints ("credentials
/// travel to wherever the organization runs code"); the lead should decide which holds.
#[test]
fn cross_account_network_perimeter_scp() {
    check("xacct_network_perimeter_scp", &[]);
}

// ---- chains ------------------------------------------------------------------------------

/// IAM User Guide, "Cross-account policy evaluation logic": each cross-account assumption
/// needs the trust policy and the caller's identity policy. FOREIGN → entry (our account)
/// → middle (a second account of the organization) → reader (our account). An SCP on the
/// middle account denying `sts:AssumeRole` stops its call; one denying only S3 does not
/// (the read is the reader's, in our account); the middle role without an identity allow
/// for `sts:AssumeRole` cannot assume the reader although the reader's trust names it.
#[test]
fn chains_across_two_organization_accounts() {
    let three: &[&str] = &[
        "sts:AssumeRole",
        "sts:AssumeRole",
        "sts:AssumeRole",
        "s3:GetObject",
    ];
    check(
        "chain_three_hops",
        &[(DATA, "cross-account", FOREIGN, three)],
    );
    check(
        "chain_scp_middle_denies_s3",
        &[(DATA, "cross-account", FOREIGN, three)],
    );
    check("chain_scp_middle_denies", &[]);
    check("chain_middle_no_identity_allow", &[]);
}

/// IAM User Guide, "Roles terms and concepts" (role chaining): AWS sets no limit on the
/// number of roles chained, only a one-hour session. Five roles, six hops, are found.
#[test]
fn chain_of_five_roles() {
    check(
        "chain_five_roles",
        &[(
            DATA,
            "cross-account",
            FOREIGN,
            &[
                "sts:AssumeRole",
                "sts:AssumeRole",
                "sts:AssumeRole",
                "sts:AssumeRole",
                "sts:AssumeRole",
                "s3:GetObject",
            ],
        )],
    );
}

/// Six roles, seven hops: the same route one role longer still exists in AWS; the scan
/// must list it (or at least keep it as `unknown`), not drop it.
#[test]
fn chain_of_six_roles() {
    check(
        "chain_six_roles",
        &[(
            DATA,
            "cross-account",
            FOREIGN,
            &[
                "sts:AssumeRole",
                "sts:AssumeRole",
                "sts:AssumeRole",
                "sts:AssumeRole",
                "sts:AssumeRole",
                "sts:AssumeRole",
                "s3:GetObject",
            ],
        )],
    );
}

/// S3 User Guide, "Using server-side encryption with AWS KMS keys": reading an SSE-KMS
/// object needs `kms:Decrypt` on its key, which S3 calls as the requester; the key policy
/// delegates to IAM. IAM User Guide, `aws:CalledVia`: present only when a service calls
/// with forward access sessions. The role's own `kms:Decrypt` conditioned on another
/// service (Image Builder) holds for none of its reads: the refutation per role and key
/// (`routes::kms_leg`) leaves a listing only, as the full question does. Granted outright,
/// or through Athena, which forwards the role's S3 reads (`aws:CalledVia` = Athena), the
/// objects are read: the refutation must cover the forwarded request too.
#[test]
fn kms_leg_refuted_per_role_and_key() {
    check(
        "net_kms_called_via_other_service",
        &[(
            DATA,
            "internet-compute",
            "internet",
            &["network:tcp/443", "ec2:InstanceProfile", "s3:ListBucket"],
        )],
    );
    check("net_kms_direct_decrypt", &[INSTANCE]);
    check("net_kms_called_via_athena", &[INSTANCE]);
}

/// IAM User Guide, "Policy evaluation logic": in the same account a principal reads when its
/// identity side or a grant to the principal itself allows; S3 User Guide, bucket policy
/// examples: `aws:PrincipalOrgID` restricts a grant to `*` to an organization. The bucket
/// grants the reads to organization principals over TLS; the role's identity policies grant
/// no S3 read. Under another organization's id the refutation per bucket, account and
/// action (`routes::bucket_grant`) denies the role's reads without asking them, as the full
/// questions do; under ours the role reads. A role granting itself the read reads under
/// either (its identity can allow it: the refutation does not apply), and so does one
/// whose only own grant is `kms:Decrypt` on an SSE-KMS bucket under ours (the refutation
/// leaves the KMS leg out: it would deny a role with no identity grant of its own).
#[test]
fn bucket_grant_refuted_per_account() {
    check("grant_org_other", &[]);
    check("grant_org_ours", &[INSTANCE]);
    check("grant_org_other_identity_reads", &[INSTANCE]);
    check("grant_org_ours_kms", &[INSTANCE]);
}
