//! Time of `ModelIndex::load` on large models in the page cache.
//!
//! `cargo bench --bench model_index`; set `QCLS_BENCH_MODEL=/path/x.onnx` to measure another
//! model instead of the generated 1 GiB / 100,000-node one.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use qcls::model::ModelIndex;

#[path = "support/big_model.rs"]
mod support;

fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("model_index");
    group.sample_size(20);

    let (_guard, path) = support::big_model(support::NODES, support::PAYLOAD);
    support::warm_page_cache(&path);
    // Dropping an index (~700k strings) takes ~45 ms of its own: measured apart.
    group.bench_function("load 1 GiB, 100k nodes", |b| {
        b.iter_batched(
            || (),
            |()| ModelIndex::load(&path).expect("load"),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("load+drop 1 GiB, 100k nodes", |b| {
        b.iter(|| ModelIndex::load(&path).expect("load"))
    });
    drop(_guard);

    let (_guard, path) = support::big_model(support::NODES, 0);
    support::warm_page_cache(&path);
    group.bench_function("load graph only, 100k nodes", |b| {
        b.iter_batched(
            || (),
            |()| ModelIndex::load(&path).expect("load"),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
