//! EC2/VPC response shapes, one `describe-*` call per function. Each adds its items to the
//! builder under the given account and region, with a source location per item and per
//! rule/route/entry.

use super::builder::Builder;
use super::json::Node;
use super::IngestError;
use crate::model::{Arn, PolicyKind};
use crate::model::{
    GatewayAttachment, Instance, InstanceId, InternetGateway, InternetGatewayId, IpProtocol,
    ItemRef, NaclAction, NaclEntry, NatGateway, NatGatewayId, NetworkAcl, NetworkAclId, Route,
    RouteDestination, RouteTable, RouteTableAssociation, RouteTableId, RouteTarget, SecurityGroup,
    SecurityGroupId, SgPeer, SgRule, Subnet, SubnetId, Sym, Vpc, VpcEndpoint, VpcEndpointId, VpcId,
};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::net::IpAddr;

fn v4(n: &Node) -> Result<Ipv4Net, IngestError> {
    let s = n.str()?;
    s.parse()
        .map_err(|_| n.invalid(format!("invalid IPv4 CIDR {s:?}")))
}

fn v6(n: &Node) -> Result<Ipv6Net, IngestError> {
    let s = n.str()?;
    s.parse()
        .map_err(|_| n.invalid(format!("invalid IPv6 CIDR {s:?}")))
}

/// Any CIDR; AWS puts IPv4 in `CidrBlock`, but responses seen in the wild (and cartography's
/// fixtures) also carry IPv6 there.
fn net(n: &Node) -> Result<IpNet, IngestError> {
    let s = n.str()?;
    s.parse()
        .map_err(|_| n.invalid(format!("invalid CIDR {s:?}")))
}

fn ip(n: &Node) -> Result<IpAddr, IngestError> {
    let s = n.str()?;
    parse_ip(s).map_err(|m| n.invalid(m))
}

/// `s` as an IP address, or what is wrong with it.
pub(crate) fn parse_ip(s: &str) -> Result<IpAddr, String> {
    s.parse().map_err(|_| format!("invalid IP address {s:?}"))
}

fn opt_ip(n: &Node, key: &str) -> Result<Option<IpAddr>, IngestError> {
    n.get(key)?.map(|x| ip(&x)).transpose()
}

fn ec2_id<'a>(n: &Node<'a>) -> Result<&'a str, IngestError> {
    let s = n.str()?;
    check_ec2_id(s).map_err(|m| n.invalid(m))
}

/// An EC2 id (`vpc-...`, `sg-...`): non-empty, no whitespace or control characters; or
/// what is wrong with it.
pub(crate) fn check_ec2_id(s: &str) -> Result<&str, String> {
    if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("invalid id {s:?}"));
    }
    Ok(s)
}

fn req_id<'a>(n: &Node<'a>, key: &str) -> Result<&'a str, IngestError> {
    ec2_id(&n.req(key)?)
}

fn opt_id<'a>(n: &Node<'a>, key: &str) -> Result<Option<&'a str>, IngestError> {
    n.get(key)?.map(|x| ec2_id(&x)).transpose()
}

struct Scope {
    account: Sym,
    region: Sym,
}

fn scope(b: &mut Builder, account: &str, region: &str) -> Scope {
    Scope {
        account: b.intern(account),
        region: b.intern(region),
    }
}

/// `describe-vpcs`.
pub fn parse_vpcs(
    b: &mut Builder,
    node: &Node,
    account: &str,
    region: &str,
) -> Result<(), IngestError> {
    let sc = scope(b, account, region);
    for v in node.list("Vpcs")? {
        let id = b.intern(req_id(&v, "VpcId")?);
        b.claim("VPC", None, id, &v)?;
        let mut cidr_blocks: Vec<IpNet> = Vec::new();
        if let Some(c) = v.get("CidrBlock")? {
            cidr_blocks.push(net(&c)?);
        }
        for a in v.list("CidrBlockAssociationSet")? {
            let n = net(&a.req("CidrBlock")?)?;
            if !cidr_blocks.contains(&n) {
                cidr_blocks.push(n);
            }
        }
        for a in v.list("Ipv6CidrBlockAssociationSet")? {
            if let Some(c) = a.get("Ipv6CidrBlock")? {
                cidr_blocks.push(v6(&c)?.into());
            }
        }
        let vid = VpcId(b.model.vpcs.len() as u32);
        b.model.vpcs.push(Vpc {
            id,
            account: sc.account,
            region: sc.region,
            cidr_blocks,
            is_default: v.opt_bool("IsDefault")?.unwrap_or(false),
        });
        b.source(ItemRef::Vpc(vid), &v);
    }
    Ok(())
}

