#include "app/routes.hpp"

#include <array>
#include <utility>

#include "portal/core/client_routes.hpp"

namespace portal::client {

namespace {

using core::ClientPath;

constexpr std::array<std::pair<Screen, std::string_view>, 15> kNames{{
    {Screen::home, "home"},
    {Screen::submit, "submit"},
    {Screen::categories, "categories"},
    {Screen::receipt, "receipt"},
    {Screen::track, "track"},
    {Screen::ticket, "ticket"},
    {Screen::account, "account"},
    {Screen::my_tickets, "my_tickets"},
    {Screen::rate, "rate"},
    {Screen::services, "services"},
    {Screen::queue, "queue"},
    {Screen::action, "action"},
    {Screen::hotline_import, "hotline_import"},
    {Screen::cockpit, "cockpit"},
    {Screen::board, "board"},
}};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX decoded; a broken escape is kept as it is.
std::string percent_decoded(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// The value of `key` in a fragment of key=value pairs joined by '&'.
std::string fragment_value(std::string_view fragment, std::string_view key) {
  std::size_t pos = 0;
  while (pos <= fragment.size()) {
    std::size_t end = fragment.find('&', pos);
    if (end == std::string_view::npos) end = fragment.size();
    const std::string_view item = fragment.substr(pos, end - pos);
    const std::size_t eq = item.find('=');
    if (eq != std::string_view::npos && item.substr(0, eq) == key)
      return percent_decoded(item.substr(eq + 1));
    pos = end + 1;
  }
  return {};
}

// Whether a fragment of parts joined by '&' has the bare part `flag` (no '=').
bool fragment_has(std::string_view fragment, std::string_view flag) {
  std::size_t pos = 0;
  while (pos <= fragment.size()) {
    std::size_t end = fragment.find('&', pos);
    if (end == std::string_view::npos) end = fragment.size();
    if (fragment.substr(pos, end - pos) == flag) return true;
    pos = end + 1;
  }
  return false;
}

}  // namespace

RouteRequest parse_route(std::string_view location) {
  RouteRequest r;
  std::string_view path = location, fragment;
  if (const auto hash = path.find('#'); hash != std::string_view::npos) {
    fragment = path.substr(hash + 1);
    path = path.substr(0, hash);
  }
  if (const auto query = path.find('?'); query != std::string_view::npos)
    path = path.substr(0, query);
  const auto route = core::parse_client_path(path);
  if (!route) {
    r.known = false;
    return r;
  }
  r.number = route->number;
  switch (route->path) {
    case ClientPath::home:
      r.screen = Screen::home;
      break;
    case ClientPath::submit:
      r.screen = Screen::submit;
      break;
    case ClientPath::track:
      r.screen = Screen::track;
      break;
    case ClientPath::ticket:
      r.screen = Screen::ticket;
      r.code = fragment_value(fragment, "c");
      r.rate = fragment_has(fragment, "rate");
      break;
    case ClientPath::me:
      r.screen = Screen::my_tickets;
      r.needs_sign_in = true;
      break;
    case ClientPath::board:
      r.screen = Screen::board;
      break;
    case ClientPath::services:
      r.screen = Screen::services;
      break;
    case ClientPath::work:
      r.screen = Screen::queue;
      r.needs_sign_in = true;
      break;
    case ClientPath::work_ticket:
      r.screen = Screen::ticket;
      r.needs_sign_in = true;
      break;
    case ClientPath::cockpit:
      r.screen = Screen::cockpit;
      r.needs_sign_in = true;
      break;
  }
  return r;
}

std::string route_path(Screen screen, std::string_view number, bool handler) {
  core::ClientRoute r;
  switch (screen) {
    case Screen::home:
      r.path = ClientPath::home;
      break;
    case Screen::submit:
    case Screen::categories:
      r.path = ClientPath::submit;
      break;
    case Screen::track:
      r.path = ClientPath::track;
      break;
    case Screen::receipt:
    case Screen::ticket:
    case Screen::rate:
    case Screen::action:
      if (number.empty()) return screen == Screen::action ? "/work" : "/track";
      r.path = handler || screen == Screen::action ? ClientPath::work_ticket : ClientPath::ticket;
      r.number = std::string(number);
      break;
    case Screen::account:
    case Screen::my_tickets:
      r.path = ClientPath::me;
      break;
    case Screen::services:
      r.path = ClientPath::services;
      break;
    case Screen::queue:
    case Screen::hotline_import:
      r.path = ClientPath::work;
      break;
    case Screen::cockpit:
      r.path = ClientPath::cockpit;
      break;
    case Screen::board:
      r.path = ClientPath::board;
      break;
  }
  return core::client_path(r);
}

bool route_fits(Screen screen, std::string_view path) {
  const RouteRequest r = parse_route(path);
  if (!r.known) return false;
  if (screen == Screen::account && r.needs_sign_in) return true;
  const bool handler = r.screen == Screen::ticket && r.needs_sign_in;
  return route_path(screen, r.number, handler) == route_path(r.screen, r.number, handler);
}

std::string_view screen_name(Screen screen) {
  for (const auto& [s, name] : kNames)
    if (s == screen) return name;
  return {};
}

std::optional<Screen> parse_screen_name(std::string_view name) {
  for (const auto& [s, n] : kNames)
    if (n == name) return s;
  return std::nullopt;
}

}  // namespace portal::client
