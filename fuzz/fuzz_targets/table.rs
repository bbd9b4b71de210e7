//! Arbitrary bytes as a table: opening, lookups, the full check and dumps give
//! errors or answers, never a panic, a hang or an out-of-bounds read.
#![no_main]

use isptab::table::{self, Table};
use libfuzzer_sys::fuzz_target;

const QUERIES: &[&str] = &[
    "gmail.com",
    "user@yahoo.co.uk",
    "a.b.mail.example.co.uk",
    "mx1.brand7.com",
    "x",
    "",
    "nobody.example",
    "xn--80a1acny.xn--p1ai",
    "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.com",
];

fuzz_target!(|data: &[u8]| {
    let Ok(table) = Table::from_bytes(data) else {
        return;
    };
    for q in QUERIES {
        if let Some(m) = table.lookup(q).found() {
            let _ = (
                m.record.name(),
                m.record.encodings(),
                m.record.header_rules().count(),
                m.pattern.to_string(),
            );
        }
    }
    // Queries made of the table's own bytes reach its keys.
    for chunk in data.chunks(23).take(64) {
        let q: String = chunk
            .iter()
            .map(|&b| {
                if b.is_ascii_alphanumeric() {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        let _ = table.lookup(&q);
        // The same bytes as MX hosts (step 4 reads the MX sections).
        let hosts: Vec<&str> = q.split('.').filter(|h| !h.is_empty()).collect();
        if let Some(m) = table.lookup_with_mx("hosted.example", &hosts).found() {
            let _ = (m.record.name(), m.pattern.to_string());
        }
    }
    let verified = table.verify();
    let _ = table::to_kdl(&table);
    let _ = table::to_json(&table);
    if verified.is_ok() {
        table::to_kdl(&table).expect("a verified table dumps");
    }
});