/// `describe-subnets`.
pub fn parse_subnets(
    b: &mut Builder,
    node: &Node,
    account: &str,
    region: &str,
) -> Result<(), IngestError> {
    let sc = scope(b, account, region);
    for s in node.list("Subnets")? {
        let id = b.intern(req_id(&s, "SubnetId")?);
        b.claim("subnet", None, id, &s)?;
        let vpc = b.intern(req_id(&s, "VpcId")?);
        let mut cidr_v4 = None;
        let mut cidr_v6 = Vec::new();
        match s.get("CidrBlock")?.map(|c| net(&c)).transpose()? {
            Some(IpNet::V4(n)) => cidr_v4 = Some(n),
            Some(IpNet::V6(n)) => cidr_v6.push(n),
            None => {}
        }
        for a in s.list("Ipv6CidrBlockAssociationSet")? {
            if let Some(c) = a.get("Ipv6CidrBlock")? {
                cidr_v6.push(v6(&c)?);
            }
        }
        let sid = SubnetId(b.model.subnets.len() as u32);
        b.model.subnets.push(Subnet {
            id,
            vpc,
            account: sc.account,
            region: sc.region,
            availability_zone: s.opt_str("AvailabilityZone")?.map(str::to_string),
            cidr_v4,
            cidr_v6,
            map_public_ip_on_launch: s.opt_bool("MapPublicIpOnLaunch")?.unwrap_or(false),
            assign_ipv6_on_creation: s.opt_bool("AssignIpv6AddressOnCreation")?.unwrap_or(false),
        });
        b.source(ItemRef::Subnet(sid), &s);
    }
    Ok(())
}

/// The target of one route, from whichever target field is set.
fn route_target(b: &mut Builder, r: &Node) -> Result<RouteTarget, IngestError> {
    if let Some(g) = opt_id(r, "GatewayId")? {
        let s = b.intern(g);
        return Ok(if g == "local" {
            RouteTarget::Local
        } else if g.starts_with("igw-") {
            RouteTarget::InternetGateway(s)
        } else if g.starts_with("vpce-") {
            RouteTarget::VpcEndpoint(s)
        } else if g.starts_with("vgw-") {
            RouteTarget::VirtualPrivateGateway(s)
        } else {
            RouteTarget::Other(g.to_string())
        });
    }
    type Make = fn(Sym) -> RouteTarget;
    let simple: [(&str, Make); 9] = [
        ("NatGatewayId", RouteTarget::NatGateway),
        (
            "EgressOnlyInternetGatewayId",
            RouteTarget::EgressOnlyInternetGateway,
        ),
        ("TransitGatewayId", RouteTarget::TransitGateway),
        ("VpcPeeringConnectionId", RouteTarget::VpcPeering),
        ("InstanceId", RouteTarget::Instance),
        ("NetworkInterfaceId", RouteTarget::NetworkInterface),
        ("CarrierGatewayId", RouteTarget::CarrierGateway),
        ("LocalGatewayId", RouteTarget::LocalGateway),
        ("VpcEndpointId", RouteTarget::VpcEndpoint),
    ];
    for (key, make) in simple {
        if let Some(v) = opt_id(r, key)? {
            return Ok(make(b.intern(v)));
        }
    }
    if let Some(c) = r.opt_str("CoreNetworkArn")? {
        return Ok(RouteTarget::CoreNetwork(c.to_string()));
    }
    Ok(RouteTarget::Other(String::new()))
}

