#include "portal/core/json.hpp"

#include <charconv>
#include <cmath>
#include <vector>

#include "portal/core/audit.hpp"
#include "portal/core/utf8.hpp"

namespace portal::core {

// [SECTION] Parsing

namespace {

// Deepest nesting of arrays/objects, found by a scan that skips string contents,
// so that hostile input is refused before the parser builds anything.
int nesting_depth(std::string_view text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

std::string join(std::string_view prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : std::string(prefix) + "." + std::string(key);
}

// Reads an optional string member; a present non-string is an error naming the field.
bool read_string(const Json& obj, std::string_view key, std::string_view prefix, std::string& out,
                 std::optional<Error>& err) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return false;
  if (!it->is_string()) {
    err = Error::malformed(join(prefix, key), "wrong_type", "must be a string");
    return false;
  }
  out = it->get<std::string>();
  return true;
}

bool read_number(const Json& obj, std::string_view key, std::string_view prefix, double& out,
                 std::optional<Error>& err) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    err = Error::invalid(join(prefix, key), "required", "is required");
    return false;
  }
  if (!it->is_number()) {
    err = Error::malformed(join(prefix, key), "wrong_type", "must be a number");
    return false;
  }
  out = it->get<double>();
  return true;
}

// Walks a body with the SAX parser to learn where it stops: the dotted path of the
// value being read (object keys, array indices) when the lexer meets a string that is
// not UTF-8 (bad bytes, or a \u escape of a lone surrogate).
class Utf8ErrorPath : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override { return open(false); }
  bool key(string_t& k) override {
    frames_.back().key = k;
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(true); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    const std::string_view what = e.what();
    utf8_ = what.find("UTF-8") != std::string_view::npos ||
            what.find("surrogate") != std::string_view::npos;
    for (const auto& f : frames_) {
      const std::string part = f.array ? std::to_string(f.index) : f.key;
      if (part.empty()) break;  // inside a key: the path is its object's
      path_ = join(path_, part);
    }
    return false;
  }

  bool utf8_error() const { return utf8_; }
  const std::string& path() const { return path_; }

 private:
  struct Frame {
    bool array;
    std::string key;  // the member being read; empty between members
    std::size_t index = 0;
  };
  bool value() {
    if (!frames_.empty()) {
      if (frames_.back().array)
        ++frames_.back().index;
      else
        frames_.back().key.clear();
    }
    return true;
  }
  bool open(bool array) {
    frames_.push_back({array, {}, 0});
    return true;
  }
  bool close() {
    frames_.pop_back();
    return value();
  }
  std::vector<Frame> frames_;
  std::string path_;
  bool utf8_ = false;
};

}  // namespace

Result<Json> parse_json(std::string_view text, int max_depth) {
  if (nesting_depth(text, max_depth) > max_depth)
    return Error::malformed("", "too_deep",
                            "JSON nesting deeper than " + std::to_string(max_depth));
  Json j = Json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) {
    // Text that is not UTF-8 is a bad value of a field, as the validators would say.
    Utf8ErrorPath where;
    Json::sax_parse(text.begin(), text.end(), &where);
    if (where.utf8_error())
      return Error::invalid(where.path(), "invalid_utf8", "must be valid UTF-8 text");
    return Error::malformed("", "malformed_json", "body is not valid JSON");
  }
  return j;
}

Result<TicketDraft> parse_ticket_draft(const Json& body) {
  if (!body.is_object()) return Error::malformed("", "wrong_type", "body must be a JSON object");
  TicketDraft d;
  std::optional<Error> err;
  read_string(body, "category", "", d.category, err);
  if (!err) read_string(body, "description", "", d.description, err);
  if (err) return *err;

  auto loc = body.find("location");
  if (loc == body.end() || loc->is_null())
    return Error::invalid("location", "required", "is required");
  if (!loc->is_object()) return Error::malformed("location", "wrong_type", "must be an object");
  // Without lat and lng the submitter says they do not know where exactly: the address
  // (if any) is all there is, and the ticket goes to the district hotline centre.
  auto given = [&](const char* key) {
    auto it = loc->find(key);
    return it != loc->end() && !it->is_null();
  };
  const bool has_lat = given("lat"), has_lng = given("lng");
  for (const char* key : {"lat", "lng"})
    if (given(key) && !(*loc)[key].is_number())
      return Error::malformed(std::string("location.") + key, "wrong_type", "must be a number");
  if (!has_lat && !has_lng) {
    d.location = Location::unknown();
  } else if (has_lat != has_lng) {
    const char* missing = has_lat ? "location.lng" : "location.lat";
    return Error::invalid(missing, "required",
                          "lat and lng go together: give both, or neither when the place is not "
                          "known");
  } else {
    if (!read_number(*loc, "lat", "location", d.location.lat, err)) return *err;
    if (!read_number(*loc, "lng", "location", d.location.lng, err)) return *err;
  }
  read_string(*loc, "address", "location", d.location.address, err);
  if (err) return *err;

  std::string grid;
  if (read_string(body, "grid_id", "", grid, err)) d.grid_id = grid;
  if (err) return *err;

  auto contact = body.find("contact");
  if (contact == body.end() || contact->is_null())
    return Error::invalid("contact", "required", "is required");
  if (!contact->is_object()) return Error::malformed("contact", "wrong_type", "must be an object");
  read_string(*contact, "name", "contact", d.contact.name, err);
  if (!err) read_string(*contact, "phone", "contact", d.contact.phone, err);
  if (err) return *err;

  if (auto it = body.find("anonymous"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean())
      return Error::malformed("anonymous", "wrong_type", "must be true or false");
    d.anonymous = it->get<bool>();
  }
  std::string channel;
  if (read_string(body, "channel", "", channel, err)) {
    auto c = parse_channel(channel);
    if (!c)
      return Error::invalid("channel", "unknown_channel", "must be web, embed, hotline or patrol");
    d.channel = *c;
  }
  if (err) return *err;

  if (auto it = body.find("attachments"); it != body.end() && !it->is_null()) {
    if (!it->is_array()) return Error::malformed("attachments", "wrong_type", "must be an array");
    for (std::size_t i = 0; i < it->size(); ++i) {
      const auto& a = (*it)[i];
      if (!a.is_string())
        return Error::malformed("attachments." + std::to_string(i), "wrong_type",
                                "must be a string");
      d.attachments.push_back(a.get<std::string>());
    }
  }
  return d;
}

