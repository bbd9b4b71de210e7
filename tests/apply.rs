//! `isptab::apply` through its public API and `isptab apply` end to end: header
//! rules, every encoding on every kind of leaf, fallbacks, byte-exact copies,
//! DKIM, and bad input (each a clear error or a reported `left`, never a panic,
//! never a partial output).
#![cfg(feature = "cli")]

use isptab::apply::{Action, ApplyError, Options, Shape, apply, leaves};
use isptab::semantics::encoding::{Effective, Encoding};
use isptab::semantics::header::HeaderOp;

mod support;
use support::{isptab, project};

const QP: Encoding = Encoding::QuotedPrintable;
const B64: Encoding = Encoding::Base64;
const BIT8: Encoding = Encoding::EightBit;

fn shape(global: Encoding, html: Encoding, text: Encoding) -> Shape {
    Shape {
        encodings: Effective::new(global, html, text),
        headers: Vec::new(),
    }
}

fn crlf(text: &str) -> Vec<u8> {
    text.replace('\n', "\r\n").into_bytes()
}

/// A multipart/mixed with an alternative (text, html) and an attachment.
fn mixed() -> Vec<u8> {
    let mut m = crlf(
        "From: a@example.com\n\
         To: b@example.org\n\
         Subject: mixed\n\
         MIME-Version: 1.0\n\
         Content-Type: multipart/mixed; boundary=\"outer\"\n\
         \n\
         --outer\n\
         Content-Type: multipart/alternative; boundary=\"inner\"\n\
         \n\
         --inner\n\
         Content-Type: text/plain; charset=utf-8\n\
         Content-Transfer-Encoding: 8bit\n\
         \n\
         Gr\u{fc}\u{df}e, caf\u{e9}\n\
         -- \n\
         signature\n\
         --inner\n\
         Content-Type: text/html; charset=utf-8\n\
         Content-Transfer-Encoding: quoted-printable\n\
         \n\
         <p>Gr=C3=BC=C3=9Fe, a long line that goes on and on and on and on and on a=\n\
         nd on</p>\n\
         --inner--\n\
         \n\
         --outer\n\
         Content-Type: application/octet-stream\n\
         Content-Transfer-Encoding: base64\n\
         \n\
         AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\n\
         OTo7PD0+P0BBQkNERUZHSElKS0xNTk9Q\n\
         --outer--\n",
    );
    m.shrink_to_fit();
    m
}

/// Each leaf's decoded data, by path.
fn decoded(message: &[u8]) -> Vec<(String, String, Option<Vec<u8>>)> {
    leaves(message)
        .unwrap()
        .into_iter()
        .map(|l| (l.path, l.content_type, l.data))
        .collect()
}

fn transfer_encodings(message: &[u8]) -> Vec<String> {
    leaves(message)
        .unwrap()
        .into_iter()
        .map(|l| l.transfer_encoding)
        .collect()
}

#[test]
fn every_encoding_combination_rewrites_each_leaf_and_keeps_its_data() {
    let input = mixed();
    let before = decoded(&input);
    assert_eq!(before.len(), 3);
    for global in Encoding::ALL {
        for html in Encoding::ALL {
            for text in Encoding::ALL {
                let applied = apply(&input, &shape(global, html, text), &Options::default())
                    .unwrap_or_else(|e| panic!("{global} {html} {text}: {e}"));
                let out = &applied.message;
                assert_eq!(decoded(out), before, "{global} {html} {text}");
                // text, html, attachment; the attachment's bytes are not 8bit data.
                let want_attachment = if global == BIT8 { B64 } else { global };
                assert_eq!(
                    transfer_encodings(out),
                    [text.as_str(), html.as_str(), want_attachment.as_str()],
                    "{global} {html} {text}"
                );
                let parts = &applied.report.parts;
                assert_eq!(parts[2].action == Action::Fallback, global == BIT8);
                for line in out.split(|&b| b == b'\n') {
                    assert!(line.len() <= 999, "a line of {} octets", line.len());
                }
            }
        }
    }
}

#[test]
fn nothing_changes_when_every_part_is_already_in_the_record_encoding() {
    let input = mixed();
    let applied = apply(&input, &shape(B64, QP, BIT8), &Options::default()).unwrap();
    assert_eq!(applied.message, input);
    assert!(!applied.report.changed);
    assert!(
        applied
            .report
            .parts
            .iter()
            .all(|p| p.action == Action::Kept)
    );
}

