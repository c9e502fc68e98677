//! A per-principal permission summary, compiled once, that escalation detectors query
//! instead of re-reading (and re-compiling) every policy for every candidate target.
//!
//! Each identity policy document is compiled once (`CompiledDoc`): every `Allow` statement
//! that covers a detector action (`ACTIONS`) keeps the bit set of those it covers and its
//! resource clause as `graph::permissions::ResourceGrant` (the byte-wise `Wildcard` matcher
//! the graph's edges use). A principal's summary is the list of its documents plus the union
//! of those bits over statements that may apply to some resource, so "may `p` call `a` on
//! anything?" is one bit test and the per-target loops run only for principals that hold
//! the action. Any other action is answered by `graph::patterns` over the document itself.
//!
//! Why not `permissions::PermissionIndex`: that one caches a `Grant` per (node, action)
//! behind a `RefCell` for one single-threaded graph build; detectors run on every principal
//! in parallel and ask ~70 actions each, which the per-principal bit sets answer without a
//! lock or a cache entry.
//!
//! The answers are exactly those of `graph::patterns` over `Model::identity_policies`
//! (conditions and denies ignored, policy variables as `*`, a document that was not
//! collected allows anything): the index makes them fast, not different.

use crate::graph::patterns::{self, ResourceTarget};
use crate::graph::permissions::{ResourceGrant, Wildcard};
use crate::model::{Collected, Model, PolicyId, PrincipalRef};
use crate::policy::{Effect, PolicyDocument};

/// Every action an escalation detector asks about. Other actions are answered too, by
/// matching the compiled patterns directly.
pub const ACTIONS: &[&str] = &[
    "iam:AddUserToGroup",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreatePolicyVersion",
    "iam:PassRole",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:PutUserPolicy",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateLoginProfile",
    "sts:AssumeRole",
    "apprunner:CreateService",
    "apprunner:UpdateService",
    "bedrock-agentcore:CreateCodeInterpreter",
    "bedrock-agentcore:InvokeCodeInterpreter",
    "bedrock-agentcore:StartCodeInterpreterSession",
    "cloudformation:CreateChangeSet",
    "cloudformation:CreateStack",
    "cloudformation:CreateStackInstances",
    "cloudformation:CreateStackSet",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:UpdateStack",
    "cloudformation:UpdateStackSet",
    "codebuild:CreateProject",
    "codebuild:StartBuild",
    "codebuild:StartBuildBatch",
    "datapipeline:ActivatePipeline",
    "datapipeline:CreatePipeline",
    "datapipeline:PutPipelineDefinition",
    "ec2:CreateLaunchTemplateVersion",
    "ec2:ModifyInstanceAttribute",
    "ec2:ModifyLaunchTemplate",
    "ec2:RequestSpotInstances",
    "ec2:RunInstances",
    "ec2:StartInstances",
    "ec2:StopInstances",
    "ec2-instance-connect:SendSSHPublicKey",
    "ec2-instance-connect:SendSerialConsoleSSHPublicKey",
    "ecs:CreateService",
    "ecs:ExecuteCommand",
    "ecs:RegisterTaskDefinition",
    "ecs:RunTask",
    "ecs:StartTask",
    "glue:CreateDevEndpoint",
    "glue:CreateJob",
    "glue:CreateSession",
    "glue:CreateTrigger",
    "glue:RunStatement",
    "glue:StartJobRun",
    "glue:UpdateDevEndpoint",
    "glue:UpdateJob",
    "lambda:AddPermission",
    "lambda:CreateEventSourceMapping",
    "lambda:CreateFunction",
    "lambda:InvokeFunction",
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
    "sagemaker:CreateNotebookInstance",
    "sagemaker:CreateNotebookInstanceLifecycleConfig",
    "sagemaker:CreatePresignedNotebookInstanceUrl",
    "sagemaker:CreateProcessingJob",
    "sagemaker:CreateTrainingJob",
    "sagemaker:StartNotebookInstance",
    "sagemaker:StopNotebookInstance",
    "sagemaker:UpdateNotebookInstance",
    "ssm:SendCommand",
    "ssm:StartSession",
];

