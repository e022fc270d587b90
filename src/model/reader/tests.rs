use std::sync::Arc;

use super::wire::decode_field;
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
    fn get_some(&mut self, start: u64, _min: usize, max: usize) -> Result<&[u8], WalkError> {
        self.get(start, max)
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
    // a repeated field come back) and a node of another domain. One node carries a 20 KB
    // attribute (a constant's tensor): its length takes three bytes.
    let mut graph: Vec<Vec<u8>> = (0..300).map(node).collect();
    let mut body = graph[150].split_off(2);
    assert_eq!(
        graph[150],
        [0x0A, body.len() as u8],
        "a node's key and one-byte length"
    );
    body.extend_from_slice(&string_field(5, &"x".repeat(20_000)));
    graph[150] = message_field(1, &[body]);
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

    let one =
        read_model_splitting(&mut model.as_slice(), u64::MAX, &mut |_| {}).expect("a valid model");
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

#[test]
fn the_quick_field_decoding_agrees_with_the_general_one() {
    // Every one-byte key, then varints of one to three bytes (and none), some of them the
    // room left in the message and one more, with the message ending right after the field,
    // a little after and far after.
    let tails = [0u64, 3, 200, 20_000];
    let mut varints: Vec<Vec<u8>> = vec![vec![], vec![0x80], vec![0x80, 0x80], vec![0xFF, 0x7F]];
    for v in [0u64, 0x7F, 0x80, 0x3FFF, 0x4000]
        .into_iter()
        .chain(tails.iter().flat_map(|&t| [t, t + 1]))
    {
        let mut out = Vec::new();
        prost::encoding::encode_varint(v, &mut out);
        varints.push(out);
    }
    let mut quick = 0;
    for key in 0..=255u8 {
        for v in &varints {
            let mut bytes = vec![key];
            bytes.extend_from_slice(v);
            bytes.extend_from_slice(&[0x41; 24]);
            for tail in tails {
                let pos = 1000;
                let end = pos + 1 + v.len() as u64 + tail;
                let head = &bytes[..((end - pos) as usize).min(20)];
                if let Some(f) = quick_field(head, pos, end) {
                    quick += 1;
                    let general = decode_field(head, pos, end, "T");
                    assert_eq!(
                        Ok(f),
                        general.map_err(|e| format!("{e:?}")),
                        "key {key:#x}, {v:x?}, {tail}"
                    );
                }
            }
        }
    }
    // Keys of fields 1 to 15, varint or length-delimited, with a one- or two-byte value.
    assert!(quick > 1000, "{quick} quick decodings");
}

#[test]
fn a_node_with_non_ascii_names_keeps_them() {
    let (inputs, outputs, name, op) = node(&[
        string_field(1, "输入"),
        string_field(2, "Ausgabe_ä"),
        string_field(3, "/卷积/Conv"),
        string_field(4, "Conv"),
    ])
    .expect("a node");
    assert_eq!(inputs, ["输入"]);
    assert_eq!(outputs, ["Ausgabe_ä"]);
    assert_eq!(name, "/卷积/Conv");
    assert_eq!(op, "Conv");
}

#[test]
fn a_node_cut_is_taken_only_where_the_first_thread_has_not_been() {
    // Offered ahead of the first thread: it stops exactly there.
    let cut = NodeCut::new(0);
    assert!(!cut.stops_at(0));
    cut.offer(300);
    assert!(!cut.stops_at(100));
    assert!(cut.stops_at(300));
    assert!(cut.wait_stopped());

    // Offered behind it: refused, and it goes on.
    let cut = NodeCut::new(0);
    assert!(!cut.stops_at(500));
    cut.offer(300);
    assert!(!cut.stops_at(600));
    assert!(!cut.stops_at(700));
    assert!(!cut.wait_stopped());

    // The first thread done (or failed) first: refused, even when offered later.
    let cut = NodeCut::new(0);
    drop(cut.answer_on_drop());
    cut.offer(300);
    assert!(!cut.wait_stopped());
    assert!(!cut.stopped());
}

#[test]
fn a_run_of_nodes_shared_by_two_threads_reads_as_on_one() {
    // 30,000 nodes (2 MB) and little after them: the second thread is done with its own part
    // early and takes the back of the run, or not, as the timing goes; the answer is the same.
    let node = |i: usize| {
        message_field(
            1,
            &[
                string_field(1, &format!("t{i}")),
                string_field(2, &format!("t{}", i + 1)),
                string_field(3, &format!("/blocks.{}/layer{i}/Conv", i / 100)),
                string_field(4, if i % 3 == 0 { "Conv" } else { "Relu" }),
            ],
        )
    };
    let mut graph: Vec<Vec<u8>> = (0..30_000).map(node).collect();
    graph.push(message_field(5, &[string_field(8, "w")]));
    graph.push(message_field(12, &[string_field(1, "t30000")]));
    let model = message_field(7, &graph);
    let one =
        read_model_splitting(&mut model.as_slice(), u64::MAX, &mut |_| {}).expect("a valid model");
    let expected = described(&one);
    assert_eq!(expected.len(), 30_000 + 3);
    for _ in 0..20 {
        let mut source = Shared(Arc::new(model.clone()));
        let two = read_model_splitting(&mut source, 0, &mut |_| {}).expect("a valid model");
        assert_eq!(described(&two), expected);
    }

    // A bad node in the back of the run: the same first error either way.
    let victim = "/blocks.250/layer25000/Conv";
    let at = model
        .windows(victim.len())
        .position(|w| w == victim.as_bytes())
        .expect("the node is there");
    let mut bad = model.clone();
    bad[at - 2] = 0x18;
    let one = read_model_splitting(&mut bad.as_slice(), u64::MAX, &mut |_| {})
        .map(|_| ())
        .expect_err("a bad node");
    for _ in 0..10 {
        let mut source = Shared(Arc::new(bad.clone()));
        let two = read_model_splitting(&mut source, 0, &mut |_| {})
            .map(|_| ())
            .expect_err("a bad node");
        assert_eq!(format!("{two:?}"), format!("{one:?}"));
    }
}
