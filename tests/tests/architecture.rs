//! Architecture invariants of ARCHITECTURE.md that a test can check.
//!
//! No import circles: within each hand-written crate, no two sibling modules (files with the
//! same parent module) refer to each other, directly or through other siblings. A reference is
//! any `crate::…` or `super::…` path in a file (imports, paths in code, and doc links alike)
//! that names another module of the crate. A parent module and its own children may refer to
//! each other (`mod.rs` declares them; they use what it defines).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every module of the crate whose sources are in `src`, by path (`dcs::value`), with its text.
fn modules(src: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path
                .strip_prefix(src)
                .expect("inside src")
                .with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().to_string())
                .collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            let text = std::fs::read_to_string(&path).expect("read");
            out.insert(parts.join("::"), text);
        }
    }
    out
}

fn parent(module: &str) -> &str {
    module.rsplit_once("::").map_or("", |(p, _)| p)
}

/// The sibling modules `module`'s text refers to.
fn sibling_refs(module: &str, text: &str, all: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (base, prefix) in [
        ("crate::", Vec::new()),
        ("super::", {
            let p = parent(module);
            if p.is_empty() {
                Vec::new()
            } else {
                p.split("::").map(str::to_string).collect()
            }
        }),
    ] {
        for (at, _) in text.match_indices(base) {
            // Not the tail of a longer name (`my_crate::`).
            if text[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let path: Vec<&str> = text[at + base.len()..]
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .next()
                .unwrap_or_default()
                .split("::")
                .filter(|s| !s.is_empty())
                .collect();
            let mut candidate = prefix.clone();
            candidate.extend(path.iter().map(|s| s.to_string()));
            // The longest prefix that is a module.
            for k in (1..=candidate.len()).rev() {
                let target = candidate[..k].join("::");
                if all.contains_key(&target) {
                    if target != module && parent(&target) == parent(module) {
                        out.insert(target);
                    }
                    break;
                }
            }
        }
    }
    out
}

/// The groups of modules that refer to each other in a circle (strongly connected components of
/// more than one module).
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Reachability is enough at this size: a and b are in a circle when each reaches the other.
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(m) = todo.pop() {
            for next in edges.get(&m).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> =
        edges.keys().map(|m| (m, reach(m))).collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    for (m, r) in &reaches {
        let mut group: Vec<String> = r
            .iter()
            .filter(|o| reaches.get(o).is_some_and(|back| back.contains(*m)))
            .cloned()
            .collect();
        if !group.is_empty() {
            group.push((*m).clone());
            group.sort();
            group.dedup();
            if !out.contains(&group) {
                out.push(group);
            }
        }
    }
    out
}

#[test]
fn no_import_circles() {
    let root = payspec_tests::root();
    let mut found = Vec::new();
    let mut modules_seen = 0;
    for krate in [
        "runtime/src",
        "codegen/src",
        "sandbox/src",
        "tests/src",
        "xtask/src",
    ] {
        let all = modules(&root.join(krate));
        modules_seen += all.len();
        let edges: BTreeMap<String, BTreeSet<String>> = all
            .iter()
            .map(|(m, text)| (m.clone(), sibling_refs(m, text, &all)))
            .collect();
        for circle in circles(&edges) {
            found.push(format!("{krate}: {}", circle.join(" <-> ")));
        }
    }
    assert!(modules_seen > 40, "read only {modules_seen} modules");
    assert!(found.is_empty(), "import circles: {found:#?}");
}

#[test]
fn the_circle_check_finds_circles() {
    let all: BTreeMap<String, String> = [
        ("a".to_string(), "use crate::b::X;".to_string()),
        ("b".to_string(), "fn f() { super::a::g() }".to_string()),
        ("c".to_string(), "use crate::a;".to_string()),
        ("d::e".to_string(), "use super::f::Y;".to_string()),
        ("d::f".to_string(), "use crate::d::e::Z;".to_string()),
        ("d".to_string(), "mod e; mod f; use self::e::Z;".to_string()),
    ]
    .into_iter()
    .collect();
    let edges: BTreeMap<String, BTreeSet<String>> = all
        .iter()
        .map(|(m, text)| (m.clone(), sibling_refs(m, text, &all)))
        .collect();
    assert_eq!(
        circles(&edges),
        vec![
            vec!["a".to_string(), "b".to_string()],
            vec!["d::e".to_string(), "d::f".to_string()],
        ]
    );
}

/// Architecture invariant: the OpenAPI emitters (`codegen/src/emit`) read only the typed model
/// (`codegen/src/model`) and progenitor's output, never the spec as written: no `crate::spec`,
/// no `serde_json::Value` walking. Errors found there are the front ends' to report.
#[test]
fn emitters_read_only_the_model() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen/src/emit");
    let mut offenders = Vec::new();
    for entry in std::fs::read_dir(&root).expect("read_dir") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            // Spec examples are JSON values the model carries as data (`model::Example`).
            if code.contains("crate::spec") || code.contains("serde_json::Value") {
                offenders.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(offenders.is_empty(), "{}", offenders.join("\n"));
}
