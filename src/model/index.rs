//! The ONNX graph index: node names, op types, tensors and who produces and consumes them.

use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use hashbrown::DefaultHashBuilder as Hasher;

use super::id_map::{MultiMap, NodeIds};
use super::reader::{
    read_model_splitting, BufferedReads, NodeRecord, RawGraph, RawModel, Source, WalkError,
    SPLIT_GRAPH_BYTES,
};
use super::strings::{Names, Span, Strings};
use crate::parallel::join;

mod name_lookup;
use name_lookup::NameLookup;

/// Index of a node in [`ModelIndex::nodes`] (file order).
pub type NodeId = usize;

/// Protobuf (and therefore `onnx.load`) cannot parse a message of 2 GiB or more.
pub const PROTOBUF_LIMIT: u64 = 2 * 1024 * 1024 * 1024;

/// Why a model could not be indexed. Displays as `<path>: <what is wrong>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelError {
    pub path: PathBuf,
    pub message: String,
    /// The file does not exist (as opposed to existing and being unreadable): callers report
    /// `model-not-found` rather than `model-unreadable`.
    pub missing: bool,
}

impl ModelError {
    fn new(path: &Path, message: impl Into<String>) -> Self {
        ModelError {
            path: path.to_path_buf(),
            message: message.into(),
            missing: false,
        }
    }

    fn io(path: &Path, err: &io::Error) -> Self {
        let what = match err.kind() {
            io::ErrorKind::NotFound => "the file does not exist".to_string(),
            io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            io::ErrorKind::IsADirectory => "is a directory, not an ONNX model file".to_string(),
            _ => format!("cannot read the file ({err})"),
        };
        ModelError {
            missing: err.kind() == io::ErrorKind::NotFound,
            ..ModelError::new(path, what)
        }
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for ModelError {}

/// The graph of one ONNX model, reduced to what quant_config checks need.
///
/// Only the top-level graph is indexed (subgraphs of `If`/`Loop` are not: node_config names refer
/// to top-level nodes of `optimized_float_model.onnx`).
#[derive(Clone, Debug)]
pub struct ModelIndex {
    pub path: PathBuf,
    pub ir_version: i64,
    /// `(domain, version)` as imported by the model; the default domain is `""`.
    pub opsets: Vec<(String, i64)>,
    /// Every string below, in one buffer.
    strings: Strings,
    /// Top-level nodes in file order; a [`NodeId`] indexes this.
    nodes: Vec<NodeRecord>,
    /// The nodes' inputs and outputs (see [`NodeRecord::tensors`]).
    tensors: Vec<Span>,
    graph_inputs: Vec<Span>,
    graph_outputs: Vec<Span>,
    initializers: Vec<Span>,
    hasher: Hasher,
    by_name: MultiMap,
    by_initializer: MultiMap,
    /// Built on first use.
    tensor_maps: std::sync::OnceLock<TensorMaps>,
    /// Sorted by op type.
    op_counts: Vec<(String, usize)>,
    /// Built on first use (did-you-mean), then shared by every check against this model.
    name_lookup: std::sync::OnceLock<NameLookup>,
}

/// One node of the index, borrowed from it.
#[derive(Clone, Copy)]
pub struct Node<'m> {
    strings: &'m Strings,
    record: &'m NodeRecord,
    tensors: &'m [Span],
}

impl<'m> Node<'m> {
    /// May be empty, and several nodes may share one name (both legal ONNX).
    pub fn name(&self) -> &'m str {
        self.strings.get(self.record.name)
    }

    pub fn op_type(&self) -> &'m str {
        self.strings.get(self.record.op_type)
    }

    /// `""` for the default ONNX domain.
    pub fn domain(&self) -> &'m str {
        self.strings.get(self.record.domain)
    }

    /// In ONNX order, with `""` for an omitted optional input.
    pub fn inputs(&self) -> Names<'m> {
        let start = self.record.tensors as usize;
        let end = start + self.record.inputs as usize;
        Names::new(self.strings, self.tensors.get(start..end).unwrap_or(&[]))
    }

    pub fn outputs(&self) -> Names<'m> {
        let start = (self.record.tensors + self.record.inputs) as usize;
        let end = start + self.record.outputs as usize;
        Names::new(self.strings, self.tensors.get(start..end).unwrap_or(&[]))
    }
}

