//! Citizens' settings under their keyed hash, and the deployment's own secrets.

use sqlx::Row;

use super::{Result, Store};

/// A citizen's settings, keyed by the hash of their Telegram id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserSettings {
    /// The language the citizen chose (`/language`).
    pub language: Option<crate::extract::Lang>,
    pub country: Option<String>,
    pub notify: bool,
}

impl Store {
    pub async fn user_settings(&self, user_hash: &str) -> Result<Option<UserSettings>> {
        let sql =
            self.sql("SELECT language, country, notify FROM user_settings WHERE user_hash = $1");
        with_pool!(self, pool => {
            let row = sqlx::query(&sql).bind(user_hash).fetch_optional(pool).await?;
            row.map(|r| -> Result<UserSettings> {
                Ok(UserSettings {
                    language: super::chosen_lang(r.try_get("language")?),
                    country: r.try_get("country")?,
                    notify: r.try_get("notify")?,
                })
            })
            .transpose()
        })
    }

    pub async fn save_user_settings(&self, user_hash: &str, s: &UserSettings) -> Result<()> {
        let sql = self.sql(
            "INSERT INTO user_settings (user_hash, language, country, notify) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_hash) DO UPDATE SET language = excluded.language, \
             country = excluded.country, notify = excluded.notify",
        );
        with_pool!(self, pool => sqlx::query(&sql)
            .bind(user_hash)
            .bind(s.language.map(crate::extract::Lang::code))
            .bind(&s.country)
            .bind(s.notify)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Deletes what the bot keeps about a citizen: settings, reporter links and deep links.
    /// Their reports stay, with their counts, without them. Returns how many rows went (see
    /// [`Store::forget_citizen`] for which).
    pub async fn forget_user(&self, user_hash: &str) -> Result<u64> {
        Ok(self.forget_citizen(user_hash).await?.total())
    }

    /// The secret called `name`: the stored one, or `candidate`, stored now, if there is none.
    /// Replicas that race each keep the one that won.
    pub async fn secret_or_create(&self, name: &str, candidate: &str) -> Result<String> {
        let insert = self.sql(
            "INSERT INTO bot_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        );
        let select = self.sql("SELECT value FROM bot_secrets WHERE name = $1");
        with_pool!(self, pool => {
            sqlx::query(&insert).bind(name).bind(candidate).execute(pool).await?;
            let row = sqlx::query(&select).bind(name).fetch_one(pool).await?;
            Ok(row.try_get::<String, _>("value")?)
        })
    }
}
