//! Effective precision: for every input of every node, the precision it ends up
//! with and the setting of the file that decided it.
//!
//! Priority, lowest first: default int8 < model_config.all_node_type < op_config[T].qtype <
//! subgraph qtype < node_config[n].qtype < node_config[n]["input<i>"]. Invalid values are
//! skipped; `ec` counts only where it works. Legacy keys (`InputType*`, `ON`) count as their
//! modern equivalents, below them when both are present.

use std::collections::VecDeque;

use hashbrown::{HashMap, HashSet};

use crate::model::{ModelIndex, NodeId};
use crate::spec::{PrecisionRole, Profile, EC_OPS, WIDE_OPS};
use crate::syntax::{Member, Object, Value};
use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Precision {
    Int8,
    Int16,
    Float16,
    Float32,
    /// int8 with error compensation.
    Ec,
    // hmct 2.8 and later.
    Int4,
    MxInt4,
    MxInt8,
    MxInt16,
    MxFp4,
    MxFp8,
    NvFp4,
    /// input0 and input1 int16 (Conv, ConvTranspose, MatMul, Gemm).
    DualInt16,
    /// int16 with error compensation (Conv, ConvTranspose, MatMul, Gemm).
    Int16Ec,
}

impl Precision {
    /// Every precision, in the order tables list them.
    pub const ALL: [Precision; 14] = [
        Precision::Int8,
        Precision::Ec,
        Precision::Int16,
        Precision::Float16,
        Precision::Float32,
        Precision::Int4,
        Precision::MxInt4,
        Precision::MxInt8,
        Precision::MxInt16,
        Precision::MxFp4,
        Precision::MxFp8,
        Precision::NvFp4,
        Precision::DualInt16,
        Precision::Int16Ec,
    ];

    /// The precision a value names; `float` is bayes's spelling of float32. Whether the active
    /// profile accepts it is for the caller to ask ([`Profile::accepts`]).
    pub fn parse(s: &str) -> Option<Precision> {
        Some(match s {
            "float" => Precision::Float32,
            _ => *Precision::ALL.iter().find(|p| p.as_str() == s)?,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Int8 => "int8",
            Precision::Int16 => "int16",
            Precision::Float16 => "float16",
            Precision::Float32 => "float32",
            Precision::Ec => "ec",
            Precision::Int4 => "int4",
            Precision::MxInt4 => "mxint4",
            Precision::MxInt8 => "mxint8",
            Precision::MxInt16 => "mxint16",
            Precision::MxFp4 => "mxfp4",
            Precision::MxFp8 => "mxfp8",
            Precision::NvFp4 => "nvfp4",
            Precision::DualInt16 => "dual-int16",
            Precision::Int16Ec => "int16-ec",
        }
    }
    /// What users read in a table: compensated and paired precisions are spelled out.
    pub fn describe(self) -> &'static str {
        match self {
            Precision::Ec => "ec (int8 with error compensation)",
            Precision::Int16Ec => "int16-ec (int16 with error compensation)",
            Precision::DualInt16 => "dual-int16 (input0 and input1 int16)",
            other => other.as_str(),
        }
    }
    /// Does this precision take effect on input `index` of an `op_type` node? `ec` only where
    /// the ec table says, `dual-int16`/`int16-ec` only on their op types; elsewhere the
    /// setting is skipped and the level below decides.
    pub fn applies(self, op_type: &str, index: usize) -> bool {
        match self {
            Precision::Ec => ec_works(op_type, index),
            Precision::DualInt16 | Precision::Int16Ec => WIDE_OPS.contains(&op_type),
            _ => true,
        }
    }
}

/// A setting in the file: its key path (`node_config./conv1/Conv.input1`) and the value's range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    pub precision: Precision,
    pub path: String,
    pub range: TextRange,
}

/// What decided an input's precision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// Nothing in the file: the toolchain's int8.
    Default,
    Setting(Setting),
}

