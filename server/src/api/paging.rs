//! Paged lists: `?limit=&offset=` on every list route, answered as `{"items", "total",
//! "limit", "offset"}`.

use axum::response::IntoResponse;

/// Rows a list route answers by default, and at most (`?limit=`).
pub const PAGE_DEFAULT: u32 = 500;

pub const PAGE_MAX: u32 = 5000;

/// One page of a list route: `?limit=` rows (default [`PAGE_DEFAULT`], at most [`PAGE_MAX`])
/// from `?offset=`; when more remain the answer carries `X-Next-Offset` (the array itself is
/// unchanged, so existing clients read the first page as before).
pub struct Paged<T> {
    rows: Vec<T>,
    next: Option<usize>,
}

impl<T> Paged<T> {
    pub fn cut(mut rows: Vec<T>, limit: Option<u32>, offset: Option<u32>) -> Paged<T> {
        let limit = limit.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX) as usize;
        let offset = (offset.unwrap_or(0) as usize).min(rows.len());
        rows.drain(..offset);
        let next = (rows.len() > limit).then_some(offset + limit);
        rows.truncate(limit);
        Paged { rows, next }
    }
}

impl<T> Paged<T> {
    /// A page the store cut already: asked for `limit + 1` rows from `offset`, so a row past
    /// the limit says another page follows.
    pub fn fetched(mut rows: Vec<T>, limit: u32, offset: u32) -> Paged<T> {
        let limit = limit as usize;
        let next = (rows.len() > limit).then_some(offset as usize + limit);
        rows.truncate(limit);
        Paged { rows, next }
    }
}

impl<T: serde::Serialize> IntoResponse for Paged<T> {
    fn into_response(self) -> axum::response::Response {
        let mut response = axum::Json(self.rows).into_response();
        if let Some(next) = self.next {
            response.headers_mut().insert(
                axum::http::HeaderName::from_static("x-next-offset"),
                axum::http::HeaderValue::from(next),
            );
        }
        response
    }
}

/// `?limit=&offset=` of a list route without other parameters.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    #[serde(default)]
    pub limit: Option<u32>,
    #[serde(default)]
    pub offset: Option<u32>,
}

/// The filters of the register lists (follow-ups, complaints, loaners) with their page.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OpenParams {
    #[serde(default)]
    pub limit: Option<u32>,
    #[serde(default)]
    pub offset: Option<u32>,
    #[serde(default)]
    pub open: Option<bool>,
    #[serde(default)]
    pub technician: Option<String>,
    #[serde(default)]
    pub job: Option<String>,
}
