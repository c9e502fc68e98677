//! ARN syntax: `arn:partition:service:region:account-id:resource`.

/// The parts of a syntactically valid ARN (borrowed from the input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    /// Empty for S3 bucket ARNs and other account-less resources.
    pub account: &'a str,
    /// Everything after the fifth colon (may itself contain `:` and `/`).
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Parses an ARN; `None` when `s` is not one (no `arn:` prefix, fewer than six parts,
    /// empty partition/service/resource, or an account part that is neither empty, digits,
    /// nor `aws` as AWS managed policies use). Accounts shorter than 12 digits pass here
    /// (test data uses them); `is_account_id` is the strict check.
    pub fn parse(s: &'a str) -> Option<Arn<'a>> {
        let mut parts = s.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let partition = parts.next()?;
        let service = parts.next()?;
        let region = parts.next()?;
        let account = parts.next()?;
        let resource = parts.next()?;
        if partition.is_empty() || service.is_empty() || resource.is_empty() {
            return None;
        }
        let digits = account.len() <= 12 && account.bytes().all(|b| b.is_ascii_digit());
        if !(account.is_empty() || account == "aws" || digits) {
            return None;
        }
        Some(Arn {
            partition,
            service,
            region,
            account,
            resource,
        })
    }
}

/// A 12-digit AWS account id.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: Option<(&str, &str, &str, &str)>) {
        let got = Arn::parse(input).map(|a| (a.service, a.region, a.account, a.resource));
        assert_eq!(got, expect, "{input}");
    }

    #[test]
    fn arns_split_into_parts() {
        check(
            "arn:aws:iam::111122223333:role/a/b",
            Some(("iam", "", "111122223333", "role/a/b")),
        );
        check(
            "arn:aws:s3:::bucket/key:x",
            Some(("s3", "", "", "bucket/key:x")),
        );
        check(
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            Some(("iam", "", "aws", "policy/ReadOnlyAccess")),
        );
        check(
            "arn:aws:lambda:us-east-1:123456789012:function:f",
            Some(("lambda", "us-east-1", "123456789012", "function:f")),
        );
        check("arn:aws:iam::12:role/x", Some(("iam", "", "12", "role/x")));
        check("arn:aws:iam::abc:role/x", None);
        check("arn:aws:iam::1234567890123:role/x", None);
        check("arn:aws:iam::111122223333:", None);
        check("role/x", None);
        check("arn:aws:iam", None);
    }
}
