#include "server/service/suggest_service.hpp"

#include <algorithm>
#include <map>

#include "portal/core/utf8.hpp"
#include "portal/core/validation.hpp"

namespace portal::server {

Evaluation evaluate(const core::textclass::Model& model,
                    const std::vector<core::textclass::Example>& examples,
                    std::size_t confused_pairs) {
  Evaluation e;
  std::map<std::pair<std::string, std::string>, std::int64_t> pairs;
  for (const auto& x : examples) {
    auto p = model.predict(x.text, 3);
    ++e.examples;
    if (p.empty()) continue;
    if (p[0].label == x.label)
      ++e.top1;
    else
      ++pairs[{x.label, p[0].label}];
    for (const auto& q : p)
      if (q.label == x.label) {
        ++e.top3;
        break;
      }
  }
  for (const auto& [k, n] : pairs) e.confused.push_back({k.first, k.second, n});
  std::stable_sort(e.confused.begin(), e.confused.end(),
                   [](const Confusion& a, const Confusion& b) { return a.count > b.count; });
  if (e.confused.size() > confused_pairs) e.confused.resize(confused_pairs);
  return e;
}

core::Result<std::vector<core::textclass::Example>> parse_labelled_tsv(std::string_view text) {
  std::vector<core::textclass::Example> out;
  int line_no = 0;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos || line.front() == '#') continue;
    const auto tab = line.find('\t');
    const auto where = "line " + std::to_string(line_no);
    if (tab == std::string_view::npos || tab == 0 || tab + 1 >= line.size())
      return core::Error::malformed(where, "bad_line",
                                    where + ": expected category<TAB>description");
    if (!core::is_valid_utf8(line))
      return core::Error::malformed(where, "invalid_utf8", where + ": not UTF-8");
    out.push_back({std::string(line.substr(0, tab)), std::string(line.substr(tab + 1))});
  }
  return out;
}

SuggestService::SuggestService(Store& store) : store_(store) {}

SuggestService::~SuggestService() {
  {
    std::lock_guard lock(poll_mu_);
    stopping_ = true;
  }
  poll_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
}

std::shared_ptr<const SuggestService::Loaded> SuggestService::current() const {
  std::lock_guard lock(mu_);
  return current_;
}

std::int64_t SuggestService::version() const {
  auto c = current();
  return c ? c->version : 0;
}

core::Result<SuggestAnswer> SuggestService::suggest(const std::string& description) const {
  // The checks of a ticket's description, but any length from one character: the
  // citizen is still typing.
  const auto len = core::utf8_length(description);
  if (!len) return core::Error::invalid("description", "invalid_utf8", "must be valid UTF-8 text");
  if (core::has_control_chars(description))
    return core::Error::invalid("description", "control_characters",
                                "must not hold control characters");
  if (description.find_first_not_of(" \t\r\n") == std::string::npos)
    return core::Error::invalid("description", "required", "is required");
  if (*len > core::limits::kDescriptionMaxChars)
    return core::Error::invalid(
        "description", "too_long",
        "must have at most " + std::to_string(core::limits::kDescriptionMaxChars) + " characters");
  SuggestAnswer out;
  auto c = current();
  if (!c) return out;
  // All labels ranked, so that categories no longer offered are skipped, not counted.
  for (auto& p : c->model.predict(description, c->model.labels().size())) {
    auto it = c->categories.find(p.label);
    if (it == c->categories.end()) continue;
    out.categories.push_back({it->first, it->second.name, p.score});
    if (out.categories.size() == 3) break;
  }
  if (!out.categories.empty() && out.categories.front().score >= kSuggestUnitScore) {
    const auto& unit = c->categories.at(out.categories.front().code).default_unit_id;
    if (!unit.empty()) out.unit_id = unit;
  }
  return out;
}

core::Outcome SuggestService::refresh() {
  std::lock_guard one(refresh_mu_);
  auto v = store_.suggest_model_version();
  if (!v) return v.error();
  if (*v == 0 || *v == version() || *v == failed_version_) return core::Unit{};
  auto row = store_.latest_suggest_model();
  if (!row) return row.error();
  if (!*row) return core::Unit{};
  auto model = core::textclass::Model::deserialize((*row)->model);
  if (!model) {
    failed_version_ = (*row)->version;
    return core::Error{model.error().code,
                       "model " + std::to_string((*row)->version) + ": " + model.error().message,
                       {},
                       500};
  }
  auto cats = store_.categories();
  if (!cats) return cats.error();
  auto loaded = std::make_shared<Loaded>();
  loaded->version = (*row)->version;
  loaded->model = std::move(*model);
  for (auto& c : *cats) loaded->categories.emplace(c.code, std::move(c));
  std::lock_guard lock(mu_);
  current_ = std::move(loaded);
  return core::Unit{};
}

void SuggestService::start_polling(std::chrono::milliseconds interval,
                                   std::function<void(const std::string&)> log) {
  if (poller_.joinable()) return;
  poller_ = std::thread([this, interval, log = std::move(log)] {
    std::unique_lock lock(poll_mu_);
    while (!stopping_) {
      lock.unlock();
      const auto before = version();
      auto ok = refresh();
      if (!ok && log) log("suggest: " + ok.error().message);
      if (ok && log && version() != before)
        log("suggest: model " + std::to_string(version()) + " loaded");
      lock.lock();
      poll_cv_.wait_for(lock, interval, [this] { return stopping_; });
    }
  });
}

}  // namespace portal::server
