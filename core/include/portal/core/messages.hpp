// The texts of the notifications of SPEC §12, in both languages, from one catalogue
// (core/src/messages.cpp). A message is one SMS of at most two parts: its text with the
// link at the end fits message_max_chars(lang) characters; what varies in length (a
// reply, a description) is cut to fit and marked with "…", and phone numbers in it are
// masked.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "portal/core/time.hpp"

namespace portal::core {

enum class MessageKind {
  received,           // to the submitter: the ticket is in (number, access code, link)
  resolved,           // to the submitter: the reply, and a link that opens the rating
  reopened,           // to the submitter: handled again
  rating_reminder,    // to the submitter: resolved 3 days ago and not rated
  assigned,           // to handlers: a ticket is now theirs
  response_due_soon,  // to handlers: the response limit is close
  overdue,            // to handlers: the resolve limit has passed
  followed_resolved,  // to followers: the reply, and a link to the ticket (no rating)
  merged              // to the submitter and followers of a duplicate: which ticket it joined
};
std::string_view to_string(MessageKind k);
std::optional<MessageKind> parse_message_kind(std::string_view s);
bool to_citizen(MessageKind k);

// What a message may carry; empty fields are left out of the text.
struct MessageFields {
  std::string number;            // the ticket's number
  std::string access_code;       // an anonymous submitter's code (received only)
  std::string link;              // the address that opens the ticket (without it: none)
  std::string reply;             // the handler's reply (resolved)
  std::string category;          // the category's name in the message's language (handlers)
  std::string summary;           // the description (handlers)
  std::optional<TimePoint> due;  // the limit in question (handlers)
  std::string target;            // the ticket a duplicate was merged into (merged)
};

// "zh" (default) or "en".
std::string_view message_lang(std::string_view lang);
std::size_t message_max_chars(std::string_view lang);

// The text of a message in `lang`, at most message_max_chars(lang) characters when the
// fixed part and the link leave room (a link too long for any room is kept whole: the
// citizen needs it more than the words).
std::string render_message(MessageKind kind, std::string_view lang, const MessageFields& f);

// The link of a message: under `public_url` (no trailing slash), the route of SPEC §5
// that opens the ticket; the submitter's links carry the access code in the fragment
// (#c=CODE) when there is one, and "rate" when the link should open the rating.
// Never a phone number.
std::string message_link(std::string_view public_url, MessageKind kind, std::string_view number,
                         std::string_view access_code);

}  // namespace portal::core
