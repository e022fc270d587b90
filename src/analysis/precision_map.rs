//! The precision map: where in the network the precisions land (`qcls explain --format
//! html|svg`, the server's `qcls/precisionMap`).
//!
//! From the same effective precision `explain` prints, every node gets a class: the precision
//! of its inputs when they agree, `mixed` when they differ (drawn with one band per precision),
//! `none` when it has no inputs (`Constant`). An edge is a *boundary* (a requantize point) when
//! the consumer reads the tensor at another precision than the producer computes at. Nodes are
//! grouped by the scopes of their names (`/layer1/layer1.0/conv1/Conv`), and the whole picture
//! is laid out here (`layout.rs`), so the page only draws. Design notes: docs/precision-map.md.

mod html;
mod insert;
mod layout;
mod svg;

use hashbrown::HashMap;

use super::explain::Explanation;
use super::precision::{NodePrecision, Precision, Source};
use crate::model::NodeId;

pub use html::{html_page, map_data, page_with, DATA_VERSION, PAGE_SCRIPT};
pub use insert::{new_entry_insertion, Insertion};
pub use svg::{svg, MAX_SVG_NODES};

/// Index of a group in [`PrecisionMap::groups`]; 0 is the root (the whole model, never drawn
/// as a box).
pub type GroupId = usize;

/// Scopes deeper than this are not split further (a name with thousands of `/` stays one
/// group deep, not thousands).
pub const MAX_SCOPE_DEPTH: usize = 16;

/// How many items (nodes and collapsed groups) the first view shows at most: groups are
/// opened breadth-first while the count stays under it. Small models open completely.
pub const OPEN_BUDGET: usize = 1500;

/// What colour a node is drawn in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    Precision(Precision),
    /// The inputs have different precisions.
    Mixed,
    /// No inputs (or only omitted ones): nothing is quantized on the way in.
    NoInputs,
}

/// How many classes there are: every precision, mixed and none.
pub const CLASS_COUNT: usize = Precision::ALL.len() + 2;

impl Class {
    /// Every class, in legend order.
    pub fn all() -> impl Iterator<Item = Class> {
        Precision::ALL
            .iter()
            .map(|&p| Class::Precision(p))
            .chain([Class::Mixed, Class::NoInputs])
    }

    /// Its place in [`Class::all`].
    pub fn index(self) -> usize {
        match self {
            Class::Precision(p) => Precision::ALL.iter().position(|&q| q == p).unwrap_or(0),
            Class::Mixed => Precision::ALL.len(),
            Class::NoInputs => Precision::ALL.len() + 1,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Class::Precision(p) => p.as_str(),
            Class::Mixed => "mixed",
            Class::NoInputs => "none",
        }
    }

    /// The legend's words.
    pub fn label(self) -> &'static str {
        match self {
            Class::Precision(p) => p.describe(),
            Class::Mixed => "mixed (inputs differ)",
            Class::NoInputs => "no inputs",
        }
    }

    /// The fill colour. Distinct for every class; a mixed node is drawn with the colours of
    /// its precisions, this one is for the legend and the mix bars of collapsed groups.
    pub fn color(self) -> &'static str {
        match self {
            Class::Precision(p) => match p {
                Precision::Int8 => "#4e79a7",
                Precision::Ec => "#17becf",
                Precision::Int16 => "#59a14f",
                Precision::Float16 => "#f28e2b",
                Precision::Float32 => "#e15759",
                Precision::Int4 => "#edc948",
                Precision::MxInt4 => "#b07aa1",
                Precision::MxInt8 => "#9c755f",
                Precision::MxInt16 => "#ff9da7",
                Precision::MxFp4 => "#8cd17d",
                Precision::MxFp8 => "#d4a6c8",
                Precision::NvFp4 => "#86bcb6",
                Precision::DualInt16 => "#2f6b2f",
                Precision::Int16Ec => "#a0cbe8",
            },
            Class::Mixed => "#4b3f72",
            Class::NoInputs => "#d3d3d3",
        }
    }

    /// The text colour that reads on [`Class::color`].
    pub fn text_color(self) -> &'static str {
        let hex = self.color().trim_start_matches('#');
        let channel = |i: usize| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .map_or(0.0, |v| v as f64 / 255.0)
        };
        let luminance = 0.299 * channel(0) + 0.587 * channel(2) + 0.114 * channel(4);
        if luminance > 0.55 {
            "#111111"
        } else {
            "#ffffff"
        }
    }
}

