//! `waku run --format html`: one self-contained HTML file for a budget meeting.
//!
//! The page is `templates/report.html` (askama: compiled with the crate, every `{{ … }}` HTML-escaped)
//! with its stylesheet and filter script inline, and charts as inline SVG ([`charts`]). Nothing is
//! fetched: no fonts, no scripts, no images; a Content-Security-Policy of `default-src 'none'` says
//! so to the browser too. Without JavaScript the program table is a plain table; with it, a search
//! box filters its rows. The same input gives the same bytes (no dates, no random ids).
//!
//! One renderer serves a single year and a multi-year plan: both arrive as a
//! [`PlanOutcome`] (a single year is a one-year plan), so a plan's fiscal indicators are charted
//! across its years and a single year's for that year.

mod charts;
mod indicators;
mod view;
mod year;

use askama::Template;

pub(crate) use view::era;

use crate::fiscal::PlanOutcome;
use crate::review::Review;
use crate::{Error, Result};

/// Renders the report. `reviews` are the years' reviews in the order of `outcome.allocations`
/// (they give each program's reason in words); empty, the table leaves reasons out.
pub fn render(outcome: &PlanOutcome, reviews: &[Review]) -> Result<String> {
    let page = view::page(outcome, reviews)?;
    let mut html = page.render().map_err(|e| Error::internal(format!("the HTML report could not be rendered: {e}")))?;
    if !html.ends_with('\n') {
        html.push('\n');
    }
    Ok(html)
}

#[cfg(test)]
mod tests {
    use super::view::{era, period};

    #[test]
    fn fiscal_years_read_in_the_japanese_era() {
        assert_eq!(era(2026), "令和8年度");
        assert_eq!(era(2019), "令和元年度");
        assert_eq!(era(2018), "平成30年度");
        assert_eq!(period(&[2026]), "令和8年度（FY2026）");
        assert_eq!(period(&[2024, 2025, 2026]), "令和6〜8年度（FY2024–2026）");
        assert_eq!(period(&[2018, 2019]), "平成30年度〜令和元年度（FY2018–2019）");
    }
}
