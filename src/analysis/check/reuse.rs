//! Checking a new version of a document from the check of the previous one, when the edit
//! changed one node_config entry: the entry is checked alone and every other diagnostic is
//! moved. A 100,000-entry node_config is re-checked in well under a millisecond instead of a
//! tenth of a second. Whatever could make the result differ from a full check gives `None`.

use super::{CheckContext, Checked, Checker, ModelStatus};
use crate::analysis::model_checks;
use crate::analysis::Diagnostic;
use crate::spec::{self, MapKind};
use crate::syntax::{Parse, Splice};
use crate::text::TextRange;

/// The check of `parse`, from `prev` (the check of the text before `splice`, with the same
/// context). `None` when only a full check can tell: the edit was not in node_config, the
/// entry's key is (or was) shared with another entry, the edit moves the document across the
/// did-you-mean budget (all its unknown names get a whole-model search, or none), or a
/// diagnostic of something else lies inside the entry.
pub fn check_after_splice(
    prev: &Checked,
    parse: &Parse,
    splice: &Splice,
    ctx: &CheckContext,
) -> Option<Checked> {
    let root = parse.root.as_ref()?;
    let top = root.as_object()?;
    let section = top.members.get(splice.section)?;
    let node_configs = top.members.iter().filter(|m| m.key.text == "node_config");
    if section.key.text != "node_config" || node_configs.count() != 1 {
        return None;
    }
    let nodes = section.value.as_ref()?.as_object()?;
    let member = nodes.members.get(splice.member)?;
    if member.range() != splice.new {
        return None;
    }
    // A key shared with another entry decides which of them counts (and `duplicate-key`).
    let key = member.key.text.as_str();
    let shared =
        nodes.members.iter().enumerate().any(|(i, m)| {
            i != splice.member && (m.key.text == key || m.key.text == splice.old_key)
        });
    if shared {
        return None;
    }
    if ctx
        .directive
        .is_some_and(|d| overlaps(d, splice.new) || overlaps(d, splice.old))
    {
        return None;
    }
    let model = match ctx.model {
        ModelStatus::Loaded(model) => Some(model),
        _ => None,
    };
    // The document's whole-model searches were all done or all left to the quick fixes.
    let searched = model.is_some_and(|m| model_checks::within_budget(prev.full_scans, m));

    // The entry alone, as the full check sees it.
    let mut checker = Checker {
        ctx,
        out: Vec::new(),
        full_scans: 0,
    };
    checker.check_map_entry(MapKind::NodeName, &spec::NODE_ENTRY, member);
    let mut full_scans = prev.full_scans;
    if let Some(model) = model {
        let search = if searched {
            model_checks::ModelSearch::Yes
        } else {
            model_checks::ModelSearch::No
        };
        let (found, scans) = model_checks::check_node_entry_with_model(
            root,
            member,
            model,
            ctx.dialect.profile,
            ctx.locale,
            search,
        );
        checker.out.extend(found);
        // The entry's old searches give way to its new ones.
        let old_searches = prev
            .diagnostics
            .iter()
            .filter(|d| d.wanted_model_search && matches!(place(d.range, splice), Place::Inside))
            .count();
        full_scans = (full_scans + scans).saturating_sub(old_searches);
        if model_checks::within_budget(full_scans, model) != searched {
            return None;
        }
    }
    let fresh = checker.finish();

    // Everything else, moved past the entry's new length.
    let mut kept = Vec::with_capacity(prev.diagnostics.len());
    for d in &prev.diagnostics {
        match place(d.range, splice) {
            Place::Inside => continue,
            Place::Overlapping => return None,
            Place::Moved(range) => {
                let mut d = d.clone();
                d.range = range;
                for related in &mut d.related {
                    match place(related.range, splice) {
                        Place::Moved(range) => related.range = range,
                        _ => return None,
                    }
                }
                kept.push(d);
            }
        }
    }
    Some(Checked {
        diagnostics: merge(kept, fresh),
        full_scans,
    })
}

