//! A YAML document as the same tree the JSON parser builds, with byte ranges in the YAML text,
//! so that every analysis runs on an hb_compile YAML (and the quant_config written inside it)
//! unchanged. Read event by event with saphyr's parser (a maintained YAML 1.2 library); never a
//! hand-written YAML reader.
//!
//! Plain scalars take the types of YAML's core schema (`1024` is a number, `true` a boolean,
//! `~` null); quoted scalars are strings. Only the first document of a stream is read. A YAML
//! error ends the reading: the tree is then absent and the error is the one syntax error.

use std::borrow::Cow;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::{Array, Key, Member, Number, Object, Parse, Str, SyntaxError, SyntaxErrorKind};
use super::{Value, ValueKind};
use crate::text::TextRange;

/// Reads the first YAML document of `text`.
///
/// PyYAML, which the toolchain reads with, accepts a flow mapping whose continuation lines are
/// indented no deeper than its key (`node_info: {` … `}` at the key's column), which YAML 1.2
/// and saphyr reject; real hb_compile YAMLs are written so. When the strict reading fails, such
/// lines are indented one column past their key and the text is read again, with every range
/// mapped back to the user's text.
pub fn parse_yaml(text: &str) -> Parse {
    if let Some(parse) = read_with_json_quant_config(text) {
        return parse;
    }
    read_yaml(text)
}

/// [`parse_yaml`] without the JSON shortcut.
fn read_yaml(text: &str) -> Parse {
    let strict = read(text);
    if strict.errors.is_empty() {
        return strict;
    }
    let Some((relaxed, shifts)) = relax_flow_indentation(text) else {
        return strict;
    };
    let mut parse = read(&relaxed);
    if !parse.errors.is_empty() {
        return strict;
    }
    if let Some(root) = parse.root.as_mut() {
        root.map_offsets(|o| original(o, &shifts));
    }
    parse
}

/// The quant_config written as a JSON-like flow mapping (`quant_config: {"model_config": …}`, as
/// real YAMLs and the scripts that write them have it) read with the JSON parser, about ten
/// times faster than saphyr on a 2,000-entry mapping, and the rest of the YAML with saphyr, the
/// mapping's text blanked so that every offset stays. Only when the mapping is JSON but for
/// trailing commas (which YAML allows); anything else is read by saphyr alone.
fn read_with_json_quant_config(text: &str) -> Option<Parse> {
    let start = flow_mapping_start(text, "quant_config")?;
    let end = flow_mapping_end(text, start)?;
    let region = &text[start..end];
    let mut inner = super::parse(region);
    let only_trailing_commas = inner
        .errors
        .iter()
        .all(|e| e.message == "trailing comma is not allowed in JSON");
    if !only_trailing_commas || !inner.comments.is_empty() {
        return None;
    }
    let mut value = inner.root.take()?;
    value.map_offsets(|o| o + start);
    graft(text, value)
}

/// [`parse_yaml`] of a YAML whose inline quant_config (a JSON-like flow mapping) is known
/// already: `inline` is its tree, ranges in `text` (the one an edit re-parsed in place). `None`
/// when the rest of the YAML does not read, or puts no quant_config there.
pub fn parse_yaml_with_inline(text: &str, inline: &Value) -> Option<Parse> {
    graft(text, inline.clone())
}

