//! A loopback fault proxy for tests: forwards every request to the emulator and
//! answers the ones a rule matches with a canned response in AWS's real wire
//! format (for example an STS AccessDenied for one account's AssumeRole).
//! One request per connection; bounded by the test's lifetime.
//!
//! [`FaultProxy::start_random`] adds AWS's bad minutes: a seeded share of
//! requests is throttled, answered with a 500 error document, or dropped
//! without an answer (a reset), each in the wire format of the request's
//! protocol (JSON, query, REST-XML for S3, REST-JSON). Which requests fail
//! depends only on the seed, the request's method, path and body, and how
//! many identical requests came before: not on timing or order.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, RwLock};
use std::thread;

/// A canned answer for requests whose head or body contains `needle`.
#[derive(Debug, Clone)]
pub struct Fault {
    /// Substrings of the request (head and body) that together trigger the fault.
    pub needles: Vec<String>,
    /// HTTP status.
    pub status: u16,
    /// Content-Type of the body.
    pub content_type: String,
    /// Response body.
    pub body: String,
    /// Once this fault has answered, these replace the faults with the same
    /// needles (or come first, when none has them): the service's state
    /// changed, as the call answered would change it (an update followed by
    /// reads that see it).
    pub then: Vec<Fault>,
}

impl Fault {
    /// An STS `AccessDenied` for AssumeRole into `account`.
    pub fn deny_assume_role(account: &str) -> Fault {
        Fault {
            needles: vec![
                "Action=AssumeRole".to_owned(),
                format!("RoleArn=arn%3Aaws%3Aiam%3A%3A{account}%3Arole"),
            ],
            status: 403,
            content_type: "text/xml".to_owned(),
            body: format!(
                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/aispm is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{account}:role/aispm-scanner</Message></Error><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>"
            ),
            then: Vec::new(),
        }
    }
}

impl Fault {
    /// A JSON-protocol error (`__type` and message) for requests whose
    /// `X-Amz-Target` names `target`, e.g. `SageMaker.ListNotebookInstances`.
    pub fn json_error(target: &str, status: u16, error_type: &str, message: &str) -> Fault {
        Fault {
            needles: vec![target.to_owned()],
            status,
            content_type: "application/x-amz-json-1.1".to_owned(),
            body: format!("{{\"__type\":\"{error_type}\",\"message\":\"{message}\"}}"),
            then: Vec::new(),
        }
    }
}

/// Shares of requests that fail at random (0.0 to 1.0), with a seed.
#[derive(Debug, Clone, Copy)]
pub struct RandomFaults {
    /// Picks which requests fail.
    pub seed: u64,
    /// Answered with the protocol's throttling error.
    pub throttle: f64,
    /// Answered with a 500 and an AWS error document.
    pub server_error: f64,
    /// Closed without an answer.
    pub reset: f64,
}

/// What the proxy did, for the test's report.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FaultCounts {
    /// Requests seen.
    pub requests: u64,
    /// Throttled.
    pub throttled: u64,
    /// Answered with a 500.
    pub server_errors: u64,
    /// Dropped.
    pub resets: u64,
}

#[derive(Debug, Default)]
struct Chaos {
    faults: Option<RandomFaults>,
    seen: HashMap<u64, u64>,
    counts: FaultCounts,
}

/// A running proxy.
#[derive(Debug)]
pub struct FaultProxy {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    faults: Arc<RwLock<Vec<Fault>>>,
    chaos: Arc<Mutex<Chaos>>,
}

impl FaultProxy {
    /// Starts a proxy in front of `upstream_port` applying `faults`.
    pub fn start(upstream_port: u16, faults: Vec<Fault>) -> std::io::Result<FaultProxy> {
        Self::start_with(upstream_port, faults, None)
    }

    /// Starts a proxy in front of `upstream_port` that fails a seeded share
    /// of requests (see the module docs).
    pub fn start_random(upstream_port: u16, random: RandomFaults) -> std::io::Result<FaultProxy> {
        Self::start_with(upstream_port, Vec::new(), Some(random))
    }

