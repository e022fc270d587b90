//! Peak memory of `ModelIndex::load` in a fresh process: `cargo bench --bench model_index_memory`.
//!
//! The parent writes the 1 GiB / 100,000-node model and warms the page cache, then runs this
//! same binary again as a child that only loads the model and prints its `VmHWM` (peak RSS) from /proc/self/status.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use qcls::model::ModelIndex;

#[path = "support/big_model.rs"]
mod support;

const CHILD: &str = "QCLS_MEMORY_CHILD_MODEL";

fn status(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".into())
}

fn child(path: &Path) {
    let before = status("VmHWM:");
    let t = Instant::now();
    let idx = ModelIndex::load(path).expect("load");
    let elapsed = t.elapsed();
    println!(
        "  nodes {}, initializers {}, load {:.1?}; peak RSS before load {before}, after load {} \
         (VmRSS now {}, RssAnon {}, RssFile {})",
        idx.node_count(),
        idx.initializers().len(),
        elapsed,
        status("VmHWM:"),
        status("VmRSS:"),
        status("RssAnon:"),
        status("RssFile:"),
    );
}

fn main() {
    if let Some(p) = std::env::var_os(CHILD) {
        child(Path::new(&p));
        return;
    }
    // `cargo bench` passes `--bench`; any other filter-like argument is ignored.
    let exe = std::env::current_exe().expect("current exe");
    for (label, payload) in [("1 GiB weights", support::PAYLOAD), ("graph only", 0)] {
        let (_guard, path) = support::big_model(support::NODES, payload);
        support::warm_page_cache(&path);
        println!(
            "model_index_memory: {label}, {} nodes, {}",
            support::NODES,
            path.display()
        );
        for _ in 0..3 {
            let out = Command::new(&exe)
                .env(CHILD, &path)
                .output()
                .expect("run child");
            print!("{}", String::from_utf8_lossy(&out.stdout));
            if !out.status.success() {
                eprint!("{}", String::from_utf8_lossy(&out.stderr));
            }
        }
    }
}
