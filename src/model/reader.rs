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

use std::fs::File;
use std::sync::Arc;

use prost::encoding::{decode_key, decode_varint, skip_field, DecodeContext, WireType};
use prost::Message;

use super::onnx::OperatorSetIdProto;
use super::strings::{Span, Strings};

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

/// Strings written lately, by a hash of their text: a small table in place of a map of every
/// name (one of every name was measured: its lookups cost more than the copies it saved).
struct Recent {
    hasher: hashbrown::DefaultHashBuilder,
    slots: Vec<Span>,
}

impl Default for Recent {
    fn default() -> Self {
        Recent {
            hasher: hashbrown::DefaultHashBuilder::default(),
            slots: vec![Span::default(); 512],
        }
    }
}

impl Recent {
    fn slot(&self, s: &str) -> usize {
        use std::hash::BuildHasher;
        self.hasher.hash_one(s) as usize % self.slots.len()
    }

    /// `s` where it was written lately, else written now.
    fn push(&mut self, strings: &mut Strings, s: &str) -> Span {
        let slot = self.slot(s);
        let seen = self.slots[slot];
        if !seen.is_empty() && strings.get(seen) == s {
            return seen;
        }
        let span = strings.push(s);
        self.slots[slot] = span;
        span
    }
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

/// Random access to the model's bytes.
pub(super) trait Source {
    fn len(&self) -> u64;
    /// The bytes `start..start + len`; the caller has checked that they lie inside the file.
    fn get(&mut self, start: u64, len: usize) -> Result<&[u8], WalkError>;
    /// A second reader of the same bytes for another thread, when this source can have one.
    fn another(&self) -> Option<Box<dyn Source + Send>>;
}

impl Source for &[u8] {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }
    fn get(&mut self, start: u64, len: usize) -> Result<&[u8], WalkError> {
        let s = start as usize;
        Ok(&self[s..s + len])
    }
    fn another(&self) -> Option<Box<dyn Source + Send>> {
        None
    }
}

/// Reads the file with positioned reads into one reusable buffer. Each read is as small as the
/// walk allows: 512 bytes after a long jump (an initializer's header behind a weight tensor
/// that was skipped), 4 KiB after a short one (small tensors, such as a normalization's, lie
/// close together), doubling up to 1 MiB while reads follow each other (the run of nodes).
pub(super) struct BufferedReads {
    file: Arc<File>,
    len: u64,
    /// `storage[..buf_len]` holds the file's bytes from `buf_start`.
    storage: Vec<u8>,
    buf_len: usize,
    buf_start: u64,
    chunk: usize,
}

const MIN_READ: usize = 4 << 10;
const MAX_READ: usize = 1 << 20;
/// A jump of this many bytes or more is long: the bytes after it get a read of `FAR_READ`.
/// On the 1 GiB model, reads of 4 KiB after every jump copied 121 MB in 24,200 reads (both
/// threads, the nodes' 23 MB twice); with these, 27,400 reads copy 76 MB and `qcls check` is
/// 6-10% faster. Reads of 256 bytes cut too many headers short (56,000 reads, a third slower).
const FAR_JUMP: u64 = 16 << 10;
const FAR_READ: usize = 512;

impl BufferedReads {
    pub fn new(file: Arc<File>, len: u64) -> Self {
        BufferedReads {
            file,
            len,
            storage: Vec::new(),
            buf_len: 0,
            buf_start: 0,
            chunk: MIN_READ,
        }
    }
}

impl Source for BufferedReads {
    fn len(&self) -> u64 {
        self.len
    }

    fn another(&self) -> Option<Box<dyn Source + Send>> {
        Some(Box::new(BufferedReads::new(self.file.clone(), self.len)))
    }

