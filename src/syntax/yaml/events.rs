//! saphyr's events into the tree the JSON parser builds, ranges in bytes.

use std::borrow::Cow;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::syntax::{Array, Key, Member, Number, Object, Parse, Str, SyntaxError, SyntaxErrorKind};
use crate::syntax::{Colon, Value, ValueKind};
use crate::text::TextRange;

/// Reads the first YAML document of `text` as it is.
pub(super) fn read(text: &str) -> Parse {
    let offsets = CharOffsets::new(text);
    let mut reader = Reader {
        text,
        offsets: &offsets,
        stack: Vec::new(),
        root: None,
    };
    let mut parser = Parser::new_from_str(text);
    let mut errors = Vec::new();
    let mut depth = 0usize;
    while let Some(next) = parser.next_event() {
        match next {
            Ok((Event::DocumentEnd, _)) if depth == 0 && reader.root.is_some() => break,
            Ok((event, span)) => {
                match &event {
                    Event::MappingStart(..) | Event::SequenceStart(..) => depth += 1,
                    Event::MappingEnd | Event::SequenceEnd => depth = depth.saturating_sub(1),
                    _ => {}
                }
                // Containers nested past the JSON parser's limit are not read (the stack of
                // the tree's drop is what bounds it).
                if depth > crate::syntax::MAX_DEPTH {
                    errors.push(SyntaxError {
                        range: offsets.range(span),
                        kind: SyntaxErrorKind::Syntax,
                        message: format!("nesting deeper than {} levels", crate::syntax::MAX_DEPTH),
                    });
                    return Parse {
                        root: None,
                        errors,
                        comments: Vec::new(),
                    };
                }
                reader.event(event, span);
            }
            Err(e) => {
                let at = offsets.byte(e.marker().index());
                let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                errors.push(SyntaxError {
                    range: TextRange::new(at, end),
                    kind: SyntaxErrorKind::Syntax,
                    message: format!("YAML syntax error: {}", e.info()),
                });
                return Parse {
                    root: None,
                    errors,
                    comments: Vec::new(),
                };
            }
        }
    }
    Parse {
        root: reader.root,
        errors,
        comments: Vec::new(),
    }
}

/// saphyr counts positions in characters; the tree counts bytes.
struct CharOffsets {
    /// The byte offset of each char index, and the text's length last.
    bytes: Vec<usize>,
}

impl CharOffsets {
    fn new(text: &str) -> Self {
        let mut bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        bytes.push(text.len());
        CharOffsets { bytes }
    }

    fn byte(&self, char_index: usize) -> usize {
        let last = self.bytes.len() - 1;
        self.bytes[char_index.min(last)]
    }

    fn range(&self, span: Span) -> TextRange {
        TextRange::new(self.byte(span.start.index()), self.byte(span.end.index()))
    }
}

enum Building {
    Map {
        start: usize,
        flow: bool,
        members: Vec<Member>,
        key: Option<Key>,
    },
    Seq {
        start: usize,
        flow: bool,
        elements: Vec<Value>,
    },
}

struct Reader<'t> {
    text: &'t str,
    offsets: &'t CharOffsets,
    stack: Vec<Building>,
    root: Option<Value>,
}

