//! Pure functions over (tree, spec, model): diagnostics, effective precision and the editor
//! features. Nothing here knows about LSP types or tokio; ranges are byte offsets.
//!
//! One feature per file, with its `$0`-cursor fixture tests beside it.

/// A message in the user's language: `tr!(locale, "English {x}", "中文 {x}")`. Both texts sit at
/// the place that decides the message, so a change to one is seen beside the other.
macro_rules! tr {
    ($locale:expr, $en:literal, $zh:literal $(, $arg:expr)* $(,)?) => {
        match $locale {
            $crate::spec::Locale::En => format!($en $(, $arg)*),
            $crate::spec::Locale::Zh => format!($zh $(, $arg)*),
        }
    };
}

mod check;
pub mod code_actions;
mod completion;
mod diagnostic;
mod document_kind;
mod explain;
mod folding;
mod format;
mod hb_compile;
mod hover;
mod inlay_hints;
mod model_checks;
mod node_info;
pub mod precision;
pub mod precision_map;
mod suggest;
mod symbols;

pub use check::{check, check_after_splice, check_document, CheckContext, Checked, ModelStatus};

/// The largest document qcls analyses. Real configs are under 1 MB and 100,000 node entries
/// take 6 MB; past this a document is refused with a message rather than analysed for seconds.
pub const MAX_DOCUMENT_BYTES: usize = 16 << 20;

/// What the user reads about a document over [`MAX_DOCUMENT_BYTES`].
pub fn too_large_message(bytes: usize) -> String {
    format!(
        "is {:.1} MB; qcls analyses documents up to {} MB (100,000 node entries take about 6 MB)",
        bytes as f64 / 1e6,
        MAX_DOCUMENT_BYTES >> 20
    )
}
pub use completion::{
    complete, complete_yaml, node_completion_documentation, CompletionItem, CompletionKind,
    Completions,
};
pub use diagnostic::{limit_diagnostics, Code, Diagnostic, DiagnosticConfig, Related, Severity};
pub use document_kind::{document_kind, is_yaml_name, DocumentKind, CONFIG_SECTIONS};
pub use explain::Explanation;
pub use folding::{folding_ranges, Fold, FoldKind};
pub use format::{format, FormatOptions};
pub use hb_compile::{
    check_hb_compile, check_hb_compile_around, check_inline, inline_quant_config, merge_with_inline,
};
pub use hover::{describe_key, hover, hover_yaml, HoverInfo};
pub use inlay_hints::{inlay_hints, InlayHint, InlayKind};
pub use node_info::{line_of, MAX_NAME_ITEMS, NO_PRECISION, OMITTED};
pub use precision_map::PrecisionMap;
pub use suggest::{closest, did_you_mean};
pub use symbols::{document_symbols, Symbol, SymbolKind};

/// Splits a test fixture at its `$0` cursor marker.
#[cfg(test)]
pub(crate) fn fixture(s: &str) -> (String, usize) {
    let at = s.find("$0").expect("fixture without $0");
    (s.replacen("$0", "", 1), at)
}

/// A model from tests/fixtures/models, for tests.
#[cfg(test)]
pub(crate) fn fixture_model(name: &str) -> crate::model::ModelIndex {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models")
        .join(name)
        .join("optimized_float_model.onnx");
    crate::model::ModelIndex::load(&path).expect("fixture model loads")
}
