//! Compute edges: an instance's profile role and a function's execution role (code on the
//! compute holds the role's credentials), and function URLs with auth type `NONE` (the
//! internet invokes the function; its resource policy must allow `lambda:InvokeFunctionUrl`,
//! which `routes` confirms).

use super::{AccessGraph, EdgeKind, Node};
use crate::model::{
    Collected, FunctionUrlAuth, InstanceId, InstanceProfileId, ItemRef, LambdaFunctionId, Model,
    PrincipalRef, SourceMap,
};

/// The instance profile an instance names: by ARN, else by account and name (the last
/// path segment), which tolerates path spellings that differ between EC2 and IAM outputs.
pub fn profile_of(model: &Model, arn: crate::model::Sym) -> Option<InstanceProfileId> {
    if let Some(p) = model.index.instance_profiles.get(&arn) {
        return Some(*p);
    }
    let s = model.str(arn);
    let parsed = crate::model::Arn::parse(s)?;
    let name = parsed.resource.rsplit('/').next()?;
    model
        .instance_profiles
        .iter()
        .position(|p| p.name == name && model.str(p.account) == parsed.account)
        .map(|i| InstanceProfileId(i as u32))
}

pub fn add_edges(model: &Model, sources: &SourceMap, g: &mut AccessGraph) {
    for (ii, inst) in model.instances.iter().enumerate() {
        let iid = InstanceId(ii as u32);
        let Some(profile_arn) = inst.instance_profile else {
            continue;
        };
        let Some(pid) = profile_of(model, profile_arn) else {
            continue;
        };
        let Some(profile) = model.instance_profiles.get(pid.index()) else {
            continue;
        };
        for (_, role) in &profile.roles {
            if let Collected::Present(rid) = role {
                let evidence = sources
                    .cite(ItemRef::Instance(iid))
                    .unwrap_or_else(|| model.str(profile_arn).to_string());
                g.add_edge(
                    Node::Instance(iid),
                    Node::Principal(PrincipalRef::Role(*rid)),
                    EdgeKind::InstanceProfile(pid),
                    "ec2:InstanceProfile",
                    evidence,
                );
            }
        }
    }
    for (fi, f) in model.lambda_functions.iter().enumerate() {
        let fid = LambdaFunctionId(fi as u32);
        if let Some(role_arn) = f.role {
            if let Some(&rid) = model.index.roles.get(&role_arn) {
                let evidence = sources
                    .cite(ItemRef::LambdaFunction(fid))
                    .unwrap_or_else(|| model.str(f.arn).to_string());
                g.add_edge(
                    Node::Lambda(fid),
                    Node::Principal(PrincipalRef::Role(rid)),
                    EdgeKind::FunctionRole,
                    "lambda:ExecutionRole",
                    evidence,
                );
            }
        }
        let url_public = match &f.url {
            Collected::Present(Some(u)) => u.auth_type == FunctionUrlAuth::None,
            _ => false,
        };
        if url_public {
            g.add_edge(
                Node::Internet,
                Node::Lambda(fid),
                EdgeKind::FunctionUrl,
                "lambda:InvokeFunctionUrl",
                String::new(),
            );
        }
    }
}
