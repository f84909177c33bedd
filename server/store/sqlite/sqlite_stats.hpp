// Statistics over the SQLite file, on read-only connections of their own: WAL lets
// them read a consistent snapshot beside the store's single writer, so the cockpit
// neither waits for writes nor delays them. A small pool (one connection per core is
// plenty) lets several cockpit requests run at once.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/store/stats_store.hpp"

namespace portal::server {

class SqliteStats final : public StatsStore {
 public:
  // Opens `connections` read-only connections to the database at `path`, which must
  // exist and be migrated (0003_stats.sql adds the indexes these queries rely on).
  static core::Result<std::unique_ptr<SqliteStats>> open(const std::string& path,
                                                         int connections = 2);
  ~SqliteStats() override;

  core::Result<Overview> overview(const StatsFilter& filter) override;
  core::Result<std::vector<KeyedFigures>> ranking(const StatsFilter& filter, RankDim dim) override;
  core::Result<std::vector<TrendPoint>> trend(const StatsFilter& filter,
                                              TrendInterval interval) override;
  core::Result<std::vector<GridCount>> heatmap(const StatsFilter& filter) override;
  core::Result<std::vector<UnitWhistles>> whistles_by_unit(const StatsFilter& filter) override;
  core::Result<std::vector<TopicCandidate>> topic_candidates(const StatsFilter& filter,
                                                             core::TimePoint previous_from,
                                                             core::TimePoint previous_to) override;
  core::Result<std::vector<PublicRating>> recent_ratings(const StatsFilter& filter,
                                                         int limit) override;

  struct Conn;  // one connection with its prepared statements

 private:
  SqliteStats() = default;
  class Lease;  // borrows a connection from the pool for one call

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::vector<Conn*> idle_;  // the connections not lent out
};

}  // namespace portal::server
