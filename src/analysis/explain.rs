//! The effective precision of every input of every node (docs/spec.md, "Effective
//! precision") and the setting that decided each, as `qcls explain` prints it and as the
//! server's `qcls/explain` request answers it.

use std::fmt::Write;

use serde_json::json;

use super::node_info::{NO_PRECISION, OMITTED};
use super::precision::{node_precision, NodePrecision, Settings, Source};
use crate::model::ModelIndex;
use crate::spec::Dialect;
use crate::syntax::{Parse, Value};
use crate::text::IndexedText;

/// Everything `explain` prints, computed once.
pub struct Explanation<'m> {
    pub model: &'m ModelIndex,
    pub model_reason: String,
    pub nodes: Vec<NodePrecision>,
    pub settings: Settings,
    /// The toolchain profile the settings were read with.
    pub dialect: Dialect,
    lines: IndexedText,
}

impl<'m> Explanation<'m> {
    pub fn new(
        model: &'m ModelIndex,
        model_reason: String,
        text: &str,
        parse: &Parse,
        only_overridden: bool,
        dialect: Dialect,
        hb_compile: Option<&Value>,
    ) -> Self {
        let mut settings = Settings::read(parse.root.as_ref(), Some(model), dialect.profile);
        // An hb_compile YAML's node_info and run_on_cpu decide above node_config.
        if let Some(yaml) = hb_compile {
            settings.add_hb_compile(yaml, model, dialect.profile);
        }
        let nodes = (0..model.node_count())
            .map(|id| node_precision(model, &settings, id))
            .filter(|n| !only_overridden || n.overridden)
            .collect();
        Explanation {
            model,
            model_reason,
            nodes,
            settings,
            dialect,
            lines: IndexedText::new(text.to_string()),
        }
    }

    /// The 1-based line of a byte offset of the explained text.
    pub(crate) fn line_1based(&self, offset: usize) -> usize {
        self.lines.line_col_1based(offset).0
    }

    fn node_label(&self, np: &NodePrecision) -> String {
        let name = self.model.node(np.node).name();
        if name.is_empty() {
            format!("(unnamed node #{})", np.node)
        } else if np.ambiguous {
            let count = self.model.nodes_named(name).len();
            format!("{name} (ambiguous: {count} nodes share this name)")
        } else {
            name.to_string()
        }
    }

    /// "model_config.all_node_type (line 3)" or "default".
    fn source_text(&self, source: &Source) -> String {
        match source {
            Source::Default => "default".to_string(),
            Source::Setting(s) => {
                let (line, _) = self.lines.line_col_1based(s.range.start);
                format!("{} (line {line})", s.path)
            }
        }
    }

    fn source_json(&self, source: &Source) -> serde_json::Value {
        match source {
            Source::Default => serde_json::Value::Null,
            Source::Setting(s) => {
                let (line, _) = self.lines.line_col_1based(s.range.start);
                json!({"path": s.path, "line": line - 1})
            }
        }
    }

