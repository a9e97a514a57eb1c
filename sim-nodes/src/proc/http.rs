//! HTTP over the namespace's TCP: `python3 -m http.server` (Python 3.11's
//! `SimpleHTTPRequestHandler`, serving the lab's directory, [`crate::files`]) and `curl`
//! 7.88 (`-I`, GET, `-o /dev/null`, `-w`).
//!
//! The server answers `GET`/`HEAD /` with the directory listing (`200 OK`), `/NAME` with
//! that file (its bytes as fast as the socket takes them: Python's `copyfileobj` blocks in
//! `sendall` on each 64 KiB, which the send buffer takes at once), any other path with `404 File not found`, other methods with
//! `501`; HTTP/1.0, so it closes after each answer. It prints `Serving HTTP on …` and logs each request to stderr as Python does
//! (`ADDR - - [22/Nov/2026 05:06:39] "HEAD / HTTP/1.1" 200 -`). Dates are [`crate::clock`]'s.
//!
//! curl prints what a terminal shows (no progress meter): the headers with `-I`, else the
//! body; its errors are curl's own (`curl: (7) Failed to connect to … Couldn't connect to
//! server`, `(28)` on `--connect-timeout` / `-m`) unless `-s` without `-S`.

use super::{Program, SocketId, Sys};
use crate::clock;
use crate::files::Files;
use sim_core::{Duration, Instant};
use std::net::IpAddr;

/// socketserver's `request_queue_size`: the `listen()` backlog.
const REQUEST_QUEUE_SIZE: u32 = 5;

/// Python's `Server:` header.
pub const SERVER: &str = "SimpleHTTP/0.6 Python/3.11.2";

/// The directory listing of an empty directory, as `list_directory` writes it.
pub const LISTING: &str = "<!DOCTYPE HTML>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<title>Directory listing for /</title>\n</head>\n<body>\n<h1>Directory listing for /</h1>\n\
<hr>\n<ul>\n</ul>\n<hr>\n</body>\n</html>\n";

/// `list_directory` of the lab's directory: one `<li>` per file, sorted by lower-case name
/// (names are letters, digits, `.`, `_`, `-`: quoting and escaping leave them alone).
pub fn listing(files: &Files) -> String {
    let mut names = files.names();
    names.sort_by_key(|n| n.to_lowercase());
    let items: String = names.iter().map(|n| format!("<li><a href=\"{n}\">{n}</a></li>\n")).collect();
    LISTING.replacen("<ul>\n", &format!("<ul>\n{items}"), 1)
}

/// A file's bytes, written from here: a file is all zeros.
static ZEROS: [u8; 16384] = [0; 16384];

/// The `Date:` header's form: `Sun, 22 Nov 2026 05:06:39 GMT`.
pub fn http_date(now: Instant) -> String {
    let c = clock::at(now);
    format!("{}, {:02} {} {} {:02}:{:02}:{:02} GMT", c.day_name(), c.day, c.month_name(), c.year, c.hour, c.min, c.sec)
}

/// Python's `log_date_time_string`: `22/Nov/2026 05:06:39`.
fn log_date(now: Instant) -> String {
    let c = clock::at(now);
    format!("{:02}/{}/{:04} {:02}:{:02}:{:02}", c.day, c.month_name(), c.year, c.hour, c.min, c.sec)
}

fn error_page(code: u16, message: &str, explain: &str) -> String {
    format!(
        "<!DOCTYPE HTML>\n<html lang=\"en\">\n    <head>\n        <meta charset=\"utf-8\">\n        \
<title>Error response</title>\n    </head>\n    <body>\n        <h1>Error response</h1>\n        \
<p>Error code: {code}</p>\n        <p>Message: {}.</p>\n        \
<p>Error code explanation: {code} - {explain}.</p>\n    </body>\n</html>\n",
        message.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
    )
}

