//! git's smart HTTP protocol for libgit2's fetches and pushes, over hyper and rustls
//! (the TLS stack the GitHub API client already uses), so that the binary links no
//! OpenSSL: `cargo install` needs no OpenSSL headers, the static musl build needs no
//! OpenSSL built for musl, and every run starts without loading libssl and libcrypto.
//!
//! libgit2 speaks the protocol; this module only carries its bytes: a GET of
//! `info/refs?service=…` for the advertisement, and one POST per exchange of
//! `git-upload-pack` or `git-receive-pack` (the stateless "RPC" mode of git's HTTP
//! transport). The token goes out as Basic credentials (GitHub takes the workflow token
//! as the password of any user name), over https or to a server on this machine only.
//! Proxies are not used.
//!
//! One file past 400 lines, on purpose: the subtransport libgit2 calls, its streams and
//! the registration that hands them the token are one adapter, read together.

use std::io::{self, Cursor, Read, Write};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use git2::transport::{Service, SmartSubtransport, SmartSubtransportStream, Transport};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::error::HistoryError;

/// The token sent with the next requests (see [`use_token`]).
static TOKEN: Mutex<Option<String>> = Mutex::new(None);

/// Whether the transport is registered, or why it could not be.
static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();

/// How long a connection may take to open, and a whole request to finish.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(600);

/// Redirects followed for the advertisement (to the same host only).
const MAX_REDIRECTS: usize = 5;

/// Makes libgit2 use this transport for `http://` and `https://` remotes, once per
/// process, and sets the token the next fetches and pushes send. The token is the
/// process's: bench-bot talks to one remote at a time.
pub(super) fn use_token(token: Option<&str>) -> Result<(), HistoryError> {
    *TOKEN.lock().unwrap_or_else(|e| e.into_inner()) = token.map(str::to_string);
    let registered = REGISTERED.get_or_init(|| {
        for scheme in ["https", "http"] {
            #[expect(
                unsafe_code,
                reason = "git2 marks registration unsafe: it must not race the creation of \
                          other transports"
            )]
            // SAFETY: registered once (OnceLock), before this process opens any remote:
            // every fetch and push calls this first, and bench-bot does not use libgit2
            // from several threads.
            let done = unsafe {
                git2::transport::register(scheme, |remote| {
                    Transport::smart(remote, true, Http::default())
                })
            };
            done.map_err(|e| e.message().to_string())?;
        }
        Ok(())
    });
    registered.clone().map_err(|message| HistoryError::Git {
        action: "set up the https transport".into(),
        message,
    })
}

