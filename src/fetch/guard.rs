//! Which addresses the bot may fetch: never loopback, private, link-local, shared (CGNAT),
//! multicast, unspecified, reserved or documentation ranges, in IPv4 or IPv6, nor IPv6 forms
//! that carry an IPv4 address (mapped, NAT64, 6to4). Host spellings such as `2130706433`,
//! `0x7f.0.0.1` or `127.1` are read by the `url` crate (WHATWG host parsing) into the address
//! they mean before they are checked here, so they never reach a resolver.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Loopback,
    Private,
    LinkLocal,
    SharedAddressSpace,
    Multicast,
    Unspecified,
    Broadcast,
    Documentation,
    Reserved,
    /// An IPv6 address that carries an IPv4 one (`::ffff:127.0.0.1`, NAT64, 6to4).
    EmbeddedIpv4,
}

impl Refusal {
    pub const ALL: [Refusal; 10] = [
        Refusal::Loopback,
        Refusal::Private,
        Refusal::LinkLocal,
        Refusal::SharedAddressSpace,
        Refusal::Multicast,
        Refusal::Unspecified,
        Refusal::Broadcast,
        Refusal::Documentation,
        Refusal::Reserved,
        Refusal::EmbeddedIpv4,
    ];
}

/// `Ok` for an address on the public internet.
pub fn check_ip(ip: IpAddr) -> Result<(), Refusal> {
    match ip {
        IpAddr::V4(v4) => check_v4(v4),
        IpAddr::V6(v6) => check_v6(v6),
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], prefix: u32) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    (u32::from(ip) & mask) == (u32::from(Ipv4Addr::from(net)) & mask)
}

fn check_v4(ip: Ipv4Addr) -> Result<(), Refusal> {
    use Refusal::*;
    let table: &[([u8; 4], u32, Refusal)] = &[
        ([0, 0, 0, 0], 8, Unspecified),
        ([10, 0, 0, 0], 8, Private),
        ([100, 64, 0, 0], 10, SharedAddressSpace),
        ([127, 0, 0, 0], 8, Loopback),
        ([169, 254, 0, 0], 16, LinkLocal),
        ([172, 16, 0, 0], 12, Private),
        ([192, 0, 0, 0], 24, Reserved),
        ([192, 0, 2, 0], 24, Documentation),
        ([192, 88, 99, 0], 24, Reserved),
        ([192, 168, 0, 0], 16, Private),
        ([198, 18, 0, 0], 15, Reserved),
        ([198, 51, 100, 0], 24, Documentation),
        ([203, 0, 113, 0], 24, Documentation),
        ([224, 0, 0, 0], 4, Multicast),
        ([255, 255, 255, 255], 32, Broadcast),
        ([240, 0, 0, 0], 4, Reserved),
    ];
    match table
        .iter()
        .find(|(net, prefix, _)| in_v4(ip, *net, *prefix))
    {
        Some((_, _, why)) => Err(*why),
        None => Ok(()),
    }
}

fn check_v6(ip: Ipv6Addr) -> Result<(), Refusal> {
    use Refusal::*;
    let s = ip.segments();
    if ip.is_unspecified() {
        return Err(Unspecified);
    }
    if ip.is_loopback() {
        return Err(Loopback);
    }
    // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible, deprecated), 64:ff9b::/96 (NAT64),
    // 2002::/16 (6to4): all carry an IPv4 address, refused whatever it is.
    let mapped = s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0);
    if mapped || (s[0] == 0x64 && s[1] == 0xff9b) || s[0] == 0x2002 {
        return Err(EmbeddedIpv4);
    }
    match s[0] {
        0xfc00..=0xfdff => Err(Private),
        0xfe80..=0xfebf => Err(LinkLocal),
        0xfec0..=0xfeff => Err(Private),
        0xff00..=0xffff => Err(Multicast),
        0x2001 if s[1] == 0x0db8 => Err(Documentation),
        0x0100 if s[1..4] == [0, 0, 0] => Err(Reserved),
        0x2001 if s[1] < 0x0200 => Err(Reserved),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_ip(url: &str) -> IpAddr {
        match url::Url::parse(url).unwrap().host().unwrap() {
            url::Host::Ipv4(v4) => IpAddr::V4(v4),
            url::Host::Ipv6(v6) => IpAddr::V6(v6),
            url::Host::Domain(d) => panic!("{url} parsed as the domain {d}"),
        }
    }

    #[test]
    fn every_spelling_of_loopback_is_read_as_an_address_and_refused() {
        for url in [
            "http://127.0.0.1/",
            "http://2130706433/",
            "http://0x7f.0.0.1/",
            "http://127.1/",
            "http://0177.0.0.1/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[0:0:0:0:0:ffff:7f00:1]/",
        ] {
            assert!(check_ip(host_ip(url)).is_err(), "{url}");
        }
    }

    #[test]
    fn ipv4_ranges() {
        let refused = [
            "0.0.0.0",
            "10.1.2.3",
            "100.64.0.1",
            "100.127.255.255",
            "127.255.0.1",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
        ];
        for ip in refused {
            assert!(check_ip(ip.parse().unwrap()).is_err(), "{ip}");
        }
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "193.0.0.1",
            "95.167.1.1",
        ] {
            assert_eq!(check_ip(ip.parse().unwrap()), Ok(()), "{ip}");
        }
    }

    #[test]
    fn ipv6_ranges() {
        let refused = [
            "::",
            "::1",
            "::ffff:8.8.8.8",
            "::ffff:10.0.0.1",
            "64:ff9b::7f00:1",
            "2002:7f00:1::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "100::1",
        ];
        for ip in refused {
            assert!(check_ip(ip.parse().unwrap()).is_err(), "{ip}");
        }
        for ip in [
            "2a00:1450:4010:c05::8b",
            "2606:4700:4700::1111",
            "2001:4860:4860::8888",
        ] {
            assert_eq!(check_ip(ip.parse().unwrap()), Ok(()), "{ip}");
        }
    }
}
