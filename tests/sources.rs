//! The repository is self-contained: every real figure the bundled examples use is cited in
//! `docs/sources.md`, nothing refers to files outside the clone, and the inventory generators run
//! from a copy of the repository and write the committed inventories byte for byte.

use std::path::{Path, PathBuf};
use std::process::Command;

fn files(dir: &str, ext: &[&str]) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|e| e.to_str()).is_some_and(|e| ext.contains(&e)))
        .collect();
    v.sort();
    v
}

fn sources() -> String {
    std::fs::read_to_string("docs/sources.md").expect("docs/sources.md")
}

#[test]
fn nothing_refers_to_files_outside_the_repository() {
    let mut texts = files("scenarios", &["toml"]);
    texts.extend(files("tools", &["py", "sh"]));
    texts.extend([PathBuf::from("README.md"), PathBuf::from("rules/README.md"), PathBuf::from("docs/sources.md")]);
    for path in texts {
        let text = std::fs::read_to_string(&path).expect("read");
        for outside in ["/work/", "/shared/", "fiscal-facts.md", "budget-practice.md", "seeds/"] {
            assert!(!text.contains(outside), "{} refers to `{outside}`, outside the repository", path.display());
        }
    }
}

#[test]
fn every_source_a_scenario_or_generator_cites_is_in_docs_sources() {
    let sources = sources();
    let mut texts = files("scenarios", &["toml"]);
    texts.extend(files("tools", &["py"]));
    let mut cited = 0;
    for path in texts {
        let text = std::fs::read_to_string(&path).expect("read");
        for tag in text.split('[').skip(1).filter_map(|rest| rest.split_once(']').map(|(tag, _)| tag)) {
            let is_source = tag.len() > 2 && tag.chars().all(|c| c.is_ascii_uppercase() || c == '-');
            if is_source {
                cited += 1;
                assert!(
                    sources.contains(&format!("| [{tag}] |")),
                    "{} cites [{tag}], not defined in docs/sources.md",
                    path.display()
                );
            }
        }
    }
    assert!(cited >= 20, "the scenario headers cite their sources ({cited} citations)");
}

#[test]
fn the_real_figures_of_the_scenario_headers_are_in_docs_sources() {
    let sources = sources();
    for figure in [
        "6,476.84億円",
        "6,278.83億円",
        "6,435億円",
        "650億円",
        "644億円",
        "375億円",
        "8,030億円",
        "330億円",
        "357億円",
        "138億円",
        "8.2%",
        "4,378億円",
        "2,603億円",
        "339億円",
        "74.63%",
        "128分",
    ] {
        assert!(sources.contains(figure), "docs/sources.md does not give the source of {figure}");
    }
    // The cluster list is the published one: 57 clusters in three groups.
    let clusters = std::fs::read_to_string("scenarios/kitakyushu-clusters.csv").expect("clusters");
    assert_eq!(clusters.lines().count(), 58, "header + 57 clusters");
}

#[test]
fn the_generators_run_from_a_copy_of_the_repository_and_reproduce_the_inventories() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 is not installed: the generators cannot be checked here (CI installs it)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("waku-sources-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("tools")).expect("mkdir");
    for tool in files("tools", &["py"]) {
        std::fs::copy(&tool, dir.join(&tool)).expect("copy");
    }
    // Only the inputs the generators read: the cluster list and the FY2026 inventory is an output.
    std::fs::create_dir_all(dir.join("scenarios")).expect("mkdir");
    std::fs::copy("scenarios/kitakyushu-clusters.csv", dir.join("scenarios/kitakyushu-clusters.csv")).expect("copy");
    for script in ["tools/make-example-inventories.py", "tools/make-plan-inventories.py"] {
        let out = Command::new("python3").arg(script).current_dir(&dir).output().expect("python3");
        assert!(out.status.success(), "{script}: {}", String::from_utf8_lossy(&out.stderr));
    }
    for csv in [
        "kitakyushu-r8-programs.csv",
        "kumamoto-r8-programs.csv",
        "kitakyushu-r6-programs.csv",
        "kitakyushu-r7-programs.csv",
    ] {
        let made = std::fs::read(dir.join("scenarios").join(csv)).expect("generated");
        let committed = std::fs::read(Path::new("scenarios").join(csv)).expect("committed");
        assert!(made == committed, "{csv}: the generator does not reproduce the committed inventory");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
