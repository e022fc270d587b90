//! Scenario (b) of the latency benchmarks: a 100,000-entry node_config for a 100,000-node
//! model, as `lsp_latency` drives it over stdio and `diagnostics_big` times it in-process.

/// The config text and where the benchmarks act on it.
pub struct BigConfig {
    pub text: String,
    /// A prefix of about 2,000 node names that are left unconfigured; the config ends with an
    /// empty entry with this key, where key completion is asked.
    pub scope: String,
    /// An entry in the middle naming a node, with `"qtype": "int16"`: the one that is edited.
    pub edited: String,
    /// How many node entries there are besides the one being typed.
    pub entries: usize,
}

/// The node entries: every name, except that the nodes under `scope` are left unconfigured
/// (so that completing a key there offers them) and as many entries name nodes that do not
/// exist (`<name>_old`, the kind of mistake qcls is for).
pub fn entries_leaving_out(names: &[String], scope: &str) -> Vec<String> {
    let (left_out, kept): (Vec<&String>, Vec<&String>) =
        names.iter().partition(|n| n.starts_with(scope));
    eprintln!(
        "{} of {} nodes (those under {scope}) left unconfigured; as many entries name no node",
        left_out.len(),
        names.len()
    );
    kept.into_iter()
        .cloned()
        .chain(left_out.into_iter().map(|n| format!("{n}_old")))
        .collect()
}

/// One entry a line (`int16` and `float16` alternating), then the entry being typed.
pub fn big_config(names: &[String]) -> BigConfig {
    // About 2,000 nodes under one prefix: more than completion lists at once.
    let scope: String = {
        let name = &names[names.len() * 3 / 5];
        let under = |p: &str| names.iter().filter(|n| n.starts_with(p)).count();
        let mut cut = name
            .match_indices('/')
            .nth(2)
            .map_or(name.len(), |(i, _)| i + 1);
        while cut > 1 && name.is_char_boundary(cut - 1) && under(&name[..cut - 1]) <= 2_000 {
            cut -= 1;
        }
        name[..cut].to_string()
    };
    let entries = entries_leaving_out(names, &scope);
    let mut t = String::with_capacity(entries.len() * 70);
    t.push_str("{\n  \"model_config\": {\"activation\": {\"calibration_type\": \"max\"}},\n  \"node_config\": {\n");
    for (i, name) in entries.iter().enumerate() {
        let q = if i % 2 == 0 { "int16" } else { "float16" };
        t.push_str(&format!("    \"{name}\": {{\"qtype\": \"{q}\"}},\n"));
    }
    // Typed last, where a new entry usually goes: the worst place for a scan from the start.
    t.push_str(&format!("    \"{scope}\": {{}}\n  }}\n}}\n"));
    // An even entry (those say int16) in the middle, naming a node.
    let edited = entries[entries.len() / 4 * 2].clone();
    assert!(!edited.starts_with(&scope), "the edited entry names a node");
    BigConfig {
        text: t,
        scope,
        edited,
        entries: entries.len(),
    }
}
