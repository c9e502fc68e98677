//! Scenarios for `eval::decide`, one per rule of AWS's policy evaluation logic: same- and
//! cross-account, boundaries and session policies, SCP and RCP levels, anonymous callers,
//! trust policies, Block Public Access, ACLs, KMS key policies, VPC endpoint policies,
//! variables, unreadable statements.

use leakpath::eval::{
    decide, AclGrant, AclGrantee, AclPermission, AuthzInputs, AwsPrincipal, AwsPrincipalKind,
    EvalError, Gate, IdentityInputs, IdentityPolicies, KmsKeyInputs, ObjectOwnership, OrgPolicies,
    Outcome, PolicyRef, PublicAccessBlock, Request, RequestContext, RequestPrincipal,
    ResourcePolicyMode, S3Inputs,
};
use leakpath::policy::parse::parse_policy_value;
use leakpath::policy::PolicyDocument;
use serde_json::{json, Value};

const ME: &str = "111111111111";
const THEM: &str = "222222222222";

fn doc(v: Value) -> PolicyDocument {
    parse_policy_value(&v).expect("test policy parses")
}

fn allow(action: &str, resource: &str) -> PolicyDocument {
    doc(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}),
    )
}

fn grant(principal: Value, action: &str, resource: &str) -> PolicyDocument {
    doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": resource}]}))
}

fn full_access() -> PolicyDocument {
    allow("*", "*")
}

fn user(account: &str, name: &str) -> RequestPrincipal {
    RequestPrincipal::Aws(AwsPrincipal {
        arn: format!("arn:aws:iam::{account}:user/{name}"),
        account: account.into(),
        kind: AwsPrincipalKind::User,
        canonical_user: Some(format!("canon-{account}")),
    })
}

fn session(account: &str, role_path: &str, session: &str) -> RequestPrincipal {
    let role_name = role_path.rsplit('/').next().unwrap_or(role_path);
    RequestPrincipal::Aws(AwsPrincipal {
        arn: format!("arn:aws:sts::{account}:assumed-role/{role_name}/{session}"),
        account: account.into(),
        kind: AwsPrincipalKind::RoleSession {
            role_arn: format!("arn:aws:iam::{account}:role/{role_path}"),
        },
        canonical_user: Some(format!("canon-{account}")),
    })
}

fn request(principal: RequestPrincipal, action: &str, resource: &str) -> Request {
    Request {
        principal,
        action: action.into(),
        resource: resource.into(),
        context: RequestContext::new(),
    }
}

/// Everything around one request, owned; `check` borrows it into `AuthzInputs`.
struct World {
    identity: Option<Vec<PolicyDocument>>,
    boundary: Option<PolicyDocument>,
    session: Option<Vec<PolicyDocument>>,
    scps: Option<Vec<Vec<PolicyDocument>>>,
    scp_management: bool,
    rcps: Option<Vec<Vec<PolicyDocument>>>,
    resource_account: String,
    resource: Option<PolicyDocument>,
    mode: ResourcePolicyMode,
    endpoint: Option<PolicyDocument>,
    s3: Option<S3Inputs>,
    key: Option<(String, PolicyDocument)>,
}

impl World {
    fn new() -> World {
        World {
            identity: Some(Vec::new()),
            boundary: None,
            session: None,
            scps: None,
            scp_management: false,
            rcps: None,
            resource_account: ME.into(),
            resource: None,
            mode: ResourcePolicyMode::Alternative,
            endpoint: None,
            s3: None,
            key: None,
        }
    }
    fn identity(mut self, docs: Vec<PolicyDocument>) -> World {
        self.identity = Some(docs);
        self
    }
    fn unconstrained(mut self) -> World {
        self.identity = None;
        self
    }
    fn boundary(mut self, d: PolicyDocument) -> World {
        self.boundary = Some(d);
        self
    }
    fn session(mut self, docs: Vec<PolicyDocument>) -> World {
        self.session = Some(docs);
        self
    }
    fn scps(mut self, levels: Vec<Vec<PolicyDocument>>) -> World {
        self.scps = Some(levels);
        self
    }
    fn rcps(mut self, levels: Vec<Vec<PolicyDocument>>) -> World {
        self.rcps = Some(levels);
        self
    }
    fn owner(mut self, account: &str) -> World {
        self.resource_account = account.into();
        self
    }
    fn resource(mut self, d: PolicyDocument) -> World {
        self.resource = Some(d);
        self
    }
    fn trust(mut self, d: PolicyDocument) -> World {
        self.resource = Some(d);
        self.mode = ResourcePolicyMode::Required;
        self
    }
    fn endpoint(mut self, d: PolicyDocument) -> World {
        self.endpoint = Some(d);
        self
    }
    fn s3(mut self, s3: S3Inputs) -> World {
        self.s3 = Some(s3);
        self
    }
    fn key(mut self, account: &str, policy: PolicyDocument) -> World {
        self.key = Some((account.into(), policy));
        self
    }
}

