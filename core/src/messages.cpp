#include "portal/core/messages.hpp"

#include <array>
#include <cstdio>

#include "portal/core/phone_mask.hpp"
#include "portal/core/utf8.hpp"

namespace portal::core {

namespace {

// [SECTION] The catalogue
// {number}, {code}, {link}, {reply}, {category}, {summary} and {due} are filled in;
// a part in [[...]] is left out when a field it names is empty. {reply} and {summary}
// are cut to make the message fit.
struct Template {
  MessageKind kind;
  const char* zh;
  const char* en;
};
constexpr std::array<Template, 9> kCatalogue = {{
    {MessageKind::received,
     "【任诚办】您反映的问题已受理，编号{number}[[，查询码{code}]]。查看进度：{link}",
     "Rencheng Portal: your report is received, no. {number}[[, access code {code}]]. "
     "Track it: {link}"},
    {MessageKind::resolved, "【任诚办】您的诉求{number}已办结：{reply}。解决了吗？请评价：{link}",
     "Rencheng Portal: your report {number} is resolved: {reply}. Is it fixed? Rate it: {link}"},
    {MessageKind::reopened,
     "【任诚办】您的诉求{number}已重新办理，我们会尽快处理。查看进度：{link}",
     "Rencheng Portal: your report {number} is being handled again. Track it: {link}"},
    {MessageKind::rating_reminder,
     "【任诚办】您的诉求{number}已办结3天，问题解决了吗？请花10秒评价：{link}",
     "Rencheng Portal: your report {number} was resolved 3 days ago. Is it fixed? Rate it: "
     "{link}"},
    {MessageKind::assigned,
     "【任诚办】新工单{number}[[（{category}）]]：{summary}[[。请于{due}前响应]]：{link}",
     "Rencheng Portal: new ticket {number}[[ ({category})]]: {summary}[[. Respond by {due}]]: "
     "{link}"},
    {MessageKind::response_due_soon,
     "【任诚办】工单{number}将于{due}超过响应时限，请尽快受理：{link}",
     "Rencheng Portal: ticket {number} reaches its response limit at {due}. Please accept it: "
     "{link}"},
    {MessageKind::overdue, "【任诚办】工单{number}已超过办理时限[[（{due}）]]，请尽快办结：{link}",
     "Rencheng Portal: ticket {number} is past its resolve limit[[ ({due})]]. Please resolve it: "
     "{link}"},
    // A follower did not submit the ticket and cannot rate it: the link only opens it.
    {MessageKind::followed_resolved,
     "【任诚办】您关注的诉求{number}已办结：{reply}。查看详情：{link}",
     "Rencheng Portal: the report {number} you follow is resolved: {reply}. See it: {link}"},
    {MessageKind::merged,
     "【任诚办】您反映的问题{number}与{target}为同一问题，已合并办理。查看进度：{link}",
     "Rencheng Portal: your report {number} is the same problem as {target} and is now "
     "handled together with it. Track it: {link}"},
}};

constexpr std::array<std::pair<MessageKind, std::string_view>, 9> kNames = {{
    {MessageKind::received, "received"},
    {MessageKind::resolved, "resolved"},
    {MessageKind::reopened, "reopened"},
    {MessageKind::rating_reminder, "rating_reminder"},
    {MessageKind::assigned, "assigned"},
    {MessageKind::response_due_soon, "response_due_soon"},
    {MessageKind::overdue, "overdue"},
    {MessageKind::followed_resolved, "followed_resolved"},
    {MessageKind::merged, "merged"},
}};

// A new ticket's messages are written before it has its number: "{number}" stands for
// it and is measured as long as a number is (RC and 16 digits).
constexpr std::string_view kNumberToken = "{number}";
constexpr std::size_t kNumberChars = 18;

std::size_t chars(std::string_view s) {
  std::size_t n = utf8_length(s).value_or(s.size());
  for (auto at = s.find(kNumberToken); at != std::string_view::npos;
       at = s.find(kNumberToken, at + kNumberToken.size()))
    n += kNumberChars - kNumberToken.size();
  return n;
}

std::string format_due(TimePoint t, std::string_view lang) {
  constexpr int kOffset = 8 * 3600;  // Asia/Shanghai
  const auto day = civil_date(t, kOffset);
  const std::int64_t secs = ((to_unix(t) + kOffset) % 86400 + 86400) % 86400;
  char out[48];
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (lang == "en")
    std::snprintf(out, sizeof out, "%d %s %02d:%02d", day.day, kMonths[(day.month + 11) % 12],
                  static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60));
  else
    std::snprintf(out, sizeof out, "%d月%d日%02d:%02d", day.month, day.day,
                  static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60));
  return out;
}

