#include "server/service/notifications.hpp"

#include <sodium.h>

#include <algorithm>

#include "portal/core/phone_mask.hpp"
#include "server/service/ticket_service.hpp"

namespace portal::server {

using core::Error;
using core::Json;
using core::MessageKind;
using core::Result;

// [SECTION] Helpers

std::string phone_key(const std::string& phone) {
  std::string digits;
  for (char c : phone)
    if (c >= '0' && c <= '9') digits += c;
  // +86 138... and 138... are one phone.
  if (digits.size() == 13 && digits.rfind("86", 0) == 0) digits.erase(0, 2);
  return "p:" + sha256_hex("phone\n" + digits).substr(0, 32);
}

std::string mask_phone(const std::string& phone) {
  if (phone.size() < 7) return phone.empty() ? "" : "****";
  return phone.substr(0, 3) + "****" + phone.substr(phone.size() - 4);
}

std::string sign_body(const std::string& secret, const std::string& body) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[sizeof mac * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return hex;
}

bool signature_valid(const std::string& secret, const std::string& body,
                     const std::string& header) {
  if (secret.empty() || header.rfind("sha256=", 0) != 0) return false;
  std::string given = header.substr(7);
  for (auto& c : given) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string want = sign_body(secret, body);
  return given.size() == want.size() && sodium_memcmp(given.data(), want.data(), want.size()) == 0;
}

namespace {

std::string random_id() {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  char hex[sizeof b * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, b, sizeof b);
  return hex;
}

// The access code in a message's link (#c=CODE), or "".
std::string code_in(const std::string& link) {
  const auto at = link.find("#c=");
  if (at == std::string::npos) return {};
  const auto end = link.find('&', at);
  return link.substr(at + 3, end == std::string::npos ? std::string::npos : end - at - 3);
}

std::string without(std::string s, const std::string& secret) {
  if (secret.empty()) return s;
  for (auto at = s.find(secret); at != std::string::npos; at = s.find(secret, at))
    s.replace(at, secret.size(), std::string(secret.size(), '*'));
  return s;
}

}  // namespace

NotificationService::NotificationService(Store& store, std::shared_ptr<const OrgDirectory> org,
                                         Now now, NotifyConfig config)
    : store_(store), org_(std::move(org)), now_(std::move(now)), config_(std::move(config)) {}

// The access code of an anonymous submitter is kept only as a hash; for the links of
// later messages it is also kept sealed (XSalsa20-Poly1305) under a key that only the
// webhook's secret gives, which the database does not hold.
std::string NotificationService::seal(const std::string& code) const {
  unsigned char key[crypto_secretbox_KEYBYTES];
  const std::string k = sha256_hex("access code link\n" + config_.secret);
  sodium_hex2bin(key, sizeof key, k.data(), k.size(), nullptr, nullptr, nullptr);
  std::string box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + code.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(box.data());
  randombytes_buf(out, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(code.data()), code.size(), out, key);
  std::string hex(box.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), out, box.size());
  hex.pop_back();
  return hex;
}

std::optional<std::string> NotificationService::unseal(const std::string& sealed) const {
  if (sealed.size() < 2 * (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES))
    return std::nullopt;
  std::string box(sealed.size() / 2, '\0');
  auto* in = reinterpret_cast<unsigned char*>(box.data());
  if (sodium_hex2bin(in, box.size(), sealed.data(), sealed.size(), nullptr, nullptr, nullptr) != 0)
    return std::nullopt;
  unsigned char key[crypto_secretbox_KEYBYTES];
  const std::string k = sha256_hex("access code link\n" + config_.secret);
  sodium_hex2bin(key, sizeof key, k.data(), k.size(), nullptr, nullptr, nullptr);
  const std::size_t n = box.size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
  std::string code(n, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(code.data()),
                                 in + crypto_secretbox_NONCEBYTES,
                                 box.size() - crypto_secretbox_NONCEBYTES, in, key) != 0)
    return std::nullopt;  // another secret since: the link goes without the code
  return code;
}

// [SECTION] Which messages

std::optional<TicketNotify> NotificationService::settings_for_new(
    const std::string& lang, bool notify, const std::optional<std::string>& access_code) {
  if (!enabled()) return std::nullopt;
  TicketNotify n;
  n.lang = std::string(core::message_lang(lang));
  n.enabled = notify;
  if (access_code && notify) n.sealed_code = seal(*access_code);
  return n;
}

