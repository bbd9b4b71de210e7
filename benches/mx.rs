//! The cost of step 4 (MX matching) against domain lookups, on a table of the
//! built-in defaults plus 100,000 exact names (issue "Recognize hosted domains":
//! "the lookup of an MX set of 3 hosts costs no more than 4 domain lookups"):
//!
//! * `domain miss`: `lookup` of a domain no pattern names (steps 1-3, every
//!   suffix probed);
//! * `mx 3 hosts`: `lookup_with_mx` of that domain with Google Workspace's three
//!   MX hosts (steps 1-3, then three host lookups that all match `*.google.com`);
//! * `mx 3 hosts, mixed`: the same with the last host at an unknown provider;
//! * `mx implicit`: no MX records (the domain is its own MX);
//! * `one MX host`: one normalized host against the MX patterns;
//! * `4 domain lookups`: the domain and its three MX host names each looked up
//!   as a domain (steps 1-3): the budget of `mx 3 hosts`.
//!
//! Before them it prints the ratio of `mx 3 hosts` to `4 domain lookups` measured
//! in interleaved rounds (the target is at most 1).
//!
//! `cargo bench --bench mx`; the figures are in BENCHMARKS.md.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use isptab::table::{self, Table};
use isptab::{DefaultsSource, Input, Options};

fn mx(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let names: String = (0..100_000)
        .map(|i| format!("customer{i}.hosted.example\n"))
        .collect();
    std::fs::write(dir.path().join("names.txt"), names).unwrap();
    let config = dir.path().join("isptab.kdl");
    std::fs::write(&config, "isp \"Hosted\" { domains-file \"names.txt\" }\n").unwrap();
    let checked = isptab::check(
        &[Input::Path(config)],
        &Options {
            defaults: DefaultsSource::Builtin,
            ..Options::default()
        },
    )
    .unwrap();
    let bytes = table::compile(&checked.into_model().unwrap()).unwrap();
    let table = Table::from_bytes(bytes.as_slice()).unwrap();
    let domain = "acme-widgets.example";
    let google = [
        "aspmx.l.google.com",
        "alt1.aspmx.l.google.com",
        "alt2.aspmx.l.google.com",
    ];
    let mixed = [
        "aspmx.l.google.com",
        "alt1.aspmx.l.google.com",
        "mx.unknown-provider.example",
    ];
    assert!(table.lookup(domain).found().is_none());
    assert_eq!(
        table
            .lookup_with_mx(domain, &google)
            .found()
            .map(|m| m.record.name()),
        Some("Gmail")
    );
    // The ratio measured side by side: rounds of each, interleaved, so that the
    // machine's drift hits both alike; the median of the per-round ratios.
    let rounds = 21;
    let per_round = 20_000;
    let time = |f: &dyn Fn() -> bool| {
        let start = std::time::Instant::now();
        for _ in 0..per_round {
            black_box(f());
        }
        start.elapsed().as_secs_f64()
    };
    let mx_set = || {
        table
            .lookup_with_mx(black_box(domain), black_box(&google))
            .found()
            .is_some()
    };
    let four = || {
        let mut n = usize::from(table.lookup(black_box(domain)).found().is_some());
        for host in black_box(&google) {
            n += usize::from(table.lookup(host).found().is_some());
        }
        n > 0
    };
    let mut ratios: Vec<f64> = (0..rounds).map(|_| time(&mx_set) / time(&four)).collect();
    ratios.sort_by(f64::total_cmp);
    println!(
        "mx 3 hosts / 4 domain lookups, {rounds} interleaved rounds: median {:.2}, range {:.2}-{:.2}",
        ratios[rounds / 2],
        ratios[0],
        ratios[rounds - 1]
    );
    let mut group = c.benchmark_group("mx");
    group.bench_function("domain miss", |b| {
        b.iter(|| black_box(table.lookup(black_box(domain)).found().is_some()))
    });
    group.bench_function("mx 3 hosts", |b| {
        b.iter(|| {
            black_box(
                table
                    .lookup_with_mx(black_box(domain), black_box(&google))
                    .found()
                    .is_some(),
            )
        })
    });
    group.bench_function("mx 3 hosts, mixed", |b| {
        b.iter(|| {
            black_box(
                table
                    .lookup_with_mx(black_box(domain), black_box(&mixed))
                    .found()
                    .is_some(),
            )
        })
    });
    // The same four names (the domain and its three hosts) through steps 1-3.
    group.bench_function("4 domain lookups", |b| {
        b.iter(|| {
            let mut n = usize::from(table.lookup(black_box(domain)).found().is_some());
            for host in black_box(&google) {
                n += usize::from(table.lookup(host).found().is_some());
            }
            black_box(n)
        })
    });
    group.bench_function("one MX host", |b| {
        b.iter(|| {
            black_box(
                table
                    .lookup_mx_host(black_box("alt1.aspmx.l.google.com"))
                    .is_some(),
            )
        })
    });
    let none: [&str; 0] = [];
    group.bench_function("mx implicit", |b| {
        b.iter(|| {
            black_box(
                table
                    .lookup_with_mx(black_box(domain), black_box(&none))
                    .found()
                    .is_some(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, mx);
criterion_main!(benches);
