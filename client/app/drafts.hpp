// What this device keeps of the forms so that a reload, a closed tab or a phone that
// drops the page loses nothing: the report form and the handlers' action forms as
// typed (drafts), and reports waiting for the network (the outbox, app/outbox.hpp).
// Behind one interface, answering through callbacks as the browser's IndexedDB does
// (client/platform/web_store.*); natively, drafts in the key/value storage and no
// outbox (reports are then sent directly).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/services.hpp"

namespace portal::client {

// A photo of a form: its uid on this device (its bytes kept there) and, once uploaded,
// its attachment id.
struct DraftPhoto {
  std::string uid, id;
  int width = 0, height = 0;
};

struct FormDraft {
  std::string category, description, address, name, phone;
  std::string lat, lng;           // as typed or placed ("" when none)
  bool location_unknown = false;  // the submitter said they do not know where exactly
  bool anonymous = false;
  bool notify = true;  // text the submitter about its progress
  std::vector<DraftPhoto> photos;
  // The submission under way: a resend after a reload is the same one (exactly once).
  std::string idempotency_key;

  bool empty() const {
    return category.empty() && description.empty() && address.empty() && name.empty() &&
           phone.empty() && lat.empty() && lng.empty() && !location_unknown && !anonymous &&
           notify && photos.empty();
  }
};

std::string draft_to_json(const FormDraft& draft);
// Nothing for text that is not a draft (another version's, or damaged).
std::optional<FormDraft> draft_from_json(std::string_view text);

// A handler's action form on a ticket, as typed.
struct ActionDraft {
  std::string note, into;
  std::vector<std::string> picks;
  int resolved = -1, satisfaction = 0;

  bool empty() const {
    return note.empty() && into.empty() && picks.empty() && resolved < 0 && satisfaction == 0;
  }
};
std::string action_draft_to_json(const ActionDraft& draft);
std::optional<ActionDraft> action_draft_from_json(std::string_view text);
// The name a ticket's action form is kept under.
std::string action_draft_name(std::string_view number, std::string_view action);

inline constexpr std::string_view kReportDraft = "report";
// Drafts untouched this long are offered for deletion.
inline constexpr int kOldDraftDays = 30;

class DeviceStore {
 public:
  virtual ~DeviceStore() = default;
  // A named draft: done(json, age in days); json "" when there is none.
  virtual void load(std::string_view name, std::function<void(std::string, double)> done) = 0;
  // Keeps a draft (its photos' uids keep their bytes); an empty json deletes it.
  virtual void save(std::string_view name, std::string_view json,
                    const std::vector<std::string>& photo_uids) = 0;
  // The drafts untouched for kOldDraftDays: done(count, bytes with their photos).
  virtual void old(std::function<void(int, double)> done) { done(0, 0); }
  // Deletes them, or with keep marks them as touched now.
  virtual void drop_old(bool /*keep*/) {}

  // The outbox, where the platform has one.
  virtual bool has_outbox() const { return false; }
  // Queues a report (app/outbox.hpp, outbox_item_json) and sends it when the network is
  // there; done(kept, sending) once it is kept (kept false: the outbox is full; sending
  // false: no network now, it waits). The queue comes back through App::on_outbox
  // whenever it changes, in this tab or another.
  virtual void outbox_add(std::string_view /*item_json*/, std::function<void(bool, bool)> done) {
    done(false, false);
  }
  // Forgets a report: sent and shown, failed and edited, or cancelled.
  virtual void outbox_drop(std::string_view /*key*/) {}
  // Tries the waiting reports now (the network came back).
  virtual void outbox_send() {}
};

// Drafts in the platform's key/value storage (localStorage); no outbox.
class LocalDeviceStore final : public DeviceStore {
 public:
  explicit LocalDeviceStore(Services& services) : services_(services) {}
  void load(std::string_view name, std::function<void(std::string, double)> done) override;
  void save(std::string_view name, std::string_view json,
            const std::vector<std::string>& photo_uids) override;

 private:
  Services& services_;
};

}  // namespace portal::client
