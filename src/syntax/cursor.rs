//! Where the cursor is: the one answer completion, hover and code actions all ask for.
//!
//! Found by reading the tokens of the text (the parser's own [`Lexer`]) from its start up to
//! the cursor, the approach of vscode-json-languageservice's `getLocation`: it needs no tree,
//! so it works in any half-typed document (unclosed strings, missing commas, missing closers).
//! When the tree shows that the text before the section member the cursor is in is free of
//! errors, the reading starts at that member instead: a key typed at the end of a 6.6 MB
//! node_config is found without reading 6.6 MB. The tree's member and value at the cursor,
//! when it has them, are looked up from the result ([`Cursor::member`], [`Cursor::value`]).

use super::lexer::{Lexer, TokenKind};
use super::{Member, Parse, Value, ValueKind};
use crate::text::TextRange;

/// One step of a path from the root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// A key is (being) typed, or the cursor is on one, in the object `path` leads to.
    Key,
    /// A value is (being) typed, or the cursor is on one, for the last segment of `path`.
    Value,
    /// Nowhere useful: inside a comment, after a value, between a key and its colon.
    Other,
}

/// Which token an offset between two characters belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bias {
    /// What is left of the offset: where typing goes on (completion). An offset just before a
    /// string is not in it; one just after an unclosed string or a word is.
    Typing,
    /// The character at the offset: what the mouse or the block cursor is on (hover, code
    /// actions for a range).
    Char,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cursor {
    pub path: Vec<Seg>,
    pub slot: Slot,
    /// The string (quotes included) or bare word under the cursor. With [`Bias::Typing`] an
    /// unclosed string ends at the cursor.
    pub token: Option<TextRange>,
    /// Keys met in the innermost object before the cursor (not the one being typed), without
    /// the keys of the members the tree holds before the restart point (callers that need
    /// every key read the tree's members anyway).
    pub keys_before: Vec<String>,
}

impl Cursor {
    /// The key segments of the path, array indices skipped.
    pub fn keys(&self) -> Vec<&str> {
        self.path
            .iter()
            .filter_map(|s| match s {
                Seg::Key(k) => Some(k.as_str()),
                Seg::Index(_) => None,
            })
            .collect()
    }

    /// The tree's member whose key is the token under the cursor ([`Slot::Key`]).
    pub fn member<'p>(&self, parse: &'p Parse) -> Option<&'p Member> {
        let token = self.token.filter(|_| self.slot == Slot::Key)?;
        let object = node_at(parse, &self.path, token.start)?.as_object()?;
        object.members.iter().find(|m| m.key.range == token)
    }

    /// The tree's value that is the token under the cursor ([`Slot::Value`]).
    pub fn value<'p>(&self, parse: &'p Parse) -> Option<&'p Value> {
        let token = self.token.filter(|_| self.slot == Slot::Value)?;
        node_at(parse, &self.path, token.start).filter(|v| v.range == token)
    }
}

/// Where the cursor at `offset` is. `parse` is the text's tree: it lets the reading start at
/// the section member the cursor is in, and nothing else depends on it.
pub fn cursor_at(text: &str, parse: &Parse, offset: usize, bias: Bias) -> Cursor {
    let offset = floor_boundary(text, offset);
    match restart_point(text, parse, offset) {
        Some((stack, pos)) => scan(text, offset, bias, stack, State::ExpectValue, pos),
        None => read_from_start(text, offset, bias),
    }
}

/// [`cursor_at`] reading from `start` (a value's first character, e.g. the `{` of the
/// quant_config written as a flow mapping inside a YAML) as if the document began there; the
/// path is relative to that value. Works while the text around is not valid YAML.
pub fn cursor_from(text: &str, start: usize, offset: usize, bias: Bias) -> Cursor {
    let offset = floor_boundary(text, offset);
    let start = floor_boundary(text, start).min(offset);
    scan(text, offset, bias, Vec::new(), State::ExpectValue, start)
}

