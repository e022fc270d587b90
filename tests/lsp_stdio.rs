//! The built binary speaks LSP over stdin/stdout and exits as LSP says.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{ChildStdout, Command, Stdio};

fn send(stdin: &mut impl Write, body: &str) {
    write!(stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body).unwrap();
    stdin.flush().unwrap();
}

/// Reads messages until the response with `id`.
fn response(out: &mut BufReader<ChildStdout>, id: u64) -> serde_json::Value {
    loop {
        let mut len = 0;
        loop {
            let mut line = String::new();
            assert!(out.read_line(&mut line).unwrap() > 0, "qcls closed stdout");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                len = n.parse().unwrap();
            }
        }
        let mut body = vec![0; len];
        out.read_exact(&mut body).unwrap();
        let msg: serde_json::Value = serde_json::from_slice(&body).unwrap();
        if msg["id"] == id && msg.get("method").is_none() {
            return msg;
        }
    }
}

fn session(args: &[&str], shutdown: bool) -> Option<i32> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qcls"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start qcls");
    let mut stdin = child.stdin.take().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    send(
        &mut stdin,
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"capabilities":{}}}"#,
    );
    let init = response(&mut out, 1);
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    send(
        &mut stdin,
        r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
    );
    if shutdown {
        send(
            &mut stdin,
            r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#,
        );
        assert_eq!(response(&mut out, 2)["result"], serde_json::Value::Null);
    }
    send(&mut stdin, r#"{"jsonrpc":"2.0","method":"exit"}"#);
    child.wait().expect("qcls exits").code()
}

#[test]
fn serve_initialize_shutdown_exit() {
    for args in [&[][..], &["serve"][..], &["--stdio"][..]] {
        assert_eq!(session(args, true), Some(0), "{args:?}");
    }
}

#[test]
fn exit_without_shutdown_is_status_1() {
    assert_eq!(session(&[], false), Some(1));
}
