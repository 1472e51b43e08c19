// SPDX-License-Identifier: MIT
// Opening a connection to a run store: the checks before a read-write open, and a read-only open
// that also works where nobody may write.
#include "core/store/sqlite_util.h"

#include <unistd.h>

#include <cstdio>
#include <stdexcept>

namespace dpg::store::detail {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  throw std::runtime_error(path + ": " + why);
}

/// A file: URI for @p path with SQLite's query characters escaped.
std::string file_uri(const std::string& path, const char* query) {
  std::string uri = "file:";
  for (const char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", unsigned(static_cast<unsigned char>(c)));
      uri += hex;
    } else {
      uri += c;
    }
  }
  return uri + "?" + query;
}

/// Whether a read-only connection can read the file, or fails for the file's own sake (not a
/// database, corrupt: RunStore's probe names those). A WAL store needs its -shm file, and makes it
/// when missing, which a folder nobody may write to refuses (SQLITE_CANTOPEN as root in an
/// immutable folder, SQLITE_READONLY for others).
bool readable(sqlite3* db) {
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  sqlite3_finalize(st);
  const int code = sqlite3_extended_errcode(db) & 0xff;
  return rc == SQLITE_ROW || code == SQLITE_NOTADB || code == SQLITE_CORRUPT;
}

}  // namespace

void check_writable(const fs::path& file, const fs::path& dir, bool exists) {
  std::error_code ec;
  const std::string path = file.string();
  if (!fs::is_directory(dir, ec))
    fail(path, "cannot create the run store: the folder '" + dir.string() + "' does not exist");
  // The mode bits as well as access(): root may write anything, but a file marked read-only
  // should stay so.
  const auto write_bits = fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write;
  if (exists && (::access(path.c_str(), W_OK) != 0 ||
                 (fs::status(file, ec).permissions() & write_bits) == fs::perms::none))
    fail(path, "the file is read-only (open it read-only, or make it writable)");
  if (::access(dir.c_str(), W_OK) != 0)
    fail(path, "the folder '" + dir.string() +
                   "' is not writable (SQLite keeps its -wal and -shm files beside the store)");
}

sqlite3* open_connection(const std::string& path, const std::string& name, int flags) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(name.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    const std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    fail(path, "cannot open (" + msg + ")");
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_extended_result_codes(db, 1);
  return db;
}

sqlite3* open_read_only(const std::string& path, const fs::path& dir) {
  sqlite3* db = open_connection(path, path, SQLITE_OPEN_READONLY);
  if (readable(db) || ::access(dir.c_str(), W_OK) == 0) return db;
  sqlite3_close(db);
  std::error_code ec;
  const auto wal_size = fs::file_size(path + "-wal", ec);
  if (!ec && wal_size > 0)
    fail(path, "cannot read the run store: its folder '" + dir.string() +
                   "' is read-only and its write-ahead log " + path +
                   "-wal holds changes not yet in the file (open it once where the folder is "
                   "writable)");
  return open_connection(path, file_uri(path, "immutable=1"),
                         SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
}

}  // namespace dpg::store::detail
