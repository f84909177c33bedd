// Every character, over real HTTP against the real binary: names and places beyond
// GB2312 (李堃, 王玥, 张喆, 朱镕基), outside the BMP (𠮷) and emoji with their sequences
// come back byte for byte to the submitter and the grid worker; limits count characters,
// not bytes; text that is not UTF-8 is refused naming its field; the topics CSV keeps
// them. (Open311 is covered in api_open311_test.cpp with its XML reader.)
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "portal/core/json.hpp"
#include "portal/core/utf8.hpp"
#include "tests/api/api_helpers.hpp"
#include "tests/api/server_process.hpp"

using portal::core::Json;
using namespace portal::test;

namespace {

portal::test::LazyServer g;

const std::string kJi = "\xF0\xA0\xAE\xB7";  // 𠮷 U+20BB7, four bytes
const std::string kThumb = "👍";
const std::string kFamily = "👨\u200D👩\u200D👧";
const std::string kFlag = "🇨🇳";

std::string times(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// A ticket in gw0001's grid with the given contact name, address and description.
Json ticket(const std::string& name, const std::string& address, const std::string& description) {
  static const std::pair<double, double> at = point_in_grid_of(*g, login(*g, "gw0001"));
  return {{"category", "env.noise"},
          {"description", description},
          {"location", {{"lat", at.first}, {"lng", at.second}, {"address", address}}},
          {"contact", {{"name", name}, {"phone", "13800001234"}}}};
}

httplib::Result submit(const std::string& body) {
  return g->client().Post("/api/v1/tickets", body, "application/json");
}

void expect_refused(const httplib::Result& r, int status, const std::string& field,
                    const std::string& code) {
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, status) << r->body;
  auto j = body_of(r);
  EXPECT_EQ(j["error"].value("field", ""), field) << r->body;
  EXPECT_EQ(j["error"].value("code", ""), code) << r->body;
}

}  // namespace

TEST(Characters, SubmitterAndGridWorkerReadTheSameText) {
  const std::string name = "李堃", address = kJi + "野家 朱镕基路 " + kFlag,
                    description = "王玥、张喆反映：" + kJi + "野家门口路灯坏了" + kThumb +
                                  "，全家" + kFamily + "都摔过，请朱镕基路尽快修。";
  auto r = submit(ticket(name, address, description).dump());
  ASSERT_TRUE(r && r->status == 201) << (r ? r->body : "no answer");
  const Json receipt = body_of(r);
  const std::string number = receipt["number"], code = receipt["access_code"];

  // The submitter, by access code: the text as sent, raw UTF-8 on the wire.
  auto mine = g->client().Get(("/api/v1/tickets/" + number).c_str(), {{"X-Access-Code", code}});
  ASSERT_TRUE(mine && mine->status == 200) << (mine ? mine->body : "no answer");
  EXPECT_NE(mine->body.find(kJi + "野家"), std::string::npos) << mine->body;
  EXPECT_NE(mine->body.find(kFamily), std::string::npos);
  Json t = body_of(mine);
  EXPECT_EQ(t["description"], description);
  EXPECT_EQ(t["location"]["address"], address);
  EXPECT_EQ(t["contact"]["name"], "李*");  // masked for whoever holds the code, by design

  // The grid worker: the ticket, and the queue found by a word outside the BMP.
  const std::string gw = login(*g, "gw0001");
  t = body_of(g->client().Get(("/api/v1/tickets/" + number).c_str(), bearer(gw)));
  EXPECT_EQ(t["description"], description);
  EXPECT_EQ(t["location"]["address"], address);
  EXPECT_EQ(t["contact"]["name"], name);
  auto queue = body_of(
      g->client().Get("/api/v1/tickets", {{"scope", "queue"}, {"q", kJi + "野家"}}, bearer(gw)));
  ASSERT_EQ(queue["items"].size(), 1u) << queue.dump();
  EXPECT_EQ(queue["items"][0]["number"], number);
  EXPECT_EQ(queue["items"][0]["description"], description);  // under 60 characters

  // A note with such text reaches the submitter's events unchanged.
  const std::string note = "已处理" + kThumb + kJi;
  for (const Json& a : {Json{{"action", "accept"}}, Json{{"action", "progress"}, {"note", note}}}) {
    auto act = g->client().Post(("/api/v1/tickets/" + number + "/actions").c_str(), bearer(gw),
                                a.dump(), "application/json");
    ASSERT_TRUE(act && act->status == 200) << (act ? act->body : "no answer");
  }
  auto events = body_of(g->client().Get(("/api/v1/tickets/" + number + "/events").c_str(),
                                        {{"X-Access-Code", code}}));
  bool seen = false;
  for (const auto& e : events["items"]) seen = seen || e.value("note", "") == note;
  EXPECT_TRUE(seen) << events.dump();
}

