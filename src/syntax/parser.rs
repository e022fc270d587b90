//! The recovering parser: records an error, resynchronises on `,` `}` `]` and goes on, so one
//! mistake does not hide the rest of the document.

use super::lexer::{snippet, Lexer, Token, TokenKind};
use super::{
    Array, Colon, Comment, CompactStr, Key, Member, Number, Object, Parse, Str, SyntaxError,
    SyntaxErrorKind, Value, ValueKind,
};
use crate::text::TextRange;

/// Containers nested deeper than this are skipped (one error, an `Invalid` node). It bounds the
/// recursion here and in the derived `Drop`/`Clone`/`Debug` of the tree. Python's `json` gives
/// up near 1000 levels (`RecursionError`); real configs are 4 deep.
pub const MAX_DEPTH: usize = 512;

mod split;
#[cfg(test)]
pub(super) use split::split_point;
use split::Split;
pub use split::{parse_on_two_cores, parse_split_at};

/// Parses JSONC text as the quant_config toolchain reads it (comment stripping + `json.loads`).
///
/// Never fails: every problem is in `Parse::errors`, and the tree keeps every key and value
/// that can still be recognised. Containers missing their closer have `closed == false` and a
/// range that ends where parsing of them stopped.
pub fn parse(text: &str) -> Parse {
    Parser::new(Lexer::new(text), 0).document_parse()
}

/// Parses the one member of an object that `text[start..end]` must hold, as the full parser
/// would at `depth` (ranges stay absolute). `None` unless the range is exactly one complete
/// member (key, colon, value) with no error of any kind: anything else needs the context that
/// only a full parse has.
pub(super) fn parse_member(
    text: &str,
    start: usize,
    end: usize,
    depth: usize,
) -> Option<(Member, Vec<Comment>)> {
    text.get(start..end)?;
    let limited = text.get(..end)?;
    let mut p = Parser::new(Lexer::starting_at(limited, start), depth);
    p.tok.start = start;
    p.tok.end = start;
    p.bump();
    if p.tok.start != start || p.tok.kind != TokenKind::Str {
        return None;
    }
    let member = p.member()?;
    let complete =
        member.colon.is_some() && member.value.as_ref().is_some_and(|v| v.range.end == end);
    if !complete || p.tok.kind != TokenKind::Eof || !p.lexer.errors.is_empty() {
        return None;
    }
    Some((member, p.lexer.comments))
}

struct Parser<'t> {
    lexer: Lexer<'t>,
    /// The current (not yet consumed) token.
    tok: Token,
    depth: usize,
    /// Enclosing containers, so a closer of the other kind can end an unclosed inner one.
    open_objects: usize,
    open_arrays: usize,
    /// Set after a structural error until something parses cleanly, to avoid cascades.
    recovering: bool,
    eof_reported: bool,
    depth_reported: bool,
    /// The members of the objects being parsed, innermost last (see [`Items`]).
    members: Vec<Member>,
    /// The same for the elements of arrays.
    elements: Vec<Value>,
    /// The deepest nesting reached.
    deepest: usize,
    /// Where a second thread parses members meanwhile ([`parse_split_at`]).
    split: Option<Split>,
    /// Whether the second thread's members were taken.
    taken: bool,
}

/// The members (or elements) of one object (array) being parsed.
///
/// While few, they wait on the parser's shared stack, and the object takes them off the top
/// when it ends, into a `Vec` of exactly their number: growing a `Vec` per object left room for
/// four members in each one-member node_config entry, two thirds of the tree of a big config.
/// Once there are [`OWN_VEC_AFTER`], they move to a `Vec` of their own: the 100,000 members of
/// a big node_config are then neither copied once more nor kept twice (the stack grown to
/// their number was 17 MB freed after each parse).
struct Items<T> {
    first: usize,
    own: Option<Vec<T>>,
}

const OWN_VEC_AFTER: usize = 4096;

impl<T> Items<T> {
    fn start(stack: &[T]) -> Self {
        Items {
            first: stack.len(),
            own: None,
        }
    }

    fn push(&mut self, stack: &mut Vec<T>, item: T) {
        if let Some(own) = &mut self.own {
            own.push(item);
            return;
        }
        stack.push(item);
        if stack.len() - self.first >= OWN_VEC_AFTER {
            let mut own = Vec::with_capacity(2 * OWN_VEC_AFTER);
            own.extend(stack.drain(self.first..));
            self.own = Some(own);
        }
    }

    /// Pushes all of `items`, with room made for them at once.
    fn append(&mut self, stack: &mut Vec<T>, items: Vec<T>) {
        let own = self.own.get_or_insert_with(|| {
            let mut own = Vec::with_capacity(stack.len() - self.first + items.len());
            own.extend(stack.drain(self.first..));
            own
        });
        own.reserve_exact(items.len());
        own.extend(items);
    }

