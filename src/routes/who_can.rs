//! "Who can do action A on resource R?": every principal and outside actor that can, directly
//! (its own policies and the resource's allow it, conditions honoured by the solver) or by
//! first moving through confirmed edges (assume-role chains, federation, compute roles,
//! privilege escalation) to a node that can. PMapper's `who can`, with conditions.

use super::confirm::{hop_witness, network_alternatives, EdgeVerdict};
use super::context::RouteCtx;
use super::finding::{HopWitness, RouteHop};
use super::{analyze, Analysis, RouteError, RouteOptions};
use crate::eval::{AuthzInputs, ResourcePolicyMode};
use crate::graph::{node_name, AccessGraph, EdgeKind, Node};
use crate::model::{Model, SourceMap};
use crate::smt::question::{check_chain, Answer, StrShape};
use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::{HashMap, VecDeque};

/// One answer: who, the path from it to a node that performs the request (empty when it
/// can itself), and the final request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhoCanEntry {
    pub who: String,
    /// `principal`, `outside-actor`, `compute`, `escalated`.
    pub kind: String,
    pub path: Vec<RouteHop>,
    /// The request that does it, as the solver found it (at the end of the path).
    pub request: Option<HopWitness>,
    /// `sat` or `unknown`.
    pub result: String,
}

fn kind_of(n: &Node) -> &'static str {
    match n {
        Node::Anyone | Node::Account(_) | Node::Federated(_) | Node::Internet => "outside-actor",
        Node::Principal(_) => "principal",
        Node::Escalated { .. } => "escalated",
        _ => "compute",
    }
}

fn movement_edges(g: &AccessGraph) -> Vec<EdgeIndex> {
    g.graph
        .edge_indices()
        .filter(|e| !matches!(g.graph[*e].kind, EdgeKind::DataRead | EdgeKind::Egress))
        .collect()
}

/// Can node `n` perform the request itself?
fn direct(
    ctx: &RouteCtx<'_>,
    n: &Node,
    action: &str,
    resource: &str,
) -> Option<(EdgeVerdict, Option<HopWitness>)> {
    let identity = ctx.identity(n)?;
    let m = ctx.model;
    let outside = matches!(n, Node::Anyone | Node::Account(_));
    let s3 = resource.strip_prefix("arn:aws:s3:::");
    // The bucket's region: gateway endpoints serve their own region only.
    let mut region: Option<String> = None;
    let (inputs, account): (AuthzInputs<'_>, String) = match s3 {
        Some(rest) => {
            let name = rest.split('/').next().unwrap_or("");
            let b = m.bucket_by_name(name)?;
            region = m
                .buckets
                .get(b.index())
                .and_then(|bucket| bucket.region.present().cloned());
            let inputs = ctx.bucket_inputs(identity, b, rest.contains('/'), outside)?;
            let account = inputs.resource_account.clone();
            (inputs, account)
        }
        None => {
            let role = m
                .role_by_arn(resource)
                .filter(|_| action.to_ascii_lowercase().starts_with("sts:assumerole"));
            match role {
                Some(r) => {
                    let role = m.roles.get(r.index())?;
                    let account = m.str(role.account).to_string();
                    let pid = role.trust_policy.present().copied()?;
                    (
                        AuthzInputs {
                            identity,
                            resource_account: account.clone(),
                            resource_policy: ctx.policy_ref(pid),
                            resource_policy_mode: ResourcePolicyMode::Required,
                            rcps: None,
                            vpc_endpoint_policy: None,
                            s3: None,
                            kms: None,
                        },
                        account,
                    )
                }
                None => {
                    let account = crate::model::Arn::parse(resource)
                        .map(|a| a.account.to_string())
                        .filter(|a| !a.is_empty())
                        .unwrap_or_else(|| match n {
                            Node::Principal(p) | Node::Escalated { principal: p, .. } => {
                                crate::graph::principal_account(m, *p)
                            }
                            _ => String::new(),
                        });
                    (
                        AuthzInputs::identity_only(identity, account.clone()),
                        account,
                    )
                }
            }
        }
    };
    // The request directly, through each VPC endpoint worth asking for its service, through
    // an outsider's endpoint, and (unknown only) through endpoints the export does not hold,
    // as the scan asks reads and role assumptions.
    let service = action
        .split_once(':')
        .map_or(String::new(), |(s, _)| s.to_ascii_lowercase());
    let base = ctx
        .shapes(n, action, StrShape::Exact(resource.to_string()))
        .into_iter()
        .map(|shape| (inputs.clone(), ctx.resource_keys(shape, &account)))
        .collect();
    let paths = network_alternatives(ctx, n, &service, region.as_deref(), base);
    let mut unknown = false;
    for (i, chain) in paths.alternatives.iter().enumerate() {
        match check_chain(chain) {
            Ok(Answer::Allowed(_)) if i >= paths.unknown_from => unknown = true,
            Ok(Answer::Allowed(w)) => {
                return Some((EdgeVerdict::Allowed, w.requests.first().map(hop_witness)))
            }
            Ok(Answer::Unknown(_)) | Err(_) => unknown = true,
            Ok(Answer::Denied(_)) => {}
        }
    }
    unknown.then_some((EdgeVerdict::Unknown, None))
}

