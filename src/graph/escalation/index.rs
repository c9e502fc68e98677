//! A per-principal permission summary, compiled once, that escalation detectors query
//! instead of re-reading (and re-compiling) every policy for every candidate target.
//!
//! Each identity policy document is compiled once (`CompiledDoc`): its `Allow` statements'
//! action and resource patterns become `Wildcard`s (a matcher that needs no automaton), and
//! every statement carries a bit set of the detector actions (`ACTIONS`) it covers. A
//! principal's summary is the list of its documents plus the union of those bits over
//! statements that may apply to some resource, so "may `p` call `a` on anything?" is one bit
//! test and the per-target loops run only for principals that hold the action.
//!
//! The answers are exactly those of `graph::patterns` over `Model::identity_policies`
//! (conditions and denies ignored, policy variables as `*`, a document that was not
//! collected allows anything): the index makes them fast, not different.

use crate::model::{Collected, Model, PolicyId, PrincipalRef};
use crate::policy::{Effect, PolicyDocument, Statement};

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
struct ActionSet(u128);

impl ActionSet {
    fn insert(&mut self, i: usize) {
        self.0 |= 1u128 << i;
    }
    fn contains(self, i: usize) -> bool {
        self.0 & (1u128 << i) != 0
    }
    fn union(self, o: ActionSet) -> ActionSet {
        ActionSet(self.0 | o.0)
    }
}

// The bit set must hold every detector action.
const _: () = assert!(ACTIONS.len() <= 128);

/// Every action of `ACTIONS`.
const ALL: ActionSet = ActionSet(if ACTIONS.len() == 128 {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WTok {
    Star,
    One,
    Lit(char),
}

/// An IAM glob (`*` any run of characters, `?` one character, everything else literal)
/// matched by backtracking over the last star: no automaton to build, linear in practice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wildcard {
    toks: Vec<WTok>,
    case_insensitive: bool,
}

fn fold(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        c.to_lowercase().next().unwrap_or(c)
    }
}

impl Wildcard {
    pub fn new(pattern: &str, case_insensitive: bool) -> Wildcard {
        let toks = pattern
            .chars()
            .map(|c| match c {
                '*' => WTok::Star,
                '?' => WTok::One,
                c if case_insensitive => WTok::Lit(fold(c)),
                c => WTok::Lit(c),
            })
            .collect();
        Wildcard {
            toks,
            case_insensitive,
        }
    }

    /// The pattern with policy variables (`${aws:username}`) widened to `*`: the variable
    /// may take any value.
    pub fn widened(pattern: &str, case_insensitive: bool) -> Wildcard {
        Wildcard::new(
            &crate::graph::permissions::widen_variables(pattern),
            case_insensitive,
        )
    }

    pub fn is_star(&self) -> bool {
        self.toks == [WTok::Star]
    }

    pub fn matches(&self, text: &str) -> bool {
        let toks = &self.toks;
        let (mut pi, mut ti) = (0usize, 0usize);
        // (token after the last star, text position that star's run ends at)
        let mut star: Option<(usize, usize)> = None;
        loop {
            let next = text.get(ti..).and_then(|r| r.chars().next());
            let advanced = match (toks.get(pi), next) {
                (Some(WTok::Star), _) => {
                    star = Some((pi + 1, ti));
                    pi += 1;
                    continue;
                }
                (Some(WTok::One), Some(c)) => Some(c),
                (Some(WTok::Lit(p)), Some(c)) => {
                    let c2 = if self.case_insensitive { fold(c) } else { c };
                    (*p == c2).then_some(c)
                }
                (None, None) => return true,
                _ => None,
            };
            if let Some(c) = advanced {
                pi += 1;
                ti += c.len_utf8();
                continue;
            }
            // Mismatch: let the last star swallow one more character, or fail.
            let Some((sp, st)) = star else { return false };
            let Some(c) = text.get(st..).and_then(|r| r.chars().next()) else {
                return false;
            };
            star = Some((sp, st + c.len_utf8()));
            pi = sp;
            ti = st + c.len_utf8();
        }
    }
}

/// An `Allow` statement's resource side, compiled.
#[derive(Debug, Clone)]
enum Resources {
    /// No `Resource` element: applies to anything.
    Any,
    /// `Resource`: may match an ARN one of the (widened) patterns matches.
    Listed(Vec<Wildcard>),
    /// `NotResource`: excludes an exact ARN only through patterns without variables;
    /// excludes every resource only when it names `*`.
    Excluding {
        exact: Vec<Wildcard>,
        excludes_all: bool,
    },
}

impl Resources {
    fn compile(s: &Statement) -> Resources {
        match &s.resource {
            None => Resources::Any,
            Some(r) if r.negated => Resources::Excluding {
                exact: r
                    .patterns
                    .iter()
                    .filter(|p| !p.contains("${"))
                    .map(|p| Wildcard::new(p, false))
                    .collect(),
                excludes_all: r.patterns.iter().any(|p| p == "*"),
            },
            Some(r) => Resources::Listed(
                r.patterns
                    .iter()
                    .map(|p| Wildcard::widened(p, false))
                    .collect(),
            ),
        }
    }

    /// Whether some resource may be covered (the `Prefix("")` question).
    fn any(&self) -> bool {
        match self {
            Resources::Any => true,
            // Every glob matches some string.
            Resources::Listed(ps) => !ps.is_empty(),
            Resources::Excluding { excludes_all, .. } => !excludes_all,
        }
    }