/// A set of `ACTIONS`, by position.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct ActionBits(u128);

impl ActionBits {
    fn insert(&mut self, i: usize) {
        self.0 |= 1u128 << i;
    }
    fn contains(self, i: usize) -> bool {
        self.0 & (1u128 << i) != 0
    }
    fn union(self, o: ActionBits) -> ActionBits {
        ActionBits(self.0 | o.0)
    }
}

// The bit set must hold every detector action.
const _: () = assert!(ACTIONS.len() <= 128);

/// Every action of `ACTIONS`.
const ALL: ActionBits = ActionBits(if ACTIONS.len() == 128 {
    u128::MAX
} else {
    (1u128 << ACTIONS.len()) - 1
});

/// One of `ACTIONS`, lowercased: its service, the name after the colon, the whole, its slot.
struct SlotEntry {
    service: String,
    name: String,
    full: String,
    slot: usize,
}

/// `ACTIONS` sorted by (service, name), lowercased: looked up by binary search, and one
/// service's actions are a contiguous run.
fn slot_table() -> &'static [SlotEntry] {
    static TABLE: std::sync::OnceLock<Vec<SlotEntry>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t: Vec<SlotEntry> = ACTIONS
            .iter()
            .enumerate()
            .map(|(slot, a)| {
                let full = a.to_ascii_lowercase();
                let (service, name) = full.split_once(':').unwrap_or((full.as_str(), ""));
                SlotEntry {
                    service: service.to_string(),
                    name: name.to_string(),
                    full: full.clone(),
                    slot,
                }
            })
            .collect();
        t.sort_by(|x, y| (&x.service, &x.name).cmp(&(&y.service, &y.name)));
        t
    })
}

/// Compares `a` ASCII-lowercased with the already lowercase `b`, without allocating.
fn cmp_folded(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes().map(|c| c.to_ascii_lowercase()).cmp(b.bytes())
}

/// Position of `action` in `ACTIONS` (case-insensitive, as actions match).
fn action_slot(action: &str) -> Option<usize> {
    let (service, name) = action.split_once(':')?;
    let t = slot_table();
    t.binary_search_by(|e| {
        cmp_folded(service, &e.service)
            .then_with(|| cmp_folded(name, &e.name))
            .reverse()
    })
    .ok()
    .and_then(|i| t.get(i))
    .map(|e| e.slot)
}

/// The `ACTIONS` an action pattern may cover: those of its service when the service part
/// is written out (`s3:Get*` can only cover `s3:` actions), else all of them.
fn candidate_slots(pattern: &str) -> &'static [SlotEntry] {
    let t = slot_table();
    let Some((service, _)) = pattern.split_once(':') else {
        return t;
    };
    if service.contains(['*', '?']) {
        return t;
    }
    let lo = t.partition_point(|e| cmp_folded(service, &e.service).is_gt());
    let hi = t.partition_point(|e| !cmp_folded(service, &e.service).is_lt());
    t.get(lo..hi).unwrap_or(&[])
}

/// One `Allow` statement that covers some detector action, compiled with
/// `graph::permissions`' resource clause (the one the graph's edges use, so both answer
/// alike).
#[derive(Debug, Clone)]
struct CompiledStatement {
    /// The `ACTIONS` this statement's action clause covers (never empty).
    known: ActionBits,
    resources: ResourceGrant,
}

impl CompiledStatement {
    /// Whether the statement may apply to some resource.
    fn any_resource(&self) -> bool {
        self.resources.may_match(ResourceTarget::Prefix(""))
    }

    fn covers(&self, target: ResourceTarget<'_>) -> bool {
        self.resources.may_match(target)
    }
}

/// The `Allow` statements of one document that cover a detector action. Statements that
/// cover none (most of them: S3, EC2 reads, ...) are not compiled; an action outside
/// `ACTIONS` is answered from the document itself through `graph::patterns`.
#[derive(Debug, Clone)]
struct CompiledDoc {
    policy: PolicyId,
    allows: Vec<CompiledStatement>,
    /// Union of `known` over statements that may apply to some resource.
    any_resource: ActionBits,
}

