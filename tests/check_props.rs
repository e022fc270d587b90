//! Property test: random edits of real configs never make `check` panic, and every
//! diagnostic range (and related range) lies on character boundaries inside the text.

use std::path::Path;

use proptest::prelude::*;
use qcls::analysis::{check, CheckContext};
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
