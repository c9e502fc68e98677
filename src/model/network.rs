//! VPC network objects and EC2 instances, per account and region.

use super::{PolicyId, Sym};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::Serialize;
use std::net::IpAddr;

#[derive(Debug, Clone, Serialize)]
pub struct Vpc {
    pub id: Sym,
    pub account: Sym,
    pub region: Sym,
    /// Every associated CIDR block, IPv4 and IPv6.
    pub cidr_blocks: Vec<IpNet>,
    pub is_default: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Subnet {
    pub id: Sym,
    pub vpc: Sym,
    pub account: Sym,
    pub region: Sym,
    pub availability_zone: Option<String>,
    pub cidr_v4: Option<Ipv4Net>,
    pub cidr_v6: Vec<Ipv6Net>,
    pub map_public_ip_on_launch: bool,
    pub assign_ipv6_on_creation: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RouteTable {
    pub id: Sym,
    pub vpc: Sym,
    pub account: Sym,
    pub region: Sym,
    pub routes: Vec<Route>,
    pub associations: Vec<RouteTableAssociation>,
}

impl RouteTable {
    /// Whether this is its VPC's main route table (used by subnets with no explicit one).
    pub fn is_main(&self) -> bool {
        self.associations.iter().any(|a| a.main)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    pub destination: RouteDestination,
    pub target: RouteTarget,
    /// `active` or `blackhole`.
    pub state: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum RouteDestination {
    V4(Ipv4Net),
    V6(Ipv6Net),
    /// A managed prefix list (`pl-...`), e.g. a gateway endpoint's service range.
    PrefixList(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum RouteTarget {
    /// Within the VPC.
    Local,
    InternetGateway(Sym),
    EgressOnlyInternetGateway(Sym),
    NatGateway(Sym),
    /// A gateway VPC endpoint (`vpce-...` in `GatewayId`).
    VpcEndpoint(Sym),
    VirtualPrivateGateway(Sym),
    TransitGateway(Sym),
    VpcPeering(Sym),
    NetworkInterface(Sym),
    Instance(Sym),
    CarrierGateway(Sym),
    LocalGateway(Sym),
    CoreNetwork(String),
    /// A target we do not recognize, as written.
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouteTableAssociation {
    pub main: bool,
    pub subnet: Option<Sym>,
    pub gateway: Option<Sym>,
}

/// An IP protocol as security groups and NACLs write it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum IpProtocol {
    /// `-1`: every protocol and port.
    All,
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    /// Any other protocol number, as written.
    Number(String),
}

impl IpProtocol {
    pub fn from_aws(s: &str) -> IpProtocol {
        match s.to_ascii_lowercase().as_str() {
            "-1" | "all" => IpProtocol::All,
            "tcp" | "6" => IpProtocol::Tcp,
            "udp" | "17" => IpProtocol::Udp,
            "icmp" | "1" => IpProtocol::Icmp,
            "icmpv6" | "58" => IpProtocol::Icmpv6,
            other => IpProtocol::Number(other.to_string()),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SecurityGroup {
    pub id: Sym,
    pub name: String,
    pub vpc: Option<Sym>,
    pub account: Sym,
    pub region: Sym,
    pub description: Option<String>,
    pub ingress: Vec<SgRule>,
    pub egress: Vec<SgRule>,
}

/// One `IpPermissions` entry: a protocol and port range and every peer it admits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SgRule {
    pub protocol: IpProtocol,
    /// Port range (for ICMP: type and code); `None` where AWS gives none (`-1` protocol).
    pub from_port: Option<i64>,
    pub to_port: Option<i64>,
    pub peers: Vec<SgPeer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum SgPeer {
    Cidr4(Ipv4Net),
    Cidr6(Ipv6Net),
    PrefixList(String),
    /// Another security group (possibly in another account or a peered VPC).
    SecurityGroup {
        group_id: Sym,
        user_id: Option<String>,
        vpc_id: Option<String>,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct NetworkAcl {
    pub id: Sym,
    pub vpc: Sym,
    pub account: Sym,
    pub region: Sym,
    pub is_default: bool,
    /// Entries in the order AWS listed them; evaluate by `rule_number` per direction.
    pub entries: Vec<NaclEntry>,
    pub subnets: Vec<Sym>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NaclEntry {
    /// 1..=32766, or 32767 for the catch-all `*` rule.
    pub rule_number: i64,
    pub egress: bool,
    pub action: NaclAction,
    pub protocol: IpProtocol,
    pub cidr: Option<IpNet>,
    /// `PortRange` (`From`, `To`) for TCP/UDP.
    pub port_range: Option<(i64, i64)>,
    /// `IcmpTypeCode` (`Type`, `Code`).
    pub icmp_type_code: Option<(i64, i64)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NaclAction {
    Allow,
    Deny,
}

#[derive(Debug, Clone, Serialize)]
pub struct InternetGateway {
    pub id: Sym,
    pub account: Sym,
    pub region: Sym,
    pub attachments: Vec<GatewayAttachment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GatewayAttachment {
    pub vpc: Sym,
    /// `available`/`attached`, ...
    pub state: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NatGateway {
    pub id: Sym,
    pub vpc: Option<Sym>,
    pub subnet: Option<Sym>,
    pub account: Sym,
    pub region: Sym,
    pub state: Option<String>,
    /// `public` (default) or `private`.
    pub connectivity_type: Option<String>,
    pub public_ips: Vec<IpAddr>,
    pub private_ips: Vec<IpAddr>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VpcEndpoint {
    pub id: Sym,
    pub vpc: Option<Sym>,
    pub account: Sym,
    pub region: Sym,
    /// `com.amazonaws.us-east-1.s3`, ...
    pub service_name: String,
    /// `Gateway`, `Interface`, `GatewayLoadBalancer`, ...
    pub endpoint_type: Option<String>,
    pub state: Option<String>,
    /// The endpoint policy; `None` where the endpoint has none (e.g. GatewayLoadBalancer).
    pub policy: Option<PolicyId>,
    pub route_tables: Vec<Sym>,
    pub subnets: Vec<Sym>,
    pub security_groups: Vec<Sym>,
    pub private_dns_enabled: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Instance {
    pub id: Sym,
    pub account: Sym,
    pub region: Sym,
    /// `running`, `stopped`, ...
    pub state: Option<String>,
    pub subnet: Option<Sym>,
    pub vpc: Option<Sym>,
    /// The public IPv4 address, parsed.
    pub public_ip: Option<IpAddr>,
    /// `PublicIpAddress` exactly as written, also when it does not parse: an instance with
    /// an unreadable public address still has one (see `has_public_address`).
    pub public_address: Option<String>,
    pub private_ip: Option<IpAddr>,
    pub ipv6_addresses: Vec<IpAddr>,
    /// Security groups of the instance and all its network interfaces, deduplicated.
    pub security_groups: Vec<Sym>,
    /// `IamInstanceProfile.Arn`.
    pub instance_profile: Option<Sym>,
    /// `MetadataOptions.HttpTokens` (`required` = IMDSv2 only).
    pub metadata_http_tokens: Option<String>,
    pub name_tag: Option<String>,
}

impl Instance {
    /// Whether the instance has a public IPv4 address (parsed or not).
    pub fn has_public_address(&self) -> bool {
        self.public_ip.is_some() || self.public_address.is_some()
    }
}
