//! `fieldwork-server`: run the office server, or issue credentials for it.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "fieldwork-server", version, about = "Fieldwork office server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        #[command(flatten)]
        place: PlaceArgs,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Seed demo technicians and jobs (once), and print credentials to try them.
        #[arg(long)]
        demo: bool,
        /// CJK font file for report PDFs (default: Noto Sans CJK SC in the usual places).
        #[arg(long)]
        font: Option<PathBuf>,
        /// Serve HTTPS with this PEM certificate chain (needs --tls-key).
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The PEM private key of --tls-cert.
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Email signed reports to customers through this SMTP server: smtp://host:port
        /// (STARTTLS when offered) or smtps://host:port; smtp://user:pass@host for a login.
        #[arg(long)]
        smtp: Option<String>,
        /// The sender of those emails.
        #[arg(long, default_value = "Fieldwork <fieldwork@localhost>")]
        smtp_from: String,
        /// Sustained requests per second per client (token, session or address); 0 turns the
        /// limit off. Bursts of 12 seconds' worth pass.
        #[arg(long, default_value_t = 50.0)]
        requests_per_second: f64,
        /// Sync bytes one device may push per hour, in MiB.
        #[arg(long, default_value_t = 256)]
        push_mib_per_hour: u64,
        /// Photo bytes one device may upload per day, in MiB.
        #[arg(long, default_value_t = 2048)]
        upload_mib_per_day: u64,
        /// Longest a request may take, body included, in seconds.
        #[arg(long, default_value_t = 120)]
        request_timeout: u64,
        /// Let webhooks go to loopback and private addresses (a receiver on the office's own
        /// network). Off by default: a subscription could otherwise make the server reach
        /// what only it can reach.
        #[arg(long)]
        allow_private_webhooks: bool,
        /// Also serve GET /metrics (Prometheus text) on this address without a token, for a
        /// scraper on a private network; on the main address it needs a dispatcher token.
        #[arg(long)]
        metrics_listen: Option<std::net::SocketAddr>,
    },
    /// Re-check every stored report (hash, signature, content) and attachment (hash); print one
    /// line per problem and exit non-zero if there is any.
    Verify {
        #[command(flatten)]
        place: PlaceArgs,
    },
    /// Write a consistent copy of the database to a new file (works while the server runs).
    /// Attachments are files in the data directory's `attachments/`: back them up with it.
    Backup {
        #[command(flatten)]
        place: PlaceArgs,
        /// The backup file to create.
        #[arg(long)]
        to: PathBuf,
    },
    /// Replace the database with a backup (stop the server first). The restored database gets a
    /// new epoch: every phone then pushes its jobs whole, so the office gets back what the
    /// backup lacked.
    Restore {
        #[command(flatten)]
        place: PlaceArgs,
        /// A file written by `backup`.
        #[arg(long)]
        from: PathBuf,
    },
    /// Create or upgrade the database schema and print its version (`serve` does this too; run
    /// it once before starting several instances of a new version).
    Migrate {
        #[command(flatten)]
        place: PlaceArgs,
    },
    /// Print a new dispatcher token.
    Token {
        #[command(flatten)]
        place: PlaceArgs,
    },
    /// Dispatcher accounts of the console.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Print a one-time enrollment code for a technician's device.
    EnrollCode {
        #[command(flatten)]
        place: PlaceArgs,
        #[arg(long)]
        technician: String,
    },
}

/// Where the office's data is: every command takes the same two options.
#[derive(clap::Args)]
struct PlaceArgs {
    /// Data directory (created if missing): attachments, and the SQLite database unless
    /// --database is given.
    #[arg(long, default_value = "./fieldwork-data")]
    data: PathBuf,
    /// PostgreSQL database shared by several server instances, e.g.
    /// postgres://fieldwork@db.example:5432/fieldwork (instead of the SQLite file in --data).
    #[arg(long, value_name = "URL")]
    database: Option<String>,
}

impl PlaceArgs {
    fn place(&self) -> fieldwork_server::Place {
        fieldwork_server::Place {
            data_dir: self.data.clone(),
            database: self.database.clone(),
        }
    }
}

#[derive(Subcommand)]
enum UserCommand {
    /// Adds a dispatcher account. The password is read from stdin when it is not a terminal
    /// (one line); otherwise one is generated and printed.
    Add {
        #[command(flatten)]
        place: PlaceArgs,
        #[arg(long)]
        name: String,
    },
}

/// The new account's password: stdin's first line when piped, else a generated one (printed).
fn new_password() -> fieldwork_server::Result<(String, bool)> {
    use std::io::IsTerminal;
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok((
            fieldwork_server::console::accounts::generate_password(),
            true,
        ));
    }
    let mut line = String::new();
    stdin.read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        return Ok((
            fieldwork_server::console::accounts::generate_password(),
            true,
        ));
    }
    Ok((password, false))
}

