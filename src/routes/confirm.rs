//! Confirms candidate edges with the solver (`smt::question`), one question per request the
//! edge needs (several for escalations, one per data action for reads), and keeps the
//! answer, the witness and the deciding statements. Answers are cached per edge: a route
//! is confirmed when every edge on it is.
//!
//! Edges decided by the graph builder (instance profiles, function roles, network
//! reachability) are confirmed as they come, with their evidence.
//!
//! S3 reads, egress writes and role assumptions are asked once per network path worth
//! asking (`RouteCtx::network_paths`): directly first, then through each VPC endpoint the
//! requester may use (its policy a gate), then through an outsider's endpoint; paths
//! through endpoints a policy pins but the export does not hold come last and can only
//! make the answer unknown (`QuestionGroup::unknown_from`). `read_prefix` decides whether
//! a confirmed read is limited to one key prefix.

use super::context::{NetworkPath, RouteCtx};
use super::finding::HopWitness;
use crate::eval::{
    AuthzInputs, ContextValue, IdentityInputs, Request, RequestPrincipal, ResourcePolicyMode,
    S3Inputs, StatementRef,
};
use crate::graph::data::{is_object_read, read_target, READ_ACTIONS};
use crate::graph::egress::EGRESS_ACTION;
use crate::graph::{principal_account, Edge, EdgeKind, Node};
use crate::model::{Collected, PolicyKind, PrincipalRef};
use crate::smt::question::{check_chain, Answer, KeyShape, Question, RequestShape, StrShape};
use std::sync::Arc;
use std::time::Instant;

/// The verdict on one edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EdgeVerdict {
    Allowed,
    Unknown,
    Denied,
}

/// The answer for one edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeAnswer {
    pub verdict: EdgeVerdict,
    /// The actions allowed (data reads: the read actions confirmed; others: the edge's).
    pub actions: Vec<String>,
    /// One witness request per request the edge needs. Shared: an escalation question's
    /// answer is copied to every edge that asks it (issue #7: ~20 MB of witness copies on
    /// the one-account 5,000-role export).
    pub witness: Arc<[HopWitness]>,
    /// Citations of the statements (or settings) that grant the edge.
    pub cites: Vec<String>,
    /// Condition entries of the granting statements (what the actor must satisfy).
    pub conditions: usize,
    pub millis: u64,
    /// Why not allowed (denied or unknown).
    pub reason: String,
    /// Number of solver questions asked.
    pub questions: usize,
    /// Which request the edge was confirmed with: (index of the action group in
    /// `edge_questions`, index of the allowed alternative in it). `None` for edges decided
    /// without a question, and for edges not allowed.
    pub chosen: Option<(usize, usize)>,
    /// The answer when the requester's credentials are held by an outsider
    /// (`Holder::Outsider`), when it differs from this one: only a role's requests that
    /// this answer sends through one of our VPC endpoints can differ.
    pub held_outside: Option<Box<EdgeAnswer>>,
}

impl EdgeAnswer {
    fn decided(
        verdict: EdgeVerdict,
        action: &str,
        cite: &str,
        witness: Vec<HopWitness>,
    ) -> EdgeAnswer {
        EdgeAnswer {
            verdict,
            actions: vec![action.to_string()],
            witness: witness.into(),
            cites: if cite.is_empty() {
                Vec::new()
            } else {
                vec![cite.to_string()]
            },
            conditions: 0,
            millis: 0,
            reason: String::new(),
            questions: 0,
            chosen: None,
            held_outside: None,
        }
    }

    pub(crate) fn denied(reason: &str) -> EdgeAnswer {
        EdgeAnswer {
            verdict: EdgeVerdict::Denied,
            actions: Vec::new(),
            witness: Arc::from([]),
            cites: Vec::new(),
            conditions: 0,
            millis: 0,
            reason: reason.to_string(),
            questions: 0,
            chosen: None,
            held_outside: None,
        }
    }

    /// Whether the actions allowed read objects (`graph::data::is_object_read`), not only
    /// list them.
    pub fn reads_objects(&self) -> bool {
        self.actions.iter().any(|a| is_object_read(a))
    }

    /// This answer for a requester whose credentials `holder` holds.
    pub fn held_by(&self, holder: Holder) -> &EdgeAnswer {
        match (holder, &self.held_outside) {
            (Holder::Outsider, Some(a)) => a,
            _ => self,
        }
    }
}

/// Who holds the credentials a hop's requests are signed with, which decides the networks
/// they can be sent from.
///
/// A role session an outsider obtained by assuming our role (directly, by a chain of
/// assumptions, or with a federated identity it controls) is used from the outsider's own
/// network: AWS documents that a gateway endpoint serves only requests from its own VPC
/// ("resources on the other side of a VPN connection, VPC peering connection, transit
/// gateway, or AWS Direct Connect connection in your VPC cannot use a gateway endpoint"),
/// so such requests never pass one of our gateway endpoints. An interface endpoint can be
/// reached from networks connected to its VPC (peering, transit gateway, VPN), which the
/// export does not hold: through one of ours an outsider's request is only ever `unknown`.
/// Code the outsider runs on our compute (an instance reached from the internet, a
/// function, anything an escalation launches) sends from our networks (`Holder::Zone`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Holder {
    /// A principal of the zone, or code running on the zone's compute.
    Zone,
    /// An outsider holding a session of our role, sending from its own network.
    Outsider,
}

impl Holder {
    /// Who holds the requests of a route that starts at `actor`.
    pub fn of_actor(actor: &Node) -> Holder {
        match actor {
            Node::Anyone | Node::Account(_) => Holder::Outsider,
            // Tokens of an EKS cluster's issuer are held by pods of our cluster (in our
            // VPCs); a SAML identity provider's users may sit on a network joined to ours.
            // Other OIDC providers (GitHub Actions, Google, Cognito) issue identities to
            // whoever controls them, on their own networks.
            Node::Federated(provider) => {
                let p = provider.to_ascii_lowercase();
                if p.contains(":saml-provider/") || p.contains("oidc.eks.") {
                    Holder::Zone
                } else {
                    Holder::Outsider
                }
            }
            _ => Holder::Zone,
        }
    }

    /// Who holds the requests of an edge's target after taking it: assuming a role keeps
    /// the credentials with the same holder; any other edge runs code on our compute or
    /// hands over something the holder may use from there (sound: more paths, not fewer).
    pub fn after(self, kind: &EdgeKind) -> Holder {
        match kind {
            EdgeKind::AssumeRole | EdgeKind::WebIdentity => self,
            _ => Holder::Zone,
        }
    }
}

/// A witness request as a finding shows it.
pub fn hop_witness(req: &Request) -> HopWitness {
    let principal = match &req.principal {
        RequestPrincipal::Anonymous => "anonymous".to_string(),
        RequestPrincipal::Aws(p) => p.arn.clone(),
        RequestPrincipal::Service(s) => s.clone(),
        RequestPrincipal::Federated { provider } => provider.clone(),
    };
    HopWitness {
        principal,
        action: req.action.clone(),
        resource: req.resource.clone(),
        context: req
            .context
            .iter()
            .map(|(k, v)| (k.to_string(), v.values().to_vec()))
            .collect(),
    }
}

/// Outcome of asking a list of alternative shapes (the first allowed wins).
struct Asked {
    answer: Option<(Vec<Request>, Vec<Vec<StatementRef>>)>,
    /// Index of the alternative that was allowed.
    chosen: Option<usize>,
    unknown: Option<String>,
    denied: String,
    questions: usize,
}

/// Asks each alternative chain in turn: a chain is a list of (inputs, shape) that must all
/// be allowed together. Alternatives from `unknown_from` on (requests through an endpoint
/// the export does not hold) can only make the answer unknown.
///
/// For an outsider-held requester (`Holder::Outsider`) the alternatives through our gateway
/// endpoints are skipped and those through our interface endpoints, like unheld ones, can
/// only make the answer unknown.
///
/// With `held_refuted` the alternatives before `unknown_from` (every held network path)
/// are known denied (`relaxed::held_reads_refuted`) and not asked.
fn ask(group: &QuestionGroup<'_>, holder: Holder, held_refuted: bool) -> Asked {
    let mut out = Asked {
        answer: None,
        chosen: None,
        unknown: None,
        denied: String::new(),
        questions: 0,
    };
    if group.alternatives.is_empty() {
        // Only a read refuted before asking is planned with no request to ask
        // (`plan_read`).
        out.denied = "refuted without a question: only the bucket could grant it and grants \
            no principal of the requester's account (bucket_grant), or kms:Decrypt cannot be \
            allowed for this requester and key (kms_leg)"
            .into();
    }
    for (i, chain) in group.alternatives.iter().enumerate() {
        let zone = group
            .zone_paths
            .iter()
            .find(|(z, _)| *z == i)
            .map(|(_, g)| *g);
        let unknown_only = i >= group.unknown_from;
        let (skip, unknown_only) = match (holder, zone) {
            (Holder::Outsider, Some(true)) => (true, unknown_only),
            (Holder::Outsider, Some(false)) => (false, true),
            _ => (false, unknown_only),
        };
        if skip || (held_refuted && i < group.unknown_from) {
            continue;
        }
        out.questions += chain.len();
        match check_chain(chain) {
            Ok(Answer::Allowed(w)) if unknown_only => {
                let keys = w.requests.first().map(network_keys_of).unwrap_or_default();
                out.unknown = Some(if i >= group.unknown_from {
                    format!(
                        "allowed only through a VPC endpoint or VPC the export does not hold{keys}"
                    )
                } else {
                    format!("allowed only through our interface VPC endpoint, which the outsider holding the session reaches only over a network connection the export does not hold{keys}")
                });
                if i >= group.unknown_from {
                    return out;
                }
            }
            Ok(Answer::Allowed(w)) => {
                out.answer = Some((w.requests, w.decided_by));
                out.chosen = Some(i);
                return out;
            }
            Ok(Answer::Unknown(r)) => out.unknown = Some(r),
            Ok(Answer::Denied(why)) => out.denied = why.summary,
            Err(e) => out.unknown = Some(e.to_string()),
        }
    }
    out
}

