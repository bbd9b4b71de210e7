//! `schema/table-format.md` and `isptab::table::layout` say the same thing: every
//! field table of the spec (offset, size, name) is the [`Field`] list of its
//! structure, the section kinds (with the version that requires each) and the
//! encoding codes are the same tables, and the spec is of the version the code
//! writes. A change to one without the other fails here. (Reader floor only:
//! runs without the compiler.)

use isptab::table::layout::{self, ENCODING_CODES, Field, MAJOR, MINOR, SectionKind};

const SPEC: &str = include_str!("../schema/table-format.md");

/// The rows of the first Markdown table after `heading` (and after `after`, if
/// given, within that section), split into cells.
fn table_after(heading: &str, after: Option<&str>) -> Vec<Vec<String>> {
    let start = SPEC
        .find(heading)
        .unwrap_or_else(|| panic!("no `{heading}` in the spec"));
    let mut rest = &SPEC[start..];
    if let Some(marker) = after {
        rest = &rest[rest.find(marker).unwrap_or_else(|| panic!("no `{marker}`"))..];
    }
    rest.lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2) // the header row and the `---` row
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().trim_matches('`').to_string())
                .collect()
        })
        .collect()
}

/// The (offset, size, name) of each row of a field table.
fn fields_in_spec(heading: &str, after: Option<&str>) -> Vec<(usize, usize, String)> {
    table_after(heading, after)
        .into_iter()
        .map(|row| {
            let offset = row[0].parse().unwrap_or_else(|_| panic!("offset {row:?}"));
            // A variable size (the key's `L`) is 0 in the layout.
            let size = row[1].parse().unwrap_or(0);
            (offset, size, row[3].clone())
        })
        .collect()
}

fn fields_in_code(fields: &[Field]) -> Vec<(usize, usize, String)> {
    fields
        .iter()
        .map(|f| (f.offset, f.size, f.name.to_string()))
        .collect()
}

#[test]
fn every_field_table_is_the_layout() {
    for (heading, after, fields) in [
        ("## 3. Header", None, layout::header::FIELDS),
        ("## 4. Section directory", None, layout::directory::FIELDS),
        ("### 5.1 META", None, layout::meta::FIELDS),
        (
            "### 5.2 EXACT_INDEX",
            Some("Bucket head `b`"),
            layout::bucket::FIELDS,
        ),
        (
            "### 5.2 EXACT_INDEX",
            Some("Summary `i`"),
            layout::summary::FIELDS,
        ),
        (
            "### 5.2 EXACT_INDEX",
            Some("Entry `i`"),
            layout::entry::FIELDS,
        ),
        ("### 5.4 RECORDS", None, layout::record::FIELDS),
        ("### 5.6 RULE_SETS", None, layout::rule_set::FIELDS),
        ("### 5.7 RULES", None, layout::rule::FIELDS),
        ("### 5.8 GLOBS", None, layout::glob::FIELDS),
        ("### 5.9 MX_META", None, layout::mx_meta::FIELDS),
    ] {
        assert_eq!(
            fields_in_spec(heading, after),
            fields_in_code(fields),
            "{heading}"
        );
    }
}

#[test]
fn structure_sizes_are_the_spec_sizes() {
    for (fields, len) in [
        (layout::header::FIELDS, layout::header::LEN),
        (layout::directory::FIELDS, layout::directory::LEN),
        (layout::meta::FIELDS, layout::meta::LEN),
        (layout::record::FIELDS, layout::record::LEN),
        (layout::rule_set::FIELDS, layout::rule_set::LEN),
        (layout::rule::FIELDS, layout::rule::LEN),
        (layout::glob::FIELDS, layout::glob::LEN),
        (layout::bucket::FIELDS, layout::bucket::LEN),
        (layout::summary::FIELDS, layout::summary::LEN),
        (layout::mx_meta::FIELDS, layout::mx_meta::LEN),
    ] {
        // The fields tile the structure: each starts where the one before ends.
        let mut at = 0;
        for f in fields {
            assert_eq!(f.offset, at, "{}", f.name);
            at += f.size;
        }
        assert_eq!(at, len);
    }
}

/// The version the code writes, as the spec writes it (`1.1`).
fn version(minor: u16) -> String {
    format!("{MAJOR}.{minor}")
}

#[test]
fn the_spec_is_of_the_version_the_code_writes() {
    let title = SPEC.lines().next().unwrap_or_default();
    assert_eq!(
        title,
        format!("# The `isptab` table format, version {}", version(MINOR))
    );
}

#[test]
fn section_kinds_and_encoding_codes_are_the_spec_tables() {
    // Each kind, its name and the version from which a table must have it.
    let heading = format!("Section kinds of version {}", version(MINOR));
    let kinds: Vec<(u32, String, String)> = table_after(&heading, None)
        .into_iter()
        .map(|row| (row[0].parse().unwrap(), row[1].clone(), row[5].clone()))
        .collect();
    let code: Vec<(u32, String, String)> = SectionKind::ALL
        .iter()
        .map(|k| (*k as u32, k.name().to_string(), version(k.since_minor())))
        .collect();
    assert_eq!(kinds, code);
    let encodings: Vec<(u8, String)> = table_after("Encoding codes (the MIME", None)
        .into_iter()
        .map(|row| (row[0].parse().unwrap(), row[1].clone()))
        .collect();
    let code: Vec<(u8, String)> = ENCODING_CODES
        .iter()
        .map(|(c, e)| (*c, e.as_str().to_string()))
        .collect();
    assert_eq!(encodings, code);
}

#[test]
fn a_section_kind_s_position_is_its_place_in_all() {
    for (i, kind) in SectionKind::ALL.iter().enumerate() {
        assert_eq!(kind.position(), i, "{}", kind.name());
    }
}
