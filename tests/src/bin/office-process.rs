//! The office server as a child process, for the fault tests that kill it: serves DATA_DIR on
//! 127.0.0.1:PORT with the default configuration (the same library `fieldwork-server serve`
//! runs) and prints `listening on URL` once it accepts connections. A third argument
//! `--allow-private-webhooks` lets webhooks go to a receiver on loopback.

use std::io::Write;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(port)) = (args.next(), args.next()) else {
        eprintln!("usage: office-process DATA_DIR PORT");
        return std::process::ExitCode::from(2);
    };
    let Ok(port) = port.parse::<u16>() else {
        eprintln!("office-process: PORT must be a number, got {port:?}");
        return std::process::ExitCode::from(2);
    };
    let listen = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let config = fieldwork_server::Config {
        webhooks: fieldwork_server::webhooks::WebhookConfig {
            allow_private: args.next().as_deref() == Some("--allow-private-webhooks"),
            ..Default::default()
        },
        ..Default::default()
    };
    let server =
        match fieldwork_server::spawn_with(std::path::Path::new(&dir), listen, &config).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("office-process: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
    let mut out = std::io::stdout().lock();
    if writeln!(out, "listening on {}", server.url())
        .and_then(|()| out.flush())
        .is_err()
    {
        return std::process::ExitCode::FAILURE;
    }
    drop(out);
    // Runs until killed: the tests stop it with SIGKILL, mid-write on purpose.
    std::future::pending::<()>().await;
    std::process::ExitCode::SUCCESS
}
