//! Validation of the entries: bureaus, clusters and programs, and the totals they add up to.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

use super::checker::{Checker, duplicate};
use super::*;
use crate::Error;
use crate::diagnostic::{Diagnostic, Location};
use crate::money::Money;
use crate::scenario::file::{ClusterFile, DepartmentFile, ProgramFile};
use crate::scenario::located::Located;
use crate::scenario::{
    Attributes, Cluster, Department, Kpi, KpiDirection, Nature, Policy, Program, ProgramKind, Strategy,
};

/// Where a bureau's own policy script may be: beside the scenario or in the rules folder.
pub(super) struct Roots<'a> {
    pub(super) scenario: &'a Path,
    pub(super) rules: &'a Path,
    pub(super) options: &'a LoadOptions,
}

/// A policy script's path (a bureau's `policy`, the city's `[policy] script`), relative to the
/// scenario, inside its folder or the rules folder, and there. With `in_rules`, a path not found
/// beside the scenario is looked for in the rules folder (`policies/…`).
pub(super) fn script_path(c: &mut Checker, p: &Located<String>, roots: &Roots<'_>, in_rules: bool) -> Option<PathBuf> {
    let within = "the scenario's folder and the rules folder";
    if in_rules {
        let beside = p.location.as_ref().and_then(|l| l.source.path.as_deref()).and_then(Path::parent);
        let there = std::path::absolute(roots.rules.join(&p.value)).unwrap_or_else(|_| roots.rules.join(&p.value));
        if !beside.is_some_and(|b| b.join(&p.value).is_file()) && there.is_file() {
            let in_rules = Located { value: there.to_string_lossy().into_owned(), location: p.location.clone() };
            return script_path(c, &in_rules, roots, false);
        }
    }
    let path = match resolve_within(p, &[roots.scenario, roots.rules], within, roots.options, "policy") {
        Ok(path) => path,
        Err(Error::Input(ds)) => {
            ds.into_iter().for_each(|d| c.err(d));
            return None;
        }
        Err(_) => return None,
    };
    if !path.is_file() {
        c.err(
            Diagnostic::error(format!("policy script `{}` not found", crate::diagnostic::quote(&p.value)))
                .at_opt(p.location.clone())
                .hint("paths are relative to the scenario file (or the rules folder)"),
        );
    }
    Some(path)
}

pub(super) fn departments(
    c: &mut Checker,
    list: Vec<Located<DepartmentFile>>,
    policy: &Policy,
    roots: &Roots<'_>,
) -> Vec<Department> {
    let mut seen: BTreeMap<String, Option<Location>> = BTreeMap::new();
    let mut out = Vec::new();
    for entry in list {
        let d = entry.value;
        let Some(id) = d.id.clone() else {
            c.err(
                Diagnostic::error("a department has no `id`")
                    .at_opt(entry.location.clone())
                    .hint("add `id = \"…\"` (ASCII, e.g. `kodomo_katei`)"),
            );
            continue;
        };
        if let Some(first) = seen.get(&id.value) {
            let first = first.clone();
            duplicate(c, "department", &id.value, &id.location, &first);
            continue;
        }
        seen.insert(id.value.clone(), id.location.clone());
        let floor = c.non_negative(&d.floor, "floor");
        let ceiling = c.non_negative(&d.ceiling, "ceiling");
        let floor_ratio = c.multiple(&d.floor_ratio, "floor_ratio").unwrap_or(policy.envelope_floor_ratio);
        let ceiling_ratio = c.multiple(&d.ceiling_ratio, "ceiling_ratio").unwrap_or(policy.envelope_ceiling_ratio);
        if let (Some(f), Some(cl)) = (floor, ceiling) {
            if f > cl {
                let written = |m: &Option<Located<Money>>| {
                    let loc = m.as_ref().and_then(|l| l.location.as_ref());
                    loc.and_then(|l| l.source.text.get(l.span.clone())).unwrap_or("").trim_matches('"').to_string()
                };
                c.err(
                    Diagnostic::error(format!(
                        "department `{}`: envelope floor {} is above its ceiling {}",
                        id.value,
                        written(&d.floor),
                        written(&d.ceiling)
                    ))
                    .at_opt(d.floor.as_ref().and_then(|l| l.location.clone()))
                    .hint("a bureau's envelope floor must be at most its ceiling"),
                );
            }
        } else if floor_ratio > ceiling_ratio {
            c.err(Diagnostic::error(format!("department `{}`: floor ratio {floor_ratio} is above ceiling ratio {ceiling_ratio}", id.value))
                .at_opt(d.floor_ratio.as_ref().or(d.ceiling_ratio.as_ref()).and_then(|l| l.location.clone()))
                .hint("check the department's ratios against the policy's `envelope_floor_ratio` and `envelope_ceiling_ratio`"));
        }
        let retention_share = c.share(&d.retention_share, "retention_share").unwrap_or(policy.retention_share);
        let retention_cap = c.non_negative(&d.retention_cap, "retention_cap").or(policy.retention_cap_per_department);
        let policy_script = d.policy.as_ref().and_then(|p| script_path(c, p, roots, false));
        out.push(Department {
            name: d.name.map_or_else(|| id.value.clone(), |n| n.value),
            id: id.value,
            floor,
            ceiling,
            floor_ratio,
            ceiling_ratio,
            retention_share,
            retention_cap,
            policy_script,
            max_cut_share: c.share(&d.max_cut_share, "max_cut_share").or(policy.max_cut_share),
            location: entry.location,
        });
    }
    out
}

