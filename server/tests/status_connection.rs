//! The status requests a connection answers before hyper (`connections::status_requests`):
//! the same answers as the router's handler, several on one keep-alive connection, and the
//! connection handed to hyper, bytes already read included, at its first other request, a
//! WebSocket upgrade included.

mod common;

use common::{OPEN_DAY, TestServer};
use futures_util::StreamExt;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const STATUS: &str = "/api/v1/offices/main/status";

/// One HTTP/1.1 answer: its status line and headers (names lower-case, `date` left out, in
/// the order sent), and its body.
#[derive(Debug, PartialEq)]
struct Answer {
    status_line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Reads the next answer from `stream`, `buffer` holding what was read past the last one. A
/// body is as long as its `content-length`; none for a `HEAD` or a 304.
async fn next_answer(stream: &mut TcpStream, buffer: &mut Vec<u8>, head_only: bool) -> Answer {
    let end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        read_more(stream, buffer).await;
    };
    let head = String::from_utf8(buffer.drain(..end).collect()).expect("ASCII head");
    let mut lines = head.trim_end().split("\r\n");
    let status_line = lines.next().expect("status line").to_string();
    let headers: Vec<(String, String)> = lines
        .map(|line| {
            let (name, value) = line.split_once(':').expect("a header");
            (name.to_ascii_lowercase(), value.trim().to_string())
        })
        .filter(|(name, _)| name != "date")
        .collect();
    let mut answer = Answer {
        status_line,
        headers,
        body: Vec::new(),
    };
    let length: usize = match answer.header("content-length") {
        Some(length) if !head_only => length.parse().expect("a length"),
        _ => 0,
    };
    while buffer.len() < length {
        read_more(stream, buffer).await;
    }
    answer.body = buffer.drain(..length).collect();
    answer
}

async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) {
    let mut chunk = [0u8; 4096];
    let read = stream.read(&mut chunk).await.expect("read");
    assert!(read > 0, "the server closed the connection early");
    buffer.extend_from_slice(&chunk[..read]);
}

/// Sends `requests` (each a head without its end) at once on a new connection and reads as
/// many answers.
async fn exchange(server: &TestServer, requests: &[String]) -> Vec<Answer> {
    let address = server.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.expect("connected");
    let sent: String = requests
        .iter()
        .map(|request| format!("{request}Host: {address}\r\n\r\n"))
        .collect();
    stream.write_all(sent.as_bytes()).await.expect("sent");
    let mut buffer = Vec::new();
    let mut answers = Vec::new();
    for request in requests {
        let head_only = request.starts_with("HEAD ");
        answers.push(next_answer(&mut stream, &mut buffer, head_only).await);
    }
    answers
}

/// A `GET` that also says `Content-Length: 0` (legal, and harmless) is left to hyper and the
/// router's handler; without it, the connection answers it itself. Both give the same status
/// line, the same headers in the same order and the same body, for a 200, a 304 and a `HEAD`.
#[tokio::test]
async fn the_connection_answers_a_status_request_as_the_router_does() {
    let server = TestServer::start(OPEN_DAY).await;
    server.issue("renewal").await;
    let plain = |method: &str, extra: &str| format!("{method} {STATUS} HTTP/1.1\r\n{extra}");
    let first = exchange(&server, &[plain("GET", "")]).await;
    let etag = first[0].header("etag").expect("an etag").to_string();
    let conditional = format!("If-None-Match: {etag}\r\n");
    for (method, extra) in [("GET", ""), ("GET", conditional.as_str()), ("HEAD", "")] {
        let by_connection = exchange(&server, &[plain(method, extra)]).await;
        let by_router = exchange(
            &server,
            &[plain(method, &format!("{extra}Content-Length: 0\r\n"))],
        )
        .await;
        assert_eq!(by_connection, by_router, "{method} {extra}");
    }
    assert_eq!(first[0].status_line, "HTTP/1.1 200 OK");
    let snapshot: Value = serde_json::from_slice(&first[0].body).expect("JSON");
    assert_eq!(snapshot["type"], "snapshot");
}

/// Status requests sent back to back on one connection are answered in order; the next request
/// for another route, already read along with them, goes to the router on the same connection.
#[tokio::test]
async fn one_connection_answers_status_requests_then_hands_the_rest_to_the_router() {
    let server = TestServer::start(OPEN_DAY).await;
    let first = exchange(&server, &[format!("GET {STATUS} HTTP/1.1\r\n")]).await;
    let etag = first[0].header("etag").expect("an etag").to_string();
    let answers = exchange(
        &server,
        &[
            format!("GET {STATUS}?since=1 HTTP/1.1\r\n"),
            format!("HEAD {STATUS} HTTP/1.1\r\nIf-None-Match: {etag}\r\n"),
            format!("GET {STATUS} HTTP/1.1\r\nIf-None-Match: {etag}\r\n"),
            "GET /api/v1/offices HTTP/1.1\r\n".to_string(),
            format!("GET {STATUS} HTTP/1.1\r\nConnection: close\r\n"),
        ],
    )
    .await;
    let lines: Vec<&str> = answers.iter().map(|a| a.status_line.as_str()).collect();
    assert_eq!(
        lines,
        [
            "HTTP/1.1 200 OK",
            "HTTP/1.1 304 Not Modified",
            "HTTP/1.1 304 Not Modified",
            "HTTP/1.1 200 OK",
            "HTTP/1.1 200 OK",
        ]
    );
    assert_eq!(answers[0].body, first[0].body, "the query is not the path");
    let offices: Value = serde_json::from_slice(&answers[3].body).expect("JSON");
    assert_eq!(offices["offices"][0]["id"], "main");
    assert_eq!(answers[4].header("connection"), Some("close"));
}

/// A WebSocket handshake after a status request on the same connection opens the feed: the
/// bytes the status path read reach hyper, and the upgraded socket reaches the feed.
#[tokio::test]
async fn the_feed_opens_on_a_connection_that_first_asked_the_status() {
    let server = TestServer::start(OPEN_DAY).await;
    let address = server.base.trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(&address).await.expect("connected");
    stream
        .write_all(format!("GET {STATUS} HTTP/1.1\r\nHost: {address}\r\n\r\n").as_bytes())
        .await
        .expect("sent");
    let mut buffer = Vec::new();
    let status = next_answer(&mut stream, &mut buffer, false).await;
    assert_eq!(status.status_line, "HTTP/1.1 200 OK");
    assert!(buffer.is_empty(), "nothing follows the answer");
    let url = format!("ws://{address}/api/v1/offices/main/live");
    let (mut feed, response) = tokio_tungstenite::client_async(url, stream)
        .await
        .expect("the handshake on the same connection");
    assert_eq!(response.status(), 101);
    let first = feed.next().await.expect("a frame").expect("readable");
    let first: Value = serde_json::from_str(first.to_text().expect("text")).expect("JSON");
    assert_eq!(first["type"], "snapshot");
}