/// `describe-route-tables`.
pub fn parse_route_tables(
    b: &mut Builder,
    node: &Node,
    account: &str,
    region: &str,
) -> Result<(), IngestError> {
    let sc = scope(b, account, region);
    for t in node.list("RouteTables")? {
        let id = b.intern(req_id(&t, "RouteTableId")?);
        b.claim("route table", None, id, &t)?;
        let vpc = b.intern(req_id(&t, "VpcId")?);
        let tid = RouteTableId(b.model.route_tables.len() as u32);
        let mut routes = Vec::new();
        let mut route_nodes = Vec::new();
        for r in t.list("Routes")? {
            let destination = if let Some(c) = r.get("DestinationCidrBlock")? {
                RouteDestination::V4(v4(&c)?)
            } else if let Some(c) = r.get("DestinationIpv6CidrBlock")? {
                RouteDestination::V6(v6(&c)?)
            } else if let Some(p) = r.get("DestinationPrefixListId")? {
                RouteDestination::PrefixList(ec2_id(&p)?.to_string())
            } else {
                return Err(r.shape_err(
                    "a route with DestinationCidrBlock, DestinationIpv6CidrBlock or DestinationPrefixListId",
                ));
            };
            routes.push(Route {
                destination,
                target: route_target(b, &r)?,
                state: r.opt_str("State")?.map(str::to_string),
            });
            route_nodes.push(r);
        }
        let mut associations = Vec::new();
        for a in t.list("Associations")? {
            let subnet = opt_id(&a, "SubnetId")?.map(|s| b.intern(s));
            let gateway = opt_id(&a, "GatewayId")?.map(|s| b.intern(s));
            associations.push(RouteTableAssociation {
                main: a.opt_bool("Main")?.unwrap_or(false),
                subnet,
                gateway,
            });
        }
        for (i, r) in route_nodes.iter().enumerate() {
            b.source(ItemRef::Route(tid, i), r);
        }
        b.model.route_tables.push(RouteTable {
            id,
            vpc,
            account: sc.account,
            region: sc.region,
            routes,
            associations,
        });
        b.source(ItemRef::RouteTable(tid), &t);
    }
    Ok(())
}

fn sg_rules(b: &mut Builder, g: &Node, key: &str) -> Result<Vec<(SgRule, String)>, IngestError> {
    let mut out = Vec::new();
    for p in g.list(key)? {
        let protocol = IpProtocol::from_aws(p.req_str("IpProtocol")?);
        let mut peers = Vec::new();
        for r in p.list("IpRanges")? {
            peers.push(SgPeer::Cidr4(v4(&r.req("CidrIp")?)?));
        }
        for r in p.list("Ipv6Ranges")? {
            peers.push(SgPeer::Cidr6(v6(&r.req("CidrIpv6")?)?));
        }
        for r in p.list("PrefixListIds")? {
            peers.push(SgPeer::PrefixList(req_id(&r, "PrefixListId")?.to_string()));
        }
        for r in p.list("UserIdGroupPairs")? {
            let group_id = match opt_id(&r, "GroupId")? {
                Some(g) => g,
                // EC2-Classic pairs name the group only; keep the name as its id.
                None => req_id(&r, "GroupName")?,
            };
            peers.push(SgPeer::SecurityGroup {
                group_id: b.intern(group_id),
                user_id: r.opt_str("UserId")?.map(str::to_string),
                vpc_id: r.opt_str("VpcId")?.map(str::to_string),
            });
        }
        out.push((
            SgRule {
                protocol,
                from_port: p.opt_i64("FromPort")?,
                to_port: p.opt_i64("ToPort")?,
                peers,
            },
            p.ptr(),
        ));
    }
    Ok(out)
}

