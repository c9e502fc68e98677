//! `internal_terms`: words of a company's inside — confidentiality markings and the
//! vocabulary of operations and planning (`confidential`, `internal`, `roadmap`, `incident`,
//! `deploy`, `cluster`, `staging`, `sprint`, `headcount`, …).
//!
//! Why it matters: internal documents and operational data carry no regulated identifiers,
//! yet are not meant for the outside; their words are what sets them apart from open data.
//!
//! Example: `CONFIDENTIAL - internal roadmap, do not distribute` has 3 hits.

use super::{Detector, Field, FieldFacts};
use crate::classify::lexicon::WordClass;
use crate::classify::Label;

pub struct InternalTerms;

pub const TERMS: &[&str] = &[
    "confidential",
    "internal",
    "proprietary",
    "restricted",
    "roadmap",
    "incident",
    "postmortem",
    "outage",
    "deploy",
    "deployment",
    "deployed",
    "rollback",
    "cluster",
    "staging",
    "prod",
    "production",
    "sprint",
    "backlog",
    "jira",
    "ticket",
    "headcount",
    "reorg",
    "okr",
    "okrs",
    "kpi",
    "budget",
    "forecast",
    "runbook",
    "oncall",
    "escalation",
    "hostname",
    "host",
    "server",
    "servers",
    "kubernetes",
    "namespace",
    "pod",
    "replicas",
    "vpc",
    "subnet",
    "terraform",
    "ansible",
    "pipeline",
    "ci",
    "latency",
    "throughput",
    "timeout",
    "exception",
    "traceback",
    "stacktrace",
    "request",
    "endpoint",
    "service",
    "microservice",
    "worker",
    "queue",
    "retry",
    "memo",
    "draft",
    "distribute",
    "nda",
    "salary",
    "salaries",
    "compensation",
    "bonus",
    "employee",
    "employees",
    "hr",
    "payroll",
    "manager",
    "team",
    "meeting",
    "agenda",
    "minutes",
    "stakeholder",
    "stakeholders",
    "quarterly",
    "revenue",
    "churn",
    "pricing",
    "strategy",
    "acquisition",
    "merger",
    "vendor",
    "contract",
    "audit",
    "compliance",
    "vulnerability",
    "patch",
];

impl Detector for InternalTerms {
    fn name(&self) -> &'static str {
        "internal_terms"
    }
    fn indicates(&self) -> Label {
        Label::Internal
    }
    fn scan(&self, _field: &Field<'_>, facts: &FieldFacts) -> u32 {
        facts.words.get(WordClass::Internal)
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
            InternalTerms.scan(&f, &FieldFacts::of(input)),
            expect,
            "{input:?}"
        );
    }

    #[test]
    fn terms() {
        check("CONFIDENTIAL - internal roadmap, do not distribute", 4);
        check("Iris-setosa", 0);
    }
}
