//! `aispm iam simulate --batch`: one request document per line in, one
//! answer per line out, in input order. The input is read in blocks of
//! whole lines, handed round-robin to one worker per core and written back
//! in order; each worker keeps its own cache of prepared policies
//! ([`Policies`]), so a policy repeated across lines is parsed and validated
//! once per worker, not once per line. Memory is bounded by the blocks in
//! flight, whatever the input's size.

use std::io::{self, Read, Write};
use std::sync::mpsc;

use serde::Serialize;

use crate::authorize::{Deciding, Outcome};
use crate::simulate::{Policies, Simulation};

/// Bytes read before a block is cut at its last newline (a longer line
/// makes a longer block).
const BLOCK: usize = 1 << 20;

/// Blocks in flight per worker.
const DEPTH: usize = 3;

/// How to answer a batch.
#[derive(Debug, Clone, Copy)]
pub struct BatchOptions {
    /// Add each decision's reason.
    pub explain: bool,
    /// Worker threads.
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

/// Whole lines, and the number of the first.
struct Block {
    first_line: u64,
    bytes: Vec<u8>,
}

/// A block's answers: output bytes, requests, malformed line numbers.
type Answers = io::Result<(Vec<u8>, u64, Vec<u64>)>;

/// Answers every line of `input` on `out` (see the module docs). Blank lines
/// are skipped; a malformed line (not UTF-8, not JSON, not a valid request)
/// gets `{"line": N, "error": ...}` and the others their decisions. Only
/// reading and writing can fail the batch.
pub fn run<R: Read + ?Sized>(
    input: &mut R,
    out: &mut dyn Write,
    opts: BatchOptions,
) -> io::Result<BatchReport> {
    let threads = opts.threads.max(1);
    std::thread::scope(|scope| {
        let mut to_workers = Vec::with_capacity(threads);
        let mut from_workers = Vec::with_capacity(threads);
        let mut spare_out = Vec::with_capacity(threads);
        for _ in 0..threads {
            let (tx, rx) = mpsc::channel::<Block>();
            let (answers_tx, answers_rx) = mpsc::channel::<Done>();
            // Output buffers come back once written (no big allocation and
            // free per block).
            let (spare_tx, spare_rx) = mpsc::channel::<Vec<u8>>();
            scope.spawn(move || {
                let mut cache = Policies::new();
                for block in rx {
                    let buf = spare_rx.try_recv().unwrap_or_default();
                    let answers = answer_block(&block, buf, &mut cache, opts.explain);
                    if answers_tx.send((answers, block.bytes)).is_err() {
                        return;
                    }
                }
            });
            to_workers.push(tx);
            from_workers.push(answers_rx);
            spare_out.push(spare_tx);
        }
        let mut report = BatchReport::default();
        let mut writer = InOrder {
            from_workers: &from_workers,
            spare_out: &spare_out,
            spare_in: Vec::new(),
            next: 0,
            out,
            report: &mut report,
        };
        let mut reader = Blocks::default();
        let mut sent = 0usize;
        while let Some(block) = reader.next(input, &mut writer.spare_in)? {
            // Bounded: wait for the oldest answers before reading far ahead.
            while sent - writer.next >= threads * DEPTH {
                writer.write_next()?;
            }
            let worker = to_workers
                .get(sent % threads)
                .ok_or_else(|| io::Error::other("no batch worker"))?;
            worker
                .send(block)
                .map_err(|_| io::Error::other("a batch worker stopped"))?;
            sent += 1;
        }
        drop(to_workers);
        while writer.next < sent {
            writer.write_next()?;
        }
        Ok(report)
    })
}

/// A block's answers, and its input buffer back for the next block.
type Done = (Answers, Vec<u8>);

/// Writes the workers' answers in block order.
struct InOrder<'a> {
    from_workers: &'a [mpsc::Receiver<Done>],
    spare_out: &'a [mpsc::Sender<Vec<u8>>],
    /// Input buffers to read the next blocks into.
    spare_in: Vec<Vec<u8>>,
    next: usize,
    out: &'a mut dyn Write,
    report: &'a mut BatchReport,
}

impl InOrder<'_> {
    fn write_next(&mut self) -> io::Result<()> {
        let worker = self.next % self.from_workers.len();
        let rx = self
            .from_workers
            .get(worker)
            .ok_or_else(|| io::Error::other("no batch worker"))?;
        let (answers, input) = rx
            .recv()
            .map_err(|_| io::Error::other("a batch worker stopped"))?;
        let (mut bytes, requests, failed) = answers?;
        self.report.requests += requests;
        self.report.failed.extend(failed);
        self.out.write_all(&bytes)?;
        self.next += 1;
        self.spare_in.push(input);
        bytes.clear();
        if let Some(tx) = self.spare_out.get(worker) {
            // A worker that has stopped needs no buffer.
            let _ = tx.send(bytes);
        }
        Ok(())
    }
}

