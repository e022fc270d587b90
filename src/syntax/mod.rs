//! A recovering JSONC parser: a tree with byte ranges that exists even when the text is broken.

use crate::text::TextRange;

/// The result of parsing a document. `root` is `None` only when the text holds no value at all.
#[derive(Clone, Debug, Default)]
pub struct Parse {
    pub root: Option<Value>,
    pub errors: Vec<SyntaxError>,
    pub comments: Vec<Comment>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyntaxErrorKind {
    /// Anything Python's `json.loads` (after comment stripping) rejects.
    Syntax,
    /// A `#` comment, which the toolchain does not strip.
    HashComment,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxError {
    pub range: TextRange,
    pub kind: SyntaxErrorKind,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentKind {
    Line,
    Block,
    Hash,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    pub range: TextRange,
    pub kind: CommentKind,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub range: TextRange,
    pub kind: ValueKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    Object(Object),
    Array(Array),
    String(Str),
    Number(Number),
    Bool(bool),
    Null,
    /// A token that is no JSON value (`NaN`, `'x'`, a bare word); an error was recorded.
    Invalid,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Str {
    /// The decoded value (escapes resolved).
    pub value: String,
    /// False when the closing quote is missing (the user is typing).
    pub closed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Number {
    pub raw: String,
    pub value: f64,
    /// True when Python would read it as an `int` (no `.`, `e` or `E`).
    pub is_integer: bool,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Object {
    pub members: Vec<Member>,
    pub closed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub key: Key,
    pub colon: Option<TextRange>,
    pub value: Option<Value>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The decoded key text.
    pub text: String,
    /// The key token, quotes included.
    pub range: TextRange,
    /// False for an unquoted word used as a key (an error was recorded).
    pub quoted: bool,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Array {
    pub elements: Vec<Value>,
    pub closed: bool,
}
