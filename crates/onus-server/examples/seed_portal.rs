//! Seeds a portal database for `scripts/bench-portal.sh`, and drives its
//! write load. Not part of the portal: a benchmark's helper, built with
//! `cargo build --release -p onus-server --example seed_portal`.
//!
//! ```text
//! seed_portal seed DB MODELS_DIR OUT_DIR [TENANTS]
//! seed_portal write BASE_URL TOKEN TARGETS RATE SECONDS
//! ```
//!
//! `seed` writes a generated model of 100 customer duties
//! (`bench-saas.onus.yaml`, offering `cloud`) into MODELS_DIR, publishes it
//! on DB (a fresh database: it refuses one with tenants), and makes TENANTS
//! tenants (default 1,000) through the portal's own store calls: each with
//! an admin and two members, its checklist made by the portal's `sync`,
//! then a realistic history written with `update_items` (statuses, owners,
//! due dates some of them past, notes, reasons, accepted risks; every
//! changed field a history row; every edit audited), a few exports, and an NDA
//! recorded for every other tenant. One user, `load@bench.test`, is a
//! member of every tenant: OUT_DIR gets its session cookie (`cookie`), a
//! personal write token (`token`), the tenants' ids (`tenants`) and, for
//! the write load, items nobody will have changed since, with their
//! revision (`targets`: `TENANT ITEM REVISION` per line).
//!
//! `write` sends RATE PATCH requests a second for SECONDS seconds, each to
//! a different item of TARGETS with `If-Match` its revision (so none is
//! stale) and new notes, on a new connection each, and prints the count,
//! the errors and the latency percentiles. It runs beside `oha`, which
//! cannot give each request its own `If-Match`.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use onus_store::{Audit, Store, Update};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const MODEL: &str = "bench-saas";
const OFFERING: &str = "cloud";
const AREAS: usize = 25;
const DUTIES_PER_AREA: usize = 4;

type Error = Box<dyn std::error::Error + Send + Sync>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => fail(&format!("cannot start the runtime: {e}")),
    };
    let done = match args.first().map(String::as_str) {
        Some("seed") if (4..=5).contains(&args.len()) => {
            let tenants = match args.get(4).map(|n| n.parse::<usize>()) {
                None => 1000,
                Some(Ok(n)) if n > 0 => n,
                Some(_) => fail("TENANTS is a number above 0"),
            };
            runtime.block_on(seed(
                &args[1],
                Path::new(&args[2]),
                Path::new(&args[3]),
                tenants,
            ))
        }
        Some("write") if args.len() == 6 => {
            let (Ok(rate), Ok(seconds)) = (args[4].parse::<u64>(), args[5].parse::<u64>()) else {
                fail("RATE and SECONDS are whole numbers");
            };
            if rate == 0 || seconds == 0 {
                fail("RATE and SECONDS are above 0");
            }
            runtime.block_on(write(&args[1], &args[2], Path::new(&args[3]), rate, seconds))
        }
        _ => fail(
            "usage: seed_portal seed DB MODELS_DIR OUT_DIR [TENANTS]\n       seed_portal write BASE_URL TOKEN TARGETS RATE SECONDS",
        ),
    };
    if let Err(e) = done {
        fail(&e.to_string());
    }
}

fn fail(message: &str) -> ! {
    eprintln!("seed_portal: {message}");
    std::process::exit(2)
}

