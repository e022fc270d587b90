use super::*;

/// The quant_config's levels and the hb_compile YAML's alike.
#[test]
fn every_key_has_docs_in_both_languages() {
    for level in all_levels().into_iter().chain(hb_compile::hb_levels()) {
        for key in level.keys {
            assert!(
                !key.doc.en.is_empty(),
                "{}.{} lacks English",
                level.path,
                key.name
            );
            assert!(
                !key.doc.zh.is_empty(),
                "{}.{} lacks Chinese",
                level.path,
                key.name
            );
            assert!(
                key.doc.zh.chars().any(|c| c > '\u{2e80}'),
                "{} zh",
                key.name
            );
        }
    }
}

#[test]
fn defaults_are_valid_json_of_the_declared_type() {
    for level in all_levels() {
        for key in level.keys {
            let Some(default) = key.default else { continue };
            let value: serde_json::Value = serde_json::from_str(default).expect(default);
            if let ValueSpec::Scalar(s) = &key.value {
                let ok = match s.ty {
                    ScalarType::String => value.as_str().is_some_and(|v| s.values.contains(&v)),
                    ScalarType::Int => value.is_i64(),
                    ScalarType::Float => value.is_f64(),
                    ScalarType::Bool => value.is_boolean(),
                };
                assert!(ok, "default of {} is {default}", key.name);
            }
        }
    }
}

#[test]
fn lookup_follows_objects_and_maps() {
    assert_eq!(lookup_level(&[]).map(|l| l.path), Some(""));
    assert_eq!(
        lookup_level(&["model_config", "activation"]).map(|l| l.path),
        Some("model_config.activation")
    );
    assert_eq!(
        lookup_level(&["node_config", "/conv1/Conv"]).map(|l| l.path),
        Some("node_config.<node name>")
    );
    assert!(lookup_level(&["node_config"]).is_none());
    assert!(lookup_level(&["model_config", "all_node_type"]).is_none());
    assert!(lookup_level(&["nope"]).is_none());
}

#[test]
fn ec_is_valid_only_in_node_inputs() {
    for level in all_levels() {
        for key in level.keys {
            if let ValueSpec::Scalar(s) = &key.value {
                let has_ec = s.values.contains(&EC);
                let is_input = level.path == NODE_ENTRY.path && key.name.starts_with("input");
                assert_eq!(has_ec, is_input, "{}.{}", level.path, key.name);
            }
        }
    }
}

#[test]
fn locale_tags() {
    assert_eq!(Locale::from_tag("zh-CN"), Locale::Zh);
    assert_eq!(Locale::from_tag("zh_TW"), Locale::Zh);
    assert_eq!(Locale::from_tag("en-US"), Locale::En);
    assert_eq!(Locale::from_tag(""), Locale::En);
}

#[test]
fn schema_describes_ranges_and_lists() {
    let schema = schema::schema();
    let activation = &schema["properties"]["model_config"]["properties"]["activation"];
    let num_bin = &activation["properties"]["num_bin"];
    assert_eq!(
        num_bin["anyOf"][0]["exclusiveMinimum"],
        serde_json::json!(128)
    );
    assert_eq!(num_bin["anyOf"][1]["minItems"], serde_json::json!(1));
    let pct = &activation["properties"]["max_percentile"]["anyOf"][0];
    assert_eq!(pct["minimum"], serde_json::json!(0.5));
    assert_eq!(pct["maximum"], serde_json::json!(1.0));
    assert_eq!(schema["additionalProperties"], serde_json::json!(false));
    let node = &schema["properties"]["node_config"]["additionalProperties"];
    let input0 = node["properties"]["input0"]["enum"].as_array().unwrap();
    assert!(input0.contains(&serde_json::json!("ec")));
    assert!(node["properties"]["InputType0"]["deprecationMessage"].is_string());
}