Json error_body(const Error& e) {
  Json inner = {{"code", e.code}, {"message", e.message}};
  if (!e.field.empty()) inner["field"] = e.field;
  return Json{{"error", inner}};
}

// [SECTION] Writing

void to_json(Json& j, const Location& v) {
  j = v.known() ? Json{{"lat", v.lat}, {"lng", v.lng}, {"address", v.address}}
                : Json{{"address", v.address}};
}
void to_json(Json& j, const Contact& v) {
  j = Json{{"name", v.name}, {"phone", v.phone}};
}

void to_json(Json& j, const TicketDraft& v) {
  j = Json{{"category", v.category},   {"description", v.description},
           {"location", v.location},   {"contact", v.contact},
           {"anonymous", v.anonymous}, {"channel", to_string(v.channel)}};
  if (v.grid_id) j["grid_id"] = *v.grid_id;
  if (!v.attachments.empty()) j["attachments"] = v.attachments;
}

void to_json(Json& j, const TicketReceipt& v) {
  j = Json{{"number", v.number},
           {"status", to_string(v.status)},
           {"level", to_string(v.level)},
           {"grid_id", v.grid_id},
           {"response_due_at", v.response_due_at},
           {"resolve_due_at", v.resolve_due_at}};
  if (v.access_code) j["access_code"] = *v.access_code;
}

void to_json(Json& j, const Category& v) {
  j = Json{{"code", v.code},
           {"name", v.name},
           {"name_en", v.name_en},
           {"group", v.group},
           {"sla_class", to_string(v.sla_class)},
           {"default_unit_id", v.default_unit_id}};
}

void to_json(Json& j, const NamedRef& v) {
  j = Json{{"id", v.id}, {"name", v.name}};
}
void to_json(Json& j, const Assignee& v) {
  j = Json{{"kind", v.kind}, {"id", v.id}, {"name", v.name}};
}

void to_json(Json& j, const TicketView& v) {
  auto opt = [](const auto& o) { return o ? Json(*o) : Json(nullptr); };
  j = Json{{"number", v.number},
           {"status", to_string(v.status)},
           {"level", to_string(v.level)},
           {"category", v.category},
           {"description", v.description},
           {"channel", to_string(v.channel)},
           {"location", v.location},
           {"grid", opt(v.grid)},
           {"community", opt(v.community)},
           {"street", opt(v.street)},
           {"assignee", opt(v.assignee)},
           {"contact", v.contact},
           {"created_at", v.created_at},
           {"updated_at", v.updated_at},
           {"response_due_at", v.response_due_at},
           {"resolve_due_at", v.resolve_due_at},
           {"overdue", v.overdue},
           {"reply", opt(v.reply)},
           {"rating", nullptr},
           {"reopen_count", v.reopen_count},
           {"whistles", Json::array()},
           {"attachments", Json::array()},
           {"allowed_actions", v.allowed_actions}};
}

// [SECTION] JsonWriter

void JsonWriter::comma() {
  if (need_comma_) out_.push_back(',');
  need_comma_ = false;
}

JsonWriter& JsonWriter::open(char bracket) {
  comma();
  out_.push_back(bracket);
  return *this;
}