impl fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node")
            .field("name", &self.name())
            .field("op_type", &self.op_type())
            .field("domain", &self.domain())
            .field("inputs", &self.inputs().collect::<Vec<_>>())
            .field("outputs", &self.outputs().collect::<Vec<_>>())
            .finish()
    }
}

impl PartialEq for Node<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
            && self.op_type() == other.op_type()
            && self.domain() == other.domain()
            && self.inputs().eq(other.inputs())
            && self.outputs().eq(other.outputs())
    }
}

/// The maps of a graph's nodes that every check needs: by name, and how many of each op type.
struct NodeMaps {
    /// How many nodes they were built from.
    nodes: usize,
    by_name: MultiMap,
    /// Sorted by op type.
    op_counts: Vec<(String, usize)>,
}

impl NodeMaps {
    /// With `parallel`, the op types are counted on a second core.
    fn build(hasher: &Hasher, strings: &Strings, nodes: &[NodeRecord], parallel: bool) -> NodeMaps {
        let (by_name, counts) = join(
            parallel,
            || {
                MultiMap::build(
                    hasher,
                    nodes.len(),
                    nodes
                        .iter()
                        .enumerate()
                        .map(|(i, n)| (strings.get(n.name), i, n.name)),
                    |span| strings.get(span),
                )
            },
            || {
                let mut counts: hashbrown::HashMap<&str, usize> = hashbrown::HashMap::new();
                for n in nodes {
                    *counts.entry(strings.get(n.op_type)).or_default() += 1;
                }
                counts
            },
        );
        let mut op_counts: Vec<(String, usize)> = counts
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        op_counts.sort_unstable();
        NodeMaps {
            nodes: nodes.len(),
            by_name,
            op_counts,
        }
    }
}

/// The maps of tensors to the nodes that write and read them. Only subgraph checks, the
/// completion of tensor names and the precision map ask for them, so they are built on first
/// use: on a 100,000-node model they were two thirds of the maps built at load (300,000
/// tensors, 6 MB), which a check of node names never reads.
#[derive(Clone, Debug, Default)]
struct TensorMaps {
    by_output: MultiMap,
    by_input: MultiMap,
}

/// From this many nodes on, the two tensor maps are built on two threads.
const PARALLEL_TENSOR_MAPS: usize = 10_000;

/// `/a/b/Conv` → `/a/b`.
pub fn name_scope(name: &str) -> &str {
    name.rfind('/').map_or("", |i| &name[..i])
}

impl ModelIndex {
    /// Indexes the model at `path`, reading only the graph's bytes (the weights are skipped, not
    /// read). External weight files (`*.onnx.data`) are never opened.
    pub fn load(path: &Path) -> Result<ModelIndex, ModelError> {
        Self::load_splitting(path, SPLIT_GRAPH_BYTES)
    }

    /// [`ModelIndex::load`], walking the graph on two threads whatever its size (a graph of
    /// 8 MiB or more is): for the fuzzer, which compares it with the walk on one thread.
    #[doc(hidden)]
    pub fn load_on_two_threads(path: &Path) -> Result<ModelIndex, ModelError> {
        Self::load_splitting(path, 0)
    }

