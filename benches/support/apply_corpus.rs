//! The messages and records of the `apply` benchmarks (`benches/apply.rs`,
//! `examples/apply-corpus.rs`, `benches/apply.sh`): every test message of the
//! corpus that apply takes, prepared for two cases.
//!
//! * `header-only`: a typical record (html and text quoted-printable, the rest
//!   base64, two removes, two adds) over messages it already rewrote once, so its
//!   encodings hold and only the header rules act (every part is copied);
//! * `re-encode`: messages rewritten to quoted-printable everywhere, under a
//!   record that asks for base64 everywhere (with the same rules): every leaf is
//!   decoded and encoded again.
#![allow(dead_code)] // each user takes a part

use std::path::Path;

use isptab::apply::{Options, Shape, apply};
use isptab::semantics::encoding::{Effective, Encoding};
use isptab::semantics::header::HeaderOp;

/// Where the corpus is, from the crate's root.
pub const CORPUS: [&str; 3] = [
    "tests/fixtures/apply/messages/mail-parser",
    "tests/fixtures/apply/messages/cpython",
    "tests/fixtures/apply/own",
];

fn rules() -> Vec<HeaderOp> {
    vec![
        HeaderOp::Remove {
            name: "X-Mailer".into(),
        },
        HeaderOp::Remove {
            name: "Received".into(),
        },
        HeaderOp::Add {
            name: "X-Campaign".into(),
            value: "spring-2026".into(),
        },
        HeaderOp::Add {
            name: "List-Unsubscribe".into(),
            value: "<mailto:unsubscribe@example.com?subject=unsubscribe>".into(),
        },
    ]
}

/// Every message file of the corpus that apply takes, in name order.
pub fn messages(root: &Path) -> Vec<Vec<u8>> {
    let mut paths = Vec::new();
    for dir in CORPUS {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        paths.extend(
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "eml")),
        );
    }
    paths.sort();
    paths
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .filter(|m| apply(m, &Shape::default(), &Options::default()).is_ok())
        .collect()
}

fn all(encoding: Encoding) -> Effective {
    Effective::new(encoding, encoding, encoding)
}

/// Every message rewritten by the encodings alone.
fn rewritten(messages: &[Vec<u8>], encodings: Effective) -> Vec<Vec<u8>> {
    let shape = Shape {
        encodings,
        headers: Vec::new(),
    };
    messages
        .iter()
        .map(|m| {
            apply(m, &shape, &Options::default())
                .map(|a| a.message)
                .unwrap_or_else(|_| m.clone())
        })
        .collect()
}

/// A case: the record and the messages it is applied to.
pub fn case(name: &str, root: &Path) -> Option<(Shape, Vec<Vec<u8>>)> {
    let messages = messages(root);
    match name {
        "header-only" => {
            let encodings = Effective::new(
                Encoding::Base64,
                Encoding::QuotedPrintable,
                Encoding::QuotedPrintable,
            );
            let prepared = rewritten(&messages, encodings);
            Some((
                Shape {
                    encodings,
                    headers: rules(),
                },
                prepared,
            ))
        }
        "re-encode" => Some((
            Shape {
                encodings: all(Encoding::Base64),
                headers: rules(),
            },
            rewritten(&messages, all(Encoding::QuotedPrintable)),
        )),
        _ => None,
    }
}

/// The cases, in the order reports list them.
pub const CASES: [&str; 2] = ["header-only", "re-encode"];
