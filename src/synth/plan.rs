//! The generated company before any JSON is written: accounts, names, who trusts whom,
//! which bucket is exposed how. Deciding everything up front lets policies refer to
//! buckets, roles and keys in any account.

use super::managed::ManagedPolicy;
use super::rng::SplitMix64;
use super::SynthConfig;

pub const FOREIGN_ACCOUNT: &str = "999999999999";
/// Accounts outside the organization that roles trust and buckets and keys are shared with
/// (vendors, a former subsidiary): the first is `FOREIGN_ACCOUNT`.
pub const OUTSIDE_ACCOUNTS: &[&str] = &[FOREIGN_ACCOUNT, "464622532012", "210987654321"];
pub const TRUSTED_ACCOUNT: &str = "333333333333";
pub const OFFICE_CIDR: &str = "203.0.113.0/24";
pub const REGION: &str = "us-east-1";
pub const GITHUB_OIDC: &str = "token.actions.githubusercontent.com";

pub const TEAMS: &[&str] = &[
    "payments",
    "checkout",
    "search",
    "catalog",
    "data",
    "ml",
    "platform",
    "security",
    "billing",
    "identity",
    "growth",
    "ops",
    "analytics",
    "mobile",
    "partners",
    "support",
    "marketing",
    "hr",
];

/// The organizational units: (name, parent OU index; `None` = the root). Top-level OUs come
/// first so parents precede children.
pub const OUS: &[(&str, Option<usize>)] = &[
    ("Workloads", None),
    ("Sandbox", None),
    ("Core", None),
    ("Prod", Some(0)),
    ("NonProd", Some(0)),
    ("Security", Some(2)),
    ("Infrastructure", Some(2)),
    ("Suspended", None),
];

/// Where member accounts go, round-robin (indices into `OUS`): mostly the workload OUs,
/// a few in each of the others. Small organizations (fewer than `NESTED_FROM` accounts) use
/// only the three top-level OUs.
const PLACEMENT: &[usize] = &[3, 4, 3, 1, 4, 3, 5, 4, 3, 6, 1, 4, 3, 4, 7, 0];
const NESTED_FROM: usize = 8;

