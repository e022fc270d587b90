//! Formatting that keeps comments: one member per line, re-indented, comments kept where
//! they are relative to the members (a comment at the end of a line stays at the end of that
//! line). Lists of scalars stay on one line. Up to one blank line between members is kept.

use crate::syntax::lexer::{Lexer, TokenKind};
use crate::syntax::{CommentKind, Parse, SyntaxErrorKind};
use crate::text::TextRange;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatOptions {
    /// One level of indentation: spaces or a tab.
    pub indent: String,
}

impl FormatOptions {
    pub fn new(tab_size: u32, insert_spaces: bool) -> Self {
        let indent = if insert_spaces {
            " ".repeat(tab_size.clamp(1, 16) as usize)
        } else {
            "\t".to_string()
        };
        FormatOptions { indent }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Open,
    Close,
    Colon,
    Comma,
    Scalar,
    LineComment,
    BlockComment,
}

#[derive(Clone, Copy, Debug)]
struct Token<'t> {
    kind: Kind,
    text: &'t str,
    /// Line breaks between the previous token and this one.
    newlines_before: usize,
}

/// The formatted text, or `None` when the document has syntax errors (other than `#`
/// comments, which are kept) or holds no value.
pub fn format(text: &str, parse: &Parse, options: &FormatOptions) -> Option<String> {
    if parse.root.is_none()
        || parse
            .errors
            .iter()
            .any(|e| e.kind != SyntaxErrorKind::HashComment)
    {
        return None;
    }
    let tokens = tokenize(text);
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    Some(Printer::new(&tokens, options, eol).print())
}

/// The document's tokens and comments in order (the parser's own lexer), each with the line
/// breaks before it.
fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut lexer = Lexer::new(text);
    let mut pieces: Vec<(Kind, TextRange)> = Vec::new();
    loop {
        let token = lexer.next_token();
        // The comments skipped on the way come before the token.
        for c in lexer.comments.drain(..) {
            let kind = match c.kind {
                CommentKind::Block => Kind::BlockComment,
                CommentKind::Line | CommentKind::Hash => Kind::LineComment,
            };
            pieces.push((kind, c.range));
        }
        let kind = match token.kind {
            TokenKind::Eof => break,
            TokenKind::LBrace | TokenKind::LBracket => Kind::Open,
            TokenKind::RBrace | TokenKind::RBracket => Kind::Close,
            TokenKind::Colon => Kind::Colon,
            TokenKind::Comma => Kind::Comma,
            _ => Kind::Scalar,
        };
        pieces.push((kind, token.range()));
    }
    let mut out = Vec::with_capacity(pieces.len());
    let mut last_end = 0;
    for (kind, range) in pieces {
        let gap = text.get(last_end..range.start).unwrap_or("");
        let raw = text.get(range.start..range.end).unwrap_or("");
        out.push(Token {
            kind,
            text: if kind == Kind::LineComment {
                raw.trim_end()
            } else {
                raw
            },
            newlines_before: line_breaks(gap),
        });
        last_end = range.end;
    }
    out
}

/// Line breaks as the editor counts them: `\n`, `\r\n` and a lone `\r`.
fn line_breaks(gap: &str) -> usize {
    let b = gap.as_bytes();
    (0..b.len())
        .filter(|&i| b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')))
        .count()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    NewLine,
    Space,
    Tight,
}

struct Printer<'a, 't> {
    tokens: &'a [Token<'t>],
    options: &'a FormatOptions,
    eol: &'a str,
    out: String,
    depth: usize,
    /// Per open container: is it printed on one line?
    inline: Vec<bool>,
    /// The last token that is not a comment.
    prev: Option<Kind>,
    /// A line comment was printed since `prev`: the next token needs a new line.
    after_line_comment: bool,
    /// A comment was printed since `prev`.
    after_comment: bool,
}

