//! The API described: an OpenAPI 3.1 document built from the handlers' own annotations
//! (`#[utoipa::path]` beside each handler, `ToSchema` on the types they take and answer), served
//! at `GET /api/v1/openapi.json`.
//!
//! The routes themselves are registered from the same annotations (`utoipa_axum::routes!` in
//! `api/mod.rs`), so a route cannot exist without its description or the reverse. What every
//! request can meet on its way through the layers (a credential refused, a rate limit, a body
//! too large, the database away) is added to every operation here, once, instead of beside
//! each handler; a handler lists only the answers of its own (its success, 404, 409, 422).

use std::sync::OnceLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, OpenApi as Document, Ref, RefOr, ResponseBuilder, ResponsesBuilder,
};
use utoipa::{Modify, OpenApi};

use crate::error::ErrorBody;

/// The document's fixed parts: what the API is, its auth schemes and the error body. The
/// paths are added by the router as it registers each handler.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Fieldwork office API",
        description = "Dispatch, registers, stock and reports of the Fieldwork office server, \
            and the device endpoints (enrollment, sync, photo uploads). Every error is \
            `{\"error\":{\"code\",\"message\"}}` with a fitting status; a rule the input broke \
            also carries `reason` and `field`. Lists answer one page (`?limit=&offset=`) and say \
            where the next begins in `X-Next-Offset`.",
        license(name = "MIT OR Apache-2.0"),
    ),
    servers((url = "/", description = "This office server")),
    // Dispatch routes: a dispatcher token, or a console session whose changes carry the
    // session's CSRF token.
    security(("dispatcher" = []), ("session" = [], "csrf" = [])),
    components(schemas(ErrorBody)),
    modifiers(&Schemes),
    tags(
        (name = "jobs", description = "Service jobs: create, read, reschedule, reassign, notes, parts, cancel"),
        (name = "reports", description = "Sealed completion reports and their PDFs"),
        (name = "registers", description = "Technicians, contracts, assets, maintenance plans, loaners, devices"),
        (name = "service", description = "Follow-up calls, complaints, escalations and KPIs"),
        (name = "stock", description = "Parts, stock locations, the stock ledger and what follows from it"),
        (name = "webhooks", description = "Subscriptions to events, signed deliveries and their answers"),
        (name = "device", description = "What phones call: enrollment, sync, photo uploads"),
        (name = "meta", description = "Health and this description"),
    )
)]
pub struct ApiDoc;

/// The auth schemes the `security` requirements name.
struct Schemes;

impl Modify for Schemes {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        let bearer = |what: &str| {
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(what))
                    .build(),
            )
        };
        components.add_security_scheme(
            "dispatcher",
            bearer("A dispatcher token (`fieldwork-server token`): every dispatch route."),
        );
        components.add_security_scheme(
            "device",
            bearer(
                "An enrolled device's token (the answer of `POST /api/v1/devices/enroll`): \
                 sync and uploads only.",
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::console::SESSION_COOKIE,
                "A console login's session cookie.",
            ))),
        );
        components.add_security_scheme(
            "csrf",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "The session's CSRF token, required with the session cookie on every change.",
            ))),
        );
    }
}

/// An answer every operation of a kind can give, whatever its handler does.
struct Common {
    status: &'static str,
    name: &'static str,
    description: &'static str,
}

const fn common(status: &'static str, name: &'static str, description: &'static str) -> Common {
    Common {
        status,
        name,
        description,
    }
}

type Set = &'static [Common];

/// On every route: the rate limit, the deadline, the database away, a fault.
const EVERY: Set = &[
    common(
        "408",
        "Timeout",
        "The request (or its body) took longer than the server allows.",
    ),
    common(
        "429",
        "RateLimited",
        "Over the caller's request or byte budget; `Retry-After` says when to come back.",
    ),
    common(
        "500",
        "Internal",
        "A fault on the server; nothing was half-written.",
    ),
    common(
        "503",
        "Unavailable",
        "The database cannot be reached (`database_unavailable`, with `Retry-After`), or a \
         server-side resource is missing.",
    ),
    common(
        "507",
        "DiskFull",
        "The office's disk is full: nothing was written; retry once space returns.",
    ),
];

/// On every route that takes input (a path segment, a query, a body).
const INPUT: Set = &[common(
    "400",
    "BadRequest",
    "The input does not decode (`bad_json`, `bad_query`, `bad_path`) or breaks a rule \
     (`invalid`, with `reason` and `field`).",
)];

/// On every route that needs a credential.
const SIGNED: Set = &[
    common(
        "401",
        "Unauthorized",
        "No credential, or one the server does not know (a revoked device's included).",
    ),
    common(
        "403",
        "Forbidden",
        "A credential of the wrong kind (a device token on a dispatch route), or a console \
         change without its CSRF token or from another origin.",
    ),
];

/// On every route that takes a body.
const BODY: Set = &[common(
    "413",
    "TooLarge",
    "The body is over the route's limit.",
)];

fn error_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
}

/// Adds the answers the layers give to every operation that can meet them (as shared
/// `components/responses`), and makes the document's security explicit on each operation.
pub fn add_common_answers(doc: &mut Document) {
    let components = doc.components.get_or_insert_with(Default::default);
    for c in EVERY.iter().chain(INPUT).chain(SIGNED).chain(BODY) {
        components
            .responses
            .insert(c.name.to_string(), RefOr::T(error_response(c.description)));
    }
    for item in doc.paths.paths.values_mut() {
        for (method, op) in [
            ("get", item.get.as_mut()),
            ("post", item.post.as_mut()),
            ("patch", item.patch.as_mut()),
            ("put", item.put.as_mut()),
            ("delete", item.delete.as_mut()),
        ] {
            let Some(op) = op else { continue };
            let public = op
                .security
                .as_ref()
                .is_some_and(|s| s.iter().all(is_empty_requirement));
            let takes_input =
                op.request_body.is_some() || op.parameters.as_ref().is_some_and(|p| !p.is_empty());
            let mut sets = vec![EVERY];
            if takes_input {
                sets.push(INPUT);
            }
            if !public {
                sets.push(SIGNED);
            }
            if method != "get" {
                sets.push(BODY);
            }
            add_refs(op, sets.iter().flat_map(|s| s.iter()));
        }
    }
}

fn is_empty_requirement(r: &utoipa::openapi::security::SecurityRequirement) -> bool {
    serde_json::to_value(r).is_ok_and(|v| v.as_object().is_some_and(|o| o.is_empty()))
}

fn add_refs<'a>(op: &mut Operation, answers: impl Iterator<Item = &'a Common>) {
    let mut responses = std::mem::replace(&mut op.responses, ResponsesBuilder::new().build());
    for c in answers {
        responses
            .responses
            .entry(c.status.to_string())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(c.name)));
    }
    op.responses = responses;
}

/// The document as served, built once.
pub fn document() -> &'static [u8] {
    static JSON: OnceLock<Vec<u8>> = OnceLock::new();
    JSON.get_or_init(|| {
        let (_, doc) = super::described();
        // A document we built ourselves always serialises.
        serde_json::to_vec_pretty(&doc).unwrap_or_default()
    })
}

/// `GET /api/v1/openapi.json`: this description.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    security(()),
    responses((status = 200, description = "The OpenAPI 3.1 description of every `/api/v1` route", content_type = "application/json", body = Object))
)]
pub async fn openapi_json() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], document()).into_response()
}