// One line of free text: runs of white space (line breaks too) become one space.
std::string one_line(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Without the closing punctuation of its last sentence: the template has its own.
std::string without_final_stop(std::string s) {
  static const std::string_view kStops[] = {".",  "!",  "?",  ";",  ",",  ":", "。",
                                            "！", "？", "；", "，", "：", "…", "、"};
  for (bool again = true; again;) {
    again = false;
    for (auto stop : kStops)
      if (s.size() >= stop.size() && s.compare(s.size() - stop.size(), stop.size(), stop) == 0) {
        s.resize(s.size() - stop.size());
        while (!s.empty() && s.back() == ' ') s.pop_back();
        again = true;
      }
  }
  return s;
}

// Fills the template: optional parts first, then the fields; `cut` is the text that
// fills {reply} or {summary}.
std::string fill(std::string_view tpl, const MessageFields& f, std::string_view lang,
                 std::string_view cut) {
  auto value = [&](std::string_view name) -> std::string {
    if (name == "number") return f.number;
    if (name == "code") return f.access_code;
    if (name == "link") return f.link;
    if (name == "reply" || name == "summary") return std::string(cut);
    if (name == "category") return f.category;
    if (name == "target") return f.target;
    if (name == "due") return f.due ? format_due(*f.due, lang) : std::string();
    return {};
  };
  std::string out;
  std::size_t i = 0;
  while (i < tpl.size()) {
    if (tpl.compare(i, 2, "[[") == 0) {
      const auto end = tpl.find("]]", i);
      const std::string_view part = tpl.substr(i + 2, end - i - 2);
      // Left out when any field it names is empty.
      bool whole = true;
      for (auto at = part.find('{'); at != std::string_view::npos; at = part.find('{', at + 1))
        if (value(part.substr(at + 1, part.find('}', at) - at - 1)).empty()) whole = false;
      if (whole) out += fill(part, f, lang, cut);
      i = end + 2;
    } else if (tpl[i] == '{') {
      const auto end = tpl.find('}', i);
      out += value(tpl.substr(i + 1, end - i - 1));
      i = end + 1;
    } else {
      out += tpl[i++];
    }
  }
  return out;
}

}  // namespace

std::string_view to_string(MessageKind k) {
  for (const auto& [kind, name] : kNames)
    if (kind == k) return name;
  return "received";
}

std::optional<MessageKind> parse_message_kind(std::string_view s) {
  for (const auto& [kind, name] : kNames)
    if (name == s) return kind;
  return std::nullopt;
}

bool to_citizen(MessageKind k) {
  return k == MessageKind::received || k == MessageKind::resolved || k == MessageKind::reopened ||
         k == MessageKind::rating_reminder || k == MessageKind::followed_resolved ||
         k == MessageKind::merged;
}

std::string_view message_lang(std::string_view lang) {
  return lang == "en" ? "en" : "zh";
}

// Two parts of a long SMS: 2 × 70 characters in Chinese (UCS-2, as SPEC §12 asks); in
// English 2 × 153 (GSM 7-bit less the part headers), its words being longer.
std::size_t message_max_chars(std::string_view lang) {
  return lang == "en" ? 306 : 140;
}

std::string render_message(MessageKind kind, std::string_view lang, const MessageFields& f) {
  lang = message_lang(lang);
  const Template* t = &kCatalogue[0];
  for (const auto& c : kCatalogue)
    if (c.kind == kind) t = &c;
  const std::string_view tpl = lang == "en" ? t->en : t->zh;
  const std::string& source =
      kind == MessageKind::resolved || kind == MessageKind::followed_resolved ? f.reply
      : kind == MessageKind::assigned                                         ? f.summary
                                                                              : std::string();
  const std::string free = without_final_stop(one_line(mask_phones_in_text(source)));
  std::string text = fill(tpl, f, lang, free);
  const std::size_t max = message_max_chars(lang);
  if (chars(text) <= max || free.empty()) return text;
  // The room the free text has: the whole minus the rest of the message, minus "…".
  const std::size_t rest = chars(fill(tpl, f, lang, ""));
  const std::size_t room = max > rest + 1 ? max - rest - 1 : 0;
  std::string cut(utf8_cut(free, room));
  while (!cut.empty() && (cut.back() == ' ' || cut.back() == ',')) cut.pop_back();
  return fill(tpl, f, lang, room ? cut + "…" : std::string("…"));
}

std::string message_link(std::string_view public_url, MessageKind kind, std::string_view number,
                         std::string_view access_code) {
  std::string link(public_url);
  while (!link.empty() && link.back() == '/') link.pop_back();
  if (!to_citizen(kind)) return link + "/work/t/" + std::string(number);
  link += "/t/" + std::string(number);
  const bool rate = kind == MessageKind::resolved || kind == MessageKind::rating_reminder;
  if (!access_code.empty())
    link += "#c=" + std::string(access_code) + (rate ? "&rate" : "");
  else if (rate)
    link += "#rate";
  return link;
}

}  // namespace portal::core