#[derive(Debug, Clone)]
pub struct AccountPlan {
    pub id: String,
    pub name: String,
    /// Index into `OUS`; the management account (index 0) sits under the root (`usize::MAX`).
    pub ou: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    Service(&'static str),
    /// Another role of the same account (a chain).
    Role(usize),
    /// Another account of the organization (its root).
    OrgAccount(usize),
    /// A role (index) of another account of the organization: cross-account chains.
    OrgRole(usize),
    /// An account outside the organization (index into `OUTSIDE_ACCOUNTS`), with or without
    /// an ExternalId condition.
    Foreign {
        external_id: bool,
        vendor: usize,
    },
    /// The trusted partner account from leakpath.toml.
    Trusted,
    /// GitHub Actions OIDC; `pinned` adds a `sub` condition.
    Github {
        pinned: bool,
    },
    Saml,
    /// The account's own root, requiring MFA.
    RootMfa,
}

#[derive(Debug, Clone)]
pub struct RolePlan {
    pub name: String,
    pub account: usize,
    pub path: &'static str,
    pub trust: Trust,
    pub team: &'static str,
    /// EC2 roles: whether the instance running with it is internet-facing.
    pub public_instance: bool,
    /// Lambda roles: whether the function has a URL with AuthType NONE.
    pub url_none: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposure {
    None,
    /// Bucket policy `Principal: "*"` GetObject.
    PublicPolicy,
    /// ACL grant to AllUsers READ.
    PublicAcl,
    /// Bucket policy grant to the foreign account.
    ForeignGrant,
    /// `Principal: "*"` pinned by `aws:PrincipalOrgID`.
    OrgOnly,
    /// Grant to the trusted partner account.
    TrustedGrant,
    /// Grant to a role of another organization account.
    OrgRoleGrant,
}

#[derive(Debug, Clone)]
pub struct BucketPlan {
    pub name: String,
    pub account: usize,
    pub region: &'static str,
    /// Index into `Plan::keys` for SSE-KMS buckets.
    pub kms_key: Option<usize>,
    pub exposure: Exposure,
    /// Whether a sample body is written (and of which kind: 0 personal, 1 financial,
    /// 2 credentials, 3 health, 4 public).
    pub sample: Option<u8>,
}

#[derive(Debug, Clone)]
pub struct KeyPlan {
    pub id: String,
    pub account: usize,
    /// Another account (index) allowed to decrypt, or the foreign account (`None` inside).
    pub shared_with: Option<KeyShare>,
}

#[derive(Debug, Clone, Copy)]
pub enum KeyShare {
    OrgAccount(usize),
    Foreign,
}

#[derive(Debug, Clone)]
pub struct NamedPlan {
    pub name: String,
    pub account: usize,
    pub team: &'static str,
}

pub struct Plan<'m> {
    pub seed: u64,
    pub org_id: String,
    pub accounts: Vec<AccountPlan>,
    pub roles: Vec<RolePlan>,
    pub users: Vec<NamedPlan>,
    pub groups: Vec<NamedPlan>,
    pub policies: Vec<NamedPlan>,
    pub buckets: Vec<BucketPlan>,
    pub keys: Vec<KeyPlan>,
    /// AWS managed policies the generator attaches (a deterministic subset of the pool).
    pub managed: Vec<&'m ManagedPolicy>,
    /// For each role, the roles whose trust policy names it (`Role` and `OrgRole` trusts),
    /// in index order: the next hops of chains.
    pub assumers: Vec<Vec<usize>>,
    pub rng: SplitMix64,
}

impl<'m> Plan<'m> {
    pub fn new(config: &SynthConfig, pool: &'m [ManagedPolicy]) -> Plan<'m> {
        let root = SplitMix64::new(config.seed);
        let mut rng = root.fork("plan");
        let n = config.accounts.max(1);
        let org_id = format!("o-{}", rng.hex(10));
        let accounts: Vec<AccountPlan> = (0..n)
            .map(|i| AccountPlan {
                id: format!("{:012}", 100_000_000_000u64 + 1_111_011 * i as u64 + 11),
                name: if i == 0 {
                    "management".to_string()
                } else {
                    format!(
                        "{}-{}",
                        TEAMS[i % TEAMS.len()],
                        ["prod", "dev", "staging"][i % 3]
                    )
                },
                ou: if i == 0 {
                    usize::MAX
                } else if n < NESTED_FROM {
                    i % 3
                } else {
                    PLACEMENT[i % PLACEMENT.len()]
                },
            })
            .collect();

        let keys: Vec<KeyPlan> = (0..n * 3)
            .map(|i| {
                let account = i / 3;
                let shared_with = match i % 3 {
                    1 if n > 1 => Some(KeyShare::OrgAccount((account + 1) % n)),
                    2 if rng.percent(50) => Some(KeyShare::Foreign),
                    _ => None,
                };
                KeyPlan {
                    id: format!(
                        "{}-{}-4{}-{}-{}",
                        rng.hex(8),
                        rng.hex(4),
                        rng.hex(3),
                        rng.hex(4),
                        rng.hex(12)
                    ),
                    account,
                    shared_with,
                }
            })
            .collect();

        let mut roles = Vec::with_capacity(config.roles);
        for i in 0..config.roles {
            let account = i % n;
            let team = TEAMS[rng.below(TEAMS.len())];
            let roll = rng.below(1000);
            // Shares of each trust kind, per mille.
            let trust = if roll < 20 {
                Trust::Foreign {
                    external_id: rng.percent(50),
                    vendor: if rng.percent(60) {
                        0
                    } else {
                        rng.below(OUTSIDE_ACCOUNTS.len())
                    },
                }
            } else if roll < 50 {
                Trust::Github {
                    pinned: rng.percent(50),
                }
            } else if roll < 60 {
                Trust::Trusted
            } else if roll < 110 {
                Trust::Saml
            } else if roll < 150 && n > 1 {
                Trust::OrgAccount((account + 1 + rng.below(n - 1)) % n)
            } else if roll < 190 && n > 1 && i >= n {
                // An earlier role of another account: cross-account chains stay acyclic.
                let other = (account + 1 + rng.below(n - 1)) % n;
                let earlier = (i - other).div_ceil(n);
                Trust::OrgRole(other + n * rng.below(earlier))
            } else if roll < 310 && i >= n {
                // A role earlier in the same account: chains are acyclic by construction.
                let earlier = (i - account) / n;
                Trust::Role(account + n * rng.below(earlier))
            } else if roll < 400 {
                Trust::RootMfa
            } else {
                let services: &[&'static str] = &[
                    "ec2.amazonaws.com",
                    "ec2.amazonaws.com",
                    "ec2.amazonaws.com",
                    "lambda.amazonaws.com",
                    "lambda.amazonaws.com",
                    "ecs-tasks.amazonaws.com",
                    "glue.amazonaws.com",
                    "states.amazonaws.com",
                ];
                Trust::Service(services[rng.below(services.len())])
            };
            let kind = match trust {
                Trust::Service("ec2.amazonaws.com") => "instance",
                Trust::Service("lambda.amazonaws.com") => "fn",
                Trust::Service(_) => "task",
                Trust::Role(_) => "chain",
                Trust::OrgAccount(_) => "xacct",
                Trust::OrgRole(_) => "hop",
                Trust::Foreign { .. } => "vendor",
                Trust::Trusted => "partner",
                Trust::Github { .. } => "gha",
                Trust::Saml => "sso",
                Trust::RootMfa => "admin",
            };
            let public_instance =
                matches!(trust, Trust::Service("ec2.amazonaws.com")) && rng.percent(20);
            let url_none =
                matches!(trust, Trust::Service("lambda.amazonaws.com")) && rng.percent(5);
            roles.push(RolePlan {
                name: format!("{team}-{kind}-{i:05}"),
                account,
                path: match trust {
                    Trust::Service("lambda.amazonaws.com") => "/service-role/",
                    Trust::Saml => "/sso/",
                    _ => "/",
                },
                trust,
                team,
                public_instance,
                url_none,
            });
        }

        let named = |rng: &mut SplitMix64, count: usize, fmt: &dyn Fn(&str, usize) -> String| {
            (0..count)
                .map(|i| {
                    let team = TEAMS[rng.below(TEAMS.len())];
                    NamedPlan {
                        name: fmt(team, i),
                        account: i % n,
                        team,
                    }
                })
                .collect::<Vec<_>>()
        };
        let users = named(&mut rng, config.users, &|team, i| {
            format!("{team}.user{i:05}")
        });
        let groups_per_account = (config.users / n / 25).max(3);
        let groups = named(&mut rng, groups_per_account * n, &|team, i| {
            format!("{team}-group-{i:04}")
        });
        let policies = named(&mut rng, config.policies, &|team, i| {
            format!("{team}-access-{i:05}")
        });

        let mut buckets = Vec::with_capacity(config.buckets);
        for i in 0..config.buckets {
            let account = i % n;
            let team = TEAMS[rng.below(TEAMS.len())];
            let roll = rng.below(1000);
            let exposure = match roll {
                0..=19 => Exposure::PublicPolicy,
                20..=29 => Exposure::PublicAcl,
                30..=49 => Exposure::ForeignGrant,
                50..=99 => Exposure::OrgOnly,
                100..=109 => Exposure::TrustedGrant,
                110..=249 if n > 1 => Exposure::OrgRoleGrant,
                _ => Exposure::None,
            };
            let kms_key = if rng.percent(25) {
                Some(account * 3 + rng.below(3))
            } else {
                None
            };
            let sample = if exposure != Exposure::None || rng.percent(5) {
                Some(match exposure {
                    Exposure::PublicPolicy if rng.percent(50) => 4,
                    _ => rng.below(4) as u8,
                })
            } else {
                None
            };
            buckets.push(BucketPlan {
                name: format!(
                    "syn-{}-{team}-{}-{i:05}",
                    &accounts[account].id[8..],
                    ["data", "logs", "exports", "raw", "assets", "backups"][rng.below(6)]
                ),
                account,
                region: if rng.percent(15) { "eu-west-1" } else { REGION },
                kms_key,
                exposure,
                sample,
            });
        }

        // The managed-policy subset: up to 60 documents, favouring ones of ordinary size so
        // the export's size tracks the entity counts rather than a few huge documents.
        let mut prng = root.fork("managed");
        let mut candidates: Vec<&ManagedPolicy> =
            pool.iter().filter(|p| p.document_len() <= 12_000).collect();
        if candidates.is_empty() {
            candidates = pool.iter().collect();
        }
        let mut managed = Vec::new();
        while !candidates.is_empty() && managed.len() < 60 {
            let k = prng.below(candidates.len());
            managed.push(candidates.swap_remove(k));
        }
        managed.sort_by(|a, b| a.name.cmp(&b.name));

        let mut assumers: Vec<Vec<usize>> = vec![Vec::new(); roles.len()];
        for (i, r) in roles.iter().enumerate() {
            if let Trust::Role(j) | Trust::OrgRole(j) = r.trust {
                if let Some(list) = assumers.get_mut(j) {
                    list.push(i);
                }
            }
        }

        Plan {
            seed: config.seed,
            org_id,
            accounts,
            roles,
            users,
            groups,
            policies,
            buckets,
            keys,
            managed,
            assumers,
            rng: root,
        }
    }

    pub fn account_id(&self, a: usize) -> &str {
        self.accounts
            .get(a)
            .map(|x| x.id.as_str())
            .unwrap_or("000000000000")
    }

    pub fn role_arn(&self, r: &RolePlan) -> String {
        format!(
            "arn:aws:iam::{}:role{}{}",
            self.account_id(r.account),
            r.path,
            r.name
        )
    }

    pub fn key_arn(&self, k: usize) -> Option<String> {
        self.keys.get(k).map(|key| {
            format!(
                "arn:aws:kms:{REGION}:{}:key/{}",
                self.account_id(key.account),
                key.id
            )
        })
    }

    pub fn buckets_of(&self, a: usize) -> impl Iterator<Item = &BucketPlan> {
        self.buckets.iter().filter(move |b| b.account == a)
    }
}

/// A fixed ISO timestamp as the CLI v2 prints it, from a day number.
pub fn timestamp(day: usize) -> String {
    let year = 2019 + (day / 336) % 6;
    let month = 1 + (day / 28) % 12;
    let dom = 1 + day % 28;
    format!(
        "{year}-{month:02}-{dom:02}T{:02}:{:02}:{:02}+00:00",
        (day * 7) % 24,
        (day * 13) % 60,
        (day * 17) % 60
    )
}
