//! Policies + request shape → terms: the symbolic twin of `eval::decide`.
//!
//! The structure mirrors `eval/logic.rs` step by step (explicit deny; RCP and SCP levels;
//! VPC endpoint; grants from the resource policy after RestrictPublicBuckets and from the ACLs;
//! identity ∧ boundary ∧ session; same- vs cross-account and the trust/key-policy exception;
//! the KMS leg of SSE-KMS reads), but every statement's applicability is a `Term` over the
//! request's symbolic parts instead of a boolean. The principal is concrete within one case
//! (symbolic principal shapes are split into finitely many cases, see `principals`), so
//! principal matching is decided by `eval::principal` directly; Block Public Access's
//! "is this policy public" is a property of the document, taken from `eval::is_public_policy`.
//!
//! The allow formula of a hop is kept as a list of conjuncts (`Part`s), each labelled with the
//! gate or deny statement it stands for, so an unsatisfiable core names what decides.

use super::glob::{self, Glob};
use super::keys::{compile, Enc, KeyVal, Slots, Stop, StrVal, VarValue};
use super::principals;
use super::question::{Answer, CheckOptions, KeyShape, Question, StrShape, Why};
use super::solver::{SatResult, Solver, SolverError};
use super::term::{Model, Term, FALSE, TRUE};
use super::witness;
use crate::eval::principal::{clause_matches, PrincipalMatch};
use crate::eval::s3::{matching_acl_grants, restricted_by_public_bucket_rule};
use crate::eval::statement::{reads_variables, PolicyKind};
use crate::eval::{
    derived_context, is_public_policy, kms, AuthzInputs, AwsPrincipalKind, ContextValue, Gate,
    IdentityInputs, OrgPolicies, PolicyRef, Request, RequestContext, RequestPrincipal,
    ResourcePolicyMode, StatementRef,
};
use crate::policy::{Effect, Statement};
use std::collections::BTreeMap;

/// One conjunct of a hop's allow formula, with what it stands for.
#[derive(Debug, Clone)]
pub struct Part {
    pub term: Term,
    pub hop: usize,
    pub label: PartLabel,
}

#[derive(Debug, Clone)]
pub enum PartLabel {
    /// "This deny statement does not apply."
    Deny { gate: Gate, statement: StatementRef },
    /// "One of these allow statements (or grants) applies."
    Gate {
        gates: Vec<Gate>,
        candidates: Vec<(StatementRef, Term)>,
    },
    /// A constraint of the request shape or of a slot's domain.
    Shape,
}

/// Where a leg's context keys come from.
#[derive(Debug, Clone)]
struct LegCtx {
    /// Keys the leg sets itself (KMS leg), lowercased.
    set: BTreeMap<String, KeyVal>,
    /// Keys the leg removes (KMS leg: the network keys).
    removed: Vec<String>,
    /// Keys set only where the request has none (`set_default`).
    defaults: BTreeMap<String, KeyVal>,
}

/// One authorization decision to encode: the main request of a hop, or its KMS leg.
struct Leg<'h, 'a> {
    hop: usize,
    inputs: &'h AuthzInputs<'a>,
    principal: &'h RequestPrincipal,
    action: StrVal,
    resource: StrVal,
    shape: &'h super::question::RequestShape,
    outside: Option<&'h [String]>,
    derived: RequestContext,
    ctx: LegCtx,
}

impl Leg<'_, '_> {
    /// The value of a condition key in this leg, following `eval`: the leg's own settings,
    /// then the request (the shape), then the derived keys, then the shape's default.
    fn key(&self, slots: &mut Slots, key: &str) -> Enc<KeyVal> {
        let k = key.to_ascii_lowercase();
        if let Some(v) = self.ctx.set.get(&k) {
            return Ok(v.clone());
        }
        if self.ctx.removed.contains(&k) {
            return Ok(KeyVal::Absent);
        }
        if let Some(shape) = self.shape.context.get(&k) {
            return self.from_shape(slots, &k, shape);
        }
        if let Some(v) = self.derived.get(&k) {
            return Ok(KeyVal::Concrete(v.clone()));
        }
        if let Some(v) = self.ctx.defaults.get(&k) {
            return Ok(v.clone());
        }
        // Principal-side keys an anonymous caller cannot carry.
        if matches!(self.principal, RequestPrincipal::Anonymous) && is_principal_key(&k) {
            return Ok(KeyVal::Absent);
        }
        // `aws:username` exists only for IAM users, where it is derived; no other
        // principal carries one.
        if k == "aws:username" {
            return Ok(KeyVal::Absent);
        }
        if k == "aws:principalorgid" {
            if let Some(orgs) = self.outside {
                if !orgs.is_empty() {
                    return self.from_shape(slots, &k, &KeyShape::NoneOf(orgs.into()));
                }
            }
        }
        self.from_shape(slots, &k, &self.shape.other_keys)
    }

