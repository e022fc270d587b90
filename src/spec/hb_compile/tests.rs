//! The hb_compile rule tables are consistent: unique names, valid defaults, lists that name
//! keys that exist.

use super::*;
use crate::spec::ScalarType;

fn is_multi_type(level: &Level, key: &str) -> bool {
    MULTI_TYPE_KEYS
        .iter()
        .any(|&(s, k)| s == level.path && k == key)
}

fn assert_unique(what: &str, items: &[&str]) {
    for (i, a) in items.iter().enumerate() {
        assert!(!items[i + 1..].contains(a), "{what}: {a} twice");
    }
}

#[test]
fn defaults_are_valid_json_of_the_declared_type() {
    for level in hb_levels() {
        for key in level.keys {
            let Some(default) = key.default else { continue };
            let value: serde_json::Value = serde_json::from_str(default).expect(default);
            match &key.value {
                ValueSpec::Scalar(_) if is_multi_type(level, key.name) => {}
                ValueSpec::Scalar(s) => {
                    let ok = match s.ty {
                        ScalarType::String => value.as_str().is_some_and(|v| {
                            s.values.is_empty() || s.values.contains(&v) || s.tolerated.contains(&v)
                        }),
                        ScalarType::Int => value.as_i64().is_some_and(|v| {
                            let v = v as f64;
                            s.min.is_none_or(|b| b.admits_as_min(v))
                                && s.max.is_none_or(|b| b.admits_as_max(v))
                        }),
                        ScalarType::Float => value.as_f64().is_some_and(|v| {
                            s.min.is_none_or(|b| b.admits_as_min(v))
                                && s.max.is_none_or(|b| b.admits_as_max(v))
                        }),
                        ScalarType::Bool => value.is_boolean(),
                    };
                    assert!(ok, "default of {}.{} is {default}", level.path, key.name);
                }
                ValueSpec::AnyObject => {
                    assert!(value.is_object(), "default of {}.{}", level.path, key.name)
                }
                _ => panic!(
                    "{}.{} has a default but no scalar value",
                    level.path, key.name
                ),
            }
        }
    }
}

#[test]
fn names_and_enum_values_are_unique() {
    for level in hb_levels() {
        let names: Vec<&str> = level.key_names().collect();
        assert_unique(level.path, &names);
        for key in level.keys {
            if let ValueSpec::Scalar(s) = &key.value {
                let all: Vec<&str> = s.values.iter().chain(s.tolerated).copied().collect();
                assert_unique(key.name, &all);
                if let (Some(min), Some(max)) = (s.min, s.max) {
                    assert!(min.value <= max.value, "{}.{}", level.path, key.name);
                }
            }
        }
    }
    assert_unique("MARCHES", MARCHES);
    assert_unique("INPUT_SOURCES", INPUT_SOURCES);
    assert_unique("REMOVE_NODE_TYPES", REMOVE_NODE_TYPES);
    let optimization: Vec<&str> = OPTIMIZATION_FIXED
        .iter()
        .chain(OPTIMIZATION_DTYPES)
        .copied()
        .collect();
    assert_unique("optimization", &optimization);
}

#[test]
fn sections_lead_to_their_levels() {
    for key in HB_TOP.keys {
        let level = hb_section(key.name).expect(key.name);
        assert_eq!(level.path, key.name);
    }
    assert!(hb_section("quant_config").is_none());
    assert_eq!(hb_levels().len(), HB_TOP.keys.len() + 2);
}

#[test]
fn key_lists_name_real_keys() {
    let lists: [(&str, &[(&str, &str)]); 4] = [
        ("MULTI_TYPE_KEYS", MULTI_TYPE_KEYS),
        ("NULLABLE_KEYS", NULLABLE_KEYS),
        ("SEMICOLON_SEPARATED", SEMICOLON_SEPARATED),
        ("OE3_IGNORED_KEYS", OE3_IGNORED_KEYS),
    ];
    for (list, entries) in lists {
        for &(section, key) in entries {
            let level = hb_section(section).expect(section);
            assert!(level.key(key).is_some(), "{list}: {section}.{key}");
        }
    }
    for &(section, key, value) in OE3_DEPRECATED_VALUES {
        let spec = hb_section(section).and_then(|l| l.key(key)).expect(key);
        let ValueSpec::Scalar(s) = &spec.value else {
            panic!("{key} is not a scalar")
        };
        assert!(
            s.values.contains(&value) || s.tolerated.contains(&value),
            "{value}"
        );
    }
}

#[test]
fn object_forms_are_multi_type_or_plain_objects() {
    // A key spelled AnyObject that also takes a string must be in MULTI_TYPE_KEYS.
    for (section, key) in [
        ("model_parameters", "node_info"),
        ("calibration_parameters", "quant_config"),
        ("compiler_parameters", "input_source"),
    ] {
        let level = hb_section(section).unwrap();
        assert!(matches!(
            level.key(key).unwrap().value,
            ValueSpec::AnyObject
        ));
        assert!(is_multi_type(level, key), "{section}.{key}");
    }
    let extra = HB_COMPILER_PARAMETERS.key("extra_params").unwrap();
    assert!(matches!(extra.value, ValueSpec::AnyObject));
    assert!(!is_multi_type(&HB_COMPILER_PARAMETERS, "extra_params"));
}

#[test]
fn no_key_takes_a_yaml_list() {
    for level in hb_levels() {
        for key in level.keys {
            if let ValueSpec::Scalar(s) = &key.value {
                assert!(!s.list, "{}.{}", level.path, key.name);
            }
        }
    }
}