/// The YAML of `text` read by saphyr with `{}` in place of the flow mapping `value` stands
/// for, and `value` put in its place.
fn graft(text: &str, value: Value) -> Option<Parse> {
    let (start, end) = (value.range.start, value.range.end);
    let region = text.get(start..end)?;
    if !region.starts_with('{') || !region.ends_with('}') {
        return None;
    }
    // The YAML with `{}` in place of the mapping; what follows it moves back by the mapping's
    // length less two.
    let mut skeleton = String::with_capacity(text.len() - region.len() + 2);
    skeleton.push_str(&text[..start]);
    skeleton.push_str("{}");
    skeleton.push_str(&text[end..]);
    let mut parse = read_yaml(&skeleton);
    if !parse.errors.is_empty() {
        return None;
    }
    if let Some(root) = parse.root.as_mut() {
        let (from, by) = (start + 2, region.len() - 2);
        root.map_offsets(|o| if o >= from { o + by } else { o });
    }
    let slot = parse
        .root
        .as_mut()
        .and_then(|root| member_value_mut(root, "calibration_parameters"))
        .and_then(|section| member_value_mut(section, "quant_config"))
        .filter(|v| v.range.start == start)?;
    *slot = value;
    Some(parse)
}

fn member_value_mut<'v>(value: &'v mut Value, key: &str) -> Option<&'v mut Value> {
    match &mut value.kind {
        ValueKind::Object(o) => o
            .members
            .iter_mut()
            .rev()
            .find(|m| m.key.text == key)?
            .value
            .as_mut(),
        _ => None,
    }
}

/// The `{` of `key: {` on a line of its own, indented (inside a section): where a flow
/// mapping such as `quant_config: {` or `node_info: {` opens, found in the text so that it
/// works while the YAML cannot be read as a whole.
pub fn flow_mapping_start(text: &str, key: &str) -> Option<usize> {
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        let rest = trimmed
            .strip_prefix(key)
            .and_then(|r| r.strip_prefix(':'))
            .filter(|_| indent > 0);
        if let Some(rest) = rest {
            let after = rest.trim_start_matches([' ', '\t']);
            if after.starts_with('{') {
                return Some(line_start + line.len() - after.len());
            }
        }
        line_start += line.len();
    }
    None
}

/// Just after the `}` that closes the flow mapping opening at `start` (JSON strings skipped).
fn flow_mapping_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The YAML before the line of its first error, read on its own: while the user types in the
/// inline quant_config, the sections before it (the model, the march) still say what the
/// config is checked against. `None` when `parse` has no error or the prefix reads no better.
pub fn parse_yaml_prefix(text: &str, parse: &Parse) -> Option<Parse> {
    let error = parse.errors.first()?;
    let line_start = text[..error.range.start.min(text.len())]
        .rfind('\n')
        .map_or(0, |n| n + 1);
    let prefix = read(&text[..line_start]);
    (prefix.errors.is_empty() && prefix.root.is_some()).then_some(prefix)
}

/// Where spaces were inserted: (offset of the line start in the relaxed text, spaces inserted
/// before that line, spaces inserted at it).
type Shifts = Vec<(usize, usize, usize)>;

/// `text` with the lines inside a multi-line flow collection indented one column past the block
/// line that opened it, when they are not; `None` when no line needed it.
fn relax_flow_indentation(text: &str) -> Option<(String, Shifts)> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut shifts = Vec::new();
    let mut added = 0usize;
    let mut depth = 0usize;
    let mut opener_indent = 0usize;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let blank = line.trim().is_empty();
        if depth == 0 {
            opener_indent = indent;
        } else if !blank && indent <= opener_indent {
            let more = opener_indent + 1 - indent;
            shifts.push((out.len(), added, more));
            out.extend(std::iter::repeat_n(' ', more));
            added += more;
        }
        out.push_str(line);
        depth = flow_depth_after(line, depth);
    }
    (!shifts.is_empty()).then_some((out, shifts))
}

/// The flow nesting after `line`, starting at `depth` (quoted strings and comments skipped).
fn flow_depth_after(line: &str, mut depth: usize) -> usize {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('"'), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') if prev.is_whitespace() => break,
            (None, '{' | '[') => depth += 1,
            (None, '}' | ']') => depth = depth.saturating_sub(1),
            _ => {}
        }
        prev = c;
    }
    depth
}

