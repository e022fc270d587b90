//! Quick fixes for the diagnostics of a document. They are computed from the document (its
//! tree, the diagnostics `check` gives for it, and the model), never from what a client sends
//! back, so they work when the client drops a diagnostic's `data`.

use super::check::MODEL_CONFIG_KEYS_AT_TOP;
use super::precision::ec_inputs;
use super::{Code, Diagnostic};
use crate::model::ModelIndex;
use crate::syntax::{Member, Object, Parse, Value, ValueKind};
use crate::text::TextRange;

/// A text replacement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: TextRange,
    pub new_text: String,
}

/// One quick fix for one diagnostic.
#[derive(Clone, Debug, PartialEq)]
pub struct Fix {
    pub title: String,
    /// The fix is clearly the right one (LSP `isPreferred`).
    pub preferred: bool,
    pub edits: Vec<Edit>,
    /// The diagnostic it fixes.
    pub diagnostic: Diagnostic,
}

/// A diagnostic the client sent back in a code-action request (`context.diagnostics`), as far
/// as it can be trusted: where it was and, when it said, its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SentDiagnostic {
    pub range: TextRange,
    pub code: Option<Code>,
}

/// How many diagnostics one request gets fixes for, the first in the document.
pub const MAX_FIXED_PER_REQUEST: usize = 200;

/// Quick fixes for the diagnostics the user asks about: those that touch `range`, those on
/// the lines of `range` (Neovim and Helix send the cursor, not a diagnostic's range), and
/// those the client sent back (located again among `diagnostics`, which are the current
/// text's).
pub fn code_actions(
    text: &str,
    parse: &Parse,
    diagnostics: &[Diagnostic],
    model: Option<&ModelIndex>,
    range: TextRange,
    sent: &[SentDiagnostic],
) -> Vec<Fix> {
    let mut fixes = Vec::new();
    let lines = line_span(text, range);
    let touches = |r: TextRange, d: &Diagnostic| d.range.start <= r.end && r.start <= d.range.end;
    let sent_back = |d: &Diagnostic| {
        sent.iter()
            .any(|s| s.code.is_none_or(|c| c == d.code) && touches(s.range, d))
    };
    let wanted = |d: &&Diagnostic| touches(range, d) || touches(lines, d) || sent_back(d);
    // A range over a whole 100,000-entry file would otherwise ask for a fix of every entry.
    for d in diagnostics
        .iter()
        .filter(wanted)
        .take(MAX_FIXED_PER_REQUEST)
    {
        let searched;
        let d = match model {
            Some(model) if d.wanted_model_search && d.suggestions.is_empty() => {
                searched = with_model_search(text, parse, d, model);
                &searched
            }
            _ => d,
        };
        let ctx = Ctx {
            text,
            root: parse.root.as_ref(),
            parse,
            diagnostic: d,
        };
        let before = fixes.len();
        ctx.structural(model, &mut fixes);
        ctx.replacements(&mut fixes);
        // Several `#` comments: one action for all of them.
        if d.code == Code::HashComment && fixes.len() > before {
            let all: Vec<Edit> = diagnostics
                .iter()
                .filter(|o| o.code == Code::HashComment)
                .filter_map(|o| hash_to_slashes(text, o.range))
                .collect();
            if all.len() > 1 {
                fixes.push(ctx.fix("Turn every `#` comment into `//`", false, all));
            }
        }
    }
    if !parse.errors.is_empty() && is_json_text(text) && text.len() <= MAX_VERIFIED_BYTES {
        keep_those_that_add_no_syntax_error(text, &mut fixes);
    }
    fixes
}

/// A broken document's tree is the parser's best guess, and a fix computed from it can break
/// more (a removal that leaves a trailing comma). Up to this size, such fixes are tried first.
const MAX_VERIFIED_BYTES: usize = 1 << 20;

/// A JSON config (not the YAML text around an inline quant_config): its first token, past
/// comments, opens an object or a list.
fn is_json_text(text: &str) -> bool {
    let mut rest = text.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else {
            return rest.starts_with(['{', '[']);
        }
    }
}

