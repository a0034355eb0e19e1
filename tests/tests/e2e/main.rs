//! The end-to-end suites, one test binary: the real office server on loopback, device cores
//! with real SQLite stores, the FFI facade. One binary rather than one per file: each links the
//! whole product, so a dozen of them cost minutes of linking and gigabytes of disk per clean run.
//! `log_sink.rs` stays apart because it installs the process's one log subscriber.

mod access;
mod at_rest;
mod contracts;
mod detail;
mod durability;
mod failover;
mod faults;
mod glance;
mod instances;
mod mail;
mod offline_visit;
mod refusals;
mod reports;
mod rest;
mod service;
mod shell_services;
mod stock;
mod stock_props;
mod sync_limits;
mod sync_props;
mod tls;
mod webhooks;
mod wire;
