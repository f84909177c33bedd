// Reports waiting on this device for the network (the outbox of web/portal-store.js),
// as the app reads them: each with its Idempotency-Key, its state and, once the server
// answered, its receipt or its error. The store sends; the app shows the queue, shows a
// receipt once a report is sent, and never calls a queued report submitted.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/drafts.hpp"
#include "portal/core/json.hpp"
#include "portal/core/result.hpp"
#include "portal/core/ticket.hpp"

namespace portal::client {

enum class OutboxState { waiting, sending, sent, failed };

struct OutboxItem {
  std::string key;
  OutboxState state = OutboxState::waiting;
  std::string label;     // what the citizen wrote, shortened, for the list
  std::string category;  // its code
  int attempts = 0;      // failed tries so far (the network, or the server busy)
  double created = 0;    // ms since the epoch
  core::Error error;     // failed: the server's refusal
  std::optional<core::TicketReceipt> receipt;  // sent
  FormDraft draft;                             // the form as it was, to edit a refused report
  std::string after;  // what the app does once it is sent: "resolve_on_spot" (patrol)
};

// A report to queue: the ticket's JSON without its attachments (the store adds the ids
// of `photos` as it uploads them), the form it came from, the caller's token ("" for an
// anonymous citizen), and a label for the list.
std::string outbox_item_json(const std::string& key, const core::Json& body, const FormDraft& draft,
                             const std::string& token, const std::string& label,
                             const std::string& after);

// The queue as the store reports it (a JSON array); items it cannot read are left out.
std::vector<OutboxItem> parse_outbox(std::string_view json);

// The first characters of a description, for a row: at most `chars` characters, with
// an ellipsis when cut.
std::string outbox_label(std::string_view description, std::size_t chars = 24);

}  // namespace portal::client
