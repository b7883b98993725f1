//! `Plot` (LANGUAGE.md §11): line and scatter plots written as SVG or PNG,
//! drawn by plotters. stdlib/plot.dl builds the figure as a dlang value;
//! the primitives (src/runtime/prims/plot.rs) check each series as it is
//! added and hand the whole figure here to be saved.
//!
//! The look follows matplotlib's defaults: a white 640 x 480 picture, the
//! series in its `tab10` colours, no grid, axes that span every point
//! with a 5% margin, ticks written as short as they can be (`80`, `0.25`,
//! `1e-7`), and, when a series has a label, a legend in the corner that
//! hides the fewest points (matplotlib's `loc="best"`).
//! Text is laid out, and drawn in a PNG, with the DejaVu Sans subset in
//! `plot/` that the binary carries, so a picture does not depend on the
//! fonts of the machine that draws it (an SVG names `sans-serif`, for the
//! viewer to draw). A character the subset lacks (see plot/FONT-LICENSE)
//! is a box in a PNG.
//!
//! A file is written whole or not at all ([`write_atomically`]).

use std::ops::{Range, RangeInclusive};
use std::path::Path;
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::data::float::pretty_print_float;
use plotters::prelude::*;
use plotters::style::register_font;

use super::atomic_file::write_atomically;
use super::error::RuntimeError;
use super::print::format_float;

/// Width and height a figure may have, in pixels.
pub const SIZE_LIMITS: RangeInclusive<i64> = 100..=4096;

/// The family every text of a figure is set in.
const FONT_FAMILY: &str = "sans-serif";
const FONT: &[u8] = include_bytes!("plot/DejaVuSans-subset.ttf");

/// matplotlib's default colour cycle (`tab10`).
const COLOURS: [RGBColor; 10] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x7f, 0x7f, 0x7f),
    RGBColor(0xbc, 0xbd, 0x22),
    RGBColor(0x17, 0xbe, 0xcf),
];

/// The share of the data's span left free on each side of an axis.
const MARGIN: f64 = 0.05;
const LINE_WIDTH: u32 = 2;
const MARKER_RADIUS: u32 = 3;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mark {
    /// A line through the points in order (`plt.plot`).
    Line,
    /// A marker at each point (`plt.scatter`).
    Scatter,
}

pub struct Series {
    pub label: String,
    pub mark: Mark,
    pub points: Vec<(f64, f64)>,
}

pub struct Figure {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub width: u32,
    pub height: u32,
    pub series: Vec<Series>,
}

/// The points of a series given as its xs and ys, for `caller` (the dlang
/// function adding it): R011 unless there are as many of each, R008 if
/// there are none or one is not finite.
pub fn points(
    caller: &str,
    label: &str,
    xs: &[f64],
    ys: &[f64],
) -> Result<Vec<(f64, f64)>, RuntimeError> {
    let series = match label {
        "" => "a series without a label".to_string(),
        _ => format!("the series `{label}`"),
    };
    if xs.len() != ys.len() {
        return Err(RuntimeError::shape(format!(
            "{caller}: {series} has {} x values and {} y values; each point needs one of each",
            xs.len(),
            ys.len()
        )));
    }
    if xs.is_empty() {
        return Err(RuntimeError::bad_argument(format!(
            "{caller}: {series} has no points"
        )));
    }
    let points: Vec<(f64, f64)> = xs.iter().copied().zip(ys.iter().copied()).collect();
    if let Some(i) = points
        .iter()
        .position(|(x, y)| !x.is_finite() || !y.is_finite())
    {
        let (x, y) = points[i];
        return Err(RuntimeError::bad_argument(format!(
            "{caller}: point {i} of {series} is ({}, {}); only finite points can be plotted",
            format_float(x),
            format_float(y)
        )));
    }
    Ok(points)
}