    fn covers(&self, arn: &str) -> bool {
        match self {
            Resources::Any => true,
            Resources::Listed(ps) => ps.iter().any(|p| p.matches(arn)),
            Resources::Excluding { exact, .. } => !exact.iter().any(|p| p.matches(arn)),
        }
    }
}

/// One `Allow` statement, compiled.
#[derive(Debug, Clone)]
struct CompiledStatement {
    actions: Vec<Wildcard>,
    actions_negated: bool,
    /// The `ACTIONS` this statement's action clause covers.
    known: ActionSet,
    resources: Resources,
}

impl CompiledStatement {
    /// Whether the statement covers `action`, whose slot in `ACTIONS` (if any) is `slot`.
    fn allows_action(&self, action: &str, slot: Option<usize>) -> bool {
        match slot {
            Some(i) => self.known.contains(i),
            None => self.actions.iter().any(|p| p.matches(action)) != self.actions_negated,
        }
    }
}

/// The `Allow` statements of one document.
#[derive(Debug, Clone, Default)]
struct CompiledDoc {
    allows: Vec<CompiledStatement>,
    /// Union of `known` over statements that may apply to some resource.
    any_resource: ActionSet,
}

impl CompiledDoc {
    fn compile(doc: &PolicyDocument) -> CompiledDoc {
        let mut out = CompiledDoc::default();
        for s in doc.statements.iter().filter(|s| s.effect == Effect::Allow) {
            let actions: Vec<Wildcard> = s
                .action
                .patterns
                .iter()
                .map(|p| Wildcard::new(p, true))
                .collect();
            // Actions the patterns name (only those of a pattern's own service are tried).
            let mut named = ActionSet::default();
            for (p, w) in s.action.patterns.iter().zip(&actions) {
                for e in candidate_slots(p) {
                    if w.matches(&e.full) {
                        named.insert(e.slot);
                    }
                }
            }
            let known = if s.action.negated {
                ActionSet(!named.0 & ALL.0)
            } else {
                named
            };
            let resources = Resources::compile(s);
            if resources.any() {
                out.any_resource = out.any_resource.union(known);
            }
            out.allows.push(CompiledStatement {
                actions,
                actions_negated: s.action.negated,
                known,
                resources,
            });
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
    any_resource: ActionSet,
}

/// What a principal may do with one action: the statements that allow it.
pub struct Grant<'i> {
    index: &'i PermissionIndex,
    docs: &'i [u32],
    action: &'i str,
    slot: Option<usize>,
    missing: bool,
}

impl Grant<'_> {
    /// Whether the action may be allowed on `arn`.
    pub fn covers(&self, arn: &str) -> bool {
        self.missing
            || self.docs.iter().any(|d| {
                self.index.docs.get(*d as usize).is_some_and(|doc| {
                    doc.allows
                        .iter()
                        .any(|s| s.allows_action(self.action, self.slot) && s.resources.covers(arn))
                })
            })
    }
}

/// Every principal's compiled identity permissions.
#[derive(Debug, Clone, Default)]
pub struct PermissionIndex {
    docs: Vec<CompiledDoc>,
    users: Vec<Summary>,
    roles: Vec<Summary>,
}

impl PermissionIndex {
    pub fn build(model: &Model) -> PermissionIndex {
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
            .map(|id| {
                model
                    .policy(*id)
                    .map(|pol| CompiledDoc::compile(&pol.document))
                    .unwrap_or_default()
            })
            .collect();
        let mut index = PermissionIndex { docs, users, roles };
        let docs = &index.docs;
        for s in index.users.iter_mut().chain(index.roles.iter_mut()) {
            s.any_resource = s
                .docs
                .iter()
                .filter_map(|d| docs.get(*d as usize))
                .fold(ActionSet::default(), |acc, d| acc.union(d.any_resource));
        }
        index
    }

    fn summary(&self, p: PrincipalRef) -> Option<&Summary> {
        match p {
            PrincipalRef::User(u) => self.users.get(u.index()),
            PrincipalRef::Role(r) => self.roles.get(r.index()),
        }
    }

    /// The statements of `p` that may allow `action` on some resource; `None` when no
    /// resource can be allowed (then no target needs to be looked at).
    pub fn grant<'i>(&'i self, p: PrincipalRef, action: &'i str) -> Option<Grant<'i>> {
        let s = self.summary(p)?;
        let slot = action_slot(action);
        let any = s.missing
            || match slot {
                Some(i) => s.any_resource.contains(i),
                None => s.docs.iter().any(|d| {
                    self.docs.get(*d as usize).is_some_and(|doc| {
                        doc.allows
                            .iter()
                            .any(|st| st.allows_action(action, None) && st.resources.any())
                    })
                }),
            };
        any.then_some(Grant {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::patterns::{pattern_may_match, ResourceTarget};

    /// The wildcard matcher agrees with `graph::patterns` (the `smt` glob) on each case.
    fn check(pattern: &str, text: &str, case_insensitive: bool, expect: bool) {
        let w = Wildcard::widened(pattern, case_insensitive);
        assert_eq!(w.matches(text), expect, "{pattern} vs {text}");
        if !case_insensitive {
            assert_eq!(
                pattern_may_match(pattern, ResourceTarget::Exact(text), false),
                expect,
                "patterns.rs disagrees on {pattern} vs {text}"
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
    fn wildcards_match_like_iam() {
        check("*", "", false, true);
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
