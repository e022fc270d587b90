//! Property tests of the conversions between byte offsets and LSP positions
//! (`Document::position`, `Document::offset`, `Document::apply_change`, and
//! `IndexedText::position`, which `qcls check` prints from) in UTF-8, UTF-16 and UTF-32,
//! against a reference written here from the LSP rules alone:
//!
//! - lines end at `\n`, `\r\n` or a lone `\r` (U+2028 and NEL are ordinary characters);
//! - a position's character counts code units of the encoding from the line's start.
//!
//! and the clamping that `Document` documents: a line past the last gives the end of the text,
//! a character past the end of its line gives the end of that line (before its break), a
//! position inside a character (half a surrogate pair, a UTF-8 continuation byte) gives that
//! character's start, an offset inside a character counts as that character's start, and an
//! offset between the `\r` and the `\n` of a CRLF counts as the end of the line.

use proptest::prelude::*;
use qcls::text::{Document, IndexedText, Position, PositionEncoding};

#[path = "support/positions.rs"]
mod positions;
use positions::{lines, offset_of, position_of, units};

const ENCODINGS: [PositionEncoding; 3] = [
    PositionEncoding::Utf8,
    PositionEncoding::Utf16,
    PositionEncoding::Utf32,
];

/// Pieces of text: every kind of line break, characters of 1 to 4 UTF-8 bytes (the 4-byte ones
/// are surrogate pairs in UTF-16), and the separators that are not LSP line breaks.
const PIECES: &[&str] = &[
    "a", "{", "\"", " ", "\t", "\n", "\r", "\r\n", "\n\r", "é", "量", "😀", "𝄞", "\u{2028}",
    "\u{85}", "\u{feff}", "\u{0}",
];

fn text_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|p| p.concat()),
        "\\PC{0,30}",
        // arbitrary characters among line breaks
        prop::collection::vec(
            prop_oneof![
                any::<char>().prop_map(String::from),
                Just("\r\n".to_string())
            ],
            0..30
        )
        .prop_map(|p| p.concat()),
    ]
}

fn encoding_strategy() -> impl Strategy<Value = PositionEncoding> {
    prop::sample::select(&ENCODINGS[..])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    /// Every byte offset (on a character boundary or not, past the end or not) gets the
    /// reference position; on a boundary it converts back to itself, except between the `\r`
    /// and `\n` of a CRLF, which is the end of the line.
    #[test]
    fn offsets_give_the_reference_position(text in text_strategy(), encoding in encoding_strategy()) {
        let doc = Document::new(&text);
        prop_assert_eq!(doc.line_count(), lines(&text).len());
        for offset in 0..=text.len() + 2 {
            let p = doc.position(offset, encoding);
            prop_assert_eq!(p, position_of(&text, offset, encoding), "offset {}", offset);
            if offset <= text.len() && text.is_char_boundary(offset) {
                let back = doc.offset(p, encoding);
                let inside_crlf = offset > 0
                    && text.as_bytes()[offset - 1] == b'\r'
                    && text.as_bytes().get(offset) == Some(&b'\n');
                if inside_crlf {
                    prop_assert_eq!(back, offset - 1);
                } else {
                    prop_assert_eq!(back, offset);
                }
            }
        }
    }

    /// Every position, also on lines past the end, past a line's end and inside characters,
    /// gets the reference offset; a position that is one of the text's converts back to itself,
    /// any other to the position it was clamped to.
    #[test]
    fn positions_give_the_reference_offset(text in text_strategy(), encoding in encoding_strategy()) {
        let doc = Document::new(&text);
        let lines = lines(&text);
        for line in 0..lines.len() as u32 + 2 {
            let width = lines
                .get(line as usize)
                .map_or(0, |l| units(&text[l.start..l.end], encoding));
            for character in (0..width + 3).chain([u32::MAX]) {
                let p = Position::new(line, character);
                let offset = doc.offset(p, encoding);
                prop_assert_eq!(offset, offset_of(&text, p, encoding), "{:?}", p);
                prop_assert!(text.is_char_boundary(offset));
                let back = doc.position(offset, encoding);
                prop_assert!(back <= p, "{:?} -> {} -> {:?}", p, offset, back);
                // Clamped, if at all, to the end of the text, or on its own line to the line's
                // end or a character's start.
                if (line as usize) < lines.len() {
                    prop_assert_eq!(back.line, line);
                } else {
                    prop_assert_eq!(offset, text.len());
                }
            }
        }
    }

    /// Edits at any positions, valid or not, change the text as the reference says (a reversed
    /// range is read start to end), and say which bytes they replaced.
    #[test]
    fn edits_apply_at_the_reference_offsets(
        text in text_strategy(),
        encoding in encoding_strategy(),
        edits in prop::collection::vec(
            ((0u32..6, 0u32..12), (0u32..6, 0u32..12), prop::sample::select(PIECES)),
            1..8,
        ),
    ) {
        let mut doc = Document::new(&text);
        let mut model = text.clone();
        for ((l1, c1), (l2, c2), new) in edits {
            let (a, b) = (Position::new(l1, c1), Position::new(l2, c2));
            let (x, y) = (offset_of(&model, a, encoding), offset_of(&model, b, encoding));
            let (start, end) = (x.min(y), x.max(y));
            let replaced = doc.apply_change(Some((a, b)), new, encoding);
            model.replace_range(start..end, new);
            prop_assert_eq!(replaced.map(|r| (r.start, r.end)), Some((start, end)));
            prop_assert_eq!(doc.text(), model.clone());
        }
    }
}

