#include <gtest/gtest.h>

#include "portal/core/json.hpp"
#include "portal/core/time.hpp"
#include "portal/core/utf8.hpp"
#include "portal/core/validation.hpp"

using namespace portal::core;

namespace {

TicketDraft good_draft() {
  TicketDraft d;
  d.category = "env.noise";
  d.description = "小区楼下烧烤店每晚噪音到凌晨两点";
  d.location = {35.41, 116.58, "古槐路12号"};
  d.contact = {"张三", "13800001234"};
  return d;
}

std::vector<std::string> fields(const std::vector<Error>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.field);
  return out;
}

}  // namespace

TEST(Validation, AcceptsAGoodDraft) {
  EXPECT_TRUE(validate(good_draft()).empty());
}

TEST(Validation, NamesEachBadField) {
  TicketDraft d = good_draft();
  d.category = "";
  d.description = "   ";
  d.location.lat = 10;
  d.contact.phone = "12345";
  auto errors = validate(d);
  EXPECT_EQ(fields(errors),
            (std::vector<std::string>{"category", "description", "location.lat", "contact.phone"}));
  for (const auto& e : errors) EXPECT_EQ(e.status, 422);
}

TEST(Validation, DescriptionLengthCountsCharactersNotBytes) {
  TicketDraft d = good_draft();
  std::string text;
  for (int i = 0; i < 4000; ++i) text += "噪";  // 12,000 bytes, 4,000 characters
  d.description = text;
  EXPECT_TRUE(validate(d).empty());
  d.description += "音";
  auto errors = validate(d);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "description");
  EXPECT_EQ(errors[0].code, "too_long");
}

TEST(Validation, RefusesInvalidUtf8AndControlCharacters) {
  TicketDraft d = good_draft();
  d.description = "abc\xC3\x28 def";
  EXPECT_EQ(validate(d).at(0).code, "invalid_utf8");
  d.description = std::string("abcde\0fgh", 9);
  EXPECT_EQ(validate(d).at(0).code, "control_characters");
  d.description = "overlong \xC0\xAF slash";
  EXPECT_EQ(validate(d).at(0).code, "invalid_utf8");
}

TEST(Validation, Phones) {
  EXPECT_TRUE(is_valid_phone("13800001234"));
  EXPECT_TRUE(is_valid_phone("0537-2345678"));
  EXPECT_FALSE(is_valid_phone("12800001234"));
  EXPECT_FALSE(is_valid_phone("1380000123"));
  EXPECT_FALSE(is_valid_phone("138000012345"));
  EXPECT_FALSE(is_valid_phone("0537--2345678"));
  EXPECT_FALSE(is_valid_phone("abc"));
}

TEST(Json, ParseDraftNamesWrongTypes) {
  auto body = parse_json(R"({"category":"env.noise","description":5})");
  ASSERT_TRUE(body.ok());
  auto d = parse_ticket_draft(*body);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().field, "description");
  EXPECT_EQ(d.error().status, 400);

  body = parse_json(R"({"category":"env.noise","description":"x","location":{"lat":"35"}})");
  d = parse_ticket_draft(*body);
  EXPECT_EQ(d.error().field, "location.lat");
}

TEST(Json, DraftRoundTrips) {
  TicketDraft d = good_draft();
  d.channel = Channel::embed;
  Json j = d;
  auto back = parse_ticket_draft(j);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->description, d.description);
  EXPECT_EQ(back->channel, Channel::embed);
  EXPECT_EQ(back->contact.phone, d.contact.phone);
}

TEST(Json, RefusesDeepNestingAndGarbage) {
  std::string deep(10000, '[');
  auto r = parse_json(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "too_deep");
  // Brackets inside strings do not count.
  EXPECT_TRUE(parse_json(R"({"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})").ok());
  EXPECT_EQ(parse_json("{nope").error().code, "malformed_json");
}

TEST(Ticket, NumbersAndMasks) {
  EXPECT_EQ(format_ticket_number(2026, 11, 25, 123), "RC2026112500000123");
  EXPECT_TRUE(is_ticket_number("RC2026112500000123"));
  EXPECT_FALSE(is_ticket_number("RC20261125000001234"));
  EXPECT_FALSE(is_ticket_number("../etc/passwd"));
  EXPECT_EQ(mask_phone("13812341234"), "138****1234");
  EXPECT_EQ(mask_name("张三"), "张*");
}

TEST(Time, IsoRoundTripAndZones) {
  auto t = parse_iso("2026-11-25T03:04:05Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_iso(*t), "2026-11-25T03:04:05Z");
  EXPECT_EQ(parse_iso("2026-11-25T11:04:05+08:00"), t);
  EXPECT_FALSE(parse_iso("2026-11-25T03:04:05"));  // no zone
  EXPECT_FALSE(parse_iso("2026-02-30T00:00:00Z"));
  auto d = civil_date(*parse_iso("2026-11-25T17:00:00Z"), kShanghaiOffset);
  EXPECT_EQ(d.day, 26);  // 01:00 the next day in Shanghai
}

TEST(Time, FormatIsoAtTheEdges) {
  using std::chrono::seconds;
  EXPECT_EQ(format_iso(TimePoint{}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_iso(*parse_iso("2000-02-29T23:59:59Z")), "2000-02-29T23:59:59Z");
  EXPECT_EQ(format_iso(*parse_iso("9999-12-31T23:59:59Z")), "9999-12-31T23:59:59Z");
  EXPECT_EQ(format_iso(TimePoint{} - seconds(1)), "1969-12-31T23:59:59Z");
  EXPECT_EQ(format_iso(*parse_iso("2026-01-09T07:08:09Z")), "2026-01-09T07:08:09Z");
}

// JsonWriter prints what Json::dump() prints for the same values.
TEST(JsonWriter, PrintsAsDumpDoes) {
  JsonWriter w;
  w.begin_object();
  w.key("a").begin_array();
  for (double d : {0.0, -0.0, 35.41, 116.58, 1.0, -2.5, 1e-4, 1e-5, 123456789012345.0, 1e15, 1e300,
                   0.1 + 0.2, 35.47523360282574})
    w.value(d);
  w.end_array();
  w.field("b", true).field("c", false).key("d").null();
  w.field("e", std::int64_t{-9007199254740993}).field("f", 0);
  w.field("g", "引号\"反斜杠\\\n\t\x01 \x7f 😀");
  w.key("h")
      .begin_array()
      .begin_object()
      .end_object()
      .begin_array()
      .end_array()
      .value(1)
      .end_array();
  w.field("i", std::optional<std::string>()).field("j", std::optional<std::string>("x"));
  w.field("k", std::string("bad \xff utf-8"));
  w.end_object();
  const std::string& s = w.str();
  auto j = Json::parse(s);
  EXPECT_EQ(j.dump(-1, ' ', false, Json::error_handler_t::replace), s);
  EXPECT_EQ(j["g"], "引号\"反斜杠\\\n\t\x01 \x7f 😀");
  EXPECT_EQ(j["a"][2], 35.41);
  EXPECT_EQ(j["k"], "bad \xEF\xBF\xBD utf-8");  // replaced, as dump() would
}