    pub fn table(&self) -> String {
        let mut rows: Vec<[String; 6]> = Vec::new();
        for np in &self.nodes {
            let node = self.model.node(np.node);
            for (i, input) in np.inputs.iter().enumerate() {
                let (label, op) = if i == 0 {
                    (self.node_label(np), node.op_type().to_string())
                } else {
                    (String::new(), String::new())
                };
                let tensor = if input.tensor.is_empty() {
                    OMITTED.to_string()
                } else if input.is_weight {
                    format!("{} (weight)", input.tensor)
                } else {
                    input.tensor.clone()
                };
                let (precision, source) = match input.precision {
                    None => (NO_PRECISION.to_string(), String::new()),
                    Some(p) => (p.describe().to_string(), self.source_text(&input.source)),
                };
                rows.push([
                    label,
                    op,
                    input.index.to_string(),
                    tensor,
                    precision,
                    source,
                ]);
            }
            if np.inputs.is_empty() {
                rows.push([
                    self.node_label(np),
                    node.op_type().to_string(),
                    String::new(),
                    "(no inputs)".into(),
                    String::new(),
                    String::new(),
                ]);
            }
        }
        let header = [
            "NODE",
            "OP TYPE",
            "INPUT",
            "TENSOR",
            "PRECISION",
            "DECIDED BY",
        ];
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let _ = writeln!(
            out,
            "model: {} ({})",
            self.model.path.display(),
            self.model_reason
        );
        let _ = writeln!(out, "profile: {}", self.dialect.describe());
        let line = |cells: &[String]| {
            let mut s = String::new();
            for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
                if i + 1 == cells.len() {
                    s.push_str(cell);
                } else {
                    let pad = w - cell.chars().count();
                    s.push_str(cell);
                    s.push_str(&" ".repeat(pad + 2));
                }
            }
            s.trim_end().to_string()
        };
        let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
        let _ = writeln!(out, "{}", line(&header));
        for row in &rows {
            let _ = writeln!(out, "{}", line(row));
        }
        match &self.settings.model_output_type {
            Some(s) => {
                let _ = writeln!(
                    out,
                    "model outputs ({}): {}, decided by {}",
                    self.model.graph_outputs().collect::<Vec<_>>().join(", "),
                    s.precision.as_str(),
                    self.source_text(&Source::Setting(s.clone()))
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "model outputs ({}): not set by the file (model_config.model_output_type)",
                    self.model.graph_outputs().collect::<Vec<_>>().join(", ")
                );
            }
        }
        let overridden = self.nodes.iter().filter(|n| n.overridden).count();
        let _ = writeln!(
            out,
            "{} nodes shown, {overridden} with a node_config entry",
            self.model.node_count()
        );
        out
    }

    pub fn csv(&self) -> String {
        let mut out = String::from("node,op_type,input,tensor,weight,precision,source,line\n");
        for np in &self.nodes {
            let node = self.model.node(np.node);
            for input in &np.inputs {
                let (source, line) = match &input.source {
                    Source::Default => ("default".to_string(), String::new()),
                    Source::Setting(s) => (
                        s.path.clone(),
                        self.lines.line_col_1based(s.range.start).0.to_string(),
                    ),
                };
                let fields = [
                    node.name().to_string(),
                    node.op_type().to_string(),
                    input.index.to_string(),
                    input.tensor.clone(),
                    input.is_weight.to_string(),
                    input
                        .precision
                        .map_or(String::new(), |p| p.as_str().to_string()),
                    if input.precision.is_some() {
                        source
                    } else {
                        String::new()
                    },
                    if input.precision.is_some() {
                        line
                    } else {
                        String::new()
                    },
                ];
                let escaped: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                let _ = writeln!(out, "{}", escaped.join(","));
            }
        }
        out
    }

    pub fn json(&self) -> serde_json::Value {
        let nodes: Vec<_> = self
            .nodes
            .iter()
            .map(|np| {
                let node = self.model.node(np.node);
                let inputs: Vec<_> = np
                    .inputs
                    .iter()
                    .map(|i| {
                        json!({
                            "index": i.index,
                            "tensor": i.tensor,
                            "weight": i.is_weight,
                            "precision": i.precision.map(|p| p.as_str()),
                            "source": if i.precision.is_some() { self.source_json(&i.source) } else { serde_json::Value::Null },
                        })
                    })
                    .collect();
                json!({
                    "name": node.name(),
                    "op_type": node.op_type(),
                    "overridden": np.overridden,
                    "ambiguous": np.ambiguous,
                    "inputs": inputs,
                })
            })
            .collect();
        let outputs: Vec<_> = self
            .model
            .graph_outputs()
            .map(|t| {
                let s = self.settings.model_output_type.as_ref();
                json!({
                    "tensor": t,
                    "precision": s.map(|s| s.precision.as_str()),
                    "source": s.map_or(serde_json::Value::Null, |s| self.source_json(&Source::Setting(s.clone()))),
                })
            })
            .collect();
        json!({
            "model": {"path": self.model.path.display().to_string(), "reason": self.model_reason},
            "profile": {"name": self.dialect.profile.name(), "reason": self.dialect.describe()},
            "nodes": nodes,
            "outputs": outputs,
        })
    }
}

fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}