/// Cuts the input into blocks of whole lines.
#[derive(Default)]
struct Blocks {
    /// Read but not yet handed out (the start of a line).
    carry: Vec<u8>,
    /// Lines handed out so far.
    lines: u64,
    done: bool,
}

impl Blocks {
    /// The next block, read into a spare buffer if there is one.
    fn next<R: Read + ?Sized>(
        &mut self,
        input: &mut R,
        spare: &mut Vec<Vec<u8>>,
    ) -> io::Result<Option<Block>> {
        let mut bytes = spare.pop().unwrap_or_default();
        bytes.clear();
        bytes.extend_from_slice(&self.carry);
        self.carry.clear();
        while !self.done && bytes.len() < BLOCK {
            let want = BLOCK - bytes.len();
            self.fill(input, &mut bytes, want)?;
        }
        // Cut after the last newline; a line longer than a block is read on
        // until its end.
        let mut searched = 0;
        let cut = loop {
            if let Some(i) = bytes
                .get(searched..)
                .and_then(|b| memchr::memrchr(b'\n', b))
            {
                break searched + i + 1;
            }
            if self.done {
                break bytes.len();
            }
            searched = bytes.len();
            self.fill(input, &mut bytes, BLOCK)?;
        };
        self.carry
            .extend_from_slice(bytes.get(cut..).unwrap_or_default());
        bytes.truncate(cut);
        if bytes.is_empty() {
            return Ok(None);
        }
        let first_line = self.lines + 1;
        self.lines += memchr::memchr_iter(b'\n', &bytes).count() as u64;
        Ok(Some(Block { first_line, bytes }))
    }

    /// Reads up to `want` more bytes onto `bytes`.
    fn fill<R: Read + ?Sized>(
        &mut self,
        input: &mut R,
        bytes: &mut Vec<u8>,
        want: usize,
    ) -> io::Result<()> {
        // `take` stops short only at the end of the input.
        let want = u64::try_from(want).unwrap_or(u64::MAX);
        let n = (&mut *input).take(want).read_to_end(bytes)?;
        self.done = (n as u64) < want;
        Ok(())
    }
}

