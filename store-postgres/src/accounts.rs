//! [`Accounts`] on PostgreSQL: technicians, tokens, enrollment codes and devices, console
//! accounts with their lockout, and sessions.

use tokio_postgres::Row;

use fieldwork_store::*;

use crate::PgStorage;
use crate::error::{Failure, Pg};
use crate::sql::*;

/// One more wrong password for account `$1`, locking it until `$3` from the `$2`-th in a row.
const COUNT_WRONG_PASSWORD: &str = "UPDATE users SET failed_logins = failed_logins + 1,
    locked_until = CASE WHEN failed_logins + 1 >= $2::bigint THEN $3::bigint ELSE locked_until END
    WHERE name = $1";

/// A console account from a row of `name, password_hash, failed_logins, locked_until`.
fn user_record(row: &Row) -> Pg<UserRecord> {
    Ok(UserRecord {
        name: col(row, 0)?,
        password_hash: col(row, 1)?,
        failed_logins: uint(col(row, 2)?)?,
        locked_until: col(row, 3)?,
    })
}

impl Accounts for PgStorage {
    #[tracing::instrument(level = "debug", skip_all, fields(technician = %t.id))]
    fn add_technician(&self, t: &Technician) -> Result<()> {
        self.write(async |tx| {
            let added = exec(
                &tx.sql,
                "INSERT INTO technicians (id, name, region) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&t.id, &t.name, &t.region],
            )
            .await?;
            if added == 0 {
                return Err(Failure(Error::Conflict(format!(
                    "technician {} exists",
                    t.id
                ))));
            }
            Ok(())
        })
    }

    fn technician_exists(&self, id: &str) -> Result<bool> {
        self.read(async |c| {
            Ok(
                query_opt(c, "SELECT 1 FROM technicians WHERE id = $1", &[&id])
                    .await?
                    .is_some(),
            )
        })
    }