/// ` (aws:SourceVpce=…, aws:SourceVpc=…)` of a request, for reasons.
fn network_keys_of(req: &Request) -> String {
    let parts: Vec<String> = req
        .context
        .iter()
        .filter(|(k, _)| {
            k.eq_ignore_ascii_case("aws:SourceVpce") || k.eq_ignore_ascii_case("aws:SourceVpc")
        })
        .map(|(k, v)| format!("{k}={}", v.values().join(",")))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

fn cites_and_conditions(ctx: &RouteCtx<'_>, decided: &[Vec<StatementRef>]) -> (Vec<String>, usize) {
    let mut cites = Vec::new();
    let mut conditions = 0;
    for hop in decided {
        for s in hop {
            let policy = ctx
                .by_label
                .get(&s.policy)
                .and_then(|pid| ctx.model.policy(*pid));
            let cite = ctx.cite_statement(&s.policy, s.statement);
            // The grant (resource, trust, identity policy) first; the VPC endpoint policy and
            // the SCP/RCP levels that merely let it through last.
            let rank = match policy.map(|p| p.kind) {
                Some(PolicyKind::VpcEndpoint) => 1,
                _ if cite.starts_with("organizations/") => 2,
                _ => 0,
            };
            cites.push((rank, cite));
            if let Some(st) = policy.and_then(|p| p.document.statements.get(s.statement)) {
                conditions += st.conditions.len();
            }
        }
    }
    cites.sort_by_key(|(rank, _)| *rank);
    let mut cites: Vec<String> = cites.into_iter().map(|(_, c)| c).collect();
    cites.dedup();
    (cites, conditions)
}

fn finish(
    ctx: &RouteCtx<'_>,
    asked: Asked,
    actions: Vec<String>,
    started: Instant,
    incomplete: Option<&str>,
) -> EdgeAnswer {
    let millis = started.elapsed().as_millis() as u64;
    match asked.answer {
        Some((requests, decided)) => {
            let (cites, conditions) = cites_and_conditions(ctx, &decided);
            EdgeAnswer {
                verdict: EdgeVerdict::Allowed,
                actions,
                witness: requests.iter().map(hop_witness).collect(),
                cites,
                conditions,
                millis,
                reason: String::new(),
                questions: asked.questions,
                chosen: asked.chosen.map(|i| (0, i)),
                held_outside: None,
            }
        }
        None => {
            let (verdict, reason) = match (asked.unknown, incomplete) {
                (Some(r), _) => (EdgeVerdict::Unknown, r),
                (None, Some(why)) => (EdgeVerdict::Unknown, why.to_string()),
                (None, None) => (EdgeVerdict::Denied, asked.denied),
            };
            EdgeAnswer {
                verdict,
                actions: Vec::new(),
                witness: Arc::from([]),
                cites: Vec::new(),
                conditions: 0,
                millis,
                reason,
                questions: asked.questions,
                chosen: None,
                held_outside: None,
            }
        }
    }
}

/// One group of alternative request chains: the edge (or one of its actions) is allowed
/// when some alternative is, every question of it together.
pub struct QuestionGroup<'c> {
    pub actions: Vec<String>,
    pub alternatives: Vec<Vec<Question<'c>>>,
    /// Alternatives from this index on only make the answer unknown when allowed (a path
    /// through a VPC endpoint a policy pins but the export does not hold); never chosen.
    pub unknown_from: usize,
    /// The alternatives sent through one of our VPC endpoints, and whether it is a gateway
    /// endpoint: an outsider-held session cannot use a gateway endpoint and can use an
    /// interface endpoint only as far as the export cannot tell (`Holder`).
    pub zone_paths: Vec<(usize, bool)>,
}

impl QuestionGroup<'_> {
    /// The group of `actions` refuted before any question (`plan_read`): nothing to ask, so
    /// `ask` reports it denied, and it keeps its place among the plan's groups.
    fn refuted(actions: Vec<String>) -> Self {
        QuestionGroup {
            actions,
            alternatives: Vec::new(),
            unknown_from: 0,
            zone_paths: Vec::new(),
        }
    }
}

/// What confirms an edge: an answer the graph already decided, or the questions to ask
/// (one group per action; reads have two).
pub enum EdgePlan<'c> {
    Decided(EdgeAnswer),
    Ask {
        groups: Vec<QuestionGroup<'c>>,
        /// Why an answer that is not "allowed" must be `Unknown` (something not collected).
        incomplete: Option<&'static str>,
    },
}

fn single<'c>(
    actions: Vec<String>,
    alternatives: Vec<Vec<Question<'c>>>,
    incomplete: Option<&'static str>,
) -> EdgePlan<'c> {
    EdgePlan::Ask {
        groups: vec![QuestionGroup {
            actions,
            unknown_from: alternatives.len(),
            alternatives,
            zone_paths: Vec::new(),
        }],
        incomplete,
    }
}

/// Confirms one edge: asks its plan's groups and merges the allowed actions.
///
/// A data read asks `s3:GetObjectVersion` (the last group of its plan) only when no other
/// object read is allowed (`VERSION_READ`), and builds its questions only then.
pub fn confirm_edge<'c>(
    ctx: &'c RouteCtx<'_>,
    from: &Node,
    to: &Node,
    edge: &'c Edge,
) -> EdgeAnswer {
    let started = Instant::now();
    if let EdgeKind::Escalation(esc) = &edge.kind {
        return confirm_escalation(ctx, from, esc, started);
    }
    let is_read = matches!(edge.kind, EdgeKind::DataRead);
    let plan = if is_read {
        // The version read comes last in `READ_ACTIONS`, so the groups keep their indices
        // in `edge_plan` (`EdgeAnswer::chosen`).
        let first: Vec<&str> = READ_ACTIONS
            .into_iter()
            .filter(|a| *a != VERSION_READ)
            .collect();
        plan_read(ctx, from, to, &first, true)
    } else {
        edge_plan(ctx, from, to, edge)
    };
    let (mut groups, incomplete) = match plan {
        EdgePlan::Decided(mut a) => {
            a.millis = started.elapsed().as_millis() as u64;
            return a;
        }
        EdgePlan::Ask { groups, incomplete } => (groups, incomplete),
    };
    let version = || match plan_read(ctx, from, to, &[VERSION_READ], true) {
        EdgePlan::Ask { groups, .. } => groups,
        EdgePlan::Decided(_) => Vec::new(),
    };
    let version_read = if is_read {
        Some(&version as &dyn Fn() -> Vec<QuestionGroup<'c>>)
    } else {
        None
    };
    // No held network path reads the bucket for the reader's account (`relaxed`): only the
    // unheld ones are asked, and for either holder alike.
    let held_refuted = is_read && held_reads_refuted(ctx, from, to);
    let mut out = answer_groups(
        ctx,
        &mut groups,
        version_read,
        incomplete,
        started,
        Holder::Zone,
        held_refuted,
    );
    // A role's session may be held by an outsider (`Holder`): when this answer may rest on
    // one of our endpoints, the outsider's answer is asked too.
    let role = matches!(from, Node::Principal(PrincipalRef::Role(_)));
    let rests_on_zone = |g: &QuestionGroup<'_>| !g.zone_paths.is_empty();
    if role
        && !held_refuted
        && out.verdict != EdgeVerdict::Denied
        && groups.iter().any(rests_on_zone)
    {
        let outside = answer_groups(
            ctx,
            &mut groups,
            version_read,
            incomplete,
            started,
            Holder::Outsider,
            false,
        );
        out.questions += outside.questions;
        if (outside.verdict, &outside.chosen, &outside.actions)
            != (out.verdict, &out.chosen, &out.actions)
        {
            out.held_outside = Some(Box::new(outside));
        }
    }
    out
}

/// Whether read edge `from` -> `to` is of a (bucket, reader account) pair the scan found
/// no held network path can read (`relaxed::HeldReadsRefuted`).
fn held_reads_refuted(ctx: &RouteCtx<'_>, from: &Node, to: &Node) -> bool {
    let (Node::Principal(p) | Node::Escalated { principal: p, .. }, Node::Bucket(b)) = (from, to)
    else {
        return false;
    };
    let account = crate::graph::principal_account(ctx.model, *p);
    ctx.held_reads_refuted.contains(*b, &account)
}

/// The answer of a plan's groups for requests held by `holder`. A data read's version
/// read (`version_read`) is planned and asked last, only when no other object read was
/// allowed, and once (a second holder's pass finds it among the groups).
///
/// With `held_refuted` (no held network path can allow any group, `relaxed`), the held
/// alternatives are not asked, and the first `unknown` group is the answer: no later
/// group can be allowed, and the first unknown one is what the full pass returns too.
fn answer_groups<'c>(
    ctx: &RouteCtx<'_>,
    groups: &mut Vec<QuestionGroup<'c>>,
    version_read: Option<&dyn Fn() -> Vec<QuestionGroup<'c>>>,
    incomplete: Option<&'static str>,
    started: Instant,
    holder: Holder,
    held_refuted: bool,
) -> EdgeAnswer {
    let mut merged: Option<EdgeAnswer> = None;
    let mut unknown: Option<EdgeAnswer> = None;
    let mut denied_reason = String::new();
    let mut questions = 0;
    let mut version_planned = version_read.is_none() || groups.iter().any(is_version_read);
    let mut gi = 0;
    loop {
        if gi == groups.len() && !version_planned {
            version_planned = true;
            if !merged.as_ref().is_some_and(EdgeAnswer::reads_objects) {
                if let Some(plan) = version_read {
                    groups.extend(plan());
                }
            }
        }
        let Some(group) = groups.get(gi) else { break };
        let a = finish(
            ctx,
            ask(group, holder, held_refuted),
            group.actions.clone(),
            started,
            incomplete,
        );
        questions += a.questions;
        match a.verdict {
            EdgeVerdict::Allowed => match &mut merged {
                None => {
                    let mut a = a;
                    a.chosen = a.chosen.map(|(_, i)| (gi, i));
                    merged = Some(a);
                }
                Some(m) => {
                    m.actions.extend(a.actions);
                    m.witness = m.witness.iter().chain(a.witness.iter()).cloned().collect();
                    m.cites.extend(a.cites);
                    m.conditions = m.conditions.max(a.conditions);
                }
            },
            EdgeVerdict::Unknown => {
                if unknown.is_none() {
                    unknown = Some(a)
                }
                if held_refuted {
                    break;
                }
            }
            EdgeVerdict::Denied => {
                if denied_reason.is_empty() {
                    denied_reason = if groups.len() > 1 {
                        format!("{}: {}", group.actions.join("+"), a.reason)
                    } else {
                        a.reason
                    };
                }
            }
        }
        gi += 1;
    }
    let mut out = merged.or(unknown).unwrap_or_else(|| {
        EdgeAnswer::denied(if denied_reason.is_empty() {
            "not allowed"
        } else {
            &denied_reason
        })
    });
    if out.verdict == EdgeVerdict::Unknown && out.actions.is_empty() {
        out.actions = groups
            .first()
            .map(|g| g.actions.clone())
            .unwrap_or_default();
    }
    out.actions.sort();
    out.actions.dedup();
    out.cites.dedup();
    // The outsider's own bucket policy (egress) is not evidence in the export.
    out.cites.retain(|c| !c.starts_with("leakpath:"));
    out.questions = questions;
    out.millis = started.elapsed().as_millis() as u64;
    out
}

/// The plan that confirms one edge.
///
/// The plan may borrow from the edge (an escalation step's own trust document), so it lives
/// no longer than both.
pub fn edge_plan<'c>(
    ctx: &'c RouteCtx<'_>,
    from: &Node,
    to: &Node,
    edge: &'c Edge,
) -> EdgePlan<'c> {
    match &edge.kind {
        EdgeKind::InstanceProfile(_) => {
            EdgePlan::Decided(compute_role_answer(ctx, to, edge, "ec2.amazonaws.com"))
        }
        EdgeKind::FunctionRole => {
            EdgePlan::Decided(compute_role_answer(ctx, to, edge, "lambda.amazonaws.com"))
        }
        EdgeKind::Network(reach) => {
            let mut w = HopWitness {
                principal: reach.source_ip.to_string(),
                action: edge.via.to_string(),
                resource: crate::graph::node_name(ctx.model, to),
                context: Default::default(),
            };
            w.context.insert(
                "network:source-ip".into(),
                vec![reach.source_ip.to_string()],
            );
            w.context
                .insert("network:port".into(), vec![reach.port.to_string()]);
            let mut cites = vec![reach.security_group_rule.clone(), reach.route.clone()];
            cites.push(reach.nacl_inbound.clone());
            cites.push(reach.nacl_outbound.clone());
            cites.retain(|c| !c.is_empty());
            let mut a = EdgeAnswer::decided(EdgeVerdict::Allowed, &edge.via, "", vec![w]);
            a.cites = cites;
            EdgePlan::Decided(a)
        }
        EdgeKind::AssumeRole => plan_assume(ctx, from, to),
        EdgeKind::WebIdentity => plan_web_identity(ctx, from, to),
        EdgeKind::FunctionUrl => plan_function_url(ctx, to),
        EdgeKind::DataRead => plan_read(ctx, from, to, &READ_ACTIONS, true),
        EdgeKind::Egress => plan_egress(ctx, from),
        EdgeKind::Escalation(esc) => match escalation_steps(ctx, from, esc) {
            Err(answer) => EdgePlan::Decided(answer),
            Ok((steps, incomplete)) => {
                let (alternatives, unknown_from, zone_paths) = step_combinations(&steps);
                EdgePlan::Ask {
                    groups: vec![QuestionGroup {
                        actions: esc.steps.iter().map(|s| s.action.clone()).collect(),
                        alternatives,
                        unknown_from,
                        zone_paths,
                    }],
                    incomplete,
                }
            }
        },
    }
}

