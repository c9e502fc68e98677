//! Glue from the model to the solver's questions: for a graph node acting on a resource,
//! the `eval::AuthzInputs` (identity policies, boundary, SCPs, resource policy, RCPs, ACLs,
//! Block Public Access, KMS key) and the `smt` request shape (who asks, which condition
//! keys the model binds, which the requester chooses).
//!
//! Policy labels are the evidence strings of the `SourceMap` (`file#/json/pointer`), so a
//! witness's deciding statements cite where they were written.
//!
//! S3 requests and role assumptions may travel through a VPC endpoint (`NetworkPath`): AWS then sets
//! `aws:SourceVpce` and `aws:SourceVpc`, drops `aws:SourceIp` ("always included, except for
//! requests that use a VPC endpoint") and sets `aws:VpcSourceIp`, and the endpoint's policy
//! must allow the request too. A route may take any such path; which ones are worth asking
//! is decided per question (`RouteCtx::network_paths`).

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
use crate::smt::exclusions::ExcludedPatterns;
use crate::smt::from_model::UNUSABLE_KEY_LABEL;
use crate::smt::question::{KeyShape, PrincipalShape, RequestShape, StrShape};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

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
    pub foreign_org_exclusions: Arc<[String]>,
    /// The VPC endpoints the model holds (every one is in an exported account, so in the
    /// zone), with the service each serves.
    pub endpoints: Vec<ServiceEndpoint>,
    /// Endpoint ids an outsider's own endpoint cannot have: every endpoint the model holds,
    /// and every fixed `aws:SourceVpce` value our policies pin (AWS assigns endpoint ids; an
    /// outsider cannot pick one that a policy of ours names).
    pub foreign_vpce_exclusions: Arc<[String]>,
    /// VPC ids an outsider's endpoint cannot be in: every VPC the model holds (or that a
    /// held endpoint names), and every fixed `aws:SourceVpc` value our policies pin.
    pub foreign_vpc_exclusions: Arc<[String]>,
    /// Fixed `aws:SourceVpce` values our policies pin that no endpoint of the model has, and
    /// fixed `aws:SourceVpc` values that no VPC or endpoint of the model has: they may be
    /// ours in an account or region the export did not collect, or a partner's. A request
    /// allowed only through one of them is reported unknown, never allowed or denied.
    pub unheld_vpces: Vec<String>,
    pub unheld_vpcs: Vec<String>,
    /// Whether some policy of the model conditions on a source key (`SOURCE_KEYS`): only
    /// then is the request of a service acting for an outsider's resource worth asking.
    pub source_keys_pinned: bool,
    /// Fixed `aws:SourceArn` values our policies pin that name a zone account: a service
    /// acting for an outsider's resource cannot carry them (the ARN is of our resource).
    pub zone_source_arns: Arc<[String]>,
    /// `aws:userid` patterns no outsider's request matches (`KeyShape::NoneLike`): our
    /// users' unique ids, `ROLE-ID:*` (a session of our role under any name), our account
    /// ids (a root user's userid) also followed by `:*` (a federated user of ours), and
    /// `anonymous`.
    pub foreign_userid_exclusions: Arc<ExcludedPatterns>,
    /// The AWS managed key `aws/s3` of each bucket whose default encryption uses it (by
    /// bucket index): AWS's key policy for it, which only the bucket's account can use,
    /// through S3.
    pub aws_managed_keys: HashMap<usize, crate::model::kms::ManagedKey>,
    /// The policy of a key that cannot be used (disabled, pending deletion, …): it allows
    /// nothing, so the KMS leg of every object read is denied.
    pub unusable_key_policy: PolicyDocument,
    /// For a bucket policy or role trust (by id): the accounts outside the zone that the
    /// graph gives an actor (`Node::Account`) with an edge to that bucket or role. Such an
    /// account asks the same question as its own actor, so `Node::Anyone`'s "any other
    /// account" leaves it out there: a grant only that account can use is cross-account,
    /// not public.
    pub outside_actor_accounts: HashMap<PolicyId, Vec<String>>,
    /// The KMS legs refuted per requester and key (`kms_leg`), shared by every bucket
    /// under the key.
    pub kms_legs: super::kms_leg::KmsLegCache,
    /// The reads refuted per (bucket, reader account, read action) for readers whose
    /// identity policies cannot allow them (`bucket_grant`).
    pub bucket_grants: super::bucket_grant::BucketGrantCache,
    /// The (bucket, reader account) pairs no held network path can read (`relaxed`).
    pub held_reads_refuted: super::relaxed::HeldReadsRefuted,
    /// The addresses of the model's policy documents that name no network key
    /// (`network_quiet`): `network_paths` skips them, as they can change none of its
    /// choices. The model owns them for the scan, so an address here is only ever theirs.
    quiet_docs: HashSet<usize>,
}

/// Keys AWS sets only on requests an AWS service makes on behalf of a resource (or, for the
/// last two, by a service principal): an IAM principal's or anonymous caller's own request
/// never carries them (IAM User Guide, global condition keys: aws:SourceAccount,
/// aws:SourceArn, aws:SourceOwner, aws:SourceOrgID, aws:SourceOrgPaths,
/// aws:PrincipalServiceName, aws:PrincipalServiceNamesList).
const SERVICE_ONLY_KEYS: [&str; 7] = [
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOwner",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList",
];

/// The resource-side source keys among `SERVICE_ONLY_KEYS`.
const SOURCE_KEYS: [&str; 5] = [
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
];

/// The keys naming the services that forwarded a request (forward access sessions):
/// absent on a request the principal sends itself.
pub(crate) const CALLED_VIA_KEYS: [&str; 3] =
    ["aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast"];

/// A shape with every `SERVICE_ONLY_KEYS` key absent: the request a principal signs itself.
fn own_request(shape: RequestShape) -> RequestShape {
    SERVICE_ONLY_KEYS
        .iter()
        .fold(shape, |s, k| s.with_key(k, KeyShape::Absent))
}

