// The ticket list's text search (GET /tickets?q=): how a text becomes the tokens that
// both stores index, and how a query becomes the runs of tokens it must find.
//
// Chinese has no spaces, and 1- and 2-character queries (路灯, 噪音) are the common
// ones, so words are no use: every run of word characters (Han, kana, hangul, ASCII
// letters and digits, other letters) becomes its overlapping pairs of characters,
// then its last character alone. 路灯不亮 → 路灯 灯不 不亮 亮. A query run is found as
// a substring when its own tokens stand at consecutive positions, the last one as a
// prefix: 灯不 → "灯不 不*" (不亮 follows 灯不); 灯 → "灯*" (灯不, or 灯 ending a run).
// Every character of a run starts a token, so one character is a prefix query, and a
// character that ends a query run is always matched by a prefix: the text may go on.
// ASCII is folded to lower case, full-width forms to ASCII; punctuation and spaces
// separate runs. Changing these rules changes what the indexes hold: it needs a
// migration that rebuilds them (SQLite's contentless index deletes by the old tokens).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portal::core {

// The tokens of a text, in order (each UTF-8, no spaces, no ASCII punctuation).
std::vector<std::string> search_tokens(std::string_view text);
// The same, joined by single spaces: the form SQLite's index is given.
std::string search_token_text(std::string_view text);

// A query: its runs (each the tokens of one run of word characters, in order); a
// ticket matches when every run is found. Empty when the query has no word character.
std::vector<std::vector<std::string>> search_query_runs(std::string_view q);

// The same rules read directly, for a handful of rows, where the index would cost
// more than it saves: the text's runs, folded, separated by single spaces. A query
// matches a ticket when each of its folded runs (search_folded(q), split at the spaces)
// lies inside one run of the description or of the address: what the index finds.
std::string search_folded(std::string_view text);
bool search_folded_matches(std::string_view folded_query, std::string_view folded_description,
                           std::string_view folded_address);

// The ticket-number prefix a query stands for, if it looks like one: "RC" (any case)
// and digits ("rc2026" → "RC2026"), or six or more digits alone, which a number
// holds after its "RC" ("20261125" → "RC20261125").
std::optional<std::string> ticket_number_prefix(std::string_view q);
// The least string past every number with that prefix, in any collation that orders
// letters and digits as ASCII does: the prefix without its trailing 9s, its last
// character incremented ("RC2029" → "RC203", "RC" → "RD"). The prefix's numbers are
// those in [prefix, end): a range the number's unique index answers.
std::string ticket_number_prefix_end(std::string_view prefix);

}  // namespace portal::core
