//! Folding ranges: objects and arrays that span lines, and block comments.

use crate::syntax::{CommentKind, Parse, Value, ValueKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoldKind {
    Region,
    Comment,
}

/// A fold from the line of `start` to the line of `end` (byte offsets). For a container whose
/// closer starts its line, `end` is on the line before, so the closer stays visible.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fold {
    pub start: usize,
    pub end: usize,
    pub kind: FoldKind,
}

pub fn folding_ranges(text: &str, parse: &Parse) -> Vec<Fold> {
    let mut out = Vec::new();
    if let Some(root) = &parse.root {
        // Iterative: the tree may be deep.
        let mut stack: Vec<&Value> = vec![root];
        while let Some(v) = stack.pop() {
            let closed = match &v.kind {
                ValueKind::Object(o) => {
                    stack.extend(o.members.iter().filter_map(|m| m.value.as_ref()));
                    o.closed
                }
                ValueKind::Array(a) => {
                    stack.extend(a.elements.iter());
                    a.closed
                }
                _ => continue,
            };
            let end = if closed {
                closer_fold_end(text, v.range.end.saturating_sub(1))
            } else {
                v.range.end
            };
            if spans_lines(text, v.range.start, end) {
                out.push(Fold {
                    start: v.range.start,
                    end,
                    kind: FoldKind::Region,
                });
            }
        }
    }
    for c in &parse.comments {
        if c.kind == CommentKind::Block && spans_lines(text, c.range.start, c.range.end) {
            out.push(Fold {
                start: c.range.start,
                end: c.range.end,
                kind: FoldKind::Comment,
            });
        }
    }
    out.sort_by_key(|f| (f.start, f.end));
    out
}

/// Where a fold ending at the closer at `closer` ends: before the closer's line when only
/// whitespace precedes it there.
fn closer_fold_end(text: &str, closer: usize) -> usize {
    let Some(before) = text.get(..closer) else {
        return closer;
    };
    let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    if before[line_start..].trim().is_empty() && line_start > 0 {
        // The end of the previous line (before its line break).
        let mut end = line_start - 1;
        if end > 0 && before.as_bytes()[end] == b'\n' && before.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        end
    } else {
        closer
    }
}

fn spans_lines(text: &str, start: usize, end: usize) -> bool {
    text.get(start..end)
        .is_some_and(|s| s.contains(['\n', '\r']))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn lines(text: &str) -> Vec<(usize, usize, FoldKind)> {
        let line = |o: usize| text[..o].matches('\n').count();
        folding_ranges(text, &parse(text))
            .into_iter()
            .map(|f| (line(f.start), line(f.end), f.kind))
            .collect()
    }

    #[test]
    fn objects_arrays_and_comments() {
        let text = "{\n  /* a\n     b */\n  \"model_config\": {\n    \"activation\": {\"num_bin\": [\n      1024, 2048]}\n  }, \"x\": {}\n}\n";
        assert_eq!(
            lines(text),
            [
                (0, 6, FoldKind::Region),
                (1, 2, FoldKind::Comment),
                (3, 5, FoldKind::Region),
                (4, 5, FoldKind::Region),
                (4, 5, FoldKind::Region),
            ]
        );
    }

    #[test]
    fn one_line_values_do_not_fold() {
        assert!(lines("{\"a\": {\"b\": [1]}}").is_empty());
    }

    #[test]
    fn unclosed_object_folds_to_the_end() {
        assert_eq!(
            lines("{\n  \"a\": {\n    \"b\": 1\n"),
            [(0, 3, FoldKind::Region), (1, 3, FoldKind::Region)]
        );
    }

    #[test]
    fn crlf() {
        assert_eq!(lines("{\r\n  \"a\": 1\r\n}"), [(0, 1, FoldKind::Region)]);
    }
}
