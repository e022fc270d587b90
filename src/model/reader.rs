//! Walks the protobuf of an ONNX model and keeps only the graph, touching as few bytes as it can.
//!
//! prost alone would decode the model in one call, but it needs the whole file as one slice.
//! Memory-mapping the file gives that slice, and was measured (docs/model.md): on Linux every page
//! fault on a file map also maps the neighbouring cached pages ("fault-around", 64 KiB), and
//! initializers are a few KiB to a few dozen KiB apart, so reading each initializer's name put
//! the whole 1 GiB file into the process's resident set (peak RSS 1.15 GB), and the faults cost
//! ~40 ms. A map also turns a model truncated by a concurrent writer into SIGBUS.
//!
//! Instead this module walks `ModelProto` and `GraphProto` field by field through a [`Source`]:
//! positioned reads of just the bytes needed. Each small message (a node, a value info, an opset)
//! is decoded in place: opsets by prost, nodes by hand, their strings copied once into the
//! index's one string buffer ([`Strings`]) while attributes and metadata are skipped. Initializers
//! are read up to their `name`; their payload is jumped over by arithmetic. A big graph is
//! walked on two threads: its nodes are decoded on one while the other jumps over the weights
//! ([`read_graph_split`]).
//!
//! This file holds the walk of ONNX's messages; `wire.rs` the protobuf fields it steps through,
//! `split.rs` the walk on two threads, `source.rs` the bytes it reads.

use prost::encoding::WireType;

use super::onnx::OperatorSetIdProto;
use super::strings::{Recent, Span, Strings};

mod source;
mod split;
mod wire;
pub(super) use source::{BufferedReads, Source};
use split::{read_graph_split, NodeCut};
use wire::{decode, expect_len, field, held, hop, quick_field, read_strings, utf8};

/// What the walker found. `graph` is `None` when the model has no graph field.
#[derive(Default)]
pub(super) struct RawModel {
    pub ir_version: i64,
    pub opsets: Vec<(String, i64)>,
    pub graph: Option<RawGraph>,
}

/// The graph as offsets into one string buffer.
#[derive(Default)]
pub(super) struct RawGraph {
    pub strings: Strings,
    pub nodes: Vec<NodeRecord>,
    /// Every node's inputs then outputs, node after node; see [`NodeRecord::tensors`].
    pub tensors: Vec<Span>,
    pub initializers: Vec<Span>,
    pub inputs: Vec<Span>,
    pub outputs: Vec<Span>,
    /// A node's outputs while its fields are read (inputs and outputs may interleave).
    scratch: Vec<Span>,
    /// The tensors the last nodes made, and the last op types: a node's input is mostly an
    /// output of a node just before it, and is then stored once.
    recent: Recent,
}

/// One `NodeProto`: its strings, and where its tensors lie in [`RawGraph::tensors`].
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct NodeRecord {
    pub name: Span,
    pub op_type: Span,
    /// Empty for the default ONNX domain.
    pub domain: Span,
    /// `tensors[tensors..tensors + inputs]` are the inputs, in ONNX order (`""` marks an
    /// omitted optional input); the `outputs` after them are the outputs.
    pub tensors: u32,
    pub inputs: u32,
    pub outputs: u32,
}

