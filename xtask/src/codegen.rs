//! `cargo xtask codegen [--check]`: regenerate (or compare) every crate under `generated/`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use payspec_codegen::GeneratedCrate;

use crate::root;

/// Every provider's generated crate, in memory.
fn generate_all(root: &Path) -> Result<Vec<GeneratedCrate>, String> {
    payspec_codegen::load::providers(root)?
        .iter()
        .map(|p| payspec_codegen::load::generate(root, p))
        .collect()
}

fn files_on_disk(dir: &Path) -> BTreeMap<String, PathBuf> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else if let Ok(rel) = p.strip_prefix(base) {
                out.insert(rel.to_string_lossy().replace('\\', "/"), p.clone());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

pub(crate) fn codegen(check: bool) -> Result<(), String> {
    let root = root();
    let crates = generate_all(&root)?;
    let mut stale = Vec::new();
    let generated = root.join("generated");
    // Folders under generated/ that no spec produces any more.
    if let Ok(entries) = fs::read_dir(&generated) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if e.path().is_dir() && !crates.iter().any(|c| c.provider == name) {
                stale.push(format!("generated/{name}/ has no spec any more"));
                if !check {
                    fs::remove_dir_all(e.path()).map_err(|e| e.to_string())?;
                }
            }
        }
    }
    for krate in &crates {
        let dir = generated.join(&krate.provider);
        let on_disk = files_on_disk(&dir);
        for (rel, path) in &on_disk {
            if !krate.files.contains_key(rel) {
                stale.push(format!(
                    "generated/{}/{rel} is not generated any more",
                    krate.provider
                ));
                if !check {
                    fs::remove_file(path).map_err(|e| e.to_string())?;
                }
            }
        }
        for (rel, text) in &krate.files {
            let path = dir.join(rel);
            let old = fs::read_to_string(&path).ok();
            if old.as_deref() == Some(text.as_str()) {
                continue;
            }
            let shown = format!("generated/{}/{rel}", krate.provider);
            stale.push(payspec_codegen::diff(
                &shown,
                old.as_deref().unwrap_or(""),
                text,
            ));
            if !check {
                fs::create_dir_all(path.parent().expect("file has a folder"))
                    .map_err(|e| e.to_string())?;
                fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
    }
    if check {
        if stale.is_empty() {
            println!("generated/ is up to date ({} crates)", crates.len());
            Ok(())
        } else {
            for s in &stale {
                println!("{s}");
            }
            Err(format!(
                "generated/ is stale ({} differences above): run `cargo xtask codegen` and commit the result",
                stale.len()
            ))
        }
    } else {
        println!(
            "generated {} crates, {} files changed",
            crates.len(),
            stale.len()
        );
        Ok(())
    }
}
