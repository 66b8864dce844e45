//! The report's charts: inline SVG drawn with `plotters` (its SVG backend only: no fonts, no bitmaps).
//!
//! Two shapes cover every chart: horizontal bars with an optional band and marker per row
//! (envelopes, the reserve and next-generation frames, limits) and vertical bars with threshold
//! lines (the request → allocation waterfall, the fiscal ratios). Labels are passed to plotters as
//! written: its SVG backend escapes `<`, `>`, `&`, `"` and `'` in text and attributes, so a name from
//! a scenario is text in the chart, never markup (tested in `super::tests`).
//!
//! Money arrives here already in the display unit as `f64`: only pixel positions are computed from
//! it; every figure printed in a chart is formatted from exact [`crate::Money`] by the caller.

use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::fiscal::ThresholdKind;
use crate::{Diagnostic, Error, Result};

/// The palette: muted, distinguishable in greyscale print.
pub const BLUE: RGBColor = RGBColor(0x2f, 0x5f, 0x98);
pub const TEAL: RGBColor = RGBColor(0x2a, 0x8a, 0x7e);
pub const RED: RGBColor = RGBColor(0xc0, 0x39, 0x2b);
pub const GREEN: RGBColor = RGBColor(0x3c, 0x8d, 0x40);
pub const GREY: RGBColor = RGBColor(0x8a, 0x8f, 0x98);
pub const INK: RGBColor = RGBColor(0x22, 0x26, 0x2e);
const BAND: RGBColor = RGBColor(0xdc, 0xe3, 0xec);
const GRID: RGBColor = RGBColor(0xe6, 0xe8, 0xec);
const AMBER: RGBColor = RGBColor(0xd9, 0x8c, 0x1f);

/// The family written into the SVG; the page's stylesheet sets the real font stack.
const FAMILY: &str = "sans-serif";
const WIDTH: u32 = 960;

/// Chart text in CSS pixels at the chart's own size. The page never draws a chart wider than its
/// width in the SVG (`max-width` in the stylesheet), and at 1280 px wide it draws each at that width
/// (the grid's two columns hold the 520 px ratio charts), so this is the size on a projector too:
/// every label at least 13 px, none under the 12 px a meeting room can read
/// (`tools/browser-check.py` measures it in Chromium).
pub const LABEL_PX: f64 = 14.0;
/// Figures printed beside bars and threshold names.
pub const VALUE_PX: f64 = 13.0;

/// The mesh every chart draws: white minor lines, a light grid, grey axes, labels in the value size.
fn house_mesh<'m, 'a, 'b, X, Y, DB>(mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>) -> &'m mut MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
    DB: DrawingBackend,
{
    mesh.light_line_style(WHITE)
        .bold_line_style(GRID)
        .axis_style(GREY)
        .label_style((FAMILY, font(VALUE_PX)).into_font().color(&INK))
        .axis_desc_style((FAMILY, font(VALUE_PX)).into_font().color(&INK))
}

/// plotters' SVG backend writes `font-size` as the style's size ÷ 1.24 (plotters-svg, `draw_text`);
/// this is the size to ask for to get `px` in the SVG.
fn font(px: f64) -> f64 {
    px * 1.24
}

/// Roughly how wide `text` is at `px`, for margins: East Asian wide characters take about `px`,
/// others about 0.6 `px`.
fn text_width(text: &str, px: f64) -> u32 {
    let cols = crate::report::text::width(text) as f64;
    (cols * px * 0.55).ceil() as u32
}

fn failed(e: impl std::fmt::Display) -> Error {
    Error::input(Diagnostic::error(format!("cannot draw a chart of the report: {e}")))
}

fn text_style(px: f64, color: RGBColor, h: HPos) -> TextStyle<'static> {
    (FAMILY, font(px)).into_font().color(&color).pos(Pos::new(h, VPos::Center))
}

/// An axis tick in the display unit: digits grouped by three, at most two decimals.
pub fn tick(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let d = rust_decimal::Decimal::from_f64_retain(v).unwrap_or_default().round_dp(2).normalize();
    let s = d.to_string();
    let (sign, rest) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, ""), |(i, f)| (i, f));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if frac.is_empty() { format!("{sign}{grouped}") } else { format!("{sign}{grouped}.{frac}") }
}

