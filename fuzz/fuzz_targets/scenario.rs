//! The scenario loader (TOML + CSV inventory + `--set` values) never panics: any input loads or
//! gives located errors, and a loaded scenario's totals and summary are computable.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The input is a scenario, an inventory and `--set` lines, separated by NUL bytes.
    let mut parts = data.splitn(3, |b| *b == 0);
    let toml = parts.next().unwrap_or_default();
    let csv = parts.next().unwrap_or_default();
    let sets: Vec<String> = parts
        .next()
        .map(|s| String::from_utf8_lossy(s).lines().take(8).map(str::to_string).collect())
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("waku-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let scenario = dir.join("s.toml");
    let _ = std::fs::write(&scenario, toml);
    let _ = std::fs::write(dir.join("p.csv"), csv);
    let options = waku::scenario::LoadOptions { set: sets, ..Default::default() };
    match waku::scenario::load_with(&scenario, &options) {
        Ok(s) => {
            // A loaded scenario's totals are computable, and its summary renders.
            let _ = s.total_requested();
            let _ = s.requested_general_revenue();
            for d in &s.departments {
                let _ = s.department_base(&d.id);
            }
            let _ = waku::report::summary(&s);
        }
        Err(e) => {
            let text = e.to_string();
            assert!(text.starts_with("error: "), "{text}");
        }
    }
});
