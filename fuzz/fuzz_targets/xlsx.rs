//! Inventory workbooks (`.xlsx`): any bytes named as a workbook load or give located errors — no
//! panic, no unbounded memory (entries' unpacked sizes are capped, CRCs checked).
#![no_main]

use libfuzzer_sys::fuzz_target;

const SCENARIO: &str = r#"city = "みほん市"
fiscal_year = 2026
inventory = "p.xlsx"
[revenue]
general_revenue = "10億円"
[bonds]
issuance_cap = "0円"
[policy]
investment_cap = "0円"
[[departments]]
id = "kodomo"
"#;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("waku-fuzz-xlsx-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let scenario = dir.join("s.toml");
    let _ = std::fs::write(&scenario, SCENARIO);
    let _ = std::fs::write(dir.join("p.xlsx"), data);
    match waku::scenario::load(&scenario) {
        Ok(s) => {
            let _ = s.total_requested();
        }
        Err(e) => {
            let text = e.to_string();
            assert!(text.starts_with("error: "), "{text}");
        }
    }
});