#[test]
fn a_part_whose_encoding_stays_is_copied_byte_for_byte() {
    let input = mixed();
    // Only the text part changes (8bit -> base64).
    let applied = apply(&input, &shape(B64, QP, B64), &Options::default()).unwrap();
    let text = String::from_utf8_lossy(&applied.message);
    let html =
        "<p>Gr=C3=BC=C3=9Fe, a long line that goes on and on and on and on and on a=\r\nnd on</p>";
    assert!(text.contains(html), "{text}");
    assert!(text.contains(
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\r\n"
    ));
    assert!(text.contains("Content-Transfer-Encoding: base64\r\n\r\nR3LDvMOfZSwgY2Fmw6kNCi0tIA0Kc2lnbmF0dXJl\r\n--inner"));
    // Every header field of the message is where it was.
    assert!(text.starts_with("From: a@example.com\r\nTo: b@example.org\r\nSubject: mixed\r\n"));
}

#[test]
fn header_rules_remove_every_occurrence_then_add_in_order() {
    let input = crlf(
        "Received: from a\n\
         \tby b\n\
         received: from c\n\
         Subject: old\n\
         X-Mailer: m\n\
         \n\
         body\n",
    );
    let shape = Shape {
        encodings: Effective::new(QP, QP, BIT8),
        headers: vec![
            HeaderOp::Add {
                name: "Subject".into(),
                value: "new".into(),
            },
            HeaderOp::Remove {
                name: "RECEIVED".into(),
            },
            HeaderOp::Remove {
                name: "subject".into(),
            },
            HeaderOp::Add {
                name: "X-Tag".into(),
                value: "1".into(),
            },
            HeaderOp::Add {
                name: "X-Tag".into(),
                value: "2".into(),
            },
            HeaderOp::Remove {
                name: "X-Absent".into(),
            },
        ],
    };
    let applied = apply(&input, &shape, &Options::default()).unwrap();
    assert_eq!(
        String::from_utf8(applied.message).unwrap(),
        "X-Mailer: m\r\nSubject: new\r\nX-Tag: 1\r\nX-Tag: 2\r\n\r\nbody\r\n"
    );
    let removed: Vec<(String, usize)> = applied
        .report
        .removed
        .iter()
        .map(|r| (r.name.clone(), r.count))
        .collect();
    assert_eq!(
        removed,
        [
            ("RECEIVED".to_string(), 2),
            ("subject".to_string(), 1),
            ("X-Absent".to_string(), 0)
        ]
    );
    assert_eq!(applied.report.added, ["Subject", "X-Tag", "X-Tag"]);
}

#[test]
fn added_values_are_folded_and_encoded_unless_smtputf8() {
    let input = crlf("From: a@example.com\n\nhi\n");
    let long = "word ".repeat(60);
    let shape = Shape {
        encodings: Effective::new(QP, QP, BIT8),
        headers: vec![
            HeaderOp::Add {
                name: "X-Note".into(),
                value: "caf\u{e9} cr\u{e8}me".into(),
            },
            HeaderOp::Add {
                name: "X-Long".into(),
                value: long.trim_end().into(),
            },
        ],
    };
    let plain = apply(&input, &shape, &Options::default()).unwrap();
    let text = String::from_utf8(plain.message).unwrap();
    assert!(
        text.contains("X-Note: =?UTF-8?B?Y2Fmw6kgY3LDqG1l?=\r\n"),
        "{text}"
    );
    let header = text.split("\r\n\r\n").next().unwrap();
    assert!(header.lines().all(|l| l.len() <= 78), "{header}");
    assert!(header.replace("\r\n ", " ").contains(long.trim_end()));
    let utf8 = Options {
        smtputf8: true,
        ..Options::default()
    };
    let raw = apply(&input, &shape, &utf8).unwrap();
    assert!(
        String::from_utf8(raw.message)
            .unwrap()
            .contains("X-Note: caf\u{e9} cr\u{e8}me\r\n")
    );
}

#[test]
fn eight_bit_falls_back_where_it_is_not_valid() {
    let long = "x".repeat(1200);
    for (body, reason) in [
        (format!("{long}\r\n"), "longer than 998"),
        ("a\0b\r\n".to_string(), "NUL"),
        ("bare\nline\r\n".to_string(), "not part of a CRLF"),
        ("bare\rcr\r\n".to_string(), "CR that is not"),
    ] {
        let input = [
            crlf("Subject: x\nContent-Type: text/plain\n\n"),
            body.clone().into_bytes(),
        ]
        .concat();
        let applied = apply(&input, &shape(BIT8, BIT8, BIT8), &Options::default()).unwrap();
        let part = &applied.report.parts[0];
        assert_eq!(part.action, Action::Fallback, "{reason}");
        assert_eq!(part.after, "quoted-printable");
        assert!(
            part.reason.as_deref().unwrap().contains(reason),
            "{:?}",
            part.reason
        );
        assert_eq!(
            decoded(&applied.message)[0].2.as_deref(),
            Some(body.as_bytes())
        );
        let text = String::from_utf8_lossy(&applied.message);
        assert!(text.contains("MIME-Version: 1.0\r\n"), "{text}");
        assert!(text.contains("Content-Transfer-Encoding: quoted-printable\r\n"));
        assert_eq!(
            applied.report.added,
            ["Content-Transfer-Encoding", "MIME-Version"]
        );
    }
}

