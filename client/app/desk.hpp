// The handler's desk (SPEC §6): the queue filtered on the server by status, category,
// level, overdue and a text search (API.md "Tickets": GET /tickets?scope=queue&...),
// each row with the next deadline that matters, and the keyboard cursor over the rows.
// On a wide screen the UI draws it beside the open ticket; phones keep the workbench's
// plain queue. No ImGui here.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "app/api.hpp"
#include "app/async.hpp"
#include "app/i18n.hpp"
#include "app/model.hpp"

namespace portal::client {

// What the desk's list asks the server for; empty strings ask for no such filter.
struct DeskFilters {
  std::string status, category, level, q;
  bool overdue = false;
  bool any() const {
    return !status.empty() || !category.empty() || !level.empty() || !q.empty() || overdue;
  }
};
// The list's address: scope=queue, then each filter given, percent-encoded.
std::string desk_list_url(const DeskFilters& f);

// The deadline a handler must meet next: before acceptance the response deadline (its
// miss is what escalates the ticket), after it the resolve deadline; none once finished.
enum class DeadlineKind { none, response, resolve };
struct NextDeadline {
  DeadlineKind kind = DeadlineKind::none;
  std::string at;  // ISO 8601
};
NextDeadline next_deadline(const TicketSummary& t);

// How close that deadline is at now_ms (Unix ms): past it (or the server says overdue),
// soon (within kSoonResponseMs of a response deadline, kSoonResolveMs of a resolve one),
// or neither.
enum class Urgency { normal, soon, overdue };
inline constexpr double kSoonResponseMs = 2 * 3600e3;
inline constexpr double kSoonResolveMs = 24 * 3600e3;
Urgency urgency_of(const TicketSummary& t, double now_ms);

// Most urgent first: overdue, then soon, then by the next deadline; finished ones last.
void sort_by_urgency(std::vector<TicketSummary>& list, double now_ms);

// The toast an action ends with, naming what was done (已受理, 已退回 ...).
T done_toast(std::string_view action);
// The key that opens an action on the desk ("a" accept); "" when none does.
std::string_view action_key(std::string_view action);

class Desk {
 public:
  // The search box must rest this long after the last keystroke before it is sent.
  static constexpr double kSearchRestMs = 300;
  using Post = std::function<void(std::function<void()>)>;

  Desk(Api& api, Post post) : api_(api), post_(std::move(post)) {}

  // [SECTION] Filters: a change asks the server again at once (the search text too, as
  // typed so far); the search box alone waits for the typing to rest.
  const DeskFilters& filters() const { return filters_; }
  const std::string& search_text() const { return search_; }
  void set_status(const std::string& s);
  void set_category(const std::string& c);
  void set_level(const std::string& l);
  void set_overdue(bool on);
  void clear();
  void typed(const std::string& text, double now_ms);
  // Sends a rested search; true when it sent.
  bool tick(double now_ms);
  double due_at() const { return due_at_; }

  // [SECTION] The list: asked for with the filters as they stand. An answer to an older
  // question than the latest is dropped (Async's ticket).
  void load(double now_ms);
  void load_if_idle(double now_ms) {
    if (list_.state == LoadState::idle) load(now_ms);
  }
  const Async<std::vector<TicketSummary>>& list() const { return list_; }

  // [SECTION] The keyboard cursor over the rows (j/k), kept within the list.
  int cursor() const { return cursor_; }
  void move(int by);
  void set_cursor_to(const std::string& number);
  const TicketSummary* at_cursor() const;

  // [SECTION] What is unfolded: a filter's choices ("status", "category", "level"), the
  // shortcut help.
  std::string menu;
  bool help = false;

 private:
  Api& api_;
  Post post_;
  DeskFilters filters_;
  std::string search_;  // as typed; filters_.q is what was sent
  double due_at_ = 0;
  double now_ms_ = 0;
  Async<std::vector<TicketSummary>> list_;
  int cursor_ = 0;
};

}  // namespace portal::client
