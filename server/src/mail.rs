//! The customer's copy of a signed report, by email: when a signed report reaches the office and
//! the job's customer has an email address, the report's PDF (the bytes the API serves) goes out
//! through the office's SMTP server (`--smtp URL`). A durable outbox in the database holds each
//! email until the SMTP server accepts it; failures are retried with backoff (30 s doubling, at
//! most an hour apart; the wait is not counted while the server is down), so a crash or an SMTP outage delays an email but never loses it.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::mpsc;

use crate::state::AppState;
use crate::{Error, Result};
use fieldwork_store::{JobFilter, Storage};

/// Where and as whom to send.
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    /// `smtp://host:port` (plain or STARTTLS when offered), `smtps://host:port` (TLS).
    pub url: String,
    /// The sender, e.g. `Fieldwork <service@example.com>`.
    pub from: String,
    /// The first retry's delay; each next one doubles, up to an hour.
    pub retry_ms: i64,
}

/// The handle the sync endpoint uses to tell the mailer which jobs just changed.
#[derive(Clone)]
pub struct MailQueue {
    jobs: mpsc::UnboundedSender<Vec<String>>,
}

impl MailQueue {
    /// Jobs whose documents a device just changed: any newly signed report is queued.
    pub fn jobs_synced(&self, jobs: Vec<String>) {
        if !jobs.is_empty() {
            let _ = self.jobs.send(jobs);
        }
    }
}

/// Longest wait between two attempts at one email.
const MAX_BACKOFF_MS: i64 = 3_600_000;
/// How often due retries are looked for when nothing else happens.
const TICK: Duration = Duration::from_secs(5);

/// Default first retry delay.
pub const RETRY_MS: i64 = 30_000;

fn backoff_ms(first: i64, attempts: u32) -> i64 {
    (first << attempts.min(10)).min(MAX_BACKOFF_MS)
}

/// The queue the sync endpoint feeds and the receiving end [`spawn`] takes.
pub fn channel() -> (MailQueue, mpsc::UnboundedReceiver<Vec<String>>) {
    let (jobs, rx) = mpsc::unbounded_channel();
    (MailQueue { jobs }, rx)
}

/// Runs the mailer: first every signed report the outbox may lack (after a restart), then the
/// jobs the sync endpoint reports, and due retries every few seconds.
pub fn spawn(
    state: AppState,
    smtp: &SmtpConfig,
    mut synced: mpsc::UnboundedReceiver<Vec<String>>,
) -> Result<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url)
        .map_err(|e| Error::BadRequest("smtp", format!("--smtp {}: {e}", smtp.url)))?
        .timeout(Some(Duration::from_secs(30)))
        .build();
    let from: Mailbox = smtp
        .from
        .parse()
        .map_err(|e| Error::BadRequest("smtp", format!("--smtp-from {}: {e}", smtp.from)))?;
    let retry_ms = smtp.retry_ms.max(1);
    tokio::spawn(async move {
        let mut pending: Option<Vec<String>> = None; // None: scan every signed job
        loop {
            let scan = pending.take();
            if let Err(e) = state.blocking(move |s| enqueue_signed(s, scan)).await {
                tracing::warn!(error = %e, "mail: cannot queue signed reports");
            }
            let retry_at = send_due(&state, &transport, &from, retry_ms).await;
            let now = chrono::Utc::now().timestamp_millis();
            let wait = retry_at
                .map(|at| Duration::from_millis(u64::try_from(at - now).unwrap_or(0)).min(TICK))
                .unwrap_or(TICK);
            tokio::select! {
                jobs = synced.recv() => match jobs {
                    Some(mut jobs) => {
                        while let Ok(more) = synced.try_recv() {
                            jobs.extend(more);
                        }
                        pending = Some(jobs);
                    }
                    None => return,
                },
                _ = tokio::time::sleep(wait) => pending = Some(Vec::new()),
            }
        }
    });
    Ok(())
}

