//! What the fakes share: a loopback server on its own thread and runtime, injected faults
//! (denied operations, throttling, latency), request records, and small protocol helpers.
//!
//! Each fake runs on a dedicated thread with its own Tokio runtime, so it keeps answering while
//! a test blocks its own thread (e.g. waiting for the product binary with
//! `std::process::Command::output`) and works from sync and async tests alike. It stops when its
//! handle is dropped.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use axum::Router;

/// A running loopback server.
pub struct ServerHandle {
    url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ServerHandle {
    /// Binds 127.0.0.1 on a free port and serves `router` until dropped.
    pub fn spawn(name: &str, router: Router) -> ServerHandle {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap_or_else(|e| panic!("fake {name}: cannot bind a loopback port: {e}"));
        listener
            .set_nonblocking(true)
            .expect("set the listener non-blocking");
        let url = format!("http://{}", listener.local_addr().expect("local address"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("fake-{name}"))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("fake server runtime");
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                    tokio::select! {
                        result = axum::serve(listener, router) => {
                            if let Err(e) = result {
                                eprintln!("fake server stopped: {e}");
                            }
                        }
                        _ = rx => {}
                    }
                });
                // Dropping the runtime here cancels connections still open.
            })
            .expect("spawn the fake server thread");
        ServerHandle {
            url,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A fault a fake injects instead of answering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Injected {
    /// Answer AccessDenied; `Some` is the message to use instead of the generated one.
    Deny(Option<String>),
    Throttle,
}

/// Faults shared by the fakes. Operation names are the AWS API's (`DescribeAddon`,
/// `GetRole`, ...).
#[derive(Debug, Default)]
pub struct Faults {
    denied: BTreeMap<String, Option<String>>,
    /// Throttle this many of the next requests: per operation, and for any operation (`None`).
    throttle: BTreeMap<Option<String>, usize>,
    latency: Duration,
    per_operation_latency: BTreeMap<String, Duration>,
}

impl Faults {
    pub fn deny(&mut self, operation: &str, message: Option<String>) {
        self.denied.insert(operation.to_string(), message);
    }

    pub fn allow(&mut self, operation: &str) {
        self.denied.remove(operation);
    }

    pub fn throttle(&mut self, operation: Option<&str>, count: usize) {
        self.throttle.insert(operation.map(str::to_string), count);
    }

    pub fn set_latency(&mut self, latency: Duration) {
        self.latency = latency;
    }

    pub fn set_operation_latency(&mut self, operation: &str, latency: Duration) {
        self.per_operation_latency
            .insert(operation.to_string(), latency);
    }

    pub fn latency_for(&self, operation: &str) -> Duration {
        self.per_operation_latency
            .get(operation)
            .copied()
            .unwrap_or(self.latency)
    }

    /// The fault to inject for this request, consuming one throttle if any is pending.
    /// Denials win over throttling (a denied caller is denied however often it retries).
    pub fn take(&mut self, operation: &str) -> Option<Injected> {
        if let Some(message) = self.denied.get(operation) {
            return Some(Injected::Deny(message.clone()));
        }
        for key in [Some(operation.to_string()), None] {
            if let Some(left) = self.throttle.get_mut(&key)
                && *left > 0
            {
                *left -= 1;
                return Some(Injected::Throttle);
            }
        }
        None
    }
}

/// One request a fake received.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The AWS operation (`ListPodIdentityAssociations`, `GetRole`, ...), or `Unknown`.
    pub operation: String,
    pub method: String,
    /// The path, percent-decoded.
    pub path: String,
    /// Query string and (for the query protocols) form parameters, decoded, in order. For STS
    /// the web identity token is never kept: see `FakeSts`.
    pub params: Vec<(String, String)>,
    /// The JSON body (EKS); empty for the query protocols, whose body is in `params`.
    pub body: String,
    /// The HTTP status the fake answered with (for a forwarded request, moto's).
    pub status: u16,
    /// The error code answered, if any (`AccessDeniedException`, `Throttling`, ...).
    pub error_code: Option<String>,
    pub received: Instant,
}

impl RecordedRequest {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Request ids like AWS's (UUID-shaped), unique within the process.
pub fn request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        0x6b75_6265u32,
        (n >> 48) & 0xffff,
        (n >> 36) & 0xfff,
        (n >> 24) & 0xfff,
        n & 0xffff_ffff_ffff
    )
}

/// Deterministic pseudo-random identifiers (`AKIA...`, association ids) from a counter.
pub fn pseudo_id(prefix: &str, len: usize, alphabet: &[u8]) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0x9e37_79b9_7f4a_7c15);
    let mut x = NEXT.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed);
    let mut out = String::from(prefix);
    for _ in 0..len {
        // xorshift64*
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        let v = x.wrapping_mul(0x2545_f491_4f6c_dd1d);
        out.push(alphabet[(v >> 33) as usize % alphabet.len()] as char);
    }
    out
}

pub const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
pub const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// Decodes `application/x-www-form-urlencoded` (and query strings): `+` is a space here, as the
/// form encoding says.
pub fn parse_form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(k), form_decode(v))
        })
        .collect()
}

fn form_decode(text: &str) -> String {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// Escapes text for an XML element.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The query protocols' error document (IAM and STS answer errors in this shape).
pub fn query_error_xml(namespace: &str, kind: &str, code: &str, message: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<ErrorResponse xmlns=\"{namespace}\">\n  <Error>\n    <Type>{kind}</Type>\n    \
         <Code>{code}</Code>\n    <Message>{}</Message>\n  </Error>\n  \
         <RequestId>{}</RequestId>\n</ErrorResponse>\n",
        xml_escape(message),
        request_id()
    );
    out
}

/// Now as AWS's ISO 8601 form (`2026-11-23T18:00:00Z`), shifted by `seconds`.
pub fn iso_time_from_now(seconds: i64) -> String {
    let t = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(seconds);
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The access key id in a SigV4 `Authorization` header, if any.
pub fn access_key_of(authorization: Option<&str>) -> Option<String> {
    let auth = authorization?;
    let rest = &auth[auth.find("Credential=")? + "Credential=".len()..];
    Some(rest.split('/').next()?.to_string())
}
