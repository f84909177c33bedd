// Route registration, one function per module. Handlers stay thin: parse and
// validate, call a service, map its result to a status.
#pragma once

#include <httplib.h>

#include "server/http/server.hpp"

namespace portal::server::http {

void register_meta_routes(httplib::Server& s, Services& services, const HttpConfig& config);
void register_ticket_routes(httplib::Server& s, Services& services);
void register_auth_routes(httplib::Server& s, Services& services);
void register_org_routes(httplib::Server& s, Services& services, const HttpConfig& config);
void register_attachment_routes(httplib::Server& s, Services& services);
void register_admin_routes(httplib::Server& s, Services& services);
void register_stream_routes(httplib::Server& s, Services& services);
void register_stats_routes(httplib::Server& s, Services& services, StatsService& stats);
void register_open311_routes(httplib::Server& s, Services& services, Open311Service& open311);
void register_topic_routes(httplib::Server& s, Services& services, TopicService& topics);
void register_place_routes(httplib::Server& s, Services& services, PlaceService& places);
void register_suggest_routes(httplib::Server& s, Services& services, SuggestService& suggest);
void register_notification_routes(httplib::Server& s, Services& services,
                                  NotificationService& notifications);

}  // namespace portal::server::http
