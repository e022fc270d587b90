//! Tokens for the recovering parser, with Python `json.loads` semantics.
//!
//! This is hand-written rather than a wrapper around `jsonc_parser::Scanner` because the
//! scanner disagrees with Python where it matters to us and offers no way to reposition it:
//! it skips Unicode whitespace (U+00A0, VT, FF) that Python rejects, accepts raw control
//! characters in strings, rejects unpaired `\uD800` escapes that Python accepts, returns no
//! text for an unterminated string (we need the partial text for completion), and fails on
//! `NaN,` as a whole instead of yielding a word. See the module docs of `syntax`.
//!
//! Comments and lexical errors (bad escapes, malformed numbers, stray whitespace) are recorded
//! here as a side effect; structural errors are the parser's business.

use super::{Comment, CommentKind, SyntaxError, SyntaxErrorKind};
use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Comma,
    Colon,
    /// A double- or single-quoted string; the decoded text is in `Lexer::str_value`.
    Str,
    /// A number that matches JSON's grammar.
    Number,
    True,
    False,
    Null,
    /// A bare identifier-like word (`NaN`, `abc`, `True`); the parser reports it in context.
    Word,
    /// Something number-like that JSON rejects (`01`, `0x1F`, `+1`, `.5`); already reported.
    BadNumber,
    /// One character that starts no token (`@`, `=`, a lone `/`).
    Unknown,
    Eof,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn range(&self) -> TextRange {
        TextRange::new(self.start, self.end)
    }
}

pub(crate) struct Lexer<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    /// Decoded value of the last `Str` token.
    pub str_value: String,
    /// Whether the last `Str` token had its closing quote.
    pub str_closed: bool,
    pub errors: Vec<SyntaxError>,
    pub comments: Vec<Comment>,
}

impl<'t> Lexer<'t> {
    pub fn new(text: &'t str) -> Self {
        Lexer {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            str_value: String::new(),
            str_closed: true,
            errors: Vec::new(),
            comments: Vec::new(),
        }
    }

    /// A lexer over `text` that begins at byte `pos` (a character boundary): re-lexing one
    /// member of a document keeps the document's offsets.
    pub fn starting_at(text: &'t str, pos: usize) -> Self {
        Lexer {
            pos,
            ..Lexer::new(text)
        }
    }

    /// Goes on lexing at byte `pos` (a character boundary), past text another lexer read.
    pub fn seek(&mut self, pos: usize) {
        self.pos = pos;
    }

