//! Where the walk's bytes come from: a slice in memory, or the model file read with positioned
//! reads of just the bytes the walk asks for ([`BufferedReads`]).

use std::fs::File;
use std::sync::Arc;

use super::WalkError;

/// Random access to the model's bytes.
pub(in crate::model) trait Source {
    fn len(&self) -> u64;
    /// The bytes `start..start + len`; the caller has checked that they lie inside the file.
    fn get(&mut self, start: u64, len: usize) -> Result<&[u8], WalkError>;
    /// The bytes from `start`: at least `min`, and up to `max` where that costs no read (the
    /// caller has checked that `start + max` lies inside the file).
    fn get_some(&mut self, start: u64, min: usize, max: usize) -> Result<&[u8], WalkError>;
    /// A second reader of the same bytes for another thread, when this source can have one.
    fn another(&self) -> Option<Box<dyn Source + Send>>;
}

impl Source for &[u8] {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }
    fn get(&mut self, start: u64, len: usize) -> Result<&[u8], WalkError> {
        let s = start as usize;
        Ok(&self[s..s + len])
    }
    fn get_some(&mut self, start: u64, _min: usize, max: usize) -> Result<&[u8], WalkError> {
        self.get(start, max)
    }
    fn another(&self) -> Option<Box<dyn Source + Send>> {
        None
    }
}

/// Reads the file with positioned reads into one reusable buffer. Each read is as small as the
/// walk allows: 512 bytes after a long jump (an initializer's header behind a weight tensor
/// that was skipped), 2 KiB after a short one (small tensors, such as a normalization's, lie
/// close together), doubling up to 1 MiB while reads follow each other (the run of nodes).
pub(in crate::model) struct BufferedReads {
    file: Arc<File>,
    len: u64,
    /// `storage[..buf_len]` holds the file's bytes from `buf_start`.
    storage: Vec<u8>,
    buf_len: usize,
    buf_start: u64,
    chunk: usize,
    /// How many reads, of how many bytes in all, so far: what tests and measurements look at.
    pub reads: u32,
    pub bytes_read: u64,
}

/// The read after a short jump: small tensors (a normalization's, a bias) lie close together,
/// and one read mostly holds the headers of the next few.
const NEAR_READ: usize = 2 << 10;
const MAX_READ: usize = 1 << 20;
/// A jump of this many bytes or more is long: the bytes after it get a read of `FAR_READ`.
const FAR_JUMP: u64 = 16 << 10;
const FAR_READ: usize = 512;
/// A read that starts at most this far past the buffer's end continues a sequential walk: the
/// next read is twice the last. The second thread of a big graph's walk hops over the nodes'
/// headers (a node is 100-300 bytes), and the next header mostly lies a little past the buffer.
///
/// Tuned on the 1 GiB model's walk (its 64,519 initializers come in runs of three small ones
/// and a big one), by replaying the walk's requests against each policy and then timing the
/// best ones: reads of 4 KiB after every jump copied 121 MB in 24,200 reads (both threads);
/// 512 bytes after a long jump and 4 KiB after a short one, 76 MB in 27,400 reads, of which
/// 5,600 were the hop over the nodes' 23 MB (a header past the buffer was a jump); with this
/// gap and 2 KiB after a short jump, 70 MB in 22,600 reads, and `qcls check` of a one-entry
/// config 6% faster (p50 36.8 against 39.0 ms, 20 runs each). Reads of 256 bytes after a long
/// jump cut too many headers short (56,000 reads, a third slower).
const NEAR_GAP: u64 = 256;

impl BufferedReads {
    pub fn new(file: Arc<File>, len: u64) -> Self {
        BufferedReads {
            file,
            len,
            storage: Vec::new(),
            buf_len: 0,
            buf_start: 0,
            chunk: NEAR_READ,
            reads: 0,
            bytes_read: 0,
        }
    }
}

impl Source for BufferedReads {
    fn len(&self) -> u64 {
        self.len
    }

    fn another(&self) -> Option<Box<dyn Source + Send>> {
        Some(Box::new(BufferedReads::new(self.file.clone(), self.len)))
    }