#[test]
fn decoded_data_with_a_delimiter_line_is_not_sent_as_8bit() {
    // Base64 that decodes to a line that is the multipart's delimiter.
    let encoded = base64_of(b"before\r\n--sep\r\nafter");
    let input = crlf(&format!(
        "Content-Type: multipart/mixed; boundary=sep\n\n--sep\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n{encoded}\n--sep--\n"
    ));
    let applied = apply(&input, &shape(BIT8, BIT8, BIT8), &Options::default()).unwrap();
    let part = &applied.report.parts[0];
    assert_eq!(part.action, Action::Fallback);
    assert!(part.reason.as_deref().unwrap().contains("delimiter"));
    assert_eq!(part.after, "quoted-printable");
    assert_eq!(
        decoded(&applied.message)[0].2.as_deref(),
        Some(&b"before\r\n--sep\r\nafter"[..])
    );
}

#[test]
fn no_written_part_holds_an_enclosing_delimiter_anywhere() {
    // mail-parser finds `--boundary` inside a line too, and the multiparts
    // around a message/rfc822 still delimit what is in it (found by review).
    let cases = [
        // inside a line, 8bit asked
        ("a--sep\u{e9}\r\n", false),
        // a line of a message inside a message/rfc822 part
        ("hello\r\n--sep--\r\nafter\r\n", true),
    ];
    for (data, nested) in cases {
        let leaf = format!(
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n{}\n",
            base64_of(data.as_bytes())
        );
        let part = if nested {
            format!("Content-Type: message/rfc822\n\nSubject: inner\n{leaf}")
        } else {
            leaf
        };
        let input = crlf(&format!(
            "Content-Type: multipart/mixed; boundary=sep\n\n--sep\n{part}--sep--\n"
        ));
        for text in [BIT8, QP] {
            let applied = apply(&input, &shape(QP, QP, text), &Options::default()).unwrap();
            let written = applied.message.windows(5).filter(|w| w == b"--sep").count();
            assert_eq!(
                written, 2,
                "{data:?} as {text:?}: {:?}",
                applied.report.parts
            );
            let again = apply(&applied.message, &shape(QP, QP, text), &Options::default());
            assert!(!again.unwrap().report.changed, "{data:?} as {text:?}");
            let leaf = decoded(&applied.message).pop().unwrap();
            assert_eq!(leaf.2.as_deref(), Some(data.as_bytes()));
        }
    }
}

#[test]
fn a_multipart_without_its_close_delimiter_is_ambiguous() {
    // Parsers differ on whether the last line break is the last part's.
    let input = crlf(
        "Content-Type: multipart/mixed; boundary=X\n\n--X\nContent-Type: text/plain\n\\n\ncaf\u{e9}\n\n",
    );
    assert_eq!(refusal(&input), "a multipart has no close delimiter");
    // Nor do they agree on a boundary that ends with a space.
    let input = crlf(
        "Content-Type: multipart/mixed; boundary=\"X \"\n\n--X \nContent-Type: text/plain\n\nx\n--X --\n",
    );
    assert_eq!(refusal(&input), "a multipart's boundary ends with a space");
}

#[test]
fn removing_and_adding_a_field_as_it_was_is_no_change() {
    let input = crlf("From: a@example.com\nX-Tag: one\n\nhi\n");
    let mut shape = shape(BIT8, BIT8, BIT8);
    shape.headers.push(HeaderOp::Remove {
        name: "X-Tag".into(),
    });
    shape.headers.push(HeaderOp::Add {
        name: "X-Tag".into(),
        value: "one".into(),
    });
    let applied = apply(&input, &shape, &Options::default()).unwrap();
    assert_eq!(applied.message, input);
    assert!(!applied.report.changed);
}

#[test]
fn an_added_value_with_an_encoded_word_inside_a_word_is_encoded() {
    // A reader may decode `=?...?=` wherever it is: the value must read as written.
    for value in [
        "=?utf-8?q?hi?=there",
        "x=?utf-8?q?hi?=",
        "\"=?utf-8?q?hi?=\"",
    ] {
        let mut shape = shape(QP, QP, QP);
        shape.headers.push(HeaderOp::Add {
            name: "X-T".into(),
            value: value.into(),
        });
        let applied = apply(&crlf("From: a@b\n\nhi\n"), &shape, &Options::default()).unwrap();
        let text = String::from_utf8(applied.message).unwrap();
        assert!(!text.contains(value), "{value}: {text}");
        assert!(text.contains("X-T: =?UTF-8?"), "{value}: {text}");
    }
}

