#include "portal/core/client_routes.hpp"

#include <cctype>
#include <utility>

#include "portal/core/ticket.hpp"

namespace portal::core {

namespace {

struct Fixed {
  std::string_view path;
  ClientPath route;
};
constexpr Fixed kFixed[] = {
    {"/", ClientPath::home},       {"/submit", ClientPath::submit},
    {"/track", ClientPath::track}, {"/me", ClientPath::me},
    {"/board", ClientPath::board}, {"/services", ClientPath::services},
    {"/work", ClientPath::work},   {"/cockpit", ClientPath::cockpit},
};

std::optional<std::string> ticket_number(std::string_view s) {
  std::string upper(s);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!is_ticket_number(upper)) return std::nullopt;
  return upper;
}

}  // namespace

std::optional<ClientRoute> parse_client_path(std::string_view path) {
  for (const auto& f : kFixed)
    if (path == f.path) return ClientRoute{f.route, {}};
  for (auto [prefix, route] : {std::pair<std::string_view, ClientPath>{"/t/", ClientPath::ticket},
                               {"/work/t/", ClientPath::work_ticket}}) {
    if (path.substr(0, prefix.size()) != prefix) continue;
    if (auto n = ticket_number(path.substr(prefix.size()))) return ClientRoute{route, *n};
    return std::nullopt;
  }
  return std::nullopt;
}

std::string client_path(const ClientRoute& route) {
  if (route.path == ClientPath::ticket) return "/t/" + route.number;
  if (route.path == ClientPath::work_ticket) return "/work/t/" + route.number;
  for (const auto& f : kFixed)
    if (f.route == route.path) return std::string(f.path);
  return "/";
}

}  // namespace portal::core
