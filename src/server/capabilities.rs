//! What the client can do and what we announce, in one place.

use tower_lsp_server::ls_types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionProviderCapability,
    CodeLensOptions, CompletionOptions, DiagnosticOptions, DiagnosticServerCapabilities,
    DocumentLinkOptions, ExecuteCommandOptions, FoldingRangeProviderCapability,
    HoverProviderCapability, OneOf, PositionEncodingKind, SaveOptions, ServerCapabilities,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, WorkDoneProgressOptions,
};

use crate::text::PositionEncoding;

/// The command of the model code lens: the server shows which model is paired (a message).
pub const SHOW_MODEL_COMMAND: &str = "qcls.showModel";

/// The client capabilities the server acts on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientFlags {
    /// `textDocument.diagnostic`: the client pulls diagnostics, so we do not push them.
    pub pull_diagnostics: bool,
    /// `workspace.diagnostics.refreshSupport`.
    pub diagnostic_refresh: bool,
    /// `workspace.configuration`.
    pub configuration: bool,
    /// `workspace.didChangeWatchedFiles.dynamicRegistration`.
    pub watch_files: bool,
    /// `window.workDoneProgress`.
    pub work_done_progress: bool,
    /// `textDocument.hover.contentFormat` contains markdown (else plain text).
    pub hover_markdown: bool,
    /// `textDocument.completion.completionItem.documentationFormat` contains markdown.
    pub completion_markdown: bool,
    /// `textDocument.completion.completionItem.resolveSupport.properties` contains
    /// `documentation`: node-name items are sent without it and resolved one by one.
    pub completion_resolve: bool,
    /// `textDocument.documentSymbol.hierarchicalDocumentSymbolSupport`.
    pub hierarchical_symbols: bool,
    /// `textDocument.foldingRange.rangeLimit`.
    pub folding_limit: Option<u32>,
}

impl ClientFlags {
    pub fn from_capabilities(caps: &ClientCapabilities) -> Self {
        let td = caps.text_document.as_ref();
        let ws = caps.workspace.as_ref();
        let markdown = |formats: Option<&Vec<tower_lsp_server::ls_types::MarkupKind>>| {
            formats.is_some_and(|f| f.contains(&tower_lsp_server::ls_types::MarkupKind::Markdown))
        };
        ClientFlags {
            pull_diagnostics: td.is_some_and(|t| t.diagnostic.is_some()),
            diagnostic_refresh: ws
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            configuration: ws.and_then(|w| w.configuration).unwrap_or(false),
            watch_files: ws
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            work_done_progress: caps
                .window
                .as_ref()
                .and_then(|w| w.work_done_progress)
                .unwrap_or(false),
            hover_markdown: markdown(
                td.and_then(|t| t.hover.as_ref())
                    .and_then(|h| h.content_format.as_ref()),
            ),
            completion_markdown: markdown(
                td.and_then(|t| t.completion.as_ref())
                    .and_then(|c| c.completion_item.as_ref())
                    .and_then(|i| i.documentation_format.as_ref()),
            ),
            completion_resolve: td
                .and_then(|t| t.completion.as_ref())
                .and_then(|c| c.completion_item.as_ref())
                .and_then(|i| i.resolve_support.as_ref())
                .is_some_and(|r| r.properties.iter().any(|p| p == "documentation")),
            hierarchical_symbols: td
                .and_then(|t| t.document_symbol.as_ref())
                .and_then(|s| s.hierarchical_document_symbol_support)
                .unwrap_or(false),
            folding_limit: td
                .and_then(|t| t.folding_range.as_ref())
                .and_then(|f| f.range_limit),
        }
    }
}

/// The encoding to use: UTF-8 when offered (our offsets are bytes, so it is free), else the
/// first one offered that we know, else the LSP default UTF-16.
pub fn negotiate_encoding(caps: &ClientCapabilities) -> PositionEncoding {
    let offered = caps
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    let Some(offered) = offered else {
        return PositionEncoding::Utf16;
    };
    if offered.contains(&PositionEncodingKind::UTF8) {
        return PositionEncoding::Utf8;
    }
    offered
        .iter()
        .find_map(|k| match k.as_str() {
            "utf-16" => Some(PositionEncoding::Utf16),
            "utf-32" => Some(PositionEncoding::Utf32),
            _ => None,
        })
        .unwrap_or(PositionEncoding::Utf16)
}

pub fn encoding_kind(encoding: PositionEncoding) -> PositionEncodingKind {
    match encoding {
        PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
        PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
        PositionEncoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

pub fn server_capabilities(flags: &ClientFlags, encoding: PositionEncoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding_kind(encoding)),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                will_save: None,
                will_save_wait_until: None,
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
            },
        )),
        completion_provider: Some(CompletionOptions {
            // `"` starts a key or value, `:` precedes a value (a space would pop the list up
            // while indenting).
            trigger_characters: Some(vec!["\"".into(), ":".into()]),
            resolve_provider: Some(flags.completion_resolve),
            ..Default::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            resolve_provider: Some(false),
            ..Default::default()
        })),
        inlay_hint_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_link_provider: Some(DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: Default::default(),
        }),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![SHOW_MODEL_COMMAND.to_string()],
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        diagnostic_provider: flags.pull_diagnostics.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("qcls".into()),
                inter_file_dependencies: false,
                workspace_diagnostics: false,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })
        }),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(json: serde_json::Value) -> ClientCapabilities {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn encoding_preference() {
        let enc = |v| negotiate_encoding(&caps(v));
        assert_eq!(enc(serde_json::json!({})), PositionEncoding::Utf16);
        assert_eq!(
            enc(serde_json::json!({"general": {"positionEncodings": ["utf-16", "utf-8"]}})),
            PositionEncoding::Utf8
        );
        assert_eq!(
            enc(serde_json::json!({"general": {"positionEncodings": ["utf-32", "utf-16"]}})),
            PositionEncoding::Utf32
        );
        assert_eq!(
            enc(serde_json::json!({"general": {"positionEncodings": ["x-bogus"]}})),
            PositionEncoding::Utf16
        );
    }

    #[test]
    fn pull_diagnostics_only_when_supported() {
        let flags = ClientFlags::from_capabilities(&caps(serde_json::json!({})));
        assert!(server_capabilities(&flags, PositionEncoding::Utf16)
            .diagnostic_provider
            .is_none());
        let flags = ClientFlags::from_capabilities(&caps(
            serde_json::json!({"textDocument": {"diagnostic": {}}}),
        ));
        assert!(flags.pull_diagnostics);
    }
}
