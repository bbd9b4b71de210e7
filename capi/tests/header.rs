//! `include/isptab.h` is exactly what cbindgen generates from `src/lib.rs` now.
//! `ISPTAB_BLESS=1 cargo test -p isptab-capi --test header` rewrites it.

use std::path::Path;

#[test]
fn the_checked_in_header_is_generated() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen reads src/lib.rs");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let path = dir.join("include/isptab.h");
    if std::env::var_os("ISPTAB_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("include/isptab.h is writable");
        return;
    }
    let checked_in = std::fs::read(&path).unwrap_or_default();
    if checked_in != generated {
        let generated = String::from_utf8_lossy(&generated);
        let checked_in = String::from_utf8_lossy(&checked_in);
        let first = generated
            .lines()
            .zip(checked_in.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(generated.lines().count().min(checked_in.lines().count()));
        panic!(
            "capi/include/isptab.h is stale (first difference at line {}); run \
             `ISPTAB_BLESS=1 cargo test -p isptab-capi --test header`",
            first + 1
        );
    }
}
