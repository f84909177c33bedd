// 每月一题 (topic of the month, SPEC §7): a district user opens a topic for a cluster of
// tickets that grew (a category, in one street or the whole district), links tickets to
// it, tracks how many are still open, and resolves them together with one reply
// (打包式化解): each linked ticket's own chain records the resolve.
//
// Who: district staff open, link and resolve. Readers of the cockpit read: district
// staff, admin and auditor every topic; street and community staff the topics of their
// own street. A topic a reader may not see answers 404.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "portal/core/json.hpp"
#include "portal/core/result.hpp"
#include "server/service/org.hpp"
#include "server/service/stats_service.hpp"
#include "server/service/ticket_service.hpp"
#include "server/store/store.hpp"

namespace portal::server {

class TopicService {
 public:
  static constexpr int kMaxLink = 200;  // tickets linked by one request

  TopicService(Store& store, TicketService& tickets, std::shared_ptr<const OrgDirectory> org,
               NowFn now);

  // POST /topics {title, category, street_id?, month?, note?} → the topic (201).
  core::Result<core::Json> create(const Actor& actor, const core::Json& body);
  // GET /topics?month=YYYY-MM&status=open|resolved → {items, total}; table "topics".
  core::Result<StatsAnswer> list(const Actor& actor, const std::string& month,
                                 const std::string& status);
  // GET /topics/{id} → the topic.
  core::Result<core::Json> get(const Actor& actor, const std::string& id);
  // GET /topics/{id}/tickets → {topic, items}; table "topic_tickets".
  core::Result<StatsAnswer> tickets(const Actor& actor, const std::string& id);
  // GET /topics/{id}/candidates → {items}: open tickets of the topic's category and
  // area not linked yet, newest first (at most kMaxLink).
  core::Result<core::Json> candidates(const Actor& actor, const std::string& id);
  // POST /topics/{id}/tickets {numbers: [...]} → {linked, topic}.
  core::Result<core::Json> link(const Actor& actor, const std::string& id, const core::Json& body);
  // POST /topics/{id}/resolve {reply} → {topic, resolved: [numbers], skipped: [{number,
  // code}]}. The topic is resolved once none of its tickets is open any more.
  core::Result<core::Json> resolve(const Actor& actor, const std::string& id,
                                   const core::Json& body);

 private:
  core::Result<TopicRecord> visible(const Actor& actor, const std::string& id);
  core::Json topic_json(const TopicRecord& t);
  core::Json ticket_json(const TicketRecord& t) const;
  std::string category_name(const std::string& code);

  Store& store_;
  TicketService& tickets_;
  std::shared_ptr<const OrgDirectory> org_;
  NowFn now_;
};

}  // namespace portal::server
