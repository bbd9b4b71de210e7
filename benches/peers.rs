//! isptab against the tables people use today, in one run on the same keys and the
//! same lookup semantics (exact name first, then suffix rules from the longest
//! suffix to the shortest):
//!
//! - the isptab table, memory-mapped from its file;
//! - `std::collections::HashMap<String, u32>` (SipHash) and the same map with
//!   foldhash, one map for exact names and one for suffixes, walking every suffix;
//! - a cdb file (the `cdb` crate), keys `E<name>` and `S<suffix>`, the same walk;
//! - an `fst::Map` over reversed keys, answered in one right-to-left walk.
//!
//! Sizes: 10^6 and 10^7 domains plus 2,000 suffix rules (set `ISPTAB_BENCH_SIZES`,
//! e.g. `1000000`). Each size prints a table of bytes per key and checks that every
//! peer gives the same answers before timing anything.
//!
//! ```text
//! cargo bench --bench peers
//! ```

#[path = "support/gen.rs"]
mod generator;

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use fst::raw::Fst;
use isptab::table::{self, Table};
use isptab::{DefaultsSource, Input, Options};

/// Record ids: exact names belong to record 0, suffix rules to record 1.
const EXACT: u32 = 0;
const SUFFIX: u32 = 1;

/// Queries in one buffer, so reading a query costs the same for every peer.
struct QueryBuf {
    text: String,
    spans: Vec<(u32, u32)>,
}

impl QueryBuf {
    fn new(queries: &[String]) -> QueryBuf {
        let mut text = String::new();
        let mut spans = Vec::with_capacity(queries.len());
        for q in queries {
            spans.push((text.len() as u32, q.len() as u32));
            text.push_str(q);
        }
        QueryBuf { text, spans }
    }

    fn get(&self, i: usize) -> &str {
        let (start, len) = self.spans[i % self.spans.len()];
        &self.text[start as usize..(start + len) as usize]
    }
}

/// A table that answers "which record applies to this domain".
trait Peer {
    fn lookup(&self, domain: &str) -> Option<u32>;
}

struct Isptab(Table<memmap2::Mmap>);

impl Peer for Isptab {
    fn lookup(&self, domain: &str) -> Option<u32> {
        self.0
            .lookup_domain(domain)
            .map(|m| u32::from(m.record.id()))
    }
}

/// Suffixes of a domain, longest first, never the domain itself.
fn suffixes(domain: &str) -> impl Iterator<Item = &str> {
    domain
        .match_indices('.')
        .map(move |(i, _)| &domain[i + 1..])
}

struct Maps<S> {
    exact: HashMap<String, u32, S>,
    suffix: HashMap<String, u32, S>,
}

impl<S: BuildHasher + Default> Maps<S> {
    fn build(exact: &[String], suffix: &[String]) -> Maps<S> {
        let mut maps = Maps {
            exact: HashMap::with_capacity_and_hasher(exact.len(), S::default()),
            suffix: HashMap::with_capacity_and_hasher(suffix.len(), S::default()),
        };
        for d in exact {
            maps.exact.insert(d.clone(), EXACT);
        }
        for s in suffix {
            maps.suffix.insert(s.clone(), SUFFIX);
        }
        maps
    }

    /// Heap bytes: table slots plus each string's own allocation.
    fn heap_bytes(&self) -> usize {
        let slot = std::mem::size_of::<(String, u32)>() + 1;
        [&self.exact, &self.suffix]
            .iter()
            .map(|m| {
                m.capacity() * slot
                    + m.keys()
                        .map(|k| k.capacity().div_ceil(16) * 16)
                        .sum::<usize>()
            })
            .sum()
    }
}

impl<S: BuildHasher> Peer for Maps<S> {
    fn lookup(&self, domain: &str) -> Option<u32> {
        if let Some(&v) = self.exact.get(domain) {
            return Some(v);
        }
        suffixes(domain).find_map(|s| self.suffix.get(s).copied())
    }
}

struct Cdb(cdb::CDB);