    fn from_shape(&self, slots: &mut Slots, k: &str, shape: &KeyShape) -> Enc<KeyVal> {
        Ok(match shape {
            KeyShape::Absent => KeyVal::Absent,
            KeyShape::Fixed(v) => KeyVal::Concrete(v.clone()),
            KeyShape::Shared { name, inner } => match inner.as_ref() {
                KeyShape::Absent => KeyVal::Absent,
                KeyShape::Fixed(v) => KeyVal::Concrete(v.clone()),
                _ => {
                    let slot = format!("shared/{name}");
                    slots.key_slot(&slot, inner)?;
                    slots.bind_key(self.hop, k, &slot);
                    KeyVal::Slot(slot)
                }
            },
            other => {
                let slot = format!("h{}/{k}", self.hop);
                slots.key_slot(&slot, other)?;
                slots.bind_key(self.hop, k, &slot);
                KeyVal::Slot(slot)
            }
        })
    }
}

/// Keys AWS derives from a signed principal; an anonymous request has none of them.
fn is_principal_key(k: &str) -> bool {
    k.starts_with("aws:principal")
        || matches!(
            k,
            "aws:username" | "aws:userid" | "aws:multifactorauthpresent" | "aws:multifactorauthage"
        )
}

/// What one policy says, symbolically.
#[derive(Default)]
struct Scan {
    allows: Vec<(StatementRef, PrincipalMatch, Term)>,
}

impl Scan {
    fn any(&self) -> Term {
        Term::or(self.allows.iter().map(|(_, _, t)| t.clone()))
    }

    fn candidates(&self) -> Vec<(StatementRef, Term)> {
        self.allows
            .iter()
            .map(|(r, _, t)| (r.clone(), t.clone()))
            .collect()
    }
}

struct Scanner<'s> {
    slots: &'s mut Slots,
    denies: Vec<(Gate, StatementRef, Term)>,
    has_boundary: bool,
}

