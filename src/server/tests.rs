use tower_lsp_server::ls_types::Uri;

use super::service;

#[tokio::test]
async fn a_panicking_request_becomes_an_error_and_the_next_one_works() {
    let (service, _socket) = service();
    let backend = service.inner();
    let uri: Uri = "file:///w/quant_config.json".parse().unwrap();
    backend.state.docs.open(uri.clone(), "{}", 1);
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
    backend.state.docs.open(uri.clone(), "{\"name\": 1}", 1);
    let r = backend.run(&uri, |_, _, _| Some(())).await;
    assert_eq!(r.unwrap(), None);
}
