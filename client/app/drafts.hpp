// The report form as typed so far, kept in this browser so that a reload, a closed tab
// or a phone that drops the page loses nothing of it. Behind one small interface, so
// that the place it is kept can change (IndexedDB) without the form noticing: loading
// answers through a callback, as an asynchronous store would.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "app/services.hpp"

namespace portal::client {

struct FormDraft {
  std::string category, description, address, name, phone;
  std::string lat, lng;           // as typed or placed ("" when none)
  bool location_unknown = false;  // the submitter said they do not know where exactly
  bool anonymous = false;
  // The submission under way: a resend after a reload is the same one (exactly once).
  std::string idempotency_key;

  bool empty() const {
    return category.empty() && description.empty() && address.empty() && name.empty() &&
           phone.empty() && lat.empty() && lng.empty() && !location_unknown && !anonymous;
  }
};

std::string draft_to_json(const FormDraft& draft);
// Nothing for text that is not a draft (another version's, or damaged).
std::optional<FormDraft> draft_from_json(std::string_view text);

class DraftStore {
 public:
  virtual ~DraftStore() = default;
  virtual void load(std::function<void(std::optional<FormDraft>)> done) = 0;
  virtual void save(const FormDraft& draft) = 0;
  virtual void clear() = 0;
};

// In localStorage, through the platform's Services.
class LocalDraftStore final : public DraftStore {
 public:
  static constexpr std::string_view kKey = "portal.draft";
  explicit LocalDraftStore(Services& services) : services_(services) {}
  void load(std::function<void(std::optional<FormDraft>)> done) override;
  void save(const FormDraft& draft) override;
  void clear() override;

 private:
  Services& services_;
};

}  // namespace portal::client