    fn get(&mut self, start: u64, len: usize) -> Result<&[u8], WalkError> {
        let buf_end = self.buf_start + self.buf_len as u64;
        if start < self.buf_start || start + len as u64 > buf_end {
            let contiguous = start >= self.buf_start && start <= buf_end && self.buf_len > 0;
            self.chunk = if contiguous {
                (self.chunk * 2).min(MAX_READ)
            } else if start.saturating_sub(buf_end) < FAR_JUMP {
                MIN_READ
            } else {
                FAR_READ
            };
            let want = (len.max(self.chunk) as u64).min(self.len - start) as usize;
            // The buffer only grows: bytes already there are overwritten by the read, so only
            // new room is zeroed (not 4 KiB per initializer).
            if self.storage.len() < want {
                self.storage.resize(want, 0);
            }
            // Nothing is valid until the read succeeds.
            self.buf_len = 0;
            read_exact_at(&self.file, &mut self.storage[..want], start).map_err(|e| {
                if e.kind() == std::io::ErrorKind::UnexpectedEof {
                    // The file shrank while being read (a model being rewritten).
                    WalkError::Truncated {
                        what: "the file",
                        at: start,
                    }
                } else {
                    WalkError::Io(format!("cannot read the file ({e})"))
                }
            })?;
            self.buf_start = start;
            self.buf_len = want;
        }
        let s = (start - self.buf_start) as usize;
        self.storage[..self.buf_len]
            .get(s..s + len)
            .ok_or(WalkError::Truncated {
                what: "the file",
                at: start,
            })
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// One field's key and where its value is.
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

/// Reads the field at `pos`, which lies before `end`.
fn field(src: &mut dyn Source, pos: u64, end: u64, msg: &'static str) -> Result<Field, WalkError> {
    let head_len = (end - pos).min(20) as usize;
    let head = src.get(pos, head_len)?;
    let mut buf = head;
    let corrupt = |what: String| WalkError::Corrupt { what, at: pos };
    let (number, wire) = decode_key(&mut buf).map_err(|e| corrupt(format!("{msg}: {e}")))?;
    let after_key = |buf: &[u8]| pos + (head_len - buf.len()) as u64;
    let truncated = WalkError::Truncated { what: msg, at: pos };
    match wire {
        WireType::Varint => {
            let value = decode_varint(&mut buf).map_err(|_| {
                if head_len < 20 {
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
/// of weights is one read per weight tensor, about as long as decoding 100,000 nodes.
pub(super) const SPLIT_GRAPH_BYTES: u64 = 32 << 20;

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
                        read_graph(src, f.start, f.next, graph, false)?;
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
/// at `pos`: stops at the first field that is not a node and answers where it is.
fn read_graph(
    src: &mut dyn Source,
    mut pos: u64,
    end: u64,
    g: &mut RawGraph,
    leading_nodes: bool,
) -> Result<u64, WalkError> {
    while pos < end {
        let f = field(src, pos, end, "GraphProto")?;
        if leading_nodes && f.number != 1 {
            return Ok(pos);
        }
        match f.number {
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
    Ok(end)
}

/// Walks the graph at `start..end` on two threads: this one decodes the run of nodes it starts
/// with, while a second one hops over those nodes (their headers only) and walks every field
/// after them. The result is the one [`read_graph`] gives, and so is the first error: the
/// second thread reads the nodes' headers that this one reads too. `on_leading_nodes` is given
/// the nodes as soon as they are decoded.
fn read_graph_split(
    src: &mut dyn Source,
    start: u64,
    end: u64,
    on_leading_nodes: OnLeadingNodes,
) -> Result<RawGraph, WalkError> {
    let Some(mut other) = src.another() else {
        let mut g = RawGraph::default();
        read_graph(src, start, end, &mut g, false)?;
        return Ok(g);
    };
    let (nodes, rest) = crate::parallel::join(
        true,
        || {
            let mut g = RawGraph::default();
            read_graph(src, start, end, &mut g, true)?;
            on_leading_nodes(&g);
            Ok(g)
        },
        move || {
            let after_nodes = skip_leading_nodes(&mut *other, start, end)?;
            let mut g = RawGraph::default();
            read_graph(&mut *other, after_nodes, end, &mut g, false).map(|_| g)
        },
    );
    let mut g = nodes?;
    g.append(rest?);
    Ok(g)
}

/// Where the run of nodes at `pos` ends, reading only their headers.
fn skip_leading_nodes(src: &mut dyn Source, mut pos: u64, end: u64) -> Result<u64, WalkError> {
    while pos < end {
        let f = field(src, pos, end, "GraphProto")?;
        if f.number != 1 {
            return Ok(pos);
        }
        pos = f.next;
    }
    Ok(end)
}

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
    mut pos: u64,
    end: u64,
    msg: &'static str,
) -> Result<&'s str, WalkError> {
    let mut name = None;
    while pos < end {
        let f = field(src, pos, end, msg)?;
        if f.number == 8 {
            expect_len(&f, "TensorProto.name")?;
            name = Some((f.start, f.value as usize));
        }
        pos = f.next;
    }
    let Some((start, len)) = name else {
        return Ok("");
    };
    let bytes = src.get(start, len)?;
    std::str::from_utf8(bytes).map_err(|_| WalkError::Corrupt {
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
        let s = std::str::from_utf8(raw).map_err(|_| {
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
mod tests {
    use super::*;

    /// A length-delimited field.
    fn string_field(number: u32, s: &str) -> Vec<u8> {
        let mut out = Vec::new();
        prost::encoding::encode_key(number, WireType::LengthDelimited, &mut out);
        prost::encoding::encode_varint(s.len() as u64, &mut out);
        out.extend_from_slice(s.as_bytes());
        out
    }

    /// A message field holding `fields`.
    fn message_field(number: u32, fields: &[Vec<u8>]) -> Vec<u8> {
        let body = fields.concat();
        let mut out = Vec::new();
        prost::encoding::encode_key(number, WireType::LengthDelimited, &mut out);
        prost::encoding::encode_varint(body.len() as u64, &mut out);
        out.extend_from_slice(&body);
        out
    }

    /// The bytes of a model, readable from several threads.
    struct Shared(Arc<Vec<u8>>);

    impl Source for Shared {
        fn len(&self) -> u64 {
            self.0.len() as u64
        }
        fn get(&mut self, start: u64, len: usize) -> Result<&[u8], WalkError> {
            let s = start as usize;
            Ok(&self.0[s..s + len])
        }
        fn another(&self) -> Option<Box<dyn Source + Send>> {
            Some(Box::new(Shared(self.0.clone())))
        }
    }

    /// Everything the walk found, as text.
    fn described(model: &RawModel) -> Vec<String> {
        let Some(g) = &model.graph else {
            return vec!["no graph".to_string()];
        };
        let text = |spans: &[Span]| {
            spans
                .iter()
                .map(|&s| g.strings.get(s))
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut out: Vec<String> = g
            .nodes
            .iter()
            .map(|n| {
                let first = n.tensors as usize;
                let ins = &g.tensors[first..first + n.inputs as usize];
                let outs = &g.tensors[first + n.inputs as usize..][..n.outputs as usize];
                format!(
                    "{} {}:{} ({}) -> ({})",
                    g.strings.get(n.name),
                    g.strings.get(n.domain),
                    g.strings.get(n.op_type),
                    text(ins),
                    text(outs)
                )
            })
            .collect();
        out.push(format!("initializers {}", text(&g.initializers)));
        out.push(format!("inputs {}", text(&g.inputs)));
        out.push(format!("outputs {}", text(&g.outputs)));
        out
    }

    #[test]
    fn a_graph_walked_on_two_threads_reads_as_on_one() {
        let node = |i: usize| {
            message_field(
                1,
                &[
                    string_field(1, &format!("t{i}")),
                    string_field(1, "w"),
                    string_field(2, &format!("t{}", i + 1)),
                    string_field(3, &format!("/layer{i}/Conv")),
                    string_field(4, "Conv"),
                ],
            )
        };
        let initializer = |name: &str, payload: usize| {
            let mut raw = Vec::new();
            prost::encoding::encode_key(9, WireType::LengthDelimited, &mut raw);
            prost::encoding::encode_varint(payload as u64, &mut raw);
            raw.extend(std::iter::repeat_n(7u8, payload));
            message_field(5, &[string_field(8, name), raw])
        };
        // Nodes, then what an exporter writes after them, then two more nodes (protobuf lets
        // a repeated field come back) and a node of another domain.
        let mut graph: Vec<Vec<u8>> = (0..300).map(node).collect();
        graph.push(string_field(2, "graph name"));
        graph.push(initializer("w", 5000));
        graph.push(initializer("b", 10));
        graph.push(message_field(11, &[string_field(1, "t0")]));
        graph.push(node(300));
        graph.push(message_field(12, &[string_field(1, "t302")]));
        graph.push(message_field(
            1,
            &[
                string_field(1, "t301"),
                string_field(2, "t302"),
                string_field(4, "Custom"),
                string_field(7, "ai.example"),
            ],
        ));
        let model = message_field(7, &graph);

        let one = read_model_splitting(&mut model.as_slice(), u64::MAX, &mut |_| {})
            .expect("a valid model");
        let mut source = Shared(Arc::new(model.clone()));
        let mut leading = 0;
        let two = read_model_splitting(&mut source, 0, &mut |g| leading = g.nodes.len())
            .expect("a valid model");
        assert_eq!(leading, 300);
        assert_eq!(described(&two), described(&one));
        let text = described(&two);
        assert_eq!(text.len(), 302 + 3);
        assert_eq!(text[0], "/layer0/Conv :Conv (t0,w) -> (t1)");
        assert_eq!(text[300], "/layer300/Conv :Conv (t300,w) -> (t301)");
        assert_eq!(text[301], " ai.example:Custom (t301) -> (t302)");
        assert_eq!(text[302], "initializers w,b");

        // Nodes gone bad before the initializers, after them or both: the same first error
        // either way. A bad node's name (field 3) becomes a varint, a wrong wire type.
        let victims: [&[&str]; 3] = [
            &["/layer20/Conv"],
            &["/layer300/Conv"],
            &["/layer20/Conv", "/layer300/Conv"],
        ];
        for victims in victims {
            let mut bad = model.clone();
            for victim in victims {
                let at = model
                    .windows(victim.len())
                    .position(|w| w == victim.as_bytes())
                    .expect("the node is there");
                assert_eq!(bad[at - 2], 0x1A, "the name's key");
                bad[at - 2] = 0x18;
            }
            let one = read_model_splitting(&mut bad.as_slice(), u64::MAX, &mut |_| {})
                .map(|_| ())
                .expect_err("a bad node");
            let mut source = Shared(Arc::new(bad));
            let two = read_model_splitting(&mut source, 0, &mut |_| {})
                .map(|_| ())
                .expect_err("a bad node");
            assert_eq!(format!("{two:?}"), format!("{one:?}"));
        }
    }

    fn node(fields: &[Vec<u8>]) -> Result<(Vec<String>, Vec<String>, String, String), WalkError> {
        let bytes = fields.concat();
        let mut g = RawGraph::default();
        read_node(&bytes, 100, &mut g)?;
        let n = g.nodes[0];
        let get = |spans: &[Span]| {
            spans
                .iter()
                .map(|&s| g.strings.get(s).to_string())
                .collect()
        };
        let first = n.tensors as usize;
        let inputs = get(&g.tensors[first..first + n.inputs as usize]);
        let outputs = get(&g.tensors[first + n.inputs as usize..][..n.outputs as usize]);
        let name = g.strings.get(n.name).to_string();
        let op = g.strings.get(n.op_type).to_string();
        Ok((inputs, outputs, name, op))
    }

    #[test]
    fn a_tensor_made_by_one_node_and_read_by_the_next_is_stored_once() {
        let mut g = RawGraph::default();
        // Enough nodes for names to share slots of the table of recent names.
        for i in 0..2_000 {
            let fields = [
                string_field(1, &format!("/layer{i}/output")),
                string_field(1, &format!("weight{i}")),
                string_field(2, &format!("/layer{}/output", i + 1)),
                string_field(4, if i % 2 == 0 { "Conv" } else { "Relu" }),
            ];
            read_node(&fields.concat(), 0, &mut g).expect("a valid node");
        }
        // A name is stored again only when another one took its slot in between (the table
        // is small, so that it stays in the cache): rarely.
        let mut once = 0;
        for (i, pair) in g.nodes.windows(2).enumerate() {
            let made = g.tensors[(pair[0].tensors + pair[0].inputs) as usize];
            let read = g.tensors[pair[1].tensors as usize];
            once += usize::from(made == read);
            assert_eq!(g.strings.get(made), format!("/layer{}/output", i + 1));
            assert_eq!(g.strings.get(read), format!("/layer{}/output", i + 1));
        }
        assert!(once >= 1_950, "{once} of 1,999 stored once");
        let mut shared_ops = 0;
        for (i, n) in g.nodes.iter().enumerate() {
            let weight = g.tensors[n.tensors as usize + 1];
            assert_eq!(g.strings.get(weight), format!("weight{i}"));
            let op = if i % 2 == 0 { "Conv" } else { "Relu" };
            assert_eq!(g.strings.get(n.op_type), op);
            if i >= 2 {
                shared_ops += usize::from(n.op_type == g.nodes[i - 2].op_type);
            }
        }
        assert!(
            shared_ops >= 1_950,
            "{shared_ops} of 1,998 op types stored once"
        );
    }

    #[test]
    fn a_node_keeps_input_and_output_order_when_they_interleave() {
        let got = node(&[
            string_field(2, "y"),
            string_field(1, "a"),
            string_field(3, "first"),
            string_field(1, ""),
            string_field(4, "Add"),
            string_field(2, "z"),
            string_field(1, "b"),
            // A field given twice: the last one counts.
            string_field(3, "/n/Add"),
        ])
        .expect("a valid node");
        assert_eq!(got.0, ["a", "", "b"]);
        assert_eq!(got.1, ["y", "z"]);
        assert_eq!(got.2, "/n/Add");
        assert_eq!(got.3, "Add");
    }

    #[test]
    fn a_node_skips_attributes_and_unknown_fields() {
        let mut varint = Vec::new();
        prost::encoding::encode_key(20, WireType::Varint, &mut varint);
        prost::encoding::encode_varint(300, &mut varint);
        let mut fixed = Vec::new();
        prost::encoding::encode_key(21, WireType::SixtyFourBit, &mut fixed);
        fixed.extend_from_slice(&[0; 8]);
        let got = node(&[
            string_field(5, "\u{1}attribute bytes"),
            varint,
            string_field(3, "n"),
            fixed,
            string_field(4, "Relu"),
        ])
        .expect("a valid node");
        assert_eq!((got.2.as_str(), got.3.as_str()), ("n", "Relu"));
    }

    #[test]
    fn a_node_with_a_bad_field_is_an_error_with_its_offset() {
        let mut varint_name = Vec::new();
        prost::encoding::encode_key(3, WireType::Varint, &mut varint_name);
        prost::encoding::encode_varint(1, &mut varint_name);
        let err = node(&[string_field(4, "Relu"), varint_name]).expect_err("wire type");
        let WalkError::Corrupt { what, at } = err else {
            panic!("{err:?}");
        };
        assert!(what.contains("invalid wire type"), "{what}");
        assert_eq!(at, 100 + 6);

        let mut long = string_field(3, "abc");
        long.truncate(long.len() - 1);
        let err = node(&[long]).expect_err("string past the end");
        assert!(matches!(err, WalkError::Corrupt { .. }), "{err:?}");

        let mut bad_utf8 = string_field(3, "ab");
        let last = bad_utf8.len() - 1;
        bad_utf8[last] = 0xFF;
        let err = node(&[bad_utf8]).expect_err("UTF-8");
        assert!(format!("{err:?}").contains("UTF-8"), "{err:?}");
    }
}
