use super::*;

/// Every frame of `input`, read as the server reads the client's.
fn frames_of(input: &[u8], max_message: usize) -> Vec<Frame> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let mut reader = FrameReader::new(input);
        reader.max_message = max_message;
        let mut out = Vec::new();
        loop {
            match reader.next().await.expect("reading memory cannot fail") {
                Frame::End => return out,
                frame => out.push(frame),
            }
        }
    })
}

fn message(body: &str) -> Vec<u8> {
    framed(body.as_bytes())
}

const OK: &str = r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#;

/// A frame as JSON: a message as the service reads it (members in any order), an error as
/// `"error <code> for id <id>"`.
fn codes(frames: &[Frame]) -> Vec<Value> {
    frames
        .iter()
        .map(|f| match f {
            Frame::Message(message) => read(message),
            Frame::Bad { id, code, .. } => Value::from(format!("error {code} for id {id}")),
            Frame::End => "end".into(),
        })
        .collect()
}

fn read(message: &Incoming) -> Value {
    let value = match message {
        Incoming::Call(call) => serde_json::to_value(call),
        Incoming::Answer(answer) => serde_json::to_value(answer),
    };
    value.expect("a message read can be written")
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("test JSON")
}

#[test]
fn a_bad_message_is_answered_and_the_next_one_read() {
    let cases: &[(&[u8], &str)] = &[
        (b"{not json", "error -32700 for id null"),
        (
            br#"[{"jsonrpc":"2.0","id":5,"method":"shutdown"}]"#,
            "error -32600 for id null",
        ),
        (
            br#"{"jsonrpc":"2.0","id":true,"method":"x"}"#,
            "error -32600 for id null",
        ),
        (
            br#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#,
            "error -32600 for id null",
        ),
        (br#"{"id":7,"method":"x"}"#, "error -32600 for id 7"),
        (
            br#"{"jsonrpc":"2.0","id":"a","method":3}"#,
            r#"error -32600 for id "a""#,
        ),
        (br#"{"jsonrpc":"2.0","id":8}"#, "error -32600 for id 8"),
        (br#""just a string""#, "error -32600 for id null"),
        // Read as JSON it is an integer, but no id the service reads.
        (
            br#"{"method":"m","jsonrpc":"2.0","id":18446744073709551615}"#,
            "error -32600 for id null",
        ),
        (
            br#"{"jsonrpc":"2.0","id":3,"result":1,"error":{"code":1,"message":"no"}}"#,
            "error -32600 for id 3",
        ),
        (
            br#"{"jsonrpc":"2.0","id":4,"error":"no"}"#,
            "error -32600 for id 4",
        ),
        (
            br#"{"jsonrpc":"2.0","result":null}"#,
            "error -32600 for id null",
        ),
    ];
    for (body, expected) in cases {
        let mut input = framed(body);
        input.extend(message(OK));
        assert_eq!(
            codes(&frames_of(&input, MAX_MESSAGE_BYTES)),
            [Value::from(*expected), json(OK)],
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn requests_notifications_and_responses_pass_as_they_are() {
    for body in [
        r#"{"jsonrpc":"2.0","id":3,"result":null}"#,
        r#"{"jsonrpc":"2.0","id":"x","error":{"code":1,"message":"no"}}"#,
        r#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"text":"{\"a\": 1}"}}}"#,
        r#"{"method":"m","jsonrpc":"2.0","id":-9223372036854775808}"#,
        r#"{"jsonrpc":"2.0","method":"m","id":null,"params":null}"#,
        r#"{"jsonrpc":"2.0","method":"m","id":"7"}"#,
    ] {
        assert_eq!(
            codes(&frames_of(&message(body), MAX_MESSAGE_BYTES)),
            [json(body)],
            "{body}"
        );
    }
    // Keys twice: what serde_json makes of it (the last wins) is what the service reads.
    let twice = r#"{"jsonrpc":"2.0","id":1,"id":2,"method":"m"}"#;
    assert_eq!(
        codes(&frames_of(&message(twice), MAX_MESSAGE_BYTES)),
        [json(r#"{"jsonrpc":"2.0","id":2,"method":"m"}"#)]
    );
}

#[test]
fn broken_headers_resynchronise_on_the_next_content_length() {
    let cases: &[&[u8]] = &[
        b"hello world\r\n\r\n",
        b"Content-Type: x\r\n\r\n{}",
        b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        b"Content-Length: many\r\n\r\n{}",
        b"\x00\x01garbage without any line end",
        &[b'x'; 100_000],
    ];
    for bad in cases {
        let mut input = bad.to_vec();
        input.extend(b"\r\n");
        input.extend(message(OK));
        let frames = frames_of(&input, MAX_MESSAGE_BYTES);
        assert_eq!(
            codes(&frames),
            [Value::from("error -32700 for id null"), json(OK)],
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn lf_only_headers_and_other_headers_are_read() {
    let input = format!(
        "Content-Type: application/vscode-jsonrpc; charset=utf-8\ncontent-length: {}\n\n{OK}",
        OK.len()
    );
    assert_eq!(
        codes(&frames_of(input.as_bytes(), MAX_MESSAGE_BYTES)),
        [json(OK)]
    );
}

#[test]
fn a_short_content_length_costs_that_message_only() {
    // The rest of the body is read as garbage up to the next header.
    let mut input = b"Content-Length: 5\r\n\r\n".to_vec();
    input.extend(br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#);
    input.extend(b"\r\n");
    input.extend(message(OK));
    let frames = frames_of(&input, MAX_MESSAGE_BYTES);
    assert_eq!(codes(&frames).last(), Some(&json(OK)));
    assert!(frames.len() <= 3, "{:?}", codes(&frames));
}

#[test]
fn a_message_over_the_limit_is_skipped_unread() {
    let big = format!(
        r#"{{"jsonrpc":"2.0","method":"x","params":"{}"}}"#,
        "a".repeat(1000)
    );
    let mut input = message(&big);
    input.extend(message(OK));
    assert_eq!(
        codes(&frames_of(&input, 500)),
        [Value::from("error -32600 for id null"), json(OK)]
    );
}

#[test]
fn input_cut_off_mid_message_ends() {
    let mut input = message(OK);
    input.extend(b"Content-Length: 100\r\n\r\n{\"jsonrpc\"");
    assert_eq!(codes(&frames_of(&input, MAX_MESSAGE_BYTES)), [json(OK)]);
    assert!(frames_of(b"Content-Len", MAX_MESSAGE_BYTES).is_empty());
}

mod props {
    use super::*;
    use proptest::prelude::*;

    /// Bytes that are no message: any mix of header-like lines, blank lines, JSON pieces and
    /// binary, ending a line, with no `Content-Length` in them.
    fn junk() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(b"\r\n".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"X-Other: 1\r\n".to_vec()),
            Just(b"{\"jsonrpc\":\"2.0\",".to_vec()),
            Just(b": :".to_vec()),
            proptest::collection::vec(any::<u8>(), 0..40),
        ];
        proptest::collection::vec(piece, 1..6).prop_map(|pieces| {
            let mut out: Vec<u8> = pieces.concat();
            let lower = |b: &u8| b.to_ascii_lowercase();
            while let Some(at) = out
                .windows(14)
                .position(|w| w.iter().map(lower).eq(b"content-length".iter().copied()))
            {
                out.remove(at);
            }
            out.extend(b"\r\n");
            out
        })
    }

    fn message(i: usize) -> Vec<u8> {
        format!(r#"{{"jsonrpc":"2.0","id":{i},"method":"m"}}"#).into_bytes()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// Whatever comes between them, every well-framed message is read, in order, and the
        /// reading ends at the end of the input.
        #[test]
        fn every_message_after_junk_is_read(junks in proptest::collection::vec(junk(), 1..8)) {
            let mut input = Vec::new();
            let mut expected = Vec::new();
            for (i, junk) in junks.iter().enumerate() {
                input.extend(junk);
                input.extend(framed(&message(i)));
                expected.push(message(i));
            }
            let read = codes(&frames_of(&input, MAX_MESSAGE_BYTES));
            // Junk may happen to be a message of its own; the real ones all come, in order.
            let mut next = read.iter();
            for want in &expected {
                let want: Value = serde_json::from_slice(want).expect("test JSON");
                prop_assert!(next.any(|got| *got == want), "{want} missing");
            }
        }

        /// Any bytes at all: the reader never panics and always ends.
        #[test]
        fn any_bytes_are_read_to_the_end(bytes in proptest::collection::vec(any::<u8>(), 0..2_000)) {
            let _ = frames_of(&bytes, 1_000);
        }
    }
}

#[test]
fn a_large_body_is_written_as_the_same_frame_without_a_copy() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    for size in [10, (1 << 16) - 40, (1 << 16) + 1, 3 << 20] {
        let body = format!(
            r#"{{"jsonrpc":"2.0","method":"x","params":"{}"}}"#,
            "a".repeat(size)
        );
        let mut out: Vec<u8> = Vec::new();
        runtime
            .block_on(write_frame(&mut out, body.as_bytes()))
            .expect("writing to memory cannot fail");
        assert_eq!(out, framed(body.as_bytes()), "body of {} bytes", body.len());
        assert_eq!(codes(&frames_of(&out, MAX_MESSAGE_BYTES)), [json(&body)]);
    }
}

#[test]
fn a_big_body_is_shown_to_the_early_look_before_it_is_parsed() {
    let text = "x".repeat(EARLY_LOOK_BYTES);
    let big = format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"textDocument":{{"uri":"file:///w/quant_config.json","languageId":"json","version":1,"text":"{text}"}}}}}}"#
    );
    let mut input = message(OK);
    input.extend(message(&big));
    input.extend(message(OK));
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let frames = runtime.block_on(async {
        let record = seen.clone();
        let early = Box::new(move |body: &[u8]| {
            record.lock().expect("not poisoned").push(body.len());
        });
        let mut reader = FrameReader::with_early_look(&input[..], early);
        let mut out = Vec::new();
        loop {
            match reader.next().await.expect("reading memory cannot fail") {
                Frame::End => return out,
                frame => out.push(frame),
            }
        }
    });
    // Only the big one, whole; every message is still read.
    assert_eq!(*seen.lock().expect("not poisoned"), [big.len()]);
    assert_eq!(frames.len(), 3);
    assert!(frames.iter().all(|f| matches!(f, Frame::Message(_))));
}
