//! `check`: every diagnostic of SPEC §4 for one document.

use std::marker::PhantomData;

use super::{Code, Diagnostic, DiagnosticConfig};
use crate::syntax::{Parse, SyntaxErrorKind};

/// What is known about the document's model.
#[derive(Debug, Default)]
pub enum ModelStatus<'a> {
    /// No model could be paired; checks that need one are skipped.
    #[default]
    Unpaired,
    /// A model was paired but could not be read.
    Unreadable { message: String },
    #[doc(hidden)]
    _Lifetime(PhantomData<&'a ()>),
}

/// Everything besides the text that decides the diagnostics.
#[derive(Debug, Default)]
pub struct CheckContext<'a> {
    pub model: ModelStatus<'a>,
    pub config: DiagnosticConfig,
}

/// All diagnostics of a parsed document, sorted by position.
pub fn check(_text: &str, parse: &Parse, ctx: &CheckContext) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for error in &parse.errors {
        let code = match error.kind {
            SyntaxErrorKind::Syntax => Code::SyntaxError,
            SyntaxErrorKind::HashComment => Code::HashComment,
        };
        out.push(Diagnostic::new(code, error.range, error.message.clone()));
    }
    let mut out = ctx.config.apply(out);
    out.sort_by_key(|d| (d.range.start, d.range.end));
    out
}