impl Source {
    pub fn path(&self) -> Option<&str> {
        match self {
            Source::Default => None,
            Source::Setting(s) => Some(&s.path),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputPrecision {
    pub index: usize,
    /// The tensor name; empty for an omitted optional input.
    pub tensor: String,
    pub is_weight: bool,
    /// `None` for an omitted optional input.
    pub precision: Option<Precision>,
    pub source: Source,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodePrecision {
    pub node: NodeId,
    pub inputs: Vec<InputPrecision>,
    /// The file has a node_config entry for this node's name.
    pub overridden: bool,
    /// Several nodes of the model share this node's (non-empty) name.
    pub ambiguous: bool,
}

/// A node_config entry reduced to the settings that count.
#[derive(Clone, Debug, Default)]
pub struct NodeSettings {
    pub qtype: Option<Setting>,
    pub inputs: [Option<Setting>; 2],
    /// The key of the entry (the last one when duplicated).
    pub key_range: TextRange,
}

#[derive(Clone, Debug)]
pub struct Subgraph {
    pub name: String,
    pub qtype: Option<Setting>,
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
    pub nodes: HashSet<NodeId>,
}

/// The precision settings of one document, read once.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub all_node_type: Option<Setting>,
    pub model_output_type: Option<Setting>,
    pub op: HashMap<String, Setting>,
    pub node: HashMap<String, NodeSettings>,
    pub subgraphs: Vec<Subgraph>,
    /// The node settings of the hb_compile YAML around the config (`node_info`,
    /// `run_on_cpu`/`run_on_bpu`), by node: above node_config ([`Settings::add_hb_compile`]).
    pub yaml_nodes: HashMap<NodeId, NodeSettings>,
}

/// Which node_config entries [`Settings::read_some`] reads: on a 100,000-entry file, reading
/// them all costs more than a hover or a completion may.
#[derive(Clone, Copy, Debug)]
pub enum NodeFilter<'a> {
    All,
    None,
    Named(&'a str),
}

impl Settings {
    /// Reads the settings from a parsed document (the last of duplicate keys wins, as in
    /// Python). Subgraph membership needs the model.
    pub fn read(root: Option<&Value>, model: Option<&ModelIndex>, profile: Profile) -> Settings {
        Settings::read_some(root, model, NodeFilter::All, profile)
    }

    /// [`Settings::read`] with only some node_config entries.
    pub fn read_some(
        root: Option<&Value>,
        model: Option<&ModelIndex>,
        nodes: NodeFilter,
        profile: Profile,
    ) -> Settings {
        let mut settings = Settings::default();
        let Some(root) = root.and_then(Value::as_object) else {
            return settings;
        };
        if let Some(mc) = root.get_value("model_config").and_then(Value::as_object) {
            settings.all_node_type = qtype_setting(
                mc,
                "all_node_type",
                "model_config",
                PrecisionRole::AllNodeType,
                profile,
            );
            settings.model_output_type = qtype_setting(
                mc,
                "model_output_type",
                "model_config",
                PrecisionRole::Qtype,
                profile,
            )
            .filter(|s| {
                matches!(
                    s.precision,
                    Precision::Int8 | Precision::Int16 | Precision::Float32
                )
            });
        }
        if let Some(ops) = root.get_value("op_config").and_then(Value::as_object) {
            for member in last_members(ops) {
                let Some(entry) = member.value.as_ref().and_then(Value::as_object) else {
                    continue;
                };
                let base = join("op_config", &member.key.text);
                // `ON` is not an op_config key: the loader rejects it there.
                if let Some(s) = entry_qtype(entry, &base, profile, false) {
                    settings.op.insert(member.key.text.to_string(), s);
                }
            }
        }
        let node_config = match nodes {
            NodeFilter::None => None,
            _ => root.get_value("node_config").and_then(Value::as_object),
        };
        match (node_config, nodes) {
            // The last entry of that name counts: no need to look at the others.
            (Some(entries), NodeFilter::Named(name)) => {
                if let Some(node) = entries
                    .get(name)
                    .and_then(|m| NodeSettings::read(m, profile))
                {
                    settings.node.insert(name.to_string(), node);
                }
            }
            (Some(entries), _) => {
                for member in last_members(entries) {
                    if let Some(node) = NodeSettings::read(member, profile) {
                        settings.node.insert(member.key.text.to_string(), node);
                    }
                }
            }
            (None, _) => {}
        }
        let subgraph_config = root
            .get_value("subgraph_config")
            .and_then(Value::as_object)
            .filter(|_| profile.has_subgraphs());
        if let (Some(model), Some(subgraphs)) = (model, subgraph_config) {
            for member in last_members(subgraphs) {
                let Some(entry) = member.value.as_ref().and_then(Value::as_object) else {
                    continue;
                };
                let base = join("subgraph_config", &member.key.text);
                let tensors = |key: &str| -> Vec<String> {
                    entry
                        .get_value(key)
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.elements
                                .iter()
                                .filter_map(|e| e.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default()
                };
                let (inputs, outputs) = (tensors("inputs"), tensors("outputs"));
                settings.subgraphs.push(Subgraph {
                    name: member.key.text.to_string(),
                    qtype: qtype_setting(entry, "qtype", &base, PrecisionRole::Qtype, profile),
                    nodes: subgraph_nodes(model, &inputs, &outputs),
                    inputs,
                    outputs,
                });
            }
        }
        settings
    }
}

impl Settings {
    /// Adds the node settings of an hb_compile YAML: `model_parameters.node_info` entries (`ON:
    /// CPU` = float32, `ON: BPU` = int8, `InputType*`) and the nodes of `run_on_cpu` (float32)
    /// and `run_on_bpu` (int8). They decide above node_config, as the toolchain turns them into
    /// the last word on those nodes.
    pub fn add_hb_compile(&mut self, yaml: &Value, model: &ModelIndex, profile: Profile) {
        let section = |name: &str| yaml.as_object()?.get_value(name)?.as_object();
        let mut add = |name: &str, settings: NodeSettings| {
            for id in model.nodes_named(name) {
                self.yaml_nodes.insert(id, settings.clone());
            }
        };
        if let Some(info) = section("model_parameters")
            .and_then(|p| p.get_value("node_info"))
            .and_then(Value::as_object)
        {
            for member in info.last_members() {
                let Some(entry) = member.value.as_ref().and_then(Value::as_object) else {
                    continue;
                };
                let base = join("model_parameters.node_info", &member.key.text);
                let input =
                    |key: &str| qtype_setting(entry, key, &base, PrecisionRole::Qtype, profile);
                add(
                    &member.key.text,
                    NodeSettings {
                        qtype: entry_qtype(entry, &base, profile, true),
                        inputs: [input("InputType0"), input("InputType1")],
                        key_range: member.key.range,
                    },
                );
            }
        }
        let calibration = section("calibration_parameters");
        for (key, precision) in [
            ("run_on_cpu", Precision::Float32),
            ("run_on_bpu", Precision::Int8),
        ] {
            let Some(value) = calibration.and_then(|c| c.get_value(key)) else {
                continue;
            };
            for (name, range) in super::hb_compile::items(value, &[';']) {
                let setting = Setting {
                    precision,
                    path: format!("calibration_parameters.{key}"),
                    range,
                };
                add(
                    name,
                    NodeSettings {
                        qtype: Some(setting),
                        inputs: [None, None],
                        key_range: range,
                    },
                );
            }
        }
    }
}

impl NodeSettings {
    /// The settings of one node_config entry; `None` when its value is no object.
    pub fn read(member: &Member, profile: Profile) -> Option<NodeSettings> {
        let entry = member.value.as_ref().and_then(Value::as_object)?;
        let base = join("node_config", &member.key.text);
        let input = |i: usize| {
            let (modern, legacy) = [("input0", "InputType0"), ("input1", "InputType1")][i];
            qtype_setting(entry, modern, &base, PrecisionRole::Input, profile)
                .or_else(|| qtype_setting(entry, legacy, &base, PrecisionRole::Qtype, profile))
        };
        Some(NodeSettings {
            qtype: entry_qtype(entry, &base, profile, true),
            inputs: [input(0), input(1)],
            key_range: member.key.range,
        })
    }
}

/// The members of an object that count: for duplicate keys, only the last.
fn last_members(obj: &Object) -> impl Iterator<Item = &Member> {
    obj.last_members()
}

/// `qtype`, else the legacy `InputType`, else (in node entries) the legacy `ON`.
fn entry_qtype(entry: &Object, base: &str, profile: Profile, allow_on: bool) -> Option<Setting> {
    qtype_setting(entry, "qtype", base, PrecisionRole::Qtype, profile)
        .or_else(|| qtype_setting(entry, "InputType", base, PrecisionRole::Qtype, profile))
        .or_else(|| {
            let member = entry.get("ON").filter(|_| allow_on)?;
            let value = member.value.as_ref()?;
            let precision = match value.as_str()? {
                "CPU" => Precision::Float32,
                "BPU" => Precision::Int8,
                _ => return None,
            };
            Some(Setting {
                precision,
                path: join(base, "ON"),
                range: value.range,
            })
        })
}

/// A precision under `key` that the profile accepts for its role; its path is `base.key`.
fn qtype_setting(
    obj: &Object,
    key: &str,
    base: &str,
    role: PrecisionRole,
    profile: Profile,
) -> Option<Setting> {
    let value = obj.get(key)?.value.as_ref()?;
    let text = value.as_str()?;
    if !profile.accepts(role, text) {
        return None;
    }
    Some(Setting {
        precision: Precision::parse(text)?,
        path: join(base, key),
        range: value.range,
    })
}

/// `base.key` without the formatting machinery: this runs for every entry of big files.
fn join(base: &str, key: &str) -> String {
    let mut path = String::with_capacity(base.len() + 1 + key.len());
    path.push_str(base);
    if !base.is_empty() {
        path.push('.');
    }
    path.push_str(key);
    path
}

/// Whether `ec` works on input `index` of an op type.
pub fn ec_works(op_type: &str, index: usize) -> bool {
    ec_inputs(op_type).is_some_and(|inputs| inputs.contains(&index))
}

/// The inputs where `ec` works for an op type, or `None` when it never does.
pub fn ec_inputs(op_type: &str) -> Option<&'static [usize]> {
    EC_OPS
        .iter()
        .find(|(op, _)| *op == op_type)
        .map(|(_, inputs)| *inputs)
}

/// Nodes on a path from one of `inputs` to one of `outputs`: those reached forward from the
/// inputs that also reach an output backward.
pub fn subgraph_nodes(
    model: &ModelIndex,
    inputs: &[String],
    outputs: &[String],
) -> HashSet<NodeId> {
    let mut forward = HashSet::new();
    let mut queue: VecDeque<NodeId> = inputs.iter().flat_map(|t| model.consumers(t)).collect();
    while let Some(n) = queue.pop_front() {
        if !forward.insert(n) {
            continue;
        }
        for out in model.node(n).outputs() {
            queue.extend(model.consumers(out));
        }
    }
    let mut inside = HashSet::new();
    let mut queue: VecDeque<NodeId> = outputs.iter().filter_map(|t| model.producer(t)).collect();
    let mut seen = HashSet::new();
    while let Some(n) = queue.pop_front() {
        if !seen.insert(n) {
            continue;
        }
        if forward.contains(&n) {
            inside.insert(n);
        }
        for input in model.node(n).inputs() {
            if let Some(p) = model.producer(input) {
                queue.push_back(p);
            }
        }
    }
    inside
}

/// The effective precision of each input of one node.
pub fn node_precision(model: &ModelIndex, settings: &Settings, node: NodeId) -> NodePrecision {
    let n = model.node(node);
    let entry = if n.name().is_empty() {
        None
    } else {
        settings.node.get(n.name())
    };
    let inputs = n
        .inputs()
        .enumerate()
        .map(|(index, tensor)| {
            let source = input_source(settings, n.op_type(), node, entry, index, true);
            InputPrecision {
                index,
                tensor: tensor.to_string(),
                is_weight: model.is_initializer(tensor),
                precision: if tensor.is_empty() {
                    None
                } else {
                    Some(match &source {
                        Source::Default => Precision::Int8,
                        Source::Setting(s) => s.precision,
                    })
                },
                source,
            }
        })
        .collect();
    NodePrecision {
        node,
        inputs,
        overridden: entry.is_some(),
        ambiguous: !n.name().is_empty() && model.nodes_named(n.name()).len() > 1,
    }
}

/// The setting that decides input `index`; `with_entry: false` answers "what would it be
/// without this node's node_config entry" (for `no-effect`).
pub fn input_source(
    settings: &Settings,
    op_type: &str,
    node: NodeId,
    entry: Option<&NodeSettings>,
    index: usize,
    with_entry: bool,
) -> Source {
    match deciding_setting(settings, op_type, node, entry, index, with_entry) {
        Some(s) => Source::Setting(s.clone()),
        None => Source::Default,
    }
}

/// Like [`input_source`], borrowed: `None` means the default int8. Checks call this for every
/// input of every configured node, so it must not allocate.
pub fn deciding_setting<'s>(
    settings: &'s Settings,
    op_type: &str,
    node: NodeId,
    entry: Option<&'s NodeSettings>,
    index: usize,
    with_entry: bool,
) -> Option<&'s Setting> {
    let applies = |s: &&'s Setting| s.precision.applies(op_type, index);
    // The hb_compile YAML's own node settings are the last word.
    if let Some(yaml) = settings.yaml_nodes.get(&node) {
        if let Some(s) = yaml
            .inputs
            .get(index)
            .and_then(Option::as_ref)
            .filter(applies)
        {
            return Some(s);
        }
        if let Some(s) = yaml.qtype.as_ref().filter(applies) {
            return Some(s);
        }
    }
    if let (true, Some(entry)) = (with_entry, entry) {
        if let Some(Some(s)) = entry.inputs.get(index) {
            if applies(&s) {
                return Some(s);
            }
        }
        if let Some(s) = entry.qtype.as_ref().filter(applies) {
            return Some(s);
        }
    }
    // The last configured subgraph containing the node wins, like a later key.
    settings
        .subgraphs
        .iter()
        .rev()
        .filter(|g| g.nodes.contains(&node))
        .find_map(|g| g.qtype.as_ref().filter(applies))
        .or_else(|| settings.op.get(op_type).filter(applies))
        .or(settings.all_node_type.as_ref().filter(applies))
}

#[cfg(test)]
mod tests;
