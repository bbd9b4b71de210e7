//! `isptab::apply` on generated MIME trees (multiparts, messages in messages,
//! leaves of every content type and transfer encoding holding any bytes, CRLF or
//! LF messages) under every record: the rewrite parses to the same tree, every
//! leaf decodes to the same bytes, every encoding is the record's or a reported
//! fallback, no line grows past 998 octets, nothing changes when nothing must,
//! and applying the encodings again changes nothing.
#![cfg(feature = "apply")]

use std::collections::HashSet;

use isptab::apply::transfer::{self, LineBreak};
use isptab::apply::{Action, Options, Shape, apply, leaves};
use isptab::semantics::encoding::{Effective, Encoding};
use isptab::semantics::header::HeaderOp;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Tree {
    Leaf {
        content_type: &'static str,
        cte: Option<&'static str>,
        data: Vec<u8>,
    },
    Multipart {
        subtype: &'static str,
        parts: Vec<Tree>,
    },
    Message(Box<Tree>),
}

fn data() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        6 => "[ -~]{1,20}".prop_map(String::into_bytes),
        2 => Just(b"\r\n".to_vec()),
        1 => Just(b"\n".to_vec()),
        1 => Just(b"\r".to_vec()),
        1 => Just(vec![0u8]),
        1 => Just(b" \t".to_vec()),
        1 => Just(b"--".to_vec()),
        1 => Just("caf\u{e9} \u{1f600}".as_bytes().to_vec()),
        1 => any::<u8>().prop_map(|b| vec![b]),
        1 => Just(vec![b'x'; 1000]),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

fn leaf() -> impl Strategy<Value = Tree> {
    let content_type = prop::sample::select(vec![
        "text/plain",
        "text/html",
        "text/csv",
        "application/octet-stream",
        "image/png",
    ]);
    let cte = prop::sample::select(vec![
        None,
        Some("7bit"),
        Some("8bit"),
        Some("binary"),
        Some("quoted-printable"),
        Some("base64"),
    ]);
    (content_type, cte, data()).prop_map(|(content_type, cte, data)| Tree::Leaf {
        content_type,
        cte,
        data,
    })
}

fn tree() -> impl Strategy<Value = Tree> {
    leaf().prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            3 => (
                prop::sample::select(vec!["mixed", "alternative", "related"]),
                prop::collection::vec(inner.clone(), 1..4)
            )
                .prop_map(|(subtype, parts)| Tree::Multipart { subtype, parts }),
            // mail-parser 0.11 misparses a message/rfc822 whose message is
            // itself a message/rfc822 inside a multipart (apply refuses it:
            // `ApplyError::Structure`); one in a multipart in one is fine.
            1 => inner.prop_map(|t| match t {
                Tree::Message(_) => Tree::Message(Box::new(Tree::Multipart {
                    subtype: "mixed",
                    parts: vec![t],
                })),
                t => Tree::Message(Box::new(t)),
            }),
        ]
    })
}

/// A part's header fields (without the blank line) and body.
fn render(tree: &Tree, br: LineBreak, counter: &mut usize) -> (Vec<u8>, Vec<u8>) {
    let b = br.bytes();
    let line = |text: &str| [text.as_bytes(), b].concat();
    match tree {
        Tree::Leaf {
            content_type,
            cte,
            data,
        } => {
            let mut header = line(&format!("Content-Type: {content_type}"));
            if let Some(cte) = cte {
                header.extend(line(&format!("Content-Transfer-Encoding: {cte}")));
            }
            let body = match *cte {
                Some("quoted-printable") => {
                    transfer::encode_quoted_printable(data, content_type.starts_with("text/"), br)
                }
                Some("base64") => transfer::encode_base64(data, br),
                _ => data.clone(),
            };
            (header, body)
        }
        Tree::Multipart { subtype, parts } => {
            *counter += 1;
            let boundary = format!("=_b{counter}_=");
            let header = line(&format!(
                "Content-Type: multipart/{subtype}; boundary=\"{boundary}\""
            ));
            let mut body = line("preamble");
            for part in parts {
                let (h, part_body) = render(part, br, counter);
                body.extend(line(&format!("--{boundary}")));
                body.extend(h);
                body.extend(b);
                body.extend(part_body);
                body.extend(b);
            }
            body.extend(line(&format!("--{boundary}--")));
            (header, body)
        }
        Tree::Message(inner) => {
            let (h, inner_body) = render(inner, br, counter);
            let header = line("Content-Type: message/rfc822");
            let body = [line("Subject: inner"), h, b.to_vec(), inner_body].concat();
            (header, body)
        }
    }
}

fn message(tree: &Tree, br: LineBreak) -> Vec<u8> {
    let b = br.bytes();
    let (header, body) = render(tree, br, &mut 0);
    let top = [
        "From: a@example.com",
        "Subject: test",
        "X-Mailer: gen",
        "MIME-Version: 1.0",
    ]
    .iter()
    .flat_map(|l| [l.as_bytes(), b].concat())
    .collect::<Vec<u8>>();
    [top, header, b.to_vec(), body].concat()
}