/// A VPC endpoint (gateway or interface) the model holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceEndpoint {
    /// The service prefix of the actions it carries (`s3`, `sts`, …).
    pub service: String,
    /// `vpce-…`: the request's `aws:SourceVpce`.
    pub id: String,
    /// The request's `aws:SourceVpc` (`None` if the export does not say; then any).
    pub vpc: Option<String>,
    pub region: String,
    /// Gateway endpoints (S3, DynamoDB) serve resources of their own region only (S3 does
    /// not take cross-region requests through a gateway endpoint).
    pub gateway: bool,
    /// The endpoint policy; `None` = the endpoint has none, which is AWS's default full
    /// access (no gate).
    pub policy: Option<PolicyId>,
}

/// How a request reaches the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkPath {
    /// Not through any VPC endpoint: the network keys as each shape always set them.
    Direct,
    /// Through `RouteCtx::endpoints[i]`: its id and VPC in the request, its policy a gate.
    Endpoint(usize),
    /// Through an endpoint of someone outside the zone (credentials can be used from any
    /// VPC, an outsider's too): an id and a VPC none of ours, and a policy we cannot see,
    /// which its owner may make allow everything (no gate).
    Foreign,
    /// Through an endpoint (`vpce`) or from a VPC (`vpc`) a policy of ours pins but the
    /// export does not hold; its policy unknown (no gate). Only ever makes an answer
    /// unknown.
    Unheld {
        vpce: Option<String>,
        vpc: Option<String>,
    },
}

/// The network condition keys a VPC endpoint changes.
const VPC_KEYS: [&str; 3] = ["aws:sourcevpce", "aws:sourcevpc", "aws:vpcsourceip"];

/// Whether an endpoint state means it cannot carry requests any more.
fn endpoint_gone(state: Option<&str>) -> bool {
    state.is_some_and(|s| {
        ["deleted", "deleting", "failed", "rejected", "expired"]
            .iter()
            .any(|g| s.eq_ignore_ascii_case(g))
    })
}

/// The service prefix of the actions an AWS service endpoint carries:
/// `com.amazonaws.<region>.<service>[.<part>]` → `<service>` (`…s3` and its FIPS variant
/// `…s3-fips` → `s3`; `…sts` → `sts`; `…sagemaker.api` → `sagemaker`), a global service's
/// `com.amazonaws.<service>` → `<service>` (IAM's endpoint is `com.amazonaws.iam`, IAM User
/// Guide, "Create a VPC endpoint for IAM"), and the few endpoint names that differ from
/// their actions' prefix (`bedrock-runtime` → `bedrock`). `None` for endpoint services
/// that are not AWS's own (`com.amazonaws.vpce.<region>.vpce-svc-…`, Marketplace).
fn endpoint_service(service_name: &str) -> Option<&str> {
    let rest = service_name.strip_prefix("com.amazonaws.")?;
    if rest.starts_with("vpce.") {
        return None;
    }
    let mut parts = rest.split('.');
    let first = parts.next()?;
    let is_region = first.contains('-') && first.ends_with(|c: char| c.is_ascii_digit());
    let service = if is_region { parts.next()? } else { first };
    let service = service.strip_suffix("-fips").unwrap_or(service);
    const ACTION_PREFIX: [(&str, &str); 5] = [
        ("bedrock-runtime", "bedrock"),
        ("bedrock-agent", "bedrock"),
        ("bedrock-agent-runtime", "bedrock"),
        ("kinesis-streams", "kinesis"),
        ("git-codecommit", "codecommit"),
    ];
    Some(
        ACTION_PREFIX
            .iter()
            .find(|(name, _)| *name == service)
            .map_or(service, |(_, prefix)| prefix),
    )
}

/// Whether a policy conditions on (or names as a policy variable) any of `keys`
/// (lowercase).
pub fn doc_mentions_keys(doc: &PolicyDocument, keys: &[&str]) -> bool {
    // Asked of every policy of every question a scan plans: nothing is allocated.
    let variable = |s: &str| keys.iter().any(|k| names_variable(s, k, false));
    doc.statements.iter().any(|st| {
        st.conditions.iter().any(|c| {
            keys.iter().any(|k| c.key.eq_ignore_ascii_case(k))
                || c.values.iter().any(|v| variable(v))
        }) || st
            .resource
            .as_ref()
            .is_some_and(|r| r.patterns.iter().any(|p| variable(p)))
    })
}

/// Whether a policy document names no network key: no condition on (and no policy
/// variable of) `VPC_KEYS` or `aws:SourceIp`, and no variable whose name starts with
/// `aws:SourceVpc`. Such a document adds nothing to any of `RouteCtx::network_paths`'s
/// tests (each looks for one of these keys in the question's documents).
fn network_quiet(doc: &PolicyDocument) -> bool {
    let prefixed = |v: &String| names_variable(v, "aws:sourcevpc", true);
    !doc_mentions_keys(doc, &VPC_KEYS)
        && !doc_mentions_keys(doc, &["aws:sourceip"])
        && !doc.statements.iter().any(|st| {
            st.conditions.iter().any(|c| c.values.iter().any(prefixed))
                || st
                    .resource
                    .as_ref()
                    .is_some_and(|r| r.patterns.iter().any(prefixed))
        })
}

/// The address of a policy document: what `RouteCtx::quiet_docs` and the refutation caches
/// (`kms_leg`, `bucket_grant`) name a document by. The model owns its documents for the
/// whole scan, so while it lives an address is only ever one document's.
pub(super) fn doc_address(doc: &PolicyDocument) -> usize {
    std::ptr::from_ref(doc) as usize
}

/// Whether `s` holds the policy variable `${key}` (ASCII case ignored; `key` lowercase),
/// or, with `prefix`, a variable whose name starts with `key`.
fn names_variable(s: &str, key: &str, prefix: bool) -> bool {
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(at) = s.get(from..).and_then(|rest| rest.find("${")) {
        let name = from + at + 2;
        let rest = bytes.get(name..).unwrap_or_default();
        if rest.len() >= key.len()
            && rest[..key.len()].eq_ignore_ascii_case(key.as_bytes())
            && (prefix || rest.get(key.len()) == Some(&b'}'))
        {
            return true;
        }
        from = name;
    }
    false
}