impl Scanner<'_> {
    fn scan(
        &mut self,
        leg: &Leg<'_, '_>,
        policy: PolicyRef<'_>,
        kind: PolicyKind,
        gate: Gate,
    ) -> Enc<Scan> {
        let mut out = Scan::default();
        for stmt in &policy.doc.statements {
            let Some((term, how)) = self.applies(leg, policy, stmt, kind)? else {
                continue;
            };
            let r = StatementRef {
                policy: policy.label.to_string(),
                statement: stmt.index,
                sid: stmt.sid.clone(),
            };
            match stmt.effect {
                Effect::Allow => out.allows.push((r, how, term)),
                Effect::Deny => self.denies.push((gate, r, term)),
            }
        }
        Ok(out)
    }

    fn scan_levels(
        &mut self,
        leg: &Leg<'_, '_>,
        org: &OrgPolicies<'_>,
        kind: PolicyKind,
        gate: fn(usize) -> Gate,
    ) -> Enc<Vec<Scan>> {
        let mut out = Vec::new();
        for (i, level) in org.levels.iter().enumerate() {
            let mut merged = Scan::default();
            for p in level {
                merged
                    .allows
                    .extend(self.scan(leg, *p, kind, gate(i))?.allows);
            }
            out.push(merged);
        }
        Ok(out)
    }

    /// Whether `stmt` applies, as a term, with how its principal element matched; `None`
    /// when it can never apply.
    fn applies(
        &mut self,
        leg: &Leg<'_, '_>,
        policy: PolicyRef<'_>,
        stmt: &Statement,
        kind: PolicyKind,
    ) -> Enc<Option<(Term, PrincipalMatch)>> {
        let slots = &mut *self.slots;
        // Principal first: it is concrete, and decides whether anything else matters.
        let how = match (&stmt.principal, kind) {
            (None, PolicyKind::Identity) => Some(PrincipalMatch::Direct),
            (None, PolicyKind::Resource) => None,
            (Some(clause), _) => clause_matches(
                clause,
                leg.principal,
                stmt.effect == Effect::Deny && self.has_boundary,
            ),
        };
        let Some(how) = how else { return Ok(None) };

        // A concrete action is decided without compiling the patterns (most statements of
        // a large policy name other actions).
        let decided = match &leg.action {
            StrVal::Concrete(a) => stmt
                .action
                .patterns
                .iter()
                .map(|p| glob::ascii_matches(p, a, true))
                .try_fold(false, |any, hit| Some(any || hit?)),
            StrVal::Slot(_) => None,
        };
        let action = match decided {
            Some(listed) if listed == stmt.action.negated => return Ok(None),
            Some(_) => TRUE,
            None => {
                let mut listed = Vec::new();
                for p in &stmt.action.patterns {
                    if let Some(g) = compile(p, true, true, true, None)? {
                        listed.push(slots.str_matches(&leg.action, &g)?);
                    }
                }
                let mut action = Term::or(listed);
                if stmt.action.negated {
                    action = Term::not(action);
                }
                if action == FALSE {
                    return Ok(None);
                }
                action
            }
        };

        let variables = reads_variables(policy.doc);
        let mut resource = TRUE;
        if let Some(clause) = &stmt.resource {
            let mut listed = Vec::new();
            for p in &clause.patterns {
                // A concrete resource against a pattern without variables: decided here.
                if let StrVal::Concrete(r) = &leg.resource {
                    let plain = !variables || !p.contains("${");
                    if let Some(hit) = plain.then(|| glob::ascii_matches(p, r, false)).flatten() {
                        listed.push(Term::Const(hit));
                        continue;
                    }
                }
                let g = if variables {
                    let mut look = |k: &str| variable_value(leg, slots, k);
                    compile(p, true, true, false, Some(&mut look))?
                } else {
                    compile(p, true, true, false, None)?
                };
                if let Some(g) = g {
                    listed.push(slots.str_matches(&leg.resource, &g)?);
                }
            }
            resource = Term::or(listed);
            if clause.negated {
                resource = Term::not(resource);
            }
            if resource == FALSE {
                return Ok(None);
            }
        }

        let mut conds = Vec::new();
        for cond in &stmt.conditions {
            let kv = leg.key(slots, &cond.key)?;
            let t = if variables {
                // The lookup needs the slots too: resolve variables first, into a table.
                let mut table: Vec<(String, Enc<VarValue>)> = Vec::new();
                for v in &cond.values {
                    for key in variable_keys(v) {
                        let val = variable_value(leg, slots, &key);
                        table.push((key, val));
                    }
                }
                let mut look = |k: &str| -> Enc<VarValue> {
                    match table.iter().find(|(key, _)| key == k) {
                        Some((_, v)) => v.clone(),
                        None => Ok(VarValue::NoValue),
                    }
                };
                slots.condition(cond, &kv, Some(&mut look))
            } else {
                slots.condition(cond, &kv, None)
            };
            let t = t.map_err(|Stop::Unknown(why)| {
                Stop::Unknown(format!("{} /Statement/{}: {why}", policy.label, stmt.index))
            })?;
            if t == FALSE {
                return Ok(None);
            }
            conds.push(t);
        }
        let term = Term::and([action, resource, Term::and(conds)]);
        Ok((term != FALSE).then_some((term, how)))
    }
}

impl Clone for VarValue {
    fn clone(&self) -> VarValue {
        match self {
            VarValue::Text(t) => VarValue::Text(t.clone()),
            VarValue::NoValue => VarValue::NoValue,
        }
    }
}

/// The keys of the policy variables in a value (escapes excluded), as written.
fn variable_keys(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = raw;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let inner = &after[..end];
        if !matches!(inner, "*" | "?" | "$") {
            let key = inner.split_once(',').map_or(inner, |(k, _)| k).trim();
            out.push(key.to_string());
        }
        rest = &after[end + 1..];
    }
    out
}

/// A policy variable's value: known text, no value, or Unknown when the requester chooses
/// it (a pattern that depends on another symbolic key).
fn variable_value(leg: &Leg<'_, '_>, slots: &mut Slots, key: &str) -> Enc<VarValue> {
    match leg.key(slots, key)? {
        KeyVal::Absent => Ok(VarValue::NoValue),
        KeyVal::Concrete(ContextValue::Single(s)) => Ok(VarValue::Text(s)),
        KeyVal::Concrete(ContextValue::Multi(_)) => Ok(VarValue::NoValue),
        KeyVal::Slot(_) => Err(Stop::Unknown(format!(
            "policy variable ${{{key}}} ranges over a value the requester chooses"
        ))),
    }
}