    fn load_splitting(path: &Path, split_from: u64) -> Result<ModelIndex, ModelError> {
        let meta = std::fs::metadata(path).map_err(|e| ModelError::io(path, &e))?;
        if meta.is_dir() {
            return Err(ModelError::new(
                path,
                "is a directory, not an ONNX model file",
            ));
        }
        if !meta.is_file() {
            return Err(ModelError::new(
                path,
                "not a regular file, so not an ONNX model",
            ));
        }
        // Checked before opening so that a 0-byte or giant file never reaches the decoder.
        check_size(path, meta.len())?;
        let file = File::open(path).map_err(|e| ModelError::io(path, &e))?;
        // The length of the file we opened, in case it was replaced since `metadata`.
        let len = file.metadata().map_or(meta.len(), |m| m.len());
        check_size(path, len)?;
        // Positioned reads, not a map: see reader.rs. A model that shrinks while it is read (being
        // rewritten) gives a "truncated" error, never a crash.
        let mut src = BufferedReads::new(std::sync::Arc::new(file), len);
        Self::from_source(path, &mut src, split_from)
    }

    /// Indexes a model held in memory; `path` is only used for messages and [`ModelIndex::path`].
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<ModelIndex, ModelError> {
        check_size(path, bytes.len() as u64)?;
        let mut src = bytes;
        Self::from_source(path, &mut src, SPLIT_GRAPH_BYTES)
    }

    fn from_source(
        path: &Path,
        src: &mut dyn Source,
        split_from: u64,
    ) -> Result<ModelIndex, ModelError> {
        let hasher = Hasher::default();
        // On a big model, the maps of the nodes are built while the weights are skipped.
        let mut early: Option<NodeMaps> = None;
        let mut on_nodes = |g: &RawGraph| {
            early = Some(NodeMaps::build(&hasher, &g.strings, &g.nodes, false));
        };
        let model = match read_model_splitting(src, split_from, &mut on_nodes) {
            Ok(model) => model,
            Err(err) => return Err(ModelError::new(path, walk_failure(src, err))),
        };
        let RawModel {
            ir_version,
            opsets,
            graph,
        } = model;
        let Some(graph) = graph else {
            let message = if ir_version == 0 && opsets.is_empty() {
                match head(src).and_then(sniff_text) {
                    Some(what) => format!("not an ONNX model: {what}"),
                    None => "not an ONNX model: a protobuf without any ONNX model field \
                             (ir_version, opset_import, graph)"
                        .to_string(),
                }
            } else {
                "the model has no graph".to_string()
            };
            return Err(ModelError::new(path, message));
        };
        Ok(Self::build(path, ir_version, opsets, graph, hasher, early))
    }

    /// `early`: the maps of the graph's first nodes, built while the rest was read; used when
    /// no node came after them.
    fn build(
        path: &Path,
        ir_version: i64,
        opsets: Vec<(String, i64)>,
        graph: RawGraph,
        hasher: Hasher,
        early: Option<NodeMaps>,
    ) -> Self {
        let RawGraph {
            mut strings,
            nodes,
            tensors,
            initializers,
            inputs,
            outputs,
            ..
        } = graph;
        strings.shrink_to_fit();
        let resolve = |span| strings.get(span);
        let by_initializer = MultiMap::build(
            &hasher,
            initializers.len(),
            initializers
                .iter()
                .enumerate()
                .map(|(i, &span)| (strings.get(span), i, span)),
            resolve,
        );
        let NodeMaps {
            by_name, op_counts, ..
        } = match early.filter(|maps| maps.nodes == nodes.len()) {
            Some(maps) => maps,
            None => NodeMaps::build(&hasher, &strings, &nodes, true),
        };

        ModelIndex {
            path: path.to_path_buf(),
            ir_version,
            opsets,
            strings,
            nodes,
            tensors,
            graph_inputs: inputs,
            graph_outputs: outputs,
            initializers,
            hasher,
            by_name,
            by_initializer,
            tensor_maps: std::sync::OnceLock::new(),
            op_counts,
            name_lookup: std::sync::OnceLock::new(),
        }
    }