impl Cdb {
    fn build(path: &Path, exact: &[String], suffix: &[String]) -> Cdb {
        let mut make = cdb::CDBMake::new(std::fs::File::create(path).unwrap()).unwrap();
        for d in exact {
            make.add(format!("E{d}").as_bytes(), &EXACT.to_le_bytes())
                .unwrap();
        }
        for s in suffix {
            make.add(format!("S{s}").as_bytes(), &SUFFIX.to_le_bytes())
                .unwrap();
        }
        make.finish().unwrap();
        Cdb(cdb::CDB::open(path).unwrap())
    }

    fn get(&self, kind: u8, key: &str) -> Option<u32> {
        let mut buf = [0u8; 256];
        buf[0] = kind;
        buf[1..=key.len()].copy_from_slice(key.as_bytes());
        let value = self.0.get(&buf[..=key.len()])?.ok()?;
        Some(u32::from_le_bytes(value.get(..4)?.try_into().ok()?))
    }
}

impl Peer for Cdb {
    fn lookup(&self, domain: &str) -> Option<u32> {
        self.get(b'E', domain)
            .or_else(|| suffixes(domain).find_map(|s| self.get(b'S', s)))
    }
}

/// An FST over reversed keys: an exact name `gmail.com` is `moc.liamg` + 0x01, a
/// suffix rule `*.example.com` is `moc.elpmaxe.`. One walk over the reversed query
/// finds the longest suffix rule on the way and the exact name at the end.
struct FstMap(fst::Map<memmap2::Mmap>);

fn reversed(s: &str) -> Vec<u8> {
    s.bytes().rev().collect()
}

impl FstMap {
    fn build(path: &Path, exact: &[String], suffix: &[String]) -> FstMap {
        let mut keys: Vec<(Vec<u8>, u64)> = Vec::with_capacity(exact.len() + suffix.len());
        for d in exact {
            let mut k = reversed(d);
            k.push(1);
            keys.push((k, u64::from(EXACT)));
        }
        for s in suffix {
            let mut k = reversed(s);
            k.push(b'.');
            keys.push((k, u64::from(SUFFIX)));
        }
        keys.sort_unstable();
        let mut builder = fst::MapBuilder::new(std::io::BufWriter::new(
            std::fs::File::create(path).unwrap(),
        ))
        .unwrap();
        for (k, v) in keys {
            builder.insert(k, v).unwrap();
        }
        builder.finish().unwrap();
        FstMap::open(path)
    }

    fn open(path: &Path) -> FstMap {
        let file = std::fs::File::open(path).unwrap();
        // SAFETY (benchmark only): the file is not changed while mapped.
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::Mmap::map(&file) }.unwrap();
        FstMap(fst::Map::new(map).unwrap())
    }
}

impl Peer for FstMap {
    fn lookup(&self, domain: &str) -> Option<u32> {
        let fst: &Fst<memmap2::Mmap> = self.0.as_fst();
        let mut node = fst.root();
        let mut out = fst::raw::Output::zero();
        let mut suffix_hit = None;
        for &b in domain.as_bytes().iter().rev() {
            let Some(i) = node.find_input(b) else {
                return suffix_hit;
            };
            let t = node.transition(i);
            out = out.cat(t.out);
            node = fst.node(t.addr);
            if b == b'.' && node.is_final() {
                suffix_hit = Some(out.cat(node.final_output()).value() as u32);
            }
        }
        // The whole name: an exact key, or (after a further '.') a suffix rule of
        // the name itself, which does not apply to the name.
        if let Some(i) = node.find_input(1) {
            let t = node.transition(i);
            let end = fst.node(t.addr);
            if end.is_final() {
                return Some(out.cat(t.out).cat(end.final_output()).value() as u32);
            }
        }
        suffix_hit
    }
}

fn write_lists(dir: &Path, data: &generator::DataSet) -> PathBuf {
    std::fs::write(dir.join("domains.txt"), data.domains.join("\n")).unwrap();
    let rules: Vec<String> = data.suffixes.iter().map(|s| format!("*.{s}")).collect();
    std::fs::write(dir.join("suffixes.txt"), rules.join("\n")).unwrap();
    let path = dir.join("isptab.kdl");
    std::fs::write(
        &path,
        "isp \"Bulk\" { domains-file \"domains.txt\" }\nisp \"Hosted\" { domains-file \"suffixes.txt\" }\n",
    )
    .unwrap();
    path
}

