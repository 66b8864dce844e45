//! Program inventories kept as Excel workbooks: the same programs read from `.xlsx` and from CSV
//! allocate to the same yen, and the bad-workbook fixtures in `tests/fixtures/bad/` are the bytes
//! this file writes (`WAKU_BLESS=1` rewrites them; their expected messages are checked by cli_errors.rs).

mod common;

use std::path::Path;

use common::waku_in as waku;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};
use waku::{Money, Unit};

fn new_workbook() -> Workbook {
    let mut wb = Workbook::new();
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1).expect("date");
    wb.set_properties(&DocProperties::new().set_creation_datetime(&fixed));
    wb
}

/// Copies a CSV inventory into a workbook as an official would keep it: on a sheet `事業` behind a
/// notes sheet, Japanese headers, prior costs as numbers under `前年度予算額（千円）`, requests as
/// text (`"1,759,173千円"`), ratios as numbers, yes/no as booleans.
fn csv_to_xlsx(csv_path: &Path, xlsx_path: &Path) {
    let mut reader = csv::Reader::from_path(csv_path).expect("read CSV");
    let headers: Vec<String> =
        reader.headers().expect("header").iter().map(|h| h.trim_start_matches('\u{feff}').to_string()).collect();
    let mut wb = new_workbook();
    wb.add_worksheet().set_name("説明").expect("name").write(0, 0, "事務事業一覧（令和8年度）").expect("note");
    let ws = wb.add_worksheet();
    ws.set_name("事業").expect("name");
    for (c, h) in headers.iter().enumerate() {
        let ja = waku::scenario::COLUMNS.iter().find(|(en, _, _)| en == h).map_or(h.as_str(), |(_, ja, _)| *ja);
        let shown = if h == "prior_cost" { format!("{ja}（千円）") } else { ja.to_string() };
        ws.write(0, c as u16, shown).expect("header");
    }
    for (r, record) in reader.records().enumerate() {
        let record = record.expect("record");
        let row = r as u32 + 1;
        for (c, (h, v)) in headers.iter().zip(record.iter()).enumerate() {
            let c = c as u16;
            if v.is_empty() {
                continue;
            }
            match h.as_str() {
                "prior_cost" => {
                    let sen = Money::parse(v).expect("money").in_unit(Unit::Sen);
                    ws.write(row, c, sen.to_string().parse::<f64>().expect("number")).expect("cell");
                }
                "id" | "name" | "department" | "cluster" | "kind" | "strategy" | "overlap_with" | "kpi_indicator"
                | "kpi_direction" | "requested" | "fees" | "natural_savings" | "nature" => {
                    ws.write(row, c, v).expect("cell");
                }
                "next_generation" | "all_or_nothing" | "outsourced" => {
                    ws.write(row, c, v == "true").expect("cell");
                }
                _ => {
                    ws.write(row, c, v.parse::<f64>().expect("number")).expect("cell");
                }
            }
        }
    }
    wb.save(xlsx_path).expect("save workbook");
}

