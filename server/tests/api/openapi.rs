//! The API's description (`GET /api/v1/openapi.json`) and the routes are the same set: every
//! described operation is routed, and no `/api/v1` route exists outside the description.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::Office;
use reqwest::Method;
use serde_json::Value;

async fn description(office: &Office) -> Value {
    // Public: an integrator reads it before holding any credential.
    let (status, doc) = office
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(status, 200, "{doc}");
    doc
}

fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "patch", "put", "delete"] {
            if item.get(method).is_some() {
                ops.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

/// Every `path = "/api/v1/…"` of a `#[utoipa::path]` in the server's source, with its method,
/// and every plain `.route("/api…")` (a route that would bypass the description).
fn annotated_in_source() -> (BTreeSet<(String, String)>, Vec<String>) {
    fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, files);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut annotated = BTreeSet::new();
    let mut plain = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, _) in text.match_indices("#[utoipa::path(") {
            let rest = &text[i + "#[utoipa::path(".len()..];
            let method = rest.trim_start().split(',').next().unwrap().trim();
            let path = rest
                .split("path = \"")
                .nth(1)
                .and_then(|p| p.split('"').next())
                .unwrap();
            annotated.insert((method.to_uppercase(), path.to_string()));
        }
        for line in text.lines() {
            if line.contains(".route(\"/api") {
                plain.push(format!("{}: {}", file.display(), line.trim()));
            }
        }
    }
    (annotated, plain)
}

#[tokio::test]
async fn the_description_and_the_routes_are_the_same_set() {
    let office = Office::start().await;
    let doc = description(&office).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let described = operations(&doc);

    let (annotated, plain) = annotated_in_source();
    assert!(
        plain.is_empty(),
        "routes registered without a description: {plain:#?}"
    );
    assert_eq!(
        annotated, described,
        "an annotated handler is not registered (or the reverse)"
    );

    // Every described operation answers from its handler, not from the router's fallbacks.
    for (method, path) in &described {
        let concrete = path
            .split('/')
            .map(|s| if s.starts_with('{') { "1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let (status, body) = office
            .call(method.clone(), &concrete, None, Some(&office.token))
            .await;
        assert_ne!(status, 405, "{method} {concrete}: {body}");
        assert!(
            !(status == 404 && body["error"]["message"] == "no such route"),
            "{method} {concrete} is described but not routed"
        );
    }
    // And a path the description lacks is the fallback's.
    let (status, body) = office
        .call(
            Method::GET,
            "/api/v1/not-described",
            None,
            Some(&office.token),
        )
        .await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (404, Some("no such route"))
    );
}

#[tokio::test]
async fn every_operation_describes_its_errors_and_auth() {
    let office = Office::start().await;
    let doc = description(&office).await;
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    for scheme in ["dispatcher", "device", "session", "csrf"] {
        assert!(schemes.contains_key(scheme), "no {scheme} scheme");
    }
    for (method, path) in operations(&doc) {
        let op = &doc["paths"][&path][method.to_lowercase()];
        let responses = op["responses"].as_object().unwrap();
        let public = op["security"]
            .as_array()
            .is_some_and(|s| s.iter().all(|r| r.as_object().unwrap().is_empty()));
        let mut expected = vec!["408", "429", "500", "503"];
        if !public {
            expected.extend(["401", "403"]);
        }
        if method != "GET" {
            expected.push("413");
        }
        for status in expected {
            assert!(
                responses.contains_key(status),
                "{method} {path} does not describe {status}"
            );
        }
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{method} {path} has no success answer"
        );
        // Every error answer is the one error shape.
        for (status, answer) in responses.iter().filter(|(s, _)| !s.starts_with('2')) {
            let answer = match answer["$ref"].as_str() {
                Some(r) => &doc["components"]["responses"][r.rsplit('/').next().unwrap()],
                None => answer,
            };
            assert_eq!(
                answer["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ErrorBody",
                "{method} {path} {status}"
            );
        }
    }
    // Only enrollment, health and the description itself are public.
    let public: BTreeSet<_> = operations(&doc)
        .into_iter()
        .filter(|(m, p)| {
            doc["paths"][p][m.to_lowercase()]["security"]
                .as_array()
                .is_some_and(|s| s.iter().all(|r| r.as_object().unwrap().is_empty()))
        })
        .map(|(_, p)| p)
        .collect();
    assert_eq!(
        public,
        BTreeSet::from([
            "/api/v1/devices/enroll".to_string(),
            "/api/v1/health".to_string(),
            "/api/v1/openapi.json".to_string()
        ])
    );
}