    fn finish(self, stack: &mut Vec<T>) -> Vec<T> {
        match self.own {
            // Shrinking by less than half keeps the block where it is (mimalloc and glibc):
            // no copy, and the pages past the end were never touched.
            Some(mut own) => {
                own.shrink_to_fit();
                own
            }
            None => stack.drain(self.first..).collect(),
        }
    }
}

fn is_value_start(kind: TokenKind) -> bool {
    use TokenKind::*;
    matches!(
        kind,
        LBrace | LBracket | Str | Number | True | False | Null | Word | BadNumber | Unknown
    )
}

impl<'t> Parser<'t> {
    fn new(lexer: Lexer<'t>, depth: usize) -> Self {
        Parser {
            lexer,
            tok: Token {
                kind: TokenKind::Eof,
                start: 0,
                end: 0,
            },
            depth,
            open_objects: depth,
            open_arrays: 0,
            recovering: false,
            eof_reported: false,
            depth_reported: false,
            members: Vec::new(),
            elements: Vec::new(),
            deepest: 0,
            split: None,
            taken: false,
        }
    }

    /// The whole text as one document.
    fn document_parse(&mut self) -> Parse {
        self.bump();
        let root = self.document();
        let mut errors = std::mem::take(&mut self.lexer.errors);
        // Lexical and structural errors are found in slightly different orders.
        errors.sort_by_key(|e| (e.range.start, e.range.end));
        Parse {
            root,
            errors,
            comments: std::mem::take(&mut self.lexer.comments),
        }
    }

    fn bump(&mut self) {
        self.tok = self.lexer.next_token();
    }

    fn error(&mut self, range: TextRange, message: String) {
        self.lexer.errors.push(SyntaxError {
            range,
            kind: SyntaxErrorKind::Syntax,
            message,
        });
    }

    /// An error about what was expected at the current token. At the end of the file only the
    /// first such error is kept: one "unexpected end of file" instead of one per open brace.
    fn expected(&mut self, what: &str) {
        if self.tok.kind == TokenKind::Eof {
            if !self.eof_reported {
                self.eof_reported = true;
                let at = self.tok.start;
                self.error(
                    TextRange::new(at, at),
                    format!("unexpected end of file: expected {what}"),
                );
            }
            return;
        }
        if self.recovering {
            return;
        }
        self.recovering = true;
        let found = self.describe(self.tok);
        self.error(self.tok.range(), format!("expected {what}, found {found}"));
    }

    fn describe(&self, t: Token) -> String {
        let text = &self.lexer.text()[t.start..t.end];
        match t.kind {
            TokenKind::Eof => "end of file".to_string(),
            TokenKind::Str => format!("the string `{}`", snippet(text)),
            _ => format!("`{}`", snippet(text)),
        }
    }

    fn document(&mut self) -> Option<Value> {
        if self.tok.kind == TokenKind::Eof {
            self.error(
                TextRange::new(0, 0),
                "empty document: expected a JSON value (a quant_config is an object `{ … }`)"
                    .to_string(),
            );
            return None;
        }
        let root = loop {
            if self.tok.kind == TokenKind::Eof {
                self.expected("a JSON value");
                break None;
            }
            if let Some(v) = self.value() {
                break Some(v);
            }
            self.expected("a JSON value");
            self.bump();
        };
        if self.tok.kind != TokenKind::Eof {
            let found = self.describe(self.tok);
            self.error(
                self.tok.range(),
                format!(
                    "unexpected {found} after the top-level value; a JSON document holds exactly \
                     one value"
                ),
            );
            // Later tokens are not part of the tree, but their lexical errors still count.
            while self.tok.kind != TokenKind::Eof {
                self.bump();
            }
        }
        root
    }

    /// Parses a value if the current token can start one; consumes nothing otherwise.
    ///
    /// This, `object`, `member` and `array` are the recursion; everything else they need is
    /// kept in separate non-inlined functions so their stack frames stay small in debug builds.
    fn value(&mut self) -> Option<Value> {
        match self.tok.kind {
            TokenKind::LBrace | TokenKind::LBracket if self.depth >= MAX_DEPTH => {
                Some(self.skip_too_deep())
            }
            TokenKind::LBrace => Some(self.object()),
            TokenKind::LBracket => Some(self.array()),
            _ => self.leaf(),
        }
    }

