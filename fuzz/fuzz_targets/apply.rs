//! Arbitrary bytes as a message under a record chosen by the first byte:
//! `isptab::apply` gives an error or a rewrite, never a panic or a hang; a
//! rewrite parses to the same leaves with the same decoded data, adds no line
//! over 998 octets, and is a fixed point of the same encodings.
#![no_main]

use isptab::apply::{Options, Shape, apply, leaves};
use isptab::semantics::encoding::{Effective, Encoding};
use isptab::semantics::header::HeaderOp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, message)) = data.split_first() else {
        return;
    };
    let pick = |n: u8| Encoding::ALL[usize::from(n % 3)];
    let encodings = Effective::new(pick(choice), pick(choice / 3), pick(choice / 9));
    let shape = Shape {
        encodings,
        headers: vec![
            HeaderOp::Remove {
                name: "Subject".into(),
            },
            HeaderOp::Add {
                name: "X-Campaign".into(),
                value: "caf\u{e9} au lait".into(),
            },
        ],
    };
    let options = Options {
        smtputf8: choice >= 128,
        ..Options::default()
    };
    let Ok(applied) = apply(message, &shape, &options) else {
        return;
    };
    let before = leaves(message).expect("what apply took, leaves takes");
    let after = leaves(&applied.message).expect("a rewrite parses");
    assert_eq!(before.len(), after.len(), "the same leaves");
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b.path, a.path);
        if b.data.is_some() {
            assert_eq!(b.data, a.data, "leaf {}", b.path);
        }
    }
    let input_lines: std::collections::HashSet<&[u8]> = message.split(|&c| c == b'\n').collect();
    for line in applied.message.split(|&c| c == b'\n') {
        let len = line.strip_suffix(b"\r").unwrap_or(line).len();
        assert!(
            len <= 998 || input_lines.contains(line),
            "a new line of {len} octets"
        );
    }
    let again = apply(
        &applied.message,
        &Shape {
            encodings,
            headers: Vec::new(),
        },
        &options,
    )
    .expect("a rewrite applies again");
    assert!(!again.report.changed, "{:?}", again.report);
});
