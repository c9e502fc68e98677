//! `vendor_token`: API tokens of well-known services, recognised by their documented prefixes
//! (GitHub `ghp_`/`github_pat_`, GitLab `glpat-`, Slack `xoxb-`/`xoxp-`/`xapp-`, Stripe
//! `sk_live_`/`rk_live_`/`whsec_`, OpenAI/Anthropic `sk-`, Google `AIza`/`ya29.`, Hugging Face
//! `hf_`, npm `npm_`, PyPI `pypi-`, SendGrid `SG.`, Twilio `SK…`, Shopify `shpat_`, …) followed
//! by enough token characters.
//!
//! Why it matters: each is a live login to a SaaS account — source code, chat history,
//! payments, cloud projects — and attackers scan for the same prefixes.
//!
//! Slack/Discord/Teams incoming-webhook URLs count too: their path is the secret.
//!
//! Example: `ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R` is a hit; `ghp_` alone is not.

use super::{Detector, Field, FieldFacts};
use crate::classify::Label;

pub struct VendorToken;

/// (prefix, minimum number of token characters after it)
const PREFIXES: &[(&str, usize)] = &[
    ("ghp_", 30),
    ("gho_", 30),
    ("ghu_", 30),
    ("ghs_", 30),
    ("ghr_", 30),
    ("github_pat_", 40),
    ("glpat-", 20),
    ("gldt-", 20),
    ("glrt-", 20),
    ("xoxb-", 20),
    ("xoxp-", 20),
    ("xoxa-", 20),
    ("xoxe-", 20),
    ("xoxs-", 20),
    ("xapp-", 20),
    ("sk_live_", 16),
    ("rk_live_", 16),
    ("sk_test_", 16),
    ("rk_test_", 16),
    ("whsec_", 20),
    ("pk_live_", 20),
    ("sk-ant-", 30),
    ("sk-proj-", 30),
    ("sk-", 32),
    ("AIza", 35),
    ("ya29.", 30),
    ("hf_", 30),
    ("npm_", 36),
    ("pypi-AgE", 50),
    ("SG.", 60),
    ("shpat_", 32),
    ("shpss_", 32),
    ("shpca_", 32),
    ("dop_v1_", 60),
    ("doo_v1_", 60),
    ("dapi", 32),
    ("xai-", 40),
    ("gsk_", 40),
    ("pplx-", 40),
    ("glc_", 30),
    ("glsa_", 30),
    ("lin_api_", 30),
    ("tvly-", 30),
    ("ops_eyJ", 50),
    ("AGE-SECRET-KEY-1", 50),
    ("hvs.", 24),
    ("hvb.", 24),
    ("atlasv1.", 40),
    ("oy2", 43),
    ("rubygems_", 40),
    ("sntrys_", 40),
    ("sntryu_", 40),
    ("sq0atp-", 20),
    ("sq0csp-", 40),
    ("EAACEdEose0cBA", 20),
    ("EAAG", 100),
    ("pscale_tkn_", 30),
    ("pscale_pw_", 30),
    ("phx_", 30),
    ("PMAK-", 50),
    ("ntn_", 40),
    ("secret_", 43),
    ("ATATT3", 50),
    ("ATBB", 30),
    ("ATCTT3", 50),
    ("BBDC-", 40),
    ("CLOJARS_", 50),
    ("FLWSECK-", 30),
    ("figd_", 30),
    ("xkeysib-", 60),
    ("dp.pt.", 40),
    ("dt0c01.", 60),
    ("SK", 32),
    ("key-", 32),
    ("access_token$production$", 30),
    ("nfp_", 36),
    ("vercel_", 20),
    ("sbp_", 40),
    ("LTAI", 16),
    ("AKCp", 60),
    ("cmVmdGtu", 50),
    ("glptt-", 40),
    ("ghsa_", 30),
    ("pat", 50),
    ("dckr_pat_", 27),
    ("SWMTKN-1-", 40),
    ("cosmo_", 32),
    ("cfat_", 30),
    ("cfut_", 30),
    ("cfk_", 30),
    ("dnkey-", 40),
    ("HRKU-", 20),
    ("NRAK-", 27),
    ("NRJS-", 16),
    ("NRII-", 20),
    ("TlRMTVNTUA", 40),
    ("vcp_", 40),
    ("akab-", 30),
    ("GOCSPX-", 24),
    ("A3T", 16),
    ("eyJrIjoi", 40),
    ("mfa.", 80),
    ("napi_", 30),
    ("shppa_", 32),
];

fn token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'$')
}

impl Detector for VendorToken {
    fn name(&self) -> &'static str {
        "vendor_token"
    }
    fn indicates(&self) -> Label {
        Label::Credentials
    }
    fn scan(&self, field: &Field<'_>, _facts: &FieldFacts) -> u32 {
        let s = field.value;
        let b = s.as_bytes();
        if b.len() < 20 {
            return 0;
        }
        // Incoming-webhook URLs carry their secret in the path.
        let mut hits = [
            "hooks.slack.com/services/T",
            "discord.com/api/webhooks/",
            "discordapp.com/api/webhooks/",
            "outlook.office.com/webhook/",
        ]
        .iter()
        .map(|w| s.matches(w).count() as u32)
        .sum::<u32>();
        let mut i = 0;
        while i < b.len() {
            let at_boundary = i == 0
                || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_' || b[i - 1] == b'-');
            if !at_boundary || !b[i].is_ascii_alphabetic() {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < b.len() && token_byte(b[j]) {
                j += 1;
            }
            let token = &b[i..j];
            // Every prefix needs 16+ characters after it: short words are skipped unexamined.
            if token.len() < 19 {
                i = j.max(i + 1);
                continue;
            }
            let matched = PREFIXES.iter().any(|(p, min)| {
                token.starts_with(p.as_bytes()) && {
                    let body = &token[p.len()..];
                    // Bodies must look random: at least two of upper case, lower case, digits.
                    let classes = usize::from(body.iter().any(u8::is_ascii_uppercase))
                        + usize::from(body.iter().any(u8::is_ascii_lowercase))
                        + usize::from(body.iter().any(u8::is_ascii_digit));
                    body.len() >= *min && classes >= 2
                }
            });
            if matched {
                hits += 1;
            }
            i = j.max(i + 1);
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: u32) {
        let f = Field {
            key: None,
            value: input,
        };
        assert_eq!(
            VendorToken.scan(&f, &FieldFacts::of(input)),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn tokens() {
        check("token: ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R", 1);
        check(
            "xoxb-391809548274-4236212766789-i8EoyACELx2FYnSOkRPEpePN",
            1,
        );
        check("rk_live_TsS4QI2dNfwyVM7YdjI78ehK", 1);
        check("ghp_ alone is not a token at all", 0);
        check("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", 1);
        check("\"hook\": \"https://hooks.slack.com/services/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\"", 1);
        check("skeleton_of_the_keyboard_layout_for_testing_purposes", 0);
    }
}
