//! Network reachability from the internet into EC2 instances, decided concretely.
//!
//! An instance is reachable on `proto/port` from a public source address X when all hold:
//! - it is running and has a public address (IPv4 public IP, or an IPv6 address);
//! - its subnet's route table (the explicit association, else the VPC's main table) sends
//!   X's most specific matching route to an internet gateway attached to the VPC (the return
//!   path; the gateway also carries the inbound traffic);
//! - the subnet's network ACL, stateless, allows inbound X → port and outbound to X on some
//!   ephemeral port 1024–65535 (the client picks its source port), first matching rule by
//!   rule number deciding each direction;
//! - a security group of the instance (stateful) admits X on that port.
//!
//! X ranges over public addresses outside the trusted CIDRs of `leakpath.toml`; candidates
//! are drawn from the CIDRs the rules name plus a few well-known public addresses.

use super::{AccessGraph, EdgeKind, Node};
use crate::model::{
    InstanceId, IpProtocol, ItemRef, Model, NaclAction, NaclEntry, NetworkAclId, RouteDestination,
    RouteTableId, RouteTarget, SecurityGroupId, SgPeer, SourceMap,
};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A confirmed way in: protocol, port, the source address used, and the evidence of every
/// layer that lets it through.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reach {
    pub protocol: String,
    pub port: u16,
    pub source_ip: IpAddr,
    /// The security group rule that admits the traffic.
    pub security_group_rule: String,
    /// The route sending the return traffic to the internet gateway.
    pub route: String,
    /// The NACL entries allowing inbound and outbound (empty when no NACL was collected for
    /// the subnet: none is applied then, as AWS always has one, we cite the default).
    pub nacl_inbound: String,
    pub nacl_outbound: String,
}

