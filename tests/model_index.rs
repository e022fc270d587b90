//! The ONNX index against the real models of ../shared/models (copies in tests/fixtures/models).

use std::path::{Path, PathBuf};

use qcls::model::{ModelIndex, NodeId};
use serde_json::Value;

const SMALL_MODELS: [&str; 8] = [
    "resnet18",
    "resnet18_empty_names",
    "resnet18_dup_names",
    "resnet18_dynamo",
    "vit_tiny",
    "bev_unet",
    "cnn_attn_opidx",
    "cnn_attn_dynamo_extdata",
];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models")
        .join(name)
}

/// mobilenet_v2 (14 MB) is not copied; it is read from the shared folder when there is one.
fn shared_model(name: &str) -> Option<PathBuf> {
    let candidates = [Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/models")
        .join(name)];
    let found = candidates
        .into_iter()
        .find(|d| d.join("optimized_float_model.onnx").is_file());
    if found.is_none() {
        eprintln!("note: skipping {name}: ../shared/models/{name} is not available");
    }
    found
}

struct Expected {
    name: String,
    op_type: String,
    inputs: Vec<String>,
    outputs: Vec<String>,
}

fn split_list(s: &str) -> Vec<String> {
    // An empty column is "no tensors"; inside a list, "" is an omitted optional input.
    if s.is_empty() {
        Vec::new()
    } else {
        s.split(',').map(str::to_string).collect()
    }
}

fn read_tsv(dir: &Path) -> Vec<Expected> {
    let text = std::fs::read_to_string(dir.join("nodes.tsv")).expect("nodes.tsv");
    text.lines()
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 4, "bad tsv line {line:?}");
            Expected {
                name: cols[0].to_string(),
                op_type: cols[1].to_string(),
                inputs: split_list(cols[2]),
                outputs: split_list(cols[3]),
            }
        })
        .collect()
}

fn check_model(dir: &Path) {
    let model_path = dir.join("optimized_float_model.onnx");
    let idx = ModelIndex::load(&model_path).unwrap_or_else(|e| panic!("{e}"));
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("summary.json")).expect("summary.json"),
    )
    .expect("summary json");
    let expected = read_tsv(dir);
    let label = dir.display();

    assert_eq!(idx.path, model_path);
    assert_eq!(idx.node_count(), expected.len(), "{label}");
    assert_eq!(
        idx.node_count() as u64,
        summary["num_nodes"].as_u64().expect("num_nodes")
    );
    for (i, (node, exp)) in idx.nodes().zip(&expected).enumerate() {
        assert_eq!(node.name(), exp.name, "{label} node {i}");
        assert_eq!(node.op_type(), exp.op_type, "{label} node {i}");
        assert_eq!(
            node.inputs().collect::<Vec<_>>(),
            exp.inputs,
            "{label} node {i} inputs"
        );
        assert_eq!(
            node.outputs().collect::<Vec<_>>(),
            exp.outputs,
            "{label} node {i} outputs"
        );
        assert_eq!(node.domain(), "", "{label} node {i}");
    }

    assert_eq!(
        idx.ir_version as u64,
        summary["ir_version"].as_u64().expect("ir")
    );
    assert_eq!(idx.opset().map(|v| v as u64), summary["opset"].as_u64());
    let opsets = summary["opset_import"].as_object().expect("opset_import");
    assert_eq!(idx.opsets.len(), opsets.len(), "{label}");
    for (domain, version) in &idx.opsets {
        let key = if domain.is_empty() { "ai.onnx" } else { domain };
        assert_eq!(Some(*version as u64), opsets[key].as_u64(), "{label} {key}");
    }

    let names = |v: &Value| -> Vec<String> {
        v.as_array()
            .expect("list")
            .iter()
            .map(|x| x["name"].as_str().expect("name").to_string())
            .collect()
    };
    assert_eq!(
        idx.graph_inputs().collect::<Vec<_>>(),
        names(&summary["graph_inputs"]),
        "{label}"
    );
    assert_eq!(
        idx.graph_outputs().collect::<Vec<_>>(),
        names(&summary["graph_outputs"]),
        "{label}"
    );

    let counts = summary["op_type_counts"].as_object().expect("counts");
    assert_eq!(idx.op_types().count(), counts.len(), "{label}");
    for (op, n) in counts {
        assert_eq!(
            idx.op_type_count(op) as u64,
            n.as_u64().expect("count"),
            "{op}"
        );
    }
    let ops: Vec<&str> = idx.op_types().map(|(op, _)| op).collect();
    let mut sorted = ops.clone();
    sorted.sort_unstable();
    assert_eq!(ops, sorted, "op_types sorted");
    assert_eq!(idx.op_type_count("NoSuchOp"), 0);
    assert_eq!(
        idx.initializers().len() as u64,
        summary["num_initializers"]
            .as_u64()
            .expect("num_initializers")
    );

    // Every lookup agrees with a brute-force scan of the node list.
    for (i, exp) in expected.iter().enumerate() {
        let same: Vec<NodeId> = (0..expected.len())
            .filter(|&j| expected[j].name == exp.name)
            .collect();
        assert_eq!(
            idx.nodes_named(&exp.name).iter().collect::<Vec<_>>(),
            same,
            "{label} {:?}",
            exp.name
        );
        for out in &exp.outputs {
            assert_eq!(idx.producer(out), Some(i), "{label} producer of {out}");
        }
        for input in exp.inputs.iter().filter(|s| !s.is_empty()) {
            let consumers: Vec<NodeId> = (0..expected.len())
                .filter(|&j| expected[j].inputs.contains(input))
                .collect();
            assert_eq!(
                idx.consumers(input).iter().collect::<Vec<_>>(),
                consumers,
                "{label} {input}"
            );
            let produced = expected.iter().any(|e| e.outputs.contains(input));
            let graph_input = idx.graph_inputs().has(input);
            assert_eq!(
                idx.is_initializer(input),
                !produced && !graph_input,
                "{label} {input}"
            );
        }
    }
    let mut distinct: Vec<&str> = Vec::new();
    for e in &expected {
        if !e.name.is_empty() && !distinct.contains(&e.name.as_str()) {
            distinct.push(&e.name);
        }
    }
    assert_eq!(idx.node_names().collect::<Vec<_>>(), distinct, "{label}");
    assert!(idx.nodes_named("no such node").is_empty());
    assert_eq!(idx.producer(""), None);
    assert!(idx.consumers("").is_empty());
    assert!(!idx.is_initializer(""));

    // from_bytes on the same bytes gives the same graph.
    let bytes = std::fs::read(&model_path).expect("read");
    let again = ModelIndex::from_bytes(&model_path, &bytes).expect("from_bytes");
    assert!(again.nodes().eq(idx.nodes()));
}

