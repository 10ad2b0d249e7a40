//! Scratch workspaces for tests that generate a provider as a maintainer would: the provider's
//! folder under `specs/`, its crate written by codegen under `generated/`, and a manifest that
//! is this workspace's own with the members replaced (so versions, features and the lock file
//! are the same and nothing is downloaded).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::root;

/// Writes `text` to `dir/rel`, creating folders.
pub fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Copies the folder `from` (recursively) to `dir/to`.
pub fn copy_folder(from: &Path, dir: &Path, to: &str) {
    let mut folders = vec![(from.to_path_buf(), to.to_string())];
    while let Some((from, to)) = folders.pop() {
        for entry in std::fs::read_dir(&from).expect("fixture folder") {
            let path = entry.expect("entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).expect("name");
            if path.is_dir() {
                folders.push((path.clone(), format!("{to}/{name}")));
            } else {
                let text = std::fs::read_to_string(&path).expect("fixture file");
                write(dir, &format!("{to}/{name}"), &text);
            }
        }
    }
}

/// A fresh workspace in the temporary folder, named after `label` and this process: the
/// fixture provider `tests/fixtures/providers/<provider>` under `specs/`, with `edit` applied
/// to the folder before generating (to change the spec), its crate generated under
/// `generated/`, and a manifest with this workspace's shared dependencies. `extra_members`
/// are added to the members (for example a driver crate the caller writes).
pub fn workspace(
    label: &str,
    provider: &str,
    edit: impl FnOnce(&Path),
    extra_members: &[&str],
) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("payspec-{label}-{provider}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_folder(
        &root().join(format!("tests/fixtures/providers/{provider}")),
        &dir,
        &format!("specs/{provider}"),
    );
    edit(&dir.join(format!("specs/{provider}")));

    // What `cargo xtask codegen` does: generate from specs/, write under generated/.
    let krate = payspec_codegen::load::generate(&dir, provider).unwrap_or_else(|e| panic!("{e}"));
    for (rel, text) in &krate.files {
        write(&dir, &format!("generated/{provider}/{rel}"), text);
    }

    // This workspace's manifest, with its members replaced and its path dependencies made
    // absolute.
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).expect("Cargo.toml");
    let start = manifest.find("members = [").expect("members");
    let end = start + manifest[start..].find(']').expect("]") + 1;
    let members: Vec<String> = std::iter::once("generated/*")
        .chain(extra_members.iter().copied())
        .map(|m| format!("{m:?}"))
        .collect();
    let mut manifest = format!(
        "{}members = [{}]{}",
        &manifest[..start],
        members.join(", "),
        &manifest[end..]
    );
    for krate in ["runtime", "codegen"] {
        let abs = root().join(krate);
        manifest = manifest.replace(
            &format!("path = \"{krate}\""),
            &format!("path = {:?}", abs.to_str().expect("UTF-8 path")),
        );
    }
    manifest = manifest.replace("exclude = [\"xtask\"]\n", "");
    write(&dir, "Cargo.toml", &manifest);
    std::fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock")).expect("Cargo.lock");
    dir
}

/// The target directory a test binary runs from (`<target>/<profile>/deps/<test>`), and the
/// profile.
pub fn target_dir() -> (PathBuf, String) {
    let exe = std::env::current_exe().expect("current_exe");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("<target>/<profile>/deps")
        .to_path_buf();
    let profile = profile_dir
        .file_name()
        .and_then(|n| n.to_str())
        .expect("profile")
        .to_string();
    (
        profile_dir.parent().expect("<target>").to_path_buf(),
        profile,
    )
}

/// `cargo <args>` in the workspace `dir`, with the calling test's target directory and profile.
pub fn cargo(dir: &Path, args: &[&str]) -> std::process::Output {
    let (target, profile) = target_dir();
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .current_dir(dir)
        .args(args)
        .arg("--target-dir")
        .arg(&target)
        .env_remove("RUSTFLAGS");
    if profile != "debug" {
        command.args(["--profile", &profile]);
    }
    command.output().expect("run cargo")
}