/// How many bytes one request may parse to try its fixes: each fix costs a parse of the whole
/// text, and a request on a long line of a broken document can have 500 fixes (4.5 s for a
/// 550 KB document before this bound). A 1 MB document gets 7 fixes tried, a 50 KB one about
/// 160, most documents every fix.
pub const VERIFIED_BYTES_PER_REQUEST: usize = 8 << 20;

/// Drops the fixes after which the text has more syntax errors than before, and those left
/// untried when [`VERIFIED_BYTES_PER_REQUEST`] is spent.
fn keep_those_that_add_no_syntax_error(text: &str, fixes: &mut Vec<Fix>) {
    // Syntax errors only: a fix may remove a `#` comment (an error of its own) and break the
    // structure, and the two counts would then hide each other.
    let syntax_errors = |text: &str| crate::syntax::parse(text).syntax_error_count();
    let before = syntax_errors(text);
    let mut budget = VERIFIED_BYTES_PER_REQUEST.saturating_sub(text.len());
    fixes.retain(|fix| {
        if budget < text.len() {
            return false;
        }
        budget -= text.len();
        let mut edits = fix.edits.clone();
        edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
        let mut fixed = text.to_string();
        for e in &edits {
            if fixed.get(e.range.start..e.range.end).is_none() {
                return false;
            }
            fixed.replace_range(e.range.start..e.range.end, &e.new_text);
        }
        syntax_errors(&fixed) <= before
    });
}

/// An unknown node name the check left without a whole-model search (the document had too many
/// of them to search all): searched now that its fixes are asked for.
fn with_model_search(text: &str, parse: &Parse, d: &Diagnostic, model: &ModelIndex) -> Diagnostic {
    let mut d = d.clone();
    if let Some(found) = find_key(text, parse, d.range) {
        for name in crate::analysis::model_checks::close_node_names(model, &found.member.key.text) {
            d = d.suggest_str(name);
        }
    }
    d
}

/// From the start of the line of `range.start` to the end of the line of `range.end`.
fn line_span(text: &str, range: TextRange) -> TextRange {
    let bytes = text.as_bytes();
    let start = range.start.min(bytes.len());
    let end = range.end.clamp(start, bytes.len());
    let is_break = |b: &u8| matches!(b, b'\n' | b'\r');
    let line_start = bytes[..start]
        .iter()
        .rposition(is_break)
        .map_or(0, |i| i + 1);
    let line_end = bytes[end..]
        .iter()
        .position(is_break)
        .map_or(bytes.len(), |i| end + i);
    TextRange::new(line_start, line_end)
}

struct Ctx<'a> {
    text: &'a str,
    root: Option<&'a Value>,
    parse: &'a Parse,
    diagnostic: &'a Diagnostic,
}

