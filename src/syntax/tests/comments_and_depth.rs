//! `#` comments, and nesting deep enough to overflow a naive parser.

use super::*;

#[test]
fn hash_comments_are_comments_with_an_error() {
    let text = "{\n  # 注释\n  \"a\": 1, # tail \"x\": {\n  \"b\": \"#not\"\n}";
    let p = parse(text);
    let hashes: Vec<_> = p
        .comments
        .iter()
        .filter(|c| c.kind == CommentKind::Hash)
        .collect();
    assert_eq!(hashes.len(), 2);
    assert_eq!(hashes[0].range, span(text, "# 注释"));
    assert_eq!(hashes[1].range, span(text, "# tail \"x\": {"));
    assert_eq!(p.errors.len(), 2);
    for (e, c) in p.errors.iter().zip(&hashes) {
        assert_eq!(e.kind, SyntaxErrorKind::HashComment);
        assert_eq!(e.range, c.range);
        assert!(e.message.contains("`#` comments are not valid"));
    }
    let o = root_obj(&p);
    assert!(o.closed);
    assert_eq!(member_value(o, "b").as_str(), Some("#not"));
}

#[test]
fn real_template_with_hash_comments() {
    let name = "unattributed__index-60433937742__PTQ_deep_usage_guide_md__template_block2_hash_comments.json";
    let Some(path) = shared_dir().map(|d| d.join("corpus/real").join(name)) else {
        eprintln!("skipping: shared corpus not found");
        return;
    };
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipping: {} not readable", path.display());
        return;
    };
    let p = parse(&text);
    assert!(!p.errors.is_empty());
    assert!(
        p.errors
            .iter()
            .all(|e| e.kind == SyntaxErrorKind::HashComment),
        "{:#?}",
        p.errors
    );
    assert_eq!(
        p.comments
            .iter()
            .filter(|c| c.kind == CommentKind::Hash)
            .count(),
        p.errors.len()
    );
    let o = root_obj(&p);
    assert!(o.closed);
    let keys: Vec<_> = o.iter().map(|m| m.key.text.as_str()).collect();
    assert_eq!(
        keys,
        [
            "model_config",
            "op_config",
            "node_config",
            "activation",
            "weight",
            "modelwise_search",
            "layerwise_search"
        ]
    );
    let mc = member_value(o, "model_config").as_object().unwrap();
    assert_eq!(
        member_value(mc, "model_output_type").as_str(),
        Some("int16")
    );
    assert_eq!(
        member_value(o, "node_config")
            .as_object()
            .unwrap()
            .members
            .len(),
        3
    );
    let act = member_value(o, "activation").as_object().unwrap();
    assert_eq!(
        member_value(act, "num_bin")
            .as_array()
            .unwrap()
            .elements
            .len(),
        2
    );
}

// ---- deep nesting ---------------------------------------------------------------------------

#[test]
fn deep_arrays_do_not_overflow() {
    let text = "[".repeat(100_000);
    let p = parse(&text);
    let msgs: Vec<_> = p.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(msgs[0].contains("nesting deeper than 512 levels"));
    assert_eq!(p.errors[0].range, TextRange::new(MAX_DEPTH, MAX_DEPTH + 1));
    assert!(msgs[1].contains("unexpected end of file"));
    // Walk down iteratively: 512 real levels, then one Invalid node for the rest.
    let mut v = p.root.as_ref().unwrap();
    let mut depth = 0;
    while let Some(a) = v.as_array() {
        depth += 1;
        assert!(!a.closed);
        v = &a.elements[0];
    }
    assert_eq!(depth, MAX_DEPTH);
    assert_eq!(v.kind, ValueKind::Invalid);
    drop(p);
}

#[test]
fn deep_objects_do_not_overflow() {
    let text = "{\"a\":".repeat(100_000);
    let p = parse(&text);
    assert_eq!(p.errors.len(), 2, "{:#?}", &p.errors);
    let p2 = p.clone();
    assert_eq!(p.root, p2.root);
    let _ = format!("{:?}", p2.root.as_ref().map(|r| r.range));
}

#[test]
fn closed_deep_nesting_at_and_over_the_limit() {
    let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    clean(&ok);
    let n = MAX_DEPTH + 1;
    let over = format!("{}{}, 5]", "[".repeat(n), "]".repeat(n - 1));
    let p = one_error(
        &over,
        TextRange::new(MAX_DEPTH, MAX_DEPTH + 1),
        "nesting deeper",
    );
    // The skipped part ends at its matching bracket; the outer array keeps its next element.
    let a = p.root.as_ref().unwrap().as_array().unwrap();
    assert!(a.closed);
    assert_eq!(a.elements.len(), 2);
}

#[test]
fn deep_nesting_fits_in_a_small_stack() {
    // Headroom check: the 512-level limit must fit in half of a 2 MiB thread stack (tokio's
    // and the test harness's default), even in debug builds (it needs about 700 KiB there).
    let handle = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(|| {
            let text = format!("{}1{}", "[{\"a\":".repeat(300), "}]".repeat(300));
            let p = parse(&text);
            let n = p.errors.len();
            drop(p);
            n
        })
        .expect("spawn");
    assert_eq!(handle.join().expect("no stack overflow"), 1);
}
