// SPDX-License-Identifier: MIT
#include "core/store/run_store.h"

#include "core/config/version.h"
#include "core/log/log.h"
#include "core/store/sha256.h"
#include "core/store/sqlite_util.h"

#include <unistd.h>
#include <algorithm>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <utility>

namespace dpg::store {
namespace fs = std::filesystem;
using detail::Statement;
using detail::Transaction;

namespace {

constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";
constexpr const char* kStatusNames[] = {"created", "running", "paused",
                                        "stopped", "failed",  "done"};

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  throw std::runtime_error(path + ": " + why);
}

int pragma_int(sqlite3* db, const char* pragma) {
  Statement st(db, pragma);
  return st.step() ? int(st.int64(0)) : 0;
}

/// Checks that an open file is a DPG run store (or an empty file), translating SQLite's errors.
void probe(sqlite3* db, const std::string& path) {
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  const int code = sqlite3_extended_errcode(db);
  const std::string msg = sqlite3_errmsg(db);
  const int64_t tables = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  if ((code & 0xff) == SQLITE_NOTADB || (code & 0xff) == SQLITE_CORRUPT)
    fail(path, "not an SQLite database, or corrupt (" + msg + ")");
  if (rc != SQLITE_ROW) fail(path, "cannot read the run store (" + msg + ")");

  const int app_id = pragma_int(db, "PRAGMA application_id");
  if (app_id != 0 && app_id != detail::kApplicationId)
    fail(path, "an SQLite database of another application, not a DPG run store");
  if (app_id == 0 && tables > 0)
    fail(path, "an SQLite database, but not a DPG run store (it has other tables)");
}

/// Brings the file to kSchemaVersion, one transaction per migration.
void migrate(sqlite3* db, const std::string& path) {
  int version = pragma_int(db, "PRAGMA user_version");
  if (version > RunStore::kSchemaVersion)
    fail(path, "written by a newer DPG Workbench (schema " + std::to_string(version) +
                   "; this version reads up to " + std::to_string(RunStore::kSchemaVersion) + ")");
  for (const auto& m : detail::migrations()) {
    if (m.version <= version) continue;
    Transaction tx(db);
    try {
      detail::exec(db, m.sql);
      detail::exec(db, "PRAGMA application_id = " + std::to_string(detail::kApplicationId));
      detail::exec(db, "PRAGMA user_version = " + std::to_string(m.version));
    } catch (const std::exception& e) {
      fail(path, "migration to schema " + std::to_string(m.version) + " failed: " + e.what());
    }
    tx.commit();
    version = m.version;
  }
}

const char* kStepColumns =
    "step, phi, metric, val_phi, val_metric, reward_mean, reward_std, policy_loss, clip_frac, kl, "
    "entropy, fluency_nll, gen_tok_per_s, step_seconds, t_generate, t_inner, t_update";

// --- commit_step's pieces: each writes one table's rows of a step -----------------------------

/// Every snapshot's data has rows × cols values.
void check_snapshot_sizes(const std::string& path, const engine::StepRecord& record) {
  for (const auto& s : record.snapshots)
    if (s.image.rows < 0 || s.image.cols < 0 ||
        s.image.data.size() != size_t(s.image.rows * s.image.cols))
      throw std::invalid_argument(
          path + ": snapshot '" + s.kind + "' of step " + std::to_string(record.metrics.step) +
          " has " + std::to_string(s.image.data.size()) + " values for " +
          std::to_string(s.image.rows) + "×" + std::to_string(s.image.cols));
}

/// The steps row; the validation columns are NULL unless the step was validated.
void insert_step_row(sqlite3* db, const std::string& path, int64_t run_id,
                     const engine::StepRecord& record) {
  const auto& m = record.metrics;
  const std::string sql = std::string("INSERT INTO steps (run_id, ") + kStepColumns +
                          ", is_best) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                          "?, ?, ?)";
  Statement st(db, sql.c_str());
  const double nan = std::nan("");
  const double val_Phi = record.validated ? m.val_Phi : nan;
  const double val_metric = record.validated ? m.val_metric : nan;
  int c = 1;
  st.bind(c++, run_id);
  st.bind(c++, m.step);
  for (double v : {m.Phi, m.metric, val_Phi, val_metric, m.reward_mean, m.reward_std, m.policy_loss,
                   m.clip_frac, m.kl, m.entropy, m.fluency_nll, m.gen_tok_per_s, m.step_seconds,
                   m.t_generate, m.t_inner, m.t_update})
    st.bind(c++, v);
  st.bind(c++, int64_t(record.new_best ? 1 : 0));
  try {
    st.run();
  } catch (const std::runtime_error&) {
    if (st.last_code() == SQLITE_CONSTRAINT_PRIMARYKEY)
      fail(path, "step " + std::to_string(m.step) + " of run " + std::to_string(run_id) +
                     " is already committed");
    throw;
  }
}

