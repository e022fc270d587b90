//! 10,000 random edits and requests in a row on one server (in-process), a config paired with
//! resnet18, positions in UTF-16 as VS Code sends them. Checks that the server stays in sync:
//!
//! - after the edits, its text equals the test's own copy, edited with the reference
//!   conversions of tests/support/positions.rs (also for ranges past line ends, inside
//!   surrogate pairs and reversed ranges);
//! - every request is answered without an error, with positions that exist in that text;
//! - at checkpoints, the diagnostics published for the current version are those of a full
//!   check of the test's copy (the server may have taken its incremental paths to them).
//!
//! It asserts no time (a loaded CI machine would make it flaky); it prints the percentiles of
//! the answers' latencies. The latency goals are measured on the release binary by scenario (f)
//! of `benches/lsp_latency.rs` (docs/performance.md).

mod lsp_support;

#[path = "support/positions.rs"]
mod positions;

use std::path::Path;
use std::time::{Duration, Instant};

use lsp_support::Client;
use positions::{is_exact, lines, offset_of, position_of};
use qcls::analysis::{check, CheckContext, ModelStatus};
use qcls::model::ModelIndex;
use qcls::syntax::parse;
use qcls::text::{Position, PositionEncoding};
use serde_json::{json, Value};

const STEPS: usize = 10_000;
const UTF16: PositionEncoding = PositionEncoding::Utf16;

/// A small xorshift generator: the same steps on every run (`QCLS_SOAK_SEED` picks others).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A position of `text`, or now and then one past a line's end, past the last line or inside a
/// character.
fn any_position(rng: &mut Rng, text: &str) -> Position {
    let lines = lines(text);
    let line = rng.below(lines.len() + 1);
    let width = lines
        .get(line)
        .map_or(0, |l| text[l.start..l.end].encode_utf16().count());
    Position::new(line as u32, rng.below(width + 3) as u32)
}

fn to_json(p: Position) -> Value {
    json!({"line": p.line, "character": p.character})
}

/// Every `{line, character}` in `value` is a position of `text`.
fn assert_positions(text: &str, value: &Value, what: &str) {
    match value {
        Value::Object(map) => {
            if let (Some(line), Some(character)) = (
                map.get("line").and_then(Value::as_u64),
                map.get("character").and_then(Value::as_u64),
            ) {
                let p = Position::new(line as u32, character as u32);
                assert!(
                    is_exact(text, p, UTF16),
                    "{what}: {p:?} is no position of the text"
                );
            }
            map.values().for_each(|v| assert_positions(text, v, what));
        }
        Value::Array(items) => items.iter().for_each(|v| assert_positions(text, v, what)),
        _ => {}
    }
}

/// The diagnostics of a full check of `text`, as (code, start, end) in UTF-16.
fn expected_diagnostics(text: &str, model: &ModelIndex) -> Vec<(String, Position, Position)> {
    let ctx = CheckContext {
        model: ModelStatus::Loaded(model),
        ..CheckContext::default()
    };
    let mut out: Vec<_> = check(text, &parse(text), &ctx)
        .iter()
        .map(|d| {
            (
                d.code.as_str().to_string(),
                position_of(text, d.range.start, UTF16),
                position_of(text, d.range.end, UTF16),
            )
        })
        .collect();
    out.sort();
    out
}