/// Every policy document of a question (the KMS key's policy aside: S3's call to KMS
/// carries no network keys).
pub fn input_docs<'x>(inputs: &'x AuthzInputs<'_>) -> Vec<&'x PolicyDocument> {
    let mut docs: Vec<&PolicyDocument> = Vec::new();
    let org = |o: &'x OrgPolicies<'_>, docs: &mut Vec<&'x PolicyDocument>| {
        for level in &o.levels {
            docs.extend(level.iter().map(|p| p.doc));
        }
    };
    if let IdentityInputs::Known(ip) = &inputs.identity {
        docs.extend(ip.policies.iter().map(|p| p.doc));
        docs.extend(ip.permissions_boundary.iter().map(|p| p.doc));
        if let Some(s) = &ip.session_policies {
            docs.extend(s.iter().map(|p| p.doc));
        }
        if let Some(o) = &ip.scps {
            org(o, &mut docs);
        }
    }
    docs.extend(inputs.resource_policy.iter().map(|p| p.doc));
    docs.extend(inputs.vpc_endpoint_policy.iter().map(|p| p.doc));
    if let Some(o) = &inputs.rcps {
        org(o, &mut docs);
    }
    docs
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
        let mut source_keys_pinned = false;
        let mut zone_source_arns: Vec<String> = Vec::new();
        for p in &model.policies {
            for st in &p.document.statements {
                for c in &st.conditions {
                    let key = c.key.to_ascii_lowercase();
                    if SOURCE_KEYS.contains(&key.as_str()) {
                        source_keys_pinned = true;
                    }
                    if key == "aws:sourcearn" {
                        zone_source_arns.extend(
                            c.values
                                .iter()
                                .filter(|v| !v.contains(['*', '?']) && !v.contains("${"))
                                .filter(|v| {
                                    v.split(':')
                                        .nth(4)
                                        .is_some_and(|a| zone.accounts.contains(a))
                                })
                                .cloned(),
                        );
                    }
                }
            }
        }
        zone_source_arns.sort();
        zone_source_arns.dedup();
        let foreign_userid_exclusions = userid_exclusions(model, &zone);
        let aws_managed_keys = crate::model::kms::managed_s3_keys(model);
        let outside_actor_accounts = outside_actors(model, &zone);
        let endpoints = network_endpoints(model);
        RouteCtx {
            source_keys_pinned,
            zone_source_arns: zone_source_arns.into(),
            foreign_userid_exclusions: Arc::new(ExcludedPatterns::new(foreign_userid_exclusions)),
            aws_managed_keys,
            unusable_key_policy: empty(),
            outside_actor_accounts,
            foreign_org_exclusions: foreign_org_exclusions.into(),
            endpoints: endpoints.endpoints,
            foreign_vpce_exclusions: endpoints.foreign_vpce_exclusions.into(),
            foreign_vpc_exclusions: endpoints.foreign_vpc_exclusions.into(),
            unheld_vpces: endpoints.unheld_vpces,
            unheld_vpcs: endpoints.unheld_vpcs,
            model,
            sources,
            zone,
            labels,
            by_label,
            allow_all: parse_policy_text(ALLOW_ALL).unwrap_or_else(|_| empty()),
            outside_bucket_policy: parse_policy_text(OUTSIDE_BUCKET).unwrap_or_else(|_| empty()),
            now,
            kms_legs: Default::default(),
            bucket_grants: Default::default(),
            held_reads_refuted: Default::default(),
            quiet_docs: model
                .policies
                .par_iter()
                .filter(|p| network_quiet(&p.document))
                .map(|p| doc_address(&p.document))
                .collect(),
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
                    arn: format!("arn:aws:sts::{account}:assumed-role/{name}/{ROLE_SESSION_NAME}"),
                    account,
                    kind: AwsPrincipalKind::RoleSession { role_arn },
                    canonical_user: canonical,
                })
            }
        }
    }

    /// `aws:userid` of an inside principal's requests, when the export has its unique id:
    /// the user's `AIDA…` id, or `AROA…:leakpath` for the role session `aws_principal`
    /// names.
    pub fn userid(&self, p: PrincipalRef) -> Option<String> {
        crate::smt::from_model::principal_userid(self.model, p, ROLE_SESSION_NAME)
    }

    /// The request shapes a node acts with (several for `Anyone`: anonymous, and a principal
    /// of any other account). Empty for nodes that make no requests themselves.
    pub fn shapes(&self, n: &Node, action: &str, resource: StrShape) -> Vec<RequestShape> {
        let action = StrShape::Exact(action.to_string());
        let outside = |shape: RequestShape| {
            own_request(self.common_keys(shape))
                .with_key("aws:SourceIp", KeyShape::PublicIp)
                .with_key("aws:SourceVpce", KeyShape::Absent)
                .with_key("aws:SourceVpc", KeyShape::Absent)
                .with_key("aws:VpcSourceIp", KeyShape::Absent)
                .with_key(
                    "aws:PrincipalOrgID",
                    KeyShape::NoneOf(self.foreign_org_exclusions.clone()),
                )
                .with_key("aws:PrincipalOrgPaths", KeyShape::Absent)
                .with_key(
                    "aws:userid",
                    KeyShape::NoneLike(self.foreign_userid_exclusions.clone()),
                )
        };
        // The request of an AWS service acting for a resource of the outsider (`account`:
        // that account; `None`: any account outside the zone). The solver's principal shapes
        // hold IAM identities only, so the service stands as one of the outsider's
        // principals carrying the source keys of the outsider's resource: never our
        // account, organization or resource ARNs, any service name. Asked only when a
        // policy pins a source key (otherwise it allows nothing `outside` does not).
        let for_outside_resource = |shape: RequestShape, account: Option<&String>| {
            let accounts = match account {
                Some(a) => KeyShape::Fixed(ContextValue::Single(a.clone())),
                None => KeyShape::NoneOf(self.zone.accounts.iter().cloned().collect()),
            };
            outside(shape)
                .with_key("aws:SourceAccount", accounts.clone())
                .with_key("aws:SourceOwner", accounts)
                .with_key(
                    "aws:SourceArn",
                    KeyShape::NoneOf(self.zone_source_arns.clone()),
                )
                .with_key(
                    "aws:SourceOrgID",
                    KeyShape::NoneOf(self.foreign_org_exclusions.clone()),
                )
                .with_key("aws:SourceOrgPaths", KeyShape::Free)
                .with_key("aws:PrincipalServiceName", KeyShape::AnyPresent)
                .with_key("aws:PrincipalServiceNamesList", KeyShape::Free)
        };
        match n {
            Node::Anyone => {
                let principal = PrincipalShape::AnyOutside {
                    excluded: self.zone.accounts.iter().cloned().collect(),
                    org_ids: self.foreign_org_exclusions.to_vec(),
                };
                let anonymous = own_request(
                    self.common_keys(RequestShape::anonymous(action.clone(), resource.clone())),
                );
                let mut out = vec![
                    anonymous,
                    outside(RequestShape::new(
                        principal.clone(),
                        action.clone(),
                        resource.clone(),
                    )),
                ];
                if self.source_keys_pinned {
                    out.push(for_outside_resource(
                        RequestShape::new(principal, action, resource),
                        None,
                    ));
                }
                out
            }
            Node::Account(a) => {
                let mut out = vec![outside(RequestShape::new(
                    PrincipalShape::AnyOfAccount(a.clone()),
                    action.clone(),
                    resource.clone(),
                ))];
                if self.source_keys_pinned {
                    out.push(for_outside_resource(
                        RequestShape::new(
                            PrincipalShape::AnyOfAccount(a.clone()),
                            action,
                            resource,
                        ),
                        Some(a),
                    ));
                }
                out
            }
            Node::Federated(provider) => vec![own_request(
                self.common_keys(
                    RequestShape::new(
                        PrincipalShape::Exact(RequestPrincipal::Federated {
                            provider: provider.clone(),
                        }),
                        action,
                        resource,
                    )
                    .with_key("aws:SourceIp", KeyShape::PublicIp),
                ),
            )],
            Node::Principal(p) | Node::Escalated { principal: p, .. } => {
                let account = crate::graph::principal_account(self.model, *p);
                let org = self.principal_org_key(&account);
                let shape = own_request(
                    self.common_keys(
                        RequestShape::new(
                            PrincipalShape::Exact(self.aws_principal(*p)),
                            action,
                            resource,
                        )
                        .with_key("aws:PrincipalOrgID", org)
                        .with_key("aws:SourceVpce", KeyShape::Absent)
                        .with_key("aws:SourceVpc", KeyShape::Absent)
                        .with_key("aws:VpcSourceIp", KeyShape::Absent)
                        // The principal's own call: no service forwards it (IAM User Guide,
                        // aws:ViaAWSService "is always included in the request context",
                        // false unless a service makes the call with forward access
                        // sessions; aws:CalledVia is present only then). A call a service
                        // makes for it is its own alternative
                        // (`confirm::add_fas_alternatives`).
                        .with_key(
                            "aws:ViaAWSService",
                            KeyShape::Fixed(ContextValue::Single("false".into())),
                        ),
                    ),
                );
                let shape = CALLED_VIA_KEYS
                    .iter()
                    .fold(shape, |s, k| s.with_key(k, KeyShape::Absent));
                vec![shape]
            }
            _ => Vec::new(),
        }
    }

    /// Keys the world fixes for every request: the time of the scan, and whether TLS was
    /// used (always present, either value).
    pub(crate) fn common_keys(&self, shape: RequestShape) -> RequestShape {
        let now = KeyShape::Fixed(ContextValue::Single(self.now.clone()));
        shape
            .with_key("aws:CurrentTime", now.clone())
            .with_key("aws:TokenIssueTime", now)
            // Every request says whether it came over TLS.
            .with_key("aws:SecureTransport", KeyShape::AnyPresent)
    }

    /// `aws:PrincipalOrgID` of a principal of `account`: our organization id when the
    /// account is in the zone and the organization, else absent.
    pub fn principal_org_key(&self, account: &str) -> KeyShape {
        match &self.zone.org_id {
            Some(o) if self.zone.contains(account) && self.in_org(account) => {
                KeyShape::Fixed(ContextValue::Single(o.clone()))
            }
            _ => KeyShape::Absent,
        }
    }

    /// The resource shape of read action `action` on the bucket `arn`: any of its objects
    /// (an object read: `s3:GetObject`, `s3:GetObjectVersion`), or the bucket itself
    /// (`s3:ListBucket`).
    pub fn read_resource(action: &str, arn: &str) -> StrShape {
        if crate::graph::data::is_object_read(action) {
            StrShape::Matching(format!("{arn}/*"))
        } else {
            StrShape::Exact(arn.to_string())
        }
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

    /// The network paths worth asking for a request to `service` (the action's prefix:
    /// `s3`, `sts`) with `inputs` (always `Direct` first). `inside`: the requester is a
    /// principal of the zone; `resource_region`: the region of the resource (`None`: any,
    /// e.g. egress to a bucket the outsider picks, or a global resource like a role).
    ///
    /// Which endpoints an inside principal may use: an endpoint serves only requests from
    /// its own VPC (gateway: the subnets whose route tables it is on; interface: the VPC),
    /// so the exact answer is "where can this principal's credentials be used". Role
    /// sessions are handed to code on any instance, function or container the organization
    /// runs, users' keys sit on any host, and credentials read from one host can be used from
    /// another; the export does not tell which VPCs those are. The sound choice (a route
    /// must never be missed) is every endpoint of the service in the zone, gateway endpoints
    /// only in the resource's region (interface endpoints are left unrestricted,
    /// conservatively). Credentials can also be used from an outsider's VPC through the
    /// outsider's endpoint (`Foreign`), for inside and outside requesters alike.
    ///
    /// Only paths that can change the answer are asked: an endpoint only adds a gate and
    /// the keys `aws:SourceVpce`, `aws:SourceVpc`, `aws:VpcSourceIp` (and drops
    /// `aws:SourceIp`), so when no policy of the question names those keys (outside
    /// requesters: or `aws:SourceIp`, which their direct shape fixes to a public address),
    /// every request allowed through an endpoint is allowed directly too.
    pub fn network_paths(
        &self,
        inside: bool,
        service: &str,
        resource_region: Option<&str>,
        inputs: &AuthzInputs<'_>,
    ) -> Vec<NetworkPath> {
        let mut out = vec![NetworkPath::Direct];
        // Asked of every question a scan plans, and a principal's policies are mostly
        // large managed ones that name no network key: those are left out by address.
        let mut docs = input_docs(inputs);
        docs.retain(|d| !self.quiet_docs.contains(&doc_address(d)));
        let mentioned = docs.iter().any(|d| {
            doc_mentions_keys(d, &VPC_KEYS) || (!inside && doc_mentions_keys(d, &["aws:sourceip"]))
        });
        if !mentioned {
            return out;
        }
        // An endpoint whose id and VPC no condition value of the question can match (as a
        // case-insensitive pattern, whatever the operator) is one the policies cannot tell
        // from an outsider's: every request allowed through it (the same keys, one more
        // gate) is allowed through the foreign path asked below with a value none of them
        // matches either, so asking it would only repeat a refutation.
        let by_variable = docs.iter().any(|d| {
            d.statements.iter().any(|st| {
                let var = |v: &String| names_variable(v, "aws:sourcevpc", true);
                st.conditions.iter().any(|c| c.values.iter().any(var))
                    || st
                        .resource
                        .as_ref()
                        .is_some_and(|r| r.patterns.iter().any(var))
            })
        });
        // Whether some condition on `key` in the question has a value `hit` accepts.
        let any_value = |key: &str, hit: &dyn Fn(&str) -> bool| {
            docs.iter().any(|d| {
                d.statements.iter().any(|st| {
                    st.conditions
                        .iter()
                        .any(|c| c.key.eq_ignore_ascii_case(key) && c.values.iter().any(|v| hit(v)))
                })
            })
        };
        let matched = |key: &str, value: &str| {
            any_value(key, &|v| {
                crate::smt::glob::Glob::pattern(v, true).matches(value)
            })
        };
        if inside {
            for (i, e) in self.endpoints.iter().enumerate() {
                if e.service != service
                    || (e.gateway && resource_region.is_some_and(|r| r != e.region))
                {
                    continue;
                }
                let told_apart = by_variable
                    || matched("aws:SourceVpce", &e.id)
                    || e.vpc.as_deref().is_none_or(|v| matched("aws:SourceVpc", v));
                if told_apart {
                    out.push(NetworkPath::Endpoint(i));
                }
            }
        }
        out.push(NetworkPath::Foreign);
        // Only endpoints and VPCs this question's own policies pin can behave unlike the
        // foreign alternative (which takes a value none of them names): the others would
        // repeat its answer, one question each, on every edge of a large export.
        let pinned_here = |key: &str, v: &str| any_value(key, &|x| x == v);
        for v in &self.unheld_vpces {
            if pinned_here("aws:SourceVpce", v) {
                out.push(NetworkPath::Unheld {
                    vpce: Some(v.clone()),
                    vpc: None,
                });
            }
        }
        for v in &self.unheld_vpcs {
            if pinned_here("aws:SourceVpc", v) {
                out.push(NetworkPath::Unheld {
                    vpce: None,
                    vpc: Some(v.clone()),
                });
            }
        }
        out
    }

    /// The question of one request sent along `path`: the network keys it sets and the
    /// endpoint policy it must pass.
    pub fn along_path<'c>(
        &'c self,
        path: &NetworkPath,
        mut inputs: AuthzInputs<'c>,
        shape: RequestShape,
    ) -> (AuthzInputs<'c>, RequestShape) {
        let shape = self.without_outside_actors(&inputs, shape);
        let (vpce, vpc) = match path {
            NetworkPath::Direct => return (inputs, shape),
            NetworkPath::Endpoint(i) => {
                let Some(e) = self.endpoints.get(*i) else {
                    return (inputs, shape);
                };
                inputs.vpc_endpoint_policy = e.policy.and_then(|p| self.policy_ref(p));
                (
                    KeyShape::Fixed(ContextValue::Single(e.id.clone())),
                    match &e.vpc {
                        Some(v) => KeyShape::Fixed(ContextValue::Single(v.clone())),
                        None => KeyShape::AnyPresent,
                    },
                )
            }
            NetworkPath::Foreign => (
                KeyShape::NoneOf(self.foreign_vpce_exclusions.clone()),
                KeyShape::NoneOf(self.foreign_vpc_exclusions.clone()),
            ),
            NetworkPath::Unheld { vpce, vpc } => {
                let fixed = |v: &Option<String>| match v {
                    Some(v) => KeyShape::Fixed(ContextValue::Single(v.clone())),
                    None => KeyShape::AnyPresent,
                };
                (fixed(vpce), fixed(vpc))
            }
        };
        let shape = shape
            .with_key("aws:SourceVpce", vpce)
            .with_key("aws:SourceVpc", vpc)
            // The host's private address; AWS leaves `aws:SourceIp` out.
            .with_key("aws:VpcSourceIp", KeyShape::AnyPresent)
            .with_key("aws:SourceIp", KeyShape::Absent);
        (inputs, shape)
    }

    /// `shape` with "any other account" (`AnyOutside`) narrowed to the accounts that have
    /// no actor of their own on the question's bucket or role (`outside_actor_accounts`):
    /// those ask the same question as `Node::Account`, and their routes are cross-account.
    fn without_outside_actors(
        &self,
        inputs: &AuthzInputs<'_>,
        mut shape: RequestShape,
    ) -> RequestShape {
        let PrincipalShape::AnyOutside { excluded, .. } = &mut shape.principal else {
            return shape;
        };
        let Some(pid) = inputs
            .resource_policy
            .and_then(|r| self.by_label.get(r.label))
        else {
            return shape;
        };
        if let Some(accounts) = self.outside_actor_accounts.get(pid) {
            excluded.extend(accounts.iter().cloned());
            excluded.sort();
            excluded.dedup();
        }
        shape
    }

    /// The KMS key of a bucket's default encryption: the customer key when the export
    /// holds it (a key that cannot be used allows nothing), or the AWS managed key `aws/s3`
    /// when the encryption names no key.
    fn bucket_key(&self, b: BucketId) -> Option<KmsKeyInputs<'_>> {
        let m = self.model;
        let bucket = m.buckets.get(b.index())?;
        if let Some(k) = self.aws_managed_keys.get(&b.index()) {
            return Some(crate::smt::from_model::managed_key_inputs(k));
        }
        let key = m.bucket_kms_key(b)?;
        let key_account = m.str(key.account).to_string();
        let region = bucket
            .region
            .present()
            .cloned()
            .unwrap_or_else(|| m.str(key.region).to_string());
        let key_policy = if key.unusable() {
            // KMS refuses every cryptographic operation, whatever the key policy says.
            PolicyRef {
                label: UNUSABLE_KEY_LABEL,
                doc: &self.unusable_key_policy,
            }
        } else {
            let Collected::Present(pid) = key.policy else {
                return None;
            };
            self.policy_ref(pid)?
        };
        Some(KmsKeyInputs {
            key_arn: m.str(key.arn).to_string(),
            key_account: key_account.clone(),
            key_policy,
            rcps: self.org_policies(&key_account, OrgPolicyType::ResourceControl),
            via_service: Some(format!("s3.{region}.amazonaws.com")),
        })
    }
}

