//! Where the cursor is, found by scanning the text from its start up to the cursor (the
//! approach of vscode-json-languageservice's `getLocation`). It needs no tree, so it works in
//! any half-typed document: unclosed strings, missing commas, missing closers.

use crate::syntax::{Parse, Value, ValueKind};
use crate::text::TextRange;

/// One step of a path from the root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// A key is (being) typed in the object `path` leads to.
    Key,
    /// A value is (being) typed for the last segment of `path` (a key or an array index).
    Value,
    /// Nowhere useful: inside a comment, after a value, between a key and its colon.
    Other,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cursor {
    pub path: Vec<Seg>,
    pub slot: Slot,
    /// The string (quotes included) or bare word under the cursor. An unclosed string ends at
    /// the cursor.
    pub token: Option<TextRange>,
    /// Keys met in the innermost object before the cursor (not the one being typed). From
    /// [`cursor_in`], without the keys of the members the tree holds before its restart point
    /// (callers read the tree's members anyway).
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Open(bool),
    Close(bool),
    Colon,
    Comma,
    Str { closed: bool },
    Word,
    Comment,
}

/// Scans `text` up to `offset` and says what the cursor is on.
pub fn cursor_at(text: &str, offset: usize) -> Cursor {
    scan(
        text,
        floor_boundary(text, offset),
        Vec::new(),
        State::ExpectValue,
        0,
    )
}

/// [`cursor_at`], starting the scan at the section member (a node_config entry, a
/// model_config key) the cursor is in or after when `parse` shows the text before that
/// member is free of errors: the tree then says what a scan from the start would have found.
/// A key typed at the end of a 6.6 MB node_config is found without scanning 6.6 MB.
pub fn cursor_in(text: &str, parse: &Parse, offset: usize) -> Cursor {
    let offset = floor_boundary(text, offset);
    match restart_point(text, parse, offset) {
        Some((stack, pos)) => scan(text, offset, stack, State::ExpectValue, pos),
        None => cursor_at(text, offset),
    }
}

