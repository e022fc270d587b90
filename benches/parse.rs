//! Parser throughput on a large generated config (100,000 node_config entries, ~5 MB).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use qcls::syntax::parse;
use std::fmt::Write;

fn big_config(nodes: usize) -> String {
    let mut s = String::from(
        "{\n  // generated\n  \"model_config\": {\"all_node_type\": \"int16\", \"activation\": \
         {\"calibration_type\": [\"max\", \"kl\"], \"max_percentile\": 0.99995}},\n  \
         \"node_config\": {\n",
    );
    for i in 0..nodes {
        let sep = if i + 1 == nodes { "" } else { "," };
        let _ = writeln!(
            s,
            "    \"/stage{}/block{}/MatMul_{i}\": {{\"input0\": \"int16\"}}{sep}",
            i % 7,
            i % 31
        );
    }
    s.push_str("  }\n}\n");
    s
}

fn bench_parse(c: &mut Criterion) {
    let text = big_config(100_000);
    assert!(parse(&text).errors.is_empty());
    eprintln!("config size: {} bytes", text.len());
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(20);
    g.bench_function("node_config_100k", |b| {
        // The tree is dropped outside the timing: dropping 100k members is the allocator's
        // cost, and glibc's consolidation of freed chunks made iterations noisy.
        b.iter_with_large_drop(|| parse(std::hint::black_box(&text)))
    });
    g.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