/// One node of the model on the map.
#[derive(Clone, Debug)]
pub struct MapNode {
    pub class: Class,
    /// The distinct precisions of its inputs, in [`Precision::ALL`] order: the bands of a mixed
    /// node.
    pub precisions: Vec<Precision>,
    /// The innermost group holding it.
    pub group: GroupId,
    /// Top-left corner, in map units (see [`layout::NODE_W`]).
    pub x: f64,
    pub y: f64,
}

/// A node or a group, as the child of a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Item {
    Node(NodeId),
    Group(GroupId),
}

/// A scope of node names (`/layer1/layer1.0`) holding at least two nodes or groups. Scopes with
/// one member are dissolved into their parent (so `/layer1/layer1.0/conv1` with its single
/// `Conv` is not a box).
#[derive(Clone, Debug)]
pub struct Group {
    /// The scope: every member's name starts with it and a `/`. Empty for the root.
    pub name: String,
    /// What the box says: the scope relative to its parent group.
    pub label: String,
    /// The root's parent is the root.
    pub parent: GroupId,
    pub children: Vec<Item>,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// Drawn open in the first view ([`OPEN_BUDGET`]).
    pub open: bool,
    /// How many nodes it holds, at any depth.
    pub nodes: usize,
    /// Its nodes by class ([`Class::index`]).
    pub mix: [usize; CLASS_COUNT],
}

/// A tensor from the node that produces it to a node that reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapEdge {
    pub from: NodeId,
    pub to: NodeId,
    /// The consumer's input index.
    pub input: usize,
    /// The precision changes here: a requantize point.
    pub boundary: bool,
}

/// Everything the pictures draw, laid out.
pub struct PrecisionMap<'e, 'm> {
    pub explanation: &'e Explanation<'m>,
    /// Indexed by [`NodeId`].
    pub nodes: Vec<MapNode>,
    pub groups: Vec<Group>,
    pub edges: Vec<MapEdge>,
    /// Nodes per class ([`Class::index`]).
    pub counts: [usize; CLASS_COUNT],
    pub width: f64,
    pub height: f64,
}

impl<'e, 'm> PrecisionMap<'e, 'm> {
    /// The map of every node of the explanation's model. The explanation must have been made
    /// with every node (`only_overridden: false`); nodes it lacks count as having no inputs.
    pub fn new(explanation: &'e Explanation<'m>) -> Self {
        let model = explanation.model;
        let n = model.node_count();
        let mut by_node: Vec<Option<&NodePrecision>> = vec![None; n];
        for np in &explanation.nodes {
            if let Some(slot) = by_node.get_mut(np.node) {
                *slot = Some(np);
            }
        }
        let (classes, bands): (Vec<Class>, Vec<Vec<Precision>>) = by_node
            .iter()
            .map(|np| classify(np.map_or(&[][..], |np| &np.inputs[..])))
            .unzip();
        let outs: Vec<Vec<Precision>> = by_node
            .iter()
            .map(|np| np.map_or_else(Vec::new, |np| computes_at(model, np)))
            .collect();
        let mut edges = Vec::new();
        for (to, node) in model.nodes().enumerate() {
            for (input, tensor) in node.inputs().enumerate() {
                if tensor.is_empty() {
                    continue;
                }
                let Some(from) = model.producer(tensor) else {
                    continue;
                };
                if from == to {
                    continue;
                }
                let read_at = by_node[to]
                    .and_then(|np| np.inputs.get(input))
                    .and_then(|i| i.precision);
                let out = &outs[from];
                // No boundary after a node without inputs (a constant).
                let boundary = match (read_at, out.as_slice()) {
                    (None, _) | (_, []) => false,
                    (Some(p), [one]) => *one != wire(p),
                    (Some(_), _) => true,
                };
                edges.push(MapEdge {
                    from,
                    to,
                    input,
                    boundary,
                });
            }
        }
        let names: Vec<&str> = model.nodes().map(|n| n.name()).collect();
        let mut scopes = scope_groups(&names);
        let mut counts = [0usize; CLASS_COUNT];
        for (id, class) in classes.iter().enumerate() {
            counts[class.index()] += 1;
            let g = scopes.node_group[id];
            scopes.groups[g].mix[class.index()] += 1;
            scopes.groups[g].nodes += 1;
        }
        for g in (1..scopes.groups.len()).rev() {
            let parent = scopes.groups[g].parent;
            let (mix, count) = (scopes.groups[g].mix, scopes.groups[g].nodes);
            let p = &mut scopes.groups[parent];
            p.nodes += count;
            for (a, b) in p.mix.iter_mut().zip(mix) {
                *a += b;
            }
        }
        let reads_input: Vec<bool> = model
            .nodes()
            .map(|node| {
                node.inputs().any(|t| {
                    !t.is_empty() && model.producer(t).is_none() && !model.is_initializer(t)
                })
            })
            .collect();
        let placed = layout::layout(n, &reads_input, &edges, &scopes.groups, &scopes.node_group);
        let mut groups = scopes.groups;
        for (g, group) in groups.iter_mut().enumerate() {
            let (x, y, w, h) = placed.groups[g];
            (group.x, group.y, group.w, group.h) = (x, y, w, h);
        }
        open_first_view(&mut groups);
        let nodes = classes
            .into_iter()
            .zip(bands)
            .enumerate()
            .map(|(id, (class, precisions))| MapNode {
                class,
                precisions,
                group: scopes.node_group[id],
                x: placed.nodes[id].0,
                y: placed.nodes[id].1,
            })
            .collect();
        PrecisionMap {
            explanation,
            nodes,
            groups,
            edges,
            counts,
            width: placed.width,
            height: placed.height,
        }
    }

