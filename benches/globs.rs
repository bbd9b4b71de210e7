//! Glob matching and the lints over globs, on the shapes that were quadratic or
//! exponential (issue "Safe on untrusted pull requests", items 9 and 10):
//!
//! * `many distinct globs`: 100,000 globs `gN?.zzN` in one record: the table's
//!   open plus first glob lookup (the glob index is built on first use), and a
//!   lookup after that;
//! * `shared literal label`: 5,000 globs `gN?.example`, which all share the
//!   label `example`: lookups of `x.example` (no glob matches) and `g4321z.example`;
//! * `check`: the whole check (lints included) of 200,000 exact names under
//!   `example` plus those 5,000 globs, and of a pair of globs `**` x 40 / `*` x 40
//!   (the glob cover that was exponential).
//!
//! `cargo bench --bench globs`; the figures are in BENCHMARKS.md.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use isptab::table::{self, Table};
use isptab::{DefaultsSource, Input, Options};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn options() -> Options {
    Options {
        defaults: DefaultsSource::None,
        ..Options::default()
    }
}

fn check(path: &Path) -> isptab::Checked {
    isptab::check(&[Input::Path(path.to_path_buf())], &options()).unwrap()
}

fn table_of(path: &Path) -> Vec<u8> {
    table::compile(&check(path).into_model().unwrap()).unwrap()
}

fn globs(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let many: String = (0..100_000).map(|i| format!("g{i}?.zz{i}\n")).collect();
    write(d, "many.txt", &many);
    let many = table_of(&write(
        d,
        "many.kdl",
        "isp \"G\" { domains-file \"many.txt\" }\n",
    ));
    let shared: String = (0..5_000).map(|i| format!("g{i}?.example\n")).collect();
    write(d, "shared.txt", &shared);
    let names: String = (0..200_000).map(|i| format!("name{i}.example\n")).collect();
    write(d, "names.txt", &names);
    let shared_only = write(
        d,
        "shared.kdl",
        "isp \"G\" { domains-file \"shared.txt\" }\n",
    );
    let shared_table = table_of(&shared_only);
    let with_names = write(
        d,
        "with-names.kdl",
        "isp \"G\" { domains-file \"shared.txt\" }\nisp \"N\" { domains-file \"names.txt\" }\n",
    );
    let cover = write(
        d,
        "cover.kdl",
        &format!(
            "isp \"A\" {{ domains \"{}.a\" }}\nisp \"B\" {{ domains \"{}.b\" }}\n",
            vec!["**"; 40].join("."),
            vec!["*"; 40].join(".")
        ),
    );

    let mut group = c.benchmark_group("globs/many distinct globs (100,000)");
    group.sample_size(20);
    group.bench_function("open + first glob lookup", |b| {
        b.iter(|| {
            let t = Table::from_bytes(many.as_slice()).unwrap();
            black_box(t.lookup("g77x.zz77").found().is_some())
        })
    });
    let t = Table::from_bytes(many.as_slice()).unwrap();
    t.lookup("warm.up");
    group.bench_function("lookup", |b| {
        b.iter(|| black_box(t.lookup(black_box("g77x.zz77")).found().is_some()))
    });
    group.finish();

    let mut group = c.benchmark_group("globs/shared literal label (5,000)");
    let t = Table::from_bytes(shared_table.as_slice()).unwrap();
    t.lookup("warm.up");
    group.bench_function("lookup of a miss", |b| {
        b.iter(|| black_box(t.lookup(black_box("x.example")).found().is_some()))
    });
    group.bench_function("lookup of a hit", |b| {
        b.iter(|| black_box(t.lookup(black_box("g4321z.example")).found().is_some()))
    });
    group.finish();

    let mut group = c.benchmark_group("globs/check");
    group.sample_size(10);
    group.bench_function("200,000 names + 5,000 shared-label globs", |b| {
        b.iter(|| black_box(check(&with_names).diagnostics.len()))
    });
    group.bench_function("glob cover ** x 40 against * x 40", |b| {
        b.iter(|| black_box(check(&cover).diagnostics.len()))
    });
    group.finish();
}

criterion_group!(benches, globs);
criterion_main!(benches);
