//! The `onnx` target: any bytes as an ONNX model. They are indexed three times, from memory
//! (`ModelIndex::from_bytes`), from a file (`ModelIndex::load`, the positioned reads the
//! server uses) and from the file on two threads (`ModelIndex::load_on_two_threads`, the walk
//! of a graph of 32 MiB or more), and all must agree. A model that indexes must answer its own lookups
//! consistently, and a config naming its nodes, op types and tensors goes through the analyses
//! that read a model (checks and did-you-mean, completion, hover, hints, fixes, explain).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use qcls::analysis::code_actions::code_actions;
use qcls::analysis::{self, check_document, CheckContext, Explanation, ModelStatus};
use qcls::model::{ModelError, ModelIndex};
use qcls::spec::{Dialect, Locale};
use qcls::syntax::parse;
use qcls::text::TextRange;
use serde_json::json;

use crate::common::{assert_range, offsets};

/// Nodes looked at per model: a fuzzed model may list many.
const NODES_CHECKED: usize = 200;

pub fn run(data: &[u8]) {
    let memory = ModelIndex::from_bytes(Path::new("fuzz.onnx"), data);
    let (file, two_threads) = from_file(data);
    match (&file, two_threads) {
        (Ok(file), Ok(two_threads)) => {
            assert_same(file, &two_threads);
            lookups(&two_threads);
        }
        (Err(a), Err(b)) => {
            assert_eq!(a.message, b.message, "one and two threads fail differently")
        }
        (Ok(_), Err(e)) => panic!("indexes on one thread but not on two: {e}"),
        (Err(e), Ok(_)) => panic!("indexes on two threads but not on one: {e}"),
    }
    let index = match (memory, file) {
        (Ok(memory), Ok(file)) => {
            assert_same(&memory, &file);
            memory
        }
        (Err(a), Err(b)) => {
            assert_eq!(a.message, b.message, "memory and file fail differently");
            assert!(!a.missing && !b.missing);
            return;
        }
        (Ok(_), Err(e)) => panic!("indexes from memory but not from a file: {e}"),
        (Err(e), Ok(_)) => panic!("indexes from a file but not from memory: {e}"),
    };
    lookups(&index);
    analyses(&index);
}

/// [`ModelIndex::load`] and [`ModelIndex::load_on_two_threads`] of the bytes written to a file
/// of this process and thread.
type Loaded = Result<ModelIndex, ModelError>;
fn from_file(data: &[u8]) -> (Loaded, Loaded) {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static PATH: PathBuf = std::env::temp_dir().join(format!(
            "qcls-fuzz-{}-{}.onnx",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
    }
    PATH.with(|path| {
        std::fs::write(path, data).expect("write the model to a temporary file");
        let loaded = (
            ModelIndex::load(path),
            ModelIndex::load_on_two_threads(path),
        );
        let _ = std::fs::remove_file(path);
        loaded
    })
}

fn assert_same(a: &ModelIndex, b: &ModelIndex) {
    assert_eq!(a.ir_version, b.ir_version);
    assert_eq!(a.opsets, b.opsets);
    assert!(a.nodes().eq(b.nodes()));
    assert!(a.graph_inputs().eq(b.graph_inputs()));
    assert!(a.graph_outputs().eq(b.graph_outputs()));
    assert!(a.initializers().eq(b.initializers()));
}

/// The index answers for every node what its fields say.
fn lookups(m: &ModelIndex) {
    for (id, node) in m.nodes().enumerate().take(NODES_CHECKED) {
        assert!(
            m.nodes_named(node.name()).contains(id),
            "node {id} is not found by its name {:?}",
            node.name()
        );
        for output in node.outputs().filter(|o| !o.is_empty()) {
            let producer = m.producer(output).expect("an output has a producer");
            assert!(m.node(producer).outputs().has(output));
        }
        for input in node.inputs().filter(|i| !i.is_empty()) {
            assert!(
                m.consumers(input).contains(id),
                "node {id} is not a consumer of its input {input:?}"
            );
        }
        assert!(m.op_type_count(node.op_type()) >= 1);
        if id < 4 {
            let _ = analysis::closest(&format!("{}x", node.name()), m.node_names(), 3);
            // The did-you-mean lookups find the node by its own name.
            if !node.name().is_empty() {
                let upper = node.name().to_ascii_uppercase();
                assert!(m.node_named_ignoring_case(&upper).is_some(), "{upper:?}");
                let scope = qcls::model::name_scope(node.name());
                assert!(!m.nodes_in_scope(scope).is_empty());
            }
        }
    }
    let counted: usize = m.op_types().map(|(_, n)| n).sum();
    assert_eq!(counted, m.node_count(), "op type counts do not add up");
    // An initializer without a name is no tensor a node can read.
    for name in m.initializers().take(NODES_CHECKED) {
        assert_eq!(m.is_initializer(name), !name.is_empty(), "{name:?}");
    }
    let _ = m.opset();
    let _ = m.node_names().count();
}

/// A config that names the model's nodes, op types and tensors, checked and explained.
fn analyses(m: &ModelIndex) {
    let mut nodes = serde_json::Map::new();
    let mut ops = serde_json::Map::new();
    for (i, node) in m.nodes().enumerate().take(12) {
        let name = if i % 3 == 2 {
            format!("{}_", node.name()) // an unknown name, close to a real one
        } else {
            node.name().to_string()
        };
        nodes.insert(
            name,
            json!({"qtype": "int16", "input0": "ec", "InputType1": "int8"}),
        );
        ops.insert(node.op_type().to_string(), json!({"qtype": "float16"}));
        if let Some(input) = node.inputs().next() {
            nodes.insert(input.to_string(), json!("int8"));
        }
    }
    let config = json!({
        "model_config": {"all_node_type": "int16", "model_output_type": "int8"},
        "op_config": ops,
        "node_config": nodes,
        "subgraph_config": {"sub": {"inputs": m.graph_inputs().take(2).collect::<Vec<_>>(),
                                     "outputs": m.graph_outputs().take(2).collect::<Vec<_>>(),
                                     "qtype": "int8"}},
    });
    let text = serde_json::to_string_pretty(&config).expect("a JSON value prints");
    let tree = parse(&text);
    let dialect = Dialect::default();
    let ctx = CheckContext {
        model: ModelStatus::Loaded(m),
        locale: Locale::Zh,
        ..CheckContext::default()
    };
    let checked = check_document(&text, &tree, &ctx);
    for d in &checked.diagnostics {
        assert_range(&text, d.range, "diagnostic");
    }
    let whole = TextRange::new(0, text.len());
    for fix in code_actions(&text, &tree, &checked.diagnostics, Some(m), whole, &[]) {
        for e in &fix.edits {
            assert_range(&text, e.range, "fix edit");
        }
    }
    for at in offsets(&text, 6) {
        let _ = analysis::complete(&text, &tree, at, Locale::En, Some(m), &dialect);
        let _ = analysis::hover(&text, &tree, at, Locale::En, Some(m), &dialect);
    }
    let _ = analysis::inlay_hints(&text, &tree, whole, Some(m), dialect.profile, None);
    let e = Explanation::new(m, "fuzz".into(), &text, &tree, false, dialect, None);
    let _ = (e.table(), e.csv(), e.json());
}
