//! A YAML document as the same tree the JSON parser builds, with byte ranges in the YAML text,
//! so that every analysis runs on an hb_compile YAML (and the quant_config written inside it)
//! unchanged. Read event by event with saphyr's parser (a maintained YAML 1.2 library); never a
//! hand-written YAML reader.
//!
//! Plain scalars take the types of YAML's core schema (`1024` is a number, `true` a boolean,
//! `~` null); quoted scalars are strings. Only the first document of a stream is read. A YAML
//! error ends the reading: the tree is then absent and the error is the one syntax error.
//!
//! `events` turns saphyr's events into the tree; `inline` reads a JSON-like inline quant_config
//! with the JSON parser and grafts it into the tree of the rest; `indentation` relaxes flow
//! indentation as PyYAML does.

mod events;
mod indentation;
mod inline;
#[cfg(test)]
mod tests;

pub use inline::{flow_mapping_start, parse_yaml_with_inline};

use super::Parse;
use events::read;
use indentation::{original, relax_flow_indentation};
use inline::read_with_json_quant_config;

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
pub(super) fn read_yaml(text: &str) -> Parse {
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

/// Whether the string `s` reads back as the same string when written as a plain YAML scalar
/// (node names, op types, keys and precisions do). Anything with spaces, `:` or `#`, numbers
/// and the words YAML 1.1 readers (PyYAML) take for booleans or null stay quoted.
pub fn is_plain_scalar(s: &str) -> bool {
    let keyword = ["true", "false", "null", "yes", "no", "on", "off", "y", "n"]
        .contains(&s.to_ascii_lowercase().as_str());
    !s.is_empty()
        && !keyword
        && s.parse::<f64>().is_err()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-'))
}