/// The questions of each step of an escalation, in order: one group per step, whose
/// alternatives are the step's request sent along every network path worth asking
/// (`network_alternatives` for the step's service: `iam`, `sts`, `lambda`, …), so a
/// principal that may make a call only from inside its VPC (a condition on
/// `aws:SourceVpce`/`aws:SourceVpc`, an SCP network perimeter) escalates through the
/// endpoint of that service its VPC holds. Also says why an answer that is not "allowed"
/// must be unknown. `Err`: the edge is decided without a question.
fn escalation_steps<'c>(
    ctx: &'c RouteCtx<'_>,
    from: &Node,
    esc: &'c crate::graph::escalation::Escalation,
) -> Result<(Vec<QuestionGroup<'c>>, Option<&'static str>), EdgeAnswer> {
    let Some(p) = source_principal(from) else {
        return Err(EdgeAnswer::denied("escalation from a non-principal"));
    };
    let account = principal_account(ctx.model, p);
    let Some(identity) = ctx.identity(from) else {
        return Err(EdgeAnswer::denied("no identity"));
    };
    let mut steps = Vec::new();
    for step in &esc.steps {
        // ARNs hold no `*`: a step resource with one is a pattern of resources.
        let resource = if step.resource.contains('*') {
            StrShape::Matching(step.resource.clone())
        } else {
            StrShape::Exact(step.resource.clone())
        };
        let inputs = match &step.trust {
            None => AuthzInputs::identity_only(identity.clone(), account.clone()),
            Some(trust) => match step_trust_inputs(ctx, identity.clone(), step, trust) {
                Some(inputs) => inputs,
                None => return Err(EdgeAnswer::denied("trust policy not collected")),
            },
        };
        let base = ctx
            .shapes(from, &step.action, resource)
            .into_iter()
            .map(|mut shape| {
                for (k, v) in &step.context {
                    shape = shape.with_key(k, KeyShape::Fixed(ContextValue::Single(v.clone())));
                }
                let account = inputs.resource_account.clone();
                (inputs.clone(), ctx.resource_keys(shape, &account))
            })
            .collect();
        let service = step
            .action
            .split_once(':')
            .map_or(String::new(), |(s, _)| s.to_ascii_lowercase());
        // IAM, STS and the other services a step calls take it in any region (interface
        // endpoints are not limited to the resource's region).
        let paths = network_alternatives(ctx, from, &service, None, base);
        steps.push(QuestionGroup {
            actions: vec![step.action.clone()],
            alternatives: paths.alternatives,
            unknown_from: paths.unknown_from,
            zone_paths: paths.zone_paths,
        });
    }
    let incomplete = ctx
        .identity_incomplete(from)
        .then_some("identity policies not collected");
    Ok((steps, incomplete))
}

/// Most combinations of step paths an escalation plan spells out as whole chains; past it
/// a combination is not listed, and a route whose edge was confirmed with it is reported
/// unknown (`confirm_chain` cannot find it), never dropped.
const MAX_STEP_COMBINATIONS: usize = 1024;

/// The whole chains of an escalation: one per combination of its steps' alternatives,
/// every step's known paths first in mixed-radix order (step 0 most significant, so
/// `combination_index` finds a combination's place), then the combinations that take an
/// unheld path somewhere (only make the answer unknown). Returns the chains, the index
/// from which they only make the answer unknown, and the combinations that take one of our
/// endpoints somewhere (`QuestionGroup::zone_paths`: gateway when any step takes a gateway).
#[allow(clippy::type_complexity)]
fn step_combinations<'c>(
    steps: &[QuestionGroup<'c>],
) -> (Vec<Vec<Question<'c>>>, usize, Vec<(usize, bool)>) {
    let known: Vec<usize> = steps.iter().map(|s| s.unknown_from).collect();
    let all: Vec<usize> = steps.iter().map(|s| s.alternatives.len()).collect();
    let mut out: Vec<Vec<Question<'c>>> = Vec::new();
    let mut zone_paths: Vec<(usize, bool)> = Vec::new();
    // Whether a combination takes one of our endpoints, and a gateway one.
    let zone_of = |picks: &[usize]| -> Option<bool> {
        let mut zone = None;
        for (s, &i) in steps.iter().zip(picks) {
            if let Some((_, gateway)) = s.zone_paths.iter().find(|(z, _)| *z == i) {
                zone = Some(zone.unwrap_or(false) || *gateway);
            }
        }
        zone
    };
    let chain = |picks: &[usize]| -> Vec<Question<'c>> {
        steps
            .iter()
            .zip(picks)
            .flat_map(|(s, &i)| s.alternatives.get(i).cloned().unwrap_or_default())
            .collect()
    };
    // Every combination of `radices`, odometer order (the last step turning fastest).
    let combinations = |radices: &[usize], visit: &mut dyn FnMut(&[usize]) -> bool| {
        if radices.iter().any(|&r| r == 0) {
            return;
        }
        let mut picks = vec![0; radices.len()];
        loop {
            if !visit(&picks) {
                return;
            }
            let mut i = radices.len();
            loop {
                if i == 0 {
                    return;
                }
                i -= 1;
                picks[i] += 1;
                if picks[i] < radices[i] {
                    break;
                }
                picks[i] = 0;
            }
        }
    };
    combinations(&known, &mut |picks| {
        if let Some(gateway) = zone_of(picks) {
            zone_paths.push((out.len(), gateway));
        }
        out.push(chain(picks));
        out.len() < MAX_STEP_COMBINATIONS
    });
    let unknown_from = out.len();
    if all != known {
        combinations(&all, &mut |picks| {
            if picks.iter().zip(&known).any(|(p, k)| p >= k) {
                out.push(chain(picks));
            }
            out.len() < MAX_STEP_COMBINATIONS
        });
    }
    (out, unknown_from, zone_paths)
}

/// The place in `step_combinations` of the combination that picks `picks[i]` (a known
/// path) for step `i`.
fn combination_index(picks: &[usize], known: &[usize]) -> usize {
    picks
        .iter()
        .zip(known)
        .fold(0, |index, (&p, &radix)| index * radix + p)
}

/// Confirms an escalation: each step is asked on its own (the steps of one edge share no
/// request variable, so the edge is allowed when every step is, along any of its paths,
/// which costs the sum of the steps' alternatives rather than their product). Denied when
/// some step is denied along every path; unknown when some step is unknown and none denied.
/// The chosen combination is the one `step_combinations` lists at `combination_index`.
///
/// A role's session may be held by an outsider (`Holder`): when a step may go through one
/// of our endpoints, the outsider's answer is asked too and kept as `held_outside` when it
/// differs, as `confirm_edge` does for other edges.
fn confirm_escalation(
    ctx: &RouteCtx<'_>,
    from: &Node,
    esc: &crate::graph::escalation::Escalation,
    started: Instant,
) -> EdgeAnswer {
    let (mut out, rests_on_zone) = answer_escalation(ctx, from, esc, started, Holder::Zone);
    let role = matches!(from, Node::Principal(PrincipalRef::Role(_)));
    if role && out.verdict != EdgeVerdict::Denied && rests_on_zone {
        let (outside, _) = answer_escalation(ctx, from, esc, started, Holder::Outsider);
        out.questions += outside.questions;
        if (outside.verdict, &outside.chosen, &outside.actions)
            != (out.verdict, &out.chosen, &out.actions)
        {
            out.held_outside = Some(Box::new(outside));
        }
    }
    out
}

/// An escalation's answer for requests held by `holder` (`confirm_escalation`), and whether
/// some step may go through one of our endpoints.
fn answer_escalation(
    ctx: &RouteCtx<'_>,
    from: &Node,
    esc: &crate::graph::escalation::Escalation,
    started: Instant,
    holder: Holder,
) -> (EdgeAnswer, bool) {
    let actions: Vec<String> = esc.steps.iter().map(|s| s.action.clone()).collect();
    let (steps, incomplete) = match escalation_steps(ctx, from, esc) {
        Ok(x) => x,
        Err(mut answer) => {
            answer.millis = started.elapsed().as_millis() as u64;
            return (answer, false);
        }
    };
    let rests_on_zone = steps.iter().any(|g| !g.zone_paths.is_empty());
    let mut asked = Asked {
        answer: None,
        chosen: None,
        unknown: None,
        denied: String::new(),
        questions: 0,
    };
    if steps.is_empty() {
        // Nothing to confirm it with (a whole chain of no request was never an answer).
        asked.unknown = Some("an escalation with no request to ask".into());
    }
    let mut requests = Vec::new();
    let mut decided = Vec::new();
    let mut picks = Vec::new();
    for step in &steps {
        let a = ask(step, holder, false);
        asked.questions += a.questions;
        let action = step.actions.join("+");
        match (a.answer, a.chosen, a.unknown) {
            (Some((r, d)), Some(i), _) => {
                requests.extend(r);
                decided.extend(d);
                picks.push(i);
            }
            (_, _, Some(why)) => {
                asked.unknown.get_or_insert(format!("{action}: {why}"));
            }
            _ => {
                asked.unknown = None;
                asked.denied = format!("{action}: {}", a.denied);
                let out = finish(ctx, asked, actions.clone(), started, incomplete);
                return (tidy_escalation(out, actions), rests_on_zone);
            }
        }
    }
    if asked.unknown.is_none() {
        let known: Vec<usize> = steps.iter().map(|s| s.unknown_from).collect();
        asked.chosen = Some(combination_index(&picks, &known));
        asked.answer = Some((requests, decided));
    }
    let out = finish(ctx, asked, actions.clone(), started, incomplete);
    (tidy_escalation(out, actions), rests_on_zone)
}

/// An escalation's answer as `confirm_edge` leaves every answer: an unknown one names the
/// edge's actions; actions sorted; citations without the documents leakpath writes (the
/// rewritten trust).
fn tidy_escalation(mut out: EdgeAnswer, actions: Vec<String>) -> EdgeAnswer {
    if out.verdict == EdgeVerdict::Unknown && out.actions.is_empty() {
        out.actions = actions;
    }
    out.actions.sort();
    out.actions.dedup();
    out.cites.dedup();
    out.cites.retain(|c| !c.starts_with("leakpath:"));
    out
}

