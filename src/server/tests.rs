use tower_lsp_server::ls_types::Uri;

use super::state::State;
use super::{handlers, service};

#[tokio::test]
async fn a_panicking_request_becomes_an_error_and_the_next_one_works() {
    let (service, _socket) = service();
    let backend = service.inner();
    let uri: Uri = "file:///w/quant_config.json".parse().unwrap();
    backend.state.docs.open(uri.clone(), "{}".into(), 1);
    let r: tower_lsp_server::jsonrpc::Result<Option<()>> =
        backend.run(&uri, |_, _, _| panic!("boom")).await;
    let err = r.unwrap_err();
    assert!(err.message.contains("boom"), "{}", err.message);
    let r = backend.run(&uri, |_, snap, _| Some(snap.version)).await;
    assert_eq!(r.unwrap(), Some(1));
}

#[tokio::test]
async fn documents_that_are_no_quant_config_give_nothing() {
    let (service, _socket) = service();
    let backend = service.inner();
    let uri: Uri = "file:///w/package.json".parse().unwrap();
    backend
        .state
        .docs
        .open(uri.clone(), "{\"name\": 1}".into(), 1);
    let r = backend.run(&uri, |_, _, _| Some(())).await;
    assert_eq!(r.unwrap(), None);
}

#[test]
fn a_config_just_opened_has_its_model_read_beside_the_parse() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("optimized_float_model.onnx");
    crate::model::synth::write_synthetic_model(&model, 10, 0).unwrap();
    let config = dir.path().join("quant_config.json");
    let uri = Uri::from_file_path(&config).unwrap();
    let text = r#"{"node_config": {}}"#;
    let state = State::new();
    let session = state.session();
    let watched = session.flags.watch_files;

    // Not a quant_config, or a directive that the text decides: not worth it.
    assert!(!crate::model::model_known_before_parse(
        r#"{"name": "pkg"}"#
    ));
    assert!(!crate::model::model_known_before_parse(&format!(
        "// qcls-model: other.onnx\n{text}"
    )));
    assert!(crate::model::model_known_before_parse(text));
    // A YAML names its model inside: nothing is read.
    let yaml = Uri::from_file_path(dir.path().join("config.yaml")).unwrap();
    assert_eq!(handlers::model_to_prefetch(&state, &yaml, &session), None);

    let to_read = handlers::model_to_prefetch(&state, &uri, &session);
    assert_eq!(to_read.as_deref(), Some(model.as_path()));
    handlers::prefetch_model(&state, &model, &session);
    assert!(!state.models.needs_load(&model, !watched));
    // Read once: a config opened next to it has nothing to read beside its parse.
    assert_eq!(handlers::model_to_prefetch(&state, &uri, &session), None);
}