/// `RouteCtx::outside_actor_accounts` of a model, as the graph makes `Node::Account`
/// actors: a bucket's read grantees (`graph::data`: the accounts its policy names as
/// read principals, or every account it names at all when it lets anyone read), and the
/// accounts a role trust that lets anyone assume names (`graph::principals`).
fn outside_actors(model: &Model, zone: &ZoneOfTrust) -> HashMap<PolicyId, Vec<String>> {
    use crate::graph::data::{read_target, READ_ACTIONS};
    use crate::graph::patterns::{
        accounts_named, allowed_principals, principal_entry_account, NamedPrincipals,
        ResourceTarget,
    };
    let mut out = HashMap::new();
    let mut keep = |pid: PolicyId, mut accounts: Vec<String>| {
        accounts.retain(|a| !zone.contains(a));
        accounts.sort();
        accounts.dedup();
        if !accounts.is_empty() {
            out.insert(pid, accounts);
        }
    };
    for bucket in &model.buckets {
        let Collected::Present(Some(pid)) = bucket.policy else {
            continue;
        };
        let Some(p) = model.policy(pid) else { continue };
        let arn = model.str(bucket.arn).to_string();
        let prefix = format!("{arn}/");
        let mut any = false;
        let mut accounts = Vec::new();
        for action in READ_ACTIONS {
            match allowed_principals(&p.document, action, read_target(action, &arn, &prefix)) {
                NamedPrincipals::Any => any = true,
                NamedPrincipals::Entries(es) => accounts.extend(
                    es.iter()
                        .filter(|e| e.kind == crate::policy::PrincipalKind::Aws)
                        .filter_map(|e| principal_entry_account(&e.value))
                        .map(str::to_string),
                ),
            }
        }
        if any {
            accounts_named(&p.document, &mut accounts);
        }
        keep(pid, accounts);
    }
    for role in &model.roles {
        if role.service_linked {
            continue;
        }
        let Collected::Present(pid) = role.trust_policy else {
            continue;
        };
        let Some(p) = model.policy(pid) else { continue };
        let arn = model.str(role.arn).to_string();
        if matches!(
            allowed_principals(&p.document, "sts:AssumeRole", ResourceTarget::Exact(&arn)),
            NamedPrincipals::Any
        ) {
            let mut accounts = Vec::new();
            accounts_named(&p.document, &mut accounts);
            keep(pid, accounts);
        }
    }
    out
}

