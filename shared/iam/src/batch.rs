//! `aispm iam simulate --batch`: one request document per line in, one
//! answer per line out, in input order. Lines are read in chunks and
//! answered on every core; each worker keeps its own cache of prepared
//! policies ([`Policies`]), so a policy repeated across lines is parsed and
//! validated once per worker, not once per line. Memory is bounded by the
//! chunk, whatever the input's size.

use std::io::{self, BufRead, Write};

use serde::Serialize;

use crate::authorize::{Deciding, Outcome};
use crate::simulate::{Policies, Simulation};

/// Lines answered together (then written, in order).
const CHUNK: usize = 4_096;

/// How to answer a batch.
#[derive(Debug, Clone, Copy)]
pub struct BatchOptions {
    /// Add each decision's reason.
    pub explain: bool,
    /// Worker threads (1: answer on the caller's thread).
    pub threads: usize,
}

impl Default for BatchOptions {
    fn default() -> Self {
        Self {
            explain: false,
            threads: std::thread::available_parallelism().map_or(1, usize::from),
        }
    }
}

/// What a batch did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BatchReport {
    /// Requests answered (malformed ones included).
    pub requests: u64,
    /// Line numbers (1-based) of the malformed requests; their output lines
    /// hold the errors.
    pub failed: Vec<u64>,
}

#[derive(Serialize)]
struct Answer<'a> {
    decision: Outcome,
    statements: &'a [Deciding],
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct Failure<'a> {
    line: u64,
    error: &'a str,
}

/// Answers every line of `input` on `out` (see the module docs). Blank lines
/// are skipped; a malformed line gets `{"line": N, "error": ...}` and the
/// others their decisions. Only reading and writing can fail the batch.
/// While one chunk is answered, the next is read.
pub fn run(
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    opts: BatchOptions,
) -> io::Result<BatchReport> {
    let mut caches: Vec<Policies> = (0..opts.threads.max(1)).map(|_| Policies::new()).collect();
    let mut report = BatchReport::default();
    let mut n = 0u64;
    let mut pending: Vec<Worker> = Vec::new();
    loop {
        let (lines, eof) = read_chunk(input, &mut n)?;
        // The previous chunk was answered while this one was read.
        finish(&mut pending, &mut caches, out, &mut report)?;
        if !lines.is_empty() {
            report.requests += lines.len() as u64;
            start(lines, &mut caches, opts.explain, &mut pending);
        }
        if eof {
            finish(&mut pending, &mut caches, out, &mut report)?;
            return Ok(report);
        }
    }
}

/// One worker's answers (bytes and malformed line numbers), and its cache
/// back.
type Worker = std::thread::JoinHandle<(io::Result<(Vec<u8>, Vec<u64>)>, Policies)>;

/// Up to [`CHUNK`] non-blank lines, numbered; and whether the input ended.
fn read_chunk(input: &mut dyn BufRead, n: &mut u64) -> io::Result<(Vec<(u64, String)>, bool)> {
    let mut lines = Vec::with_capacity(CHUNK);
    while lines.len() < CHUNK {
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            return Ok((lines, true));
        }
        *n += 1;
        if !line.trim().is_empty() {
            lines.push((*n, line));
        }
    }
    Ok((lines, false))
}

/// Hands a chunk to as many workers as caches (fewer for a small chunk: not
/// worth a thread each), in order.
fn start(
    mut lines: Vec<(u64, String)>,
    caches: &mut Vec<Policies>,
    explain: bool,
    pending: &mut Vec<Worker>,
) {
    let workers = caches.len().min(lines.len().div_ceil(256)).max(1);
    let per = lines.len().div_ceil(workers);
    let mut parts = Vec::with_capacity(workers);
    while lines.len() > per {
        let rest = lines.split_off(per);
        parts.push(std::mem::replace(&mut lines, rest));
    }
    parts.push(lines);
    for part in parts {
        let mut cache = caches.pop().unwrap_or_default();
        pending.push(std::thread::spawn(move || {
            let r = answer_all(&part, &mut cache, explain);
            (r, cache)
        }));
    }
}