fn base64_of(data: &[u8]) -> String {
    String::from_utf8(isptab::apply::transfer::encode_base64(
        data,
        isptab::apply::transfer::LineBreak::Lf,
    ))
    .unwrap()
}

#[test]
fn eight_bit_parts_make_a_seven_bit_container_eight_bit() {
    let input = crlf(
        "Content-Type: multipart/mixed; boundary=b\nContent-Transfer-Encoding: 7bit\n\n--b\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\nw6k=\n--b--\n",
    );
    let applied = apply(&input, &shape(BIT8, BIT8, BIT8), &Options::default()).unwrap();
    let text = String::from_utf8(applied.message).unwrap();
    assert!(
        text.starts_with(
            "Content-Type: multipart/mixed; boundary=b\r\nContent-Transfer-Encoding: 8bit\r\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("Content-Transfer-Encoding: 8bit\r\n\r\n\u{e9}\r\n--b--"),
        "{text}"
    );
}

#[test]
fn messages_with_lf_line_breaks_get_lf() {
    let input = b"Subject: x\nContent-Type: text/html\n\n<p>caf\xc3\xa9</p>\n".to_vec();
    let mut shape = shape(QP, B64, QP);
    shape.headers.push(HeaderOp::Add {
        name: "X-A".into(),
        value: "b".into(),
    });
    let applied = apply(&input, &shape, &Options::default()).unwrap();
    assert_eq!(applied.report.line_break, "lf");
    assert!(!applied.message.contains(&b'\r'));
    assert_eq!(
        decoded(&applied.message)[0].2.as_deref(),
        Some(&b"<p>caf\xc3\xa9</p>\n"[..])
    );
}

#[test]
fn dkim_signatures_over_changed_headers_or_body_are_reported() {
    let input = crlf(
        "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s1;\n\th=from:subject:x-mailer; bh=abc; b=def\n\
         DKIM-Signature: v=1; d=other.example; s=s2; h=from; bh=x; b=y\n\
         From: a@example.com\nSubject: s\nX-Mailer: m\nContent-Type: text/plain\n\nhello\n",
    );
    let mut shape = shape(QP, QP, BIT8);
    shape.headers.push(HeaderOp::Remove {
        name: "X-Mailer".into(),
    });
    let applied = apply(&input, &shape, &Options::default()).unwrap();
    let dkim = &applied.report.dkim;
    assert_eq!(dkim.len(), 2);
    assert_eq!(dkim[0].domain, "example.com");
    assert_eq!(dkim[0].selector, "s1");
    assert!(!dkim[0].verifies);
    assert_eq!(dkim[0].reasons, ["X-Mailer removed"]);
    assert!(dkim[1].verifies, "{:?}", dkim[1]);
    // A body change breaks every signature.
    let reencoded = apply(&input, &self::shape(B64, B64, B64), &Options::default()).unwrap();
    assert!(
        reencoded
            .report
            .dkim
            .iter()
            .all(|s| s.reasons.contains(&"body changed".to_string()))
    );
}

#[test]
fn parts_that_cannot_be_changed_are_left_and_reported() {
    let input = crlf(
        "Content-Type: multipart/mixed; boundary=b\n\n\
         --b\nContent-Type: text/plain\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 x\n\
         --b\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!not base64!!!\n\
         --b\nContent-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\nbad =ZZ escape\n\
         --b\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nU3ViamVjdDogeA0KDQpoaQ==\n\
         --b--\n",
    );
    let applied = apply(&input, &shape(QP, QP, B64), &Options::default()).unwrap();
    let reasons: Vec<(Action, String)> = applied
        .report
        .parts
        .iter()
        .map(|p| (p.action, p.reason.clone().unwrap_or_default()))
        .collect();
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert!(
        reasons.iter().all(|(a, _)| *a == Action::Left),
        "{reasons:?}"
    );
    assert!(reasons[0].1.contains("x-uuencode"));
    assert!(reasons[1].1.contains("base64 does not decode"));
    assert!(reasons[2].1.contains("quoted-printable does not decode"));
    assert!(reasons[3].1.contains("6.4"), "{}", reasons[3].1);
    assert_eq!(applied.message, input);
}

#[test]
fn bad_input_is_an_error_or_a_bounded_rewrite_never_a_panic() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("no header", b"\r\n\r\njust text".to_vec()),
        ("binary", (0..=255u8).cycle().take(5000).collect()),
        (
            "missing boundary",
            crlf("Content-Type: multipart/mixed\n\nbody\n"),
        ),
        (
            "unclosed boundary",
            crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\n\ntext"),
        ),
        (
            "repeated boundary",
            crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n--b\n\nx\n--b--\n--b--\n"),
        ),
        ("bare CR", b"Subject: a\rb\r\n\r\nx\ry\n".to_vec()),
        (
            "8-bit header",
            b"Subject: caf\xe9\xff\r\n\r\nx\r\n".to_vec(),
        ),
        ("header only", b"Subject: x".to_vec()),
        (
            "boundary of nothing",
            crlf("Content-Type: multipart/mixed; boundary=\"\"\n\n--\n--\n"),
        ),
    ];
    for (name, input) in cases {
        for s in [shape(BIT8, BIT8, BIT8), shape(QP, B64, QP)] {
            match apply(&input, &s, &Options::default()) {
                Ok(applied) => {
                    let again = leaves(&applied.message).unwrap();
                    let before = leaves(&input).unwrap();
                    assert_eq!(again.len(), before.len(), "{name}");
                    for (a, b) in again.iter().zip(&before) {
                        assert_eq!(a.data, b.data, "{name} {}", a.path);
                    }
                }
                Err(e) => assert!(
                    matches!(
                        e,
                        ApplyError::Parse | ApplyError::Truncated | ApplyError::Structure { .. }
                    ),
                    "{name}: {e:?}"
                ),
            }
        }
    }
}

