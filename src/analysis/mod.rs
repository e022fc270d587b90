//! Pure functions over (tree, spec, model): diagnostics, effective precision and the editor
//! features. Nothing here knows about LSP types or tokio; ranges are byte offsets.

mod check;
mod diagnostic;

pub use check::{check, CheckContext, ModelStatus};
pub use diagnostic::{Code, Diagnostic, DiagnosticConfig, Related, Severity};
