//! HTTPS end to end: the office serving TLS itself (`--tls-cert/--tls-key`, rustls) with a
//! certificate from its own CA; a phone enrolled with that CA enrolls, syncs and uploads over
//! TLS, and keeps trusting it after a restart; a phone without it gets a TLS error, not
//! "offline" (ADR 0005).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use fieldwork_core::{Device, Error};
use fieldwork_server::{Config, TlsFiles};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};

/// An office CA and a server certificate for 127.0.0.1 signed by it, as PEM files.
struct Pki {
    dir: tempfile::TempDir,
    ca_pem: String,
}

fn pki() -> Pki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Fieldwork test office CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cert.pem"), cert.pem()).unwrap();
    std::fs::write(dir.path().join("key.pem"), key.serialize_pem()).unwrap();
    Pki {
        ca_pem: ca.pem(),
        dir,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_phone_enrolled_with_the_office_ca_syncs_over_tls_and_others_get_a_tls_error() {
    let pki = pki();
    let data = tempfile::tempdir().unwrap();
    let config = Config {
        tls: Some(TlsFiles {
            cert: pki.dir.path().join("cert.pem"),
            key: pki.dir.path().join("key.pem"),
        }),
        ..Default::default()
    };
    let server = fieldwork_server::spawn_with(data.path(), "127.0.0.1:0".parse().unwrap(), &config)
        .await
        .unwrap();
    let url = server.url();
    assert!(url.starts_with("https://"));

    // Dispatch over HTTPS too, trusting the office CA.
    let token = fieldwork_server::issue_dispatcher_token(data.path()).unwrap();
    let _ = fieldwork_tests::http_client(); // installs the crypto provider
    let http = reqwest::Client::builder()
        .tls_certs_only(reqwest::Certificate::from_pem_bundle(pki.ca_pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    for (path, body) in [
        (
            "/api/v1/technicians",
            serde_json::json!({"id": "t1", "name": "T One"}),
        ),
        ("/api/v1/jobs", fieldwork_tests::job_body("J-1", Some("t1"))),
    ] {
        let status = http
            .post(format!("{url}{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status();
        assert!(status.is_success(), "{path}: {status}");
    }

    let stranger_dir = tempfile::tempdir().unwrap();
    let stranger = Device::open(stranger_dir.path()).unwrap();
    let code = fieldwork_server::issue_enroll_code(data.path(), "t1").unwrap();
    let err = stranger.enroll(&url, &code, "phone").await.unwrap_err();
    assert!(
        matches!(err, Error::Tls(_)),
        "expected a TLS error, got {err}"
    );
    assert!(stranger.enrollment().is_none());

    let dir = tempfile::tempdir().unwrap();
    let phone = Device::open(dir.path()).unwrap();
    let code = fieldwork_server::issue_enroll_code(data.path(), "t1").unwrap();
    phone
        .enroll_with_ca(&url, &code, "phone", Some(&pki.ca_pem))
        .await
        .unwrap();
    assert_eq!(phone.sync().await.unwrap().downloaded, 1);
    phone
        .add_photo(
            "J-1",
            &fieldwork_media::fixtures::jpeg(64, 48),
            None,
            fieldwork_tests::now_ms(),
        )
        .unwrap();
    let report = phone.sync().await.unwrap();
    assert_eq!((report.uploaded, report.attachments_uploaded), (1, 1));

    // The CA is part of the enrollment: a restarted app still trusts it.
    drop(phone);
    let phone = Device::open(dir.path()).unwrap();
    phone
        .add_note("J-1", "over TLS", fieldwork_tests::now_ms())
        .unwrap();
    assert_eq!(phone.sync().await.unwrap().uploaded, 1);

    // The console over HTTPS: its session cookie is Secure (as well as HttpOnly and Strict).
    fieldwork_server::add_user(data.path(), "mei", "correct horse battery").unwrap();
    let login = http.get(format!("{url}/login")).send().await.unwrap();
    let csrf_cookie = login.headers()[reqwest::header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = csrf_cookie.split_once('=').unwrap().1.to_string();
    let answer = reqwest::Client::builder()
        .tls_certs_only(reqwest::Certificate::from_pem_bundle(pki.ca_pem.as_bytes()).unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{url}/login"))
        .header(reqwest::header::COOKIE, &csrf_cookie)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(format!(
            "name=mei&password=correct+horse+battery&csrf={csrf}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 303);
    let session = answer
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("fw_session="))
        .unwrap();
    for attribute in ["Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(session.contains(attribute), "{session}");
    }

    let bad_dir = tempfile::tempdir().unwrap();
    let bad = Device::open(bad_dir.path()).unwrap();
    let err = bad
        .enroll_with_ca(&url, "ABCDE-FGHJK", "phone", Some("not a certificate"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("certificate authority"), "{err}");
    server.shutdown().await;
}
