// Phone numbers inside free text (a description, a reply, an address, a comment),
// masked before the text is published to readers who may not see them (SPEC §9, §10).
//
// Recognised in every spelling a citizen types: ASCII or full-width digits; groups
// joined by spaces (also U+3000 and NBSP), dashes (- － – —), dots, slashes, underscores
// or parentheses (ASCII or full-width); with a country prefix +86, ＋86, 0086 or 86; mainland
// mobiles (1[3-9] and 9 more digits) and landlines with their area code (010 12345678,
// 0537-1234567, (0537)1234567). Any other unbroken run of 7 or more digits (an ID or a
// card number) is masked too. Ticket numbers (RC + 16 digits), dates (2026-11-25),
// house numbers and amounts stay as they are.
//
// Masked digits become '*'; a mobile keeps its first 3 and last 4 digits
// (138****5678), a landline its area code and last 2 (0537-*****67), the country
// prefix is kept. Deterministic: the same text always gives the same mask.
#pragma once

#include <string>
#include <string_view>

namespace portal::core {

std::string mask_phones_in_text(std::string_view text);

}  // namespace portal::core
