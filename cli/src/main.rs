//! `aispm`: parses arguments, runs the command, exits with its code.

use std::io::Write;

/// See `Cargo.toml`: the batch simulator allocates and frees on every core.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("AISPM_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "error: cannot start the async runtime: {e}"
            );
            return std::process::ExitCode::FAILURE;
        }
    };
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let code = runtime.block_on(aispm_cli::run(
        std::env::args_os().collect(),
        &mut stdout.lock(),
        &mut stderr.lock(),
    ));
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
}