/// The samples rows (byte_tau NULL with sequence credit).
void insert_samples(sqlite3* db, int64_t run_id, int64_t step,
                    const std::vector<engine::Sample>& samples) {
  if (samples.empty()) return;
  Statement st(
      db,
      "INSERT INTO samples (run_id, step, idx, prompt, response, tau, advantage, byte_tau) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  for (const auto& s : samples) {
    st.bind(1, run_id).bind(2, step).bind(3, s.index).bind(4, s.prompt).bind(5, s.response);
    st.bind(6, s.tau).bind(7, s.advantage);
    if (s.byte_tau.empty())
      st.bind_null(8);
    else
      st.bind_blob(8, s.byte_tau.data(), s.byte_tau.size() * sizeof(float));
    st.run();
    st.reset();
  }
}

/// The snapshots rows (float32 images).
void insert_snapshots(sqlite3* db, int64_t run_id, int64_t step,
                      const std::vector<engine::Snapshot>& snapshots) {
  if (snapshots.empty()) return;
  Statement st(db,
               "INSERT INTO snapshots (run_id, step, kind, rows, cols, data) "
               "VALUES (?, ?, ?, ?, ?, ?)");
  for (const auto& s : snapshots) {
    st.bind(1, run_id).bind(2, step).bind(3, s.kind).bind(4, s.image.rows);
    st.bind(5, s.image.cols).bind_blob(6, s.image.data.data(), s.image.data.size() * 4).run();
    st.reset();
  }
}

/// Makes this step the run's best: its validation metric and Φ when validated, else its training
/// ones.
void set_best_step(sqlite3* db, int64_t run_id, const engine::StepRecord& record) {
  const auto& m = record.metrics;
  Statement st(db, "UPDATE runs SET best_step = ?, best_metric = ?, best_phi = ? WHERE id = ?");
  st.bind(1, m.step).bind(2, record.validated ? m.val_metric : m.metric);
  st.bind(3, record.validated ? m.val_Phi : m.Phi).bind(4, run_id).run();
}

engine::StepMetrics read_step(const Statement& st) {
  engine::StepMetrics m;
  int c = 0;
  m.step = st.int64(c++);
  for (double* field : {&m.Phi, &m.metric, &m.val_Phi, &m.val_metric, &m.reward_mean, &m.reward_std,
                        &m.policy_loss, &m.clip_frac, &m.kl, &m.entropy, &m.fluency_nll,
                        &m.gen_tok_per_s, &m.step_seconds, &m.t_generate, &m.t_inner, &m.t_update})
    *field = st.real(c++);
  return m;
}

/// The runs columns read_run() expects; an older file read read-only (so not migrated) has no
/// metric_name (before schema 3) nor tags and pin (before schema 5) yet.
std::string run_columns(int version) {
  return std::string(
             "id, name, created_at, updated_at, status, status_message, preset, config_json, "
             "app_version, "
             "notes, best_step, best_metric, best_phi, (SELECT max(step) FROM steps s WHERE "
             "s.run_id = "
             "r.id), ") +
         (version >= 3 ? "metric_name" : "''") +
         ", (SELECT max(step) FROM checkpoints c WHERE c.run_id = r.id), " +
         (version >= 5 ? "tags, pinned" : "'', 0");
}