/// Why the walk failed; turned into a [`super::ModelError`] message by the caller.
#[derive(Debug)]
pub(super) enum WalkError {
    /// A length or the file ends before a field does: `what` names the field.
    Truncated { what: &'static str, at: u64 },
    /// Anything else that is not protobuf / ONNX: a wrong wire type, bad UTF-8, a bad varint.
    Corrupt { what: String, at: u64 },
    /// The file could not be read.
    Io(String),
}

/// From this size on, a graph is walked on two threads (see [`read_graph_split`]). An exported
/// model's graph is its nodes, then its initializers with the weights inline: skipping 1 GiB
/// of weights is one read per weight tensor, about as long as decoding 100,000 nodes; and the
/// 64,519 initializers of a 100,000-node model are work for the second thread even without
/// weights (its 22 MB graph: `qcls check` 33.5 against 39.2 ms, p50 of 16 runs each). A graph
/// of 2.3 MB (10,000 nodes) is read as fast on one thread (6.6 against 7.1 ms).
pub(super) const SPLIT_GRAPH_BYTES: u64 = 8 << 20;

/// What is given the graph's leading nodes when they are decoded while the rest of the graph is
/// read on another thread (on this thread, meanwhile).
pub(super) type OnLeadingNodes<'a> = &'a mut dyn FnMut(&RawGraph);

/// Walks a whole `ModelProto`, a graph of `split_from` bytes or more on two threads
/// ([`SPLIT_GRAPH_BYTES`] but for tests).
pub(super) fn read_model_splitting(
    src: &mut dyn Source,
    split_from: u64,
    on_leading_nodes: OnLeadingNodes,
) -> Result<RawModel, WalkError> {
    let end = src.len();
    let mut model = RawModel::default();
    let mut pos = 0;
    while pos < end {
        let f = field(src, pos, end, "ModelProto")?;
        match f.number {
            1 => {
                if f.wire != WireType::Varint {
                    return Err(WalkError::Corrupt {
                        what: format!("ModelProto.ir_version: invalid wire type {:?}", f.wire),
                        at: pos,
                    });
                }
                model.ir_version = f.value as i64;
            }
            7 => {
                expect_len(&f, "ModelProto.graph")?;
                match &mut model.graph {
                    None if f.value >= split_from => {
                        let graph = read_graph_split(src, f.start, f.next, on_leading_nodes)?;
                        model.graph = Some(graph);
                    }
                    // A repeated message field merges, as protobuf does.
                    graph => {
                        let graph = graph.get_or_insert_with(RawGraph::default);
                        read_graph(src, f.start, f.next, graph, false, None)?;
                    }
                }
            }
            8 => {
                let o: OperatorSetIdProto = decode(src, &f, "ModelProto.opset_import")?;
                model.opsets.push((o.domain, o.version));
            }
            _ => {}
        }
        pos = f.next;
    }
    Ok(model)
}

/// Walks the graph's fields from `pos` into `g`. With `leading_nodes`, only the run of nodes
/// at `pos`: stops at the first field that is not a node.
///
/// `cut`: the second thread may take the rest of the run of nodes from a node on; the walk
/// stops there if it has not passed it yet (see [`NodeCut`]).
fn read_graph(
    src: &mut dyn Source,
    mut pos: u64,
    end: u64,
    g: &mut RawGraph,
    leading_nodes: bool,
    cut: Option<&NodeCut>,
) -> Result<(), WalkError> {
    // Whether the last field was a node: only then are the next ones decoded as a run (after
    // the nodes, asking for one at every initializer decoded each header twice).
    let mut in_nodes = true;
    while pos < end {
        if in_nodes {
            let stopped;
            (pos, stopped) = read_held_nodes(src, pos, end, g, cut)?;
            if stopped {
                return Ok(());
            }
            if pos == end {
                break;
            }
        }
        let f = field(src, pos, end, "GraphProto")?;
        in_nodes = f.number == 1;
        if leading_nodes && f.number != 1 {
            return Ok(());
        }
        match f.number {
            1 if cut.is_some_and(|cut| cut.stops_at(pos)) => return Ok(()),
            1 => {
                expect_len(&f, "GraphProto.node")?;
                let bytes = src.get(f.start, f.value as usize)?;
                read_node(bytes, f.start, g)?;
            }
            5 => {
                expect_len(&f, "GraphProto.initializer")?;
                let name = tensor_name(src, f.start, f.next, "GraphProto.initializer")?;
                let span = g.strings.push(name);
                g.initializers.push(span);
            }
            11 | 12 => {
                let msg = if f.number == 11 {
                    "GraphProto.input"
                } else {
                    "GraphProto.output"
                };
                expect_len(&f, msg)?;
                let bytes = src.get(f.start, f.value as usize)?;
                // ValueInfoProto: only its name (field 1); the type is not needed.
                let mut name = Span::default();
                read_strings(bytes, f.start, msg, &[1], |number, s| {
                    if number == 1 {
                        name = g.strings.push(s);
                    }
                })?;
                if f.number == 11 {
                    g.inputs.push(name);
                } else {
                    g.outputs.push(name);
                }
            }
            15 => {
                // SparseTensorProto: its name is the name of its `values` tensor (field 1).
                expect_len(&f, "GraphProto.sparse_initializer")?;
                let (mut p, e) = (f.start, f.next);
                while p < e {
                    let sf = field(src, p, e, "SparseTensorProto")?;
                    if sf.number == 1 {
                        expect_len(&sf, "SparseTensorProto.values")?;
                        let name = tensor_name(src, sf.start, sf.next, "SparseTensorProto.values")?;
                        let span = g.strings.push(name);
                        g.initializers.push(span);
                    }
                    p = sf.next;
                }
            }
            _ => {}
        }
        pos = f.next;
    }
    Ok(())
}

/// Decodes the nodes at `pos` that lie whole in what the source holds, without asking it for
/// each (a big model has 100,000 of them back to back); answers where the first field left
/// undecoded starts. A field that is not a node, or a node [`quick_field`] does not take or
/// that the source does not hold whole, is left to the caller's general walk.
/// With `cut`, it also stops at the node the first thread gives the second one, answering
/// `(where, true)`.
fn read_held_nodes(
    src: &mut dyn Source,
    pos: u64,
    end: u64,
    g: &mut RawGraph,
    cut: Option<&NodeCut>,
) -> Result<(u64, bool), WalkError> {
    let held = held(src, pos, end)?;
    let mut at = 0;
    while let Some(f) = held
        .get(at..)
        .and_then(|h| quick_field(h, pos + at as u64, end))
    {
        let (start, next) = ((f.start - pos) as usize, (f.next - pos) as usize);
        let Some(body) = held.get(start..next).filter(|_| f.number == 1) else {
            break;
        };
        if f.wire != WireType::LengthDelimited {
            break;
        }
        if cut.is_some_and(|cut| cut.stops_at(pos + at as u64)) {
            return Ok((pos + at as u64, true));
        }
        read_node(body, f.start, g)?;
        at = next;
    }
    Ok((pos + at as u64, false))
}

/// The `name` (field 8) of the TensorProto at `pos..end`; every other field, the payload
/// included, is skipped without being read.
fn tensor_name<'s>(
    src: &'s mut dyn Source,
    pos: u64,
    end: u64,
    msg: &'static str,
) -> Result<&'s str, WalkError> {
    let mut name = None;
    hop(src, pos, end, msg, |_, f| {
        if f.number == 8 {
            expect_len(f, "TensorProto.name")?;
            name = Some((f.start, f.value as usize));
        }
        Ok(true)
    })?;
    let Some((start, len)) = name else {
        return Ok("");
    };
    let bytes = src.get(start, len)?;
    utf8(bytes).map_err(|_| WalkError::Corrupt {
        what: "TensorProto.name: invalid string value: data is not UTF-8 encoded".to_string(),
        at: start,
    })
}