/// `python3 -m http.server [PORT] [--bind ADDR]`'s options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpServerArgs {
    /// The port (8000 by default).
    pub port: u16,
    /// `--bind`: the address to serve on (`None`: the first address `getaddrinfo(NULL,
    /// port, AI_PASSIVE)` gives Python — `0.0.0.0` while `lo` is up, `::` while it is down,
    /// glibc's RFC 3484 sort finding no route to `0.0.0.0` then; `::` serves both families).
    pub bind: Option<IpAddr>,
}

/// Where a connection of the server is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Reading the request.
    Reading,
    /// Request read; Python answers at the given time.
    Thinking(Instant),
    /// Writing the answer, one system call's worth at a time.
    Writing,
    /// Answered and closed.
    Done,
}

/// A connection the server is answering.
#[derive(Debug)]
struct Conn {
    sock: SocketId,
    peer: IpAddr,
    request: Vec<u8>,
    stage: Stage,
    /// What is left to write: each `write()` Python makes; the close follows the last.
    parts: std::collections::VecDeque<Vec<u8>>,
    /// A file's bytes still to write after the parts (all zeros).
    file_left: u64,
}

/// How long Python takes from reading a request to writing its answer. Linux acknowledges
/// the request meanwhile, so the answer does not ride on that ACK.
const THINK: Duration = Duration::from_millis(1);

/// A running `python3 -m http.server`.
#[derive(Debug)]
pub struct HttpServer {
    args: HttpServerArgs,
    listener: Option<SocketId>,
    conns: Vec<Conn>,
    /// What it serves.
    files: Files,
}

impl HttpServer {
    /// A server that has not started, serving `files`.
    pub fn new(args: HttpServerArgs, files: Files) -> Self {
        HttpServer { args, listener: None, conns: Vec::new(), files }
    }

    /// The next answer due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.conns
            .iter()
            .filter_map(|c| match c.stage {
                Stage::Thinking(at) => Some(at),
                _ => None,
            })
            .min()
    }

    pub(crate) fn on_sockets(&mut self, sys: &mut Sys<'_, '_, '_>) {
        use crate::sys::TcpState as S;
        if let Some(h) = self.listener
            && let (S::Established | S::PeerClosed, Some(peer)) = sys.tcp_state(h)
        {
            let peer = peer.ip();
            // accept(): the connection is the handler's; the server listens on.
            self.conns.push(Conn {
                sock: h,
                peer,
                request: Vec::new(),
                stage: Stage::Reading,
                parts: Default::default(),
                file_left: 0,
            });
            self.listener = sys.tcp_listen_on(self.args.bind, self.args.port, REQUEST_QUEUE_SIZE, true).ok();
        }
        let now = sys.now();
        for c in &mut self.conns {
            if c.stage == Stage::Reading {
                c.request.extend(sys.tcp_recv(c.sock));
                let closed = matches!(sys.tcp_state(c.sock).0, S::PeerClosed | S::Closed);
                if request_read(&c.request, closed) {
                    c.stage = Stage::Thinking(now + THINK);
                } else if closed {
                    // The client went without a word: nothing to answer.
                    sys.tcp_close(c.sock);
                    c.stage = Stage::Done;
                }
            }
            if let Stage::Thinking(at) = c.stage
                && now >= at
            {
                let (parts, file_left) = answer(sys, c, &self.files);
                (c.parts, c.file_left) = (parts.into(), file_left);
                c.stage = Stage::Writing;
            }
            // Each write goes once the last is acknowledged (Nagle holds a small one back
            // until then); a file's bytes as fast as the socket takes them; the close once
            // everything is acknowledged.
            while c.stage == Stage::Writing {
                if !c.parts.is_empty() || c.file_left == 0 {
                    if sys.tcp_unacked(c.sock) != 0 {
                        break;
                    }
                    match c.parts.pop_front() {
                        Some(p) => {
                            sys.tcp_send(c.sock, &p);
                        }
                        None => {
                            sys.tcp_close(c.sock);
                            c.stage = Stage::Done;
                        }
                    }
                    continue;
                }
                let n = c.file_left.min(ZEROS.len() as u64) as usize;
                let sent = sys.tcp_send(c.sock, &ZEROS[..n]);
                if sent == 0 {
                    // A client gone (reset) takes nothing more: the handler ends. (Python
                    // also prints socketserver's traceback of the BrokenPipeError; nslab
                    // does not.)
                    if sys.tcp_state(c.sock).0 == crate::sys::TcpState::Closed {
                        sys.tcp_close(c.sock);
                        c.stage = Stage::Done;
                    }
                    break;
                }
                c.file_left -= sent as u64;
            }
        }
        // Handled connections close on their own; the server forgets them.
        self.conns.retain(|c| {
            if c.stage == Stage::Done {
                sys.tcp_release(c.sock);
            }
            c.stage != Stage::Done
        });
    }
}

