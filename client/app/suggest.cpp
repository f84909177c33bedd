#include "app/suggest.hpp"

#include "app/format.hpp"
#include "portal/core/utf8.hpp"

namespace portal::client {

namespace {

bool long_enough(const std::string& text) {
  return core::utf8_length(text).value_or(0) >= Suggester::kMinChars;
}

}  // namespace

Suggester::Suggester(Api& api, std::function<void(std::function<void()>)> post)
    : api_(api), post_(std::move(post)) {}

void Suggester::typed(const std::string& raw, double now_ms) {
  std::string text = trim(raw);
  if (text == text_) return;
  text_ = std::move(text);
  if (!long_enough(text_)) {
    // Nothing to suggest from: the chips of an earlier text go, and nothing waits.
    due_at_ = 0;
    answer_.reset();
    answer_.value.clear();
    sent_.clear();
    return;
  }
  due_at_ = text_ == sent_ ? 0 : now_ms + kRestMs;
}

bool Suggester::tick(double now_ms, const std::optional<std::pair<double, double>>& at) {
  if (due_at_ <= 0 || now_ms < due_at_) return false;
  due_at_ = 0;
  if (text_ == sent_ || !long_enough(text_)) return false;
  send(text_, at);
  return true;
}

void Suggester::ask_now(const std::string& raw,
                        const std::optional<std::pair<double, double>>& at) {
  std::string text = trim(raw);
  if (text.empty() || text == sent_) return;
  text_ = text;
  due_at_ = 0;
  send(text, at);
}

void Suggester::send(const std::string& text, const std::optional<std::pair<double, double>>& at) {
  sent_ = text;
  const auto t = answer_.start();
  api_.suggest(text, at, [this, t](core::Result<std::vector<Suggestion>> r) {
    post_([this, t, r = std::move(r)]() mutable {
      // A failure keeps what an earlier text suggested out of view: it would mislead.
      if (answer_.finish(t, std::move(r)) && answer_.failed()) answer_.value.clear();
    });
  });
}

void Suggester::reset() {
  text_.clear();
  sent_.clear();
  due_at_ = 0;
  answer_.reset();
  answer_.value.clear();
}

const std::vector<Suggestion>& Suggester::answer() const {
  return answer_.value;
}

std::vector<Suggestion> Suggester::chips(const std::string& category) const {
  const auto& all = answer_.value;
  if (all.empty() || all.front().code == category) return {};
  std::vector<Suggestion> out;
  for (const auto& s : all) {
    if (out.size() == kMaxChips) break;
    if (!out.empty() && s.score < kMinChipScore) break;  // most likely first
    out.push_back(s);
  }
  return out;
}

}  // namespace portal::client
