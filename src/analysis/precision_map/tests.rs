use std::path::Path;

use super::layout::{test_order_and_depth, test_place, NODE_H, NODE_W};
use super::*;
use crate::analysis::fixture_model;
use crate::model::ModelIndex;
use crate::spec::Dialect;
use crate::syntax;

fn explain<'m>(model: &'m ModelIndex, config: &str) -> Explanation<'m> {
    let parse = syntax::parse(config);
    Explanation::new(
        model,
        "test".into(),
        config,
        &parse,
        false,
        Dialect::choose(None, None),
        None,
    )
}

/// A model from `(name, op, inputs, outputs)`; `input` is its graph input.
fn model_of(nodes: &[(&str, &str, &[&str], &[&str])]) -> ModelIndex {
    let bytes = crate::model::synth::model_bytes(nodes, &["input"]);
    ModelIndex::from_bytes(Path::new("m.onnx"), &bytes).expect("test model")
}

/// The first node named `name`.
fn first(model: &ModelIndex, name: &str) -> NodeId {
    model
        .nodes_named(name)
        .first()
        .expect("a node of that name")
}

fn overlaps(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
    a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
}

fn inside(inner: (f64, f64, f64, f64), outer: (f64, f64, f64, f64)) -> bool {
    inner.0 >= outer.0 - 1e-6
        && inner.1 >= outer.1 - 1e-6
        && inner.0 + inner.2 <= outer.0 + outer.2 + 1e-6
        && inner.1 + inner.3 <= outer.1 + outer.3 + 1e-6
}

/// The layout's promises: every item inside its group's box, no two children of a group
/// overlapping, everything inside the picture.
fn assert_well_laid_out(map: &PrecisionMap) {
    let node_box = |v: usize| (map.nodes[v].x, map.nodes[v].y, NODE_W, NODE_H);
    let group_box = |g: usize| {
        let gr = &map.groups[g];
        (gr.x, gr.y, gr.w, gr.h)
    };
    for (g, group) in map.groups.iter().enumerate() {
        let boxes: Vec<(f64, f64, f64, f64)> = group
            .children
            .iter()
            .map(|c| match *c {
                Item::Node(v) => node_box(v),
                Item::Group(h) => group_box(h),
            })
            .collect();
        for (i, a) in boxes.iter().enumerate() {
            assert!(
                g == 0 || inside(*a, group_box(g)),
                "a child of {:?} sticks out: {a:?} in {:?}",
                group.name,
                group_box(g)
            );
            assert!(inside(*a, (0.0, 0.0, map.width, map.height)));
            for b in &boxes[i + 1..] {
                assert!(
                    !overlaps(*a, *b),
                    "in {:?}: {a:?} overlaps {b:?}",
                    group.name
                );
            }
        }
    }
    for (v, node) in map.nodes.iter().enumerate() {
        assert!(
            map.groups[node.group].children.contains(&Item::Node(v)),
            "node {v} is not a child of its group"
        );
    }
}