impl CompiledDoc {
    fn compile(policy: PolicyId, doc: Option<&PolicyDocument>) -> CompiledDoc {
        let mut out = CompiledDoc {
            policy,
            allows: Vec::new(),
            any_resource: ActionBits::default(),
        };
        let statements = doc.map_or(&[][..], |d| d.statements.as_slice());
        for s in statements.iter().filter(|s| s.effect == Effect::Allow) {
            // Actions the patterns name: a pattern is matched (and compiled) only against
            // the detector actions of its own service, so `s3:GetObject` costs nothing.
            let mut named = ActionBits::default();
            for p in &s.action.patterns {
                let candidates = candidate_slots(p);
                if candidates.is_empty() {
                    continue;
                }
                let w = Wildcard::new(p, true);
                for e in candidates {
                    if w.matches(&e.full) {
                        named.insert(e.slot);
                    }
                }
            }
            let known = if s.action.negated {
                ActionBits(!named.0 & ALL.0)
            } else {
                named
            };
            if known == ActionBits::default() {
                continue;
            }
            let statement = CompiledStatement {
                known,
                resources: ResourceGrant::compile(s.resource.as_ref()),
            };
            if statement.any_resource() {
                out.any_resource = out.any_resource.union(known);
            }
            out.allows.push(statement);
        }
        out
    }
}

/// One principal's identity permissions: its documents and what they may allow.
#[derive(Debug, Clone, Default)]
struct Summary {
    docs: Vec<u32>,
    /// Some identity policy was not collected: it may allow anything.
    missing: bool,
    any_resource: ActionBits,
}

/// What a principal may do with one action: the statements that allow it.
pub struct ActionGrant<'i> {
    index: &'i PermissionSummaries<'i>,
    docs: &'i [u32],
    action: &'i str,
    slot: Option<usize>,
    missing: bool,
}

impl ActionGrant<'_> {
    /// Whether the action may be allowed on `arn`.
    pub fn covers(&self, arn: &str) -> bool {
        self.covers_target(ResourceTarget::Exact(arn))
    }

    /// Whether the action may be allowed on some resource of `target`.
    pub fn covers_target(&self, target: ResourceTarget<'_>) -> bool {
        self.missing
            || self.index.docs_of(self.docs).any(|doc| {
                self.index
                    .doc_may_allow(doc, self.action, self.slot, Some(target))
            })
    }
}

/// Every principal's compiled identity permissions.
#[derive(Debug, Clone)]
pub struct PermissionSummaries<'m> {
    model: &'m Model,
    docs: Vec<CompiledDoc>,
    users: Vec<Summary>,
    roles: Vec<Summary>,
}

impl<'m> PermissionSummaries<'m> {
    pub fn build(model: &'m Model) -> PermissionSummaries<'m> {
        use rayon::prelude::*;
        // Documents are shared (managed policies, groups): each gets one slot, compiled once.
        let mut slot_of: Vec<Option<u32>> = vec![None; model.policies.len()];
        let mut to_compile: Vec<PolicyId> = Vec::new();
        let mut summary = |p: PrincipalRef| {
            let mut s = Summary::default();
            for ip in model.identity_policies(p) {
                let id = match ip.policy {
                    Collected::Present(id) => id,
                    Collected::Missing => {
                        s.missing = true;
                        continue;
                    }
                };
                let Some(known) = slot_of.get_mut(id.index()) else {
                    continue;
                };
                let slot = match known {
                    Some(slot) => *slot,
                    None => {
                        let slot = to_compile.len() as u32;
                        to_compile.push(id);
                        *known = Some(slot);
                        slot
                    }
                };
                if !s.docs.contains(&slot) {
                    s.docs.push(slot);
                }
            }
            s
        };
        let users: Vec<Summary> = (0..model.users.len())
            .map(|i| summary(PrincipalRef::User(crate::model::UserId(i as u32))))
            .collect();
        let roles: Vec<Summary> = (0..model.roles.len())
            .map(|i| summary(PrincipalRef::Role(crate::model::RoleId(i as u32))))
            .collect();
        let docs: Vec<CompiledDoc> = to_compile
            .par_iter()
            .map(|id| CompiledDoc::compile(*id, model.policy(*id).map(|pol| &pol.document)))
            .collect();
        let mut index = PermissionSummaries {
            model,
            docs,
            users,
            roles,
        };
        let docs = &index.docs;
        for s in index.users.iter_mut().chain(index.roles.iter_mut()) {
            s.any_resource = s
                .docs
                .iter()
                .filter_map(|d| docs.get(*d as usize))
                .fold(ActionBits::default(), |acc, d| acc.union(d.any_resource));
        }
        index
    }

    fn summary(&self, p: PrincipalRef) -> Option<&Summary> {
        match p {
            PrincipalRef::User(u) => self.users.get(u.index()),
            PrincipalRef::Role(r) => self.roles.get(r.index()),
        }
    }

    fn docs_of<'s>(&'s self, slots: &'s [u32]) -> impl Iterator<Item = &'s CompiledDoc> + 's {
        slots.iter().filter_map(|d| self.docs.get(*d as usize))
    }

