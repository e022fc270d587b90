//! A text that is read, never edited, with the table that turns its byte offsets into lines
//! and columns: what `qcls check` prints positions from. A rope answers each question in a
//! dozen tree walks; printing 100,000 diagnostics of one file that way was most of the run.

use super::{Position, PositionEncoding};

/// Bytes per block of the character counts of a non-ASCII text: a column is then counted
/// over at most two blocks, however long its line is (a config written on one line).
const BLOCK: usize = 1024;

/// A text and where its lines start. Lines end as in [`super::Document`]: at `\n`, `\r\n` or
/// a lone `\r`; columns are counted the same way, so both give the same positions.
pub struct IndexedText {
    text: String,
    /// The byte offset of each line's start; the first is 0.
    line_starts: Vec<usize>,
    /// For a text with non-ASCII characters: how many characters and UTF-16 units come before
    /// each [`BLOCK`] of bytes. Empty for an ASCII text, where both are the byte offset.
    block_counts: Vec<(usize, usize)>,
}

/// The characters and UTF-16 units that start in `bytes`. A range may begin or end inside a
/// character: only the bytes that start one count.
fn count_units(bytes: &[u8]) -> (usize, usize) {
    let chars = bytes.iter().filter(|&&b| (b as i8) >= -0x40).count();
    // A character of four bytes (0xF0 lead) is two UTF-16 units.
    let astral = bytes.iter().filter(|&&b| b >= 0xF0).count();
    (chars, chars + astral)
}

impl IndexedText {
    pub fn new(text: String) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        let mut i = 0;
        while let Some(at) = memchr::memchr2(b'\n', b'\r', &bytes[i..]) {
            let at = i + at;
            let crlf = bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n');
            i = at + if crlf { 2 } else { 1 };
            line_starts.push(i);
        }
        let block_counts = if text.is_ascii() {
            Vec::new()
        } else {
            // One entry per block and one for the end of the text, which is where a text whose
            // length is a multiple of BLOCK has its last offset.
            let mut totals = (0, 0);
            let mut counts: Vec<(usize, usize)> = bytes
                .chunks(BLOCK)
                .map(|block| {
                    let before = totals;
                    let (chars, units) = count_units(block);
                    totals = (totals.0 + chars, totals.1 + units);
                    before
                })
                .collect();
            counts.push(totals);
            counts
        };
        IndexedText {
            text,
            line_starts,
            block_counts,
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The characters (`Utf32`) or UTF-16 units before byte `offset`, a character boundary.
    fn units_before(&self, offset: usize, encoding: PositionEncoding) -> usize {
        if encoding == PositionEncoding::Utf8 || self.block_counts.is_empty() {
            return offset;
        }
        let block = offset / BLOCK;
        let (chars, units) = self.block_counts.get(block).copied().unwrap_or_default();
        let (more_chars, more_units) = count_units(&self.text.as_bytes()[block * BLOCK..offset]);
        match encoding {
            PositionEncoding::Utf32 => chars + more_chars,
            _ => units + more_units,
        }
    }

    /// The byte offset of the character with index `char_index` in the whole text, or the
    /// end of the text.
    fn byte_of_char(&self, char_index: usize) -> usize {
        if self.block_counts.is_empty() {
            return char_index.min(self.text.len());
        }
        // The last block that starts at or before that character.
        let block = self
            .block_counts
            .partition_point(|&(chars, _)| chars <= char_index)
            .saturating_sub(1);
        // The entry after the last block is the end of the text.
        let mut from = (block * BLOCK).min(self.text.len());
        // A block may start inside a character: no character starts before the next boundary.
        while !self.text.is_char_boundary(from) {
            from += 1;
        }
        let skip = char_index - self.block_counts[block].0;
        self.text[from..]
            .char_indices()
            .nth(skip)
            .map_or(self.text.len(), |(i, _)| from + i)
    }

    /// Byte range of a line's content, without its line break.
    fn line_content(&self, line: usize) -> (usize, usize) {
        let start = self.line_starts[line];
        let next = self
            .line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        let bytes = self.text.as_bytes();
        (start, super::content_end(start, next, |i| bytes[i]))
    }

    /// The LSP position of a byte offset. Offsets past the end or inside a character are
    /// moved back to the nearest character boundary.
    pub fn position(&self, offset: usize, encoding: PositionEncoding) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let (line_start, line_end) = self.line_content(line);
        // An offset between "\r" and "\n" of a CRLF counts as the end of the line.
        let offset = offset.min(line_end);
        let character = self
            .units_before(offset, encoding)
            .saturating_sub(self.units_before(line_start, encoding));
        Position::new(super::to_u32(line), super::to_u32(character))
    }

    /// One-based line and one-based column counted in characters, for human output.
    pub fn line_col_1based(&self, offset: usize) -> (usize, usize) {
        let p = self.position(offset, PositionEncoding::Utf32);
        (p.line as usize + 1, p.character as usize + 1)
    }

    /// The text of a line without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        if line >= self.line_starts.len() {
            return "";
        }
        let (start, end) = self.line_content(line);
        &self.text[start..end]
    }

    /// How many characters a line has, without its line break.
    pub fn line_len_chars(&self, line: usize) -> usize {
        if line >= self.line_starts.len() {
            return 0;
        }
        let (start, end) = self.line_content(line);
        let utf32 = PositionEncoding::Utf32;
        self.units_before(end, utf32)
            .saturating_sub(self.units_before(start, utf32))
    }

    /// Characters `from..to` (0-based, clamped) of a line without its line break.
    pub fn line_chars(&self, line: usize, from: usize, to: usize) -> &str {
        if line >= self.line_starts.len() {
            return "";
        }
        let (start, end) = self.line_content(line);
        let first = self.units_before(start, PositionEncoding::Utf32);
        let byte = |chars: usize| self.byte_of_char(first + chars).min(end);
        &self.text[byte(from)..byte(to.max(from))]
    }
}
