// View-models: plain data the UI draws. Built by App on demand, already in the
// UI language; the UI never sees JSON, HTTP or the app's internals.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/async.hpp"
#include "app/i18n.hpp"
#include "portal/core/ticket.hpp"

namespace portal::client {

enum class Screen { home, submit, categories, receipt, track, ticket };
// Editable text fields; the UI reports edits as EditField intents.
enum class Field {
  description,
  address,
  lat,
  lng,
  name,
  phone,
  track_number,
  track_code,
  category_search
};

struct FieldView {
  std::string value;
  std::string error;  // localized; empty when the value is fine
};

struct ShellView {
  Screen screen = Screen::home;
  Lang lang = Lang::zh;
  bool can_go_back = false;
  std::string toast;  // a short notice ("已复制"); empty when none
};

struct RecentItem {
  std::string number, code;
};
struct HomeView {
  std::vector<RecentItem> recent;
};

struct CategoryItem {
  std::string code, name;
};
struct CategoryGroup {
  std::string name;
  std::vector<CategoryItem> items;
};

struct SubmitView {
  std::string category_code, category_name;  // empty when none is chosen yet
  std::string category_error;
  LoadState categories = LoadState::idle;
  FieldView description, address, lat, lng, name, phone;
  std::size_t description_chars = 0, description_max = 0;
  bool anonymous = false;
  bool submitting = false;
  std::string banner;  // a failure not tied to one field
  // Bumped when the UI should bring `focus_field` into view (the first error).
  std::uint64_t focus_seq = 0;
  Field focus_field = Field::description;
  bool focus_category = false;
};

struct CategoriesView {
  FieldView search;
  LoadState state = LoadState::idle;
  std::string error;
  std::vector<CategoryGroup> groups;  // filtered by the search text
  std::string selected;
};

struct ReceiptView {
  std::string number, code, respond_by, resolve_by;
};

struct TrackView {
  FieldView number, code;
  bool loading = false;
  std::string error;
};

struct TicketPage {
  LoadState state = LoadState::idle;
  std::string error;
  std::string number;
  core::Status status = core::Status::submitted;
  std::string status_name, level_name, category, description, address, area, handler, contact;
  std::string created, updated, respond_by, resolve_by, reply;
  bool overdue = false;
  int reopen_count = 0;
};

}  // namespace portal::client