/// Queues every signed version of the given jobs' reports (all signed jobs when `None`) for the
/// customer's email address, once.
fn enqueue_signed(s: &dyn Storage, jobs: Option<Vec<String>>) -> Result<()> {
    // (job, customer's address, signed versions) of each job with an address.
    let owed = |data: fieldwork_model::JobData| {
        let signed = fieldwork_model::report::sealed(&data)
            .into_iter()
            .filter(|(_, r)| r.signature.is_some())
            .map(|(_, r)| r.version)
            .collect::<Vec<u32>>();
        Ok(data.customer.email.map(|to| (data.id, to, signed)))
    };
    let owed: Vec<_> = match jobs {
        Some(ids) => s
            .job_contents_of(&ids)?
            .into_iter()
            .map(owed)
            .collect::<Result<_>>()?,
        None => {
            let mut all = Vec::new();
            for report in ["signed", "changed_since_signed"] {
                let filter = JobFilter {
                    report: Some(report.into()),
                    limit: 1_000_000,
                    ..JobFilter::default()
                };
                all.extend(s.map_contents(&filter, owed)?);
            }
            all
        }
    };
    let now = chrono::Utc::now().timestamp_millis();
    for (job, to, versions) in owed.into_iter().flatten() {
        for version in versions {
            if s.enqueue_mail(&job, version, &to, now)? {
                tracing::info!(job = %job, version, "mail: report queued");
            }
        }
    }
    Ok(())
}

async fn send_due(
    state: &AppState,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    retry_ms: i64,
) -> Option<i64> {
    let now = chrono::Utc::now().timestamp_millis();
    let due = match state.blocking(move |s| Ok(s.due_mail(now, 50)?)).await {
        Ok(due) => due,
        Err(e) => {
            tracing::warn!(error = %e, "mail: cannot read the outbox");
            return None;
        }
    };
    let mut retry_at: Option<i64> = None;
    for mail in due {
        let (job, version) = (mail.job.clone(), mail.version);
        let pdf_state = state.clone();
        let pdf = state
            .blocking(move |s| crate::api::reports::report_pdf(s, &pdf_state, &job, version))
            .await;
        let outcome = match pdf {
            Ok(pdf) => {
                send(
                    transport,
                    from,
                    &mail.recipient,
                    &mail.job,
                    mail.version,
                    pdf,
                )
                .await
            }
            Err(e) => Err(e.to_string()),
        };
        let now = chrono::Utc::now().timestamp_millis();
        let record = match &outcome {
            Ok(()) => Ok(now),
            Err(e) => {
                let at = now + backoff_ms(retry_ms, mail.attempts);
                retry_at = Some(retry_at.map_or(at, |r| r.min(at)));
                Err((e.clone(), at))
            }
        };
        match &outcome {
            Ok(()) => tracing::info!(job = %mail.job, version = mail.version, "mail: report sent"),
            Err(e) => {
                tracing::warn!(job = %mail.job, version = mail.version, error = %e, "mail: not sent, will retry")
            }
        }
        let id = mail.id;
        if let Err(e) = state
            .blocking(move |s| Ok(s.record_mail_attempt(id, record)?))
            .await
        {
            tracing::warn!(error = %e, "mail: cannot record an attempt");
        }
        state.live.jobs_changed(vec![mail.job]);
    }
    retry_at
}

async fn send(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    to: &str,
    job: &str,
    version: u32,
    pdf: Vec<u8>,
) -> std::result::Result<(), String> {
    let to: Mailbox = to.parse().map_err(|e| format!("recipient {to}: {e}"))?;
    let pdf_type = ContentType::parse("application/pdf").map_err(|e| e.to_string())?;
    let message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(format!(
            "Completion report {job} (version {version}) / 完工报告"
        ))
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(format!(
                    "The signed completion report of job {job} is attached.\n\
                     附件为工单 {job} 的签字完工报告。\n"
                )))
                .singlepart(
                    Attachment::new(format!("{job}-report-{version}.pdf")).body(pdf, pdf_type),
                ),
        )
        .map_err(|e| e.to_string())?;
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The queue's sender in the state; `None` when no `--smtp` was given.
pub type Mail = Option<MailQueue>;

#[cfg(test)]
mod tests {
    #[test]
    fn retries_back_off_from_thirty_seconds_to_an_hour() {
        use super::{RETRY_MS, backoff_ms};
        assert_eq!(backoff_ms(RETRY_MS, 0), 30_000);
        assert_eq!(backoff_ms(RETRY_MS, 1), 60_000);
        assert_eq!(backoff_ms(RETRY_MS, 6), 1_920_000);
        assert_eq!(backoff_ms(RETRY_MS, 7), 3_600_000);
        assert_eq!(backoff_ms(RETRY_MS, 40), 3_600_000);
    }
}
