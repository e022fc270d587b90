//! Hand-written prost messages for the part of `onnx.proto` that qcls reads.
//!
//! Only the fields the index needs are declared. prost skips every other field by advancing the
//! input slice, so weights (`raw_data`, `float_data`, …), attributes and node `metadata_props`
//! are never copied. Tags follow `onnx/onnx.proto` (IR version 10).
//!
//! The same structs, plus the `raw_data` field of [`TensorProto`], are used by the synthetic
//! model writer for benchmarks.

/// `ModelProto`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ModelProto {
    #[prost(int64, tag = "1")]
    pub ir_version: i64,
    #[prost(message, optional, tag = "7")]
    pub graph: Option<GraphProto>,
    #[prost(message, repeated, tag = "8")]
    pub opset_import: Vec<OperatorSetIdProto>,
}

/// `OperatorSetIdProto`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct OperatorSetIdProto {
    #[prost(string, tag = "1")]
    pub domain: String,
    #[prost(int64, tag = "2")]
    pub version: i64,
}

/// `GraphProto`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GraphProto {
    #[prost(message, repeated, tag = "1")]
    pub node: Vec<NodeProto>,
    #[prost(message, repeated, tag = "5")]
    pub initializer: Vec<TensorProto>,
    #[prost(message, repeated, tag = "11")]
    pub input: Vec<ValueInfoProto>,
    #[prost(message, repeated, tag = "12")]
    pub output: Vec<ValueInfoProto>,
    #[prost(message, repeated, tag = "15")]
    pub sparse_initializer: Vec<SparseTensorProto>,
}

/// `ValueInfoProto` (only the name; the type is not needed).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ValueInfoProto {
    #[prost(string, tag = "1")]
    pub name: String,
}

/// `NodeProto`. The index does not decode it through prost (it copies the strings straight into
/// one buffer, see `reader.rs`); this is the message as written. Attributes (5), doc_string (6)
/// and metadata_props (9) are not declared.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct NodeProto {
    #[prost(string, repeated, tag = "1")]
    pub inputs: Vec<String>,
    #[prost(string, repeated, tag = "2")]
    pub outputs: Vec<String>,
    /// May be empty, and several nodes may share one name (both legal ONNX).
    #[prost(string, tag = "3")]
    pub name: String,
    #[prost(string, tag = "4")]
    pub op_type: String,
    /// `""` for the default ONNX domain.
    #[prost(string, tag = "7")]
    pub domain: String,
}

/// `TensorProto`, reduced to what an index needs: its name. Dims, data type and every payload
/// field are skipped, so decoding an initializer costs the same whether it holds 0 bytes or 1 GiB.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorProto {
    #[prost(string, tag = "8")]
    pub name: String,
}

/// `SparseTensorProto`: the initializer's name is the name of its `values` tensor.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SparseTensorProto {
    #[prost(message, optional, tag = "1")]
    pub values: Option<TensorProto>,
}
