//! Parser tests, one file per concern; shared helpers here.

mod accepted;
mod comments_and_depth;
mod cursor;
mod incremental;
mod recovery;
mod rejected;
mod two_cores;

use super::*;
use crate::text::TextRange;

/// The byte range of the `n`th (0-based) occurrence of `needle` in `text`.
fn span_n(text: &str, needle: &str, n: usize) -> TextRange {
    let start = text
        .match_indices(needle)
        .nth(n)
        .unwrap_or_else(|| panic!("{needle:?} #{n} not in {text:?}"))
        .0;
    TextRange::new(start, start + needle.len())
}

fn span(text: &str, needle: &str) -> TextRange {
    span_n(text, needle, 0)
}

fn empty_at(offset: usize) -> TextRange {
    TextRange::new(offset, offset)
}

/// Asserts exactly one `Syntax` error with this range and a message containing `fragment`.
#[track_caller]
fn one_error(text: &str, range: TextRange, fragment: &str) -> Parse {
    let p = parse(text);
    assert_eq!(p.errors.len(), 1, "{text:?}: {:#?}", p.errors);
    let e = &p.errors[0];
    assert_eq!(e.kind, SyntaxErrorKind::Syntax, "{text:?}");
    assert_eq!(e.range, range, "{text:?}: {}", e.message);
    assert!(
        e.message.contains(fragment),
        "{text:?}: message {:?} lacks {fragment:?}",
        e.message
    );
    p
}

#[track_caller]
fn clean(text: &str) -> Parse {
    let p = parse(text);
    assert!(p.errors.is_empty(), "{text:?}: {:#?}", p.errors);
    p
}

fn root_obj(p: &Parse) -> &Object {
    p.root_object().expect("root object")
}

fn member_value<'a>(o: &'a Object, key: &str) -> &'a Value {
    o.get_value(key)
        .unwrap_or_else(|| panic!("no value for {key}"))
}

fn int(v: &Value) -> f64 {
    let n = v.as_number().expect("number");
    assert!(n.is_integer);
    n.value
}

fn shared_dir() -> Option<std::path::PathBuf> {
    // Beside the checkout, as every developer and CI machine has it; absent in a plain clone.
    Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")).filter(|p| p.is_dir())
}