/// Answers a block's lines into one buffer, in order.
fn answer_block(block: &Block, mut buf: Vec<u8>, cache: &mut Policies, explain: bool) -> Answers {
    buf.reserve(block.bytes.len() / 8);
    let mut failed = Vec::new();
    let mut requests = 0;
    let mut start = 0;
    let bytes = block.bytes.as_slice();
    let ends =
        memchr::memchr_iter(b'\n', bytes).chain((!bytes.ends_with(b"\n")).then_some(bytes.len()));
    for (line, end) in (block.first_line..).zip(ends) {
        let raw = bytes.get(start..end).unwrap_or_default();
        start = end + 1;
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        requests += 1;
        let answer = match std::str::from_utf8(raw) {
            Ok(text) => Simulation::parse_with(text, cache).map_err(|e| e.to_string()),
            Err(e) => Err(format!("the line is not UTF-8 text ({e})")),
        };
        match answer {
            Ok(sim) => {
                let d = sim.decide();
                let answer = Answer {
                    decision: d.decision,
                    statements: &d.statements,
                    reason: explain.then_some(&*d.reason),
                };
                serde_json::to_writer(&mut buf, &answer)?;
            }
            Err(error) => {
                failed.push(line);
                serde_json::to_writer(
                    &mut buf,
                    &Failure {
                        line,
                        error: &error,
                    },
                )?;
            }
        }
        buf.push(b'\n');
    }
    Ok((buf, requests, failed))
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
    fn long_lines_crlf_a_last_line_without_newline_and_bytes_that_are_not_utf8() {
        let long = serde_json::json!({
            "request": {"principal": "arn:aws:iam::111111111111:role/app", "action": "s3:GetObject",
                        "resource": "arn:aws:s3:::data/x"},
            "identity_policies": [{"Version": "2012-10-17", "Statement": [
                {"Sid": "x".repeat(3 * BLOCK), "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}]
        })
        .to_string();
        let mut text = Vec::new();
        for _ in 0..3 {
            text.extend_from_slice(line("s3:GetObject", "s3:Get*").as_bytes());
            text.extend_from_slice(b"\r\n");
        }
        text.extend_from_slice(long.as_bytes());
        text.push(b'\n');
        text.extend_from_slice(b"{\"request\": \"\xff\"}\n");
        text.extend_from_slice(line("s3:PutObject", "s3:Get*").as_bytes());
        for threads in [1, 3] {
            let mut out = Vec::new();
            let report = run(
                &mut text.as_slice(),
                &mut out,
                BatchOptions {
                    explain: false,
                    threads,
                },
            )
            .unwrap();
            assert_eq!(report.requests, 6);
            assert_eq!(report.failed, vec![5]);
            let out: Vec<serde_json::Value> = String::from_utf8(out)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            let decisions: Vec<&str> = out
                .iter()
                .map(|v| v["decision"].as_str().unwrap_or("-"))
                .collect();
            assert_eq!(
                decisions,
                [
                    "Allowed",
                    "Allowed",
                    "Allowed",
                    "Allowed",
                    "-",
                    "ImplicitlyDenied"
                ]
            );
            assert_eq!(out[4]["line"], 5);
            assert!(out[4]["error"].as_str().unwrap().contains("not UTF-8"));
        }
    }

    /// What one line should produce, answered alone with a fresh cache.
    fn alone(n: u64, text: &str) -> serde_json::Value {
        match Simulation::parse(text) {
            Ok(sim) => {
                let d = sim.decide();
                serde_json::to_value(Answer {
                    decision: d.decision,
                    statements: &d.statements,
                    reason: None,
                })
                .unwrap()
            }
            Err(e) => serde_json::json!({"line": n, "error": e.to_string()}),
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Whatever mix of repeated, new and broken lines, on any number of
        /// workers: every answer is the one the line gets alone.
        #[test]
        fn every_line_is_answered_as_it_would_be_alone(
            picks in proptest::collection::vec((0usize..4, 0usize..6, 0usize..3), 1..120),
            threads in 1usize..4,
        ) {
            let requests = [
                r#"{"principal": "arn:aws:iam::111111111111:role/app", "action": "s3:GetObject", "resource": "arn:aws:s3:::data/x"}"#,
                r#"{"principal": "arn:aws:iam::111111111111:role/app", "action": "s3:PutObject", "resource": "arn:aws:s3:::data/x"}"#,
                r#"{"principal": "arn:aws:iam::222222222222:user/bob", "action": "sts:AssumeRole", "resource": "arn:aws:iam::111111111111:role/app"}"#,
                r#"{"principal": "bad", "action": "s3:GetObject", "resource": "*"}"#,
            ];
            let allow = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "sts:*"], "Resource": "*"}]}"#;
            let trust = r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "sts:AssumeRole"}]}"#;
            let rests = [
                format!(r#", "identity_policies": [{allow}]}}"#),
                format!(r#", "identity_policies": [{allow}], "resource_policy": {trust}}}"#),
                format!(r#", "identity_policies": [{allow}], "rcps": [[{trust}]]}}"#),
                format!(r#", "identity_policies": [{allow}, 7]}}"#),
                r#", "identity_policies": []}"#.to_owned(),
                r#", "identity_policies": [}"#.to_owned(),
            ];
            let mut text = String::new();
            let mut expected = Vec::new();
            let mut n = 0u64;
            for (q, r, sep) in picks {
                n += 1;
                let line = format!(r#"{{"request": {}{}"#, requests[q], rests[r]);
                expected.push(alone(n, &line));
                text.push_str(&line);
                text.push_str(["\n", "\r\n", "\n\n"][sep]);
                if sep == 2 {
                    n += 1;
                }
            }
            let mut out = Vec::new();
            let report = run(&mut text.as_bytes(), &mut out, BatchOptions { explain: false, threads }).unwrap();
            let got: Vec<serde_json::Value> = String::from_utf8(out)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            proptest::prop_assert_eq!(report.requests as usize, expected.len());
            proptest::prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn a_repeated_policy_is_prepared_once_per_worker() {
        let mut cache = Policies::new();
        Simulation::parse_with(&line("s3:GetObject", "s3:Get*"), &mut cache).unwrap();
        assert_eq!(cache.len(), 0, "kept from the second sighting on");
        for _ in 0..100 {
            Simulation::parse_with(&line("s3:GetObject", "s3:Get*"), &mut cache).unwrap();
        }
        assert_eq!(cache.len(), 1);
        Simulation::parse_with(&line("s3:GetObject", "s3:List*"), &mut cache).unwrap();
        Simulation::parse_with(&line("s3:GetObject", "s3:List*"), &mut cache).unwrap();
        assert_eq!(cache.len(), 2);
    }
}