/// The answer for a compute hop (instance profile, function execution role): the code on
/// the compute holds the role's credentials only if the role's trust lets `service` call
/// `sts:AssumeRole` (IAM User Guide: the role of an instance profile must trust
/// `ec2.amazonaws.com`, an execution role `lambda.amazonaws.com`). Decided concretely and
/// over-approximately: allowed when an Allow names the service (or `*`) for the action,
/// whatever its conditions (the service sets the keys it signs with), unless a Deny
/// without conditions surely applies to it; unknown when the trust was not collected.
fn compute_role_answer(ctx: &RouteCtx<'_>, to: &Node, edge: &Edge, service: &str) -> EdgeAnswer {
    use crate::policy::{Effect, PrincipalKind, PrincipalSet};
    const ASSUME: &str = "sts:AssumeRole";
    let unknown = |reason: &str| {
        let mut a =
            EdgeAnswer::decided(EdgeVerdict::Unknown, &edge.via, &edge.evidence, Vec::new());
        a.reason = reason.to_string();
        a
    };
    let Some(role) = role_of(to).and_then(|r| ctx.model.roles.get(r.index())) else {
        return EdgeAnswer::denied("not a role");
    };
    let Collected::Present(pid) = role.trust_policy else {
        return unknown("trust policy not collected");
    };
    let Some(trust) = ctx.policy_ref(pid) else {
        return unknown("trust policy not collected");
    };
    let names = |s: &crate::policy::Statement, surely: bool| match &s.principal {
        None => false,
        Some(c) if c.negated => !surely,
        Some(c) => match &c.principals {
            PrincipalSet::Any => true,
            PrincipalSet::Entries(es) => es.iter().any(|e| {
                (e.kind == PrincipalKind::Service && e.value.eq_ignore_ascii_case(service))
                    || (e.kind == PrincipalKind::Aws && e.value == "*")
            }),
        },
    };
    let applies = |s: &crate::policy::Statement| {
        crate::graph::patterns::action_matches(&s.action, ASSUME)
            && s.resource.as_ref().map_or(true, |r| {
                r.negated
                    || r.patterns
                        .iter()
                        .any(|p| p.contains('*') || p == ctx.model.str(role.arn))
            })
    };
    let denied = trust.doc.statements.iter().any(|s| {
        s.effect == Effect::Deny && s.conditions.is_empty() && names(s, true) && applies(s)
    });
    let grant = trust
        .doc
        .statements
        .iter()
        .find(|s| s.effect == Effect::Allow && names(s, false) && applies(s));
    match grant {
        Some(g) if !denied => {
            let mut a =
                EdgeAnswer::decided(EdgeVerdict::Allowed, &edge.via, &edge.evidence, Vec::new());
            a.cites.push(ctx.cite_statement(trust.label, g.index));
            a
        }
        _ => EdgeAnswer::denied(&format!(
            "the role's trust does not let {service} call {ASSUME}"
        )),
    }
}

/// Label of the trust a principal writes for itself before assuming the role (not in the
/// export: never cited).
const REWRITTEN_TRUST_LABEL: &str = "leakpath:rewritten-trust";

/// The inputs of an escalation's `sts:AssumeRole` step decided under a trust policy: the
/// role's collected trust (as `plan_assume` asks it), or the one the caller wrote, each a
/// required grant with the RCPs of the role's account. `None` when the role or its trust
/// was not collected.
fn step_trust_inputs<'c>(
    ctx: &'c RouteCtx<'_>,
    identity: IdentityInputs<'c>,
    step: &'c crate::graph::escalation::Step,
    trust: &'c crate::graph::escalation::StepTrust,
) -> Option<AuthzInputs<'c>> {
    use crate::graph::escalation::StepTrust;
    let m = ctx.model;
    let role = m.role_by_arn(&step.resource)?;
    match trust {
        StepTrust::Collected => trust_inputs(ctx, identity, role).map(|(inputs, _, _)| inputs),
        StepTrust::Rewritten(t) => {
            let account = m.str(m.roles.get(role.index())?.account).to_string();
            Some(AuthzInputs {
                identity,
                resource_account: account.clone(),
                resource_policy: Some(crate::eval::PolicyRef {
                    label: REWRITTEN_TRUST_LABEL,
                    doc: &t.document,
                }),
                resource_policy_mode: ResourcePolicyMode::Required,
                rcps: rcps_for(ctx, &account, &step.action),
                vpc_endpoint_policy: None,
                s3: None,
                kms: None,
            })
        }
    }
}

/// Services whose resources resource control policies (RCPs) govern (Organizations User
/// Guide, "List of AWS services that support RCPs"): S3, STS, KMS, SQS, Secrets Manager,
/// ECR, OpenSearch Serverless, Cognito user pools, CloudWatch Logs, DynamoDB. A request to
/// any other service (Lambda, EC2, …) is not subject to RCPs at all.
const RCP_SERVICES: &[&str] = &[
    "s3",
    "sts",
    "kms",
    "sqs",
    "secretsmanager",
    "ecr",
    "aoss",
    "cognito-idp",
    "logs",
    "dynamodb",
];

/// Whether RCPs apply to `action` (`service:Operation`): its service prefix is one RCPs
/// support.
pub(crate) fn rcps_apply_to(action: &str) -> bool {
    action
        .split_once(':')
        .is_some_and(|(service, _)| RCP_SERVICES.iter().any(|s| s.eq_ignore_ascii_case(service)))
}

/// The RCPs of a resource in `account` that a request for `action` must pass: none for an
/// action of a service RCPs do not cover.
fn rcps_for<'c>(
    ctx: &'c RouteCtx<'_>,
    account: &str,
    action: &str,
) -> Option<crate::eval::OrgPolicies<'c>> {
    if !rcps_apply_to(action) {
        return None;
    }
    ctx.org_policies(account, crate::model::OrgPolicyType::ResourceControl)
}

fn source_principal(n: &Node) -> Option<PrincipalRef> {
    match n {
        Node::Principal(p) | Node::Escalated { principal: p, .. } => Some(*p),
        _ => None,
    }
}

fn role_of(to: &Node) -> Option<crate::model::RoleId> {
    match to {
        Node::Principal(PrincipalRef::Role(r)) => Some(*r),
        _ => None,
    }
}

fn trust_inputs<'c>(
    ctx: &'c RouteCtx<'_>,
    identity: IdentityInputs<'c>,
    role: crate::model::RoleId,
) -> Option<(AuthzInputs<'c>, String, String)> {
    let m = ctx.model;
    let r = m.roles.get(role.index())?;
    let Collected::Present(pid) = r.trust_policy else {
        return None;
    };
    let account = m.str(r.account).to_string();
    Some((
        AuthzInputs {
            identity,
            resource_account: account.clone(),
            resource_policy: ctx.policy_ref(pid),
            resource_policy_mode: ResourcePolicyMode::Required,
            // Every action on a role's trust is an STS action (`sts:AssumeRole*`).
            rcps: rcps_for(ctx, &account, "sts:AssumeRole"),
            vpc_endpoint_policy: None,
            s3: None,
            kms: None,
        },
        m.str(r.arn).to_string(),
        account,
    ))
}

fn plan_assume<'c>(ctx: &'c RouteCtx<'_>, from: &Node, to: &Node) -> EdgePlan<'c> {
    let Some(role) = role_of(to) else {
        return EdgePlan::Decided(EdgeAnswer::denied("not a role"));
    };
    let Some(identity) = ctx.identity(from) else {
        return EdgePlan::Decided(EdgeAnswer::denied("no identity"));
    };
    let Some((inputs, arn, account)) = trust_inputs(ctx, identity, role) else {
        return EdgePlan::Decided(EdgeAnswer::denied("trust policy not collected"));
    };
    let base = ctx
        .shapes(from, "sts:AssumeRole", StrShape::Exact(arn))
        .into_iter()
        .map(|s| (inputs.clone(), ctx.resource_keys(s, &account)))
        .collect();
    // Roles are global; STS takes the call in any region.
    let NetworkAlternatives {
        alternatives,
        unknown_from,
        zone_paths,
    } = network_alternatives(ctx, from, "sts", None, base);
    let incomplete = ctx
        .identity_incomplete(from)
        .then_some("identity policies not collected");
    EdgePlan::Ask {
        groups: vec![QuestionGroup {
            actions: vec!["sts:AssumeRole".into()],
            alternatives,
            unknown_from,
            zone_paths,
        }],
        incomplete,
    }
}

/// The GitHub subject claim of a trust: `repo:OWNER/REPO:...`. A pattern whose owner part is
/// written out (no wildcard before the first `/`) pins the owner; outsiders cannot present
/// a token for a repository of an owner they do not control.
fn github_owner_pinned(pattern: &str) -> bool {
    let Some(rest) = pattern.strip_prefix("repo:") else {
        // Other subject forms (`environment:`, …) are not issued to outsiders' repositories
        // only if they name the owner; treat them as not pinned.
        return false;
    };
    match rest.find('/') {
        Some(slash) => !rest[..slash].contains('*') && !rest[..slash].contains('?'),
        None => false,
    }
}

/// The subject-claim key of a federated provider's identities: `saml:sub` for a SAML
/// provider; `<issuer host>:sub` for an OIDC provider
/// (`token.actions.githubusercontent.com:sub`, `oidc.eks.us-east-1.amazonaws.com/id/ABC:sub`),
/// the host being what the provider ARN names after `oidc-provider/` (or the provider itself:
/// `accounts.google.com`).
fn subject_key(provider: &str) -> (String, Option<String>) {
    if crate::graph::principals::is_saml_provider(provider) {
        return ("saml:sub".to_string(), None);
    }
    let host = provider
        .rsplit_once(":oidc-provider/")
        .map(|(_, h)| h.to_string())
        .unwrap_or_else(|| provider.to_string());
    (format!("{host}:sub"), Some(host))
}

/// Whether a subject pattern keeps outsiders out: GitHub's when it names the owner
/// (`github_owner_pinned`); every other provider's (SAML NameIDs, EKS service accounts
/// `system:serviceaccount:ns:name`, Google subjects, …) only when it is a fixed value, since
/// a wildcard may match an identity an outsider obtains.
fn subject_pattern_pinned(host: Option<&str>, pattern: &str) -> bool {
    if host == Some("token.actions.githubusercontent.com") {
        github_owner_pinned(pattern)
    } else {
        !pattern.contains('*') && !pattern.contains('?')
    }
}

/// Whether a statement's principal element may name `provider` (a `NotPrincipal`, `*` or
/// an entry for it).
fn may_name_provider(clause: Option<&crate::policy::PrincipalClause>, provider: &str) -> bool {
    use crate::policy::{PrincipalKind, PrincipalSet};
    match clause {
        None => false,
        Some(c) if c.negated => true,
        Some(c) => match &c.principals {
            PrincipalSet::Any => true,
            PrincipalSet::Entries(es) => es.iter().any(|e| {
                (e.kind == PrincipalKind::Federated && e.value == provider)
                    || (e.kind == PrincipalKind::Aws && e.value == "*")
            }),
        },
    }
}

