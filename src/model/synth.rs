//! A synthetic ONNX model writer for benchmarks and tests (not part of the supported API).
//!
//! The graph mimics what torch's legacy exporter writes for a mixed CNN/transformer: blocks of
//! Conv/Relu/Add, attention (LayerNormalization, MatMul, Transpose, Mul, Softmax), an MLP with
//! SiLU, and ConvTranspose/Resize/GridSample, named like `/backbone/stages.3/blocks.7/conv1/Conv`,
//! ending with a GlobalAveragePool/Flatten/Gemm head. Each node carries an attribute, which the
//! index must skip. `payload_bytes` of `raw_data` are spread over the initializers.
//!
//! The file is streamed: the graph is generated twice (once to size it, once to write it), and
//! weights are written from one reusable buffer, so memory stays at a few MB for any payload.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use prost::encoding::{encode_key, encode_varint, encoded_len_varint, WireType};
use prost::Message;

const OPSET: i64 = 17;
const IR_VERSION: i64 = 8;
/// `TensorProto.DataType.FLOAT`.
const FLOAT: i32 = 1;
const GRAPH_NODE: u32 = 1;
const GRAPH_INITIALIZER: u32 = 5;
const MODEL_GRAPH: u32 = 7;
const TENSOR_RAW_DATA: u32 = 9;

#[derive(Clone, PartialEq, prost::Message)]
struct AttributeOut {
    #[prost(string, tag = "1")]
    name: String,
    #[prost(int64, repeated, packed = "false", tag = "8")]
    ints: Vec<i64>,
    /// `AttributeProto.AttributeType.INTS`.
    #[prost(int32, tag = "20")]
    r#type: i32,
}

#[derive(Clone, PartialEq, prost::Message)]
struct NodeOut {
    #[prost(string, repeated, tag = "1")]
    input: Vec<String>,
    #[prost(string, repeated, tag = "2")]
    output: Vec<String>,
    #[prost(string, tag = "3")]
    name: String,
    #[prost(string, tag = "4")]
    op_type: String,
    #[prost(message, repeated, tag = "5")]
    attribute: Vec<AttributeOut>,
}

