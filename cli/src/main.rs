//! `fieldwork`: the headless technician. Every command goes through the same facade
//! (`fieldwork_ffi::FieldworkApp`) the phone apps call, so scripts, support and load tests
//! exercise exactly what ships.
//!
//! Exit status 0 means the change is durable on disk; any error prints `fieldwork: ...` on
//! stderr, exits non-zero and has written nothing.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use fieldwork_ffi::{
    ApiError, CountedRecord, FaultCause, FieldworkApp, JobStatus, NewPartRecord, ReportLanguage,
    ReturnReasonRecord, StockFlag, TimeKind,
};

/// Prints a line to stdout. A closed pipe (`fieldwork show J --json | head`) ends the command
/// quietly, as other Unix tools do, instead of panicking like `println!`.
macro_rules! out {
    ($($arg:tt)*) => {
        write_line(format_args!($($arg)*))?
    };
}

#[derive(Parser)]
#[command(name = "fieldwork", version, about = "Offline field-service client")]
struct Cli {
    /// Data directory holding this technician's store.
    #[arg(long, global = true, default_value = "./fieldwork-device")]
    data: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Enroll this data directory with the office server using a one-time code.
    Enroll {
        #[arg(long)]
        server: String,
        #[arg(long)]
        code: String,
        /// A name dispatch sees for this device.
        #[arg(long, default_value = "fieldwork-cli")]
        name: String,
        /// The office's own certificate authority (PEM), trusted beside the public roots.
        #[arg(long)]
        server_ca: Option<PathBuf>,
    },
    /// Exchange changes with the server; prints one JSON line of counters.
    Sync,
    /// List this technician's jobs.
    Jobs {
        #[arg(long)]
        json: bool,
    },
    /// Show one job (SLA states as of now, or --at).
    Show {
        job: String,
        #[arg(long)]
        json: bool,
        /// Evaluate SLA clocks as of this time (RFC 3339) instead of now.
        #[arg(long)]
        at: Option<String>,
    },
    /// Record a status change.
    Status {
        job: String,
        status: StatusArg,
        /// When it happened (RFC 3339); now if absent.
        #[arg(long)]
        at: Option<String>,
    },
    /// Add a note.
    Note { job: String, text: String },
    /// Record a part used; prints the new line id.
    Part {
        job: String,
        #[arg(long)]
        sku: String,
        #[arg(long)]
        qty: u32,
        #[arg(long, default_value = "")]
        description: String,
        /// Serial number of the part fitted.
        #[arg(long)]
        serial_in: Option<String>,
        /// Serial number of the part taken out.
        #[arg(long)]
        serial_out: Option<String>,
        /// Where the part came from: van or warehouse.
        #[arg(long)]
        stock: Option<String>,
        /// Unit cost in minor units (cents) of the contract currency.
        #[arg(long)]
        unit_cost: Option<i64>,
        /// Unit list price in minor units.
        #[arg(long)]
        unit_price: Option<i64>,
    },
    /// Record the fault cause and code found on site (decides warranty cover and charges).
    Cause {
        job: String,
        cause: CauseArg,
        #[arg(long)]
        fault_code: String,
        /// What was done about it (kept in the asset's history).
        #[arg(long)]
        action: Option<String>,
        /// When (RFC 3339); now if absent.
        #[arg(long)]
        at: Option<String>,
    },
    /// Issue a loaner unit to the customer, or take one back.
    Loaner {
        job: String,
        action: LoanArg,
        #[arg(long)]
        serial: String,
        /// The loaner's model (required to issue).
        #[arg(long)]
        model: Option<String>,
        /// When (RFC 3339); now if absent.
        #[arg(long)]
        at: Option<String>,
    },
    /// The van's stock: each part on hand and in transit, flags, transfers on their way; or
    /// receive a transfer, count the van, send a part back (works offline).
    Stock {
        #[command(subcommand)]
        action: Option<StockCommand>,
        /// The levels as JSON, in the shape of the office's `GET /api/v1/stock/levels`.
        #[arg(long)]
        json: bool,
    },
    /// List loaner units still out with customers on this technician's jobs.
    Loans {
        #[arg(long)]
        json: bool,
    },
    /// Record a checklist result: pass, fail or a measured value.
    Check {
        job: String,
        item: String,
        result: String,
        #[arg(long)]
        note: Option<String>,
        /// When (RFC 3339); now if absent.
        #[arg(long)]
        at: Option<String>,
    },
    /// Attach a photo taken on site (JPEG or PNG); prints its id (SHA-256 of the stored JPEG).
    Photo {
        job: String,
        file: PathBuf,
        #[arg(long)]
        caption: Option<String>,
    },
    /// Seal the customer's signature on the completion report (works offline).
    Sign {
        job: String,
        /// The signer's name.
        #[arg(long)]
        name: String,
        /// The signer's role (e.g. facilities manager).
        #[arg(long)]
        role: Option<String>,
        /// The signature strokes: a JSON file {"canvas":{"width":W,"height":H},"strokes":[...]}.
        #[arg(long)]
        strokes: PathBuf,
        #[arg(long, default_value = "zh-CN")]
        lang: LangArg,
    },
    /// Seal the customer's refusal to sign, with the reason.
    Refuse {
        job: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, default_value = "zh-CN")]
        lang: LangArg,
    },
    /// Print a sealed report (--json), the preview the customer signs (--preview), or write its
    /// PDF (--pdf OUT).
    Report {
        job: String,
        /// Which sealed version (default: the latest).
        #[arg(long)]
        version: Option<u32>,
        /// Print the canonical bytes exactly as sealed.
        #[arg(long)]
        json: bool,
        /// Print what the customer is about to sign (the report without a signature).
        #[arg(long)]
        preview: bool,
        /// Language of the preview.
        #[arg(long, default_value = "zh-CN")]
        lang: LangArg,
        /// Write the sealed version's PDF to this file.
        #[arg(long)]
        pdf: Option<PathBuf>,
        /// CJK font for the PDF (default: Noto Sans CJK SC in the usual places).
        #[arg(long)]
        font: Option<PathBuf>,
        /// List the sealed versions.
        #[arg(long)]
        list: bool,
    },
    /// Mark a part line removed (only its author may).
    Unpart { job: String, line_id: String },
    /// Record travel or labour time.
    Time {
        job: String,
        #[arg(long)]
        kind: KindArg,
        #[arg(long)]
        start: String,
        #[arg(long)]
        end: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
enum StatusArg {
    Accepted,
    EnRoute,
    OnSite,
    InProgress,
    OnHold,
    Completed,
}

#[derive(Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
enum CauseArg {
    QualityDefect,
    HumanDamage,
    Misuse,
    ImproperStorage,
    ImproperTransport,
    ForceMajeure,
    PowerSupply,
    UnauthorisedModification,
    NoWarrantyCard,
    SerialMismatch,
}

#[derive(Subcommand)]
enum StockCommand {
    /// Count a transfer in as it arrived: `--count SKU=QTY` per part (`SKU=QTY:S1,S2` to name
    /// serials; a serialised part counted as sent takes the transfer's serials).
    Receive {
        transfer: String,
        #[arg(long = "count", value_parser = parse_count, num_args = 1.., required = true)]
        counts: Vec<CountedRecord>,
    },
    /// Count the van: `--count SKU=QTY` per part counted.
    Count {
        #[arg(long = "count", value_parser = parse_count, num_args = 1.., required = true)]
        counts: Vec<CountedRecord>,
    },
    /// Send a part back to the region's warehouse; prints the movement's id.
    Return {
        #[arg(long)]
        sku: String,
        #[arg(long)]
        qty: i64,
        /// The part's serial (repeat for several).
        #[arg(long = "serial")]
        serials: Vec<String>,
        /// The job it came from.
        #[arg(long)]
        job: Option<String>,
        #[arg(long, value_enum, default_value = "defective")]
        reason: ReasonArg,
        /// The warehouse (default: the first of the van's region).
        #[arg(long)]
        to: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ReasonArg {
    Defective,
    Unused,
    Removed,
}

impl From<ReasonArg> for ReturnReasonRecord {
    fn from(r: ReasonArg) -> Self {
        match r {
            ReasonArg::Defective => ReturnReasonRecord::Defective,
            ReasonArg::Unused => ReturnReasonRecord::Unused,
            ReasonArg::Removed => ReturnReasonRecord::Removed,
        }
    }
}

/// `SKU=QTY` or `SKU=QTY:S1,S2`.
fn parse_count(s: &str) -> Result<CountedRecord, String> {
    let (sku, rest) = s
        .split_once('=')
        .ok_or_else(|| format!("expected SKU=QTY, got {s:?}"))?;
    let (qty, serials) = rest.split_once(':').unwrap_or((rest, ""));
    let qty: i64 = qty
        .parse()
        .map_err(|_| format!("{sku}: the quantity must be a whole number, got {qty:?}"))?;
    if qty < 0 {
        return Err(format!("{sku}: the quantity must not be negative"));
    }
    Ok(CountedRecord {
        sku: sku.to_string(),
        qty,
        serials: serials
            .split(',')
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

#[derive(Clone, Copy, ValueEnum)]
enum LoanArg {
    Issue,
    Return,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    #[value(name = "zh-CN")]
    ZhCn,
    #[value(name = "en")]
    En,
}

impl From<LangArg> for ReportLanguage {
    fn from(l: LangArg) -> Self {
        match l {
            LangArg::ZhCn => ReportLanguage::ZhCn,
            LangArg::En => ReportLanguage::En,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum KindArg {
    Travel,
    Labour,
}

/// A CLI failure: the message to print.
struct Failure(String);

impl Failure {
    /// Stdout was closed by its reader: the command stops, and says nothing.
    fn closed_pipe() -> Failure {
        Failure(String::new())
    }

    fn is_closed_pipe(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure(e.to_string())
    }
}

fn parse_time(field: &str, s: &str) -> Result<i64, Failure> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp_millis())
        .map_err(|_| {
            Failure(format!(
                "{field} must be an RFC 3339 time like 2026-11-24T09:30:00+08:00, got {s:?}"
            ))
        })
}

fn read_file(what: &str, path: &std::path::Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure(format!("cannot read {what} {}: {e}", path.display())))
}

fn print_sealed(s: &fieldwork_ffi::SealRecord) -> Result<(), Failure> {
    let line = serde_json::json!({
        "job": s.job_id,
        "version": s.version,
        "sha256": s.sha256,
        "status": s.status,
    });
    out!("{}", json_line(&line)?);
    Ok(())
}

fn write_line(line: std::fmt::Arguments<'_>) -> Result<(), Failure> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{line}").and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Failure::closed_pipe()),
        Err(e) => Err(Failure(format!("cannot write the output: {e}"))),
    }
}

/// The van's levels: JSON in the REST answer's shape, or one line per part and per transfer.
fn print_stock(app: &FieldworkApp, json: bool) -> Result<(), Failure> {
    let stock = app.van_stock()?;
    let flag = |f: &StockFlag| match f {
        StockFlag::BelowZero => "below_zero",
        StockFlag::SerialUsedTwice => "serial_used_twice",
    };
    if json {
        let v = serde_json::json!({
            "location": stock.location,
            "levels": stock.levels.iter().map(|l| serde_json::json!({
                "sku": l.sku, "name": {"zh-CN": l.name_zh, "en": l.name_en}, "unit": l.unit,
                "qty": l.qty, "in_transit": l.in_transit,
                "flags": l.flags.iter().map(flag).collect::<Vec<_>>(), "jobs": l.jobs,
            })).collect::<Vec<_>>(),
            "in_transit": stock.in_transit.iter().map(|t| serde_json::json!({
                "id": t.id, "from": t.from, "sent_at": rfc3339(t.sent_at_ms),
                "lines": t.lines.iter().map(|l| serde_json::json!({"sku": l.sku, "qty": l.qty, "serials": l.serials})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "pending": stock.pending,
            "refused": stock.refused.iter().map(|r| serde_json::json!({"id": r.id, "error": r.error})).collect::<Vec<_>>(),
        });
        out!("{}", json_line(&v)?);
        return Ok(());
    }
    out!("{}", stock.location);
    for l in &stock.levels {
        let flags: Vec<&str> = l.flags.iter().map(flag).collect();
        out!(
            "{}\t{}\t{}\t{}\t{}",
            l.sku,
            l.qty,
            l.in_transit,
            flags.join(","),
            l.name_en
        );
    }
    for t in &stock.in_transit {
        let lines: Vec<String> = t
            .lines
            .iter()
            .map(|l| format!("{}={}", l.sku, l.qty))
            .collect();
        out!("in transit {} from {}: {}", t.id, t.from, lines.join(" "));
    }
    for r in &stock.refused {
        out!("refused {}: {}", r.id, r.error);
    }
    Ok(())
}

fn json_line<T: serde::Serialize>(v: &T) -> Result<String, Failure> {
    serde_json::to_string(v).map_err(|e| Failure(format!("cannot render JSON: {e}")))
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let app: Arc<FieldworkApp> = FieldworkApp::open(cli.data.display().to_string())?;
    match cli.command {
        Command::Enroll {
            server,
            code,
            name,
            server_ca,
        } => {
            let e = match server_ca {
                Some(path) => {
                    let pem = String::from_utf8(read_file("server CA", &path)?)
                        .map_err(|_| Failure("the server CA file is not PEM text".into()))?;
                    app.enroll_with_server_ca(server, code, name, pem).await?
                }
                None => app.enroll(server, code, name).await?,
            };
            out!(
                "enrolled as device {} for technician {} at {}",
                e.device_id,
                e.technician,
                e.server_url
            );
        }
        Command::Sync => {
            let r = app.sync().await?;
            out!(
                "{}",
                json_line(&serde_json::json!({
                    "uploaded": r.uploaded,
                    "downloaded": r.downloaded,
                    "requests": r.requests,
                    "bytes_sent": r.bytes_sent,
                    "bytes_received": r.bytes_received,
                    "wire_bytes_sent": r.wire_bytes_sent,
                    "wire_bytes_received": r.wire_bytes_received,
                    "refused": r.refused,
                    "attachments_uploaded": r.attachments_uploaded,
                    "attachment_bytes_sent": r.attachment_bytes_sent,
                }))?
            );
        }
        Command::Jobs { json } => {
            let jobs = app.jobs()?;
            if json {
                let rows: Vec<_> = jobs
                    .iter()
                    .map(|j| {
                        serde_json::json!({
                            "id": j.id,
                            "status": status_str(j.status),
                            "priority": j.priority,
                            "customer": j.customer_name,
                            "site": j.site_address,
                            "reported_at": rfc3339(j.reported_at_ms),
                            "scheduled_start": j.scheduled_start_ms.map(rfc3339),
                            "scheduled_end": j.scheduled_end_ms.map(rfc3339),
                            "pending_sync": j.pending_sync,
                            "sync_error": j.sync_error,
                            "sla_milestone": j.sla_milestone,
                            "sla_due": j.sla_due_ms.map(rfc3339),
                        })
                    })
                    .collect();
                out!("{}", json_line(&rows)?);
            } else if jobs.is_empty() {
                out!("no jobs (run `fieldwork sync` to fetch them)");
            } else {
                // Times as the site's clock reads them, the zone named once per line;
                // `--json` keeps RFC 3339.
                for j in jobs {
                    let local = |ms| fieldwork_ffi::format_site_time(ms, j.site_time_zone.clone());
                    let when = j
                        .scheduled_start_ms
                        .map(local)
                        .unwrap_or_else(|| "unscheduled".into());
                    let mark = if j.pending_sync { " *" } else { "" };
                    let due = match (&j.sla_milestone, j.sla_due_ms) {
                        (Some(m), Some(t)) => format!(" [{m} by {}]", local(t)),
                        _ => String::new(),
                    };
                    out!(
                        "{:<14} {:<12} {:<9} {:<16} {} — {} ({}){}{}",
                        j.id,
                        status_str(j.status),
                        j.priority,
                        when,
                        j.customer_name,
                        j.site_address,
                        j.site_time_zone,
                        due,
                        mark
                    );
                }
            }
        }
        Command::Show { job, json, at } => {
            let text = match at {
                Some(at) => app.job_json_at(job, parse_time("--at", &at)?)?,
                None => app.job_json(job)?,
            };
            if json {
                out!("{text}");
            } else {
                let v: serde_json::Value = serde_json::from_str(&text)
                    .map_err(|e| Failure(format!("cannot read job JSON: {e}")))?;
                out!(
                    "{}",
                    serde_json::to_string_pretty(&v)
                        .map_err(|e| Failure(format!("cannot render job: {e}")))?
                );
            }
        }
        Command::Status { job, status, at } => {
            let at = at.map(|s| parse_time("--at", &s)).transpose()?;
            app.set_status(job, status.into(), at)?;
        }
        Command::Note { job, text } => {
            out!("{}", app.add_note(job, text, None)?);
        }
        Command::Part {
            job,
            sku,
            qty,
            description,
            serial_in,
            serial_out,
            stock,
            unit_cost,
            unit_price,
        } => {
            let part = NewPartRecord {
                sku,
                description,
                qty,
                serial_in,
                serial_out,
                stock,
                unit_cost,
                unit_price,
            };
            out!("{}", app.add_part(job, part, None)?);
        }
        Command::Cause {
            job,
            cause,
            fault_code,
            action,
            at,
        } => {
            let at = at.map(|s| parse_time("--at", &s)).transpose()?;
            app.record_diagnosis(job, cause.into(), fault_code, action, at)?;
        }
        Command::Loaner {
            job,
            action,
            serial,
            model,
            at,
        } => {
            let at = at.map(|s| parse_time("--at", &s)).transpose()?;
            match action {
                LoanArg::Issue => {
                    let model =
                        model.ok_or_else(|| Failure("loaner issue needs --model".into()))?;
                    app.issue_loaner(job, serial, model, at)?;
                }
                LoanArg::Return => app.return_loaner(job, serial, at)?,
            }
        }
        Command::Stock { action, json } => match action {
            None => print_stock(&app, json)?,
            Some(StockCommand::Receive { transfer, counts }) => {
                out!("{}", app.receive_transfer(transfer, counts, None)?);
            }
            Some(StockCommand::Count { counts }) => {
                out!("{}", app.count_stock(counts, None)?);
            }
            Some(StockCommand::Return {
                sku,
                qty,
                serials,
                job,
                reason,
                to,
            }) => {
                out!(
                    "{}",
                    app.return_part(sku, qty, serials, job, reason.into(), to, None)?
                );
            }
        },
        Command::Loans { json } => {
            for loan in app.open_loans()? {
                if json {
                    let line = serde_json::json!({
                        "job": loan.job_id,
                        "serial": loan.serial,
                        "model": loan.model,
                        "issued_at": rfc3339(loan.issued_at_ms),
                    });
                    out!("{}", json_line(&line)?);
                } else {
                    out!(
                        "{}\t{}\t{}\t{}",
                        loan.job_id,
                        loan.serial,
                        loan.model.unwrap_or_default(),
                        rfc3339(loan.issued_at_ms)
                    );
                }
            }
        }
        Command::Check {
            job,
            item,
            result,
            note,
            at,
        } => {
            let at = at.map(|s| parse_time("--at", &s)).transpose()?;
            app.record_check(job, item, result, note, at)?;
        }
        Command::Photo { job, file, caption } => {
            let bytes = read_file("photo", &file)?;
            let a = app.add_photo(job, bytes, caption)?;
            out!("{}", a.id);
        }
        Command::Sign {
            job,
            name,
            role,
            strokes,
            lang,
        } => {
            let strokes = String::from_utf8(read_file("strokes", &strokes)?)
                .map_err(|_| Failure("the strokes file is not UTF-8 JSON".into()))?;
            let sealed = app.sign_report(job, name, role, strokes, lang.into())?;
            print_sealed(&sealed)?;
        }
        Command::Refuse {
            job,
            reason,
            name,
            lang,
        } => {
            let sealed = app.refuse_report(job, reason, name, lang.into())?;
            print_sealed(&sealed)?;
        }
        Command::Report {
            job,
            version,
            json,
            preview,
            lang,
            pdf,
            font,
            list,
        } => {
            let chosen = [json, preview, pdf.is_some(), list]
                .iter()
                .filter(|x| **x)
                .count();
            if chosen != 1 {
                return Err(Failure(
                    "report needs exactly one of --json, --preview, --pdf OUT, --list".into(),
                ));
            }
            if preview {
                out!("{}", app.report_preview(job, lang.into())?);
            } else if json {
                // Exactly the sealed bytes, no trailing newline: `| sha256sum` gives the seal.
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                out.write_all(app.report_json(job, version)?.as_bytes())
                    .and_then(|()| out.flush())
                    .map_err(|e| Failure(format!("cannot write the report: {e}")))?;
            } else if list {
                for r in app.report_versions(job)? {
                    let line = serde_json::json!({
                        "version": r.version,
                        "status": r.status,
                        "sha256": r.sha256,
                        "device_id": r.device_id,
                        "signed_at": rfc3339(r.signed_at_ms),
                        "signer": r.signer_name,
                        "language": r.language,
                        "current": r.current,
                    });
                    out!("{}", json_line(&line)?);
                }
            } else if let Some(out) = pdf {
                let font = font.map(|f| f.display().to_string());
                let bytes = app.render_report_pdf(job, version, font)?;
                std::fs::write(&out, &bytes)
                    .map_err(|e| Failure(format!("cannot write {}: {e}", out.display())))?;
                out!("{}", out.display());
            }
        }
        Command::Unpart { job, line_id } => app.remove_part(job, line_id, None)?,
        Command::Time {
            job,
            kind,
            start,
            end,
        } => {
            let start = parse_time("--start", &start)?;
            let end = parse_time("--end", &end)?;
            let kind = match kind {
                KindArg::Travel => TimeKind::Travel,
                KindArg::Labour => TimeKind::Labour,
            };
            out!("{}", app.add_time(job, kind, start, end)?);
        }
    }
    Ok(())
}

impl From<StatusArg> for JobStatus {
    fn from(s: StatusArg) -> Self {
        match s {
            StatusArg::Accepted => JobStatus::Accepted,
            StatusArg::EnRoute => JobStatus::EnRoute,
            StatusArg::OnSite => JobStatus::OnSite,
            StatusArg::InProgress => JobStatus::InProgress,
            StatusArg::OnHold => JobStatus::OnHold,
            StatusArg::Completed => JobStatus::Completed,
        }
    }
}

impl From<CauseArg> for FaultCause {
    fn from(c: CauseArg) -> Self {
        match c {
            CauseArg::QualityDefect => FaultCause::QualityDefect,
            CauseArg::HumanDamage => FaultCause::HumanDamage,
            CauseArg::Misuse => FaultCause::Misuse,
            CauseArg::ImproperStorage => FaultCause::ImproperStorage,
            CauseArg::ImproperTransport => FaultCause::ImproperTransport,
            CauseArg::ForceMajeure => FaultCause::ForceMajeure,
            CauseArg::PowerSupply => FaultCause::PowerSupply,
            CauseArg::UnauthorisedModification => FaultCause::UnauthorisedModification,
            CauseArg::NoWarrantyCard => FaultCause::NoWarrantyCard,
            CauseArg::SerialMismatch => FaultCause::SerialMismatch,
        }
    }
}

fn status_str(s: JobStatus) -> &'static str {
    match s {
        JobStatus::New => "new",
        JobStatus::Assigned => "assigned",
        JobStatus::Accepted => "accepted",
        JobStatus::EnRoute => "en_route",
        JobStatus::OnSite => "on_site",
        JobStatus::InProgress => "in_progress",
        JobStatus::OnHold => "on_hold",
        JobStatus::Completed => "completed",
        JobStatus::Cancelled => "cancelled",
    }
}

fn rfc3339(ms: i64) -> String {
    fieldwork_ffi::format_time(ms)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fieldwork: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of our output went away (a closed pipe): nothing to say to anyone.
        Err(f) if f.is_closed_pipe() => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("fieldwork: {message}");
            ExitCode::FAILURE
        }
    }
}
