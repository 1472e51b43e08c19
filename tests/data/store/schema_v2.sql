-- The run store as schema version 2 wrote it (version 1's tables plus migration 2, frozen here so that the
-- test does not depend on core/store/schema.cpp), plus one finished run with a best step.
CREATE TABLE runs (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  status      TEXT NOT NULL,
  preset      TEXT NOT NULL DEFAULT '',
  config_json TEXT NOT NULL,
  app_version TEXT NOT NULL DEFAULT '',
  notes       TEXT NOT NULL DEFAULT ''
);
CREATE TABLE steps (
  run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step          INTEGER NOT NULL,
  phi           REAL,
  metric        REAL,
  reward_mean   REAL,
  reward_std    REAL,
  policy_loss   REAL,
  clip_frac     REAL,
  kl            REAL,
  entropy       REAL,
  gen_tok_per_s REAL,
  step_seconds  REAL,
  PRIMARY KEY (run_id, step)
) WITHOUT ROWID;
CREATE TABLE samples (
  run_id    INTEGER NOT NULL,
  step      INTEGER NOT NULL,
  idx       INTEGER NOT NULL,
  prompt    TEXT NOT NULL,
  response  TEXT NOT NULL,
  tau       REAL,
  advantage REAL,
  PRIMARY KEY (run_id, step, idx),
  FOREIGN KEY (run_id, step) REFERENCES steps(run_id, step) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE TABLE snapshots (
  run_id INTEGER NOT NULL,
  step   INTEGER NOT NULL,
  kind   TEXT NOT NULL,
  rows   INTEGER NOT NULL,
  cols   INTEGER NOT NULL,
  data   BLOB NOT NULL,
  PRIMARY KEY (run_id, step, kind),
  FOREIGN KEY (run_id, step) REFERENCES steps(run_id, step) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE TABLE checkpoints (
  run_id INTEGER NOT NULL,
  step   INTEGER NOT NULL,
  path   TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  PRIMARY KEY (run_id, step),
  FOREIGN KEY (run_id, step) REFERENCES steps(run_id, step) ON DELETE CASCADE
) WITHOUT ROWID;
ALTER TABLE runs ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN status_message TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN best_step INTEGER;
ALTER TABLE runs ADD COLUMN best_metric REAL;
ALTER TABLE runs ADD COLUMN best_phi REAL;
ALTER TABLE steps ADD COLUMN val_phi REAL;
ALTER TABLE steps ADD COLUMN val_metric REAL;
ALTER TABLE steps ADD COLUMN fluency_nll REAL;
ALTER TABLE steps ADD COLUMN t_generate REAL;
ALTER TABLE steps ADD COLUMN t_inner REAL;
ALTER TABLE steps ADD COLUMN t_update REAL;
ALTER TABLE steps ADD COLUMN is_best INTEGER NOT NULL DEFAULT 0;
PRAGMA application_id = 1146111831;
PRAGMA user_version = 2;
INSERT INTO runs (name, created_at, updated_at, status, preset, config_json, app_version, best_step, best_metric,
                  best_phi)
  VALUES ('v2 run', '2026-06-01T10:00:00.000Z', '2026-06-01T10:05:00.000Z', 'stopped', '67-tiny', '{"seed": 2}',
          '0.5.0', 1, 0.875, -0.25);
INSERT INTO steps (run_id, step, phi, metric, reward_mean, reward_std, policy_loss, clip_frac, kl, entropy,
                   gen_tok_per_s, step_seconds, val_phi, val_metric, fluency_nll, t_generate, t_inner, t_update,
                   is_best)
  VALUES (1, 1, -0.5, 0.75, 1e-9, 2e-9, 0.1, 0.05, 0.0, 2.5, 1000.0, 0.7, -0.25, 0.875, 1.8, 0.2, 0.4, 0.1, 1);
INSERT INTO samples VALUES (1, 1, 0, 'The cat', ' sat on the mat', 1.5e-9, 0.7);
