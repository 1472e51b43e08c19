// SPDX-License-Identifier: MIT
#pragma once
/// @file Internal RAII helpers over the sqlite3 C API (statements, transactions). Not installed.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace dpg::store::detail {

/// Throws std::runtime_error "run store <file>: <what>: <sqlite message>".
[[noreturn]] void throw_sqlite(sqlite3* db, const std::string& what);

/// Runs one or more statements without results.
void exec(sqlite3* db, const std::string& sql);

/// One prepared statement. bind() indices start at 1; column indices at 0.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, int64_t value);
  Statement& bind(int index, double value);  ///< NaN is stored as NULL
  Statement& bind(int index, const std::string& value);
  Statement& bind_null(int index);
  Statement& bind_blob(int index, const void* data, size_t bytes);

  /// Advances; true when a row is available, false when done. Throws on error.
  bool step();
  /// step() for statements without results.
  void run() { step(); }
  /// Clears bindings and rewinds, to run again.
  void reset();

  bool is_null(int col) const;
  int64_t int64(int col) const;
  double real(int col) const;  ///< NULL reads as NaN
  std::string text(int col) const;
  std::vector<unsigned char> blob(int col) const;
  /// Extended result code of the last step() (e.g. SQLITE_CONSTRAINT_PRIMARYKEY).
  int last_code() const { return last_code_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int last_code_ = SQLITE_OK;
};

/// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit() was called.
class Transaction {
 public:
  explicit Transaction(sqlite3* db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  sqlite3* db_;
  bool done_ = false;
};

/// Refuses, with the reason, a read-write open that cannot work: a missing folder @p dir, a
/// read-only @p file, a folder where SQLite cannot make its -wal and -shm files (connection.cpp).
void check_writable(const std::filesystem::path& file, const std::filesystem::path& dir,
                    bool exists);
/// sqlite3_open_v2(@p name, @p flags) with the store's busy timeout and extended result codes;
/// throws "<path>: cannot open (...)".
sqlite3* open_connection(const std::string& path, const std::string& name, int flags);
/// A read-only connection. In a folder @p dir that cannot be written (a read-only mount, an
/// immutable folder) and without a write-ahead log, nobody can change the file, so it is opened
/// immutable (no locks, no -shm). A leftover -wal there holds committed changes only a writer can
/// fold into the file: that is refused with the reason.
sqlite3* open_read_only(const std::string& path, const std::filesystem::path& dir);

/// One ordered schema migration: the SQL that takes user_version from version−1 to version.
struct Migration {
  int version;
  const char* sql;
};
/// Every migration, in order (schema.cpp).
const std::vector<Migration>& migrations();
/// The DPG run store's PRAGMA application_id ("DPGW").
inline constexpr int32_t kApplicationId = 0x44504757;

}  // namespace dpg::store::detail