/// The scanner's frames at the start of the key of the section member that holds or precedes
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
    // Everything before the restart must read the same to the scanner as to the parser.
    // (The member at the restart is scanned from the text, errors and all.)
    if parse.errors.iter().any(|e| e.range.start < restart) {
        return None;
    }
    if object.members[..i]
        .iter()
        .any(|m| m.colon.is_none() || m.value.is_none() || !m.key.quoted)
    {
        return None;
    }
    // After an earlier member the scanner expects a key only once a comma came (a missing one
    // is reported at the restart itself).
    if let Some(prev) = i.checked_sub(1).map(|p| &object.members[p]) {
        let gap = prev.range().end..restart;
        if !has_comma_outside_comments(text, parse, gap) {
            return None;
        }
    }
    let top_keys = top.members[..=s]
        .iter()
        .map(|m| m.key.text.clone())
        .collect();
    let stack = vec![
        Frame {
            link: None,
            is_object: true,
            state: State::ExpectValue,
            key: Some(section.key.text.clone()),
            index: 0,
            keys: top_keys,
        },
        Frame {
            link: Some(Seg::Key(section.key.text.clone())),
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

/// The scan from `pos` (with the frames and root state found up to there) to `offset`.
fn scan(
    text: &str,
    offset: usize,
    mut stack: Vec<Frame>,
    mut root_state: State,
    mut pos: usize,
) -> Cursor {
    let bytes = text.as_bytes();
    loop {
        while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos >= offset || pos >= bytes.len() {
            // Between tokens (or at the end): the state decides.
            return between(&stack, root_state);
        }
        let (tok, end) = next_token(bytes, pos);
        let cursor_inside = match tok {
            Tok::Str { closed: true } => pos < offset && offset < end,
            Tok::Str { closed: false } | Tok::Word => pos < offset && offset <= end,
            Tok::Comment => {
                let is_line = bytes[pos] == b'#' || bytes.get(pos + 1) == Some(&b'/');
                pos < offset && (offset < end || (is_line && offset == end))
            }
            _ => false,
        };
        if cursor_inside {
            if tok == Tok::Comment {
                return other(&stack);
            }
            let token_end = if matches!(tok, Tok::Str { closed: true }) {
                end
            } else {
                offset
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
            c.token = Some(TextRange::new(pos, token_end));
            return c;
        }
        apply(&mut stack, &mut root_state, tok, &text[pos..end]);
        pos = end;
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

fn next_token(b: &[u8], pos: usize) -> (Tok, usize) {
    match b[pos] {
        b'{' => (Tok::Open(true), pos + 1),
        b'[' => (Tok::Open(false), pos + 1),
        b'}' => (Tok::Close(true), pos + 1),
        b']' => (Tok::Close(false), pos + 1),
        b':' => (Tok::Colon, pos + 1),
        b',' => (Tok::Comma, pos + 1),
        b'"' => {
            let mut i = pos + 1;
            while i < b.len() {
                match b[i] {
                    b'\\' => i += 2,
                    b'"' => return (Tok::Str { closed: true }, i + 1),
                    b'\n' | b'\r' => return (Tok::Str { closed: false }, i),
                    _ => i += 1,
                }
            }
            (Tok::Str { closed: false }, b.len())
        }
        b'/' if b.get(pos + 1) == Some(&b'/') => (Tok::Comment, line_end(b, pos)),
        b'#' => (Tok::Comment, line_end(b, pos)),
        b'/' if b.get(pos + 1) == Some(&b'*') => {
            let mut i = pos + 2;
            while i + 1 < b.len() {
                if b[i] == b'*' && b[i + 1] == b'/' {
                    return (Tok::Comment, i + 2);
                }
                i += 1;
            }
            (Tok::Comment, b.len())
        }
        _ => {
            let mut i = pos;
            while i < b.len() && !ends_word(b, i) {
                i += 1;
            }
            (Tok::Word, i.max(pos + 1))
        }
    }
}

/// Whitespace, punctuation, a quote or a comment ends a bare word.
fn ends_word(b: &[u8], i: usize) -> bool {
    b[i].is_ascii_whitespace()
        || matches!(b[i], b'{' | b'}' | b'[' | b']' | b':' | b',' | b'"')
        || (b[i] == b'/' && matches!(b.get(i + 1), Some(b'/' | b'*')))
}

fn line_end(b: &[u8], pos: usize) -> usize {
    b[pos..]
        .iter()
        .position(|&c| c == b'\n' || c == b'\r')
        .map_or(b.len(), |n| pos + n)
}

/// Decodes a string token's text well enough for a key (escapes are rare in keys).
fn token_text(raw: &str) -> String {
    let inner = raw.strip_prefix('"').unwrap_or(raw);
    let inner = inner.strip_suffix('"').unwrap_or(inner);
    if !inner.contains('\\') {
        return inner.to_string();
    }
    serde_json::from_str::<String>(&format!("\"{inner}\"")).unwrap_or_else(|_| inner.to_string())
}

fn value_done(stack: &mut [Frame], root_state: &mut State) {
    match stack.last_mut() {
        Some(f) => f.state = State::AfterValue,
        None => *root_state = State::AfterValue,
    }
}

fn apply(stack: &mut Vec<Frame>, root_state: &mut State, tok: Tok, raw: &str) {
    match tok {
        Tok::Comment => {}
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
                let key = token_text(raw);
                f.key = Some(key.clone());
                f.keys.push(key);
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

/// The value the path leads to in a parsed tree, if the tree has it. For a repeated key the
/// last occurrence is taken (it is the one the toolchain keeps).
pub fn value_at_path<'a>(parse: &'a Parse, path: &[Seg]) -> Option<&'a Value> {
    let mut cur = parse.root.as_ref()?;
    for seg in path {
        cur = match (&cur.kind, seg) {
            (ValueKind::Object(o), Seg::Key(k)) => o
                .members
                .iter()
                .rev()
                .find(|m| &m.key.text == k)?
                .value
                .as_ref()?,
            (ValueKind::Array(a), Seg::Index(i)) => a.elements.get(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixture;

    fn at(s: &str) -> Cursor {
        let (text, offset) = fixture(s);
        cursor_at(&text, offset)
    }

    fn key(k: &str) -> Seg {
        Seg::Key(k.to_string())
    }

    #[test]
    fn key_in_empty_object() {
        let c = at("{ $0 }");
        assert_eq!(c.slot, Slot::Key);
        assert!(c.path.is_empty());
        assert_eq!(c.token, None);
    }

    #[test]
    fn key_in_unclosed_string() {
        let c = at("{\"model_config\": {\"act$0\n");
        assert_eq!(c.slot, Slot::Key);
        assert_eq!(c.path, vec![key("model_config")]);
        assert_eq!(c.token, Some(TextRange::new(18, 22)));
    }

    #[test]
    fn key_in_closed_string_covers_both_quotes() {
        let c = at("{\"model_config\": {\"act$0ivation\": {}}}");
        assert_eq!(c.slot, Slot::Key);
        assert_eq!(c.token, Some(TextRange::new(18, 30)));
    }

    #[test]
    fn value_after_colon() {
        let c = at("{\"node_config\": {\"conv1\": {\"input1\": $0}}}");
        assert_eq!(c.slot, Slot::Value);
        assert_eq!(
            c.path,
            vec![key("node_config"), key("conv1"), key("input1")]
        );
    }

    #[test]
    fn value_in_list() {
        let c = at("{\"model_config\": {\"activation\": {\"calibration_type\": [\"kl\", \"m$0");
        assert_eq!(c.slot, Slot::Value);
        assert_eq!(
            c.path,
            vec![
                key("model_config"),
                key("activation"),
                key("calibration_type"),
                Seg::Index(1)
            ]
        );
    }

    #[test]
    fn missing_comma_starts_a_key() {
        let c = at("{\"model_config\": {}\n  \"op$0");
        assert_eq!(c.slot, Slot::Key);
        assert_eq!(c.keys_before, vec!["model_config".to_string()]);
    }

    #[test]
    fn keys_before_skip_closed_siblings() {
        let c = at("{\"a\": {\"x\": 1}, \"b\": 2, $0");
        assert_eq!(c.slot, Slot::Key);
        assert_eq!(c.keys_before, vec!["a".to_string(), "b".to_string()]);
    }

    #[test]
    fn inside_comment_is_other() {
        assert_eq!(at("{ // \"qt$0\n}").slot, Slot::Other);
        assert_eq!(at("{ /* $0 */ }").slot, Slot::Other);
    }

    #[test]
    fn after_value_is_other() {
        assert_eq!(at("{\"a\": 1 $0}").slot, Slot::Other);
    }

    #[test]
    fn word_value() {
        let c = at("{\"model_config\": {\"activation\": {\"per_channel\": tr$0");
        assert_eq!(c.slot, Slot::Value);
        assert_eq!(c.token, Some(TextRange::new(48, 50)));
    }

    #[test]
    fn offsets_out_of_range_and_inside_chars_are_safe() {
        let c = cursor_at("{\"é\": 1}", 3);
        assert_eq!(c.slot, Slot::Key);
        let _ = cursor_at("{", 100);
        let _ = cursor_at("", 0);
    }

    /// Starting from the tree's restart point finds exactly what a scan from the start finds,
    /// at every offset, in clean documents and in documents broken before or after the point.
    #[test]
    fn the_restarted_scan_equals_the_full_scan() {
        let clean = "{\n  // c\n  \"model_config\": {\"all_node_type\": \"int16\", \"activation\": {\"calibration_type\": [\"max\", \"kl\"]}},\n  \"node_config\": {\n    \"/a\": {\"qtype\": \"int8\"}, /* b */\n    \"/b\": {\"input0\": \"ec\", \"x\": [1, {\"y\": null}]},\n    \"/c\\u0041\": {}\n  }\n}\n";
        let docs = [
            clean.to_string(),
            // Broken after the point, while typing: unclosed key, missing colon, no closers.
            clean.replace("\"/c\\u0041\": {}", "\"/c"),
            clean.replace("\"/c\\u0041\": {}", "\"/c\" {"),
            clean.replace("  }\n}\n", ""),
            // Broken before it: a missing comma (also with a comma in a comment), a hash
            // comment, an unquoted key.
            clean.replace("}, /* b */", "} /* b */"),
            clean.replace("}, /* b */", "} /* b, */"),
            clean.replace("// c", "# c"),
            clean.replace("\"/a\"", "a"),
        ];
        for text in &docs {
            let parse = crate::syntax::parse(text);
            for offset in 0..=text.len() {
                let fast = cursor_in(text, &parse, offset);
                let full = cursor_at(text, offset);
                let at = format!("at {offset} in {text}");
                assert_eq!(
                    (&fast.path, fast.slot, fast.token),
                    (&full.path, full.slot, full.token),
                    "{at}"
                );
                // Only keys of members the tree holds may be left out, from the front.
                assert!(full.keys_before.ends_with(&fast.keys_before), "{at}");
                let left_out = &full.keys_before[..full.keys_before.len() - fast.keys_before.len()];
                let tree_keys: Vec<&str> = value_at_path(&parse, &full.path)
                    .and_then(Value::as_object)
                    .map(|o| o.members.iter().map(|m| m.key.text.as_str()).collect())
                    .unwrap_or_default();
                assert!(
                    left_out.iter().all(|k| tree_keys.contains(&k.as_str())),
                    "{at}"
                );
            }
        }
        // The point is used where it can be: in the last entry of the clean document.
        let parse = crate::syntax::parse(clean);
        let offset = clean.find("/c").expect("last key");
        assert_eq!(
            restart_point(clean, &parse, offset).map(|(_, pos)| pos),
            Some(offset - 1)
        );
    }
}