    /// A scalar (or an invalid token in value position); `None` for punctuation and EOF.
    #[inline(never)]
    fn leaf(&mut self) -> Option<Value> {
        let t = self.tok;
        let kind = match t.kind {
            TokenKind::Str => ValueKind::String(Str {
                value: CompactStr::new(&self.lexer.str_value),
                closed: self.lexer.str_closed,
            }),
            TokenKind::Number => {
                let raw = &self.lexer.text()[t.start..t.end];
                ValueKind::Number(Number {
                    raw: raw.to_string(),
                    // The lexer checked the grammar; Rust and Python both give inf for 1e400.
                    value: raw.parse().unwrap_or(f64::NAN),
                    is_integer: !raw.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')),
                })
            }
            TokenKind::True => ValueKind::Bool(true),
            TokenKind::False => ValueKind::Bool(false),
            TokenKind::Null => ValueKind::Null,
            TokenKind::Word => {
                let word = &self.lexer.text()[t.start..t.end];
                let message = word_message(word);
                self.error(t.range(), message);
                ValueKind::Invalid
            }
            // The lexer explained what is wrong with the number.
            TokenKind::BadNumber => ValueKind::Invalid,
            TokenKind::Unknown => {
                let found = self.describe(t);
                self.error(
                    t.range(),
                    format!("unexpected character {found}: expected a JSON value"),
                );
                ValueKind::Invalid
            }
            _ => return None,
        };
        self.bump();
        self.recovering = false;
        Some(Value {
            range: t.range(),
            kind,
        })
    }

    fn object(&mut self) -> Value {
        let start = self.tok.start;
        self.bump();
        self.depth += 1;
        self.deepest = self.deepest.max(self.depth);
        self.open_objects += 1;
        let mut members = Items::start(&self.members);
        let mut closed = false;
        // True when a key (not a separator) is due next.
        let mut want_key = true;
        let mut comma: Option<TextRange> = None;
        let end = loop {
            let t = self.tok;
            match t.kind {
                TokenKind::RBrace => {
                    if let Some(c) = comma {
                        self.error(c, "trailing comma is not allowed in JSON".to_string());
                    }
                    closed = true;
                    self.bump();
                    self.recovering = false;
                    break t.end;
                }
                TokenKind::Eof => {
                    self.expected("`}`");
                    break t.start;
                }
                TokenKind::RBracket if self.open_arrays > 0 => {
                    // Most likely the `}` was forgotten and the `]` closes an enclosing array.
                    self.expected(if want_key {
                        "a property name or `}`"
                    } else {
                        "`,` or `}`"
                    });
                    break t.start;
                }
                TokenKind::Comma => {
                    if want_key {
                        self.expected("a property name in double quotes");
                    }
                    comma = Some(t.range());
                    want_key = true;
                    self.bump();
                    continue;
                }
                _ if !want_key => {
                    self.expected("`,` or `}` after a member");
                    // A string here is almost always the next key after a forgotten comma.
                    if t.kind != TokenKind::Str {
                        self.skip_one();
                        continue;
                    }
                }
                _ => {}
            }
            comma = None;
            if want_key && self.split.as_ref().is_some_and(|s| s.at == t.start) {
                if let Some(tail) = self.take_tail() {
                    members.append(&mut self.members, tail.members);
                    self.lexer.comments.extend(tail.comments);
                    self.lexer.seek(tail.end);
                    self.bump();
                    self.recovering = false;
                    want_key = false;
                    self.taken = true;
                    continue;
                }
            }
            match self.member() {
                Some(m) => {
                    members.push(&mut self.members, m);
                    want_key = false;
                }
                None => {
                    self.expected("a property name in double quotes");
                    self.skip_one();
                }
            }
        };
        self.open_objects -= 1;
        self.depth -= 1;
        let members = members.finish(&mut self.members);
        Value {
            range: TextRange::new(start, end),
            kind: ValueKind::Object(Object { members, closed }),
        }
    }

    /// A member starting at the current token, or `None` (nothing consumed) if it cannot be a
    /// key.
    fn member(&mut self) -> Option<Member> {
        let key = self.key()?;
        self.bump();
        self.recovering = false;
        let colon = if self.tok.kind == TokenKind::Colon {
            let at = self.tok.start;
            self.bump();
            Some(Colon::at(at))
        } else {
            self.expected("`:` after the property name");
            None
        };
        let value = if colon.is_some() {
            let v = self.value();
            if v.is_none() {
                self.expected("a value after `:`");
            }
            v
        } else if is_value_start(self.tok.kind) && self.tok.kind != TokenKind::Str {
            // `{"a" 1}`: take the value; a string is more likely the next key.
            self.value()
        } else {
            None
        };
        Some(Member { key, colon, value })
    }