NotificationRecord NotificationService::message(MessageKind kind, const TicketRecord& t,
                                                const std::string& lang, const std::string& phone,
                                                std::optional<std::int64_t> user_id,
                                                const core::MessageFields& f) {
  const auto now = now_();
  NotificationRecord m;
  m.id = random_id();
  m.kind = std::string(core::to_string(kind));
  m.lang = std::string(core::message_lang(lang));
  m.phone = phone;
  m.user_id = user_id;
  m.ticket = t.number.empty() ? "{number}" : t.number;
  m.text = core::render_message(kind, m.lang, f);
  m.link = f.link;
  m.order_key = (user_id ? "u:" + std::to_string(*user_id) : phone_key(phone)) + "|" + m.ticket;
  m.created_at = m.next_at = now;
  m.give_up_at = now + config_.give_up;
  return m;
}

Result<std::vector<NotificationRecord>> NotificationService::to_submitter(
    MessageKind kind, const TicketRecord& t, const std::optional<std::string>& code,
    const TicketRecord* into) {
  std::vector<NotificationRecord> out;
  if (!enabled()) return out;
  std::optional<TicketNotify> settings = t.notify;
  if (!settings && t.id) {
    auto s = store_.ticket_notify(t.id);
    if (!s) return s.error();
    settings = *s;
  }
  if (settings && !settings->enabled) return out;
  const std::string phone = t.draft.contact.phone;
  if (phone.empty() && !t.submitter_id) return out;
  std::vector<std::string> keys;
  if (!phone.empty()) keys.push_back(phone_key(phone));
  if (t.submitter_id) {
    keys.push_back("u:" + std::to_string(*t.submitter_id));
    auto prefs = store_.notify_prefs(*t.submitter_id);
    if (!prefs) return prefs.error();
    if (!prefs->enabled) return out;
  }
  auto off = store_.opted_out(keys);
  if (!off) return off.error();
  if (*off) return out;

  std::string access;
  if (!t.submitter_id) {
    if (code)
      access = *code;
    else if (settings && !settings->sealed_code.empty())
      access = unseal(settings->sealed_code).value_or("");
  }
  const std::string number = t.number.empty() ? "{number}" : t.number;
  core::MessageFields f;
  f.number = number;
  if (kind == MessageKind::received) f.access_code = access;
  f.link = core::message_link(config_.public_url, kind, number, access);
  if (kind == MessageKind::resolved) f.reply = t.reply.value_or("");
  if (into) {
    // A merged duplicate: an account follows the other ticket now and reads it there; an
    // anonymous submitter reads the duplicate, which names it, with their code.
    f.target = into->number;
    if (t.submitter_id) f.link = core::message_link(config_.public_url, kind, into->number, "");
  }
  out.push_back(message(kind, t, settings ? settings->lang : "zh", phone, t.submitter_id, f));
  return out;
}

Result<std::vector<NotificationRecord>> NotificationService::to_followers(
    MessageKind kind, const TicketRecord& t, const TicketRecord* into) {
  std::vector<NotificationRecord> out;
  if (!enabled() || !t.id) return out;
  auto who = store_.followers_of(t.id);
  if (!who) return who.error();
  const std::string& shown = into ? into->number : t.number;
  for (const auto& r : *who) {
    auto prefs = store_.notify_prefs(r.user_id);
    if (!prefs) return prefs.error();
    if (!prefs->enabled) continue;
    std::vector<std::string> keys = {"u:" + std::to_string(r.user_id)};
    if (!r.phone.empty()) keys.push_back(phone_key(r.phone));
    auto off = store_.opted_out(keys);
    if (!off) return off.error();
    if (*off) continue;
    core::MessageFields f;
    f.number = t.number;
    // No access code and no rating: a follower reads the ticket with their account.
    f.link = core::message_link(config_.public_url, kind, shown, "");
    if (kind == MessageKind::followed_resolved) f.reply = t.reply.value_or("");
    if (into) f.target = into->number;
    out.push_back(message(kind, t, prefs->lang, r.phone, r.user_id, f));
  }
  return out;
}

