//! The scenario loader (TOML + CSV inventory) never panics: any input loads or gives located errors.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The input is a scenario and an inventory, separated by the first NUL byte.
    let (toml, csv) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let dir = std::env::temp_dir().join(format!("waku-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let scenario = dir.join("s.toml");
    let _ = std::fs::write(&scenario, toml);
    let _ = std::fs::write(dir.join("p.csv"), csv);
    match waku::scenario::load(&scenario) {
        Ok(s) => {
            // A loaded scenario's totals are computable.
            let _ = s.total_requested();
            let _ = s.requested_general_revenue();
            let _ = waku::report::summary(&s);
        }
        Err(e) => {
            let text = e.to_string();
            assert!(text.starts_with("error: "), "{text}");
        }
    }
});