fn labelled<'a>(label: &'a str, d: &'a PolicyDocument) -> PolicyRef<'a> {
    PolicyRef { label, doc: d }
}

fn org<'a>(levels: &'a [Vec<PolicyDocument>], management: bool) -> OrgPolicies<'a> {
    OrgPolicies {
        levels: levels
            .iter()
            .map(|l| l.iter().map(|d| labelled("org", d)).collect())
            .collect(),
        management_account: management,
    }
}

fn decide_in(w: &World, req: &Request) -> Result<leakpath::eval::Decision, EvalError> {
    let identity = match &w.identity {
        None => IdentityInputs::Unconstrained,
        Some(docs) => IdentityInputs::Known(IdentityPolicies {
            policies: docs.iter().map(|d| labelled("identity", d)).collect(),
            permissions_boundary: w.boundary.as_ref().map(|d| labelled("boundary", d)),
            session_policies: w
                .session
                .as_ref()
                .map(|ds| ds.iter().map(|d| labelled("session", d)).collect()),
            scps: w.scps.as_deref().map(|l| org(l, w.scp_management)),
        }),
    };
    let key_arn = |account: &str| format!("arn:aws:kms:us-east-1:{account}:key/k1");
    let inputs = AuthzInputs {
        identity,
        resource_account: w.resource_account.clone(),
        resource_policy: w.resource.as_ref().map(|d| labelled("resource", d)),
        resource_policy_mode: w.mode,
        rcps: w.rcps.as_deref().map(|l| org(l, false)),
        vpc_endpoint_policy: w.endpoint.as_ref().map(|d| labelled("endpoint", d)),
        s3: w.s3.clone(),
        kms: w.key.as_ref().map(|(account, policy)| KmsKeyInputs {
            key_arn: key_arn(account),
            key_account: account.clone(),
            key_policy: labelled("key", policy),
            rcps: None,
            via_service: Some("s3.us-east-1.amazonaws.com".into()),
        }),
    };
    decide(&inputs, req)
}

/// The outcome and, for denies, the gate.
fn check(w: &World, req: &Request, expect: (Outcome, Option<Gate>)) {
    let d = decide_in(w, req).unwrap_or_else(|e| panic!("{}: unexpected error {e}", req.action));
    assert_eq!(
        (d.outcome, d.gate),
        expect,
        "{} {} by {:?}",
        req.action,
        req.resource,
        req.principal
    );
    if d.outcome != Outcome::ImplicitDeny {
        assert!(!d.decided_by.is_empty() || d.outcome == Outcome::Allowed);
    }
}

const ALLOWED: (Outcome, Option<Gate>) = (Outcome::Allowed, None);
fn implicit(g: Gate) -> (Outcome, Option<Gate>) {
    (Outcome::ImplicitDeny, Some(g))
}
fn explicit(g: Gate) -> (Outcome, Option<Gate>) {
    (Outcome::ExplicitDeny, Some(g))
}

const OBJ: &str = "arn:aws:s3:::bucket/data.csv";

