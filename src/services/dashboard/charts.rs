//! The dashboard's charts, drawn by plotters' SVG backend into strings the page inlines.
//! Two shapes cover every chart: bars (stacked or side by side) over categories, and the
//! retention heatmap. Each SVG gets a `<title>` and a `<desc>` (plotters writes neither),
//! so a screen reader announces what it shows; its numbers are in the table beside it.

use anyhow::{Context, Result, anyhow};
use plotters::coord::ranged1d::SegmentedCoord;
use plotters::coord::types::RangedCoordi32;
use plotters::prelude::*;

use crate::render::html::escape;

/// The drawing size; the page scales it to the column (the SVG keeps its viewBox).
const SIZE: (u32, u32) = (640, 300);
/// Category labels longer than this are cut (the table has them whole).
const LABEL_MAX: usize = 14;
const FONT: &str = "sans-serif";
/// The widest bar: one category alone would otherwise fill the chart.
const BAR_MAX: u32 = 56;
/// The bar charts' plot width: the drawing less its margins and value-axis labels.
const PLOT_WIDTH: u32 = SIZE.0 - 2 * 12 - 44;

/// One series of bars: its legend name, colour, and a value per category (`None` draws no
/// bar, for a week nobody was expected).
pub struct Series<'a> {
    pub name: &'a str,
    pub color: RGBColor,
    pub values: Vec<Option<f64>>,
}

/// A bar chart: its accessible title and description, the categories along the bottom,
/// the value axis's top and description, and whether series stack or stand side by side.
pub struct Bars<'a> {
    pub title: &'a str,
    pub desc: &'a str,
    pub categories: &'a [String],
    pub y_max: f64,
    pub y_desc: &'a str,
    pub series: Vec<Series<'a>>,
    pub stacked: bool,
}

pub const ON_TIME: RGBColor = RGBColor(0x1b, 0x6e, 0xc2);
pub const LATE: RGBColor = RGBColor(0x8f, 0xc1, 0xf0);
pub const SECOND: RGBColor = RGBColor(0xd9, 0x7b, 0x16);

/// A bar chart as SVG.
pub fn bars(chart: &Bars) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let count = i32::try_from(chart.categories.len().max(1)).context("too many bars")?;
        let mut ctx = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(44)
            .build_cartesian_2d(categories(count), 0.0..chart.y_max)
            .map_err(draw_error)?;
        let labels: Vec<String> = chart.categories.iter().map(|c| cut(c)).collect();
        ctx.configure_mesh()
            .disable_x_mesh()
            .y_desc(chart.y_desc)
            .x_labels(labels.len())
            .x_label_formatter(&|value| match value {
                SegmentValue::CenterOf(i) => usize::try_from(*i)
                    .ok()
                    .and_then(|i| labels.get(i).cloned())
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 12))
            .draw()
            .map_err(draw_error)?;
        let lanes = if chart.stacked {
            1
        } else {
            chart.series.len().max(1)
        };
        for (lane, series) in chart.series.iter().enumerate() {
            let rects = series
                .values
                .iter()
                .enumerate()
                .filter_map(|(i, value)| {
                    let value = (*value)?;
                    let below: f64 = if chart.stacked {
                        chart.series[..lane]
                            .iter()
                            .filter_map(|s| s.values.get(i).copied().flatten())
                            .sum()
                    } else {
                        0.0
                    };
                    let i = i32::try_from(i).ok()?;
                    Some(bar(
                        (i, count),
                        (lane % lanes, lanes),
                        (below, below + value),
                        series.color,
                    ))
                })
                .collect::<Vec<_>>();
            ctx.draw_series(rects)
                .map_err(draw_error)?
                .label(series.name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], series.color.filled())
                });
        }
        // Upper left: time runs to the right, so the latest bars, the ones read first, stay
        // clear of the legend.
        if chart.series.len() > 1 {
            ctx.configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.3))
                .label_font((FONT, 12))
                .draw()
                .map_err(draw_error)?;
        }
        root.present().map_err(draw_error)?;
    }
    Ok(accessible(svg, chart.title, chart.desc))
}