#[test]
fn small_models_match_nodes_tsv_and_summary() {
    for name in SMALL_MODELS {
        check_model(&fixture(name));
    }
}

#[test]
fn mobilenet_v2_from_shared_folder() {
    if let Some(dir) = shared_model("mobilenet_v2") {
        check_model(&dir);
    }
}

#[test]
fn duplicate_names_return_every_node() {
    let idx = ModelIndex::load(&fixture("resnet18_dup_names").join("optimized_float_model.onnx"))
        .expect("load");
    let head = idx.nodes_named("head");
    assert_eq!(head.len(), 3);
    let ops: Vec<&str> = head.iter().map(|i| idx.node(i).op_type()).collect();
    assert_eq!(ops, ["GlobalAveragePool", "Flatten", "Gemm"]);
    assert_eq!(idx.nodes_named("/layer1/layer1.0/relu/Relu").len(), 2);
    assert_eq!(idx.node_names().filter(|n| *n == "head").count(), 1);
}

#[test]
fn empty_names_are_kept_but_not_listed() {
    let idx = ModelIndex::load(&fixture("resnet18_empty_names").join("optimized_float_model.onnx"))
        .expect("load");
    assert_eq!(idx.nodes().filter(|n| n.name().is_empty()).count(), 16);
    assert_eq!(idx.node_names().count(), 49 - 16);
    assert!(idx.node_names().all(|n| !n.is_empty()));
    // Nodes without a name are still reachable through their tensors.
    let unnamed = idx
        .nodes()
        .position(|n| n.name().is_empty())
        .expect("an unnamed node");
    let output = idx.node(unnamed).outputs().get(0).expect("an output");
    assert_eq!(idx.producer(output), Some(unnamed));
}

#[test]
fn omitted_optional_inputs_stay_empty_strings() {
    let idx =
        ModelIndex::load(&fixture("bev_unet").join("optimized_float_model.onnx")).expect("load");
    let resize = idx.nodes_named("/up2/Resize");
    assert_eq!(resize.len(), 1);
    let node = idx.node(resize.first().expect("one Resize"));
    assert_eq!(node.inputs().len(), 3);
    assert_eq!(node.inputs().get(1), Some(""));
    assert_eq!(idx.op_type_count("GridSample"), 1);
}

