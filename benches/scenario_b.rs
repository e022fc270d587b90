//! Where the time goes in scenario (b) of `lsp_latency` (a 100,000-entry node_config, 6.6 MB,
//! paired with a 100,000-node synthetic model), in-process: each stage of a full check, the
//! incremental path the server takes after a one-entry edit (re-parse the entry in place,
//! re-check it, move the other diagnostics), and the completion and hover requests.
//! `cargo bench --bench scenario_b`.

use std::time::{Duration, Instant};

use qcls::analysis::{
    check_after_splice, check_document, complete, hover, CheckContext, ModelStatus,
};
use qcls::model::ModelIndex;
use qcls::spec::Locale;
use qcls::syntax::parse;
use qcls::text::{Document, PositionEncoding, TextRange};

#[path = "support/big_config.rs"]
mod big_config;

fn median(mut f: impl FnMut(), runs: usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

/// The median time of `f` alone, each run on a fresh value from `setup`.
fn median_with_setup<T>(setup: impl Fn() -> T, f: impl Fn(T), runs: usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let input = setup();
            let t = Instant::now();
            f(input);
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

/// The median time of `f` on a model index just read from `path` (the did-you-mean lookups an
/// index builds on first use are then part of it), the index read and dropped outside the
/// timing.
fn first_use(path: &std::path::Path, f: impl Fn(&ModelIndex), runs: usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let fresh = ModelIndex::load(path).expect("index the model");
            let t = Instant::now();
            f(&fresh);
            let elapsed = t.elapsed();
            drop(fresh);
            elapsed
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("optimized_float_model.onnx");
    qcls::model::synth::write_synthetic_model(&path, 100_000, 0).expect("write model");
    let model = ModelIndex::load(&path).expect("index the model");
    let names: Vec<String> = model.node_names().map(str::to_string).collect();
    let config = big_config::big_config(&names);
    let text = &config.text;
    println!(
        "config: {} bytes, {} entries; nodes under {} left unconfigured",
        text.len(),
        config.entries,
        config.scope
    );
    let quick = !std::env::args().any(|a| a == "--bench");
    let runs = if quick { 1 } else { 15 };
    let parsed = parse(text);
    let ctx = CheckContext {
        model: ModelStatus::Loaded(&model),
        ..CheckContext::default()
    };
    let bare = CheckContext::default();
    let dialect = qcls::spec::Dialect::default();
    let checked = check_document(text, &parsed, &ctx);
    println!("diagnostics: {}", checked.diagnostics.len());

    // The edit the latency benchmark makes: int16 -> int32 in the middle entry.
    let needle = format!("\"{}\": {{\"qtype\": \"int16\"", config.edited);
    let at = text.find(&needle).expect("edited entry") + needle.len() - 3;
    let edit = TextRange::new(at, at + 2);
    let mut edited = text.clone();
    edited.replace_range(at..at + 2, "32");
    let mut spliced = parsed.clone();
    let splice = spliced
        .reparse_member(&edited, edit, 2)
        .expect("the edit stays inside one entry");
    assert!(
        check_after_splice(&checked, &spliced, &splice, &ctx).is_some(),
        "the edit is checked incrementally"
    );

    let key_at = text
        .find(&format!("\"{}\"", config.scope))
        .expect("typed key")
        + 1
        + config.scope.len();
    let hover_at = text.find(&needle).expect("edited entry") + 5;
    let items = complete(text, &parsed, key_at, Locale::En, Some(&model), &dialect);
    println!(
        "completion: {} items, incomplete {}",
        items.items.len(),
        items.is_incomplete
    );
    let rows = [
        (
            "document text (rope -> String)",
            median(|| drop(Document::new(text).text()), runs),
        ),
        ("full: parse", median(|| drop(parse(text)), runs)),
        (
            "full: check, no model",
            median(|| drop(check_document(text, &parsed, &bare)), runs),
        ),
        (
            "full: check with the model",
            median(|| drop(check_document(text, &parsed, &ctx)), runs),
        ),
        (
            "full: check with a model just read",
            first_use(
                &path,
                |fresh| {
                    let ctx = CheckContext {
                        model: ModelStatus::Loaded(fresh),
                        ..CheckContext::default()
                    };
                    drop(check_document(text, &parsed, &ctx))
                },
                runs,
            ),
        ),
        (
            "  of which the did-you-mean lookups",
            first_use(
                &path,
                |fresh| {
                    std::hint::black_box(fresh.node_named_ignoring_case("x"));
                },
                runs,
            ),
        ),
        (
            "full: LSP positions of the diagnostics",
            median(
                || {
                    let doc = Document::new(text);
                    for d in &checked.diagnostics {
                        std::hint::black_box(doc.position(d.range.start, PositionEncoding::Utf16));
                    }
                },
                runs,
            ),
        ),
        (
            "incremental: re-parse the entry in place",
            median_with_setup(
                || parsed.clone(),
                |mut tree| drop(tree.reparse_member(&edited, edit, 2)),
                runs,
            ),
        ),
        (
            "incremental: check the entry, move the rest",
            median(
                || drop(check_after_splice(&checked, &spliced, &splice, &ctx)),
                runs,
            ),
        ),
        (
            "completion: the key typed as the last entry",
            median(
                || {
                    drop(complete(
                        text,
                        &parsed,
                        key_at,
                        Locale::En,
                        Some(&model),
                        &dialect,
                    ))
                },
                runs,
            ),
        ),
        (
            "hover: the edited node",
            median(
                || {
                    drop(hover(
                        text,
                        &parsed,
                        hover_at,
                        Locale::En,
                        Some(&model),
                        &dialect,
                    ))
                },
                runs,
            ),
        ),
    ];
    for (what, t) in rows {
        println!("{what:<44} {:>8.2} ms", t.as_secs_f64() * 1e3);
    }
}