/// `describe-security-groups`.
pub fn parse_security_groups(
    b: &mut Builder,
    node: &Node,
    account: &str,
    region: &str,
) -> Result<(), IngestError> {
    let sc = scope(b, account, region);
    for g in node.list("SecurityGroups")? {
        let id = b.intern(req_id(&g, "GroupId")?);
        b.claim("security group", None, id, &g)?;
        let ingress = sg_rules(b, &g, "IpPermissions")?;
        let egress = sg_rules(b, &g, "IpPermissionsEgress")?;
        let gid = SecurityGroupId(b.model.security_groups.len() as u32);
        for (i, (_, ptr)) in ingress.iter().enumerate() {
            b.sources.insert(
                ItemRef::SgIngressRule(gid, i),
                crate::model::SourceLoc::new(g.file, ptr.clone()),
            );
        }
        for (i, (_, ptr)) in egress.iter().enumerate() {
            b.sources.insert(
                ItemRef::SgEgressRule(gid, i),
                crate::model::SourceLoc::new(g.file, ptr.clone()),
            );
        }
        let vpc = opt_id(&g, "VpcId")?.map(|v| b.intern(v));
        b.model.security_groups.push(SecurityGroup {
            id,
            name: g.opt_str("GroupName")?.unwrap_or("").to_string(),
            vpc,
            account: sc.account,
            region: sc.region,
            description: g.opt_str("Description")?.map(str::to_string),
            ingress: ingress.into_iter().map(|(r, _)| r).collect(),
            egress: egress.into_iter().map(|(r, _)| r).collect(),
        });
        b.source(ItemRef::SecurityGroup(gid), &g);
    }
    Ok(())
}

/// `describe-network-acls`.
pub fn parse_network_acls(
    b: &mut Builder,
    node: &Node,
    account: &str,
    region: &str,
) -> Result<(), IngestError> {
    let sc = scope(b, account, region);
    for n in node.list("NetworkAcls")? {
        let id = b.intern(req_id(&n, "NetworkAclId")?);
        b.claim("network ACL", None, id, &n)?;
        let vpc = b.intern(req_id(&n, "VpcId")?);
        let nid = NetworkAclId(b.model.network_acls.len() as u32);
        let mut entries = Vec::new();
        for (i, e) in n.list("Entries")?.iter().enumerate() {
            let rule_number = e
                .opt_i64("RuleNumber")?
                .ok_or_else(|| e.shape_err("an entry with an integer RuleNumber"))?;
            let action = match e.req_str("RuleAction")? {
                "allow" => NaclAction::Allow,
                "deny" => NaclAction::Deny,
                other => {
                    return Err(e
                        .req("RuleAction")?
                        .invalid(format!("RuleAction must be allow or deny, found {other:?}")))
                }
            };
            let cidr: Option<IpNet> = if let Some(c) = e.get("CidrBlock")? {
                Some(v4(&c)?.into())
            } else if let Some(c) = e.get("Ipv6CidrBlock")? {
                Some(v6(&c)?.into())
            } else {
                None
            };
            let port_range = match e.get("PortRange")? {
                Some(p) => Some((
                    p.opt_i64("From")?.unwrap_or(0),
                    p.opt_i64("To")?.unwrap_or(65535),
                )),
                None => None,
            };
            let icmp_type_code = match e.get("IcmpTypeCode")? {
                Some(p) => Some((
                    p.opt_i64("Type")?.unwrap_or(-1),
                    p.opt_i64("Code")?.unwrap_or(-1),
                )),
                None => None,
            };
            entries.push(NaclEntry {
                rule_number,
                egress: e.opt_bool("Egress")?.unwrap_or(false),
                action,
                protocol: IpProtocol::from_aws(e.req_str("Protocol")?),
                cidr,
                port_range,
                icmp_type_code,
            });
            b.source(ItemRef::NaclEntry(nid, i), e);
        }
        let mut subnets = Vec::new();
        for a in n.list("Associations")? {
            if let Some(s) = opt_id(&a, "SubnetId")? {
                subnets.push(b.intern(s));
            }
        }
        b.model.network_acls.push(NetworkAcl {
            id,
            vpc,
            account: sc.account,
            region: sc.region,
            is_default: n.opt_bool("IsDefault")?.unwrap_or(false),
            entries,
            subnets,
        });
        b.source(ItemRef::NetworkAcl(nid), &n);
    }
    Ok(())
}

