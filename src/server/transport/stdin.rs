//! Stdin read by a thread of its own. tokio's `Stdin` hands every read to its blocking pool (a
//! task to spawn and a condition variable to signal each time); here the thread sits in
//! `read` and each chunk of the pipe wakes the protocol's thread once.

use std::io::{self, Read};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc;

/// The most one read of the pipe takes (a pipe holds 64 KiB).
const CHUNK: usize = 64 << 10;

/// Chunks read from stdin, in order; an error or the end of the input ends them.
pub struct ThreadedStdin {
    chunks: mpsc::Receiver<io::Result<Vec<u8>>>,
    /// The chunk being handed out, and how much of it was.
    current: Vec<u8>,
    taken: usize,
}

/// Stdin read on a thread named `qcls-stdin`; `None` when no thread can be started.
pub fn threaded_stdin() -> Option<ThreadedStdin> {
    let (send, chunks) = mpsc::channel(16);
    std::thread::Builder::new()
        .name("qcls-stdin".into())
        .spawn(move || {
            let mut stdin = io::stdin().lock();
            let mut buf = vec![0; CHUNK];
            loop {
                let chunk = match stdin.read(&mut buf) {
                    Ok(0) => return,
                    Ok(n) => Ok(buf[..n].to_vec()),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => Err(e),
                };
                let failed = chunk.is_err();
                // The server has stopped reading: so does this thread.
                if send.blocking_send(chunk).is_err() || failed {
                    return;
                }
            }
        })
        .ok()?;
    Some(ThreadedStdin::new(chunks))
}

impl ThreadedStdin {
    fn new(chunks: mpsc::Receiver<io::Result<Vec<u8>>>) -> Self {
        ThreadedStdin {
            chunks,
            current: Vec::new(),
            taken: 0,
        }
    }
}

impl AsyncRead for ThreadedStdin {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        while this.taken == this.current.len() {
            match this.chunks.poll_recv(cx) {
                Poll::Pending => return Poll::Pending,
                // The end of the input: a read of nothing.
                Poll::Ready(None) => return Poll::Ready(Ok(())),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Err(e)),
                Poll::Ready(Some(Ok(chunk))) => {
                    this.current = chunk;
                    this.taken = 0;
                }
            }
        }
        let n = out.remaining().min(this.current.len() - this.taken);
        out.put_slice(&this.current[this.taken..this.taken + n]);
        this.taken += n;
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncReadExt;

    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
    }

    #[test]
    fn chunks_are_read_in_order_across_small_reads_then_the_end() {
        let (send, chunks) = mpsc::channel(4);
        let mut input = ThreadedStdin::new(chunks);
        let all = runtime().block_on(async move {
            send.send(Ok(b"Content-".to_vec())).await.expect("open");
            send.send(Ok(Vec::new())).await.expect("open");
            send.send(Ok(b"Length: 2\r\n\r\n{}".to_vec()))
                .await
                .expect("open");
            drop(send);
            // Reads of three bytes at most: a chunk is handed out over several reads.
            let mut all = Vec::new();
            let mut buf = [0u8; 3];
            loop {
                let n = input.read(&mut buf).await.expect("no error");
                if n == 0 {
                    return all;
                }
                all.extend_from_slice(&buf[..n]);
            }
        });
        assert_eq!(all, b"Content-Length: 2\r\n\r\n{}");
    }

    #[test]
    fn an_error_of_the_pipe_reaches_the_reader_after_what_came_before() {
        let (send, chunks) = mpsc::channel(4);
        let mut input = ThreadedStdin::new(chunks);
        let (before, after) = runtime().block_on(async move {
            send.send(Ok(b"ab".to_vec())).await.expect("open");
            send.send(Err(io::Error::other("broken")))
                .await
                .expect("open");
            let mut buf = [0u8; 8];
            let before = input.read(&mut buf).await.map(|n| buf[..n].to_vec());
            let after = input.read(&mut buf).await;
            (before, after)
        });
        assert_eq!(before.expect("the bytes first"), b"ab");
        assert_eq!(after.expect_err("then the error").to_string(), "broken");
    }
}