/// A finite, non-empty axis range that includes `lo..hi`.
fn range(lo: f64, hi: f64) -> (f64, f64) {
    let lo = if lo.is_finite() { lo } else { 0.0 };
    let hi = if hi.is_finite() { hi } else { 1.0 };
    if hi - lo > 1e-9 { (lo, hi) } else { (lo, lo + 1.0) }
}

/// One row of a horizontal bar chart.
pub struct HRow {
    pub label: String,
    pub value: f64,
    pub color: RGBColor,
    /// A light band behind the bar, e.g. floor..ceiling.
    pub band: Option<(f64, f64)>,
    /// A short dark marker across the bar, e.g. the base or a target.
    pub marker: Option<f64>,
    /// Printed right of the bar.
    pub text: String,
}

/// Horizontal bars, first row at the top; `rule` draws a dashed line across all rows (e.g. 100%).
pub fn hbars(rows: &[HRow], x_max: f64, rule: Option<(f64, &str)>, x_desc: &str, label_width: u32) -> Result<String> {
    let n = rows.len().max(1);
    let row_h = 30u32;
    let height = 64 + row_h * n as u32 + 24;
    // Room right of the bars for the longest figure printed there.
    let right = rows.iter().map(|r| text_width(&r.text, VALUE_PX)).max().unwrap_or(0).clamp(40, 420) + 16;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let (lo, hi) = range(0.0, x_max);
        let mut chart = ChartBuilder::on(&root)
            .margin_top(if rule.is_some() { 26 } else { 12 })
            .margin_right(right)
            .margin_left(8)
            .x_label_area_size(50)
            .y_label_area_size(label_width)
            .build_cartesian_2d(lo..hi, 0f64..n as f64)
            .map_err(failed)?;
        let fmt = |v: &f64| tick(*v);
        house_mesh(chart.configure_mesh().disable_y_mesh())
            .y_labels(0)
            .x_labels(8)
            .x_label_formatter(&fmt)
            .x_desc(x_desc)
            .draw()
            .map_err(failed)?;
        // Row i's slot is [n-1-i, n-i] so the first row is drawn at the top.
        let slot = |i: usize| (n - 1 - i) as f64;
        let clamp = |v: f64| v.clamp(lo, hi);
        chart
            .draw_series(rows.iter().enumerate().filter_map(|(i, r)| {
                r.band.map(|(a, b)| {
                    let mut rect =
                        Rectangle::new([(clamp(a), slot(i) + 0.12), (clamp(b), slot(i) + 0.88)], BAND.filled());
                    rect.set_margin(0, 0, 0, 0);
                    rect
                })
            }))
            .map_err(failed)?;
        chart
            .draw_series(rows.iter().enumerate().map(|(i, r)| {
                Rectangle::new([(lo, slot(i) + 0.25), (clamp(r.value), slot(i) + 0.75)], r.color.filled())
            }))
            .map_err(failed)?;
        chart
            .draw_series(rows.iter().enumerate().filter_map(|(i, r)| {
                r.marker.map(|m| {
                    PathElement::new(vec![(clamp(m), slot(i) + 0.08), (clamp(m), slot(i) + 0.92)], INK.stroke_width(2))
                })
            }))
            .map_err(failed)?;
        if let Some((x, words)) = rule {
            chart
                .draw_series(std::iter::once(DashedPathElement::new(
                    vec![(clamp(x), 0.0), (clamp(x), n as f64)],
                    5,
                    4,
                    RED.stroke_width(1),
                )))
                .map_err(failed)?;
            let (px, py) = chart.backend_coord(&(clamp(x), n as f64));
            root.draw(&Text::new(words.to_string(), (px, py - 12), text_style(VALUE_PX, RED, HPos::Center)))
                .map_err(failed)?;
        }
        for (i, r) in rows.iter().enumerate() {
            let (x0, y) = chart.backend_coord(&(lo, slot(i) + 0.5));
            root.draw(&Text::new(r.label.clone(), (x0 - 8, y), text_style(LABEL_PX, INK, HPos::Right)))
                .map_err(failed)?;
            let end = r.value.max(r.marker.unwrap_or(lo)).max(r.band.map_or(lo, |b| b.1)).max(rule.map_or(lo, |r| r.0));
            let (x1, _) = chart.backend_coord(&(clamp(end), slot(i) + 0.5));
            root.draw(&Text::new(r.text.clone(), (x1 + 6, y), text_style(VALUE_PX, INK, HPos::Left)))
                .map_err(failed)?;
        }
        root.present().map_err(failed)?;
    }
    Ok(svg)
}

