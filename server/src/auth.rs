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

use crate::{Error, Result};
use fieldwork_store::{Principal, SessionRecord, Storage};

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

/// Whether `token` has the exact shape [`new_token`] gives: `fw_` and 64 lowercase hex digits.
/// Anything else (padding, another case, other characters) is refused before any lookup, so a
/// credential has one spelling and one rate-limit bucket.
pub fn is_token(token: &str) -> bool {
    token.len() == 67
        && token.starts_with("fw_")
        && token[3..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The bearer token of a request, parsed strictly: `None` without an `Authorization` header; a
/// 401 for two of them, another scheme, padding, or a token not shaped like ours.
pub fn bearer(headers: &HeaderMap) -> Result<Option<&str>> {
    let mut values = headers.get_all(axum::http::header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let malformed = |why: &str| {
        Error::Unauthorized(
            "invalid_token",
            format!("the Authorization header must be one `Bearer <token>`: {why}"),
        )
    };
    if values.next().is_some() {
        return Err(malformed("it was sent more than once"));
    }
    let value = value
        .to_str()
        .map_err(|_| malformed("it is not visible ASCII"))?;
    let token = value
        .strip_prefix("Bearer ")
        .ok_or_else(|| malformed("the scheme must be `Bearer` and one space"))?;
    if !is_token(token) {
        return Err(malformed("the token is not one the office issued"));
    }
    Ok(Some(token))
}

/// Who sent a request, as far as its credential proves. Resolved once per request, before any
/// body is read ([`identify`]); the rate limits count each verified principal in its own bucket
/// and everything unverified in its client address's.
#[derive(Clone, Debug)]
pub enum Caller {
    /// An enrolled device's bearer token.
    Device {
        device_id: String,
        technician: String,
    },
    /// A dispatcher bearer token (`key`: a prefix of its hash, never the token).
    Dispatcher { key: String },
    /// A console session cookie (`key`: a prefix of its hash).
    Console { key: String, session: SessionRecord },
    /// No credential, or one that did not verify. `refused` says why a route that needs one
    /// answers 401 (`None`: nothing was presented).
    Unverified {
        refused: Option<(&'static str, String)>,
    },
}

impl Caller {
    /// The rate-limit bucket this request spends from.
    pub fn bucket(&self, peer: Option<std::net::IpAddr>) -> String {
        match (self, peer) {
            (Caller::Device { device_id, .. }, _) => format!("device:{device_id}"),
            (Caller::Dispatcher { key }, _) => format!("dispatcher:{key}"),
            (Caller::Console { key, .. }, _) => format!("session:{key}"),
            (Caller::Unverified { .. }, Some(ip)) => format!("ip:{ip}"),
            (Caller::Unverified { .. }, None) => "ip:unknown".into(),
        }
    }

    /// The 401 a route that needs a credential answers this caller with.
    pub fn unauthorized(&self) -> Error {
        match self {
            Caller::Unverified {
                refused: Some((code, message)),
            } => Error::Unauthorized(code, message.clone()),
            _ => Error::Unauthorized(
                "missing_token",
                "Authorization: Bearer <token> is required".into(),
            ),
        }
    }
}

/// The value of the cookie `name`, when the request carries exactly one well-formed token
/// under that name (two copies, or another shape, count as none).
pub fn session_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    let mut found = headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(k, _)| *k == name)
        .map(|(_, v)| v);
    let value = found.next()?;
    (found.next().is_none() && is_token(value)).then(|| value.to_string())
}

/// Resolves a request's credential: its bearer token if it sends an `Authorization` header
/// (strictly parsed), else its console session cookie. Never fails on a bad credential (that is
/// [`Caller::Unverified`]); fails only when the database cannot answer.
pub fn identify(storage: &dyn Storage, headers: &HeaderMap, now: i64) -> Result<Caller> {
    let short = |token: &str| hash_secret(token)[..24].to_string();
    let token = match bearer(headers) {
        Ok(token) => token,
        Err(Error::Unauthorized(code, message)) => {
            return Ok(Caller::Unverified {
                refused: Some((code, message)),
            });
        }
        Err(e) => return Err(e),
    };
    if let Some(token) = token {
        return Ok(match storage.principal(&hash_secret(token))? {
            Some(Principal::Device {
                device_id,
                technician,
            }) => Caller::Device {
                device_id,
                technician,
            },
            Some(Principal::Dispatcher) => Caller::Dispatcher { key: short(token) },
            Some(Principal::RevokedDevice { .. }) => Caller::Unverified {
                refused: Some((
                    "device_revoked",
                    "this device was revoked by dispatch: ask dispatch for a new enrollment code"
                        .into(),
                )),
            },
            None => Caller::Unverified {
                refused: Some(("invalid_token", "unknown or revoked token".into())),
            },
        });
    }
    if let Some(token) = session_cookie(headers, crate::console::SESSION_COOKIE)
        && let Some(session) = storage.session(&hash_secret(&token), now)?
    {
        return Ok(Caller::Console {
            key: short(&token),
            session,
        });
    }
    Ok(Caller::Unverified { refused: None })
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

    #[test]
    fn a_bearer_token_has_one_spelling() {
        let token = new_token();
        assert!(is_token(&token));
        let with = |values: &[String]| {
            let mut h = HeaderMap::new();
            for v in values {
                h.append(
                    axum::http::header::AUTHORIZATION,
                    axum::http::HeaderValue::from_str(v).unwrap(),
                );
            }
            bearer(&h).map(|t| t.map(str::to_string))
        };
        assert_eq!(with(&[]).unwrap(), None);
        assert_eq!(
            with(&[format!("Bearer {token}")]).unwrap(),
            Some(token.clone())
        );
        for refused in [
            format!("Bearer {token} "),
            format!("Bearer  {token}"),
            format!("bearer {token}"),
            format!("Bearer {}", token.to_uppercase()),
            format!("Bearer {token}x"),
            "Bearer".to_string(),
            format!("Basic {token}"),
        ] {
            assert!(with(std::slice::from_ref(&refused)).is_err(), "{refused:?}");
        }
        let twice = format!("Bearer {token}");
        assert!(with(&[twice.clone(), twice]).is_err());
    }
}
