//! The `apply` throughput comparison's Rust side (`benches/apply.sh`):
//!
//! ```text
//! cargo run --release --example apply-corpus -- write CASE DIR   # the case's messages, for the peer
//! cargo run --release --example apply-corpus -- time CASE ROUNDS # MB/s of input over ROUNDS passes
//! ```
//!
//! CASE is `header-only` or `re-encode` (`benches/support/apply_corpus.rs`).

use std::path::Path;
use std::time::Instant;

use isptab::apply::{Options, apply};

#[path = "../benches/support/apply_corpus.rs"]
mod apply_corpus;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: apply-corpus write CASE DIR | time CASE ROUNDS";
    let [command, case, arg] = args.as_slice() else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let Some((shape, messages)) = apply_corpus::case(case, root) else {
        eprintln!("unknown case `{case}`; {usage}");
        std::process::exit(2);
    };
    match command.as_str() {
        "write" => {
            let dir = Path::new(arg);
            std::fs::create_dir_all(dir).expect("create DIR");
            for (i, m) in messages.iter().enumerate() {
                std::fs::write(dir.join(format!("{i:04}.eml")), m).expect("write a message");
            }
        }
        "time" => {
            let rounds: usize = arg.parse().expect("ROUNDS is a number");
            let bytes: usize = messages.iter().map(Vec::len).sum();
            let start = Instant::now();
            let mut out = 0usize;
            for _ in 0..rounds {
                for m in &messages {
                    out += apply(m, &shape, &Options::default()).map_or(0, |a| a.message.len());
                }
            }
            let seconds = start.elapsed().as_secs_f64();
            let mb = (bytes * rounds) as f64 / 1e6;
            println!(
                "{:.1} MB/s ({} messages, {bytes} bytes, {out} out)",
                mb / seconds,
                messages.len()
            );
        }
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    }
}