pub(super) fn clusters(c: &mut Checker, list: Vec<Located<ClusterFile>>) -> Vec<Cluster> {
    let mut seen: BTreeMap<String, Option<Location>> = BTreeMap::new();
    let mut out = Vec::new();
    for entry in list {
        let k = entry.value;
        let Some(id) = k.id else {
            c.err(Diagnostic::error("a cluster has no `id`").at_opt(entry.location.clone()));
            continue;
        };
        let key = id.value.to_string();
        if let Some(first) = seen.get(&key) {
            let first = first.clone();
            duplicate(c, "cluster", &key, &id.location, &first);
            continue;
        }
        seen.insert(key.clone(), id.location.clone());
        out.push(Cluster {
            id: key,
            name: k.name.map(|n| n.value).unwrap_or_default(),
            group: k.group.map(|n| n.value).unwrap_or_default(),
            reform_type: k.reform_type.map(|n| n.value).unwrap_or_default(),
        });
    }
    out
}

pub(super) fn programs(
    c: &mut Checker,
    list: Vec<Located<ProgramFile>>,
    departments: &[Department],
    clusters: &[Cluster],
) -> Vec<Program> {
    let dept_ids: BTreeSet<&str> = departments.iter().map(|d| d.id.as_str()).collect();
    let cluster_ids: BTreeSet<&str> = clusters.iter().map(|k| k.id.as_str()).collect();
    // Hashed, not ordered: 100,000 ids are looked up, not listed (a suggestion sorts them).
    let all_ids: ahash::AHashSet<String> =
        list.iter().filter_map(|p| p.value.id.as_ref().map(|i| i.value.clone())).collect();
    let mut seen: ahash::AHashMap<String, Option<Location>> = ahash::AHashMap::with_capacity(list.len());
    let mut out = Vec::with_capacity(list.len());
    for entry in list {
        let p = entry.value;
        let Some(id) = p.id.clone() else {
            c.err(
                Diagnostic::error("a program has no `id`")
                    .at_opt(entry.location.clone())
                    .hint("every program needs a unique id"),
            );
            continue;
        };
        if let Some(first) = seen.get(&id.value) {
            let first = first.clone();
            duplicate(c, "program", &id.value, &id.location, &first);
            continue;
        }
        seen.insert(id.value.clone(), id.location.clone());
        let missing = |c: &mut Checker, field: &str| {
            c.err(
                Diagnostic::error(format!("program `{}` has no `{field}`", id.value))
                    .at_opt(id.location.clone().or(entry.location.clone()))
                    .hint(format!("fill in the `{field}` column or field")),
            );
        };
        let Some(department) = p.department.clone() else {
            missing(c, "department");
            continue;
        };
        if !dept_ids.contains(department.value.as_str()) {
            c.err(
                Diagnostic::error(format!("program `{}` names unknown department `{}`", id.value, department.value))
                    .at_opt(department.location.clone())
                    .suggest(&department.value, dept_ids.iter().copied())
                    .hint_opt(if dept_ids.is_empty() {
                        Some("declare departments with `[[departments]]`".into())
                    } else {
                        None
                    })
                    .known("departments", dept_ids.iter().copied()),
            );
        }
        let cluster = p.cluster.as_ref().map(|k| k.value.to_string());
        if let (Some(k), Some(loc)) = (&cluster, &p.cluster) {
            if !cluster_ids.contains(k.as_str()) {
                let mut d = Diagnostic::error(format!("program `{}` names unknown cluster `{k}`", id.value))
                    .at_opt(loc.location.clone());
                d = if cluster_ids.is_empty() {
                    d.hint("declare clusters with `cluster_file = \"…csv\"` or `[[clusters]]`")
                } else {
                    d.suggest(k, cluster_ids.iter().copied()).known("clusters", cluster_ids.iter().copied())
                };
                c.err(d);
            }
        }
        let kind = match &p.kind {
            None => {
                missing(c, "kind");
                continue;
            }
            Some(k) => match ProgramKind::parse(&k.value) {
                Some(kind) => kind,
                None => {
                    let d = Diagnostic::error(format!("unknown program kind `{}`", k.value))
                        .at_opt(k.location.clone())
                        .note("expected `mandatory`, `discretionary`, `investment` or `new` (義務的, 裁量的, 投資的, 新規)")
                        .suggest(&k.value, ProgramKind::ALL.iter().flat_map(|k| [k.id(), k.label()]));
                    c.err(d.note_if_none());
                    continue;
                }
            },
        };
        let strategy = match &p.strategy {
            None => None,
            Some(s) => match Strategy::parse(&s.value) {
                Some(s) => Some(s),
                None => {
                    c.err(
                        Diagnostic::error(format!("unknown strategy `{}`", s.value)).at_opt(s.location.clone()).hint(
                            "expected `earning`, `high_quality` or `safety` (稼げるまち, ハイクオリティ, 安全・安心)",
                        ),
                    );
                    None
                }
            },
        };
        let nature = match &p.nature {
            None => None,
            Some(n) => match Nature::parse(&n.value) {
                Some(n) => Some(n),
                None => {
                    c.err(
                        Diagnostic::error(format!("unknown kind of expense (性質別) `{}`", n.value))
                            .at_opt(n.location.clone())
                            .note("expected 人件費, 扶助費, 公債費, 物件費, 維持補修費, 補助費等, 積立金, 投資・出資金・貸付金, 繰出金 or 投資的経費 (or their English names: `personnel`, `assistance`, …)")
                            .suggest(&n.value, Nature::names()),
                    );
                    None
                }
            },
        };
        let Some(requested) = c.non_negative(&p.requested, "requested") else {
            missing(c, "requested");
            continue;
        };
        let prior_cost = match c.non_negative(&p.prior_cost, "prior_cost") {
            Some(m) => m,
            None if kind == ProgramKind::New => Money::ZERO,
            None => {
                missing(c, "prior_cost");
                continue;
            }
        };
        let fees = c.non_negative(&p.fees, "fees").unwrap_or_default();
        let natural_savings = c.non_negative(&p.natural_savings, "natural_savings").unwrap_or_default();
        let subsidy_ratio = c.share(&p.subsidy_ratio, "subsidy_ratio").unwrap_or_default();
        let bondable_share = c.share(&p.bondable_share, "bondable_share").unwrap_or_default();
        for (v, key) in [
            (&p.satisfaction, "satisfaction"),
            (&p.digital_share, "digital_share"),
            (&p.private_capacity, "private_capacity"),
        ] {
            c.share(v, key);
        }
        c.multiple(&p.service_level, "service_level");
        if let Some(t) = &p.demand_trend {
            if t.value.0 < Decimal::NEGATIVE_ONE {
                c.err(
                    Diagnostic::error(format!(
                        "`demand_trend` {} would mean demand fell by more than all of it",
                        t.value.0
                    ))
                    .at_opt(t.location.clone())
                    .hint(format!("a change is written as a decimal: −20% is -0.2 or \"-20%\", not {}", t.value.0)),
                );
            } else if t.value.0 > Decimal::TEN {
                c.warnings.push(
                    Diagnostic::warning(format!(
                        "`demand_trend` {} means demand grew {}-fold",
                        t.value.0,
                        t.value.0 + Decimal::ONE
                    ))
                    .at_opt(t.location.clone())
                    .hint(format!("a change is written as a decimal: +20% is 0.2 or \"20%\", not {}", t.value.0)),
                );
            }
        }
        if let Some(o) = &p.overlap_with {
            if !all_ids.contains(&o.value) {
                c.err(
                    Diagnostic::error(format!("program `{}` overlaps unknown program `{}`", id.value, o.value))
                        .at_opt(o.location.clone())
                        .suggest(&o.value, {
                            let mut ids: Vec<&str> = all_ids.iter().map(String::as_str).collect();
                            ids.sort_unstable();
                            ids
                        })
                        .note_if_none(),
                );
            } else if o.value == id.value {
                c.err(Diagnostic::error(format!("program `{}` overlaps itself", id.value)).at_opt(o.location.clone()));
            }
        }
        let program = Program {
            id: id.value.clone(),
            name: p.name.map_or_else(|| id.value.clone(), |n| n.value),
            department: department.value,
            cluster,
            kind,
            prior_cost,
            requested,
            subsidy_ratio,
            fees,
            bondable_share,
            strategy,
            next_generation: p.next_generation.is_some_and(|b| b.value),
            all_or_nothing: p.all_or_nothing.is_some_and(|b| b.value),
            attributes: Attributes {
                demand_trend: p.demand_trend.map(|n| n.value.0),
                satisfaction: p.satisfaction.map(|n| n.value.0),
                overlap_with: p.overlap_with.map(|n| n.value),
                service_level: p.service_level.map(|n| n.value.0),
                digital_share: p.digital_share.map(|n| n.value.0),
                private_capacity: p.private_capacity.map(|n| n.value.0),
                outsourced: p.outsourced.is_some_and(|b| b.value),
                natural_savings,
            },
            kpi: match (p.kpi_indicator, p.kpi_baseline, p.kpi_target, p.kpi_actual) {
                (Some(i), Some(b), Some(t), Some(a)) => {
                    let stated = kpi_direction(c, p.kpi_direction.as_ref(), &id.value);
                    let direction = stated.unwrap_or_default();
                    let kpi = Kpi {
                        indicator: i.value,
                        baseline: b.value.0,
                        target: t.value.0,
                        actual: a.value.0,
                        direction,
                    };
                    if stated.is_some() && !kpi.target_agrees() {
                        let (side, other) = match direction {
                            KpiDirection::Higher => ("below", KpiDirection::Lower),
                            KpiDirection::Lower => ("above", KpiDirection::Higher),
                        };
                        c.err(
                            Diagnostic::error(format!(
                                "program `{}`: the target {} of KPI `{}` is {side} its baseline {}, but its direction is `{}` ({}{})",
                                id.value,
                                kpi.target.normalize(),
                                kpi.indicator,
                                kpi.baseline.normalize(),
                                direction.id(),
                                direction.label(),
                                if p.kpi_direction.is_none() { ", the default" } else { "" }
                            ))
                            .at_opt(t.location.clone())
                            .hint(format!(
                                "write `{}` ({}) in the column `kpi_direction` (指標の方向) for an indicator where {} is better",
                                other.id(),
                                other.label(),
                                if other == KpiDirection::Lower { "less" } else { "more" }
                            )),
                        );
                    }
                    Some(kpi)
                }
                (None, None, None, None) => None,
                (i, ..) => {
                    c.err(
                        Diagnostic::error(format!("program `{}` has an incomplete KPI", id.value))
                            .at_opt(i.and_then(|i| i.location).or(id.location.clone()))
                            .hint(
                                "give all four of `kpi_indicator`, `kpi_baseline`, `kpi_target`, `kpi_actual`, or none",
                            ),
                    );
                    None
                }
            },
            nature,
            max_cut_share: c.share(&p.max_cut_share, "max_cut_share"),
            location: entry.location.clone(),
        };
        if program.specific_share() > Decimal::ONE {
            c.err(
                Diagnostic::error(format!(
                    "program `{}`: subsidies, fees and bonds cover more than its cost ({}%)",
                    id.value,
                    (program.specific_share() * Decimal::from(100)).round_dp(1)
                ))
                .at_opt(p.subsidy_ratio.as_ref().and_then(|l| l.location.clone()).or(entry.location.clone()))
                .hint("subsidy_ratio + fees ÷ requested + bondable_share must be at most 1"),
            );
        }
        out.push(program);
    }
    out
}

