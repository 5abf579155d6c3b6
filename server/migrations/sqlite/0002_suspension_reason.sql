-- A suspension's public reason is a code from a fixed list; the free text that was its reason
-- becomes staff's note, which never reaches the public side. Existing suspensions keep their
-- text as the note, with the code `other`.
ALTER TABLE reception ADD COLUMN reason_code TEXT;
UPDATE reception SET reason_code = 'other' WHERE suspended = 1;
