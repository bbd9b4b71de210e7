//! Writes a deterministic synthetic data set for benchmarks and experiments:
//!
//! ```text
//! cargo run --release --example gen-domains -- OUT_DIR [DOMAINS] [QUERIES] [MIX]
//! ```
//!
//! OUT_DIR gets `isptab.kdl` (three records over the lists, for
//! `isptab check --no-defaults` and `isptab build --no-defaults`), `domains.txt`
//! (DOMAINS exact names, default 1,000,000), `suffixes.txt` (2,000 `*.suffix`
//! rules), and query streams `queries-uniform.txt`, `queries-zipf.txt`,
//! `queries-suffix-walk.txt` and `queries-miss.txt` (QUERIES each, default
//! 1,000,000). MIX is the name-length mix: `short` (the default, about 14.5
//! bytes a name), `medium` (21), `long` (29), `hex` (hosted customer names such
//! as `cust123456-9f3a.provider.com`, 29) or `real` (the 4,461 domains of a real
//! free-mail list, whatever DOMAINS says). The same arguments give the same
//! files on every machine.

#[path = "../benches/support/gen.rs"]
mod generator;

use std::io::Write;
use std::path::Path;

fn write_lines(path: &Path, header: &str, lines: &[String]) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    out.write_all(header.as_bytes())?;
    for line in lines {
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let Some(dir) = args.get(1) else {
        eprintln!("usage: gen-domains OUT_DIR [DOMAINS] [QUERIES] [short|medium|long|hex|real]");
        std::process::exit(2);
    };
    let count =
        |i: usize, default: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    let (domains, queries) = (count(2, 1_000_000), count(3, 1_000_000));
    let Some(mix) = generator::Mix::parse(args.get(4).map_or("short", String::as_str)) else {
        eprintln!("gen-domains: MIX is one of short, medium, long, hex, real");
        std::process::exit(2);
    };
    let dir = Path::new(dir);
    std::fs::create_dir_all(dir)?;
    let data = generator::dataset_of(mix, domains, 2_000, 50, 1);
    let q = generator::queries(&data, queries, 2);
    let header = "# Synthetic data from `cargo run --example gen-domains`.\n";
    write_lines(&dir.join("domains.txt"), header, &data.domains)?;
    let suffixes: Vec<String> = data.suffixes.iter().map(|s| format!("*.{s}")).collect();
    write_lines(&dir.join("suffixes.txt"), header, &suffixes)?;
    for (name, lines) in [
        ("queries-uniform.txt", &q.uniform),
        ("queries-zipf.txt", &q.zipf),
        ("queries-suffix-walk.txt", &q.suffix_walk),
        ("queries-miss.txt", &q.miss),
    ] {
        write_lines(&dir.join(name), "", lines)?;
    }
    let globs: Vec<String> = data.globs.iter().map(|g| format!("\"{g}\"")).collect();
    std::fs::write(
        dir.join("isptab.kdl"),
        format!(
            "// Synthetic benchmark configuration (gen-domains); check and build it with --no-defaults.\n\
             isp \"Bulk\" {{\n    domains-file \"domains.txt\"\n}}\n\
             isp \"Hosted\" {{\n    domains-file \"suffixes.txt\"\n}}\n\
             isp \"Brands\" {{\n    domains {}\n}}\n",
            globs.join(" ")
        ),
    )?;
    let (names, bytes) = (
        data.domains.len(),
        data.domains.iter().map(String::len).sum::<usize>(),
    );
    eprintln!(
        "wrote {names} domains ({} mix, {:.1} bytes a name), 2000 suffix rules, 50 globs and 4 x {queries} queries to {}",
        mix.name(),
        bytes as f64 / names.max(1) as f64,
        dir.display()
    );
    Ok(())
}