/// A program's `kpi_direction`: higher (the default) or lower; `None` after an error.
pub(super) fn kpi_direction(c: &mut Checker, cell: Option<&Located<String>>, id: &str) -> Option<KpiDirection> {
    let Some(cell) = cell.filter(|d| !d.value.trim().is_empty()) else { return Some(KpiDirection::Higher) };
    let direction = KpiDirection::parse(&cell.value);
    if direction.is_none() {
        c.err(
            Diagnostic::error(format!("program `{id}`: unknown KPI direction `{}`", cell.value))
                .at_opt(cell.location.clone())
                .hint("expected `higher` or `lower` (高いほどよい / 低いほどよい)"),
        );
    }
    direction
}

/// The programs' amounts added up must stay within the range waku computes with exactly.
pub(super) fn totals_in_range(c: &mut Checker, programs: &[Program]) {
    type Field = fn(&Program) -> Money;
    let fields: [(&str, &str, Field); 4] = [
        ("requests", "requested", |p| p.requested),
        ("prior-year budgets", "prior_cost", |p| p.prior_cost),
        ("fees", "fees", |p| p.fees),
        ("natural savings", "natural_savings", |p| p.attributes.natural_savings),
    ];
    for (what, column, field) in fields {
        let total = programs.iter().try_fold(Decimal::ZERO, |t, p| t.checked_add(field(p).as_decimal()));
        if total.is_some_and(|t| t <= Money::MAX.as_decimal()) {
            continue;
        }
        let largest = programs.iter().max_by_key(|p| field(p));
        c.err(
            Diagnostic::error(format!("the programs' {what} add up to more than 1,000兆円"))
                .at_opt(largest.and_then(|p| p.location.clone()))
                .note(format!("the largest `{column}` is program `{}`'s", largest.map_or("", |p| p.id.as_str())))
                .hint("waku computes up to 1,000兆円 in all; check the inventory for amounts in the wrong unit"),
        );
    }
}

pub(super) trait NoteIfNone {
    fn note_if_none(self) -> Self;
    fn known<'a>(self, what: &str, ids: impl Iterator<Item = &'a str>) -> Self;
}

impl NoteIfNone for Diagnostic {
    /// Without a close match, list the known ids (when there are few enough to read).
    fn known<'a>(self, what: &str, ids: impl Iterator<Item = &'a str>) -> Self {
        if self.hint.is_some() {
            return self;
        }
        let ids: Vec<&str> = ids.collect();
        if ids.len() <= 25 {
            let list = ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ");
            self.hint(format!("known {what}: {list}"))
        } else {
            self.hint(format!("check the id against the {} declared {what}", ids.len()))
        }
    }

    /// Unknown-id errors always end with some hint.
    fn note_if_none(self) -> Self {
        if self.hint.is_none() { self.hint("check the id against the declared ones") } else { self }
    }
}
