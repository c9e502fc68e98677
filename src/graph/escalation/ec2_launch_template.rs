//! `ec2:CreateLaunchTemplateVersion` + `ec2:ModifyLaunchTemplate` on an existing template.
//!
//! **What it finds:** a principal allowed to add a launch template version and make it the
//! default; templates are not in the export, so every role with an instance profile of its
//! account is a candidate.
//! **Why it matters:** the next instance launched from the template (by an Auto Scaling
//! group, say) boots the principal's user data with the profile role the version names
//! (pathfinding.cloud `ec2-005`).
//! **Example:** `aws ec2 create-launch-template-version --launch-template-id lt-1
//! --launch-template-data file://evil.json && aws ec2 modify-launch-template --default-version 2 ...`.

use super::{may_all, takeover_edges, Call, Ctx, Found};
use crate::model::{PrincipalRef, RoleId};

pub const NAME: &str = "ec2-launch-template";

/// Launch templates: the Service Authorization Reference ("Actions, resources, and
/// condition keys for Amazon EC2") lists resource type `launch-template`
/// (`arn:${Partition}:ec2:${Region}:${Account}:launch-template/${LaunchTemplateId}`) as
/// required for `CreateLaunchTemplateVersion` and `ModifyLaunchTemplate` (the others it
/// lists for the version's contents are only asked when the version names them).
pub const LAUNCH_TEMPLATE_ARNS: &str = "arn:aws:ec2:*:*:launch-template/*";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    let calls: [Call; 2] = [
        ("ec2:CreateLaunchTemplateVersion", LAUNCH_TEMPLATE_ARNS),
        ("ec2:ModifyLaunchTemplate", LAUNCH_TEMPLATE_ARNS),
    ];
    if !may_all(ctx, p, &calls) {
        return;
    }
    let m = ctx.model;
    let roles: Vec<RoleId> = ctx
        .roles_beside(p)
        .iter()
        .copied()
        .filter(|r| PrincipalRef::Role(*r) != p)
        .filter(|r| {
            m.roles
                .get(r.index())
                .is_some_and(|x| !x.instance_profiles.is_empty())
        })
        .collect();
    takeover_edges(NAME, &calls, roles, out);
}