/// Whether a trust statement is a Deny that removes every subject an outsider can present:
/// it surely applies to the provider's request for `action` on the role (the provider or
/// `*` named, no `NotPrincipal`; no resource or one naming `*`/the role), and its only
/// conditions are negated string operators (`StringNotLike`, `StringNotEquals`, their
/// `IgnoreCase`/`IfExists` forms; no set qualifier) on the subject key whose every value
/// pins it (`subject_pattern_pinned`). The deny then applies unless the subject matches one
/// of those values, which outsiders cannot present (IAM policy evaluation: an explicit deny
/// overrides every allow). A deny with any other condition may not apply and pins nothing.
fn deny_pins_subject(
    s: &crate::policy::Statement,
    provider: &str,
    action: &str,
    role_arn: &str,
    sub_key: &str,
    host: Option<&str>,
) -> bool {
    use crate::policy::{OperatorBase, PrincipalKind, PrincipalSet};
    if s.effect != crate::policy::Effect::Deny
        || !crate::graph::patterns::action_matches(&s.action, action)
        || s.conditions.is_empty()
    {
        return false;
    }
    let names_provider = match &s.principal {
        Some(c) if !c.negated => match &c.principals {
            PrincipalSet::Any => true,
            PrincipalSet::Entries(es) => es.iter().any(|e| {
                (e.kind == PrincipalKind::Federated && e.value == provider)
                    || (e.kind == PrincipalKind::Aws && e.value == "*")
            }),
        },
        _ => false,
    };
    let on_role = match &s.resource {
        None => true,
        Some(r) => !r.negated && r.patterns.iter().any(|p| p == "*" || p == role_arn),
    };
    names_provider
        && on_role
        && s.conditions.iter().all(|c| {
            c.key.eq_ignore_ascii_case(sub_key)
                && c.operator.set.is_none()
                && matches!(
                    c.operator.base,
                    OperatorBase::StringNotLike
                        | OperatorBase::StringNotEquals
                        | OperatorBase::StringNotEqualsIgnoreCase
                )
                && !c.values.is_empty()
                && c.values
                    .iter()
                    .all(|v| !crate::eval::glob::has_variable(v) && subject_pattern_pinned(host, v))
        })
}

/// Federated assume (OIDC `sts:AssumeRoleWithWebIdentity`, SAML `sts:AssumeRoleWithSAML`):
/// the provider's identity asks the role's trust. A trust whose every (non-negated) subject
/// condition pins the subject keeps outsiders out and is denied without a question;
/// otherwise the witness carries a subject none of the written-out values (an outsider's),
/// and every other claim (`aud`, `SAML:aud`, …) as the trust asks it.
fn plan_web_identity<'c>(ctx: &'c RouteCtx<'_>, from: &Node, to: &Node) -> EdgePlan<'c> {
    let Node::Federated(provider) = from else {
        return EdgePlan::Decided(EdgeAnswer::denied("not a provider"));
    };
    let Some(role) = role_of(to) else {
        return EdgePlan::Decided(EdgeAnswer::denied("not a role"));
    };
    let Some((inputs, arn, account)) = trust_inputs(ctx, IdentityInputs::Unconstrained, role)
    else {
        return EdgePlan::Decided(EdgeAnswer::denied("trust policy not collected"));
    };
    let action = crate::graph::principals::federated_action(provider);
    let (sub_key, host) = subject_key(provider);
    // Subject values written out in the trust: an outsider's identity never carries them.
    // The trust keeps outsiders out when every statement that may admit the provider pins
    // the subject (a statement without a subject condition admits any of its identities).
    let mut pinned_values = Vec::new();
    let mut every_admitting_statement_pinned = true;
    let mut any_admitting_statement = false;
    if let Some(doc) = inputs.resource_policy.map(|r| r.doc) {
        for s in &doc.statements {
            if s.effect != crate::policy::Effect::Allow
                || !crate::graph::patterns::action_matches(&s.action, action)
                || !may_name_provider(s.principal.as_ref(), provider)
            {
                continue;
            }
            any_admitting_statement = true;
            let mut statement_pinned = false;
            for c in &s.conditions {
                if !c.key.eq_ignore_ascii_case(&sub_key) || c.operator.base.is_negated() {
                    continue;
                }
                pinned_values.extend(
                    c.values
                        .iter()
                        .filter(|v| !v.contains('*') && !v.contains('?'))
                        .cloned(),
                );
                if !c.values.is_empty()
                    && c.values
                        .iter()
                        .all(|v| subject_pattern_pinned(host.as_deref(), v))
                {
                    statement_pinned = true;
                }
            }
            if !statement_pinned {
                every_admitting_statement_pinned = false;
            }
        }
    }
    if any_admitting_statement && every_admitting_statement_pinned {
        return EdgePlan::Decided(EdgeAnswer::denied(
            "subject claim pinned to a fixed owner or identity",
        ));
    }
    if let Some(doc) = inputs.resource_policy.map(|r| r.doc) {
        let pinning_deny = doc
            .statements
            .iter()
            .any(|s| deny_pins_subject(s, provider, action, &arn, &sub_key, host.as_deref()));
        if pinning_deny {
            return EdgePlan::Decided(EdgeAnswer::denied(
                "subject claim pinned by an explicit deny to a fixed owner or identity",
            ));
        }
    }
    let alts = ctx
        .shapes(from, action, StrShape::Exact(arn))
        .into_iter()
        .map(|s| {
            let s = s.with_key(&sub_key, KeyShape::NoneOf(pinned_values.clone().into()));
            vec![Question {
                inputs: inputs.clone(),
                shape: ctx.resource_keys(s, &account),
            }]
        })
        .collect();
    single(vec![action.into()], alts, None)
}

fn plan_function_url<'c>(ctx: &'c RouteCtx<'_>, to: &Node) -> EdgePlan<'c> {
    let Node::Lambda(f) = to else {
        return EdgePlan::Decided(EdgeAnswer::denied("not a function"));
    };
    let m = ctx.model;
    let Some(func) = m.lambda_functions.get(f.index()) else {
        return EdgePlan::Decided(EdgeAnswer::denied("no function"));
    };
    let account = m.str(func.account).to_string();
    let (policy, incomplete) = match &func.policy {
        Collected::Present(Some(pid)) => (ctx.policy_ref(*pid), None),
        Collected::Present(None) => (None, None),
        Collected::Missing => (None, Some("function policy not collected")),
    };
    let inputs = AuthzInputs {
        identity: IdentityInputs::Unconstrained,
        resource_account: account.clone(),
        resource_policy: policy,
        resource_policy_mode: ResourcePolicyMode::Alternative,
        rcps: rcps_for(ctx, &account, "lambda:InvokeFunctionUrl"),
        vpc_endpoint_policy: None,
        s3: None,
        kms: None,
    };
    let arn = m.str(func.arn).to_string();
    let shape = RequestShape::anonymous(
        StrShape::Exact("lambda:InvokeFunctionUrl".into()),
        StrShape::Exact(arn),
    )
    .with_key(
        "lambda:FunctionUrlAuthType",
        KeyShape::Fixed(ContextValue::Single("NONE".into())),
    );
    let alts = vec![vec![Question {
        inputs,
        shape: ctx.resource_keys(shape, &account),
    }]];
    single(vec!["lambda:InvokeFunctionUrl".into()], alts, incomplete)
}

/// The questions of a data read: one group per action of `actions` (of `READ_ACTIONS`, in
/// its order), the version read only where a policy may grant it (`may_be_granted`) and
/// may allow it where it does not allow the object read (`version_read_may_add`).
///
/// With `grant_refutes`, reads refuted by the bucket's grants (`bucket_grant`) are left
/// with nothing to ask too; reads refuted by their KMS leg (`kms_leg`) always are.
fn plan_read<'c>(
    ctx: &'c RouteCtx<'_>,
    from: &Node,
    to: &Node,
    actions: &[&str],
    grant_refutes: bool,
) -> EdgePlan<'c> {
    let Node::Bucket(b) = to else {
        return EdgePlan::Decided(EdgeAnswer::denied("not a bucket"));
    };
    let m = ctx.model;
    let Some(bucket) = m.buckets.get(b.index()) else {
        return EdgePlan::Decided(EdgeAnswer::denied("no bucket"));
    };
    let Some(identity) = ctx.identity(from) else {
        return EdgePlan::Decided(EdgeAnswer::denied("no identity"));
    };
    let arn = m.str(bucket.arn).to_string();
    let account = m.str(bucket.account).to_string();
    let incomplete = if bucket.policy.is_missing() {
        Some("bucket policy not collected")
    } else if bucket.acl.is_missing() && matches!(from, Node::Anyone | Node::Account(_)) {
        Some("bucket ACL not collected")
    } else if ctx.identity_incomplete(from) {
        Some("identity policies not collected")
    } else {
        None
    };
    let region = bucket.region.present().map(String::as_str);
    let objects = format!("{arn}/");
    let mut groups = Vec::new();
    for &action in actions {
        let object = is_object_read(action);
        let resource = RouteCtx::read_resource(action, &arn);
        let outside = matches!(from, Node::Anyone | Node::Account(_) | Node::Federated(_));
        let Some(inputs) = ctx.bucket_inputs(identity.clone(), *b, object, outside) else {
            continue;
        };
        if action == VERSION_READ
            && (!version_read_may_add(ctx, &inputs)
                || (!bucket.policy.is_missing()
                    && !may_be_granted(&inputs, action, read_target(action, &arn, &objects))))
        {
            continue;
        }
        let base: Vec<(AuthzInputs<'c>, RequestShape)> = ctx
            .shapes(from, action, resource)
            .into_iter()
            .map(|s| (inputs.clone(), ctx.resource_keys(s, &account)))
            .collect();
        // A read only the bucket's grants could allow, which they grant no principal of
        // the reader's account (`bucket_grant`), or an object read whose KMS leg is refuted
        // for this requester and key (`kms_leg`), is denied whatever else it carries: its
        // group stays, with nothing to ask, so the group indices (`EdgeAnswer::chosen`)
        // and the actions an unknown answer names (the first group's) do not move. With
        // something not collected it is asked. The bucket's refutation is asked of the
        // direct requests (`base`), before the network paths and Athena's forwarded
        // requests are built: each of those has an S3 request that is one of `base` with
        // other network keys, an endpoint policy or the forwarded-request keys, none of
        // which the refutation reads (`bucket_grant::refutes_all`).
        let grant_refuted = grant_refutes
            && incomplete.is_none()
            && !bucket.acl.is_missing()
            && super::bucket_grant::refutes_all(&ctx.bucket_grants, &base);
        if grant_refuted {
            groups.push(QuestionGroup::refuted(vec![action.to_string()]));
            continue;
        }
        let group = s3_request_group(ctx, from, region, base, action);
        if object
            && incomplete.is_none()
            && inputs_have_kms(&group)
            && super::kms_leg::refutes_group(ctx, &group)
        {
            groups.push(QuestionGroup::refuted(group.actions));
        } else {
            groups.push(group);
        }
    }
    EdgePlan::Ask { groups, incomplete }
}

/// Whether every object read of `from` on bucket `b` is refuted by its KMS leg alone
/// (`kms_leg`), everything it needs collected: a confirmed read of it can then only list
/// (`s3:ListBucket`). `false` whenever `plan_read` would ask an object read. Reads the
/// bucket's grants refute (`bucket_grant`) are left out: the scan skips the readers this
/// finds once the bucket is listed, which may change which of two equally ranked routes a
/// finding shows.
pub(crate) fn object_reads_refuted(
    ctx: &RouteCtx<'_>,
    from: &Node,
    b: crate::model::BucketId,
) -> bool {
    let EdgePlan::Ask {
        groups,
        incomplete: None,
    } = plan_read(
        ctx,
        from,
        &Node::Bucket(b),
        &crate::graph::data::OBJECT_READS,
        false,
    )
    else {
        return false;
    };
    groups
        .iter()
        .any(|g| g.actions.iter().any(|a| a == OBJECT_READ))
        && groups.iter().all(|g| g.alternatives.is_empty())
}

