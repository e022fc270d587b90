//! Conversions between the analysis types (byte offsets) and LSP types (positions in the
//! negotiated encoding). Nothing else in the server converts positions.

pub mod from_proto {
    use std::path::PathBuf;

    use tower_lsp_server::ls_types::{self as lsp, Position, Uri};

    use crate::analysis::code_actions::SentDiagnostic;
    use crate::analysis::Code;
    use crate::text::{self, Document, PositionEncoding, TextRange};

    pub fn position(p: Position) -> text::Position {
        text::Position::new(p.line, p.character)
    }

    /// The byte offset of a position; out-of-range positions are clamped by `Document`.
    pub fn offset(doc: &Document, enc: PositionEncoding, p: Position) -> usize {
        doc.offset(position(p), enc)
    }

    /// A diagnostic the client sent back with a code-action request: its range in this
    /// document and, when it is one of ours, its code.
    pub fn sent_diagnostic(
        doc: &Document,
        enc: PositionEncoding,
        d: &lsp::Diagnostic,
    ) -> SentDiagnostic {
        let start = offset(doc, enc, d.range.start);
        let end = offset(doc, enc, d.range.end);
        let code = match &d.code {
            Some(lsp::NumberOrString::String(code)) => Code::parse(code),
            _ => None,
        };
        SentDiagnostic {
            range: TextRange::new(start.min(end), start.max(end)),
            code,
        }
    }

    /// The local path of a `file:` URI.
    pub fn file_path(uri: &Uri) -> Option<PathBuf> {
        if !uri.as_str().starts_with("file:") {
            return None;
        }
        uri.to_file_path().map(|p| p.into_owned())
    }

    /// The last segment of the URI's path, decoded as well as we can.
    pub fn file_name(uri: &Uri) -> String {
        if let Some(p) = file_path(uri) {
            if let Some(name) = p.file_name() {
                return name.to_string_lossy().into_owned();
            }
        }
        let s = uri.as_str();
        let s = s.split(['?', '#']).next().unwrap_or(s);
        s.rsplit('/').next().unwrap_or(s).to_string()
    }

    /// The node a node-name item names, when its documentation is to be resolved.
    pub fn resolve_target(item: &lsp::CompletionItem) -> Option<String> {
        let node = item.data.as_ref()?.get("node")?.as_str()?;
        Some(node.to_string())
    }
}

pub mod to_proto {
    use tower_lsp_server::ls_types as lsp;
    use tower_lsp_server::ls_types::Uri;

    use crate::analysis::{self, FoldKind, Severity, SymbolKind};
    use crate::text::{Document, PositionEncoding, TextRange};

    pub fn position(doc: &Document, enc: PositionEncoding, offset: usize) -> lsp::Position {
        let p = doc.position(offset, enc);
        lsp::Position::new(p.line, p.character)
    }

    pub fn range(doc: &Document, enc: PositionEncoding, r: TextRange) -> lsp::Range {
        lsp::Range::new(position(doc, enc, r.start), position(doc, enc, r.end))
    }

    pub fn severity(s: Severity) -> lsp::DiagnosticSeverity {
        match s {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
            Severity::Hint => lsp::DiagnosticSeverity::HINT,
        }
    }

    pub fn diagnostic(
        doc: &Document,
        enc: PositionEncoding,
        uri: &Uri,
        d: &analysis::Diagnostic,
    ) -> lsp::Diagnostic {
        let related: Vec<lsp::DiagnosticRelatedInformation> = d
            .related
            .iter()
            .map(|r| lsp::DiagnosticRelatedInformation {
                location: lsp::Location::new(uri.clone(), range(doc, enc, r.range)),
                message: r.message.clone(),
            })
            .collect();
        lsp::Diagnostic {
            range: range(doc, enc, d.range),
            severity: Some(severity(d.severity)),
            code: Some(lsp::NumberOrString::String(d.code.as_str().to_string())),
            code_description: None,
            source: Some("qcls".to_string()),
            message: d.message.clone(),
            related_information: (!related.is_empty()).then_some(related),
            tags: d.unnecessary.then(|| vec![lsp::DiagnosticTag::UNNECESSARY]),
            data: None,
        }
    }