fn encoding() -> impl Strategy<Value = Encoding> {
    prop::sample::select(Encoding::ALL.to_vec())
}

proptest! {
    // PROPTEST_CASES runs more (400 in CI).
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(400),
        ..ProptestConfig::default()
    })]

    #[test]
    fn apply_keeps_every_leaf_and_follows_the_record(
        tree in tree(),
        lf in prop::bool::weighted(0.2),
        global in encoding(),
        html in encoding(),
        text in encoding(),
        smtputf8 in any::<bool>(),
    ) {
        let br = if lf { LineBreak::Lf } else { LineBreak::CrLf };
        let input = message(&tree, br);
        let encodings = Effective::new(global, html, text);
        let shape = Shape {
            encodings,
            headers: vec![
                HeaderOp::Remove { name: "x-mailer".into() },
                HeaderOp::Add { name: "X-Campaign".into(), value: "caf\u{e9} spring".into() },
            ],
        };
        let options = Options { smtputf8, ..Options::default() };
        let applied = apply(&input, &shape, &options).expect("a generated message applies");
        let output = &applied.message;

        // The same tree, every leaf the same data.
        let before = leaves(&input).unwrap();
        let after = leaves(output).expect("the output parses");
        let shape_of = |ls: &[isptab::apply::Leaf]| -> Vec<(String, String)> {
            ls.iter().map(|l| (l.path.clone(), l.content_type.clone())).collect()
        };
        prop_assert_eq!(shape_of(&before), shape_of(&after));
        for (b, a) in before.iter().zip(&after) {
            prop_assert!(b.data.is_some(), "a generated leaf decodes: {}", b.path);
            prop_assert_eq!(&b.data, &a.data, "leaf {}", &b.path);
        }

        // Every encoding is the record's choice, 7bit kept for 8bit, or a
        // reported fallback; the report says what the output holds.
        prop_assert_eq!(applied.report.parts.len(), after.len());
        for (part, leaf) in applied.report.parts.iter().zip(&after) {
            prop_assert_eq!(&part.after, &leaf.transfer_encoding, "part {}", &part.path);
            let fallback = if leaf.content_type.starts_with("text/") {
                "quoted-printable"
            } else {
                "base64"
            };
            let ok = match part.action {
                Action::Fallback => part.wanted == "8bit" && part.after == fallback,
                Action::Kept if part.wanted == "8bit" => part.after == "7bit" || part.after == "8bit",
                Action::Left => false,
                _ => part.after == part.wanted,
            };
            prop_assert!(ok, "part {}: {:?}", &part.path, part);
        }

        // The header rules.
        let text = String::from_utf8_lossy(output);
        let header_end = text.find(if lf { "\n\n" } else { "\r\n\r\n" }).unwrap();
        let header = &text[..header_end];
        prop_assert!(!header.to_ascii_lowercase().contains("x-mailer:"));
        let added = if smtputf8 {
            "X-Campaign: caf\u{e9} spring"
        } else {
            "X-Campaign: =?UTF-8?B?Y2Fmw6k=?= spring"
        };
        prop_assert!(header.ends_with(added), "{}", header);

        // No line grows past 998 octets.
        let lines_in = |m: &[u8]| -> HashSet<Vec<u8>> {
            m.split(|&c| c == b'\n').map(<[u8]>::to_vec).collect()
        };
        let input_lines = lines_in(&input);
        for line in output.split(|&c| c == b'\n') {
            let line_len = line.strip_suffix(b"\r").unwrap_or(line).len();
            prop_assert!(line_len <= 998 || input_lines.contains(line), "a new line of {} octets", line_len);
        }

        // Once applied, the encodings change nothing more.
        let again = apply(output, &Shape { encodings, headers: Vec::new() }, &options).unwrap();
        prop_assert!(!again.report.changed, "{:?}", again.report);
        prop_assert_eq!(&again.message, output);
    }

    #[test]
    fn a_record_that_asks_for_what_is_there_changes_nothing(tree in tree(), lf in any::<bool>()) {
        let br = if lf { LineBreak::Lf } else { LineBreak::CrLf };
        let input = message(&tree, br);
        // Whatever the record, a message already rewritten by it is a fixed
        // point; and a rewrite that changes nothing gives the input back.
        for encodings in [
            Effective::new(Encoding::QuotedPrintable, Encoding::QuotedPrintable, Encoding::QuotedPrintable),
            Effective::new(Encoding::Base64, Encoding::Base64, Encoding::Base64),
            Effective::new(Encoding::EightBit, Encoding::EightBit, Encoding::EightBit),
        ] {
            let shape = Shape { encodings, headers: Vec::new() };
            let applied = apply(&input, &shape, &Options::default()).unwrap();
            if !applied.report.changed {
                prop_assert_eq!(&applied.message, &input);
            }
        }
    }
}