fn current_token() -> Option<String> {
    TOKEN.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Whether credentials may go to `url`: over TLS, or in the clear to this machine only
/// (a test server).
fn sends_credentials(url: &str) -> bool {
    url.starts_with("https://")
        || [
            "http://127.0.0.1:",
            "http://127.0.0.1/",
            "http://localhost:",
            "http://[::1]:",
        ]
        .iter()
        .any(|p| url.starts_with(p))
}

/// One remote's subtransport: remembers where the advertisement was finally found, so
/// that the exchanges after it go there too.
#[derive(Default)]
struct Http {
    base: Mutex<Option<String>>,
}

/// The request each service makes: the path after the repository's URL, and the
/// content types git's HTTP protocol gives the request and its answer.
fn request_of(service: Service) -> (&'static str, Option<&'static str>, &'static str) {
    match service {
        Service::UploadPackLs => (
            "/info/refs?service=git-upload-pack",
            None,
            "application/x-git-upload-pack-advertisement",
        ),
        Service::UploadPack => (
            "/git-upload-pack",
            Some("application/x-git-upload-pack-request"),
            "application/x-git-upload-pack-result",
        ),
        Service::ReceivePackLs => (
            "/info/refs?service=git-receive-pack",
            None,
            "application/x-git-receive-pack-advertisement",
        ),
        Service::ReceivePack => (
            "/git-receive-pack",
            Some("application/x-git-receive-pack-request"),
            "application/x-git-receive-pack-result",
        ),
    }
}

impl SmartSubtransport for Http {
    fn action(
        &self,
        url: &str,
        service: Service,
    ) -> Result<Box<dyn SmartSubtransportStream>, git2::Error> {
        let (path, content_type, accept) = request_of(service);
        let mut base = self.base.lock().unwrap_or_else(|e| e.into_inner());
        let root = base
            .clone()
            .unwrap_or_else(|| without_userinfo(url).trim_end_matches('/').to_string());
        let mut exchange = Exchange {
            url: format!("{root}{path}"),
            content_type,
            accept,
            body: Vec::new(),
            answer: None,
        };
        if content_type.is_none() {
            // The advertisement is fetched now, so that a refusal is an error of the
            // action (libgit2 reports it with its class) and a redirect moves the base.
            let (answer, final_url) = exchange.send()?;
            if let Some(moved) = final_url.strip_suffix(path) {
                *base = Some(moved.to_string());
            }
            exchange.answer = Some(Cursor::new(answer));
        }
        Ok(Box::new(exchange))
    }

    fn close(&self) -> Result<(), git2::Error> {
        Ok(())
    }
}

/// One request and its answer: libgit2 writes the request body, then reads the answer.
struct Exchange {
    url: String,
    content_type: Option<&'static str>,
    accept: &'static str,
    body: Vec<u8>,
    answer: Option<Cursor<Bytes>>,
}

impl Write for Exchange {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.body.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Read for Exchange {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.answer.is_none() {
            let (answer, _) = self
                .send()
                .map_err(|e| io::Error::other(e.message().to_string()))?;
            self.answer = Some(Cursor::new(answer));
        }
        self.answer.as_mut().map_or(Ok(0), |a| a.read(buf))
    }
}

impl Exchange {
    /// Sends the request, following redirects of the advertisement to the same host;
    /// the answer's body and the URL that gave it.
    fn send(&self) -> Result<(Bytes, String), git2::Error> {
        let token = current_token();
        let mut url = self.url.clone();
        for _ in 0..=MAX_REDIRECTS {
            let send_token = token.as_deref().filter(|_| sends_credentials(&url));
            let answer = block_on(request(
                &url,
                self.content_type,
                self.accept,
                &self.body,
                send_token,
            ))
            .map_err(|e| {
                let class = if e.contains("invalid peer certificate") {
                    git2::ErrorClass::Ssl
                } else {
                    git2::ErrorClass::Net
                };
                git2::Error::new(git2::ErrorCode::GenericError, class, format!("{url}: {e}"))
            })?;
            match answer {
                Answer::Body(bytes, kind) => {
                    if !kind.starts_with(self.accept) {
                        return Err(net_error(format!(
                            "{url}: the server answered `{kind}`, not `{}`: not a git smart \
                             HTTP server",
                            self.accept
                        )));
                    }
                    return Ok((bytes, url));
                }
                Answer::Redirect(to) if self.content_type.is_none() => {
                    let next = resolve(&url, &to);
                    if origin(&next) != origin(&url) {
                        return Err(net_error(format!(
                            "{url}: redirected to another host ({next}); set the remote's \
                             URL to it"
                        )));
                    }
                    url = next;
                }
                Answer::Redirect(to) => {
                    return Err(net_error(format!("{url}: unexpected redirect to {to}")));
                }
                Answer::Refused(status) => return Err(refusal(&url, status, send_token)),
            }
        }
        Err(net_error(format!(
            "{url}: more than {MAX_REDIRECTS} redirects"
        )))
    }
}

/// What a request came back with.
enum Answer {
    /// 200, with the answer's content type.
    Body(Bytes, String),
    /// 301, 302, 303, 307 or 308 to this location.
    Redirect(String),
    /// Any other status.
    Refused(u16),
}

type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// The client and its runtime, built on first use and kept for the process.
fn client() -> Result<&'static (tokio::runtime::Runtime, HttpsClient), String> {
    static CLIENT: OnceLock<Result<(tokio::runtime::Runtime, HttpsClient), String>> =
        OnceLock::new();
    CLIENT
        .get_or_init(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the network runtime: {e}"))?;
            let mut http = HttpConnector::new();
            http.enforce_http(false);
            http.set_connect_timeout(Some(CONNECT_TIMEOUT));
            let tls = hyper_rustls::HttpsConnectorBuilder::new()
                .with_native_roots()
                .map_err(|e| format!("cannot read the system's CA certificates: {e}"))?
                .https_or_http()
                .enable_http1()
                .wrap_connector(http);
            let client = Client::builder(TokioExecutor::new()).build(tls);
            Ok((runtime, client))
        })
        .as_ref()
        .map_err(Clone::clone)
}