/// `describe-internet-gateways`.
pub fn parse_internet_gateways(
    b: &mut Builder,
    node: &Node,
    account: &str,
    region: &str,
) -> Result<(), IngestError> {
    let sc = scope(b, account, region);
    for g in node.list("InternetGateways")? {
        let id = b.intern(req_id(&g, "InternetGatewayId")?);
        b.claim("internet gateway", None, id, &g)?;
        let mut attachments = Vec::new();
        for a in g.list("Attachments")? {
            let vpc = b.intern(req_id(&a, "VpcId")?);
            attachments.push(GatewayAttachment {
                vpc,
                state: a.opt_str("State")?.map(str::to_string),
            });
        }
        let gid = InternetGatewayId(b.model.internet_gateways.len() as u32);
        b.model.internet_gateways.push(InternetGateway {
            id,
            account: sc.account,
            region: sc.region,
            attachments,
        });
        b.source(ItemRef::InternetGateway(gid), &g);
    }
    Ok(())
}

/// `describe-nat-gateways`.
pub fn parse_nat_gateways(
    b: &mut Builder,
    node: &Node,
    account: &str,
    region: &str,
) -> Result<(), IngestError> {
    let sc = scope(b, account, region);
    for g in node.list("NatGateways")? {
        let id = b.intern(req_id(&g, "NatGatewayId")?);
        b.claim("NAT gateway", None, id, &g)?;
        let mut public_ips = Vec::new();
        let mut private_ips = Vec::new();
        for a in g.list("NatGatewayAddresses")? {
            if let Some(p) = opt_ip(&a, "PublicIp")? {
                public_ips.push(p);
            }
            if let Some(p) = opt_ip(&a, "PrivateIp")? {
                private_ips.push(p);
            }
        }
        let vpc = opt_id(&g, "VpcId")?.map(|v| b.intern(v));
        let subnet = opt_id(&g, "SubnetId")?.map(|v| b.intern(v));
        let nid = NatGatewayId(b.model.nat_gateways.len() as u32);
        b.model.nat_gateways.push(NatGateway {
            id,
            vpc,
            subnet,
            account: sc.account,
            region: sc.region,
            state: g.opt_str("State")?.map(str::to_string),
            connectivity_type: g.opt_str("ConnectivityType")?.map(str::to_string),
            public_ips,
            private_ips,
        });
        b.source(ItemRef::NatGateway(nid), &g);
    }
    Ok(())
}

/// `describe-vpc-endpoints` (the policy is a JSON string; `null` = no policy).
pub fn parse_vpc_endpoints(
    b: &mut Builder,
    node: &Node,
    account: &str,
    region: &str,
) -> Result<(), IngestError> {
    let sc = scope(b, account, region);
    for e in node.list("VpcEndpoints")? {
        let id_s = req_id(&e, "VpcEndpointId")?;
        let id = b.intern(id_s);
        b.claim("VPC endpoint", None, id, &e)?;
        let policy = match e.get("PolicyDocument")? {
            Some(p) => Some(b.add_policy(
                PolicyKind::VpcEndpoint,
                Some(id_s.to_string()),
                Some(sc.account),
                &p,
            )?),
            None => None,
        };
        let mut route_tables = Vec::new();
        for r in e.str_list("RouteTableIds")? {
            route_tables.push(b.intern(r));
        }
        let mut subnets = Vec::new();
        for r in e.str_list("SubnetIds")? {
            subnets.push(b.intern(r));
        }
        let mut security_groups = Vec::new();
        for g in e.field_list("Groups", "GroupId")? {
            security_groups.push(b.intern(g));
        }
        let vpc = opt_id(&e, "VpcId")?.map(|v| b.intern(v));
        let eid = VpcEndpointId(b.model.vpc_endpoints.len() as u32);
        b.model.vpc_endpoints.push(VpcEndpoint {
            id,
            vpc,
            account: sc.account,
            region: sc.region,
            service_name: e.req_str("ServiceName")?.to_string(),
            endpoint_type: e.opt_str("VpcEndpointType")?.map(str::to_string),
            state: e.opt_str("State")?.map(str::to_string),
            policy,
            route_tables,
            subnets,
            security_groups,
            private_dns_enabled: e.opt_bool("PrivateDnsEnabled")?,
        });
        b.source(ItemRef::VpcEndpoint(eid), &e);
    }
    Ok(())
}