    /// The key at the current token (not consumed), reporting an unquoted one.
    #[inline(never)]
    fn key(&mut self) -> Option<Key> {
        let t = self.tok;
        match t.kind {
            TokenKind::Str => Some(Key {
                text: CompactStr::new(&self.lexer.str_value),
                range: t.range(),
                quoted: true,
            }),
            TokenKind::Word | TokenKind::Number | TokenKind::BadNumber => {
                let word = &self.lexer.text()[t.start..t.end];
                let text = word.to_string();
                self.error(
                    t.range(),
                    format!(
                        "property names must be strings in double quotes: write `\"{}\"`",
                        snippet(word)
                    ),
                );
                Some(Key {
                    text: text.into(),
                    range: t.range(),
                    quoted: false,
                })
            }
            _ => None,
        }
    }

    fn array(&mut self) -> Value {
        let start = self.tok.start;
        self.bump();
        self.depth += 1;
        self.deepest = self.deepest.max(self.depth);
        self.open_arrays += 1;
        let mut elements = Items::start(&self.elements);
        let mut closed = false;
        let mut want_value = true;
        let mut comma: Option<TextRange> = None;
        let end = loop {
            let t = self.tok;
            match t.kind {
                TokenKind::RBracket => {
                    if let Some(c) = comma {
                        self.error(c, "trailing comma is not allowed in JSON".to_string());
                    }
                    closed = true;
                    self.bump();
                    self.recovering = false;
                    break t.end;
                }
                TokenKind::Eof => {
                    self.expected("`]`");
                    break t.start;
                }
                TokenKind::RBrace if self.open_objects > 0 => {
                    self.expected(if want_value {
                        "a value or `]`"
                    } else {
                        "`,` or `]`"
                    });
                    break t.start;
                }
                TokenKind::Comma => {
                    if want_value {
                        self.expected("a value");
                    }
                    comma = Some(t.range());
                    want_value = true;
                    self.bump();
                    continue;
                }
                TokenKind::Colon | TokenKind::RBrace => {
                    self.expected(if want_value { "a value" } else { "`,` or `]`" });
                    self.bump();
                    continue;
                }
                _ if !want_value => {
                    // A forgotten comma: report it, then take the value anyway.
                    self.expected("`,` or `]` after an element");
                }
                _ => {}
            }
            comma = None;
            match self.value() {
                Some(v) => {
                    elements.push(&mut self.elements, v);
                    want_value = false;
                }
                // Every remaining token kind starts a value; guard progress regardless.
                None => self.bump(),
            }
        };
        self.open_arrays -= 1;
        self.depth -= 1;
        let elements = elements.finish(&mut self.elements);
        Value {
            range: TextRange::new(start, end),
            kind: ValueKind::Array(Array { elements, closed }),
        }
    }

    /// Skips one junk token; a junk container is parsed (for its errors) and dropped.
    fn skip_one(&mut self) {
        if matches!(self.tok.kind, TokenKind::LBrace | TokenKind::LBracket) {
            let recovering = self.recovering;
            let _ = self.value();
            self.recovering = recovering;
        } else if self.tok.kind != TokenKind::Eof {
            self.bump();
        }
    }

    /// Skips a container nested deeper than `MAX_DEPTH` without building nodes or recursing.
    fn skip_too_deep(&mut self) -> Value {
        let start = self.tok.start;
        if !self.depth_reported {
            self.depth_reported = true;
            self.error(
                self.tok.range(),
                format!("nesting deeper than {MAX_DEPTH} levels is not supported"),
            );
        }
        let mut level = 0usize;
        let end = loop {
            let t = self.tok;
            match t.kind {
                TokenKind::LBrace | TokenKind::LBracket => level += 1,
                TokenKind::RBrace | TokenKind::RBracket => {
                    level -= 1;
                    if level == 0 {
                        self.bump();
                        break t.end;
                    }
                }
                TokenKind::Eof => {
                    self.expected("a closing bracket");
                    break t.start;
                }
                _ => {}
            }
            self.bump();
        };
        Value {
            range: TextRange::new(start, end),
            kind: ValueKind::Invalid,
        }
    }
}

/// Explains a bare word found where a value belongs, saying what would be valid.
fn word_message(word: &str) -> String {
    let w = snippet(word);
    match word {
        // Python's `json.loads` reads these, but they are not JSON and no valid setting.
        "NaN" | "Infinity" => format!(
            "`{w}` is not valid JSON; only finite numbers are allowed (use a number or `null`)"
        ),
        "None" | "nil" | "undefined" | "NULL" | "Null" => {
            format!("`{w}` is not valid JSON; use `null`")
        }
        _ if word.eq_ignore_ascii_case("true") => format!("`{w}` is not valid JSON; use `true`"),
        _ if word.eq_ignore_ascii_case("false") => {
            format!("`{w}` is not valid JSON; use `false`")
        }
        _ => format!(
            "expected a value, found `{w}`: strings must be in double quotes (`\"{w}\"`); \
             valid values are strings, numbers, objects, arrays, `true`, `false` and `null`"
        ),
    }
}