impl<'a> Ctx<'a> {
    fn fix(&self, title: impl Into<String>, preferred: bool, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            preferred,
            edits,
            diagnostic: self.diagnostic.clone(),
        }
    }

    /// The replacements `check` suggested for the diagnostic's range.
    fn replacements(&self, fixes: &mut Vec<Fix>) {
        let d = self.diagnostic;
        let single = d.suggestions.len() == 1;
        for s in &d.suggestions {
            let title = match d.code {
                Code::LegacyKey => format!("Rename to {s}"),
                Code::OutOfRange => {
                    format!("Change to {s}, the nearest value the toolchain accepts")
                }
                Code::WrongType => format!("Change to {s}"),
                Code::UnknownNode
                    if self.token() != Some(s.as_str()) && is_trim_of(self.token(), s) =>
                {
                    format!("Trim whitespace: {s}")
                }
                _ => format!("Change to {s}"),
            };
            fixes.push(self.fix(title, single, vec![replace(d.range, s)]));
        }
    }

    /// The text of the diagnostic's range.
    fn token(&self) -> Option<&'a str> {
        self.text
            .get(self.diagnostic.range.start..self.diagnostic.range.end)
    }

    /// Fixes that change the shape of the document.
    fn structural(&self, model: Option<&ModelIndex>, fixes: &mut Vec<Fix>) {
        let d = self.diagnostic;
        let Some(root) = self.root else { return };
        match d.code {
            Code::HashComment => {
                if let Some(edit) = hash_to_slashes(self.text, d.range) {
                    fixes.push(self.fix("Turn the `#` comment into `//`", true, vec![edit]));
                }
            }
            Code::EcWrongInput => {
                let Some(found) = find_value(self.text, self.parse, d.range) else {
                    return;
                };
                if let Some(fix) = self.move_ec(&found, model) {
                    fixes.push(fix);
                }
                fixes.push(self.fix("Remove `ec`", false, vec![self.remove(&found)]));
            }
            Code::EcUnsupportedOp | Code::EcMisplaced => {
                let Some(found) = find_value(self.text, self.parse, d.range) else {
                    return;
                };
                let preferred = d.code == Code::EcUnsupportedOp;
                fixes.push(self.fix(
                    "Remove `ec` (it has no effect here)",
                    preferred,
                    vec![self.remove(&found)],
                ));
            }
            Code::NoEffect | Code::OpTypeAbsent | Code::DuplicateKey | Code::UnknownNode => {
                let found = find_key(self.text, self.parse, d.range)
                    .or_else(|| find_value(self.text, self.parse, d.range));
                let Some(found) = found else { return };
                let (title, preferred) = match d.code {
                    Code::DuplicateKey => ("Remove the ignored duplicate", true),
                    Code::UnknownNode => ("Remove this entry", d.suggestions.is_empty()),
                    _ => ("Remove this setting: it has no effect", true),
                };
                // For an unknown tensor in a list, the entry is the element, not the member.
                if d.code == Code::UnknownNode && found.member.key.range != d.range {
                    return;
                }
                fixes.push(self.fix(title, preferred, vec![self.remove(&found)]));
            }
            Code::UnknownKey => {
                let Some(found) = find_key(self.text, self.parse, d.range) else {
                    return;
                };
                let name = found.member.key.text.as_str();
                if found.depth == 1 && MODEL_CONFIG_KEYS_AT_TOP.contains(&name) {
                    if let Some(fix) = self.move_into_model_config(root, &found) {
                        fixes.push(fix);
                    }
                }
            }
            Code::LegacyKey => {
                let Some(found) = find_key(self.text, self.parse, d.range) else {
                    return;
                };
                if found.member.key.text != "ON" {
                    return;
                }
                let qtype = match found.member.value.as_ref().and_then(Value::as_str) {
                    Some("CPU") => "float32",
                    Some("BPU") => "int8",
                    _ => return,
                };
                let key = self.written_like(found.member.key.range, "qtype");
                let value_range = found.member.value.as_ref().map(|v| v.range);
                let value =
                    value_range.map_or(format!("\"{qtype}\""), |r| self.written_like(r, qtype));
                let new_text = format!("{key}: {value}");
                fixes.push(self.fix(
                    format!("Replace with {new_text}"),
                    true,
                    vec![replace(found.member.range(), &new_text)],
                ));
            }
            _ => {}
        }
    }

    /// `"input0": "ec"` on a Conv → `"input1": "ec"`.
    fn move_ec(&self, found: &Found<'a>, model: Option<&ModelIndex>) -> Option<Fix> {
        let index = match found.member.key.text.as_str() {
            "input0" => 0,
            "input1" => 1,
            _ => return None,
        };
        let node_name = found.entry_key.as_deref()?;
        let model = model?;
        let op = model.node(model.nodes_named(node_name).first()?).op_type();
        let target = *ec_inputs(op)?.iter().find(|&&i| i != index)?;
        let target_key = format!("input{target}");
        let edits = match found.parent.get(&target_key) {
            // The other input is set already: give it `ec`, drop this one.
            Some(existing) => {
                let value = existing.value.as_ref()?;
                vec![
                    replace(value.range, &self.written_like(value.range, "ec")),
                    self.remove(found),
                ]
            }
            None => vec![replace(
                found.member.key.range,
                &self.written_like(found.member.key.range, &target_key),
            )],
        };
        Some(self.fix(format!("Move `ec` to {target_key}"), true, edits))
    }

    /// A top-level `activation` (or another model_config key) moved into `model_config`.
    fn move_into_model_config(&self, root: &'a Value, found: &Found<'a>) -> Option<Fix> {
        let top = root.as_object()?;
        let member_text = self
            .text
            .get(found.member.range().start..found.member.range().end)?;
        let name = &found.member.key.text;
        let title = format!("Move \"{name}\" into \"model_config\"");
        let model_config = top.get("model_config");
        if !found.in_flow {
            let edits = self.move_into_block_model_config(found, model_config, member_text)?;
            return Some(self.fix(title, true, edits));
        }
        let edits = match model_config.and_then(|m| m.value.as_ref()) {
            None => vec![replace(
                found.member.range(),
                &format!("\"model_config\": {{{member_text}}}"),
            )],
            Some(value) => {
                let obj = value.as_object()?;
                if !obj.closed {
                    return None;
                }
                let insert = match obj.members.last() {
                    Some(last) => {
                        let indent = self.indent_of(last.key.range.start);
                        Edit {
                            range: TextRange::empty(last.range().end),
                            new_text: format!(",\n{indent}{member_text}"),
                        }
                    }
                    None => Edit {
                        range: TextRange::empty(value.range.start + 1),
                        new_text: member_text.to_string(),
                    },
                };
                vec![self.remove(found), insert]
            }
        };
        Some(self.fix(title, true, edits))
    }

    /// [`Self::move_into_model_config`] in a YAML block mapping: the member's lines are
    /// re-indented to model_config's keys (two spaces deeper than the member when model_config
    /// is written anew). Not offered when model_config is a flow mapping.
    fn move_into_block_model_config(
        &self,
        found: &Found<'a>,
        model_config: Option<&Member>,
        member_text: &str,
    ) -> Option<Vec<Edit>> {
        let member = found.member;
        // A comment after the member's last value moves with it.
        let end = member.range().end;
        let line_end = self.text[end..]
            .find(['\n', '\r'])
            .map_or(self.text.len(), |i| end + i);
        let tail = self.text[end..line_end].trim();
        let end = if tail.starts_with('#') { line_end } else { end };
        let member_text = self
            .text
            .get(member.key.range.start..end)
            .unwrap_or(member_text);
        let from = self.indent_of(member.key.range.start).len();
        let Some(model_config) = model_config else {
            let moved = reindent(member_text, from, from + 2);
            let new_text = format!("model_config:\n{}{moved}", " ".repeat(from + 2));
            return Some(vec![replace(
                TextRange::new(member.key.range.start, end),
                &new_text,
            )]);
        };
        let value = model_config.value.as_ref()?;
        let last = value.as_object()?.members.last()?;
        if self.text.as_bytes().get(value.range.start) == Some(&b'{') {
            return None;
        }
        let to = self.indent_of(last.key.range.start).len();
        let insert_at = last.range().end;
        let insert = format!("\n{}{}", " ".repeat(to), reindent(member_text, from, to));
        let mut remove = self.remove(found);
        if remove.range.end == member.range().end {
            remove.range = TextRange::new(remove.range.start, end);
        }
        // Moving the member that follows model_config: its removal starts where the insert
        // goes, so one edit does both.
        if remove.range.start == insert_at {
            return Some(vec![replace(remove.range, &insert)]);
        }
        Some(vec![remove, replace(TextRange::empty(insert_at), &insert)])
    }

    /// The whitespace before `offset` on its line, when only whitespace precedes it.
    fn indent_of(&self, offset: usize) -> String {
        let line_start = self.text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let before = &self.text[line_start..offset];
        if before.chars().all(|c| c == ' ' || c == '\t') {
            before.to_string()
        } else {
            String::new()
        }
    }

    /// `s` written as the token at `like` is: in double quotes (JSON, JSON-like YAML), in
    /// single quotes, or bare (YAML) when YAML reads it back as the same string.
    fn written_like(&self, like: TextRange, s: &str) -> String {
        match self.text.as_bytes().get(like.start) {
            Some(b'\'') => format!("'{}'", s.replace('\'', "''")),
            Some(b'"') => serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\"")),
            _ if crate::syntax::is_plain_scalar(s) => s.to_string(),
            _ => serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\"")),
        }
    }

    /// Deletes a member with the comma that separates it from its neighbour (in a block
    /// mapping, with the line break and indentation before the next key). The only member of
    /// a block mapping becomes `{}`, as the mapping would otherwise turn into null.
    fn remove(&self, found: &Found) -> Edit {
        let (parent, member) = (found.parent, found.member);
        if parent.members.len() == 1 && !found.in_flow {
            return replace(member.range(), "{}");
        }
        let index = parent.members.iter().position(|m| std::ptr::eq(m, member));
        let range = match index {
            Some(i) if i + 1 < parent.members.len() => TextRange::new(
                member.key.range.start,
                parent.members[i + 1].key.range.start,
            ),
            Some(i) if i > 0 => {
                TextRange::new(parent.members[i - 1].range().end, member.range().end)
            }
            _ => member.range(),
        };
        Edit {
            range,
            new_text: String::new(),
        }
    }
}