    fn start_with(
        upstream_port: u16,
        faults: Vec<Fault>,
        random: Option<RandomFaults>,
    ) -> std::io::Result<FaultProxy> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let faults = Arc::new(RwLock::new(faults));
        let chaos = Arc::new(Mutex::new(Chaos {
            faults: random,
            ..Chaos::default()
        }));
        let shared = Arc::clone(&faults);
        let shared_chaos = Arc::clone(&chaos);
        thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let faults = Arc::clone(&shared);
                let chaos = Arc::clone(&shared_chaos);
                thread::spawn(move || {
                    let _ = serve(conn, upstream_port, &faults, &chaos);
                });
            }
        });
        Ok(FaultProxy {
            url: format!("http://127.0.0.1:{port}"),
            faults,
            chaos,
        })
    }

    /// What the random faults did so far.
    pub fn counts(&self) -> FaultCounts {
        self.chaos.lock().map(|c| c.counts).unwrap_or_default()
    }

    /// Answers later requests with `faults` instead (the service's state
    /// changed, as an API call would change it).
    pub fn set(&self, faults: Vec<Fault>) {
        if let Ok(mut f) = self.faults.write() {
            *f = faults;
        }
    }
}

impl Fault {
    /// A `200` JSON answer for requests containing every needle (REST-JSON
    /// paths such as `GET /agents/ID`, or a JSON-protocol `X-Amz-Target`).
    pub fn ok_json(needles: &[&str], body: impl Into<String>) -> Fault {
        Fault {
            needles: needles.iter().map(|s| (*s).to_owned()).collect(),
            status: 200,
            content_type: "application/json".to_owned(),
            body: body.into(),
            then: Vec::new(),
        }
    }

    /// No answer at all for requests containing every needle: the
    /// connection is held open for two minutes (a service that hangs).
    /// Marked by status 0.
    pub fn hang(needles: &[&str]) -> Fault {
        Fault {
            needles: needles.iter().map(|s| (*s).to_owned()).collect(),
            status: 0,
            content_type: String::new(),
            body: String::new(),
            then: Vec::new(),
        }
    }

    /// A REST-JSON `404 ResourceNotFoundException` (Bedrock's answer for a
    /// resource that is gone).
    pub fn rest_not_found(needles: &[&str]) -> Fault {
        Fault {
            needles: needles.iter().map(|s| (*s).to_owned()).collect(),
            status: 404,
            content_type: "application/json".to_owned(),
            body: r#"{"__type":"ResourceNotFoundException","message":"Resource not found"}"#
                .to_owned(),
            then: Vec::new(),
        }
    }
}

/// What a random fault does to one request.
enum Chaotic {
    Pass,
    Throttle,
    ServerError,
    Reset,
}

/// FNV-1a: stable across runs and Rust versions.
fn fnv(bytes: &[u8], mut h: u64) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn decide(chaos: &Mutex<Chaos>, request_line: &str, body: &[u8]) -> Chaotic {
    let Ok(mut c) = chaos.lock() else {
        return Chaotic::Pass;
    };
    let Some(r) = c.faults else {
        return Chaotic::Pass;
    };
    let key = fnv(body, fnv(request_line.as_bytes(), 0xcbf2_9ce4_8422_2325));
    let n = {
        let e = c.seen.entry(key).or_insert(0);
        *e += 1;
        *e
    };
    let h = fnv(&n.to_le_bytes(), fnv(&r.seed.to_le_bytes(), key));
    // 53 random bits as a number in [0, 1).
    let x = (h >> 11) as f64 / (1u64 << 53) as f64;
    c.counts.requests += 1;
    if x < r.throttle {
        c.counts.throttled += 1;
        Chaotic::Throttle
    } else if x < r.throttle + r.server_error {
        c.counts.server_errors += 1;
        Chaotic::ServerError
    } else if x < r.throttle + r.server_error + r.reset {
        c.counts.resets += 1;
        Chaotic::Reset
    } else {
        Chaotic::Pass
    }
}

/// The signing service of a request (`Credential=KEY/DATE/REGION/SERVICE/...`).
fn service_of(head: &str) -> String {
    head.split("Credential=")
        .nth(1)
        .and_then(|c| c.split('/').nth(3))
        .unwrap_or_default()
        .to_owned()
}

