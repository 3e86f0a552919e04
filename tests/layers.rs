//! The layers point one way: no module under `src/` imports from a layer above its own
//! (docs/architecture.md draws them). `scripts/layers.sh` runs this test alone.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each top-level module's layer; a module may import only from lower layers.
const LAYERS: &[(&str, u8)] = &[
    ("error", 0),
    ("stats", 0),
    ("model", 1),
    ("fs", 1),
    ("units", 2),
    ("config", 3),
    ("ingest", 4),
    ("history", 4),
    ("report", 4),
    ("analysis", 5),
    ("github", 6),
    ("dashboard", 6),
    ("cli", 7),
    ("app", 8),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// The top-level modules a source text names through `crate::`, grouped imports
/// (`use crate::{a, b::c}`) included. Comments are skipped.
fn crate_imports(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            if let Some(group) = after.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for part in group[..end].split(',') {
                    let name: String = part
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        out.insert(name);
                    }
                }
            } else {
                let name: String = after
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
            rest = after;
        }
    }
    out
}

/// The violations in one module's text: imports of the same or a higher layer.
fn violations(module: &str, text: &str) -> Vec<String> {
    let Some(own) = layer(module) else {
        return vec![format!("`{module}` has no layer in tests/layers.rs")];
    };
    crate_imports(text)
        .into_iter()
        // The crate root re-exports `error::{Error, Result}`.
        .map(|m| {
            if m == "Error" || m == "Result" {
                "error".to_string()
            } else {
                m
            }
        })
        .filter(|m| m != module)
        .filter_map(|m| match layer(&m) {
            Some(l) if l < own => None,
            Some(l) => Some(format!(
                "`{module}` (layer {own}) imports `{m}` (layer {l})"
            )),
            None => Some(format!("`{module}` imports unknown `crate::{m}`")),
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable").flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_module_imports_from_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in files {
        let rel = file.strip_prefix(&src).expect("below src");
        let first = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .expect("a name");
        let module = first.strip_suffix(".rs").unwrap_or(first);
        if module == "main" || module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("readable");
        checked += 1;
        for v in violations(module, &text) {
            problems.push(format!("{}: {v}", rel.display()));
        }
    }
    assert!(checked > 30, "only {checked} files were checked");
    assert!(
        problems.is_empty(),
        "imports that point up:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_checker_sees_plain_grouped_and_qualified_imports() {
    let text = "use crate::model::Run;\nuse crate::{config::Config, fs};\n\
                let x = crate::app::run(); // crate::history in a comment\n";
    let found = crate_imports(text);
    assert_eq!(
        found.into_iter().collect::<Vec<_>>(),
        ["app", "config", "fs", "model"]
    );
    let v = violations("ingest", text);
    assert_eq!(v, ["`ingest` (layer 4) imports `app` (layer 8)"]);
    assert!(violations("app", text).is_empty());
    assert_eq!(
        violations("report", "use crate::ingest::Format;"),
        ["`report` (layer 4) imports `ingest` (layer 4)"],
        "a sibling of the same layer is not below"
    );
}
