//! Outgoing webhooks: when a new model version changes a tenant's
//! checklist, a JSON notice is queued for the tenant's webhook and sent by
//! a background sender, signed, retried with back-off.
//!
//! - Signature: `X-Onus-Signature: sha256=HEX`, the HMAC-SHA256 of
//!   `TIMESTAMP.BODY` with the tenant's key; `X-Onus-Timestamp` is the
//!   Unix time of the attempt (receivers refuse old ones: no replays).
//! - Retries: a failed attempt (no answer, or not 2xx) is tried again after
//!   30 s, 1, 2, 4 ... minutes, 8 attempts in all (about an hour), then
//!   given up; each attempt is recorded with its error.
//! - Addresses: `https://` to a public address only (the host is resolved
//!   and every address checked before each attempt, redirects are not
//!   followed), unless the operator allows private ones
//!   (`onus serve --webhook-allow-private`, for internal receivers).

use std::net::{IpAddr, ToSocketAddrs};
use std::time::Duration;

use hmac::{Hmac, Mac};
use onus_store::{Delivery, Store};
use sha2::Sha256;

/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i64 = 8;
/// First retry delay, doubled at every attempt (seconds).
pub const FIRST_RETRY: i64 = 30;
/// How long an attempt may take (connect, send, answer).
const TIMEOUT: Duration = Duration::from_secs(10);

/// The signature of `body` sent at `timestamp`: `sha256=HEX`.
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("sha256={}", onus_store::hex(&mac.finalize().into_bytes()))
}

/// When to try again after `attempts` failed attempts (`None`: give up).
pub fn retry_at(now: i64, attempts: i64) -> Option<i64> {
    (attempts < MAX_ATTEMPTS).then(|| now + FIRST_RETRY * (1 << (attempts - 1).clamp(0, 20)))
}

/// Whether `url` may receive webhooks: a sentence saying why not.
pub fn check_url(url: &str, allow_private: bool) -> Result<(String, u16), String> {
    let url = url.trim();
    if url.len() > 2000 || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("Enter one address, without spaces, under 2000 characters.".into());
    }
    let (rest, default) = if let Some(rest) = url.strip_prefix("https://") {
        (rest, 443)
    } else if let Some(rest) = url.strip_prefix("http://").filter(|_| allow_private) {
        (rest, 80)
    } else {
        return Err("The webhook address must start with https://.".into());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') {
        return Err("The webhook address needs a host, and no user name or password in it.".into());
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((host, after)) => (host, after.strip_prefix(':')),
            None => {
                return Err("The webhook address has an IPv6 host without its closing `]`.".into())
            }
        },
        None => match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let port = match port {
        None => default,
        Some(p) => p.parse().map_err(|_| {
            format!("The webhook address's port `{p}` is not a number from 1 to 65535.")
        })?,
    };
    if host.is_empty() {
        return Err("The webhook address needs a host.".into());
    }
    Ok((host.to_string(), port))
}

/// Whether an address is one the portal may call without the operator's leave.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.octets()[0] == 0
                || (v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1])))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// One attempt: the body posted, signed; `Err` with what went wrong.
pub fn send(d: &Delivery, secret: &str, allow_private: bool) -> Result<(), String> {
    let (host, port) = check_url(&d.url, allow_private)?;
    let addrs: Vec<_> = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{host} has no address"));
    }
    if !allow_private && addrs.iter().any(|a| !is_public(a.ip())) {
        return Err(format!("{host} resolves to a private address; refused"));
    }
    let timestamp = onus_store::now();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .max_redirects(0)
        .http_status_as_error(false)
        .user_agent(concat!("onus-portal/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let answer = agent
        .post(&d.url)
        .header("Content-Type", "application/json")
        .header("X-Onus-Event", &d.event)
        .header("X-Onus-Delivery", &d.id)
        .header("X-Onus-Timestamp", &timestamp.to_string())
        .header("X-Onus-Signature", &sign(secret, timestamp, &d.body))
        .send(&d.body)
        .map_err(|e| e.to_string())?;
    let status = answer.status().as_u16();
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(format!("answered HTTP {status}"))
    }
}

