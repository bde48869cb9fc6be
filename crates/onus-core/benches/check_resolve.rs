//! Load (parse + decode), check and resolve synthetic model chains of growing
//! size, to show that the cost is linear in cells (areas x offerings x models).
//!
//! `cargo bench -p onus-core --bench check_resolve` prints one row per size,
//! with the median of several runs and, as a floor, the time to merely parse
//! the same text into the node tree (`onus_core::syntax::parse`).
//!
//! Columns: `load` is `ModelSet::load` (parse and decode every file),
//! `check` is `check::check`, `resolve` is `resolve::resolve` of the root
//! (the whole chain, fully: checking resolved only the upstreams' customer
//! parts), `total` their sum.
//!
//! - `ONUS_BENCH_SIZES=100x5x1,2000x20x5` picks the sizes (areas x offerings x models;
//!   `2000x20x5/inherit` for the chain where every cell inherits).
//! - `ONUS_BENCH_WRITE=DIR` writes the files of one chain (`ONUS_BENCH_SIZE`,
//!   default 2000x20x5) into DIR and exits, for `scripts/bench-core.sh`.

mod synthetic;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use onus_core::check::check;
use onus_core::load::ModelSet;
use onus_core::resolve::resolve;
use onus_core::source::FileId;
use onus_core::syntax::{parse, Syntax};
use synthetic::Size;

const SIZES: &[&str] = &[
    "100x5x1",
    "500x10x3",
    "1000x20x5",
    "2000x20x5",
    "4000x20x5",
    "2000x20x5/inherit",
];

fn main() {
    if let Ok(dir) = std::env::var("ONUS_BENCH_WRITE") {
        let size = std::env::var("ONUS_BENCH_SIZE").unwrap_or_else(|_| "2000x20x5".into());
        write(Path::new(&dir), size_of(&size));
        return;
    }
    let sizes: Vec<Size> = match std::env::var("ONUS_BENCH_SIZES") {
        Ok(list) => list.split(',').map(size_of).collect(),
        Err(_) => SIZES.iter().map(|s| size_of(s)).collect(),
    };
    println!(
        "{:>18} {:>7} {:>7} {:>4} {:>8} {:>8} {:>8} {:>8} {:>9} {:>8} {:>7}",
        "size",
        "cells",
        "text KB",
        "runs",
        "parse ms",
        "load ms",
        "check ms",
        "resolve",
        "total ms",
        "ns/cell",
        "x parse",
    );
    for size in sizes {
        bench(size);
    }
}

fn size_of(text: &str) -> Size {
    Size::parse(text).unwrap_or_else(|| {
        panic!("`{text}` is not a size: write AREASxOFFERINGSxMODELS, offerings >= 3")
    })
}

fn write(dir: &Path, size: Size) {
    std::fs::create_dir_all(dir).expect("create the output folder");
    for (name, text) in synthetic::generate(size) {
        std::fs::write(dir.join(name), text).expect("write a model file");
    }
    eprintln!(
        "wrote {} models of {} areas x {} offerings to {}; the root is {}",
        size.models,
        size.areas,
        size.offerings,
        dir.display(),
        dir.join(synthetic::file_name(0)).display()
    );
}

/// The chain checks with no findings at all, and resolves to a full matrix.
fn validate(size: Size, files: &HashMap<PathBuf, String>, root: &Path) {
    let set = ModelSet::load(&[root.to_path_buf()], files).unwrap();
    assert_eq!(set.models.len(), size.models);
    let found = check(&set);
    assert!(
        found.is_empty(),
        "the synthetic chain {size:?} has findings:\n{}",
        onus_core::diagnostic::text::render(&found[..found.len().min(5)], &set.sources, false)
    );
    let matrix = resolve(&set, set.roots[0]).expect("the root resolves");
    assert_eq!(matrix.offerings.len(), size.offerings);
    for offering in &matrix.offerings {
        assert_eq!(offering.areas.len(), size.areas);
        for area in &offering.areas {
            assert!(!area.holders.is_empty(), "nobody holds {}", area.id);
        }
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn bench(size: Size) {
    let files = synthetic::generate(size);
    let root = PathBuf::from(synthetic::file_name(0));
    validate(size, &files, &root);
    let bytes: usize = files.values().map(String::len).sum();
    // About a second per size, at least 5 runs, an odd count for the median.
    let runs = (2_000_000 / size.cells()).clamp(5, 51) | 1;

    let mut parse_t = Vec::new();
    let mut load_t = Vec::new();
    let mut check_t = Vec::new();
    let mut resolve_t = Vec::new();
    let mut total_t = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        for (i, text) in files.values().enumerate() {
            let (root, _) = parse(FileId(i as u32), text, Syntax::Yaml);
            std::hint::black_box(root);
        }
        parse_t.push(start.elapsed());

        let start = Instant::now();
        let set = ModelSet::load(std::slice::from_ref(&root), &files).unwrap();
        let loaded = start.elapsed();
        let found = check(&set);
        let checked = start.elapsed();
        let matrix = resolve(&set, set.roots[0]);
        let resolved = start.elapsed();
        std::hint::black_box((&found, &matrix));
        load_t.push(loaded);
        check_t.push(checked - loaded);
        resolve_t.push(resolved - checked);
        total_t.push(resolved);
        drop((found, matrix));
    }
    let (parse_m, load_m, total_m) = (median(parse_t), median(load_t), median(total_t));
    println!(
        "{:>18} {:>7} {:>7} {:>4} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>9.2} {:>8.0} {:>7.2}",
        size.to_string(),
        size.cells(),
        bytes / 1024,
        runs,
        ms(parse_m),
        ms(load_m),
        ms(median(check_t)),
        ms(median(resolve_t)),
        ms(total_m),
        total_m.as_nanos() as f64 / size.cells() as f64,
        total_m.as_secs_f64() / parse_m.as_secs_f64(),
    );
}