impl<'a, 't> Printer<'a, 't> {
    fn new(tokens: &'a [Token<'t>], options: &'a FormatOptions, eol: &'a str) -> Self {
        Printer {
            tokens,
            options,
            eol,
            out: String::new(),
            depth: 0,
            inline: Vec::new(),
            prev: None,
            after_line_comment: false,
            after_comment: false,
        }
    }

    fn newline(&mut self, blank: bool) {
        if self.out.is_empty() {
            return;
        }
        self.out.push_str(self.eol);
        if blank {
            self.out.push_str(self.eol);
        }
        for _ in 0..self.depth {
            self.out.push_str(&self.options.indent);
        }
    }

    /// A list of scalars without comments goes on one line.
    fn is_inline_list(&self, open: usize) -> bool {
        if self.tokens[open].text != "[" {
            return false;
        }
        for t in &self.tokens[open + 1..] {
            match t.kind {
                Kind::Scalar | Kind::Comma => {}
                Kind::Close => return true,
                _ => return false,
            }
        }
        false
    }

    fn print(mut self) -> String {
        for i in 0..self.tokens.len() {
            let t = self.tokens[i];
            match t.kind {
                Kind::LineComment | Kind::BlockComment => {
                    if t.newlines_before == 0 && !self.out.is_empty() {
                        self.out.push(' ');
                    } else {
                        let blank = t.newlines_before >= 2 && self.prev != Some(Kind::Open);
                        self.newline(blank);
                    }
                    self.out.push_str(t.text);
                    self.after_comment = true;
                    if t.kind == Kind::LineComment {
                        self.after_line_comment = true;
                    }
                    continue;
                }
                Kind::Close => {
                    self.depth = self.depth.saturating_sub(1);
                }
                _ => {}
            }
            let in_inline = self.inline.last().copied().unwrap_or(false);
            let layout = match (self.prev, t.kind) {
                (None, _) => Layout::Tight,
                (_, Kind::Colon | Kind::Comma) => Layout::Tight,
                (Some(Kind::Open), Kind::Close) => Layout::Tight,
                (_, Kind::Close) if in_inline => Layout::Tight,
                (_, Kind::Close) => Layout::NewLine,
                (Some(Kind::Open), _) if in_inline => Layout::Tight,
                (Some(Kind::Comma), _) if in_inline => Layout::Space,
                (Some(Kind::Open | Kind::Comma), _) => Layout::NewLine,
                (Some(Kind::Colon), _) => Layout::Space,
                // Two values in a row cannot happen in a document without syntax errors.
                _ => Layout::Space,
            };
            if self.after_line_comment || layout == Layout::NewLine {
                let blank = t.newlines_before >= 2
                    && matches!(self.prev, Some(Kind::Comma))
                    && t.kind != Kind::Close;
                self.newline(blank && !self.after_comment);
            } else if self.after_comment || layout == Layout::Space {
                self.out.push(' ');
            }
            self.out.push_str(t.text);
            match t.kind {
                Kind::Open => {
                    let inline = self.is_inline_list(i);
                    self.inline.push(inline);
                    self.depth += 1;
                }
                Kind::Close => {
                    self.inline.pop();
                }
                _ => {}
            }
            self.prev = Some(t.kind);
            self.after_comment = false;
            self.after_line_comment = false;
        }
        self.out.push_str(self.eol);
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn fmt(text: &str) -> Option<String> {
        format(text, &parse(text), &FormatOptions::new(2, true))
    }

    #[track_caller]
    fn check(input: &str, expected: &str) {
        let out = fmt(input).expect("refused");
        assert_eq!(out, expected);
        assert_eq!(fmt(&out).as_deref(), Some(expected), "not idempotent");
    }

    #[test]
    fn reindents() {
        check(
            r#"{"model_config":{"all_node_type":"int16","activation":{"calibration_type":["kl","max"],"num_bin":1024}},"op_config":{}}"#,
            "{\n  \"model_config\": {\n    \"all_node_type\": \"int16\",\n    \"activation\": {\n      \"calibration_type\": [\"kl\", \"max\"],\n      \"num_bin\": 1024\n    }\n  },\n  \"op_config\": {}\n}\n",
        );
    }

    #[test]
    fn keeps_comments_in_place() {
        check(
            "// qcls-model: m.onnx\n{\n/* block */\n\"node_config\": { // trailing\n  \"a\": {\"qtype\": \"int16\"}, // after a\n\n  // before b\n    \"b\": {\"input1\": \"ec\" /* why */}\n  // last\n}}",
            "// qcls-model: m.onnx\n{\n  /* block */\n  \"node_config\": { // trailing\n    \"a\": {\n      \"qtype\": \"int16\"\n    }, // after a\n\n    // before b\n    \"b\": {\n      \"input1\": \"ec\" /* why */\n    }\n    // last\n  }\n}\n",
        );
    }

    #[test]
    fn keeps_hash_comments_and_tabs() {
        let text = "{\n# old\n\"a\": 1}";
        let out = format(text, &parse(text), &FormatOptions::new(4, false)).unwrap();
        assert_eq!(out, "{\n\t# old\n\t\"a\": 1\n}\n");
    }

    #[test]
    fn lists_with_objects_or_comments_break() {
        check(
            "{\"a\": [1, // one\n 2], \"b\": [{\"c\": 1}]}",
            "{\n  \"a\": [\n    1, // one\n    2\n  ],\n  \"b\": [\n    {\n      \"c\": 1\n    }\n  ]\n}\n",
        );
    }

    #[test]
    fn crlf_is_kept() {
        check("{\r\n\"a\": 1\r\n}", "{\r\n  \"a\": 1\r\n}\r\n");
    }

    #[test]
    fn refuses_broken_documents() {
        assert_eq!(fmt("{\"a\": 1,}"), None);
        assert_eq!(fmt("{\"a\": "), None);
        assert_eq!(fmt(""), None);
        assert_eq!(fmt("// only a comment"), None);
    }

    #[test]
    fn strings_with_escapes_and_slashes() {
        check(
            r#"{"a\"//":"x/*y*/\\"}"#,
            "{\n  \"a\\\"//\": \"x/*y*/\\\\\"\n}\n",
        );
    }
}
