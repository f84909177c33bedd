// The portal's addresses and its screens (API.md "Client routes"): which screen a path
// opens, and which path the address bar shows for a screen. Pure: no ImGui, no browser.
//
//   /                home             /me              my tickets (sign-in)
//   /submit          the report form  /board           the public board
//   /track           number + code    /services        the services directory
//   /t/{number}      a ticket         /work            the workbench (sign-in)
//   #c={code}        ... opened with its access code, for a submitter without account
//   #rate, #c={code}&rate   ... with its rating form first (a link of a "resolved" text);
//                    the fragment is a list of parts joined by '&', in any order
//   /work/t/{number} a ticket on the workbench (sign-in)
//   /cockpit         the data cockpit (sign-in)
//
// Screens without an address of their own show their parent's: the category picker
// /submit, the receipt and the rating form the ticket's, the sign-in screen /me (or the
// address that asked for it), an action form the workbench ticket's.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "app/views.hpp"

namespace portal::client {

// What an address asks for.
struct RouteRequest {
  Screen screen = Screen::home;
  std::string number;          // a ticket's screens: the ticket, upper case
  std::string code;            // the fragment's access code (#c=...), as given
  bool rate = false;           // the fragment asks for the rating form (#rate, #c=...&rate)
  bool needs_sign_in = false;  // /me, /work, /work/t/..., /cockpit
  bool known = true;           // false: the path names no screen (home is shown)
};

// Reads a page location: a path, optionally with ?query (ignored) and #fragment.
RouteRequest parse_route(std::string_view location);

// The address of a screen. `number` is the ticket a ticket screen shows; `handler`: the
// viewer works on tickets (their ticket pages live under /work).
std::string route_path(Screen screen, std::string_view number = {}, bool handler = false);

// Whether a screen, shown at `path`, is a fair reading of it: the screen a history entry
// kept (the category picker at /submit) is trusted only when it fits its address.
bool route_fits(Screen screen, std::string_view path);

// Stable names of the screens (history entries, the widget log): "home", "my_tickets".
std::string_view screen_name(Screen screen);
std::optional<Screen> parse_screen_name(std::string_view name);

}  // namespace portal::client