    fn technicians(&self) -> Result<Vec<Technician>> {
        self.read(async |c| {
            let rows = query(
                c,
                "SELECT id, name, region FROM technicians ORDER BY name, id",
                &[],
            )
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Technician {
                        id: col(r, 0)?,
                        name: col(r, 1)?,
                        region: col(r, 2)?,
                    })
                })
                .collect()
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
        self.write(async |tx| {
            exec(
                &tx.sql,
                "INSERT INTO tokens (hash, kind, device_id, technician) VALUES ($1, $2, $3, $4)",
                &[&token_hash, &kind, &device, &tech],
            )
            .await?;
            Ok(())
        })
    }

    fn principal(&self, token_hash: &str) -> Result<Option<Principal>> {
        self.read(async |c| {
            let row = query_opt(
                c,
                "SELECT t.kind, t.device_id, t.technician, d.revoked
                 FROM tokens t LEFT JOIN devices d ON d.id = t.device_id WHERE t.hash = $1",
                &[&token_hash],
            )
            .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            let kind: String = col(&row, 0)?;
            let device: Option<String> = col(&row, 1)?;
            let technician: Option<String> = col(&row, 2)?;
            let revoked: Option<bool> = col(&row, 3)?;
            Ok(match (kind.as_str(), device, technician, revoked) {
                ("dispatcher", _, _, _) => Some(Principal::Dispatcher),
                (_, Some(device_id), _, Some(true)) => Some(Principal::RevokedDevice { device_id }),
                (_, Some(device_id), Some(technician), _) => Some(Principal::Device {
                    device_id,
                    technician,
                }),
                _ => None,
            })
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(technician = %technician))]
    fn add_enroll_code(&self, code_hash: &str, technician: &str, expires_at: i64) -> Result<()> {
        self.write(async |tx| {
            exec(
                &tx.sql,
                "INSERT INTO enroll_codes (hash, technician, expires_at) VALUES ($1, $2, $3)",
                &[&code_hash, &technician, &expires_at],
            )
            .await?;
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
        let epoch = self.epoch.read().clone();
        self.write(async |tx| {
            // The UPDATE locks the code's row: a second redeem of the same code waits, then
            // finds it used.
            let row = query_opt(
                &tx.sql,
                "UPDATE enroll_codes SET used_at = $2
                 WHERE hash = $1 AND used_at IS NULL AND expires_at > $2
                 RETURNING technician",
                &[&code_hash, &now],
            )
            .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            let technician: String = col(&row, 0)?;
            exec(
                &tx.sql,
                "INSERT INTO devices (id, name, technician, created_at, public_key, healed_epoch)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &device_id,
                    &device_name,
                    &technician,
                    &now,
                    &public_key,
                    &epoch,
                ],
            )
            .await?;
            exec(
                &tx.sql,
                "INSERT INTO tokens (hash, kind, device_id, technician)
                 VALUES ($1, 'device', $2, $3)",
                &[&token_hash, &device_id, &technician],
            )
            .await?;
            Ok(Some(technician))
        })
    }

    fn device_key(&self, device: &str) -> Result<Option<String>> {
        self.read(async |c| {
            let row = query_opt(
                c,
                "SELECT public_key FROM devices WHERE id = $1",
                &[&device],
            )
            .await?;
            Ok(row
                .map(|r| col::<Option<String>>(&r, 0))
                .transpose()?
                .flatten())
        })
    }

    fn devices(&self) -> Result<Vec<DeviceRecord>> {
        self.read(async |c| {
            let rows = query(
                c,
                "SELECT id, technician, name, public_key, created_at, last_sync_at, revoked
                 FROM devices ORDER BY created_at, id",
                &[],
            )
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(DeviceRecord {
                        device_id: col(r, 0)?,
                        technician: col(r, 1)?,
                        name: col(r, 2)?,
                        public_key: col(r, 3)?,
                        enrolled_at: col(r, 4)?,
                        last_sync_at: col(r, 5)?,
                        revoked: col(r, 6)?,
                    })
                })
                .collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(device = %device))]
    fn touch_device(&self, device: &str, now: i64) -> Result<()> {
        // At most one write a minute per device: otherwise the statement changes no row and the
        // transaction commits without writing (an idle sync stays cheap). The cast: without it
        // PostgreSQL types `$2` from `- 60000` as a 4-byte integer.
        self.write(async |tx| {
            exec(
                &tx.sql,
                "UPDATE devices SET last_sync_at = $2
                 WHERE id = $1 AND (last_sync_at IS NULL OR last_sync_at < $2::bigint - 60000)",
                &[&device, &now],
            )
            .await?;
            Ok(())
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(device = %device))]
    fn revoke_device(&self, device: &str) -> Result<bool> {
        self.write(async |tx| {
            Ok(exec(
                &tx.sql,
                "UPDATE devices SET revoked = TRUE WHERE id = $1",
                &[&device],
            )
            .await?
                == 1)
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    fn add_user(&self, name: &str, password_hash: &str, now: i64) -> Result<()> {
        self.write(async |tx| {
            let added = exec(
                &tx.sql,
                "INSERT INTO users (name, password_hash, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO NOTHING",
                &[&name, &password_hash, &now],
            )
            .await?;
            if added == 0 {
                return Err(Failure(Error::Conflict(format!(
                    "there is already a user {name}"
                ))));
            }
            Ok(())
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    fn set_password(&self, name: &str, password_hash: &str) -> Result<bool> {
        self.write(async |tx| {
            Ok(exec(
                &tx.sql,
                "UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL
                 WHERE name = $1",
                &[&name, &password_hash],
            )
            .await?
                == 1)
        })
    }

    fn user(&self, name: &str) -> Result<Option<UserRecord>> {
        self.read(async |c| {
            let row = query_opt(
                c,
                "SELECT name, password_hash, failed_logins, locked_until FROM users
                 WHERE name = $1",
                &[&name],
            )
            .await?;
            row.as_ref().map(user_record).transpose()
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    fn claim_login(
        &self,
        name: &str,
        now: i64,
        lock_after: u32,
        lock_ms: i64,
    ) -> Result<LoginClaim> {
        self.write(async |tx| {
            // The row stays locked until commit: a concurrent claim waits and then sees this one.
            let row = query_opt(
                &tx.sql,
                "SELECT name, password_hash, failed_logins, locked_until FROM users
                 WHERE name = $1 FOR UPDATE",
                &[&name],
            )
            .await?;
            let Some(row) = row else {
                return Ok(LoginClaim::Unknown);
            };
            let user = user_record(&row)?;
            if let Some(until) = user.locked_until.filter(|u| *u > now) {
                return Ok(LoginClaim::Locked { until });
            }
            exec(
                &tx.sql,
                COUNT_WRONG_PASSWORD,
                &[&name, &i64::from(lock_after), &(now + lock_ms)],
            )
            .await?;
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
        self.write(async |tx| {
            if ok {
                exec(
                    &tx.sql,
                    "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE name = $1",
                    &[&name],
                )
                .await?;
            } else {
                exec(
                    &tx.sql,
                    COUNT_WRONG_PASSWORD,
                    &[&name, &i64::from(lock_after), &(now + lock_ms)],
                )
                .await?;
            }
            Ok(())
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    fn add_session(&self, token_hash: &str, session: &SessionRecord, now: i64) -> Result<()> {
        self.write(async |tx| {
            // Expired sessions go when new ones come: the table stays the size of the live ones.
            exec(
                &tx.sql,
                "DELETE FROM sessions WHERE expires_at <= $1",
                &[&now],
            )
            .await?;
            // `user` is a reserved word in PostgreSQL: the column is quoted.
            exec(
                &tx.sql,
                "INSERT INTO sessions (hash, \"user\", csrf, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &token_hash,
                    &session.user,
                    &session.csrf,
                    &now,
                    &session.expires_at,
                ],
            )
            .await?;
            Ok(())
        })
    }

    fn session(&self, token_hash: &str, now: i64) -> Result<Option<SessionRecord>> {
        self.read(async |c| {
            let row = query_opt(
                c,
                "SELECT \"user\", csrf, expires_at FROM sessions
                 WHERE hash = $1 AND expires_at > $2",
                &[&token_hash, &now],
            )
            .await?;
            row.map(|r| {
                Ok(SessionRecord {
                    user: col(&r, 0)?,
                    csrf: col(&r, 1)?,
                    expires_at: col(&r, 2)?,
                })
            })
            .transpose()
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    fn delete_session(&self, token_hash: &str) -> Result<()> {
        self.write(async |tx| {
            exec(
                &tx.sql,
                "DELETE FROM sessions WHERE hash = $1",
                &[&token_hash],
            )
            .await?;
            Ok(())
        })
    }
}
