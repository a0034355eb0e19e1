//! Dispatcher accounts and console sessions: argon2id password hashes, a lockout after repeated
//! wrong passwords, random session tokens stored only as hashes, and a CSRF token per session.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::Rng;

use crate::auth::hash_secret;
use crate::storage::{SessionRecord, Storage};
use crate::{Error, Result};

/// Wrong passwords in a row before the account is locked.
pub const LOCK_AFTER: u32 = 5;
/// How long a locked account refuses logins.
pub const LOCK_MS: i64 = 5 * 60_000;
/// How long a session lasts (a working day and some).
pub const SESSION_MS: i64 = 12 * 3_600_000;
/// Shortest password `user add` accepts.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// argon2id with OWASP's second recommended setting (19 MiB, 2 passes, 1 lane).
fn argon2() -> Result<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .map_err(|e| Error::Internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The PHC string of `password` (salt and parameters included).
pub fn hash_password(password: &str) -> Result<String> {
    let salt_bytes: [u8; 16] = rand::rng().random();
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|e| Error::Internal(format!("cannot encode a salt: {e}")))?;
    argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("cannot hash a password: {e}")))
}

fn password_matches(password: &str, phc: &str) -> bool {
    match (PasswordHash::new(phc), argon2()) {
        (Ok(hash), Ok(argon2)) => argon2.verify_password(password.as_bytes(), &hash).is_ok(),
        _ => false,
    }
}

/// A password for `user add` when none is given: 16 characters from an unambiguous alphabet.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Validates a new account's name and password and stores it.
pub fn add_user(storage: &dyn Storage, name: &str, password: &str) -> Result<()> {
    let name = name.trim();
    if name.is_empty() || name.len() > 64 || name.chars().any(|c| c.is_control()) {
        return Err(Error::BadRequest(
            "invalid",
            "name: 1 to 64 characters, no control characters".into(),
        ));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::BadRequest(
            "invalid",
            format!("password: at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    storage.add_user(name, &hash_password(password)?, now())
}

/// Gives an account a new password (and clears its lockout).
pub fn set_password(storage: &dyn Storage, name: &str, password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::BadRequest(
            "invalid",
            format!("password: at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if !storage.set_password(name, &hash_password(password)?)? {
        return Err(Error::NotFound(format!("no user {name}")));
    }
    Ok(())
}

/// A new session: the cookie's token (only its hash is stored) and the session's record.
pub struct NewSession {
    pub token: String,
    pub session: SessionRecord,
}

/// Why a login was refused: the page says the same for an unknown name and a wrong password.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginRefused {
    WrongNameOrPassword,
    /// Too many wrong passwords: try again after this many seconds.
    Locked {
        retry_after_s: i64,
    },
}

/// Checks a name and password and opens a session. A wrong password counts towards the lockout;
/// while locked, even the right password is refused (and not checked).
pub fn login(
    storage: &dyn Storage,
    name: &str,
    password: &str,
) -> Result<std::result::Result<NewSession, LoginRefused>> {
    let now = now();
    let Some(user) = storage.user(name.trim())? else {
        // Hash anyway, so an unknown name takes as long as a wrong password.
        let _ = password_matches(
            password,
            DUMMY_HASH.get_or_init(|| hash_password("x").unwrap_or_default()),
        );
        return Ok(Err(LoginRefused::WrongNameOrPassword));
    };
    if let Some(until) = user.locked_until.filter(|u| *u > now) {
        return Ok(Err(LoginRefused::Locked {
            retry_after_s: (until - now + 999) / 1000,
        }));
    }
    let ok = password_matches(password, &user.password_hash);
    storage.record_login(&user.name, ok, now, LOCK_AFTER, LOCK_MS)?;
    if !ok {
        return Ok(Err(LoginRefused::WrongNameOrPassword));
    }
    let token = crate::auth::new_token();
    let session = SessionRecord {
        user: user.name,
        csrf: crate::auth::new_token(),
        expires_at: now + SESSION_MS,
    };
    storage.add_session(&hash_secret(&token), &session, now)?;
    Ok(Ok(NewSession { token, session }))
}

static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The live session behind a cookie's token.
pub fn session(storage: &dyn Storage, token: &str) -> Result<Option<SessionRecord>> {
    storage.session(&hash_secret(token), now())
}

/// Ends the session behind a cookie's token.
pub fn logout(storage: &dyn Storage, token: &str) -> Result<()> {
    storage.delete_session(&hash_secret(token))
}

/// Compares two secrets in time independent of where they differ (see `crate::auth`).
pub fn same_secret(a: &str, b: &str) -> bool {
    crate::auth::same_secret(a, b)
}

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Accounts;
    use crate::storage::sqlite::SqliteStorage;

    #[test]
    fn passwords_hash_with_argon2id_and_wrong_ones_lock_the_account() {
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(dir.path()).unwrap();
        assert!(add_user(&storage, "mei", "short").is_err());
        add_user(&storage, "mei", "correct horse battery").unwrap();
        assert!(matches!(
            add_user(&storage, "mei", "another long one"),
            Err(Error::Conflict(_))
        ));
        let stored = storage.user("mei").unwrap().unwrap();
        assert!(
            stored.password_hash.starts_with("$argon2id$"),
            "{}",
            stored.password_hash
        );

        let session = login(&storage, "mei", "correct horse battery")
            .unwrap()
            .unwrap();
        assert_eq!(
            super::session(&storage, &session.token).unwrap(),
            Some(session.session.clone())
        );
        assert_eq!(
            login(&storage, "nobody", "correct horse battery")
                .unwrap()
                .err(),
            Some(LoginRefused::WrongNameOrPassword)
        );
        for _ in 0..LOCK_AFTER {
            assert_eq!(
                login(&storage, "mei", "wrong password!").unwrap().err(),
                Some(LoginRefused::WrongNameOrPassword)
            );
        }
        // Locked: even the right password is refused for a while.
        assert!(matches!(
            login(&storage, "mei", "correct horse battery").unwrap().err(),
            Some(LoginRefused::Locked { retry_after_s }) if retry_after_s > 0 && retry_after_s <= LOCK_MS / 1000
        ));
        logout(&storage, &session.token).unwrap();
        assert_eq!(super::session(&storage, &session.token).unwrap(), None);
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
