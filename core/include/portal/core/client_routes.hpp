// The portal's own addresses (API.md "Client routes"): the paths the server answers
// with the portal page and the client opens as screens. Shared so that both read them
// the same way: the server to tell a page address from a missing file, the client to
// map it to a screen (client/app/routes.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace portal::core {

enum class ClientPath {
  home,         // /
  submit,       // /submit
  track,        // /track
  ticket,       // /t/{number}
  me,           // /me
  board,        // /board
  services,     // /services
  work,         // /work
  work_ticket,  // /work/t/{number}
  cockpit       // /cockpit
};

struct ClientRoute {
  ClientPath path = ClientPath::home;
  std::string number;  // ticket and work_ticket: a ticket number, upper case
};

// The route a URL path names (no query, no fragment), or nothing. Ticket numbers are
// read in any case ("/t/rc2026..." is the ticket RC2026...); nothing else varies: no
// trailing slash, no empty or dot segments.
std::optional<ClientRoute> parse_client_path(std::string_view path);

// The path of a route: parse_client_path(client_path(r)) == r.
std::string client_path(const ClientRoute& route);

}  // namespace portal::core