#[test]
fn same_account_identity_or_resource() {
    let get = |who| request(who, "s3:GetObject", OBJ);
    check(
        &World::new().identity(vec![allow("s3:Get*", "arn:aws:s3:::bucket/*")]),
        &get(user(ME, "alice")),
        ALLOWED,
    );
    check(
        &World::new(),
        &get(user(ME, "alice")),
        implicit(Gate::IdentityPolicy),
    );
    // A grant naming the user stands alone; one naming the account delegates to IAM.
    let to_alice = grant(
        json!({"AWS": format!("arn:aws:iam::{ME}:user/alice")}),
        "s3:GetObject",
        OBJ,
    );
    check(
        &World::new().resource(to_alice),
        &get(user(ME, "alice")),
        ALLOWED,
    );
    let to_account = grant(json!({"AWS": ME}), "s3:GetObject", OBJ);
    check(
        &World::new().resource(to_account.clone()),
        &get(user(ME, "alice")),
        implicit(Gate::IdentityPolicy),
    );
    check(
        &World::new()
            .resource(to_account)
            .identity(vec![full_access()]),
        &get(user(ME, "alice")),
        ALLOWED,
    );
    // Actions are case-insensitive, resources are not.
    check(
        &World::new().identity(vec![allow("S3:GETOBJECT", OBJ)]),
        &get(user(ME, "alice")),
        ALLOWED,
    );
    check(
        &World::new().identity(vec![allow("s3:GetObject", "arn:aws:s3:::BUCKET/data.csv")]),
        &get(user(ME, "alice")),
        implicit(Gate::IdentityPolicy),
    );
}

#[test]
fn explicit_deny_wins_everywhere() {
    let deny = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": OBJ}]}));
    let w = World::new().identity(vec![full_access()]).resource(deny);
    check(
        &w,
        &request(user(ME, "alice"), "s3:GetObject", OBJ),
        explicit(Gate::ResourcePolicy),
    );
    check(
        &w,
        &request(user(ME, "alice"), "s3:PutObject", OBJ),
        ALLOWED,
    );
    let identity_deny = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "NotAction": "s3:List*", "NotResource": "arn:aws:s3:::public/*"}]}));
    let w = World::new().identity(vec![full_access(), identity_deny]);
    check(
        &w,
        &request(user(ME, "alice"), "s3:GetObject", OBJ),
        explicit(Gate::IdentityPolicy),
    );
    check(
        &w,
        &request(user(ME, "alice"), "s3:ListBucket", "arn:aws:s3:::bucket"),
        ALLOWED,
    );
    check(
        &w,
        &request(user(ME, "alice"), "s3:GetObject", "arn:aws:s3:::public/x"),
        ALLOWED,
    );
}

#[test]
fn cross_account_needs_both_sides() {
    let to_them = grant(
        json!({"AWS": format!("arn:aws:iam::{THEM}:root")}),
        "s3:GetObject",
        OBJ,
    );
    let get = request(user(THEM, "bob"), "s3:GetObject", OBJ);
    check(
        &World::new()
            .resource(to_them.clone())
            .identity(vec![full_access()]),
        &get,
        ALLOWED,
    );
    check(
        &World::new().resource(to_them.clone()),
        &get,
        implicit(Gate::IdentityPolicy),
    );
    check(
        &World::new().identity(vec![full_access()]),
        &get,
        implicit(Gate::ResourcePolicy),
    );
    // An account outside the export: its identity side is unconstrained.
    check(
        &World::new().resource(to_them).unconstrained(),
        &get,
        ALLOWED,
    );
    // Naming the user directly does not spare the cross-account identity check.
    let to_bob = grant(
        json!({"AWS": format!("arn:aws:iam::{THEM}:user/bob")}),
        "s3:GetObject",
        OBJ,
    );
    check(
        &World::new().resource(to_bob),
        &get,
        implicit(Gate::IdentityPolicy),
    );
    // The resource's owner decides which side is "the other account".
    let to_me = grant(json!({"AWS": ME}), "s3:GetObject", OBJ);
    let w = World::new().owner(THEM).resource(to_me);
    check(
        &w,
        &request(user(ME, "alice"), "s3:GetObject", OBJ),
        implicit(Gate::IdentityPolicy),
    );
}

