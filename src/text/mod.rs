//! The document text and conversions between byte offsets and LSP positions.
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`, as LSP says; U+2028 and NEL are ordinary
//! characters. That is why ropey is built without its `unicode_lines` feature.

use ropey::Rope;

/// A half-open byte range into a document's text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TextRange {
    pub start: usize,
    pub end: usize,
}

impl TextRange {
    pub fn new(start: usize, end: usize) -> Self {
        TextRange { start, end }
    }
    pub fn empty(at: usize) -> Self {
        TextRange { start: at, end: at }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    /// True when `offset` lies inside the range or at its end.
    pub fn contains_inclusive(&self, offset: usize) -> bool {
        self.start <= offset && offset <= self.end
    }
}

/// How LSP positions count characters within a line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PositionEncoding {
    Utf8,
    /// The LSP default.
    #[default]
    Utf16,
    Utf32,
}

impl PositionEncoding {
    pub fn as_str(self) -> &'static str {
        match self {
            PositionEncoding::Utf8 => "utf-8",
            PositionEncoding::Utf16 => "utf-16",
            PositionEncoding::Utf32 => "utf-32",
        }
    }
}

/// A zero-based line and character position, counted in some [`PositionEncoding`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub line: u32,
    pub character: u32,
}

impl Position {
    pub fn new(line: u32, character: u32) -> Self {
        Position { line, character }
    }
}

/// The text of one document, cheap to edit in place and to query by line.
#[derive(Clone, Debug, Default)]
pub struct Document {
    rope: Rope,
}

impl Document {
    pub fn new(text: &str) -> Self {
        Document {
            rope: Rope::from_str(text),
        }
    }

    pub fn len(&self) -> usize {
        self.rope.len_bytes()
    }

    pub fn is_empty(&self) -> bool {
        self.rope.len_bytes() == 0
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    pub fn line_count(&self) -> usize {
        self.rope.len_lines()
    }

    /// The byte offset moved back onto a character boundary and into the text.
    fn clamp_offset(&self, offset: usize) -> usize {
        let offset = offset.min(self.rope.len_bytes());
        self.rope.char_to_byte(self.rope.byte_to_char(offset))
    }

    /// Byte range of a line's content, without its line break.
    fn line_content(&self, line: usize) -> (usize, usize) {
        let start = self.rope.line_to_byte(line);
        let next = if line + 1 < self.rope.len_lines() {
            self.rope.line_to_byte(line + 1)
        } else {
            self.rope.len_bytes()
        };
        (start, content_end(start, next, |i| self.rope.byte(i)))
    }

    /// Number of `encoding` units in the text between two char indices.
    fn units_between(&self, from_char: usize, to_char: usize, encoding: PositionEncoding) -> usize {
        match encoding {
            PositionEncoding::Utf32 => to_char - from_char,
            PositionEncoding::Utf16 => {
                self.rope.char_to_utf16_cu(to_char) - self.rope.char_to_utf16_cu(from_char)
            }
            PositionEncoding::Utf8 => {
                self.rope.char_to_byte(to_char) - self.rope.char_to_byte(from_char)
            }
        }
    }

    /// The LSP position of a byte offset. Offsets past the end or inside a character are
    /// moved back to the nearest character boundary.
    pub fn position(&self, offset: usize, encoding: PositionEncoding) -> Position {
        let offset = self.clamp_offset(offset);
        let line = self.rope.byte_to_line(offset);
        let (line_start, line_end) = self.line_content(line);
        // An offset between "\r" and "\n" of a CRLF counts as the end of the line.
        let offset = offset.min(line_end);
        let character = self.units_between(
            self.rope.byte_to_char(line_start),
            self.rope.byte_to_char(offset),
            encoding,
        );
        Position::new(to_u32(line), to_u32(character))
    }

    /// The byte offset of an LSP position. A line past the end gives the end of the text; a
    /// character past the end of its line gives the end of that line; a position inside a
    /// character (half a surrogate pair, a UTF-8 continuation) gives that character's start.
    pub fn offset(&self, position: Position, encoding: PositionEncoding) -> usize {
        let line = position.line as usize;
        if line >= self.rope.len_lines() {
            return self.rope.len_bytes();
        }
        let (line_start, line_end) = self.line_content(line);
        let start_char = self.rope.byte_to_char(line_start);
        let end_char = self.rope.byte_to_char(line_end);
        let wanted = position.character as usize;
        let char_idx = match encoding {
            PositionEncoding::Utf32 => (start_char + wanted).min(end_char),
            PositionEncoding::Utf16 => {
                let base = self.rope.char_to_utf16_cu(start_char);
                let end_units = self.rope.char_to_utf16_cu(end_char);
                let target = (base + wanted).min(end_units);
                // utf16_cu_to_char rounds down inside a surrogate pair.
                self.rope.utf16_cu_to_char(target)
            }
            PositionEncoding::Utf8 => {
                let target = (line_start + wanted).min(line_end);
                self.rope.byte_to_char(target)
            }
        };
        self.rope.char_to_byte(char_idx)
    }

    /// Replaces the text between two positions (the whole text when `range` is `None`).
    /// Positions are clamped as in [`Document::offset`], so a bad range never panics. Gives
    /// the byte range of the old text that was replaced (`None` for the whole text).
    pub fn apply_change(
        &mut self,
        range: Option<(Position, Position)>,
        new_text: &str,
        encoding: PositionEncoding,
    ) -> Option<TextRange> {
        match range {
            None => {
                self.rope = Rope::from_str(new_text);
                None
            }
            Some((start, end)) => {
                let mut start = self.offset(start, encoding);
                let mut end = self.offset(end, encoding);
                if end < start {
                    std::mem::swap(&mut start, &mut end);
                }
                let start_char = self.rope.byte_to_char(start);
                let end_char = self.rope.byte_to_char(end);
                self.rope.remove(start_char..end_char);
                self.rope.insert(start_char, new_text);
                Some(TextRange::new(start, end))
            }
        }
    }
}

/// Where the content of a line from `start` to `next` (where the line after it starts) ends:
/// before its `\n`, `\r\n` or `\r`. `byte` reads the text. [`Document`] and [`IndexedText`]
/// both cut lines here, so that they give the same positions.
fn content_end(start: usize, next: usize, byte: impl Fn(usize) -> u8) -> usize {
    let mut end = next;
    // A line holds at most one break.
    if end > start && byte(end - 1) == b'\n' {
        end -= 1;
    }
    if end > start && byte(end - 1) == b'\r' {
        end -= 1;
    }
    end
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

mod indexed;
pub use indexed::IndexedText;

#[cfg(test)]
mod tests;