/// `text` (whose first line starts at the key) with each further line moved from indentation
/// `from` to `to`.
fn reindent(text: &str, from: usize, to: usize) -> String {
    let mut lines = text.split('\n');
    let mut out = lines.next().unwrap_or_default().to_string();
    for line in lines {
        let spaces = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[spaces.min(from)..];
        out.push('\n');
        if !rest.is_empty() {
            out.push_str(&" ".repeat(to));
        }
        out.push_str(rest);
    }
    out
}

fn replace(range: TextRange, new_text: &str) -> Edit {
    Edit {
        range,
        new_text: new_text.to_string(),
    }
}

fn is_trim_of(token: Option<&str>, suggestion: &str) -> bool {
    let Some(token) = token else { return false };
    let inner = token.trim_matches('"');
    let suggested = suggestion.trim_matches('"');
    inner.trim() == suggested && inner != suggested
}

/// `# note` → `// note`.
fn hash_to_slashes(text: &str, range: TextRange) -> Option<Edit> {
    let hash = text.get(range.start..range.end)?.find('#')? + range.start;
    Some(Edit {
        range: TextRange::new(hash, hash + 1),
        new_text: "//".to_string(),
    })
}

/// A member found in the tree, with the object holding it.
struct Found<'a> {
    parent: &'a Object,
    member: &'a Member,
    /// For a member inside a map entry (`node_config.<name>.input0`), that entry's key.
    entry_key: Option<String>,
    /// 1 for a top-level member.
    depth: usize,
    /// `parent` is written `{ ... }` (JSON, a YAML flow mapping), not as a YAML block mapping.
    in_flow: bool,
}