#[test]
fn an_xlsx_inventory_allocates_exactly_like_its_csv() {
    let dir = common::kitakyushu_r8_copy("inventory-xlsx");
    csv_to_xlsx(&dir.join("kitakyushu-r8-programs.csv"), &dir.join("programs.xlsx"));
    std::fs::write(
        dir.join("from-xlsx.toml"),
        "extends = \"kitakyushu-r8.toml\"\ninventory = \"programs.xlsx\"\ninventory_sheet = \"事業\"\n",
    )
    .expect("write overlay");
    let rules = std::fs::canonicalize("rules").expect("rules folder");
    let rules = rules.to_str().expect("utf-8");
    let (code, from_csv, stderr) = waku(&dir, &["run", "kitakyushu-r8.toml", "--rules", rules, "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, from_xlsx, stderr) = waku(&dir, &["run", "from-xlsx.toml", "--rules", rules, "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(from_csv.contains("\"programs\""), "{from_csv}");
    assert!(from_csv == from_xlsx, "the allocation JSON differs between the CSV and the xlsx inventory");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The bad workbooks of the error corpus, as (file name, bytes).
fn bad_workbooks() -> Vec<(&'static str, Vec<u8>)> {
    let header = ["事業番号", "事業名", "所管局", "経費区分", "前年度予算額", "要求額（千円）"];
    let rows: [[&str; 6]; 2] = [
        ["C01", "地域子育て支援拠点事業", "kodomo", "裁量的", "95,596千円", "95744"],
        ["C02", "商店街活性化事業", "sangyo", "裁量的", "40,000千円", "未定"],
    ];
    let sheet = |columns: &[usize], rows: &[[&str; 6]]| {
        let mut wb = new_workbook();
        let ws = wb.add_worksheet();
        ws.set_name("事業").expect("name");
        for (c, &i) in columns.iter().enumerate() {
            ws.write(0, c as u16, header[i]).expect("header");
            for (r, row) in rows.iter().enumerate() {
                // Numbers as numbers, the rest as text.
                match row[i].parse::<f64>() {
                    Ok(n) => ws.write(r as u32 + 1, c as u16, n),
                    Err(_) => ws.write(r as u32 + 1, c as u16, row[i]),
                }
                .expect("cell");
            }
        }
        wb.save_to_buffer().expect("workbook")
    };
    let good = sheet(&[0, 1, 2, 3, 4, 5], &rows[..1]);
    let mut far = new_workbook();
    let ws = far.add_worksheet();
    ws.write(0, 0, "事業番号").expect("cell");
    ws.write(1_048_575, 16_383, "x").expect("cell");
    let far = far.save_to_buffer().expect("workbook");
    vec![
        ("_text-in-money-column.xlsx", sheet(&[0, 1, 2, 3, 4, 5], &rows)),
        // 300 MB of padding that deflates to a few hundred KB.
        ("_zip-bomb.xlsx", rezip(&good, |_, data| Some(data), Some(("xl/media/padding.bin", vec![0u8; 300 << 20])))),
        // A stored (uncompressed) sheet edited by hand: its CRC no longer matches.
        ("_crc-mismatch.xlsx", {
            let stored = rezip(&good, |_, data| Some(data), None);
            let at = stored.windows(5).position(|w| w == b"95744").expect("the request in the sheet");
            let mut edited = stored;
            edited[at + 4] = b'5';
            edited
        }),
        // Entities defined in the sheet: never expanded.
        (
            "_entity-expansion.xlsx",
            rezip(
                &good,
                |name, data| {
                    if !name.ends_with("sheet1.xml") {
                        return Some(data);
                    }
                    let mut lol = String::from("<!ENTITY lol \"lol\">");
                    for i in 1..10 {
                        let prev = if i == 1 { "lol".to_string() } else { format!("lol{}", i - 1) };
                        lol.push_str(&format!("<!ENTITY lol{i} \"{}\">", format!("&{prev};").repeat(10)));
                    }
                    let xml = format!(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><!DOCTYPE worksheet [{lol}]><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"
                    );
                    Some(xml.into_bytes())
                },
                None,
            ),
        ),
        // Two cells at opposite corners of the sheet: a grid of 17 billion cells if laid out.
        ("_far-apart-cells.xlsx", far),
        ("_no-requested-column.xlsx", sheet(&[0, 1, 2, 3, 4], &rows[..1])),
        // A CSV file saved under an .xlsx name.
        (
            "_not-a-zip.xlsx",
            "事業番号,事業名,所管局,経費区分,要求額\nC01,地域子育て支援拠点事業,kodomo,裁量的,\"95,744千円\"\n"
                .as_bytes()
                .to_vec(),
        ),
    ]
}

/// The workbook `bytes` rewritten entry by entry, every entry stored (uncompressed) except an
/// added one, which is deflated: `edit` may change or drop an entry.
fn rezip(bytes: &[u8], edit: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>, add: Option<(&str, Vec<u8>)>) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let fixed = zip::DateTime::from_date_and_time(2000, 1, 1, 0, 0, 0).expect("date");
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(fixed);
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("entry");
        let name = entry.name().to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("read entry");
        if let Some(data) = edit(&name, data) {
            out.start_file(name, stored).expect("start");
            out.write_all(&data).expect("write");
        }
    }
    if let Some((name, data)) = add {
        let deflated = stored.compression_method(zip::CompressionMethod::Deflated);
        out.start_file(name, deflated).expect("start");
        out.write_all(&data).expect("write");
    }
    out.finish().expect("finish").into_inner()
}

#[test]
fn bad_workbook_fixtures_are_current() {
    let dir = Path::new("tests/fixtures/bad");
    for (name, bytes) in bad_workbooks() {
        let path = dir.join(name);
        if std::env::var_os("WAKU_BLESS").is_some() {
            std::fs::write(&path, &bytes).expect("write fixture");
        }
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(committed == bytes, "{} differs from what this test writes; run with WAKU_BLESS=1", path.display());
    }
}