#[test]
fn boundaries_and_session_policies() {
    let get = |who| request(who, "s3:GetObject", OBJ);
    let ec2_only = allow("ec2:*", "*");
    let w = World::new()
        .identity(vec![full_access()])
        .boundary(ec2_only.clone());
    check(
        &w,
        &get(user(ME, "alice")),
        implicit(Gate::PermissionsBoundary),
    );
    // Same account: a grant to the user ARN or the session ARN is not limited by the
    // boundary; one to the role ARN is.
    let to_alice = grant(
        json!({"AWS": format!("arn:aws:iam::{ME}:user/alice")}),
        "s3:GetObject",
        OBJ,
    );
    check(
        &World::new().boundary(ec2_only.clone()).resource(to_alice),
        &get(user(ME, "alice")),
        ALLOWED,
    );
    let role_session = session(ME, "app/Reader", "s1");
    let to_role = grant(
        json!({"AWS": format!("arn:aws:iam::{ME}:role/app/Reader")}),
        "s3:GetObject",
        OBJ,
    );
    check(
        &World::new()
            .boundary(ec2_only.clone())
            .resource(to_role.clone()),
        &get(role_session.clone()),
        implicit(Gate::PermissionsBoundary),
    );
    check(
        &World::new().resource(to_role.clone()),
        &get(role_session.clone()),
        ALLOWED,
    );
    let to_session = grant(
        json!({"AWS": format!("arn:aws:sts::{ME}:assumed-role/Reader/s1")}),
        "s3:GetObject",
        OBJ,
    );
    check(
        &World::new()
            .boundary(ec2_only.clone())
            .resource(to_session.clone()),
        &get(role_session.clone()),
        ALLOWED,
    );
    // Session policies: the same split.
    let w = World::new()
        .identity(vec![full_access()])
        .session(vec![ec2_only.clone()]);
    check(
        &w,
        &get(role_session.clone()),
        implicit(Gate::SessionPolicy),
    );
    check(
        &World::new()
            .session(vec![ec2_only.clone()])
            .resource(to_role),
        &get(role_session.clone()),
        implicit(Gate::SessionPolicy),
    );
    check(
        &World::new().session(vec![ec2_only]).resource(to_session),
        &get(role_session.clone()),
        ALLOWED,
    );
    check(
        &World::new()
            .identity(vec![full_access()])
            .session(vec![allow("s3:GetObject", "*")]),
        &get(role_session),
        ALLOWED,
    );
}

#[test]
fn not_principal_deny_always_denies_principals_with_a_boundary() {
    let policy = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "NotPrincipal": {"AWS": [format!("arn:aws:iam::{ME}:user/alice"), format!("arn:aws:iam::{ME}:root")]},
         "Action": "s3:*", "Resource": "*"}]}));
    let get = request(user(ME, "alice"), "s3:GetObject", OBJ);
    check(
        &World::new()
            .identity(vec![full_access()])
            .resource(policy.clone()),
        &get,
        ALLOWED,
    );
    check(
        &World::new()
            .identity(vec![full_access()])
            .boundary(full_access())
            .resource(policy.clone()),
        &get,
        explicit(Gate::ResourcePolicy),
    );
    check(
        &World::new().identity(vec![full_access()]).resource(policy),
        &request(user(ME, "carol"), "s3:GetObject", OBJ),
        explicit(Gate::ResourcePolicy),
    );
}

#[test]
fn scp_levels() {
    let get = request(user(ME, "alice"), "s3:GetObject", OBJ);
    let base = || World::new().identity(vec![full_access()]);
    check(
        &base().scps(vec![
            vec![full_access()],
            vec![full_access()],
            vec![full_access()],
        ]),
        &get,
        ALLOWED,
    );
    // One OU without an allow for S3 stops it, even with full access above and below.
    let levels = vec![
        vec![full_access()],
        vec![allow("ec2:*", "*")],
        vec![full_access()],
    ];
    check(
        &base().scps(levels.clone()),
        &get,
        implicit(Gate::Scp { level: 1 }),
    );
    // A level with no policy allows nothing.
    check(
        &base().scps(vec![vec![full_access()], vec![]]),
        &get,
        implicit(Gate::Scp { level: 1 }),
    );
    // The management account is exempt.
    let mut w = base().scps(levels.clone());
    w.scp_management = true;
    check(&w, &get, ALLOWED);
    // So are service-linked roles.
    let slr = session(
        ME,
        "aws-service-role/s3.amazonaws.com/AWSServiceRoleForS3",
        "x",
    );
    check(
        &base().scps(levels.clone()),
        &request(slr, "s3:GetObject", OBJ),
        ALLOWED,
    );
    // SCPs do not apply to anonymous callers.
    let public = grant(json!("*"), "s3:GetObject", OBJ);
    check(
        &base().scps(levels).resource(public),
        &request(RequestPrincipal::Anonymous, "s3:GetObject", OBJ),
        ALLOWED,
    );
    // SCP denies are explicit.
    let deny_s3 = doc(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}),
    );
    check(
        &base().scps(vec![vec![full_access(), deny_s3]]),
        &get,
        explicit(Gate::Scp { level: 0 }),
    );
}

