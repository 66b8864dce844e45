//! The modules form layers: no cycle among the top-level modules of `src/` (e.g. `rules` never
//! reaches back into `review`, nor `allocate` into `report`), and none among the files of one
//! module (e.g. `allocate/solve.rs` and `allocate/branch.rs`, `cli/run.rs` and `cli/plan.rs`).
//!
//! Read from the source, not the compiler: every `crate::NAME` path (grouped `crate::{a, b}` too)
//! in a module's code, outside comments and the unit tests at the end of a file, is an edge to
//! `NAME`; inside a folder module, `super::NAME` in one of its files and `crate::MODULE::NAME`
//! are edges between its files (`mod.rs`, the module's face, is left out).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("read src").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file: without comments (a doc link is no dependency) and without the unit tests,
/// which come last in every file of `src/`.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("read a source file");
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => &text[..],
    };
    text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// Every `PREFIX::name` and `PREFIX::{a, b::c}` in `code`: the names right after the prefix.
fn names_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let ident = |s: &str| s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>();
    let mut out = BTreeSet::new();
    let pattern = format!("{prefix}::");
    for (i, _) in code.match_indices(&pattern) {
        // Not the tail of a longer path (`super::super::`) or name (`my_crate::`).
        if code[..i].chars().last().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let rest = &code[i + pattern.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // The items of the group at its own depth: `a::{b, c}, d` → `a`, `d`.
            let (mut depth, mut item_start) = (0usize, true);
            for (j, ch) in group.char_indices() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        item_start = false;
                        let name = ident(&group[j..]);
                        if !name.is_empty() {
                            out.insert(name);
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

/// A cycle of `graph`, as the names along it, if it has one.
fn cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(n: &str, graph: &Graph, path: &mut Vec<String>, done: &mut BTreeSet<String>) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            let mut c = path[i..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for m in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level module a file belongs to (`src/allocate/solve.rs` → `allocate`); `None` for the
/// crate root (`lib.rs`, `main.rs`).
fn top_module(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(src()).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

fn top_level_graph() -> Graph {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let modules: BTreeSet<String> = files.iter().filter_map(|f| top_module(f)).collect();
    let mut graph = Graph::new();
    for f in &files {
        let Some(m) = top_module(f) else { continue };
        let deps = names_after(&code(f), "crate");
        let entry = graph.entry(m.clone()).or_default();
        entry.extend(deps.into_iter().filter(|d| *d != m && modules.contains(d)));
    }
    graph
}

#[test]
fn the_top_level_modules_form_layers() {
    let graph = top_level_graph();
    assert!(graph.len() >= 10, "read the modules of src/: {graph:?}");
    // The reading finds real edges (so an empty graph cannot pass for an acyclic one).
    assert!(graph["report"].contains("allocate") && graph["allocate"].contains("scenario"), "{graph:?}");
    if let Some(c) = cycle(&graph) {
        panic!("the top-level modules depend on each other in a cycle: {}", c.join(" → "));
    }
}

#[test]
fn the_files_of_a_module_form_layers() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut by_module: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(src()).expect("under src").to_path_buf();
        if rel.components().count() >= 2 {
            let m = rel.components().next().and_then(|c| c.as_os_str().to_str()).unwrap_or("").to_string();
            by_module.entry(m).or_default().push(f);
        }
    }
    let mut checked = 0;
    for (module, files) in &by_module {
        let dir = src().join(module);
        // A file of the folder, or a sub-folder taken as one.
        let part = |f: &Path| -> Option<String> {
            let rel = f.strip_prefix(&dir).ok()?;
            let first = rel.components().next()?.as_os_str().to_str()?;
            let name = first.strip_suffix(".rs").unwrap_or(first);
            (name != "mod").then(|| name.to_string())
        };
        let parts: BTreeSet<String> = files.iter().filter_map(|f| part(f)).collect();
        let mut graph = Graph::new();
        for f in files {
            let Some(p) = part(f) else { continue };
            let code = code(f);
            let mut deps = names_after(&code, &format!("crate::{module}"));
            if f.parent() == Some(dir.as_path()) {
                deps.extend(names_after(&code, "super"));
            }
            graph.entry(p.clone()).or_default().extend(deps.into_iter().filter(|d| *d != p && parts.contains(d)));
        }
        if let Some(c) = cycle(&graph) {
            panic!("the files of `{module}` depend on each other in a cycle: {}", c.join(" → "));
        }
        checked += 1;
    }
    assert!(checked >= 8, "folder modules checked: {checked}");
}

#[test]
fn a_cycle_is_found() {
    let mut g = Graph::new();
    g.entry("rules".into()).or_default().insert("review".into());
    g.entry("review".into()).or_default().insert("rules".into());
    g.entry("allocate".into()).or_default().insert("review".into());
    assert_eq!(cycle(&g), Some(vec!["review".to_string(), "rules".to_string(), "review".to_string()]));
    g.get_mut("rules").expect("rules").clear();
    assert_eq!(cycle(&g), None);
    let code = "use crate::{money::Money, review::{Action, Review}};\nlet x = crate::allocate::allocate(y);";
    assert_eq!(names_after(code, "crate"), ["allocate", "money", "review"].map(String::from).into());
}