    /// How many edges are boundaries.
    pub fn boundaries(&self) -> usize {
        self.edges.iter().filter(|e| e.boundary).count()
    }

    /// What a node is called on the map: its name after the scope of its group
    /// (`conv1/Conv` in `/layer1/layer1.0`), else its op type.
    pub fn node_label(&self, id: NodeId) -> &str {
        let node = self.explanation.model.node(id);
        let group = &self.groups[self.nodes[id].group];
        let relative = node
            .name()
            .strip_prefix(group.name.as_str())
            .unwrap_or(node.name())
            .trim_start_matches('/');
        if relative.is_empty() {
            node.op_type()
        } else {
            relative
        }
    }

    /// The 1-based line of the setting behind a source, as users read it.
    pub fn source_line(&self, source: &Source) -> Option<usize> {
        match source {
            Source::Default => None,
            Source::Setting(s) => Some(self.explanation.line_1based(s.range.start)),
        }
    }

    /// The 1-based line of a node's node_config entry (its key), if it has one.
    pub fn entry_line(&self, id: NodeId) -> Option<usize> {
        let name = self.explanation.model.node(id).name();
        if name.is_empty() {
            return None;
        }
        let entry = self.explanation.settings.node.get(name)?;
        Some(self.explanation.line_1based(entry.key_range.start))
    }
}

/// A node's class and its distinct input precisions.
fn classify(inputs: &[super::precision::InputPrecision]) -> (Class, Vec<Precision>) {
    let mut seen = [false; Precision::ALL.len()];
    for p in inputs.iter().filter_map(|i| i.precision) {
        seen[Class::Precision(p).index()] = true;
    }
    let bands: Vec<Precision> = Precision::ALL
        .iter()
        .zip(seen)
        .filter(|(_, s)| *s)
        .map(|(&p, _)| p)
        .collect();
    let class = match bands.as_slice() {
        [] => Class::NoInputs,
        [one] => Class::Precision(*one),
        _ => Class::Mixed,
    };
    (class, bands)
}

/// The precision a tensor travels at: error compensation and paired inputs change how a node
/// computes, not the data type between nodes (`ec` is int8 on the wire).
fn wire(p: Precision) -> Precision {
    match p {
        Precision::Ec => Precision::Int8,
        Precision::Int16Ec | Precision::DualInt16 => Precision::Int16,
        other => other,
    }
}

/// The precisions a node computes at, which its outputs carry: those of its data inputs
/// (weights aside; all inputs when every one is a weight), on the wire. Several when they
/// differ, none when it has no inputs.
fn computes_at(model: &crate::model::ModelIndex, np: &NodePrecision) -> Vec<Precision> {
    let data = np
        .inputs
        .iter()
        .filter(|i| i.precision.is_some() && !i.is_weight && model.producer(&i.tensor).is_some());
    let data: Vec<Precision> = data.filter_map(|i| i.precision).map(wire).collect();
    let mut out = if data.is_empty() {
        let graph_inputs: Vec<Precision> = np
            .inputs
            .iter()
            .filter(|i| !i.is_weight)
            .filter_map(|i| i.precision)
            .map(wire)
            .collect();
        if graph_inputs.is_empty() {
            np.inputs
                .iter()
                .filter_map(|i| i.precision)
                .map(wire)
                .collect()
        } else {
            graph_inputs
        }
    } else {
        data
    };
    out.sort_by_key(|&p| Class::Precision(p).index());
    out.dedup();
    out
}

/// The scope tree of a model's node names.
struct Scopes {
    groups: Vec<Group>,
    node_group: Vec<GroupId>,
}

