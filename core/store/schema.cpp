// SPDX-License-Identifier: MIT
// The run store's schema, as ordered migrations. Never edit a released migration: append a new one
// and bump RunStore::kSchemaVersion. docs/store-and-plugins.md describes every table.
#include "core/store/sqlite_util.h"

namespace dpg::store::detail {
namespace {

// 1: runs, their steps, samples, snapshots and checkpoints.
constexpr const char* kTables = R"sql(
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
)sql";

// 2: run status, best step and timestamps; per-step validation, fluency, stage timings and best
// mark.
constexpr const char* kRunStatusAndValidation = R"sql(
ALTER TABLE runs ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN status_message TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN best_step INTEGER;
ALTER TABLE runs ADD COLUMN best_metric REAL;
ALTER TABLE runs ADD COLUMN best_phi REAL;
UPDATE runs SET updated_at = created_at;
ALTER TABLE steps ADD COLUMN val_phi REAL;
ALTER TABLE steps ADD COLUMN val_metric REAL;
ALTER TABLE steps ADD COLUMN fluency_nll REAL;
ALTER TABLE steps ADD COLUMN t_generate REAL;
ALTER TABLE steps ADD COLUMN t_inner REAL;
ALTER TABLE steps ADD COLUMN t_update REAL;
ALTER TABLE steps ADD COLUMN is_best INTEGER NOT NULL DEFAULT 0;
)sql";

// 3: the objective's readable-metric name ("pixel accuracy"), so views can title its curve; '' for
// runs made before it (resume fills it in).
constexpr const char* kMetricName = R"sql(
ALTER TABLE runs ADD COLUMN metric_name TEXT NOT NULL DEFAULT '';
)sql";

// 4: token credit's per-byte τ of each sample (float32 array; NULL with sequence credit).
constexpr const char* kByteTau = R"sql(
ALTER TABLE samples ADD COLUMN byte_tau BLOB;
)sql";

// 5: History's organisation: comma-separated tags and a pin that keeps a run at the top.
constexpr const char* kTagsAndPin = R"sql(
ALTER TABLE runs ADD COLUMN tags TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
)sql";

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> list = {
      {1, kTables}, {2, kRunStatusAndValidation}, {3, kMetricName}, {4, kByteTau}, {5, kTagsAndPin},
  };
  return list;
}

}  // namespace dpg::store::detail
