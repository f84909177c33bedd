#include "app/follow.hpp"

#include <utility>

namespace portal::client {

Following::Following(Api& api, std::function<void(std::function<void()>)> post)
    : api_(api), post_(std::move(post)) {}

void Following::load() {
  if (list_.loading()) return;
  const auto t = list_.start();
  api_.followed_tickets([this, t](core::Result<std::vector<TicketSummary>> r) {
    post_([this, t, r = std::move(r)]() mutable {
      if (!list_.finish(t, std::move(r)) || !list_.loaded()) return;
      numbers_.clear();
      for (const auto& s : list_.value) numbers_.insert(s.number);
    });
  });
}

void Following::reset() {
  list_.reset();
  list_.value.clear();
  numbers_.clear();
  change_.reset();
  number_.clear();
}

void Following::change(const std::string& number, bool on, std::function<void(int)> done) {
  if (change_.loading() || number.empty()) return;
  number_ = number;
  on_ = on;
  const auto t = change_.start();
  api_.follow(number, on, [this, t, number, on, done = std::move(done)](core::Result<int> r) {
    post_([this, t, number, on, done, r = std::move(r)]() mutable {
      if (!change_.finish(t, std::move(r)) || !change_.loaded()) return;
      if (on)
        numbers_.insert(number);
      else
        numbers_.erase(number);
      if (list_.state != LoadState::idle) load();  // the list as the server now has it
      if (done) done(change_.value);
    });
  });
}

}  // namespace portal::client
