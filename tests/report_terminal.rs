//! `waku run` on a terminal: colour only when asked for by the terminal or `CLICOLOR_FORCE`, never
//! with `NO_COLOR`, never in a pipe or an `--out` file; colour never moves a column; Japanese
//! (East Asian wide) names keep the columns aligned.

use std::process::Command;

use unicode_width::UnicodeWidthStr;
use waku::report::terminal::strip_ansi;

const SCENARIO: &str = "scenarios/kitakyushu-r8.toml";

/// Runs waku with `env` set and colour variables otherwise unset (the test's own terminal must not leak in).
fn waku(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_waku"));
    cmd.args(args).env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run waku");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn colour_only_when_forced_and_not_with_no_color() {
    let plain = waku(&["run", SCENARIO], &[]);
    assert!(!plain.contains('\x1b'), "piped output is plain text");

    let forced = waku(&["run", SCENARIO], &[("CLICOLOR_FORCE", "1")]);
    assert!(forced.contains("\x1b[31m"), "cuts in red");
    assert!(forced.contains("\x1b[33m"), "binding limits in yellow");
    assert!(forced.contains("\x1b[1m"), "totals bold");
    assert_eq!(strip_ansi(&forced), plain, "colour adds codes and nothing else");
    let cut = forced.lines().find(|l| l.contains("縮小 at the review maximum")).expect("a 縮小 row");
    assert!(cut.contains("\x1b[31m"), "{cut}");

    let no_color = waku(&["run", SCENARIO], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert_eq!(no_color, plain, "NO_COLOR wins");

    let plan = waku(&["run", "scenarios/kitakyushu-2024-2026.toml"], &[("CLICOLOR_FORCE", "1")]);
    assert_eq!(strip_ansi(&plan), waku(&["run", "scenarios/kitakyushu-2024-2026.toml"], &[]));

    let warned = waku(&["run", "tests/fixtures/fiscal/debt-service-18-warning.toml"], &[("CLICOLOR_FORCE", "1")]);
    let warning = warned.lines().find(|l| l.contains("warning: FY2026")).expect("a warning line");
    assert!(warning.starts_with("  \x1b[33mwarning:"), "the 18% warning in yellow: {warning:?}");
}

#[test]
fn an_out_file_is_never_coloured() {
    let path = std::env::temp_dir().join(format!("waku-colour-{}.txt", std::process::id()));
    let shown = path.to_str().expect("utf-8");
    waku(&["run", SCENARIO, "--out", shown], &[("CLICOLOR_FORCE", "1")]);
    let text = std::fs::read_to_string(&path).expect("written");
    let _ = std::fs::remove_file(&path);
    assert!(!text.contains('\x1b'));
    assert_eq!(text, waku(&["run", SCENARIO], &[]));
}

#[test]
fn japanese_names_keep_columns_aligned() {
    // `waku run`: the bureau table (names like 子ども家庭局) ends its number columns at one display column.
    let text = waku(&["run", SCENARIO], &[("CLICOLOR_FORCE", "1")]);
    let text = strip_ansi(&text);
    let bureaus: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("bureau"))
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with("total envelopes"))
        .collect();
    assert_eq!(bureaus.len(), 20, "{text}");
    assert!(bureaus.iter().any(|l| l.contains("子ども家庭局")));
    // Everything before the last (left-aligned) column has the same display width.
    let widths: Vec<usize> =
        bureaus.iter().map(|l| UnicodeWidthStr::width(&l[..l.rfind("  ").expect("columns")])).collect();
    assert!(widths.iter().all(|w| *w == widths[0]), "{widths:?}\n{}", bureaus.join("\n"));

    // `waku check` (comfy-table): every line of the bureau table has the same display width.
    let check = waku(&["check", SCENARIO], &[]);
    // The rule under the header runs one column past the trimmed rows; it is not a row.
    let table: Vec<&str> =
        check.lines().skip_while(|l| !l.contains("局・区")).take(22).filter(|l| !l.contains('═')).collect();
    assert_eq!(table.len(), 21, "{check}");
    assert!(table.iter().any(|l| l.contains("市民文化スポーツ局")), "{check}");
    let widths: Vec<usize> = table.iter().map(|l| UnicodeWidthStr::width(*l)).collect();
    assert!(widths.iter().all(|w| *w == widths[0]), "{widths:?}\n{}", table.join("\n"));
}

#[test]
fn the_review_action_table_has_a_total() {
    let text = waku(&["run", SCENARIO], &[]);
    let total = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("review action"))
        .find(|l| l.trim_start().starts_with("total"))
        .expect("a total row");
    let cells: Vec<&str> = total.split_whitespace().collect();
    // The totals of the JSON contract, in 億円 to two decimals.
    let json: serde_json::Value =
        serde_json::from_str(&waku(&["run", SCENARIO, "--format", "json"], &[])).expect("JSON");
    let oku = |key: &str| {
        let yen: i64 = json[key].as_str().and_then(|s| s.parse().ok()).expect("yen");
        let hundredths = (yen as f64 / 1e6).round() as i64;
        let whole = (hundredths / 100).to_string();
        let grouped: Vec<String> =
            whole.as_bytes().rchunks(3).rev().map(|c| String::from_utf8_lossy(c).into_owned()).collect();
        format!("{}.{:02}", grouped.join(","), hundredths % 100)
    };
    assert_eq!(
        cells,
        ["total", "600", &oku("total_requested"), &oku("total_allocated")],
        "programs, requested, allocated (億円)"
    );
}
