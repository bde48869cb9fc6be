//! Who the client is behind reverse proxies. The per-address sign-in limit
//! counts the client's address; behind a load balancer every request comes
//! from the balancer, so `X-Forwarded-For` is believed, but only as far as
//! it was written by proxies the operator named (`--trusted-proxy`): the
//! client address is the rightmost one not written by a trusted proxy. With
//! no trusted proxy the header is ignored (anyone can send it).

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// A trusted proxy: one address, or a network as `ADDR/PREFIX`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrustedProxy {
    net: IpAddr,
    prefix: u8,
}

impl TrustedProxy {
    pub fn contains(&self, ip: IpAddr) -> bool {
        // IPv4 in the top 32 bits, so one mask of the top `prefix` bits serves both.
        let (net, ip) = match (self.net, canonical(ip)) {
            (IpAddr::V4(n), IpAddr::V4(i)) => {
                (u128::from(n.to_bits()) << 96, u128::from(i.to_bits()) << 96)
            }
            (IpAddr::V6(n), IpAddr::V6(i)) => (n.to_bits(), i.to_bits()),
            _ => return false,
        };
        let mask = match self.prefix {
            0 => 0,
            p => u128::MAX << (128 - u32::from(p)),
        };
        net & mask == ip & mask
    }
}

/// An IPv4 address mapped into IPv6 (`::ffff:10.0.0.1`) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

impl FromStr for TrustedProxy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || {
            format!("`{s}` is not an IP address or network (like 10.0.0.5, 10.0.0.0/8 or fd00::/8)")
        };
        let (addr, prefix) = s.split_once('/').map_or((s, None), |(a, p)| (a, Some(p)));
        let net = canonical(addr.trim().parse::<IpAddr>().map_err(|_| bad())?);
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(bad)?,
        };
        Ok(TrustedProxy { net, prefix })
    }
}

impl fmt::Display for TrustedProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.net, self.prefix)
    }
}

/// The client's address: the peer, unless the peer is a trusted proxy, then
/// the rightmost `X-Forwarded-For` entry not itself a trusted proxy (or the
/// leftmost entry when all are trusted). Garbage in the header stops the walk
/// at the last address believed.
pub fn client_address<'h>(
    peer: IpAddr,
    forwarded_for: impl DoubleEndedIterator<Item = &'h str>,
    trusted: &[TrustedProxy],
) -> IpAddr {
    let trusted_ip = |ip: IpAddr| trusted.iter().any(|t| t.contains(ip));
    let mut client = canonical(peer);
    if !trusted_ip(client) {
        return client;
    }
    let hops = forwarded_for.rev().flat_map(|h| h.rsplit(','));
    for hop in hops {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = canonical(ip);
                if !trusted_ip(client) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(list: &[&str]) -> Vec<TrustedProxy> {
        list.iter().map(|p| p.parse().unwrap()).collect()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_parse_and_contain() {
        let p: TrustedProxy = "10.0.0.0/8".parse().unwrap();
        assert!(p.contains(ip("10.200.1.1")));
        assert!(p.contains(ip("::ffff:10.1.2.3")));
        assert!(!p.contains(ip("11.0.0.1")));
        assert!(!p.contains(ip("fd00::1")));
        let one: TrustedProxy = "192.168.1.7".parse().unwrap();
        assert!(one.contains(ip("192.168.1.7")) && !one.contains(ip("192.168.1.8")));
        let v6: TrustedProxy = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        let all: TrustedProxy = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("8.8.8.8")));
        assert_eq!(p.to_string(), "10.0.0.0/8");
        for bad in [
            "",
            "10.0.0.0/33",
            "10.0.0/8",
            "fd00::/129",
            "x",
            "10.0.0.1/-1",
        ] {
            let err = bad.parse::<TrustedProxy>().unwrap_err();
            assert!(err.contains("is not an IP address"), "{bad}: {err}");
        }
    }

    #[test]
    fn the_header_is_believed_only_from_trusted_proxies() {
        let lb = proxies(&["10.0.0.0/8"]);
        // Not from a trusted proxy: the header is the client's own claim.
        assert_eq!(
            client_address(ip("203.0.113.9"), ["1.2.3.4"].into_iter(), &lb),
            ip("203.0.113.9")
        );
        // No trusted proxies: never believed.
        assert_eq!(
            client_address(ip("10.0.0.2"), ["1.2.3.4"].into_iter(), &[]),
            ip("10.0.0.2")
        );
        // From the balancer: the rightmost untrusted entry, not a spoofed left one.
        assert_eq!(
            client_address(
                ip("10.0.0.2"),
                ["6.6.6.6, 198.51.100.4, 10.0.0.9"].into_iter(),
                &lb
            ),
            ip("198.51.100.4")
        );
        // Several headers are one list, in order.
        assert_eq!(
            client_address(ip("10.0.0.2"), ["6.6.6.6", "198.51.100.4"].into_iter(), &lb),
            ip("198.51.100.4")
        );
        // Garbage stops the walk at the last address believed.
        assert_eq!(
            client_address(
                ip("10.0.0.2"),
                ["1.1.1.1, nonsense, 10.0.0.7"].into_iter(),
                &lb
            ),
            ip("10.0.0.7")
        );
        // No header: the proxy itself.
        assert_eq!(
            client_address(ip("10.0.0.2"), std::iter::empty(), &lb),
            ip("10.0.0.2")
        );
    }
}