/// The member whose key is exactly `range`.
fn find_key<'p>(text: &str, parse: &'p Parse, range: TextRange) -> Option<Found<'p>> {
    find_member(text, parse, range, |m| m.key.range == range)
}

/// The member whose value is exactly `range` (a scalar value; list elements are not members).
fn find_value<'p>(text: &str, parse: &'p Parse, range: TextRange) -> Option<Found<'p>> {
    find_member(text, parse, range, |m| {
        m.value.as_ref().is_some_and(|v| v.range == range)
    })
}

/// The member `is_it` picks, walking down the tree through the values that hold `range`: the
/// tree is the same whether it was read from JSON or from a YAML's inline quant_config.
fn find_member<'p>(
    text: &str,
    parse: &'p Parse,
    range: TextRange,
    is_it: impl Fn(&Member) -> bool,
) -> Option<Found<'p>> {
    let holds = |r: TextRange| r.start <= range.start && range.end <= r.end;
    // The segments walked so far: a key, or `None` for a list element.
    let mut segments: Vec<Option<&str>> = Vec::new();
    let mut cur = parse.root.as_ref()?;
    loop {
        let (parent, in_flow) = match &cur.kind {
            ValueKind::Object(o) => (o, text.as_bytes().get(cur.range.start) == Some(&b'{')),
            ValueKind::Array(a) => {
                cur = a.elements.iter().find(|e| holds(e.range))?;
                segments.push(None);
                continue;
            }
            _ => return None,
        };
        let member = parent.members.iter().find(|m| holds(m.range()))?;
        if is_it(member) {
            return Some(Found {
                parent,
                member,
                entry_key: segments.last().copied().flatten().map(str::to_string),
                depth: segments.len() + 1,
                in_flow,
            });
        }
        segments.push(Some(&member.key.text));
        cur = member.value.as_ref()?;
    }
}

#[cfg(test)]
mod tests;