fn sizes() -> Vec<usize> {
    std::env::var("ISPTAB_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000_000, 10_000_000])
}

/// Every peer on `n` names of `mix` (the real list is its own size).
fn bench_size(c: &mut Criterion, mix: generator::Mix, n: usize) {
    let data = generator::dataset_of(mix, n, 2_000, 0, 1);
    let n = data.domains.len();
    let name_bytes = data.domains.iter().map(String::len).sum::<usize>() as f64 / n as f64;
    let mix = mix.name();
    let queries = generator::queries(&data, 1_000_000, 2);
    let dir = tempfile::tempdir().unwrap();
    let config_path = write_lists(dir.path(), &data);

    // Build every peer once, timing it.
    let t = Instant::now();
    let options = Options {
        defaults: DefaultsSource::None,
        ..Options::default()
    };
    let checked = isptab::check(&[Input::Path(config_path.clone())], &options).unwrap();
    let config = checked.into_model().unwrap();
    let check_time = t.elapsed();
    let t = Instant::now();
    let bytes = table::compile(&config).unwrap();
    let compile_time = t.elapsed();
    let table_path = dir.path().join("t.isptab");
    std::fs::write(&table_path, &bytes).unwrap();
    let isptab = Isptab(Table::open(&table_path).unwrap());
    let t = Instant::now();
    let std_maps: Maps<std::hash::RandomState> = Maps::build(&data.domains, &data.suffixes);
    let std_time = t.elapsed();
    let t = Instant::now();
    let fold_maps: Maps<foldhash::fast::RandomState> = Maps::build(&data.domains, &data.suffixes);
    let fold_time = t.elapsed();
    let cdb_path = dir.path().join("t.cdb");
    let t = Instant::now();
    let cdb = Cdb::build(&cdb_path, &data.domains, &data.suffixes);
    let cdb_time = t.elapsed();
    let fst_path = dir.path().join("t.fst");
    let t = Instant::now();
    let fst = FstMap::build(&fst_path, &data.domains, &data.suffixes);
    let fst_time = t.elapsed();

    let keys = (n + data.suffixes.len()) as f64;
    let file_len = |p: &Path| std::fs::metadata(p).unwrap().len() as f64;
    eprintln!(
        "\n== mix {mix}: {n} domains ({name_bytes:.1} bytes a name) + {} suffix rules ==",
        data.suffixes.len()
    );
    eprintln!("{:<28} {:>14} {:>12}", "peer", "bytes per key", "build");
    eprintln!(
        "{:<28} {:>14.2} {:>12?}  (+ {check_time:.2?} to read and check the domains files)",
        "isptab table",
        file_len(&table_path) / keys,
        compile_time
    );
    eprintln!(
        "{:<28} {:>14.2} {:>12?}",
        "HashMap<String,u32> std",
        std_maps.heap_bytes() as f64 / keys,
        std_time
    );
    eprintln!(
        "{:<28} {:>14.2} {:>12?}",
        "HashMap<String,u32> foldhash",
        fold_maps.heap_bytes() as f64 / keys,
        fold_time
    );
    eprintln!(
        "{:<28} {:>14.2} {:>12?}",
        "cdb",
        file_len(&cdb_path) / keys,
        cdb_time
    );
    eprintln!(
        "{:<28} {:>14.2} {:>12?}",
        "fst (reversed keys)",
        file_len(&fst_path) / keys,
        fst_time
    );

    let peers: [(&str, &dyn Peer); 5] = [
        ("isptab", &isptab),
        ("HashMap std", &std_maps),
        ("HashMap foldhash", &fold_maps),
        ("cdb", &cdb),
        ("fst", &fst),
    ];
    let classes = [
        (
            "exact hit uniform",
            QueryBuf::new(&queries.uniform),
            Some(EXACT),
        ),
        ("exact hit zipf", QueryBuf::new(&queries.zipf), Some(EXACT)),
        (
            "4-label suffix walk",
            QueryBuf::new(&queries.suffix_walk),
            Some(SUFFIX),
        ),
        ("miss", QueryBuf::new(&queries.miss), None),
    ];
    // Same answers everywhere, before anything is timed.
    for (class, buf, expected) in &classes {
        for i in (0..buf.spans.len()).step_by(97) {
            for (name, peer) in &peers {
                assert_eq!(
                    peer.lookup(buf.get(i)),
                    *expected,
                    "{name}, {class}: {}",
                    buf.get(i)
                );
            }
        }
    }

    // Latency: each lookup waits for the previous answer (the next query's
    // position depends on it), as when an MTA looks up one recipient at a time.
    // Throughput: independent lookups back to back, which the CPU overlaps, as in
    // a batch.
    for (mode, dependent) in [("latency", true), ("throughput", false)] {
        for (class, buf, _) in &classes {
            let mut group = c.benchmark_group(format!("lookup-{mode}/{mix}/{n}/{class}"));
            group
                .measurement_time(Duration::from_secs(4))
                .warm_up_time(Duration::from_secs(1));
            for (name, peer) in &peers {
                let mut next = 0usize;
                group.bench_function(*name, |b| {
                    b.iter_custom(|iters| {
                        let zero = black_box(0usize);
                        let start = Instant::now();
                        for _ in 0..iters {
                            let answer = black_box(peer.lookup(buf.get(next)));
                            let carry = if dependent {
                                answer.map_or(0, |v| v as usize) & zero
                            } else {
                                0
                            };
                            next = next.wrapping_add(1 + carry);
                        }
                        start.elapsed()
                    })
                });
            }
            group.finish();
        }
    }

    // From a file on disk to the first answer.
    let first = queries.uniform[0].as_str();
    let mut group = c.benchmark_group(format!("open-to-first-answer/{mix}/{n}"));
    group.sample_size(10);
    group.bench_function("isptab: open + lookup", |b| {
        b.iter(|| Isptab(Table::open(&table_path).unwrap()).lookup(first))
    });
    group.bench_function("cdb: open + lookup", |b| {
        b.iter(|| Cdb(cdb::CDB::open(&cdb_path).unwrap()).lookup(first))
    });
    group.bench_function("fst: map + lookup", |b| {
        b.iter(|| FstMap::open(&fst_path).lookup(first))
    });
    let domains_path = dir.path().join("domains.txt");
    let suffix_path = dir.path().join("suffixes.txt");
    group.bench_function("HashMap std: read, parse, build + lookup", |b| {
        b.iter(|| {
            let exact: Vec<String> = std::fs::read_to_string(&domains_path)
                .unwrap()
                .lines()
                .map(String::from)
                .collect();
            let suffix: Vec<String> = std::fs::read_to_string(&suffix_path)
                .unwrap()
                .lines()
                .map(|l| l.trim_start_matches("*.").to_string())
                .collect();
            Maps::<std::hash::RandomState>::build(&exact, &suffix).lookup(first)
        })
    });
    group.finish();
}

/// The physical floor: one dependent DRAM access. A pointer chase through 256 MiB
/// in random order (one cycle, so every load waits for the previous one).
fn dram_latency_ns() -> f64 {
    let lines = (256 << 20) / 64;
    let mut rng = generator::Rng(7);
    let mut order: Vec<usize> = (0..lines).collect();
    for i in (1..lines).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let mut next = vec![0usize; lines * 8];
    for w in 0..lines {
        next[order[w] * 8] = order[(w + 1) % lines] * 8;
    }
    let steps = 2_000_000;
    let mut at = 0;
    let start = Instant::now();
    for _ in 0..steps {
        at = next[at];
    }
    black_box(at);
    start.elapsed().as_nanos() as f64 / steps as f64
}

fn benches(c: &mut Criterion) {
    eprintln!(
        "one dependent DRAM access (pointer chase over 256 MiB): {:.0} ns",
        dram_latency_ns()
    );
    // `ISPTAB_BENCH_MIXES=short,hex` limits the mixes; the real list runs once.
    for mix in generator::Mix::from_env("ISPTAB_BENCH_MIXES") {
        let sizes = match mix {
            generator::Mix::Real => vec![usize::MAX],
            _ => sizes(),
        };
        for n in sizes {
            bench_size(c, mix, n);
        }
    }
}

criterion_group!(peer_benches, benches);
criterion_main!(peer_benches);
