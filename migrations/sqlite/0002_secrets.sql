-- Secrets the bot makes for itself when the environment gives none (the reporter hash key),
-- so that every replica and every restart uses the same one.
CREATE TABLE bot_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
