//! `qcls explain --format html`: one self-contained page (inline CSS, script and data; no
//! network: its Content-Security-Policy forbids any request) that draws the laid-out map on a
//! canvas. The same page is the VS Code webview, and [`map_data`] is what the server's
//! `qcls/precisionMap` sends it on every edit.

use hashbrown::HashMap;
use serde::Serialize;

use super::layout::{HEAD, NODE_H, NODE_W, PAD, V_GAP};
use super::{Class, PrecisionMap};
use crate::analysis::precision::{Precision, Source};

/// The page's script, also used by the tests that read it.
pub const PAGE_SCRIPT: &str = include_str!("page.js");
const PAGE_STYLE: &str = include_str!("page.css");
const PAGE_TEMPLATE: &str = include_str!("page.html");

/// What the page's data says about its format; the page refuses another.
pub const DATA_VERSION: u32 = 1;

#[derive(Serialize)]
struct ClassData {
    key: &'static str,
    label: &'static str,
    color: &'static str,
    text: &'static str,
    count: usize,
}

/// One input of a node: `[precision, source, from]` when another node produces it, else
/// `[precision, source, -1, tensor, weight]`. Precision is a class index (-1: omitted),
/// source an index into `sources` (-1: the default), from a node id.
#[derive(Serialize)]
#[serde(untagged)]
enum InputData<'a> {
    Produced(i32, i64, i64),
    Outside(i32, i64, i64, &'a str, u8),
}

#[derive(Serialize)]
struct Nodes<'a> {
    /// Relative to the group's name and a `/` (the page puts them back together), except in
    /// the root group.
    name: Vec<&'a str>,
    op: Vec<&'a str>,
    x: Vec<i64>,
    y: Vec<i64>,
    cls: Vec<u8>,
    g: Vec<u32>,
    inputs: Vec<Vec<InputData<'a>>>,
    /// `[node, class indices...]` of the mixed nodes: their bands.
    bands: Vec<Vec<u32>>,
    /// `[node, line]`: the 1-based line of a node's node_config entry.
    entry: Vec<[u64; 2]>,
    /// `[node, name]` of names not stored relative to their group.
    full: Vec<(u32, &'a str)>,
}

#[derive(Serialize)]
struct Groups<'a> {
    name: Vec<&'a str>,
    label: Vec<&'a str>,
    parent: Vec<u32>,
    x: Vec<i64>,
    y: Vec<i64>,
    w: Vec<i64>,
    h: Vec<i64>,
    open: Vec<u8>,
    count: Vec<usize>,
    /// Per group, `[class, count, class, count...]` of its nodes.
    mix: Vec<Vec<usize>>,
}

#[derive(Serialize)]
struct Geometry {
    node_w: f64,
    node_h: f64,
    pad: f64,
    head: f64,
    gap: f64,
}

#[derive(Serialize)]
struct Data<'a> {
    version: u32,
    title: &'a str,
    model: String,
    reason: &'a str,
    profile: String,
    classes: Vec<ClassData>,
    /// `[path, 1-based line]` of every setting that decided an input.
    sources: Vec<(&'a str, usize)>,
    geometry: Geometry,
    width: i64,
    height: i64,
    nodes: Nodes<'a>,
    groups: Groups<'a>,
    /// `[from, to, boundary]` triples.
    edges: Vec<u32>,
    boundaries: usize,
}

fn round(v: f64) -> i64 {
    v.round() as i64
}

fn class_index(p: Option<Precision>) -> i32 {
    p.map_or(-1, |p| Class::Precision(p).index() as i32)
}

/// The data the page draws: the layout and what a click shows, as JSON.
pub fn map_data(map: &PrecisionMap, title: &str) -> serde_json::Value {
    serde_json::to_value(data(map, title)).unwrap_or(serde_json::Value::Null)
}

