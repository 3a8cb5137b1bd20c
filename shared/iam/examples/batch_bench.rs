//! Generates `iam simulate --batch` inputs and measures the batch path
//! (`aispm_iam::batch::run`, what the command runs after opening the file):
//!
//! ```sh
//! cargo run --release -p aispm-iam --example batch_bench -- [LINES]
//! cargo run --release -p aispm-iam --example batch_bench -- LINES --write FILE [--repeated]
//! cargo run --release -p aispm-iam --example batch_bench -- --file FILE
//! ```
//!
//! Two files of LINES requests (default 30,000), ~2.6 KB each: one whose
//! policies differ on every line (a distinct statement id and resource),
//! one where four sets of policies repeat across lines (the common case).
//! Each request carries three identity policies (two statements, one with
//! conditions), a resource policy, a permission boundary, two SCP levels
//! and an RCP level, after its request. Prints requests per second for each, on every core and
//! on one. `--write FILE` streams LINES varied requests (or, with
//! `--repeated`, repeating ones) to FILE instead;
//! `--file FILE` streams a file through the batch path and prints its rate
//! and the process's peak resident memory.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benchmark tool over generated input"
)]

use std::time::Instant;

/// The allocator of the `aispm` binary, so that the figures are the
/// command's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use aispm_iam::batch::{BatchOptions, run};
use serde_json::{Value, json};

fn identity(i: usize, salt: usize) -> Value {
    let services = ["s3", "sagemaker", "bedrock", "kms", "secretsmanager"];
    let statements: Vec<Value> = (0..2)
        .map(|j| {
            let mut st = json!({
                "Sid": format!("S{salt}x{i}x{j}"),
                "Effect": if j == 1 && i == 2 { "Deny" } else { "Allow" },
                "Action": [format!("{}:Get*", services[(i + j) % 5]), format!("{}:List*", services[(i + j + 1) % 5])],
                "Resource": format!("arn:aws:s3:::bucket-{salt}-{i}-{j}/*"),
            });
            if j % 2 == 0 {
                st["Condition"] = json!({"StringEquals": {"aws:PrincipalTag/team": ["ml", "data"]},
                                          "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}});
            }
            st
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn line(n: usize, distinct: bool) -> String {
    let salt = if distinct { n } else { n % 4 };
    let allow = json!({"Version": "2012-10-17", "Statement": [{"Sid": format!("P{salt}"), "Effect": "Allow",
        "Action": "*", "Resource": "*"}]});
    let request = json!({
        "principal": "arn:aws:iam::111111111111:role/app",
        "action": if n.is_multiple_of(3) { "s3:GetObject" } else { "s3:PutObject" },
        "resource": format!("arn:aws:s3:::bucket-{salt}-0-0/key-{n}"),
        "resource_account": "111111111111",
        "context": {"aws:PrincipalTag/team": "ml", "aws:SourceIp": "10.1.2.3",
                    "aws:PrincipalOrgID": "o-aispm123"}
    });
    let policies = json!({
        "identity_policies": (0..3).map(|i| identity(i, salt)).collect::<Vec<_>>(),
        "resource_policy": {"Version": "2012-10-17", "Statement": [{"Sid": format!("R{salt}"), "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "s3:*",
            "Resource": format!("arn:aws:s3:::bucket-{salt}-0-0/*")}]},
        "permission_boundary": allow,
        "scps": [[allow.clone()], [allow.clone()]],
        "rcps": [[{"Version": "2012-10-17", "Statement": [{"Sid": format!("O{salt}"), "Effect": "Deny",
            "Principal": "*", "Action": "s3:*", "Resource": "*",
            "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-aispm123"}}}]}]]
    })
    .to_string();
    // The request first, as the format is documented (and as most writers
    // keep it).
    format!("{{\"request\":{request},{}", policies.get(1..).unwrap())
}

fn measure(name: &str, text: &str, lines: usize, threads: usize) {
    let mut out = Vec::with_capacity(lines * 200);
    let started = Instant::now();
    let report = run(
        &mut text.as_bytes(),
        &mut out,
        BatchOptions {
            explain: false,
            threads,
        },
    )
    .unwrap();
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(report.requests as usize, lines);
    assert!(report.failed.is_empty());
    println!(
        "{name}, {threads} thread(s): {lines} requests in {:.3} s = {:.0} requests/s ({:.1} MB in)",
        secs,
        lines as f64 / secs,
        text.len() as f64 / 1e6
    );
}

/// Peak resident memory of this process (Linux `VmHWM`), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut lines = 30_000;
    let (mut write, mut file, mut repeated) = (None, None, false);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--write" => write = args.next(),
            "--file" => file = args.next(),
            "--repeated" => repeated = true,
            n => lines = n.parse().expect("LINES must be a number"),
        }
    }
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!("cores: {cores}");
    if let Some(path) = write {
        // LINES requests (varied policies unless --repeated), streamed to a
        // file.
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        for n in 0..lines {
            use std::io::Write;
            writeln!(out, "{}", line(n, !repeated)).unwrap();
        }
        println!("wrote {lines} requests to {path}");
        return;
    }
    if let Some(path) = file {
        // A file streamed through the batch path, answers discarded.
        let size = std::fs::metadata(&path).unwrap().len();
        let mut input = std::io::BufReader::new(std::fs::File::open(&path).unwrap());
        let started = Instant::now();
        let report = run(&mut input, &mut std::io::sink(), BatchOptions::default()).unwrap();
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{path}: {} requests, {:.0} MB, in {secs:.1} s = {:.0} requests/s; peak RSS {} KiB",
            report.requests,
            size as f64 / 1e6,
            report.requests as f64 / secs,
            peak_rss_kib().unwrap_or(0)
        );
        return;
    }
    for (name, distinct) in [("varied policies", true), ("repeated policies", false)] {
        let text: String = (0..lines).map(|n| line(n, distinct) + "\n").collect();
        println!(
            "{name}: average line {:.0} bytes",
            text.len() as f64 / lines as f64
        );
        measure(name, &text, lines, cores);
        measure(name, &text, lines, 1);
    }
}