/// A relaxed-text offset in the user's text.
fn original(offset: usize, shifts: &Shifts) -> usize {
    let i = shifts.partition_point(|&(start, _, _)| start <= offset);
    match i.checked_sub(1).map(|k| shifts[k]) {
        None => offset,
        Some((start, before, more)) if offset < start + more => start - before,
        Some((_, before, more)) => offset - before - more,
    }
}

/// Reads the first YAML document of `text` as it is.
fn read(text: &str) -> Parse {
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
                if depth > super::MAX_DEPTH {
                    errors.push(SyntaxError {
                        range: offsets.range(span),
                        kind: SyntaxErrorKind::Syntax,
                        message: format!("nesting deeper than {} levels", super::MAX_DEPTH),
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
                        text: value.into_owned(),
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
                            colon: Some(TextRange::empty(key.range.end)),
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
                        colon: Some(TextRange::empty(key.range.end)),
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
            value: value.into_owned(),
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
        value: value.into_owned(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Value {
        let p = parse_yaml(text);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        p.root.expect("a document")
    }

    #[test]
    fn block_and_flow_mappings_have_byte_ranges() {
        let text = "é: 1\ncalibration_parameters:\n  quant_config: {\"op_config\": {\"softmax\": {\"qtype\": \"int32\"}},}\n  b:\n    k: 'v' # c\n    l: [1, 2]\n";
        let r = root(text);
        let top = r.as_object().unwrap();
        assert_eq!(top.members[0].key.text, "é");
        let cal = top
            .get_value("calibration_parameters")
            .unwrap()
            .as_object()
            .unwrap();
        let qc = cal.get_value("quant_config").unwrap();
        assert_eq!(
            &text[qc.range.start..qc.range.end],
            "{\"op_config\": {\"softmax\": {\"qtype\": \"int32\"}},}"
        );
        let op = qc.as_object().unwrap().get_value("op_config").unwrap();
        let softmax = &op.as_object().unwrap().members[0];
        assert_eq!(
            &text[softmax.key.range.start..softmax.key.range.end],
            "\"softmax\""
        );
        let qtype = softmax
            .value
            .as_ref()
            .unwrap()
            .as_object()
            .unwrap()
            .get_value("qtype")
            .unwrap();
        assert_eq!(&text[qtype.range.start..qtype.range.end], "\"int32\"");
        let b = cal.get_value("b").unwrap().as_object().unwrap();
        let k = b.get_value("k").unwrap();
        assert_eq!(&text[k.range.start..k.range.end], "'v'");
        assert_eq!(k.as_str(), Some("v"));
        let l = b.get_value("l").unwrap();
        assert_eq!(&text[l.range.start..l.range.end], "[1, 2]");
    }

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        let r = root("a: 1024\nb: 0.99\nc: true\nd: ~\ne: int16\nf: '1'\ng: 1e3\n");
        let o = r.as_object().unwrap();
        let n = o.get_value("a").unwrap().as_number().unwrap();
        assert!(n.is_integer && n.value == 1024.0);
        assert!(!o.get_value("b").unwrap().as_number().unwrap().is_integer);
        assert_eq!(o.get_value("c").unwrap().as_bool(), Some(true));
        assert!(o.get_value("d").unwrap().is_null());
        assert_eq!(o.get_value("e").unwrap().as_str(), Some("int16"));
        assert_eq!(o.get_value("f").unwrap().as_str(), Some("1"));
        assert!(o.get_value("g").unwrap().as_number().is_some());
    }

    #[test]
    fn a_block_mapping_ends_with_its_last_value() {
        let text = "quant_config:\n  model_config:\n    all_node_type: 'int16'   \n# done\n";
        let r = root(text);
        let qc = r.as_object().unwrap().get_value("quant_config").unwrap();
        assert_eq!(
            &text[qc.range.start..qc.range.end],
            "model_config:\n    all_node_type: 'int16'"
        );
    }

    #[test]
    fn an_error_is_one_syntax_error_in_bytes() {
        let text = "é: [1, 2\nb: c";
        let p = parse_yaml(text);
        assert!(p.root.is_none());
        assert_eq!(p.errors.len(), 1);
        assert!(text.is_char_boundary(p.errors[0].range.start));
        assert!(p.errors[0].message.starts_with("YAML syntax error"));
    }

    #[test]
    fn flow_mappings_closed_at_their_keys_column_read_as_pyyaml_reads_them() {
        // YAML 1.2 wants the lines of the flow mapping indented past `node_info`; PyYAML (and
        // so the toolchain) does not.
        let text = "model_parameters:\n  node_info: {\n    \"/a/Softmax\": {\n      'ON': 'BPU',\n    },\n  }\n\ninput_parameters:\n  input_name: \"\"\n";
        let r = root(text);
        let params = r
            .as_object()
            .unwrap()
            .get_value("model_parameters")
            .unwrap();
        let info = params.as_object().unwrap().get_value("node_info").unwrap();
        assert_eq!(
            &text[info.range.start..info.range.end],
            "{\n    \"/a/Softmax\": {\n      'ON': 'BPU',\n    },\n  }"
        );
        let entry = &info.as_object().unwrap().members[0];
        assert_eq!(
            &text[entry.key.range.start..entry.key.range.end],
            "\"/a/Softmax\""
        );
        let on = entry
            .value
            .as_ref()
            .unwrap()
            .as_object()
            .unwrap()
            .get_value("ON")
            .unwrap();
        assert_eq!(&text[on.range.start..on.range.end], "'BPU'");
        assert!(r.as_object().unwrap().get("input_parameters").is_some());
    }

    /// The JSON-like inline quant_config read by the JSON parser gives the tree saphyr gives.
    #[test]
    fn a_json_like_inline_config_reads_the_same_both_ways() {
        let texts = [
            "calibration_parameters:\n  cal_data_dir: './c'\n  quant_config: {\n    \"model_config\": {\"all_node_type\": \"int16\", \"activation\": {\"max_percentile\": 0.99, \"num_bin\": [1024, 2048]}},\n    \"node_config\": {\"/a/b\": {\"qtype\": \"int8\"}, \"é\": {},},\n  }\ncompiler_parameters:\n  jobs: 4\n",
            "model_parameters:\n  march: nash-e\ncalibration_parameters:\n  quant_config: {\"op_config\": {\"softmax\": {\"qtype\": \"int32\"}}}\n",
        ];
        // The colon's range is the JSON parser's own detail (the YAML reader has none).
        fn without_colons(mut p: Parse) -> Parse {
            let mut stack: Vec<&mut Value> = p.root.iter_mut().collect();
            while let Some(v) = stack.pop() {
                match &mut v.kind {
                    ValueKind::Object(o) => {
                        for m in &mut o.members {
                            m.colon = None;
                            stack.extend(m.value.as_mut());
                        }
                    }
                    ValueKind::Array(a) => stack.extend(a.elements.iter_mut()),
                    _ => {}
                }
            }
            p
        }
        for text in texts {
            let fast = read_with_json_quant_config(text).expect("read the JSON way");
            let slow = read_yaml(text);
            assert_eq!(without_colons(fast), without_colons(slow), "{text}");
        }
        // Not JSON (an unquoted key, a single quote): saphyr alone.
        let text =
            "calibration_parameters:\n  quant_config: {model_config: {all_node_type: 'int16'}}\n";
        assert!(read_with_json_quant_config(text).is_none());
        assert!(parse_yaml(text).errors.is_empty());
    }

    #[test]
    fn keys_without_values_and_empty_documents() {
        let r = root("a:\nb: 1\n");
        let o = r.as_object().unwrap();
        assert!(o
            .get("a")
            .unwrap()
            .value
            .as_ref()
            .is_none_or(Value::is_null));
        assert!(parse_yaml("").root.is_none());
        assert!(parse_yaml("# only a comment\n").root.is_none());
    }
}
