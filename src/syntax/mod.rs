//! A recovering JSONC parser: a tree with byte ranges that exists even when the text is broken.
//!
//! [`parse`] accepts exactly what the toolchain accepts (`//` and `/* */` comments stripped,
//! then Python's `json.loads`), except `NaN`/`Infinity`, which Python reads but the quant_config contract rejects.
//! `#` comments are treated as comments for the tree but reported as
//! [`SyntaxErrorKind::HashComment`]. [`cursor_at`] says where a cursor is, for completion,
//! hover and code actions alike.
//!
//! The tokenizer is our own (`lexer.rs`), not `jsonc_parser::Scanner`: matching Python exactly
//! (whitespace set, control characters, lone surrogates, partial strings, word tokens) would
//! have meant overriding most of what the scanner does; see `lexer.rs` for the list.

use std::hash::BuildHasher;

use crate::text::TextRange;

mod compact_str;
mod cursor;
mod incremental;
pub(crate) mod lexer;
mod parser;
#[cfg(test)]
mod tests;
mod yaml;

pub use compact_str::CompactStr;
pub use cursor::{cursor_at, cursor_from, cursor_in_tree, node_at, Bias, Cursor, Seg, Slot};
pub use incremental::Splice;
pub use parser::{parse, parse_on_two_cores, parse_split_at, MAX_DEPTH};
pub use yaml::{
    flow_mapping_start, is_plain_scalar, parse_yaml, parse_yaml_prefix, parse_yaml_with_inline,
};

/// The result of parsing a document. `root` is `None` only when the text holds no value at all.
#[derive(Clone, Debug, Default, PartialEq)]
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
    pub value: CompactStr,
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
    pub colon: Option<Colon>,
    pub value: Option<Value>,
}

/// Where a member's `:` is: one byte in JSON; in a YAML mapping, an empty range at the end of
/// the key. Four bytes where a [`TextRange`] takes sixteen: a node_config of 100,000 entries
/// is 200,000 members (a member is 112 bytes with it, 128 with a `TextRange`).
///
/// The offset is kept in 31 bits: documents are at most [`crate::analysis::MAX_DOCUMENT_BYTES`];
/// in a text over 2 GiB a colon past that is placed at 2 GiB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Colon(u32);

impl Colon {
    const EMPTY: u32 = 1 << 31;

    /// A `:` of one byte at `offset`.
    pub fn at(offset: usize) -> Colon {
        Colon(Self::offset_bits(offset))
    }

    /// No `:` written (a YAML key), placed at `offset`.
    pub fn empty(offset: usize) -> Colon {
        Colon(Self::offset_bits(offset) | Self::EMPTY)
    }

    fn offset_bits(offset: usize) -> u32 {
        u32::try_from(offset).map_or(Self::EMPTY - 1, |o| o.min(Self::EMPTY - 1))
    }

    /// True for a YAML key's colon, which has no byte of its own.
    pub fn is_empty(self) -> bool {
        self.0 & Self::EMPTY != 0
    }

    pub fn range(self) -> TextRange {
        let start = (self.0 & !Self::EMPTY) as usize;
        TextRange::new(start, start + usize::from(!self.is_empty()))
    }

