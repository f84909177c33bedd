// "已有人反映？" (SPEC §5, API.md GET /api/v1/tickets/nearby): once a report has both a
// category and a place, the open tickets of that category near it, so that a citizen
// with the same problem can follow one (附议) instead of filing it again. Asked again
// only when the category or the place changes. A failure is said, and never stands in
// the way of sending the report. No ImGui here.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/api.hpp"
#include "app/async.hpp"
#include "app/model.hpp"

namespace portal::client {

class Nearby {
 public:
  // `post` queues work for the start of the next frame (answers arrive outside frames).
  Nearby(Api& api, std::function<void(std::function<void()>)> post);

  // The report's category and place as they stand: asks when both are known and either
  // differs from the last question; forgets the answer when either is gone.
  void update(const std::string& category, const std::optional<std::pair<double, double>>& at);
  void retry();  // the same question again, after a failure
  void reset();  // the form was cleared or sent

  const Async<std::vector<NearbyTicket>>& answer() const { return answer_; }
  // How many questions were sent (tests: nothing is asked twice).
  int asked() const { return asked_; }
  // The followers of a ticket changed (the citizen followed it here).
  void set_followers(const std::string& number, int followers);

  // An anonymous citizen tapped "me too" on `number`: sign in, or send anyway.
  void ask_sign_in(const std::string& number) { asking_ = number; }
  const std::string& asking_sign_in() const { return asking_; }
  // A signed-in citizen followed `number` from the panel: the form offers to discard
  // the draft (never discarded unasked) until the citizen answers.
  void followed(const std::string& number);
  void answer_offer() { offer_ = false; }
  const std::string& followed_number() const { return followed_; }
  bool offers_discard() const { return offer_; }

 private:
  void ask();

  Api& api_;
  std::function<void(std::function<void()>)> post_;
  std::string category_;
  std::optional<std::pair<double, double>> at_;
  Async<std::vector<NearbyTicket>> answer_;
  int asked_ = 0;
  std::string asking_, followed_;
  bool offer_ = false;
};

}  // namespace portal::client
