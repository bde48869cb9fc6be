//! The YAML fast path against yaml-rust2, on the synthetic chain of
//! `check_resolve` (default 2000x20x5: `ONUS_BENCH_SIZE`). Commit 814b3e6
//! ran saphyr-parser's events here too (docs/benchmarks.md, "YAML: the fast
//! path against saphyr-parser").
//!
//! `cargo bench -p onus-core --bench yaml_parsers` prints the median wall
//! time of each way of reading every file of the chain:
//!
//! - `fast`: `syntax::yaml_paths::fast`, the hand-written parser, to the tree;
//! - `slow`: `syntax::yaml_paths::slow`, yaml-rust2's events to the same tree;
//! - `yaml-rust2 events`: yaml-rust2's event stream alone, no tree: a floor
//!   for any tree built on it.
//!
//! `ONUS_BENCH_ONLY=fast|slow|yaml-rust2|none` runs that one way once
//! (`none`: only generating the chain), for instruction counts:
//! `valgrind --tool=callgrind` of each minus `none`.

#[allow(dead_code)]
mod synthetic;

use std::time::{Duration, Instant};

use onus_core::source::FileId;
use onus_core::syntax::yaml_paths::{fast, slow};

type Way = fn(&str) -> usize;

const WAYS: &[(&str, &str, Way)] = &[
    ("fast", "fast (hand-written) to tree", |t| {
        usize::from(fast(FileId(0), t).is_some())
    }),
    ("slow", "slow (yaml-rust2) to tree", |t| {
        usize::from(slow(FileId(0), t).0.is_some())
    }),
    ("yaml-rust2", "yaml-rust2 events only", yaml_rust2_events),
];

fn yaml_rust2_events(text: &str) -> usize {
    use yaml_rust2::parser::{Event, Parser};
    let mut parser = Parser::new_from_str(text);
    let mut n = 0;
    loop {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) => return n,
            Ok(event) => {
                std::hint::black_box(&event);
                n += 1;
            }
            Err(e) => panic!("yaml-rust2: {e}"),
        }
    }
}

fn main() {
    let size = std::env::var("ONUS_BENCH_SIZE").unwrap_or_else(|_| "2000x20x5".into());
    let size = synthetic::Size::parse(&size).expect("a size such as 2000x20x5");
    let files: Vec<String> = synthetic::generate(size).into_values().collect();
    let run = |way: Way| files.iter().map(|t| way(t)).sum::<usize>();
    if let Ok(only) = std::env::var("ONUS_BENCH_ONLY") {
        if only != "none" {
            let (_, _, way) = WAYS
                .iter()
                .find(|(name, _, _)| *name == only)
                .expect("ONUS_BENCH_ONLY: fast, slow, yaml-rust2 or none");
            std::hint::black_box(run(*way));
        }
        return;
    }
    let bytes: usize = files.iter().map(String::len).sum();
    println!("{size}: {} files, {} KB", files.len(), bytes / 1024);
    let runs = 11;
    // Interleaved, so that a busy machine slows every way alike.
    let mut times = vec![Vec::new(); WAYS.len()];
    for _ in 0..runs {
        for (i, (_, _, way)) in WAYS.iter().enumerate() {
            let start = Instant::now();
            std::hint::black_box(run(*way));
            times[i].push(start.elapsed());
        }
    }
    let medians: Vec<Duration> = times
        .into_iter()
        .map(|mut t| {
            t.sort();
            t[t.len() / 2]
        })
        .collect();
    for ((_, label, _), m) in WAYS.iter().zip(&medians) {
        println!(
            "{label:>30}: median {:>8.1} ms of {runs}, {:>5.2}x fast",
            m.as_secs_f64() * 1e3,
            m.as_secs_f64() / medians[0].as_secs_f64()
        );
    }
}
