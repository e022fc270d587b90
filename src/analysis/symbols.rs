//! The document outline: top-level sections, op types, node names, subgraphs and their keys.

use crate::syntax::{Member, Parse, ValueKind};
use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// `model_config`, `op_config`, `node_config`, `subgraph_config` (or an unknown top key).
    Section,
    OpType,
    Node,
    Subgraph,
    /// Any other key (`qtype`, `activation`, ...).
    Key,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Symbol {
    pub name: String,
    /// The value, for scalars (`"int16"`, `1024`).
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole member, key to value.
    pub range: TextRange,
    /// The key.
    pub selection: TextRange,
    pub children: Vec<Symbol>,
}

/// Nesting deeper than this is not outlined (real configs are 4 deep).
const MAX_DEPTH: usize = 16;

/// At most this many symbols: an outline of 100,000 node entries is tens of megabytes that no
/// editor shows usefully. An object cut short says how many of its entries are outlined.
pub const MAX_SYMBOLS: usize = 5_000;

pub fn document_symbols(parse: &Parse) -> Vec<Symbol> {
    let mut budget = MAX_SYMBOLS;
    match parse.root_object() {
        Some(o) => o
            .members
            .iter()
            .map_while(|m| {
                budget = budget.checked_sub(1)?;
                Some(symbol(m, &[], 0, &mut budget))
            })
            .collect(),
        None => Vec::new(),
    }
}

fn symbol(m: &Member, parents: &[&str], depth: usize, budget: &mut usize) -> Symbol {
    let kind = match parents {
        [] => SymbolKind::Section,
        ["op_config"] => SymbolKind::OpType,
        ["node_config"] => SymbolKind::Node,
        ["subgraph_config"] => SymbolKind::Subgraph,
        _ => SymbolKind::Key,
    };
    let mut detail = None;
    let mut children = Vec::new();
    if let Some(v) = &m.value {
        match &v.kind {
            ValueKind::Object(o) if depth < MAX_DEPTH => {
                let mut path = parents.to_vec();
                path.push(&m.key.text);
                for c in &o.members {
                    let Some(left) = budget.checked_sub(1) else {
                        break;
                    };
                    *budget = left;
                    children.push(symbol(c, &path, depth + 1, budget));
                }
                if children.len() < o.members.len() {
                    detail = Some(format!(
                        "{} of {} entries outlined",
                        children.len(),
                        o.members.len()
                    ));
                }
            }
            ValueKind::String(s) => detail = Some(format!("\"{}\"", s.value)),
            ValueKind::Number(n) => detail = Some(n.raw.clone()),
            ValueKind::Bool(b) => detail = Some(b.to_string()),
            ValueKind::Array(a) => detail = Some(format!("[{}]", a.elements.len())),
            _ => {}
        }
    }
    let range = TextRange::new(
        m.key.range.start,
        m.value.as_ref().map_or(m.key.range.end, |v| v.range.end),
    );
    Symbol {
        name: m.key.text.to_string(),
        detail,
        kind,
        range,
        selection: m.key.range,
        children,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn count(symbols: &[Symbol]) -> usize {
        symbols.iter().map(|s| 1 + count(&s.children)).sum()
    }

    #[test]
    fn a_huge_outline_is_cut_and_says_so() {
        let mut text = String::from("{\"model_config\": {}, \"node_config\": {");
        for i in 0..6_000 {
            text.push_str(&format!("\"n{i}\": {{\"qtype\": \"int16\"}}, "));
        }
        text.push_str("\"last\": {}}}");
        let symbols = document_symbols(&parse(&text));
        assert_eq!(count(&symbols), MAX_SYMBOLS);
        let nodes = &symbols[1];
        assert_eq!(
            nodes.detail.as_deref(),
            Some(format!("{} of 6001 entries outlined", nodes.children.len()).as_str())
        );
        // Small documents are outlined whole.
        let small = document_symbols(&parse(r#"{"node_config": {"a": {"qtype": "int8"}}}"#));
        assert_eq!(count(&small), 3);
        assert_eq!(small[0].detail, None);
    }

    #[test]
    fn outline() {
        let text = r#"{
  "model_config": {"all_node_type": "int16", "activation": {"num_bin": 1024}},
  "op_config": {"Softmax": {"qtype": "float16"}},
  "node_config": {"conv1": {"input1": "ec"}},
  "subgraph_config": {"head": {"inputs": ["a"], "outputs": ["b"]}}
}"#;
        let syms = document_symbols(&parse(text));
        let names: Vec<_> = syms.iter().map(|s| (s.name.as_str(), s.kind)).collect();
        assert_eq!(
            names,
            [
                ("model_config", SymbolKind::Section),
                ("op_config", SymbolKind::Section),
                ("node_config", SymbolKind::Section),
                ("subgraph_config", SymbolKind::Section)
            ]
        );
        assert_eq!(syms[0].children[0].detail.as_deref(), Some("\"int16\""));
        assert_eq!(syms[0].children[1].children[0].name, "num_bin");
        assert_eq!(syms[1].children[0].kind, SymbolKind::OpType);
        assert_eq!(syms[2].children[0].kind, SymbolKind::Node);
        assert_eq!(syms[2].children[0].name, "conv1");
        assert_eq!(syms[3].children[0].kind, SymbolKind::Subgraph);
        assert_eq!(
            syms[3].children[0].children[0].detail.as_deref(),
            Some("[1]")
        );
        let conv = &syms[2].children[0];
        assert_eq!(&text[conv.selection.start..conv.selection.end], "\"conv1\"");
        assert_eq!(
            &text[conv.range.start..conv.range.end],
            "\"conv1\": {\"input1\": \"ec\"}"
        );
    }

    #[test]
    fn broken_and_empty_documents() {
        assert!(document_symbols(&parse("")).is_empty());
        assert!(document_symbols(&parse("[1, 2]")).is_empty());
        let syms = document_symbols(&parse("{\"model_config\": {\"all_node_type\": "));
        assert_eq!(syms[0].children[0].name, "all_node_type");
    }
}
