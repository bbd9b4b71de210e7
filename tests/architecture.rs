//! The floors of `ARCHITECTURE.md`, checked on the source: every module depends
//! only on modules of its own floor or the floors below (semantics, then table,
//! then compiler, then the command line), the modules' dependencies have no
//! cycles, and the semantics floor does no I/O and uses no parser, diagnostics
//! or command-line crate. A module's dependencies are the `crate::...`,
//! `super::...` and `isptab::...` paths in its code (tests excluded).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Module = Vec<String>;

/// Every module of `src/`, by path (the binary's modules under `bin`).
fn modules() -> BTreeMap<Module, String> {
    fn walk(dir: &Path, out: &mut BTreeMap<Module, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix("src").unwrap().with_extension("");
                let mut module: Module = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if module.last().is_some_and(|l| l == "mod") {
                    module.pop();
                }
                if module == ["lib"] {
                    module.clear();
                }
                if module
                    .first()
                    .is_some_and(|m| ["main", "cli", "commands"].contains(&m.as_str()))
                {
                    module.insert(0, "bin".into());
                }
                let text = std::fs::read_to_string(&path).unwrap();
                out.insert(module, text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(Path::new("src"), &mut out);
    out
}

/// The code of a file without comments and without its tests.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a file names: `crate::a::b`, `super::c`, `isptab::d`, each with the
/// names of a `{...}` group after it.
fn paths(code: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for start in ["crate::", "super::", "isptab::"] {
        let mut rest = code;
        while let Some(i) = rest.find(start) {
            let before = rest[..i].chars().last();
            rest = &rest[i..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            let path = rest[..end].trim_end_matches(':').to_string();
            let mut names = Vec::new();
            if rest[end..].starts_with('{') {
                let close = rest[end..].find('}').map_or(rest.len(), |c| end + c);
                names = rest[end + 1..close]
                    .split(',')
                    .map(|n| n.trim().split([' ', ':']).next().unwrap_or("").to_string())
                    .filter(|n| !n.is_empty() && n != "self")
                    .collect();
            }
            if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                out.push((path, names));
            }
            rest = &rest[end..];
        }
    }
    out
}

/// The module a path leads to: the longest prefix that is a module.
fn resolve(path: &[String], modules: &BTreeMap<Module, String>) -> Option<Module> {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|m| modules.contains_key(m))
}

fn dependencies(modules: &BTreeMap<Module, String>) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut deps = BTreeMap::new();
    for (module, text) in modules {
        let mut targets = BTreeSet::new();
        for (path, names) in paths(&code(text)) {
            let mut segs: Vec<String> = path.split("::").map(str::to_string).collect();
            let head = segs.remove(0);
            let base: Vec<String> = match head.as_str() {
                "super" => module[..module.len().saturating_sub(1)].to_vec(),
                _ => Vec::new(),
            };
            let full: Vec<String> = base.into_iter().chain(segs).collect();
            let mut candidates = vec![full.clone()];
            candidates.extend(names.iter().map(|n| {
                let mut p = full.clone();
                p.push(n.clone());
                p
            }));
            for c in candidates {
                if let Some(target) = resolve(&c, modules).filter(|t| t != module) {
                    targets.insert(target);
                }
            }
        }
        deps.insert(module.clone(), targets);
    }
    deps
}

fn floor(module: &Module) -> usize {
    match module.first().map(String::as_str) {
        Some("semantics") => 1,
        Some("table") | Some("apply") => 2,
        Some("compiler") => 3,
        Some("bin") => 4,
        _ => 0,
    }
}

#[test]
fn every_module_stands_on_its_floor_or_below() {
    let modules = modules();
    let deps = dependencies(&modules);
    // The analysis sees the dependencies there are.
    let m = |s: &str| -> Module { s.split("::").map(str::to_string).collect() };
    assert!(deps[&m("table::write")].contains(&m("semantics::model")));
    assert!(deps[&m("compiler::merge")].contains(&m("compiler::files")));
    let wrong: Vec<String> = deps
        .iter()
        .flat_map(|(m, ts)| {
            ts.iter()
                .filter(|t| !t.is_empty() && floor(t) > floor(m))
                .map(move |t| format!("{} -> {}", m.join("::"), t.join("::")))
        })
        .collect();
    assert!(wrong.is_empty(), "upward dependencies: {wrong:#?}");
}

#[test]
fn modules_have_no_cycles() {
    let modules = modules();
    let deps = dependencies(&modules);
    // Depth-first search for a back edge.
    fn visit(
        m: &Module,
        deps: &BTreeMap<Module, BTreeSet<Module>>,
        state: &mut BTreeMap<Module, u8>,
        stack: &mut Vec<Module>,
    ) -> Option<Vec<Module>> {
        state.insert(m.clone(), 1);
        stack.push(m.clone());
        for t in deps.get(m).into_iter().flatten() {
            match state.get(t) {
                Some(1) => {
                    let at = stack.iter().position(|s| s == t).unwrap();
                    return Some(stack[at..].to_vec());
                }
                Some(_) => {}
                None => {
                    if let Some(cycle) = visit(t, deps, state, stack) {
                        return Some(cycle);
                    }
                }
            }
        }
        stack.pop();
        state.insert(m.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for m in modules.keys() {
        if !state.contains_key(m)
            && let Some(cycle) = visit(m, &deps, &mut state, &mut Vec::new())
        {
            let shown: Vec<String> = cycle.iter().map(|m| m.join("::")).collect();
            panic!("a module cycle: {}", shown.join(" -> "));
        }
    }
}

#[test]
fn semantics_does_no_io_and_uses_no_parser() {
    for (module, text) in modules() {
        if module.first().map(String::as_str) != Some("semantics") {
            continue;
        }
        let code = code(&text);
        for forbidden in [
            "std::fs", "std::io", "std::net", "kdl::", "miette", "clap", "rustix",
        ] {
            assert!(
                !code.contains(forbidden),
                "{} uses {forbidden}",
                module.join("::")
            );
        }
    }
}