JsonWriter& JsonWriter::close(char bracket) {
  out_.push_back(bracket);
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
  comma();
  append_json_string(out_, k);
  out_.push_back(':');
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
  comma();
  // Stored text is valid UTF-8; anything else is printed as dump() would, replaced.
  if (is_valid_utf8(s))
    append_json_string(out_, s);
  else
    out_ += Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace);
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(bool b) {
  comma();
  out_ += b ? "true" : "false";
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::int64_t v) {
  comma();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, r.ptr);
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(double v) {
  comma();
  const double a = std::fabs(v);
  // The shortest form that reads back, as dump() prints it in this range (where it
  // uses no exponent); dump() itself elsewhere.
#if defined(__cpp_lib_to_chars)
  if (std::isfinite(v) && (a == 0 || (a >= 1e-4 && a < 1e15))) {
    char buf[40];
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    std::string_view text(buf, static_cast<std::size_t>(r.ptr - buf));
    out_ += text;
    if (text.find('.') == std::string_view::npos) out_ += ".0";
    need_comma_ = true;
    return *this;
  }
#else
  (void)a;  // Emscripten 3.1.6's libc++ has no floating-point to_chars: dump() everywhere
#endif
  out_ += Json(v).dump();
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::null() {
  comma();
  out_ += "null";
  need_comma_ = true;
  return *this;
}

// [SECTION] Reading answers (lenient: missing fields keep their defaults)

namespace {
template <class T>
void get_to(const Json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it != j.end() && !it->is_null()) {
    if constexpr (std::is_same_v<T, std::string>) {
      if (it->is_string()) out = it->template get<std::string>();
    } else if constexpr (std::is_arithmetic_v<T>) {
      if (it->is_number() || it->is_boolean()) out = it->template get<T>();
    } else {
      it->get_to(out);
    }
  }
}
template <class T>
void get_opt(const Json& j, const char* key, std::optional<T>& out) {
  auto it = j.find(key);
  if (it != j.end() && !it->is_null()) {
    T v{};
    if constexpr (std::is_same_v<T, std::string>) {
      if (!it->is_string()) return;
      v = it->template get<std::string>();
    } else {
      if (!it->is_object()) return;
      from_json(*it, v);
    }
    out = std::move(v);
  }
}
template <class E, class F>
void get_enum(const Json& j, const char* key, E& out, F parse) {
  std::string s;
  get_to(j, key, s);
  if (auto e = parse(s)) out = *e;
}
}  // namespace

void from_json(const Json& j, Location& v) {
  auto number = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_number();
  };
  if (!number("lat") && !number("lng")) {
    v = Location::unknown();
  } else {
    get_to(j, "lat", v.lat);
    get_to(j, "lng", v.lng);
  }
  get_to(j, "address", v.address);
}
void from_json(const Json& j, Contact& v) {
  get_to(j, "name", v.name);
  get_to(j, "phone", v.phone);
}
void from_json(const Json& j, TicketReceipt& v) {
  get_to(j, "number", v.number);
  get_opt(j, "access_code", v.access_code);
  get_enum(j, "status", v.status, parse_status);
  get_enum(j, "level", v.level, parse_level);
  get_to(j, "grid_id", v.grid_id);
  get_to(j, "response_due_at", v.response_due_at);
  get_to(j, "resolve_due_at", v.resolve_due_at);
}
void from_json(const Json& j, Category& v) {
  get_to(j, "code", v.code);
  get_to(j, "name", v.name);
  get_to(j, "name_en", v.name_en);
  get_to(j, "group", v.group);
  get_enum(j, "sla_class", v.sla_class, parse_sla_class);
  get_to(j, "default_unit_id", v.default_unit_id);
}
void from_json(const Json& j, NamedRef& v) {
  get_to(j, "id", v.id);
  get_to(j, "name", v.name);
}
void from_json(const Json& j, Assignee& v) {
  get_to(j, "kind", v.kind);
  get_to(j, "id", v.id);
  get_to(j, "name", v.name);
}
void from_json(const Json& j, TicketView& v) {
  get_to(j, "number", v.number);
  get_enum(j, "status", v.status, parse_status);
  get_enum(j, "level", v.level, parse_level);
  get_to(j, "category", v.category);
  get_to(j, "description", v.description);
  get_enum(j, "channel", v.channel, parse_channel);
  if (auto it = j.find("location"); it != j.end() && it->is_object()) from_json(*it, v.location);
  get_opt(j, "grid", v.grid);
  get_opt(j, "community", v.community);
  get_opt(j, "street", v.street);
  get_opt(j, "assignee", v.assignee);
  if (auto it = j.find("contact"); it != j.end() && it->is_object()) from_json(*it, v.contact);
  get_to(j, "created_at", v.created_at);
  get_to(j, "updated_at", v.updated_at);
  get_to(j, "response_due_at", v.response_due_at);
  get_to(j, "resolve_due_at", v.resolve_due_at);
  get_to(j, "overdue", v.overdue);
  get_opt(j, "reply", v.reply);
  get_to(j, "reopen_count", v.reopen_count);
  if (auto it = j.find("allowed_actions"); it != j.end() && it->is_array())
    for (const auto& a : *it)
      if (a.is_string()) v.allowed_actions.push_back(a.get<std::string>());
}

}  // namespace portal::core
