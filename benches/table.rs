//! isptab's own table: build, open and lookup costs on a synthetic data set of
//! 1,000,000 domains, 2,000 suffix rules and 50 globs (override the size with
//! `ISPTAB_BENCH_DOMAINS`).
//!
//! ```text
//! cargo bench --bench table
//! ```

#[path = "support/gen.rs"]
mod generator;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use isptab::semantics::model::Model;
use isptab::table::{self, Table};
use isptab::{DefaultsSource, Input, Options};

/// Writes the data set as a configuration with domains files, like `gen-domains`.
fn write_config(dir: &Path, data: &generator::DataSet) -> PathBuf {
    std::fs::write(dir.join("domains.txt"), data.domains.join("\n")).unwrap();
    let suffixes: Vec<String> = data.suffixes.iter().map(|s| format!("*.{s}")).collect();
    std::fs::write(dir.join("suffixes.txt"), suffixes.join("\n")).unwrap();
    let globs: Vec<String> = data.globs.iter().map(|g| format!("\"{g}\"")).collect();
    let kdl = format!(
        "isp \"Bulk\" {{ domains-file \"domains.txt\" }}\nisp \"Hosted\" {{ domains-file \"suffixes.txt\" }}\nisp \"Brands\" {{ domains {} }}\n",
        globs.join(" ")
    );
    let path = dir.join("isptab.kdl");
    std::fs::write(&path, kdl).unwrap();
    path
}

fn load(path: &Path) -> Model {
    let options = Options {
        defaults: DefaultsSource::None,
        ..Options::default()
    };
    let checked = isptab::check(&[Input::Path(path.to_path_buf())], &options).unwrap();
    checked.into_model().unwrap()
}

fn size() -> usize {
    std::env::var("ISPTAB_BENCH_DOMAINS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}

fn benches(c: &mut Criterion) {
    let n = size();
    let data = generator::dataset(n, 2_000, 50, 1);
    let queries = generator::queries(&data, 1_000_000, 2);
    let dir = tempfile::tempdir().unwrap();
    let config_path = write_config(dir.path(), &data);
    let config = load(&config_path);
    let bytes = table::compile(&config).unwrap();
    let table_path = dir.path().join("bench.isptab");
    std::fs::write(&table_path, &bytes).unwrap();
    eprintln!(
        "table of {n} domains + 2000 suffix rules + 50 globs: {} bytes, {:.2} bytes per domain",
        bytes.len(),
        bytes.len() as f64 / n as f64
    );

    let mut group = c.benchmark_group(format!("build/{n}"));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("check+compile from domains-file", |b| {
        b.iter(|| table::compile(&load(&config_path)).unwrap())
    });
    group.bench_function("compile merged config", |b| {
        b.iter(|| table::compile(&config).unwrap())
    });
    group.finish();

    let mut group = c.benchmark_group(format!("open/{n}"));
    group.bench_function("Table::open (mmap + validation)", |b| {
        b.iter(|| Table::open(&table_path).unwrap())
    });
    group.bench_function("open + first answer", |b| {
        b.iter(|| {
            let t = Table::open(&table_path).unwrap();
            black_box(t.lookup_domain(&queries.uniform[0]).is_some())
        })
    });
    group.bench_function("Table::verify (full checksum pass)", |b| {
        let t = Table::open(&table_path).unwrap();
        b.iter(|| t.verify().unwrap())
    });
    group.finish();

    let table = Table::open(&table_path).unwrap();
    let mut group = c.benchmark_group(format!("lookup/{n}"));
    group.throughput(Throughput::Elements(1));
    for (name, stream) in [
        ("exact hit, uniform", &queries.uniform),
        ("exact hit, zipf", &queries.zipf),
        ("4-label suffix walk", &queries.suffix_walk),
        ("miss", &queries.miss),
    ] {
        let mut i = 0;
        group.bench_function(name, |b| {
            b.iter_batched(
                || {
                    i = (i + 1) % stream.len();
                    &stream[i]
                },
                |q| black_box(table.lookup_domain(q).is_some()),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group!(table_benches, benches);
criterion_main!(table_benches);
