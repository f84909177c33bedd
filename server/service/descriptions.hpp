// What citizens write: the demo history's descriptions and the handlers' replies.
// Per category, many concrete ways of saying what is wrong, put together with
// places, times, how long it has lasted, what it does to people and what they ask
// for, in several shapes (a citizen's own words, a hotline agent's summary, a grid
// worker's note; short and long). The category's own name is rarely in the text, so
// that what the suggestion learns from the demo carries over to real reports.
#pragma once

#include <string>

#include "portal/core/ticket.hpp"
#include "server/service/rng.hpp"

namespace portal::server {

// A description for a ticket of the category. Categories the demo does not know get a
// plain sentence around their name.
std::string write_description(const core::Category& category, Rng& rng);
// A handler's reply when resolving a ticket of the category.
std::string write_reply(const core::Category& category, Rng& rng);

}  // namespace portal::server