/// Whether some question of `group` carries a KMS key (an SSE-KMS object read).
fn inputs_have_kms(group: &QuestionGroup<'_>) -> bool {
    group
        .alternatives
        .iter()
        .flatten()
        .any(|q| q.inputs.kms.is_some())
}

/// The object read asked only as a fallback, last (`READ_ACTIONS` order):
/// `s3:GetObjectVersion` returns the same objects as `s3:GetObject`
/// (`graph::data::OBJECT_READS`), so `confirm_edge` asks it only when `s3:GetObject` is not
/// allowed, and the edge's actions list it only then (`read_prefix` still holds it to the
/// prefix when it was not asked). Asking it of every read edge cost 19-22% more CPU on the
/// 1,000- and 5,000-role exports.
pub(crate) const VERSION_READ: &str = "s3:GetObjectVersion";

/// Whether the policies of a question with `inputs`, or the policy of an endpoint of the
/// zone a network path adds to it, may allow `s3:GetObjectVersion` where they do not allow
/// `s3:GetObject` (`may_add_version_read`). Otherwise a version read allowed is an object
/// read allowed, on the same path with the same request: asking it after `s3:GetObject`
/// was not allowed, or holding it to a prefix `s3:GetObject` is held to, adds nothing.
pub(crate) fn version_read_may_add(ctx: &RouteCtx<'_>, inputs: &AuthzInputs<'_>) -> bool {
    super::context::input_docs(inputs)
        .iter()
        .any(|d| may_add_version_read(d))
        || ctx
            .endpoints
            .iter()
            .filter_map(|e| e.policy.and_then(|p| ctx.model.policy(p)))
            .any(|p| may_add_version_read(&p.document))
}

/// Whether some Allow of `doc` covers the version read and not the object read, or some
/// Deny the object read and not the version read. Otherwise every statement that applies
/// to the version read applies to the object read among the allows, and the other way
/// among the denies, under the same conditions; both are object actions S3 decrypts with
/// `kms:Decrypt`, and no bucket ACL permission grants either (`eval::s3`). An identity the
/// export does not hold (`Unconstrained`) allows both.
fn may_add_version_read(doc: &crate::policy::PolicyDocument) -> bool {
    use crate::graph::patterns::action_matches;
    use crate::policy::Effect;
    doc.statements.iter().any(|s| {
        let (get, version) = (
            || action_matches(&s.action, OBJECT_READ),
            || action_matches(&s.action, VERSION_READ),
        );
        match s.effect {
            Effect::Allow => version() && !get(),
            Effect::Deny => get() && !version(),
        }
    })
}

/// The object read every read edge asks.
const OBJECT_READ: &str = "s3:GetObject";

/// Whether `group` is the version read (`VERSION_READ`).
fn is_version_read(group: &QuestionGroup<'_>) -> bool {
    group.actions.len() == 1 && group.actions.iter().all(|a| a == VERSION_READ)
}

/// Whether some Allow statement of the identity policies or the resource policy of
/// `inputs` may allow `action` on `target` (`graph::patterns`: conditions and denies
/// ignored), so a question about it can be allowed at all. An identity the export does not
/// hold (`Unconstrained`) may allow anything. ACL grants are left out: they grant
/// `s3:GetObjectVersion` only in object ACLs, which a question never holds
/// (`RouteCtx::bucket_inputs`; S3 User Guide, "ACL permissions and access policy
/// permissions": a bucket's READ lists, an object's READ reads it and its versions).
fn may_be_granted(
    inputs: &AuthzInputs<'_>,
    action: &str,
    target: crate::graph::patterns::ResourceTarget<'_>,
) -> bool {
    use crate::graph::patterns::doc_may_allow;
    let identity = match &inputs.identity {
        IdentityInputs::Unconstrained => true,
        IdentityInputs::Known(ip) => ip
            .policies
            .iter()
            .any(|p| doc_may_allow(p.doc, action, target)),
    };
    identity
        || inputs
            .resource_policy
            .as_ref()
            .is_some_and(|p| doc_may_allow(p.doc, action, target))
}

/// The bucket the outsider is free to name when no pattern asks for a particular one.
const OUTSIDE_DESTINATION: &str = "leakpath-outside-destination";

/// Most destination objects tried per egress edge (the outsider's free one first).
const MAX_EGRESS_DESTINATIONS: usize = 8;