/// One bar in lane `lane` of `lanes` inside category `i` of `count`, from `low` to `high`.
fn bar(
    (i, count): (i32, i32),
    (lane, lanes): (usize, usize),
    (low, high): (f64, f64),
    color: RGBColor,
) -> Rectangle<(SegmentValue<i32>, f64)> {
    // A bar spans its whole category; side-by-side lanes are made by insetting it by the
    // other lanes' share of the category's width in pixels (the plot is about
    // `PLOT_WIDTH` wide).
    let mut rect = Rectangle::new(
        [(SegmentValue::Exact(i), low), (end_of(i, count), high)],
        color.filled(),
    );
    let category = PLOT_WIDTH / u32::try_from(count.max(1)).unwrap_or(1);
    let lanes = u32::try_from(lanes.max(1)).unwrap_or(1);
    // A little space between categories, and no bar wider than `BAR_MAX`.
    let gap = (category / 8)
        .min(8)
        .max(category.saturating_sub(BAR_MAX * lanes) / 2);
    let lane = u32::try_from(lane).unwrap_or(0).min(lanes - 1);
    let lane_width = category.saturating_sub(2 * gap) / lanes;
    // A pixel each side keeps neighbouring lanes apart after rounding.
    let apart = u32::from(lanes > 1);
    rect.set_margin(
        0,
        0,
        gap + lane * lane_width + apart,
        gap + (lanes - 1 - lane) * lane_width + apart,
    );
    rect
}

/// One cell of a heatmap: its row and column and the value (0–100) that colours it.
pub struct Cell {
    pub row: usize,
    pub column: usize,
    pub value: Option<i32>,
}

/// A heatmap of percentages: rows down the side, columns along the bottom; each cell is
/// shaded by its value and carries it as text.
pub fn heatmap(
    title: &str,
    desc: &str,
    rows: &[String],
    columns: &[String],
    cells: &[Cell],
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let width = i32::try_from(columns.len().max(1)).context("too many columns")?;
        let height = i32::try_from(rows.len().max(1)).context("too many rows")?;
        let mut ctx = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(80)
            .build_cartesian_2d(categories(width), categories(height))
            .map_err(draw_error)?;
        let pick = |labels: &[String], value: &SegmentValue<i32>| match value {
            SegmentValue::CenterOf(i) => usize::try_from(*i)
                .ok()
                .and_then(|i| labels.get(i).cloned())
                .unwrap_or_default(),
            _ => String::new(),
        };
        ctx.configure_mesh()
            .disable_mesh()
            .x_labels(columns.len())
            .y_labels(rows.len())
            .x_label_formatter(&|v| pick(columns, v))
            .y_label_formatter(&|v| pick(rows, v))
            .x_desc("weeks after joining")
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 12))
            .draw()
            .map_err(draw_error)?;
        let shaded = cells.iter().filter_map(|cell| {
            let value = cell.value?;
            let (x, y) = (
                i32::try_from(cell.column).ok()?,
                i32::try_from(cell.row).ok()?,
            );
            let mut rect = Rectangle::new(
                [
                    (SegmentValue::Exact(x), SegmentValue::Exact(y)),
                    (end_of(x, width), end_of(y, height)),
                ],
                ON_TIME
                    .mix(0.1 + 0.9 * f64::from(value.clamp(0, 100)) / 100.0)
                    .filled(),
            );
            rect.set_margin(1, 1, 1, 1);
            Some(rect)
        });
        ctx.draw_series(shaded).map_err(draw_error)?;
        let labels = cells.iter().filter_map(|cell| {
            let value = cell.value?;
            let (x, y) = (
                i32::try_from(cell.column).ok()?,
                i32::try_from(cell.row).ok()?,
            );
            let color = if value >= 55 { &WHITE } else { &BLACK };
            Some(Text::new(
                format!("{value}%"),
                (SegmentValue::CenterOf(x), SegmentValue::CenterOf(y)),
                (FONT, 12).into_font().color(color),
            ))
        });
        ctx.draw_series(labels).map_err(draw_error)?;
        root.present().map_err(draw_error)?;
    }
    Ok(accessible(svg, title, desc))
}

/// `count` categories along an axis. Plotters' integer ranges are inclusive of their end
/// when discrete, so `0..count - 1` is `count` segments.
fn categories(count: i32) -> SegmentedCoord<RangedCoordi32> {
    (0..count.max(1) - 1).into_segmented()
}