/// The cursor found in the tree alone (what the character at `offset` is), for documents read
/// by another front end (an hb_compile YAML): the same [`Cursor`], with [`Slot::Other`] where no
/// key or scalar value lies.
pub fn cursor_in_tree(parse: &Parse, offset: usize) -> Cursor {
    let mut path = Vec::new();
    let done = |path: Vec<Seg>, slot, token| Cursor {
        path,
        slot,
        token,
        keys_before: Vec::new(),
    };
    let inside = |r: TextRange| r.start <= offset && offset < r.end;
    let Some(mut cur) = parse.root.as_ref() else {
        return done(path, Slot::Other, None);
    };
    loop {
        match &cur.kind {
            ValueKind::Object(o) => {
                if let Some(m) = o.members.iter().find(|m| inside(m.key.range)) {
                    return done(path, Slot::Key, Some(m.key.range));
                }
                match o
                    .members
                    .iter()
                    .find_map(|m| m.value.as_ref().filter(|v| inside(v.range)).map(|v| (m, v)))
                {
                    Some((m, v)) => {
                        path.push(Seg::Key(m.key.text.to_string()));
                        cur = v;
                    }
                    None => return done(path, Slot::Other, None),
                }
            }
            ValueKind::Array(a) => match a.elements.iter().position(|e| inside(e.range)) {
                Some(i) => {
                    path.push(Seg::Index(i));
                    cur = &a.elements[i];
                }
                None => return done(path, Slot::Other, None),
            },
            _ if inside(cur.range) && !path.is_empty() => {
                return done(path, Slot::Value, Some(cur.range))
            }
            _ => return done(path, Slot::Other, None),
        }
    }
}

/// [`cursor_at`] reading the whole text up to the cursor (what the restart must agree with).
fn read_from_start(text: &str, offset: usize, bias: Bias) -> Cursor {
    scan(
        text,
        floor_boundary(text, offset),
        bias,
        Vec::new(),
        State::ExpectValue,
        0,
    )
}