fn published(params: &Value) -> Vec<(String, Position, Position)> {
    let at = |p: &Value| {
        Position::new(
            p["line"].as_u64().unwrap_or(u64::MAX) as u32,
            p["character"].as_u64().unwrap_or(u64::MAX) as u32,
        )
    };
    let mut out: Vec<_> = params["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                at(&d["range"]["start"]),
                at(&d["range"]["end"]),
            )
        })
        .collect();
    out.sort();
    out
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let i = ((p * samples.len() as f64).ceil() as usize).clamp(1, samples.len()) - 1;
    samples[i]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_edits_and_requests_keep_the_server_in_sync() {
    let seed = std::env::var("QCLS_SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1234_abcd_u64);
    let mut rng = Rng(seed);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("a temporary folder");
    let model_path = dir.path().join("optimized_float_model.onnx");
    std::fs::copy(
        repo.join("tests/fixtures/models/resnet18/optimized_float_model.onnx"),
        &model_path,
    )
    .expect("copy resnet18");
    let model = ModelIndex::load(&model_path).expect("resnet18 loads");
    let original = std::fs::read_to_string(repo.join("examples/resnet18/quant_config.json"))
        .expect("the example config");
    let uri = format!("file://{}", dir.path().join("quant_config.json").display());

    let mut client = Client::new();
    client
        .initialize(json!({"capabilities": {"textDocument": {
            "hover": {"contentFormat": ["markdown"]},
            "completion": {"completionItem": {"documentationFormat": ["markdown"]}}
        }}}))
        .await;
    let mut text = original.clone();
    let mut version = 1;
    client.open(&uri, &text).await;

    let methods = [
        "textDocument/completion",
        "textDocument/hover",
        "textDocument/codeAction",
        "textDocument/documentSymbol",
        "textDocument/foldingRange",
        "textDocument/inlayHint",
        "textDocument/formatting",
        "textDocument/codeLens",
        qcls::server::EXPLAIN_METHOD,
    ];
    let mut latencies: Vec<Vec<Duration>> = vec![Vec::new(); methods.len()];
    let mut edits = 0;
    let mut checkpoints = 0;
    let mut compared = 0;
    for step in 0..STEPS {
        // Now and then the text starts over from the config, as after an undo of everything.
        if step % 1000 == 999 {
            version += 1;
            text = original.clone();
            client.change(&uri, version, json!([{"text": text}])).await;
        }
        if rng.below(10) < 6 {
            // An edit: a random range (possibly reversed or clamped) replaced by a fragment.
            let (a, b) = (any_position(&mut rng, &text), any_position(&mut rng, &text));
            let new = positions::EDIT_FRAGMENTS[rng.below(positions::EDIT_FRAGMENTS.len())];
            let (x, y) = (offset_of(&text, a, UTF16), offset_of(&text, b, UTF16));
            text.replace_range(x.min(y)..x.max(y), new);
            version += 1;
            edits += 1;
            let change = json!({"range": {"start": to_json(a), "end": to_json(b)}, "text": new});
            client.change(&uri, version, json!([change])).await;
        } else {
            let which = rng.below(methods.len());
            let doc = json!({"uri": uri});
            let at = to_json(any_position(&mut rng, &text));
            let to = to_json(any_position(&mut rng, &text));
            let params = match which {
                0 | 1 => json!({"textDocument": doc, "position": at}),
                2 => json!({"textDocument": doc, "range": {"start": at, "end": at},
                            "context": {"diagnostics": []}}),
                5 => {
                    json!({"textDocument": doc, "range": {"start": {"line": 0, "character": 0}, "end": to}})
                }
                6 => json!({"textDocument": doc, "options": {"tabSize": 2, "insertSpaces": true}}),
                8 => json!({"textDocument": doc, "onlyOverridden": false}),
                _ => json!({"textDocument": doc}),
            };
            let t = Instant::now();
            let answer = client.request(methods[which], params).await;
            latencies[which].push(t.elapsed());
            let answer =
                answer.unwrap_or_else(|e| panic!("step {step}: {}: {e:?}", methods[which]));
            assert_positions(&text, &answer, methods[which]);
        }
        if step % 10 == 0 || step == STEPS - 1 {
            let (v, server_text) = client.server_text(&uri).expect("the document is open");
            assert_eq!(v, version, "step {step}: the server's version");
            assert_eq!(
                server_text, text,
                "step {step} (seed {seed}): the server's text"
            );
        }
        if step % 500 == 499 || step == STEPS - 1 {
            let params = client.diagnostics(&uri, Some(i64::from(version))).await;
            client.clear_backlog();
            let expected = expected_diagnostics(&text, &model);
            assert_eq!(
                published(&params),
                expected,
                "step {step} (seed {seed}): the diagnostics of version {version}\n{text}"
            );
            checkpoints += 1;
            compared += expected.len();
        }
    }
    assert!(edits > STEPS / 2, "{edits} edits");
    assert_eq!(checkpoints, STEPS / 500);
    assert!(compared > checkpoints, "{compared} diagnostics compared");

    // What the answers took here (a debug build, in-process: no goal applies to these).
    let mut all: Vec<Duration> = latencies.iter().flatten().copied().collect();
    eprintln!(
        "{edits} edits, {} requests: p50 {:?}, p95 {:?}, p99 {:?}, max {:?}",
        all.len(),
        percentile(&mut all, 0.5),
        percentile(&mut all, 0.95),
        percentile(&mut all, 0.99),
        percentile(&mut all, 1.0)
    );
    for (method, samples) in methods.iter().zip(&mut latencies) {
        if !samples.is_empty() {
            eprintln!(
                "  {method}: {} requests, p50 {:?}, p95 {:?}",
                samples.len(),
                percentile(samples, 0.5),
                percentile(samples, 0.95)
            );
        }
    }
}