/// The benchmark's model: AREAS areas in five groups, each shared between
/// the provider (two duties, practices, evidence, some of it under NDA)
/// and the customer (DUTIES_PER_AREA duties), plus three areas the
/// provider holds alone.
fn model() -> String {
    let groups = [
        "Identity and access",
        "Data protection",
        "Application security",
        "Operations",
        "Governance",
    ];
    let controls = [
        "ac-2", "ac-3", "ac-6", "au-2", "au-6", "cm-2", "cm-6", "cp-9", "ia-2", "ia-5", "ir-4",
        "ra-5", "sa-11", "sc-7", "sc-8", "sc-12", "sc-28", "si-2", "si-4", "pl-4",
    ];
    let mut y = String::from(
        "onus: 1\nmodel:\n  id: bench-saas\n  name: Bench SaaS\n  title: Shared responsibility model (benchmark)\n  publisher: provider\n  description: A generated model for scripts/bench-portal.sh.\n\nparties:\n  provider: { name: Bench Provider, role: provider }\n  customer: { name: Customer, role: customer }\n\nofferings:\n  cloud: { name: Bench Cloud }\n\nframeworks:\n  nist-800-53-rev5: { name: NIST SP 800-53 Rev. 5 }\n\npractices:\n",
    );
    for p in 0..10 {
        let _ = writeln!(
            y,
            "  practice-{p}: {{ name: Practice {p}, kind: document, url: \"https://provider.example/practices/{p}\" }}"
        );
    }
    y.push_str("\nevidence:\n");
    for e in 0..6u32 {
        let access = if e.is_multiple_of(2) { "public" } else { "nda" };
        let _ = writeln!(
            y,
            "  report-{e}: {{ name: Report {e}, kind: attestation, url: \"https://provider.example/reports/{e}\", access: {access} }}"
        );
    }
    y.push_str("\nareas:\n");
    for a in 0..AREAS + 3 {
        let group = if a < AREAS {
            groups[a % groups.len()]
        } else {
            "Provider only"
        };
        let _ = writeln!(
            y,
            "  area-{a:02}:\n    name: Area {a:02} of the benchmark\n    group: {group}\n    controls: [nist-800-53-rev5:{}, nist-800-53-rev5:{}, nist-800-53-rev5:{}]",
            controls[a % controls.len()],
            controls[(a * 7 + 3) % controls.len()],
            controls[(a * 11 + 5) % controls.len()],
        );
    }
    y.push_str("\nresponsibilities:\n");
    for a in 0..AREAS + 3 {
        let _ = writeln!(
            y,
            "  area-{a:02}:\n    provider:\n      duties:\n        - Operates the platform side of area {a:02}\n        - Monitors area {a:02} around the clock\n      how: [practice-{}, practice-{}]\n      evidence: [report-{}, report-{}]",
            a % 10,
            (a + 3) % 10,
            a % 6,
            (a + 1) % 6
        );
        if a < AREAS {
            y.push_str("    customer:\n      duties:\n");
            for d in 0..DUTIES_PER_AREA {
                let _ = writeln!(
                    y,
                    "        - Duty {d} of area {a:02}, configured, reviewed and recorded by the customer"
                );
            }
            let _ = writeln!(y, "      how: [practice-{}]", (a + 5) % 10);
        }
    }
    y
}

/// A small deterministic generator (xorshift), so two seedings match.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