fn block_on(
    fut: impl std::future::Future<Output = Result<Answer, String>>,
) -> Result<Answer, String> {
    let (runtime, _) = client()?;
    runtime.block_on(async {
        tokio::time::timeout(REQUEST_TIMEOUT, fut)
            .await
            .unwrap_or_else(|_| Err(format!("no answer in {} s", REQUEST_TIMEOUT.as_secs())))
    })
}

async fn request(
    url: &str,
    content_type: Option<&str>,
    accept: &str,
    body: &[u8],
    token: Option<&str>,
) -> Result<Answer, String> {
    let (_, client) = client()?;
    let method = if content_type.is_some() {
        http::Method::POST
    } else {
        http::Method::GET
    };
    let mut req = http::Request::builder()
        .method(method)
        .uri(url)
        .header(
            http::header::USER_AGENT,
            concat!("git/2.0 (bench-bot/", env!("CARGO_PKG_VERSION"), ")"),
        )
        .header(http::header::ACCEPT, accept);
    if let Some(kind) = content_type {
        req = req.header(http::header::CONTENT_TYPE, kind);
    }
    if let Some(token) = token {
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("x-access-token:{token}"));
        req = req.header(http::header::AUTHORIZATION, format!("Basic {basic}"));
    }
    let req = req
        .body(Full::new(Bytes::copy_from_slice(body)))
        .map_err(|e| format!("bad request: {e}"))?;
    let response = client.request(req).await.map_err(|e| describe(&e))?;
    let status = response.status();
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v: &http::HeaderValue| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    if status.is_redirection() && status != http::StatusCode::NOT_MODIFIED {
        return Ok(Answer::Redirect(header(http::header::LOCATION)));
    }
    if status != http::StatusCode::OK {
        return Ok(Answer::Refused(status.as_u16()));
    }
    let kind = header(http::header::CONTENT_TYPE);
    let bytes = response
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("reading the answer: {e}"))?
        .to_bytes();
    Ok(Answer::Body(bytes, kind))
}

/// A client error with its causes ("client error (Connect): tcp connect error:
/// Connection refused").
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// `to` (a Location header) against `from`.
fn resolve(from: &str, to: &str) -> String {
    if to.contains("://") {
        return to.to_string();
    }
    let origin = origin(from);
    if to.starts_with('/') {
        format!("{origin}{to}")
    } else {
        let dir = from.rsplit_once('/').map_or(from, |(d, _)| d);
        format!("{dir}/{to}")
    }
}

/// `url` without a user name (or password) before its host: the token is the
/// credential, sent as a header, and a user name in the URL is not part of the host.
fn without_userinfo(url: &str) -> String {
    let (start, end) = authority(url);
    match url[start..end].rfind('@') {
        Some(at) => format!("{}{}", &url[..start], &url[start + at + 1..]),
        None => url.to_string(),
    }
}

/// `scheme://host[:port]` of a URL.
fn origin(url: &str) -> &str {
    &url[..authority(url).1]
}

/// Where a URL's authority (`[user@]host[:port]`) starts and ends.
fn authority(url: &str) -> (usize, usize) {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..].find('/').map_or(url.len(), |i| start + i);
    (start, end)
}

fn net_error(message: String) -> git2::Error {
    git2::Error::new(
        git2::ErrorCode::GenericError,
        git2::ErrorClass::Net,
        message,
    )
}