/// Every node that can perform `action` on `resource`, directly or through a path.
pub fn who_can(
    model: &Model,
    sources: &SourceMap,
    action: &str,
    resource: &str,
    opts: &RouteOptions<'_>,
) -> Result<Vec<WhoCanEntry>, RouteError> {
    let an = analyze(model, sources, opts, movement_edges)?;
    Ok(entries(&an, action, resource))
}

fn entries(an: &Analysis<'_>, action: &str, resource: &str) -> Vec<WhoCanEntry> {
    let g = &an.graph;
    let model = an.ctx.model;
    // Nodes that can do it themselves.
    let mut best: HashMap<NodeIndex, (Vec<EdgeIndex>, EdgeVerdict, Option<HopWitness>, NodeIndex)> =
        HashMap::new();
    let mut queue = VecDeque::new();
    let mut nodes: Vec<NodeIndex> = g.graph.node_indices().collect();
    nodes.sort_by_key(|n| g.graph[*n].sort_key());
    for n in &nodes {
        if let Some((v, w)) = direct(&an.ctx, &g.graph[*n], action, resource) {
            best.insert(*n, (Vec::new(), v, w, *n));
            queue.push_back(*n);
        }
    }
    // Backwards over confirmed movement edges: whoever reaches a capable node can too.
    while let Some(n) = queue.pop_front() {
        let Some((path, verdict, w, end)) = best.get(&n).cloned() else {
            continue;
        };
        let mut incoming: Vec<_> = g
            .graph
            .edges_directed(n, petgraph::Direction::Incoming)
            .collect();
        incoming.sort_by_key(|e| (g.graph[e.source()].sort_key(), e.id()));
        for e in incoming {
            let Some(a) = an.answers.get(&e.id()) else {
                continue;
            };
            if a.verdict == EdgeVerdict::Denied || best.contains_key(&e.source()) {
                continue;
            }
            let mut p = vec![e.id()];
            p.extend(path.iter().copied());
            let v = verdict.max(a.verdict);
            best.insert(e.source(), (p, v, w.clone(), end));
            queue.push_back(e.source());
        }
    }
    let mut out: Vec<WhoCanEntry> = best
        .into_iter()
        .filter(|(n, _)| !matches!(g.graph[*n], Node::Bucket(_) | Node::OutsideStorage))
        .map(|(n, (path, v, w, _))| WhoCanEntry {
            who: node_name(model, &g.graph[n]),
            kind: kind_of(&g.graph[n]).to_string(),
            path: path
                .iter()
                .filter_map(|e| {
                    let (a, b) = g.graph.edge_endpoints(*e)?;
                    Some(RouteHop {
                        from: node_name(model, &g.graph[a]),
                        to: node_name(model, &g.graph[b]),
                        via: g.graph[*e].via.to_string(),
                        policy: an
                            .answers
                            .get(e)
                            .and_then(|x| x.cites.first().cloned())
                            .unwrap_or_else(|| g.graph[*e].evidence.clone()),
                    })
                })
                .collect(),
            request: w,
            result: if v == EdgeVerdict::Allowed {
                "sat"
            } else {
                "unknown"
            }
            .to_string(),
        })
        .collect();
    out.sort_by(|a, b| (a.path.len(), &a.who).cmp(&(b.path.len(), &b.who)));
    out
}