    pub fn text(&self) -> &'t str {
        self.text
    }

    fn error(&mut self, start: usize, end: usize, message: String) {
        self.errors.push(SyntaxError {
            range: TextRange::new(start, end),
            kind: SyntaxErrorKind::Syntax,
            message,
        });
    }

    /// The char starting at byte `i` (which must be a char boundary).
    fn char_at(&self, i: usize) -> Option<char> {
        self.text.get(i..).and_then(|s| s.chars().next())
    }

    pub fn next_token(&mut self) -> Token {
        self.skip_trivia();
        let start = self.pos;
        let Some(&b) = self.bytes.get(start) else {
            return Token {
                kind: TokenKind::Eof,
                start,
                end: start,
            };
        };
        let kind = match b {
            b'{' => self.single(TokenKind::LBrace),
            b'}' => self.single(TokenKind::RBrace),
            b'[' => self.single(TokenKind::LBracket),
            b']' => self.single(TokenKind::RBracket),
            b',' => self.single(TokenKind::Comma),
            b':' => self.single(TokenKind::Colon),
            b'"' | b'\'' => self.string(b),
            b'-' | b'+' | b'0'..=b'9' => self.number(),
            b'.' if matches!(self.bytes.get(start + 1), Some(b'0'..=b'9')) => self.number(),
            _ => self.word_or_unknown(),
        };
        Token {
            kind,
            start,
            end: self.pos,
        }
    }

    fn single(&mut self, kind: TokenKind) -> TokenKind {
        self.pos += 1;
        kind
    }

    /// Skips JSON whitespace and comments; reports whitespace Python does not accept.
    fn skip_trivia(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                b'/' if self.bytes.get(self.pos + 1) == Some(&b'/') => {
                    let start = self.pos;
                    self.pos = self.line_end(start + 2);
                    self.comment(start, CommentKind::Line);
                }
                b'/' if self.bytes.get(self.pos + 1) == Some(&b'*') => self.block_comment(),
                b'#' => {
                    let start = self.pos;
                    self.pos = self.line_end(start + 1);
                    self.comment(start, CommentKind::Hash);
                    self.errors.push(SyntaxError {
                        range: TextRange::new(start, self.pos),
                        kind: SyntaxErrorKind::HashComment,
                        message: "`#` comments are not valid in quant_config; the toolchain only \
                                  strips `//` and `/* */` comments"
                            .to_string(),
                    });
                }
                0x0B | 0x0C => {
                    let start = self.pos;
                    self.pos += 1;
                    self.error(
                        start,
                        self.pos,
                        format!(
                            "whitespace character U+{b:04X} is not allowed in JSON; use spaces, \
                             tabs or line breaks"
                        ),
                    );
                }
                _ if b >= 0x80 => {
                    let Some(c) = self.char_at(self.pos) else {
                        return;
                    };
                    let message = if c == '\u{FEFF}' {
                        "a byte order mark (U+FEFF) is not allowed; save the file as UTF-8 \
                         without BOM"
                            .to_string()
                    } else if c.is_whitespace() {
                        format!(
                            "whitespace character U+{:04X} is not allowed in JSON; use spaces, \
                             tabs or line breaks",
                            c as u32
                        )
                    } else {
                        return;
                    };
                    let start = self.pos;
                    self.pos += c.len_utf8();
                    self.error(start, self.pos, message);
                }
                _ => return,
            }
        }
    }

    fn line_end(&self, from: usize) -> usize {
        self.bytes[from.min(self.bytes.len())..]
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .map_or(self.bytes.len(), |p| from + p)
    }

    fn comment(&mut self, start: usize, kind: CommentKind) {
        self.comments.push(Comment {
            range: TextRange::new(start, self.pos),
            kind,
        });
    }

    fn block_comment(&mut self) {
        let start = self.pos;
        let body = start + 2;
        match self.bytes[body..].windows(2).position(|w| w == b"*/") {
            Some(p) => self.pos = body + p + 2,
            None => {
                self.pos = self.bytes.len();
                // The opener only: the comment itself runs to the end of the file.
                self.error(
                    start,
                    body,
                    "unterminated block comment: missing the closing `*/`".to_string(),
                );
            }
        }
        self.comment(start, CommentKind::Block);
    }

    /// Lexes a string starting at the quote; an unterminated string ends at the line break.
    fn string(&mut self, quote: u8) -> TokenKind {
        let start = self.pos;
        let mut value = std::mem::take(&mut self.str_value);
        value.clear();
        let mut i = start + 1;
        let mut seg = i;
        let mut closed = false;
        while let Some(&b) = self.bytes.get(i) {
            if b == quote {
                value.push_str(&self.text[seg..i]);
                i += 1;
                closed = true;
                break;
            }
            match b {
                b'\\' => {
                    value.push_str(&self.text[seg..i]);
                    i = self.escape(i, quote, &mut value);
                    seg = i;
                }
                b'\n' | b'\r' => break,
                0..=0x1F => {
                    self.error(
                        i,
                        i + 1,
                        format!(
                            "control character U+{b:04X} must be escaped inside a string \
                             (for a tab write `\\t`)"
                        ),
                    );
                    i += 1;
                }
                _ => i += 1,
            }
        }
        if !closed {
            value.push_str(&self.text[seg..i]);
            let q = if quote == b'"' { "\"" } else { "'" };
            self.error(
                start,
                i,
                format!("unterminated string: missing the closing `{q}`"),
            );
        }
        if quote == b'\'' {
            self.error(
                start,
                i,
                "single-quoted strings are not valid JSON; use double quotes".to_string(),
            );
        }
        self.pos = i;
        self.str_value = value;
        self.str_closed = closed;
        TokenKind::Str
    }

    /// Decodes the escape whose backslash is at `i`; returns the index after it.
    fn escape(&mut self, i: usize, quote: u8, out: &mut String) -> usize {
        let Some(&e) = self.bytes.get(i + 1) else {
            return i + 1;
        };
        let simple = match e {
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            b'/' => Some('/'),
            b'b' => Some('\u{08}'),
            b'f' => Some('\u{0C}'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            // Only reachable inside a single-quoted string, which is reported already.
            b'\'' if quote == b'\'' => Some('\''),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            return i + 2;
        }
        if e == b'u' {
            return self.unicode_escape(i, out);
        }
        if e == b'\n' || e == b'\r' {
            // Leave the line break to end the (unterminated) string.
            self.error(
                i,
                i + 1,
                "a backslash cannot continue a string onto the next line".to_string(),
            );
            return i + 1;
        }
        let c = self.char_at(i + 1).unwrap_or('\u{FFFD}');
        let end = i + 1 + c.len_utf8();
        self.error(
            i,
            end,
            format!(
                "invalid escape `\\{c}`; JSON allows `\\\"` `\\\\` `\\/` `\\b` `\\f` `\\n` `\\r` \
                 `\\t` and `\\uXXXX`"
            ),
        );
        out.push(c);
        end
    }

    fn hex4(&self, at: usize) -> Result<u32, usize> {
        let mut v = 0u32;
        for k in 0..4 {
            match self
                .bytes
                .get(at + k)
                .and_then(|&b| (b as char).to_digit(16))
            {
                Some(d) => v = v * 16 + d,
                None => return Err(k),
            }
        }
        Ok(v)
    }

    /// `\uXXXX`, joining surrogate pairs; a lone surrogate decodes to U+FFFD (Python keeps it).
    fn unicode_escape(&mut self, i: usize, out: &mut String) -> usize {
        let hi = match self.hex4(i + 2) {
            Ok(v) => v,
            Err(digits) => {
                let end = i + 2 + digits;
                self.error(
                    i,
                    end,
                    "invalid `\\u` escape: expected four hex digits".to_string(),
                );
                out.push('\u{FFFD}');
                return end;
            }
        };
        if (0xD800..0xDC00).contains(&hi) && self.bytes.get(i + 6..i + 8) == Some(b"\\u") {
            if let Ok(lo) = self.hex4(i + 8) {
                if (0xDC00..0xE000).contains(&lo) {
                    let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                    return i + 12;
                }
            }
        }
        out.push(char::from_u32(hi).unwrap_or('\u{FFFD}'));
        i + 6
    }

    /// Lexes a maximal number-like run and checks it against JSON's number grammar.
    fn number(&mut self) -> TokenKind {
        let start = self.pos;
        let mut i = start + 1;
        while let Some(&b) = self.bytes.get(i) {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-' | b'_') {
                i += 1;
            } else {
                break;
            }
        }
        self.pos = i;
        match number_problem(&self.bytes[start..i]) {
            None => TokenKind::Number,
            Some(problem) => {
                let raw = snippet(&self.text[start..i]);
                let message = match problem {
                    NumberProblem::Plus => {
                        format!("`{raw}`: a leading `+` is not allowed in JSON numbers")
                    }
                    NumberProblem::Hex => format!(
                        "`{raw}`: hexadecimal numbers are not valid JSON; write the decimal value"
                    ),
                    NumberProblem::LeadingZero => {
                        format!("`{raw}`: leading zeros are not allowed in JSON numbers")
                    }
                    NumberProblem::NoIntegerDigit => {
                        format!("`{raw}`: a JSON number needs a digit before `.` (write `0.5`)")
                    }
                    NumberProblem::NoFractionDigit => {
                        format!("`{raw}`: a JSON number needs a digit after `.` (write `5.0`)")
                    }
                    NumberProblem::NoExponentDigit => {
                        format!("`{raw}`: the exponent of a JSON number needs digits")
                    }
                    NumberProblem::NonFinite => format!(
                        "`{raw}` is not valid JSON; only finite numbers are allowed (use a \
                         number or `null`)"
                    ),
                    NumberProblem::NoDigit => {
                        format!("`{raw}` is not a valid number: expected a digit after `-`")
                    }
                    NumberProblem::Trailing => format!("`{raw}` is not a valid JSON number"),
                };
                self.error(start, i, message);
                TokenKind::BadNumber
            }
        }
    }

    fn word_or_unknown(&mut self) -> TokenKind {
        let start = self.pos;
        let mut i = start;
        while let Some(c) = self.char_at(i) {
            let ok = if c.is_ascii() {
                c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '-')
            } else {
                c.is_alphanumeric()
            };
            if !ok || (i == start && c == '-') {
                break;
            }
            i += c.len_utf8();
        }
        if i == start {
            // One whole char, so ranges stay on char boundaries.
            self.pos += self.char_at(start).map_or(1, char::len_utf8);
            return TokenKind::Unknown;
        }
        self.pos = i;
        match &self.text[start..i] {
            "true" => TokenKind::True,
            "false" => TokenKind::False,
            "null" => TokenKind::Null,
            _ => TokenKind::Word,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum NumberProblem {
    Plus,
    Hex,
    LeadingZero,
    NoIntegerDigit,
    NoFractionDigit,
    NoExponentDigit,
    NonFinite,
    NoDigit,
    Trailing,
}

/// Checks `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`, the grammar of Python's `json`.
fn number_problem(s: &[u8]) -> Option<NumberProblem> {
    let digits = |from: usize| s[from..].iter().take_while(|b| b.is_ascii_digit()).count();
    let mut i = 0;
    match s.first() {
        Some(b'+') => return Some(NumberProblem::Plus),
        Some(b'-') => i = 1,
        _ => {}
    }
    match s.get(i) {
        Some(b'0') => {
            i += 1;
            match s.get(i) {
                Some(b'x' | b'X') => return Some(NumberProblem::Hex),
                Some(b'0'..=b'9') => return Some(NumberProblem::LeadingZero),
                _ => {}
            }
        }
        Some(b'1'..=b'9') => i += digits(i),
        Some(b'.') => return Some(NumberProblem::NoIntegerDigit),
        Some(b'I' | b'N') if matches!(&s[i..], b"Infinity" | b"NaN") => {
            return Some(NumberProblem::NonFinite)
        }
        _ => return Some(NumberProblem::NoDigit),
    }
    if s.get(i) == Some(&b'.') {
        i += 1;
        let n = digits(i);
        if n == 0 {
            return Some(NumberProblem::NoFractionDigit);
        }
        i += n;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let n = digits(i);
        if n == 0 {
            return Some(NumberProblem::NoExponentDigit);
        }
        i += n;
    }
    (i != s.len()).then_some(NumberProblem::Trailing)
}

/// Token text for a message, cut short (on a char boundary) when long.
pub(crate) fn snippet(s: &str) -> String {
    const MAX: usize = 40;
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_string(),
    }
}
