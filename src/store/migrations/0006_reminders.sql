-- Reminders already given: a case at a threshold, a draft waiting. Each is told once.

CREATE TABLE reminders (
    subject   TEXT NOT NULL,   -- 'case' or 'draft'
    key       TEXT NOT NULL,   -- DSR-2026-0042 or D12
    threshold TEXT NOT NULL,   -- 7_working_days, 3_working_days, 1_working_day, overdue, waiting
    at        TEXT NOT NULL,
    PRIMARY KEY (subject, key, threshold)
) WITHOUT ROWID;
