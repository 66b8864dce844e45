//! CSV inventories in the encodings Excel saves on a Japanese system: the Kitakyushu inventory (and
//! its cluster list) as UTF-8 with a byte-order mark, Shift_JIS (CP932) and UTF-16 allocate to
//! byte-identical `waku run --format json`, detected or stated with `csv_encoding`.

mod common;

use std::path::{Path, PathBuf};

use common::waku_in as waku;

fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("waku-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Excel's "CSV (コンマ区切り)": Shift_JIS in Windows' variant (CP932), no byte-order mark.
fn cp932(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!unmappable, "the text has a character CP932 cannot hold");
    bytes.into_owned()
}

/// Excel's "Unicode テキスト": UTF-16, little-endian, with a byte-order mark.
fn utf16(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

#[test]
fn the_kitakyushu_inventory_in_cp932_and_utf16_allocates_byte_identically() {
    let dir = common::kitakyushu_r8_copy("inventory-encodings");
    let read = |f: &str| {
        let text = std::fs::read_to_string(dir.join(f)).expect("read CSV");
        text.trim_start_matches('\u{feff}').to_string()
    };
    let (programs, clusters) = (read("kitakyushu-r8-programs.csv"), read("kitakyushu-clusters.csv"));
    let (proposals, kpis) = (read("kitakyushu-r8-proposals.csv"), read("kitakyushu-r8-kpis.csv"));
    assert!(programs.contains("子ども") && !programs.is_ascii(), "the inventory has Japanese text to decode");
    type Encode = fn(&str) -> Vec<u8>;
    let variants: [(&str, Encode, &str); 3] =
        [("cp932", cp932, ""), ("utf16", utf16, ""), ("cp932-stated", cp932, "csv_encoding = \"cp932\"\n")];
    let rules = std::fs::canonicalize("rules").expect("rules folder");
    let rules = rules.to_str().expect("utf-8");
    let (code, utf8, stderr) = waku(&dir, &["run", "kitakyushu-r8.toml", "--rules", rules, "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(utf8.contains("\"programs\"") && utf8.contains("子ども家庭局"), "{utf8}");
    for (name, encode, stated) in variants {
        std::fs::write(dir.join(format!("programs-{name}.csv")), encode(&programs)).expect("write inventory");
        std::fs::write(dir.join(format!("clusters-{name}.csv")), encode(&clusters)).expect("write clusters");
        std::fs::write(dir.join(format!("proposals-{name}.csv")), encode(&proposals)).expect("write proposals");
        std::fs::write(dir.join(format!("kpis-{name}.csv")), encode(&kpis)).expect("write KPI table");
        let overlay = format!(
            "extends = \"kitakyushu-r8.toml\"\ninventory = \"programs-{name}.csv\"\ncluster_file = \"clusters-{name}.csv\"\nproposals = \"proposals-{name}.csv\"\nkpis = \"kpis-{name}.csv\"\n{stated}"
        );
        std::fs::write(dir.join(format!("{name}.toml")), overlay).expect("write overlay");
        let (code, json, stderr) = waku(&dir, &["run", &format!("{name}.toml"), "--rules", rules, "--format", "json"]);
        assert_eq!(code, 0, "{name}: {stderr}");
        assert!(json == utf8, "{name}: the allocation JSON differs from the UTF-8 inventory's");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cp932_extensions_read_as_excel_wrote_them() {
    // Bytes as Windows writes them (checked against Python's `cp932` codec): NEC ① (87 40) and ㈱
    // (87 8A), IBM 髙 (FB FC), and the full-width tilde ～ (81 60), which Japanese Windows types.
    let dir = temp_dir("cp932-extensions");
    let mut csv = b"id,name,department,kind,prior_cost,requested\nP1,".to_vec();
    csv.extend([0x87, 0x40, 0x87, 0x8A, 0xFB, 0xFC, 0x81, 0x60]);
    csv.extend(b",kodomo,discretionary,1\x89\xad\x89\x7e,1\x89\xad\x89\x7e\n");
    std::fs::write(dir.join("programs.csv"), csv).expect("write inventory");
    std::fs::write(
        dir.join("city.toml"),
        "city = \"みほん市\"\nfiscal_year = 2026\ninventory = \"programs.csv\"\n\
         [revenue]\ngeneral_revenue = \"2億円\"\n[bonds]\nissuance_cap = \"0円\"\n[policy]\ninvestment_cap = \"0円\"\n\
         [[departments]]\nid = \"kodomo\"\nname = \"子ども家庭局\"\n",
    )
    .expect("write scenario");
    let rules = std::fs::canonicalize("rules").expect("rules folder");
    let (code, json, stderr) =
        waku(&dir, &["run", "city.toml", "--rules", rules.to_str().expect("utf-8"), "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(json.contains("\"name\": \"①㈱髙～\""), "{json}");
    assert!(json.contains("\"requested\": \"100000000\""), "1億円 read from Shift_JIS: {json}");
    let _ = std::fs::remove_dir_all(&dir);
}
