//! Search (`/search?q=`): a dispatcher on the phone with a customer finds the job by what the
//! customer says: the job id, the customer's name (Chinese included), a phone number however it
//! is typed, the site's address or the equipment's serial.

use super::SignedIn;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use fieldwork_model::JobView;

use super::i18n::Words;
use super::{page, words};
use crate::state::AppState;

/// Most results shown: a search that matches more is too broad to read; the page says so.
const MAX_RESULTS: usize = 50;
/// Shortest phone fragment matched by its digits alone ("5550" finds "021-5550100"): fewer
/// digits would match most numbers.
const MIN_PHONE_DIGITS: usize = 4;

#[derive(serde::Deserialize, Default)]
pub(super) struct SearchQuery {
    q: Option<String>,
}

struct Hit {
    id: String,
    customer: String,
    phone: String,
    site: String,
    serial: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    w: &'static Words,
    user: String,
    csrf: String,
    live: u8,
    q: String,
    hits: Vec<Hit>,
    /// More jobs matched than are shown.
    more: bool,
}

/// Whether `job` matches `query`: every word of the query is in one of its fields (case
/// folded), or the query's digits are in the customer's phone's digits.
pub(crate) fn matches(job: &JobView, query: &str) -> bool {
    let fields = [
        job.id.as_str(),
        job.customer.name.as_str(),
        job.customer.phone.as_str(),
        job.site.address.as_str(),
        job.asset.serial.as_str(),
    ]
    .map(str::to_lowercase);
    let words_match = query
        .split_whitespace()
        .map(str::to_lowercase)
        .all(|word| fields.iter().any(|f| f.contains(&word)));
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let wanted = digits(query);
    let phone_match = wanted.len() >= MIN_PHONE_DIGITS
        && query
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()".contains(c))
        && digits(&job.customer.phone).contains(&wanted);
    words_match || phone_match
}

pub(super) async fn search(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    headers: HeaderMap,
    Query(q): Query<SearchQuery>,
) -> Response {
    let w = words(&headers);
    let query = q.q.unwrap_or_default().trim().to_string();
    let mut hits = Vec::new();
    let mut more = false;
    if !query.is_empty() {
        let render_state = state.clone();
        let needle = query.clone();
        let found = state
            .blocking(move |s| {
                let views = super::all_views(s, &render_state)?;
                Ok(views
                    .into_iter()
                    .filter(|v| matches(v, &needle))
                    .collect::<Vec<_>>())
            })
            .await;
        let mut found = match found {
            Ok(v) => v,
            Err(e) => return e.into_response(),
        };
        // The newest reports first: the customer on the phone is most likely about them.
        found.sort_by(|a, b| b.reported_at.cmp(&a.reported_at));
        more = found.len() > MAX_RESULTS;
        hits = found
            .into_iter()
            .take(MAX_RESULTS)
            .map(|v| Hit {
                status: v.status.as_str(),
                id: v.id,
                customer: v.customer.name,
                phone: v.customer.phone,
                site: v.site.address,
                serial: v.asset.serial,
            })
            .collect();
    }
    page(SearchPage {
        w,
        user: session.user,
        csrf: session.csrf,
        live: 0,
        q: query,
        hits,
        more,
    })
}