enum Place {
    /// Within the old entry: it came from the entry.
    Inside,
    /// Before, after or around the entry, at its range in the new text.
    Moved(TextRange),
    /// Partly inside: cannot be moved.
    Overlapping,
}

fn place(range: TextRange, splice: &Splice) -> Place {
    let old = splice.old;
    if old.start <= range.start && range.end <= old.end {
        return Place::Inside;
    }
    match (splice.map_offset(range.start), splice.map_offset(range.end)) {
        (Some(start), Some(end)) => Place::Moved(TextRange::new(start, end)),
        _ => Place::Overlapping,
    }
}

fn overlaps(a: TextRange, b: TextRange) -> bool {
    a.start < b.end && b.start < a.end
}

/// Two position-sorted lists as one; on equal positions `kept` comes first.
fn merge(kept: Vec<Diagnostic>, fresh: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let key = |d: &Diagnostic| (d.range.start, d.range.end);
    let mut out = Vec::with_capacity(kept.len() + fresh.len());
    let mut fresh = fresh.into_iter().peekable();
    for d in kept {
        while let Some(f) = fresh.next_if(|f| key(f) < key(&d)) {
            out.push(f);
        }
        out.push(d);
    }
    out.extend(fresh);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{fixture_model, Code};
    use crate::syntax::parse;

    const CONFIG: &str = r#"// qcls-model: resnet18
{
  "node_config": {
    "/conv1/Conv": {"qtype": "int32"},
    "/maxpool/MaxPool": {"qtype": "int8"},
    "/layer1/layer1.0/conv1/Conv": {"input1": "ec"},
    "/layer1/layer1.0/conv2/Conv": {"qtype": "int16"}
  },
  "op_config": {"Conv": {"qtype": "int16"}}
}
"#;

    /// Replaces the first `old` with `new`: the new text, and the incremental check (when the
    /// tree could be spliced) next to the full one.
    fn recheck(
        text: &str,
        old: &str,
        new: &str,
        ctx: &CheckContext,
        prev: Option<Checked>,
    ) -> (Option<Checked>, Checked) {
        let mut tree = parse(text);
        let prev = prev.unwrap_or_else(|| super::super::check_document(text, &tree, ctx));
        let at = text.find(old).expect("old text present");
        let mut new_text = text.to_string();
        new_text.replace_range(at..at + old.len(), new);
        let edit = TextRange::new(at, at + old.len());
        let incremental = tree
            .reparse_member(&new_text, edit, new.len())
            .and_then(|splice| check_after_splice(&prev, &tree, &splice, ctx));
        let full = super::super::check_document(&new_text, &parse(&new_text), ctx);
        (incremental, full)
    }

    fn loaded(model: &crate::model::ModelIndex) -> CheckContext<'_> {
        CheckContext {
            model: ModelStatus::Loaded(model),
            ..CheckContext::default()
        }
    }

    #[test]
    fn an_edited_entry_is_checked_alone_and_the_rest_moved() {
        let model = fixture_model("resnet18");
        let ctx = loaded(&model);
        let (incremental, full) = recheck(CONFIG, "int32", "float16x", &ctx, None);
        let incremental = incremental.expect("checked incrementally");
        assert_eq!(incremental.diagnostics, full.diagnostics);
        let codes: Vec<Code> = full.diagnostics.iter().map(|d| d.code).collect();
        // The edited entry's new problem, then the moved ones after it.
        assert_eq!(codes, [Code::InvalidValue, Code::NoEffect, Code::NoEffect]);
    }

    #[test]
    fn a_key_shared_with_another_entry_needs_the_full_check() {
        let model = fixture_model("resnet18");
        let ctx = loaded(&model);
        // Renamed onto another entry's key: duplicate-key on both.
        let (incremental, full) = recheck(CONFIG, "/conv1/Conv", "/maxpool/MaxPool", &ctx, None);
        assert!(incremental.is_none());
        assert!(full
            .diagnostics
            .iter()
            .any(|d| d.code == Code::DuplicateKey));
        // Renamed away from a shared key: the other entry stops being shadowed.
        let shared = CONFIG.replace("/maxpool/MaxPool", "/conv1/Conv");
        let (incremental, _) = recheck(
            &shared,
            "/conv1/Conv\": {\"qtype\": \"int32\"",
            "/conv1/Conv_\": {\"qtype\": \"int32\"",
            &ctx,
            None,
        );
        assert!(incremental.is_none());
    }

    #[test]
    fn edits_outside_node_config_need_the_full_check() {
        let model = fixture_model("resnet18");
        let ctx = loaded(&model);
        let (incremental, full) = recheck(CONFIG, "\"int16\"}}", "\"int8\"}}", &ctx, None);
        assert!(incremental.is_none());
        assert!(!full.diagnostics.is_empty());
    }

    #[test]
    fn model_problems_reported_inside_the_entry_need_the_full_check() {
        // A directive written inside an entry: model-not-found is reported there.
        let text = CONFIG.replace(
            "{\"input1\": \"ec\"}",
            "{\"input1\": \"ec\" // qcls-model: gone.onnx\n}",
        );
        let tree = parse(&text);
        let directive = tree
            .comments
            .iter()
            .find(|c| text[c.range.start..c.range.end].contains("gone"));
        let ctx = CheckContext {
            model: ModelStatus::Missing {
                message: "the model gone.onnx does not exist".into(),
            },
            directive: directive.map(|c| c.range),
            ..CheckContext::default()
        };
        let (incremental, _) = recheck(&text, "\"input1\"", "\"input0\"", &ctx, None);
        assert!(incremental.is_none());
    }

    #[test]
    fn an_edit_across_the_did_you_mean_budget_needs_the_full_check() {
        let model = fixture_model("resnet18");
        let ctx = loaded(&model);
        let text = CONFIG.replace("/maxpool/MaxPool", "/zzz/Unknown");
        let prev = super::super::check_document(&text, &parse(&text), &ctx);
        assert_eq!(prev.full_scans, 1, "one name wanted a whole-model search");
        // As many searches as before: the entry is checked alone, as the full check would.
        let (incremental, full) = recheck(&text, "int32", "int8", &ctx, Some(prev.clone()));
        assert_eq!(incremental.map(|c| c.diagnostics), Some(full.diagnostics));
        // At the budget already: one more unknown name leaves every name unsearched.
        let at_budget = Checked {
            full_scans: model_checks::SUGGESTION_BUDGET / model.node_count(),
            ..prev
        };
        let (incremental, _) = recheck(&text, "/conv1/Conv", "/qqq/Conv", &ctx, Some(at_budget));
        assert!(incremental.is_none());
    }

    #[test]
    fn over_the_budget_no_name_is_searched_and_an_entry_is_still_checked_alone() {
        let model = fixture_model("resnet18");
        let ctx = loaded(&model);
        // More unknown names than the budget can search, each unlike every node.
        let over = model_checks::SUGGESTION_BUDGET / model.node_count() + 1;
        let mut text = String::from("{\"node_config\": {\"/conv1/Conv\": {\"qtype\": \"int32\"}");
        for i in 0..over {
            text.push_str(&format!(",\n\"onnx::Mul_{i}\": {{}}"));
        }
        text.push_str(",\n\"/layer1/layer1.0/conv1/Cnv\": {}}}");
        let prev = super::super::check_document(&text, &parse(&text), &ctx);
        assert_eq!(prev.full_scans, over);
        let typo = prev
            .diagnostics
            .iter()
            .find(|d| text[d.range.start..d.range.end].contains("Cnv"))
            .expect("the typo is reported");
        // Its scope has a close name: found without a whole-model search.
        assert_eq!(typo.suggestions, ["\"/layer1/layer1.0/conv1/Conv\""]);
        let foreign = prev.diagnostics.iter().find(|d| d.wanted_model_search);
        assert!(foreign.is_some_and(|d| d.suggestions.is_empty()));
        let (incremental, full) = recheck(&text, "onnx::Mul_7", "/layer9/Rlu", &ctx, Some(prev));
        let incremental = incremental.expect("checked incrementally");
        assert_eq!(incremental.diagnostics, full.diagnostics);
        assert_eq!(incremental.full_scans, full.full_scans);
    }
}