RunInfo read_run(const Statement& st) {
  RunInfo r;
  r.id = st.int64(0);
  r.name = st.text(1);
  r.created_at = st.text(2);
  r.updated_at = st.text(3);
  r.status = parse_status(st.text(4));
  r.status_message = st.text(5);
  r.preset = st.text(6);
  r.config_json = st.text(7);
  r.app_version = st.text(8);
  r.notes = st.text(9);
  if (!st.is_null(10)) r.best_step = st.int64(10);
  r.best_metric = st.real(11);
  r.best_phi = st.real(12);
  if (!st.is_null(13)) r.last_step = st.int64(13);
  r.metric_name = st.text(14);
  if (!st.is_null(15)) r.last_checkpoint = st.int64(15);
  r.tags = split_tags(st.text(16));
  r.pinned = st.int64(17) != 0;
  return r;
}

engine::Image read_image(const Statement& st, int rows_col, const std::string& where) {
  engine::Image img;
  img.rows = st.int64(rows_col);
  img.cols = st.int64(rows_col + 1);
  const auto bytes = st.blob(rows_col + 2);
  if (img.rows < 0 || img.cols < 0 || bytes.size() != size_t(img.rows * img.cols) * sizeof(float))
    throw std::runtime_error(where + ": snapshot blob has " + std::to_string(bytes.size()) +
                             " bytes, expected rows × cols × 4");
  img.data.resize(size_t(img.rows * img.cols));
  if (!bytes.empty()) std::memcpy(img.data.data(), bytes.data(), bytes.size());
  return img;
}

}  // namespace

std::string status_name(RunStatus status) {
  return kStatusNames[int(status)];
}

RunStatus parse_status(const std::string& name) {
  for (int i = 0; i < int(std::size(kStatusNames)); ++i)
    if (name == kStatusNames[i]) return RunStatus(i);
  throw std::invalid_argument("unknown run status '" + name + "'");
}