/// Found by the `apply` fuzzer: a header cut inside its last line reads as
/// another content type once a field is added after it.
#[test]
fn an_encoded_message_part_is_left_not_decoded() {
    // Found by the fuzzer (fuzz/seeds/apply/encoded-message-rfc822): decoded to
    // 8bit, a quoted-printable message/rfc822 would read as the message in it.
    for cte in ["quoted-printable", "base64"] {
        let body = if cte == "base64" {
            "U3ViamVjdDogaQ0KDQpoaQ0K"
        } else {
            "Subject: i=0D=0A=0D=0Ahi"
        };
        let input = crlf(&format!(
            "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\
             Content-Transfer-Encoding: {cte}\n\n{body}\n--b--\n"
        ));
        let applied = apply(&input, &shape(BIT8, BIT8, BIT8), &Options::default()).unwrap();
        let part = &applied.report.parts[0];
        assert_eq!(part.action, Action::Left, "{cte}");
        assert!(
            part.reason.as_deref().unwrap_or_default().contains("6.4"),
            "{part:?}"
        );
        assert_eq!(applied.message, input);
    }
}

#[test]
fn a_part_with_two_content_types_is_left() {
    // Found by the fuzzer (fuzz/seeds/apply/duplicate-content-type): parsers
    // differ on which field counts, so the body is copied; header rules hold.
    let input = crlf(
        "Subject: s\nContent-Type: multipart/x\nContent-Type: message/rfc822\n\
         Content-Transfer-Encoding: 7bit\n\nSubject: inner\n\nhi\n",
    );
    let mut shape = shape(QP, QP, QP);
    shape.headers.push(HeaderOp::Remove {
        name: "Subject".into(),
    });
    let applied = apply(&input, &shape, &Options::default()).unwrap();
    let part = &applied.report.parts[0];
    assert_eq!((part.path.as_str(), part.action), ("message", Action::Left));
    assert!(
        part.reason
            .as_deref()
            .unwrap_or_default()
            .contains("two Content-Type")
    );
    assert!(
        applied
            .message
            .ends_with(b"\r\n\r\nSubject: inner\r\n\r\nhi\r\n")
    );
    assert!(!applied.message.starts_with(b"Subject"));
}

#[test]
fn a_rewrite_that_would_read_differently_is_refused() {
    // Found by the fuzzer (fuzz/seeds/apply/field-read-past-its-line): the
    // parser reads this last Date field past its line once a field follows it,
    // so adding one would swallow the added field.
    let seed = std::fs::read("fuzz/seeds/apply/field-read-past-its-line").unwrap();
    let mut shape = shape(BIT8, B64, QP);
    shape.headers.push(HeaderOp::Add {
        name: "X-Campaign".into(),
        value: "x".into(),
    });
    assert_eq!(
        apply(&seed[1..], &shape, &Options::default()).unwrap_err(),
        ApplyError::Structure {
            reason: "the rewritten message would read differently from what was written"
        }
    );
}

