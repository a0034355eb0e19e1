//! The office server's integration suites, one test binary (each binary links the whole
//! server; one link instead of four). `common` starts the real server on loopback.

mod batch;
mod common;
mod compression;
mod console;
mod dispatch_api;
mod export;
mod hostile;
mod limits;
mod metrics;
mod openapi;
mod server_command;
mod stock_api;
mod sync_protocol;
mod uploads;
mod webhooks;