/// Everything of a TensorProto before its `raw_data`, in `onnx.save`'s field order.
#[derive(Clone, PartialEq, prost::Message)]
struct TensorHead {
    #[prost(int64, repeated, packed = "false", tag = "1")]
    dims: Vec<i64>,
    #[prost(int32, tag = "2")]
    data_type: i32,
    #[prost(string, tag = "8")]
    name: String,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ValueInfoOut {
    #[prost(string, tag = "1")]
    name: String,
}

#[derive(Clone, PartialEq, prost::Message)]
struct OpsetOut {
    #[prost(string, tag = "1")]
    domain: String,
    #[prost(int64, tag = "2")]
    version: i64,
}

/// The graph's fields after its nodes and initializers.
#[derive(Clone, PartialEq, prost::Message)]
struct GraphTail {
    #[prost(string, tag = "2")]
    name: String,
    #[prost(message, repeated, tag = "11")]
    input: Vec<ValueInfoOut>,
    #[prost(message, repeated, tag = "12")]
    output: Vec<ValueInfoOut>,
}

/// The model's fields other than the graph.
#[derive(Clone, PartialEq, prost::Message)]
struct ModelHead {
    #[prost(int64, tag = "1")]
    ir_version: i64,
    #[prost(string, tag = "2")]
    producer_name: String,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ModelTail {
    #[prost(message, repeated, tag = "8")]
    opset_import: Vec<OpsetOut>,
}

/// Calls `emit` for each of `n_nodes` nodes, in graph order, and `init` the first time each
/// initializer name is used. Deterministic, so it can run once to size and once to write.
fn generate(n_nodes: usize, mut emit: impl FnMut(NodeOut), mut init: impl FnMut(&str)) {
    let mut seen: HashSet<String> = HashSet::new();
    let mut count = 0usize;
    let node = |op: &str, name: String, inputs: Vec<String>, emit: &mut dyn FnMut(NodeOut)| {
        let out = format!("{name}_output_0");
        emit(NodeOut {
            input: inputs,
            output: vec![out.clone()],
            attribute: vec![AttributeOut {
                name: "kernel_shape".into(),
                ints: vec![3, 3],
                r#type: 7,
            }],
            name,
            op_type: op.to_string(),
        });
        out
    };
    let mut w = |name: String, init: &mut dyn FnMut(&str)| {
        if seen.insert(name.clone()) {
            init(&name);
        }
        name
    };
    let head = if n_nodes >= 3 { 3 } else { 0 };
    let budget = n_nodes - head;
    let mut x = "input".to_string();
    let pattern = [
        ("conv", 5),
        ("conv", 5),
        ("attn", 11),
        ("mlp", 6),
        ("up", 4),
    ];
    let mut blocks = [0usize; 4];
    let mut k = 0;
    let e = &mut emit;
    let i_ = &mut init;
    loop {
        let (kind, size) = pattern[k % pattern.len()];
        if count + size > budget {
            break;
        }
        count += size;
        k += 1;
        match kind {
            "conv" => {
                let i = blocks[0];
                blocks[0] += 1;
                let p = format!("/backbone/stages.{}/blocks.{}", i / 16, i % 16);
                let q = format!("backbone.stages.{}.blocks.{}", i / 16, i % 16);
                let wa = vec![
                    x.clone(),
                    w(format!("{q}.conv1.weight"), i_),
                    w(format!("{q}.conv1.bias"), i_),
                ];
                let y = node("Conv", format!("{p}/conv1/Conv"), wa, e);
                let y = node("Relu", format!("{p}/act1/Relu"), vec![y], e);
                let wb = vec![
                    y,
                    w(format!("{q}.conv2.weight"), i_),
                    w(format!("{q}.conv2.bias"), i_),
                ];
                let y = node("Conv", format!("{p}/conv2/Conv"), wb, e);
                let y = node("Add", format!("{p}/Add"), vec![y, x.clone()], e);
                x = node("Relu", format!("{p}/act2/Relu"), vec![y], e);
            }
            "attn" => {
                let i = blocks[1];
                blocks[1] += 1;
                let p = format!("/encoder/layers.{i}");
                let q = format!("encoder.layers.{i}");
                let ln_in = vec![
                    x.clone(),
                    w(format!("{q}.norm1.weight"), i_),
                    w(format!("{q}.norm1.bias"), i_),
                ];
                let ln = node(
                    "LayerNormalization",
                    format!("{p}/norm1/LayerNormalization"),
                    ln_in,
                    e,
                );
                let mut proj =
                    |which: &str, e: &mut dyn FnMut(NodeOut), i_: &mut dyn FnMut(&str)| {
                        let wt = w(format!("{q}.self_attn.{which}.weight"), i_);
                        node(
                            "MatMul",
                            format!("{p}/self_attn/{which}/MatMul"),
                            vec![ln.clone(), wt],
                            e,
                        )
                    };
                let qq = proj("q_proj", e, i_);
                let kk = proj("k_proj", e, i_);
                let v = proj("v_proj", e, i_);
                let kt = node("Transpose", format!("{p}/self_attn/Transpose"), vec![kk], e);
                let s = node("MatMul", format!("{p}/self_attn/MatMul"), vec![qq, kt], e);
                let s = node(
                    "Mul",
                    format!("{p}/self_attn/Mul"),
                    vec![s, w("attn_scale".into(), i_)],
                    e,
                );
                let a = node("Softmax", format!("{p}/self_attn/Softmax"), vec![s], e);
                let o = node("MatMul", format!("{p}/self_attn/MatMul_1"), vec![a, v], e);
                let ow = w(format!("{q}.self_attn.out_proj.weight"), i_);
                let o = node(
                    "MatMul",
                    format!("{p}/self_attn/out_proj/MatMul"),
                    vec![o, ow],
                    e,
                );
                x = node("Add", format!("{p}/Add"), vec![x.clone(), o], e);
            }
            "mlp" => {
                let i = blocks[2];
                blocks[2] += 1;
                let p = format!("/encoder/layers.{i}");
                let q = format!("encoder.layers.{i}");
                let ln_in = vec![
                    x.clone(),
                    w(format!("{q}.norm2.weight"), i_),
                    w(format!("{q}.norm2.bias"), i_),
                ];
                let ln = node(
                    "LayerNormalization",
                    format!("{p}/norm2/LayerNormalization"),
                    ln_in,
                    e,
                );
                let h = node(
                    "MatMul",
                    format!("{p}/mlp/fc1/MatMul"),
                    vec![ln, w(format!("{q}.mlp.fc1.weight"), i_)],
                    e,
                );
                let g = node(
                    "Sigmoid",
                    format!("{p}/mlp/act/Sigmoid"),
                    vec![h.clone()],
                    e,
                );
                let h = node("Mul", format!("{p}/mlp/act/Mul"), vec![h, g], e);
                let h = node(
                    "MatMul",
                    format!("{p}/mlp/fc2/MatMul"),
                    vec![h, w(format!("{q}.mlp.fc2.weight"), i_)],
                    e,
                );
                x = node("Add", format!("{p}/Add_1"), vec![x.clone(), h], e);
            }
            _ => {
                let i = blocks[3];
                blocks[3] += 1;
                let p = format!("/decoder/ups.{i}");
                let q = format!("decoder.ups.{i}");
                let d_in = vec![
                    x.clone(),
                    w(format!("{q}.deconv.weight"), i_),
                    w(format!("{q}.deconv.bias"), i_),
                ];
                let y = node(
                    "ConvTranspose",
                    format!("{p}/deconv/ConvTranspose"),
                    d_in,
                    e,
                );
                // Resize with its optional `roi` omitted, as exporters write it.
                let r_in = vec![y, String::new(), w("resize_scales".into(), i_)];
                let y = node("Resize", format!("{p}/Resize"), r_in, e);
                let y = node(
                    "GridSample",
                    format!("{p}/GridSample"),
                    vec![y, w("bev_grid".into(), i_)],
                    e,
                );
                x = node("Relu", format!("{p}/act/Relu"), vec![y], e);
            }
        }
    }
    let mut j = 0;
    while count < budget {
        x = node("Relu", format!("/neck/act.{j}/Relu"), vec![x], e);
        j += 1;
        count += 1;
    }
    if head == 3 {
        let y = node(
            "GlobalAveragePool",
            "/head/avgpool/GlobalAveragePool".into(),
            vec![x],
            e,
        );
        let y = node("Flatten", "/head/Flatten".into(), vec![y], e);
        let fc = vec![
            y,
            w("head.fc.weight".into(), i_),
            w("head.fc.bias".into(), i_),
        ];
        // The last node's output is the graph output "output", as the exporter names it.
        let mut last = None;
        node("Gemm", "/head/fc/Gemm".into(), fc, &mut |mut n: NodeOut| {
            n.output = vec!["output".into()];
            last = Some(n);
        });
        if let Some(n) = last {
            e(n);
        }
    }
}

/// The name of the graph output: `"output"` with the head, else the last node's output.
fn graph_output(last_node: Option<&str>) -> String {
    match last_node {
        Some(name) if !name.starts_with("/head/") => format!("{name}_output_0"),
        _ => "output".to_string(),
    }
}

fn len_delimited(tag: u32, len: usize) -> usize {
    prost::encoding::key_len(tag) + encoded_len_varint(len as u64) + len
}

/// Writes a synthetic model of exactly `nodes` nodes and about `payload_bytes` of weights
/// (`raw_data`, split evenly over the initializers, multiples of 4 bytes) to `path`, streaming.
/// Returns the node names in graph order.
pub fn write_synthetic_model(
    path: &Path,
    nodes: usize,
    payload_bytes: u64,
) -> io::Result<Vec<String>> {
    // Pass 1: names, initializers and the graph's size.
    let mut names = Vec::with_capacity(nodes);
    let mut inits: Vec<String> = Vec::new();
    let mut nodes_len = 0usize;
    generate(
        nodes,
        |n| {
            nodes_len += len_delimited(GRAPH_NODE, n.encoded_len());
            names.push(n.name);
        },
        |i| inits.push(i.to_string()),
    );
    let sizes = payload_sizes(&inits, payload_bytes);
    let heads: Vec<TensorHead> = inits
        .into_iter()
        .zip(&sizes)
        .map(|(name, &size)| TensorHead {
            dims: vec![(size / 4) as i64],
            data_type: FLOAT,
            name,
        })
        .collect();
    let tensor_len = |h: &TensorHead, size: u64| {
        h.encoded_len() as u64
            + prost::encoding::key_len(TENSOR_RAW_DATA) as u64
            + encoded_len_varint(size) as u64
            + size
    };
    let tail = GraphTail {
        name: "main_graph".into(),
        input: vec![ValueInfoOut {
            name: "input".into(),
        }],
        output: vec![ValueInfoOut {
            name: graph_output(names.last().map(String::as_str)),
        }],
    };
    let mut graph_len = nodes_len as u64 + tail.encoded_len() as u64;
    for (h, &size) in heads.iter().zip(&sizes) {
        let t = tensor_len(h, size);
        graph_len +=
            prost::encoding::key_len(GRAPH_INITIALIZER) as u64 + encoded_len_varint(t) as u64 + t;
    }

    // Pass 2: write.
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut buf = Vec::with_capacity(4096);
    ModelHead {
        ir_version: IR_VERSION,
        producer_name: "qcls-synth".into(),
    }
    .encode(&mut buf)
    .map_err(io::Error::other)?;
    encode_key(MODEL_GRAPH, WireType::LengthDelimited, &mut buf);
    encode_varint(graph_len, &mut buf);
    out.write_all(&buf)?;
    let mut result = Ok(());
    generate(
        nodes,
        |n| {
            if result.is_ok() {
                buf.clear();
                encode_key(GRAPH_NODE, WireType::LengthDelimited, &mut buf);
                encode_varint(n.encoded_len() as u64, &mut buf);
                n.encode_raw(&mut buf);
                result = out.write_all(&buf);
            }
        },
        |_| {},
    );
    result?;
    let chunk = pseudo_random(1 << 20);
    for (h, &size) in heads.iter().zip(&sizes) {
        buf.clear();
        encode_key(GRAPH_INITIALIZER, WireType::LengthDelimited, &mut buf);
        encode_varint(tensor_len(h, size), &mut buf);
        h.encode_raw(&mut buf);
        encode_key(TENSOR_RAW_DATA, WireType::LengthDelimited, &mut buf);
        encode_varint(size, &mut buf);
        out.write_all(&buf)?;
        let mut left = size;
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            out.write_all(&chunk[..n])?;
            left -= n as u64;
        }
    }
    buf.clear();
    tail.encode_raw(&mut buf);
    ModelTail {
        opset_import: vec![OpsetOut {
            domain: String::new(),
            version: OPSET,
        }],
    }
    .encode_raw(&mut buf);
    out.write_all(&buf)?;
    out.into_inner()
        .map_err(|e| e.into_error())?
        .sync_data()
        .ok();
    Ok(names)
}

/// Splits `payload` over the initializers in the proportions a real network has (a 3x3 conv
/// weight is ~9C times its bias), so that the file has many small tensors between large ones.
/// Sizes are multiples of 4 bytes (float32); the head's weight takes the rounding remainder.
fn payload_sizes(inits: &[String], payload: u64) -> Vec<u64> {
    const C: u64 = 42;
    const S: u64 = 16;
    let units: Vec<u64> = inits
        .iter()
        .map(|name| match name.as_str() {
            "head.fc.weight" => 4 * C * 1000,
            "head.fc.bias" => 1000,
            "attn_scale" => 1,
            "resize_scales" => 4,
            "bev_grid" => S * S * 2,
            n if n.ends_with("conv1.weight") || n.ends_with("conv2.weight") => C * C * 9,
            n if n.ends_with("deconv.weight") => C * C * 9,
            n if n.contains(".norm") => S,
            n if n.ends_with(".bias") => C,
            _ => S * S,
        })
        .collect();
    let total: u64 = units.iter().sum::<u64>().max(1);
    let mut sizes: Vec<u64> = units
        .iter()
        .map(|&u| ((payload as u128 * u as u128 / total as u128) as u64) & !3)
        .collect();
    let used: u64 = sizes.iter().sum();
    let head = inits.iter().position(|n| n == "head.fc.weight");
    if let Some(slot) = head.or(sizes.len().checked_sub(1)) {
        sizes[slot] += payload.saturating_sub(used) & !3;
    }
    sizes
}

/// Bytes that do not compress or deduplicate, so the file behaves like real weights.
fn pseudo_random(len: usize) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// The bytes of a small model for tests: nodes given as `(name, op type, inputs, outputs)`,
/// and the graph inputs.
pub fn model_bytes(nodes: &[(&str, &str, &[&str], &[&str])], graph_inputs: &[&str]) -> Vec<u8> {
    use super::onnx::{GraphProto, ModelProto, NodeProto, ValueInfoProto};
    let owned = |names: &[&str]| names.iter().map(|s| s.to_string()).collect();
    let node = nodes
        .iter()
        .map(|(name, op, inputs, outputs)| NodeProto {
            name: name.to_string(),
            op_type: op.to_string(),
            inputs: owned(inputs),
            outputs: owned(outputs),
            domain: String::new(),
        })
        .collect();
    let input = graph_inputs
        .iter()
        .map(|name| ValueInfoProto {
            name: name.to_string(),
        })
        .collect();
    ModelProto {
        ir_version: 8,
        graph: Some(GraphProto {
            node,
            input,
            ..GraphProto::default()
        }),
        opset_import: Vec::new(),
    }
    .encode_to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelIndex;

    #[test]
    fn synthetic_model_round_trips() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("m.onnx");
        let names = write_synthetic_model(&path, 1000, 1 << 20).expect("write");
        assert_eq!(names.len(), 1000);
        let idx = ModelIndex::load(&path).expect("index");
        assert_eq!(idx.node_count(), 1000);
        assert_eq!(idx.opset(), Some(17));
        assert_eq!(idx.ir_version, 8);
        for (i, n) in names.iter().enumerate() {
            assert_eq!(idx.node(i).name(), n);
        }
        assert_eq!(idx.graph_outputs().collect::<Vec<_>>(), ["output"]);
        assert_eq!(idx.producer("output"), Some(999));
        assert!(idx.is_initializer("head.fc.weight"));
        let named = idx.nodes_named("/backbone/stages.0/blocks.0/conv1/Conv");
        assert_eq!(named.iter().collect::<Vec<_>>(), [0]);
        assert!(idx.op_type_count("Softmax") > 0);
        let size = std::fs::metadata(&path).expect("meta").len();
        assert!(size > 1 << 20 && size < (1 << 20) + 400_000, "{size}");
    }

