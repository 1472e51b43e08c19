// SPDX-License-Identifier: MIT
// The SQLite run store: schema and migrations, exact round trips, a reader beside a writer,
// clear errors for unusable files, cascading deletes, and which stored validation sign images scan
// as a QR code.
#include "core/config/version.h"
#include "core/objective/bitmap.h"
#include "core/store/run_store.h"
#include "core/store/sha256.h"
#include "core/store/verdict_summary.h"
#include "plugins/objectives/lmhead_bitmap/qr_verdict.h"
#include "tests/common/errors.h"
#include "tests/common/test_paths.h"

#include <sqlite3.h>
#include <QtTest/QtTest>

#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>

using dpg::store::RunStatus;
using dpg::store::RunStore;
using dpg::test::contains;
using dpg::test::error_of;
namespace fs = std::filesystem;
namespace engine = dpg::engine;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  if (!in) qFatal("missing fixture %s", p.string().c_str());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Runs SQL on a raw connection (the test's back door to the file).
int64_t query_int(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  int64_t v = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

void exec_raw(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  QCOMPARE(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  const std::string message = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  QVERIFY2(rc == SQLITE_OK, message.c_str());
}

/// Bit-identical, except that SQLite stores −0.0 as 0.
bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0 || (a == 0.0 && b == 0.0);
}

engine::StepRecord make_record(int64_t step, int n_samples = 3) {
  engine::StepRecord r;
  auto& m = r.metrics;
  m.step = step;
  m.Phi = -1.0 / 3.0 - double(step);
  m.metric = 0.123456789012345678;
  m.val_Phi = std::nan("");
  m.val_metric = std::nan("");
  m.reward_mean = 1.2345e-9;
  m.reward_std = std::numeric_limits<double>::denorm_min();
  m.policy_loss = -0.0;
  m.clip_frac = 0.25;
  m.kl = 1e-300;
  m.entropy = 2.5;
  m.fluency_nll = 5.5;
  m.gen_tok_per_s = 1234.5;
  m.step_seconds = 0.7;
  m.t_generate = 0.27, m.t_inner = 0.17, m.t_update = 0.25;
  for (int i = 0; i < n_samples; ++i)
    r.samples.push_back(
        {i, "The quick " + std::to_string(i), "brown fox — «ünïcödé» \n\t\"'", 1e-9 * (i + 1),
         -0.5 + i,
         // token credit's per-byte τ on every other sample, none (sequence credit) on the rest
         i % 2 == 0 ? std::vector<float>{1e-12f, -0.0f, 3.5f, -std::numeric_limits<float>::max()}
                    : std::vector<float>{}});
  engine::Image img;
  img.rows = 2, img.cols = 3;
  img.data = {1.0f, -1.0f, 0.5f, std::numeric_limits<float>::min(), -0.0f, 3.1415927f};
  r.snapshots.push_back({"delta", img});
  img.data = {1, -1, 1, 1, -1, -1};
  r.snapshots.push_back({"sign", img});
  return r;
}

}  // namespace

class TestStore : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  std::string file(const char* name) const {
    return (fs::path(tmp_.path().toStdString()) / name).string();
  }

 private slots:
  void initTestCase() { QVERIFY(tmp_.isValid()); }

  void sha256KnownVectors() {
    auto hex = [](const std::string& s) {
      dpg::store::Sha256 h;
      h.update(s.data(), s.size());
      return h.hex();
    };
    QCOMPARE(hex(""),
             std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    QCOMPARE(hex("abc"),
             std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
             std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    dpg::store::Sha256 million;
    const std::string chunk(1000, 'a');
    for (int i = 0; i < 1000; ++i) million.update(chunk.data(), chunk.size());
    QCOMPARE(million.hex(),
             std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
  }

  void freshStoreHasCurrentSchema() {
    const auto path = file("fresh.db");
    {
      RunStore store = RunStore::open(path);
      QCOMPARE(store.schema_version(), RunStore::kSchemaVersion);
      QVERIFY(store.list_runs().empty());
    }
    QCOMPARE(query_int(path, "PRAGMA application_id"), int64_t(0x44504757));
    // Reopening is a no-op.
    RunStore again = RunStore::open(path);
    QCOMPARE(again.schema_version(), RunStore::kSchemaVersion);
  }

  void migratesFromVersion1() {
    const auto path = file("v1.db");
    exec_raw(path,
             read_text(fs::path(dpg::test::data_dir().toStdString()) / "store" / "schema_v1.sql"));
    QCOMPARE(query_int(path, "PRAGMA user_version"), int64_t(1));
    // A reader cannot migrate, and says so.
    const auto e = error_of([&] { RunStore::open(path, true); });
    QVERIFY2(contains(e, "older schema 1") && contains(e, "reads 2 to") &&
                 contains(e, "read-write once"),
             e.c_str());

    RunStore store = RunStore::open(path);
    QCOMPARE(store.schema_version(), RunStore::kSchemaVersion);
    const auto runs = store.list_runs();
    QCOMPARE(runs.size(), size_t(1));
    const auto& r = runs.front();
    QCOMPARE(r.name, std::string("old run"));
    QCOMPARE(r.status, RunStatus::Done);
    QCOMPARE(r.updated_at, r.created_at);
    QCOMPARE(r.status_message, std::string());
    QVERIFY(!r.best_step.has_value());
    QVERIFY(std::isnan(r.best_metric));
    QCOMPARE(r.last_step, std::optional<int64_t>(1));
    const auto steps = store.steps(r.id);
    QCOMPARE(steps.size(), size_t(1));
    QCOMPARE(steps[0].Phi, -0.5);
    QCOMPARE(steps[0].step_seconds, 0.7);
    QVERIFY(std::isnan(steps[0].val_Phi));  // columns added by version 2 read as "not recorded"
    QVERIFY(std::isnan(steps[0].t_inner));
    QCOMPARE(store.samples(r.id, 1).at(0).response, std::string(" sat on the mat"));
    // New steps go on after the migration.
    store.commit_step(r.id, make_record(2));
    QCOMPARE(store.last_step(r.id), std::optional<int64_t>(2));
  }

  void readsSchema2AsIsAndMigratesIt() {
    const auto path = file("v2.db");
    exec_raw(path,
             read_text(fs::path(dpg::test::data_dir().toStdString()) / "store" / "schema_v2.sql"));
    QCOMPARE(query_int(path, "PRAGMA user_version"), int64_t(2));
    {
      // A reader cannot migrate, but reads schema 2 as it is: the metric name it lacks reads as
      // empty.
      RunStore reader = RunStore::open(path, true);
      QCOMPARE(reader.schema_version(), 2);
      const auto r = reader.run(1);
      QVERIFY(r.has_value());
      QCOMPARE(r->name, std::string("v2 run"));
      QCOMPARE(r->metric_name, std::string());
      QVERIFY(r->tags.empty() && !r->pinned);  // no tags or pin before schema 5
      QCOMPARE(r->best_step, std::optional<int64_t>(1));
      QCOMPARE(r->best_metric, 0.875);
      QCOMPARE(reader.steps(1).at(0).val_metric, 0.875);
      const auto samples = reader.samples(1, 1);  // no byte_tau column before schema 4
      QCOMPARE(samples.size(), size_t(1));
      QVERIFY(samples[0].byte_tau.empty());
    }
    QCOMPARE(query_int(path, "PRAGMA user_version"),
             int64_t(2));  // the reader left the file as it was

    RunStore store = RunStore::open(path);
    QCOMPARE(store.schema_version(), RunStore::kSchemaVersion);
    QCOMPARE(store.run(1)->metric_name, std::string());
    QCOMPARE(store.run(1)->updated_at, std::string("2026-06-01T10:05:00.000Z"));
    QVERIFY(store.run(1)->tags.empty() && !store.run(1)->pinned);
    store.set_tags(1, {"old"});
    QCOMPARE(store.run(1)->tags, std::vector<std::string>{"old"});
    store.set_metric_name(1, "pixel accuracy");
    QCOMPARE(store.run(1)->metric_name, std::string("pixel accuracy"));
    const int64_t id = store.create_run("new", "67-tiny", "{}", "", "loss per token");
    QCOMPARE(store.run(id)->metric_name, std::string("loss per token"));
    QCOMPARE(store.list_runs().size(), size_t(2));
    QVERIFY(contains(error_of([&] { store.set_metric_name(99, "x"); }), "no run with id 99"));
  }

  void commitAndReadBackExactly() {
    const auto path = file("exact.db");
    RunStore store = RunStore::open(path);
    const int64_t id = store.create_run("exact", "67-tiny", R"({"seed": 7})", "first notes");
    QCOMPARE(store.last_step(id), std::optional<int64_t>());
    const auto ckpt = file("ckpt-1.bin");
    std::ofstream(ckpt, std::ios::binary) << "abc";
    auto rec = make_record(1);
    rec.checkpoint_path = ckpt;
    store.commit_step(id, rec);

    const auto steps = store.steps(id);
    QCOMPARE(steps.size(), size_t(1));
    const auto& a = rec.metrics;
    const auto& b = steps[0];
    QCOMPARE(b.step, a.step);
    for (auto [x, y] : {std::pair{a.Phi, b.Phi},
                        {a.metric, b.metric},
                        {a.reward_mean, b.reward_mean},
                        {a.reward_std, b.reward_std},
                        {a.policy_loss, b.policy_loss},
                        {a.clip_frac, b.clip_frac},
                        {a.kl, b.kl},
                        {a.entropy, b.entropy},
                        {a.fluency_nll, b.fluency_nll},
                        {a.gen_tok_per_s, b.gen_tok_per_s},
                        {a.step_seconds, b.step_seconds},
                        {a.t_generate, b.t_generate},
                        {a.t_inner, b.t_inner},
                        {a.t_update, b.t_update}})
      QVERIFY2(same_bits(x, y),
               QByteArray::number(x, 'g', 17) + " vs " + QByteArray::number(y, 'g', 17));
    QVERIFY(std::isnan(b.val_Phi) && std::isnan(b.val_metric));

    const auto samples = store.samples(id, 1);
    QCOMPARE(samples.size(), rec.samples.size());
    for (size_t i = 0; i < samples.size(); ++i) {
      QCOMPARE(samples[i].index, rec.samples[i].index);
      QCOMPARE(samples[i].prompt, rec.samples[i].prompt);
      QCOMPARE(samples[i].response, rec.samples[i].response);
      QVERIFY(same_bits(samples[i].tau, rec.samples[i].tau));
      QVERIFY(same_bits(samples[i].advantage, rec.samples[i].advantage));
      QCOMPARE(samples[i].byte_tau.size(), rec.samples[i].byte_tau.size());
      for (size_t j = 0; j < samples[i].byte_tau.size(); ++j)
        QVERIFY(same_bits(double(samples[i].byte_tau[j]), double(rec.samples[i].byte_tau[j])));
    }
    QVERIFY(!samples.at(0).byte_tau.empty() && samples.at(1).byte_tau.empty());

    QCOMPARE(store.snapshot_steps(id), std::vector<int64_t>{1});
    const auto delta = store.snapshot(id, 1, "delta");
    QVERIFY(delta.has_value());
    QCOMPARE(delta->rows, int64_t(2));
    QCOMPARE(delta->cols, int64_t(3));
    QVERIFY(std::memcmp(delta->data.data(), rec.snapshots[0].image.data.data(),
                        6 * sizeof(float)) == 0);
    QVERIFY(!store.snapshot(id, 1, "target").has_value());
    const auto all = store.snapshots(id, 1);
    QCOMPARE(all.size(), size_t(2));
    QCOMPARE(all[1].kind, std::string("sign"));
    QCOMPARE(all[1].image.data, rec.snapshots[1].image.data);

    const auto cks = store.checkpoints(id);
    QCOMPARE(cks.size(), size_t(1));
    QCOMPARE(cks[0].step, int64_t(1));
    QCOMPARE(cks[0].path, ckpt);
    QCOMPARE(cks[0].sha256,
             std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));

    const auto run = store.run(id);
    QVERIFY(run.has_value());
    QCOMPARE(run->name, std::string("exact"));
    QCOMPARE(run->preset, std::string("67-tiny"));
    QCOMPARE(run->config_json, std::string(R"({"seed": 7})"));
    QCOMPARE(run->notes, std::string("first notes"));
    QCOMPARE(run->app_version, std::string(dpg::config::version()));  // git describe
    QVERIFY(!run->app_version.empty());
    QCOMPARE(run->status, RunStatus::Created);
    QCOMPARE(run->last_step, std::optional<int64_t>(1));
    QCOMPARE(run->last_checkpoint, std::optional<int64_t>(1));
    store.commit_step(id, make_record(2));  // a step without a checkpoint
    QCOMPARE(store.run(id)->last_step, std::optional<int64_t>(2));
    QCOMPARE(store.run(id)->last_checkpoint, std::optional<int64_t>(1));
    QVERIFY(run->created_at.size() == 24 && run->created_at.back() == 'Z');
    QVERIFY(!store.run(id + 100).has_value());
  }

  void rolloutStatsAndNewestSignFromTheStore() {
    RunStore store = RunStore::open(file("rollouts.db"));
    const int64_t id = store.create_run("g2", "", R"({"grpo": {"group_size": 2}})");
    const auto record = [](int64_t step, std::vector<double> tau, std::vector<double> adv) {
      engine::StepRecord r;
      r.metrics.step = step;
      for (size_t i = 0; i < tau.size(); ++i)
        r.samples.push_back({int64_t(i), "p", "r", tau[i], adv[i], {}});
      return r;
    };
    // Step 1: the first group of two has no spread; step 2: neither has.
    auto one = record(1, {0.5, 0.5, 1.0, 3.0}, {0.0, 0.0, -0.7, 0.7});
    engine::Image sign{1, 2, {1.0f, -1.0f}};
    one.snapshots = {{"sign", sign}};
    store.commit_step(id, one);
    auto two = record(2, {1.0, 2.0, 4.0, 3.0}, {-0.7, 0.7, 0.7, -0.7});
    two.snapshots = {{"sign", sign}, {"val_sign", engine::Image{1, 2, {-1.0f, 1.0f}}}};
    store.commit_step(id, two);
    store.commit_step(id, record(3, {}, {}));  // a step with no samples: no statistics
    const auto steps = store.steps(id);
    QCOMPARE(steps.size(), size_t(3));
    QCOMPARE(steps[0].frac_zero_std, 0.5);
    QCOMPARE(steps[0].adv_min, -0.7);
    QCOMPARE(steps[0].adv_median, 0.0);
    QCOMPARE(steps[0].adv_max, 0.7);
    QCOMPARE(steps[1].frac_zero_std, 0.0);
    QCOMPARE(steps[1].adv_q1, -0.7);
    QVERIFY(std::isnan(steps[2].frac_zero_std) && std::isnan(steps[2].adv_median));
    const auto later = store.steps(id, 1);  // live polling reads the newer steps only
    QCOMPARE(later.size(), size_t(2));
    QCOMPARE(later[0].step, int64_t(2));
    QCOMPARE(later[0].frac_zero_std, 0.0);
    // Without a readable G the advantages are still summarised.
    const int64_t bare = store.create_run("no config", "", "{}");
    store.commit_step(bare, record(1, {1.0, 1.0}, {0.0, 0.0}));
    QVERIFY(std::isnan(store.steps(bare)[0].frac_zero_std));
    QCOMPARE(store.steps(bare)[0].adv_max, 0.0);
    // The newest sign image: step 2's validation image, preferred to its training run's.
    const auto newest = store.newest_sign(id);
    QVERIFY(newest.has_value());
    QCOMPARE(newest->first, int64_t(2));
    QCOMPARE(newest->second.kind, std::string("val_sign"));
    QCOMPARE(newest->second.image.data, (std::vector<float>{-1.0f, 1.0f}));
    QVERIFY(!store.newest_sign(bare).has_value());
  }

  void duplicateStepRollsBackWholly() {
    RunStore store = RunStore::open(file("dup.db"));
    const int64_t id = store.create_run("dup", "", "{}");
    store.commit_step(id, make_record(1, 2));
    const auto e = error_of([&] { store.commit_step(id, make_record(1, 5)); });
    QVERIFY2(contains(e, "step 1 of run " + std::to_string(id) + " is already committed"),
             e.c_str());
    QCOMPARE(store.samples(id, 1).size(), size_t(2));
    // A bad snapshot is refused before anything is written.
    auto bad = make_record(2);
    bad.snapshots[0].image.data.pop_back();
    QVERIFY(contains(error_of([&] { store.commit_step(id, bad); }), "has 5 values for 2×3"));
    QCOMPARE(store.last_step(id), std::optional<int64_t>(1));
    // Unknown run.
    QVERIFY(
        contains(error_of([&] { store.commit_step(999, make_record(1)); }), "no run with id 999"));
  }

  void statusNotesRenameAndBest() {
    RunStore store = RunStore::open(file("meta.db"));
    const int64_t id = store.create_run("a", "", "{}");
    store.set_status(id, RunStatus::Running);
    store.set_status(id, RunStatus::Failed, "out of memory in step 3");
    store.rename(id, "renamed");
    store.set_notes(id, "notes\nline 2");
    auto r = *store.run(id);
    QCOMPARE(r.status, RunStatus::Failed);
    QCOMPARE(r.status_message, std::string("out of memory in step 3"));
    QCOMPARE(r.name, std::string("renamed"));
    QCOMPARE(r.notes, std::string("notes\nline 2"));
    QVERIFY(r.updated_at >= r.created_at);
    // Tags are trimmed and kept once each, in order; a pin is kept until it is taken off.
    QVERIFY(r.tags.empty() && !r.pinned);
    store.set_tags(id, {" baseline", "qr ,67", "", "baseline"});
    store.set_pinned(id, true);
    r = *store.run(id);
    QCOMPARE(r.tags, (std::vector<std::string>{"baseline", "qr", "67"}));
    QVERIFY(r.pinned);
    store.set_pinned(id, false);
    store.set_tags(id, {});
    QVERIFY(store.run(id)->tags.empty() && !store.run(id)->pinned);
    QCOMPARE(dpg::store::split_tags("a, b,,a , c"), (std::vector<std::string>{"a", "b", "c"}));
    QVERIFY(contains(error_of([&] { store.set_pinned(id + 1, true); }), "no run with id"));
    QVERIFY(contains(error_of([&] { store.rename(id + 1, "x"); }), "no run with id"));
    for (const char* name : {"created", "running", "paused", "stopped", "failed", "done"})
      QCOMPARE(dpg::store::status_name(dpg::store::parse_status(name)), std::string(name));
    QVERIFY(contains(error_of([] { dpg::store::parse_status("zombie"); }), "zombie"));

    // The engine flags new bests (it knows the metric's direction); the store records them.
    const double val[][2] = {{-0.5, 0.6}, {-0.2, 0.8}, {-0.3, 0.7}};
    for (int s = 1; s <= 3; ++s) {
      auto rec = make_record(s);
      rec.validated = true;
      rec.new_best = s < 3;
      rec.metrics.val_Phi = val[s - 1][0];
      rec.metrics.val_metric = val[s - 1][1];
      store.commit_step(id, rec);
    }
    auto unvalidated = make_record(4);
    unvalidated.metrics.val_Phi = 0.0;  // not validated: val_* are not stored
    store.commit_step(id, unvalidated);
    QVERIFY(std::isnan(store.steps(id, 3).at(0).val_Phi));
    QCOMPARE(store.steps(id, 2).at(0).val_metric, 0.7);
    r = *store.run(id);
    QCOMPARE(r.best_step, std::optional<int64_t>(2));
    QCOMPARE(r.best_metric, 0.8);
    QCOMPARE(r.best_phi, -0.2);
    // Resuming from step 1 drops later steps and recomputes the best.
    store.truncate_after(id, 1);
    r = *store.run(id);
    QCOMPARE(r.last_step, std::optional<int64_t>(1));
    QCOMPARE(r.best_step, std::optional<int64_t>(1));
    QCOMPARE(store.steps(id).size(), size_t(1));
    QVERIFY(store.snapshots(id, 2).empty());
    // Polling.
    for (int s = 2; s <= 5; ++s) store.commit_step(id, make_record(s));
    QCOMPARE(store.steps(id, 3).size(), size_t(2));
    QCOMPARE(store.steps(id, 3).front().step, int64_t(4));
    QCOMPARE(store.steps(id, 5).size(), size_t(0));
  }

  void readerBesideWriter() {
    const auto path = file("wal.db");
    RunStore writer = RunStore::open(path);
    const int64_t id = writer.create_run("live", "", "{}");
    RunStore reader = RunStore::open(path, true);
    QVERIFY(reader.read_only());
    QCOMPARE(reader.list_runs().size(), size_t(1));
    QVERIFY(contains(error_of([&] { reader.create_run("x", "", "{}"); }), "open read-only"));
    QVERIFY(contains(error_of([&] { reader.commit_step(id, make_record(1)); }), "open read-only"));

    // A write transaction held open on another connection does not block the reader (WAL).
    sqlite3* raw = nullptr;
    QCOMPARE(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    QCOMPARE(sqlite3_exec(raw, "BEGIN IMMEDIATE; UPDATE runs SET notes = 'pending'", nullptr,
                          nullptr, nullptr),
             SQLITE_OK);
    QElapsedTimer timer;
    timer.start();
    QCOMPARE(reader.run(id)->notes, std::string());  // sees the last committed state
    QVERIFY(timer.elapsed() < 1000);
    sqlite3_exec(raw, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(raw);

    // A writer thread commits while this thread polls.
    constexpr int kSteps = 60;
    std::atomic<bool> done{false};
    std::string writer_error;
    std::thread thread([&] {
      try {
        for (int s = 1; s <= kSteps; ++s) writer.commit_step(id, make_record(s));
      } catch (const std::exception& e) {
        writer_error = e.what();
      }
      done = true;
    });
    int64_t seen = 0;
    int polls = 0;
    while (!done || seen < kSteps) {
      for (const auto& m : reader.steps(id, seen)) {
        QCOMPARE(m.step, seen + 1);  // in order, none missing, none twice
        QCOMPARE(reader.samples(id, m.step).size(), size_t(3));  // a step is all or nothing
        seen = m.step;
      }
      ++polls;
      if (done && !writer_error.empty()) break;
    }
    thread.join();
    QVERIFY2(writer_error.empty(), writer_error.c_str());
    QCOMPARE(seen, int64_t(kSteps));
    QVERIFY(polls > 1);
  }

  void unusableFilesGiveClearErrors() {
    auto e = error_of([&] { RunStore::open(file("missing-dir/runs.db")); });
    QVERIFY2(contains(e, "missing-dir/runs.db") && contains(e, "does not exist"), e.c_str());

    e = error_of([&] { RunStore::open(file("nothing.db"), true); });
    QVERIFY2(contains(e, "nothing.db") && contains(e, "no such run store"), e.c_str());
    QVERIFY(!fs::exists(file("nothing.db")));

    const auto ro = file("readonly.db");
    { RunStore::open(ro).create_run("kept", "", "{}"); }
    fs::permissions(ro, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    e = error_of([&] { RunStore::open(ro); });
    QVERIFY2(contains(e, "readonly.db") && contains(e, "read-only"), e.c_str());
    QCOMPARE(RunStore::open(ro, true).list_runs().size(), size_t(1));  // reading still works

    const auto garbage = file("garbage.db");
    std::ofstream(garbage, std::ios::binary) << std::string(4096, '\x5a');
    e = error_of([&] { RunStore::open(garbage); });
    QVERIFY2(contains(e, "garbage.db") && contains(e, "not an SQLite database, or corrupt"),
             e.c_str());
    e = error_of([&] { RunStore::open(garbage, true); });
    QVERIFY2(contains(e, "not an SQLite database, or corrupt"), e.c_str());

    const auto other = file("other.db");
    exec_raw(other, "CREATE TABLE t(x); INSERT INTO t VALUES (1);");
    e = error_of([&] { RunStore::open(other); });
    QVERIFY2(contains(e, "other.db") && contains(e, "not a DPG run store"), e.c_str());
    QCOMPARE(query_int(other, "SELECT count(*) FROM t"), int64_t(1));  // left untouched

    const auto newer = file("newer.db");
    { RunStore::open(newer); }
    exec_raw(newer, "PRAGMA user_version = 99");
    e = error_of([&] { RunStore::open(newer); });
    QVERIFY2(contains(e, "newer DPG Workbench (schema 99"), e.c_str());
    e = error_of([&] { RunStore::open(newer, true); });
    QVERIFY2(contains(e, "newer DPG Workbench (schema 99"), e.c_str());

    e = error_of([&] { RunStore::open(tmp_.path().toStdString()); });
    QVERIFY2(contains(e, "is a folder"), e.c_str());
  }

  void deleteCascades() {
    const auto path = file("delete.db");
    RunStore store = RunStore::open(path);
    const int64_t keep = store.create_run("keep", "", "{}");
    const int64_t gone = store.create_run("gone", "", "{}");
    const auto ckpt = file("gone-ckpt.bin");
    std::ofstream(ckpt) << "weights";
    for (int64_t id : {keep, gone})
      for (int s = 1; s <= 3; ++s) {
        auto rec = make_record(s);
        if (id == gone && s == 2) rec.checkpoint_path = ckpt;
        store.commit_step(id, rec);
      }
    const auto paths = store.delete_run(gone);
    QCOMPARE(paths, std::vector<std::string>{ckpt});
    QVERIFY(!store.run(gone).has_value());
    for (const char* table : {"steps", "samples", "snapshots", "checkpoints"}) {
      const std::string where = std::string(" FROM ") + table + " WHERE run_id = ";
      QCOMPARE(query_int(path, "SELECT count(*)" + where + std::to_string(gone)), int64_t(0));
    }
    QCOMPARE(query_int(path, "SELECT count(*) FROM samples WHERE run_id = " + std::to_string(keep)),
             int64_t(9));
    QCOMPARE(store.steps(keep).size(), size_t(3));
    QVERIFY(contains(error_of([&] { store.delete_run(gone); }), "no run with id"));
  }
  void validationSignImagesThatScan() {
    const auto path = file("qr.db");
    RunStore store = RunStore::open(path);
    const auto qr = dpg::objective::make_qr("DPG", {'H', 1});
    auto flipped = qr;  // 6 data modules wrong: level H still reads it (docs/results.md (c): 15
                        // flips mostly do)
    for (int k = 0; k < 6; ++k) flipped.set(12 + k, 20 - k, !qr.dark(12 + k, 20 - k));
    const dpg::objective::Bitmap blank(21, 21);
    const int64_t id = store.create_run("qr", "qr-tiny", "{}");
    // Step 1 carries the target; validations at 2 (scans), 3 (blank), 4 (a few modules off, scans).
    const std::vector<std::pair<int, const dpg::objective::Bitmap*>> vals = {
        {2, &qr}, {3, &blank}, {4, &flipped}};
    auto first = make_record(1);
    first.snapshots.push_back({"target", qr.to_image()});
    store.commit_step(id, first);
    for (const auto& [step, bits] : vals) {
      auto rec = make_record(step);
      rec.snapshots.push_back({"val_sign", bits->to_image()});
      store.commit_step(id, rec);
    }
    // The verdicts are the lmhead_bitmap plugin's (a QR target scans or not); the store only counts
    // them.
    const dpg::plugin::JudgeFactory judges = dpg::objective::qr_judge;
    const auto s = dpg::store::summarise_validations(store, id, judges);
    QVERIFY(s.judge);
    QCOMPARE(s.judge->terms().passes_many, std::string("decode to \"DPG\""));
    QCOMPARE(s.validations, int64_t(3));
    QCOMPARE(s.pass_steps, (std::vector<int64_t>{2, 4}));
    QCOMPARE(dpg::store::describe(s), std::string("QR: 2 of 3 validation sign images decode to "
                                                  "\"DPG\" (first at step 2, last at step 4)"));

    // A target that is not a QR code (the "67"): nothing to scan, nothing said.
    const int64_t plain = store.create_run("67", "67-tiny", "{}");
    auto rec = make_record(1);
    rec.snapshots.push_back({"target", dpg::objective::sixty_seven().to_image()});
    rec.snapshots.push_back({"val_sign", dpg::objective::sixty_seven().to_image()});
    store.commit_step(plain, rec);
    const auto none = dpg::store::summarise_validations(store, plain, judges);
    QVERIFY(!none.judge);
    QVERIFY(dpg::store::describe(none).empty());
    // A QR run none of whose validations scans.
    const int64_t stuck = store.create_run("stuck", "qr-tiny", "{}");
    rec = make_record(1);
    rec.snapshots.push_back({"target", qr.to_image()});
    rec.snapshots.push_back({"val_sign", blank.to_image()});
    store.commit_step(stuck, rec);
    QCOMPARE(
        dpg::store::describe(dpg::store::summarise_validations(store, stuck, judges)),
        std::string(
            "QR: none of 1 validation sign image decodes to \"DPG\"; step 1: 26 of 26 codewords "
            "wrong "
            "(level H repairs 8), 99 of 192 finder modules wrong"));  // a blank misses 99 dark ones
  }
};

QTEST_GUILESS_MAIN(TestStore)
#include "test_store.moc"