#[test]
fn a_header_cut_inside_its_last_line_is_refused() {
    let input = b"Subject: x\nContent-Type: multipart/mixed;\n   \x05Fr bounomd";
    assert_eq!(
        apply(input, &shape(QP, QP, QP), &Options::default()).unwrap_err(),
        ApplyError::Truncated
    );
    let whole = b"Subject: x\nContent-Type: text/plain\n";
    assert!(apply(whole, &shape(QP, QP, QP), &Options::default()).is_ok());
}

#[test]
fn ten_thousand_parts_and_deep_nesting_stay_bounded() {
    let mut wide = crlf("Content-Type: multipart/mixed; boundary=w\n\n");
    for i in 0..10_000 {
        wide.extend(crlf(&format!(
            "--w\nContent-Type: text/plain\n\npart {i}\n"
        )));
    }
    wide.extend(crlf("--w--\n"));
    let applied = apply(&wide, &shape(QP, QP, B64), &Options::default()).unwrap();
    assert_eq!(applied.report.parts.len(), 10_000);
    assert!(
        applied
            .report
            .parts
            .iter()
            .all(|p| p.action == Action::Reencoded)
    );

    let nested = |depth: usize| {
        let mut m = Vec::new();
        for d in 0..depth {
            m.extend(crlf(&format!(
                "Content-Type: multipart/mixed; boundary=d{d}\n\n--d{d}\n"
            )));
        }
        m.extend(crlf("Content-Type: text/plain\n\ndeep\n"));
        for d in (0..depth).rev() {
            m.extend(crlf(&format!("--d{d}--\n")));
        }
        m
    };
    let deep = apply(&nested(100), &shape(QP, QP, B64), &Options::default()).unwrap();
    assert_eq!(deep.report.parts.len(), 1);
    assert_eq!(deep.report.parts[0].path.split('.').count(), 100);
    assert_eq!(
        apply(&nested(1000), &shape(QP, QP, B64), &Options::default()).unwrap_err(),
        ApplyError::TooDeep { limit: 100 }
    );
    // Messages in messages, 1,000 deep.
    let mut forwards = Vec::new();
    for _ in 0..1000 {
        forwards.extend(crlf("Content-Type: message/rfc822\n\n"));
    }
    forwards.extend(crlf("Subject: inner\n\ntext\n"));
    assert_eq!(
        apply(&forwards, &shape(QP, QP, B64), &Options::default()).unwrap_err(),
        ApplyError::TooDeep { limit: 100 }
    );
}

#[test]
fn a_structure_the_parser_gets_wrong_is_refused_not_rewritten() {
    // mail-parser 0.11 takes this valid message for a cycle of parts.
    let input = crlf(
        "Subject: t\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\
         Content-Type: message/rfc822\n\nSubject: i\nContent-Type: message/rfc822\n\n\
         Subject: j\n\ntext\n--b\nContent-Type: text/plain\n\nx\n--b--\n",
    );
    assert_eq!(
        apply(&input, &shape(QP, QP, B64), &Options::default()).unwrap_err(),
        ApplyError::Structure {
            reason: "a multipart's delimiter lines do not delimit the parts the parser found"
        }
    );
}

#[test]
fn a_multipart_without_parts_is_refused_with_its_reason() {
    // RFC 2046 wants at least one part; mail-parser invents one from the close
    // delimiter on, so the inner message swallows the outer close delimiter.
    let input = std::fs::read("tests/fixtures/apply/messages/cpython/msg_42.eml").unwrap();
    let err = apply(&input, &shape(QP, QP, B64), &Options::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the message's MIME structure could not be read consistently (a multipart's delimiter lines do not delimit the parts the parser found), so it is not rewritten"
    );
}

