//! Completion of node names and tensors out of a 100,000-node model (the list is
//! bounded and prefiltered by what was typed). Each case is one `complete` call on a prepared
//! parse, as the server does it on a snapshot.
//!
//! Measured on the shared 2-core machine under load (other builds running), release:
//! nothing typed 1.9 ms (1000 items, incomplete), scope prefix 2.0 ms, prefix of one late node
//! 10 ms, no match at all (full scan of 100,000 names) 9.7 ms, subgraph tensors 2.5 ms.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use qcls::analysis::complete;
use qcls::model::ModelIndex;
use qcls::spec::Locale;
use qcls::syntax::parse;

// Shared with the model benchmarks; this one uses only part of it.
#[allow(dead_code)]
#[path = "support/big_model.rs"]
mod support;

fn bench(c: &mut Criterion) {
    let (_guard, path) = support::big_model(support::NODES, 0);
    let model = ModelIndex::load(&path).expect("model loads");
    let names: Vec<String> = model.node_names().map(str::to_string).collect();
    // Not one of the configured names below (every 200th).
    let target = &names[names.len() * 9 / 10 + 1];
    // 500 entries already configured: they are excluded from the list.
    let configured: String = names
        .iter()
        .step_by(200)
        .map(|n| format!("    \"{n}\": {{\"qtype\": \"int16\"}},\n"))
        .collect();
    let cases = [
        ("nothing_typed", String::new()),
        (
            "prefix_of_a_late_node",
            target[..target.len() - 2].to_string(),
        ),
        ("scope_prefix", target[..target.len() / 2].to_string()),
        ("no_match_full_scan", "zzqqzz".to_string()),
    ];
    let dialect = qcls::spec::Dialect::default();
    let mut group = c.benchmark_group("completion_100k_nodes");
    for (name, typed) in &cases {
        let text = format!("{{\n  \"node_config\": {{\n{configured}    \"{typed}");
        let p = parse(&text);
        let offset = text.len();
        let r = complete(&text, &p, offset, Locale::En, Some(&model), &dialect);
        eprintln!(
            "{name}: typed {typed:?}, {} items, incomplete {}",
            r.items.len(),
            r.is_incomplete
        );
        group.bench_function(*name, |b| {
            b.iter(|| {
                complete(
                    black_box(&text),
                    &p,
                    offset,
                    Locale::En,
                    Some(&model),
                    &dialect,
                )
            })
        });
    }
    let text = "{\"subgraph_config\": {\"g\": {\"inputs\": [\"/backbone/stages.1";
    let p = parse(text);
    group.bench_function("subgraph_tensors", |b| {
        b.iter(|| {
            complete(
                black_box(text),
                &p,
                text.len(),
                Locale::En,
                Some(&model),
                &dialect,
            )
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