/// Addresses inside no network the public can originate from.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => {
            a.is_private()
                || a.is_loopback()
                || a.is_link_local()
                || a.is_unspecified()
                || a.is_broadcast()
                || a.is_multicast()
                // 100.64.0.0/10 carrier-grade NAT.
                || (a.octets()[0] == 100 && (a.octets()[1] & 0xc0) == 64)
        }
        IpAddr::V6(a) => {
            a.is_loopback()
                || a.is_unspecified()
                || a.is_multicast()
                || (a.segments()[0] & 0xfe00) == 0xfc00
                || (a.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

/// Candidate public source addresses inside `net` (at most a few).
pub fn public_addresses_in(net: &IpNet, trusted: &[IpNet]) -> Vec<IpAddr> {
    let mut cands: Vec<IpAddr> = Vec::new();
    match net {
        IpNet::V4(n) => {
            cands.push(IpAddr::V4(n.network()));
            cands.push(IpAddr::V4(n.broadcast()));
            if n.prefix_len() < 31 {
                let mid = u32::from(n.network()).saturating_add(1);
                cands.push(IpAddr::V4(Ipv4Addr::from(mid)));
            }
            for w in [
                "8.8.8.8",
                "1.1.1.1",
                "52.94.76.1",
                "198.51.100.10",
                "203.0.113.10",
            ] {
                if let Ok(a) = w.parse::<Ipv4Addr>() {
                    cands.push(IpAddr::V4(a));
                }
            }
        }
        IpNet::V6(n) => {
            let base = u128::from(n.network()).saturating_add(1);
            cands.push(IpAddr::V6(Ipv6Addr::from(base)));
            for w in ["2600:1f18::1", "2001:4860:4860::8888"] {
                if let Ok(a) = w.parse::<Ipv6Addr>() {
                    cands.push(IpAddr::V6(a));
                }
            }
        }
    }
    let mut out: Vec<IpAddr> = cands
        .into_iter()
        .filter(|a| net.contains(a) && !is_private(*a) && !trusted.iter().any(|t| t.contains(a)))
        .collect();
    out.dedup();
    out
}

fn proto_name(p: &IpProtocol) -> String {
    match p {
        IpProtocol::All => "tcp".to_string(),
        IpProtocol::Tcp => "tcp".to_string(),
        IpProtocol::Udp => "udp".to_string(),
        IpProtocol::Icmp => "icmp".to_string(),
        IpProtocol::Icmpv6 => "icmpv6".to_string(),
        IpProtocol::Number(n) => n.clone(),
    }
}

fn proto_matches(rule: &IpProtocol, proto: &str) -> bool {
    match rule {
        IpProtocol::All => true,
        other => proto_name(other) == proto,
    }
}

/// The decision of one NACL direction for (address, protocol, some port in `ports`):
/// Some(index of the allowing entry) when the first matching rule allows.
fn nacl_allows(
    entries: &[NaclEntry],
    egress: bool,
    ip: IpAddr,
    proto: &str,
    ports: (i64, i64),
) -> Option<usize> {
    let mut rules: Vec<(usize, &NaclEntry)> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.egress == egress)
        .collect();
    rules.sort_by_key(|(_, e)| e.rule_number);
    // A port range is allowed if some port in it is allowed: walk the candidate ports at
    // each rule boundary.
    let mut ports_to_try: Vec<i64> = vec![ports.0, ports.1];
    for (_, e) in &rules {
        if let Some((a, b)) = e.port_range {
            for p in [a - 1, a, b, b + 1] {
                if p >= ports.0 && p <= ports.1 {
                    ports_to_try.push(p);
                }
            }
        }
    }
    ports_to_try.sort_unstable();
    ports_to_try.dedup();
    for port in ports_to_try {
        for (i, e) in &rules {
            let cidr_hit = e.cidr.is_some_and(|c| c.contains(&ip));
            let proto_hit = proto_matches(&e.protocol, proto);
            let port_hit = match (&e.protocol, e.port_range) {
                (IpProtocol::All, _) => true,
                (_, Some((a, b))) => port >= a && port <= b,
                (_, None) => true,
            };
            if cidr_hit && proto_hit && port_hit {
                if e.action == NaclAction::Allow {
                    return Some(*i);
                }
                break;
            }
        }
    }
    None
}

/// The route table that applies to a subnet: its explicit association, else the main one.
fn route_table_of(
    model: &Model,
    subnet: crate::model::Sym,
    vpc: crate::model::Sym,
) -> Option<RouteTableId> {
    let explicit = model
        .route_tables
        .iter()
        .position(|rt| rt.associations.iter().any(|a| a.subnet == Some(subnet)));
    let main = || {
        model
            .route_tables
            .iter()
            .position(|rt| rt.vpc == vpc && rt.is_main())
    };
    explicit.or_else(main).map(|i| RouteTableId(i as u32))
}

/// Index of the most specific active route for `ip` if it targets an internet gateway
/// attached to `vpc`.
fn route_to_igw(
    model: &Model,
    rt: RouteTableId,
    vpc: crate::model::Sym,
    ip: IpAddr,
) -> Option<usize> {
    let table = model.route_tables.get(rt.index())?;
    let mut best: Option<(u8, usize)> = None;
    for (i, r) in table.routes.iter().enumerate() {
        if r.state.as_deref() == Some("blackhole") {
            continue;
        }
        let plen = match (&r.destination, ip) {
            (RouteDestination::V4(n), IpAddr::V4(a)) if n.contains(&a) => n.prefix_len(),
            (RouteDestination::V6(n), IpAddr::V6(a)) if n.contains(&a) => n.prefix_len(),
            _ => continue,
        };
        if best.map_or(true, |(b, _)| plen > b) {
            best = Some((plen, i));
        }
    }
    let (_, i) = best?;
    let route = table.routes.get(i)?;
    let RouteTarget::InternetGateway(igw) = route.target else {
        return None;
    };
    let attached = model.internet_gateways.iter().any(|g| {
        g.id == igw
            && g.attachments.iter().any(|a| {
                a.vpc == vpc
                    && a.state
                        .as_deref()
                        .map_or(true, |s| s == "available" || s == "attached")
            })
    });
    attached.then_some(i)
}

fn nacl_of(model: &Model, subnet: crate::model::Sym) -> Option<NetworkAclId> {
    model
        .network_acls
        .iter()
        .position(|n| n.subnets.contains(&subnet))
        .map(|i| NetworkAclId(i as u32))
}

/// Finds one way in for an instance, if any.
pub fn reach_instance(model: &Model, sources: &SourceMap, iid: InstanceId) -> Option<Reach> {
    let inst = model.instances.get(iid.index())?;
    let running = inst
        .state
        .as_deref()
        .map_or(true, |s| s == "running" || s == "pending");
    if !running {
        return None;
    }
    let subnet = inst.subnet?;
    let vpc = inst
        .vpc
        .or_else(|| model.subnets.iter().find(|s| s.id == subnet).map(|s| s.vpc))?;
    let rt = route_table_of(model, subnet, vpc)?;
    let nacl = nacl_of(model, subnet);
    let trusted = &model.settings.trusted_cidrs;
    let cite = |item: ItemRef| sources.cite(item).unwrap_or_default();
    for sg_sym in &inst.security_groups {
        let Some(&sgid) = model.index.security_groups.get(sg_sym) else {
            continue;
        };
        let Some(sg) = model.security_groups.get(sgid.index()) else {
            continue;
        };
        for (ri, rule) in sg.ingress.iter().enumerate() {
            let proto = proto_name(&rule.protocol);
            if proto != "tcp" && proto != "udp" {
                continue;
            }
            let (lo, hi) = match (&rule.protocol, rule.from_port, rule.to_port) {
                (IpProtocol::All, _, _) => (22, 22),
                (_, Some(a), Some(b)) if a >= 0 && b >= a => (a, b),
                _ => continue,
            };
            for peer in &rule.peers {
                let net = match peer {
                    SgPeer::Cidr4(n) => IpNet::V4(*n),
                    SgPeer::Cidr6(n) => IpNet::V6(*n),
                    _ => continue,
                };
                for ip in public_addresses_in(&net, trusted) {
                    let has_public = match ip {
                        IpAddr::V4(_) => inst.public_ip.is_some_and(|a| a.is_ipv4()),
                        IpAddr::V6(_) => !inst.ipv6_addresses.is_empty(),
                    };
                    if !has_public {
                        continue;
                    }
                    let Some(route_i) = route_to_igw(model, rt, vpc, ip) else {
                        continue;
                    };
                    let (nin, nout) = match nacl {
                        Some(n) => {
                            let entries = &model.network_acls.get(n.index())?.entries;
                            let Some(a) = nacl_allows(entries, false, ip, &proto, (lo, hi)) else {
                                continue;
                            };
                            let Some(b) = nacl_allows(entries, true, ip, &proto, (1024, 65535))
                            else {
                                continue;
                            };
                            (
                                cite(ItemRef::NaclEntry(n, a)),
                                cite(ItemRef::NaclEntry(n, b)),
                            )
                        }
                        None => (String::new(), String::new()),
                    };
                    // The port itself: the lowest port of the SG range that the NACL admits.
                    let port = pick_port(model, nacl, ip, &proto, lo, hi);
                    return Some(Reach {
                        protocol: proto.clone(),
                        port,
                        source_ip: ip,
                        security_group_rule: cite(ItemRef::SgIngressRule(sgid, ri)),
                        route: cite(ItemRef::Route(rt, route_i)),
                        nacl_inbound: nin,
                        nacl_outbound: nout,
                    });
                }
            }
        }
    }
    None
}

fn pick_port(
    model: &Model,
    nacl: Option<NetworkAclId>,
    ip: IpAddr,
    proto: &str,
    lo: i64,
    hi: i64,
) -> u16 {
    let entries = nacl
        .and_then(|n| model.network_acls.get(n.index()))
        .map(|n| &n.entries);
    let ok = |p: i64| match entries {
        Some(es) => nacl_allows(es, false, ip, proto, (p, p)).is_some(),
        None => true,
    };
    let mut cands = vec![lo, hi];
    if let Some(es) = entries {
        for e in es {
            if let Some((a, b)) = e.port_range {
                cands.extend([a, b]);
            }
        }
    }
    cands.retain(|p| *p >= lo && *p <= hi);
    cands.sort_unstable();
    cands
        .into_iter()
        .find(|p| ok(*p))
        .and_then(|p| u16::try_from(p).ok())
        .unwrap_or(0)
}

pub fn add_edges(model: &Model, sources: &SourceMap, g: &mut AccessGraph) {
    for ii in 0..model.instances.len() {
        let iid = InstanceId(ii as u32);
        if let Some(reach) = reach_instance(model, sources, iid) {
            let via = format!("network:{}/{}", reach.protocol, reach.port);
            let evidence = reach.security_group_rule.clone();
            g.add_edge(
                Node::Internet,
                Node::Instance(iid),
                EdgeKind::Network(Box::new(reach)),
                &via,
                evidence,
            );
        }
    }
}

// Keep the unused-import lint quiet for types only used in signatures on some paths.
#[allow(dead_code)]
fn _types(_: Ipv4Net, _: Ipv6Net, _: SecurityGroupId) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(net: &str, trusted: &[&str], expect_some: bool) {
        let n: IpNet = net.parse().unwrap();
        let t: Vec<IpNet> = trusted.iter().map(|s| s.parse().unwrap()).collect();
        let got = public_addresses_in(&n, &t);
        assert_eq!(!got.is_empty(), expect_some, "{net} {got:?}");
        for a in got {
            assert!(n.contains(&a) && !is_private(a));
        }
    }

    #[test]
    fn public_sources_exclude_private_and_trusted() {
        check("0.0.0.0/0", &[], true);
        check("10.0.0.0/8", &[], false);
        check("203.0.113.0/24", &[], true);
        check("203.0.113.0/24", &["203.0.113.0/24"], false);
        check("::/0", &[], true);
        check("fd00::/8", &[], false);
    }
}

#[cfg(test)]
mod edge_size_tests {
    /// Every edge of the graph is as large as its largest kind: a network reach (five
    /// strings) stays boxed so that the escalation and read edges, the many, stay small.
    #[test]
    fn a_network_reach_does_not_size_every_edge() {
        assert!(std::mem::size_of::<crate::graph::EdgeKind>() <= 48);
    }
}
