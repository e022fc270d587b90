//! Pure functions over (tree, spec, model): diagnostics, effective precision and the editor
//! features. Nothing here knows about LSP types or tokio; ranges are byte offsets.

mod check;
mod diagnostic;
mod model_checks;
pub mod precision;
mod suggest;

pub use check::{check, CheckContext, ModelStatus, HOW_TO_PAIR};
pub use diagnostic::{Code, Diagnostic, DiagnosticConfig, Related, Severity};
pub use suggest::{closest, did_you_mean};