/// Destination objects to try for egress: the outsider's free bucket with key `exfil`,
/// then one object for every pattern an Allow of `s3:PutObject` names in the principal's
/// identity policies, its permissions boundary and the SCPs above it (each of them may be
/// the one that narrows the write), skipping buckets of ours. S3 bucket names are global
/// and first-come, so an outsider can create any bucket a pattern admits; the object key
/// is taken from the pattern (`*/uploads/*` → `uploads/exfil`). Policy variables are
/// substituted from what the principal's request carries (`${aws:username}` is the user's
/// own name) and otherwise read as `*`.
fn egress_destinations(ctx: &RouteCtx<'_>, from: &Node) -> Vec<String> {
    let mut out = vec![format!("arn:aws:s3:::{OUTSIDE_DESTINATION}/exfil")];
    let variables = source_principal(from).map(|p| {
        crate::eval::derived_context(&Request {
            principal: ctx.aws_principal(p),
            action: EGRESS_ACTION.to_string(),
            resource: String::new(),
            context: crate::eval::RequestContext::new(),
        })
    });
    let docs: Vec<&crate::policy::PolicyDocument> = match ctx.identity(from) {
        Some(IdentityInputs::Known(ip)) => ip
            .policies
            .iter()
            .chain(ip.permissions_boundary.iter())
            .chain(ip.scps.iter().flat_map(|o| o.levels.iter().flatten()))
            .map(|r| r.doc)
            .collect(),
        _ => Vec::new(),
    };
    for doc in docs {
        for s in &doc.statements {
            if s.effect != crate::policy::Effect::Allow
                || !crate::graph::patterns::action_matches(&s.action, EGRESS_ACTION)
            {
                continue;
            }
            let Some(r) = &s.resource else { continue };
            if r.negated {
                continue;
            }
            for pat in &r.patterns {
                let Some(rest) = pat.strip_prefix("arn:aws:s3:::") else {
                    continue;
                };
                let Some((bucket, key)) = destination_of(rest, variables.as_ref()) else {
                    continue;
                };
                if ctx.model.bucket_by_name(&bucket).is_some() {
                    continue;
                }
                out.push(format!("arn:aws:s3:::{bucket}/{key}"));
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|d| seen.insert(d.clone()));
    out.truncate(MAX_EGRESS_DESTINATIONS);
    out
}

/// One character of an S3 resource pattern after variable substitution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PatternChar {
    Literal(char),
    /// `*` (any run, `/` included) or `?` (one character).
    Wild,
}

/// Substitutes the policy variables of a pattern: `${*}`, `${?}`, `${$}` are the literal
/// characters; `${key}` (or `${key, 'default'}`) the key's single value in `variables`, the
/// default, or else a wildcard (any value the request may carry).
fn substitute_pattern(
    pattern: &str,
    variables: Option<&crate::eval::RequestContext>,
) -> Vec<PatternChar> {
    let mut out = Vec::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("${") {
            if let Some(end) = after.find('}') {
                let inner = &after[..end];
                rest = &after[end + 1..];
                match inner {
                    "*" | "?" | "$" => out.extend(inner.chars().map(PatternChar::Literal)),
                    _ => {
                        let (key, default) = match inner.split_once(',') {
                            Some((k, d)) => (
                                k.trim(),
                                d.trim()
                                    .strip_prefix('\'')
                                    .and_then(|d| d.strip_suffix('\''))
                                    .map(|d| d.replace("''", "'")),
                            ),
                            None => (inner.trim(), None),
                        };
                        let value = variables.and_then(|v| v.get(key)).and_then(|v| match v {
                            ContextValue::Single(s) => Some(s.clone()),
                            ContextValue::Multi(_) => None,
                        });
                        match value.or(default) {
                            Some(text) => out.extend(text.chars().map(PatternChar::Literal)),
                            None => out.push(PatternChar::Wild),
                        }
                    }
                }
                continue;
            }
        }
        out.push(match c {
            '*' | '?' => PatternChar::Wild,
            other => PatternChar::Literal(other),
        });
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// One object an S3 resource pattern (the part after `arn:aws:s3:::`) matches, as (bucket,
/// key): the bucket is the part before the first literal `/`, a wildcard there written
/// `x` (a bucket name that is only wildcards is the outsider's free one); the key is the
/// rest with each wildcard written `exfil`. A pattern whose bucket part ends in a wildcard
/// and holds no `/` matches objects too (`*` spans `/`): key `exfil`. `None` for a pattern
/// that names a bucket, not objects.
fn destination_of(
    pattern: &str,
    variables: Option<&crate::eval::RequestContext>,
) -> Option<(String, String)> {
    let chars = substitute_pattern(pattern, variables);
    let slash = chars.iter().position(|c| *c == PatternChar::Literal('/'));
    let (bucket_part, key_part) = match slash {
        Some(i) => (&chars[..i], chars.get(i + 1..).unwrap_or(&[])),
        None if chars.last() == Some(&PatternChar::Wild) => (&chars[..], &[][..]),
        None => return None,
    };
    let bucket = if bucket_part.iter().all(|c| *c == PatternChar::Wild) {
        OUTSIDE_DESTINATION.to_string()
    } else {
        bucket_part
            .iter()
            .map(|c| match c {
                PatternChar::Literal(l) => *l,
                PatternChar::Wild => 'x',
            })
            .collect()
    };
    let key: String = if key_part.is_empty() {
        if slash.is_some() {
            return None;
        }
        "exfil".to_string()
    } else {
        key_part
            .iter()
            .map(|c| match c {
                PatternChar::Literal(l) => l.to_string(),
                PatternChar::Wild => "exfil".to_string(),
            })
            .collect()
    };
    Some((bucket, key))
}

fn plan_egress<'c>(ctx: &'c RouteCtx<'_>, from: &Node) -> EdgePlan<'c> {
    let Some(identity) = ctx.identity(from) else {
        return EdgePlan::Decided(EdgeAnswer::denied("no identity"));
    };
    let outside_account = ctx.zone.generic_outside_account();
    let our_orgs: Vec<String> = ctx.zone.org_id.iter().cloned().collect();
    let inputs = AuthzInputs {
        identity,
        resource_account: outside_account.clone(),
        resource_policy: Some(crate::eval::PolicyRef {
            label: "leakpath:outside-bucket-policy",
            doc: &ctx.outside_bucket_policy,
        }),
        resource_policy_mode: ResourcePolicyMode::Alternative,
        rcps: None,
        vpc_endpoint_policy: None,
        s3: Some(S3Inputs::default()),
        kms: None,
    };
    let mut base = Vec::new();
    for dest in egress_destinations(ctx, from) {
        for s in ctx.shapes(from, EGRESS_ACTION, StrShape::Exact(dest.clone())) {
            let s = s
                .with_key(
                    "aws:ResourceAccount",
                    KeyShape::Fixed(ContextValue::Single(outside_account.clone())),
                )
                // S3's own name for the bucket owner's account: the same value.
                .with_key(
                    "s3:ResourceAccount",
                    KeyShape::Fixed(ContextValue::Single(outside_account.clone())),
                )
                .with_key(
                    "aws:ResourceOrgID",
                    KeyShape::NoneOf(our_orgs.clone().into()),
                )
                // The outsider's account is in no organization of ours; leaving its path
                // absent is consistent with any foreign org id (our org's path would need
                // our org id, which `aws:ResourceOrgID` excludes).
                .with_key("aws:ResourceOrgPaths", KeyShape::Absent);
            base.push((inputs.clone(), s));
        }
    }
    // The outsider picks a destination bucket in whichever region suits the endpoint.
    let group = s3_request_group(ctx, from, None, base, EGRESS_ACTION);
    let incomplete = ctx
        .identity_incomplete(from)
        .then_some("identity policies not collected");
    EdgePlan::Ask {
        groups: vec![group],
        incomplete,
    }
}

/// The alternatives of one request to `service` by `from`: every base question sent directly first,
/// in the order they were always asked (so the index of a direct answer does not move),
/// then through each VPC endpoint worth asking (`RouteCtx::network_paths`), then through
/// endpoints a policy pins that the export does not hold. Returns the alternatives and the
/// index from which they only make the answer unknown.
///
/// An endpoint is one more alternative, never a replacement: a requester that may send
/// through an endpoint may also send without one, unless a policy (an SCP, a bucket
/// condition on `aws:SourceVpce`) forces the endpoint, and then only the endpoint
/// alternatives, each with its endpoint's policy as a gate, can be allowed.
pub(crate) fn network_alternatives<'c>(
    ctx: &'c RouteCtx<'_>,
    from: &Node,
    service: &str,
    resource_region: Option<&str>,
    base: Vec<(AuthzInputs<'c>, RequestShape)>,
) -> NetworkAlternatives<'c> {
    let inside = matches!(from, Node::Principal(_) | Node::Escalated { .. });
    let mut direct = Vec::new();
    // (alternative, Some(gateway) when through one of our endpoints)
    let mut through: Vec<(Vec<Question<'c>>, Option<bool>)> = Vec::new();
    let mut unheld = Vec::new();
    for (inputs, shape) in base {
        let mut paths = ctx.network_paths(inside, service, resource_region, &inputs);
        let mut place = |path: NetworkPath, inputs, shape| {
            let (inputs, shape) = ctx.along_path(&path, inputs, shape);
            let q = vec![Question { inputs, shape }];
            match path {
                NetworkPath::Direct => direct.push(q),
                NetworkPath::Endpoint(i) => {
                    let gateway = ctx.endpoints.get(i).is_none_or(|e| e.gateway);
                    through.push((q, Some(gateway)))
                }
                NetworkPath::Foreign => through.push((q, None)),
                NetworkPath::Unheld { .. } => unheld.push(q),
            }
        };
        // The last path takes the request itself, the others a copy (most questions have
        // only the direct path).
        let last = paths.pop();
        for path in paths {
            place(path, inputs.clone(), shape.clone());
        }
        if let Some(path) = last {
            place(path, inputs, shape);
        }
    }
    let unknown_from = direct.len() + through.len();
    let mut zone_paths = Vec::new();
    for (q, zone) in through {
        if let Some(gateway) = zone {
            zone_paths.push((direct.len(), gateway));
        }
        direct.push(q);
    }
    direct.extend(unheld);
    NetworkAlternatives {
        alternatives: direct,
        unknown_from,
        zone_paths,
    }
}

/// The group of one S3 request `action` of `from` in the bucket's `region`: every network
/// path worth asking (`network_alternatives`), and Athena's forwarded requests
/// (`add_fas_alternatives`; Athena reads a query's data, and writes its results wherever
/// the caller says, with the caller's permissions).
fn s3_request_group<'c>(
    ctx: &'c RouteCtx<'_>,
    from: &Node,
    region: Option<&str>,
    base: Vec<(AuthzInputs<'c>, RequestShape)>,
    action: &str,
) -> QuestionGroup<'c> {
    let mut paths = network_alternatives(ctx, from, "s3", region, base);
    add_fas_alternatives(ctx, from, &mut paths);
    let NetworkAlternatives {
        alternatives,
        unknown_from,
        zone_paths,
    } = paths;
    QuestionGroup {
        actions: vec![action.to_string()],
        alternatives,
        unknown_from,
        zone_paths,
    }
}

/// The service that makes S3 requests with the caller's own permissions (forward access
/// sessions) on the caller's behalf and hands it the result: Amazon Athena reads a query's
/// data and writes its results with the caller's credentials (IAM User Guide, "Forward
/// access sessions"; the data perimeter guidance exempts such calls with
/// `aws:ViaAWSService`). Other services that do the same are not modelled yet.
const FAS_READER: (&str, &str) = ("athena", "athena:StartQueryExecution");

/// `alternatives` (S3 reads or egress writes of `from`, see `network_alternatives`) with, when `from` is a
/// principal of the zone and a policy of a direct request names `aws:ViaAWSService` or
/// `aws:CalledVia*`, the same S3 requests made by Athena for it: a chain of the caller's
/// own `athena:StartQueryExecution` (directly or through each endpoint worth asking) and
/// the S3 request carrying `aws:ViaAWSService` = true and `aws:CalledVia` = Athena, no VPC
/// keys and any source address. Without such a policy the forwarded request allows nothing
/// the direct one does not (the keys it changes are named by no policy), so nothing is
/// added. The new alternatives come before the unknown-only ones; the indices of the others
/// do not move.
fn add_fas_alternatives<'c>(
    ctx: &'c RouteCtx<'_>,
    from: &Node,
    paths: &mut NetworkAlternatives<'c>,
) {
    let Some(p) = source_principal(from) else {
        return;
    };
    let direct: Vec<&Question<'c>> = paths
        .alternatives
        .iter()
        .take(paths.unknown_from)
        .filter(|chain| chain.len() == 1)
        .filter_map(|chain| chain.first())
        // The direct requests (not through an endpoint, ours or an outsider's).
        .filter(|q| matches!(q.shape.key("aws:SourceVpce"), KeyShape::Absent))
        .collect();
    let names_fas = direct.iter().any(|q| {
        super::context::input_docs(&q.inputs).iter().any(|d| {
            d.statements
                .iter()
                .any(|st| st.conditions.iter().any(fas_condition))
        })
    });
    if !names_fas {
        return;
    }
    let Some(identity) = ctx.identity(from) else {
        return;
    };
    let account = principal_account(ctx.model, p);
    let (service, action) = FAS_READER;
    let workgroups = StrShape::Matching(format!("arn:aws:athena:*:{account}:workgroup/*"));
    let base = ctx
        .shapes(from, action, workgroups)
        .into_iter()
        .map(|s| {
            let inputs = AuthzInputs::identity_only(identity.clone(), account.clone());
            (inputs, ctx.resource_keys(s, &account))
        })
        .collect();
    let callers = network_alternatives(ctx, from, service, None, base);
    let fixed = |v: &str| KeyShape::Fixed(crate::eval::ContextValue::Single(v.into()));
    let forwarded: Vec<Question<'c>> = direct
        .iter()
        .map(|q| {
            let shape = q
                .shape
                .clone()
                .with_key("aws:ViaAWSService", fixed("true"))
                .with_key("aws:SourceIp", KeyShape::Free);
            let shape = super::context::CALLED_VIA_KEYS
                .iter()
                .fold(shape, |s, k| s.with_key(k, fixed("athena.amazonaws.com")));
            Question {
                inputs: q.inputs.clone(),
                shape,
            }
        })
        .collect();
    let mut added: Vec<Vec<Question<'c>>> = Vec::new();
    let at = paths.unknown_from;
    for (ci, caller) in callers
        .alternatives
        .iter()
        .take(callers.unknown_from)
        .enumerate()
    {
        let zone = callers.zone_paths.iter().find(|(i, _)| *i == ci);
        for f in &forwarded {
            if let Some((_, gateway)) = zone {
                paths.zone_paths.push((at + added.len(), *gateway));
            }
            let mut chain = caller.clone();
            chain.push(f.clone());
            added.push(chain);
        }
    }
    paths.unknown_from += added.len();
    paths.alternatives.splice(at..at, added);
}

/// Whether a condition can treat Athena's forwarded request unlike the caller's own: it
/// names `aws:ViaAWSService`, or `aws:CalledVia*` with an operator that holds when the key
/// is absent (negated, `Null`, `…IfExists`, `ForAllValues:`) or a value that matches
/// `athena.amazonaws.com`. A plain positive condition on another service's name holds for
/// neither request (the caller's own lacks the key, Athena's names Athena).
fn fas_condition(c: &crate::policy::Condition) -> bool {
    let key = c.key.to_ascii_lowercase();
    if key == "aws:viaawsservice" {
        return true;
    }
    if !key.starts_with("aws:calledvia") {
        return false;
    }
    let op = c.operator.raw.to_ascii_lowercase();
    op.contains("not")
        || op.contains("null")
        || c.operator.if_exists
        || c.operator.set == Some(crate::policy::SetQualifier::ForAllValues)
        || c.values.iter().any(|v| {
            v.contains("${")
                || crate::smt::glob::Glob::pattern(v, true).matches("athena.amazonaws.com")
        })
}

/// The alternatives of one request (`network_alternatives`).
pub(crate) struct NetworkAlternatives<'c> {
    pub(crate) alternatives: Vec<Vec<Question<'c>>>,
    /// See `QuestionGroup::unknown_from`.
    pub(crate) unknown_from: usize,
    /// See `QuestionGroup::zone_paths`.
    pub(crate) zone_paths: Vec<(usize, bool)>,
}

