// Validation with field-named errors. The same rules run in the client (to show
// errors at the field before sending) and in the server (the authority).
#pragma once

#include <vector>

#include "portal/core/result.hpp"
#include "portal/core/ticket.hpp"

namespace portal::core {

namespace limits {
inline constexpr std::size_t kDescriptionMaxChars = 4000;
inline constexpr std::size_t kDescriptionMinChars = 5;
inline constexpr std::size_t kNameMaxChars = 50;
inline constexpr std::size_t kAddressMaxChars = 200;
inline constexpr std::size_t kMaxAttachments = 9;
// The district and a margin around it: anything else is not ours to handle.
inline constexpr double kMinLat = 34.5, kMaxLat = 36.5, kMinLng = 115.5, kMaxLng = 117.5;
static_assert(Location::kUnknownLat >= kMinLat && Location::kUnknownLat <= kMaxLat &&
                  Location::kUnknownLng >= kMinLng && Location::kUnknownLng <= kMaxLng,
              "an unknown location passes the bounds check and is routed, not refused");
}  // namespace limits

// Every problem of a draft, in field order; empty when valid.
std::vector<Error> validate(const TicketDraft& draft);

bool is_valid_phone(std::string_view phone);
bool is_valid_category_code(std::string_view code);

}  // namespace portal::core