    /// The same colon with its offset moved through `map`.
    pub fn map(self, map: impl Fn(usize) -> usize) -> Colon {
        let moved = Colon::at(map(self.range().start));
        Colon(moved.0 | (self.0 & Self::EMPTY))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The decoded key text.
    pub text: CompactStr,
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

impl Parse {
    /// How many of the errors are syntax errors (not `#` comments): what a change to the text
    /// must not add.
    pub fn syntax_error_count(&self) -> usize {
        self.errors
            .iter()
            .filter(|e| e.kind == SyntaxErrorKind::Syntax)
            .count()
    }

    /// The root object, when the document is one.
    pub fn root_object(&self) -> Option<&Object> {
        self.root.as_ref().and_then(Value::as_object)
    }
}

impl Value {
    /// Moves every offset of the subtree through `map` (a tree read from another text, or
    /// behind an edit). Iterative: a deep tree cannot overflow the stack.
    pub fn map_offsets(&mut self, map: impl Fn(usize) -> usize) {
        let moved = |r: TextRange| TextRange::new(map(r.start), map(r.end));
        let mut stack = vec![self];
        while let Some(v) = stack.pop() {
            v.range = moved(v.range);
            match &mut v.kind {
                ValueKind::Object(o) => {
                    for m in &mut o.members {
                        m.key.range = moved(m.key.range);
                        m.colon = m.colon.map(|c| c.map(&map));
                        stack.extend(m.value.as_mut());
                    }
                }
                ValueKind::Array(a) => stack.extend(a.elements.iter_mut()),
                _ => {}
            }
        }
    }

    pub fn as_object(&self) -> Option<&Object> {
        match &self.kind {
            ValueKind::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Array> {
        match &self.kind {
            ValueKind::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The decoded text of a string value (also of an unterminated one).
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::String(s) => Some(&s.value),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match &self.kind {
            ValueKind::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            ValueKind::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, ValueKind::Null)
    }
}

impl Object {
    /// The member Python keeps for `key`: the last one (duplicate keys are legal, last wins).
    pub fn get(&self, key: &str) -> Option<&Member> {
        self.members.iter().rev().find(|m| m.key.text == key)
    }

    /// The value of the member `get` returns, if it has one.
    pub fn get_value(&self, key: &str) -> Option<&Value> {
        self.get(key).and_then(|m| m.value.as_ref())
    }

    /// All members in source order, duplicates included.
    pub fn iter(&self) -> std::slice::Iter<'_, Member> {
        self.members.iter()
    }

    /// For each member in source order, whether a later member has the same key. Linear time
    /// (a node_config may have 100,000 members).
    pub fn shadowed(&self) -> Vec<bool> {
        let mut flags = vec![false; self.members.len()];
        for (index, _) in self.shadowed_indices() {
            flags[index] = true;
        }
        flags
    }

    /// Each member a later member with the same key shadows, with the last member of that key
    /// (the one Python keeps), in no particular order.
    pub fn shadowed_by(&self) -> impl Iterator<Item = (&Member, &Member)> {
        self.shadowed_indices()
            .into_iter()
            .map(|(index, last)| (&self.members[index], &self.members[last]))
    }

    /// `(shadowed member, last member of its key)` as indices, in no particular order. Most
    /// objects are a one- or two-member entry of a node_config, compared pairwise without a
    /// table; a bigger one is hashed once, from the end, into a table of its size.
    fn shadowed_indices(&self) -> Vec<(usize, usize)> {
        const PAIRWISE: usize = 8;
        let members = &self.members;
        if members.len() <= PAIRWISE {
            return (0..members.len())
                .filter_map(|i| {
                    let key = members[i].key.text.as_str();
                    (i + 1..members.len())
                        .rev()
                        .find(|&j| members[j].key.text == key)
                        .map(|last| (i, last))
                })
                .collect();
        }
        // Indices only (4 bytes a slot instead of 24 for a key and an index): the table of a
        // 100,000-member node_config is fresh memory, and fresh memory is what costs here.
        let hasher = hashbrown::DefaultHashBuilder::default();
        let key = |i: u32| members[i as usize].key.text.as_str();
        let mut last: hashbrown::HashTable<u32> =
            hashbrown::HashTable::with_capacity(members.len());
        let mut found = Vec::new();
        for (index, member) in members.iter().enumerate().rev() {
            let text = member.key.text.as_str();
            let hash = hasher.hash_one(text);
            match last.find(hash, |&other| key(other) == text) {
                Some(&winner) => found.push((index, winner as usize)),
                None => {
                    last.insert_unique(hash, index as u32, |&i| hasher.hash_one(key(i)));
                }
            }
        }
        found
    }

    /// The members Python keeps (the last of each key), in source order. Linear time.
    pub fn last_members(&self) -> impl Iterator<Item = &Member> {
        self.members
            .iter()
            .zip(self.shadowed())
            .filter_map(|(m, shadowed)| (!shadowed).then_some(m))
    }
}

impl<'a> IntoIterator for &'a Object {
    type Item = &'a Member;
    type IntoIter = std::slice::Iter<'a, Member>;
    fn into_iter(self) -> Self::IntoIter {
        self.members.iter()
    }
}

impl Member {
    /// Moves every offset of the member (key, colon, value subtree) through `map`.
    pub fn map_offsets(&mut self, map: impl Fn(usize) -> usize) {
        self.key.range = TextRange::new(map(self.key.range.start), map(self.key.range.end));
        self.colon = self.colon.map(|c| c.map(&map));
        if let Some(value) = self.value.as_mut() {
            value.map_offsets(&map);
        }
    }

    /// From the start of the key to the end of the value (or colon, or key when missing).
    pub fn range(&self) -> TextRange {
        let end = match (&self.value, self.colon) {
            (Some(v), _) => v.range.end,
            (None, Some(c)) => c.range().end,
            (None, None) => self.key.range.end,
        };
        TextRange::new(self.key.range.start, end)
    }
}

impl Key {
    /// The key's text range without its quotes (the whole range for an unquoted key; up to the
    /// end for an unterminated one). Useful as the replace range of a key completion.
    pub fn inner_range(&self, text: &str) -> TextRange {
        if !self.quoted {
            return self.range;
        }
        let start = (self.range.start + 1).min(self.range.end);
        let end = if self.is_closed(text) {
            self.range.end - 1
        } else {
            self.range.end
        };
        TextRange::new(start, end.max(start))
    }

    /// False for a quoted key whose closing quote is missing (the user is typing it).
    /// `text` is the document the key was parsed from.
    pub fn is_closed(&self, text: &str) -> bool {
        if !self.quoted {
            return true;
        }
        let Some(raw) = text.get(self.range.start..self.range.end) else {
            return false;
        };
        let bytes = raw.as_bytes();
        let Some(&quote) = bytes.first() else {
            return false;
        };
        if bytes.len() < 2 || bytes[bytes.len() - 1] != quote {
            return false;
        }
        // `"ab\\"` is closed, but `"ab\"` (an escaped quote, no closer) is not.
        let backslashes = bytes[1..bytes.len() - 1]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\\')
            .count();
        backslashes % 2 == 0
    }
}

impl Array {
    pub fn iter(&self) -> std::slice::Iter<'_, Value> {
        self.elements.iter()
    }
}
