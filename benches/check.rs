//! `qcls check` on a 5 MB config with 100,000 node_config entries: parse + diagnostics, and
//! the same with the LSP position conversion of every diagnostic.

use criterion::{criterion_group, criterion_main, Criterion};
use qcls::analysis::{check, CheckContext};
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

criterion_group!(benches, bench);
criterion_main!(benches);