/// True once Python has read what it answers: the request line (`readline`, up to a
/// newline or the client's close) and, if that line is a request it can serve, the headers
/// up to the blank line that ends them. A line it cannot parse is answered at once.
fn request_read(buf: &[u8], closed: bool) -> bool {
    let Some(end) = buf.iter().position(|b| *b == b'\n') else { return closed && !buf.is_empty() };
    let line = String::from_utf8_lossy(&buf[..end]);
    let words: Vec<&str> = line.split_whitespace().collect();
    let well_formed = matches!(words.as_slice(), [_, _, v] if v.starts_with("HTTP/"));
    let rest = &buf[end + 1..];
    !well_formed || closed || rest.starts_with(b"\r\n") || rest.starts_with(b"\n") || {
        rest.windows(3).any(|w| w == b"\n\r\n") || rest.windows(2).any(|w| w == b"\n\n")
    }
}

/// `handle_one_request`: parse, log, and the writes of the answer (HTTP/1.0: the
/// connection closes after it), then how many bytes of a file follow them.
fn answer(sys: &mut Sys<'_, '_, '_>, c: &Conn, files: &Files) -> (Vec<Vec<u8>>, u64) {
    let text = String::from_utf8_lossy(&c.request).into_owned();
    let line = text.split('\n').next().unwrap_or_default().trim_end_matches('\r').to_string();
    let words: Vec<&str> = line.split_whitespace().collect();
    let log = |sys: &mut Sys<'_, '_, '_>, msg: String| {
        let at = log_date(sys.now());
        sys.stderr(format!("{} - - [{at}] {msg}", c.peer));
    };
    let date = http_date(sys.now());
    let mut file_len = 0;
    let (status, headers, body, method) = match words.as_slice() {
        [m @ ("GET" | "HEAD"), path, v] if v.starts_with("HTTP/") => {
            let path = path.split(['?', '#']).next().unwrap_or_default();
            // `send_head`: a directory's `index.html` (or `index.htm`) if it has one.
            let name = match path {
                "/" => ["index.html", "index.htm"].into_iter().find(|n| files.get(n).is_some()),
                p => p.strip_prefix('/'),
            };
            let file = name.and_then(|n| files.get(n).map(|f| (n, f)));
            if path == "/" && file.is_none() {
                let page = listing(files);
                let h = format!(
                    "HTTP/1.0 200 OK\r\nServer: {SERVER}\r\nDate: {date}\r\n\
Content-type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
                    page.len()
                );
                (200, h, page, *m)
            } else if let Some((name, f)) = file {
                let h = format!(
                    "HTTP/1.0 200 OK\r\nServer: {SERVER}\r\nDate: {date}\r\nContent-type: {}\r\n\
Content-Length: {}\r\nLast-Modified: {}\r\n\r\n",
                    crate::files::content_type(name).unwrap_or("application/octet-stream"),
                    f.size,
                    http_date(f.mtime)
                );
                file_len = f.size;
                (200, h, String::new(), *m)
            } else {
                error(sys, &log, 404, "File not found", "Nothing matches the given URI", &date, m)
            }
        }
        [m, _, v] if v.starts_with("HTTP/") => {
            let msg = format!("Unsupported method ('{m}')");
            error(sys, &log, 501, &msg, "Server does not support this operation", &date, m)
        }
        _ => {
            let msg = format!("Bad request syntax ('{line}')");
            let (code, _, body, m) = error(sys, &log, 400, &msg, "Bad request syntax or unsupported method", &date, "");
            // The request never said its version, so Python answers as HTTP/0.9 would:
            // the page alone, no status line or headers (seen on the kernel).
            (code, String::new(), body, m)
        }
    };
    log(sys, format!("\"{line}\" {status} -"));
    let mut parts: Vec<Vec<u8>> = (!headers.is_empty()).then(|| headers.into_bytes()).into_iter().collect();
    if method == "HEAD" {
        return (parts, 0);
    }
    if file_len > 0 {
        // `copyfileobj`'s writes follow the headers at once: full segments, which Nagle
        // does not hold back.
        return (parts, file_len);
    }
    parts.push(body.into_bytes());
    (parts, 0)
}

