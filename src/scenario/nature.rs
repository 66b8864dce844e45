//! 性質別: what a program's money is spent on, in the categories of every Japanese budget book and
//! of the 地方財政状況調査 (決算統計) — 人件費, 扶助費, 公債費 (together the 義務的経費), 物件費,
//! 維持補修費, 補助費等, 積立金, 投資・出資金・貸付金, 繰出金 and 投資的経費. A view of the
//! inventory, not an input of the review or the allocation: reports total the programs by it.

use std::fmt;

use serde::{Serialize, Serializer};

/// A program's kind of expense (性質別).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Nature {
    /// 人件費: salaries, allowances, retirement pay.
    Personnel,
    /// 扶助費: social assistance paid to people (生活保護, 児童手当, 医療費助成 …).
    Assistance,
    /// 公債費: redemption of and interest on municipal bonds.
    DebtService,
    /// 物件費: goods, services, contracts, systems.
    Goods,
    /// 維持補修費: upkeep and repair of public facilities.
    Maintenance,
    /// 補助費等: grants, subsidies and contributions to other bodies.
    Subsidies,
    /// 積立金: transfers into funds.
    Reserves,
    /// 投資・出資金・貸付金: investments, capital contributions, loans.
    InvestmentsLoans,
    /// 繰出金: transfers to the city's special accounts.
    Transfers,
    /// 投資的経費: construction and capital works (普通建設事業費, 災害復旧事業費).
    Capital,
}

impl Nature {
    /// In the order of a budget book's 性質別 table.
    pub const ALL: [Nature; 10] = [
        Nature::Personnel,
        Nature::Assistance,
        Nature::DebtService,
        Nature::Goods,
        Nature::Maintenance,
        Nature::Subsidies,
        Nature::Reserves,
        Nature::InvestmentsLoans,
        Nature::Transfers,
        Nature::Capital,
    ];

    /// The English name an inventory may write (`personnel`, `debt_service` …).
    pub fn id(self) -> &'static str {
        match self {
            Nature::Personnel => "personnel",
            Nature::Assistance => "assistance",
            Nature::DebtService => "debt_service",
            Nature::Goods => "goods",
            Nature::Maintenance => "maintenance",
            Nature::Subsidies => "subsidies",
            Nature::Reserves => "reserves",
            Nature::InvestmentsLoans => "investments_loans",
            Nature::Transfers => "transfers",
            Nature::Capital => "capital",
        }
    }

    /// The Japanese name, as budget books print it.
    pub fn label(self) -> &'static str {
        match self {
            Nature::Personnel => "人件費",
            Nature::Assistance => "扶助費",
            Nature::DebtService => "公債費",
            Nature::Goods => "物件費",
            Nature::Maintenance => "維持補修費",
            Nature::Subsidies => "補助費等",
            Nature::Reserves => "積立金",
            Nature::InvestmentsLoans => "投資・出資金・貸付金",
            Nature::Transfers => "繰出金",
            Nature::Capital => "投資的経費",
        }
    }

    /// 人件費, 扶助費 and 公債費: the 義務的経費 of a budget book.
    pub fn is_obligatory(self) -> bool {
        matches!(self, Nature::Personnel | Nature::Assistance | Nature::DebtService)
    }

    /// Reads the English or Japanese name, and the names budget books also use for a category
    /// (`補助費`, `普通建設事業費`, `災害復旧事業費`, `投資及び出資金`, `貸付金`).
    pub fn parse(s: &str) -> Option<Nature> {
        let s = s.trim();
        if let Some(n) = Nature::ALL.into_iter().find(|n| n.id() == s || n.label() == s) {
            return Some(n);
        }
        match s {
            "補助費" => Some(Nature::Subsidies),
            "普通建設事業費" | "災害復旧事業費" | "投資的経費（普通建設事業費）" => {
                Some(Nature::Capital)
            }
            "投資及び出資金" | "出資金" | "貸付金" | "投資及び出資金・貸付金" => {
                Some(Nature::InvestmentsLoans)
            }
            _ => None,
        }
    }

    /// Every name [`Nature::parse`] reads, for "did you mean".
    pub fn names() -> impl Iterator<Item = &'static str> {
        Nature::ALL.into_iter().flat_map(|n| [n.id(), n.label()])
    }
}

impl fmt::Display for Nature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// JSON writes the Japanese name, as the reports do.
impl Serialize for Nature {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_english_japanese_and_the_budget_books_words() {
        for n in Nature::ALL {
            assert_eq!(Nature::parse(n.id()), Some(n));
            assert_eq!(Nature::parse(n.label()), Some(n));
        }
        assert_eq!(Nature::parse(" 普通建設事業費 "), Some(Nature::Capital));
        assert_eq!(Nature::parse("貸付金"), Some(Nature::InvestmentsLoans));
        assert_eq!(Nature::parse("人件"), None);
        assert!(Nature::Assistance.is_obligatory() && !Nature::Goods.is_obligatory());
    }
}
