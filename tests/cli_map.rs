//! `qcls explain --format html|svg`: the precision map from the command line.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Output;

#[path = "support/cli.rs"]
mod cli;
use cli::{model, qcls};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Nodes per class the way the map classes them, from `explain --format json`: the one
/// precision of a node's inputs, `mixed` when they differ, `none` without inputs.
fn expected_counts(config: &Path, model: &Path) -> HashMap<String, usize> {
    let out = qcls(
        &[
            "explain",
            "--format",
            "json",
            "--model",
            model.to_str().unwrap(),
            config.to_str().unwrap(),
        ],
        root(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut counts = HashMap::new();
    for node in json["nodes"].as_array().unwrap() {
        let mut ps: Vec<&str> = node["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|i| i["precision"].as_str())
            .collect();
        ps.sort_unstable();
        ps.dedup();
        let key = match ps.as_slice() {
            [] => "none".to_string(),
            [one] => one.to_string(),
            _ => "mixed".to_string(),
        };
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

/// `data-class` of every `class="node"` group of an SVG.
fn svg_counts(svg: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for part in svg.split("<g class=\"node\" data-class=\"").skip(1) {
        let class = part.split('"').next().unwrap().to_string();
        *counts.entry(class).or_insert(0) += 1;
    }
    counts
}

fn islands() -> PathBuf {
    root().join("examples/resnet18/islands_quant_config.json")
}

#[test]
fn svg_draws_every_node_in_its_class() {
    let model = model("resnet18");
    let out = qcls(
        &[
            "explain",
            "--format",
            "svg",
            "--model",
            model.to_str().unwrap(),
            islands().to_str().unwrap(),
        ],
        root(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let svg = String::from_utf8(out.stdout).unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.trim_end().ends_with("</svg>"));
    let expected = expected_counts(&islands(), &model);
    assert_eq!(svg_counts(&svg), expected);
    assert_eq!(expected["mixed"], 3);
    assert_eq!(expected["float16"], 3);
    // The legend says the same, and counts the boundaries.
    for (class, count) in &expected {
        assert!(
            svg.contains(&format!(
                "class=\"legend\" data-class=\"{class}\" data-count=\"{count}\""
            )),
            "legend for {class}"
        );
    }
    assert!(svg.contains("data-class=\"boundary\" data-count=\"7\""));
    assert_eq!(svg.matches("class=\"edge boundary\"").count(), 7);
    // Mixed nodes are drawn in bands: two per mixed node here (int8 and ec or int16).
    assert_eq!(svg.matches("class=\"band\"").count(), 6);
}

#[test]
fn html_goes_to_the_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("map.html");
    let vit = model("vit_tiny");
    let config = dir.path().join("quant_config.json");
    std::fs::write(
        &config,
        r#"{
  "model_config": {"all_node_type": "int16"},
  "op_config": {"Softmax": {"qtype": "float16"}, "MatMul": {"input1": "ec"}},
  "node_config": {"/encoder/layers/encoder_layer_0/ln_1/LayerNormalization": {"qtype": "float32"}}
}"#,
    )
    .unwrap();
    let out = qcls(
        &[
            "explain",
            "--format",
            "html",
            "--model",
            vit.to_str().unwrap(),
            "-o",
            out_file.to_str().unwrap(),
            config.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "nothing on stdout with -o");
    let page = std::fs::read_to_string(&out_file).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<title>qcls precision map: quant_config.json</title>"));
    let start = page.find("type=\"application/json\">").unwrap() + 24;
    let end = start + page[start..].find("</script>").unwrap();
    let data: serde_json::Value = serde_json::from_str(&page[start..end]).unwrap();
    let classes = data["classes"].as_array().unwrap();
    let mut counts = HashMap::new();
    for c in data["nodes"]["cls"].as_array().unwrap() {
        let key = classes[c.as_u64().unwrap() as usize]["key"]
            .as_str()
            .unwrap();
        *counts.entry(key.to_string()).or_insert(0usize) += 1;
    }
    let expected = expected_counts(&config, &vit);
    assert_eq!(counts, expected);
    assert!(expected.len() >= 4, "{expected:?}");
    for c in classes {
        let key = c["key"].as_str().unwrap();
        assert_eq!(
            c["count"].as_u64().unwrap() as usize,
            expected.get(key).copied().unwrap_or(0),
            "{key}"
        );
    }
}

#[test]
fn svg_refuses_big_models_and_says_what_to_use() {
    let dir = tempfile::tempdir().unwrap();
    qcls::model::synth::write_synthetic_model(
        &dir.path().join("optimized_float_model.onnx"),
        2_500,
        0,
    )
    .unwrap();
    std::fs::write(dir.path().join("quant_config.json"), "{}").unwrap();
    let out = qcls(
        &["explain", "--format", "svg", "quant_config.json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(
        err.contains("2500 nodes") && err.contains("at most 2000") && err.contains("--format html"),
        "{err}"
    );
    // The page is made for it.
    let out = qcls(
        &["explain", "--format", "html", "quant_config.json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("qcls-map-data"));
}

#[test]
fn map_formats_refuse_only_overridden_and_unwritable_outputs() {
    let out = qcls(
        &[
            "explain",
            "--format",
            "html",
            "--only-overridden",
            islands().to_str().unwrap(),
        ],
        root(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--only-overridden applies to"),
        "{}",
        stderr(&out)
    );

    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("missing-folder/map.svg");
    let out = qcls(
        &[
            "explain",
            "--format",
            "svg",
            "-o",
            target.to_str().unwrap(),
            islands().to_str().unwrap(),
        ],
        root(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot write"), "{}", stderr(&out));
}

#[test]
fn an_hb_compile_yaml_gets_its_map() {
    let yaml = root().join("examples/hb_compile/config.yaml");
    let out = qcls(
        &["explain", "--format", "svg", yaml.to_str().unwrap()],
        root(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let svg = String::from_utf8(out.stdout).unwrap();
    assert!(svg.contains("config.yaml"));
    assert!(svg_counts(&svg).values().sum::<usize>() > 0);
}

/// The README's picture is what the command draws today.
#[test]
fn the_readme_picture_is_up_to_date() {
    let committed = root().join("docs/precision-map-resnet18.svg");
    let out = qcls(
        &[
            "explain",
            "--format",
            "svg",
            "examples/resnet18/islands_quant_config.json",
        ],
        root(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let fresh = String::from_utf8(out.stdout).unwrap();
    let old = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        old == fresh,
        "docs/precision-map-resnet18.svg is stale; regenerate it with\n  qcls explain --format svg examples/resnet18/islands_quant_config.json -o docs/precision-map-resnet18.svg"
    );
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.contains("docs/precision-map-resnet18.svg"));
}