/// A figure's size in pixels, if both sides are within [`SIZE_LIMITS`]
/// (else R008).
pub fn size(width: i64, height: i64) -> Result<(u32, u32), RuntimeError> {
    match (u32::try_from(width), u32::try_from(height)) {
        (Ok(w), Ok(h)) if SIZE_LIMITS.contains(&width) && SIZE_LIMITS.contains(&height) => {
            Ok((w, h))
        }
        _ => Err(RuntimeError::bad_argument(format!(
            "Plot.size: a figure of {width} x {height} pixels; each side must be {} to {}",
            SIZE_LIMITS.start(),
            SIZE_LIMITS.end()
        ))),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Format {
    Svg,
    Png,
}

impl Format {
    /// The format named by `path`'s extension, in any case (R008 for
    /// another).
    fn of(path: &str) -> Result<Format, RuntimeError> {
        let extension = Path::new(path)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("svg") => Ok(Format::Svg),
            Some("png") => Ok(Format::Png),
            _ => Err(RuntimeError::bad_argument(format!(
                "Plot.save: cannot tell the format of `{path}`: the name must end in .svg or .png"
            ))),
        }
    }
}

/// Writes `figure` to `path`, an SVG or a PNG by the extension. Besides
/// the format (R008), the figure must have a series (R008) whose points
/// span a finite width (R008); a file that cannot be written is R007.
pub fn save(path: &str, figure: &Figure) -> Result<(), RuntimeError> {
    let format = Format::of(path)?;
    if figure.series.is_empty() {
        return Err(RuntimeError::bad_argument(format!(
            "Plot.save `{path}`: the figure has no series (add one with Plot.line or Plot.scatter)"
        )));
    }
    let axes = (
        axis_range(figure, "x", |p| p.0)?,
        axis_range(figure, "y", |p| p.1)?,
    );
    let failed = |what: String| RuntimeError::internal(format!("Plot.save `{path}`: {what}"));
    let bytes = match format {
        Format::Svg => render_svg(figure, axes).map_err(failed)?.into_bytes(),
        Format::Png => render_png(figure, axes).map_err(failed)?,
    };
    write_atomically(Path::new(path), &bytes)
        .map_err(|e| RuntimeError::io(format!("cannot write `{path}`: {e}")))
}

/// The values of the axis that `coordinate` reads, over every point,
/// widened by [`MARGIN`]. All values (nearly) equal, the axis is centred
/// on them, 10% of their magnitude wide (2 wide around 0); values farther
/// apart than a float can say are R008.
fn axis_range(
    figure: &Figure,
    axis: &str,
    coordinate: fn(&(f64, f64)) -> f64,
) -> Result<Range<f64>, RuntimeError> {
    let values = figure
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(coordinate));
    let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let span = high - low;
    if !span.is_finite() {
        return Err(RuntimeError::bad_argument(format!(
            "Plot.save: the {axis} values go from {} to {}, too far apart to draw",
            format_float(low),
            format_float(high)
        )));
    }
    let magnitude = low.abs().max(high.abs());
    // Below this the ticks would differ only in digits a float does not
    // hold.
    let pad = if span <= magnitude * 1e-12 {
        if magnitude == 0.0 {
            1.0
        } else {
            magnitude * MARGIN
        }
    } else {
        span * MARGIN
    };
    Ok((low - pad).max(f64::MIN)..(high + pad).min(f64::MAX))
}

/// The bundled font, registered with plotters once per process.
fn font_registered() -> Result<(), String> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok =
        *REGISTERED.get_or_init(|| register_font(FONT_FAMILY, FontStyle::Normal, FONT).is_ok());
    ok.then_some(())
        .ok_or_else(|| "the bundled font cannot be read".to_string())
}

type Axes = (Range<f64>, Range<f64>);

fn render_svg(figure: &Figure, axes: Axes) -> Result<String, String> {
    font_registered()?;
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (figure.width, figure.height)).into_drawing_area();
        draw(&root, figure, axes).map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

