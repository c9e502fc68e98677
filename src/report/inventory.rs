//! Output of `leakpath inventory`: what an export holds (accounts, principals, policies,
//! buckets, network objects, counts) and its coverage report, as one JSON object or as text.
//!
//! JSON shape (stable; tests and users rely on these names):
//! `{"export", "layout", "counts": {accounts, users, groups, roles, policies, ...},
//!   "organization", "accounts": [...], "coverage": {"collected", "missing",
//!   "ignored_files"}, "warnings": [...]}`. `counts.policies` is the number of managed
//! policies; `coverage.missing` lists every missing file with what it leaves unknown.

use crate::ingest::LoadedExport;
use crate::model::{Collected, ExportLayout, Model, OrgNodeKind, OrgPolicyType};
use serde_json::{json, Map, Value};
use std::fmt::Write;

fn layout_name(l: ExportLayout) -> &'static str {
    match l {
        ExportLayout::Native => "native",
        ExportLayout::NativeSingleAccount => "native-single-account",
        ExportLayout::CloudMapper => "cloudmapper",
        ExportLayout::GaadFile => "gaad-file",
    }
}

/// Every count, in display order.
pub fn counts(e: &LoadedExport) -> Vec<(&'static str, usize)> {
    let m = &e.model;
    let (ous, scps, rcps) = match &m.organization {
        Collected::Present(o) => (
            o.nodes
                .iter()
                .filter(|n| n.kind == OrgNodeKind::OrganizationalUnit)
                .count(),
            o.policies
                .iter()
                .filter(|p| p.policy_type == OrgPolicyType::ServiceControl)
                .count(),
            o.policies
                .iter()
                .filter(|p| p.policy_type == OrgPolicyType::ResourceControl)
                .count(),
        ),
        Collected::Missing => (0, 0, 0),
    };
    let inline = m
        .users
        .iter()
        .map(|u| u.inline_policies.len())
        .sum::<usize>()
        + m.groups
            .iter()
            .map(|g| g.inline_policies.len())
            .sum::<usize>()
        + m.roles
            .iter()
            .map(|r| r.inline_policies.len())
            .sum::<usize>();
    let sg_rules = m
        .security_groups
        .iter()
        .map(|g| g.ingress.len() + g.egress.len())
        .sum();
    vec![
        ("accounts", m.accounts.len()),
        ("organizational_units", ous),
        ("scps", scps),
        ("rcps", rcps),
        ("users", m.users.len()),
        ("groups", m.groups.len()),
        ("roles", m.roles.len()),
        ("instance_profiles", m.instance_profiles.len()),
        ("policies", m.managed_policies.len()),
        ("inline_policies", inline),
        ("policy_documents", m.policies.len()),
        ("buckets", m.buckets.len()),
        ("kms_keys", m.kms_keys.len()),
        ("vpcs", m.vpcs.len()),
        ("subnets", m.subnets.len()),
        ("route_tables", m.route_tables.len()),
        ("security_groups", m.security_groups.len()),
        ("security_group_rules", sg_rules),
        ("network_acls", m.network_acls.len()),
        ("internet_gateways", m.internet_gateways.len()),
        ("nat_gateways", m.nat_gateways.len()),
        ("vpc_endpoints", m.vpc_endpoints.len()),
        ("instances", m.instances.len()),
        ("lambda_functions", m.lambda_functions.len()),
        ("missing", e.coverage.missing.len()),
        ("warnings", e.warnings.len()),
    ]
}

fn collected_state<T>(c: &Collected<Option<T>>) -> &'static str {
    match c {
        Collected::Present(Some(_)) => "present",
        Collected::Present(None) => "none",
        Collected::Missing => "missing",
    }
}

fn accounts_json(m: &Model) -> Vec<Value> {
    m.accounts
        .iter()
        .map(|a| {
            let count = |n: usize| Value::from(n);
            json!({
                "id": m.str(a.id),
                "name": a.name,
                "status": a.status,
                "exported": a.exported,
                "iam_collected": a.iam_collected,
                "buckets_listed": a.buckets_listed,
                "public_access_block": collected_state(&a.public_access_block),
                "regions": a.regions.iter().map(|r| m.str(*r)).collect::<Vec<_>>(),
                "users": count(m.users.iter().filter(|u| u.account == a.id).count()),
                "roles": count(m.roles.iter().filter(|r| r.account == a.id).count()),
                "buckets": count(m.buckets.iter().filter(|b| b.account == a.id).count()),
                "instances": count(m.instances.iter().filter(|i| i.account == a.id).count()),
            })
        })
        .collect()
}

