// Following a ticket (附议, API.md "Tickets"): a signed-in citizen who has the same
// problem as an open ticket follows it instead of filing it again, finds it under
// "followed" in my tickets, and may stop following it. No ImGui here.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "app/api.hpp"
#include "app/async.hpp"
#include "app/model.hpp"

namespace portal::client {

class Following {
 public:
  // `post` queues work for the start of the next frame (answers arrive outside frames).
  Following(Api& api, std::function<void(std::function<void()>)> post);

  // The list of followed tickets (scope=followed), unless it is being read.
  void load();
  void reset();  // signed out: nothing is known
  // Follows (on) or stops following `number`; one change at a time. `done` runs once
  // the server said yes, with the ticket's followers (-1 when it did not say).
  void change(const std::string& number, bool on, std::function<void(int)> done = {});

  bool follows(const std::string& number) const { return numbers_.count(number) > 0; }
  const Async<std::vector<TicketSummary>>& list() const { return list_; }
  // The change under way or last made: which ticket, which way, and how it went.
  const Async<int>& changing() const { return change_; }
  const std::string& changing_number() const { return number_; }
  bool changing_on() const { return on_; }

 private:
  Api& api_;
  std::function<void(std::function<void()>)> post_;
  Async<std::vector<TicketSummary>> list_;
  std::set<std::string> numbers_;  // followed, as the list and the changes since say
  Async<int> change_;
  std::string number_;
  bool on_ = true;
};

}  // namespace portal::client