#[test]
fn rcps_guard_resources() {
    let rcp_full = grant(json!("*"), "*", "*");
    let perimeter = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
         "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-mine"},
                       "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]}));
    let public = grant(json!("*"), "s3:GetObject", OBJ);
    let w = World::new()
        .resource(public)
        .rcps(vec![vec![rcp_full.clone(), perimeter]]);
    let mut inside = request(user(THEM, "bob"), "s3:GetObject", OBJ);
    inside.context.set("aws:PrincipalOrgID", "o-mine");
    check(&w.unconstrained(), &inside, ALLOWED);
    let public = grant(json!("*"), "s3:GetObject", OBJ);
    let perimeter = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
         "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-mine"},
                       "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]}));
    let w = World::new()
        .resource(public)
        .rcps(vec![vec![rcp_full.clone(), perimeter]])
        .unconstrained();
    check(
        &w,
        &request(user(THEM, "bob"), "s3:GetObject", OBJ),
        explicit(Gate::Rcp { level: 0 }),
    );
    check(
        &w,
        &request(RequestPrincipal::Anonymous, "s3:GetObject", OBJ),
        explicit(Gate::Rcp { level: 0 }),
    );
    // Service principals pass this perimeter by its own condition.
    let to_service = grant(
        json!({"Service": "cloudtrail.amazonaws.com"}),
        "s3:GetObject",
        OBJ,
    );
    let w = World::new().resource(to_service).rcps(vec![vec![rcp_full]]);
    check(
        &w,
        &request(
            RequestPrincipal::Service("cloudtrail.amazonaws.com".into()),
            "s3:GetObject",
            OBJ,
        ),
        ALLOWED,
    );
    // A level without RCPFullAWSAccess allows nothing.
    let w = World::new()
        .identity(vec![full_access()])
        .rcps(vec![vec![]]);
    check(
        &w,
        &request(user(ME, "alice"), "s3:GetObject", OBJ),
        implicit(Gate::Rcp { level: 0 }),
    );
}

#[test]
fn anonymous_requests() {
    let anon = |action: &str| request(RequestPrincipal::Anonymous, action, OBJ);
    check(
        &World::new().resource(grant(json!("*"), "s3:GetObject", OBJ)),
        &anon("s3:GetObject"),
        ALLOWED,
    );
    check(
        &World::new().resource(grant(json!({"AWS": "*"}), "s3:GetObject", OBJ)),
        &anon("s3:GetObject"),
        ALLOWED,
    );
    check(
        &World::new().resource(grant(json!({"AWS": ME}), "s3:GetObject", OBJ)),
        &anon("s3:GetObject"),
        implicit(Gate::ResourcePolicy),
    );
    // Identity policies cannot allow anonymous requests.
    check(
        &World::new().identity(vec![full_access()]),
        &anon("s3:GetObject"),
        implicit(Gate::ResourcePolicy),
    );
}