/// Waits for the pending workers, in order, and writes their answers.
fn finish(
    pending: &mut Vec<Worker>,
    caches: &mut Vec<Policies>,
    out: &mut dyn Write,
    report: &mut BatchReport,
) -> io::Result<()> {
    for w in pending.drain(..) {
        let (r, cache) = w
            .join()
            .map_err(|_| io::Error::other("a batch worker panicked"))?;
        caches.push(cache);
        let (bytes, failed) = r?;
        report.failed.extend(failed);
        out.write_all(&bytes)?;
    }
    Ok(())
}

/// Answers `lines` into one buffer, in order; returns it and the malformed
/// lines' numbers.
fn answer_all(
    lines: &[(u64, String)],
    cache: &mut Policies,
    explain: bool,
) -> io::Result<(Vec<u8>, Vec<u64>)> {
    let mut buf = Vec::with_capacity(lines.len() * 160);
    let mut failed = Vec::new();
    for (n, text) in lines {
        match Simulation::parse_with(text, cache) {
            Ok(sim) => {
                let d = sim.decide();
                let answer = Answer {
                    decision: d.decision,
                    statements: &d.statements,
                    reason: explain.then_some(&*d.reason),
                };
                serde_json::to_writer(&mut buf, &answer)?;
            }
            Err(e) => {
                failed.push(*n);
                let error = e.to_string();
                serde_json::to_writer(
                    &mut buf,
                    &Failure {
                        line: *n,
                        error: &error,
                    },
                )?;
            }
        }
        buf.push(b'\n');
    }
    Ok((buf, failed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(action: &str, policy_action: &str) -> String {
        serde_json::json!({
            "request": {"principal": "arn:aws:iam::111111111111:role/app", "action": action,
                        "resource": "arn:aws:s3:::data/x"},
            "identity_policies": [{"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": policy_action, "Resource": "*"}]}]
        })
        .to_string()
    }

    fn batch(text: &str, threads: usize) -> (String, BatchReport) {
        let mut out = Vec::new();
        let report = run(
            &mut text.as_bytes(),
            &mut out,
            BatchOptions {
                explain: false,
                threads,
            },
        )
        .unwrap();
        (String::from_utf8(out).unwrap(), report)
    }

    #[test]
    fn answers_in_order_with_located_errors_on_any_number_of_threads() {
        let mut text = String::new();
        for i in 0..10_000 {
            match i % 500 {
                7 => text.push_str("{\"request\": 1}\n"),
                9 => text.push('\n'),
                _ if i % 2 == 0 => text.push_str(&(line("s3:GetObject", "s3:Get*") + "\n")),
                _ => text.push_str(&(line("s3:PutObject", "s3:Get*") + "\n")),
            }
        }
        let (one, r1) = batch(&text, 1);
        let (four, r4) = batch(&text, 4);
        assert_eq!(one, four, "output depends on the thread count");
        assert_eq!(r1, r4);
        assert_eq!(r1.requests, 10_000 - 20);
        assert_eq!(r1.failed.len(), 20);
        assert_eq!(r1.failed[0], 8);
        let out: Vec<serde_json::Value> = one
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(out.len(), 10_000 - 20);
        assert_eq!(out[0]["decision"], "Allowed");
        assert_eq!(out[1]["decision"], "ImplicitlyDenied");
        assert_eq!(out[7]["line"], 8);
        assert!(out[7]["error"].as_str().unwrap().contains("request"));
        // line 9 (even: allowed), blank line 10 skipped, then line 11 (even)
        // and line 12 (odd: denied)
        assert_eq!(out[8]["decision"], "Allowed");
        assert_eq!(out[9]["decision"], "Allowed");
        assert_eq!(out[10]["decision"], "ImplicitlyDenied");
    }

    #[test]
    fn a_repeated_policy_is_prepared_once_per_worker() {
        let mut cache = Policies::new();
        for _ in 0..100 {
            Simulation::parse_with(&line("s3:GetObject", "s3:Get*"), &mut cache).unwrap();
        }
        assert_eq!(cache.len(), 1);
        Simulation::parse_with(&line("s3:GetObject", "s3:List*"), &mut cache).unwrap();
        assert_eq!(cache.len(), 2);
    }
}