/// The key prefix (`public/`, always ending in `/`) that every read a data edge allows is
/// limited to, if there is one: the route then exposes that prefix, not the whole bucket.
/// A read is an object read (`s3:GetObject`, `s3:GetObjectVersion`: the key is under the
/// prefix) or a listing (`s3:ListBucket`: the request's `s3:prefix` is under it, so only
/// keys under it are listed).
///
/// Decided soundly: a candidate prefix (from the resource patterns and `s3:prefix`
/// conditions of the edge's policies, agreeing with the witness) counts only if the
/// solver refutes, for every alternative of every read action the edge allows, a read
/// outside it; an edge that reads objects also has its `s3:GetObjectVersion` read held to
/// the prefix when `confirm_edge` did not ask it. The question is the same with one more
/// gate that lets through only reads outside the prefix (the endpoint gate: the request's
/// own endpoint policy, when it has one, plus a deny of reads under the prefix). Anything
/// but `Denied` (allowed, unknown, an error) means "not limited"; so does an edge not
/// confirmed, which may allow more than its answer says.
pub fn read_prefix(
    ctx: &RouteCtx<'_>,
    from: &Node,
    to: &Node,
    edge: &Edge,
    answer: &EdgeAnswer,
) -> Option<String> {
    const LIST: &str = "s3:ListBucket";
    if !matches!(edge.kind, EdgeKind::DataRead)
        || answer.verdict != EdgeVerdict::Allowed
        || answer
            .actions
            .iter()
            .any(|a| !is_object_read(a) && a != LIST)
        || answer.actions.is_empty()
    {
        return None;
    }
    let Node::Bucket(b) = to else { return None };
    let bucket = ctx.model.buckets.get(b.index())?;
    let objects = format!("{}/", ctx.model.str(bucket.arn));
    // What the witness read: the object key, and the listing's `s3:prefix` ("" = none:
    // then no prefix limits it).
    let mut witnessed: Vec<&str> = Vec::new();
    for w in answer.witness.iter() {
        if is_object_read(&w.action) {
            witnessed.extend(w.resource.strip_prefix(&objects));
        } else if w.action == LIST {
            let prefix = w
                .context
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("s3:prefix"))
                .and_then(|(_, v)| v.first());
            witnessed.push(prefix.map_or("", String::as_str));
        }
    }
    // A prefix ends in `/` and holds every witnessed key: none can when a key has no `/`
    // (the common case, answered without building the plan).
    if witnessed.iter().any(|k| !k.contains('/')) {
        return None;
    }
    let EdgePlan::Ask { groups, .. } = edge_plan(ctx, from, to, edge) else {
        return None;
    };
    // The groups of the actions the edge allows (each must be limited), and the object
    // read not asked because another object read was allowed (it may read more).
    let reads_objects = answer.reads_objects();
    let allowed: Vec<&QuestionGroup<'_>> = groups
        .iter()
        .filter(|g| {
            g.actions.iter().all(|a| answer.actions.contains(a))
                || (reads_objects && is_version_read(g))
        })
        .collect();
    if allowed.is_empty() {
        return None;
    }
    let mut candidates: Vec<String> = Vec::new();
    for q in allowed.iter().flat_map(|g| g.alternatives.iter().flatten()) {
        for doc in super::context::input_docs(&q.inputs) {
            for st in &doc.statements {
                let mut literals: Vec<&str> = Vec::new();
                if let Some(r) = &st.resource {
                    literals.extend(r.patterns.iter().filter_map(|p| p.strip_prefix(&objects)));
                }
                for c in &st.conditions {
                    if c.key.eq_ignore_ascii_case("s3:prefix") {
                        literals.extend(c.values.iter().map(String::as_str));
                    }
                }
                for l in literals {
                    let literal = l.split(['*', '?', '$']).next().unwrap_or("");
                    candidates.extend(folder_prefixes(literal));
                }
            }
        }
    }
    candidates.retain(|c| witnessed.iter().all(|k| k.starts_with(c.as_str())));
    candidates.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    candidates.dedup();
    candidates.truncate(MAX_PREFIX_CANDIDATES);
    candidates.into_iter().find(|prefix| {
        allowed.iter().all(|g| {
            let deny = if g.actions.iter().any(|a| is_object_read(a)) {
                outside_objects(&format!("{objects}{prefix}*"))
            } else {
                outside_listings(&format!("{prefix}*"))
            };
            only_under(&g.alternatives, &deny)
        })
    })
}

/// Candidate prefixes tried per route, longest first.
const MAX_PREFIX_CANDIDATES: usize = 4;

/// Every prefix of `literal` that ends in `/`, longest first (`a/b/c` → `a/b/`, `a/`).
fn folder_prefixes(literal: &str) -> Vec<String> {
    let mut out: Vec<String> = literal
        .match_indices('/')
        .map(|(i, _)| literal[..=i].to_string())
        .collect();
    out.reverse();
    out
}

/// Deny statements that stop every object read under `pattern` (the prefix's objects), so
/// only reads outside it are left.
fn outside_objects(pattern: &str) -> Vec<serde_json::Value> {
    vec![
        serde_json::json!({"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": pattern}),
    ]
}

/// Deny statements that stop every listing whose `s3:prefix` is under `pattern`, so only
/// listings outside it (or with no prefix: the whole bucket) are left.
fn outside_listings(pattern: &str) -> Vec<serde_json::Value> {
    vec![
        serde_json::json!({"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
                            "Condition": {"StringLike": {"s3:prefix": pattern}}}),
    ]
}

/// Whether no alternative allows a read outside the prefix: each is asked with a gate
/// that adds `deny` (the reads under the prefix) to its endpoint policy.
fn only_under(alternatives: &[Vec<Question<'_>>], deny: &[serde_json::Value]) -> bool {
    alternatives.iter().all(|alt| {
        let guards: Option<Vec<crate::policy::PolicyDocument>> = alt
            .iter()
            .map(|q| prefix_guard(q.inputs.vpc_endpoint_policy.map(|p| p.doc), deny))
            .collect();
        let Some(guards) = guards else {
            return false;
        };
        let chain: Vec<Question<'_>> = alt
            .iter()
            .zip(&guards)
            .map(|(q, g)| {
                let mut q = q.clone();
                q.inputs.vpc_endpoint_policy = Some(crate::eval::PolicyRef {
                    label: "leakpath:prefix-guard",
                    doc: g,
                });
                q
            })
            .collect();
        matches!(check_chain(&chain), Ok(Answer::Denied(_)))
    })
}

/// The gate of a prefix check: the request's own endpoint policy (or allow-all where it
/// has none) plus the `deny` statements.
fn prefix_guard(
    endpoint: Option<&crate::policy::PolicyDocument>,
    deny: &[serde_json::Value],
) -> Option<crate::policy::PolicyDocument> {
    use crate::policy::parse::parse_policy_text;
    let deny = serde_json::json!({"Version": "2012-10-17", "Statement": deny});
    let deny = parse_policy_text(&deny.to_string()).ok()?;
    let mut doc = match endpoint {
        Some(d) => d.clone(),
        None => parse_policy_text(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#,
        )
        .ok()?,
    };
    for mut st in deny.statements {
        st.index = doc.statements.len();
        doc.statements.push(st);
    }
    Some(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `confirm_edge` plans a read without the version read and appends it when needed:
    /// the group indices it records (`EdgeAnswer::chosen`) are `edge_plan`'s only when the
    /// version read is the last read action.
    #[test]
    fn version_read_is_the_last_read_action() {
        assert_eq!(READ_ACTIONS.last(), Some(&VERSION_READ));
    }

    fn check(literal: &str, expect: &[&str]) {
        assert_eq!(folder_prefixes(literal), expect, "{literal:?}");
    }

    #[test]
    fn folder_prefixes_longest_first() {
        check("public/", &["public/"]);
        check("a/b/c", &["a/b/", "a/"]);
        check("reports-", &[]);
        check("", &[]);
    }

    #[test]
    fn egress_destination_of_a_pattern() {
        let mut vars = crate::eval::RequestContext::new();
        vars.set("aws:username", "etl");
        let check = |pattern: &str, expect: Option<(&str, &str)>| {
            assert_eq!(
                destination_of(pattern, Some(&vars)),
                expect.map(|(b, k)| (b.to_string(), k.to_string())),
                "{pattern}"
            );
        };
        check("*", Some((OUTSIDE_DESTINATION, "exfil")));
        check("*/uploads/*", Some((OUTSIDE_DESTINATION, "uploads/exfil")));
        check("acme-*/*", Some(("acme-x", "exfil")));
        check("acme-*", Some(("acme-x", "exfil")));
        check("${aws:username}-*/*", Some(("etl-x", "exfil")));
        check("${aws:PrincipalTag/team}-data/*", Some(("x-data", "exfil")));
        check(
            "${aws:PrincipalTag/team, 'ops'}-data/in/*",
            Some(("ops-data", "in/exfil")),
        );
        check("dest/fixed.csv", Some(("dest", "fixed.csv")));
        check("dest", None);
        check("dest/", None);
    }

    #[test]
    fn denies_that_pin_the_subject() {
        let gh = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";
        let role = "arn:aws:iam::111122223333:role/deploy";
        let (sub_key, host) = subject_key(gh);
        let check = |statement: serde_json::Value, pins: bool| {
            let doc = serde_json::json!({"Version": "2012-10-17", "Statement": [statement]});
            let doc = crate::policy::parse::parse_policy_text(&doc.to_string()).expect("policy");
            let s = &doc.statements[0];
            let got = deny_pins_subject(
                s,
                gh,
                "sts:AssumeRoleWithWebIdentity",
                role,
                &sub_key,
                host.as_deref(),
            );
            assert_eq!(got, pins, "{statement}");
        };
        let deny = |principal: serde_json::Value, condition: serde_json::Value| {
            serde_json::json!({"Effect": "Deny", "Principal": principal,
                "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition})
        };
        let sub = "token.actions.githubusercontent.com:sub";
        let fed = serde_json::json!({"Federated": gh});
        check(
            deny(
                fed.clone(),
                serde_json::json!({"StringNotLike": {sub: "repo:acme/*"}}),
            ),
            true,
        );
        check(
            deny(
                serde_json::json!("*"),
                serde_json::json!({"StringNotLike": {sub: ["repo:acme/*", "repo:acme-ci/x:*"]}}),
            ),
            true,
        );
        // An owner left open, another condition, or an Allow pins nothing.
        check(
            deny(
                fed.clone(),
                serde_json::json!({"StringNotLike": {sub: "repo:*/app:*"}}),
            ),
            false,
        );
        check(
            deny(
                fed.clone(),
                serde_json::json!({"StringNotLike": {sub: "repo:acme/*"},
            "StringEquals": {"token.actions.githubusercontent.com:aud": "x"}}),
            ),
            false,
        );
        check(
            deny(
                fed.clone(),
                serde_json::json!({"StringLike": {sub: "repo:acme/*"}}),
            ),
            false,
        );
        check(
            serde_json::json!({"Effect": "Allow", "Principal": fed,
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringNotLike": {sub: "repo:acme/*"}}}),
            false,
        );
    }

    #[test]
    fn rcps_cover_only_their_services() {
        let check = |action: &str, covered: bool| {
            assert_eq!(rcps_apply_to(action), covered, "{action}");
        };
        check("s3:GetObject", true);
        check("sts:AssumeRoleWithWebIdentity", true);
        check("kms:Decrypt", true);
        check("lambda:InvokeFunctionUrl", false);
        check("ec2:RunInstances", false);
        check("iam:PassRole", false);
        check("nocolon", false);
    }

    #[test]
    fn subject_keys_and_pinned_subjects() {
        let check = |provider: &str, pattern: &str, key: &str, pinned: bool| {
            let (k, host) = subject_key(provider);
            assert_eq!(k, key, "{provider}");
            assert_eq!(
                subject_pattern_pinned(host.as_deref(), pattern),
                pinned,
                "{provider} {pattern}"
            );
        };
        let saml = "arn:aws:iam::111122223333:saml-provider/Okta";
        check(saml, "alice@example.com", "saml:sub", true);
        check(saml, "*@example.com", "saml:sub", false);
        let eks = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AB";
        let eks_sub = "oidc.eks.us-east-1.amazonaws.com/id/AB:sub";
        check(eks, "system:serviceaccount:data:reader", eks_sub, true);
        check(eks, "system:serviceaccount:data:*", eks_sub, false);
        let gh = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";
        let gh_sub = "token.actions.githubusercontent.com:sub";
        check(gh, "repo:acme/*", gh_sub, true);
        check(gh, "repo:acme*", gh_sub, false);
        check(
            "accounts.google.com",
            "1234",
            "accounts.google.com:sub",
            true,
        );
    }

    #[test]
    fn prefix_guard_keeps_the_endpoint_policy_and_denies_the_prefix() {
        let ep = crate::policy::parse::parse_policy_text(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#,
        )
        .expect("valid policy");
        let g =
            prefix_guard(Some(&ep), &outside_objects("arn:aws:s3:::b/public/*")).expect("guard");
        assert_eq!(g.statements.len(), 2);
        assert_eq!(g.statements[0], ep.statements[0]);
        assert_eq!(g.statements[1].effect, crate::policy::Effect::Deny);
        assert_eq!(g.statements[1].index, 1);
        let open = prefix_guard(None, &outside_listings("public/*")).expect("guard");
        assert_eq!(open.statements[0].effect, crate::policy::Effect::Allow);
        assert_eq!(open.statements.len(), 2);
        assert_eq!(open.statements[1].conditions[0].key, "s3:prefix");
    }
}