    /// The node `id` (an id this index gave out).
    ///
    /// # Panics
    /// When `id` is not below [`ModelIndex::node_count`], like indexing a slice.
    pub fn node(&self, id: NodeId) -> Node<'_> {
        Node {
            strings: &self.strings,
            record: &self.nodes[id],
            tensors: &self.tensors,
        }
    }

    /// Top-level nodes in file order; the n-th has [`NodeId`] n.
    pub fn nodes(&self) -> impl DoubleEndedIterator<Item = Node<'_>> + ExactSizeIterator + Clone {
        self.nodes.iter().map(|record| Node {
            strings: &self.strings,
            record,
            tensors: &self.tensors,
        })
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn graph_inputs(&self) -> Names<'_> {
        Names::new(&self.strings, &self.graph_inputs)
    }

    pub fn graph_outputs(&self) -> Names<'_> {
        Names::new(&self.strings, &self.graph_outputs)
    }

    pub(super) fn lookup<'a>(&'a self, map: &'a MultiMap, key: &str) -> NodeIds<'a> {
        map.get(&self.hasher, key, |span| self.strings.get(span))
    }

    /// Every node named `name`, in file order: empty when none, several when the name is shared.
    pub fn nodes_named(&self, name: &str) -> NodeIds<'_> {
        self.lookup(&self.by_name, name)
    }

    /// How many nodes have op type `op` (case-sensitive).
    pub fn op_type_count(&self, op: &str) -> usize {
        self.op_counts
            .binary_search_by(|(k, _)| k.as_str().cmp(op))
            .map_or(0, |i| self.op_counts[i].1)
    }

    /// The op types of the model with their node counts, sorted by op type.
    pub fn op_types(&self) -> impl Iterator<Item = (&str, usize)> {
        self.op_counts.iter().map(|(k, v)| (k.as_str(), *v))
    }

    /// True when `tensor` is an initializer (a weight or constant) of the graph.
    pub fn is_initializer(&self, tensor: &str) -> bool {
        !tensor.is_empty() && !self.lookup(&self.by_initializer, tensor).is_empty()
    }

    /// The node that produces `tensor` (the first one, should a broken model have several).
    pub fn producer(&self, tensor: &str) -> Option<NodeId> {
        if tensor.is_empty() {
            return None;
        }
        self.lookup(&self.tensor_maps().by_output, tensor).first()
    }

    /// The nodes that read `tensor`, in file order, each once.
    pub fn consumers(&self, tensor: &str) -> NodeIds<'_> {
        if tensor.is_empty() {
            // "" marks an omitted optional input, not a tensor.
            return NodeIds::default();
        }
        self.lookup(&self.tensor_maps().by_input, tensor)
    }

    fn tensor_maps(&self) -> &TensorMaps {
        self.tensor_maps.get_or_init(|| {
            let (nodes, tensors, strings) = (&self.nodes, &self.tensors, &self.strings);
            let resolve = |span| strings.get(span);
            let (by_output, by_input) = join(
                nodes.len() >= PARALLEL_TENSOR_MAPS,
                || {
                    MultiMap::build(
                        &self.hasher,
                        nodes.len(),
                        slots(nodes, tensors, strings, |r| {
                            (r.tensors + r.inputs, r.outputs)
                        }),
                        resolve,
                    )
                },
                || {
                    MultiMap::build(
                        &self.hasher,
                        nodes.len() * 2,
                        slots(nodes, tensors, strings, |r| (r.tensors, r.inputs)),
                        resolve,
                    )
                },
            );
            TensorMaps {
                by_output,
                by_input,
            }
        })
    }

    /// Distinct non-empty node names, in order of first appearance.
    pub fn node_names(&self) -> impl Iterator<Item = &str> {
        self.by_name
            .keys
            .iter()
            .map(|&span| self.strings.get(span))
            .filter(|s| !s.is_empty())
    }

    /// The opset version of the default ONNX domain (`""` or `"ai.onnx"`).
    pub fn opset(&self) -> Option<i64> {
        self.opsets
            .iter()
            .find(|(d, _)| d.is_empty() || d == "ai.onnx")
            .map(|(_, v)| *v)
    }

    /// The names of all initializers, in file order.
    pub fn initializers(&self) -> Names<'_> {
        Names::new(&self.strings, &self.initializers)
    }
}

