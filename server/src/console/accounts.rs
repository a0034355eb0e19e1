//! Dispatcher accounts and console sessions: argon2id password hashes, a lockout after repeated
//! wrong passwords, random session tokens stored only as hashes, and a CSRF token per session.
//!
//! A login costs the server a bounded amount whoever asks ([`Logins`]): at most a few password
//! hashes run at once, each in one of a few reused 19 MiB buffers (the rest wait briefly, then
//! are told to come back); an attempt is counted before its hash is computed, so concurrent
//! wrong passwords cannot all slip past the lockout; and a name nobody has locks exactly like an
//! account does, so the answers say nothing about who exists.

use std::collections::HashMap;
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use parking_lot::Mutex;
use rand::Rng;

use crate::auth::hash_secret;
use crate::{Error, Result};
use fieldwork_store::{LoginClaim, SessionRecord, Storage};

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

/// Whether `password` matches the PHC string `phc`, computed in `memory` (grown to what the
/// hash's parameters need and kept by the caller for the next one). The comparison of the
/// outputs takes the same time wherever they differ.
fn password_matches(password: &str, phc: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let (Ok(params), Ok(algorithm)) =
        (Params::try_from(&hash), Algorithm::try_from(hash.algorithm))
    else {
        return false;
    };
    let version = match hash.version.map(Version::try_from) {
        None => Version::V0x13,
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let blocks = &mut memory[..params.block_count()];
    if argon2
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, blocks)
        .is_err()
    {
        return false;
    }
    let mut diff = 0u8;
    for (a, b) in out.iter().zip(expected.as_bytes()) {
        diff = std::hint::black_box(diff | (a ^ b));
    }
    diff == 0
}

/// How long a login waits for a free hashing slot before it is told the office is busy: long
/// enough for a queue of a few dozen honest logins, short enough that a flood is answered.
pub const HASH_WAIT: Duration = Duration::from_secs(2);

/// The code of the 503 a login gets when every hashing slot stayed busy for [`HASH_WAIT`].
pub const LOGINS_BUSY: &str = "logins_busy";

/// Names without an account that this process remembers failures for, before forgetting the
/// ones whose lock has run out.
const UNKNOWN_NAMES_KEPT: usize = 10_000;

/// What logins may cost this process: the hashing slots and their buffers, and the failures of
/// names that have no account.
pub struct Logins {
    slots: tokio::sync::Semaphore,
    buffers: Mutex<Vec<Vec<Block>>>,
    /// Failures in a row and the lock's end, by name, for names without an account.
    unknown: Mutex<HashMap<String, (u32, i64)>>,
}

impl Logins {
    /// Up to `slots` hashes at once (at least one).
    pub fn new(slots: usize) -> Logins {
        Logins {
            slots: tokio::sync::Semaphore::new(slots.max(1)),
            buffers: Mutex::new(Vec::new()),
            unknown: Mutex::new(HashMap::new()),
        }
    }

    /// One slot per core, at most four: a hash keeps a core busy for its whole run, and more at
    /// once only makes each slower while holding 19 MiB more.
    pub fn for_this_machine() -> Logins {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Logins::new(cores.min(4))
    }

    /// Checks `password` against `phc` in a free slot, or answers 503 [`LOGINS_BUSY`] when none
    /// freed up within [`HASH_WAIT`].
    pub async fn verify(&self, password: String, phc: String) -> Result<bool> {
        let busy = || {
            Error::Unavailable(
                LOGINS_BUSY,
                "too many logins at once: try again in a second".into(),
            )
        };
        let _slot = tokio::time::timeout(HASH_WAIT, self.slots.acquire())
            .await
            .map_err(|_| busy())?
            .map_err(|_| busy())?;
        let mut memory = self.buffers.lock().pop().unwrap_or_default();
        let (ok, memory) = tokio::task::spawn_blocking(move || {
            let ok = password_matches(&password, &phc, &mut memory);
            (ok, memory)
        })
        .await
        .map_err(|e| Error::Internal(format!("worker failed: {e}")))?;
        self.buffers.lock().push(memory);
        Ok(ok)
    }

