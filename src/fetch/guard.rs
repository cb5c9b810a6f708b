//! Which addresses the bot may fetch: never loopback, private, link-local, shared (CGNAT),
//! multicast, unspecified, reserved or documentation ranges, in IPv4 or IPv6, nor IPv6 forms
//! that carry an IPv4 address (mapped, translated, NAT64, 6to4). The ranges are those of the
//! IANA IPv4 and IPv6 special-purpose address registries; in IPv6 only global unicast
//! (`2000::/3`) is admitted at all. `tests/adwatch/links.rs` lists every range with its RFC. Host spellings such as `2130706433`,
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
    // The IANA IPv4 special-purpose registry, less the ranges it marks globally reachable
    // (AS112 and AMT anycast), plus multicast. The first match gives the reason.
    let table: &[([u8; 4], u32, Refusal)] = &[
        ([0, 0, 0, 0], 8, Unspecified),            // "this network", RFC 791
        ([10, 0, 0, 0], 8, Private),               // RFC 1918
        ([100, 64, 0, 0], 10, SharedAddressSpace), // CGNAT, RFC 6598
        ([127, 0, 0, 0], 8, Loopback),             // RFC 1122
        ([169, 254, 0, 0], 16, LinkLocal),         // RFC 3927
        ([172, 16, 0, 0], 12, Private),            // RFC 1918
        ([192, 0, 0, 0], 24, Reserved),            // IETF protocol assignments, RFC 6890
        ([192, 0, 2, 0], 24, Documentation),       // TEST-NET-1, RFC 5737
        ([192, 88, 99, 0], 24, Reserved),          // 6to4 relay anycast, RFC 7526
        ([192, 168, 0, 0], 16, Private),           // RFC 1918
        ([198, 18, 0, 0], 15, Reserved),           // benchmarking, RFC 2544
        ([198, 51, 100, 0], 24, Documentation),    // TEST-NET-2, RFC 5737
        ([203, 0, 113, 0], 24, Documentation),     // TEST-NET-3, RFC 5737
        ([224, 0, 0, 0], 4, Multicast),            // RFC 5771
        ([255, 255, 255, 255], 32, Broadcast),     // limited broadcast, RFC 919
        ([240, 0, 0, 0], 4, Reserved),             // RFC 1112
    ];
    match table
        .iter()
        .find(|(net, prefix, _)| in_v4(ip, *net, *prefix))
    {
        Some((_, _, why)) => Err(*why),
        None => Ok(()),
    }
}

/// Only global unicast (`2000::/3`, RFC 4291) may be public; everything else is set aside.
fn check_v6(ip: Ipv6Addr) -> Result<(), Refusal> {
    use Refusal::*;
    let s = ip.segments();
    match s[0] {
        0x0000..=0x00ff => Err(in_zero_block(ip)),
        0x2000..=0x3fff => check_global_v6(s),
        0xfc00..=0xfdff => Err(Private),
        0xfe80..=0xfebf => Err(LinkLocal),
        // Site-local, deprecated (RFC 3879) but still routed inside some networks.
        0xfec0..=0xfeff => Err(Private),
        0xff00..=0xffff => Err(Multicast),
        // The rest is reserved by the IETF (RFC 4291): 100::/8 (with the discard-only
        // 100::/64, RFC 6666), 200::/7 to 1000::/4, 4000::/3 to f800::/6 (with SRv6's
        // 5f00::/16, RFC 9602), fe00::/9.
        _ => Err(Reserved),
    }
}

/// `::/8`, reserved by the IETF (RFC 4291). Besides `::` and `::1` it holds the forms that
/// carry an IPv4 address, refused whatever that address is: mapped `::ffff:a.b.c.d` and
/// compatible `::a.b.c.d` (RFC 4291), translated `::ffff:0:a.b.c.d` (RFC 2765, RFC 6052),
/// NAT64 `64:ff9b::/96` (RFC 6052) and local-use NAT64 `64:ff9b:1::/48` (RFC 8215).
fn in_zero_block(ip: Ipv6Addr) -> Refusal {
    let s = ip.segments();
    let mapped_or_compatible = s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0);
    let translated = s[..4] == [0; 4] && s[4] == 0xffff && s[5] == 0;
    let nat64 = s[..2] == [0x64, 0xff9b] && (s[2..6] == [0; 4] || s[2] == 1);
    if ip.is_unspecified() {
        Refusal::Unspecified
    } else if ip.is_loopback() {
        Refusal::Loopback
    } else if mapped_or_compatible || translated || nat64 {
        Refusal::EmbeddedIpv4
    } else {
        Refusal::Reserved
    }
}

/// The special ranges inside global unicast.
fn check_global_v6(s: [u16; 8]) -> Result<(), Refusal> {
    use Refusal::*;
    match s[0] {
        // Documentation: 2001:db8::/32 (RFC 3849) and 3fff::/20 (RFC 9637).
        0x2001 if s[1] == 0x0db8 => Err(Documentation),
        0x3fff if s[1] < 0x1000 => Err(Documentation),
        // IETF protocol assignments, 2001::/23 (RFC 2928): Teredo (RFC 4380, which hides an
        // IPv4 address), benchmarking, AMT, AS112, ORCHID, drone IDs…
        0x2001 if s[1] < 0x0200 => Err(Reserved),
        // 6to4 (RFC 3056) carries an IPv4 address.
        0x2002 => Err(EmbeddedIpv4),
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
