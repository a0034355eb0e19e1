//! A handler's preconditions, as extractors: a route that takes [`Dispatcher`] cannot run for
//! anyone else, a [`JobId`] is decoded before the handler starts, and a [`Body`] is JSON within
//! the route's limit. Every refusal is the project's JSON error (`{"error":{"code","message"}}`),
//! never axum's plain-text rejection.
//!
//! The principal extractors read the [`Caller`] the `identify` layer resolved once per request
//! (no second lookup), and share their check with the route groups' layers
//! (`require_dispatcher`, `require_device`), which refuse before a body is read.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::DISPATCH_BODY_LIMIT;
use crate::auth::Caller;
use crate::{Error, Result};

/// The caller is dispatch: a dispatcher token, or a console session (whose CSRF token the
/// `identify` layer checked on every change).
#[derive(Clone, Debug)]
pub struct Dispatcher {
    /// The console user, when the call came from a console page.
    pub console_user: Option<String>,
}

impl Dispatcher {
    /// Whether `caller` may use dispatch routes: 401 without a verified credential, 403 for a
    /// device (its token is for sync and uploads only).
    pub fn check(caller: &Caller) -> Result<Dispatcher> {
        match caller {
            Caller::Dispatcher { .. } => Ok(Dispatcher { console_user: None }),
            Caller::Console { session, .. } => Ok(Dispatcher {
                console_user: Some(session.user.clone()),
            }),
            Caller::Device { device_id, .. } => {
                tracing::debug!(device = %device_id, "a device called a dispatch route");
                Err(Error::Forbidden(
                    "device tokens may only use the sync endpoint".into(),
                ))
            }
            Caller::Unverified { .. } => Err(caller.unauthorized()),
        }
    }
}

/// The caller is an enrolled, unrevoked device.
#[derive(Clone, Debug)]
pub struct Device {
    pub device_id: String,
    pub technician: String,
}

impl Device {
    /// Whether `caller` may use device routes: 401 without a verified credential (a revoked
    /// device's token included), 403 for dispatch.
    pub fn check(caller: &Caller) -> Result<Device> {
        match caller {
            Caller::Device {
                device_id,
                technician,
            } => Ok(Device {
                device_id: device_id.clone(),
                technician: technician.clone(),
            }),
            Caller::Dispatcher { .. } | Caller::Console { .. } => {
                tracing::debug!("dispatch called a device route");
                Err(Error::Forbidden(
                    "this route is for enrolled devices".into(),
                ))
            }
            Caller::Unverified { .. } => Err(caller.unauthorized()),
        }
    }
}

/// The caller `identify` resolved; unverified if it somehow did not run (a route outside the
/// router's layers), so nothing passes by accident.
pub fn caller(parts: &Parts) -> Caller {
    parts
        .extensions
        .get::<Caller>()
        .cloned()
        .unwrap_or(Caller::Unverified { refused: None })
}

impl<S: Send + Sync> FromRequestParts<S> for Dispatcher {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        Dispatcher::check(&caller(parts))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Device {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        Device::check(&caller(parts))
    }
}

/// The `{id}` of a job route (or any route's single path segment: [`PathId`]); one that does
/// not decode is a 400 `bad_path`.
#[derive(Clone, Debug)]
pub struct JobId(pub String);

/// The single `{…}` segment of a route about something other than a job (a contract, an asset's
/// serial, a complaint, an attachment's hash).
#[derive(Clone, Debug)]
pub struct PathId(pub String);

async fn one_segment<S: Send + Sync>(parts: &mut Parts, state: &S) -> Result<String> {
    Path::<String>::from_request_parts(parts, state)
        .await
        .map(|Path(id)| id)
        .map_err(|e| Error::BadRequest("bad_path", e.body_text()))
}

impl<S: Send + Sync> FromRequestParts<S> for JobId {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        one_segment(parts, state).await.map(JobId)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        one_segment(parts, state).await.map(PathId)
    }
}

