-- Exactly once. What the handling of an open update has sent, recorded as each message is
-- accepted by Telegram (one JSON object a line: its number in the handling, the method, the
-- chat and Telegram's answer), so a process taking the update over from a dead one does not
-- send it again. Erased with the payload when the update is done.
ALTER TABLE processed_updates ADD COLUMN sends TEXT;