#[test]
fn trust_policies() {
    let role = format!("arn:aws:iam::{ME}:role/Target");
    let assume = |who| request(who, "sts:AssumeRole", &role);
    let trust = |principal: Value| {
        doc(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]}))
    };
    // Same account: naming the user suffices; naming the account needs the identity policy.
    check(
        &World::new().trust(trust(
            json!({"AWS": format!("arn:aws:iam::{ME}:user/alice")}),
        )),
        &assume(user(ME, "alice")),
        ALLOWED,
    );
    check(
        &World::new().trust(trust(json!({"AWS": format!("arn:aws:iam::{ME}:root")}))),
        &assume(user(ME, "alice")),
        implicit(Gate::IdentityPolicy),
    );
    check(
        &World::new()
            .trust(trust(json!({"AWS": format!("arn:aws:iam::{ME}:root")})))
            .identity(vec![allow("sts:AssumeRole", &role)]),
        &assume(user(ME, "alice")),
        ALLOWED,
    );
    // The trust policy must allow, whatever the identity policy says.
    check(
        &World::new()
            .trust(trust(json!({"AWS": THEM})))
            .identity(vec![full_access()]),
        &assume(user(ME, "alice")),
        implicit(Gate::ResourcePolicy),
    );
    // Cross-account: the trust policy and the caller's identity policy.
    check(
        &World::new()
            .trust(trust(json!({"AWS": THEM})))
            .identity(vec![allow("sts:AssumeRole", "*")]),
        &assume(user(THEM, "bob")),
        ALLOWED,
    );
    check(
        &World::new().trust(trust(json!({"AWS": THEM}))),
        &assume(user(THEM, "bob")),
        implicit(Gate::IdentityPolicy),
    );
    // Web identity: only the trust policy, with the provider's claims in the context.
    let oidc = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com";
    let web = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Federated": oidc}, "Action": "sts:AssumeRoleWithWebIdentity",
         "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}}}]}));
    let mut req = request(
        RequestPrincipal::Federated {
            provider: oidc.into(),
        },
        "sts:AssumeRoleWithWebIdentity",
        &role,
    );
    req.context.set(
        "token.actions.githubusercontent.com:sub",
        "repo:acme/app:ref:refs/heads/main",
    );
    check(&World::new().trust(web.clone()), &req, ALLOWED);
    req.context.set(
        "token.actions.githubusercontent.com:sub",
        "repo:evil/app:ref:refs/heads/main",
    );
    check(
        &World::new().trust(web.clone()),
        &req,
        implicit(Gate::ResourcePolicy),
    );
    req.context
        .remove("token.actions.githubusercontent.com:sub");
    check(
        &World::new().trust(web),
        &req,
        implicit(Gate::ResourcePolicy),
    );
}

#[test]
fn block_public_access_restrict_public_buckets() {
    let public_policy = grant(json!("*"), "s3:GetObject", OBJ);
    let restrict = S3Inputs {
        public_access_block: PublicAccessBlock {
            restrict_public_buckets: true,
            ..PublicAccessBlock::default()
        },
        ..S3Inputs::default()
    };
    let w = World::new()
        .resource(public_policy.clone())
        .s3(restrict.clone())
        .unconstrained();
    check(
        &w,
        &request(RequestPrincipal::Anonymous, "s3:GetObject", OBJ),
        implicit(Gate::BlockPublicAccess),
    );
    check(
        &w,
        &request(user(THEM, "bob"), "s3:GetObject", OBJ),
        implicit(Gate::BlockPublicAccess),
    );
    check(
        &w,
        &request(user(ME, "alice"), "s3:GetObject", OBJ),
        ALLOWED,
    );
    check(
        &w,
        &request(
            RequestPrincipal::Service("cloudtrail.amazonaws.com".into()),
            "s3:GetObject",
            OBJ,
        ),
        ALLOWED,
    );
    // Without the setting, or with BlockPublicPolicy only, the public policy stays in effect.
    let w = World::new().resource(public_policy).unconstrained();
    check(
        &w,
        &request(RequestPrincipal::Anonymous, "s3:GetObject", OBJ),
        ALLOWED,
    );
    // A non-public policy keeps its cross-account grants under RestrictPublicBuckets.
    let to_them = grant(json!({"AWS": THEM}), "s3:GetObject", OBJ);
    let w = World::new().resource(to_them).s3(restrict).unconstrained();
    check(
        &w,
        &request(user(THEM, "bob"), "s3:GetObject", OBJ),
        ALLOWED,
    );
}