    /// Whether `doc` may allow `action` (slot `slot` of `ACTIONS`, if any) on some resource
    /// of `target` (`None`: on some resource).
    fn doc_may_allow(
        &self,
        doc: &CompiledDoc,
        action: &str,
        slot: Option<usize>,
        target: Option<ResourceTarget<'_>>,
    ) -> bool {
        match (slot, target) {
            (Some(i), None) => doc.any_resource.contains(i),
            (Some(i), Some(target)) => doc
                .allows
                .iter()
                .any(|s| s.known.contains(i) && s.covers(target)),
            (None, target) => self.model.policy(doc.policy).is_some_and(|pol| {
                let target = target.unwrap_or(ResourceTarget::Prefix(""));
                patterns::doc_may_allow(&pol.document, action, target)
            }),
        }
    }

    /// The statements of `p` that may allow `action` on some resource; `None` when no
    /// resource can be allowed (then no target needs to be looked at).
    pub fn grant<'i>(&'i self, p: PrincipalRef, action: &'i str) -> Option<ActionGrant<'i>> {
        let s = self.summary(p)?;
        let slot = action_slot(action);
        let any = s.missing
            || match slot {
                Some(i) => s.any_resource.contains(i),
                None => self
                    .docs_of(&s.docs)
                    .any(|doc| self.doc_may_allow(doc, action, None, None)),
            };
        any.then_some(ActionGrant {
            index: self,
            docs: &s.docs,
            action,
            slot,
            missing: s.missing,
        })
    }

    /// Whether `p` may be allowed `action` on some resource.
    pub fn may_any(&self, p: PrincipalRef, action: &str) -> bool {
        self.grant(p, action).is_some()
    }

    /// Whether `p` may be allowed `action` on `arn`.
    pub fn may(&self, p: PrincipalRef, action: &str, arn: &str) -> bool {
        self.grant(p, action).is_some_and(|g| g.covers(arn))
    }

