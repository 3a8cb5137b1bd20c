//! The AWS Lambda Runtime API, served on 127.0.0.1 for tests: a function's
//! compiled binary is started with `AWS_LAMBDA_RUNTIME_API` pointing here,
//! polls `/runtime/invocation/next` for the events queued with
//! [`RuntimeApi::invoke`], and posts its responses (or errors) back, exactly as
//! in Lambda. HTTP/1.1 with keep-alive, one thread per connection.

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// What a function answered to one invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `/response` body.
    Response(String),
    /// `/error` body.
    Error(String),
}

#[derive(Default)]
struct State {
    queue: VecDeque<(String, String)>,
    outcomes: BTreeMap<String, Outcome>,
    first_request: Option<Instant>,
    init_error: Option<String>,
    next_id: u64,
}

/// A running Runtime API endpoint.
pub struct RuntimeApi {
    /// `127.0.0.1:PORT`, the value of `AWS_LAMBDA_RUNTIME_API`.
    pub address: String,
    state: Arc<(Mutex<State>, Condvar)>,
}

impl RuntimeApi {
    /// Starts serving on a free port.
    pub fn start() -> Result<RuntimeApi> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let address = listener.local_addr()?.to_string();
        let state: Arc<(Mutex<State>, Condvar)> = Arc::default();
        let st = state.clone();
        thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let st = st.clone();
                thread::spawn(move || {
                    let _ = serve(conn, &st);
                });
            }
        });
        Ok(RuntimeApi { address, state })
    }

    /// Queues an event; returns its request id.
    pub fn invoke(&self, event: &str) -> String {
        let (lock, cv) = &*self.state;
        let mut s = lock.lock().unwrap_or_else(|e| e.into_inner());
        s.next_id += 1;
        let id = format!("req-{:04}", s.next_id);
        s.queue.push_back((id.clone(), event.to_owned()));
        cv.notify_all();
        id
    }

    /// Waits for the outcome of one request.
    pub fn outcome(&self, id: &str, limit: Duration) -> Result<Outcome> {
        let (lock, cv) = &*self.state;
        let deadline = Instant::now() + limit;
        let mut s = lock.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(o) = s.outcomes.get(id) {
                return Ok(o.clone());
            }
            if let Some(e) = &s.init_error {
                bail!("function failed to initialise: {e}");
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                bail!("no answer to {id} within {} s", limit.as_secs());
            }
            s = cv
                .wait_timeout(s, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// When the function first asked for an event.
    pub fn first_request(&self) -> Option<Instant> {
        self.state.0.lock().ok().and_then(|s| s.first_request)
    }
}

fn serve(conn: TcpStream, state: &Arc<(Mutex<State>, Condvar)>) -> Result<()> {
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut writer = conn;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap_or_default().to_owned(),
            parts.next().unwrap_or_default().to_owned(),
        );
        let mut length = 0usize;
        loop {
            let mut h = String::new();
            reader.read_line(&mut h)?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().context("content-length")?;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let body = String::from_utf8_lossy(&body).into_owned();
        let (lock, cv) = &**state;
        if method == "GET" && path.ends_with("/runtime/invocation/next") {
            let (id, event) = {
                let mut s = lock.lock().unwrap_or_else(|e| e.into_inner());
                s.first_request.get_or_insert_with(Instant::now);
                cv.notify_all();
                loop {
                    if let Some(next) = s.queue.pop_front() {
                        break next;
                    }
                    s = cv.wait(s).unwrap_or_else(|e| e.into_inner());
                }
            };
            let deadline = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() + 300_000)
                .unwrap_or_default();
            write!(
                writer,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: {id}\r\nLambda-Runtime-Deadline-Ms: {deadline}\r\nLambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:aispm-test\r\nLambda-Runtime-Trace-Id: Root=1-00000000-000000000000000000000000\r\nContent-Length: {}\r\n\r\n{event}",
                event.len()
            )?;
        } else if method == "POST" {
            let segments: Vec<&str> = path.split('/').collect();
            {
                let mut s = lock.lock().unwrap_or_else(|e| e.into_inner());
                match segments.as_slice() {
                    [.., "invocation", id, "response"] => {
                        s.outcomes.insert((*id).to_owned(), Outcome::Response(body));
                    }
                    [.., "invocation", id, "error"] => {
                        s.outcomes.insert((*id).to_owned(), Outcome::Error(body));
                    }
                    [.., "init", "error"] => s.init_error = Some(body),
                    _ => {}
                }
                cv.notify_all();
            }
            let ok = "{\"status\":\"OK\"}";
            write!(
                writer,
                "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{ok}",
                ok.len()
            )?;
        } else {
            write!(
                writer,
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
            )?;
        }
        writer.flush()?;
    }
}

/// A function binary running against a [`RuntimeApi`].
pub struct Function {
    /// The process.
    pub child: Child,
    /// When it was started.
    pub started: Instant,
    /// Its Runtime API.
    pub api: RuntimeApi,
    /// Where its stdout and stderr go.
    pub log_path: std::path::PathBuf,
}

impl Function {
    /// Starts `binary` with the Lambda environment plus `env`.
    pub fn start(binary: &str, name: &str, env: &[(&str, &str)]) -> Result<Function> {
        let api = RuntimeApi::start()?;
        let log_path = std::env::temp_dir().join(format!(
            "aispm-{name}-{}-{}.log",
            std::process::id(),
            api.address.replace([':', '.'], "-")
        ));
        let log = std::fs::File::create(&log_path)?;
        let mut cmd = Command::new(binary);
        cmd.env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", &api.address)
            .env("AWS_LAMBDA_FUNCTION_NAME", name)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "test")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdout(std::process::Stdio::from(log.try_clone()?))
            .stderr(std::process::Stdio::from(log));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let started = Instant::now();
        let child = cmd.spawn().with_context(|| format!("start {binary}"))?;
        Ok(Function {
            child,
            started,
            api,
            log_path,
        })
    }

    /// Milliseconds from process start to its first Runtime API request.
    pub fn init_ms(&self, limit: Duration) -> Result<f64> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(t) = self.api.first_request() {
                return Ok(t.duration_since(self.started).as_secs_f64() * 1000.0);
            }
            if Instant::now() > deadline {
                bail!("the function never asked for an event");
            }
            thread::sleep(Duration::from_millis(1));
        }
    }

    /// Peak resident memory so far, in KiB (Linux `VmHWM`).
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    }

    /// Stops the process; returns what it logged (stdout and stderr).
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let out = std::fs::read_to_string(&self.log_path).unwrap_or_default();
        let _ = std::fs::remove_file(&self.log_path);
        out
    }
}
