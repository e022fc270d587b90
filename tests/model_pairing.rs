//! Pairing a config with its model, in temporary folders.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use qcls::model::{how_to_pair, pair, PairingRequest, PairingSource};

fn touch(path: &Path) -> PathBuf {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).expect("mkdir");
    }
    fs::write(path, b"x").expect("write");
    path.to_path_buf()
}

fn set_mtime(path: &Path, secs_ago: u64) {
    let f = fs::File::options().write(true).open(path).expect("open");
    f.set_modified(SystemTime::now() - Duration::from_secs(secs_ago))
        .expect("set_modified");
}

fn req(config: &Path) -> PairingRequest<'_> {
    PairingRequest {
        config_path: config,
        cli_model: None,
        directive: None,
        setting: None,
        workspace_root: None,
    }
}

fn canon(p: &Path) -> PathBuf {
    fs::canonicalize(p).expect("canonicalize")
}

/// A tempdir under its canonical path, so YAML results (which are canonical) compare directly.
fn tmp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = canon(dir.path());
    (dir, root)
}

#[test]
fn nothing_pairs() {
    let (_d, root) = tmp();
    let config = touch(&root.join("quant_config.json"));
    assert_eq!(pair(&req(&config)), None);
    assert!(how_to_pair().contains("qcls-model"));
}

#[test]
fn command_line_wins_over_everything() {
    let (_d, root) = tmp();
    let config = touch(&root.join("quant_config.json"));
    touch(&root.join("optimized_float_model.onnx"));
    let cli = root.join("cli.onnx");
    let r = PairingRequest {
        cli_model: Some(&cli),
        directive: Some("d.onnx"),
        setting: Some(Path::new("s.onnx")),
        ..req(&config)
    };
    let p = pair(&r).expect("pairs");
    assert_eq!(p.model, cli);
    assert_eq!(p.source, PairingSource::CommandLine);
    assert!(p.reason().contains("--model"));
}

#[test]
fn directive_is_relative_to_the_config_and_wins_over_setting() {
    let (_d, root) = tmp();
    let config = touch(&root.join("cfg/quant_config.json"));
    touch(&root.join("cfg/optimized_float_model.onnx"));
    let r = PairingRequest {
        directive: Some(" ../out/m.onnx "),
        setting: Some(Path::new("s.onnx")),
        workspace_root: Some(&root),
        ..req(&config)
    };
    let p = pair(&r).expect("pairs");
    assert_eq!(p.model, root.join("cfg/../out/m.onnx"));
    assert_eq!(p.source, PairingSource::Directive);
    assert_eq!(p.reason(), "named by the `// qcls-model:` directive");
}

#[test]
fn named_models_are_returned_even_when_missing() {
    let (_d, root) = tmp();
    let config = touch(&root.join("quant_config.json"));
    touch(&root.join("optimized_float_model.onnx"));
    let r = PairingRequest {
        directive: Some("missing.onnx"),
        ..req(&config)
    };
    let p = pair(&r).expect("pairs");
    assert_eq!(p.model, root.join("missing.onnx"));
    assert!(!p.model.exists());
}

#[test]
fn setting_is_relative_to_the_workspace_root() {
    let (_d, root) = tmp();
    let config = touch(&root.join("a/b/quant_config.json"));
    touch(&root.join("a/b/optimized_float_model.onnx"));
    let r = PairingRequest {
        setting: Some(Path::new("models/m.onnx")),
        workspace_root: Some(&root),
        ..req(&config)
    };
    let p = pair(&r).expect("pairs");
    assert_eq!(p.model, root.join("models/m.onnx"));
    assert_eq!(p.source, PairingSource::Setting);

    // Without a root: relative to the config's folder.
    let r = PairingRequest {
        setting: Some(Path::new("m.onnx")),
        ..req(&config)
    };
    assert_eq!(pair(&r).expect("pairs").model, root.join("a/b/m.onnx"));

    // An absolute setting stays as it is.
    let abs = root.join("abs.onnx");
    let r = PairingRequest {
        setting: Some(&abs),
        workspace_root: Some(&root),
        ..req(&config)
    };
    assert_eq!(pair(&r).expect("pairs").model, abs);
}

