// The category suggestion (POST /api/v1/suggest): the three most likely categories for
// a description, from the model `portal-server train` stored in the database. The model
// is held as one immutable object that requests share; a newer one stored by a training
// run is noticed by a light poll of its version and swapped in, without a restart.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "portal/core/classifier.hpp"
#include "portal/core/result.hpp"
#include "server/store/store.hpp"

namespace portal::server {

struct Suggestion {
  std::string code, name;
  double score = 0;
};
struct SuggestAnswer {
  std::vector<Suggestion> categories;  // best first, at most 3; empty without a model
  std::optional<std::string> unit_id;  // the top category's default unit when it is likely
};

// A top category at least this likely names its unit too.
inline constexpr double kSuggestUnitScore = 0.5;

// [SECTION] Training and evaluation (portal-server train)

// How a model fares on labelled texts: top-1 and top-3 accuracy, and the pairs of
// categories it confuses most (a true category, what was predicted, how often).
struct Confusion {
  std::string truth, predicted;
  std::int64_t count = 0;
};
struct Evaluation {
  std::int64_t examples = 0, top1 = 0, top3 = 0;
  std::vector<Confusion> confused;  // most frequent first
  double top1_rate() const { return examples ? static_cast<double>(top1) / examples : 0; }
  double top3_rate() const { return examples ? static_cast<double>(top3) / examples : 0; }
};
Evaluation evaluate(const core::textclass::Model& model,
                    const std::vector<core::textclass::Example>& examples,
                    std::size_t confused_pairs = 10);

// Labelled texts from TSV: `category<TAB>description` per line; blank lines and lines
// starting with # are skipped. Errors name the line.
core::Result<std::vector<core::textclass::Example>> parse_labelled_tsv(std::string_view text);

class SuggestService {
 public:
  explicit SuggestService(Store& store);
  ~SuggestService();
  SuggestService(const SuggestService&) = delete;
  SuggestService& operator=(const SuggestService&) = delete;

  // `description` is checked as a ticket's would be (required, at most 4000 characters,
  // UTF-8 without control characters); errors name the field "description".
  core::Result<SuggestAnswer> suggest(const std::string& description) const;

  // Loads the newest stored model when its version differs from the one held. A model
  // that does not load is logged by the caller and the one held stays.
  core::Outcome refresh();
  // Calls refresh every `interval` from a thread of its own, until destruction.
  void start_polling(std::chrono::milliseconds interval,
                     std::function<void(const std::string&)> log = {});
  // The version of the model answering (0: none yet).
  std::int64_t version() const;

 private:
  struct Loaded {
    std::int64_t version = 0;
    core::textclass::Model model;
    std::unordered_map<std::string, core::Category> categories;  // by code
  };
  std::shared_ptr<const Loaded> current() const;

  Store& store_;
  mutable std::mutex mu_;  // guards current_ (the pointer, not what it points to)
  std::shared_ptr<const Loaded> current_;
  std::mutex refresh_mu_;            // one refresh at a time
  std::int64_t failed_version_ = 0;  // a version that did not load is not tried again

  std::thread poller_;
  std::mutex poll_mu_;
  std::condition_variable poll_cv_;
  bool stopping_ = false;
};

}  // namespace portal::server
