//! The customer's copy of a signed report by email: the office mails the report's PDF through its
//! SMTP server (here a sink on loopback that refuses the first attempt), retries after a refusal,
//! and mails each signed version once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine;
use fieldwork_core::model::report::Language;
use fieldwork_tests::{Office, Phone, job_body, now_ms};
use parking_lot::Mutex;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const STROKES: &str = r#"{"canvas":{"width":600,"height":200},"strokes":[
  [[40,150,0,300],[80,60,16,420],[120,150,33,500],[160,70,50,520],[200,140,66,480]]]}"#;

/// A minimal SMTP server: accepts everything except the first `refuse` transactions (451), and
/// keeps each message's DATA.
struct SmtpSink {
    port: u16,
    messages: Arc<Mutex<Vec<String>>>,
    attempts: Arc<AtomicUsize>,
}

async fn smtp_sink(refuse: usize) -> SmtpSink {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let messages = Arc::new(Mutex::new(Vec::new()));
    let attempts = Arc::new(AtomicUsize::new(0));
    let (kept, counted) = (messages.clone(), attempts.clone());
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let (kept, counted) = (kept.clone(), counted.clone());
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250-sink\r\n250 8BITMIME\r\n",
                        "MAIL" if counted.fetch_add(1, Ordering::SeqCst) < refuse => {
                            b"451 try again later\r\n"
                        }
                        "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
                        "DATA" => {
                            write.write_all(b"354 go on\r\n").await.unwrap();
                            let mut data = String::new();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                data.push_str(&l);
                                data.push('\n');
                            }
                            kept.lock().push(data);
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"502 not here\r\n",
                    };
                    if write.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    SmtpSink {
        port,
        messages,
        attempts,
    }
}

/// The base64 body of the message's PDF attachment, decoded.
fn pdf_attachment(message: &str) -> Vec<u8> {
    let at = message
        .find("Content-Type: application/pdf")
        .expect("a PDF part");
    let body = &message[at..];
    let start = body.find("\n\n").unwrap() + 2;
    let end = start + body[start..].find("\n--").unwrap();
    let b64: String = body[start..end].split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_report_is_mailed_to_the_customer_once_after_the_smtp_server_refused_it_once() {
    let sink = smtp_sink(1).await;
    let office = Office::start_with(fieldwork_server::Config {
        smtp: Some(fieldwork_server::mail::SmtpConfig {
            url: format!("smtp://127.0.0.1:{}", sink.port),
            from: "Fieldwork <service@example.com>".into(),
            retry_ms: 200,
        }),
        ..Default::default()
    })
    .await;
    office.technician("t1").await;
    let mut job = job_body("J-1", Some("t1"));
    job["customer"]["email"] = "facilities@harbour.example".into();
    office.post("/api/v1/jobs", job).await;
    let mut bad = job_body("J-2", Some("t1"));
    bad["customer"]["email"] = "not an address".into();
    let (status, body) = office
        .call(
            reqwest::Method::POST,
            "/api/v1/jobs",
            Some(bad),
            Some(&office.token),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("customer.email"),
        "{body}"
    );

    let phone = Phone::enroll(&office, "t1").await;
    phone.device.sync().await.unwrap();
    let t = now_ms();
    phone
        .device
        .sign_report("J-1", "Chen Wei", None, STROKES, Language::En, t)
        .unwrap();
    phone.device.sync().await.unwrap();

    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while sink.messages.lock().is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no email within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let message = sink.messages.lock()[0].clone();
    assert!(
        message.contains("To: facilities@harbour.example"),
        "{message}"
    );
    assert!(message.contains("J-1"), "{message}");
    let (status, api_pdf) = office.raw_get("/api/v1/jobs/J-1/reports/1/pdf").await;
    assert_eq!(status, 200);
    assert_eq!(
        pdf_attachment(&message),
        api_pdf,
        "the attachment is the API's PDF"
    );
    assert_eq!(
        sink.attempts.load(Ordering::SeqCst),
        2,
        "one refusal, one retry"
    );

    // Another sync changes nothing: the version was mailed once.
    phone.device.sync().await.unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(sink.messages.lock().len(), 1);
}
