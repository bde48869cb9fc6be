//! Load the NIST SP 800-53 Rev. 5 catalog and resolve its HIGH baseline,
//! against the floor of merely parsing the catalog JSON.
//!
//! Plain std timing: the cases run in turn, a few rounds to warm up, then
//! `RUNS` rounds (default 30); the table shows each case's median and
//! fastest run.
//! `scripts/bench-oscal.sh` runs this next to compliance-trestle and reads
//! the `RESULT` lines; `CASES=onus_file,floor_file` runs only those cases.
//!
//! ```text
//! cargo bench -p onus-oscal --bench resolve
//! RUNS=100 cargo bench -p onus-oscal --bench resolve
//! ```

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use onus_oscal::{load, resolve_against, resolve_owned, Baseline, Catalog, Profile};

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/oscal/nist-800-53-rev5"
);

/// A piece of work to time.
struct Case<'a> {
    name: &'static str,
    what: &'static str,
    run: Box<dyn FnMut() + 'a>,
    times: Vec<Duration>,
}

impl<'a> Case<'a> {
    fn new(name: &'static str, what: &'static str, run: impl FnMut() + 'a) -> Self {
        Case {
            name,
            what,
            run: Box::new(run),
            times: Vec::new(),
        }
    }

    fn median(&self) -> Duration {
        let mut times = self.times.clone();
        times.sort();
        times[times.len() / 2]
    }

    fn fastest(&self) -> Duration {
        self.times.iter().copied().min().unwrap_or_default()
    }
}

/// Runs every case once per round, so that other load on the machine
/// falls on all cases alike.
fn measure(cases: &mut [Case], runs: usize) {
    for _ in 0..3 {
        cases.iter_mut().for_each(|case| (case.run)());
    }
    for _ in 0..runs {
        for case in cases.iter_mut() {
            let start = Instant::now();
            (case.run)();
            case.times.push(start.elapsed());
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .filter(|&r| r > 0)
        .unwrap_or(30);
    let data = Path::new(DATA);
    let catalog_path: PathBuf = data.join("NIST_SP-800-53_rev5_catalog.json");
    let profile_path: PathBuf = data.join("NIST_SP-800-53_rev5_HIGH-baseline_profile.json");
    let catalog_text = std::fs::read_to_string(&catalog_path).expect("the NIST catalog");
    let profile_text = std::fs::read_to_string(&profile_path).expect("the HIGH profile");

    // Check once that the benchmarked work is the real thing.
    let high = load::resolve_file(&profile_path, &load::HrefMap::new()).expect("HIGH resolves");
    assert_eq!(high.len(), 370, "HIGH has 370 controls and enhancements");
    let parsed = Catalog::from_json(&catalog_text).expect("the catalog parses");
    let profile = Profile::from_json(&profile_text).expect("the profile parses");

    // What `onus crm --baseline nist-800-53-rev5-high` reads, against the
    // ways to get the same baseline from JSON.
    let resolved_high_path = data.join(
        "../nist-800-53-rev5-5.1.1/NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min.json",
    );
    let builtin = Baseline::builtin("nist-800-53-rev5-high").expect("the built-in HIGH");
    assert_eq!(builtin.len(), 370);
    assert_eq!(
        Baseline::of_catalog(&load::read_catalog(&resolved_high_path).unwrap()).controls,
        builtin.controls,
        "the built-in is NIST's 5.1.1 resolved HIGH"
    );

    // FedRAMP LOW through the mapped chain: FedRAMP's profile, its catalog
    // import mapped to NIST's resolved 5.1.1 HIGH.
    let fedramp_low = data.join("../fedramp-rev5/FedRAMP_rev5_LOW-baseline_profile.json");
    let mut to_high = load::HrefMap::new();
    to_high.insert("NIST_SP-800-53_rev5_catalog.json", &resolved_high_path);
    assert_eq!(
        load::resolve_file(&fedramp_low, &to_high).unwrap().len(),
        156
    );

    let cases = [
        Case::new(
            "fedramp_low",
            "load::resolve_file(FedRAMP LOW, --href-map to NIST 5.1.1 HIGH) from disk",
            || {
                black_box(load::resolve_file(&fedramp_low, &to_high).unwrap());
            },
        ),
        Case::new(
            "builtin",
            "Baseline::builtin(HIGH): decode the bundled form",
            || {
                black_box(Baseline::builtin("nist-800-53-rev5-high").unwrap());
            },
        ),
        Case::new(
            "resolved_json",
            "read + parse NIST's resolved HIGH catalog (5.1.1), Baseline::of_catalog",
            || {
                let catalog = load::read_catalog(&resolved_high_path).unwrap();
                black_box(Baseline::of_catalog(&catalog));
            },
        ),
        Case::new(
            "profile_baseline",
            "load::resolve_file(HIGH) from disk, Baseline::of (crm --profile)",
            || {
                let resolved = load::resolve_file(&profile_path, &load::HrefMap::new()).unwrap();
                black_box(Baseline::of(&resolved));
            },
        ),
        Case::new("read", "read the catalog file (3.2 MB)", || {
            black_box(std::fs::read_to_string(&catalog_path).unwrap());
        }),
        Case::new("floor", "serde_json::from_str::<Value>(catalog)", || {
            black_box(serde_json::from_str::<serde_json::Value>(&catalog_text).unwrap());
        }),
        Case::new("floor_file", "read + serde_json Value parse", || {
            let text = std::fs::read_to_string(&catalog_path).unwrap();
            black_box(serde_json::from_str::<serde_json::Value>(&text).unwrap());
        }),
        Case::new("parse", "onus Catalog::from_json(catalog)", || {
            black_box(Catalog::from_json(&catalog_text).unwrap());
        }),
        Case::new(
            "resolve_only",
            "resolve HIGH on a parsed catalog (copying)",
            || {
                black_box(resolve_against(&profile, &parsed).unwrap());
            },
        ),
        Case::new("onus", "onus parse catalog + profile, resolve HIGH", || {
            let catalog = Catalog::from_json(&catalog_text).unwrap();
            let profile = Profile::from_json(&profile_text).unwrap();
            black_box(resolve_owned(&profile, catalog).unwrap());
        }),
        Case::new(
            "onus_file",
            "onus load::resolve_file(HIGH) from disk",
            || {
                black_box(load::resolve_file(&profile_path, &load::HrefMap::new()).unwrap());
            },
        ),
    ];
    let wanted = std::env::var("CASES").unwrap_or_default();
    let mut cases: Vec<Case> = cases
        .into_iter()
        .filter(|case| wanted.is_empty() || wanted.split(',').any(|w| w == case.name))
        .collect();
    measure(&mut cases, runs);

    println!("OSCAL: NIST SP 800-53 Rev. 5 catalog, HIGH baseline; {runs} runs each\n");
    println!(
        "{:<14} {:>11} {:>11}  what",
        "case", "median ms", "fastest ms"
    );
    for case in &cases {
        println!(
            "{:<14} {:>11.2} {:>11.2}  {}",
            case.name,
            ms(case.median()),
            ms(case.fastest()),
            case.what
        );
    }
    let median = |name: &str| {
        cases
            .iter()
            .find(|c| c.name == name)
            .map_or(0.0, |c| ms(c.median()))
    };
    if wanted.is_empty() {
        println!(
            "\nonus / floor (in memory): {:.2}x    onus_file / floor_file (from disk): {:.2}x",
            median("onus") / median("floor"),
            median("onus_file") / median("floor_file"),
        );
    }
    for case in &cases {
        println!("RESULT {} {:.4}", case.name, ms(case.median()));
    }
}