/// Once the service is gone, so is its state: the analysis task does not keep it (it did, and
/// every in-process server kept its documents and models until the process ended).
#[tokio::test]
async fn the_state_is_freed_when_the_server_ends() {
    let state = std::sync::Arc::new(super::State::new());
    let weak = std::sync::Arc::downgrade(&state);
    let (mut service, socket) = super::service_with_state(state);
    let init = tower_lsp_server::jsonrpc::Request::build("initialize")
        .params(serde_json::json!({"capabilities": {}}))
        .id(1)
        .finish();
    futures::future::poll_fn(|cx| tower_service::Service::poll_ready(&mut service, cx))
        .await
        .unwrap();
    let answer = tower_service::Service::call(&mut service, init)
        .await
        .unwrap();
    assert!(answer.is_some_and(|r| r.is_ok()));
    let uri: Uri = "file:///w/quant_config.json".parse().unwrap();
    service.inner().state.docs.open(uri.clone(), "{}".into(), 1);
    service.inner().state.schedule(super::Job::Check(uri));
    drop((service, socket));
    for _ in 0..500 {
        if weak.upgrade().is_none() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the state outlives the server");
}

/// A light request (hover, completion) on a small document checked with a small model is
/// answered on the protocol's thread; before its check, after an edit, or with a big model it
/// goes to a blocking thread. Both give the same answer, and a panic is an error either way.
#[tokio::test]
async fn light_requests_run_in_place_only_on_a_checked_small_document() {
    let dir = tempfile::tempdir().unwrap();
    crate::model::synth::write_synthetic_model(
        &dir.path().join("optimized_float_model.onnx"),
        10,
        0,
    )
    .unwrap();
    let uri = Uri::from_file_path(dir.path().join("quant_config.json")).unwrap();
    let (service, _socket) = service();
    let backend = service.inner();
    let state = &backend.state;
    state.docs.open(
        uri.clone(),
        r#"{"node_config": {"x": {"qtype": "int16"}}}"#.into(),
        1,
    );
    let on_this_thread = || {
        let here = std::thread::current().id();
        move |_: &State, _: &super::documents::Snapshot, _: &super::state::Session| {
            Some(std::thread::current().id() == here)
        }
    };
    // Not checked yet: on a blocking thread.
    assert_eq!(
        backend.run_light(&uri, on_this_thread()).await.unwrap(),
        Some(false)
    );

    let snap = state.docs.snapshot(&uri).unwrap();
    let diagnostics = handlers::diagnostics(state, &snap, &state.session());
    assert!(!diagnostics.is_empty(), "the unknown node is reported");
    assert!(state
        .checks
        .checked_with_small_model(&uri, snap.generation, 10));
    assert!(!state
        .checks
        .checked_with_small_model(&uri, snap.generation, 9));
    assert_eq!(
        backend.run_light(&uri, on_this_thread()).await.unwrap(),
        Some(true)
    );
    let r: tower_lsp_server::jsonrpc::Result<Option<()>> =
        backend.run_light(&uri, |_, _, _| panic!("boom")).await;
    assert!(r.unwrap_err().message.contains("boom"));

    // Edited: the new version is not checked yet.
    let edit = tower_lsp_server::ls_types::TextDocumentContentChangeEvent {
        range: None,
        range_length: None,
        text: r#"{"node_config": {"y": {"qtype": "int16"}}}"#.into(),
    };
    assert!(state
        .docs
        .change(&uri, 2, &[edit], state.session().encoding));
    assert_eq!(
        backend.run_light(&uri, on_this_thread()).await.unwrap(),
        Some(false)
    );
}

#[test]
fn the_uri_of_a_did_open_is_read_from_its_head_when_it_comes_before_the_text() {
    let open = |params: &str| {
        format!(
            r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"textDocument":{params}}}}}"#
        )
    };
    let uri = |body: &str| handlers::opened_uri(body.as_bytes()).map(|u| u.as_str().to_string());
    // VS Code's and Neovim's order, spaces, an escaped slash, a percent-encoded name.
    let vscode = open(
        r#"{"uri":"file:///w/quant_config.json","languageId":"json","version":1,"text":"{}"}"#,
    );
    assert_eq!(uri(&vscode).as_deref(), Some("file:///w/quant_config.json"));
    let spaced = open(r#"{ "uri" : "file:\/\/\/w\/a%20b\/quant_config.json", "text": "{}"}"#);
    assert_eq!(
        uri(&spaced).as_deref(),
        Some("file:///w/a%20b/quant_config.json")
    );
    // The text first: a "uri" inside it must not be taken.
    let text_first =
        open(r#"{"text":"{\"uri\": \"file:///x\"}","uri":"file:///w/quant_config.json"}"#);
    assert_eq!(uri(&text_first), None);
    // A method named only inside the text: a didChange whose text mentions didOpen.
    let inside = r#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///w/quant_config.json","version":2},"contentChanges":[{"text":"\"textDocument/didOpen\""}]}}"#;
    assert_eq!(uri(inside), None);
    // Another method, no uri, a broken value.
    let change = vscode.replace("didOpen", "didChange");
    assert_eq!(uri(&change), None);
    assert_eq!(uri(&open(r#"{"languageId":"json","text":"{}"}"#)), None);
    assert_eq!(uri(&open(r#"{"uri":42,"text":"{}"}"#)), None);
    assert_eq!(uri(&open(r#"{"uri":"not a uri","text":"{}"}"#)), None);
}

#[tokio::test]
async fn a_big_did_open_has_its_model_read_before_the_message_is_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("optimized_float_model.onnx");
    crate::model::synth::write_synthetic_model(&model, 10, 0).unwrap();
    let config = dir.path().join("quant_config.json");
    let uri = Uri::from_file_path(&config).unwrap();
    let state = std::sync::Arc::new(State::new());
    let watched = state.session().flags.watch_files;
    let body = |text: &str| {
        serde_json::json!({
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri.as_str(), "languageId": "json", "version": 1, "text": text}}
        })
        .to_string()
    };
    // A text that names its model: the path says nothing, nothing is read.
    handlers::prefetch_before_parse(
        &state,
        body("// qcls-model: other.onnx\n{\"node_config\": {}}").as_bytes(),
    );
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(state.models.needs_load(&model, !watched));
    handlers::prefetch_before_parse(&state, body("{\"node_config\": {}}").as_bytes());
    let mut waited = 0;
    while state.models.needs_load(&model, !watched) && waited < 100 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        waited += 1;
    }
    assert!(
        !state.models.needs_load(&model, !watched),
        "the model was read"
    );
}
