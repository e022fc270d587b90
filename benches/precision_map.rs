//! The precision map of the 100,000-node synthetic model: the explanation, the map (classes,
//! groups, layout) and the HTML page, as `qcls explain --format html` makes them.
//!
//! With `QCLS_MAP_OUT=<folder>` the model, its config and the page are written there
//! (`optimized_float_model.onnx`, `quant_config.json`, `map.html`) for the browser benchmark
//! (`tests/map/bench.sh`), which measures how fast the page opens and pans.
//! `QCLS_MAP_NODES` changes the model's size (default 100,000).

use criterion::{criterion_group, criterion_main, Criterion};
use qcls::analysis::precision_map::{html_page, PrecisionMap};
use qcls::analysis::Explanation;
use qcls::model::ModelIndex;
use qcls::spec::Dialect;
use qcls::syntax::parse;

/// A config with some of everything: LayerNormalization in int16, Softmax in float16, ec on
/// the weights of the MatMuls, and every 40th node in int16 by name.
fn config(names: &[String]) -> String {
    let mut text = String::from(
        "{\n  \"op_config\": {\"LayerNormalization\": {\"qtype\": \"int16\"}, \"Softmax\": {\"qtype\": \"float16\"}, \"MatMul\": {\"input1\": \"ec\"}},\n  \"node_config\": {\n",
    );
    let picked: Vec<&String> = names.iter().step_by(40).collect();
    for (i, name) in picked.iter().enumerate() {
        text.push_str(&format!(
            "    \"{name}\": {{\"qtype\": \"int16\"}}{}\n",
            if i + 1 == picked.len() { "" } else { "," }
        ));
    }
    text.push_str("  }\n}\n");
    text
}

fn bench(c: &mut Criterion) {
    let nodes: usize = std::env::var("QCLS_MAP_NODES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let out = std::env::var_os("QCLS_MAP_OUT").map(std::path::PathBuf::from);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let folder = out.clone().unwrap_or_else(|| dir.path().to_path_buf());
    std::fs::create_dir_all(&folder).expect("the output folder");
    let path = folder.join("optimized_float_model.onnx");
    let names = qcls::model::synth::write_synthetic_model(&path, nodes, 0).expect("model");
    let model = ModelIndex::load(&path).expect("model loads");
    let text = config(&names);
    let tree = parse(&text);
    let dialect = Dialect::choose(None, None);
    let explain = || {
        Explanation::new(
            &model,
            "bench".into(),
            &text,
            &tree,
            false,
            dialect.clone(),
            None,
        )
    };
    let explanation = explain();
    let map = PrecisionMap::new(&explanation);
    let page = html_page(&map, "quant_config.json");
    eprintln!(
        "{nodes} nodes, {} edges ({} boundaries), {} groups, picture {:.0} x {:.0}, page {:.1} MB",
        map.edges.len(),
        map.boundaries(),
        map.groups.len(),
        map.width,
        map.height,
        page.len() as f64 / 1e6
    );
    if let Some(out) = &out {
        std::fs::write(out.join("quant_config.json"), &text).expect("write the config");
        std::fs::write(out.join("map.html"), &page).expect("write the page");
        eprintln!(
            "wrote the model, quant_config.json and map.html in {}",
            out.display()
        );
    }
    let mut group = c.benchmark_group(format!("precision_map_{nodes}"));
    group.sample_size(10);
    group.bench_function("explain", |b| b.iter(explain));
    group.bench_function("map", |b| b.iter(|| PrecisionMap::new(&explanation).width));
    group.bench_function("html", |b| {
        b.iter(|| html_page(&map, "quant_config.json").len())
    });
    group.bench_function("all", |b| {
        b.iter(|| {
            let explanation = explain();
            let map = PrecisionMap::new(&explanation);
            html_page(&map, "quant_config.json").len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
