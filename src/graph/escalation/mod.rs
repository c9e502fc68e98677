//! Privilege escalation: IAM permissions that let a principal gain another principal's
//! permissions (or any permission), as catalogued by Rhino Security Labs, BishopFox's
//! iam-vulnerable and DataDog's pathfinding.cloud.
//!
//! One detector per file, each documented "what it finds / why it matters / example". A
//! detector proposes candidate escalations from over-approximate matching; each carries
//! the concrete steps (action, resource, context) that `routes` must see allowed to the
//! source principal before the edge is taken.
//!
//! Targets: a detector either hands the principal another principal's permissions (an
//! edge to that user or role: passing a role to compute it controls, minting credentials
//! for a user, rewriting a role's trust), or lets it rewrite its own permissions (an edge to
//! `Node::Escalated`: any action, or a group's permissions).

pub mod add_user_to_group;
pub mod apprunner_update_service;
pub mod attach_policy;
pub mod bedrock_code_interpreter;
pub mod cloudformation_update_stack;
pub mod codebuild_start_build;
pub mod create_access_key;
pub mod create_policy_version;
pub mod ec2_instance_connect;
pub mod ec2_launch_template;
pub mod ec2_user_data;
pub mod ecs_execute_command;
pub mod index;
pub mod login_profile;
pub mod modify_role_then_assume;
pub mod modify_user_then_sign_in;
pub mod pass_role;
pub mod put_policy;
pub mod rewrite;
pub mod sagemaker_lifecycle_config;
pub mod sagemaker_presigned_url;
pub mod set_default_policy_version;
pub mod ssm_command;
pub mod update_assume_role_policy;
pub mod update_glue_dev_endpoint;
pub mod update_lambda_code;

#[cfg(test)]
mod tests;

use super::patterns::{allowed_principals, NamedPrincipals, ResourceTarget};
use super::principals::all_principals;
use super::{principal_arn, AccessGraph, Edge, EdgeKind, Gain, Node};
use crate::model::{
    Collected, GroupId, IdentityPolicySource, Model, PrincipalRef, RoleId, Sym, UserId,
};
use crate::policy::{PrincipalKind, PrincipalSet};
use index::{ActionGrant, PermissionSummaries};
use rustc_hash::FxHashSet;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// One IAM call the escalation needs, which the source principal must be allowed to make.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Step {
    pub action: String,
    /// The resource's ARN, or a pattern (`*` wildcards, e.g. `INSTANCE_ARNS`) when the call
    /// may act on any resource it matches.
    pub resource: String,
    /// Context the call carries by construction (e.g. `iam:PassedToService`).
    pub context: Vec<(String, String)>,
    /// For `sts:AssumeRole` steps, the trust policy the role's account decides the call with
    /// (the role's own, or one the caller wrote first); `None`: no resource policy, the
    /// caller's identity side alone must allow the call.
    pub trust: Option<StepTrust>,
}

impl Step {
    pub fn new(action: &str, resource: &str) -> Step {
        Step {
            action: action.to_string(),
            resource: resource.to_string(),
            context: Vec::new(),
            trust: None,
        }
    }

    pub fn with(mut self, key: &str, value: &str) -> Step {
        // Most steps carry one key: a first push would reserve room for four.
        self.context.reserve_exact(1);
        self.context.push((key.to_string(), value.to_string()));
        self
    }

    /// `sts:AssumeRole` on role `arn`, decided under `trust` as AWS decides it: the trust
    /// grants, and every explicit deny (identity policies, permissions boundary, SCPs,
    /// RCPs) and every SCP level that does not allow the call still stop it.
    pub fn assume_under(arn: &str, trust: StepTrust) -> Step {
        Step {
            trust: Some(trust),
            ..Step::new("sts:AssumeRole", arn)
        }
    }
}

/// The trust policy an `sts:AssumeRole` step is decided under.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StepTrust {
    /// The role's trust policy as collected (the step's resource is the role).
    Collected,
    /// The trust the caller wrote with `iam:UpdateAssumeRolePolicy` in an earlier step.
    Rewritten(RewrittenTrust),
}