Result<std::vector<NotificationRecord>> NotificationService::for_merge(const TicketRecord& merged,
                                                                       const TicketRecord& into) {
  std::vector<NotificationRecord> out;
  if (!enabled()) return out;
  auto submitter = to_submitter(MessageKind::merged, merged, std::nullopt, &into);
  if (!submitter) return submitter.error();
  auto followers = to_followers(MessageKind::merged, merged, &into);
  if (!followers) return followers.error();
  out = std::move(*submitter);
  out.insert(out.end(), followers->begin(), followers->end());
  return out;
}

Result<std::vector<NotificationRecord>> NotificationService::to_handlers(
    MessageKind kind, const TicketRecord& t, std::optional<core::TimePoint> due) {
  std::vector<NotificationRecord> out;
  if (!enabled()) return out;
  auto who = store_.handlers_of(t.assignee_kind, t.assignee_id);
  if (!who) return who.error();
  if (who->empty()) return out;
  auto category = store_.category(t.draft.category);
  if (!category) return category.error();
  const std::string number = t.number.empty() ? "{number}" : t.number;
  for (const auto& r : *who) {
    auto prefs = store_.notify_prefs(r.user_id);
    if (!prefs) return prefs.error();
    if (!prefs->enabled) continue;
    std::vector<std::string> keys = {"u:" + std::to_string(r.user_id)};
    if (!r.phone.empty()) keys.push_back(phone_key(r.phone));
    auto off = store_.opted_out(keys);
    if (!off) return off.error();
    if (*off) continue;
    core::MessageFields f;
    f.number = number;
    f.link = core::message_link(config_.public_url, kind, number, "");
    if (*category) f.category = prefs->lang == "en" ? (*category)->name_en : (*category)->name;
    f.summary = t.draft.description;
    f.due = due;
    out.push_back(message(kind, t, prefs->lang, r.phone, r.user_id, f));
  }
  return out;
}

Result<std::vector<NotificationRecord>> NotificationService::for_new_ticket(
    const TicketRecord& t, const std::optional<std::string>& access_code, bool tell_submitter) {
  std::vector<NotificationRecord> out;
  if (!enabled()) return out;
  auto citizen = tell_submitter ? to_submitter(MessageKind::received, t, access_code)
                                : Result<std::vector<NotificationRecord>>(out);
  if (!citizen) return citizen.error();
  auto handlers = to_handlers(MessageKind::assigned, t, t.response_due_at);
  if (!handlers) return handlers.error();
  out = std::move(*citizen);
  out.insert(out.end(), handlers->begin(), handlers->end());
  return out;
}

Result<std::vector<NotificationRecord>> NotificationService::for_change(const TicketRecord& before,
                                                                        const TicketRecord& after,
                                                                        core::Action action) {
  std::vector<NotificationRecord> out;
  if (!enabled()) return out;
  auto add = [&](Result<std::vector<NotificationRecord>> r) -> core::Outcome {
    if (!r) return r.error();
    out.insert(out.end(), r->begin(), r->end());
    return core::Unit{};
  };
  using core::Status;
  if (after.status == Status::resolved && before.status != Status::resolved) {
    if (auto ok = add(to_submitter(MessageKind::resolved, after, std::nullopt)); !ok)
      return ok.error();
    // Those who follow it hear of the reply too, without the rating only the submitter gives.
    if (auto ok = add(to_followers(MessageKind::followed_resolved, after)); !ok) return ok.error();
  }
  if (before.status == Status::resolved && core::is_open(after.status))
    if (auto ok = add(to_submitter(MessageKind::reopened, after, std::nullopt)); !ok)
      return ok.error();
  const bool new_holder =
      before.assignee_kind != after.assignee_kind || before.assignee_id != after.assignee_id;
  if (new_holder && core::is_open(after.status))
    if (auto ok = add(to_handlers(MessageKind::assigned, after, after.response_due_at)); !ok)
      return ok.error();
  if (action == core::Action::flag_overdue)
    if (auto ok = add(to_handlers(MessageKind::overdue, after, after.resolve_due_at)); !ok)
      return ok.error();
  return out;
}

