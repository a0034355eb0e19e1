//! The devices page (`/devices`): enrolled phones with their last sync and photos not yet
//! uploaded, enrollment codes, and revoking a lost phone.

use super::SignedIn;
use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use fieldwork_store::{JobFilter, SessionRecord, Technician};

use super::i18n::Words;
use super::login::CsrfForm;
use super::{ms_local, office_zone, page, signed_in_form, words};
use crate::Error;
use crate::state::AppState;

struct DeviceRow {
    device_id: String,
    name: String,
    technician: String,
    enrolled_at: String,
    last_sync_at: String,
    revoked: bool,
    /// Photos the technician's jobs reference that have not reached the office yet.
    pending_uploads: usize,
}

struct IssuedCode {
    technician: String,
    code: String,
    /// What the phone scans (`fieldwork://enroll?office=...&code=...`) and its QR code as a
    /// base64 PNG; `None` when the request named no host to put in it.
    qr: Option<(String, String)>,
}

/// The office's address as the dispatcher's browser reached it: the phone is told the same.
/// HTTPS when this server terminates TLS or a proxy in front says it did.
fn office_address(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let host = headers.get(axum::http::header::HOST)?.to_str().ok()?;
    // A Host header is a name and a port; anything else is not put in a URL.
    if host.is_empty()
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
    {
        return None;
    }
    let forwarded_https = headers
        .get("x-forwarded-proto")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let scheme = if state.tls || forwarded_https {
        "https"
    } else {
        "http"
    };
    Some(format!("{scheme}://{host}"))
}

#[derive(Template)]
#[template(path = "devices.html")]
struct DevicesPage {
    w: &'static Words,
    user: String,
    csrf: String,
    live: u8,
    technicians: Vec<Technician>,
    devices: Vec<DeviceRow>,
    code: Option<IssuedCode>,
}

async fn devices_page(
    state: &AppState,
    headers: &HeaderMap,
    session: SessionRecord,
    code: Option<IssuedCode>,
) -> Response {
    let w = words(headers);
    let zone = office_zone();
    let blobs = state.blobs.clone();
    let loaded = state
        .blocking(move |s| {
            // A job that references a photo the office lacks: its upload is still pending on the
            // phone of the technician who took it.
            let mut pending: BTreeMap<String, usize> = BTreeMap::new();
            let open = JobFilter {
                open_only: true,
                limit: 100_000,
                ..JobFilter::default()
            };
            let photos = s.map_contents(&open, |data| -> crate::Result<_> {
                Ok(data
                    .attachments
                    .into_iter()
                    .map(|(id, a)| (id, a.by))
                    .collect::<Vec<_>>())
            })?;
            for (id, by) in photos.into_iter().flatten() {
                if !blobs.has(&id) {
                    *pending.entry(by).or_default() += 1;
                }
            }
            Ok((s.technicians()?, s.devices()?, pending))
        })
        .await;
    let (technicians, devices, pending) = match loaded {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let devices = devices
        .into_iter()
        .map(|d| DeviceRow {
            enrolled_at: ms_local(Some(d.enrolled_at), zone, w.never),
            last_sync_at: ms_local(d.last_sync_at, zone, w.never),
            device_id: d.device_id,
            name: d.name,
            pending_uploads: pending.get(&d.technician).copied().unwrap_or(0),
            technician: d.technician,
            revoked: d.revoked,
        })
        .collect();
    page(DevicesPage {
        w,
        user: session.user,
        csrf: session.csrf,
        live: if code.is_some() { 0 } else { 1 },
        technicians,
        devices,
        code,
    })
}

pub(super) async fn devices(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    headers: HeaderMap,
) -> Response {
    devices_page(&state, &headers, session, None).await
}

#[derive(serde::Deserialize)]
pub(super) struct CodeForm {
    csrf: String,
    technician: String,
}

pub(super) async fn issue_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let session = match signed_in_form(&state, &headers, &form.csrf).await {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let technician = form.technician.clone();
    match state
        .blocking(move |s| crate::auth::issue_enroll_code(s, &technician))
        .await
    {
        Ok(code) => {
            let qr = office_address(&state, &headers).and_then(|office| {
                let payload = super::enroll_qr::payload(&office, &code);
                let png = super::enroll_qr::png(&payload)?;
                Some((
                    payload,
                    base64::engine::general_purpose::STANDARD.encode(png),
                ))
            });
            devices_page(
                &state,
                &headers,
                session,
                Some(IssuedCode {
                    technician: form.technician,
                    code,
                    qr,
                }),
            )
            .await
        }
        Err(e) => e.into_response(),
    }
}

pub(super) async fn revoke_device(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Err(r) = signed_in_form(&state, &headers, &form.csrf).await {
        return *r;
    }
    match state.blocking(move |s| Ok(s.revoke_device(&id)?)).await {
        Ok(true) => Redirect::to("/devices").into_response(),
        Ok(false) => Error::NotFound("no such device".into()).into_response(),
        Err(e) => e.into_response(),
    }
}
