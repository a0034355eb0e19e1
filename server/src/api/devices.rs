//! Devices: enrollment with a one-time code, the sync endpoint, and the list dispatch sees.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use fieldwork_model::wire::{
    CBOR, DocState, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, SyncRequest, SyncResponse, from_cbor,
    to_cbor,
};
use serde::Deserialize;

use super::SYNC_BODY_LIMIT;
use super::extract::{Body, Device, Dispatcher, Params};
use crate::auth::{hash_secret, new_token};
use crate::error::ErrorBody;
use crate::state::AppState;
use crate::{Error, Result};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrollBody {
    #[schema(min_length = 1)]
    code: String,
    #[serde(default)]
    device_name: String,
    /// The device's Ed25519 public key (64 hex digits); sealed reports verify against it.
    #[serde(default)]
    #[schema(pattern = r"^[0-9a-f]{64}$")]
    public_key: Option<String>,
}

const KEY_FORMAT: &str = "the device's Ed25519 public key as 64 hex digits";

/// `POST /api/v1/devices/enroll` — the code is the credential.
#[utoipa::path(
    post,
    path = "/api/v1/devices/enroll",
    tag = "device",
    request_body = EnrollBody, security(()),
    responses((status = 201, description = "Enrolled: the device's token", body = Enrolled), (status = 401, description = "The code is unknown, used or expired", body = ErrorBody), (status = 409, description = "This device key is enrolled", body = ErrorBody))
)]
#[tracing::instrument(skip_all)]
pub async fn enroll(
    State(state): State<AppState>,
    Body(body): Body<EnrollBody>,
) -> Result<(StatusCode, Json<Enrolled>)> {
    if body.device_name.len() > 200 {
        return Err(Error::BadRequest(
            "invalid",
            "device_name is too long".into(),
        ));
    }
    // Without its key a device could never have a signed report accepted: enrolling it would
    // only defer the failure to the customer's signature.
    let Some(key) = &body.public_key else {
        return Err(Error::BadRequest(
            "invalid",
            format!("public_key is required: {KEY_FORMAT}"),
        ));
    };
    let valid = hex::decode(key)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .is_some_and(|b| ed25519_dalek::VerifyingKey::from_bytes(&b).is_ok());
    if !valid {
        return Err(Error::BadRequest(
            "invalid",
            format!("public_key must be {KEY_FORMAT}"),
        ));
    }
    let device_id = format!("D-{}", uuid::Uuid::new_v4().simple());
    let token = new_token();
    let (id, tok) = (device_id.clone(), hash_secret(&token));
    let technician = state
        .blocking(move |s| {
            Ok(s.redeem_enroll_code(
                &hash_secret(&body.code),
                chrono::Utc::now().timestamp_millis(),
                &id,
                &body.device_name,
                &tok,
                body.public_key.as_deref(),
            )?)
        })
        .await?
        .ok_or_else(|| {
            Error::Unauthorized(
                "invalid_enrollment_code",
                "the enrollment code is unknown, used or expired".into(),
            )
        })?;
    tracing::info!(device = %device_id, technician = %technician, "device enrolled");
    Ok((
        StatusCode::CREATED,
        Json(Enrolled {
            device_id,
            token,
            technician,
        }),
    ))
}

/// `POST /api/v1/sync` — device tokens only.
#[utoipa::path(
    post,
    path = "/api/v1/sync",
    tag = "device",
    request_body(description = "A sync round: JSON (`application/json`) or CBOR (`application/cbor`), optionally zstd or gzip (`Content-Encoding`)", content((SyncRequest = "application/json"), (SyncRequest = "application/cbor"))), security(("device" = [])),
    responses((status = 200, description = "The office's side of the round, in the request's encoding", content((SyncResponse = "application/json"), (SyncResponse = "application/cbor"))), (status = 415, description = "A content encoding the server does not read", body = ErrorBody), (status = 426, description = "A protocol version the server no longer speaks: update the app", body = ErrorBody))
)]
#[tracing::instrument(skip_all, fields(device = %device))]
pub async fn sync(
    State(state): State<AppState>,
    Device {
        device_id: device,
        technician,
    }: Device,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<axum::response::Response> {
    let body = super::body_bytes(body, SYNC_BODY_LIMIT)?;
    state.limits.pushed(&device, body.len()).await?;
    let encoding = SyncEncoding::of_request(&headers);
    let request = decode_sync_request(&body, encoding)?;
    let answer = SyncEncoding::of_answer(&headers);
    // A binary answer that will be compressed whole: plain snapshots let the compressor see
    // what jobs share.
    let compressed = headers
        .get(axum::http::header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("zstd") || v.contains("gzip"));
    let snapshots = if answer == SyncEncoding::Cbor && compressed {
        crate::sync::Snapshots::Plain
    } else {
        crate::sync::Snapshots::Stored
    };
    let pushed: Vec<String> = request
        .push
        .iter()
        .filter(|p| !p.changes.is_empty())
        .map(|p| p.job.clone())
        .collect();
    let who = technician.clone();
    let started = std::time::Instant::now();
    let (device_id, body_bytes) = (device.clone(), body.len());
    let response = state
        .blocking(move |s| crate::sync::handle(s, &device, &technician, request, snapshots))
        .await?;
    // The console shows the phone's sync time and the jobs its push changed.
    let pushed_count = pushed.len();
    let accepted = pushed
        .into_iter()
        .filter(|job| {
            response
                .docs
                .iter()
                .any(|d| &d.job == job && d.state == DocState::Ok)
        })
        .collect::<Vec<String>>();
    let count = |state: DocState| response.docs.iter().filter(|d| d.state == state).count();
    // Ids and counts only: never a token, a name or anything a job says.
    tracing::info!(
        device = %device_id,
        technician = %who,
        bytes = body_bytes,
        pushed = pushed_count,
        accepted = ?accepted,
        refused = count(DocState::Refused),
        resend = count(DocState::Resend),
        docs = response.docs.len(),
        cursor = response.cursor,
        more = response.more,
        ms = started.elapsed().as_millis() as u64,
        "sync round"
    );
    if let Some(mail) = &state.mail {
        mail.jobs_synced(accepted.clone());
    }
    let merged = accepted.len();
    state.live.device_synced(&who, accepted);
    let out = answer.answer(&response)?;
    let bytes_out = axum::body::HttpBody::size_hint(out.body())
        .exact()
        .unwrap_or(0);
    crate::metrics::sync_round(body_bytes, bytes_out as usize, merged);
    Ok(out)
}

/// Decodes a sync request, telling an app that speaks a protocol version this server no longer
/// does to update (426 `upgrade_required`) rather than that its body is malformed: an old
/// app's body may not even decode as today's request.
fn decode_sync_request(body: &[u8], encoding: SyncEncoding) -> Result<SyncRequest> {
    #[derive(serde::Deserialize)]
    struct Version {
        v: u32,
    }
    let version = encoding.decode::<Version>(body).ok().map(|v| v.v);
    if let Some(v) = version.filter(|v| *v < MIN_PROTOCOL_VERSION) {
        return Err(Error::UpgradeRequired(format!(
            "this app speaks sync version {v}; the office needs {MIN_PROTOCOL_VERSION} to \
             {PROTOCOL_VERSION}: update the app (work on the phone is kept)"
        )));
    }
    encoding.decode(body)
}

/// How a sync body is encoded: JSON (the default) or CBOR, where change bytes travel as they
/// are instead of as base64 (`docs/sync-protocol.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SyncEncoding {
    Json,
    Cbor,
}