/// Counts per class the way the browser test does from `explain --format json`: the distinct
/// precisions of a node's inputs.
fn expected_counts(json: &serde_json::Value) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for node in json["nodes"].as_array().into_iter().flatten() {
        let mut precisions: Vec<&str> = node["inputs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i["precision"].as_str())
            .collect();
        precisions.sort_unstable();
        precisions.dedup();
        let key = match precisions.as_slice() {
            [] => "none".to_string(),
            [one] => one.to_string(),
            _ => "mixed".to_string(),
        };
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

fn counts_of(map: &PrecisionMap) -> HashMap<String, usize> {
    Class::all()
        .filter(|c| map.counts[c.index()] > 0)
        .map(|c| (c.key().to_string(), map.counts[c.index()]))
        .collect()
}

const ISLANDS: &str = include_str!("../../../examples/resnet18/islands_quant_config.json");

#[test]
fn classes_follow_the_inputs() {
    let model = fixture_model("resnet18");
    let ex = explain(&model, ISLANDS);
    let map = PrecisionMap::new(&ex);
    let class = |name: &str| {
        let id = first(&model, name);
        (map.nodes[id].class, map.nodes[id].precisions.clone())
    };
    assert_eq!(
        class("/relu/Relu"),
        (Class::Precision(Precision::Int8), vec![Precision::Int8])
    );
    // ec on the weight only: the node's inputs differ.
    assert_eq!(
        class("/conv1/Conv"),
        (Class::Mixed, vec![Precision::Int8, Precision::Ec])
    );
    assert_eq!(
        class("/layer2/layer2.1/Add"),
        (
            Class::Precision(Precision::Float16),
            vec![Precision::Float16]
        )
    );
    // The subgraph makes layer4 int16.
    assert_eq!(
        class("/layer4/layer4.1/conv2/Conv").0,
        Class::Precision(Precision::Int16)
    );
    assert_eq!(counts_of(&map), expected_counts(&ex.json()));
    let total: usize = map.counts.iter().sum();
    assert_eq!(total, model.node_count());
}

#[test]
fn boundaries_are_where_the_wire_precision_changes() {
    let model = fixture_model("resnet18");
    let ex = explain(&model, ISLANDS);
    let map = PrecisionMap::new(&ex);
    let name = |v: usize| model.node(v).name();
    let mut boundaries: Vec<(&str, &str)> = map
        .edges
        .iter()
        .filter(|e| e.boundary)
        .map(|e| (name(e.from), name(e.to)))
        .collect();
    boundaries.sort_unstable();
    assert_eq!(
        boundaries,
        vec![
            // Into and out of the float16 island of layer2.1 (its Add also reads the skip).
            ("/Flatten", "/fc/Gemm"),
            ("/layer2/layer2.0/relu_1/Relu", "/layer2/layer2.1/Add"),
            ("/layer2/layer2.1/Add", "/layer2/layer2.1/relu_1/Relu"),
            ("/layer2/layer2.1/relu/Relu", "/layer2/layer2.1/conv2/Conv"),
            // Into and out of the int16 subgraph.
            (
                "/layer3/layer3.1/relu_1/Relu",
                "/layer4/layer4.0/conv1/Conv"
            ),
            (
                "/layer3/layer3.1/relu_1/Relu",
                "/layer4/layer4.0/downsample/downsample.0/Conv"
            ),
            ("/layer4/layer4.1/relu_1/Relu", "/avgpool/GlobalAveragePool"),
        ]
    );
    // ec is int8 on the wire: /conv1/Conv (int8 with an ec weight) into /relu/Relu is none.
    assert_eq!(map.boundaries(), 7);
}

#[test]
fn a_default_config_has_one_class_and_no_boundary() {
    let model = fixture_model("vit_tiny");
    let ex = explain(&model, "{}");
    let map = PrecisionMap::new(&ex);
    assert_eq!(map.boundaries(), 0);
    let counts = counts_of(&map);
    assert_eq!(counts, expected_counts(&ex.json()));
    assert!(counts.contains_key("none"), "vit_tiny has Constant nodes");
    assert_eq!(counts.len(), 2, "{counts:?}");
    assert_well_laid_out(&map);
}

#[test]
fn resnet18_groups_follow_the_scopes() {
    let model = fixture_model("resnet18");
    let ex = explain(&model, ISLANDS);
    let map = PrecisionMap::new(&ex);
    let names: Vec<&str> = map.groups.iter().map(|g| g.name.as_str()).collect();
    // Single-member scopes (/conv1, /layer1/layer1.0/conv1, ...) are dissolved.
    assert!(names.contains(&"/layer1"));
    assert!(names.contains(&"/layer1/layer1.0"));
    assert!(!names.contains(&"/conv1"));
    assert!(!names.contains(&"/layer1/layer1.0/conv1"));
    // A downsample scope holds one scope that holds one node: dissolved twice.
    assert!(!names.iter().any(|n| n.contains("downsample")));
    let layer = |name: &str| &map.groups[names.iter().position(|n| *n == name).unwrap()];
    assert_eq!(layer("/layer1/layer1.0").label, "layer1.0");
    assert_eq!(layer("/layer1").label, "layer1");
    assert_eq!(layer("/layer2").nodes, 11);
    let conv = first(&model, "/layer1/layer1.0/conv1/Conv");
    assert_eq!(map.node_label(conv), "conv1/Conv");
    assert_eq!(map.groups[map.nodes[conv].group].name, "/layer1/layer1.0");
    // Small models open completely.
    assert!(map.groups.iter().all(|g| g.open));
    assert_well_laid_out(&map);
}

#[test]
fn a_chain_is_one_column_and_branches_sit_side_by_side() {
    let model = fixture_model("resnet18");
    let ex = explain(&model, "{}");
    let map = PrecisionMap::new(&ex);
    let at = |name: &str| {
        let n = &map.nodes[first(&model, name)];
        (n.x, n.y)
    };
    let (conv, relu, pool) = (at("/conv1/Conv"), at("/relu/Relu"), at("/maxpool/MaxPool"));
    assert_eq!(conv.0, relu.0);
    assert_eq!(relu.0, pool.0);
    assert!(conv.1 < relu.1 && relu.1 < pool.1);
    // The downsample branch runs beside conv1 of layer2.0.
    let (main, side) = (
        at("/layer2/layer2.0/conv1/Conv"),
        at("/layer2/layer2.0/downsample/downsample.0/Conv"),
    );
    assert_eq!(main.1, side.1);
    assert_ne!(main.0, side.0);
    // Every edge but none goes down.
    for e in &map.edges {
        assert!(map.nodes[e.from].y < map.nodes[e.to].y, "{e:?}");
    }
}

#[test]
fn place_keeps_order_and_layers() {
    // 0 -> 1 -> 3, 0 -> 2 -> 3: a diamond.
    let pos = test_place(
        &[(0, 0, 0), (1, 1, 1), (1, 1, 2), (2, 2, 3)],
        &[(0, 1), (0, 2), (1, 3), (2, 3)],
    );
    assert_eq!(pos[1].1, pos[2].1);
    assert!(pos[0].1 < pos[1].1 && pos[1].1 < pos[3].1);
    assert!(pos[1].0 + NODE_W <= pos[2].0 || pos[2].0 + NODE_W <= pos[1].0);
    // The join sits between its two inputs.
    let mid = (pos[1].0 + pos[2].0) / 2.0;
    assert!((pos[3].0 - mid).abs() < 1.0, "{pos:?}");
    // Items that only connect through the outside are stacked in depth order...
    let pos = test_place(&[(0, 3, 0), (5, 8, 4), (9, 9, 9)], &[]);
    assert!(pos[0].1 < pos[1].1 && pos[1].1 < pos[2].1, "{pos:?}");
    // ... and side by side when their depths overlap (parallel branches).
    let pos = test_place(&[(0, 3, 0), (2, 5, 1)], &[]);
    assert_eq!(pos[0].1, pos[1].1);
}

#[test]
fn a_tall_stack_wraps_into_columns() {
    // 300 items in a chain: 300 layers.
    let items: Vec<(u32, u32, u32)> = (0..300).map(|i| (i, i, i)).collect();
    let edges: Vec<(u32, u32)> = (0..299).map(|i| (i, i + 1)).collect();
    let pos = test_place(&items, &edges);
    let columns: std::collections::BTreeSet<i64> = pos.iter().map(|p| p.0 as i64).collect();
    assert!(columns.len() > 3, "{columns:?}");
    let height = pos.iter().map(|p| p.1).fold(0.0, f64::max) + NODE_H;
    let width = pos.iter().map(|p| p.0).fold(0.0, f64::max) + NODE_W;
    assert!(
        height < 3.0 * width && width < 3.0 * height,
        "{width} x {height}"
    );
    // Read in order: down a column, then the next column to the right.
    for w in pos.windows(2) {
        assert!(w[1].1 > w[0].1 || w[1].0 > w[0].0, "{w:?}");
    }
    // A short chain stays one column.
    let pos = test_place(&items[..20], &edges[..19]);
    assert!(pos.iter().all(|p| p.0 == pos[0].0));
}

#[test]
fn cycles_and_self_loops_do_not_hang() {
    // 0 -> 1 -> 2 -> 0, and 2 -> 2.
    let (rank, depth) =
        test_order_and_depth(4, &[(0, 1), (1, 2), (2, 0), (2, 2), (3, 1)], &[false; 4]);
    let mut sorted = rank.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, vec![0, 1, 2, 3]);
    assert!(depth.iter().all(|&d| d < 4), "{depth:?}");
    // The same through the whole map: a model whose nodes read each other in a ring.
    let model = model_of(&[
        ("/a/x", "Relu", &["t2"], &["t0"]),
        ("/a/y", "Relu", &["t0"], &["t1"]),
        ("/b/z", "Add", &["t1", "t1"], &["t2"]),
        ("/b/w", "Relu", &["t2"], &["t2"]),
    ]);
    let ex = explain(&model, "{}");
    let map = PrecisionMap::new(&ex);
    assert_eq!(map.nodes.len(), 4);
    assert_well_laid_out(&map);
}

#[test]
fn constants_sit_just_above_their_reader() {
    let model = model_of(&[
        ("/c", "Constant", &[], &["k"]),
        ("/a", "Relu", &["input"], &["t0"]),
        ("/b", "Relu", &["t0"], &["t1"]),
        ("/d", "Relu", &["t1"], &["t2"]),
        ("/e", "Mul", &["t2", "k"], &["t3"]),
    ]);
    let ex = explain(&model, "{}");
    let map = PrecisionMap::new(&ex);
    let y = |name: &str| map.nodes[first(&model, name)].y;
    assert_eq!(
        y("/c"),
        y("/d"),
        "the constant is placed in the layer above its reader"
    );
    assert!(y("/c") < y("/e"));
    assert_eq!(map.nodes[0].class, Class::NoInputs);
}

#[test]
fn odd_names_make_sane_groups() {
    let deep = format!("{}/Relu", "/s".repeat(500));
    let model = model_of(&[
        ("", "Relu", &["input"], &["t0"]),
        ("", "Relu", &["t0"], &["t1"]),
        ("noscope", "Relu", &["t1"], &["t2"]),
        (&deep, "Relu", &["t2"], &["t3"]),
        (&format!("{deep}_1"), "Relu", &["t3"], &["t4"]),
        ("a//b/Relu", "Relu", &["t4"], &["t5"]),
        ("a//b/Relu_1", "Relu", &["t5"], &["t6"]),
        ("/", "Relu", &["t6"], &["t7"]),
        ("//", "Relu", &["t7"], &["t8"]),
    ]);
    let ex = explain(&model, "{}");
    let map = PrecisionMap::new(&ex);
    assert!(
        map.groups.len() <= 2 * MAX_SCOPE_DEPTH + 4,
        "{}",
        map.groups.len()
    );
    for (v, node) in map.nodes.iter().enumerate() {
        let name = model.node(v).name();
        let group = &map.groups[node.group];
        if node.group != 0 {
            assert!(
                name.starts_with(&format!("{}/", group.name)),
                "{name:?} in {:?}",
                group.name
            );
        }
        assert!(!map.node_label(v).is_empty());
    }
    assert!(map.groups.iter().skip(1).all(|g| !g.label.is_empty()));
    assert_well_laid_out(&map);
    // The page and the picture are made without trouble.
    assert!(html_page(&map, "x").contains("qcls-map-data"));
    assert!(svg(&map, "x").is_ok());
}

#[test]
fn a_lone_scope_holding_everything_is_not_a_box() {
    let model = model_of(&[
        ("/model/a/Relu", "Relu", &["input"], &["t0"]),
        ("/model/a/Relu_1", "Relu", &["t0"], &["t1"]),
        ("/model/b/Relu", "Relu", &["t1"], &["t2"]),
        ("/model/b/Relu_1", "Relu", &["t2"], &["t3"]),
    ]);
    let ex = explain(&model, "{}");
    let map = PrecisionMap::new(&ex);
    let names: Vec<&str> = map.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, vec!["", "/model/a", "/model/b"]);
    assert_eq!(map.groups[1].label, "model/a");
    assert_well_laid_out(&map);
}

