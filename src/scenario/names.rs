//! Bureaus and programs named by id or by their Japanese name, wherever a user names one:
//! `waku explain`, `--set departments.…` / `programs.…`, `[[expect]]` subjects.
//!
//! A budget officer says 市民文化スポーツ局, not `shimin_bunka_sports`. An id always wins; else a
//! bureau's name, then a program's name (written exactly as in the scenario, spaces at either end
//! ignored). A name that several programs share is ambiguous and says which ids carry it. An
//! unknown name or id gets a "did you mean" over both, and Japanese text that is part of a name
//! (子ども家庭 for 子ども家庭局) counts as close.

use crate::diagnostic::suggestion;

/// What a name may stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bureau,
    Program,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Bureau => "bureau",
            Kind::Program => "program",
        }
    }
}

/// The ids and names a user may write for bureaus and programs.
#[derive(Debug, Clone, Default)]
pub struct Names<'a> {
    /// (kind, id, name), bureaus first.
    entries: Vec<(Kind, &'a str, &'a str)>,
}

/// What a written subject turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// A bureau or program, by its id.
    Found(Kind, &'a str),
    /// A name several programs carry: their ids.
    Ambiguous(Kind, Vec<&'a str>),
    NotFound,
}

impl<'a> Names<'a> {
    /// Bureaus `(id, name)` and programs `(id, name)`.
    pub fn new(
        bureaus: impl IntoIterator<Item = (&'a str, &'a str)>,
        programs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Names<'a> {
        let mut entries: Vec<(Kind, &str, &str)> = bureaus.into_iter().map(|(i, n)| (Kind::Bureau, i, n)).collect();
        entries.extend(programs.into_iter().map(|(i, n)| (Kind::Program, i, n)));
        Names { entries }
    }

    /// The bureaus and programs of a validated scenario.
    pub fn of(sc: &'a super::Scenario) -> Names<'a> {
        Names::new(
            sc.departments.iter().map(|d| (d.id.as_str(), d.name.as_str())),
            sc.programs.iter().map(|p| (p.id.as_str(), p.name.as_str())),
        )
    }

    fn of_kinds<'s>(&'s self, kinds: &'s [Kind]) -> impl Iterator<Item = &'s (Kind, &'a str, &'a str)> + 's {
        self.entries.iter().filter(move |(k, _, _)| kinds.contains(k))
    }

    /// The bureau or program `text` names, among `kinds`: an id first, then a bureau's name, then a
    /// program's.
    pub fn find(&self, text: &str, kinds: &[Kind]) -> Lookup<'a> {
        let text = text.trim();
        if let Some(&(k, id, _)) = self.of_kinds(kinds).find(|(_, id, _)| *id == text) {
            return Lookup::Found(k, id);
        }
        for kind in [Kind::Bureau, Kind::Program] {
            if !kinds.contains(&kind) {
                continue;
            }
            let ids: Vec<&'a str> =
                self.of_kinds(&[kind]).filter(|(_, _, name)| name.trim() == text).map(|(_, id, _)| *id).collect();
            match ids.as_slice() {
                [] => {}
                [one] => return Lookup::Found(kind, one),
                _ => return Lookup::Ambiguous(kind, ids),
            }
        }
        Lookup::NotFound
    }

    /// "did you mean `子ども家庭局` (`kodomo_katei`)?" over the ids and names of `kinds`.
    pub fn did_you_mean(&self, text: &str, kinds: &[Kind]) -> Option<String> {
        let text = text.trim();
        let candidates = self.of_kinds(kinds).flat_map(|(_, id, name)| [*id, *name]);
        let found = suggestion(text, candidates).or_else(|| self.containing(text, kinds))?;
        let (_, id, name) = self.of_kinds(kinds).find(|(_, id, name)| *id == found || *name == found)?;
        Some(if found == *id && id != name {
            format!("did you mean `{id}` ({name})?")
        } else if id != name {
            format!("did you mean `{name}` (`{id}`)?")
        } else {
            format!("did you mean `{id}`?")
        })
    }

    /// The closest name to Japanese `text`, where an edit distance over a few characters says
    /// little: a name that holds it or that it holds (子ども家庭 → 子ども家庭局), else the best
    /// Jaro–Winkler similarity of 0.8 or more (市民文化局 → 市民文化スポーツ局, which share their start).
    fn containing(&self, text: &str, kinds: &[Kind]) -> Option<&'a str> {
        if text.is_ascii() || text.chars().count() < 2 {
            return None;
        }
        let len = text.chars().count();
        let score = |name: &str| {
            if name.contains(text) || (name.chars().count() >= 2 && text.contains(name)) {
                1.0
            } else {
                strsim::jaro_winkler(text, name)
            }
        };
        let mut best: Option<(f64, usize, &'a str)> = None;
        for &(_, _, name) in self.of_kinds(kinds) {
            let s = score(name);
            let gap = name.chars().count().abs_diff(len);
            if s >= 0.8 && best.is_none_or(|(bs, bg, bn)| s > bs || (s == bs && (gap, name) < (bg, bn))) {
                best = Some((s, gap, name));
            }
        }
        best.map(|(_, _, name)| name)
    }

    /// The ambiguity in words: "`X` is the name of programs `K1`, `K2`".
    pub fn ambiguous(text: &str, kind: Kind, ids: &[&str]) -> String {
        let list = ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ");
        format!("`{}` is the name of {} {}s: {list}", text.trim(), ids.len(), kind.word())
    }

    /// The bureaus as `政策局 (seisaku)`, for a hint.
    pub fn bureaus(&self) -> Vec<String> {
        self.of_kinds(&[Kind::Bureau])
            .map(|(_, id, name)| if id == name { format!("`{id}`") } else { format!("{name} (`{id}`)") })
            .collect()
    }

    /// The first `n` programs as `K0001 職員給与費（政策局）`, and how many there are.
    pub fn programs(&self, n: usize) -> (Vec<String>, usize) {
        let all: Vec<_> = self.of_kinds(&[Kind::Program]).collect();
        (all.iter().take(n).map(|(_, id, name)| format!("`{id}` {name}")).collect(), all.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names<'static> {
        Names::new(
            [("shimin_bunka_sports", "市民文化スポーツ局"), ("kodomo_katei", "子ども家庭局")],
            [("K0001", "保育所運営費"), ("K0002", "児童館運営費"), ("K0003", "児童館運営費"), ("kodomo_katei", "x")],
        )
    }

    #[test]
    fn ids_then_bureau_names_then_program_names() {
        let n = names();
        let all = [Kind::Bureau, Kind::Program];
        assert_eq!(n.find("市民文化スポーツ局", &all), Lookup::Found(Kind::Bureau, "shimin_bunka_sports"));
        assert_eq!(n.find(" 保育所運営費 ", &all), Lookup::Found(Kind::Program, "K0001"));
        assert_eq!(n.find("K0001", &all), Lookup::Found(Kind::Program, "K0001"));
        assert_eq!(n.find("kodomo_katei", &all), Lookup::Found(Kind::Bureau, "kodomo_katei"), "the bureau id first");
        assert_eq!(n.find("児童館運営費", &all), Lookup::Ambiguous(Kind::Program, vec!["K0002", "K0003"]));
        assert_eq!(n.find("保育所運営費", &[Kind::Bureau]), Lookup::NotFound, "only the kinds asked for");
    }

    #[test]
    fn did_you_mean_over_names_and_ids() {
        let n = names();
        let all = [Kind::Bureau, Kind::Program];
        assert_eq!(
            n.did_you_mean("子ども家庭", &all).as_deref(),
            Some("did you mean `子ども家庭局` (`kodomo_katei`)?")
        );
        assert_eq!(
            n.did_you_mean("市民文化局", &all).as_deref(),
            Some("did you mean `市民文化スポーツ局` (`shimin_bunka_sports`)?")
        );
        assert_eq!(
            n.did_you_mean("kodomo-katei", &all).as_deref(),
            Some("did you mean `kodomo_katei` (子ども家庭局)?")
        );
        assert_eq!(n.did_you_mean("道路", &all), None);
    }
}