    fn documentation(markdown: String, as_markdown: bool) -> lsp::Documentation {
        if as_markdown {
            lsp::Documentation::MarkupContent(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: markdown,
            })
        } else {
            lsp::Documentation::String(strip_markdown(&markdown))
        }
    }

    /// Plain text for clients without markdown: drop emphasis and code marks.
    fn strip_markdown(s: &str) -> String {
        s.replace("**", "").replace('`', "")
    }

    /// The items of one list. They usually share their replace range: it is converted once.
    /// With `resolve` (clients that resolve documentation), node names go without their
    /// documentation and carry their name to resolve it by.
    pub fn completion_items(
        doc: &Document,
        enc: PositionEncoding,
        items: Vec<analysis::CompletionItem>,
        markdown: bool,
        resolve: bool,
    ) -> Vec<lsp::CompletionItem> {
        let mut last: Option<(TextRange, lsp::Range)> = None;
        items
            .into_iter()
            .map(|item| {
                let converted = match last {
                    Some((from, to)) if from == item.range => to,
                    _ => {
                        let to = range(doc, enc, item.range);
                        last = Some((item.range, to));
                        to
                    }
                };
                let deferred = (resolve && item.kind == analysis::CompletionKind::Node)
                    .then(|| serde_json::json!({ "node": item.label }));
                let mut item = item;
                if deferred.is_some() {
                    item.documentation = None;
                }
                lsp::CompletionItem {
                    data: deferred,
                    ..completion_item(converted, item, markdown)
                }
            })
            .collect()
    }

    /// `item` with its documentation.
    pub fn resolved(
        mut item: lsp::CompletionItem,
        markdown_text: String,
        markdown: bool,
    ) -> lsp::CompletionItem {
        item.documentation = Some(documentation(markdown_text, markdown));
        item
    }

    fn completion_item(
        range: lsp::Range,
        item: analysis::CompletionItem,
        markdown: bool,
    ) -> lsp::CompletionItem {
        let kind = match item.kind {
            analysis::CompletionKind::Key => lsp::CompletionItemKind::PROPERTY,
            analysis::CompletionKind::EnumValue => lsp::CompletionItemKind::ENUM_MEMBER,
            analysis::CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
            analysis::CompletionKind::OpType => lsp::CompletionItemKind::CLASS,
            analysis::CompletionKind::Node => lsp::CompletionItemKind::FIELD,
            analysis::CompletionKind::Tensor => lsp::CompletionItemKind::VARIABLE,
        };
        lsp::CompletionItem {
            label: item.label,
            kind: Some(kind),
            detail: item.detail,
            documentation: item.documentation.map(|d| documentation(d, markdown)),
            sort_text: Some(item.sort_text),
            filter_text: Some(item.new_text.clone()),
            text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit {
                range,
                new_text: item.new_text,
            })),
            ..Default::default()
        }
    }

    pub fn hover(
        doc: &Document,
        enc: PositionEncoding,
        info: analysis::HoverInfo,
        markdown: bool,
        tables: bool,
    ) -> lsp::Hover {
        let contents = match (markdown, tables) {
            (true, true) => lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: info.markdown,
            },
            (true, false) => lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: crate::server::markup::tables_as_text(&info.markdown, true),
            },
            (false, _) => lsp::MarkupContent {
                kind: lsp::MarkupKind::PlainText,
                value: strip_markdown(&crate::server::markup::tables_as_text(
                    &info.markdown,
                    false,
                )),
            },
        };
        lsp::Hover {
            contents: lsp::HoverContents::Markup(contents),
            range: Some(range(doc, enc, info.range)),
        }
    }

    pub fn inlay_hint(
        doc: &Document,
        enc: PositionEncoding,
        hint: analysis::InlayHint,
    ) -> lsp::InlayHint {
        lsp::InlayHint {
            position: position(doc, enc, hint.offset),
            label: lsp::InlayHintLabel::String(hint.label),
            kind: Some(match hint.kind {
                analysis::InlayKind::Type => lsp::InlayHintKind::TYPE,
                analysis::InlayKind::Count => lsp::InlayHintKind::PARAMETER,
            }),
            text_edits: None,
            tooltip: hint.tooltip.map(lsp::InlayHintTooltip::String),
            // `: Conv(...)` reads as a type annotation; `× 20` needs a space before it.
            padding_left: Some(hint.kind == analysis::InlayKind::Count),
            padding_right: None,
            data: None,
        }
    }

    fn symbol_kind(k: SymbolKind) -> lsp::SymbolKind {
        match k {
            SymbolKind::Section => lsp::SymbolKind::MODULE,
            SymbolKind::OpType => lsp::SymbolKind::CLASS,
            SymbolKind::Node => lsp::SymbolKind::OBJECT,
            SymbolKind::Subgraph => lsp::SymbolKind::NAMESPACE,
            SymbolKind::Key => lsp::SymbolKind::PROPERTY,
        }
    }

    #[allow(deprecated)] // `deprecated` is a required field of the LSP structs.
    pub fn document_symbols(
        doc: &Document,
        enc: PositionEncoding,
        uri: &Uri,
        symbols: Vec<analysis::Symbol>,
        hierarchical: bool,
    ) -> lsp::DocumentSymbolResponse {
        fn nested(
            doc: &Document,
            enc: PositionEncoding,
            s: analysis::Symbol,
        ) -> lsp::DocumentSymbol {
            lsp::DocumentSymbol {
                // Clients reject empty names.
                name: if s.name.is_empty() {
                    "\"\"".to_string()
                } else {
                    s.name
                },
                detail: s.detail,
                kind: symbol_kind(s.kind),
                tags: None,
                deprecated: None,
                range: range(doc, enc, s.range),
                selection_range: range(doc, enc, s.selection),
                children: Some(
                    s.children
                        .into_iter()
                        .map(|c| nested(doc, enc, c))
                        .collect(),
                ),
            }
        }
        if hierarchical {
            return lsp::DocumentSymbolResponse::Nested(
                symbols.into_iter().map(|s| nested(doc, enc, s)).collect(),
            );
        }
        // Flat list with container names, for old clients.
        let mut out = Vec::new();
        let mut stack: Vec<(analysis::Symbol, Option<String>)> =
            symbols.into_iter().rev().map(|s| (s, None)).collect();
        while let Some((mut s, container)) = stack.pop() {
            let children = std::mem::take(&mut s.children);
            for c in children.into_iter().rev() {
                stack.push((c, Some(s.name.clone())));
            }
            out.push(lsp::SymbolInformation {
                name: s.name,
                kind: symbol_kind(s.kind),
                tags: None,
                deprecated: None,
                location: lsp::Location::new(uri.clone(), range(doc, enc, s.range)),
                container_name: container,
            });
        }
        lsp::DocumentSymbolResponse::Flat(out)
    }

    pub fn folding_ranges(
        doc: &Document,
        enc: PositionEncoding,
        folds: Vec<analysis::Fold>,
        limit: Option<u32>,
    ) -> Vec<lsp::FoldingRange> {
        // What VS Code asks for; a client that names no limit gets no more either.
        const DEFAULT_LIMIT: usize = 5_000;
        let limit = limit.map_or(DEFAULT_LIMIT, |l| l as usize);
        folds
            .into_iter()
            .filter_map(|f| {
                let start = position(doc, enc, f.start).line;
                let end = position(doc, enc, f.end).line;
                (end > start).then_some(lsp::FoldingRange {
                    start_line: start,
                    start_character: None,
                    end_line: end,
                    end_character: None,
                    kind: Some(match f.kind {
                        FoldKind::Region => lsp::FoldingRangeKind::Region,
                        FoldKind::Comment => lsp::FoldingRangeKind::Comment,
                    }),
                    collapsed_text: None,
                })
            })
            // Lazily: positions are found for the folds sent only.
            .take(limit)
            .collect()
    }

    /// One edit turning `old` into `new`, covering only the part that differs.
    /// A quick fix as an LSP code action with a workspace edit on one document.
    pub fn code_action(
        doc: &Document,
        enc: PositionEncoding,
        uri: &lsp::Uri,
        fix: crate::analysis::code_actions::Fix,
    ) -> lsp::CodeAction {
        let edits = fix
            .edits
            .iter()
            .map(|e| lsp::TextEdit {
                range: range(doc, enc, e.range),
                new_text: e.new_text.clone(),
            })
            .collect();
        let mut changes = std::collections::HashMap::new();
        changes.insert(uri.clone(), edits);
        lsp::CodeAction {
            title: fix.title,
            kind: Some(lsp::CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic(doc, enc, uri, &fix.diagnostic)]),
            edit: Some(lsp::WorkspaceEdit {
                changes: Some(changes),
                ..Default::default()
            }),
            is_preferred: Some(fix.preferred),
            ..Default::default()
        }
    }

    /// The edits that turn `old` (the document's text) into `new`: one edit replacing the part
    /// between their common prefix and common suffix, none when they are equal. Formatting
    /// answers with this, so the client keeps its cursor and folds outside the change.
    pub fn replace_edit(
        doc: &Document,
        enc: PositionEncoding,
        old: &str,
        new: &str,
    ) -> Vec<lsp::TextEdit> {
        if old == new {
            return Vec::new();
        }
        let mut prefix = old
            .bytes()
            .zip(new.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
            prefix -= 1;
        }
        let max_suffix = (old.len() - prefix).min(new.len() - prefix);
        let mut suffix = old
            .bytes()
            .rev()
            .zip(new.bytes().rev())
            .take(max_suffix)
            .take_while(|(a, b)| a == b)
            .count();
        while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix)
        {
            suffix -= 1;
        }
        // Do not split a CRLF: the edit's positions must be valid line/character pairs.
        let (mut start, mut old_end, mut new_end) =
            (prefix, old.len() - suffix, new.len() - suffix);
        if start > 0 && old.as_bytes()[start - 1] == b'\r' {
            start -= 1;
        }
        if old_end < old.len()
            && old.as_bytes()[old_end] == b'\n'
            && old_end > 0
            && old.as_bytes()[old_end - 1] == b'\r'
        {
            old_end += 1;
            new_end += 1;
        }
        let new_end = new_end.min(new.len()).max(start);
        vec![lsp::TextEdit {
            range: range(doc, enc, TextRange::new(start, old_end.max(start))),
            new_text: new[start..new_end].to_string(),
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::to_proto::replace_edit;
    use crate::text::{Document, PositionEncoding};

    fn apply(old: &str, new: &str) -> String {
        let doc = Document::new(old);
        let edits = replace_edit(&doc, PositionEncoding::Utf16, old, new);
        let mut d = doc.clone();
        for e in edits {
            d.apply_change(
                Some((
                    crate::text::Position::new(e.range.start.line, e.range.start.character),
                    crate::text::Position::new(e.range.end.line, e.range.end.character),
                )),
                &e.new_text,
                PositionEncoding::Utf16,
            );
        }
        d.text()
    }

    #[test]
    fn minimal_edits_apply_back() {
        for (a, b) in [
            ("{\"a\":1}", "{\n  \"a\": 1\n}\n"),
            ("abc", "abc"),
            ("aé", "aè"),
            ("{\r\n\"a\": 1\r\n}", "{\r\n  \"a\": 1\r\n}\r\n"),
            ("x\r\ny", "x\r\n\r\ny"),
            ("", "{}"),
            ("{}\n\n", "{}\n"),
        ] {
            assert_eq!(apply(a, b), b, "{a:?} -> {b:?}");
        }
    }
}