    /// Everything the index answers about each node and tensor, as text.
    fn answers(idx: &ModelIndex) -> Vec<String> {
        let mut out: Vec<String> = (0..idx.node_count())
            .map(|id| {
                let node = idx.node(id);
                let inputs: Vec<String> = node
                    .inputs()
                    .map(|t| {
                        let consumers = idx.consumers(t).to_vec();
                        format!(
                            "{t} from {:?} to {consumers:?} {}",
                            idx.producer(t),
                            idx.is_initializer(t)
                        )
                    })
                    .collect();
                let named = idx.nodes_named(node.name()).to_vec();
                format!(
                    "{} {named:?} {} {} {inputs:?}",
                    node.name(),
                    node.op_type(),
                    idx.op_type_count(node.op_type())
                )
            })
            .collect();
        out.push(idx.initializers().collect::<Vec<_>>().join(","));
        out.push(idx.graph_outputs().collect::<Vec<_>>().join(","));
        out
    }

    #[test]
    fn a_big_model_indexes_as_a_small_one_does() {
        // 40 MiB of weights: the graph is walked on two threads and the maps of its nodes are
        // built while the weights are skipped. In memory it is walked on one thread.
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("m.onnx");
        write_synthetic_model(&path, 2000, 40 << 20).expect("write");
        let bytes = std::fs::read(&path).expect("read");
        let read = ModelIndex::load(&path).expect("index");
        let in_memory = ModelIndex::from_bytes(&path, &bytes).expect("index");
        assert_eq!(read.node_count(), 2000);
        assert_eq!(answers(&read), answers(&in_memory));

        // A second graph field merges into the first (protobuf): its node comes after the
        // initializers, so the maps built early leave it out and are built again.
        let late = model_bytes(&[("/late/Relu", "Relu", &["output"], &["late_out"])], &[]);
        let onnx = crate::model::onnx::ModelProto::decode(late.as_slice()).expect("decode");
        let mut graph = Vec::new();
        prost::encoding::message::encode(7, &onnx.graph.expect("graph"), &mut graph);
        let mut merged = bytes.clone();
        merged.extend_from_slice(&graph);
        std::fs::write(&path, &merged).expect("write");
        let read = ModelIndex::load(&path).expect("index");
        let in_memory = ModelIndex::from_bytes(&path, &merged).expect("index");
        assert_eq!(read.node_count(), 2001);
        assert_eq!(read.nodes_named("/late/Relu").to_vec(), [2000]);
        assert_eq!(read.consumers("output").to_vec(), [2000]);
        assert_eq!(answers(&read), answers(&in_memory));
    }

    #[test]
    fn tiny_models() {
        let dir = tempfile::tempdir().expect("tempdir");
        for n in [1, 2, 3, 8] {
            let path = dir.path().join(format!("m{n}.onnx"));
            let names = write_synthetic_model(&path, n, 0).expect("write");
            let idx = ModelIndex::load(&path).expect("index");
            assert_eq!(idx.node_count(), n);
            assert_eq!(names.len(), n);
        }
    }
}