/// `describe-instances` (`Reservations[].Instances[]`).
pub fn parse_instances(
    b: &mut Builder,
    node: &Node,
    account: &str,
    region: &str,
) -> Result<(), IngestError> {
    let sc = scope(b, account, region);
    for res in node.list("Reservations")? {
        for i in res.list("Instances")? {
            let id = b.intern(req_id(&i, "InstanceId")?);
            b.claim("instance", None, id, &i)?;
            let mut security_groups = GroupIds::default();
            for g in i.field_list("SecurityGroups", "GroupId")? {
                security_groups.add(b, g);
            }
            let mut ipv6_addresses = Vec::new();
            for ni in i.list("NetworkInterfaces")? {
                for g in ni.field_list("Groups", "GroupId")? {
                    security_groups.add(b, g);
                }
                for a in ni.list("Ipv6Addresses")? {
                    ipv6_addresses.push(ip(&a.req("Ipv6Address")?)?);
                }
            }
            let instance_profile = match i.get("IamInstanceProfile")? {
                Some(p) => {
                    let a = p.req("Arn")?;
                    let s = a.str()?;
                    if Arn::parse(s).is_none() {
                        return Err(a.invalid(format!("invalid instance profile ARN {s:?}")));
                    }
                    Some(b.intern(s))
                }
                None => None,
            };
            let state = match i.get("State")? {
                Some(s) => s.opt_str("Name")?.map(str::to_string),
                None => None,
            };
            let metadata_http_tokens = match i.get("MetadataOptions")? {
                Some(m) => m.opt_str("HttpTokens")?.map(str::to_string),
                None => None,
            };
            let mut name_tag = None;
            for t in i.list("Tags")? {
                if t.opt_str("Key")? == Some("Name") {
                    name_tag = t.opt_str("Value")?.map(str::to_string);
                }
            }
            let subnet = opt_id(&i, "SubnetId")?.map(|v| b.intern(v));
            let vpc = opt_id(&i, "VpcId")?.map(|v| b.intern(v));
            let public_ip = unless_unreadable(
                b,
                opt_ip(&i, "PublicIpAddress"),
                i.file,
                || format!("{}/PublicIpAddress", i.ptr()),
                KEPT_AS_WRITTEN,
            );
            // A private address only places the instance inside its subnet, which the
            // subnet already says; an unreadable one is a warning, not a reason to stop.
            let private_ip = unless_unreadable(
                b,
                opt_ip(&i, "PrivateIpAddress"),
                i.file,
                || format!("{}/PrivateIpAddress", i.ptr()),
                IGNORED,
            );
            let instance = Instance {
                id,
                account: sc.account,
                region: sc.region,
                state,
                subnet,
                vpc,
                public_ip,
                public_address: i.opt_str("PublicIpAddress")?.map(str::to_string),
                private_ip,
                ipv6_addresses,
                security_groups: security_groups.0,
                instance_profile,
                metadata_http_tokens,
                name_tag,
            };
            add_instance(b, instance, i.file, i.ptr());
        }
    }
    Ok(())
}

/// An instance's security groups, each once, in the order first named.
#[derive(Default)]
pub(crate) struct GroupIds(pub(crate) Vec<Sym>);

impl GroupIds {
    pub(crate) fn add(&mut self, b: &mut Builder, id: &str) {
        let s = b.intern(id);
        if !self.0.contains(&s) {
            self.0.push(s);
        }
    }
}

/// What becomes of an unreadable public address: the text stays (`public_address`).
pub(crate) const KEPT_AS_WRITTEN: &str = "kept as written";
/// What becomes of an unreadable private address.
pub(crate) const IGNORED: &str = "ignored";

