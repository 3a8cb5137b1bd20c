//! Starts the project's moto server for a test binary and stops it by PID.
//!
//! [`Emulator::shared`] starts one server per test binary, on a free 127.0.0.1
//! port, through `tests/emulator/moto.sh` (which creates the virtualenv when it
//! is missing). The script's watchdog stops the server when the test process
//! exits, so nothing depends on a server started by hand and nothing outlives
//! the tests.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// A running moto server.
#[derive(Debug)]
pub struct Emulator {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The port.
    pub port: u16,
    /// The server's process id.
    pub pid: u32,
}

/// The emulator directory, `tests/emulator`.
pub fn emulator_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("emulator")
}

impl Emulator {
    /// Starts a new server, stopped when this process exits (or by [`Emulator::stop`]).
    pub fn start() -> Result<Emulator> {
        let script = emulator_dir().join("moto.sh");
        let out = Command::new("bash")
            .arg(&script)
            .arg("start")
            .arg("--watch")
            .arg(std::process::id().to_string())
            .output()
            .with_context(|| format!("running {}", script.display()))?;
        if !out.status.success() {
            bail!(
                "moto.sh start failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let mut parts = text.split_whitespace();
        let port: u16 = parts.next().context("no port from moto.sh")?.parse()?;
        let pid: u32 = parts.next().context("no pid from moto.sh")?.parse()?;
        let emu = Emulator {
            url: format!("http://127.0.0.1:{port}"),
            port,
            pid,
        };
        emu.wait_ready(Duration::from_secs(30))?;
        Ok(emu)
    }

    /// The one server of this test binary. Panics when it cannot start: every
    /// test that asks for it needs it.
    #[expect(
        clippy::panic,
        reason = "test support: a missing emulator fails the test run"
    )]
    pub fn shared() -> &'static Emulator {
        static EMU: OnceLock<Emulator> = OnceLock::new();
        EMU.get_or_init(|| match Emulator::start() {
            Ok(e) => e,
            Err(e) => panic!("cannot start the emulator: {e:#}"),
        })
    }

    /// Waits until the server answers HTTP.
    pub fn wait_ready(&self, limit: Duration) -> Result<()> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let req = "GET /moto-api/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
                if s.write_all(req.as_bytes()).is_ok() {
                    let mut buf = [0u8; 12];
                    if s.read_exact(&mut buf).is_ok() && buf.starts_with(b"HTTP/1.") {
                        return Ok(());
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!("moto on port {} did not answer within {limit:?}", self.port)
    }

    /// Sets moto's configuration (`POST /moto-api/config`), e.g.
    /// `{"lambda": {"use_docker": false}}`: functions created afterwards are
    /// invoked without Docker and answer their event back.
    pub fn configure(&self, config: &str) -> Result<()> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port))?;
        s.set_read_timeout(Some(Duration::from_secs(10)))?;
        let req = format!(
            "POST /moto-api/config HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{config}",
            config.len()
        );
        s.write_all(req.as_bytes())?;
        let mut answer = String::new();
        s.read_to_string(&mut answer)?;
        if !answer.starts_with("HTTP/1.1 20") && !answer.starts_with("HTTP/1.0 20") {
            bail!("moto refused the configuration: {answer}");
        }
        Ok(())
    }

    /// Stops the server.
    pub fn stop(&self) {
        let _ = Command::new("kill").arg(self.pid.to_string()).status();
    }
}
