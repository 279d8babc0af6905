//! Writes the fixture list of `tests/wasm.rs`: every case of `tests/fixtures` with its
//! native snapshot, so that the wasm parity test covers each fixture without a hand-kept
//! list. Reads only the test folders; the crate itself does no I/O.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn sorted(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir).map(|r| r.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    paths.sort();
    paths
}

fn main() {
    println!("cargo:rerun-if-changed=tests/fixtures");
    println!("cargo:rerun-if-changed=tests/snapshots");
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default()).join("tests");
    let mut out = String::from("&[\n");
    for dir in sorted(&root.join("fixtures")).into_iter().filter(|d| d.is_dir()) {
        let id = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        for case in sorted(&dir).into_iter().filter(|c| c.extension().is_some_and(|e| e == "case")) {
            let label = case.file_stem().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let snapshot = root.join("snapshots").join(format!("{id}__{label}.snap"));
            let _ = writeln!(out, "    ({id:?}, include_str!({:?}), include_str!({:?})),", case.display().to_string(), snapshot.display().to_string());
        }
    }
    out.push(']');
    let target = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("wasm_cases.rs");
    if let Err(e) = std::fs::write(&target, out) {
        println!("cargo:warning=could not write {}: {e}", target.display());
    }
}