fn new_group(name: String, parent: GroupId) -> Group {
    Group {
        name,
        label: String::new(),
        parent,
        children: Vec::new(),
        x: 0.0,
        y: 0.0,
        w: 0.0,
        h: 0.0,
        open: false,
        nodes: 0,
        mix: [0; CLASS_COUNT],
    }
}

/// Groups nodes by the scopes of their names: `/a/b/Conv` is in `/a/b`, which is in `/a`. A
/// scope with a single member (node or scope) is dissolved into its parent, and so is a lone
/// scope holding everything. Parents come before their children in the result.
fn scope_groups(names: &[&str]) -> Scopes {
    let mut groups = vec![new_group(String::new(), 0)];
    let mut by_name: HashMap<&str, GroupId> = HashMap::new();
    let mut deepest = Vec::with_capacity(names.len());
    // Members of each scope before dissolving, to count them.
    let mut members: Vec<usize> = vec![0];
    for name in names {
        let mut parent = 0;
        for (depth, (i, _)) in name.match_indices('/').enumerate() {
            if depth > MAX_SCOPE_DEPTH {
                break;
            }
            if i == 0 {
                continue;
            }
            let prefix = &name[..i];
            parent = match by_name.get(prefix) {
                Some(&g) => g,
                None => {
                    let g = groups.len();
                    groups.push(new_group(prefix.to_string(), parent));
                    members.push(0);
                    members[parent] += 1;
                    by_name.insert(prefix, g);
                    g
                }
            };
        }
        members[parent] += 1;
        deepest.push(parent);
    }
    // Dissolve single-member scopes; the root keeps its place, but a root holding a single
    // scope takes that scope's members.
    let mut keep: Vec<bool> = members.iter().map(|&m| m >= 2).collect();
    keep[0] = true;
    let survivor = |keep: &[bool], groups: &[Group], mut g: GroupId| {
        while !keep[g] {
            g = groups[g].parent;
        }
        g
    };
    loop {
        let top: Vec<GroupId> = (1..groups.len())
            .filter(|&g| keep[g] && survivor(&keep, &groups, groups[g].parent) == 0)
            .collect();
        let top_nodes = deepest
            .iter()
            .filter(|&&g| survivor(&keep, &groups, g) == 0)
            .count();
        match (top.as_slice(), top_nodes) {
            ([only], 0) => keep[*only] = false,
            _ => break,
        }
    }
    let mut new_id = vec![0usize; groups.len()];
    let mut kept = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        if keep[g] {
            new_id[g] = kept.len();
            let parent = if g == 0 {
                0
            } else {
                survivor(&keep, &groups, group.parent)
            };
            kept.push(new_group(group.name.clone(), parent));
        }
    }
    for g in 1..kept.len() {
        kept[g].parent = new_id[kept[g].parent];
    }
    let node_group: Vec<GroupId> = deepest
        .iter()
        .map(|&g| new_id[survivor(&keep, &groups, g)])
        .collect();
    for g in 1..kept.len() {
        let parent = kept[g].parent;
        kept[parent].children.push(Item::Group(g));
        let prefix_len = if parent == 0 {
            0
        } else {
            kept[parent].name.len() + 1
        };
        let label = kept[g].name.get(prefix_len..).unwrap_or("");
        let label = label.trim_start_matches('/');
        kept[g].label = if label.is_empty() {
            kept[g].name.clone()
        } else {
            label.to_string()
        };
    }
    for (id, &g) in node_group.iter().enumerate() {
        kept[g].children.push(Item::Node(id));
    }
    Scopes {
        groups: kept,
        node_group,
    }
}

/// Opens groups breadth-first while the first view shows at most [`OPEN_BUDGET`] items.
fn open_first_view(groups: &mut [Group]) {
    let Some(root) = groups.first_mut() else {
        return;
    };
    root.open = true;
    let mut shown = root.children.len();
    let mut queue: std::collections::VecDeque<GroupId> = std::collections::VecDeque::new();
    let child_groups = |g: &Group| -> Vec<GroupId> {
        g.children
            .iter()
            .filter_map(|c| match c {
                Item::Group(id) => Some(*id),
                Item::Node(_) => None,
            })
            .collect()
    };
    queue.extend(child_groups(&groups[0]));
    while let Some(g) = queue.pop_front() {
        let more = groups[g].children.len().saturating_sub(1);
        if shown + more <= OPEN_BUDGET {
            shown += more;
            groups[g].open = true;
            queue.extend(child_groups(&groups[g]));
        }
    }
}

#[cfg(test)]
mod tests;
