//! The fuzz targets of fuzz/ (built and run by fuzz/run.sh) replayed as ordinary tests: every
//! input in tests/fixtures/fuzz/<target>/ (each one failed once, see RELIABILITY.md) and the
//! seeds the targets start from, through the very same target bodies, with their checks.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

#[allow(dead_code)]
#[path = "../fuzz/src/common.rs"]
mod common;
#[allow(dead_code)]
#[path = "../fuzz/src/lsp.rs"]
mod lsp;
#[path = "../fuzz/src/onnx.rs"]
mod onnx;
#[path = "../fuzz/src/text.rs"]
mod text;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The files of a folder, sorted; none when it does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn regressions(target: &str) -> Vec<PathBuf> {
    files(&repo().join("tests/fixtures/fuzz").join(target))
}

/// Runs `body` on each file, naming the file that fails.
fn replay(inputs: &[PathBuf], body: fn(&[u8])) {
    for path in inputs {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let result = std::panic::catch_unwind(|| body(&data));
        assert!(result.is_ok(), "{} fails", path.display());
    }
}

#[test]
fn text_inputs_that_failed_once_pass() {
    replay(&regressions("text"), text::run);
}

#[test]
fn the_text_seeds_pass_the_text_target() {
    let mut seeds = files(&repo().join("tests/fixtures/configs"));
    seeds.extend(files(&repo().join("tests/fixtures/yaml")));
    seeds.push(repo().join("examples/resnet18/quant_config.json"));
    seeds.push(repo().join("examples/hb_compile/config.yaml"));
    assert!(seeds.len() > 8);
    replay(&seeds, text::run);
    for text in ["", "{", "\u{feff}{\"a\":\r1}", "quant_config: {\"x\": [1,"] {
        text::run(text.as_bytes());
    }
}

#[test]
fn onnx_inputs_that_failed_once_pass() {
    replay(&regressions("onnx"), onnx::run);
}

#[test]
fn the_test_models_pass_the_onnx_target() {
    let mut models = Vec::new();
    for dir in std::fs::read_dir(repo().join("tests/fixtures/models")).expect("the test models") {
        let dir = dir.expect("a folder of tests/fixtures/models").path();
        models.extend(
            files(&dir)
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "onnx")),
        );
    }
    assert!(models.len() >= 6, "{models:?}");
    replay(&models, onnx::run);
    // Truncations and a flipped byte: errors, the same from memory and from a file.
    let (_, bytes) = common::MODELS[0];
    for cut in [1, 2, 17, bytes.len() / 2, bytes.len() - 1] {
        onnx::run(&bytes[..cut]);
    }
    let mut flipped = bytes.to_vec();
    flipped[40] ^= 0x80;
    onnx::run(&flipped);
}

/// Counts panics anywhere in the process: the server turns a panic in a request into an error
/// answer and one in its analysis task into a log line, and both must fail the test.
fn count_panics() -> &'static AtomicUsize {
    static PANICS: AtomicUsize = AtomicUsize::new(0);
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            default(info);
        }));
    });
    &PANICS
}

/// The LSP inputs, one test: they share the folder of the harness's documents.
#[test]
fn lsp_scripts_pass_the_lsp_target() {
    let panics = count_panics();
    let before = panics.load(Ordering::SeqCst);
    let config = std::fs::read_to_string(repo().join("examples/resnet18/quant_config.json"))
        .expect("the example config");
    let yaml = std::fs::read_to_string(repo().join("tests/fixtures/yaml/flow_inline.yaml"))
        .expect("a YAML fixture");
    let mut inputs: Vec<Vec<u8>> = [
        ("c3,5h3,5a0,0,40,0,1fsFlkx1i0,99", &config),
        (
            "I239o1p c10,8 h10,8 e10,8,10,8,10 p a0,0,99,0,1 x0 i0,500 k d",
            &yaml,
        ),
        (
            "I1o0e0,0,0,0,12pc1,1h1,1 w0 p h1,1 w1 g1 c2,3 m9 j2 f4 C",
            &config,
        ),
        (
            "I2o2 e1,0,1,3,9 e1,1,1,2,8 c1,2 h1,2 v E40 s F g4 m18 j6 c0,0",
            &config,
        ),
        (
            "I16o3 d e0,0,0,0,14 d n c1,1 S o4 h0,0 m3 m15 j5 f12",
            &yaml,
        ),
        (
            "m0m1m2m3m4m5m6m7m8m9m10m11m12m13m14m15m16m17m18j0j1j2j3j4j5j6j7j8c0,0",
            &config,
        ),
    ]
    .iter()
    .map(|(script, text)| format!("{script}\n{text}").into_bytes())
    .collect();
    for path in regressions("lsp") {
        inputs.push(std::fs::read(&path).expect("a regression input"));
    }
    for (i, input) in inputs.iter().enumerate() {
        lsp::run(input);
        assert_eq!(
            panics.load(Ordering::SeqCst),
            before,
            "input {i} made the server panic:\n{}",
            String::from_utf8_lossy(input)
        );
    }
    let _ = std::fs::remove_dir_all(lsp::fixture_root());
}

/// The script reader takes letters with up to five numbers and skips what it does not know.
#[test]
fn lsp_scripts_are_read_as_documented() {
    let ops = lsp::script(b"c3,14 h7 ? e1,2,3,4,5,6 I99999999999");
    let shown: Vec<String> = ops.iter().map(|op| format!("{op:?}")).collect();
    assert_eq!(
        shown,
        [
            "Complete(3, 14)",
            "Hover(7, 0)",
            "Edit([1, 2, 3, 4, 5])",
            // the sixth number of `e` is no op: skipped as a stray byte
            "Init(4294967295)",
        ]
    );
}