/// Evidence label of the policy standing for a key that cannot be used.

/// The session name of the role sessions inside principals act through.
const ROLE_SESSION_NAME: &str = "leakpath";

/// `RouteCtx::foreign_userid_exclusions` of a model: the userids that are ours (IAM User
/// Guide, "Policy variables", unique identifiers: an IAM user's `aws:userid` is its unique
/// id, a role session's `role-id:session-name`, a root user's the account id, a federated
/// user's `account:name`, an anonymous caller's `anonymous`): our users' ids, `ROLE-ID:*`
/// for our roles (any session name), every zone account with and without `:*` (its root
/// user, its federated users) and `anonymous`. Ids holding a wildcard character (not
/// AWS's) are left out: excluding less is the sound side.
fn userid_exclusions(model: &Model, zone: &ZoneOfTrust) -> Vec<String> {
    let usable = |id: &&String| !id.is_empty() && !id.contains(['*', '?']);
    let mut out: Vec<String> = Vec::new();
    for id in model
        .users
        .iter()
        .filter_map(|u| u.unique_id.as_ref())
        .filter(usable)
    {
        out.push(id.clone());
    }
    for id in model
        .roles
        .iter()
        .filter_map(|r| r.unique_id.as_ref())
        .filter(usable)
    {
        out.push(format!("{id}:*"));
    }
    for account in zone.accounts.iter().filter(usable) {
        out.push(account.clone());
        out.push(format!("{account}:*"));
    }
    out.push("anonymous".to_string());
    out.sort();
    out.dedup();
    out
}

