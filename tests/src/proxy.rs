//! A loopback fault proxy for tests: forwards every request to the emulator and
//! answers the ones a rule matches with a canned response in AWS's real wire
//! format (for example an STS AccessDenied for one account's AssumeRole).
//! One request per connection; bounded by the test's lifetime.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, RwLock};
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
        }
    }
}

/// A running proxy.
#[derive(Debug)]
pub struct FaultProxy {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    faults: Arc<RwLock<Vec<Fault>>>,
}

impl FaultProxy {
    /// Starts a proxy in front of `upstream_port` applying `faults`.
    pub fn start(upstream_port: u16, faults: Vec<Fault>) -> std::io::Result<FaultProxy> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let faults = Arc::new(RwLock::new(faults));
        let shared = Arc::clone(&faults);
        thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let faults = Arc::clone(&shared);
                thread::spawn(move || {
                    let now = faults.read().map(|f| f.clone()).unwrap_or_default();
                    let _ = serve(conn, upstream_port, &now);
                });
            }
        });
        Ok(FaultProxy {
            url: format!("http://127.0.0.1:{port}"),
            faults,
        })
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
        }
    }
}

fn serve(conn: TcpStream, upstream_port: u16, faults: &[Fault]) -> std::io::Result<()> {
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
    if let Some(f) = faults
        .iter()
        .find(|f| f.needles.iter().all(|n| text.contains(n.as_str())))
    {
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
