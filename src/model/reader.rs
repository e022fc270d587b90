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
//! is handed to prost, which skips undeclared fields (attributes, metadata) without copying.
//! Initializers are read up to their `name`; their payload is jumped over by arithmetic.

use std::fs::File;

use prost::encoding::{decode_key, decode_varint, WireType};
use prost::Message;

use super::onnx::{Node, OperatorSetIdProto, ValueInfoProto};

/// What the walker found. `graph` is `None` when the model has no graph field.
#[derive(Default)]
pub(super) struct RawModel {
    pub ir_version: i64,
    pub opsets: Vec<(String, i64)>,
    pub graph: Option<RawGraph>,
}

#[derive(Default)]
pub(super) struct RawGraph {
    pub nodes: Vec<Node>,
    pub initializers: Vec<String>,
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
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
}

impl Source for &[u8] {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }
    fn get(&mut self, start: u64, len: usize) -> Result<&[u8], WalkError> {
        let s = start as usize;
        Ok(&self[s..s + len])
    }
}

/// Reads the file with positioned reads into one reusable buffer. Each read is as small as the
/// walk allows: 4 KiB after a jump (an initializer's header behind a payload that was skipped),
/// doubling up to 1 MiB while reads follow each other (the run of nodes).
pub(super) struct BufferedReads<'f> {
    file: &'f File,
    len: u64,
    buf: Vec<u8>,
    buf_start: u64,
    chunk: usize,
}

const MIN_READ: usize = 4 << 10;
const MAX_READ: usize = 1 << 20;

impl<'f> BufferedReads<'f> {
    pub fn new(file: &'f File, len: u64) -> Self {
        BufferedReads {
            file,
            len,
            buf: Vec::new(),
            buf_start: 0,
            chunk: MIN_READ,
        }
    }
}

impl Source for BufferedReads<'_> {
    fn len(&self) -> u64 {
        self.len
    }

    fn get(&mut self, start: u64, len: usize) -> Result<&[u8], WalkError> {
        let buf_end = self.buf_start + self.buf.len() as u64;
        if start < self.buf_start || start + len as u64 > buf_end {
            let contiguous = start >= self.buf_start && start <= buf_end && !self.buf.is_empty();
            self.chunk = if contiguous {
                (self.chunk * 2).min(MAX_READ)
            } else {
                MIN_READ
            };
            let want = (len.max(self.chunk) as u64).min(self.len - start) as usize;
            self.buf.clear();
            self.buf.resize(want, 0);
            read_exact_at(self.file, &mut self.buf, start).map_err(|e| {
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
        }
        let s = (start - self.buf_start) as usize;
        self.buf.get(s..s + len).ok_or(WalkError::Truncated {
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

/// Walks a whole `ModelProto`.
pub(super) fn read_model(src: &mut dyn Source) -> Result<RawModel, WalkError> {
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
                // A repeated message field merges, as protobuf does.
                let graph = model.graph.get_or_insert_with(RawGraph::default);
                read_graph(src, f.start, f.next, graph)?;
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

fn read_graph(
    src: &mut dyn Source,
    mut pos: u64,
    end: u64,
    g: &mut RawGraph,
) -> Result<(), WalkError> {
    while pos < end {
        let f = field(src, pos, end, "GraphProto")?;
        match f.number {
            1 => g.nodes.push(decode(src, &f, "GraphProto.node")?),
            5 => {
                expect_len(&f, "GraphProto.initializer")?;
                g.initializers
                    .push(tensor_name(src, f.start, f.next, "GraphProto.initializer")?);
            }
            11 => {
                let v: ValueInfoProto = decode(src, &f, "GraphProto.input")?;
                g.inputs.push(v.name);
            }
            12 => {
                let v: ValueInfoProto = decode(src, &f, "GraphProto.output")?;
                g.outputs.push(v.name);
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
                        g.initializers.push(name);
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

/// The `name` (field 8) of the TensorProto at `pos..end`; every other field, the payload
/// included, is skipped without being read.
fn tensor_name(
    src: &mut dyn Source,
    mut pos: u64,
    end: u64,
    msg: &'static str,
) -> Result<String, WalkError> {
    let mut name = String::new();
    while pos < end {
        let f = field(src, pos, end, msg)?;
        if f.number == 8 {
            expect_len(&f, "TensorProto.name")?;
            let bytes = src.get(f.start, f.value as usize)?;
            name = std::str::from_utf8(bytes)
                .map_err(|_| WalkError::Corrupt {
                    what: "TensorProto.name: invalid string value: data is not UTF-8 encoded"
                        .to_string(),
                    at: f.start,
                })?
                .to_string();
        }
        pos = f.next;
    }
    Ok(name)
}