/// A trust policy naming one caller, as a principal that may rewrite a role's trust writes
/// it: `{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
/// "Condition": {"ArnEquals": {"aws:PrincipalArn": "<caller>"}}}`, `<caller>` being the
/// user's ARN or, for a role, the role's (every session of it: the caller may as well name its
/// own session's ARN). Either way the trust names the caller itself, so in its own account it
/// is admitted without an identity permission and an implicit deny of its permissions
/// boundary does not stop it (AWS's rule for a resource policy naming a user or a role
/// session directly); explicit denies and SCPs do.
///
/// Compared, hashed and ordered by the caller alone: the document is a function of it.
#[derive(Debug, Clone)]
pub struct RewrittenTrust {
    pub caller: String,
    pub document: std::sync::Arc<crate::policy::PolicyDocument>,
}

impl RewrittenTrust {
    /// The trust naming `caller`; `None` when the ARN does not make a valid policy.
    pub fn naming(caller: &str) -> Option<RewrittenTrust> {
        let doc = serde_json::json!({"Version": "2012-10-17", "Statement": [{
            "Sid": "RewrittenToTrustTheCaller", "Effect": "Allow", "Principal": {"AWS": "*"},
            "Action": "sts:AssumeRole",
            "Condition": {"ArnEquals": {"aws:PrincipalArn": caller}}}]});
        let document = crate::policy::parse::parse_policy_text(&doc.to_string()).ok()?;
        Some(RewrittenTrust {
            caller: caller.to_string(),
            document: std::sync::Arc::new(document),
        })
    }
}

impl PartialEq for RewrittenTrust {
    fn eq(&self, other: &Self) -> bool {
        self.caller == other.caller
    }
}

impl Eq for RewrittenTrust {}

impl std::hash::Hash for RewrittenTrust {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.caller.hash(state);
    }
}

impl PartialOrd for RewrittenTrust {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RewrittenTrust {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.caller.cmp(&other.caller)
    }
}

/// A candidate escalation: which detector found it and the steps it needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Escalation {
    pub detector: &'static str,
    pub steps: Vec<Step>,
}

/// A detector's finding: where the escalation leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub target: Node,
    pub escalation: Escalation,
}

/// The users, roles and groups of one account, in arena order.
#[derive(Debug, Clone, Default)]
struct AccountItems {
    users: Vec<UserId>,
    /// Roles other than service-linked ones (only their service can assume or change those).
    roles: Vec<RoleId>,
    groups: Vec<GroupId>,
    /// Roles that may be on an instance: those of collected instances' profiles, or every
    /// role with an instance profile when no instance was collected.
    instance_roles: Vec<RoleId>,
    /// Roles whose trust policy lets any principal (so any service) assume them.
    trusting_anyone: Vec<RoleId>,
    /// Roles by the service principals their trust policy names.
    trusting_service: HashMap<String, Vec<RoleId>>,
}

/// What detectors read: the model, each principal's compiled permissions, the account's
/// items by kind, and the candidate assume-role edges already in the graph. Built once per
/// graph, so no detector re-reads a policy per target.
pub struct Ctx<'a> {
    pub model: &'a Model,
    pub principals: Vec<(PrincipalRef, &'a str)>,
    pub index: PermissionSummaries<'a>,
    accounts: HashMap<Sym, AccountItems>,
    /// Roles each principal has a candidate `sts:AssumeRole` edge to.
    assumable: HashMap<PrincipalRef, Vec<RoleId>>,
}

static NO_ROLES: Vec<RoleId> = Vec::new();
static NO_USERS: Vec<UserId> = Vec::new();
static NO_GROUPS: Vec<GroupId> = Vec::new();

