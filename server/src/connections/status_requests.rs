//! The status requests a connection opens with, read and answered here from the published
//! bytes (see [`crate::http::status`]), before hyper: a phone polling the status JSON costs a
//! parse of its head and one write. The first request that is anything else hands the whole
//! connection, with the bytes already read, to hyper for good.

use std::time::Duration;

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::Instant;

use super::read_ahead::ReadAhead;
use crate::http::AppState;
use crate::http::status::{self, StatusAnswer};

/// Room read at a time: a phone's request head is a few hundred bytes.
const READ_CHUNK: usize = 1024;

/// A head longer than this is left to hyper (which answers 431 beyond its own limit).
const MAX_HEAD: usize = 16 * 1024;

/// Headers a head may have to be answered here; with more, hyper reads it.
const MAX_HEADERS: usize = 32;

/// What the bytes at the start of a connection's buffer are.
enum Head {
    /// A status request this path answers, `length` bytes long; `close` if the client asked
    /// to end the connection after it.
    Status {
        answer: StatusAnswer,
        length: usize,
        close: bool,
    },
    /// Not a whole head yet.
    Incomplete,
    /// Anything else, for hyper: another route, another method, a malformed head.
    Other,
}

fn read_head(state: &AppState, bytes: &[u8]) -> Head {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(bytes) {
        Ok(httparse::Status::Complete(length)) => match status::plain_request(state, &request) {
            Some((answer, close)) => Head::Status {
                answer,
                length,
                close,
            },
            None => Head::Other,
        },
        Ok(httparse::Status::Partial) if bytes.len() < MAX_HEAD => Head::Incomplete,
        Ok(httparse::Status::Partial) | Err(_) => Head::Other,
    }
}

/// Answers status requests on `stream` while they come; returns the connection for hyper at
/// the first other request, or `None` once it is over: closed by the client, asked closed,
/// silent past `header_read_timeout` while a head is awaited (hyper's rule), or the server
/// stopping while it waits.
pub(super) async fn answer(
    mut stream: TcpStream,
    state: &AppState,
    header_read_timeout: Duration,
    shutdown: &mut watch::Receiver<bool>,
) -> Option<ReadAhead> {
    let mut read = BytesMut::new();
    loop {
        let deadline = Instant::now() + header_read_timeout;
        let (answer, length, close) = loop {
            match read_head(state, &read) {
                Head::Status {
                    answer,
                    length,
                    close,
                } => break (answer, length, close),
                Head::Incomplete => {}
                Head::Other => {
                    return Some(ReadAhead {
                        read: read.freeze(),
                        stream,
                    });
                }
            }
            if read.capacity() - read.len() < READ_CHUNK / 2 {
                read.reserve(READ_CHUNK);
            }
            let received = tokio::select! {
                biased;
                received = tokio::time::timeout_at(deadline, stream.read_buf(&mut read)) => received,
                () = super::stopped(shutdown) => return None,
            };
            match received {
                Ok(Ok(0) | Err(_)) | Err(_) => return None,
                Ok(Ok(_)) => {}
            }
        };
        // Made for each answer rather than kept: an idle keep-alive connection holds no copy.
        let mut written = Vec::new();
        answer.write_http1(close, &mut written);
        read.advance(length);
        if stream.write_all(&written).await.is_err() {
            return None;
        }
        if close {
            let _ = stream.shutdown().await;
            return None;
        }
    }
}
