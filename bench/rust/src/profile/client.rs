//! The load generator of `ironsession-profile`: HTTP/1.1 over an in-memory stream, one request
//! at a time on one kept-alive connection, as each of `wrk`'s connections sends them. Its own
//! instructions are counted apart in the profile (this file is its own group).

use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

/// One response: its status, its head (status line and headers) and its body.
pub struct Response {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Response {
    /// The `name=value` of the first `Set-Cookie` line for `name`.
    pub fn set_cookie(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (header, value) = line.split_once(':')?;
            if !header.eq_ignore_ascii_case("set-cookie") {
                return None;
            }
            let pair = value.trim_start().split(';').next()?;
            pair.strip_prefix(name)?.starts_with('=').then_some(pair)
        })
    }
}

/// The client side of the connection, with a read buffer kept across responses.
pub struct Client {
    io: DuplexStream,
    buffer: Vec<u8>,
}

impl Client {
    pub fn new(io: DuplexStream) -> Self {
        Client {
            io,
            buffer: Vec::with_capacity(8192),
        }
    }

    /// Sends `request` (a whole HTTP/1.1 request) and reads one response, whose length its
    /// `Content-Length` gives.
    pub async fn send(&mut self, request: &[u8]) -> Result<Response, String> {
        self.io
            .write_all(request)
            .await
            .map_err(|e| format!("write: {e}"))?;
        let head_end = loop {
            if let Some(at) = self.buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            self.fill().await?;
        };
        let head = String::from_utf8(self.buffer[..head_end].to_vec())
            .map_err(|_| "a response head that is not UTF-8".to_owned())?;
        let status = head
            .get(9..12)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| format!("no status in {head:?}"))?;
        let length: usize = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .ok_or_else(|| format!("no Content-Length in {head:?}"))?;
        while self.buffer.len() < head_end + length {
            self.fill().await?;
        }
        let body = self.buffer[head_end..head_end + length].to_vec();
        self.buffer.drain(..head_end + length);
        Ok(Response { status, head, body })
    }

    /// Sends `request` `count` times, checking that each answer is a 200.
    pub async fn send_many(&mut self, request: &[u8], count: u64) -> Result<(), String> {
        for _ in 0..count {
            let response = self.send(request).await?;
            if response.status != 200 {
                return Err(format!(
                    "status {} for {:?}",
                    response.status, response.head
                ));
            }
        }
        Ok(())
    }

    async fn fill(&mut self) -> Result<(), String> {
        let mut chunk = [0u8; 4096];
        let n = self
            .io
            .read(&mut chunk)
            .await
            .map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err("the server closed the connection".to_owned());
        }
        self.buffer.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}