impl<'a> Ctx<'a> {
    /// Compiles `model`'s permissions and reads the assume-role edges of `g`.
    pub fn new(model: &'a Model, g: &AccessGraph) -> Ctx<'a> {
        let mut accounts: HashMap<Sym, AccountItems> = HashMap::new();
        for (i, u) in model.users.iter().enumerate() {
            accounts
                .entry(u.account)
                .or_default()
                .users
                .push(UserId(i as u32));
        }
        for (i, grp) in model.groups.iter().enumerate() {
            accounts
                .entry(grp.account)
                .or_default()
                .groups
                .push(GroupId(i as u32));
        }
        // Instance profiles in use on collected instances.
        let used_profiles: HashSet<crate::model::InstanceProfileId> = model
            .instances
            .iter()
            .filter_map(|i| i.instance_profile)
            .filter_map(|ip| super::compute::profile_of(model, ip))
            .collect();
        for (i, r) in model.roles.iter().enumerate() {
            let rid = RoleId(i as u32);
            let items = accounts.entry(r.account).or_default();
            if r.service_linked {
                continue;
            }
            items.roles.push(rid);
            if !r.instance_profiles.is_empty()
                && (model.instances.is_empty()
                    || r.instance_profiles
                        .iter()
                        .any(|p| used_profiles.contains(p)))
            {
                items.instance_roles.push(rid);
            }
            let Collected::Present(pid) = r.trust_policy else {
                continue;
            };
            let Some(pol) = model.policy(pid) else {
                continue;
            };
            let mut services: Vec<&str> = Vec::new();
            let mut anyone = false;
            for s in &pol.document.statements {
                if s.effect != crate::policy::Effect::Allow
                    || !super::patterns::action_matches(&s.action, "sts:AssumeRole")
                {
                    continue;
                }
                match &s.principal {
                    None => {}
                    // NotPrincipal: everyone it does not name, services included.
                    Some(pc) if pc.negated => anyone = true,
                    Some(pc) => match &pc.principals {
                        PrincipalSet::Any => anyone = true,
                        PrincipalSet::Entries(es) => services.extend(
                            es.iter()
                                .filter(|e| e.kind == PrincipalKind::Service)
                                .map(|e| e.value.as_str()),
                        ),
                    },
                }
            }
            if anyone {
                items.trusting_anyone.push(rid);
            }
            services.sort_unstable();
            services.dedup();
            for svc in services {
                items
                    .trusting_service
                    .entry(svc.to_string())
                    .or_default()
                    .push(rid);
            }
        }
        let mut assumable: HashMap<PrincipalRef, Vec<RoleId>> = HashMap::new();
        for e in g.graph.edge_indices() {
            if g.graph[e].kind != EdgeKind::AssumeRole {
                continue;
            }
            let Some((a, b)) = g.graph.edge_endpoints(e) else {
                continue;
            };
            if let (Node::Principal(p), Node::Principal(PrincipalRef::Role(r))) =
                (&g.graph[a], &g.graph[b])
            {
                assumable.entry(*p).or_default().push(*r);
            }
        }
        for v in assumable.values_mut() {
            v.sort_unstable();
            v.dedup();
        }
        Ctx {
            model,
            principals: all_principals(model),
            index: PermissionSummaries::build(model),
            accounts,
            assumable,
        }
    }

    /// Whether `p`'s identity policies may allow `action` on `resource`: an exact ARN, any
    /// resource when `resource` is `*`, or some resource a pattern (`*` wildcards, as
    /// `Step::resource` holds them) matches.
    pub fn may(&self, p: PrincipalRef, action: &str, resource: &str) -> bool {
        if resource == "*" {
            self.index.may_any(p, action)
        } else if resource.contains('*') {
            self.index.may_matching(p, action, resource)
        } else {
            self.index.may(p, action, resource)
        }
    }

    /// The statements of `p` that may allow `action`; `None` when it allows it nowhere.
    pub fn grant<'i>(&'i self, p: PrincipalRef, action: &'i str) -> Option<ActionGrant<'i>> {
        self.index.grant(p, action)
    }

    pub fn arn(&self, p: PrincipalRef) -> String {
        principal_arn(self.model, p)
    }

    /// A role's ARN, borrowed from the model.
    pub fn role_arn(&self, r: RoleId) -> Option<&'a str> {
        let m = self.model;
        m.roles.get(r.index()).map(|x| m.str(x.arn))
    }