async fn seed(db: &str, models: &Path, out: &Path, tenants: usize) -> Result<(), Error> {
    let started = Instant::now();
    std::fs::create_dir_all(models)?;
    std::fs::create_dir_all(out)?;
    std::fs::write(models.join("bench-saas.onus.yaml"), model())?;
    let store = Store::open(db).await?;
    if !store.tenants().await?.is_empty() {
        return Err(format!(
            "{} already has tenants: seed a fresh database",
            onus_store::redact(db)
        )
        .into());
    }
    for line in onus_server::publish::publish_source(&store, Some(models)).await? {
        println!("{line}");
    }
    let version = store
        .model_version(MODEL, None)
        .await?
        .ok_or("the benchmark model was not published (refused: see above)")?;
    let matrix = onus_server::publish::resolve_version(&version)
        .ok_or("the benchmark model does not resolve")?;
    let plan = onus_server::checklist::plan(None, &matrix, OFFERING);
    println!(
        "model {MODEL} version {}: {} customer duties in offering {OFFERING}",
        version.version,
        plan.duties.len()
    );
    let plan = Arc::new(plan);

    // One password for every seeded user (hashing one per user would take
    // minutes): the platform admin's, generated, its argon2id hash reused.
    let (_, password) = onus_server::admin_create_user(
        &store,
        "admin@bench.test",
        "Bench admin",
        "platform-admin",
        None,
    )
    .await?;
    let (_, password_hash) = store
        .local_login("admin@bench.test")
        .await?
        .ok_or("the admin was not created")?;
    let load = store
        .create_user(
            "load@bench.test",
            "Load tester",
            None,
            &password_hash,
            None,
            &Audit::new(None, None, "user-created", "load@bench.test", ""),
        )
        .await?;

    let parallel = match store.backend() {
        onus_store::Backend::Postgres => 4,
        // One writer at a time on SQLite.
        onus_store::Backend::Sqlite => 1,
    };
    let shared = Arc::new(Seeding {
        store: store.clone(),
        version: version.version,
        plan,
        password_hash,
        load_user: load.id.clone(),
    });
    let mut set = tokio::task::JoinSet::new();
    let mut ids = Vec::with_capacity(tenants);
    let mut targets = Vec::new();
    for n in 0..tenants {
        while set.len() >= parallel {
            let (id, t) = set.join_next().await.ok_or("no task")???;
            ids.push(id);
            targets.extend(t);
        }
        let s = shared.clone();
        set.spawn(async move { s.tenant(n).await });
        if (n + 1) % 100 == 0 {
            println!(
                "{} tenants, {:.0} s",
                n + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
    while let Some(done) = set.join_next().await {
        let (id, t) = done??;
        ids.push(id);
        targets.extend(t);
    }

    let cookie = onus_store::random_token();
    store
        .create_session(&cookie, &load.id, &onus_store::random_token(), false)
        .await?;
    let token =
        onus_server::admin_mint_token(&store, "load@bench.test", "write", None, "bench-portal", 1)
            .await?;
    std::fs::write(out.join("cookie"), &cookie)?;
    std::fs::write(out.join("token"), &token)?;
    std::fs::write(out.join("password"), &password)?;
    std::fs::write(out.join("tenants"), ids.join("\n") + "\n")?;
    // Spread the write targets over the tenants, in a fixed shuffled order.
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for i in (1..targets.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        targets.swap(i, j);
    }
    std::fs::write(out.join("targets"), targets.join("\n") + "\n")?;
    let mut history = 0;
    for id in &ids {
        history += store
            .tenant_data(id)
            .history_counts()
            .await?
            .values()
            .sum::<i64>();
    }
    let audit = store.verify_audit(None).await?;
    if !audit.broken.is_empty() {
        return Err(format!("the audit log is broken: {:?}", audit.broken).into());
    }
    println!(
        "seeded in {:.0} s: {} tenants, {} users, {} items, {history} history rows, {} audit entries in {} chains (verified); {} write targets",
        started.elapsed().as_secs_f64(),
        ids.len(),
        3 * ids.len() + 2,
        ids.len() * shared.plan.duties.len(),
        audit.chains.iter().map(|(_, n)| n).sum::<i64>(),
        audit.chains.len(),
        targets.len()
    );
    store.close().await;
    Ok(())
}

struct Seeding {
    store: Store,
    version: i64,
    plan: Arc<onus_store::SyncPlan>,
    password_hash: String,
    load_user: String,
}

impl Seeding {
    /// Tenant `n`, its people, checklist, history and audit entries: its
    /// id and its write targets.
    async fn tenant(&self, n: usize) -> Result<(String, Vec<String>), Error> {
        let store = &self.store;
        let tenant = store
            .create_tenant(
                &format!("Tenant {n:04}"),
                MODEL,
                OFFERING,
                None,
                &Audit::new(None, None, "tenant-created", "", ""),
            )
            .await?;
        let t = tenant.id.as_str();
        let mut people = Vec::new();
        for (who, role) in [
            ("admin", "tenant-admin"),
            ("alice", "tenant-member"),
            ("bob", "tenant-member"),
        ] {
            let email = format!("{who}.{n:04}@bench.test");
            let user = store
                .create_user(
                    &email,
                    &format!("{who} {n:04}"),
                    None,
                    &self.password_hash,
                    Some((t, role)),
                    &Audit::new(None, Some(t), "user-created", &email, role),
                )
                .await?;
            people.push(user.id);
        }
        store
            .add_member(
                t,
                &self.load_user,
                "tenant-member",
                &Audit::new(
                    None,
                    Some(t),
                    "member-added",
                    "load@bench.test",
                    "tenant-member",
                ),
            )
            .await?;
        if n.is_multiple_of(2) {
            store
                .record_nda(
                    t,
                    &Audit::new(None, Some(t), "nda-recorded", &tenant.name, ""),
                )
                .await?;
        }
        let data = store.tenant_data(t);
        data.sync(None, self.version, &self.plan, |_| None)
            .await?
            .ok_or("the new checklist was claimed twice")?;
        let items = data.items().await?;

        // Statuses, owners, due dates and notes, as a team working through
        // its checklist leaves them: most items started, about half done.
        let mut rng = Rng(0x2545_f491_4f6c_dd1d ^ (n as u64 + 1).wrapping_mul(0x9e37_79b9));
        let today = onus_store::now() / 86_400 * 86_400;
        let mut steps: Vec<(String, i64, Update, String)> = Vec::new();
        let mut targets = Vec::new();
        for item in &items {
            let mut record = item.record();
            let mut revision = item.revision;
            let roll = rng.below(100);
            if roll < 25 {
                // Untouched. A few of them are the write load's targets
                // (nobody else changes them).
                if roll < 12 {
                    targets.push(format!("{t} {} {revision}", item.id));
                }
                continue;
            }
            let owner = people[rng.below(people.len() as u64) as usize].clone();
            record.status = "in-progress".into();
            record.owner_id = Some(owner.clone());
            record.due_at = Some(today + (rng.below(180) as i64 - 60) * 86_400);
            record.notes = format!(
                "Started by {owner}: ticket SEC-{}; see the runbook.",
                rng.below(10_000)
            );
            steps.push((item.id.clone(), revision, record.clone(), owner.clone()));
            revision += 1;
            let next = rng.below(100);
            if next < 60 {
                let admin = people[0].clone();
                match next {
                    0..=44 => {
                        record.status = "implemented".into();
                        record
                            .notes
                            .push_str("\nDone; evidence in the audit folder.");
                    }
                    45..=54 => {
                        record.status = "not-applicable".into();
                        record.reason = "We do not use this feature of the service.".into();
                    }
                    _ => {
                        record.status = "risk-accepted".into();
                        record.approved_by = Some(admin.clone());
                        record.risk_expires_at = Some(today + 180 * 86_400);
                    }
                }
                steps.push((item.id.clone(), revision, record, admin));
            }
        }
        // Each edit is audited as the portal audits it (in its transaction).
        let details: Vec<String> = steps
            .iter()
            .map(|(_, _, u, _)| format!("status -> {}", u.status))
            .collect();
        let batch: Vec<(&str, i64, &Update, &str, &str)> = steps
            .iter()
            .zip(&details)
            .map(|((id, rev, u, by), d)| (id.as_str(), *rev, u, by.as_str(), d.as_str()))
            .collect();
        data.update_items(&batch).await?;
        // A few exports in the audit chain.
        for _ in 0..3 {
            store
                .audit(
                    Some(&people[0]),
                    Some(t),
                    "checklist-exported",
                    "checklist.csv",
                    "",
                )
                .await?;
        }
        Ok((tenant.id, targets))
    }
}

/// The write load: see the module's documentation.
async fn write(
    base: &str,
    token: &str,
    targets: &Path,
    rate: u64,
    seconds: u64,
) -> Result<(), Error> {
    let addr = base
        .strip_prefix("http://")
        .ok_or("BASE_URL is http://HOST:PORT")?
        .trim_end_matches('/')
        .to_string();
    let text = std::fs::read_to_string(targets)
        .map_err(|e| format!("cannot read {}: {e}", targets.display()))?;
    let targets: Vec<(String, String, i64)> = text
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            Some((f.next()?.into(), f.next()?.into(), f.next()?.parse().ok()?))
        })
        .collect();
    let total = (rate * seconds) as usize;
    if targets.len() < total {
        return Err(format!(
            "{} write targets for {total} writes: seed more tenants or write less",
            targets.len()
        )
        .into());
    }
    let token = Arc::new(token.to_string());
    let addr = Arc::new(addr);
    let mut tick = tokio::time::interval(Duration::from_nanos(1_000_000_000 / rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for (n, (tenant, item, revision)) in targets.into_iter().take(total).enumerate() {
        tick.tick().await;
        let (token, addr) = (token.clone(), addr.clone());
        set.spawn(async move {
            let body = format!("{{\"notes\":\"load write {n}\"}}");
            let request = format!(
                "PATCH /api/v1/tenants/{tenant}/items/{item} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nIf-Match: \"{revision}\"\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let start = Instant::now();
            let status = patch(&addr, &request).await;
            (start.elapsed(), status)
        });
    }
    let mut latencies = Vec::with_capacity(total);
    let mut errors: Vec<String> = Vec::new();
    while let Some(done) = set.join_next().await {
        let (took, status) = done?;
        latencies.push(took);
        match status {
            Ok(200) => {}
            Ok(code) => errors.push(format!("HTTP {code}")),
            Err(e) => errors.push(e),
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let at = |p: f64| {
        let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        latencies[i].as_secs_f64() * 1000.0
    };
    let failed = errors.len();
    errors.sort();
    errors.dedup();
    println!(
        "writes: {} in {elapsed:.1} s ({:.1}/s), p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, errors {failed}{}",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        at(0.50),
        at(0.99),
        at(1.0),
        if errors.is_empty() {
            String::new()
        } else {
            format!(" ({})", errors.join(", "))
        }
    );
    Ok(())
}

/// Sends one request on a new connection: the response's status code.
async fn patch(addr: &str, request: &str) -> Result<u16, String> {
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("send: {e}"))?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .await
        .map_err(|e| format!("read: {e}"))?;
    let head = String::from_utf8_lossy(&response[..response.len().min(16)]).into_owned();
    head.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("no HTTP status in {head:?}"))
}