#[test]
fn sibling_wins_over_prefixed() {
    let (_d, root) = tmp();
    let config = touch(&root.join("quant_config.json"));
    let sib = touch(&root.join("optimized_float_model.onnx"));
    touch(&root.join("yolo_optimized_float_model.onnx"));
    let p = pair(&req(&config)).expect("pairs");
    assert_eq!(p.model, sib);
    assert_eq!(p.source, PairingSource::Sibling);
    assert_eq!(p.reason(), "sibling optimized_float_model.onnx");
}

#[test]
fn newest_prefixed_by_mtime() {
    let (_d, root) = tmp();
    let config = touch(&root.join("quant_config.json"));
    let a = touch(&root.join("a_optimized_float_model.onnx"));
    let b = touch(&root.join("b_optimized_float_model.onnx"));
    let c = touch(&root.join("c_optimized_float_model.onnx"));
    // A folder with the suffix is not a model.
    fs::create_dir(root.join("d_optimized_float_model.onnx")).expect("mkdir");
    set_mtime(&a, 100);
    set_mtime(&b, 10);
    set_mtime(&c, 1000);
    let p = pair(&req(&config)).expect("pairs");
    assert_eq!(p.model, b);
    assert_eq!(p.source, PairingSource::NewestPrefixed);
    set_mtime(&a, 1);
    assert_eq!(pair(&req(&config)).expect("pairs").model, a);
}

const BLOCK_YAML: &str = "\
model_parameters:
  onnx_model: './yolo11s.onnx'
  march: \"bayes-e\"
  working_dir: 'bpu_model_output'
  output_model_file_prefix: 'yolo11s_detect_bayese_640x640_nv12'
input_parameters:
  input_name: \"\"
  input_type_rt: 'nv12'
calibration_parameters:
  cal_data_dir: './calibration_data_rgb_f32_640'
  calibration_type: 'default'
  quant_config: ./quant_config.json   # the file we check
compiler_parameters:
  optimize_level: 'O3'
";

#[test]
fn hb_compile_yaml_block_style() {
    let (_d, root) = tmp();
    let config = touch(&root.join("quant_config.json"));
    let yaml = root.join("config.yaml");
    fs::write(&yaml, BLOCK_YAML).expect("yaml");
    let optimized = touch(
        &root
            .join("bpu_model_output/yolo11s_detect_bayese_640x640_nv12_optimized_float_model.onnx"),
    );
    let p = pair(&req(&config)).expect("pairs");
    assert_eq!(p.model, optimized);
    assert_eq!(
        p.source,
        PairingSource::HbCompileYaml { yaml: yaml.clone() }
    );
    assert_eq!(
        p.reason(),
        format!(
            "from hb_compile YAML {} (working_dir + output_model_file_prefix)",
            yaml.display()
        )
    );
}

#[test]
fn hb_compile_yaml_onnx_model_fallback() {
    let (_d, root) = tmp();
    let config = touch(&root.join("quant_config.json"));
    let yaml = root.join("config.yaml");
    fs::write(&yaml, BLOCK_YAML).expect("yaml");
    // The optimized model does not exist yet; the exported one does.
    let exported = touch(&root.join("yolo11s.onnx"));
    let p = pair(&req(&config)).expect("pairs");
    assert_eq!(p.model, exported);
    assert_eq!(
        p.source,
        PairingSource::HbCompileYamlOnnxModel { yaml: yaml.clone() }
    );
    assert!(p
        .reason()
        .contains("not the optimized one; node names may differ"));

    // Neither exists: the expected optimized path, so the user is told what is missing.
    fs::remove_file(&exported).expect("rm");
    let p = pair(&req(&config)).expect("pairs");
    assert_eq!(
        p.model,
        root.join("bpu_model_output/yolo11s_detect_bayese_640x640_nv12_optimized_float_model.onnx")
    );
    assert!(matches!(p.source, PairingSource::HbCompileYaml { .. }));
}

#[test]
fn hb_compile_yaml_flow_style_and_defaults() {
    let (_d, root) = tmp();
    let config = touch(&root.join("configs/qc.json"));
    fs::write(
        root.join("build.yml"),
        "{model_parameters: {onnx_model: m.onnx}, \
         calibration_parameters: {quant_config: 'configs/qc.json', calibration_type: default}}\n",
    )
    .expect("yaml");
    // Defaults: ./model_output and prefix "model".
    let optimized = touch(&root.join("model_output/model_optimized_float_model.onnx"));
    let p = pair(&req(&config)).expect("pairs");
    assert_eq!(p.model, optimized);
}