#[test]
fn big_models_open_only_what_the_first_view_can_show() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.onnx");
    crate::model::synth::write_synthetic_model(&path, 20_000, 0).unwrap();
    let model = ModelIndex::load(&path).unwrap();
    let ex = explain(&model, "{}");
    let map = PrecisionMap::new(&ex);
    assert_well_laid_out(&map);
    // What the first view shows: the children of open groups whose parents are open.
    let shown: usize = map
        .groups
        .iter()
        .enumerate()
        .filter(|(g, group)| {
            let mut p = *g;
            let mut open = group.open;
            while p != 0 && open {
                p = map.groups[p].parent;
                open = map.groups[p].open;
            }
            open
        })
        .map(|(_, group)| group.children.len())
        .sum::<usize>()
        - map
            .groups
            .iter()
            .filter(|g| g.open)
            .count()
            .saturating_sub(1);
    assert!(shown <= OPEN_BUDGET, "{shown}");
    assert!(map.groups.iter().filter(|g| !g.open).count() > 0);
    assert!(svg(&map, "big").is_err_and(|e| e.contains("--format html")));
    let mix: usize = map.groups[0].mix.iter().sum();
    assert_eq!(mix, model.node_count());
}

#[test]
fn the_page_is_self_contained() {
    let model = fixture_model("resnet18");
    let ex = explain(&model, ISLANDS);
    let map = PrecisionMap::new(&ex);
    let page = html_page(&map, "quant_config.json");
    // Nothing is fetched: no URL to load, and a policy that forbids it.
    assert!(page.contains("default-src 'none'"));
    for needle in ["http://", "https://", "src=\"", "<link", "@import", "url("] {
        assert!(!page.contains(needle), "the page has {needle}");
    }
    // The data parses back, with every node.
    let start = page.find("type=\"application/json\">").unwrap() + 24;
    let end = start + page[start..].find("</script>").unwrap();
    let data: serde_json::Value = serde_json::from_str(&page[start..end]).unwrap();
    assert_eq!(
        data["nodes"]["op"].as_array().unwrap().len(),
        model.node_count()
    );
    assert_eq!(data["boundaries"], 7);
    assert_eq!(data["version"], DATA_VERSION);
}

#[test]
fn script_data_cannot_close_its_element() {
    let model = model_of(&[
        (
            "</script><script>alert(1)</script>",
            "Relu",
            &["input"],
            &["t0"],
        ),
        ("<!--", "Relu", &["t0"], &["t1"]),
    ]);
    let ex = explain(&model, "{}");
    let map = PrecisionMap::new(&ex);
    let page = html_page(&map, "</title><b>");
    assert_eq!(
        page.matches("</script>").count(),
        2,
        "only the page's own two"
    );
    assert!(!page.contains("<!--"));
    assert!(page.contains("&lt;/title&gt;&lt;b&gt;"));
    let svg = svg(&map, "x").unwrap();
    assert!(!svg.contains("</script>"));
}
