#include "app/outbox.hpp"

#include "app/utf8.hpp"

namespace portal::client {

std::string outbox_item_json(const std::string& key, const core::Json& body, const FormDraft& draft,
                             const std::string& token, const std::string& label,
                             const std::string& after) {
  core::Json photos = core::Json::array();
  for (const auto& p : draft.photos) photos.push_back({{"uid", p.uid}, {"id", p.id}});
  core::Json stripped = body;
  stripped.erase("attachments");
  const core::Json j = {{"key", key},
                        {"body", stripped},
                        {"photos", photos},
                        {"token", token},
                        {"label", label},
                        {"after", after},
                        {"draft", draft_to_json(draft)}};
  return j.dump(-1, ' ', false, core::Json::error_handler_t::replace);
}

namespace {
std::string str(const core::Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
}  // namespace

std::vector<OutboxItem> parse_outbox(std::string_view json) {
  std::vector<OutboxItem> out;
  auto parsed = core::parse_json(json);
  if (!parsed.ok() || !parsed->is_array()) return out;
  for (const auto& j : *parsed) {
    if (!j.is_object()) continue;
    OutboxItem item;
    item.key = str(j, "key");
    if (item.key.empty()) continue;
    const std::string state = str(j, "state");
    item.state = state == "sent"      ? OutboxState::sent
                 : state == "failed"  ? OutboxState::failed
                 : state == "sending" ? OutboxState::sending
                                      : OutboxState::waiting;
    item.label = str(j, "label");
    item.after = str(j, "after");
    if (auto it = j.find("attempts"); it != j.end() && it->is_number()) item.attempts = *it;
    if (auto it = j.find("created"); it != j.end() && it->is_number()) item.created = *it;
    if (auto it = j.find("body"); it != j.end() && it->is_object())
      item.category = str(*it, "category");
    if (auto d = draft_from_json(str(j, "draft"))) item.draft = std::move(*d);
    if (auto it = j.find("error"); it != j.end() && it->is_object()) {
      item.error.code = str(*it, "code");
      item.error.field = str(*it, "field");
      item.error.message = str(*it, "message");
      if (auto s = it->find("status"); s != it->end() && s->is_number_integer())
        item.error.status = *s;
    }
    if (auto it = j.find("receipt"); it != j.end() && it->is_object()) {
      core::TicketReceipt r;
      from_json(*it, r);  // reads only members of the right type
      if (!r.number.empty()) item.receipt = std::move(r);
    }
    if (item.state == OutboxState::sent && !item.receipt) continue;
    out.push_back(std::move(item));
  }
  return out;
}

std::string outbox_label(std::string_view description, std::size_t chars) {
  std::string out;
  std::size_t n = 0;
  for (int i = 0, size = static_cast<int>(description.size()); i < size;) {
    const int end = next_cluster(description, i);
    if (n == chars) return out + "…";
    const std::string_view c = description.substr(i, end - i);
    out += c == "\n" || c == "\r" || c == "\t" || c == "\r\n" ? std::string_view(" ") : c;
    i = end;
    ++n;
  }
  return out;
}

}  // namespace portal::client