impl Reader<'_> {
    fn event(&mut self, event: Event<'_>, span: Span) {
        let range = self.offsets.range(span);
        match event {
            Event::Scalar(value, style, _, _) => {
                let range = self.scalar_range(range, style);
                if let Some(Building::Map {
                    key: key @ None, ..
                }) = self.stack.last_mut()
                {
                    *key = Some(Key {
                        text: value.into_owned().into(),
                        range,
                        quoted: style != ScalarStyle::Plain,
                    });
                    return;
                }
                let kind = scalar_kind(value, style);
                self.add(Value { range, kind });
            }
            Event::Alias(_) => self.add(Value {
                range,
                kind: ValueKind::Invalid,
            }),
            Event::MappingStart(..) => {
                let flow = self.text[range.start..].starts_with('{');
                self.stack.push(Building::Map {
                    start: range.start,
                    flow,
                    members: Vec::new(),
                    key: None,
                });
            }
            Event::SequenceStart(..) => {
                let flow = self.text[range.start..].starts_with('[');
                self.stack.push(Building::Seq {
                    start: range.start,
                    flow,
                    elements: Vec::new(),
                });
            }
            Event::MappingEnd => {
                if let Some(Building::Map {
                    start,
                    flow,
                    members,
                    key,
                }) = self.stack.pop()
                {
                    let mut members = members;
                    // A key without a value (`a:` at the end) is a member with a null value.
                    if let Some(key) = key {
                        members.push(Member {
                            colon: Some(Colon::empty(key.range.end)),
                            value: None,
                            key,
                        });
                    }
                    let last = members.last().map_or(start + 1, |m| m.range().end);
                    let end = if flow {
                        flow_end(self.text, last, b'}').unwrap_or(range.end.max(last))
                    } else {
                        last
                    };
                    self.add(Value {
                        range: TextRange::new(start, end),
                        kind: ValueKind::Object(Object {
                            members,
                            closed: true,
                        }),
                    });
                }
            }
            Event::SequenceEnd => {
                if let Some(Building::Seq {
                    start,
                    flow,
                    elements,
                }) = self.stack.pop()
                {
                    let last = elements.last().map_or(start + 1, |e| e.range.end);
                    let end = if flow {
                        flow_end(self.text, last, b']').unwrap_or(range.end.max(last))
                    } else {
                        last
                    };
                    self.add(Value {
                        range: TextRange::new(start, end),
                        kind: ValueKind::Array(Array {
                            elements,
                            closed: true,
                        }),
                    });
                }
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd => {}
        }
    }

    /// A finished value: the pending key's value, a list element, or the root.
    fn add(&mut self, value: Value) {
        match self.stack.last_mut() {
            Some(Building::Map { members, key, .. }) => {
                // Without a pending key the value was a collection used as a key
                // (`? [a]: b`): not a quant_config shape, left out.
                if let Some(key) = key.take() {
                    members.push(Member {
                        colon: Some(Colon::empty(key.range.end)),
                        key,
                        value: Some(value),
                    });
                }
            }
            Some(Building::Seq { elements, .. }) => elements.push(value),
            None => {
                if self.root.is_none() {
                    self.root = Some(value);
                }
            }
        }
    }

    /// The range of a scalar token: a quoted one ends at its closing quote (saphyr's span may
    /// run on over the spaces and comment after it), a plain one has no trailing spaces.
    fn scalar_range(&self, range: TextRange, style: ScalarStyle) -> TextRange {
        let bytes = self.text.as_bytes();
        let start = range.start;
        match style {
            ScalarStyle::DoubleQuoted | ScalarStyle::SingleQuoted => {
                let quote = if style == ScalarStyle::DoubleQuoted {
                    b'"'
                } else {
                    b'\''
                };
                let mut i = start + 1;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' if quote == b'"' => i += 2,
                        b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
                        b if b == quote => return TextRange::new(start, i + 1),
                        _ => i += 1,
                    }
                }
                range
            }
            _ => {
                let raw = self.text.get(range.start..range.end).unwrap_or("");
                TextRange::new(start, start + raw.trim_end().len())
            }
        }
    }
}

/// Just after the `closer` of a flow collection whose last entry ends at `from`: saphyr's span
/// of the end may sit on a trailing comma.
fn flow_end(text: &str, from: usize, closer: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while let Some(&b) = bytes.get(i) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' | b',' => i += 1,
            b'#' => i = text[i..].find('\n').map_or(bytes.len(), |n| i + n),
            b if b == closer => return Some(i + 1),
            _ => return None,
        }
    }
    None
}

/// A scalar's value: quoted ones are strings, plain ones follow YAML's core schema.
fn scalar_kind(value: Cow<'_, str>, style: ScalarStyle) -> ValueKind {
    if style != ScalarStyle::Plain {
        return ValueKind::String(Str {
            value: value.into_owned().into(),
            closed: true,
        });
    }
    let v = value.as_ref();
    match v {
        "" | "~" | "null" | "Null" | "NULL" => return ValueKind::Null,
        "true" | "True" | "TRUE" => return ValueKind::Bool(true),
        "false" | "False" | "FALSE" => return ValueKind::Bool(false),
        _ => {}
    }
    if let Some(n) = core_number(v) {
        return ValueKind::Number(n);
    }
    ValueKind::String(Str {
        value: value.into_owned().into(),
        closed: true,
    })
}

/// A number of YAML's core schema: decimal integers, `0o`/`0x` integers, floats, `.inf`, `.nan`.
fn core_number(v: &str) -> Option<Number> {
    let number = |value: f64, is_integer: bool| Number {
        raw: v.to_string(),
        value,
        is_integer,
    };
    let unsigned = v.trim_start_matches(['-', '+']);
    let negative = v.starts_with('-');
    let sign = if negative { -1.0 } else { 1.0 };
    if let Some(hex) = v.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16)
            .ok()
            .map(|n| number(n as f64, true));
    }
    if let Some(oct) = v.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8)
            .ok()
            .map(|n| number(n as f64, true));
    }
    match unsigned {
        ".inf" | ".Inf" | ".INF" => return Some(number(sign * f64::INFINITY, false)),
        ".nan" | ".NaN" | ".NAN" if v == unsigned => return Some(number(f64::NAN, false)),
        _ => {}
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if digits(unsigned) {
        return v.parse::<f64>().ok().map(|n| number(n, true));
    }
    // `1.5`, `.5`, `1.`, `1e3`, `1.5e-3`: a digit somewhere, only float characters.
    let float_chars = unsigned
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
    if float_chars && unsigned.bytes().any(|b| b.is_ascii_digit()) {
        return v.parse::<f64>().ok().map(|n| number(n, false));
    }
    None
}
