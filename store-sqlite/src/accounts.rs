//! [`Accounts`] on SQLite: technicians, tokens, enrollment codes and devices, console
//! accounts with their lockout, and sessions.

use rusqlite::{Connection, OptionalExtension, params};

use fieldwork_store::*;

use crate::SqliteStorage;
use crate::error::{Failure, Sql};

/// One more wrong password for account `?1`, locking it until `?3` from the `?2`-th in a row.
const COUNT_WRONG_PASSWORD: &str = "UPDATE users SET failed_logins = failed_logins + 1,
    locked_until = CASE WHEN failed_logins + 1 >= ?2 THEN ?3 ELSE locked_until END
    WHERE name = ?1";

/// A console account by name, on a connection or inside a transaction.
pub(crate) fn user_in(c: &Connection, name: &str) -> Sql<Option<UserRecord>> {
    Ok(c.query_row(
        "SELECT name, password_hash, failed_logins, locked_until FROM users WHERE name = ?1",
        [name],
        |r| {
            Ok(UserRecord {
                name: r.get(0)?,
                password_hash: r.get(1)?,
                failed_logins: r.get(2)?,
                locked_until: r.get(3)?,
            })
        },
    )
    .optional()?)
}

impl Accounts for SqliteStorage {
    #[tracing::instrument(level = "debug", skip_all, fields(technician = %t.id))]
    fn add_technician(&self, t: &Technician) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute(
                "INSERT OR IGNORE INTO technicians (id, name, region) VALUES (?1, ?2, ?3)",
                params![t.id, t.name, t.region],
            )?;
            if n == 0 {
                return Err(Failure::from(Error::Conflict(format!(
                    "technician {} exists",
                    t.id
                ))));
            }
            Ok(())
        })
    }

    fn technician_exists(&self, id: &str) -> Result<bool> {
        self.read(|c| {
            Ok(
                c.query_row("SELECT 1 FROM technicians WHERE id = ?1", [id], |_| Ok(()))
                    .optional()?
                    .is_some(),
            )
        })
    }

    fn technicians(&self) -> Result<Vec<Technician>> {
        self.read(|c| {
            let mut stmt =
                c.prepare_cached("SELECT id, name, region FROM technicians ORDER BY name, id")?;
            let rows = stmt.query_map([], |r| {
                Ok(Technician {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    region: r.get(2)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    fn add_token(&self, token_hash: &str, principal: &Principal) -> Result<()> {
        let (kind, device, tech) = match principal {
            Principal::Dispatcher => ("dispatcher", None, None),
            Principal::RevokedDevice { .. } => {
                return Err(Error::Corrupt("a revoked device gets no token".into()));
            }
            Principal::Device {
                device_id,
                technician,
            } => (
                "device",
                Some(device_id.as_str()),
                Some(technician.as_str()),
            ),
        };
        self.write(|tx| {
            tx.execute(
                "INSERT INTO tokens (hash, kind, device_id, technician) VALUES (?1, ?2, ?3, ?4)",
                params![token_hash, kind, device, tech],
            )?;
            Ok(())
        })
    }

    fn principal(&self, token_hash: &str) -> Result<Option<Principal>> {
        self.read(|c| {
            // kind, device, technician, whether the device was revoked
            type TokenRow = (String, Option<String>, Option<String>, Option<bool>);
            let row: Option<TokenRow> = c
                .query_row(
                    "SELECT t.kind, t.device_id, t.technician, d.revoked
                     FROM tokens t LEFT JOIN devices d ON d.id = t.device_id WHERE t.hash = ?1",
                    [token_hash],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            Ok(match row {
                Some((kind, _, _, _)) if kind == "dispatcher" => Some(Principal::Dispatcher),
                Some((_, Some(device_id), _, Some(true))) => {
                    Some(Principal::RevokedDevice { device_id })
                }
                Some((_, Some(device_id), Some(technician), _)) => Some(Principal::Device {
                    device_id,
                    technician,
                }),
                _ => None,
            })
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(technician = %technician))]
    fn add_enroll_code(&self, code_hash: &str, technician: &str, expires_at: i64) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO enroll_codes (hash, technician, expires_at) VALUES (?1, ?2, ?3)",
                params![code_hash, technician, expires_at],
            )?;
            Ok(())
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(device = %device_id))]
    fn redeem_enroll_code(
        &self,
        code_hash: &str,
        now: i64,
        device_id: &str,
        device_name: &str,
        token_hash: &str,
        public_key: Option<&str>,
    ) -> Result<Option<String>> {
        self.write(|tx| {
            let technician: Option<String> = tx
                .query_row(
                    "UPDATE enroll_codes SET used_at = ?2
                     WHERE hash = ?1 AND used_at IS NULL AND expires_at > ?2
                     RETURNING technician",
                    params![code_hash, now],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(technician) = technician else {
                return Ok(None);
            };
            tx.execute(
                "INSERT INTO devices (id, name, technician, created_at, public_key, healed_epoch)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![device_id, device_name, technician, now, public_key, self.epoch],
            )?;
            tx.execute(
                "INSERT INTO tokens (hash, kind, device_id, technician) VALUES (?1, 'device', ?2, ?3)",
                params![token_hash, device_id, technician],
            )?;
            Ok(Some(technician))
        })
    }

    fn device_key(&self, device: &str) -> Result<Option<String>> {
        self.read(|c| {
            let key: Option<Option<String>> = c
                .query_row(
                    "SELECT public_key FROM devices WHERE id = ?1",
                    [device],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(key.flatten())
        })
    }

    fn devices(&self) -> Result<Vec<DeviceRecord>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, technician, name, public_key, created_at, last_sync_at, revoked
                 FROM devices ORDER BY created_at, id",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(DeviceRecord {
                    device_id: r.get(0)?,
                    technician: r.get(1)?,
                    name: r.get(2)?,
                    public_key: r.get(3)?,
                    enrolled_at: r.get(4)?,
                    last_sync_at: r.get(5)?,
                    revoked: r.get(6)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(device = %device))]
    fn revoke_device(&self, device: &str) -> Result<bool> {
        self.write(|tx| {
            Ok(tx.execute("UPDATE devices SET revoked = 1 WHERE id = ?1", [device])? == 1)
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    fn add_user(&self, name: &str, password_hash: &str, now: i64) -> Result<()> {
        self.write(|tx| {
            let added = tx.execute(
                "INSERT INTO users (name, password_hash, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO NOTHING",
                params![name, password_hash, now],
            )?;
            if added == 0 {
                return Err(Failure::from(Error::Conflict(format!(
                    "there is already a user {name}"
                ))));
            }
            Ok(())
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    fn set_password(&self, name: &str, password_hash: &str) -> Result<bool> {
        self.write(|tx| {
            Ok(tx.execute(
                "UPDATE users SET password_hash = ?2, failed_logins = 0, locked_until = NULL
                 WHERE name = ?1",
                params![name, password_hash],
            )? == 1)
        })
    }

    fn user(&self, name: &str) -> Result<Option<UserRecord>> {
        self.read(|c| user_in(c, name))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    fn claim_login(
        &self,
        name: &str,
        now: i64,
        lock_after: u32,
        lock_ms: i64,
    ) -> Result<LoginClaim> {
        // One write transaction: SQLite has one writer, so no other claim interleaves.
        self.write(|tx| {
            let Some(user) = user_in(tx, name)? else {
                return Ok(LoginClaim::Unknown);
            };
            if let Some(until) = user.locked_until.filter(|u| *u > now) {
                return Ok(LoginClaim::Locked { until });
            }
            tx.execute(
                COUNT_WRONG_PASSWORD,
                params![name, lock_after, now + lock_ms],
            )?;
            Ok(LoginClaim::Check(user))
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(ok))]
    fn record_login(
        &self,
        name: &str,
        ok: bool,
        now: i64,
        lock_after: u32,
        lock_ms: i64,
    ) -> Result<()> {
        self.write(|tx| {
            if ok {
                tx.execute(
                    "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE name = ?1",
                    [name],
                )?;
            } else {
                tx.execute(
                    COUNT_WRONG_PASSWORD,
                    params![name, lock_after, now + lock_ms],
                )?;
            }
            Ok(())
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    fn add_session(&self, token_hash: &str, session: &SessionRecord, now: i64) -> Result<()> {
        self.write(|tx| {
            // Expired sessions go when new ones come: the table stays the size of the live ones.
            tx.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])?;
            tx.execute(
                "INSERT INTO sessions (hash, user, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![token_hash, session.user, session.csrf, now, session.expires_at],
            )?;
            Ok(())
        })
    }

    fn session(&self, token_hash: &str, now: i64) -> Result<Option<SessionRecord>> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT user, csrf, expires_at FROM sessions WHERE hash = ?1 AND expires_at > ?2",
                params![token_hash, now],
                |r| {
                    Ok(SessionRecord {
                        user: r.get(0)?,
                        csrf: r.get(1)?,
                        expires_at: r.get(2)?,
                    })
                },
            )
            .optional()?)
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    fn delete_session(&self, token_hash: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM sessions WHERE hash = ?1", [token_hash])?;
            Ok(())
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(device = %device))]
    fn touch_device(&self, device: &str, now: i64) -> Result<()> {
        // At most one write a minute per device: otherwise the statement changes no row, and a
        // transaction that changed nothing commits without writing (an idle sync stays cheap).
        self.write(|tx| {
            tx.execute(
                "UPDATE devices SET last_sync_at = ?2
                 WHERE id = ?1 AND (last_sync_at IS NULL OR last_sync_at < ?2 - 60000)",
                params![device, now],
            )?;
            Ok(())
        })
    }
}