    /// A user's ARN, borrowed from the model.
    pub fn user_arn(&self, u: UserId) -> Option<&'a str> {
        let m = self.model;
        m.users.get(u.index()).map(|x| m.str(x.arn))
    }

    /// The roles of `p`'s account other than `p` (service-linked ones excluded), with their
    /// ARNs: the targets of detectors that change a role and then act as it.
    pub fn other_roles(&self, p: PrincipalRef) -> impl Iterator<Item = (RoleId, &'a str)> + '_ {
        self.roles_beside(p)
            .iter()
            .filter(move |r| PrincipalRef::Role(**r) != p)
            .filter_map(|r| self.role_arn(*r).map(|arn| (*r, arn)))
    }

    /// The groups user `p` is in (collected ones), with their ARNs; none for a role.
    pub fn groups_of(&self, p: PrincipalRef) -> Vec<(GroupId, &'a str)> {
        let m = self.model;
        let PrincipalRef::User(u) = p else {
            return Vec::new();
        };
        m.users
            .get(u.index())
            .map_or(&[][..], |x| x.groups.as_slice())
            .iter()
            .filter_map(|g| match g.group {
                Collected::Present(gid) => m.groups.get(gid.index()).map(|x| (gid, m.str(x.arn))),
                Collected::Missing => None,
            })
            .collect()
    }

    /// The users of `p`'s account other than `p`, with their ARNs.
    pub fn other_users(&self, p: PrincipalRef) -> impl Iterator<Item = (UserId, &'a str)> + '_ {
        self.users_beside(p)
            .iter()
            .filter(move |u| PrincipalRef::User(**u) != p)
            .filter_map(|u| self.user_arn(*u).map(|arn| (*u, arn)))
    }

    /// The account of a user or role.
    pub fn account(&self, p: PrincipalRef) -> Option<Sym> {
        let m = self.model;
        match p {
            PrincipalRef::User(u) => m.users.get(u.index()).map(|x| x.account),
            PrincipalRef::Role(r) => m.roles.get(r.index()).map(|x| x.account),
        }
    }

    fn items(&self, p: PrincipalRef) -> Option<&AccountItems> {
        self.account(p).and_then(|a| self.accounts.get(&a))
    }

    /// The users of `p`'s account.
    pub fn users_beside(&self, p: PrincipalRef) -> &[UserId] {
        self.items(p).map_or(&NO_USERS, |i| &i.users)
    }

    /// The roles of `p`'s account, service-linked roles excluded.
    pub fn roles_beside(&self, p: PrincipalRef) -> &[RoleId] {
        self.items(p).map_or(&NO_ROLES, |i| &i.roles)
    }

    /// The groups of `p`'s account.
    pub fn groups_beside(&self, p: PrincipalRef) -> &[GroupId] {
        self.items(p).map_or(&NO_GROUPS, |i| &i.groups)
    }

    /// Roles of `p`'s account whose trust policy lets `service` assume them, other than `p`.
    pub fn roles_trusting_service(&self, p: PrincipalRef, service: &str) -> Vec<RoleId> {
        let Some(items) = self.items(p) else {
            return Vec::new();
        };
        let mut out: Vec<RoleId> = items
            .trusting_service
            .get(service)
            .into_iter()
            .flatten()
            .chain(items.trusting_anyone.iter())
            .copied()
            .filter(|r| PrincipalRef::Role(*r) != p)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Roles that may be on an EC2 instance of `p`'s account, other than `p`.
    pub fn instance_roles(&self, p: PrincipalRef) -> Vec<RoleId> {
        self.items(p).map_or(Vec::new(), |i| {
            i.instance_roles
                .iter()
                .copied()
                .filter(|r| PrincipalRef::Role(*r) != p)
                .collect()
        })
    }

    /// Roles `p` has a candidate `sts:AssumeRole` edge to (trust and identity may allow it).
    pub fn assumable(&self, p: PrincipalRef) -> &[RoleId] {
        self.assumable.get(&p).map_or(&NO_ROLES, |v| v)
    }

    /// Whether `role`'s trust policy names `p` itself by ARN: then, in the same account,
    /// the trust alone lets `p` assume it and no identity permission is needed.
    pub fn trust_names(&self, role: RoleId, p: PrincipalRef) -> bool {
        let m = self.model;
        let Some(r) = m.roles.get(role.index()) else {
            return false;
        };
        let Collected::Present(pid) = r.trust_policy else {
            return false;
        };
        let Some(pol) = m.policy(pid) else {
            return false;
        };
        let arn = self.arn(p);
        match allowed_principals(
            &pol.document,
            "sts:AssumeRole",
            ResourceTarget::Exact(m.str(r.arn)),
        ) {
            NamedPrincipals::Any => false,
            NamedPrincipals::Entries(es) => es
                .iter()
                .any(|e| e.kind == PrincipalKind::Aws && e.value == arn),
        }
    }

    /// The customer-managed policies attached to `p` (and to its groups), by ARN.
    pub fn attached_customer_policies(&self, p: PrincipalRef) -> Vec<String> {
        let m = self.model;
        let mut out = Vec::new();
        for ip in m.identity_policies(p) {
            if let IdentityPolicySource::Managed(arn) = ip.source {
                let s = m.str(arn);
                if !s.starts_with("arn:aws:iam::aws:") {
                    out.push(s.to_string());
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// Every detector, by name.
pub const DETECTORS: &[(&str, fn(&Ctx<'_>, PrincipalRef, &mut Vec<Found>))] = &[
    (create_policy_version::NAME, create_policy_version::detect),
    (
        set_default_policy_version::NAME,
        set_default_policy_version::detect,
    ),
    (put_policy::NAME, put_policy::detect),
    (attach_policy::NAME, attach_policy::detect),
    (add_user_to_group::NAME, add_user_to_group::detect),
    (
        update_assume_role_policy::NAME,
        update_assume_role_policy::detect,
    ),
    (create_access_key::NAME, create_access_key::detect),
    (login_profile::NAME, login_profile::detect),
    (pass_role::NAME, pass_role::detect),
    (update_lambda_code::NAME, update_lambda_code::detect),
    (
        update_glue_dev_endpoint::NAME,
        update_glue_dev_endpoint::detect,
    ),
    (
        cloudformation_update_stack::NAME,
        cloudformation_update_stack::detect,
    ),
    (ssm_command::NAME, ssm_command::detect),
    (ec2_instance_connect::NAME, ec2_instance_connect::detect),
    (
        sagemaker_presigned_url::NAME,
        sagemaker_presigned_url::detect,
    ),
    (
        modify_role_then_assume::NAME,
        modify_role_then_assume::detect,
    ),
    (
        modify_user_then_sign_in::NAME,
        modify_user_then_sign_in::detect,
    ),
    (codebuild_start_build::NAME, codebuild_start_build::detect),
    (ecs_execute_command::NAME, ecs_execute_command::detect),
    (ec2_user_data::NAME, ec2_user_data::detect),
    (ec2_launch_template::NAME, ec2_launch_template::detect),
    (
        apprunner_update_service::NAME,
        apprunner_update_service::detect,
    ),
    (
        bedrock_code_interpreter::NAME,
        bedrock_code_interpreter::detect,
    ),
    (
        sagemaker_lifecycle_config::NAME,
        sagemaker_lifecycle_config::detect,
    ),
];

/// Runs every detector on one principal.
pub fn detect_all(ctx: &Ctx<'_>, p: PrincipalRef) -> Vec<Found> {
    let mut out = Vec::new();
    for (_, d) in DETECTORS {
        d(ctx, p, &mut out);
    }
    out
}

/// Adds every detector's candidate escalation edges to `g` (after the assume-role edges,
/// which the detectors that modify a role and then assume it read).
pub fn add_edges(model: &Model, g: &mut AccessGraph) {
    use rayon::prelude::*;
    let ctx = Ctx::new(model, g);
    // Detectors only read: principals are independent, and the order of the results (hence
    // of the edges) does not depend on the threads. Each principal's findings are also
    // deduplicated, trimmed, named (`via`) and interned on its thread: only adding the
    // edges is sequential. One copy of each distinct escalation (and `via`) is shared by
    // every edge that takes it: 257,642 edges on the one-account 5,000-role export take
    // 1,490 distinct escalations, and hashing each edge's escalation on one thread after
    // the detectors took ~70-115 ms.
    let shared = SharedCopies::default();
    let shared_via = SharedCopies::default();
    let found: Vec<(PrincipalRef, Vec<PrincipalEdge>)> = ctx
        .principals
        .par_iter()
        .map(|(p, _)| (*p, edges_of(*p, detect_all(&ctx, *p), &shared, &shared_via)))
        .collect();
    for (p, found) in found {
        if found.is_empty() {
            continue;
        }
        let from = g.node(Node::Principal(p));
        for (target, escalation, via) in found {
            let to = g.node(target);
            g.graph.add_edge(
                from,
                to,
                Edge {
                    kind: EdgeKind::Escalation(escalation),
                    via,
                    evidence: String::new(),
                },
            );
        }
    }
}

/// One copy of each distinct value, shared by threads: the set is split in shards by
/// hash so that threads rarely wait for each other.
struct SharedCopies<T: ?Sized> {
    shards: [std::sync::Mutex<FxHashSet<Arc<T>>>; 16],
}

impl<T: ?Sized> Default for SharedCopies<T> {
    fn default() -> Self {
        SharedCopies {
            shards: std::array::from_fn(|_| std::sync::Mutex::new(FxHashSet::default())),
        }
    }
}

impl<T: ?Sized + std::hash::Hash + Eq> SharedCopies<T> {
    /// The copy of `value`, added when it is not there yet (`shared_copy`). A poisoned
    /// shard (a thread panicked holding it) only costs the sharing.
    fn copy<V>(&self, value: V) -> Arc<T>
    where
        V: std::borrow::Borrow<T> + Into<Arc<T>>,
    {
        use std::hash::{BuildHasher, BuildHasherDefault};
        let hash = BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(value.borrow());
        let shard = &self.shards[(hash % 16) as usize];
        match shard.lock() {
            Ok(mut set) => shared_copy(&mut set, value),
            Err(_) => value.into(),
        }
    }
}

/// An escalation edge of one principal: its target, escalation and `via` text.
type PrincipalEdge = (Node, Arc<Escalation>, Arc<str>);

/// The escalation edges principal `p`'s findings make, each with its `via` text: none to
/// `p` itself, one per distinct (target, escalation). `AccessGraph::add_edge` looks for an
/// equal edge among all of the source's edges, which is quadratic for a principal with
/// thousands of candidates; escalation edges are only ever equal to escalation edges from
/// the same principal, all added by `add_edges`, so duplicates are found here instead.
/// Equal escalations (and `via` texts) of all principals share one copy (`shared`).
fn edges_of(
    p: PrincipalRef,
    found: Vec<Found>,
    shared: &SharedCopies<Escalation>,
    shared_via: &SharedCopies<str>,
) -> Vec<PrincipalEdge> {
    let mut seen: FxHashSet<(&Node, &Escalation)> = FxHashSet::default();
    let keep: Vec<bool> = found
        .iter()
        .map(|f| f.target != Node::Principal(p) && seen.insert((&f.target, &f.escalation)))
        .collect();
    drop(seen);
    found
        .into_iter()
        .zip(keep)
        .filter(|(_, keep)| *keep)
        .map(|(mut f, _)| {
            // Kept for the whole scan, one per distinct escalation: no spare capacity from
            // the detectors' pushes.
            f.escalation.steps.shrink_to_fit();
            for step in &mut f.escalation.steps {
                step.context.shrink_to_fit();
            }
            let via = f
                .escalation
                .steps
                .iter()
                .map(|s| s.action.as_str())
                .collect::<Vec<_>>()
                .join("+");
            (f.target, shared.copy(f.escalation), shared_via.copy(via))
        })
        .collect()
}

/// The copy of `value` in `set`, added when it is not there yet: one allocation per
/// distinct value, however many edges hold it.
fn shared_copy<T, V, S>(set: &mut HashSet<std::sync::Arc<T>, S>, value: V) -> std::sync::Arc<T>
where
    T: ?Sized + std::hash::Hash + Eq,
    V: std::borrow::Borrow<T> + Into<std::sync::Arc<T>>,
    S: std::hash::BuildHasher,
{
    if let Some(shared) = set.get(value.borrow()) {
        return std::sync::Arc::clone(shared);
    }
    let shared: std::sync::Arc<T> = value.into();
    set.insert(std::sync::Arc::clone(&shared));
    shared
}

/// The `Node::Escalated` target of a self-escalation.
pub fn escalated(p: PrincipalRef) -> Node {
    Node::Escalated {
        principal: p,
        gain: Gain::AnyAction,
    }
}

/// One call of a takeover and the resources AWS authorizes it on: the ARN pattern (`*`
/// wildcards) of the resource type the Service Authorization Reference lists for the
/// action (`INSTANCE_ARNS`, `arn:aws:codebuild:*:*:project/*`, …), or `*` for an action it
/// lists no resource type for. Asking the call on `*` instead would count a grant on any
/// other resource (SSM documents for `ssm:SendCommand`) as one on the taken-over resource,
/// which AWS denies, and lets the solver's resource string range over every pattern of
/// the policy.
pub type Call = (&'static str, &'static str);

/// Whether `p` may make every one of `calls` on some resource its pattern matches.
pub fn may_all(ctx: &Ctx<'_>, p: PrincipalRef, calls: &[Call]) -> bool {
    calls
        .iter()
        .all(|(action, resource)| ctx.may(p, action, resource))
}

/// Pushes one edge per role to `out`: the principal takes over a resource that already
/// runs with one of `roles` (a stack, build project, notebook, task, instance, …), which
/// the export does not list, through `calls`, each step asked on some resource its pattern
/// matches.
pub fn takeover_edges(
    detector: &'static str,
    calls: &[Call],
    roles: Vec<RoleId>,
    out: &mut Vec<Found>,
) {
    for rid in roles {
        out.push(Found {
            target: Node::Principal(PrincipalRef::Role(rid)),
            escalation: Escalation {
                detector,
                steps: calls
                    .iter()
                    .map(|(action, resource)| Step::new(action, resource))
                    .collect(),
            },
        });
    }
}

/// The ARNs of EC2 instances, any region, account and id: what a call that acts on an
/// instance is authorized on (`ssm:SendCommand`, `ssm:StartSession`,
/// `ec2-instance-connect:SendSSHPublicKey`, `ec2:ModifyInstanceAttribute`, …).
pub const INSTANCE_ARNS: &str = "arn:aws:ec2:*:*:instance/*";

/// Pushes `p`'s self-escalation through `action` (`iam:CreatePolicyVersion`,
/// `iam:SetDefaultPolicyVersion`) on a customer-managed policy attached to it: the first
/// such policy its grant covers (one is enough).
pub fn own_policy_rewrite(
    ctx: &Ctx<'_>,
    p: PrincipalRef,
    detector: &'static str,
    action: &'static str,
    out: &mut Vec<Found>,
) {
    let Some(grant) = ctx.grant(p, action) else {
        return;
    };
    if let Some(arn) = ctx
        .attached_customer_policies(p)
        .into_iter()
        .find(|arn| grant.covers(arn))
    {
        out.push(Found {
            target: escalated(p),
            escalation: Escalation {
                detector,
                steps: vec![Step::new(action, &arn)],
            },
        });
    }
}

/// Pushes an edge to every other user of `p`'s account on which `p` may make one of
/// `actions` (credential calls: the first that covers the user is the step): `p` then signs
/// in as that user.
pub fn credential_takeovers(
    ctx: &Ctx<'_>,
    p: PrincipalRef,
    detector: &'static str,
    actions: &[&'static str],
    out: &mut Vec<Found>,
) {
    let grants: Vec<_> = actions
        .iter()
        .filter_map(|a| ctx.grant(p, a).map(|g| (*a, g)))
        .collect();
    if grants.is_empty() {
        return;
    }
    for (uid, arn) in ctx.other_users(p) {
        if let Some((action, _)) = grants.iter().find(|(_, g)| g.covers(arn)) {
            out.push(Found {
                target: Node::Principal(PrincipalRef::User(uid)),
                escalation: Escalation {
                    detector,
                    steps: vec![Step::new(action, arn)],
                },
            });
        }
    }
}