/// The parts of one decision (main request or KMS leg).
fn encode_leg(slots: &mut Slots, leg: &Leg<'_, '_>, parts: &mut Vec<Part>) -> Enc<()> {
    let inputs = leg.inputs;
    let hop = leg.hop;
    let aws = match leg.principal {
        RequestPrincipal::Aws(p) => Some(p),
        _ => None,
    };
    let identity = match (aws, &inputs.identity) {
        (Some(_), IdentityInputs::Known(ip)) => Some(ip),
        _ => None,
    };
    let service_linked = aws.is_some_and(|p| p.is_service_linked_role());
    let has_boundary = identity.is_some_and(|ip| ip.permissions_boundary.is_some());
    let mut sc = Scanner {
        slots,
        denies: Vec::new(),
        has_boundary,
    };
    let rcps = match &inputs.rcps {
        Some(org) if !org.management_account && !service_linked => {
            sc.scan_levels(leg, org, PolicyKind::Resource, |level| Gate::Rcp { level })?
        }
        _ => Vec::new(),
    };
    let scps = match identity.and_then(|ip| ip.scps.as_ref()) {
        Some(org) if !org.management_account && !service_linked => {
            sc.scan_levels(leg, org, PolicyKind::Identity, |level| Gate::Scp { level })?
        }
        _ => Vec::new(),
    };
    let endpoint = match inputs.vpc_endpoint_policy {
        Some(p) => Some(sc.scan(leg, p, PolicyKind::Resource, Gate::VpcEndpoint)?),
        None => None,
    };
    let mut identity_scans = Vec::new();
    if let Some(ip) = identity {
        for p in &ip.policies {
            identity_scans.push(sc.scan(leg, *p, PolicyKind::Identity, Gate::IdentityPolicy)?);
        }
    }
    let boundary = match identity.and_then(|ip| ip.permissions_boundary) {
        Some(p) => Some(sc.scan(leg, p, PolicyKind::Identity, Gate::PermissionsBoundary)?),
        None => None,
    };
    let session = match identity.and_then(|ip| ip.session_policies.as_ref()) {
        Some(ps) => {
            let mut v = Vec::new();
            for p in ps {
                v.push(sc.scan(leg, *p, PolicyKind::Identity, Gate::SessionPolicy)?);
            }
            Some(v)
        }
        None => None,
    };
    let resource = match inputs.resource_policy {
        Some(p) => Some(sc.scan(leg, p, PolicyKind::Resource, Gate::ResourcePolicy)?),
        None => None,
    };

    // 1. No deny may apply.
    for (gate, r, t) in std::mem::take(&mut sc.denies) {
        parts.push(Part {
            term: Term::not(t),
            hop,
            label: PartLabel::Deny { gate, statement: r },
        });
    }
    let gate_part =
        |parts: &mut Vec<Part>, term: Term, gates: Vec<Gate>, cands: Vec<(StatementRef, Term)>| {
            parts.push(Part {
                term,
                hop,
                label: PartLabel::Gate {
                    gates,
                    candidates: cands,
                },
            })
        };
    // 2. Organization guardrails.
    for (level, scan) in rcps.iter().enumerate() {
        gate_part(
            parts,
            scan.any(),
            vec![Gate::Rcp { level }],
            scan.candidates(),
        );
    }
    for (level, scan) in scps.iter().enumerate() {
        gate_part(
            parts,
            scan.any(),
            vec![Gate::Scp { level }],
            scan.candidates(),
        );
    }
    // 3. The VPC endpoint.
    if let Some(scan) = &endpoint {
        gate_part(
            parts,
            scan.any(),
            vec![Gate::VpcEndpoint],
            scan.candidates(),
        );
    }

    // 4. Grants.
    let mut grants: Vec<(StatementRef, PrincipalMatch, Term)> = Vec::new();
    let mut resource_gate = Gate::ResourcePolicy;
    if let Some(scan) = resource {
        let restricted = match (&inputs.s3, inputs.resource_policy) {
            (Some(s3), Some(policy)) => {
                s3.public_access_block.restrict_public_buckets
                    && restricted_by_public_bucket_rule(leg.principal, &inputs.resource_account)
                    && is_public_policy(policy.doc).public
            }
            _ => false,
        };
        if restricted {
            if !scan.allows.is_empty() {
                resource_gate = Gate::BlockPublicAccess;
            }
        } else {
            grants.extend(scan.allows);
        }
    }
    if let Some(s3) = &inputs.s3 {
        let acls_matter = s3.object_ownership != crate::eval::ObjectOwnership::BucketOwnerEnforced
            && !(s3.bucket_acl.is_empty() && s3.object_acl.is_empty());
        if acls_matter {
            // The actions the request may be, each with the term "it is this one".
            let candidates: Vec<(String, Term)> = match &leg.action {
                StrVal::Concrete(a) => vec![(a.clone(), TRUE)],
                StrVal::Slot(_) => {
                    let mut v = Vec::new();
                    for a in ACL_ACTIONS {
                        let g = Glob::literal(a, true);
                        v.push((a.to_string(), sc.slots.str_matches(&leg.action, &g)?));
                    }
                    v
                }
            };
            let mut by_grant: Vec<(StatementRef, PrincipalMatch, Vec<Term>)> = Vec::new();
            for (a, when) in candidates {
                for (acl, index, how) in matching_acl_grants(s3, leg.principal, &a) {
                    let r = StatementRef {
                        policy: acl.label().to_string(),
                        statement: index,
                        sid: None,
                    };
                    match by_grant
                        .iter_mut()
                        .find(|(r2, h2, _)| *r2 == r && *h2 == how)
                    {
                        Some((_, _, ts)) => ts.push(when.clone()),
                        None => by_grant.push((r, how, vec![when.clone()])),
                    }
                }
            }
            for (r, how, ts) in by_grant {
                grants.push((r, how, Term::or(ts)));
            }
        }
    }
    let grant_of = |kind: PrincipalMatch| {
        Term::or(
            grants
                .iter()
                .filter(|(_, m, _)| *m == kind)
                .map(|(_, _, t)| t.clone()),
        )
    };
    let any_grant = Term::or(grants.iter().map(|(_, _, t)| t.clone()));
    let grant_cands: Vec<(StatementRef, Term)> = grants
        .iter()
        .map(|(r, _, t)| (r.clone(), t.clone()))
        .collect();

    let Some(p) = aws else {
        gate_part(parts, any_grant, vec![resource_gate], grant_cands);
        return Ok(());
    };

    let identity_allows = match (&inputs.identity, &p.kind) {
        (IdentityInputs::Unconstrained, _) => TRUE,
        (IdentityInputs::Known(_), AwsPrincipalKind::Root) => TRUE,
        (IdentityInputs::Known(_), _) => Term::or(identity_scans.iter().map(Scan::any)),
    };
    let identity_cands: Vec<(StatementRef, Term)> =
        identity_scans.iter().flat_map(Scan::candidates).collect();
    let boundary_ok = boundary.as_ref().map_or(TRUE, Scan::any);
    let session_ok = session
        .as_ref()
        .map_or(TRUE, |s| Term::or(s.iter().map(Scan::any)));
    let limit_cands: Vec<(StatementRef, Term)> = boundary
        .iter()
        .chain(session.iter().flatten())
        .flat_map(Scan::candidates)
        .collect();
    let identity_side = Term::and([
        identity_allows.clone(),
        boundary_ok.clone(),
        session_ok.clone(),
    ]);
    let own_grant = Term::or([
        grant_of(PrincipalMatch::Direct),
        Term::and([
            grant_of(PrincipalMatch::Underlying),
            boundary_ok.clone(),
            session_ok.clone(),
        ]),
    ]);
    let same_account = p.account == inputs.resource_account;
    let all_cands = || {
        identity_cands
            .iter()
            .chain(&limit_cands)
            .chain(&grant_cands)
            .cloned()
            .collect::<Vec<_>>()
    };
    match (same_account, inputs.resource_policy_mode) {
        (true, ResourcePolicyMode::Alternative) => gate_part(
            parts,
            Term::or([identity_side, own_grant]),
            vec![
                Gate::IdentityPolicy,
                Gate::PermissionsBoundary,
                resource_gate,
            ],
            all_cands(),
        ),
        (true, ResourcePolicyMode::Required) => gate_part(
            parts,
            Term::or([own_grant, Term::and([any_grant, identity_side])]),
            vec![resource_gate, Gate::IdentityPolicy],
            all_cands(),
        ),
        (false, _) => {
            gate_part(parts, any_grant, vec![resource_gate], grant_cands.clone());
            gate_part(
                parts,
                identity_allows,
                vec![Gate::IdentityPolicy],
                identity_cands.clone(),
            );
            if boundary.is_some() {
                gate_part(
                    parts,
                    boundary_ok,
                    vec![Gate::PermissionsBoundary],
                    boundary.iter().flat_map(Scan::candidates).collect(),
                );
            }
            if session.is_some() {
                gate_part(
                    parts,
                    session_ok,
                    vec![Gate::SessionPolicy],
                    session
                        .iter()
                        .flatten()
                        .flat_map(Scan::candidates)
                        .collect(),
                );
            }
        }
    }
    Ok(())
}