/// `send_error`: logs `code N, message M` and builds the error page.
fn error<'m>(
    sys: &mut Sys<'_, '_, '_>,
    log: &impl Fn(&mut Sys<'_, '_, '_>, String),
    code: u16,
    message: &str,
    explain: &str,
    date: &str,
    method: &'m str,
) -> (u16, String, String, &'m str) {
    log(sys, format!("code {code}, message {message}"));
    let body = error_page(code, message, explain);
    let h = format!(
        "HTTP/1.0 {code} {message}\r\nServer: {SERVER}\r\nDate: {date}\r\nConnection: close\r\n\
Content-Type: text/html;charset=utf-8\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    (code, h, body, method)
}

/// `curl`'s options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurlArgs {
    /// `-I`: HEAD, print the headers.
    pub head: bool,
    /// `-s`.
    pub silent: bool,
    /// `-S`: errors even when silent.
    pub show_error: bool,
    /// `-m`: the whole operation's limit.
    pub max_time: Option<Duration>,
    /// `--connect-timeout`.
    pub connect_timeout: Option<Duration>,
    /// `-o /dev/null`: the body is not printed.
    pub discard: bool,
    /// `-w FORMAT`: printed once the transfer is done.
    pub write_out: Option<String>,
    /// The host as written in the URL.
    pub host: String,
    /// The port.
    pub port: u16,
    /// The path (`/` at least).
    pub path: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Connecting,
    Waiting,
    /// The answer is in (and printed); curl closes when the server does, or shortly.
    Closing(Instant),
    Done,
}

/// How long curl takes from the end of an answer to closing the connection (its kernel
/// acknowledges the answer meanwhile).
const LINGER: Duration = Duration::from_millis(1);

/// A running `curl`.
#[derive(Debug)]
pub struct Curl {
    args: CurlArgs,
    sock: Option<SocketId>,
    phase: Phase,
    started: Instant,
    got: Vec<u8>,
    /// With `-o /dev/null`: the body's bytes read and not kept.
    discarded: u64,
}

impl Curl {
    /// A curl that has not started.
    pub fn new(args: CurlArgs) -> Self {
        Curl { args, sock: None, phase: Phase::Done, started: Instant::ZERO, got: Vec::new(), discarded: 0 }
    }

    /// The host as curl names it in its errors (an IPv6 literal without its brackets).
    fn host_name(&self) -> &str {
        let h = &self.args.host;
        h.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(h)
    }

    fn fail(&mut self, sys: &mut Sys<'_, '_, '_>, code: i32, msg: String) {
        if !self.args.silent || self.args.show_error {
            sys.stderr(format!("curl: ({code}) {msg}"));
        }
        // `-w` is written on failure too (`000` for no answer; seen with curl 7.88).
        let end = self.header_end().unwrap_or(self.got.len());
        self.write_out(sys, end);
        self.finish(sys, code);
    }

    /// Where the answer's headers end (after their blank line), once they are in.
    fn header_end(&self) -> Option<usize> {
        self.got.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
    }

    fn finish(&mut self, sys: &mut Sys<'_, '_, '_>, status: i32) {
        if let Some(h) = self.sock.take() {
            sys.tcp_close(h);
        }
        self.phase = Phase::Done;
        sys.exit(status);
    }

