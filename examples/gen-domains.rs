//! Writes a deterministic synthetic data set for benchmarks and experiments:
//!
//! ```text
//! cargo run --release --example gen-domains -- OUT_DIR [DOMAINS] [QUERIES]
//! ```
//!
//! OUT_DIR gets `isptab.kdl` (three records over the lists, for
//! `isptab check --no-defaults` and `isptab build --no-defaults`), `domains.txt`
//! (DOMAINS exact names, default 1,000,000), `suffixes.txt` (2,000 `*.suffix`
//! rules), and query streams `queries-uniform.txt`, `queries-zipf.txt`,
//! `queries-suffix-walk.txt` and `queries-miss.txt` (QUERIES each, default
//! 1,000,000). The same arguments give the same files on every machine.

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
        eprintln!("usage: gen-domains OUT_DIR [DOMAINS] [QUERIES]");
        std::process::exit(2);
    };
    let count =
        |i: usize, default: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    let (domains, queries) = (count(2, 1_000_000), count(3, 1_000_000));
    let dir = Path::new(dir);
    std::fs::create_dir_all(dir)?;
    let data = generator::dataset(domains, 2_000, 50, 1);
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
    eprintln!(
        "wrote {domains} domains, 2000 suffix rules, 50 globs and 4 x {queries} queries to {}",
        dir.display()
    );
    Ok(())
}
