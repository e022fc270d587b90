//! What the fuzz targets share: the test models (embedded, so that the targets find them from
//! any working directory) and the checks that every range an analysis gives is usable.

use std::path::Path;
use std::sync::OnceLock;

use qcls::model::ModelIndex;
use qcls::text::TextRange;

/// The small real models of tests/fixtures/models: `(folder name, bytes)`.
pub const MODELS: [(&str, &[u8]); 6] = [
    (
        "resnet18",
        include_bytes!("../../tests/fixtures/models/resnet18/optimized_float_model.onnx"),
    ),
    (
        "vit_tiny",
        include_bytes!("../../tests/fixtures/models/vit_tiny/optimized_float_model.onnx"),
    ),
    (
        "bev_unet",
        include_bytes!("../../tests/fixtures/models/bev_unet/optimized_float_model.onnx"),
    ),
    (
        "cnn_attn_opidx",
        include_bytes!("../../tests/fixtures/models/cnn_attn_opidx/optimized_float_model.onnx"),
    ),
    (
        "resnet18_dup_names",
        include_bytes!("../../tests/fixtures/models/resnet18_dup_names/optimized_float_model.onnx"),
    ),
    (
        "resnet18_empty_names",
        include_bytes!(
            "../../tests/fixtures/models/resnet18_empty_names/optimized_float_model.onnx"
        ),
    ),
];

/// The models of [`MODELS`], indexed once per process.
pub fn models() -> &'static [ModelIndex] {
    static INDEXED: OnceLock<Vec<ModelIndex>> = OnceLock::new();
    INDEXED.get_or_init(|| {
        MODELS
            .iter()
            .map(|(name, bytes)| {
                let path = Path::new(name).join("optimized_float_model.onnx");
                ModelIndex::from_bytes(&path, bytes)
                    .unwrap_or_else(|e| panic!("the fixture model {name} does not index: {e}"))
            })
            .collect()
    })
}

/// FNV-1a: a stable choice (model, profile, edit) drawn from the input itself.
pub fn hash(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Panics unless `range` lies inside `text`, in order, on character boundaries.
#[track_caller]
pub fn assert_range(text: &str, range: TextRange, what: &str) {
    assert!(
        range.start <= range.end && range.end <= text.len(),
        "{what}: {range:?} is outside the text ({} bytes)",
        text.len()
    );
    assert!(
        text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
        "{what}: {range:?} splits a character"
    );
}

/// Up to `n + 1` offsets spread over the text, each moved back onto a character boundary, and
/// the offsets just after the first few quotes (where keys and values are typed).
pub fn offsets(text: &str, n: usize) -> Vec<usize> {
    let mut out: Vec<usize> = (0..=n)
        .map(|i| {
            let mut at = text.len() * i / n.max(1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        })
        .collect();
    out.extend(text.match_indices('"').take(6).map(|(i, _)| i + 1));
    out.sort_unstable();
    out.dedup();
    out
}
