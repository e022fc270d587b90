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
    assert!(!handlers::worth_prefetching(r#"{"name": "pkg"}"#));
    assert!(!handlers::worth_prefetching(&format!(
        "// qcls-model: other.onnx\n{text}"
    )));
    assert!(handlers::worth_prefetching(text));
    // A YAML names its model inside: nothing is read.
    let yaml = Uri::from_file_path(dir.path().join("config.yaml")).unwrap();
    handlers::prefetch_model(&state, &yaml, &session);
    assert!(state.models.needs_load(&model, !watched));

    handlers::prefetch_model(&state, &uri, &session);
    assert!(!state.models.needs_load(&model, !watched));
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