/// A query string decoded into `T`; one that does not is a 400 `bad_query`.
#[derive(Clone, Debug)]
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| Params(v))
            .map_err(|e| Error::BadRequest("bad_query", e.body_text()))
    }
}

/// A JSON body of a dispatch route decoded into `T`: 413 over the limit, 408 when it stops
/// arriving, 400 `bad_json` when it does not decode.
#[derive(Clone, Debug)]
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self> {
        let bytes = Bytes::from_request(request, state).await;
        json_body(bytes, DISPATCH_BODY_LIMIT).map(Body)
    }
}

/// A request body, mapping a body over `limit` to 413, one that stopped arriving to 408, and
/// anything else that broke it to 400.
pub fn body_bytes(
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
    limit: usize,
) -> Result<Bytes> {
    body.map_err(|rej| {
        if rej.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::TooLarge(limit)
        } else if super::layers::caused_by::<tower_http::timeout::TimeoutError>(&rej) {
            Error::Timeout("the request body stopped arriving".into())
        } else {
            Error::BadRequest("bad_body", rej.body_text())
        }
    })
}

/// A JSON body within `limit`, with [`body_bytes`]'s errors and 400 `bad_json`.
pub fn json_body<T: DeserializeOwned>(
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
    limit: usize,
) -> Result<T> {
    let bytes = body_bytes(body, limit)?;
    serde_json::from_slice(&bytes).map_err(|e| Error::BadRequest("bad_json", e.to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use axum::Router;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    /// A route mounted with no layer at all: the extractor alone decides.
    fn bare_route() -> Router {
        Router::new().route(
            "/x",
            get(|_: Dispatcher, JobId(id): JobId| async move { id }),
        )
    }

    async fn call(caller: Option<Caller>) -> StatusCode {
        let mut request = axum::http::Request::get("/x")
            .body(axum::body::Body::empty())
            .unwrap();
        if let Some(caller) = caller {
            request.extensions_mut().insert(caller);
        }
        // `/x` has no `{id}`: a dispatcher gets as far as the path and is refused there.
        let app = Router::new()
            .route(
                "/x/{id}",
                get(|_: Dispatcher, JobId(id): JobId| async move { id }),
            )
            .merge(bare_route());
        app.oneshot(request).await.unwrap().status()
    }

    #[tokio::test]
    async fn a_route_that_takes_dispatcher_refuses_everyone_else_even_without_its_layer() {
        // `identify` never ran: nothing verified.
        assert_eq!(call(None).await, StatusCode::UNAUTHORIZED);
        let device = Caller::Device {
            device_id: "D-1".into(),
            technician: "t1".into(),
        };
        assert_eq!(call(Some(device)).await, StatusCode::FORBIDDEN);
        let refused = Caller::Unverified {
            refused: Some(("device_revoked", "revoked".into())),
        };
        assert_eq!(call(Some(refused)).await, StatusCode::UNAUTHORIZED);
        // Dispatch passes the principal check and meets the next extractor's refusal.
        let dispatcher = Caller::Dispatcher { key: "k".into() };
        assert_eq!(call(Some(dispatcher)).await, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn device_routes_refuse_dispatch_and_name_why_a_token_failed() {
        let console = Caller::Dispatcher { key: "k".into() };
        assert!(matches!(Device::check(&console), Err(Error::Forbidden(_))));
        let revoked = Caller::Unverified {
            refused: Some(("device_revoked", "revoked".into())),
        };
        assert!(matches!(
            Device::check(&revoked),
            Err(Error::Unauthorized("device_revoked", _))
        ));
        let device = Caller::Device {
            device_id: "D-1".into(),
            technician: "t1".into(),
        };
        let Ok(Device {
            device_id,
            technician,
        }) = Device::check(&device)
        else {
            panic!("an enrolled device was refused");
        };
        assert_eq!((device_id.as_str(), technician.as_str()), ("D-1", "t1"));
    }
}
