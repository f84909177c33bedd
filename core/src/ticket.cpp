#include "portal/core/ticket.hpp"

#include <array>
#include <cstdio>
#include <utility>

#include "portal/core/utf8.hpp"

namespace portal::core {

namespace {

template <class E, std::size_t N>
std::optional<E> lookup(const std::array<std::pair<E, std::string_view>, N>& table,
                        std::string_view s) {
  for (const auto& [value, name] : table)
    if (name == s) return value;
  return std::nullopt;
}

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [value, name] : table)
    if (value == e) return name;
  return "unknown";
}

constexpr std::array<std::pair<Status, std::string_view>, 9> kStatus{{
    {Status::submitted, "submitted"},
    {Status::assigned, "assigned"},
    {Status::accepted, "accepted"},
    {Status::in_progress, "in_progress"},
    {Status::resolved, "resolved"},
    {Status::closed, "closed"},
    {Status::returned, "returned"},
    {Status::rejected, "rejected"},
    {Status::merged, "merged"},
}};
constexpr std::array<std::pair<Level, std::string_view>, 4> kLevel{{
    {Level::grid, "grid"},
    {Level::community, "community"},
    {Level::street, "street"},
    {Level::district, "district"},
}};
constexpr std::array<std::pair<Channel, std::string_view>, 5> kChannel{{
    {Channel::web, "web"},
    {Channel::embed, "embed"},
    {Channel::hotline, "hotline"},
    {Channel::patrol, "patrol"},
    {Channel::open311, "open311"},
}};
constexpr std::array<std::pair<SlaClass, std::string_view>, 4> kSla{{
    {SlaClass::urgent, "urgent"},
    {SlaClass::utility, "utility"},
    {SlaClass::normal, "normal"},
    {SlaClass::complex, "complex"},
}};

}  // namespace

std::string_view to_string(Status s) {
  return name_of(kStatus, s);
}
std::string_view to_string(Level l) {
  return name_of(kLevel, l);
}
std::string_view to_string(Channel c) {
  return name_of(kChannel, c);
}
std::string_view to_string(SlaClass c) {
  return name_of(kSla, c);
}
std::optional<Status> parse_status(std::string_view s) {
  return lookup(kStatus, s);
}
std::optional<Level> parse_level(std::string_view s) {
  return lookup(kLevel, s);
}
std::optional<Channel> parse_channel(std::string_view s) {
  return lookup(kChannel, s);
}
std::optional<SlaClass> parse_sla_class(std::string_view s) {
  return lookup(kSla, s);
}

std::string format_ticket_number(int year, int month, int day, std::int64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "RC%04d%02d%02d%08lld", year, month, day,
                static_cast<long long>(seq % 100000000));
  return buf;
}

bool is_ticket_number(std::string_view s) {
  if (s.size() != 18 || s[0] != 'R' || s[1] != 'C') return false;
  for (std::size_t i = 2; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

std::string mask_phone(std::string_view phone) {
  if (phone.size() <= 7) return std::string(phone.size(), '*');
  std::string out(phone.substr(0, 3));
  out.append(phone.size() - 7, '*');
  out.append(phone.substr(phone.size() - 4));
  return out;
}

std::string mask_name(std::string_view name) {
  if (name.empty()) return {};
  return std::string(utf8_first_character(name)) + "*";
}

bool is_personal_matter(const Category& c) {
  const std::string_view code = c.code;
  return c.group == "矛盾纠纷" || code.starts_with("social.") || code.starts_with("health.") ||
         code.starts_with("dispute.") || code.starts_with("labour.") ||
         code.starts_with("neighbour.");
}

}  // namespace portal::core