fn organization_json(m: &Model) -> Value {
    match &m.organization {
        Collected::Missing => Value::Null,
        Collected::Present(o) => json!({
            "id": o.id,
            "management_account": m.str(o.management_account),
            "roots": o.nodes.iter().filter(|n| n.kind == OrgNodeKind::Root).map(|n| m.str(n.id)).collect::<Vec<_>>(),
            "organizational_units": o.nodes.iter().filter(|n| n.kind == OrgNodeKind::OrganizationalUnit).map(|n| m.str(n.id)).collect::<Vec<_>>(),
            "policies": o.policies.iter().map(|p| json!({
                "id": p.id,
                "name": p.name,
                "type": match p.policy_type { OrgPolicyType::ServiceControl => "SCP", OrgPolicyType::ResourceControl => "RCP" },
                "targets": match &p.targets {
                    Collected::Present(t) => Value::from(t.iter().filter_map(|n| o.node(*n)).map(|n| m.str(n.id).to_string()).collect::<Vec<_>>()),
                    Collected::Missing => Value::from("missing"),
                },
            })).collect::<Vec<_>>(),
            "targets_complete": o.targets_complete,
        }),
    }
}

/// The `inventory --json` object.
pub fn inventory_json(e: &LoadedExport, export: &str) -> Value {
    let mut counts_obj = Map::new();
    for (k, v) in counts(e) {
        counts_obj.insert(k.to_string(), Value::from(v));
    }
    let missing: Vec<Value> = e
        .coverage
        .missing
        .iter()
        .map(|x| {
            json!({
                "account": x.account,
                "region": x.region,
                "resource": x.resource,
                "file": x.file,
                "consequence": x.consequence,
                "message": x.to_string(),
            })
        })
        .collect();
    json!({
        "export": export,
        "layout": layout_name(e.model.layout),
        "counts": Value::Object(counts_obj),
        "organization": organization_json(&e.model),
        "accounts": accounts_json(&e.model),
        "settings": {
            "from_file": e.model.settings.from_file,
            "trusted_accounts": e.model.settings.trusted_accounts,
            "trusted_cidrs": e.model.settings.trusted_cidrs.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        },
        "coverage": {
            "collected": e.coverage.collected,
            "missing": missing,
            "ignored_files": e.coverage.ignored_files,
        },
        "warnings": e.warnings.iter().map(|w| json!({"file": w.file, "pointer": w.pointer, "message": w.message})).collect::<Vec<_>>(),
    })
}

/// Most coverage lines printed per account in the text report (the JSON has them all).
const TEXT_MISSING_PER_ACCOUNT: usize = 25;

/// The human-readable report.
pub fn inventory_text(e: &LoadedExport, export: &str) -> String {
    let m = &e.model;
    let mut out = String::new();
    let _ = writeln!(out, "Export {export} ({} layout)", layout_name(m.layout));
    if let Collected::Present(o) = &m.organization {
        let _ = writeln!(
            out,
            "Organization {} (management account {}), {} SCPs/RCPs{}",
            o.id,
            m.str(o.management_account),
            o.policies.len(),
            if o.targets_complete {
                ""
            } else {
                ", some attachments unknown"
            }
        );
    }
    let _ = writeln!(out, "\nCounts");
    for (k, v) in counts(e) {
        let _ = writeln!(out, "  {:<22} {v}", k.replace('_', " "));
    }
    let _ = writeln!(out, "\nAccounts");
    for a in &m.accounts {
        let id = m.str(a.id);
        let regions: Vec<&str> = a.regions.iter().map(|r| m.str(*r)).collect();
        let _ = writeln!(
            out,
            "  {id} {}{} iam={} buckets_listed={} account_bpa={} regions=[{}]",
            a.name.as_deref().unwrap_or(""),
            if a.exported { "" } else { " (not in export)" },
            a.iam_collected,
            a.buckets_listed,
            collected_state(&a.public_access_block),
            regions.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "\nCoverage: {} missing, {} ignored files, {} warnings",
        e.coverage.missing.len(),
        e.coverage.ignored_files.len(),
        e.warnings.len()
    );
    let mut by_account: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for x in &e.coverage.missing {
        by_account
            .entry(x.account.clone().unwrap_or_else(|| "(export)".into()))
            .or_default()
            .push(x.to_string());
    }
    for (acct, lines) in by_account {
        let _ = writeln!(out, "  {acct}: {} missing", lines.len());
        for l in lines.iter().take(TEXT_MISSING_PER_ACCOUNT) {
            let _ = writeln!(out, "    - {l}");
        }
        if lines.len() > TEXT_MISSING_PER_ACCOUNT {
            let _ = writeln!(
                out,
                "    ... and {} more (see --json)",
                lines.len() - TEXT_MISSING_PER_ACCOUNT
            );
        }
    }
    for w in e.warnings.iter().take(TEXT_MISSING_PER_ACCOUNT) {
        let _ = writeln!(out, "  warning: {w}");
    }
    out
}