Result<int> NotificationService::schedule(int batch) {
  if (!enabled()) return 0;
  const auto now = now_();
  std::vector<NotificationRecord> all;
  // Warnings before response limits: the urgent ones closer to their limit.
  const auto within = std::max(config_.warn_urgent, config_.warn_other);
  auto warn = store_.due_for_response_warning(now, within, batch);
  if (!warn) return warn.error();
  for (const auto& number : *warn) {
    auto t = store_.find_ticket(number);
    if (!t) return t.error();
    if (!*t) continue;
    auto category = store_.category((*t)->draft.category);
    if (!category) return category.error();
    const bool urgent = *category && (*category)->sla_class == core::SlaClass::urgent;
    if ((*t)->response_due_at - now > (urgent ? config_.warn_urgent : config_.warn_other)) continue;
    auto msgs = to_handlers(MessageKind::response_due_soon, **t, (*t)->response_due_at);
    if (!msgs) return msgs.error();
    const std::string key =
        "response_due_soon:" + number + ":" + std::to_string(core::to_unix((*t)->response_due_at));
    for (std::size_t i = 0; i < msgs->size(); ++i)
      (*msgs)[i].dedupe_key = i == 0 ? key : key + ":" + std::to_string(*(*msgs)[i].user_id);
    all.insert(all.end(), msgs->begin(), msgs->end());
  }
  // One reminder for a resolved ticket still unrated.
  auto remind = store_.due_for_rating_reminder(now - config_.remind_after, batch);
  if (!remind) return remind.error();
  for (const auto& number : *remind) {
    auto t = store_.find_ticket(number);
    if (!t) return t.error();
    if (!*t || !(*t)->resolved_at) continue;
    auto msgs = to_submitter(MessageKind::rating_reminder, **t, std::nullopt);
    if (!msgs) return msgs.error();
    for (auto& m : *msgs)
      m.dedupe_key =
          "rating_reminder:" + number + ":" + std::to_string(core::to_unix(*(*t)->resolved_at));
    all.insert(all.end(), msgs->begin(), msgs->end());
  }
  if (all.empty()) return 0;
  auto n = store_.enqueue_notifications(std::move(all));
  if (!n) return n.error();
  if (*n) written();
  return *n;
}

Result<std::string> NotificationService::reason_to_cancel(const NotificationRecord& m) {
  std::vector<std::string> keys;
  if (!m.phone.empty()) keys.push_back(phone_key(m.phone));
  if (m.user_id) {
    keys.push_back("u:" + std::to_string(*m.user_id));
    auto prefs = store_.notify_prefs(*m.user_id);
    if (!prefs) return prefs.error();
    if (!prefs->enabled) return std::string("opted_out");
  }
  auto off = store_.opted_out(keys);
  if (!off) return off.error();
  if (*off) return std::string("opted_out");
  const auto kind = core::parse_message_kind(m.kind);
  if (kind != MessageKind::response_due_soon && kind != MessageKind::overdue &&
      kind != MessageKind::rating_reminder)
    return std::string();
  auto t = store_.find_ticket(m.ticket);
  if (!t) return t.error();
  if (!*t) return std::string();
  const TicketRecord& x = **t;
  if (kind == MessageKind::response_due_soon && (x.responded_at || !core::is_open(x.status)))
    return std::string("no_longer_due");
  if (kind == MessageKind::overdue && !core::is_open(x.status))
    return std::string("no_longer_open");
  if (kind == MessageKind::rating_reminder &&
      (x.status != core::Status::resolved || x.rating_satisfaction))
    return std::string("no_longer_unrated");
  return std::string();
}

// [SECTION] Admin, inbound, settings

Json NotificationService::admin_view(const NotificationRecord& m) {
  // No phone and no access code in clear: the admin list is read by operators.
  const std::string code = code_in(m.link);
  Json to = Json::object();
  if (!m.phone.empty()) to["phone"] = mask_phone(m.phone);
  if (m.user_id) to["user_id"] = *m.user_id;
  Json j = {{"id", m.id},
            {"kind", m.kind},
            {"lang", m.lang},
            {"to", to},
            {"ticket", m.ticket},
            {"text", without(core::mask_phones_in_text(m.text), code)},
            {"link", without(m.link, code)},
            {"status", m.status},
            {"attempts", m.attempts},
            {"created_at", core::format_iso(m.created_at)},
            {"delivered_at", nullptr},
            {"next_attempt_at", nullptr},
            {"give_up_at", core::format_iso(m.give_up_at)},
            {"last_error", m.last_error}};
  if (m.delivered_at) j["delivered_at"] = core::format_iso(*m.delivered_at);
  if (m.status == "pending") j["next_attempt_at"] = core::format_iso(m.next_at);
  return j;
}

