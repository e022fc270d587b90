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

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};

use prost::encoding::{decode_key, decode_varint, skip_field, DecodeContext, WireType};
use prost::Message;

use super::onnx::OperatorSetIdProto;
use super::strings::{Recent, Span, Strings};

mod source;
pub(super) use source::{BufferedReads, Source};

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

/// One field's key and where its value is.
#[derive(Debug, PartialEq)]
struct Field {
    number: u32,
    wire: WireType,
    /// For varints the value; for length-delimited fields the length.
    value: u64,
    /// Where the value starts (after the key, and after the length for LEN fields).
    start: u64,
    /// Where the next field starts.
    next: u64,
}

/// A field's key and length take at most this many bytes.
const FIELD_HEAD: u64 = 20;

/// Reads the field at `pos`, which lies before `end`.
fn field(src: &mut dyn Source, pos: u64, end: u64, msg: &'static str) -> Result<Field, WalkError> {
    let head_len = (end - pos).min(FIELD_HEAD) as usize;
    let head = src.get(pos, head_len)?;
    match quick_field(head, pos, end) {
        Some(f) => Ok(f),
        None => decode_field(head, pos, end, msg),
    }
}

/// Decodes the field at `pos` from `head`, its first `min(end - pos, FIELD_HEAD)` bytes, in
/// every case [`quick_field`] leaves: keys and varints of any width, and every error.
fn decode_field(head: &[u8], pos: u64, end: u64, msg: &'static str) -> Result<Field, WalkError> {
    let head_len = head.len();
    let mut buf = head;
    let corrupt = |what: String| WalkError::Corrupt { what, at: pos };
    let (number, wire) = decode_key(&mut buf).map_err(|e| corrupt(format!("{msg}: {e}")))?;
    let after_key = |buf: &[u8]| pos + (head_len - buf.len()) as u64;
    let truncated = WalkError::Truncated { what: msg, at: pos };
    match wire {
        WireType::Varint => {
            let value = decode_varint(&mut buf).map_err(|_| {
                if (head_len as u64) < FIELD_HEAD {
                    WalkError::Truncated { what: msg, at: pos }
                } else {
                    corrupt(format!("{msg}: invalid varint"))
                }
            })?;
            let next = after_key(buf);
            Ok(Field {
                number,
                wire,
                value,
                start: next,
                next,
            })
        }
        WireType::LengthDelimited => {
            let len = decode_varint(&mut buf).map_err(|_| truncated)?;
            let start = after_key(buf);
            if len > end - start {
                return Err(WalkError::Truncated { what: msg, at: pos });
            }
            Ok(Field {
                number,
                wire,
                value: len,
                start,
                next: start + len,
            })
        }
        WireType::ThirtyTwoBit | WireType::SixtyFourBit => {
            let size = if wire == WireType::ThirtyTwoBit { 4 } else { 8 };
            let start = after_key(buf);
            if size > end - start {
                return Err(truncated);
            }
            Ok(Field {
                number,
                wire,
                value: 0,
                start,
                next: start + size,
            })
        }
        // Groups are deprecated and ONNX never uses them.
        WireType::StartGroup | WireType::EndGroup => {
            Err(corrupt(format!("{msg}: unexpected group field {number}")))
        }
    }
}

/// The field at `pos` when it is what nearly every field of a model is: a one-byte key (fields
/// 1 to 15), then a varint or a length of one or two bytes that fits before `end`. `None`
/// leaves anything else, errors included, to the general decoding, which a big model's 600,000
/// fields spent a quarter of the walk's instructions in.
#[inline]
fn quick_field(head: &[u8], pos: u64, end: u64) -> Option<Field> {
    let (&key, rest) = head.split_first()?;
    if key >= 0x80 || key >> 3 == 0 {
        return None;
    }
    let number = u32::from(key >> 3);
    let (value, width) = quick_varint(rest)?;
    let start = pos + 1 + width;
    match key & 7 {
        0 => Some(Field {
            number,
            wire: WireType::Varint,
            value,
            start,
            next: start,
        }),
        2 if value <= end - start => Some(Field {
            number,
            wire: WireType::LengthDelimited,
            value,
            start,
            next: start + value,
        }),
        _ => None,
    }
}

