#include "app/nearby.hpp"

#include <utility>

namespace portal::client {

Nearby::Nearby(Api& api, std::function<void(std::function<void()>)> post)
    : api_(api), post_(std::move(post)) {}

void Nearby::update(const std::string& category,
                    const std::optional<std::pair<double, double>>& at) {
  if (category == category_ && at == at_) return;
  category_ = category;
  at_ = at;
  asking_.clear();
  if (category_.empty() || !at_) {
    answer_.reset();
    answer_.value.clear();
    return;
  }
  ask();
}

void Nearby::retry() {
  if (!category_.empty() && at_ && !answer_.loading()) ask();
}

void Nearby::ask() {
  ++asked_;
  const auto t = answer_.start();
  api_.nearby(at_->first, at_->second, category_,
              [this, t](core::Result<std::vector<NearbyTicket>> r) {
                post_([this, t, r = std::move(r)]() mutable { answer_.finish(t, std::move(r)); });
              });
}

void Nearby::reset() {
  category_.clear();
  at_.reset();
  answer_.reset();
  answer_.value.clear();
  asking_.clear();
  followed_.clear();
  offer_ = false;
}

void Nearby::set_followers(const std::string& number, int followers) {
  if (followers < 0) return;
  for (auto& t : answer_.value)
    if (t.number == number) t.followers = followers;
}

void Nearby::followed(const std::string& number) {
  followed_ = number;
  offer_ = true;
  asking_.clear();
}

}  // namespace portal::client
