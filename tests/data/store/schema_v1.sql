-- The run store as schema version 1 wrote it (a frozen copy, so that the migration test does not
-- depend on core/store/schema.cpp), plus one run with one step.
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
PRAGMA application_id = 1146111831;
PRAGMA user_version = 1;
INSERT INTO runs (name, created_at, status, preset, config_json, app_version)
  VALUES ('old run', '2026-01-02T03:04:05.678Z', 'done', '67-tiny', '{"seed": 1}', '0.0.1');
INSERT INTO steps (run_id, step, phi, metric, reward_mean, reward_std, policy_loss, clip_frac, kl,
                   entropy, gen_tok_per_s, step_seconds)
  VALUES (1, 1, -0.5, 0.75, 1e-9, 2e-9, 0.1, 0.05, 0.0, 2.5, 1000.0, 0.7);
INSERT INTO samples VALUES (1, 1, 0, 'The cat', ' sat on the mat', 1.5e-9, 0.7);
