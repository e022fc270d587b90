use super::*;

const ENCODINGS: [PositionEncoding; 3] = [
    PositionEncoding::Utf8,
    PositionEncoding::Utf16,
    PositionEncoding::Utf32,
];

fn pos(line: u32, character: u32) -> Position {
    Position::new(line, character)
}

#[test]
fn ascii_lines() {
    let doc = Document::new("{\n  \"a\": 1\n}");
    for enc in ENCODINGS {
        assert_eq!(doc.position(0, enc), pos(0, 0));
        assert_eq!(doc.position(4, enc), pos(1, 2));
        assert_eq!(doc.offset(pos(1, 2), enc), 4);
        assert_eq!(doc.position(doc.len(), enc), pos(2, 1));
    }
}

#[test]
fn cjk_counts_one_unit_in_utf16_and_three_bytes_in_utf8() {
    // "量" is 3 bytes in UTF-8 and one UTF-16 unit.
    let text = "\"量化\": 1";
    let doc = Document::new(text);
    let colon = text.find(':').unwrap();
    assert_eq!(doc.position(colon, PositionEncoding::Utf16), pos(0, 4));
    assert_eq!(doc.position(colon, PositionEncoding::Utf32), pos(0, 4));
    assert_eq!(doc.position(colon, PositionEncoding::Utf8), pos(0, 8));
    for enc in ENCODINGS {
        assert_eq!(doc.offset(doc.position(colon, enc), enc), colon);
    }
}

#[test]
fn astral_characters_are_two_utf16_units() {
    let text = "\"😀x\"";
    let doc = Document::new(text);
    let x = text.find('x').unwrap();
    assert_eq!(doc.position(x, PositionEncoding::Utf16), pos(0, 3));
    assert_eq!(doc.position(x, PositionEncoding::Utf32), pos(0, 2));
    assert_eq!(doc.position(x, PositionEncoding::Utf8), pos(0, 5));
    // Half a surrogate pair snaps back to the emoji's start.
    assert_eq!(doc.offset(pos(0, 2), PositionEncoding::Utf16), 1);
    // Inside the UTF-8 bytes of the emoji also snaps back.
    assert_eq!(doc.offset(pos(0, 3), PositionEncoding::Utf8), 1);
    // An offset inside the emoji maps to its start.
    assert_eq!(doc.position(2, PositionEncoding::Utf16), pos(0, 1));
}

#[test]
fn crlf_and_lone_cr_are_line_breaks() {
    let text = "a\r\nb\rc\nd";
    let doc = Document::new(text);
    let enc = PositionEncoding::Utf16;
    assert_eq!(doc.line_count(), 4);
    assert_eq!(doc.position(3, enc), pos(1, 0));
    assert_eq!(doc.position(5, enc), pos(2, 0));
    assert_eq!(doc.position(7, enc), pos(3, 0));
    // Between \r and \n is still the end of line 0.
    assert_eq!(doc.position(2, enc), pos(0, 1));
    // A character past the end of a line stops before the break.
    assert_eq!(doc.offset(pos(0, 99), enc), 1);
    let indexed = IndexedText::new(text.to_string());
    assert_eq!(indexed.line_text(0), "a");
    assert_eq!(indexed.line_text(1), "b");
}

#[test]
fn unicode_line_separators_are_not_line_breaks() {
    let text = "\"a\u{2028}b\u{85}c\"\nx";
    let doc = Document::new(text);
    assert_eq!(doc.line_count(), 2);
    let c = text.find('c').unwrap();
    assert_eq!(doc.position(c, PositionEncoding::Utf16), pos(0, 5));
}

#[test]
fn out_of_range_positions_are_clamped() {
    let doc = Document::new("ab\ncd");
    let enc = PositionEncoding::Utf16;
    assert_eq!(doc.offset(pos(9, 0), enc), 5);
    assert_eq!(doc.offset(pos(1, 99), enc), 5);
    assert_eq!(doc.position(999, enc), pos(1, 2));
}