#[test]
fn acls() {
    let acl = |grantee: AclGrantee,
               permission: AclPermission,
               ownership: ObjectOwnership,
               ignore: bool| S3Inputs {
        bucket_acl: vec![AclGrant {
            grantee,
            permission,
        }],
        object_acl: Vec::new(),
        object_ownership: ownership,
        public_access_block: PublicAccessBlock {
            ignore_public_acls: ignore,
            ..PublicAccessBlock::default()
        },
    };
    let bucket = "arn:aws:s3:::bucket";
    let list = request(RequestPrincipal::Anonymous, "s3:ListBucket", bucket);
    let ow = ObjectOwnership::ObjectWriter;
    check(
        &World::new().s3(acl(AclGrantee::AllUsers, AclPermission::Read, ow, false)),
        &list,
        ALLOWED,
    );
    check(
        &World::new().s3(acl(AclGrantee::AllUsers, AclPermission::Read, ow, false)),
        &request(RequestPrincipal::Anonymous, "s3:GetObject", OBJ),
        implicit(Gate::ResourcePolicy),
    );
    check(
        &World::new().s3(acl(
            AclGrantee::AllUsers,
            AclPermission::Read,
            ObjectOwnership::BucketOwnerEnforced,
            false,
        )),
        &list,
        implicit(Gate::ResourcePolicy),
    );
    check(
        &World::new().s3(acl(AclGrantee::AllUsers, AclPermission::Read, ow, true)),
        &list,
        implicit(Gate::ResourcePolicy),
    );
    // AuthenticatedUsers: any AWS account, whose own IAM policies must still allow.
    let w = World::new().s3(acl(
        AclGrantee::AuthenticatedUsers,
        AclPermission::Read,
        ow,
        false,
    ));
    check(
        &w.unconstrained(),
        &request(user(THEM, "bob"), "s3:ListBucket", bucket),
        ALLOWED,
    );
    let w = World::new().s3(acl(
        AclGrantee::AuthenticatedUsers,
        AclPermission::Read,
        ow,
        false,
    ));
    check(
        &w,
        &request(user(THEM, "bob"), "s3:ListBucket", bucket),
        implicit(Gate::IdentityPolicy),
    );
}

#[test]
fn kms_key_policies() {
    let get = |who| request(who, "s3:GetObject", OBJ);
    let key_arn = format!("arn:aws:kms:us-east-1:{ME}:key/k1");
    let public_object = grant(json!({"AWS": THEM}), "s3:GetObject", OBJ);
    let owner_only_key = grant(
        json!({"AWS": format!("arn:aws:iam::{ME}:root")}),
        "kms:*",
        "*",
    );
    let shared_key = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": [format!("arn:aws:iam::{ME}:root"), format!("arn:aws:iam::{THEM}:root")]},
         "Action": "kms:Decrypt", "Resource": "*"}]}));
    let them_s3 = allow("s3:GetObject", "*");
    let them_kms = allow("kms:Decrypt", &key_arn);
    // Cross-account read of an SSE-KMS object: the key policy must allow the other account ...
    let w = World::new()
        .resource(public_object.clone())
        .identity(vec![them_s3.clone(), them_kms.clone()])
        .key(ME, owner_only_key.clone());
    check(&w, &get(user(THEM, "bob")), implicit(Gate::KmsKey));
    let w = World::new()
        .resource(public_object.clone())
        .identity(vec![them_s3.clone(), them_kms])
        .key(ME, shared_key.clone());
    check(&w, &get(user(THEM, "bob")), ALLOWED);
    // ... and its identity policy must allow kms:Decrypt on the key.
    let w = World::new()
        .resource(public_object.clone())
        .identity(vec![them_s3])
        .key(ME, shared_key);
    check(&w, &get(user(THEM, "bob")), implicit(Gate::KmsKey));
    // Same account: delegation to the account means IAM policies count ...
    let w = World::new()
        .identity(vec![allow("s3:GetObject", "*")])
        .key(ME, owner_only_key.clone());
    check(&w, &get(user(ME, "alice")), implicit(Gate::KmsKey));
    let w = World::new()
        .identity(vec![allow("s3:GetObject", "*"), allow("kms:Decrypt", "*")])
        .key(ME, owner_only_key);
    check(&w, &get(user(ME, "alice")), ALLOWED);
    // ... and a key policy naming the user needs no IAM permission for KMS.
    let to_alice = grant(
        json!({"AWS": format!("arn:aws:iam::{ME}:user/alice")}),
        "kms:Decrypt",
        "*",
    );
    let w = World::new()
        .identity(vec![allow("s3:GetObject", "*")])
        .key(ME, to_alice);
    check(&w, &get(user(ME, "alice")), ALLOWED);
    // Anonymous readers never get through KMS.
    let w = World::new()
        .resource(grant(json!("*"), "s3:GetObject", OBJ))
        .key(ME, grant(json!("*"), "kms:*", "*"));
    check(
        &w,
        &get(RequestPrincipal::Anonymous),
        implicit(Gate::KmsKey),
    );
    // A key policy deny is explicit; actions without object data need no key.
    let deny_key = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ME}:root")}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}]}));
    let w = World::new().identity(vec![full_access()]).key(ME, deny_key);
    check(&w, &get(user(ME, "alice")), explicit(Gate::KmsKey));
    check(
        &w,
        &request(user(ME, "alice"), "s3:GetObjectTagging", OBJ),
        ALLOWED,
    );
}

