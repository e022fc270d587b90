//! `qcls explain --format svg`: the precision map as one static SVG, every group open, for
//! reports and READMEs. Big models get the interactive HTML page instead.

use std::fmt::Write;

use super::layout::{HEAD, NODE_H, NODE_W};
use super::{Class, PrecisionMap};

/// The most nodes an SVG is drawn for: past this a static picture is unreadable and heavy,
/// and `--format html` is the one to use.
pub const MAX_SVG_NODES: usize = 2000;

const MARGIN: f64 = 16.0;
const LEGEND_LINE: f64 = 22.0;
const FONT: &str = "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\"";

/// Escapes text for an XML attribute or element.
pub(super) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate, without needless decimals.
fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// How many characters of 11px text fit in `width` map units.
fn chars_in(width: f64) -> usize {
    ((width - 10.0) / 6.6).max(3.0) as usize
}

/// Cuts a label to what fits in `width` map units, keeping its start.
fn fit(text: &str, width: f64) -> String {
    let max = chars_in(width);
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// Cuts a label to what fits in `width` map units, keeping its end (a node's op).
fn fit_end(text: &str, width: f64) -> String {
    let max = chars_in(width);
    let count = text.chars().count();
    if count <= max {
        text.to_string()
    } else {
        let mut s = String::from("…");
        s.extend(text.chars().skip(count + 1 - max));
        s
    }
}

/// The control points of an edge from `(x1, y1)` down to `(x2, y2)`: an S curve, bowed to
/// the side when it passes over the nodes between two ends in one column (a skip connection).
pub(super) fn edge_curve(x1: f64, y1: f64, x2: f64, y2: f64) -> [f64; 4] {
    let dy = ((y2 - y1).abs() / 2.0).max(18.0);
    let skips = y2 - y1 > NODE_H + 2.0 * super::layout::V_GAP && (x2 - x1).abs() < NODE_W / 2.0;
    let side = if skips { NODE_W * 0.75 } else { 0.0 };
    [x1 + side, y1 + dy, x2 + side, y2 - dy]
}

/// The SVG of the whole map; `Err` with the message for the user when the model is too big.
pub fn svg(map: &PrecisionMap, title: &str) -> Result<String, String> {
    let n = map.nodes.len();
    if n > MAX_SVG_NODES {
        return Err(format!(
            "the model has {n} nodes; --format svg draws at most {MAX_SVG_NODES} (a bigger picture is unreadable): use --format html, which groups nodes by scope and opens in a browser"
        ));
    }
    let model = map.explanation.model;
    // The legend: one item per class present, then the boundaries.
    let mut legend: Vec<(Option<Class>, String)> = Class::all()
        .filter(|c| map.counts[c.index()] > 0)
        .map(|c| (Some(c), format!("{} {}", c.label(), map.counts[c.index()])))
        .collect();
    legend.push((
        None,
        format!("precision changes (requantize) {}", map.boundaries()),
    ));
    let width = (map.width + 2.0 * MARGIN).max(480.0);
    // Lay the legend items out in lines.
    let mut lines: Vec<Vec<(f64, usize)>> = vec![Vec::new()];
    let mut x = MARGIN;
    for (i, (_, text)) in legend.iter().enumerate() {
        let item_w = 22.0 + text.chars().count() as f64 * 6.6 + 18.0;
        if x + item_w > width - MARGIN && x > MARGIN {
            lines.push(Vec::new());
            x = MARGIN;
        }
        if let Some(line) = lines.last_mut() {
            line.push((x, i));
        }
        x += item_w;
    }
    let top = MARGIN + 20.0 + lines.len() as f64 * LEGEND_LINE + 8.0;
    let height = top + map.height + MARGIN;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" {FONT} font-size=\"11\">",
        w = num(width),
        h = num(height)
    );
    let _ = writeln!(
        out,
        "<title>{}</title>",
        xml(&format!("qcls precision map: {title}"))
    );
    let _ = writeln!(
        out,
        "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
        num(width),
        num(height)
    );
    let model_name = model.path.file_name().map_or_else(
        || model.path.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    );
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\" font-size=\"14\" font-weight=\"bold\" fill=\"#222\">{}</text>",
        num(MARGIN),
        num(MARGIN + 12.0),
        xml(&format!(
            "{title}: {n} nodes of {model_name}, profile {}",
            map.explanation.dialect.profile.name()
        ))
    );
    for (l, line) in lines.iter().enumerate() {
        let y = MARGIN + 20.0 + l as f64 * LEGEND_LINE;
        for &(x, i) in line {
            let (class, text) = &legend[i];
            match class {
                Some(c) => {
                    let _ = write!(
                        out,
                        "<g class=\"legend\" data-class=\"{}\" data-count=\"{}\">",
                        c.key(),
                        map.counts[c.index()]
                    );
                    swatch(&mut out, c.color(), x, y + 3.0, 16.0, 12.0);
                }
                None => {
                    let _ = write!(
                        out,
                        "<g class=\"legend\" data-class=\"boundary\" data-count=\"{}\"><path d=\"M {} {} h 16\" stroke=\"#d62728\" stroke-width=\"2.5\" stroke-dasharray=\"4 2\"/>",
                        map.boundaries(),
                        num(x),
                        num(y + 9.0)
                    );
                }
            }
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\" fill=\"#222\">{}</text></g>",
                num(x + 22.0),
                num(y + 13.0),
                xml(text)
            );
        }
    }
    let _ = writeln!(out, "<g transform=\"translate(0 {})\">", num(top));
    // Groups, outermost first.
    for group in map.groups.iter().skip(1) {
        let depth = group_depth(map, group.parent);
        let fill = if depth % 2 == 0 { "#f4f6f8" } else { "#e9edf1" };
        let _ = writeln!(
            out,
            "<g class=\"group\" data-name=\"{}\" data-nodes=\"{}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" fill=\"{fill}\" stroke=\"#b8c0c8\"/><text x=\"{}\" y=\"{}\" fill=\"#4a525a\">{}</text></g>",
            xml(&group.name),
            group.nodes,
            num(group.x),
            num(group.y),
            num(group.w),
            num(group.h),
            num(group.x + 6.0),
            num(group.y + HEAD - 6.0),
            xml(&fit(&group.label, group.w))
        );
    }
    // Edges: plain first, then the boundaries on top.
    for boundary in [false, true] {
        for e in map.edges.iter().filter(|e| e.boundary == boundary) {
            let (a, b) = (&map.nodes[e.from], &map.nodes[e.to]);
            let (x1, y1) = (a.x + NODE_W / 2.0, a.y + NODE_H);
            let (x2, y2) = (b.x + NODE_W / 2.0, b.y);
            let [c1x, c1y, c2x, c2y] = edge_curve(x1, y1, x2, y2);
            let style = if boundary {
                "stroke=\"#d62728\" stroke-width=\"2.5\" stroke-dasharray=\"4 2\""
            } else {
                "stroke=\"#8c959f\" stroke-width=\"1\""
            };
            let _ = writeln!(
                out,
                "<path class=\"edge{}\" d=\"M {} {} C {} {} {} {} {} {}\" fill=\"none\" {style}/>",
                if boundary { " boundary" } else { "" },
                num(x1),
                num(y1),
                num(c1x),
                num(c1y),
                num(c2x),
                num(c2y),
                num(x2),
                num(y2)
            );
        }
    }
    for (id, node) in map.nodes.iter().enumerate() {
        let m = model.node(id);
        let precisions: Vec<&str> = node.precisions.iter().map(|p| p.as_str()).collect();
        let _ = write!(
            out,
            "<g class=\"node\" data-class=\"{}\" data-name=\"{}\"><title>{}</title>",
            node.class.key(),
            xml(m.name()),
            xml(&format!(
                "{} ({}): {}",
                if m.name().is_empty() {
                    "(unnamed)"
                } else {
                    m.name()
                },
                m.op_type(),
                if precisions.is_empty() {
                    "no inputs".to_string()
                } else {
                    precisions.join(", ")
                }
            ))
        );
        if node.class == Class::Mixed {
            let colors: Vec<&str> = node
                .precisions
                .iter()
                .map(|&p| Class::Precision(p).color())
                .collect();
            bands(&mut out, &colors, node.x, node.y);
        } else {
            swatch(&mut out, node.class.color(), node.x, node.y, NODE_W, NODE_H);
        }
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\" fill=\"none\" stroke=\"#30363d\" stroke-opacity=\"0.55\"/>",
            num(node.x),
            num(node.y),
            num(NODE_W),
            num(NODE_H)
        );
        let text_color = match node.class {
            Class::Mixed => "#ffffff",
            c => c.text_color(),
        };
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{text_color}\">{}</text></g>",
            num(node.x + NODE_W / 2.0),
            num(node.y + NODE_H / 2.0 + 4.0),
            xml(&fit_end(map.node_label(id), NODE_W))
        );
    }
    let _ = writeln!(out, "</g>\n</svg>");
    Ok(out)
}

fn group_depth(map: &PrecisionMap, mut g: usize) -> usize {
    let mut depth = 0;
    while g != 0 && depth < 64 {
        g = map.groups[g].parent;
        depth += 1;
    }
    depth
}

/// A box in one colour.
fn swatch(out: &mut String, color: &str, x: f64, y: f64, w: f64, h: f64) {
    let _ = write!(
        out,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"{color}\"/>",
        num(x),
        num(y),
        num(w),
        num(h),
    );
}

/// A mixed node's box: one vertical band per precision.
fn bands(out: &mut String, colors: &[&'static str], x: f64, y: f64) {
    let k = colors.len().max(1) as f64;
    for (i, color) in colors.iter().enumerate() {
        let _ = write!(
            out,
            "<rect class=\"band\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{color}\"/>",
            num(x + i as f64 * NODE_W / k),
            num(y),
            num(NODE_W / k),
            num(NODE_H)
        );
    }
}