/// The protocol-shaped error for a random fault: (status, headers, body).
fn chaos_answer(head: &str, throttle: bool) -> (u16, String, String) {
    let lower = head.to_ascii_lowercase();
    let service = service_of(head);
    let (json_code, query_code, s3_code, status) = if throttle {
        ("ThrottlingException", "Throttling", "SlowDown", 400)
    } else {
        ("InternalFailure", "InternalFailure", "InternalError", 500)
    };
    if lower.contains("x-amz-target:") {
        return (
            status,
            "Content-Type: application/x-amz-json-1.1\r\n".to_owned(),
            format!("{{\"__type\":\"{json_code}\",\"message\":\"injected by the fault proxy\"}}"),
        );
    }
    if service == "s3" {
        return (
            if throttle { 503 } else { 500 },
            "Content-Type: application/xml\r\n".to_owned(),
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{s3_code}</Code><Message>injected by the fault proxy</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>"
            ),
        );
    }
    if service == "ec2" {
        // EC2's own Query dialect: `Response/Errors/Error`, throttling as
        // `RequestLimitExceeded`.
        return (
            if throttle { 503 } else { 500 },
            "Content-Type: text/xml\r\n".to_owned(),
            format!(
                "<Response><Errors><Error><Code>{}</Code><Message>injected by the fault proxy</Message></Error></Errors><RequestID>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestID></Response>",
                if throttle {
                    "RequestLimitExceeded"
                } else {
                    "InternalError"
                }
            ),
        );
    }
    if lower.contains("content-type: application/x-www-form-urlencoded") {
        return (
            status,
            "Content-Type: text/xml\r\n".to_owned(),
            format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{query_code}</Code><Message>injected by the fault proxy</Message></Error><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>"
            ),
        );
    }
    // REST-JSON (Bedrock, Lambda, S3 Vectors): the code travels in a header.
    (
        if throttle { 429 } else { 500 },
        format!(
            "Content-Type: application/json\r\nx-amzn-ErrorType: {}\r\n",
            if throttle {
                "ThrottlingException"
            } else {
                "InternalServerException"
            }
        ),
        "{\"message\":\"injected by the fault proxy\"}".to_owned(),
    )
}

fn serve(
    conn: TcpStream,
    upstream_port: u16,
    shared: &RwLock<Vec<Fault>>,
    chaos: &Mutex<Chaos>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut head = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        if line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("connection:") {
            continue;
        }
        head.push(line);
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body)?;
    let text = format!("{}{}", head.concat(), String::from_utf8_lossy(&body));
    let mut out = conn;
    let faults = shared.read().map(|f| f.clone()).unwrap_or_default();
    if let Some(f) = faults
        .iter()
        .find(|f| f.needles.iter().all(|n| text.contains(n.as_str())))
    {
        if !f.then.is_empty()
            && let Ok(mut now) = shared.write()
        {
            for next in &f.then {
                match now.iter_mut().find(|g| g.needles == next.needles) {
                    Some(g) => *g = next.clone(),
                    None => now.insert(0, next.clone()),
                }
            }
        }
        if f.status == 0 {
            thread::sleep(std::time::Duration::from_secs(120));
            return Ok(());
        }
        let resp = format!(
            "HTTP/1.1 {} Fault\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
            f.status,
            f.content_type,
            f.body.len(),
            f.body
        );
        out.write_all(resp.as_bytes())?;
        return Ok(());
    }
    let request_line = head.first().cloned().unwrap_or_default();
    match decide(chaos, &request_line, &body) {
        Chaotic::Pass => {}
        Chaotic::Reset => {
            // Dropped before the service saw it: the client gets no answer.
            let _ = out.shutdown(std::net::Shutdown::Both);
            return Ok(());
        }
        c @ (Chaotic::Throttle | Chaotic::ServerError) => {
            let (status, headers, body) =
                chaos_answer(&head.concat(), matches!(c, Chaotic::Throttle));
            let resp = format!(
                "HTTP/1.1 {status} Fault\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            out.write_all(resp.as_bytes())?;
            return Ok(());
        }
    }
    let mut up = TcpStream::connect(("127.0.0.1", upstream_port))?;
    up.write_all(head.concat().as_bytes())?;
    up.write_all(b"Connection: close\r\n\r\n")?;
    up.write_all(&body)?;
    let mut resp = Vec::new();
    up.read_to_end(&mut resp)?;
    // Tell the client this connection ends here, so it never reuses it.
    let has_close = String::from_utf8_lossy(&resp)
        .split("\r\n\r\n")
        .next()
        .is_some_and(|h| h.to_ascii_lowercase().contains("connection: close"));
    match resp.windows(2).position(|w| w == b"\r\n") {
        Some(i) if !has_close => {
            out.write_all(&resp[..i + 2])?;
            out.write_all(b"Connection: close\r\n")?;
            out.write_all(&resp[i + 2..])?;
        }
        _ => out.write_all(&resp)?,
    }
    Ok(())
}