fn render_png(figure: &Figure, axes: Axes) -> Result<Vec<u8>, String> {
    font_registered()?;
    let (width, height) = (figure.width, figure.height);
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        draw(&root, figure, axes).map_err(|e| e.to_string())?;
    }
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer
        .write_image_data(&pixels)
        .and_then(|()| writer.finish())
        .map_err(|e| e.to_string())?;
    Ok(png)
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    figure: &Figure,
    axes: Axes,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let mut builder = ChartBuilder::on(root);
    builder
        .margin(15)
        .x_label_area_size(if figure.x_label.is_empty() { 30 } else { 50 })
        .y_label_area_size(if figure.y_label.is_empty() { 55 } else { 75 });
    if !figure.title.is_empty() {
        builder.caption(&figure.title, (FONT_FAMILY, 20));
    }
    let mut chart = builder.build_cartesian_2d(axes.0.clone(), axes.1.clone())?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(&figure.x_label)
        .y_desc(&figure.y_label)
        .x_label_formatter(&|v| pretty_print_float(*v, true))
        .y_label_formatter(&|v| pretty_print_float(*v, true))
        .label_style((FONT_FAMILY, 13))
        .axis_desc_style((FONT_FAMILY, 15))
        .draw()?;
    for (series, &colour) in figure.series.iter().zip(COLOURS.iter().cycle()) {
        let drawn = match series.mark {
            Mark::Line => chart.draw_series(LineSeries::new(
                series.points.iter().copied(),
                colour.stroke_width(LINE_WIDTH),
            ))?,
            Mark::Scatter => chart.draw_series(
                series
                    .points
                    .iter()
                    .map(|&p| Circle::new(p, MARKER_RADIUS, colour.filled())),
            )?,
        };
        if series.label.is_empty() {
            continue;
        }
        drawn.label(&series.label);
        match series.mark {
            Mark::Line => drawn.legend(move |(x, y)| {
                PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(LINE_WIDTH))
            }),
            Mark::Scatter => {
                drawn.legend(move |(x, y)| Circle::new((x + 10, y), MARKER_RADIUS, colour.filled()))
            }
        };
    }
    if figure.series.iter().any(|s| !s.label.is_empty()) {
        chart
            .configure_series_labels()
            .position(legend_corner(figure, &axes))
            .label_font((FONT_FAMILY, 13))
            .background_style(WHITE.mix(0.8))
            .border_style(RGBColor(0xcc, 0xcc, 0xcc))
            .draw()?;
    }
    root.present()
}

/// The corner of the axes where the legend covers the fewest points (of
/// the lines, also points along their segments), the first of
/// matplotlib's order for `loc="best"` among equals.
fn legend_corner(figure: &Figure, (x, y): &Axes) -> SeriesLabelPosition {
    // How much of the axes the legend takes, roughly: each entry is a line
    // of 13-pixel text after a 20-pixel mark; the axes are the picture
    // less the label areas.
    let labels = figure.series.iter().filter(|s| !s.label.is_empty());
    let longest = labels
        .clone()
        .map(|s| s.label.chars().count())
        .max()
        .unwrap_or(0);
    let width = (45.0 + 8.0 * longest as f64) / (f64::from(figure.width) - 100.0);
    let height = (10.0 + 20.0 * labels.count() as f64) / (f64::from(figure.height) - 100.0);
    // The corners in matplotlib's order: upper right, upper left, lower
    // left, lower right.
    let corners = [
        (SeriesLabelPosition::UpperRight, true, true),
        (SeriesLabelPosition::UpperLeft, false, true),
        (SeriesLabelPosition::LowerLeft, false, false),
        (SeriesLabelPosition::LowerRight, true, false),
    ];
    let mut covered = [0usize; 4];
    let mut count = |px: f64, py: f64| {
        let fx = (px - x.start) / (x.end - x.start);
        let fy = (py - y.start) / (y.end - y.start);
        for (n, (_, right, upper)) in covered.iter_mut().zip(&corners) {
            let in_x = if *right {
                fx >= 1.0 - width
            } else {
                fx <= width
            };
            let in_y = if *upper {
                fy >= 1.0 - height
            } else {
                fy <= height
            };
            *n += usize::from(in_x && in_y);
        }
    };
    for series in &figure.series {
        for (i, &(px, py)) in series.points.iter().enumerate() {
            count(px, py);
            let next = series
                .points
                .get(i + 1)
                .filter(|_| series.mark == Mark::Line);
            if let Some(&(qx, qy)) = next {
                for step in 1..SEGMENT_SAMPLES {
                    let t = step as f64 / SEGMENT_SAMPLES as f64;
                    count(px + t * (qx - px), py + t * (qy - py));
                }
            }
        }
    }
    let best = (0..corners.len()).min_by_key(|&i| covered[i]).unwrap_or(0);
    corners[best].0.clone()
}