/// A status other than 200, in words [`HistoryError::git`] tells apart (401, 403).
fn refusal(url: &str, status: u16, sent: Option<&str>) -> git2::Error {
    match status {
        401 => git2::Error::new(
            git2::ErrorCode::Auth,
            git2::ErrorClass::Http,
            match sent {
                Some(_) => format!("{url}: HTTP 401: the server refused the token"),
                None => {
                    format!("{url}: HTTP 401: no credentials: set GITHUB_TOKEN for https remotes")
                }
            },
        ),
        _ => git2::Error::new(
            git2::ErrorCode::GenericError,
            git2::ErrorClass::Http,
            format!("{url}: HTTP {status}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufRead;
    use std::net::TcpListener;

    /// A server on 127.0.0.1 that gives each connection the next of `answers` (status
    /// line and headers; an empty body) and hands back the request heads it read.
    fn serve(answers: Vec<String>) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let handle = std::thread::spawn(move || {
            let mut heads = Vec::new();
            for answer in answers {
                let (mut stream, _) = listener.accept().expect("accept");
                let mut reader = io::BufReader::new(stream.try_clone().expect("clone"));
                let mut head = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).expect("read") == 0 || line == "\r\n" {
                        break;
                    }
                    head.push_str(&line);
                }
                heads.push(head);
                let reply = format!("{answer}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                stream.write_all(reply.as_bytes()).expect("write");
            }
            heads
        });
        (url, handle)
    }

    fn get(url: &str) -> Exchange {
        Exchange {
            url: format!("{url}/r.git/info/refs?service=git-upload-pack"),
            content_type: None,
            accept: "application/x-git-upload-pack-advertisement",
            body: Vec::new(),
            answer: None,
        }
    }

    #[test]
    fn the_advertisement_follows_a_redirect_on_its_host_and_sends_the_token() {
        use_token(Some("s3cret")).expect("registered");
        let (url, server) = serve(vec![
            "HTTP/1.1 301 Moved Permanently\r\nLocation: /moved.git/info/refs?service=git-upload-pack".into(),
            "HTTP/1.1 200 OK\r\nContent-Type: application/x-git-upload-pack-advertisement".into(),
        ]);
        let (body, at) = get(&url).send().expect("answered");
        assert!(body.is_empty());
        assert_eq!(
            at,
            format!("{url}/moved.git/info/refs?service=git-upload-pack")
        );
        let heads = server.join().expect("server");
        assert!(
            heads[0].starts_with("GET /r.git/info/refs?service=git-upload-pack "),
            "{heads:?}"
        );
        assert!(
            heads[1].starts_with("GET /moved.git/info/refs"),
            "{heads:?}"
        );
        let basic = base64::engine::general_purpose::STANDARD.encode("x-access-token:s3cret");
        for head in &heads {
            assert!(
                head.to_ascii_lowercase().contains(&format!(
                    "authorization: basic {}",
                    basic.to_ascii_lowercase()
                )),
                "{head}"
            );
        }
    }

    #[test]
    fn refusals_and_servers_that_are_not_git_say_what_happened() {
        let (url, server) = serve(vec![
            "HTTP/1.1 301 Moved Permanently\r\nLocation: https://example.com/r.git/info/refs"
                .into(),
            "HTTP/1.1 200 OK\r\nContent-Type: text/html".into(),
            "HTTP/1.1 401 Unauthorized".into(),
            "HTTP/1.1 404 Not Found".into(),
        ]);
        let e = get(&url).send().expect_err("another host");
        assert!(
            e.message().contains("redirected to another host"),
            "{}",
            e.message()
        );
        let e = get(&url).send().expect_err("html");
        assert!(
            e.message().contains("not a git smart HTTP server"),
            "{}",
            e.message()
        );
        let e = get(&url).send().expect_err("401");
        assert_eq!(e.code(), git2::ErrorCode::Auth);
        assert!(e.message().contains("HTTP 401"), "{}", e.message());
        let e = get(&url).send().expect_err("404");
        assert!(e.message().contains("HTTP 404"), "{}", e.message());
        server.join().expect("server");
        // Nothing listens there any more.
        let e = get(&url).send().expect_err("closed");
        assert!(e.message().contains(&url), "{}", e.message());
    }

    #[test]
    fn credentials_go_over_tls_or_to_this_machine_only() {
        assert!(sends_credentials("https://github.com/o/r.git/info/refs"));
        assert!(sends_credentials("http://127.0.0.1:8080/r.git"));
        assert!(!sends_credentials("http://example.com/r.git"));
        assert!(!sends_credentials("http://127.0.0.1.example.com/r.git"));
    }

    #[test]
    fn redirects_resolve_against_the_request() {
        let from = "https://github.com/o/r.git/info/refs?service=git-upload-pack";
        assert_eq!(
            resolve(from, "/o/s.git/info/refs"),
            "https://github.com/o/s.git/info/refs"
        );
        assert_eq!(
            resolve(from, "https://example.com/x"),
            "https://example.com/x"
        );
        assert_eq!(origin(from), "https://github.com");
        assert_eq!(
            without_userinfo("https://x-access-token@github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(
            without_userinfo("https://github.com/o/r@v2.git"),
            "https://github.com/o/r@v2.git"
        );
        assert_eq!(origin("https://github.com"), "https://github.com");
    }
}