fn check_size(path: &Path, len: u64) -> Result<(), ModelError> {
    if len == 0 {
        return Err(ModelError::new(
            path,
            "not an ONNX model: the file is empty",
        ));
    }
    if len >= PROTOBUF_LIMIT {
        return Err(ModelError::new(
            path,
            format!(
                "the file is {len} bytes; protobuf (and so onnx.load) cannot read a model of \
                 2 GiB or more; save the weights as external data"
            ),
        ));
    }
    Ok(())
}

/// The first bytes of the file, for [`sniff_text`].
fn head(src: &mut dyn Source) -> Option<&[u8]> {
    let n = src.len().min(4096) as usize;
    src.get(0, n).ok()
}

fn walk_failure(src: &mut dyn Source, err: WalkError) -> String {
    if let Some(what) = head(src).and_then(sniff_text) {
        return format!("not an ONNX model: {what}");
    }
    match err {
        WalkError::Truncated { what, at } => format!(
            "truncated or corrupt protobuf: a length field claims more bytes than the file has \
             ({what} at byte {at}); not a readable ONNX model"
        ),
        WalkError::Corrupt { what, at } => {
            format!(
                "truncated or corrupt protobuf ({what} at byte {at}); not a readable ONNX model"
            )
        }
        WalkError::Io(message) => message,
    }
}

/// Says what a text file looks like, so that a renamed JSON or YAML file gets a clear message.
/// A protobuf model starts with a field key (a control byte such as 0x08), never with text.
fn sniff_text(bytes: &[u8]) -> Option<&'static str> {
    let head = &bytes[..bytes.len().min(4096)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let printable = head
        .iter()
        .all(|&b| b >= 0x20 || matches!(b, b'\n' | b'\r' | b'\t'));
    if !printable {
        return None;
    }
    match head.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') | Some(b'[') => Some("the file is JSON text, not a protobuf"),
        _ => Some("the file is text, not a protobuf"),
    }
}

/// The non-empty tensors of each node's inputs (or outputs), as `(name, node, where)`.
fn slots<'a>(
    nodes: &'a [NodeRecord],
    tensors: &'a [Span],
    strings: &'a Strings,
    range: impl Fn(&NodeRecord) -> (u32, u32) + 'a,
) -> impl Iterator<Item = (&'a str, NodeId, Span)> + 'a {
    nodes.iter().enumerate().flat_map(move |(n, node)| {
        let (start, len) = range(node);
        let (start, len) = (start as usize, len as usize);
        tensors
            .get(start..start + len)
            .unwrap_or(&[])
            .iter()
            .filter(|span| !span.is_empty())
            .map(move |&span| (strings.get(span), n, span))
    })
}

#[cfg(test)]
mod tests {
    use crate::analysis::{check, CheckContext, ModelStatus};
    use crate::model::synth::write_synthetic_model;
    use crate::model::ModelIndex;

    #[test]
    fn a_check_of_node_names_leaves_the_tensor_maps_unbuilt() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("optimized_float_model.onnx");
        let names = write_synthetic_model(&path, 50, 0).expect("model");
        let model = ModelIndex::load(&path).expect("index");
        let text = format!(
            "{{\"node_config\": {{\"{}\": {{\"qtype\": \"int16\"}}, \"/nope\": {{\"qtype\": \"int8\"}}}}}}",
            names[3]
        );
        let ctx = CheckContext {
            model: ModelStatus::Loaded(&model),
            ..CheckContext::default()
        };
        let found = check(&text, &crate::syntax::parse(&text), &ctx);
        assert!(
            found.iter().any(|d| d.message.contains("/nope")),
            "{found:?}"
        );
        assert!(model.tensor_maps.get().is_none());
        // Asked for, they are built, and agree with the nodes.
        let node = model.node(3);
        let output = node.outputs().next().expect("an output");
        assert_eq!(model.producer(output), Some(3));
        assert!(model.tensor_maps.get().is_some());
        let input = node.inputs().next().expect("an input");
        assert!(model.consumers(input).iter().any(|id| id == 3));
    }
}
