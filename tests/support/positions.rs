//! A reference for LSP positions, written from the LSP rules alone (not with `qcls::text`), for
//! the tests that check the server's conversions: lines end at `\n`, `\r\n` or a lone `\r`,
//! and a position's character counts code units of the encoding from the line's start.

#![allow(dead_code)]

use qcls::text::{Position, PositionEncoding};

/// One line of the reference: its content `start..end` and where the next line starts.
#[derive(Debug)]
pub struct Line {
    pub start: usize,
    pub end: usize,
    pub next: usize,
}

pub fn lines(text: &str) -> Vec<Line> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        let width = match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => 2,
            b'\r' | b'\n' => 1,
            _ => 0,
        };
        if width > 0 {
            out.push(Line {
                start,
                end: i,
                next: i + width,
            });
            start = i + width;
            i += width;
        } else {
            i += 1;
        }
    }
    out.push(Line {
        start,
        end: text.len(),
        next: text.len(),
    });
    out
}

pub fn units(s: &str, encoding: PositionEncoding) -> u32 {
    let n = match encoding {
        PositionEncoding::Utf8 => s.len(),
        PositionEncoding::Utf16 => s.encode_utf16().count(),
        PositionEncoding::Utf32 => s.chars().count(),
    };
    n as u32
}

/// The reference position of a byte offset (one inside a character counts as its start; one
/// between the `\r` and `\n` of a CRLF, as the end of the line).
pub fn position_of(text: &str, offset: usize, encoding: PositionEncoding) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let lines = lines(text);
    let (n, line) = lines
        .iter()
        .enumerate()
        .find(|(_, l)| offset < l.next)
        .unwrap_or((lines.len() - 1, &lines[lines.len() - 1]));
    let upto = offset.min(line.end);
    Position::new(n as u32, units(&text[line.start..upto], encoding))
}

/// The reference byte offset of a position, clamped: past the last line, the end of the text;
/// past the end of a line, its end; inside a character, that character's start.
pub fn offset_of(text: &str, p: Position, encoding: PositionEncoding) -> usize {
    let lines = lines(text);
    let Some(line) = lines.get(p.line as usize) else {
        return text.len();
    };
    let mut counted = 0;
    for (i, c) in text[line.start..line.end].char_indices() {
        counted += units(c.encode_utf8(&mut [0; 4]), encoding);
        if counted > p.character {
            return line.start + i;
        }
    }
    line.end
}

/// True when `p` is a position of `text` as it is: on a line that exists, not past its end,
/// not inside a character.
pub fn is_exact(text: &str, p: Position, encoding: PositionEncoding) -> bool {
    position_of(text, offset_of(text, p, encoding), encoding) == p
}

/// What random edits insert (the 10,000-step test and its benchmark, scenario (f)): the
/// config's own words, line breaks and characters of every width.
pub const EDIT_FRAGMENTS: &[&str] = &[
    "",
    "1",
    "x",
    "\"",
    ",",
    ":",
    "{",
    "}",
    "[",
    "]",
    " ",
    "\n",
    "\r\n",
    "\r",
    "量",
    "😀",
    "\"qtype\": \"int8\"",
    "\"input0\": \"ec\", ",
    "int16",
    "float32",
    "\"/layer1/layer1.0/conv1/Conv\": {\"qtype\": \"int16\"},\n",
    "\"Conv\": {\"qtype\": \"int8\"},",
    "// comment\n",
    "/* c */",
];
