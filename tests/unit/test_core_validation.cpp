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

// Without lat and lng the place is not known (the hotline centre dispatches it); half a
// point names the missing half.
TEST(Json, ALocationWithoutAPointIsUnknown) {
  auto body = parse_json(
      R"({"category":"env.noise","description":"夜里噪音扰民","location":{"address":"火车站南边"},
          "contact":{"name":"张","phone":"13800138000"}})");
  ASSERT_TRUE(body.ok());
  auto d = parse_ticket_draft(*body);
  ASSERT_TRUE(d.ok()) << d.error().field;
  EXPECT_FALSE(d->location.known());
  EXPECT_EQ(d->location.address, "火车站南边");
  EXPECT_TRUE(validate(*d).empty());  // routed, not refused
  const Json j = *d;
  EXPECT_FALSE(j["location"].contains("lat"));
  EXPECT_EQ(j["location"]["address"], "火车站南边");
  auto back = parse_ticket_draft(j);
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->location.known());
  EXPECT_TRUE(good_draft().location.known());

  for (const auto& [loc, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"lat":35.41})", "location.lng"},
           {R"({"lng":116.58,"address":"x"})", "location.lat"},
           {R"({"lat":35.41,"lng":null})", "location.lng"}}) {
    auto b = parse_json(R"({"category":"env.noise","description":"x","location":)" + loc + "}");
    ASSERT_TRUE(b.ok());
    auto e = parse_ticket_draft(*b);
    ASSERT_FALSE(e.ok()) << loc;
    EXPECT_EQ(e.error().field, field) << loc;
    EXPECT_EQ(e.error().status, 422) << loc;
  }
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

// [SECTION] Every character: CJK beyond GB2312, outside the BMP, emoji and their sequences.