std::string NotificationService::payload(const NotificationRecord& m) {
  Json to = Json::object();
  if (!m.phone.empty()) to["phone"] = m.phone;
  if (m.user_id) to["user_id"] = *m.user_id;
  Json j = {{"id", m.id},         {"kind", m.kind}, {"lang", m.lang}, {"to", to},
            {"ticket", m.ticket}, {"text", m.text}, {"link", m.link}};
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<Json> NotificationService::list(const std::string& status, int page, int page_size) {
  if (!status.empty() && status != "pending" && status != "delivered" && status != "failed" &&
      status != "cancelled")
    return Error::invalid("status", "unknown_status",
                          "must be pending, delivered, failed or cancelled");
  auto p = store_.list_notifications(status, page, page_size);
  if (!p) return p.error();
  Json items = Json::array();
  for (const auto& m : p->items) items.push_back(admin_view(m));
  return Json{{"items", items}, {"total", p->total}, {"page", page}, {"page_size", page_size}};
}

Result<Json> NotificationService::retry(const std::string& id) {
  if (id.size() != 32 || id.find_first_not_of("0123456789abcdef") != std::string::npos)
    return Error::not_found("no such notification");
  const auto now = now_();
  auto m = store_.retry_notification(id, now, now + config_.give_up);
  if (!m) return m.error();
  if (!*m) return Error::not_found("no such notification");
  if ((*m)->status == "delivered")
    return Error::conflict("already_delivered", "the gateway has accepted this message");
  written();
  return admin_view(**m);
}

Result<Json> NotificationService::inbound(const std::string& body, const std::string& signature) {
  if (!enabled() || config_.secret.empty())
    return Error{"notifications_off", "this server sends no notifications", {}, 404};
  if (!signature_valid(config_.secret, body, signature))
    return Error{"bad_signature", "X-Portal-Signature does not match the body", {}, 401};
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Error::malformed("", "malformed_json", "body must be a JSON object");
  auto phone = j.find("phone");
  if (phone == j.end() || !phone->is_string() || phone->get<std::string>().empty())
    return Error::invalid("phone", "required", "is required");
  auto text = j.find("text");
  if (text == j.end() || !text->is_string())
    return Error::invalid("text", "required", "is required");
  std::string word;
  for (char c : text->get<std::string>())
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
      word += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  static const char* const kOut[] = {"TD", "T", "N", "STOP", "UNSUBSCRIBE", "退订", "取消"};
  static const char* const kIn[] = {"START", "SUBSCRIBE", "订阅"};
  std::string action = "none";
  const std::string key = phone_key(phone->get<std::string>());
  const auto now = now_();
  for (const char* w : kOut)
    if (word == w) action = "opted_out";
  for (const char* w : kIn)
    if (word == w) action = "opted_in";
  if (action != "none")
    if (auto ok = store_.set_opt_out(key, action == "opted_out", now, "sms"); !ok)
      return ok.error();
  return Json{{"action", action}};
}

Result<Json> NotificationService::prefs(std::int64_t user_id) {
  auto p = store_.notify_prefs(user_id);
  if (!p) return p.error();
  return Json{{"enabled", p->enabled}, {"lang", p->lang}};
}

Result<Json> NotificationService::set_prefs(std::int64_t user_id, const Json& body) {
  if (!body.is_object()) return Error::malformed("", "wrong_type", "body must be a JSON object");
  auto p = store_.notify_prefs(user_id);
  if (!p) return p.error();
  NotifyPrefs next = *p;
  if (auto e = body.find("enabled"); e != body.end()) {
    if (!e->is_boolean()) return Error::malformed("enabled", "wrong_type", "must be true or false");
    next.enabled = e->get<bool>();
  }
  if (auto l = body.find("lang"); l != body.end()) {
    if (!l->is_string() || (*l != "zh" && *l != "en"))
      return Error::invalid("lang", "unknown_lang", "must be zh or en");
    next.lang = l->get<std::string>();
  }
  if (auto ok = store_.set_notify_prefs(user_id, next); !ok) return ok.error();
  return Json{{"enabled", next.enabled}, {"lang", next.lang}};
}

}  // namespace portal::server