#[test]
fn vpc_endpoint_policies() {
    let endpoint = grant(json!("*"), "s3:GetObject", "arn:aws:s3:::bucket/*");
    let w = World::new()
        .identity(vec![full_access()])
        .endpoint(endpoint);
    check(
        &w,
        &request(user(ME, "alice"), "s3:GetObject", OBJ),
        ALLOWED,
    );
    check(
        &w,
        &request(user(ME, "alice"), "s3:GetObject", "arn:aws:s3:::other/x"),
        implicit(Gate::VpcEndpoint),
    );
    check(
        &w,
        &request(user(ME, "alice"), "s3:PutObject", OBJ),
        implicit(Gate::VpcEndpoint),
    );
}

#[test]
fn conditions_and_variables_in_context() {
    let home = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/home/${aws:username}/*"}]}));
    let w = World::new().identity(vec![home]);
    check(
        &w,
        &request(
            user(ME, "alice"),
            "s3:GetObject",
            "arn:aws:s3:::bucket/home/alice/x",
        ),
        ALLOWED,
    );
    check(
        &w,
        &request(
            user(ME, "alice"),
            "s3:GetObject",
            "arn:aws:s3:::bucket/home/bob/x",
        ),
        implicit(Gate::IdentityPolicy),
    );
    // Role sessions have no aws:username: the variable has no value, nothing matches.
    check(
        &w,
        &request(
            session(ME, "R", "alice"),
            "s3:GetObject",
            "arn:aws:s3:::bucket/home/alice/x",
        ),
        implicit(Gate::IdentityPolicy),
    );
    // 2008-10-17 documents read `${...}` literally.
    let old = doc(json!({"Version": "2008-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/home/${aws:username}/*"}]}));
    let w = World::new().identity(vec![old]);
    check(
        &w,
        &request(
            user(ME, "alice"),
            "s3:GetObject",
            "arn:aws:s3:::bucket/home/alice/x",
        ),
        implicit(Gate::IdentityPolicy),
    );
    // aws:ResourceAccount and aws:PrincipalAccount are derived.
    let same_account_only = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalAccount": THEM, "aws:ResourceAccount": ME}}}]}));
    let w = World::new().resource(same_account_only).unconstrained();
    check(
        &w,
        &request(user(THEM, "bob"), "s3:GetObject", OBJ),
        ALLOWED,
    );
    check(
        &w,
        &request(user("333333333333", "eve"), "s3:GetObject", OBJ),
        implicit(Gate::ResourcePolicy),
    );
    // Source IP.
    let from_office = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}));
    let w = World::new().resource(from_office);
    let mut req = request(RequestPrincipal::Anonymous, "s3:GetObject", OBJ);
    check(&w, &req, implicit(Gate::ResourcePolicy));
    req.context.set("aws:SourceIp", "203.0.113.9");
    check(&w, &req, ALLOWED);
}

#[test]
fn unreadable_statements_are_errors_unless_a_deny_decides() {
    let odd = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEqualsFancy": {"aws:username": "alice"}}}]}));
    let w = World::new().identity(vec![odd.clone()]);
    let got = decide_in(&w, &request(user(ME, "alice"), "s3:GetObject", OBJ));
    assert!(
        matches!(got, Err(EvalError::UnsupportedOperator { ref operator, .. }) if operator == "StringEqualsFancy"),
        "{got:?}"
    );
    // A statement whose action does not match is never read.
    check(
        &w,
        &request(user(ME, "alice"), "ec2:RunInstances", "*"),
        implicit(Gate::IdentityPolicy),
    );
    let deny = doc(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}),
    );
    let w = World::new().identity(vec![odd, deny]);
    check(
        &w,
        &request(user(ME, "alice"), "s3:GetObject", OBJ),
        explicit(Gate::IdentityPolicy),
    );
    let bad_date = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "soon"}}}]}));
    let got = decide_in(
        &World::new().identity(vec![bad_date]),
        &request(user(ME, "alice"), "s3:GetObject", OBJ),
    );
    assert!(
        matches!(got, Err(EvalError::MalformedValue { .. })),
        "{got:?}"
    );
}