/// The value `path` leads to in the tree. Where an object repeats a key, the member that
/// holds `at` is taken, else the last one (the one the toolchain keeps).
pub fn node_at<'p>(parse: &'p Parse, path: &[Seg], at: usize) -> Option<&'p Value> {
    let mut cur = parse.root.as_ref()?;
    for seg in path {
        cur = match (&cur.kind, seg) {
            (ValueKind::Object(o), Seg::Key(k)) => {
                let mut named = o.members.iter().rev().filter(|m| &m.key.text == k);
                let last = named.clone().next()?;
                named
                    .find(|m| m.range().contains_inclusive(at))
                    .unwrap_or(last)
                    .value
                    .as_ref()?
            }
            (ValueKind::Array(a), Seg::Index(i)) => a.elements.get(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    ExpectKey,
    ExpectColon,
    ExpectValue,
    AfterValue,
}

#[derive(Debug)]
struct Frame {
    /// The parent's key or index that leads here (`None` for the root).
    link: Option<Seg>,
    is_object: bool,
    state: State,
    key: Option<String>,
    index: usize,
    keys: Vec<String>,
}

/// The tokens the cursor reading tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Open(bool),
    Close(bool),
    Colon,
    Comma,
    Str {
        closed: bool,
    },
    /// A number, `true`/`false`/`null`, or any other bare word or character.
    Word,
}

fn tok(kind: TokenKind, closed: bool) -> Option<Tok> {
    Some(match kind {
        TokenKind::LBrace => Tok::Open(true),
        TokenKind::LBracket => Tok::Open(false),
        TokenKind::RBrace => Tok::Close(true),
        TokenKind::RBracket => Tok::Close(false),
        TokenKind::Colon => Tok::Colon,
        TokenKind::Comma => Tok::Comma,
        TokenKind::Str => Tok::Str { closed },
        TokenKind::Number
        | TokenKind::True
        | TokenKind::False
        | TokenKind::Null
        | TokenKind::Word
        | TokenKind::BadNumber
        | TokenKind::Unknown => Tok::Word,
        TokenKind::Eof => return None,
    })
}

/// The reader's frames at the start of the key of the section member that holds or precedes
/// `offset`, and that position.
fn restart_point(text: &str, parse: &Parse, offset: usize) -> Option<(Vec<Frame>, usize)> {
    let top = parse.root.as_ref()?.as_object()?;
    let s = top.members.iter().position(|m| {
        m.colon.is_some()
            && m.value
                .as_ref()
                .is_some_and(|v| v.range.start < offset && offset < v.range.end)
    })?;
    let section = &top.members[s];
    let object = section.value.as_ref()?.as_object()?;
    let i = object
        .members
        .partition_point(|m| m.key.range.start <= offset)
        .checked_sub(1)?;
    let restart = object.members[i].key.range.start;
    // Everything before the restart must read the same to the reader as to the parser.
    // (The member at the restart is read from the text, errors and all.)
    if parse.errors.iter().any(|e| e.range.start < restart) {
        return None;
    }
    if object.members[..i]
        .iter()
        .any(|m| m.colon.is_none() || m.value.is_none() || !m.key.quoted)
    {
        return None;
    }
    // After an earlier member the reader expects a key only once a comma came (a missing one
    // is reported at the restart itself).
    if let Some(prev) = i.checked_sub(1).map(|p| &object.members[p]) {
        let gap = prev.range().end..restart;
        if !has_comma_outside_comments(text, parse, gap) {
            return None;
        }
    }
    let top_keys = top.members[..=s]
        .iter()
        .map(|m| m.key.text.to_string())
        .collect();
    let stack = vec![
        Frame {
            link: None,
            is_object: true,
            state: State::ExpectValue,
            key: Some(section.key.text.to_string()),
            index: 0,
            keys: top_keys,
        },
        Frame {
            link: Some(Seg::Key(section.key.text.to_string())),
            is_object: true,
            state: State::ExpectKey,
            key: None,
            index: 0,
            // The tree has them (see `Cursor::keys_before`).
            keys: Vec::new(),
        },
    ];
    Some((stack, restart))
}

fn has_comma_outside_comments(text: &str, parse: &Parse, gap: std::ops::Range<usize>) -> bool {
    let Some(bytes) = text.as_bytes().get(gap.clone()) else {
        return false;
    };
    let first = parse.comments.partition_point(|c| c.range.end <= gap.start);
    let comments = &parse.comments[first..];
    bytes.iter().enumerate().any(|(k, &b)| {
        let at = gap.start + k;
        b == b','
            && !comments
                .iter()
                .take_while(|c| c.range.start <= at)
                .any(|c| at < c.range.end)
    })
}

/// Reads tokens from `pos` (with the frames and root state found up to there) to `offset`.
fn scan(
    text: &str,
    offset: usize,
    bias: Bias,
    mut stack: Vec<Frame>,
    mut root_state: State,
    pos: usize,
) -> Cursor {
    let mut lexer = Lexer::starting_at(text, pos);
    let mut comments_seen = 0;
    loop {
        let token = lexer.next_token();
        // A comment the lexer skipped on the way may hold the cursor.
        for c in &lexer.comments[comments_seen..] {
            let (start, end) = (c.range.start, c.range.end);
            let is_line = !text[start..].starts_with("/*");
            let inside = match bias {
                Bias::Typing => start < offset && (offset < end || (is_line && offset == end)),
                Bias::Char => start <= offset && offset < end,
            };
            if inside {
                return other(&stack);
            }
        }
        comments_seen = lexer.comments.len();
        let (start, end) = (token.start, token.end);
        let past = match bias {
            Bias::Typing => start >= offset,
            Bias::Char => start > offset,
        };
        let Some(tok) = tok(token.kind, lexer.str_closed).filter(|_| !past) else {
            // Between tokens (or at the end): the state decides.
            return between(&stack, root_state);
        };
        let inside = match (bias, tok) {
            (Bias::Typing, Tok::Str { closed: true }) => start < offset && offset < end,
            (Bias::Typing, Tok::Str { closed: false } | Tok::Word) => {
                start < offset && offset <= end
            }
            (Bias::Char, Tok::Str { .. } | Tok::Word) => start <= offset && offset < end,
            _ => false,
        };
        if inside {
            let token_end = match (bias, tok) {
                (Bias::Typing, Tok::Str { closed: false } | Tok::Word) => offset,
                _ => end,
            };
            let mut c = between(&stack, root_state);
            if c.slot == Slot::Other && tok == Tok::Word {
                return c;
            }
            // A string after a value (missing comma) starts a new key.
            if c.slot == Slot::Other {
                if let Some(f) = stack.last() {
                    if f.is_object && matches!(f.state, State::ExpectColon | State::AfterValue) {
                        c = key_cursor(&stack);
                    }
                }
            }
            c.token = Some(TextRange::new(start, token_end));
            return c;
        }
        let key = match tok {
            Tok::Str { .. } => std::mem::take(&mut lexer.str_value),
            _ => text[start..end].to_string(),
        };
        apply(&mut stack, &mut root_state, tok, key);
    }
}

/// Moves an offset back onto a char boundary and into the text.
fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while !text.is_char_boundary(o) {
        o -= 1;
    }
    o
}