#[test]
fn external_data_is_never_opened() {
    let src = fixture("cnn_attn_dynamo_extdata");
    let dir = tempfile::tempdir().expect("tempdir");
    let model = dir.path().join("optimized_float_model.onnx");
    std::fs::copy(src.join("optimized_float_model.onnx"), &model).expect("copy");
    // 1. The .data file is missing altogether.
    let idx = ModelIndex::load(&model).expect("indexes without .data");
    assert_eq!(idx.node_count(), 34);
    assert_eq!(idx.opset(), Some(20));
    assert_eq!(idx.ir_version, 10);
    // 2. It exists but cannot be read.
    let data = dir.path().join("optimized_float_model.onnx.data");
    std::fs::copy(src.join("optimized_float_model.onnx.data"), &data).expect("copy data");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    }
    let idx = ModelIndex::load(&model).expect("indexes with unreadable .data");
    assert_eq!(idx.op_type_count("Gelu"), 1);
    // The external initializers are still known by name.
    assert_eq!(idx.initializers().len(), 23);
}

#[test]
fn synthetic_model_with_weights() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big.onnx");
    let names =
        qcls::model::synth::write_synthetic_model(&path, 5_000, 40 << 20).expect("write model");
    // 40 MiB spans several map windows; the in-memory path must agree with the mapped one.
    let idx = ModelIndex::load(&path).expect("load");
    let bytes = std::fs::read(&path).expect("read");
    let again = ModelIndex::from_bytes(&path, &bytes).expect("from_bytes");
    assert!(again.nodes().eq(idx.nodes()));
    assert!(again.initializers().eq(idx.initializers()));
    assert_eq!(idx.node_count(), 5_000);
    let got: Vec<&str> = idx.nodes().map(|n| n.name()).collect();
    assert_eq!(got, names);
    for name in &names {
        assert_eq!(idx.nodes_named(name).len(), 1, "{name}");
    }
    assert_eq!(idx.node_names().count(), 5_000);
}

/// A model of nodes named `names` (Relu, one chain), built in memory.
fn named_nodes(names: &[&str]) -> ModelIndex {
    let tensors: Vec<String> = (0..=names.len()).map(|i| format!("t{i}")).collect();
    let tensors: Vec<&str> = tensors.iter().map(String::as_str).collect();
    let nodes: Vec<(&str, &str, &[&str], &[&str])> = names
        .iter()
        .enumerate()
        .map(|(i, name)| (*name, "Relu", &tensors[i..=i], &tensors[i + 1..=i + 1]))
        .collect();
    let bytes = qcls::model::synth::model_bytes(&nodes, &[]);
    ModelIndex::from_bytes(Path::new("m.onnx"), &bytes).expect("index")
}

#[test]
fn did_you_mean_lookups_find_case_scopes_and_prefixes() {
    let idx = named_nodes(&[
        "/Ünit/Conv",
        "/a/b/Relu",
        "/a/b/Relu",
        "/a/b/c/Add",
        "/a/Mul",
        "Top",
    ]);
    // Case, ASCII and not; the first of a duplicated name.
    assert_eq!(idx.node_named_ignoring_case("/üNIT/conv"), Some(0));
    assert_eq!(idx.node_named_ignoring_case("/A/B/relu"), Some(1));
    assert_eq!(idx.node_named_ignoring_case("/a/b/Relu2"), None);
    // A scope lists each name once, in file order; a name without `/` is in scope "".
    assert_eq!(idx.nodes_in_scope("/a/b").to_vec(), [1]);
    assert_eq!(idx.nodes_in_scope("/a").to_vec(), [4]);
    assert_eq!(idx.nodes_in_scope("").to_vec(), [5]);
    assert!(idx.nodes_in_scope("/nope").is_empty());
    // Names that go on from a prefix, in name order, longer than it.
    let names = |prefix| {
        let without: Vec<&str> = idx
            .nodes_extending(prefix, None)
            .map(|id| idx.node(id).name())
            .collect();
        // The search may start from any node: the answer is the same.
        for near in 0..idx.node_count() {
            let from_near: Vec<&str> = idx
                .nodes_extending(prefix, Some(near))
                .map(|id| idx.node(id).name())
                .collect();
            assert_eq!(from_near, without, "{prefix} near node {near}");
        }
        without
    };
    assert_eq!(names("/a/"), ["/a/Mul", "/a/b/Relu", "/a/b/c/Add"]);
    assert_eq!(names("/a/b/R"), ["/a/b/Relu"]);
    assert_eq!(
        names(""),
        ["/a/Mul", "/a/b/Relu", "/a/b/c/Add", "/Ünit/Conv", "Top"]
    );
    assert!(names("/a/b/c/Add").is_empty());
    assert!(names("/zz").is_empty());
}
