#include "portal/core/validation.hpp"

#include <algorithm>

#include "portal/core/utf8.hpp"

namespace portal::core {

namespace {

// Checks text that people type: valid UTF-8, no control characters, within bounds.
void check_text(std::vector<Error>& errors, std::string_view text, const char* field,
                std::size_t min_chars, std::size_t max_chars) {
  auto len = utf8_length(text);
  if (!len) {
    errors.push_back(Error::invalid(field, "invalid_utf8", "must be valid UTF-8 text"));
  } else if (has_control_chars(text)) {
    errors.push_back(
        Error::invalid(field, "control_characters", "must not hold control characters"));
  } else if (*len < min_chars) {
    errors.push_back(Error::invalid(
        field, min_chars <= 1 ? "required" : "too_short",
        min_chars <= 1 ? "is required"
                       : "must have at least " + std::to_string(min_chars) + " characters"));
  } else if (*len > max_chars) {
    errors.push_back(Error::invalid(
        field, "too_long", "must have at most " + std::to_string(max_chars) + " characters"));
  }
}

bool is_blank(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  return true;
}

}  // namespace

bool is_valid_phone(std::string_view p) {
  auto all_digits = [](std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
      if (c < '0' || c > '9') return false;
    return true;
  };
  // Mainland mobile: 1[3-9]xxxxxxxxx.
  if (p.size() == 11 && p[0] == '1' && p[1] >= '3' && p[1] <= '9' && all_digits(p)) return true;
  // Landline with area code: 0537-1234567 or 05371234567 (10–12 digits, leading 0).
  std::string digits;
  for (char c : p)
    if (c != '-') digits += c;
  if (digits.size() >= 10 && digits.size() <= 12 && digits[0] == '0' && all_digits(digits) &&
      std::count(p.begin(), p.end(), '-') <= 1)
    return true;
  return false;
}

bool is_valid_category_code(std::string_view code) {
  if (code.empty() || code.size() > 64) return false;
  for (char c : code)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_')) return false;
  return true;
}

std::vector<Error> validate(const TicketDraft& d) {
  std::vector<Error> errors;
  if (d.category.empty())
    errors.push_back(Error::invalid("category", "required", "is required"));
  else if (!is_valid_category_code(d.category))
    errors.push_back(Error::invalid("category", "unknown_category", "is not a known category"));

  if (is_blank(d.description))
    errors.push_back(Error::invalid("description", "required", "is required"));
  else
    check_text(errors, d.description, "description", limits::kDescriptionMinChars,
               limits::kDescriptionMaxChars);

  if (!(d.location.lat >= limits::kMinLat && d.location.lat <= limits::kMaxLat))
    errors.push_back(Error::invalid("location.lat", "out_of_area", "is outside the district"));
  if (!(d.location.lng >= limits::kMinLng && d.location.lng <= limits::kMaxLng))
    errors.push_back(Error::invalid("location.lng", "out_of_area", "is outside the district"));
  check_text(errors, d.location.address, "location.address", 0, limits::kAddressMaxChars);

  if (is_blank(d.contact.name))
    errors.push_back(Error::invalid("contact.name", "required", "is required"));
  else
    check_text(errors, d.contact.name, "contact.name", 1, limits::kNameMaxChars);
  if (d.contact.phone.empty())
    errors.push_back(Error::invalid("contact.phone", "required", "is required"));
  else if (!is_valid_phone(d.contact.phone))
    errors.push_back(Error::invalid("contact.phone", "invalid_phone",
                                    "must be a mainland mobile or landline number"));

  if (d.attachments.size() > limits::kMaxAttachments)
    errors.push_back(Error::invalid("attachments", "too_many", "at most 9 photos"));
  return errors;
}

}  // namespace portal::core
