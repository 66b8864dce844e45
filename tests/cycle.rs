//! The budget cycle (issue 19) on the example in `scenarios/kitakyushu-r8-cycle/`: every stage runs
//! and keeps every identity, the diff between stages groups its moves by disposition and
//! reconciles to the yen, 復活要求 are paid from the reserve, and `waku decide` writes a decision
//! into a copy of a stage file, keeps its comments, refuses one without a reason (exit 2) and one
//! that breaks a limit (exit 1, naming its file:line).

mod common;

use std::path::{Path, PathBuf};

use common::{check_allocation, temp_dir, waku, waku_in};
use waku::Money;
use waku::cycle::Answer;
use waku::pipeline::{self, Options, Outcome};
use waku::whatif::diff;

const DIR: &str = "scenarios/kitakyushu-r8-cycle";
const STAGES: [&str; 4] = ["01-request.toml", "02-finance.toml", "03-mayor.toml", "04-final.toml"];

fn run(path: &Path) -> Outcome {
    pipeline::run_path(path, &Options::default()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn stage(file: &str) -> Outcome {
    run(&Path::new(DIR).join(file))
}

fn money(s: &str) -> Money {
    Money::parse(s).expect("amount")
}

fn allocated(o: &Outcome, id: &str) -> Money {
    let a = o.year().expect("a year").allocation.expect("feasible");
    a.programs.iter().find(|p| p.id == id).map(|p| p.allocated).expect("program")
}

#[test]
fn every_stage_runs_keeps_every_identity_and_holds_its_decisions() {
    for file in STAGES {
        let o = stage(file);
        let year = o.year().expect("a year");
        let a = year.allocation.unwrap_or_else(|d| panic!("{file}: {}", d.render()));
        // The review in the outcome carries the decisions' bounds: every program within them.
        check_allocation(year.scenario, year.review, a);
        let cycle = year.scenario.cycle.as_ref().expect("a stage");
        let st = year.stage.expect("the stage's outcome");
        assert_eq!(st.programs.len(), a.programs.len());
        for (ps, pa) in st.programs.iter().zip(&a.programs) {
            let d = &cycle.dispositions[ps.disposition];
            let p = year.scenario.program(&pa.id).expect("program");
            assert!(d.rule.holds(p, pa.allocated), "{file}: {} {} does not fit {}", pa.id, pa.allocated, d.name());
            if let Some(amount) = ps.decision.and_then(|i| cycle.decisions[i].amount) {
                assert_eq!(pa.allocated, amount, "{file}: {} holds its decided amount", pa.id);
            }
        }
    }
}

#[test]
fn the_request_stage_is_the_base_year_and_its_inventory_a_copy() {
    let same = |a: &str, b: &str| std::fs::read(a).expect(a) == std::fs::read(b).expect(b);
    assert!(same("scenarios/kitakyushu-r8-programs.csv", "scenarios/kitakyushu-r8-cycle/programs.csv"));
    assert!(same("scenarios/kitakyushu-clusters.csv", "scenarios/kitakyushu-r8-cycle/clusters.csv"));
    assert!(same("scenarios/kitakyushu-r8-kpis.csv", "scenarios/kitakyushu-r8-cycle/kpis.csv"));
    let (base, request) = (run(Path::new("scenarios/kitakyushu-r8.toml")), stage("01-request.toml"));
    let (a, b) = (base.year().unwrap().allocation.unwrap(), request.year().unwrap().allocation.unwrap());
    assert_eq!(a.reserve, b.reserve);
    let amounts = |x: &waku::allocate::Allocation| x.programs.iter().map(|p| p.allocated).collect::<Vec<_>>();
    assert_eq!(amounts(a), amounts(b), "the 要求 stage allocates as kitakyushu-r8.toml does");
}

#[test]
fn every_stage_passes_its_expectations() {
    let (code, out, err) = waku(&["test", DIR]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.ends_with("15 passed, 0 failed\n"), "{out}");
}

#[test]
fn diff_between_finance_and_mayor_groups_by_disposition_and_reconciles() {
    let (x, y) = (stage("02-finance.toml"), stage("03-mayor.toml"));
    let (base, variant) = (x.year().unwrap(), y.year().unwrap());
    let (a, b) = (base.allocation.unwrap(), variant.allocation.unwrap());
    let d = diff::diff(&base, a, &variant, b);
    assert!(d.reconciliation.holds(), "{:?}", d.reconciliation);
    // Every moved program sits in the group of its disposition in the 市長査定, and the groups add
    // up, to the yen, to the change in total cost and in total envelopes.
    let grouped: usize = d.by_disposition.iter().map(|g| g.programs).sum();
    assert_eq!(grouped, d.programs.len());
    for p in &d.programs {
        let g = d.by_disposition.iter().find(|g| g.ids.contains(&p.id)).expect("grouped");
        assert_eq!(Some(&g.disposition), p.disposition_variant.as_ref());
    }
    let cost: Money = d.by_disposition.iter().map(|g| g.cost_change).sum();
    assert_eq!(cost, b.total_allocated - a.total_allocated);
    let env = |x: &waku::allocate::Allocation| x.envelopes.iter().map(|e| e.amount).sum::<Money>();
    let gr: Money = d.by_disposition.iter().map(|g| g.general_revenue_change).sum();
    assert_eq!(gr, env(b) - env(a));
    let full = d.by_disposition.iter().find(|g| g.disposition == "①要求通り").expect("①");
    assert!(full.ids.contains(&"K0228".to_string()), "放課後児童クラブ: ② → ① in 市長査定");
    let changed: Vec<&str> = d.dispositions.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(changed, ["K0228", "K0244", "K0330"], "the three programs the mayor decided");

    let (code, out, err) = waku(&["diff", &format!("{DIR}/02-finance.toml"), &format!("{DIR}/03-mayor.toml")]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("diff-finance-mayor", out);
}

#[test]
fn restorations_are_paid_from_the_reserve_and_nothing_else_moves() {
    let (draft, last) = (stage("03-mayor.toml"), stage("04-final.toml"));
    let (a, b) = (draft.year().unwrap().allocation.unwrap(), last.year().unwrap().allocation.unwrap());
    let st = last.year().unwrap().stage.expect("stage");
    let answers: Vec<(&str, Answer, bool)> =
        st.restorations.iter().map(|r| (r.program.as_str(), r.answer, r.decision.is_some())).collect();
    assert_eq!(
        answers,
        [("K0238", Answer::Funded, true), ("K0259", Answer::Refused, true), ("K0396", Answer::Funded, false)],
        "two answered by the officer, one by the policy"
    );
    let restored: Money = st.restorations.iter().map(|r| r.general_revenue).sum();
    assert_eq!(b.reserve, a.reserve - restored, "the reserve pays for every restoration, to the yen");
    assert_eq!(b.fund_drawdown, a.fund_drawdown);
    for (x, y) in a.programs.iter().zip(&b.programs) {
        if !["K0238", "K0396"].contains(&x.id.as_str()) {
            assert_eq!(x.allocated, y.allocated, "{} keeps its 内示 amount", x.id);
        }
    }
    assert_eq!(allocated(&last, "K0238"), money("210,169千円"));
    assert_eq!(allocated(&last, "K0396"), money("567,652千円"));
    assert_eq!(allocated(&last, "K0259"), allocated(&draft, "K0259"));
}

#[test]
fn the_mayors_decisions_are_paid_from_the_reserve_and_nothing_else_moves() {
    // 市長査定 is settled: the programs the mayor does not decide keep their 財政課査定 amounts and
    // the fund is drawn as in 財政課査定, so the reserve alone pays for what the mayor adds.
    let (finance, mayor) = (stage("02-finance.toml"), stage("03-mayor.toml"));
    let (a, b) = (finance.year().unwrap().allocation.unwrap(), mayor.year().unwrap().allocation.unwrap());
    let decided = ["K0228", "K0244", "K0330"];
    let mut added = Money::ZERO;
    for (x, y) in a.programs.iter().zip(&b.programs) {
        if decided.contains(&x.id.as_str()) {
            added += y.general_revenue - x.general_revenue;
        } else {
            assert_eq!(x.allocated, y.allocated, "{} keeps its 財政課査定 amount", x.id);
        }
    }
    assert!(added > Money::ZERO);
    assert_eq!(b.fund_drawdown, a.fund_drawdown, "the fund is drawn as before");
    assert_eq!(b.reserve, a.reserve - added, "the reserve pays for the mayor's decisions, to the yen");
}

/// A copy of the example cycle in a temporary folder (its rules named with `--rules`).
fn copy_cycle(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    for entry in std::fs::read_dir(DIR).expect("cycle folder") {
        let p = entry.expect("entry").path();
        if p.is_file() {
            std::fs::copy(&p, dir.join(p.file_name().unwrap())).expect("copy");
        }
    }
    std::fs::create_dir_all(dir.join("restorations")).expect("folder");
    for f in ["kodomo_katei.toml", "kensetsu.toml"] {
        std::fs::copy(Path::new(DIR).join("restorations").join(f), dir.join("restorations").join(f)).expect("copy");
    }
    dir
}

fn rules() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules").display().to_string()
}

#[test]
fn decide_edits_a_copy_keeps_its_comments_and_the_next_run_reflects_it() {
    let dir = copy_cycle("decide");
    let rules = rules();
    let before = std::fs::read_to_string(dir.join("02-finance.toml")).unwrap();
    let (code, out, err) = waku_in(
        &dir,
        &[
            "decide",
            "02-finance.toml",
            "延長保育事業",
            "--amount",
            "9.5億円",
            "--disposition",
            "②",
            "--reason",
            "延長保育の利用実績（前年度比1%増）で精査",
            "--author",
            "財政課 予算係 山本",
            "--date",
            "2026-01-17",
            "--rules",
            &rules,
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("decided `K0240` 延長保育事業 in 02-finance.toml:35\n"), "{out}");
    let after = std::fs::read_to_string(dir.join("02-finance.toml")).unwrap();
    for line in before.lines().filter(|l| l.trim_start().starts_with('#')) {
        assert!(after.contains(line), "comment kept: {line}");
    }
    assert!(after.contains(
        "program = \"K0240\"   # 延長保育事業\namount = \"9.5億円\"\ndisposition = \"②\"\nreason = \"延長保育の利用実績（前年度比1%増）で精査\"\nauthor = \"財政課 予算係 山本\"\ndate = 2026-01-17\n"
    ), "{after}");
    assert_eq!(after.lines().count(), before.lines().count() + 2, "only the decision's lines changed");
    // The next run reflects it.
    let o = pipeline::run_path(
        &dir.join("02-finance.toml"),
        &Options {
            load: waku::scenario::LoadOptions { rules_dir: Some(rules.into()), ..Default::default() },
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(allocated(&o, "K0240"), money("9.5億円"));
}

#[test]
fn decide_refuses_a_decision_without_a_reason() {
    let dir = copy_cycle("decide-no-reason");
    let before = std::fs::read(dir.join("02-finance.toml")).unwrap();
    let (code, _, err) = waku_in(
        &dir,
        &["decide", "02-finance.toml", "K0240", "--amount", "9.5億円", "--disposition", "②", "--rules", &rules()],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: a decision on `K0240` needs a reason\n"), "{err}");
    assert_eq!(std::fs::read(dir.join("02-finance.toml")).unwrap(), before, "nothing written");
}

#[test]
fn a_bad_decision_on_a_deferred_program_is_named_once() {
    // K0244 was left to 市長査定 (⑤). A decision on it that does not hold (above the request, and
    // ① against that amount) is the error; the stage is not also blamed for leaving the ⑤ open.
    let dir = copy_cycle("decide-deferred");
    let before = std::fs::read(dir.join("03-mayor.toml")).unwrap();
    let (code, _, err) = waku_in(
        &dir,
        &[
            "decide",
            "03-mayor.toml",
            "K0244",
            "--amount",
            "30億円",
            "--disposition",
            "①",
            "--reason",
            "全額計上",
            "--rules",
            &rules(),
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: `amount` 30.00億円 is above the request of `K0244`, 25.29億円\n"), "{err}");
    assert!(err.contains(" --> 03-mayor.toml:"), "{err}");
    assert!(!err.contains("does not decide it"), "{err}");
    assert_eq!(std::fs::read(dir.join("03-mayor.toml")).unwrap(), before, "nothing written");
}

#[test]
fn an_override_that_breaks_a_limit_exits_1_naming_its_line() {
    // From the 市長査定 on every other program keeps its amount and the fund is drawn as before:
    // restoring three programs in the 確定 stage needs more general revenue than the reserve above
    // its least (about 21億円) holds.
    let dir = copy_cycle("decide-infeasible");
    let rules = rules();
    let decide = |id: &str| {
        waku_in(
            &dir,
            &[
                "decide",
                "04-final.toml",
                id,
                "--disposition",
                "①",
                "--reason",
                "市長特命で復活",
                "--date",
                "2026-02-09",
                "--rules",
                &rules,
            ],
        )
    };
    for id in ["K0062", "K0100"] {
        let (code, _, err) = decide(id);
        assert_eq!(code, 0, "{id}: {err}");
    }
    let before = std::fs::read(dir.join("04-final.toml")).unwrap();
    let (code, _, err) = decide("K0391");
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with(
            "error: the decision on `K0391` 道路維持補修事業（小倉北区） (①要求通り, 4.21億円, 確定) breaks a limit: "
        ),
        "{err}"
    );
    assert!(err.contains("breaks a limit"), "{err}");
    assert!(err.contains(" --> 04-final.toml:"), "names the file and line: {err}");
    assert!(err.contains("with the 4 decision(s) written before it every limit holds"), "{err}");
    assert_eq!(std::fs::read(dir.join("04-final.toml")).unwrap(), before, "nothing written");

    // The same decision written by hand: `waku run` exits 1 naming its line.
    let mut text = String::from_utf8(before).unwrap();
    text.push_str("\n[[decisions]]\nprogram = \"K0391\"\ndisposition = \"①\"\nreason = \"市長特命で復活\"\n");
    let line = text.lines().count() - 1;
    std::fs::write(dir.join("04-final.toml"), &text).unwrap();
    let (code, _, err) = waku_in(&dir, &["run", "04-final.toml", "--rules", &rules]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&format!(" --> 04-final.toml:{line}:15\n")), "{err}");
}

#[test]
fn the_chousho_of_a_program_decided_in_two_stages_shows_both() {
    // 放課後児童クラブ運営事業: ② in 財政課査定, ① in 市長査定, kept at the 確定.
    let (code, md, err) = waku(&["explain", &format!("{DIR}/04-final.toml"), "K0228", "--format", "markdown"]);
    assert_eq!(code, 0, "{err}");
    for (stage, disposition, author) in [
        ("財政課査定", "②精査のうえ計上", "財政課 予算係 山本"),
        ("市長査定", "①要求通り", "市長査定（財政局長・財政課長同席）"),
    ] {
        let row = md.lines().find(|l| l.starts_with(&format!("| {stage} |"))).expect("the stage's row");
        assert!(row.contains(disposition) && row.contains(author), "{row}");
    }
    insta::assert_snapshot!("chousho-K0228-markdown", md);

    let (code, html, err) =
        waku(&["explain", &format!("{DIR}/04-final.toml"), "放課後児童クラブ運営事業", "--format", "html"]);
    assert_eq!(code, 0, "{err}");
    assert!(html.contains("content=\"default-src 'none';"), "fetches nothing");
    for text in [
        "利用児童数の見込みを直近3年の実績で精査し、支援員の増員は4クラブ分のうち2クラブ分を計上",
        "放課後児童クラブの待機児童解消は市の重点施策。支援員4クラブ分の増員を含め要求どおりとする（市長指示）",
        "財政課 予算係 山本",
        "<td class=\"n\">4,700,000</td><td class=\"k\">②精査のうえ計上</td>",
    ] {
        assert!(html.contains(text), "{text}");
    }
}

#[test]
fn the_draft_memo_of_kodomo_katei_totals_its_envelope() {
    let o = stage("03-mayor.toml");
    let envelope =
        o.year().unwrap().allocation.unwrap().envelopes.iter().find(|e| e.department == "kodomo_katei").unwrap().amount;
    let memo = waku::report::satei::memo(std::slice::from_ref(&o), "子ども家庭局").unwrap();
    assert_eq!(memo.total_general_revenue(), envelope, "Σ by disposition = the envelope, to the yen");
    let names: Vec<&str> = memo.groups.iter().map(|g| g.disposition.as_str()).collect();
    assert_eq!(names, ["①要求通り", "②精査のうえ計上", "③経常経費の範囲内で対応", "④未計上"]);
    let (code, md, err) = waku(&["explain", &format!("{DIR}/03-mayor.toml"), "子ども家庭局", "--format", "markdown"]);
    assert_eq!(code, 0, "{err}");
    assert!(md.starts_with("# 内示（子ども家庭局）\n"), "{md}");
    assert!(md.contains(&format!("と枠 {} の差: 0円（一致）", envelope.format(waku::Unit::Yen))), "{md}");
}

#[test]
fn the_stage_workbook_has_a_sheet_of_chousho_rows_per_bureau() {
    use calamine::{Data, Reader, Xlsx};
    let dir = temp_dir("stage-xlsx");
    let out = dir.join("final.xlsx");
    let (code, _, err) =
        waku(&["run", &format!("{DIR}/04-final.toml"), "--format", "xlsx", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let mut wb: Xlsx<_> = calamine::open_workbook(&out).expect("workbook");
    assert_eq!(wb.sheet_names().len(), 7 + 20, "the run's seven sheets and one per bureau");
    let sheet = wb.worksheet_range("子ども家庭局").expect("the bureau's sheet");
    let header: Vec<String> = sheet.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header[6..10], ["要求 金額（千円）", "要求 査定区分", "要求 理由", "要求 査定者"]);
    let row = sheet.rows().find(|r| r[0] == Data::String("K0228".into())).expect("K0228");
    let texts: Vec<String> = row.iter().map(|c| c.to_string()).collect();
    assert_eq!(texts[10], "4700000000", "財政課査定's amount in yen");
    assert_eq!(texts[11], "②精査のうえ計上");
    assert_eq!(texts[15], "①要求通り");
}