/// Sends what is due, once: how many deliveries were attempted.
pub async fn send_due(store: &Store, allow_private: bool) -> Result<usize, onus_store::StoreError> {
    let due = store.claim_deliveries(20, 120).await?;
    let n = due.len();
    for d in due {
        let Some(secret) = store.webhook_secret(&d.tenant_id).await? else {
            store
                .record_attempt(&d.id, Err(("the tenant removed its webhook", None)))
                .await?;
            continue;
        };
        let delivery = d.clone();
        let outcome = tokio::task::spawn_blocking(move || send(&delivery, &secret, allow_private))
            .await
            .unwrap_or_else(|e| Err(format!("the sender failed: {e}")));
        match outcome {
            Ok(()) => store.record_attempt(&d.id, Ok(())).await?,
            Err(e) => {
                tracing::warn!(delivery = %d.id, error = %e, "webhook delivery failed");
                let retry = retry_at(onus_store::now(), d.attempts + 1);
                store.record_attempt(&d.id, Err((&e, retry))).await?;
            }
        }
    }
    Ok(n)
}

/// The background sender: looks for due deliveries every `every`.
pub fn spawn_sender(store: Store, allow_private: bool, every: Duration) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = send_due(&store, allow_private).await {
                tracing::error!(error = %e, "webhook sender");
            }
            tokio::time::sleep(every).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_of_timestamp_and_body() {
        // RFC 4231 test case 2's key and data, split as TIMESTAMP.BODY would not be: a known vector.
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            onus_store::hex(&mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let s = sign("key", 1700000000, "{}");
        assert!(s.starts_with("sha256=") && s.len() == 7 + 64);
        assert_ne!(s, sign("key", 1700000001, "{}"));
        assert_ne!(s, sign("other", 1700000000, "{}"));
    }

    #[test]
    fn retries_back_off_then_give_up() {
        assert_eq!(retry_at(1000, 1), Some(1030));
        assert_eq!(retry_at(1000, 2), Some(1060));
        assert_eq!(retry_at(1000, 7), Some(1000 + 30 * 64));
        assert_eq!(retry_at(1000, MAX_ATTEMPTS), None);
    }

    #[test]
    fn only_https_to_public_addresses_by_default() {
        assert!(check_url("https://hooks.example.com/onus", false).is_ok());
        assert!(check_url("http://hooks.example.com/onus", false).is_err());
        assert!(check_url("http://127.0.0.1:9/x", true).is_ok());
        assert!(check_url("https://user:pw@example.com/", false).is_err());
        assert!(check_url("https://exa mple.com/", false).is_err());
        assert!(check_url("javascript:alert(1)", true).is_err());
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        assert!(is_public("93.184.216.34".parse().unwrap()));
        assert_eq!(
            check_url("https://[::1]:8443/x", false),
            Ok(("::1".into(), 8443))
        );
        assert_eq!(
            check_url("https://a.example/x?y", false),
            Ok(("a.example".into(), 443))
        );
        assert_eq!(
            check_url("http://a.example:81", true),
            Ok(("a.example".into(), 81))
        );
    }

    #[test]
    fn a_private_address_is_refused_before_any_connection() {
        let d = Delivery {
            id: "d".into(),
            tenant_id: "t".into(),
            url: "https://127.0.0.1:1/hook".into(),
            event: "model-changed".into(),
            body: "{}".into(),
            attempts: 0,
            next_at: 0,
            delivered_at: None,
            failed_at: None,
            last_error: String::new(),
            created_at: 0,
        };
        let e = send(&d, "k", false).unwrap_err();
        assert!(e.contains("private address"), "{e}");
    }
}