#[test]
fn incremental_edits() {
    let mut doc = Document::new("{\"a\": 1}\n");
    let enc = PositionEncoding::Utf16;
    let r = doc.apply_change(Some((pos(0, 6), pos(0, 7))), "2", enc);
    assert_eq!(doc.text(), "{\"a\": 2}\n");
    assert_eq!(r, Some(TextRange::new(6, 7)));
    let r = doc.apply_change(Some((pos(1, 0), pos(1, 0))), "// 量😀\n", enc);
    assert_eq!(doc.text(), "{\"a\": 2}\n// 量😀\n");
    assert_eq!(r, Some(TextRange::empty(9)));
    // Delete the emoji: it spans two UTF-16 units and four bytes.
    let r = doc.apply_change(Some((pos(1, 4), pos(1, 6))), "", enc);
    assert_eq!(doc.text(), "{\"a\": 2}\n// 量\n");
    assert_eq!(r, Some(TextRange::new(15, 19)));
    // A reversed or out-of-range edit does not panic; the range given back is the clamped one.
    let r = doc.apply_change(Some((pos(5, 0), pos(0, 0))), "", enc);
    assert_eq!(doc.text(), "");
    assert_eq!(r, Some(TextRange::new(0, 16)));
    assert_eq!(doc.apply_change(None, "new", enc), None);
    assert_eq!(doc.text(), "new");
}

#[test]
fn human_columns_count_characters() {
    let text = "量化 x";
    let indexed = IndexedText::new(text.to_string());
    assert_eq!(indexed.line_col_1based(text.find('x').unwrap()), (1, 4));
}

/// Texts whose lines and columns both [`Document`] and [`IndexedText`] must agree on: every
/// kind of line break, characters of one to four bytes, and lines longer than a block of the
/// character counts.
fn texts_to_index() -> Vec<String> {
    let mut texts: Vec<String> = [
        "",
        "\n",
        "\r",
        "\r\n",
        "\n\r",
        "a\r\rb\n\nc\r\n",
        "{\n  \"a\": 1\n}",
        "\"量化\": 1\r\n\"😀x\": 2\ry\u{2028}z\u{85}w",
        "é\r\n",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Multi-byte characters straddling the 1 KiB blocks, on one long line and on many lines.
    let mut long = String::new();
    for i in 0..1500 {
        long.push(['a', 'é', '量', '😀'][i % 4]);
    }
    texts.push(long.clone());
    texts.push(long.replace('量', "\n").replace('😀', "\r\n"));
    texts.push("x".repeat(3000) + "\n" + &long);
    // Ending exactly at the end of a block: its last offset is the first of the next.
    texts.push("é".repeat(1024));
    texts.push("😀".repeat(256) + "\r\n" + &"a".repeat(1022));
    texts
}

#[test]
fn an_indexed_text_gives_the_positions_of_a_document() {
    for text in texts_to_index() {
        let doc = Document::new(&text);
        let indexed = IndexedText::new(text.clone());
        assert_eq!(indexed.line_count(), doc.line_count(), "{text:?}");
        for offset in 0..=text.len() + 2 {
            for enc in ENCODINGS {
                assert_eq!(
                    indexed.position(offset, enc),
                    doc.position(offset, enc),
                    "offset {offset} {enc:?} of {text:?}"
                );
            }
            let p = doc.position(offset, PositionEncoding::Utf32);
            let human = (p.line as usize + 1, p.character as usize + 1);
            assert_eq!(indexed.line_col_1based(offset), human);
        }
        // Each line's content: the text between its start and the next one's, without the
        // break; past the last line, nothing.
        for line in 0..doc.line_count() + 2 {
            let content: &str = if line < doc.line_count() {
                let start = doc.offset(pos(line as u32, 0), PositionEncoding::Utf8);
                let end = doc.offset(pos(line as u32, u32::MAX), PositionEncoding::Utf8);
                &text[start..end]
            } else {
                ""
            };
            assert_eq!(indexed.line_text(line), content, "line {line} of {text:?}");
            let len = content.chars().count();
            assert_eq!(indexed.line_len_chars(line), len, "line {line} of {text:?}");
            let step = (len / 7).max(1);
            for from in (0..len + 3).step_by(step) {
                for to in (0..len + 3).step_by(step) {
                    let chars: String = content.chars().take(to).skip(from).collect();
                    assert_eq!(
                        indexed.line_chars(line, from, to),
                        chars,
                        "line {line}, chars {from}..{to} of {text:?}"
                    );
                }
            }
        }
    }
}