namespace {

const std::string kJi = "\xF0\xA0\xAE\xB7";     // 𠮷 U+20BB7, four bytes
const std::string kThumb = "👍";                 // U+1F44D
const std::string kFamily = "👨\u200D👩\u200D👧";  // five code points joined by ZWJ
const std::string kFlag = "🇨🇳";                 // two regional indicators

std::string times(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

TEST(Utf8, CountsCodePointsOfEveryPlane) {
  EXPECT_EQ(utf8_length(kJi), 1u);
  EXPECT_EQ(utf8_length("李堃王玥张喆朱镕基"), 9u);
  EXPECT_EQ(utf8_length(kThumb), 1u);
  EXPECT_EQ(utf8_length(kFamily), 5u);
  EXPECT_EQ(utf8_length(kFlag), 2u);
  EXPECT_EQ(utf8_length(times(kJi, 50)), 50u);
}

TEST(Utf8, RefusesWhatIsNotUtf8) {
  for (const std::string bad : {
           "\xED\xA0\x80",              // a lone surrogate, as CESU-8 / WTF-8 write it
           "\xED\xA0\xBD\xED\xB1\x8D",  // 👍 as a CESU-8 surrogate pair
           "\xC0\xAF", "\xE0\x80\xAF",  // overlong '/'
           "\xF0\x80\x80\xAF",          // overlong, four bytes
           "\xF4\x90\x80\x80",          // past U+10FFFF
           "\xF5\x80\x80\x80", "\xFF",  // bytes that never occur
           "\xF0\xA0\xAE",              // 𠮷 cut short
           "\x80",                      // a lone continuation byte
       }) {
    EXPECT_FALSE(utf8_length(bad).has_value()) << testing::PrintToString(bad);
    EXPECT_FALSE(is_valid_utf8("ok " + bad + " ok")) << testing::PrintToString(bad);
  }
}

TEST(Utf8, CutKeepsWholeSequencesAndClusters) {
  EXPECT_EQ(utf8_cut(times(kJi, 3), 2), times(kJi, 2));
  EXPECT_EQ(utf8_cut(times(kJi, 3), 3), times(kJi, 3));
  EXPECT_EQ(utf8_cut(times(kJi, 3), 9), times(kJi, 3));
  EXPECT_EQ(utf8_cut("李堃", 1), "李");
  // A ZWJ sequence, a flag and a modified emoji are kept whole or left out whole.
  EXPECT_EQ(utf8_cut("ab" + kFamily, 4), "ab");
  EXPECT_EQ(utf8_cut("ab" + kFamily, 6), "ab");
  EXPECT_EQ(utf8_cut("ab" + kFamily, 7), "ab" + kFamily);
  EXPECT_EQ(utf8_cut(kFlag + kFlag, 3), kFlag);
  EXPECT_EQ(utf8_cut("x" + kThumb + "\xF0\x9F\x8F\xBD", 2), "x");  // 👍🏽
  EXPECT_EQ(utf8_cut("x1\uFE0F\u20E3", 3), "x");                   // keycap 1️⃣
  // A first cluster longer than the limit is cut at code points: never nothing at all.
  EXPECT_EQ(utf8_cut(kFamily, 2), "👨\u200D");
  // Every cut of a mixed text is valid UTF-8 of at most n code points.
  const std::string mixed = "李堃" + kJi + "野家 " + kThumb + kFamily + kFlag + "玥喆镕";
  for (std::size_t n = 0; n <= 20; ++n) {
    const auto cut = utf8_cut(mixed, n);
    ASSERT_TRUE(is_valid_utf8(cut)) << n;
    EXPECT_LE(*utf8_length(cut), n);
    EXPECT_EQ(mixed.compare(0, cut.size(), cut), 0);
  }
  // Invalid text is cut before its first invalid byte.
  EXPECT_EQ(utf8_cut("ab\xED\xA0\x80"
                     "cd",
                     5),
            "ab");
}

// A masked name keeps its first character whole, however many bytes it takes.
TEST(Utf8, MaskedNameKeepsTheFirstCharacterWhole) {
  EXPECT_EQ(mask_name("李堃"), "李*");
  EXPECT_EQ(mask_name(kJi + "野家"), kJi + "*");
  EXPECT_EQ(mask_name(kFlag + "张喆"), kFlag + "*");
  EXPECT_EQ(mask_name(kFamily), kFamily + "*");
  EXPECT_EQ(utf8_first_character("x1\uFE0F\u20E3"), "x");
  EXPECT_EQ(utf8_first_character("1\uFE0F\u20E3x"), "1\uFE0F\u20E3");
  EXPECT_EQ(utf8_first_character(""), "");
}

TEST(Validation, AcceptsCharactersOfEveryPlaneAndCountsThemOnce) {
  TicketDraft d = good_draft();
  d.contact.name = "李堃";
  d.location.address = kJi + "野家 朱镕基路 " + kFlag;
  d.description = "王玥、张喆反映：路灯坏了" + kThumb + kFamily;
  EXPECT_TRUE(validate(d).empty());
  // Limits in characters: N four-byte characters pass, N+1 do not.
  d.contact.name = times(kJi, static_cast<int>(limits::kNameMaxChars));
  d.location.address = times(kThumb, static_cast<int>(limits::kAddressMaxChars));
  d.description = times(kJi, static_cast<int>(limits::kDescriptionMaxChars));
  EXPECT_TRUE(validate(d).empty());
  d.contact.name += kJi;
  d.location.address += kThumb;
  d.description += kJi;
  auto errors = validate(d);
  EXPECT_EQ(fields(errors),
            (std::vector<std::string>{"description", "location.address", "contact.name"}));
  for (const auto& e : errors) EXPECT_EQ(e.code, "too_long");
  // Five code points are enough for a description, however many bytes they take.
  d = good_draft();
  d.description = times(kJi, 5);
  EXPECT_TRUE(validate(d).empty());
  d.description = times(kJi, 4);
  EXPECT_EQ(validate(d).at(0).code, "too_short");
}

// A body whose string holds bytes that are not UTF-8 is refused as 422 naming the
// field, as the validators would, not as unreadable JSON.
TEST(Validation, InvalidUtf8InABodyNamesTheField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"description":"bad )"
       "\xED\xA0\x80"
       R"( text","contact":{"name":"x"}})",
       "description"},
      {R"({"location":{"lat":35.4,"address":"A)"
       "\xC0\xAF"
       R"("}})",
       "location.address"},
      {R"({"contact":{"phone":"1","name":")"
       "\xF5\x80\x80\x80"
       R"("}})",
       "contact.name"},
      {R"({"attachments":["a","b)"
       "\xFF"
       R"("]})",
       "attachments.1"},
      {R"({"description":"\ud800 lone"})", "description"},
  };
  for (const auto& [body, field] : cases) {
    auto j = parse_json(body);
    ASSERT_FALSE(j.ok()) << body;
    EXPECT_EQ(j.error().status, 422) << body;
    EXPECT_EQ(j.error().code, "invalid_utf8") << body;
    EXPECT_EQ(j.error().field, field) << body;
  }
  // Valid text of every plane, written raw or escaped, parses unchanged.
  auto j = parse_json(R"({"a":")" + kJi + kFamily + R"(","b":"\ud842\udfb7\ud83d\udc4d"})");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["a"], kJi + kFamily);
  EXPECT_EQ((*j)["b"], kJi + kThumb);
  // Broken JSON is still malformed JSON.
  EXPECT_EQ(parse_json(R"({"a": )").error().code, "malformed_json");
}