/// The reason of a refused message.
fn refusal(input: &[u8]) -> &'static str {
    match apply(input, &shape(QP, QP, B64), &Options::default()) {
        Err(ApplyError::Structure { reason }) => reason,
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn a_message_the_rfcs_and_the_parser_read_differently_is_refused() {
    // Each is read one way by RFC 2046 and RFC 5322 (and Python) and another
    // by mail-parser; rewriting from its reading would corrupt the message.
    let cases = [
        // A boundary that starts another: `--ab` is not a delimiter of `a`.
        "Content-Type: multipart/mixed; boundary=a\n\n--ab\nContent-Type: text/plain\n\nx\n--a--\n",
        // A close delimiter inside a line is data.
        "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nx--b--\n",
        // Two delimiter lines with no line break for the part between.
        "Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\nContent-Type: text/plain\n\nx\n--b--\n",
        // A multipart without parts.
        "Content-Type: multipart/mixed; boundary=b\n\n--b--\n",
        // A line without a colon in the message's header: where does the body start?
        "Subject: s\nno colon here\n\nbody\n",
    ];
    for case in cases {
        let reason = refusal(&crlf(case));
        assert!(!reason.is_empty(), "{case}");
    }
    assert_eq!(
        refusal(&crlf(cases[4])),
        "its header has a line that is neither a field nor a continuation"
    );
    assert_eq!(
        refusal(&crlf(cases[2])),
        "a delimiter line follows another without a line break between"
    );
}

#[test]
fn a_part_the_rfcs_and_the_parser_read_differently_is_left() {
    // Inside a well-delimited part, a header line without a colon, or a
    // multipart whose delimiters do not match its parts: the part is copied.
    let input = crlf(
        "Content-Type: multipart/mixed; boundary=outer\n\n\
         --outer\nContent-Type: text/plain\nno colon here\n\nx\n\
         --outer\nContent-Type: multipart/mixed; boundary=a\n\n--ab\nContent-Type: text/plain\n\ny\n--a--\n\
         --outer\nContent-Type: text/plain\n\nz\n\
         --outer--\n",
    );
    let applied = apply(&input, &shape(QP, QP, B64), &Options::default()).unwrap();
    let parts: Vec<(String, Action, String)> = applied
        .report
        .parts
        .iter()
        .map(|p| {
            (
                p.path.clone(),
                p.action,
                p.reason.clone().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(parts.len(), 3, "{parts:?}");
    assert_eq!(parts[0].1, Action::Left);
    assert!(parts[0].2.contains("neither a field"), "{parts:?}");
    assert_eq!(parts[1].1, Action::Left);
    assert!(parts[1].2.contains("no delimiter line"), "{parts:?}");
    assert_eq!((parts[2].0.as_str(), parts[2].1), ("3", Action::Reencoded));
    let text = String::from_utf8(applied.message).unwrap();
    assert!(text.contains("no colon here\r\n\r\nx\r\n--outer"), "{text}");
    assert!(
        text.contains("--ab\r\nContent-Type: text/plain\r\n\r\ny\r\n--a--"),
        "{text}"
    );
}

#[test]
fn a_content_type_that_cannot_be_read_is_text_plain() {
    // RFC 2045 section 5.2; a multipart so labelled is not seen into.
    for (value, kind) in [
        ("text", "text/plain"),
        ("multipart/mixed boundary=b", "text/plain"),
    ] {
        let input = crlf(&format!(
            "Content-Type: {value}\n\n--b\nContent-Type: text/html\n\n<p>x</p>\n--b--\n"
        ));
        let applied = apply(&input, &shape(B64, B64, QP), &Options::default()).unwrap();
        let part = &applied.report.parts[0];
        assert_eq!(applied.report.parts.len(), 1);
        assert_eq!((part.content_type.as_str(), part.applies), (kind, "text"));
    }
}

#[test]
fn an_mbox_from_line_is_not_a_field() {
    let input = crlf(
        "From sender@example.com Mon Jan  1 00:00:00 2024\nFrom: a@example.com\nSubject: s\n\nhi\n",
    );
    let mut shape = shape(QP, QP, QP);
    shape.headers.push(HeaderOp::Remove {
        name: "From".into(),
    });
    let applied = apply(&input, &shape, &Options::default()).unwrap();
    assert_eq!(applied.report.removed[0].count, 1);
    let text = String::from_utf8(applied.message).unwrap();
    assert!(text.starts_with("From sender@example.com Mon"), "{text}");
    assert!(!text.contains("From: a@"), "{text}");
}

#[test]
fn a_reencoding_that_writes_the_same_bytes_keeps_dkim_body_hashes() {
    // Plain 7bit text is its own quoted-printable: only the label changes.
    let input = crlf(
        "DKIM-Signature: v=1; d=example.com; s=s1; h=from; bh=x; b=y\nFrom: a@example.com\n\nhello\n",
    );
    let applied = apply(&input, &shape(QP, QP, QP), &Options::default()).unwrap();
    assert!(applied.report.changed);
    assert!(applied.report.dkim[0].verifies, "{:?}", applied.report.dkim);
}

#[test]
fn a_large_message_is_rewritten_within_the_limit_and_refused_past_it() {
    let mut big =
        crlf("Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n");
    let data: Vec<u8> = (0..12u32 << 20)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    big.extend(base64_of(&data).replace('\n', "\r\n").into_bytes());
    big.extend(b"\r\n");
    let applied = apply(&big, &shape(QP, QP, QP), &Options::default()).unwrap();
    assert_eq!(
        leaves(&applied.message).unwrap()[0].data.as_deref(),
        Some(&data[..])
    );
    let small = Options {
        max_size: 1 << 20,
        ..Options::default()
    };
    assert!(matches!(
        apply(&big, &shape(QP, QP, QP), &small),
        Err(ApplyError::TooLarge { limit, .. }) if limit == 1 << 20
    ));
}

// The command line.

const CONFIG: &str = r#"
isp "Acme" {
    domains "acme.example"
    encoding global="base64" html="base64" text="8bit"
    headers {
        remove "X-Mailer"
        add "X-Campaign" "spring"
    }
}
"#;

#[test]
fn the_command_writes_the_message_to_stdout_and_a_report_to_stderr() {
    let dir = project(&[("isptab.kdl", CONFIG)]);
    let signed = [
        crlf("DKIM-Signature: v=1; d=example.com; s=s1; h=from:x-mailer; bh=a; b=b\nX-Mailer: m\n"),
        mixed(),
    ]
    .concat();
    std::fs::write(dir.path().join("m.eml"), &signed).unwrap();
    let out = isptab(
        dir.path(),
        &[
            "apply",
            "--no-defaults",
            "--rcpt",
            "Jane@ACME.example",
            "m.eml",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = apply(
        &signed,
        &Shape {
            encodings: Effective::new(B64, B64, BIT8),
            headers: vec![
                HeaderOp::Remove {
                    name: "X-Mailer".into(),
                },
                HeaderOp::Add {
                    name: "X-Campaign".into(),
                    value: "spring".into(),
                },
            ],
        },
        &Options::default(),
    )
    .unwrap();
    assert_eq!(out.stdout, expected.message);
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!("apply__report_text", String::from_utf8_lossy(&out.stderr));
    });
    // JSON, from a compiled table, through stdin.
    let built = isptab(dir.path(), &["build", "--no-defaults", "-o", "t.isptab"]);
    assert_eq!(built.status.code(), Some(0));
    let json = support::isptab_stdin(
        dir.path(),
        &[
            "apply",
            "--table",
            "t.isptab",
            "--rcpt",
            "acme.example",
            "--format",
            "json",
            "-",
        ],
        &String::from_utf8(signed).unwrap(),
    );
    assert_eq!(json.status.code(), Some(0));
    assert_eq!(json.stdout, expected.message);
    let report: serde_json::Value = serde_json::from_slice(&json.stderr).unwrap();
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!("apply__report_json", serde_json::to_string_pretty(&report).unwrap());
    });
}

#[test]
fn without_a_record_the_message_is_unchanged_or_refused() {
    let dir = project(&[("isptab.kdl", CONFIG)]);
    std::fs::write(dir.path().join("m.eml"), mixed()).unwrap();
    let miss = isptab(
        dir.path(),
        &[
            "apply",
            "--no-defaults",
            "--rcpt",
            "x@other.example",
            "m.eml",
        ],
    );
    assert_eq!(miss.status.code(), Some(0));
    assert_eq!(miss.stdout, mixed());
    assert!(String::from_utf8_lossy(&miss.stderr).starts_with("record: none for `other.example`"));
    let required = isptab(
        dir.path(),
        &[
            "apply",
            "--no-defaults",
            "--require-record",
            "--rcpt",
            "x@other.example",
            "m.eml",
        ],
    );
    assert_eq!(required.status.code(), Some(1));
    assert!(required.stdout.is_empty());
}

#[test]
fn bad_messages_and_arguments_are_usage_errors_with_no_output() {
    let dir = project(&[("isptab.kdl", CONFIG), ("junk.eml", "\n\nno header\n")]);
    std::os::unix::fs::symlink("/etc/passwd", dir.path().join("link.eml")).unwrap();
    let fifo = dir.path().join("fifo.eml");
    rustix::fs::mknodat(
        rustix::fs::CWD,
        &fifo,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
        0,
    )
    .unwrap();
    for (args, says) in [
        (vec!["junk.eml"], "not a message"),
        (vec!["missing.eml"], "cannot read `missing.eml`"),
        (vec!["link.eml"], "cannot read `link.eml`"),
        (vec!["fifo.eml"], "FIFO"),
        (vec!["--max-size", "10", "junk.eml"], "--max-size"),
    ] {
        let mut all = vec!["apply", "--no-defaults", "--rcpt", "a@acme.example"];
        all.extend(&args);
        let out = isptab(dir.path(), &all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
    let bad_rcpt = isptab(
        dir.path(),
        &[
            "apply",
            "--no-defaults",
            "--rcpt",
            "a@b@\u{202e}c",
            "junk.eml",
        ],
    );
    assert_eq!(bad_rcpt.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&bad_rcpt.stderr).contains('\u{202e}'));
}
