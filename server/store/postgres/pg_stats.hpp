// The cockpit's reader and the Open311 reader over PostgreSQL, each with a pool of
// its own so that neither waits behind the main store's writers.
#pragma once

#include <memory>
#include <string>

#include "server/store/open311_store.hpp"
#include "server/store/postgres/pg.hpp"
#include "server/store/stats_store.hpp"

namespace portal::server {

class PgStats final : public StatsStore {
 public:
  static core::Result<std::unique_ptr<PgStats>> open(const std::string& url, int connections = 2);

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

 private:
  PgStats(const std::string& url, int connections);
  pg::Pool pool_;
};

core::Result<std::unique_ptr<Open311Store>> open_pg_open311_store(const std::string& url);

}  // namespace portal::server