#[test]
fn hb_compile_yaml_up_to_three_folders_above_but_not_four() {
    let (_d, root) = tmp();
    // root/l1/l2/l3/l4/quant_config.json; the YAML in l1 is three folders above l4.
    let config = touch(&root.join("l1/l2/l3/l4/quant_config.json"));
    let yaml = |dir: &Path, rel: &str| {
        fs::write(
            dir.join("hb.yaml"),
            format!("calibration_parameters:\n  quant_config: {rel}\n"),
        )
        .expect("yaml")
    };
    yaml(&root, "l1/l2/l3/l4/quant_config.json");
    touch(&root.join("model_output/model_optimized_float_model.onnx"));
    assert_eq!(pair(&req(&config)), None, "four folders above is too far");

    yaml(&root.join("l1"), "l2/l3/l4/quant_config.json");
    let p = pair(&req(&config)).expect("pairs");
    assert_eq!(
        p.model,
        root.join("l1/model_output/model_optimized_float_model.onnx")
    );
    assert_eq!(
        p.source,
        PairingSource::HbCompileYaml {
            yaml: root.join("l1/hb.yaml")
        }
    );

    // A nearer YAML wins.
    yaml(&root.join("l1/l2/l3"), "l4/quant_config.json");
    let p = pair(&req(&config)).expect("pairs");
    assert_eq!(
        p.source,
        PairingSource::HbCompileYaml {
            yaml: root.join("l1/l2/l3/hb.yaml")
        }
    );
}

#[test]
fn hb_compile_yaml_must_name_this_config() {
    let (_d, root) = tmp();
    let config = touch(&root.join("quant_config.json"));
    touch(&root.join("other_quant_config.json"));
    fs::write(
        root.join("a.yaml"),
        "calibration_parameters:\n  quant_config: other_quant_config.json\n",
    )
    .expect("yaml");
    assert_eq!(pair(&req(&config)), None);
}

#[test]
fn bad_yamls_are_skipped() {
    let (_d, root) = tmp();
    let config = touch(&root.join("quant_config.json"));
    let files: [(&str, String); 7] = [
        ("a_broken.yaml", "calibration_parameters: [unclosed\n  - : :".into()),
        // Inline dict, as in real hb_compile YAMLs: no file is named.
        (
            "b_inline.yaml",
            "calibration_parameters:\n  quant_config: {\"op_config\": {\"softmax\": {\"qtype\": \"int8\"}}}\n"
                .into(),
        ),
        (
            "c_block_dict.yaml",
            "calibration_parameters:\n  quant_config:\n    model_config:\n      all_node_type: int16\n"
                .into(),
        ),
        ("d_list.yaml", "- 1\n- 2\n".into()),
        ("e_empty.yaml", String::new()),
        (
            "f_huge.yaml",
            format!(
                "calibration_parameters:\n  quant_config: quant_config.json\n# {}\n",
                "x".repeat(2 << 20)
            ),
        ),
        ("g_binary.yml", String::from_utf8_lossy(&[0xFF, 0x00, 0xFE]).into()),
    ];
    for (name, text) in &files {
        fs::write(root.join(name), text).expect("yaml");
    }
    fs::write(root.join("h_not_utf8.yaml"), [0xFFu8, 0xFE, 0x00]).expect("yaml");
    assert_eq!(pair(&req(&config)), None);

    // A good YAML after all the bad ones is still found.
    fs::write(
        root.join("z_good.yaml"),
        "calibration_parameters:\n  quant_config: quant_config.json\n",
    )
    .expect("yaml");
    let p = pair(&req(&config)).expect("pairs");
    assert_eq!(
        p.source,
        PairingSource::HbCompileYaml {
            yaml: root.join("z_good.yaml")
        }
    );
}

#[test]
fn folder_rules_win_over_yaml() {
    let (_d, root) = tmp();
    let config = touch(&root.join("quant_config.json"));
    fs::write(root.join("config.yaml"), BLOCK_YAML).expect("yaml");
    touch(
        &root
            .join("bpu_model_output/yolo11s_detect_bayese_640x640_nv12_optimized_float_model.onnx"),
    );
    let prefixed = touch(&root.join("x_optimized_float_model.onnx"));
    let p = pair(&req(&config)).expect("pairs");
    assert_eq!(p.model, prefixed);
    assert_eq!(p.source, PairingSource::NewestPrefixed);
}

#[test]
fn relative_config_path() {
    // A bare file name means the current directory, whatever it is; this must not panic.
    let _ = pair(&req(Path::new("quant_config.json")));
}