/// A varint of one or two bytes at the start of `bytes`, and its width.
#[inline]
fn quick_varint(bytes: &[u8]) -> Option<(u64, u64)> {
    match bytes {
        [b, ..] if *b < 0x80 => Some((u64::from(*b), 1)),
        [b0, b1, ..] if *b1 < 0x80 => Some((u64::from(b0 & 0x7f) | (u64::from(*b1) << 7), 2)),
        _ => None,
    }
}

/// The bytes as text, when they are UTF-8. Names in a model are ASCII nearly always, and
/// checking that a short string is ASCII costs a fraction of a full UTF-8 validation.
#[inline]
fn utf8(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    if bytes.is_ascii() {
        // SAFETY: ASCII bytes are valid UTF-8.
        Ok(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else {
        std::str::from_utf8(bytes)
    }
}

fn expect_len(f: &Field, msg: &'static str) -> Result<(), WalkError> {
    if f.wire == WireType::LengthDelimited {
        Ok(())
    } else {
        Err(WalkError::Corrupt {
            what: format!("{msg}: invalid wire type {:?} (expected a message)", f.wire),
            at: f.start,
        })
    }
}

fn decode<M: Message + Default>(
    src: &mut dyn Source,
    f: &Field,
    msg: &'static str,
) -> Result<M, WalkError> {
    expect_len(f, msg)?;
    let bytes = src.get(f.start, f.value as usize)?;
    M::decode(bytes).map_err(|e| WalkError::Corrupt {
        what: format!("{msg}: {}", strip_prost_prefix(&e.to_string())),
        at: f.start,
    })
}

fn strip_prost_prefix(s: &str) -> &str {
    s.strip_prefix("failed to decode Protobuf message: ")
        .unwrap_or(s)
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
    while pos < end {
        let stopped;
        (pos, stopped) = read_held_nodes(src, pos, end, g, cut)?;
        if stopped {
            return Ok(());
        }
        if pos == end {
            break;
        }
        let f = field(src, pos, end, "GraphProto")?;
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

/// Walks the graph at `start..end` on two threads: this one decodes the run of nodes it starts
/// with, while a second one hops over those nodes (their headers only) and walks every field
/// after them. When the second one is done first, it takes the back part of the nodes this one
/// has not reached yet ([`NodeCut`]): on a graph without weights its own part is short. The
/// result is the one [`read_graph`] gives, and so is the first error: the second thread reads
/// the nodes' headers that this one reads too, and what each decoded is put back in file
/// order. `on_leading_nodes` is given the nodes as soon as they are decoded, when this thread
/// decoded them all.
fn read_graph_split(
    src: &mut dyn Source,
    start: u64,
    end: u64,
    on_leading_nodes: OnLeadingNodes,
) -> Result<RawGraph, WalkError> {
    let Some(mut other) = src.another() else {
        let mut g = RawGraph::default();
        read_graph(src, start, end, &mut g, false, None)?;
        return Ok(g);
    };
    let cut = NodeCut::new(start);
    let (nodes, (tail, rest)) = crate::parallel::join(
        true,
        || {
            // Whatever happens here, the second thread gets its answer: at the latest when
            // this thread is done with the run, before it builds the maps.
            let answer = cut.answer_on_drop();
            let mut g = RawGraph::default();
            read_graph(src, start, end, &mut g, true, Some(&cut))?;
            drop(answer);
            if !cut.stopped() {
                on_leading_nodes(&g);
            }
            Ok(g)
        },
        || {
            let (after_nodes, marks) = match skip_leading_nodes(&mut *other, start, end) {
                Ok(hop) => hop,
                Err(e) => return (None, Err(e)),
            };
            let mut g = RawGraph::default();
            let rest = read_graph(&mut *other, after_nodes, end, &mut g, false, None).map(|()| g);
            let tail = match rest {
                Ok(_) => take_tail(&mut *other, &cut, &marks, after_nodes, end),
                Err(_) => None,
            };
            (tail, rest)
        },
    );
    let mut g = nodes?;
    if let Some(tail) = tail {
        g.append(tail?);
    }
    g.append(rest?);
    Ok(g)
}

/// Below this many bytes of nodes left to the first thread, the second one does not take any.
const MIN_TAIL: u64 = 256 << 10;

/// The second thread's share of the run of nodes that ends at `nodes_end`: from the mark
/// halfway between where the first thread is and the end, if the first thread stops there.
/// `None` when it did not stop there (it had passed that node, or finished, or failed).
fn take_tail(
    src: &mut dyn Source,
    cut: &NodeCut,
    marks: &[u64],
    nodes_end: u64,
    end: u64,
) -> Option<Result<RawGraph, WalkError>> {
    let reached = cut.progress();
    let left = nodes_end.checked_sub(reached)?;
    if left < MIN_TAIL {
        return None;
    }
    let halfway = reached + left / 2;
    let from = *marks.get(marks.partition_point(|&m| m < halfway))?;
    if from >= nodes_end {
        return None;
    }
    cut.offer(from);
    // Decoded before the answer is known: the first thread mostly reaches the mark about when
    // this is done. Thrown away if it did not stop there.
    let mut tail = RawGraph::default();
    let decoded = read_graph(src, from, end, &mut tail, true, None).map(|()| tail);
    cut.wait_stopped().then_some(decoded)
}

/// How two threads share a run of nodes: the second one offers to take the nodes from one on
/// (a node's offset), and the first one, which decodes the nodes in order, either stops at that
/// node (the offer is taken) or is already past it or done (it is refused). Only the first
/// thread answers, once, so no node is decoded by both or by neither.
struct NodeCut {
    /// The offset of the node the first thread is at.
    progress: AtomicU64,
    /// The offered node's offset; `u64::MAX` while there is no offer.
    offer: AtomicU64,
    answer: AtomicU8,
}

const NO_ANSWER: u8 = 0;
const STOPPED: u8 = 1;
const REFUSED: u8 = 2;

impl NodeCut {
    fn new(start: u64) -> Self {
        NodeCut {
            progress: AtomicU64::new(start),
            offer: AtomicU64::new(u64::MAX),
            answer: AtomicU8::new(NO_ANSWER),
        }
    }

    fn progress(&self) -> u64 {
        self.progress.load(Ordering::Relaxed)
    }

    /// The first thread, before it decodes the node at `pos`: true when it stops there.
    fn stops_at(&self, pos: u64) -> bool {
        self.progress.store(pos, Ordering::Relaxed);
        let offer = self.offer.load(Ordering::Acquire);
        if pos < offer {
            return false;
        }
        let answer = if pos == offer { STOPPED } else { REFUSED };
        // Only the first answer counts: past a refused offer, the walk goes on.
        self.answer
            .compare_exchange(NO_ANSWER, answer, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
            && answer == STOPPED
    }

    fn stopped(&self) -> bool {
        self.answer.load(Ordering::Acquire) == STOPPED
    }

    /// Refuses, when dropped, any offer not answered yet or made later: the first thread is done
    /// with the nodes it had, however it ended (done, an error, a panic).
    fn answer_on_drop(&self) -> impl Drop + '_ {
        struct Refuse<'c>(&'c NodeCut);
        impl Drop for Refuse<'_> {
            fn drop(&mut self) {
                let _ = self.0.answer.compare_exchange(
                    NO_ANSWER,
                    REFUSED,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                );
            }
        }
        Refuse(self)
    }

    fn offer(&self, from: u64) {
        self.offer.store(from, Ordering::Release);
    }

    /// Waits for the first thread's answer: true when it stopped at the offered node. It
    /// answers at the next node it reaches, or when it is done.
    fn wait_stopped(&self) -> bool {
        loop {
            match self.answer.load(Ordering::Acquire) {
                NO_ANSWER => std::thread::yield_now(),
                answer => return answer == STOPPED,
            }
        }
    }
}

/// At most how many bytes of nodes are taken from the source at once.
const NODE_RUN: u64 = 1 << 20;

/// What the source holds from `pos` on (reading when it holds less than a field's header).
fn held(src: &mut dyn Source, pos: u64, end: u64) -> Result<&[u8], WalkError> {
    let left = end - pos;
    src.get_some(
        pos,
        left.min(FIELD_HEAD) as usize,
        left.min(NODE_RUN) as usize,
    )
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

/// Where the run of nodes at `pos` ends, reading only their headers; and the offsets of every
/// [`MARK_EVERY`]th node, where the second thread may take the rest of the run from.
fn skip_leading_nodes(
    src: &mut dyn Source,
    pos: u64,
    end: u64,
) -> Result<(u64, Vec<u64>), WalkError> {
    let mut marks = Vec::new();
    let mut count = 0u32;
    let after = hop(src, pos, end, "GraphProto", |at, f| {
        if f.number != 1 {
            return Ok(false);
        }
        if count % MARK_EVERY == 0 {
            marks.push(at);
        }
        count += 1;
        Ok(true)
    })?;
    Ok((after, marks))
}

/// Hands `visit` each field from `pos` on, with its offset, until it answers false (answering
/// that field's offset) or `end` is reached. Only the headers are read: the headers the source
/// already holds are decoded in one go ([`quick_field`]), any other one by [`field`].
fn hop(
    src: &mut dyn Source,
    mut pos: u64,
    end: u64,
    msg: &'static str,
    mut visit: impl FnMut(u64, &Field) -> Result<bool, WalkError>,
) -> Result<u64, WalkError> {
    while pos < end {
        let held = held(src, pos, end)?;
        let mut next = pos;
        while let Some(f) = held
            .get((next - pos) as usize..)
            .and_then(|h| quick_field(h, next, end))
        {
            if !visit(next, &f)? {
                return Ok(next);
            }
            next = f.next;
        }
        if next == pos {
            let f = field(src, pos, end, msg)?;
            if !visit(pos, &f)? {
                return Ok(pos);
            }
            next = f.next;
        }
        pos = next;
    }
    Ok(end)
}

/// One node in this many is a place the second thread may take the rest of the run from.
const MARK_EVERY: u32 = 16;

impl RawGraph {
    /// Puts `other`'s fields after this graph's, as if they had been read after them.
    fn append(&mut self, other: RawGraph) {
        let shift = self.strings.append(other.strings);
        let tensors = self.tensors.len() as u32;
        self.nodes
            .extend(other.nodes.into_iter().map(|n| NodeRecord {
                name: n.name.shifted(shift),
                op_type: n.op_type.shifted(shift),
                domain: n.domain.shifted(shift),
                tensors: n.tensors + tensors,
                ..n
            }));
        let shifted = |spans: Vec<Span>| spans.into_iter().map(move |s| s.shifted(shift));
        self.tensors.extend(shifted(other.tensors));
        self.initializers.extend(shifted(other.initializers));
        self.inputs.extend(shifted(other.inputs));
        self.outputs.extend(shifted(other.outputs));
    }
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

/// Walks the fields of one small message, handing each string field numbered in `wanted` to
/// `found`. Every other field is skipped as protobuf does; a wanted number with another wire
/// type, or bad UTF-8, is an error.
fn read_strings(
    bytes: &[u8],
    at: u64,
    msg: &'static str,
    wanted: &[u32],
    mut found: impl FnMut(u32, &str),
) -> Result<(), WalkError> {
    let mut buf = bytes;
    let corrupt = |buf: &[u8], what: String| WalkError::Corrupt {
        what: format!("{msg}: {what}"),
        at: at + (bytes.len() - buf.len()) as u64,
    };
    while !buf.is_empty() {
        let here = buf;
        // Nearly every field: a one-byte key and a string or a message of under 16 KiB.
        if let Some(f) = quick_field(buf, 0, buf.len() as u64) {
            if f.wire == WireType::LengthDelimited {
                let (value, rest) = buf[f.start as usize..].split_at(f.value as usize);
                if wanted.contains(&f.number) {
                    let s = utf8(value).map_err(|_| {
                        corrupt(
                            here,
                            "invalid string value: data is not UTF-8 encoded".to_string(),
                        )
                    })?;
                    found(f.number, s);
                }
                buf = rest;
                continue;
            }
        }
        let (number, wire) = decode_key(&mut buf).map_err(|e| corrupt(here, e.to_string()))?;
        if !wanted.contains(&number) {
            skip_field(wire, number, &mut buf, DecodeContext::default())
                .map_err(|e| corrupt(here, strip_prost_prefix(&e.to_string()).to_string()))?;
            continue;
        }
        if wire != WireType::LengthDelimited {
            return Err(corrupt(
                here,
                format!("invalid wire type {wire:?} for field {number} (expected a string)"),
            ));
        }
        let len = decode_varint(&mut buf).map_err(|e| corrupt(here, e.to_string()))?;
        let Some(raw) = usize::try_from(len).ok().and_then(|n| buf.get(..n)) else {
            return Err(corrupt(
                here,
                "a string longer than its message".to_string(),
            ));
        };
        let s = utf8(raw).map_err(|_| {
            corrupt(
                here,
                "invalid string value: data is not UTF-8 encoded".to_string(),
            )
        })?;
        found(number, s);
        buf = &buf[raw.len()..];
    }
    Ok(())
}

#[cfg(test)]
mod tests;
