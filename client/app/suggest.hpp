// Categories suggested from what a citizen writes (SPEC §5, API.md POST /api/v1/suggest):
// asked for once the description has rested for a moment, never twice for the same text,
// and shown as chips above the category picker. A chip only ever sets the category when
// it is tapped. No ImGui here.
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

class Suggester {
 public:
  // The description must rest this long after the last keystroke before it is sent,
  // and be at least this long (characters, not bytes) to say anything.
  static constexpr double kRestMs = 400;
  static constexpr std::size_t kMinChars = 4;
  static constexpr std::size_t kMaxChips = 3;
  // A category the model all but rules out is not offered: a tap on it would only mislead.
  static constexpr double kMinChipScore = 0.02;

  // `post` queues work for the start of the next frame (answers arrive outside frames).
  Suggester(Api& api, std::function<void(std::function<void()>)> post);

  // The text as it stands at `now_ms` (a keystroke, a draft restored). The same text
  // again changes nothing; a text too short to say anything clears the chips.
  void typed(const std::string& text, double now_ms);
  // Sends the rested text, unless it was sent already; true when it sent.
  bool tick(double now_ms, const std::optional<std::pair<double, double>>& at);
  // Asks at once for this text (a handler's ticket), unless it was asked already.
  void ask_now(const std::string& text, const std::optional<std::pair<double, double>>& at = {});
  // When tick() will have something to send (0: nothing waits).
  double due_at() const { return due_at_; }
  void reset();

  // The last answer, most likely first (empty while none, or the text was cleared).
  const std::vector<Suggestion>& answer() const;
  const Async<std::vector<Suggestion>>& state() const { return answer_; }
  const std::string& sent() const { return sent_; }
  // The chips to show for a form whose category is `category`: at most kMaxChips, each
  // scored at least kMinChipScore (the most likely one always), none when the category
  // already is the most likely one.
  std::vector<Suggestion> chips(const std::string& category) const;

 private:
  void send(const std::string& text, const std::optional<std::pair<double, double>>& at);

  Api& api_;
  std::function<void(std::function<void()>)> post_;
  std::string text_;  // as typed, trimmed
  std::string sent_;  // the text of the last request
  double due_at_ = 0;
  Async<std::vector<Suggestion>> answer_;
};

}  // namespace portal::client
