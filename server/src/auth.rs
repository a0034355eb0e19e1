//! Credentials: dispatcher and device bearer tokens (stored as SHA-256 hashes, never in the
//! clear) and one-time enrollment codes.
//!
//! Timing: a presented token or code is never compared with a stored secret. It is hashed and
//! the hash looked up (a B-tree search over SHA-256 values an attacker cannot steer, so how
//! long the lookup takes says nothing about any stored token), and tokens are 256 random bits.
//! Secrets that are compared as such (a console form's CSRF token against its session's) go
//! through [`same_secret`], whose time depends only on the lengths.

use axum::http::HeaderMap;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::storage::{Principal, Storage};
use crate::{Error, Result};

/// How long an enrollment code stays valid.
pub const CODE_LIFETIME_MS: i64 = 7 * 24 * 3_600_000;

/// A fresh random bearer token.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    format!("fw_{}", hex::encode(bytes))
}

/// A fresh enrollment code a technician can type: `XXXXX-XXXXX` from an unambiguous alphabet.
pub fn new_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let mut s = String::with_capacity(11);
    for i in 0..10 {
        if i == 5 {
            s.push('-');
        }
        s.push(ALPHABET[rng.random_range(0..ALPHABET.len())] as char);
    }
    s
}

/// Compares two secrets in time independent of where they differ: every byte is looked at,
/// and the accumulator is hidden from the optimiser so it cannot stop at the first difference.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff = std::hint::black_box(diff | (x ^ y));
    }
    diff == 0
}

/// SHA-256 of a secret, hex. Codes are compared case-insensitively, without spaces.
pub fn hash_secret(secret: &str) -> String {
    let normal: String = secret
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    hex::encode(Sha256::digest(normal.as_bytes()))
}

/// Resolves the `Authorization: Bearer` header to a principal, or 401.
pub fn authenticate(storage: &dyn Storage, headers: &HeaderMap) -> Result<Principal> {
    // Set only by the console's middleware, for a valid session (with its CSRF token checked).
    if headers.contains_key(crate::console::CONSOLE_USER_HEADER) {
        return Ok(Principal::Dispatcher);
    }
    let value = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            Error::Unauthorized(
                "missing_token",
                "Authorization: Bearer <token> is required".into(),
            )
        })?;
    let token = value
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            Error::Unauthorized(
                "missing_token",
                "Authorization must be a Bearer token".into(),
            )
        })?;
    match storage.principal(&hash_secret(token))? {
        Some(Principal::RevokedDevice { .. }) => Err(Error::Unauthorized(
            "device_revoked",
            "this device was revoked by dispatch: ask dispatch for a new enrollment code".into(),
        )),
        Some(principal) => Ok(principal),
        None => Err(Error::Unauthorized(
            "invalid_token",
            "unknown or revoked token".into(),
        )),
    }
}

/// Creates and stores a dispatcher token; returns it (the only time it exists in the clear).
pub fn issue_dispatcher_token(storage: &dyn Storage) -> Result<String> {
    let token = new_token();
    storage.add_token(&hash_secret(&token), &Principal::Dispatcher)?;
    Ok(token)
}

/// Creates and stores a one-time enrollment code for an existing technician.
pub fn issue_enroll_code(storage: &dyn Storage, technician: &str) -> Result<String> {
    if !storage.technician_exists(technician)? {
        return Err(Error::NotFound(format!("no technician {technician}")));
    }
    let code = new_code();
    let expires = chrono::Utc::now().timestamp_millis() + CODE_LIFETIME_MS;
    storage.add_enroll_code(&hash_secret(&code), technician, expires)?;
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_typeable_and_hash_the_same_however_typed() {
        let code = new_code();
        assert_eq!(code.len(), 11);
        assert_eq!(
            hash_secret(&code),
            hash_secret(&format!(" {} ", code.to_lowercase()))
        );
        assert_ne!(new_token(), new_token());
    }
}
