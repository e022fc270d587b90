//! Shared by the model benchmarks: the 1 GiB / 100,000-node synthetic model, in page cache.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

pub const NODES: usize = 100_000;
pub const PAYLOAD: u64 = 1 << 30;

/// The model to measure: `$QCLS_BENCH_MODEL` when set (kept), else a fresh synthetic model in a
/// temporary folder (removed with the returned guard). Never written into the repository.
pub fn big_model(nodes: usize, payload: u64) -> (Option<tempfile::TempDir>, PathBuf) {
    if let Some(p) = std::env::var_os("QCLS_BENCH_MODEL") {
        return (None, PathBuf::from(p));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big_optimized_float_model.onnx");
    let t = std::time::Instant::now();
    qcls::model::synth::write_synthetic_model(&path, nodes, payload).expect("write model");
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "wrote {} ({size} bytes, {nodes} nodes) in {:.1?}",
        path.display(),
        t.elapsed()
    );
    (Some(dir), path)
}

/// Reads the whole file once, in chunks, so that it is in the page cache.
pub fn warm_page_cache(path: &Path) {
    let mut f = File::open(path).expect("open model");
    let mut buf = vec![0u8; 8 << 20];
    while f.read(&mut buf).expect("read model") > 0 {}
}