/// The endpoint side of a `RouteCtx`.
struct Endpoints {
    endpoints: Vec<ServiceEndpoint>,
    foreign_vpce_exclusions: Vec<String>,
    foreign_vpc_exclusions: Vec<String>,
    unheld_vpces: Vec<String>,
    unheld_vpcs: Vec<String>,
}

fn network_endpoints(model: &Model) -> Endpoints {
    let mut endpoints = Vec::new();
    let mut held_vpces = Vec::new();
    let mut held_vpcs: Vec<String> = model
        .vpcs
        .iter()
        .map(|v| model.str(v.id).to_string())
        .collect();
    for e in &model.vpc_endpoints {
        let id = model.str(e.id).to_string();
        let vpc = e.vpc.map(|v| model.str(v).to_string());
        held_vpces.push(id.clone());
        held_vpcs.extend(vpc.iter().cloned());
        let Some(service) = endpoint_service(&e.service_name) else {
            continue;
        };
        if endpoint_gone(e.state.as_deref()) {
            continue;
        }
        endpoints.push(ServiceEndpoint {
            service: service.to_string(),
            id,
            vpc,
            region: model.str(e.region).to_string(),
            gateway: e
                .endpoint_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("Gateway")),
            policy: e.policy,
        });
    }
    // Fixed values our policies pin (a wildcard pins nothing).
    let mut pinned_vpces = Vec::new();
    let mut pinned_vpcs = Vec::new();
    for p in &model.policies {
        for st in &p.document.statements {
            for c in &st.conditions {
                let into = if c.key.eq_ignore_ascii_case("aws:SourceVpce") {
                    &mut pinned_vpces
                } else if c.key.eq_ignore_ascii_case("aws:SourceVpc") {
                    &mut pinned_vpcs
                } else {
                    continue;
                };
                into.extend(
                    c.values
                        .iter()
                        .filter(|v| !v.contains(['*', '?']) && !v.contains("${"))
                        .cloned(),
                );
            }
        }
    }
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v.dedup();
        v
    };
    let held_vpces = sorted(held_vpces);
    let held_vpcs = sorted(held_vpcs);
    let pinned_vpces = sorted(pinned_vpces);
    let pinned_vpcs = sorted(pinned_vpcs);
    Endpoints {
        unheld_vpces: pinned_vpces
            .iter()
            .filter(|v| !held_vpces.contains(v))
            .cloned()
            .collect(),
        unheld_vpcs: pinned_vpcs
            .iter()
            .filter(|v| !held_vpcs.contains(v))
            .cloned()
            .collect(),
        foreign_vpce_exclusions: sorted(held_vpces.into_iter().chain(pinned_vpces).collect()),
        foreign_vpc_exclusions: sorted(held_vpcs.into_iter().chain(pinned_vpcs).collect()),
        endpoints,
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

/// VPC endpoints: which service each serves, which keys a policy must name for endpoints to matter,
/// and the paths a question gets.
#[cfg(test)]
mod endpoint_tests {
    use super::*;
    use crate::model::{ExportLayout, Policy, PolicyKind, VpcEndpoint};
    use std::path::PathBuf;

    fn policy(text: &str) -> PolicyDocument {
        parse_policy_text(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    /// A model holding S3 endpoints (id, region, type) in vpc-1 and the given bucket policies.
    fn model(endpoints: &[(&str, &str, &str, &str)], policies: &[&str]) -> Model {
        let mut m = Model::new(PathBuf::from("."), ExportLayout::Native);
        for text in policies {
            m.policies.push(Policy {
                kind: PolicyKind::Bucket,
                name: None,
                account: None,
                document: policy(text),
            });
        }
        for (id, region, kind, service) in endpoints {
            let e = VpcEndpoint {
                id: m.interner.intern(id),
                vpc: Some(m.interner.intern("vpc-1")),
                account: m.interner.intern("111111111111"),
                region: m.interner.intern(region),
                service_name: service.to_string(),
                endpoint_type: Some(kind.to_string()),
                state: Some("available".into()),
                policy: None,
                route_tables: Vec::new(),
                subnets: Vec::new(),
                security_groups: Vec::new(),
                private_dns_enabled: None,
            };
            m.vpc_endpoints.push(e);
        }
        m
    }

    #[test]
    fn policy_variables_are_found_by_name() {
        let check = |s: &str, key: &str, prefix: bool, expect: bool| {
            assert_eq!(names_variable(s, key, prefix), expect, "{s} {key} {prefix}");
        };
        check("${aws:SourceVpce}", "aws:sourcevpce", false, true);
        check("x/${AWS:SOURCEVPC}/y", "aws:sourcevpc", false, true);
        check("${aws:SourceVpce}", "aws:sourcevpc", false, false);
        check("${aws:SourceVpce}", "aws:sourcevpc", true, true);
        check(
            "${aws:username}/${aws:SourceIp}",
            "aws:sourceip",
            false,
            true,
        );
        check("${aws:SourceIp", "aws:sourceip", false, false);
        check("$aws:SourceIp}", "aws:sourceip", false, false);
        check("${aws:Source", "aws:sourceip", true, false);
        check("${${aws:SourceIp}", "aws:sourceip", false, true);
        check("é${aws:sourceip}", "aws:sourceip", false, true);
    }

    fn check_mentions(text: &str, keys: &[&str], expect: bool) {
        assert_eq!(doc_mentions_keys(&policy(text), keys), expect, "{text}");
    }

    #[test]
    fn which_policies_name_network_keys() {
        let cond = |c: &str| {
            format!(
                r#"{{"Statement":[{{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{c}}}]}}"#
            )
        };
        check_mentions(
            &cond(r#"{"StringNotEquals":{"AWS:SourceVpce":"vpce-1"}}"#),
            &VPC_KEYS,
            true,
        );
        check_mentions(
            &cond(r#"{"Null":{"aws:SourceVpc":"true"}}"#),
            &VPC_KEYS,
            true,
        );
        check_mentions(
            &cond(r#"{"StringEquals":{"aws:PrincipalTag/vpce":"${aws:SourceVpce}"}}"#),
            &VPC_KEYS,
            true,
        );
        check_mentions(
            &cond(r#"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#),
            &VPC_KEYS,
            false,
        );
        check_mentions(
            &cond(r#"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#),
            &["aws:sourceip"],
            true,
        );
        check_mentions(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:SourceVpc}/*"}]}"#,
            &VPC_KEYS,
            true,
        );
        check_mentions(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
            &VPC_KEYS,
            false,
        );
    }

    #[test]
    fn s3_services_and_dead_endpoints() {
        assert_eq!(endpoint_service("com.amazonaws.us-east-1.s3"), Some("s3"));
        assert_eq!(
            endpoint_service("com.amazonaws.us-east-1.s3-fips"),
            Some("s3")
        );
        assert_eq!(
            endpoint_service("com.amazonaws.us-east-1.s3express"),
            Some("s3express")
        );
        assert_eq!(endpoint_service("com.amazonaws.us-east-1.sts"), Some("sts"));
        assert_eq!(endpoint_service("com.amazonaws.iam"), Some("iam"));
        assert_eq!(
            endpoint_service("com.amazonaws.us-gov-west-1.sagemaker.api"),
            Some("sagemaker")
        );
        assert_eq!(
            endpoint_service("com.amazonaws.eu-west-1.bedrock-runtime"),
            Some("bedrock")
        );
        assert_eq!(
            endpoint_service("com.amazonaws.vpce.us-east-1.vpce-svc-0123"),
            None
        );
        assert_eq!(endpoint_service("aws.sagemaker.us-east-1.notebook"), None);
        assert!(endpoint_gone(Some("Deleted")));
        assert!(!endpoint_gone(Some("available")));
        assert!(!endpoint_gone(Some("pendingAcceptance")));
        assert!(!endpoint_gone(None));
    }

    #[test]
    fn pinned_and_held_endpoints() {
        let m = model(
            &[
                (
                    "vpce-a",
                    "us-east-1",
                    "Gateway",
                    "com.amazonaws.us-east-1.s3",
                ),
                (
                    "vpce-d",
                    "us-east-1",
                    "Interface",
                    "com.amazonaws.us-east-1.dynamodb",
                ),
            ],
            &[
                r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":["vpce-a","vpce-z","vpce-*"],"aws:SourceVpc":"vpc-9"}}}]}"#,
            ],
        );
        let e = network_endpoints(&m);
        assert_eq!(e.endpoints.len(), 2);
        assert_eq!(e.endpoints[0].id, "vpce-a");
        assert_eq!(e.endpoints[0].service, "s3");
        assert!(e.endpoints[0].gateway);
        assert_eq!(e.endpoints[1].service, "dynamodb");
        assert_eq!(e.unheld_vpces, vec!["vpce-z".to_string()]);
        assert_eq!(e.unheld_vpcs, vec!["vpc-9".to_string()]);
        assert_eq!(
            e.foreign_vpce_exclusions,
            vec!["vpce-a", "vpce-d", "vpce-z"]
        );
        assert_eq!(e.foreign_vpc_exclusions, vec!["vpc-1", "vpc-9"]);
    }

    fn check_paths(
        endpoints: &[(&str, &str, &str, &str)],
        bucket_policy: &str,
        inside: bool,
        bucket_region: Option<&str>,
        expect: &[NetworkPath],
    ) {
        let m = model(endpoints, &[bucket_policy]);
        let sources = SourceMap::new();
        let zone = ZoneOfTrust::of(&m);
        let ctx = RouteCtx::new(&m, &sources, zone, "2026-01-01T00:00:00Z".into());
        let inputs = AuthzInputs {
            identity: IdentityInputs::Unconstrained,
            resource_account: "111111111111".into(),
            resource_policy: ctx.policy_ref(PolicyId(0)),
            resource_policy_mode: ResourcePolicyMode::Alternative,
            rcps: None,
            vpc_endpoint_policy: None,
            s3: None,
            kms: None,
        };
        assert_eq!(
            ctx.network_paths(inside, "s3", bucket_region, &inputs),
            expect,
            "{bucket_policy} inside={inside} region={bucket_region:?}"
        );
    }

    #[test]
    fn paths_asked_per_question() {
        let locked = r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-a"}}}]}"#;
        let ip_only = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}]}"#;
        let plain =
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
        let eps = [
            (
                "vpce-a",
                "us-east-1",
                "Gateway",
                "com.amazonaws.us-east-1.s3",
            ),
            (
                "vpce-b",
                "eu-west-1",
                "Gateway",
                "com.amazonaws.eu-west-1.s3",
            ),
            (
                "vpce-c",
                "eu-west-1",
                "Interface",
                "com.amazonaws.eu-west-1.s3",
            ),
            // Another service's endpoint: never a path for S3.
            (
                "vpce-s",
                "us-east-1",
                "Interface",
                "com.amazonaws.us-east-1.sts",
            ),
        ];
        use NetworkPath::*;
        // Nothing names the network keys: the direct request is all there is to ask.
        check_paths(&eps, plain, true, Some("us-east-1"), &[Direct]);
        check_paths(&eps, plain, false, None, &[Direct]);
        // Inside: the S3 endpoints of the zone a condition value can tell apart (gateways
        // only in the bucket's region); then an outsider's endpoint, which answers for the
        // endpoints no value matches.
        check_paths(
            &eps,
            locked,
            true,
            Some("us-east-1"),
            &[Direct, Endpoint(0), Foreign],
        );
        check_paths(&eps, locked, true, None, &[Direct, Endpoint(0), Foreign]);
        let any_vpce = r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotLike":{"aws:SourceVpce":"VPCE-*"}}}]}"#;
        check_paths(
            &eps,
            any_vpce,
            true,
            Some("us-east-1"),
            &[Direct, Endpoint(0), Endpoint(2), Foreign],
        );
        check_paths(
            &eps,
            any_vpce,
            true,
            None,
            &[Direct, Endpoint(0), Endpoint(1), Endpoint(2), Foreign],
        );
        // Outside: only an endpoint of its own.
        check_paths(&eps, locked, false, Some("us-east-1"), &[Direct, Foreign]);
        // `aws:SourceIp` matters to outsiders only (their direct shape fixes a public one).
        check_paths(&eps, ip_only, true, Some("us-east-1"), &[Direct]);
        check_paths(&eps, ip_only, false, Some("us-east-1"), &[Direct, Foreign]);
        // An endpoint a policy pins that the export does not hold: asked last.
        let pinned = r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-z"}}}]}"#;
        check_paths(
            &eps[..1],
            pinned,
            true,
            Some("us-east-1"),
            &[
                Direct,
                Foreign,
                Unheld {
                    vpce: Some("vpce-z".into()),
                    vpc: None,
                },
            ],
        );
    }
}
