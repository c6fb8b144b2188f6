//! Charts for the report page, written as SVG text on the server: no script, no style
//! sheet of their own (the CSP allows neither inline), only presentation attributes, and
//! every label escaped, so a chart is safe to place in the page as it is. Pure.

use std::fmt::Write;

/// One stacked series of a bar chart: its name (in the legend) and a value per bar.
pub(super) struct Series<'a> {
    pub name: &'a str,
    pub values: Vec<usize>,
}

/// A bar chart: one bar per label, each bar the series stacked in order.
pub(super) struct Chart<'a> {
    /// Read by screen readers (`<title>`) and named by `aria-labelledby`.
    pub title: &'a str,
    pub id: &'a str,
    pub labels: Vec<String>,
    pub series: Vec<Series<'a>>,
}

/// Colours told apart also by people with the common colour-vision deficiencies (Okabe
/// and Ito's palette); the page's table beside each chart says the same in numbers.
const COLOURS: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
];

const BAR: usize = 28;
const GAP: usize = 10;
const HEIGHT: usize = 160;
const LEFT: usize = 36;
const TOP: usize = 10;
const LABELS: usize = 48;

/// Text as it may stand in SVG character data or a quoted attribute.
pub(super) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c if c.is_control() => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// The chart as one `<svg>` element, scaled to the width it is given (it shrinks to a
/// phone's 375 px).
pub(super) fn bar_chart(chart: &Chart<'_>) -> String {
    let bars = chart.labels.len().max(1);
    // Wide enough for the legend's two columns, however few the bars.
    let legend_width = if chart.series.len() > 1 { 2 * 170 } else { 0 };
    let width = (LEFT + bars * (BAR + GAP) + GAP).max(LEFT + legend_width);
    let legend = chart.series.len().div_ceil(2) * 16;
    let total_height = TOP + HEIGHT + LABELS + legend + 8;
    let totals: Vec<usize> = (0..chart.labels.len())
        .map(|i| {
            chart
                .series
                .iter()
                .map(|s| s.values.get(i).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let max = totals.iter().copied().max().unwrap_or(0).max(1);
    let id = escape(chart.id);
    let mut svg = String::new();
    // Writing to a String cannot fail.
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" viewBox="0 0 {width} {total_height}" width="{width}" height="{total_height}" aria-labelledby="{id}-title"><title id="{id}-title">{}</title>"#,
        escape(chart.title)
    );
    // The axis and its top value.
    let base = TOP + HEIGHT;
    let _ = write!(
        svg,
        r##"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}" stroke="#555"/><line x1="{LEFT}" y1="{base}" x2="{width}" y2="{base}" stroke="#555"/><text x="{x}" y="{y}" font-size="11" text-anchor="end">{max}</text><text x="{x}" y="{base}" font-size="11" text-anchor="end">0</text>"##,
        x = LEFT - 4,
        y = TOP + 10,
    );
    for (i, label) in chart.labels.iter().enumerate() {
        let x = LEFT + GAP + i * (BAR + GAP);
        let mut top = base;
        for (s, series) in chart.series.iter().enumerate() {
            let value = series.values.get(i).copied().unwrap_or(0);
            if value == 0 {
                continue;
            }
            let height = (value * HEIGHT).div_ceil(max).min(top - TOP);
            top -= height;
            let _ = write!(
                svg,
                r#"<rect x="{x}" y="{top}" width="{BAR}" height="{height}" fill="{}"><title>{}: {}, {value}</title></rect>"#,
                COLOURS[s % COLOURS.len()],
                escape(label),
                escape(series.name),
            );
        }
        if totals[i] > 0 {
            let _ = write!(
                svg,
                r#"<text x="{cx}" y="{ty}" font-size="11" text-anchor="middle">{}</text>"#,
                totals[i],
                cx = x + BAR / 2,
                ty = top.saturating_sub(2).max(9),
            );
        }
        let _ = write!(
            svg,
            r#"<text x="{cx}" y="{ly}" font-size="10" text-anchor="end" transform="rotate(-45 {cx} {ly})">{}</text>"#,
            escape(label),
            cx = x + BAR / 2,
            ly = base + 14,
        );
    }
    if chart.series.len() > 1 {
        for (s, series) in chart.series.iter().enumerate() {
            let x = LEFT + (s % 2) * 170;
            let y = base + LABELS + (s / 2) * 16;
            let _ = write!(
                svg,
                r#"<rect x="{x}" y="{y}" width="10" height="10" fill="{}"/><text x="{tx}" y="{ty}" font-size="11">{}</text>"#,
                COLOURS[s % COLOURS.len()],
                escape(series.name),
                tx = x + 14,
                ty = y + 9,
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Days to answer as a histogram: bins of equal width from 0 to the longest answer, at
/// most `bins` of them; each label says its range of days.
pub(super) fn histogram(days: &[i32], bins: usize) -> (Vec<String>, Vec<usize>) {
    let Some(&longest) = days.iter().max() else {
        return (Vec::new(), Vec::new());
    };
    let longest = usize::try_from(longest.max(0)).unwrap_or(0);
    let width = (longest + 1).div_ceil(bins.max(1)).max(1);
    let count = longest / width + 1;
    let mut values = vec![0; count];
    for &day in days {
        let day = usize::try_from(day.max(0)).unwrap_or(0);
        values[day / width] += 1;
    }
    let labels = (0..count)
        .map(|i| {
            let (first, last) = (i * width, i * width + width - 1);
            if first == last {
                first.to_string()
            } else {
                format!("{first}–{last}")
            }
        })
        .collect();
    (labels, values)
}

#[cfg(test)]
mod tests {
    use super::{Chart, Series, bar_chart, histogram};

    #[test]
    fn labels_are_escaped_and_no_script_is_written() {
        let hostile = "<script>alert(1)</script>\"'&";
        let svg = bar_chart(&Chart {
            title: hostile,
            id: "x\"y",
            labels: vec![hostile.to_string(), "2026-10".to_string()],
            series: vec![
                Series {
                    name: hostile,
                    values: vec![2, 1],
                },
                Series {
                    name: "access",
                    values: vec![1, 0],
                },
            ],
        });
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains("x\"y"), "{svg}");
        assert!(
            svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"),
            "{svg}"
        );
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        // Three bars' worth of rectangles (2 + 1 stacked, 1) and a legend of two.
        assert_eq!(svg.matches("<rect ").count(), 3 + 2, "{svg}");
    }

    #[test]
    fn an_empty_chart_is_still_a_drawing() {
        let svg = bar_chart(&Chart {
            title: "nothing",
            id: "empty",
            labels: Vec::new(),
            series: Vec::new(),
        });
        assert!(svg.contains("<title id=\"empty-title\">nothing</title>"));
    }

    #[test]
    fn days_fall_into_equal_bins_from_zero() {
        assert_eq!(histogram(&[], 6), (Vec::<String>::new(), Vec::new()));
        let (labels, values) = histogram(&[0, 3, 4, 11], 6);
        assert_eq!(labels, ["0–1", "2–3", "4–5", "6–7", "8–9", "10–11"]);
        assert_eq!(values, [1, 1, 1, 0, 0, 1]);
        let (labels, values) = histogram(&[2, 2], 10);
        assert_eq!(labels, ["0", "1", "2"]);
        assert_eq!(values, [0, 0, 2]);
    }
}
