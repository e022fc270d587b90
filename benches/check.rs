//! `qcls check` on a 5 MB config with 100,000 node_config entries: parse + diagnostics, and
//! the same with the LSP position conversion of every diagnostic. Then the same size of config
//! against a 100,000-node model, with names the model has and with names it does not have (the
//! did-you-mean search must not scale with unknown names × model names).

use criterion::{criterion_group, criterion_main, Criterion};
use qcls::analysis::{check, CheckContext, ModelStatus};
use qcls::model::ModelIndex;
use qcls::syntax::parse;
use qcls::text::{Document, PositionEncoding};

/// About 5 MB: 100,000 node entries, one in a hundred with a mistake to report.
pub fn big_config(entries: usize) -> String {
    let mut text = String::with_capacity(entries * 56);
    text.push_str("{\n  \"model_config\": {\"all_node_type\": \"int16\"},\n  \"node_config\": {\n");
    for i in 0..entries {
        let qtype = if i % 100 == 0 { "int32" } else { "float16" };
        text.push_str(&format!(
            "    \"/stage{}/block{}/conv{}/Conv\": {{\"qtype\": \"{qtype}\"}}{}\n",
            i / 1000,
            (i / 10) % 100,
            i % 10,
            if i + 1 == entries { "" } else { "," }
        ));
    }
    text.push_str("  }\n}\n");
    text
}

fn bench(c: &mut Criterion) {
    let text = big_config(100_000);
    eprintln!("config: {} bytes", text.len());
    let ctx = CheckContext::default();
    let mut group = c.benchmark_group("check_5mb");
    group.sample_size(20);
    group.bench_function("parse", |b| b.iter(|| parse(&text)));
    group.bench_function("parse_and_check", |b| {
        b.iter(|| check(&text, &parse(&text), &ctx))
    });
    group.bench_function("parse_check_and_positions", |b| {
        b.iter(|| {
            let diagnostics = check(&text, &parse(&text), &ctx);
            let doc = Document::new(&text);
            diagnostics
                .iter()
                .map(|d| doc.position(d.range.start, PositionEncoding::Utf16).line)
                .sum::<u32>()
        })
    });
    group.finish();
}

/// One `{"qtype": "int16"}` entry per name.
fn config_of(names: impl Iterator<Item = String>) -> String {
    let mut text = String::from("{\"node_config\": {\n");
    for (i, name) in names.enumerate() {
        if i > 0 {
            text.push_str(",\n");
        }
        text.push_str(&format!("  \"{name}\": {{\"qtype\": \"int16\"}}"));
    }
    text.push_str("\n}}\n");
    text
}

fn bench_unknown_names(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("optimized_float_model.onnx");
    let names = qcls::model::synth::write_synthetic_model(&path, 100_000, 0).expect("model");
    let model = ModelIndex::load(&path).expect("model loads");
    let ctx = CheckContext {
        model: ModelStatus::Loaded(&model),
        ..CheckContext::default()
    };
    let configs = [
        ("valid_names", config_of(names.iter().cloned())),
        // Renamed by optimization: a real node's scope, a name it no longer has.
        (
            "renamed_names",
            config_of(names.iter().map(|n| format!("{n}_old"))),
        ),
        // Names from another export: no scope of the model, nothing close.
        (
            "foreign_names",
            config_of((0..names.len()).map(|i| format!("onnx::Mul_{i}"))),
        ),
    ];
    let mut group = c.benchmark_group("check_100k_entries_100k_nodes");
    group.sample_size(10);
    for (name, text) in &configs {
        let parsed = parse(text);
        group.bench_function(*name, |b| b.iter(|| check(text, &parsed, &ctx)));
    }
    group.finish();
}

criterion_group!(benches, bench, bench_unknown_names);
criterion_main!(benches);
