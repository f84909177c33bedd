// Holds a SQLite database's write lock from a connection of its own, as another
// process could: the store's writer waits (up to its busy timeout), so that writes
// queued meanwhile stay in flight until release(). Shared by unit and API tests.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

namespace portal::test {

struct SqliteWriteLock {
  sqlite3* db = nullptr;
  explicit SqliteWriteLock(const std::string& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  SqliteWriteLock(const SqliteWriteLock&) = delete;
  SqliteWriteLock& operator=(const SqliteWriteLock&) = delete;
  void release() {
    if (!db) return;
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);  // nothing was written
    sqlite3_close(db);
    db = nullptr;
  }
  ~SqliteWriteLock() { release(); }
};

}  // namespace portal::test