fn value_done(stack: &mut [Frame], root_state: &mut State) {
    match stack.last_mut() {
        Some(f) => f.state = State::AfterValue,
        None => *root_state = State::AfterValue,
    }
}

/// One token read: `text` is a string's decoded value or a word's text.
fn apply(stack: &mut Vec<Frame>, root_state: &mut State, tok: Tok, text: String) {
    match tok {
        Tok::Open(is_object) => {
            let link = stack.last().map(|f| {
                if f.is_object {
                    Seg::Key(f.key.clone().unwrap_or_default())
                } else {
                    Seg::Index(f.index)
                }
            });
            stack.push(Frame {
                link,
                is_object,
                state: if is_object {
                    State::ExpectKey
                } else {
                    State::ExpectValue
                },
                key: None,
                index: 0,
                keys: Vec::new(),
            });
        }
        Tok::Close(is_object) => {
            // Pop up to the matching kind; a stray closer is ignored.
            if let Some(i) = stack.iter().rposition(|f| f.is_object == is_object) {
                stack.truncate(i);
                value_done(stack, root_state);
            }
        }
        Tok::Colon => {
            if let Some(f) = stack.last_mut() {
                if f.is_object {
                    f.state = State::ExpectValue;
                }
            }
        }
        Tok::Comma => {
            if let Some(f) = stack.last_mut() {
                if f.is_object {
                    f.state = State::ExpectKey;
                    f.key = None;
                } else {
                    f.index += 1;
                    f.state = State::ExpectValue;
                }
            }
        }
        Tok::Str { .. } | Tok::Word => match stack.last_mut() {
            Some(f) if f.is_object && f.state != State::ExpectValue => {
                // A key; after a value this is a missing comma, which we forgive.
                f.key = Some(text.clone());
                f.keys.push(text);
                f.state = State::ExpectColon;
            }
            _ => value_done(stack, root_state),
        },
    }
}

fn path_of(stack: &[Frame]) -> Vec<Seg> {
    stack.iter().filter_map(|f| f.link.clone()).collect()
}

fn key_cursor(stack: &[Frame]) -> Cursor {
    Cursor {
        path: path_of(stack),
        slot: Slot::Key,
        token: None,
        keys_before: stack.last().map(|f| f.keys.clone()).unwrap_or_default(),
    }
}

fn other(stack: &[Frame]) -> Cursor {
    Cursor {
        path: path_of(stack),
        slot: Slot::Other,
        token: None,
        keys_before: Vec::new(),
    }
}

fn between(stack: &[Frame], root_state: State) -> Cursor {
    let Some(f) = stack.last() else {
        return Cursor {
            path: Vec::new(),
            slot: if root_state == State::ExpectValue {
                Slot::Value
            } else {
                Slot::Other
            },
            token: None,
            keys_before: Vec::new(),
        };
    };
    match (f.is_object, f.state) {
        (true, State::ExpectKey) => key_cursor(stack),
        (true, State::ExpectValue) => {
            let mut path = path_of(stack);
            path.push(Seg::Key(f.key.clone().unwrap_or_default()));
            Cursor {
                path,
                slot: Slot::Value,
                token: None,
                keys_before: Vec::new(),
            }
        }
        (false, State::ExpectValue) => {
            let mut path = path_of(stack);
            path.push(Seg::Index(f.index));
            Cursor {
                path,
                slot: Slot::Value,
                token: None,
                keys_before: Vec::new(),
            }
        }
        _ => other(stack),
    }
}

#[cfg(test)]
pub(super) fn read_whole(text: &str, offset: usize, bias: Bias) -> Cursor {
    read_from_start(text, offset, bias)
}

#[cfg(test)]
pub(super) fn restart_at(text: &str, parse: &Parse, offset: usize) -> Option<usize> {
    restart_point(text, parse, offset).map(|(_, pos)| pos)
}