/// Declares a hop's slots and encodes its main request and KMS leg.
fn encode_hop(
    slots: &mut Slots,
    hop: usize,
    q: &Question<'_>,
    principal: &RequestPrincipal,
    outside: Option<&[String]>,
    parts: &mut Vec<Part>,
) -> Enc<()> {
    let action = match &q.shape.action {
        StrShape::Exact(a) => StrVal::Concrete(a.clone()),
        StrShape::Matching(p) => {
            let name = format!("h{hop}/action");
            let g = compile(p, true, true, true, None)?
                .ok_or_else(|| Stop::Unknown("empty action pattern".into()))?;
            slots.string_slot(&name, Some(g));
            StrVal::Slot(name)
        }
    };
    let resource = match &q.shape.resource {
        StrShape::Exact(r) => StrVal::Concrete(r.clone()),
        StrShape::Matching(p) => {
            let name = format!("h{hop}/resource");
            let g = compile(p, true, true, false, None)?
                .ok_or_else(|| Stop::Unknown("empty resource pattern".into()))?;
            slots.string_slot(&name, Some(g));
            if let Some(prefix) = p.strip_suffix('*') {
                if !prefix.contains(['*', '?']) {
                    slots.hint(&name, &format!("{prefix}leakpath-witness"));
                }
            }
            StrVal::Slot(name)
        }
    };
    let probe = Request {
        principal: principal.clone(),
        action: String::new(),
        resource: String::new(),
        context: RequestContext::new(),
    };
    let derived = derived_context(&probe);
    let mut defaults = BTreeMap::new();
    defaults.insert(
        "aws:resourceaccount".to_string(),
        KeyVal::Concrete(ContextValue::Single(q.inputs.resource_account.clone())),
    );
    // The KMS leg defaults `kms:ViaService`; the S3 request itself carries no such key,
    // so the witness never sets it and both legs agree with eval.
    if q.inputs
        .kms
        .as_ref()
        .is_some_and(|k| k.via_service.is_some())
    {
        defaults.insert("kms:viaservice".to_string(), KeyVal::Absent);
    }
    let main = Leg {
        hop,
        inputs: &q.inputs,
        principal,
        action,
        resource,
        shape: &q.shape,
        outside,
        derived,
        ctx: LegCtx {
            set: BTreeMap::new(),
            removed: Vec::new(),
            defaults,
        },
    };
    // Keys the shape requires present exist in the witness even when no policy reads them.
    for (k, shape) in &q.shape.context {
        if matches!(
            shape,
            KeyShape::AnyPresent
                | KeyShape::NoneOf(_)
                | KeyShape::NoneLike(_)
                | KeyShape::PublicIp
                | KeyShape::Shared { .. }
        ) {
            main.key(slots, k)?;
        }
    }
    encode_leg(slots, &main, parts)?;

    // 5. The KMS leg of an SSE-KMS object read or write.
    let Some(key) = &q.inputs.kms else {
        return Ok(());
    };
    // The KMS action S3 performs, per S3 action the request may be.
    let kms_cases: Vec<(&'static str, Term)> = match &main.action {
        StrVal::Concrete(a) => kms::kms_action_for(a)
            .map(|k| vec![(k, TRUE)])
            .unwrap_or_default(),
        StrVal::Slot(_) => {
            let mut out: Vec<(&'static str, Term)> = Vec::new();
            for s3_action in KMS_S3_ACTIONS {
                let Some(k) = kms::kms_action_for(s3_action) else {
                    continue;
                };
                let when = slots.str_matches(&main.action, &Glob::literal(s3_action, true))?;
                match out.iter_mut().find(|(k2, _)| *k2 == k) {
                    Some((_, t)) => *t = Term::or([t.clone(), when]),
                    None => out.push((k, when)),
                }
            }
            out
        }
    };
    for (kms_action, when) in kms_cases {
        if when == FALSE {
            continue;
        }
        let mut leg_parts = Vec::new();
        encode_kms_leg(
            slots,
            q,
            &main,
            principal,
            key,
            kms_action,
            hop,
            outside,
            &mut leg_parts,
        )?;
        if when == TRUE {
            parts.extend(leg_parts);
        } else {
            let candidates = leg_parts
                .iter()
                .flat_map(|p| match &p.label {
                    PartLabel::Gate { candidates, .. } => candidates.clone(),
                    _ => Vec::new(),
                })
                .collect();
            parts.push(Part {
                term: Term::implies(when, Term::and(leg_parts.into_iter().map(|p| p.term))),
                hop,
                label: PartLabel::Gate {
                    gates: vec![Gate::KmsKey],
                    candidates,
                },
            });
        }
    }
    Ok(())
}

/// The S3 actions whose objects S3 decrypts or encrypts with KMS on the caller's behalf.
const KMS_S3_ACTIONS: &[&str] = &["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"];

/// Every action an S3 ACL permission can grant (`eval/s3.rs`'s table): with a symbolic
/// action, ACL grants are decided per candidate action; no other action gets any ACL grant.
const ACL_ACTIONS: &[&str] = &[
    "s3:ListBucket",
    "s3:ListBucketVersions",
    "s3:ListBucketMultipartUploads",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:GetBucketAcl",
    "s3:PutBucketAcl",
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:GetObjectTorrent",
    "s3:GetObjectAcl",
    "s3:GetObjectVersionAcl",
    "s3:PutObjectAcl",
    "s3:PutObjectVersionAcl",
];

/// The KMS leg for one KMS action.
#[allow(clippy::too_many_arguments)]
fn encode_kms_leg(
    slots: &mut Slots,
    q: &Question<'_>,
    main: &Leg<'_, '_>,
    principal: &RequestPrincipal,
    key: &crate::eval::KmsKeyInputs<'_>,
    kms_action: &str,
    hop: usize,
    outside: Option<&[String]>,
    parts: &mut Vec<Part>,
) -> Enc<()> {
    // KMS never serves unsigned requests.
    if *principal == RequestPrincipal::Anonymous {
        parts.push(Part {
            term: FALSE,
            hop,
            label: PartLabel::Gate {
                gates: vec![Gate::KmsKey],
                candidates: Vec::new(),
            },
        });
        return Ok(());
    }
    let key_inputs = key.leg_inputs(q.inputs.identity.clone());
    let single = |s: &str| KeyVal::Concrete(ContextValue::Single(s.to_string()));
    let mut set = BTreeMap::new();
    set.insert("aws:viaawsservice".to_string(), single("true"));
    set.insert("aws:resourceaccount".to_string(), single(&key.key_account));
    if let RequestPrincipal::Aws(p) = principal {
        set.insert("kms:calleraccount".to_string(), single(&p.account));
    }
    let mut defaults = BTreeMap::new();
    if let Some(via) = &key.via_service {
        defaults.insert("kms:viaservice".to_string(), single(via));
    }
    let leg = Leg {
        hop,
        inputs: &key_inputs,
        principal,
        action: StrVal::Concrete(kms_action.to_string()),
        resource: StrVal::Concrete(key.key_arn.clone()),
        shape: &q.shape,
        outside,
        derived: main.derived.clone(),
        ctx: LegCtx {
            set,
            removed: [
                "aws:sourceip",
                "aws:sourcevpc",
                "aws:sourcevpce",
                "aws:vpcsourceip",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            defaults,
        },
    };
    encode_leg(slots, &leg, parts)
}

/// Decides a chain: every principal case, first allowed case wins; any unknown case makes
/// the answer unknown (never denied).
pub fn decide_chain(
    hops: &[Question<'_>],
    solver: &mut dyn Solver,
    opts: CheckOptions,
) -> Result<Answer, SolverError> {
    if hops.is_empty() {
        return Err(SolverError::BadQuestion(
            "a chain needs at least one hop".into(),
        ));
    }
    let cases = match principals::cases(hops) {
        Ok(c) => c,
        Err(Stop::Unknown(why)) => return Ok(Answer::Unknown(why)),
    };
    let mut denied: Option<Why> = None;
    let mut unknown: Option<String> = None;
    for case in &cases {
        match decide_case(hops, case, solver, opts)? {
            Answer::Allowed(w) => return Ok(Answer::Allowed(w)),
            Answer::Denied(why) => {
                denied.get_or_insert(why);
            }
            Answer::Unknown(why) => {
                unknown.get_or_insert(why);
            }
        }
    }
    Ok(match (unknown, denied) {
        (Some(why), _) => Answer::Unknown(why),
        (None, Some(why)) => Answer::Denied(why),
        (None, None) => Answer::Unknown("no principal to ask about".into()),
    })
}

/// One principal per hop.
pub type Case = Vec<principals::CasePrincipal>;

fn decide_case(
    hops: &[Question<'_>],
    case: &Case,
    solver: &mut dyn Solver,
    opts: CheckOptions,
) -> Result<Answer, SolverError> {
    let mut slots = Slots::new();
    let run = |slots: &mut Slots| -> Enc<Vec<Part>> {
        let mut parts = Vec::new();
        for (i, (q, cp)) in hops.iter().zip(case).enumerate() {
            encode_hop(
                slots,
                i,
                q,
                &cp.principal,
                cp.outside_orgs.as_deref(),
                &mut parts,
            )?;
        }
        Ok(parts)
    };
    // Collect pass, build, encode pass.
    let collected = match run(&mut slots) {
        Ok(p) => p,
        Err(Stop::Unknown(why)) => return Ok(Answer::Unknown(why)),
    };
    // A part already false in the collect pass (no statement can allow, a concrete deny)
    // is false in the encode pass too: its constants come from concrete facts alone, the
    // encode pass visits the same comparisons (`keys`), and the folding constructors keep
    // a constant of a term whose children keep theirs. So the case is denied whatever the
    // slots hold, and neither the domains nor the solver are needed.
    if let Some(i) = collected.iter().position(|p| p.term == FALSE) {
        return Ok(Answer::Denied(why_from_core(&collected, &[i])));
    }
    drop(collected);
    let encoded = slots.build(opts.domain_limit).and_then(|_| run(&mut slots));
    let mut parts = match encoded {
        Ok(p) => p,
        Err(Stop::Unknown(why)) => return Ok(Answer::Unknown(why)),
    };
    for c in std::mem::take(&mut slots.constraints) {
        parts.push(Part {
            term: c,
            hop: 0,
            label: PartLabel::Shape,
        });
    }
    let terms: Vec<Term> = parts.iter().map(|p| p.term.clone()).collect();
    // Most questions a scan asks are allowed by the plainest request (every string key in
    // its first region, which holds the hints; absent optional keys; zeros): when that
    // model satisfies every assertion it is as good a witness as the solver's (it is
    // replayed through eval all the same), and the solver is not asked.
    let plain = Model::new();
    let result = if terms.iter().all(|t| t.eval(&plain)) {
        SatResult::Sat(plain)
    } else {
        solver.check(&slots.vars, &terms, opts.timeout)?
    };
    match result {
        SatResult::Sat(model) => {
            let requests = witness::requests(hops, case, &slots, &model)?;
            let decided_by = witness::replay(hops, &requests)?;
            Ok(Answer::Allowed(super::question::Witness {
                requests,
                decided_by,
            }))
        }
        SatResult::Unsat(core) => Ok(Answer::Denied(why_from_core(&parts, &core))),
        SatResult::Unknown(why) => Ok(Answer::Unknown(format!("solver: {why}"))),
    }
}

/// Turns an unsat core into the gates and statements that decide.
fn why_from_core(parts: &[Part], core: &[usize]) -> Why {
    let mut why = Why::default();
    let mut summary = Vec::new();
    for &i in core {
        let Some(part) = parts.get(i) else { continue };
        why.hop = part.hop;
        match &part.label {
            PartLabel::Deny { gate, statement } => {
                if !why.gates.contains(gate) {
                    why.gates.push(*gate);
                }
                summary.push(format!(
                    "explicit deny {}#/Statement/{}",
                    statement.policy, statement.statement
                ));
                why.statements.push(statement.clone());
            }
            PartLabel::Gate { gates, candidates } => {
                for g in gates {
                    if !why.gates.contains(g) {
                        why.gates.push(*g);
                    }
                }
                let live: Vec<&StatementRef> = candidates
                    .iter()
                    .filter(|(_, t)| *t != FALSE)
                    .map(|(r, _)| r)
                    .collect();
                if live.is_empty() {
                    summary.push(format!("no statement allows ({gates:?})"));
                } else {
                    summary.push(format!(
                        "the allowing statements' conditions cannot be met ({gates:?})"
                    ));
                }
                why.statements.extend(live.into_iter().cloned());
            }
            PartLabel::Shape => summary.push("the request shape".to_string()),
        }
    }
    why.statements.dedup();
    why.summary = summary.join("; ");
    why
}