RunStore RunStore::open(const std::string& path, bool read_only) {
  std::error_code ec;
  const fs::path file(path);
  const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  if (fs::is_directory(file, ec)) fail(path, "is a folder, not a run store file");
  const bool exists = fs::exists(file, ec);
  if (read_only && !exists) fail(path, "no such run store (the file does not exist)");
  if (!read_only) detail::check_writable(file, dir, exists);

  sqlite3* db =
      read_only ? detail::open_read_only(path, dir)
                : detail::open_connection(path, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  RunStore store(db, path, read_only);  // closes db if anything below throws
  probe(db, path);
  if (read_only) {
    const int version = pragma_int(db, "PRAGMA user_version");
    if (version == 0) fail(path, "an empty file, not a DPG run store");
    if (version > kSchemaVersion)
      fail(path, "written by a newer DPG Workbench (schema " + std::to_string(version) +
                     "; this version reads up to " + std::to_string(kSchemaVersion) + ")");
    if (version < kOldestReadOnlySchema)
      fail(path, "uses the older schema " + std::to_string(version) + " (this version reads " +
                     std::to_string(kOldestReadOnlySchema) + " to " +
                     std::to_string(kSchemaVersion) + "); open it read-write once to migrate it");
  } else {
    {
      Statement wal(db, "PRAGMA journal_mode = WAL");
      if (!wal.step() || wal.text(0) != "wal")
        fail(path, "cannot switch the run store to WAL mode");
    }
    detail::exec(db, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON");
    migrate(db, path);
  }
  store.version_ = store.schema_version();
  return store;
}

RunStore::RunStore(sqlite3* db, std::string path, bool read_only)
    : db_(db), path_(std::move(path)), read_only_(read_only) {}

RunStore::RunStore(RunStore&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      read_only_(other.read_only_),
      version_(other.version_) {}

RunStore& RunStore::operator=(RunStore&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    read_only_ = other.read_only_;
    version_ = other.version_;
  }
  return *this;
}

RunStore::~RunStore() {
  sqlite3_close_v2(db_);
}

int RunStore::schema_version() const {
  return pragma_int(db_, "PRAGMA user_version");
}

void RunStore::require_writable(const char* what) const {
  if (read_only_) fail(path_, std::string("cannot ") + what + ": the store is open read-only");
}

void RunStore::require_run(int64_t run_id) const {
  Statement st(db_, "SELECT 1 FROM runs WHERE id = ?");
  if (!st.bind(1, run_id).step()) fail(path_, "no run with id " + std::to_string(run_id));
}

int64_t RunStore::create_run(const std::string& name, const std::string& preset,
                             const std::string& config_json, const std::string& notes,
                             const std::string& metric_name) {
  require_writable("create a run");
  const std::string sql =
      std::string(
          "INSERT INTO runs (name, created_at, updated_at, status, preset, config_json, "
          "app_version, notes, metric_name) VALUES (?, ") +
      kNow + ", " + kNow + ", ?, ?, ?, ?, ?, ?)";
  Statement st(db_, sql.c_str());
  st.bind(1, name).bind(2, status_name(RunStatus::Created)).bind(3, preset).bind(4, config_json);
  st.bind(5, std::string(config::version())).bind(6, notes).bind(7, metric_name).run();
  return sqlite3_last_insert_rowid(db_);
}

namespace {
/// Runs an UPDATE of one run's column(s) and bumps updated_at; throws when no such run.
void update_run(sqlite3* db, const std::string& path, int64_t run_id, const std::string& set,
                const std::vector<std::string>& values) {
  const std::string sql = "UPDATE runs SET " + set + ", updated_at = " + kNow + " WHERE id = ?";
  Statement st(db, sql.c_str());
  int i = 1;
  for (const auto& v : values) st.bind(i++, v);
  st.bind(i, run_id).run();
  if (sqlite3_changes(db) == 0) fail(path, "no run with id " + std::to_string(run_id));
}
}  // namespace

void RunStore::set_status(int64_t run_id, RunStatus status, const std::string& message) {
  require_writable("set a run's status");
  update_run(db_, path_, run_id, "status = ?, status_message = ?", {status_name(status), message});
}

void RunStore::rename(int64_t run_id, const std::string& name) {
  require_writable("rename a run");
  update_run(db_, path_, run_id, "name = ?", {name});
}

void RunStore::set_notes(int64_t run_id, const std::string& notes) {
  require_writable("set a run's notes");
  update_run(db_, path_, run_id, "notes = ?", {notes});
}

void RunStore::set_tags(int64_t run_id, const std::vector<std::string>& tags) {
  require_writable("tag a run");
  update_run(db_, path_, run_id, "tags = ?", {join_tags(tags)});
}

void RunStore::set_pinned(int64_t run_id, bool pinned) {
  require_writable("pin a run");
  update_run(db_, path_, run_id, "pinned = ?", {pinned ? "1" : "0"});
}

std::vector<std::string> split_tags(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    std::string tag = text.substr(start, comma - start);
    const auto b = tag.find_first_not_of(" \t"), e = tag.find_last_not_of(" \t");
    tag = b == std::string::npos ? std::string() : tag.substr(b, e - b + 1);
    if (!tag.empty() && std::find(out.begin(), out.end(), tag) == out.end()) out.push_back(tag);
    start = comma + 1;
  }
  return out;
}

std::string join_tags(const std::vector<std::string>& tags) {
  std::string all;
  for (const auto& tag : tags) all += tag + ",";
  std::string out;
  for (const auto& t : split_tags(all)) out += (out.empty() ? "" : ",") + t;
  return out;
}

void RunStore::set_config(int64_t run_id, const std::string& config_json) {
  require_writable("change a run's config");
  update_run(db_, path_, run_id, "config_json = ?", {config_json});
}

void RunStore::set_metric_name(int64_t run_id, const std::string& metric_name) {
  require_writable("set a run's metric name");
  update_run(db_, path_, run_id, "metric_name = ?", {metric_name});
}

std::vector<std::string> RunStore::delete_run(int64_t run_id) {
  require_writable("delete a run");
  Transaction tx(db_);
  require_run(run_id);
  std::vector<std::string> paths;
  Statement files(db_, "SELECT path FROM checkpoints WHERE run_id = ? ORDER BY step");
  files.bind(1, run_id);
  while (files.step()) paths.push_back(files.text(0));
  Statement del(db_, "DELETE FROM runs WHERE id = ?");
  del.bind(1, run_id).run();
  tx.commit();
  return paths;
}

std::vector<RunInfo> RunStore::list_runs() const {
  const std::string sql = "SELECT " + run_columns(version_) + " FROM runs r ORDER BY id";
  Statement st(db_, sql.c_str());
  std::vector<RunInfo> out;
  while (st.step()) out.push_back(read_run(st));
  return out;
}

std::optional<RunInfo> RunStore::run(int64_t run_id) const {
  const std::string sql = "SELECT " + run_columns(version_) + " FROM runs r WHERE id = ?";
  Statement st(db_, sql.c_str());
  if (!st.bind(1, run_id).step()) return std::nullopt;
  return read_run(st);
}

void RunStore::commit_step(int64_t run_id, const engine::StepRecord& record) {
  require_writable("commit a step");
  check_snapshot_sizes(path_, record);
  // Hash outside the transaction: it reads the whole file.
  const std::string sha =
      record.checkpoint_path.empty() ? std::string() : sha256_file(record.checkpoint_path);

  Transaction tx(db_);
  require_run(run_id);
  insert_step_row(db_, path_, run_id, record);
  insert_samples(db_, run_id, record.metrics.step, record.samples);
  insert_snapshots(db_, run_id, record.metrics.step, record.snapshots);
  if (!record.checkpoint_path.empty()) {
    Statement st(db_, "INSERT INTO checkpoints (run_id, step, path, sha256) VALUES (?, ?, ?, ?)");
    st.bind(1, run_id).bind(2, record.metrics.step).bind(3, record.checkpoint_path);
    st.bind(4, sha).run();
  }
  if (record.new_best) set_best_step(db_, run_id, record);
  const std::string touch = std::string("UPDATE runs SET updated_at = ") + kNow + " WHERE id = ?";
  Statement(db_, touch.c_str()).bind(1, run_id).run();
  log::stage("store: step " + std::to_string(record.metrics.step) + " written, not yet committed",
             /*window=*/true);
  tx.commit();
}

void RunStore::truncate_after(int64_t run_id, int64_t step) {
  require_writable("truncate a run");
  Transaction tx(db_);
  require_run(run_id);
  Statement del(db_, "DELETE FROM steps WHERE run_id = ? AND step > ?");
  del.bind(1, run_id).bind(2, step).run();
  // The best step may have been removed. Each new best beat every earlier step, so the latest
  // flagged step that is left is the best of what is left.
  Statement best(db_,
                 "UPDATE runs SET (best_step, best_metric, best_phi) = "
                 "(SELECT step, coalesce(val_metric, metric), coalesce(val_phi, phi) FROM steps "
                 "WHERE run_id = ?1 AND is_best ORDER BY step DESC LIMIT 1) WHERE id = ?1");
  best.bind(1, run_id).run();
  tx.commit();
}

std::optional<int64_t> RunStore::last_step(int64_t run_id) const {
  Statement st(db_, "SELECT max(step) FROM steps WHERE run_id = ?");
  if (!st.bind(1, run_id).step() || st.is_null(0)) return std::nullopt;
  return st.int64(0);
}

std::vector<engine::StepMetrics> RunStore::steps(int64_t run_id,
                                                 std::optional<int64_t> since_step) const {
  const std::string sql = std::string("SELECT ") + kStepColumns +
                          " FROM steps WHERE run_id = ? AND step > ? ORDER BY step";
  Statement st(db_, sql.c_str());
  st.bind(1, run_id).bind(2, since_step.value_or(std::numeric_limits<int64_t>::min()));
  std::vector<engine::StepMetrics> out;
  while (st.step()) out.push_back(read_step(st));
  add_rollout_stats(run_id, since_step.value_or(std::numeric_limits<int64_t>::min()), out);
  return out;
}

std::vector<engine::Sample> RunStore::samples(int64_t run_id, int64_t step) const {
  // A schema-2/3 file open read-only has no byte_tau column yet.
  const std::string sql = std::string("SELECT idx, prompt, response, tau, advantage, ") +
                          (version_ >= 4 ? "byte_tau" : "NULL") +
                          " FROM samples WHERE run_id = ? AND step = ? ORDER BY idx";
  Statement st(db_, sql.c_str());
  st.bind(1, run_id).bind(2, step);
  std::vector<engine::Sample> out;
  while (st.step()) {
    out.push_back({st.int64(0), st.text(1), st.text(2), st.real(3), st.real(4), {}});
    const auto bytes = st.blob(5);
    if (bytes.size() % sizeof(float) != 0)
      fail(path_, "sample " + std::to_string(st.int64(0)) + " of step " + std::to_string(step) +
                      ": byte_tau has " + std::to_string(bytes.size()) +
                      " bytes, not a whole number of floats");
    out.back().byte_tau.resize(bytes.size() / sizeof(float));
    if (!bytes.empty()) std::memcpy(out.back().byte_tau.data(), bytes.data(), bytes.size());
  }
  return out;
}

std::vector<int64_t> RunStore::snapshot_steps(int64_t run_id, const std::string& kind) const {
  Statement st(db_,
               "SELECT DISTINCT step FROM snapshots WHERE run_id = ? AND (?2 = '' OR kind = ?2) "
               "ORDER BY step");
  st.bind(1, run_id).bind(2, kind);
  std::vector<int64_t> out;
  while (st.step()) out.push_back(st.int64(0));
  return out;
}

std::optional<engine::Image> RunStore::snapshot(int64_t run_id, int64_t step,
                                                const std::string& kind) const {
  Statement st(db_,
               "SELECT rows, cols, data FROM snapshots WHERE run_id = ? AND step = ? AND kind = ?");
  if (!st.bind(1, run_id).bind(2, step).bind(3, kind).step()) return std::nullopt;
  return read_image(st, 0, path_);
}

std::vector<engine::Snapshot> RunStore::snapshots(int64_t run_id, int64_t step) const {
  Statement st(db_,
               "SELECT kind, rows, cols, data FROM snapshots WHERE run_id = ? AND step = ? "
               "ORDER BY kind");
  st.bind(1, run_id).bind(2, step);
  std::vector<engine::Snapshot> out;
  while (st.step()) out.push_back({st.text(0), read_image(st, 1, path_)});
  return out;
}

std::optional<std::pair<int64_t, engine::Snapshot>> RunStore::newest_sign(int64_t run_id) const {
  // The primary key (run_id, step, kind) walked backwards: "val_sign" sorts after "sign".
  Statement st(db_,
               "SELECT step, kind, rows, cols, data FROM snapshots WHERE run_id = ? AND kind IN "
               "('sign', 'val_sign') ORDER BY step DESC, kind DESC LIMIT 1");
  if (!st.bind(1, run_id).step()) return std::nullopt;
  return std::pair(st.int64(0), engine::Snapshot{st.text(1), read_image(st, 2, path_)});
}

std::vector<CheckpointInfo> RunStore::checkpoints(int64_t run_id) const {
  Statement st(db_, "SELECT step, path, sha256 FROM checkpoints WHERE run_id = ? ORDER BY step");
  st.bind(1, run_id);
  std::vector<CheckpointInfo> out;
  while (st.step()) out.push_back({st.int64(0), st.text(1), st.text(2)});
  return out;
}

std::string RunStore::sha256_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read the checkpoint file to hash it");
  Sha256 hash;
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), std::streamsize(buffer.size()));
    hash.update(buffer.data(), size_t(in.gcount()));
  }
  if (in.bad()) throw std::runtime_error(path + ": read error while hashing");
  return hash.hex();
}

}  // namespace dpg::store
