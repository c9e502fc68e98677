//! `iam:CreateLoginProfile` / `iam:UpdateLoginProfile` on another user.
//!
//! **What it finds:** a principal allowed to set (or reset) the console password of another
//! user of its account.
//! **Why it matters:** it can sign in as that user and use all of its permissions.
//! **Example:** iam-vulnerable `privesc5-CreateLoginProfile`, `privesc6-UpdateLoginProfile`:
//! `aws iam update-login-profile --user-name admin --password '...'`.

use super::{credential_takeovers, Ctx, Found};
use crate::model::PrincipalRef;

pub const NAME: &str = "login-profile";

pub fn detect(ctx: &Ctx<'_>, p: PrincipalRef, out: &mut Vec<Found>) {
    credential_takeovers(
        ctx,
        p,
        NAME,
        &["iam:CreateLoginProfile", "iam:UpdateLoginProfile"],
        out,
    );
}