/// One bar of a vertical bar chart: from `from` to `to` (a floating bar when `from` is not the axis).
pub struct VBar {
    pub label: String,
    pub from: f64,
    pub to: f64,
    pub color: RGBColor,
    /// Printed above the bar (below it for a bar that goes down).
    pub text: String,
}

/// A horizontal threshold line across the chart.
pub struct Threshold {
    pub value: f64,
    pub label: String,
    pub color: RGBColor,
}

/// Vertical bars with threshold lines; `connect` joins each bar's end to the next bar's start
/// (a waterfall). The value axis spans `y_lo..y_hi`.
pub fn vbars(
    bars: &[VBar],
    y_lo: f64,
    y_hi: f64,
    thresholds: &[Threshold],
    connect: bool,
    y_desc: &str,
    size: (u32, u32),
) -> Result<String> {
    let n = bars.len().max(1);
    let mut svg = String::new();
    {
        let root: DrawingArea<SVGBackend, Shift> = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let (lo, hi) = range(y_lo, y_hi);
        let mut chart = ChartBuilder::on(&root)
            .margin_top(if thresholds.is_empty() { 16 } else { 26 })
            .margin_right(16)
            .margin_left(8)
            .x_label_area_size(44)
            .y_label_area_size(76)
            .build_cartesian_2d(0f64..n as f64, lo..hi)
            .map_err(failed)?;
        let fmt = |v: &f64| tick(*v);
        house_mesh(chart.configure_mesh().disable_x_mesh())
            .x_labels(0)
            .y_labels(6)
            .y_label_formatter(&fmt)
            .y_desc(y_desc)
            .draw()
            .map_err(failed)?;
        let clamp = |v: f64| v.clamp(lo, hi);
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                let (a, z) = (clamp(b.from.min(b.to)), clamp(b.from.max(b.to)));
                Rectangle::new([(i as f64 + 0.18, a), (i as f64 + 0.82, z)], b.color.filled())
            }))
            .map_err(failed)?;
        if connect {
            chart
                .draw_series(bars.windows(2).enumerate().map(|(i, w)| {
                    PathElement::new(vec![(i as f64 + 0.82, clamp(w[0].to)), (i as f64 + 1.18, clamp(w[0].to))], GREY)
                }))
                .map_err(failed)?;
        }
        for t in thresholds {
            if t.value < lo || t.value > hi {
                continue;
            }
            chart
                .draw_series(std::iter::once(DashedPathElement::new(
                    vec![(0.0, t.value), (n as f64, t.value)],
                    6,
                    4,
                    t.color.stroke_width(2),
                )))
                .map_err(failed)?;
            // Named at the plot's right end, inside the chart (never cut off): above its line, or
            // below it where a bar rises through the line.
            let (px, py) = chart.backend_coord(&(n as f64, t.value));
            let crossed = bars.iter().any(|b| b.from.max(b.to) > t.value);
            let dy = if crossed { 12 } else { -11 };
            root.draw(&Text::new(t.label.clone(), (px - 4, py + dy), text_style(VALUE_PX, t.color, HPos::Right)))
                .map_err(failed)?;
        }
        for (i, b) in bars.iter().enumerate() {
            let (x, y_axis) = chart.backend_coord(&(i as f64 + 0.5, lo));
            root.draw(&Text::new(b.label.clone(), (x, y_axis + 16), text_style(LABEL_PX, INK, HPos::Center)))
                .map_err(failed)?;
            let down = b.to < b.from;
            let (_, y) = chart.backend_coord(&(i as f64 + 0.5, clamp(if down { b.to } else { b.to.max(b.from) })));
            let (_, y0) = chart.backend_coord(&(i as f64 + 0.5, clamp(b.from.min(b.to))));
            // Bars standing on the axis (the ratios) carry their figure inside their top, clear of
            // the threshold lines above them; a waterfall's steps keep theirs outside.
            let (dy, color) = if !connect && !down && y0 - y >= 28 {
                (13, WHITE)
            } else if down {
                (13, INK)
            } else {
                (-11, INK)
            };
            root.draw(&Text::new(b.text.clone(), (x, y + dy), text_style(VALUE_PX, color, HPos::Center)))
                .map_err(failed)?;
        }
        root.present().map_err(failed)?;
    }
    Ok(svg)
}