impl SyncEncoding {
    /// The request body's encoding, from its `Content-Type`.
    fn of_request(headers: &HeaderMap) -> SyncEncoding {
        Self::named(headers, axum::http::header::CONTENT_TYPE)
    }

    /// The answer's encoding: CBOR when the request's `Accept` names it or the request came
    /// in CBOR (a phone saves the header on every idle round).
    fn of_answer(headers: &HeaderMap) -> SyncEncoding {
        match Self::named(headers, axum::http::header::ACCEPT) {
            SyncEncoding::Cbor => SyncEncoding::Cbor,
            SyncEncoding::Json => Self::of_request(headers),
        }
    }

    fn named(headers: &HeaderMap, header: axum::http::HeaderName) -> SyncEncoding {
        let cbor = headers
            .get(header)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim().starts_with(CBOR)));
        if cbor {
            SyncEncoding::Cbor
        } else {
            SyncEncoding::Json
        }
    }

    fn decode<T: serde::de::DeserializeOwned>(self, body: &[u8]) -> Result<T> {
        match self {
            SyncEncoding::Json => serde_json::from_slice(body)
                .map_err(|e| Error::BadRequest("bad_json", e.to_string())),
            SyncEncoding::Cbor => from_cbor(body).map_err(|e| Error::BadRequest("bad_cbor", e)),
        }
    }

    fn answer(self, response: &SyncResponse) -> Result<axum::response::Response> {
        use axum::response::IntoResponse;
        match self {
            SyncEncoding::Json => Ok(Json(response).into_response()),
            SyncEncoding::Cbor => {
                let bytes = to_cbor(response).map_err(Error::Internal)?;
                Ok(([(axum::http::header::CONTENT_TYPE, CBOR)], bytes).into_response())
            }
        }
    }
}

/// `GET /api/v1/devices` — every enrolled device with its public key.
#[utoipa::path(
    get,
    path = "/api/v1/devices",
    tag = "registers",
    params(super::PageParams),
    responses((status = 200, description = "Enrolled devices with their public keys", body = Vec<DeviceAnswer>, headers(("X-Next-Offset" = u32, description = "Where the next page begins, when more rows remain"))))
)]
#[tracing::instrument(skip_all)]
pub async fn list_devices(
    State(state): State<AppState>,
    _: Dispatcher,
    Params(page): Params<super::PageParams>,
) -> Result<super::Paged<DeviceAnswer>> {
    let devices = state.blocking(|s| Ok(s.devices()?)).await?;
    let time = fieldwork_model::time::to_rfc3339;
    Ok(super::Paged::cut(
        devices
            .into_iter()
            .map(|d| DeviceAnswer {
                device_id: d.device_id,
                technician: d.technician,
                name: d.name,
                public_key: d.public_key,
                enrolled_at: time(d.enrolled_at),
                last_sync_at: d.last_sync_at.map(time),
                revoked: d.revoked,
            })
            .collect(),
        page.limit,
        page.offset,
    ))
}

/// `POST /api/v1/devices/enroll`: the device's id and its bearer token (the only time the token
/// exists in the clear).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Enrolled {
    pub device_id: String,
    pub token: String,
    pub technician: String,
}

/// An enrolled device as `GET /api/v1/devices` lists it, with its Ed25519 key (hex).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct DeviceAnswer {
    pub device_id: String,
    pub technician: String,
    pub name: String,
    pub public_key: Option<String>,
    pub enrolled_at: String,
    pub last_sync_at: Option<String>,
    pub revoked: bool,
}
