//! Bad models give a clear `ModelError`, never a panic, a hang or a huge allocation.

use std::fs;
use std::path::{Path, PathBuf};

use prost::Message;
use qcls::model::{ModelError, ModelIndex};

fn resnet18() -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models/resnet18/optimized_float_model.onnx");
    fs::read(p).expect("fixture")
}

fn load_err(path: &Path) -> ModelError {
    match ModelIndex::load(path) {
        Ok(idx) => panic!("{} indexed with {} nodes", path.display(), idx.node_count()),
        Err(e) => e,
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, bytes).expect("write");
    p
}

fn bytes_err(bytes: &[u8]) -> ModelError {
    match ModelIndex::from_bytes(Path::new("m.onnx"), bytes) {
        Ok(idx) => panic!("indexed with {} nodes", idx.node_count()),
        Err(e) => e,
    }
}

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("nope.onnx");
    let e = load_err(&p);
    assert_eq!(e.path, p);
    assert_eq!(e.message, "the file does not exist");
    assert_eq!(
        e.to_string(),
        format!("{}: the file does not exist", p.display())
    );
}

#[test]
fn directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = load_err(dir.path());
    assert!(e.message.contains("is a directory"), "{e}");
}

#[cfg(unix)]
#[test]
fn permission_denied() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "m.onnx", &resnet18());
    fs::set_permissions(&p, fs::Permissions::from_mode(0o000)).expect("chmod");
    if fs::File::open(&p).is_ok() {
        eprintln!("note: skipping permission_denied: running as root, chmod 000 does not deny");
        return;
    }
    let e = load_err(&p);
    assert_eq!(e.message, "permission denied");
}

#[test]
fn empty_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "m.onnx", b"");
    assert_eq!(load_err(&p).message, "not an ONNX model: the file is empty");
    assert_eq!(
        bytes_err(b"").message,
        "not an ONNX model: the file is empty"
    );
}

#[test]
fn truncated_file() {
    let model = resnet18();
    let dir = tempfile::tempdir().expect("tempdir");
    for cut in [1, 10, 100, model.len() / 2, model.len() - 1] {
        let p = write(dir.path(), "m.onnx", &model[..cut]);
        let e = load_err(&p);
        assert!(
            e.message.starts_with("truncated or corrupt protobuf"),
            "cut at {cut}: {e}"
        );
    }
}

#[test]
fn every_truncation_is_an_error_not_a_panic() {
    let model = resnet18();
    for cut in 0..model.len() {
        let _ = ModelIndex::from_bytes(Path::new("m.onnx"), &model[..cut]);
    }
}

#[test]
fn random_bytes() {
    // A fixed xorshift stream: reproducible "random" content.
    let mut s = 0x2545_F491_4F6C_DD1Du64;
    for len in [1usize, 7, 64, 4096, 1 << 16] {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                s as u8
            })
            .collect();
        let e = bytes_err(&bytes);
        assert!(
            e.message.contains("not an ONNX model") || e.message.contains("corrupt protobuf"),
            "{len}: {e}"
        );
    }
}

#[test]
fn json_renamed_to_onnx() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(
        dir.path(),
        "optimized_float_model.onnx",
        b"{\n  \"model_config\": {\"all_node_type\": \"int16\"}\n}\n",
    );
    let e = load_err(&p);
    assert_eq!(
        e.message,
        "not an ONNX model: the file is JSON text, not a protobuf"
    );
    let e = bytes_err(b"model_parameters:\n  onnx_model: x.onnx\n");
    assert_eq!(
        e.message,
        "not an ONNX model: the file is text, not a protobuf"
    );
}

/// A protobuf with fields of other types than ModelProto's.
#[derive(Clone, PartialEq, prost::Message)]
struct Other {
    #[prost(string, tag = "1")]
    text: String,
    #[prost(uint64, tag = "7")]
    count: u64,
}

/// A protobuf whose fields ModelProto does not know at all.
#[derive(Clone, PartialEq, prost::Message)]
struct Unrelated {
    #[prost(string, tag = "20")]
    title: String,
    #[prost(bytes = "vec", tag = "21")]
    blob: Vec<u8>,
}

#[test]
fn protobuf_of_another_shape() {
    let wrong_types = Other {
        text: "hello".into(),
        count: 3,
    }
    .encode_to_vec();
    let e = bytes_err(&wrong_types);
    assert!(
        e.message.starts_with("truncated or corrupt protobuf"),
        "{e}"
    );

    let unrelated = Unrelated {
        title: "a".into(),
        blob: vec![0, 1, 2, 3],
    }
    .encode_to_vec();
    let e = bytes_err(&unrelated);
    assert_eq!(
        e.message,
        "not an ONNX model: a protobuf without any ONNX model field (ir_version, opset_import, graph)"
    );
}

#[derive(Clone, PartialEq, prost::Message)]
struct GraphlessModel {
    #[prost(int64, tag = "1")]
    ir_version: i64,
    #[prost(string, tag = "2")]
    producer_name: String,
}

#[test]
fn model_without_graph() {
    let bytes = GraphlessModel {
        ir_version: 8,
        producer_name: "pytorch".into(),
    }
    .encode_to_vec();
    assert_eq!(bytes_err(&bytes).message, "the model has no graph");
}

#[test]
fn length_field_claims_more_than_the_file_has() {
    // ir_version 8, then field 7 (graph) claiming 2^31 - 1 bytes with 3 present: no allocation
    // of the claimed size may happen.
    let mut bytes = vec![0x08, 0x08, 0x3A];
    let mut n: u64 = (1 << 31) - 1;
    while n >= 0x80 {
        bytes.push((n as u8) | 0x80);
        n >>= 7;
    }
    bytes.push(n as u8);
    bytes.extend_from_slice(&[0x0A, 0x01, 0x41]);
    let e = bytes_err(&bytes);
    assert!(
        e.message.contains("claims more bytes than the file has"),
        "{e}"
    );

    // The same inside a node: a name string of 1 GiB.
    let mut bytes = vec![0x08, 0x08, 0x3A, 0x08, 0x0A, 0x06, 0x1A];
    bytes.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x04]);
    bytes.extend_from_slice(b"ab");
    let e = bytes_err(&bytes);
    assert!(
        e.message.starts_with("truncated or corrupt protobuf"),
        "{e}"
    );
}

#[test]
fn file_of_two_gib_or_more() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("huge.onnx");
    let f = fs::File::create(&p).expect("create");
    // Sparse: no disk space is used.
    f.set_len(2 * 1024 * 1024 * 1024).expect("set_len");
    drop(f);
    let e = load_err(&p);
    assert!(e.message.contains("2 GiB"), "{e}");
    assert!(e.message.contains("2147483648 bytes"), "{e}");
    assert!(e.message.contains("external data"), "{e}");
}

#[test]
fn invalid_utf8_in_a_name() {
    let mut model = resnet18();
    let name = b"/conv1/Conv";
    let at = model
        .windows(name.len())
        .position(|w| w == name)
        .expect("a node name");
    model[at] = 0xFF;
    let e = bytes_err(&model);
    assert!(
        e.message.starts_with("truncated or corrupt protobuf"),
        "{e}"
    );
}

#[test]
fn errors_display_path_then_message() {
    let e = bytes_err(b"");
    assert_eq!(
        e.to_string(),
        "m.onnx: not an ONNX model: the file is empty"
    );
}