// A limit of N characters takes N four-byte characters and refuses N+1, whatever the
// bytes: names 50, addresses 200, descriptions 4000, notes 2000, the list's search 200.
TEST(Characters, LimitsCountCharactersNotBytes) {
  auto ok = submit(ticket(times(kJi, 50), times(kJi, 200), times(kJi, 4000)).dump());
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 201) << ok->body;
  const std::string number = body_of(ok)["number"];
  expect_refused(submit(ticket(times(kJi, 51), "路", "路灯坏了，请修理").dump()), 422,
                 "contact.name", "too_long");
  expect_refused(submit(ticket("李堃", times(kJi, 201), "路灯坏了，请修理").dump()), 422,
                 "location.address", "too_long");
  expect_refused(submit(ticket("李堃", "路", times(kJi, 4001)).dump()), 422, "description",
                 "too_long");
  // Five characters make a description, even five emoji.
  EXPECT_EQ(submit(ticket("李堃", "路", times(kThumb, 5)).dump())->status, 201);
  expect_refused(submit(ticket("李堃", "路", times(kThumb, 4)).dump()), 422, "description",
                 "too_short");

  const std::string gw = login(*g, "gw0001");
  auto act = [&](const std::string& note) {
    return g->client().Post(("/api/v1/tickets/" + number + "/actions").c_str(), bearer(gw),
                            Json{{"action", "contact"}, {"note", note}}.dump(), "application/json");
  };
  auto long_note = act(times(kJi, 2000));
  ASSERT_TRUE(long_note);
  EXPECT_EQ(long_note->status, 200) << long_note->body;
  expect_refused(act(times(kJi, 2001)), 422, "note", "too_long");

  auto search = [&](int n) {
    return g->client().Get("/api/v1/tickets", {{"scope", "queue"}, {"q", times(kJi, n)}},
                           bearer(gw));
  };
  auto found = search(200);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->status, 200) << found->body;
  expect_refused(search(201), 422, "q", "invalid_query");
}

// Bytes that are not UTF-8 (a CESU-8 surrogate, an overlong, a byte past F4) are a bad
// value of the field that holds them, answered 422 naming it.
TEST(Characters, InvalidUtf8IsRefusedNamingTheField) {
  // Placeholders in a good body, each replaced in turn by text holding the bad bytes.
  const std::string good = ticket("@NAME@", "@ADDRESS@", "@DESCRIPTION@").dump();
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"@NAME@", "李\xED\xA0\x80堃", "contact.name"},                 // CESU-8 lone surrogate
      {"@DESCRIPTION@", "路灯坏了\xC0\xAF请修理", "description"},     // overlong '/'
      {"@ADDRESS@", "朱镕基路\xF5\x80\x80\x80", "location.address"},  // byte past F4
      {"@NAME@", "\\ud842", "contact.name"},  // a \u escape of a lone surrogate
  };
  for (const auto& [placeholder, bad, field] : cases) {
    std::string body = good;
    body.replace(body.find(placeholder), placeholder.size(), bad);
    expect_refused(submit(body), 422, field, "invalid_utf8");
  }
}

// The topics CSV (the export that carries typed text) keeps every character, as UTF-8
// with the byte order mark that Excel needs to read it as UTF-8.
TEST(Characters, TopicsCsvKeepsEveryCharacter) {
  const std::string ds = login(*g, "ds01");
  const std::string title = kJi + "野家路灯" + kThumb + " 朱镕基路 " + kFamily + kFlag;
  auto created = g->client().Post("/api/v1/topics", bearer(ds),
                                  Json{{"title", title}, {"category", "env.noise"}}.dump(),
                                  "application/json");
  ASSERT_TRUE(created && created->status == 201) << (created ? created->body : "no answer");
  EXPECT_EQ(body_of(created)["title"], title);
  auto csv = g->client().Get("/api/v1/topics?format=csv", bearer(ds));
  ASSERT_TRUE(csv && csv->status == 200);
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv->body.rfind("\xEF\xBB\xBF", 0), 0u);
  EXPECT_TRUE(portal::core::is_valid_utf8(csv->body));
  EXPECT_NE(csv->body.find("," + title + ","), std::string::npos) << csv->body.substr(0, 600);
}
