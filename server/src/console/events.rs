//! The live event stream (`/events`): server-sent events of every change, closed when the
//! session ends.

use super::SignedIn;
use std::convert::Infallible;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};

use super::SESSION_COOKIE;
use super::live;
use crate::Error;
use crate::state::AppState;

/// The server-sent-events stream of changes for a signed-in page.
/// How often an open event stream checks that its session is still live, besides before every
/// event it sends: a session that expires or ends on another instance closes its streams within
/// this time.
const STREAM_SESSION_RECHECK: std::time::Duration = std::time::Duration::from_secs(30);

/// `GET /events`: the live change stream of a signed-in page. At most
/// [`live::STREAMS_PER_SESSION`] per session; it closes when the session logs out, expires or
/// is revoked (checked before each event and every [`STREAM_SESSION_RECHECK`]).
pub(super) async fn events(
    State(state): State<AppState>,
    _: SignedIn,
    headers: HeaderMap,
) -> Response {
    let Some(token) = crate::auth::session_cookie(&headers, SESSION_COOKIE) else {
        return Redirect::to("/login").into_response();
    };
    let session = crate::auth::hash_secret(&token);
    let Some(slot) = state.live.open_stream(&session) else {
        return Error::TooManyRequests {
            retry_after_secs: 5,
            message: format!(
                "this session already has {} live streams open: close a console tab",
                live::STREAMS_PER_SESSION
            ),
        }
        .into_response();
    };
    let mut changes = state.live.subscribe();
    let mut ended = state.live.ended();
    let stream = async_stream(move |tx| async move {
        let _slot = slot;
        let mut recheck = tokio::time::interval(STREAM_SESSION_RECHECK);
        recheck.tick().await;
        loop {
            let event = tokio::select! {
                change = changes.recv() => match change {
                    Ok(change) => Event::default()
                        .event("change")
                        .json_data(&change)
                        .unwrap_or_default(),
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        Event::default().event("lagged").data("{}")
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                },
                gone = ended.recv() => match gone {
                    Ok(gone) if gone == session => break,
                    _ => continue,
                },
                _ = recheck.tick() => {
                    if !session_live(&state, &session).await {
                        break;
                    }
                    continue;
                }
                () = tx.closed() => break,
            };
            // Nothing reaches a page whose session ended since the last event.
            if !session_live(&state, &session).await {
                break;
            }
            if tx.send(Ok::<_, Infallible>(event)).await.is_err() {
                break;
            }
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// Whether the session whose token hashes to `session` is still live (a database that cannot
/// answer counts as no: the page reconnects and is told).
async fn session_live(state: &AppState, session: &str) -> bool {
    let session = session.to_string();
    let now = chrono::Utc::now().timestamp_millis();
    matches!(
        state.blocking(move |s| Ok(s.session(&session, now)?)).await,
        Ok(Some(_))
    )
}

/// A stream fed by a task (a bounded channel): the task ends when the page goes away.
fn async_stream<F, Fut>(
    produce: F,
) -> tokio_stream_shim::ReceiverStream<std::result::Result<Event, Infallible>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<std::result::Result<Event, Infallible>>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    tokio::spawn(produce(tx));
    tokio_stream_shim::ReceiverStream(rx)
}

/// `tokio::sync::mpsc::Receiver` as a `futures_core::Stream` (what `Sse` takes).
mod tokio_stream_shim {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    pub struct ReceiverStream<T>(pub tokio::sync::mpsc::Receiver<T>);

    impl<T> futures_core::Stream for ReceiverStream<T> {
        type Item = T;
        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
            self.0.poll_recv(cx)
        }
    }
}