/// Colours for statuses and kinds, named where the report chooses them.
pub fn status_color(ok: bool) -> RGBColor {
    if ok { TEAL } else { RED }
}

/// The colour of a benchmark line (a reference, not a limit).
pub fn benchmark_color() -> RGBColor {
    GREY
}

/// The colour of a threshold line by its kind.
pub fn threshold_color(kind: ThresholdKind) -> RGBColor {
    match kind {
        ThresholdKind::BondPermission => AMBER,
        ThresholdKind::CityLimit => BLUE,
        ThresholdKind::EarlySoundness | ThresholdKind::Rehabilitation => RED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_group_digits_and_trim_decimals() {
        assert_eq!(tick(6476.84), "6,476.84");
        assert_eq!(tick(1000.0), "1,000");
        assert_eq!(tick(-12.5), "-12.5");
        assert_eq!(tick(0.0), "0");
        assert_eq!(tick(f64::NAN), "");
    }

    #[test]
    fn labels_are_escaped_by_the_svg_backend() {
        let rows = [HRow {
            label: "<script>alert(1)</script> \"'&".into(),
            value: 1.0,
            color: BLUE,
            band: Some((0.5, 2.0)),
            marker: Some(1.5),
            text: "<b>".into(),
        }];
        let svg = hbars(&rows, 2.0, Some((1.0, "100% <")), "x", 160).unwrap();
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(!svg.contains("<b>"));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &quot;&apos;&amp;"), "{svg}");
        let bars = [VBar { label: "<i>".into(), from: 0.0, to: 3.0, color: RED, text: "&".into() }];
        let t = [Threshold { value: 2.0, label: "<u>".into(), color: RED }];
        let svg = vbars(&bars, 0.0, 4.0, &t, true, "<y>", (400, 300)).unwrap();
        assert!(!svg.contains("<i>") && !svg.contains("<u>") && !svg.contains("<y>"));
        assert!(svg.contains("&lt;i&gt;") && svg.contains("&lt;u&gt;") && svg.contains("&amp;"));
    }

    /// Every text of both chart shapes is written at 12 px or more (the page draws charts at their
    /// own size at 1280 px wide; the browser check measures what Chromium renders).
    #[test]
    fn chart_text_is_at_least_twelve_pixels() {
        let rows = [HRow {
            label: "財政・変革局".into(),
            value: 3.0,
            color: BLUE,
            band: Some((1.0, 4.0)),
            marker: Some(2.0),
            text: "980.55（-2.0%）".into(),
        }];
        let bars = [VBar { label: "FY2026".into(), from: 0.0, to: 3.0, color: TEAL, text: "12.1%".into() }];
        let t = [Threshold { value: 3.5, label: "早期健全化基準 25.0%".into(), color: RED }];
        for svg in [
            hbars(&rows, 5.0, Some((4.0, "100%")), "億円", 120).unwrap(),
            vbars(&bars, 0.0, 4.0, &t, false, "%", (520, 300)).unwrap(),
        ] {
            let sizes: Vec<f64> =
                svg.split("font-size=\"").skip(1).filter_map(|s| s.split('"').next()?.parse().ok()).collect();
            assert!(sizes.len() >= 4, "{svg}");
            assert!(sizes.iter().all(|&px| px >= 12.0), "{sizes:?}");
        }
    }

    #[test]
    fn degenerate_ranges_draw_without_panicking() {
        let rows = [HRow { label: "a".into(), value: 0.0, color: BLUE, band: None, marker: None, text: String::new() }];
        assert!(hbars(&rows, 0.0, None, "", 100).is_ok());
        assert!(hbars(&[], f64::NAN, None, "", 100).is_ok());
        assert!(vbars(&[], 5.0, 5.0, &[], false, "", (300, 200)).is_ok());
    }
}