/// An instance's optional address, or `None` with a warning at `pointer()` in `file` saying
/// it was unreadable and what `became` of it.
pub(crate) fn unless_unreadable(
    b: &mut Builder,
    address: Result<Option<IpAddr>, IngestError>,
    file: &str,
    pointer: impl FnOnce() -> String,
    became: &str,
) -> Option<IpAddr> {
    match address {
        Ok(a) => a,
        Err(e) => {
            b.warn(file, Some(&pointer()), format!("{e}: {became}"));
            None
        }
    }
}

/// Adds an instance found at `pointer` in `file`.
pub(crate) fn add_instance(b: &mut Builder, instance: Instance, file: &str, pointer: String) {
    let id = InstanceId(b.model.instances.len() as u32);
    b.model.instances.push(instance);
    b.source_at(ItemRef::Instance(id), file, pointer);
}

/// The nine EC2 calls of one region, in loading order, with their file names.
pub const EC2_CALLS: [(&str, Ec2Parser); 9] = [
    ("describe-vpcs", parse_vpcs),
    ("describe-subnets", parse_subnets),
    ("describe-route-tables", parse_route_tables),
    ("describe-security-groups", parse_security_groups),
    ("describe-network-acls", parse_network_acls),
    ("describe-internet-gateways", parse_internet_gateways),
    ("describe-nat-gateways", parse_nat_gateways),
    ("describe-vpc-endpoints", parse_vpc_endpoints),
    ("describe-instances", parse_instances),
];

/// The signature shared by the EC2 parsers.
pub type Ec2Parser = fn(&mut Builder, &Node, &str, &str) -> Result<(), IngestError>;

/// What stays unknown when an EC2 call was not collected.
pub fn ec2_consequence(call: &str) -> &'static str {
    match call {
        "describe-vpcs" => "VPCs unknown",
        "describe-subnets" => "subnets (and whether they assign public IPs) unknown",
        "describe-route-tables" => "routes to the internet, NAT and endpoints unknown",
        "describe-security-groups" => "security group rules unknown",
        "describe-network-acls" => "network ACLs unknown",
        "describe-internet-gateways" => "internet gateways unknown",
        "describe-nat-gateways" => "NAT gateways unknown",
        "describe-vpc-endpoints" => "VPC endpoints and their policies unknown",
        "describe-instances" => "instances (compute that can reach data) unknown",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ExportLayout;
    use serde_json::json;
    use std::path::PathBuf;

    fn check(route: serde_json::Value, expect: &str) {
        let mut b = Builder::new(PathBuf::from("."), ExportLayout::Native);
        let doc = json!({"RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Routes": [route]}]});
        let got = match parse_route_tables(
            &mut b,
            &Node::root(&doc, "r.json"),
            "111122223333",
            "us-east-1",
        ) {
            Ok(()) => {
                let r = &b.model.route_tables[0].routes[0];
                format!("{:?} -> {:?}", r.destination, r.target)
            }
            Err(e) => e.to_string(),
        };
        assert!(got.starts_with(expect), "{got} !~ {expect}");
    }

    #[test]
    fn route_targets_by_id_prefix_and_field() {
        check(
            json!({"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"}),
            "V4(10.0.0.0/16) -> Local",
        );
        check(
            json!({"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1"}),
            "V4(0.0.0.0/0) -> InternetGateway",
        );
        check(
            json!({"DestinationPrefixListId": "pl-1", "GatewayId": "vpce-1"}),
            "PrefixList(\"pl-1\") -> VpcEndpoint",
        );
        check(
            json!({"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1"}),
            "V4(0.0.0.0/0) -> NatGateway",
        );
        check(
            json!({"DestinationIpv6CidrBlock": "::/0", "TransitGatewayId": "tgw-1"}),
            "V6(::/0) -> TransitGateway",
        );
        check(
            json!({"DestinationCidrBlock": "0.0.0.0/0", "VpcPeeringConnectionId": "pcx-1"}),
            "V4(0.0.0.0/0) -> VpcPeering",
        );
        check(
            json!({"GatewayId": "igw-1"}),
            "r.json: /RouteTables/0/Routes/0: expected a route with",
        );
        check(
            json!({"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw 1"}),
            "r.json: /RouteTables/0/Routes/0/GatewayId: invalid id",
        );
    }
}