    /// Whether `p` may be allowed `action` on some resource the glob `pattern` matches.
    pub fn may_matching(&self, p: PrincipalRef, action: &str, pattern: &str) -> bool {
        self.grant(p, action)
            .is_some_and(|g| g.covers_target(ResourceTarget::Matching(pattern)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::patterns::{doc_may_allow, ResourceTarget};
    use serde_json::json;

    /// The summaries answer what `graph::patterns` answers over the same one-statement
    /// policy: `case_insensitive` puts `pattern` in `Action` (and asks for action `text`,
    /// on any resource), else in `Resource` (and asks for `text` as the resource of a
    /// detector action and of another action).
    fn check(pattern: &str, text: &str, case_insensitive: bool, expect: bool) {
        let (action, resource) = if case_insensitive {
            (json!(pattern), json!("*"))
        } else {
            (
                json!(["iam:CreateAccessKey", "s3:GetObject"]),
                json!(pattern),
            )
        };
        let gaad = json!({"UserDetailList": [{"UserName": "u", "Path": "/",
            "Arn": "arn:aws:iam::111122223333:user/u", "GroupList": [],
            "AttachedManagedPolicies": [], "UserPolicyList": [{"PolicyName": "p",
                "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": action,
                                                  "Resource": resource}]}}]}],
            "RoleDetailList": [], "GroupDetailList": [], "Policies": []});
        let bytes = serde_json::to_vec(&gaad).expect("test JSON");
        let export = crate::ingest::load_gaad_bytes(&bytes, "gaad.json").expect("GAAD loads");
        let m = &export.model;
        let summaries = PermissionSummaries::build(m);
        let u = PrincipalRef::User(crate::model::UserId(0));
        let doc = &m.policies[0].document;
        let asks: Vec<(&str, &str)> = if case_insensitive {
            vec![(text, "arn:aws:iam::111122223333:user/v")]
        } else {
            vec![("iam:CreateAccessKey", text), ("s3:GetObject", text)]
        };
        for (a, r) in asks {
            // A `text` with `*` is a glob of resources: "on some resource it matches".
            let (may, target) = if r.contains('*') {
                (summaries.may_matching(u, a, r), ResourceTarget::Matching(r))
            } else {
                (summaries.may(u, a, r), ResourceTarget::Exact(r))
            };
            assert_eq!(may, expect, "{pattern}: {a} on {r}");
            assert_eq!(
                doc_may_allow(doc, a, target),
                expect,
                "patterns.rs disagrees on {pattern}: {a} on {r}"
            );
        }
    }

    #[test]
    fn every_detector_action_has_its_slot() {
        for (i, a) in ACTIONS.iter().enumerate() {
            assert_eq!(action_slot(a), Some(i), "{a}");
            assert_eq!(action_slot(&a.to_ascii_uppercase()), Some(i), "{a}");
            let service = a.split(':').next().unwrap_or("");
            let pattern = format!("{service}:*");
            assert!(candidate_slots(&pattern).iter().any(|e| e.slot == i), "{a}");
        }
        assert_eq!(action_slot("s3:GetObject"), None);
        assert!(candidate_slots("s3:Get*").is_empty());
        assert_eq!(candidate_slots("*").len(), ACTIONS.len());
    }

    #[test]
    fn summaries_match_like_iam() {
        check("*", "", false, true);
        check("*", "arn:aws:ec2:*:*:instance/*", false, true);
        check(
            "arn:aws:ec2:us-east-1:*:instance/i-1*",
            "arn:aws:ec2:*:*:instance/*",
            false,
            true,
        );
        check(
            "arn:aws:ssm:*:*:document/*",
            "arn:aws:ec2:*:*:instance/*",
            false,
            false,
        );
        check("*", "arn:aws:iam::1:user/a", false, true);
        check(
            "arn:aws:iam::*:user/*",
            "arn:aws:iam::1:user/a",
            false,
            true,
        );
        check(
            "arn:aws:iam::*:user/*",
            "arn:aws:iam::1:role/a",
            false,
            false,
        );
        check(
            "arn:aws:iam::1:user/a?c",
            "arn:aws:iam::1:user/abc",
            false,
            true,
        );
        check(
            "arn:aws:iam::1:user/a?c",
            "arn:aws:iam::1:user/ac",
            false,
            false,
        );
        check("a*b*c", "aXbYbZc", false, true);
        check("a*b*c", "aXbYbZ", false, false);
        check("*a", "bbbba", false, true);
        check("a**", "a", false, true);
        check("é?x", "éyx", false, true);
        check("User/A", "user/a", false, false);
        check("iam:Create*", "IAM:createaccesskey", true, true);
        check("iam:*Key", "iam:CreateAccessKeys", true, false);
        check(
            "arn:aws:iam::1:user/${aws:username}",
            "arn:aws:iam::1:user/x",
            false,
            true,
        );
        check(
            "arn:aws:iam::1:user/${aws:username}",
            "arn:aws:iam::2:user/x",
            false,
            false,
        );
    }
}
