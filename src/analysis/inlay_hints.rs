//! Inlay hints from the model: after a node_config key, the node's op type and the effective
//! precision of its inputs (`: Conv(int16, ec, int16)`); after an op_config key, how many nodes
//! of that op type the model has (`× 20`).

use super::node_info::{compact, decided_by};
use super::precision::{node_precision, Settings};
use crate::model::ModelIndex;
use crate::spec::Profile;
use crate::syntax::{Parse, Value};
use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InlayKind {
    /// What a node is: op type and input precisions.
    Type,
    /// A count of nodes.
    Count,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    /// Where the hint is shown (just after the key's closing quote).
    pub offset: usize,
    pub label: String,
    pub kind: InlayKind,
    /// Plain text shown when the user hovers the hint.
    pub tooltip: Option<String>,
}

/// The hints whose position lies in `range` (inclusive). Nothing without a model. `hb_compile`
/// is the YAML around an inline config, whose node_info and run_on_cpu decide above it.
pub fn inlay_hints(
    text: &str,
    parse: &Parse,
    range: TextRange,
    model: Option<&ModelIndex>,
    profile: Profile,
    hb_compile: Option<&Value>,
) -> Vec<InlayHint> {
    let (Some(model), Some(root)) = (model, parse.root.as_ref().and_then(Value::as_object)) else {
        return Vec::new();
    };
    let in_range = |offset: usize| range.start <= offset && offset <= range.end;
    let mut hints = Vec::new();
    if let Some(ops) = root.get_value("op_config").and_then(Value::as_object) {
        for m in ops.members.iter().filter(|m| in_range(m.key.range.end)) {
            hints.push(InlayHint {
                offset: m.key.range.end,
                label: format!("× {}", model.op_type_count(&m.key.text)),
                kind: InlayKind::Count,
                tooltip: Some(format!(
                    "{} nodes of op type {} in the model",
                    model.op_type_count(&m.key.text),
                    m.key.text
                )),
            });
        }
    }
    if let Some(nodes) = root.get_value("node_config").and_then(Value::as_object) {
        // Read lazily: a document without node_config hints in range never pays for it.
        let mut settings: Option<Settings> = None;
        for m in nodes.members.iter().filter(|m| in_range(m.key.range.end)) {
            let ids = model.nodes_named(&m.key.text);
            let Some(first) = ids.first() else { continue };
            if m.key.text.is_empty() {
                continue;
            }
            let settings = settings.get_or_insert_with(|| {
                let mut settings = Settings::read(parse.root.as_ref(), Some(model), profile);
                // In a YAML, node_info and run_on_cpu/run_on_bpu decide above node_config.
                if let Some(yaml) = hb_compile {
                    settings.add_hb_compile(yaml, model, profile);
                }
                settings
            });
            let np = node_precision(model, settings, first);
            let op = &model.node(first).op_type();
            let mut label = format!(": {op}({})", compact(&np));
            if ids.len() > 1 {
                label.push_str(&format!(" ×{}", ids.len()));
            }
            let mut tooltip: Vec<String> = np
                .inputs
                .iter()
                .map(|i| match i.precision {
                    None => format!("input{}: omitted", i.index),
                    Some(p) => format!(
                        "input{} {}{}: {} ← {}",
                        i.index,
                        i.tensor,
                        if i.is_weight { " (weight)" } else { "" },
                        p.describe(),
                        decided_by(text, &i.source)
                    ),
                })
                .collect();
            if ids.len() > 1 {
                tooltip.push(format!(
                    "{} nodes share this name; the first is shown",
                    ids.len()
                ));
            }
            hints.push(InlayHint {
                offset: m.key.range.end,
                label,
                kind: InlayKind::Type,
                tooltip: Some(tooltip.join("\n")),
            });
        }
    }
    hints.sort_by_key(|h| h.offset);
    hints
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixture_model;
    use crate::syntax::parse;

    const CONFIG: &str = r#"{
  "model_config": {"all_node_type": "int16"},
  "op_config": {"Conv": {"qtype": "int16"}, "Softmax": {}},
  "node_config": {
    "/conv1/Conv": {"input1": "ec"},
    "/relu/Relu": {"qtype": "float16"},
    "/nope": {}
  }
}"#;

    fn labels(hints: &[InlayHint]) -> Vec<&str> {
        hints.iter().map(|h| h.label.as_str()).collect()
    }

    #[test]
    fn op_counts_and_node_precisions() {
        let m = fixture_model("resnet18");
        let p = parse(CONFIG);
        let all = TextRange::new(0, CONFIG.len());
        let hints = inlay_hints(CONFIG, &p, all, Some(&m), Profile::Nash, None);
        assert_eq!(
            labels(&hints),
            ["× 20", "× 0", ": Conv(int16, ec, int16)", ": Relu(float16)"]
        );
        let conv = &hints[2];
        assert_eq!(&CONFIG[conv.offset - 13..conv.offset], "\"/conv1/Conv\"");
        let tip = conv.tooltip.as_deref().unwrap();
        assert!(
            tip.contains("input1 onnx::Conv_193 (weight): ec (int8 with error compensation) ← node_config./conv1/Conv.input1 (line 5)"),
            "{tip}"
        );
        assert!(tip.contains("← op_config.Conv.qtype (line 3)"), "{tip}");
    }

    #[test]
    fn only_in_range_and_only_with_a_model() {
        let m = fixture_model("resnet18");
        let p = parse(CONFIG);
        let line5 = CONFIG.find("\"/conv1").unwrap();
        let hints = inlay_hints(
            CONFIG,
            &p,
            TextRange::new(line5, line5 + 20),
            Some(&m),
            Profile::Nash,
            None,
        );
        assert_eq!(labels(&hints), [": Conv(int16, ec, int16)"]);
        let all = TextRange::new(0, CONFIG.len());
        assert!(inlay_hints(CONFIG, &p, all, None, Profile::Nash, None).is_empty());
    }

    #[test]
    fn ambiguous_and_broken_documents() {
        let m = fixture_model("resnet18_dup_names");
        let text = "{\"node_config\": {\"/layer1/layer1.0/relu/Relu\": {\"qtype\": \"int16\"},";
        let p = parse(text);
        let hints = inlay_hints(
            text,
            &p,
            TextRange::new(0, text.len()),
            Some(&m),
            Profile::Nash,
            None,
        );
        assert_eq!(hints.len(), 1);
        assert!(hints[0].label.starts_with(": Relu(int16) ×"), "{:?}", hints);
    }

    /// In a YAML, node_info's `ON: CPU` decides the node (float32), as hover and explain say.
    #[test]
    fn yaml_node_info_decides_above_node_config() {
        let m = fixture_model("resnet18");
        let text = "model_parameters:\n  node_info: {'/relu/Relu': {'ON': 'CPU'}}\ncalibration_parameters:\n  quant_config:\n    node_config:\n      /relu/Relu: {qtype: int16}\n";
        let yaml = crate::syntax::parse_yaml(text);
        let inline = crate::analysis::inline_quant_config(&yaml).expect("inline config");
        let all = TextRange::new(0, text.len());
        let hints = inlay_hints(
            text,
            &inline,
            all,
            Some(&m),
            Profile::Nash,
            yaml.root.as_ref(),
        );
        assert_eq!(labels(&hints), [": Relu(float32)"]);
        assert!(
            hints[0]
                .tooltip
                .as_deref()
                .unwrap()
                .contains("node_info./relu/Relu.ON (line 2)"),
            "{:?}",
            hints[0].tooltip
        );
    }
}