    fn elapsed_ms(&self, sys: &Sys<'_, '_, '_>) -> u64 {
        sys.now().saturating_since(self.started).as_millis()
    }

    /// The next deadline: a timeout's, a millisecond late as curl notices it.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let late = Duration::from_millis(1);
        let connect = (self.phase == Phase::Connecting).then_some(self.args.connect_timeout).flatten();
        let running = matches!(self.phase, Phase::Connecting | Phase::Waiting);
        let limits = [connect, running.then_some(self.args.max_time).flatten()];
        let closing = match self.phase {
            Phase::Closing(at) => Some(at),
            _ => None,
        };
        limits.into_iter().flatten().map(|d| self.started + d + late).chain(closing).min()
    }

    /// `-w`'s format, filled in once the answer (its headers `..end`) is in:
    /// `%{http_code}`, `%{size_download}` (the body's bytes), `%{time_total}` (seconds since
    /// curl started, to the microsecond), `%{speed_download}` (bytes a second), and the
    /// escapes `\n`, `\r`, `\t`.
    fn write_out(&self, sys: &mut Sys<'_, '_, '_>, end: usize) {
        let Some(fmt) = &self.args.write_out else { return };
        let us = sys.now().saturating_since(self.started).as_micros();
        let size = (self.got.len() - end) as u64 + self.discarded;
        let status = self.got.split(|b| *b == b' ').nth(1).map(|c| String::from_utf8_lossy(c).into_owned());
        // `ourWriteOut`: `%{VAR}`, `%%`, and the escapes `\r`, `\n`, `\t`; any other
        // `%X` or `\X` is written as it stands, both characters.
        let mut out = String::new();
        let mut rest = fmt.as_str();
        while let Some(c) = rest.chars().next() {
            let next = rest[c.len_utf8()..].chars().next();
            match (c, next) {
                ('%', Some('{')) => match rest[2..].find('}') {
                    Some(close) => {
                        match &rest[2..2 + close] {
                            "http_code" => out += status.as_deref().filter(|c| c.len() == 3).unwrap_or("000"),
                            "size_download" => out += &size.to_string(),
                            "time_total" => out += &format!("{}.{:06}", us / 1_000_000, us % 1_000_000),
                            "speed_download" => out += &(size * 1_000_000).checked_div(us).unwrap_or(0).to_string(),
                            // Unknown (the front ends refuse it): curl writes nothing.
                            _ => {}
                        }
                        rest = &rest[2 + close + 1..];
                    }
                    None => {
                        out += "%{";
                        rest = &rest[2..];
                    }
                },
                ('%', Some('%')) => {
                    out.push('%');
                    rest = &rest[2..];
                }
                ('\\' | '%', Some(n)) => {
                    match (c, n) {
                        ('\\', 'n') => out.push('\n'),
                        ('\\', 'r') => out.push('\r'),
                        ('\\', 't') => out.push('\t'),
                        _ => {
                            out.push(c);
                            out.push(n);
                        }
                    }
                    rest = &rest[1 + n.len_utf8()..];
                }
                _ => {
                    out.push(c);
                    rest = &rest[c.len_utf8()..];
                }
            }
        }
        for l in out.lines() {
            sys.stdout(l.to_string());
        }
    }

    pub(crate) fn on_sockets(&mut self, sys: &mut Sys<'_, '_, '_>) {
        use crate::sys::TcpState as S;
        let Some(h) = self.sock else { return };
        let (state, _) = sys.tcp_state(h);
        match (self.phase, state) {
            (Phase::Closing(_), S::PeerClosed | S::Closed) => return self.finish(sys, 0),
            (Phase::Closing(_), _) => return,
            (Phase::Connecting, S::Established | S::PeerClosed) => {
                let method = if self.args.head { "HEAD" } else { "GET" };
                let host = match self.args.port {
                    80 => self.args.host.clone(),
                    p => format!("{}:{p}", self.args.host),
                };
                let req = format!(
                    "{method} {} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n",
                    self.args.path
                );
                sys.tcp_send(h, req.as_bytes());
                self.phase = Phase::Waiting;
            }
            (Phase::Connecting, S::Closed) => {
                let m = format!(
                    "Failed to connect to {} port {} after {} ms: Couldn't connect to server",
                    self.host_name(),
                    self.args.port,
                    self.elapsed_ms(sys)
                );
                return self.fail(sys, 7, m);
            }
            _ => {}
        }
        if self.phase != Phase::Waiting {
            return;
        }
        self.got.extend(sys.tcp_recv(h));
        let (state, _) = sys.tcp_state(h);
        let closed = matches!(state, S::PeerClosed | S::Closed);
        let Some(end) = self.header_end() else {
            // The server went before a whole answer: closed (FIN) or reset (RST), as curl
            // words each (both seen on the kernel).
            match state {
                S::PeerClosed => self.fail(sys, 52, "Empty reply from server".into()),
                S::Closed => self.fail(sys, 56, "Recv failure: Connection reset by peer".into()),
                _ => {}
            }
            return;
        };
        if self.args.head {
            // The headers as they came (CRLF ends each line), the blank line included.
            let head = String::from_utf8_lossy(&self.got[..end]).into_owned();
            let lines: Vec<&str> = head.split("\r\n").collect();
            for l in &lines[..lines.len() - 1] {
                sys.stdout(l.to_string());
            }
            self.write_out(sys, end);
            self.phase = Phase::Closing(sys.now() + LINGER);
            return;
        }
        let head = String::from_utf8_lossy(&self.got[..end]).to_ascii_lowercase();
        let length =
            head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse::<usize>().ok());
        if self.args.discard {
            // `-o /dev/null`: counted, not kept.
            self.discarded += (self.got.len() - end) as u64;
            self.got.truncate(end);
        }
        let body_len = (self.got.len() - end) as u64 + self.discarded;
        if closed || length.is_some_and(|n| body_len >= n as u64) {
            if !self.args.discard {
                let body = String::from_utf8_lossy(&self.got[end..]).into_owned();
                // Lines as a terminal shows them (`\r\n` or `\n` ends one).
                for l in body.lines() {
                    sys.stdout(l.to_string());
                }
            }
            self.write_out(sys, end);
            if closed {
                self.finish(sys, 0);
            } else {
                self.phase = Phase::Closing(sys.now() + LINGER);
            }
        }
    }
}