    /// Counts a failed attempt on a name without an account, the way an account counts them:
    /// `Some(seconds)` when the name is locked (as an account would be after as many tries).
    fn unknown_attempt(&self, name: &str, now: i64) -> Option<i64> {
        let mut unknown = self.unknown.lock();
        if unknown.len() >= UNKNOWN_NAMES_KEPT {
            unknown.retain(|_, (_, until)| *until > now);
        }
        let (failures, until) = unknown.entry(name.to_string()).or_insert((0, 0));
        if *until > now {
            return Some((*until - now + 999) / 1000);
        }
        *failures += 1;
        if *failures >= LOCK_AFTER {
            *until = now + LOCK_MS;
        }
        None
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
    Ok(storage.add_user(name, &hash_password(password)?, now())?)
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

/// Checks a name and password and opens a session. The attempt is counted before the password
/// is checked; while the account is locked nothing is checked at all. A name without an
/// account is answered exactly as an account would be: wrong, then locked.
pub async fn login(
    storage: &std::sync::Arc<dyn Storage>,
    logins: &Logins,
    name: &str,
    password: &str,
) -> Result<std::result::Result<NewSession, LoginRefused>> {
    let now = now();
    let name = name.trim().to_string();
    let claimed = name.clone();
    let claim = blocking(storage, move |s| {
        Ok(s.claim_login(&claimed, now, LOCK_AFTER, LOCK_MS)?)
    })
    .await?;
    let locked = |until: i64| LoginRefused::Locked {
        retry_after_s: (until - now + 999) / 1000,
    };
    let user = match claim {
        LoginClaim::Locked { until } => return Ok(Err(locked(until))),
        LoginClaim::Unknown => {
            if let Some(retry_after_s) = logins.unknown_attempt(&name, now) {
                return Ok(Err(LoginRefused::Locked { retry_after_s }));
            }
            // Hash anyway, so an unknown name takes as long as a wrong password.
            let dummy = DUMMY_HASH
                .get_or_init(|| hash_password("x").unwrap_or_default())
                .clone();
            logins.verify(password.to_string(), dummy).await?;
            return Ok(Err(LoginRefused::WrongNameOrPassword));
        }
        LoginClaim::Check(user) => user,
    };
    let ok = logins
        .verify(password.to_string(), user.password_hash.clone())
        .await?;
    if !ok {
        return Ok(Err(LoginRefused::WrongNameOrPassword));
    }
    let token = crate::auth::new_token();
    let session = SessionRecord {
        user: user.name.clone(),
        csrf: crate::auth::new_token(),
        expires_at: now + SESSION_MS,
    };
    let (hash, record, who) = (hash_secret(&token), session.clone(), user.name);
    blocking(storage, move |s| {
        s.record_login(&who, true, now, LOCK_AFTER, LOCK_MS)?;
        Ok(s.add_session(&hash, &record, now)?)
    })
    .await?;
    Ok(Ok(NewSession { token, session }))
}

/// Runs storage work off the async threads.
async fn blocking<T: Send + 'static>(
    storage: &std::sync::Arc<dyn Storage>,
    f: impl FnOnce(&dyn Storage) -> Result<T> + Send + 'static,
) -> Result<T> {
    let storage = storage.clone();
    tokio::task::spawn_blocking(move || f(storage.as_ref()))
        .await
        .map_err(|e| Error::Internal(format!("worker failed: {e}")))?
}

static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The live session behind a cookie's token.
pub fn session(storage: &dyn Storage, token: &str) -> Result<Option<SessionRecord>> {
    Ok(storage.session(&hash_secret(token), now())?)
}

/// Ends the session behind a cookie's token.
pub fn logout(storage: &dyn Storage, token: &str) -> Result<()> {
    Ok(storage.delete_session(&hash_secret(token))?)
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
    use fieldwork_store_sqlite::SqliteStorage;

    fn office() -> (tempfile::TempDir, std::sync::Arc<dyn Storage>) {
        let dir = tempfile::tempdir().unwrap();
        let storage: std::sync::Arc<dyn Storage> =
            std::sync::Arc::new(SqliteStorage::open(dir.path()).unwrap());
        (dir, storage)
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn passwords_hash_with_argon2id_and_wrong_ones_lock_the_account() {
        let (_dir, storage) = office();
        let logins = Logins::new(2);
        assert!(add_user(&*storage, "mei", "short").is_err());
        add_user(&*storage, "mei", "correct horse battery").unwrap();
        assert!(matches!(
            add_user(&*storage, "mei", "another long one"),
            Err(Error::Conflict(_))
        ));
        let stored = storage.user("mei").unwrap().unwrap();
        assert!(
            stored.password_hash.starts_with("$argon2id$"),
            "{}",
            stored.password_hash
        );

        let session = login(&storage, &logins, "mei", "correct horse battery")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            super::session(&*storage, &session.token).unwrap(),
            Some(session.session.clone())
        );
        assert_eq!(
            login(&storage, &logins, "nobody", "correct horse battery")
                .await
                .unwrap()
                .err(),
            Some(LoginRefused::WrongNameOrPassword)
        );
        for _ in 0..LOCK_AFTER {
            assert_eq!(
                login(&storage, &logins, "mei", "wrong password!")
                    .await
                    .unwrap()
                    .err(),
                Some(LoginRefused::WrongNameOrPassword)
            );
        }
        // Locked: even the right password is refused for a while.
        assert!(matches!(
            login(&storage, &logins, "mei", "correct horse battery").await.unwrap().err(),
            Some(LoginRefused::Locked { retry_after_s }) if retry_after_s > 0 && retry_after_s <= LOCK_MS / 1000
        ));
        logout(&*storage, &session.token).unwrap();
        assert_eq!(super::session(&*storage, &session.token).unwrap(), None);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn concurrent_wrong_passwords_cannot_pass_the_lockout() {
        let (_dir, storage) = office();
        let logins = std::sync::Arc::new(Logins::new(2));
        add_user(&*storage, "mei", "correct horse battery").unwrap();
        let attempts: Vec<_> = (0..24)
            .map(|_| {
                let (storage, logins) = (storage.clone(), logins.clone());
                tokio::spawn(async move {
                    login(&storage, &logins, "mei", "wrong password!")
                        .await
                        .unwrap()
                        .err()
                        .unwrap()
                })
            })
            .collect();
        let mut wrong = 0;
        for attempt in attempts {
            if attempt.await.unwrap() == LoginRefused::WrongNameOrPassword {
                wrong += 1;
            }
        }
        // Only as many passwords as the lockout allows were checked; the rest found it locked.
        assert_eq!(wrong, LOCK_AFTER);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn an_unknown_name_is_answered_as_an_account_would_be() {
        let (_dir, storage) = office();
        let logins = Logins::new(2);
        add_user(&*storage, "mei", "correct horse battery").unwrap();
        let answers = |name: &'static str| {
            let (storage, logins) = (&storage, &logins);
            async move {
                let mut seen = Vec::new();
                for _ in 0..LOCK_AFTER + 2 {
                    seen.push(
                        match login(storage, logins, name, "wrong password!")
                            .await
                            .unwrap()
                            .err()
                            .unwrap()
                        {
                            LoginRefused::WrongNameOrPassword => "wrong",
                            LoginRefused::Locked { .. } => "locked",
                        },
                    );
                }
                seen
            }
        };
        let account = answers("mei").await;
        assert_eq!(account, answers("nobody").await);
        assert_eq!(account.last(), Some(&"locked"));
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