    fn get_some(&mut self, start: u64, min: usize, max: usize) -> Result<&[u8], WalkError> {
        // Reads only when the buffer lacks the first `min` bytes, then hands out what it holds.
        self.get(start, min)?;
        let from = (start - self.buf_start) as usize;
        let len = (self.buf_len - from).min(max);
        Ok(&self.storage[from..from + len])
    }

    fn get(&mut self, start: u64, len: usize) -> Result<&[u8], WalkError> {
        let buf_end = self.buf_start + self.buf_len as u64;
        if start < self.buf_start || start + len as u64 > buf_end {
            // A walk that goes on just past the buffer (the next node's header, a few bytes
            // after the last one the buffer held) reads on as if it were contiguous.
            let contiguous =
                start >= self.buf_start && start <= buf_end + NEAR_GAP && self.buf_len > 0;
            self.chunk = if contiguous {
                (self.chunk * 2).min(MAX_READ)
            } else if start.saturating_sub(buf_end) < FAR_JUMP {
                NEAR_READ
            } else {
                FAR_READ
            };
            let want = (len.max(self.chunk) as u64).min(self.len - start) as usize;
            // The buffer only grows: bytes already there are overwritten by the read, so only
            // new room is zeroed (not 4 KiB per initializer).
            if self.storage.len() < want {
                self.storage.resize(want, 0);
            }
            // Nothing is valid until the read succeeds.
            self.buf_len = 0;
            read_exact_at(&self.file, &mut self.storage[..want], start).map_err(|e| {
                if e.kind() == std::io::ErrorKind::UnexpectedEof {
                    // The file shrank while being read (a model being rewritten).
                    WalkError::Truncated {
                        what: "the file",
                        at: start,
                    }
                } else {
                    WalkError::Io(format!("cannot read the file ({e})"))
                }
            })?;
            self.buf_start = start;
            self.buf_len = want;
            self.reads += 1;
            self.bytes_read += want as u64;
        }
        let s = (start - self.buf_start) as usize;
        self.storage[..self.buf_len]
            .get(s..s + len)
            .ok_or(WalkError::Truncated {
                what: "the file",
                at: start,
            })
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// A file of `n` bytes, and a reader of it.
    fn reader(n: usize) -> (tempfile::NamedTempFile, BufferedReads) {
        let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
        let bytes: Vec<u8> = (0..n).map(|i| i as u8).collect();
        file.write_all(&bytes).expect("written");
        let reader = BufferedReads::new(Arc::new(file.reopen().expect("reopened")), n as u64);
        (file, reader)
    }

    #[test]
    fn hopping_over_small_records_reads_in_growing_chunks() {
        // 2 MB of 200-byte records, of which only each one's first 20 bytes are asked for:
        // the next header mostly starts a little past what the last read brought.
        let (_file, mut r) = reader(2_000_000);
        for pos in (0..2_000_000u64).step_by(200) {
            let got = r.get(pos, 20).expect("inside the file");
            assert_eq!(got[0], pos as u8);
        }
        assert!(r.reads <= 12, "{} reads", r.reads);
        assert!(r.bytes_read < 3_000_000, "{} bytes", r.bytes_read);
    }

    #[test]
    fn headers_after_long_jumps_are_read_small() {
        // An initializer's header every 64 KiB, its payload jumped over.
        let (_file, mut r) = reader(4 << 20);
        for pos in (0..4u64 << 20).step_by(64 << 10) {
            let got = r.get(pos + 1, 30).expect("inside the file");
            assert_eq!(got[0], (pos + 1) as u8);
        }
        assert_eq!(r.reads, 64);
        assert!(r.bytes_read <= 64 * 4096, "{} bytes", r.bytes_read);
    }

    #[test]
    fn a_read_past_the_end_is_cut_to_the_file() {
        let (_file, mut r) = reader(5000);
        assert_eq!(r.get(4990, 10).expect("the last bytes").len(), 10);
        assert_eq!(r.bytes_read, 10);
    }
}