/// Texts of up to a few thousand characters: long enough for [`IndexedText`]'s counts of
/// characters per block of bytes to matter, with multi-byte characters across the blocks'
/// edges and lines both short and longer than a block.
fn long_text_strategy() -> impl Strategy<Value = String> {
    let pieces = prop::collection::vec(
        prop_oneof![
            8 => prop::sample::select(PIECES).prop_map(str::to_string),
            1 => "[a-z]{100,400}",
        ],
        0..400,
    );
    // Half of them padded to a multiple of 1 KiB, where a block of the counts ends.
    (pieces, any::<bool>()).prop_map(|(pieces, pad)| {
        let mut text = pieces.concat();
        if pad {
            text.push_str(&"a".repeat((1024 - text.len() % 1024) % 1024));
        }
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    /// An indexed text gives every byte offset the reference position, and each line's text
    /// and length in characters.
    #[test]
    fn an_indexed_text_gives_the_reference_positions(text in text_strategy()) {
        let indexed = IndexedText::new(text.clone());
        let reference = lines(&text);
        prop_assert_eq!(indexed.line_count(), reference.len());
        for offset in 0..=text.len() + 2 {
            for encoding in ENCODINGS {
                prop_assert_eq!(
                    indexed.position(offset, encoding),
                    position_of(&text, offset, encoding),
                    "offset {} {:?}", offset, encoding
                );
            }
        }
        for (i, line) in reference.iter().enumerate() {
            let content = &text[line.start..line.end];
            prop_assert_eq!(indexed.line_text(i), content);
            prop_assert_eq!(indexed.line_len_chars(i), content.chars().count());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// On texts of thousands of bytes, an indexed text and a document (held to the reference
    /// above) agree at every offset: the reference, linear per offset, would take minutes.
    #[test]
    fn a_long_indexed_text_gives_the_positions_of_a_document(text in long_text_strategy()) {
        let indexed = IndexedText::new(text.clone());
        let doc = Document::new(&text);
        for offset in 0..=text.len() + 2 {
            for encoding in ENCODINGS {
                prop_assert_eq!(
                    indexed.position(offset, encoding),
                    doc.position(offset, encoding),
                    "offset {} {:?}", offset, encoding
                );
            }
        }
        for (i, line) in lines(&text).iter().enumerate() {
            let content = &text[line.start..line.end];
            prop_assert_eq!(indexed.line_text(i), content);
            prop_assert_eq!(indexed.line_len_chars(i), content.chars().count());
        }
    }
}

/// The clamping rules on one text with every special case, in each encoding.
#[test]
fn clamping_at_line_ends_surrogates_and_crlf() {
    let text = "a😀b\r\nc\rd";
    let doc = Document::new(text);
    let p = Position::new;
    // A character past the end of line 0 stops before its CRLF; line 9 is the end of the text.
    for encoding in ENCODINGS {
        assert_eq!(doc.offset(p(0, 99), encoding), 6);
        assert_eq!(doc.offset(p(9, 0), encoding), text.len());
        // Between \r and \n: the end of line 0.
        assert_eq!(doc.position(7, encoding), doc.position(6, encoding));
    }
    // Half of the surrogate pair of 😀 (UTF-16 units 1..3) and inside its bytes (UTF-8 1..5).
    assert_eq!(doc.offset(p(0, 2), PositionEncoding::Utf16), 1);
    assert_eq!(doc.offset(p(0, 3), PositionEncoding::Utf8), 1);
    assert_eq!(doc.position(3, PositionEncoding::Utf16), p(0, 1));
    // The lone \r ends line 1.
    assert_eq!(doc.position(text.len(), PositionEncoding::Utf32), p(2, 1));
}