/// The far edge of category `i` of `count`: the next one's start, or the axis's end.
fn end_of(i: i32, count: i32) -> SegmentValue<i32> {
    if i + 1 >= count {
        SegmentValue::Last
    } else {
        SegmentValue::Exact(i + 1)
    }
}

/// Plotters' errors borrow the backend; the page only needs to say what failed.
fn draw_error<E: std::error::Error + Send + Sync>(err: DrawingAreaErrorKind<E>) -> anyhow::Error {
    anyhow!("drawing a dashboard chart: {err}")
}

fn cut(label: &str) -> String {
    if label.chars().count() <= LABEL_MAX {
        return label.to_owned();
    }
    let mut cut: String = label.chars().take(LABEL_MAX - 1).collect();
    cut.push('…');
    cut
}

/// The SVG with `role="img"`, a `<title>` and a `<desc>` right after its opening tag.
fn accessible(svg: String, title: &str, desc: &str) -> String {
    let Some(open_end) = svg.find('>') else {
        return svg;
    };
    let (open, rest) = svg.split_at(open_end);
    format!(
        "{open} role=\"img\"><title>{}</title><desc>{}</desc>{}",
        escape(title),
        escape(desc),
        &rest[1..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_has_its_title_and_description_and_escapes_labels() {
        let categories = vec!["<script>".to_owned(), "W2".to_owned()];
        let svg = bars(&Bars {
            title: "Rate & more",
            desc: "two weeks",
            categories: &categories,
            y_max: 100.0,
            y_desc: "%",
            series: vec![Series {
                name: "on time",
                color: ON_TIME,
                values: vec![Some(40.0), None],
            }],
            stacked: true,
        })
        .expect("drawn");
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("role=\"img\"><title>Rate &amp; more</title><desc>two weeks</desc>"));
        assert!(svg.contains("viewBox=\"0 0 640 300\""));
        assert!(!svg.contains("<script>"), "labels are escaped: {svg}");
        assert_eq!(
            svg.matches("<rect").count() - 1,
            1,
            "one bar plus the background"
        );
    }

    /// Every bar's (x, width) in the SVG, the background and legend left out.
    fn bars_drawn(svg: &str, color: &str) -> Vec<(i64, i64)> {
        svg.lines()
            .filter(|l| l.starts_with("<rect") && l.contains(&format!("fill=\"{color}\"")))
            .filter(|l| !l.contains("width=\"10\""))
            .map(|l| {
                let attr = |name: &str| -> i64 {
                    let start = l.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
                    l[start..].split('"').next().unwrap().parse().unwrap()
                };
                (attr("x"), attr("width"))
            })
            .collect()
    }

    #[test]
    fn side_by_side_bars_share_their_category_without_overlap() {
        for count in [1, 2, 7] {
            let categories: Vec<String> = (0..count).map(|i| format!("M{i}")).collect();
            let svg = bars(&Bars {
                title: "t",
                desc: "d",
                categories: &categories,
                y_max: 2.5,
                y_desc: "days",
                series: vec![
                    Series {
                        name: "a",
                        color: ON_TIME,
                        values: vec![Some(2.0); count],
                    },
                    Series {
                        name: "b",
                        color: SECOND,
                        values: vec![Some(1.0); count],
                    },
                ],
                stacked: false,
            })
            .expect("drawn");
            let (first, second) = (bars_drawn(&svg, "#1B6EC2"), bars_drawn(&svg, "#D97B16"));
            assert_eq!((first.len(), second.len()), (count, count), "{svg}");
            for ((x1, w1), (x2, w2)) in first.iter().zip(&second) {
                assert!(*w1 > 0 && *w2 > 0 && *w1 <= 2 * i64::from(BAR_MAX), "{svg}");
                assert!(x1 + w1 <= *x2, "side by side, not overlapping: {svg}");
                assert!(x2 + w2 <= i64::from(SIZE.0), "{svg}");
            }
        }
    }

    #[test]
    fn long_labels_are_cut() {
        assert_eq!(cut("Short"), "Short");
        assert_eq!(cut("A very long module name"), "A very long m…");
    }
}