async fn run(cli: Cli) -> fieldwork_server::Result<()> {
    match cli.command {
        Command::Serve {
            place,
            listen,
            demo,
            font,
            tls_cert,
            tls_key,
            smtp,
            smtp_from,
            requests_per_second,
            push_mib_per_hour,
            upload_mib_per_day,
            request_timeout,
            allow_private_webhooks,
            metrics_listen,
        } => {
            if demo {
                let seed = fieldwork_server::seed_demo(place.place())?;
                let token = fieldwork_server::issue_dispatcher_token(place.place())?;
                println!(
                    "demo data {}",
                    if seed.created {
                        "created"
                    } else {
                        "already present"
                    }
                );
                println!("dispatcher token: {token}");
                let (name, password) = fieldwork_server::demo_dispatcher(place.place())?;
                println!("console login: {name} / {password} (at the address below)");
                for t in &seed.technicians {
                    let code = fieldwork_server::issue_enroll_code(place.place(), t)?;
                    println!("enrollment code for technician {t}: {code}");
                }
            }
            let tls = tls_cert
                .zip(tls_key)
                .map(|(cert, key)| fieldwork_server::TlsFiles { cert, key });
            let smtp = smtp.map(|url| fieldwork_server::mail::SmtpConfig {
                url,
                from: smtp_from,
                retry_ms: fieldwork_server::mail::RETRY_MS,
            });
            const MIB: u64 = 1024 * 1024;
            let limits = fieldwork_server::limits::LimitConfig {
                requests_per_second,
                request_burst: requests_per_second * 12.0,
                pushed_bytes_per_hour: push_mib_per_hour.saturating_mul(MIB),
                uploaded_bytes_per_day: upload_mib_per_day.saturating_mul(MIB),
                request_timeout: std::time::Duration::from_secs(request_timeout.max(1)),
                ..Default::default()
            };
            // Report PDFs need the CJK font; say so now rather than on the first PDF asked for.
            // Written, not `eprintln!`: a full disk under the log must not stop the server.
            if let Err(e) = fieldwork_report::Font::for_reports(font.as_deref()) {
                let _ = writeln!(
                    std::io::stderr(),
                    "warning: report PDFs will answer 503 font_missing until the font is there \
                     (Debian: apt-get install fonts-noto-cjk, or --font PATH): {e}"
                );
            }
            let config = fieldwork_server::Config {
                database: place.database.clone(),
                font,
                tls,
                smtp,
                limits,
                webhooks: fieldwork_server::webhooks::WebhookConfig {
                    allow_private: allow_private_webhooks,
                    ..Default::default()
                },
                metrics_listen,
            };
            let server = fieldwork_server::spawn_with(&place.data, listen, &config).await?;
            println!("listening on {}", server.url());
            if let Some(at) = server.metrics_addr {
                println!("metrics on http://{at}/metrics");
            }
            stop_signal().await;
            println!("shutting down");
            server.shutdown().await;
        }
        Command::Verify { place } => {
            let v = fieldwork_server::verify::verify(place.place())?;
            for p in &v.problems {
                println!("{p}");
            }
            println!(
                "checked {} jobs, {} reports, {} attachments: {}",
                v.jobs,
                v.reports,
                v.attachments,
                match v.problems.len() {
                    0 => "all as sealed".to_string(),
                    1 => "1 problem".to_string(),
                    n => format!("{n} problems"),
                }
            );
            if !v.problems.is_empty() {
                return Err(fieldwork_server::Error::Conflict(
                    "verification failed".into(),
                ));
            }
        }
        Command::User {
            command: UserCommand::Add { place, name },
        } => {
            let (password, generated) = new_password()?;
            fieldwork_server::add_user(place.place(), &name, &password)?;
            if generated {
                println!("dispatcher {name} added; password: {password}");
            } else {
                println!("dispatcher {name} added");
            }
        }
        Command::Migrate { place } => {
            let version = fieldwork_server::migrate(place.place())?;
            println!("database schema at version {version}");
        }
        Command::Token { place } => {
            println!(
                "{}",
                fieldwork_server::issue_dispatcher_token(place.place())?
            )
        }
        Command::Backup { place, to } => {
            fieldwork_server::backup(place.place(), &to)?;
            println!("backed up to {}", to.display());
        }
        Command::Restore { place, from } => {
            let epoch = fieldwork_server::restore(place.place(), &from)?;
            println!(
                "restored {} into {} (epoch {epoch}: phones will push their jobs again)",
                from.display(),
                place.database.as_deref().map_or_else(
                    || place.data.display().to_string(),
                    |_| "the PostgreSQL database".to_string()
                )
            );
        }
        Command::EnrollCode { place, technician } => {
            println!(
                "{}",
                fieldwork_server::issue_enroll_code(place.place(), &technician)?
            )
        }
    }
    Ok(())
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM (how service managers stop a server).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "fieldwork_server=info".into()),
        )
        .with_writer(std::io::stderr)
        // A log line that cannot be written (a full disk, a closed pipe) is dropped. By default
        // the subscriber reports that with `eprintln!`, which panics when stderr fails too and
        // took the request being logged down with it.
        .log_internal_errors(false)
        // Colour codes only for a person at a terminal, not in a log file.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fieldwork-server: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fieldwork-server: {e}");
            ExitCode::FAILURE
        }
    }
}
