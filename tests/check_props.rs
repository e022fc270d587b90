//! Property tests: random edits of real configs never make `check` panic, and every
//! diagnostic range (and related range) lies on character boundaries inside the text; every
//! quick fix offered edits on character boundaries and never adds a syntax error.

use std::path::Path;

use proptest::prelude::*;
use qcls::analysis::code_actions::code_actions;
use qcls::analysis::{check, CheckContext, ModelStatus};
use qcls::syntax::parse;
use qcls::text::{Document, PositionEncoding, TextRange};

#[path = "support/random_edit.rs"]
mod random_edit;
use random_edit::{apply, edit};

/// Seeds: our own fixtures, and the real corpus when ../shared is present.
fn seeds() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seeds = Vec::new();
    for dir in [
        root.join("tests/fixtures/configs"),
        root.join("../shared/corpus/real"),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            if path.extension().is_some_and(|e| e == "json") {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    seeds.push(text);
                }
            }
        }
    }
    seeds.push("{\"op_config\": {\"量化\": {\"qtype\": \"int8😀\"}}}\r\n".into());
    seeds
}

fn fragment() -> impl Strategy<Value = String> + Clone {
    prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        "\"",
        ",",
        ":",
        "#",
        "//",
        "/*",
        "*/",
        "\\",
        "ec",
        "qtype",
        "int8",
        "1",
        "-0.5",
        "1e9",
        "true",
        "null",
        "\n",
        "\r",
        "\r\n",
        "量",
        "😀",
        "\u{2028}",
        " ",
        "\"input0\": \"ec\"",
        "\"node_config\"",
        "[]",
    ])
    .prop_map(str::to_string)
}

/// Read once for every case.
fn resnet18() -> &'static qcls::model::ModelIndex {
    static MODEL: std::sync::OnceLock<qcls::model::ModelIndex> = std::sync::OnceLock::new();
    MODEL.get_or_init(|| {
        qcls::model::ModelIndex::load(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/models/resnet18/optimized_float_model.onnx"),
        )
        .expect("the fixture model loads")
    })
}

fn assert_on_boundaries(text: &str, r: TextRange) {
    assert!(
        r.start <= r.end && r.end <= text.len(),
        "{r:?} out of bounds"
    );
    assert!(
        text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
        "{r:?} splits a character"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_edits_never_panic_and_ranges_stay_valid(
        seed in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(fragment(), 20), 1..12),
    ) {
        let seeds = seeds();
        let mut text = seed.get(&seeds).clone();
        for e in &edits {
            let _ = apply(&mut text, e);
        }
        let diagnostics = check(&text, &parse(&text), &CheckContext::default());
        let doc = Document::new(&text);
        for d in &diagnostics {
            assert_on_boundaries(&text, d.range);
            for r in &d.related {
                assert_on_boundaries(&text, r.range);
            }
            // Conversions to LSP positions and back land on the same offsets.
            for offset in [d.range.start, d.range.end] {
                let p = doc.position(offset, PositionEncoding::Utf16);
                prop_assert_eq!(doc.offset(p, PositionEncoding::Utf16), offset);
            }
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn quick_fixes_never_add_a_syntax_error(
        seed in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(fragment(), 20), 0..6),
    ) {
        let model = resnet18();
        let ctx = CheckContext {
            model: ModelStatus::Loaded(model),
            ..CheckContext::default()
        };
        let seeds = seeds();
        let mut text = seed.get(&seeds).clone();
        for e in &edits {
            let _ = apply(&mut text, e);
        }
        let parsed = parse(&text);
        let diagnostics = check(&text, &parsed, &ctx);
        let before = parsed.errors.len();
        let fixes = code_actions(
            &text,
            &parsed,
            &diagnostics,
            Some(model),
            TextRange::new(0, text.len()),
            &[],
        );
        for fix in &fixes {
            let mut edits = fix.edits.clone();
            edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
            let mut fixed = text.clone();
            for e in &edits {
                assert_on_boundaries(&text, e.range);
                fixed.replace_range(e.range.start..e.range.end, &e.new_text);
            }
            let after = parse(&fixed).errors.len();
            prop_assert!(
                after <= before,
                "{:?} took {} syntax errors to {}:\n{}\n---\n{}",
                fix.title, before, after, text, fixed
            );
        }
    }
}