/// Points counted along each segment of a line, for [`legend_corner`].
const SEGMENT_SAMPLES: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(series: Vec<Series>) -> Figure {
        Figure {
            title: String::new(),
            x_label: String::new(),
            y_label: String::new(),
            width: 640,
            height: 480,
            series,
        }
    }

    fn line(points: Vec<(f64, f64)>) -> Series {
        Series {
            label: String::new(),
            mark: Mark::Line,
            points,
        }
    }

    #[test]
    fn the_bundled_font_loads() {
        assert_eq!(font_registered(), Ok(()));
    }

    #[test]
    fn the_format_is_the_extension_in_any_case() {
        assert_eq!(Format::of("a/loss.svg"), Ok(Format::Svg));
        assert_eq!(Format::of("LOSS.PNG"), Ok(Format::Png));
        for path in ["loss.jpg", "loss", "svg", "loss.svg.txt"] {
            assert_eq!(Format::of(path).unwrap_err().code, "R008", "{path}");
        }
    }

    #[test]
    fn axes_span_the_points_with_a_margin() {
        let f = figure(vec![line(vec![(0.0, 1.0), (10.0, 3.0)])]);
        assert_eq!(axis_range(&f, "x", |p| p.0), Ok(-0.5..10.5));
        assert_eq!(axis_range(&f, "y", |p| p.1), Ok(0.9..3.1));
    }

    #[test]
    fn a_flat_axis_is_centred_on_its_value() {
        let f = figure(vec![line(vec![(0.0, 2.0), (0.0, 2.0)])]);
        assert_eq!(axis_range(&f, "x", |p| p.0), Ok(-1.0..1.0));
        assert_eq!(axis_range(&f, "y", |p| p.1), Ok(1.9..2.1));
    }

    #[test]
    fn the_legend_goes_where_it_hides_the_fewest_points() {
        let mut rising = line(vec![(0.0, 0.0), (1.0, 1.0)]);
        rising.label = "rising".to_string();
        let f = figure(vec![rising]);
        let axes = (
            axis_range(&f, "x", |p| p.0).unwrap(),
            axis_range(&f, "y", |p| p.1).unwrap(),
        );
        assert_eq!(legend_corner(&f, &axes), SeriesLabelPosition::UpperLeft);
        let mut falling = line(vec![(0.0, 1.0), (1.0, 0.0)]);
        falling.label = "falling".to_string();
        let f = figure(vec![falling]);
        assert_eq!(legend_corner(&f, &axes), SeriesLabelPosition::UpperRight);
    }

    #[test]
    fn points_too_far_apart_are_refused() {
        let f = figure(vec![line(vec![(-1e308, 0.0), (1e308, 1.0)])]);
        assert_eq!(axis_range(&f, "x", |p| p.0).unwrap_err().code, "R008");
    }

    #[test]
    fn extreme_but_finite_figures_render() {
        // Tiny, huge and nearly flat spans: plotters must neither panic
        // nor loop while choosing the ticks.
        for points in [
            vec![(0.0, 1e-300), (1.0, 3e-300)],
            vec![(0.0, 5e-324), (1.0, 1e-323)],
            vec![(0.0, -1e307), (1.0, 1e307)],
            vec![(1e10, 1.0), (1e10 + 1e-5, 2.0)],
            vec![(0.0, 0.0)],
        ] {
            let f = figure(vec![line(points.clone())]);
            let axes = (
                axis_range(&f, "x", |p| p.0).unwrap(),
                axis_range(&f, "y", |p| p.1).unwrap(),
            );
            let svg = render_svg(&f, axes).unwrap_or_else(|e| panic!("{points:?}: {e}"));
            assert!(svg.contains("<polyline"), "{points:?}");
        }
    }
}
