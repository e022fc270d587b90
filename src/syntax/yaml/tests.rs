//! The YAML reader: ranges, types, PyYAML's leniency, the JSON shortcut.
use super::*;
use crate::syntax::{Value, ValueKind};

fn root(text: &str) -> Value {
    let p = parse_yaml(text);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    p.root.expect("a document")
}

#[test]
fn block_and_flow_mappings_have_byte_ranges() {
    let text = "é: 1\ncalibration_parameters:\n  quant_config: {\"op_config\": {\"softmax\": {\"qtype\": \"int32\"}},}\n  b:\n    k: 'v' # c\n    l: [1, 2]\n";
    let r = root(text);
    let top = r.as_object().unwrap();
    assert_eq!(top.members[0].key.text, "é");
    let cal = top
        .get_value("calibration_parameters")
        .unwrap()
        .as_object()
        .unwrap();
    let qc = cal.get_value("quant_config").unwrap();
    assert_eq!(
        &text[qc.range.start..qc.range.end],
        "{\"op_config\": {\"softmax\": {\"qtype\": \"int32\"}},}"
    );
    let op = qc.as_object().unwrap().get_value("op_config").unwrap();
    let softmax = &op.as_object().unwrap().members[0];
    assert_eq!(
        &text[softmax.key.range.start..softmax.key.range.end],
        "\"softmax\""
    );
    let qtype = softmax
        .value
        .as_ref()
        .unwrap()
        .as_object()
        .unwrap()
        .get_value("qtype")
        .unwrap();
    assert_eq!(&text[qtype.range.start..qtype.range.end], "\"int32\"");
    let b = cal.get_value("b").unwrap().as_object().unwrap();
    let k = b.get_value("k").unwrap();
    assert_eq!(&text[k.range.start..k.range.end], "'v'");
    assert_eq!(k.as_str(), Some("v"));
    let l = b.get_value("l").unwrap();
    assert_eq!(&text[l.range.start..l.range.end], "[1, 2]");
}

#[test]
fn plain_scalars_follow_the_core_schema() {
    let r = root("a: 1024\nb: 0.99\nc: true\nd: ~\ne: int16\nf: '1'\ng: 1e3\n");
    let o = r.as_object().unwrap();
    let n = o.get_value("a").unwrap().as_number().unwrap();
    assert!(n.is_integer && n.value == 1024.0);
    assert!(!o.get_value("b").unwrap().as_number().unwrap().is_integer);
    assert_eq!(o.get_value("c").unwrap().as_bool(), Some(true));
    assert!(o.get_value("d").unwrap().is_null());
    assert_eq!(o.get_value("e").unwrap().as_str(), Some("int16"));
    assert_eq!(o.get_value("f").unwrap().as_str(), Some("1"));
    assert!(o.get_value("g").unwrap().as_number().is_some());
}

#[test]
fn a_block_mapping_ends_with_its_last_value() {
    let text = "quant_config:\n  model_config:\n    all_node_type: 'int16'   \n# done\n";
    let r = root(text);
    let qc = r.as_object().unwrap().get_value("quant_config").unwrap();
    assert_eq!(
        &text[qc.range.start..qc.range.end],
        "model_config:\n    all_node_type: 'int16'"
    );
}

#[test]
fn an_error_is_one_syntax_error_in_bytes() {
    let text = "é: [1, 2\nb: c";
    let p = parse_yaml(text);
    assert!(p.root.is_none());
    assert_eq!(p.errors.len(), 1);
    assert!(text.is_char_boundary(p.errors[0].range.start));
    assert!(p.errors[0].message.starts_with("YAML syntax error"));
}

#[test]
fn flow_mappings_closed_at_their_keys_column_read_as_pyyaml_reads_them() {
    // YAML 1.2 wants the lines of the flow mapping indented past `node_info`; PyYAML (and
    // so the toolchain) does not.
    let text = "model_parameters:\n  node_info: {\n    \"/a/Softmax\": {\n      'ON': 'BPU',\n    },\n  }\n\ninput_parameters:\n  input_name: \"\"\n";
    let r = root(text);
    let params = r
        .as_object()
        .unwrap()
        .get_value("model_parameters")
        .unwrap();
    let info = params.as_object().unwrap().get_value("node_info").unwrap();
    assert_eq!(
        &text[info.range.start..info.range.end],
        "{\n    \"/a/Softmax\": {\n      'ON': 'BPU',\n    },\n  }"
    );
    let entry = &info.as_object().unwrap().members[0];
    assert_eq!(
        &text[entry.key.range.start..entry.key.range.end],
        "\"/a/Softmax\""
    );
    let on = entry
        .value
        .as_ref()
        .unwrap()
        .as_object()
        .unwrap()
        .get_value("ON")
        .unwrap();
    assert_eq!(&text[on.range.start..on.range.end], "'BPU'");
    assert!(r.as_object().unwrap().get("input_parameters").is_some());
}

/// The JSON-like inline quant_config read by the JSON parser gives the tree saphyr gives.
#[test]
fn a_json_like_inline_config_reads_the_same_both_ways() {
    let texts = [
        "calibration_parameters:\n  cal_data_dir: './c'\n  quant_config: {\n    \"model_config\": {\"all_node_type\": \"int16\", \"activation\": {\"max_percentile\": 0.99, \"num_bin\": [1024, 2048]}},\n    \"node_config\": {\"/a/b\": {\"qtype\": \"int8\"}, \"é\": {},},\n  }\ncompiler_parameters:\n  jobs: 4\n",
        "model_parameters:\n  march: nash-e\ncalibration_parameters:\n  quant_config: {\"op_config\": {\"softmax\": {\"qtype\": \"int32\"}}}\n",
    ];
    // The colon's range is the JSON parser's own detail (the YAML reader has none).
    fn without_colons(mut p: Parse) -> Parse {
        let mut stack: Vec<&mut Value> = p.root.iter_mut().collect();
        while let Some(v) = stack.pop() {
            match &mut v.kind {
                ValueKind::Object(o) => {
                    for m in &mut o.members {
                        m.colon = None;
                        stack.extend(m.value.as_mut());
                    }
                }
                ValueKind::Array(a) => stack.extend(a.elements.iter_mut()),
                _ => {}
            }
        }
        p
    }
    for text in texts {
        let fast = read_with_json_quant_config(text).expect("read the JSON way");
        let slow = read_yaml(text);
        assert_eq!(without_colons(fast), without_colons(slow), "{text}");
    }
    // Not JSON (an unquoted key, a single quote): saphyr alone.
    let text =
        "calibration_parameters:\n  quant_config: {model_config: {all_node_type: 'int16'}}\n";
    assert!(read_with_json_quant_config(text).is_none());
    assert!(parse_yaml(text).errors.is_empty());
}

#[test]
fn keys_without_values_and_empty_documents() {
    let r = root("a:\nb: 1\n");
    let o = r.as_object().unwrap();
    assert!(o
        .get("a")
        .unwrap()
        .value
        .as_ref()
        .is_none_or(Value::is_null));
    assert!(parse_yaml("").root.is_none());
    assert!(parse_yaml("# only a comment\n").root.is_none());
}
