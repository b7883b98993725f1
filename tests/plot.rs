//! `Plot.save` writes files that other programs read: the SVG parses as
//! XML and holds each series' points where they belong, the PNG decodes
//! and shows each series in its colour. (The error cases are golden tests
//! in tests/golden/plot/.)

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const TAB_BLUE: [u8; 3] = [0x1f, 0x77, 0xb4];
const TAB_ORANGE: [u8; 3] = [0xff, 0x7f, 0x0e];

/// A figure with a line of 5 points (decreasing), a scatter of 4 and an
/// unlabelled line from tensors, saved to `file`.
fn program(file: &str, size: Option<(u32, u32)>) -> String {
    let size = size.map_or(String::new(), |(w, h)| format!("|> Plot.size {w} {h}"));
    format!(
        r#"let epochs = [1.0; 2.0; 3.0; 4.0; 5.0]
let () =
  Plot.figure ()
  {size}
  |> Plot.title "Loss & accuracy <test>"
  |> Plot.xlabel "epoch"
  |> Plot.ylabel "value"
  |> Plot.line "loss" epochs [2.0; 1.2; 0.7; 0.5; 0.4]
  |> Plot.scatter "accuracy" [1.5; 2.5; 3.5; 4.5] [0.6; 0.7; 0.8; 0.9]
  |> Plot.line_tensor "" (Tensor.of_list [1.0; 5.0]) (Tensor.of_list [1.0; 1.0])
  |> Plot.save "{file}"
let () = print "saved"
"#
    )
}

/// Runs `source` in a directory of its own (on each backend) and gives
/// the directory.
fn run_in_scratch(name: &str, source: &str, backend: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("plot-{name}-{backend}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("main.dl"), source).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_dlang"))
        .args(["run", "--backend", backend, "main.dl"])
        .current_dir(&dir)
        .output()
        .expect("run dlang");
    assert!(
        out.status.success(),
        "{name} on {backend}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "saved\n");
    dir
}

/// The files in `dir` besides the program: the picture and nothing else
/// (no temporary file left behind).
fn files_besides_program(dir: &Path) -> HashSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "main.dl")
        .collect()
}

fn colour_attribute(rgb: [u8; 3]) -> String {
    format!("#{:02X}{:02X}{:02X}", rgb[0], rgb[1], rgb[2])
}

/// The (x, y) pairs of a `points` attribute.
fn polyline_points(points: &str) -> Vec<(f64, f64)> {
    points
        .split_whitespace()
        .map(|pair| {
            let (x, y) = pair.split_once(',').expect("x,y");
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect()
}

#[test]
fn an_svg_parses_and_holds_every_point() {
    for backend in ["interp", "jit"] {
        let dir = run_in_scratch("svg", &program("curves.svg", None), backend);
        assert_eq!(
            files_besides_program(&dir),
            HashSet::from(["curves.svg".to_string()])
        );
        let text = std::fs::read_to_string(dir.join("curves.svg")).unwrap();
        let doc = roxmltree::Document::parse(&text).expect("the SVG is well-formed XML");
        let svg = doc.root_element();
        assert_eq!(svg.tag_name().name(), "svg");
        assert_eq!(svg.attribute("width"), Some("640"));
        assert_eq!(svg.attribute("height"), Some("480"));

        let blue = colour_attribute(TAB_BLUE);
        let lines: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke") == Some(blue.as_str()))
            .map(|n| polyline_points(n.attribute("points").unwrap()))
            .collect();
        // The series, and its mark in the legend.
        let series = lines
            .iter()
            .find(|l| l.len() == 5)
            .expect("the loss line of 5 points");
        assert!(lines.iter().any(|l| l.len() == 2), "the legend's mark");
        // Left to right in order of x, and downwards (the loss falls;
        // y grows down the picture).
        assert!(
            series
                .windows(2)
                .all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1),
            "{series:?}"
        );

        let orange = colour_attribute(TAB_ORANGE);
        let markers = doc
            .descendants()
            .filter(|n| n.has_tag_name("circle") && n.attribute("fill") == Some(orange.as_str()))
            .count();
        assert_eq!(markers, 4 + 1, "four points and the legend's marker");

        let green = colour_attribute([0x2c, 0xa0, 0x2c]);
        let tensor_line = doc
            .descendants()
            .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke") == Some(green.as_str()))
            .map(|n| polyline_points(n.attribute("points").unwrap()))
            .collect::<Vec<_>>();
        assert_eq!(tensor_line.len(), 1, "no legend entry without a label");
        assert_eq!(tensor_line[0].len(), 2);

        let texts: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or("").trim().to_string())
            .collect();
        for wanted in [
            "Loss & accuracy <test>",
            "epoch",
            "value",
            "loss",
            "accuracy",
        ] {
            assert!(
                texts.iter().any(|t| t == wanted),
                "no text {wanted:?} in {texts:?}"
            );
        }
    }
}

#[test]
fn a_png_decodes_and_shows_every_series() {
    for backend in ["interp", "jit"] {
        let dir = run_in_scratch("png", &program("curves.PNG", Some((800, 600))), backend);
        assert_eq!(
            files_besides_program(&dir),
            HashSet::from(["curves.PNG".to_string()])
        );
        let file = std::fs::File::open(dir.join("curves.PNG")).unwrap();
        let mut reader = png::Decoder::new(std::io::BufReader::new(file))
            .read_info()
            .expect("a PNG header");
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).expect("PNG data");
        assert_eq!((info.width, info.height), (800, 600));
        assert_eq!(info.color_type, png::ColorType::Rgb);
        let count = |rgb: [u8; 3]| pixels.chunks(3).filter(|p| *p == rgb).count();
        let white = count([255, 255, 255]);
        assert!(
            white > 800 * 600 * 8 / 10,
            "mostly white background: {white}"
        );
        // A 2-pixel line across most of the width, and 5 discs of radius 3.
        assert!(count(TAB_BLUE) > 500, "the loss line: {}", count(TAB_BLUE));
        assert!(
            count(TAB_ORANGE) > 5 * 20,
            "the markers: {}",
            count(TAB_ORANGE)
        );
        // Text is drawn (anti-aliased black glyphs).
        assert!(count([0, 0, 0]) > 200, "the text: {}", count([0, 0, 0]));
    }
}