impl Program for HttpServer {
    fn name(&self) -> &'static str {
        "python3"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        let port = self.args.port;
        // `_get_best_family`: glibc sorts `0.0.0.0` last when it has no route to it (a
        // UDP connect() to it goes to 127.0.0.1, through `lo`); seen on the kernel.
        const LO: u32 = 1;
        let unspecified = if sys.if_up(LO) {
            IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)
        } else {
            IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED)
        };
        let a = *self.args.bind.get_or_insert(unspecified);
        match sys.tcp_listen_on(Some(a), port, REQUEST_QUEUE_SIZE, false) {
            Ok(h) => {
                self.listener = Some(h);
                // `test()`: the socket's own address, bracketed in the URL when IPv6.
                let url = if a.is_ipv6() { format!("[{a}]") } else { a.to_string() };
                let line = format!("Serving HTTP on {a} port {port} (http://{url}:{port}/) ...");
                sys.stdout(line);
            }
            Err(e) => {
                // What Python's traceback ends with.
                let n = match e {
                    crate::sys::Errno::AddrInUse => 98,
                    crate::sys::Errno::AddrNotAvail => 99,
                    _ => 22,
                };
                sys.stderr(format!("OSError: [Errno {n}] {e}"));
                sys.exit(1);
            }
        }
    }
    fn on_timeout(&mut self, sys: &mut Sys<'_, '_, '_>) {
        self.on_sockets(sys);
    }
    fn poll_timeout(&self) -> Option<Instant> {
        HttpServer::poll_timeout(self)
    }
    fn on_ready(&mut self, sys: &mut Sys<'_, '_, '_>, _sock: SocketId) {
        HttpServer::on_sockets(self, sys)
    }
    /// SIGINT: Python's `KeyboardInterrupt`, caught by `http.server`.
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        sys.stdout("");
        sys.stdout("Keyboard interrupt received, exiting.");
        sys.exit(0);
    }
    crate::proc::any_program!();
}