/// Decodes one `NodeProto` (`bytes`, at file offset `at`) into `g`: input (1), output (2),
/// name (3), op_type (4) and domain (7). Attributes and every other field are skipped.
fn read_node(bytes: &[u8], at: u64, g: &mut RawGraph) -> Result<(), WalkError> {
    const MSG: &str = "GraphProto.node";
    let mut node = NodeRecord {
        tensors: g.tensors.len() as u32,
        ..NodeRecord::default()
    };
    let mut outputs = std::mem::take(&mut g.scratch);
    outputs.clear();
    let strings = &mut g.strings;
    let tensors = &mut g.tensors;
    let recent = &mut g.recent;
    read_strings(bytes, at, MSG, &[1, 2, 3, 4, 7], |number, s| match number {
        1 => {
            tensors.push(recent.push(strings, s));
            node.inputs += 1;
        }
        2 => outputs.push(recent.push(strings, s)),
        // A field given twice: the last one counts, as in protobuf.
        3 => node.name = strings.push(s),
        4 => node.op_type = recent.push(strings, s),
        7 => node.domain = strings.push(s),
        _ => {}
    })?;
    node.outputs = outputs.len() as u32;
    g.tensors.append(&mut outputs);
    g.scratch = outputs;
    g.nodes.push(node);
    Ok(())
}

#[cfg(test)]
mod tests;
