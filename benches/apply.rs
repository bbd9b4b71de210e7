//! `isptab::apply` throughput over the test corpus (MB/s of input), in the two
//! cases of `benches/support/apply_corpus.rs`: a record whose encodings already
//! hold (only header rules act) and one that re-encodes every part.
//!
//! `cargo bench --bench apply`; the comparison with Python's `email` parse and
//! generate on the same messages is `benches/apply.sh` (BENCHMARKS.md).

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use isptab::apply::{Options, apply};

#[path = "support/apply_corpus.rs"]
mod apply_corpus;

fn throughput(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut group = c.benchmark_group("apply");
    for name in apply_corpus::CASES {
        let (shape, messages) = apply_corpus::case(name, root).expect("a case");
        let bytes: usize = messages.iter().map(Vec::len).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                for m in &messages {
                    let applied = apply(black_box(m), &shape, &Options::default());
                    black_box(applied.map(|a| a.message.len()).unwrap_or(0));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