impl Program for Curl {
    fn name(&self) -> &'static str {
        "curl"
    }
    fn start(&mut self, sys: &mut Sys<'_, '_, '_>) {
        self.started = sys.now();
        // An IPv6 literal in brackets, as a URL writes it.
        let literal = self.args.host.strip_prefix('[').and_then(|h| h.strip_suffix(']'));
        let parsed = match literal {
            Some(h) => h.parse::<std::net::Ipv6Addr>().map(IpAddr::V6).ok(),
            None => self.args.host.parse::<std::net::Ipv4Addr>().map(IpAddr::V4).ok(),
        };
        let Some(host) = parsed else {
            let m = format!("Could not resolve host: {}", self.args.host);
            return self.fail(sys, 6, m);
        };
        match sys.tcp_connect(host, self.args.port, None) {
            Ok(h) => {
                self.sock = Some(h);
                self.phase = Phase::Connecting;
            }
            Err(_) => {
                let m = format!(
                    "Failed to connect to {host} port {} after 0 ms: Couldn't connect to server",
                    self.args.port
                );
                self.fail(sys, 7, m);
            }
        }
    }
    fn on_timeout(&mut self, sys: &mut Sys<'_, '_, '_>) {
        if let Phase::Closing(at) = self.phase {
            if sys.now() >= at {
                self.finish(sys, 0);
            }
            return;
        }
        let Some(at) = self.poll_timeout() else { return };
        if sys.now() < at {
            return;
        }
        let ms = self.elapsed_ms(sys);
        let connect_first = self.args.connect_timeout.is_some_and(|c| self.args.max_time.is_none_or(|m| c <= m));
        let m = match self.phase {
            Phase::Connecting if connect_first => format!(
                "Failed to connect to {} port {} after {ms} ms: Timeout was reached",
                self.host_name(),
                self.args.port
            ),
            Phase::Connecting => format!("Connection timed out after {ms} milliseconds"),
            _ => format!("Operation timed out after {ms} milliseconds with {} bytes received", self.got.len()),
        };
        self.fail(sys, 28, m);
    }
    fn poll_timeout(&self) -> Option<Instant> {
        Curl::poll_timeout(self)
    }
    fn on_ready(&mut self, sys: &mut Sys<'_, '_, '_>, _sock: SocketId) {
        Curl::on_sockets(self, sys)
    }
    /// SIGINT: curl dies of it.
    fn interrupt(&mut self, sys: &mut Sys<'_, '_, '_>) {
        self.phase = Phase::Done;
        sys.exit(130);
    }
    crate::proc::any_program!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_answers_once_it_has_read_the_request() {
        assert!(!request_read(b"GET / HTTP/1.1\r\nHost: x\r\n", false));
        assert!(request_read(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", false));
        assert!(request_read(b"GET / HTTP/1.0\n\n", false));
        // A line it cannot parse is answered without waiting for headers.
        assert!(request_read(b"GARBAGE\n", false));
        assert!(request_read(b"GARBAGE", true));
        assert!(!request_read(b"", true));
    }

    #[test]
    fn pages_are_pythons_to_the_byte() {
        assert_eq!(LISTING.len(), 187);
        assert_eq!(error_page(404, "File not found", "Nothing matches the given URI").len(), 335);
    }

    #[test]
    fn dates_read_as_python_and_http_write_them() {
        assert_eq!(http_date(Instant::from_secs(5 * 3600 + 6 * 60 + 39)), "Sun, 22 Nov 2026 05:06:39 GMT");
        assert_eq!(log_date(Instant::from_secs(86_400 * 40)), "01/Jan/2027 00:00:00");
        assert_eq!(http_date(Instant::from_secs(86_400 * 98)), "Sun, 28 Feb 2027 00:00:00 GMT");
    }
}