fn data<'a>(map: &'a PrecisionMap, title: &'a str) -> Data<'a> {
    let ex = map.explanation;
    let model = ex.model;
    let mut sources: Vec<(&str, usize)> = Vec::new();
    let mut source_ids: HashMap<(&str, usize), usize> = HashMap::new();
    let mut by_node = vec![None; model.node_count()];
    for np in &ex.nodes {
        if let Some(slot) = by_node.get_mut(np.node) {
            *slot = Some(np);
        }
    }
    let n = map.nodes.len();
    let mut nodes = Nodes {
        name: Vec::with_capacity(n),
        op: Vec::with_capacity(n),
        x: Vec::with_capacity(n),
        y: Vec::with_capacity(n),
        cls: Vec::with_capacity(n),
        g: Vec::with_capacity(n),
        inputs: Vec::with_capacity(n),
        bands: Vec::new(),
        entry: Vec::new(),
        full: Vec::new(),
    };
    for (id, node) in map.nodes.iter().enumerate() {
        let m = model.node(id);
        let group = &map.groups[node.group];
        let relative = if node.group == 0 {
            Some(m.name())
        } else {
            m.name()
                .strip_prefix(group.name.as_str())
                .and_then(|rest| rest.strip_prefix('/'))
        };
        match relative {
            Some(rel) => nodes.name.push(rel),
            None => {
                nodes.name.push("");
                nodes.full.push((id as u32, m.name()));
            }
        }
        nodes.op.push(m.op_type());
        nodes.x.push(round(node.x));
        nodes.y.push(round(node.y));
        nodes.cls.push(node.class.index() as u8);
        nodes.g.push(node.group as u32);
        if node.class == Class::Mixed {
            let mut row = vec![id as u32];
            row.extend(
                node.precisions
                    .iter()
                    .map(|&p| Class::Precision(p).index() as u32),
            );
            nodes.bands.push(row);
        }
        if let Some(line) = map.entry_line(id) {
            nodes.entry.push([id as u64, line as u64]);
        }
        let mut inputs = Vec::new();
        if let Some(np) = by_node[id] {
            for input in &np.inputs {
                let precision = class_index(input.precision);
                let source = match (&input.source, input.precision) {
                    (Source::Setting(s), Some(_)) => {
                        let line = ex.line_1based(s.range.start);
                        let next = sources.len();
                        let id = *source_ids.entry((s.path.as_str(), line)).or_insert(next);
                        if id == next {
                            sources.push((s.path.as_str(), line));
                        }
                        id as i64
                    }
                    _ => -1,
                };
                let producer = if input.tensor.is_empty() {
                    None
                } else {
                    model.producer(&input.tensor)
                };
                inputs.push(match producer {
                    Some(from) => InputData::Produced(precision, source, from as i64),
                    None => InputData::Outside(
                        precision,
                        source,
                        -1,
                        &input.tensor,
                        u8::from(input.is_weight),
                    ),
                });
            }
        }
        nodes.inputs.push(inputs);
    }
    let g = map.groups.len();
    let mut groups = Groups {
        name: Vec::with_capacity(g),
        label: Vec::with_capacity(g),
        parent: Vec::with_capacity(g),
        x: Vec::with_capacity(g),
        y: Vec::with_capacity(g),
        w: Vec::with_capacity(g),
        h: Vec::with_capacity(g),
        open: Vec::with_capacity(g),
        count: Vec::with_capacity(g),
        mix: Vec::with_capacity(g),
    };
    for group in &map.groups {
        groups.name.push(&group.name);
        groups.label.push(&group.label);
        groups.parent.push(group.parent as u32);
        groups.x.push(round(group.x));
        groups.y.push(round(group.y));
        groups.w.push(round(group.w));
        groups.h.push(round(group.h));
        groups.open.push(u8::from(group.open));
        groups.count.push(group.nodes);
        let mut mix = Vec::new();
        for (class, &count) in group.mix.iter().enumerate() {
            if count > 0 {
                mix.extend([class, count]);
            }
        }
        groups.mix.push(mix);
    }
    let mut edges = Vec::with_capacity(map.edges.len() * 3);
    for e in &map.edges {
        edges.extend([e.from as u32, e.to as u32, u32::from(e.boundary)]);
    }
    Data {
        version: DATA_VERSION,
        title,
        model: model.path.display().to_string(),
        reason: &ex.model_reason,
        profile: ex.dialect.describe(),
        classes: Class::all()
            .map(|c| ClassData {
                key: c.key(),
                label: c.label(),
                color: c.color(),
                text: match c {
                    Class::Mixed => "#ffffff",
                    c => c.text_color(),
                },
                count: map.counts[c.index()],
            })
            .collect(),
        sources,
        geometry: Geometry {
            node_w: NODE_W,
            node_h: NODE_H,
            pad: PAD,
            head: HEAD,
            gap: V_GAP,
        },
        width: round(map.width),
        height: round(map.height),
        nodes,
        groups,
        edges,
        boundaries: map.boundaries(),
    }
}

/// JSON that is safe inside a `<script>` element: no `<` at all (`\u003c` in strings, the only
/// place JSON can have one), so neither `</script>` nor `<!--` can end or confuse it.
fn script_json(value: &impl Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "null".to_string())
        .replace('<', "\\u003c")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// The whole page, data included.
pub fn html_page(map: &PrecisionMap, title: &str) -> String {
    let data = script_json(&data(map, title));
    page_with(&data, title)
}

/// The page around already-serialised data (`null`: the page waits for a `data` message, as
/// the VS Code webview's does).
pub fn page_with(data_json: &str, title: &str) -> String {
    // Replacements in one pass over the template, so nothing inserted is replaced again.
    let mut out = String::with_capacity(PAGE_TEMPLATE.len() + data_json.len() + 64 * 1024);
    let mut rest = PAGE_TEMPLATE;
    while let Some(at) = rest.find("{{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[at..]);
            rest = "";
            break;
        };
        match &after[..end] {
            "TITLE" => out.push_str(&super::svg::xml(title)),
            "STYLE" => out.push_str(PAGE_STYLE),
            "SCRIPT" => out.push_str(PAGE_SCRIPT),
            "DATA" => out.push_str(data_json),
            other => {
                out.push_str("{{");
                out.push_str(other);
                out.push_str("}}");
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}
