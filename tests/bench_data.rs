//! The benchmarks' name-length mixes are what BENCHMARKS.md says they are: the
//! average name length of each, unique names, and the real list read whole.

#![cfg(feature = "compiler")]

#[path = "../benches/support/gen.rs"]
mod generator;

use generator::Mix;

#[test]
fn each_mix_has_its_name_length() {
    for (mix, low, high) in [
        (Mix::Short, 13.5, 15.5),
        (Mix::Medium, 20.0, 22.5),
        (Mix::Long, 27.5, 30.5),
        (Mix::Hex, 27.5, 30.5),
        (Mix::Real, 12.0, 14.5),
    ] {
        let data = generator::dataset_of(mix, 20_000, 100, 0, 1);
        let n = data.domains.len();
        let average = data.domains.iter().map(String::len).sum::<usize>() as f64 / n as f64;
        assert!(
            (low..=high).contains(&average),
            "{}: {average:.1} bytes a name",
            mix.name()
        );
        let unique: std::collections::HashSet<&String> = data.domains.iter().collect();
        assert_eq!(unique.len(), n, "{}", mix.name());
        assert_eq!(Mix::parse(mix.name()), Some(mix));
    }
    let real = generator::dataset_of(Mix::Real, usize::MAX, 10, 0, 1);
    assert_eq!(
        real.domains.len(),
        4_461,
        "the 5 lines that are not domains left out"
    );
    assert_eq!(real.domains[0], "1033edge.com");
}
