// Idempotency-Key as API.md (Conventions) and the IETF draft define it, attacked over
// real HTTP: a key belongs to its caller, a replay with another body is refused, a
// replay while the first request runs is refused, and no key ever answers another
// caller's ticket or access code. Also merge {into}: only into a ticket the actor may
// act on, and a refusal that does not tell whether the number exists.
#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "portal/core/json.hpp"
#include "tests/api/api_helpers.hpp"
#include "tests/api/server_process.hpp"
#include "tests/common/sqlite_write_lock.hpp"

using portal::core::Json;
using namespace portal::test;
using namespace std::chrono_literals;

namespace {

portal::test::LazyServer g;

Json report(const std::string& description, const std::string& grid_id = "") {
  Json t = {{"category", "env.noise"},
            {"description", description},
            {"location", {{"lat", 35.41}, {"lng", 116.58}}},
            {"contact", {{"name", "王五"}, {"phone", "13912340000"}}}};
  if (!grid_id.empty()) t["grid_id"] = grid_id;
  return t;
}

httplib::Result create(const Json& body, httplib::Headers headers = {}) {
  return g->client().Post("/api/v1/tickets", headers, body.dump(), "application/json");
}

// Keys are made unique to each run of a test, so that tests may be repeated against
// the one server (--gtest_repeat).
std::string g_run;
class Idempotency : public ::testing::Test {
 protected:
  void SetUp() override {
    g_run = std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  }
};

httplib::Headers with_key(const std::string& key, httplib::Headers h = {}) {
  h.emplace("Idempotency-Key", key.size() > 100 ? key : key + "-" + g_run);
  return h;
}

httplib::Result act(const std::string& number, const Json& body, httplib::Headers headers) {
  return g->client().Post(("/api/v1/tickets/" + number + "/actions").c_str(), headers, body.dump(),
                          "application/json");
}

std::string grid_of(const std::string& token) {
  return body_of(g->client().Get("/api/v1/me", bearer(token)))["grid_ids"][0];
}

// A refusal with the given status, error code and field, and nothing of a ticket.
void expect_refused(const httplib::Result& r, int status, const std::string& code,
                    const std::string& field) {
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, status) << r->body;
  Json b = body_of(r);  // not const: a missing member reads as null
  EXPECT_EQ(b["error"]["code"], code) << r->body;
  EXPECT_EQ(b["error"]["field"], field) << r->body;
  EXPECT_FALSE(b.contains("number")) << r->body;
  EXPECT_FALSE(b.contains("access_code")) << r->body;
}

// Two concurrent requests with the same key, sent while the writer is held (up to
// 300 ms, or until one is answered), and answered in the order returned; `held` tells
// whether the first came while the writer was still held.
template <class Send>
std::pair<httplib::Result, httplib::Result> race_while_locked(Send send, bool& held) {
  SqliteWriteLock lock(g->db());
  auto a = std::async(std::launch::async, send);
  auto b = std::async(std::launch::async, send);
  auto first_ready = [&](std::chrono::milliseconds within) {
    for (auto deadline = std::chrono::steady_clock::now() + within;
         std::chrono::steady_clock::now() < deadline;) {
      if (a.wait_for(5ms) == std::future_status::ready) return 1;
      if (b.wait_for(5ms) == std::future_status::ready) return 2;
    }
    return 0;
  };
  int first = first_ready(300ms);
  held = first != 0;
  lock.release();
  if (!first) first = first_ready(10s);
  auto ra = a.get();
  auto rb = b.get();
  if (first == 2) return {std::move(rb), std::move(ra)};
  return {std::move(ra), std::move(rb)};
}

}  // namespace

// [SECTION] Ticket creation

TEST_F(Idempotency, ARetryBySameCallerAnswersTheSameTicketAndCode) {
  const Json body = report("retry: 工地夜间施工噪音");
  auto first = create(body, with_key("retry-same-1"));
  ASSERT_TRUE(first && first->status == 201) << (first ? first->body : "");
  auto again = create(body, with_key("retry-same-1"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 201) << again->body;
  EXPECT_EQ(body_of(again)["number"], body_of(first)["number"]);
  EXPECT_EQ(body_of(again)["access_code"], body_of(first)["access_code"]);
  // The same body spelt otherwise (members reordered, spaces) is the same request.
  auto respelt = g->client().Post(
      "/api/v1/tickets", with_key("retry-same-1"),
      "{ \"contact\": " + body["contact"].dump() + ", \"location\": " + body["location"].dump() +
          ", \"description\": " + body["description"].dump() + ", \"category\": \"env.noise\" }",
      "application/json");
  ASSERT_TRUE(respelt);
  EXPECT_EQ(respelt->status, 201) << respelt->body;
  EXPECT_EQ(body_of(respelt)["number"], body_of(first)["number"]);

  const std::string cz = login(*g, "cz001");
  auto mine = create(body, with_key("retry-same-2", bearer(cz)));
  ASSERT_TRUE(mine && mine->status == 201);
  auto mine_again = create(body, with_key("retry-same-2", bearer(cz)));
  ASSERT_TRUE(mine_again);
  EXPECT_EQ(mine_again->status, 201);
  EXPECT_EQ(body_of(mine_again)["number"], body_of(mine)["number"]);
}

TEST_F(Idempotency, TheSameKeyWithAnotherBodyIsRefused) {
  auto first = create(report("reuse: 第一次的内容"), with_key("reuse-1"));
  ASSERT_TRUE(first && first->status == 201);
  expect_refused(create(report("reuse: 改过的内容"), with_key("reuse-1")), 422,
                 "idempotency_key_reused", "Idempotency-Key");

  const std::string cz = login(*g, "cz001");
  auto mine = create(report("reuse: 登录用户"), with_key("reuse-2", bearer(cz)));
  ASSERT_TRUE(mine && mine->status == 201);
  expect_refused(create(report("reuse: 登录用户改了"), with_key("reuse-2", bearer(cz))), 422,
                 "idempotency_key_reused", "Idempotency-Key");
}

// Before: the stranger's report was dropped and the victim's number and access code
// came back (201), enough to read the victim's ticket, name and phone.
TEST_F(Idempotency, AStrangerWithTheKeyButAnotherBodyGetsNothing) {
  auto victim = create(report("stranger: 我家楼下的问题，联系我"), with_key("shared-key-1"));
  ASSERT_TRUE(victim && victim->status == 201);
  const std::string code = body_of(victim)["access_code"];
  auto stranger = create(report("stranger: 另一个人的报告"), with_key("shared-key-1"));
  expect_refused(stranger, 422, "idempotency_key_reused", "Idempotency-Key");
  EXPECT_EQ(stranger->body.find(code), std::string::npos);
  EXPECT_EQ(stranger->body.find(body_of(victim)["number"].get<std::string>()), std::string::npos);
}

// Before: the second user got the first user's ticket number (201).
TEST_F(Idempotency, AnotherSignedInUserWithTheSameKeyGetsATicketOfTheirOwn) {
  const Json body = report("user: 同一个键");
  const std::string a = login(*g, "cz001"), b = login(*g, "cz002");
  auto first = create(body, with_key("per-user-1", bearer(a)));
  ASSERT_TRUE(first && first->status == 201);
  auto second = create(body, with_key("per-user-1", bearer(b)));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 201) << second->body;
  EXPECT_NE(body_of(second)["number"], body_of(first)["number"]);
  EXPECT_FALSE(body_of(second).contains("access_code"));
  // And the other user's ticket is theirs, not readable by the first.
  auto peek = g->client().Get(
      ("/api/v1/tickets/" + body_of(second)["number"].get<std::string>()).c_str(), bearer(a));
  ASSERT_TRUE(peek);
  EXPECT_EQ(peek->status, 404);
  // An anonymous caller with the same key and body is someone else again.
  auto anon = create(body, with_key("per-user-1"));
  ASSERT_TRUE(anon && anon->status == 201);
  EXPECT_NE(body_of(anon)["number"], body_of(first)["number"]);
  EXPECT_NE(body_of(anon)["number"], body_of(second)["number"]);
}

// A photo sent again from the device's outbox after its answer was lost is the same
// photo: one upload, one id; another photo under the same key is refused.
TEST_F(Idempotency, ARetriedPhotoUploadAnswersTheSamePhoto) {
  // A 1x1 PNG.
  const std::string png(
      "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x01\x00\x00\x00"
      "\x01\x08\x04\x00\x00\x00\xb5\x1c\x0c\x02\x00\x00\x00\x0b\x49\x44\x41\x54\x78\xda\x63\x64\x60"
      "\x00\x00\x00\x06\x00\x02\x30\x81\xd0\x2f\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82",
      68);
  auto upload = [&](const std::string& body, const httplib::Headers& h) {
    return g->client().Post("/api/v1/attachments", h, body, "image/png");
  };
  auto first = upload(png, with_key("photo-1"));
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 201) << first->body;
  auto again = upload(png, with_key("photo-1"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 201) << again->body;
  EXPECT_EQ(body_of(again)["id"], body_of(first)["id"]);
  auto other = upload(png, with_key("photo-2"));
  ASSERT_TRUE(other && other->status == 201);
  EXPECT_NE(body_of(other)["id"], body_of(first)["id"]);
  // Another photo under a used key: refused, and nothing of the first photo.
  std::string changed = png;
  changed[changed.size() - 20] ^= 1;
  auto reused = upload(changed, with_key("photo-1"));
  ASSERT_TRUE(reused);
  EXPECT_EQ(reused->status, 422) << reused->body;
  EXPECT_EQ(body_of(reused)["error"]["code"], "idempotency_key_reused");
  EXPECT_EQ(reused->body.find(body_of(first)["id"].get<std::string>()), std::string::npos);
}

TEST_F(Idempotency, ABadKeyIsRefusedByName) {
  expect_refused(create(report("bad key"), with_key(std::string(201, 'k'))), 422,
                 "invalid_idempotency_key", "Idempotency-Key");
}

// While the first request waits for the database (its writer held by another
// connection), its retry is answered 409 at once and creates nothing; once the first
// is answered, a retry answers its ticket.
TEST_F(Idempotency, ARetryWhileTheFirstIsInFlightIsRefused) {
  const Json body = report("in flight: 重试太快");
  bool held = false;
  auto [first, second] =
      race_while_locked([&] { return create(body, with_key("in-flight-1")); }, held);
  EXPECT_TRUE(held) << "the retry waited for the first request";
  expect_refused(first, 409, "idempotency_in_flight", "Idempotency-Key");
  ASSERT_TRUE(second);
  ASSERT_EQ(second->status, 201) << second->body;
  auto later = create(body, with_key("in-flight-1"));
  ASSERT_TRUE(later);
  EXPECT_EQ(later->status, 201);
  EXPECT_EQ(body_of(later)["number"], body_of(second)["number"]);
  EXPECT_EQ(body_of(later)["access_code"], body_of(second)["access_code"]);
}

// [SECTION] Other POSTs: ticket actions and ratings

// Before: the key was ignored, so the retry acted again (409 action_not_allowed).
TEST_F(Idempotency, ARetriedActionIsAppliedOnceAndAnsweredAgain) {
  const std::string gw = login(*g, "gw0001"), ds = login(*g, "ds01");
  auto t = create(report("action: 接单重试", grid_of(gw)));
  ASSERT_TRUE(t && t->status == 201);
  const std::string number = body_of(t)["number"];
  auto first = act(number, {{"action", "accept"}}, with_key("accept-1", bearer(gw)));
  ASSERT_TRUE(first && first->status == 200) << (first ? first->body : "");
  auto again = act(number, {{"action", "accept"}}, with_key("accept-1", bearer(gw)));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200) << again->body;
  EXPECT_EQ(again->body, first->body);
  auto events =
      body_of(g->client().Get(("/api/v1/tickets/" + number + "/events").c_str(), bearer(gw)));
  int accepts = 0;
  for (const auto& e : events["items"].is_array() ? events["items"] : events)
    accepts += e.value("action", "") == "accept";
  EXPECT_EQ(accepts, 1) << events.dump();

  // The same key with another body, or on another ticket, is another request.
  expect_refused(act(number, {{"action", "contact"}, {"note", "已电话联系"}},
                     with_key("accept-1", bearer(gw))),
                 422, "idempotency_key_reused", "Idempotency-Key");
  // Another user's key is theirs: the district centre's accept runs by itself.
  auto other = act(number, {{"action", "accept"}}, with_key("accept-1", bearer(ds)));
  ASSERT_TRUE(other);
  EXPECT_NE(other->status, 200) << other->body;
  EXPECT_NE(other->body, first->body);
}

TEST_F(Idempotency, ARetryOfAnActionInFlightIsRefused) {
  const std::string gw = login(*g, "gw0001");
  auto t = create(report("action in flight", grid_of(gw)));
  ASSERT_TRUE(t && t->status == 201);
  const std::string number = body_of(t)["number"];
  // Both claims of the key wait for the writer: the first to get it runs, the other
  // then finds it in flight (its action and answer need two more commits).
  bool held = false;
  auto [first, second] = race_while_locked(
      [&] {
        return act(number, {{"action", "accept"}}, with_key("accept-race", bearer(gw)));
      },
      held);
  ASSERT_TRUE(first && second);
  const bool ordered = first->status == 409;
  expect_refused(ordered ? first : second, 409, "idempotency_in_flight", "Idempotency-Key");
  EXPECT_EQ((ordered ? second : first)->status, 200);
  // Once answered, the retry gets the accept's answer.
  auto later = act(number, {{"action", "accept"}}, with_key("accept-race", bearer(gw)));
  ASSERT_TRUE(later);
  EXPECT_EQ(later->status, 200);
  EXPECT_EQ(later->body, (ordered ? second : first)->body);
}

// A rating by an anonymous submitter: the retry with the code answers the first
// rating; the same key and body without the code (or with another) gets nothing of it.
TEST_F(Idempotency, ARetriedRatingIsAnsweredOnlyToTheCodeHolder) {
  const std::string gw = login(*g, "gw0001");
  auto t = create(report("rating: 评价重试", grid_of(gw)));
  ASSERT_TRUE(t && t->status == 201);
  const std::string number = body_of(t)["number"], code = body_of(t)["access_code"];
  ASSERT_EQ(act(number, {{"action", "accept"}}, bearer(gw))->status, 200);
  ASSERT_EQ(act(number, {{"action", "resolve"}, {"reply", "已处理"}}, bearer(gw))->status, 200);
  const std::string rating = Json{{"resolved", true}, {"satisfaction", 5}}.dump();
  const std::string path = "/api/v1/tickets/" + number + "/rating";
  auto first = g->client().Post(path.c_str(), with_key("rate-1", {{"X-Access-Code", code}}), rating,
                                "application/json");
  ASSERT_TRUE(first && first->status == 200) << (first ? first->body : "");
  auto again = g->client().Post(path.c_str(), with_key("rate-1", {{"X-Access-Code", code}}), rating,
                                "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200) << again->body;
  EXPECT_EQ(again->body, first->body);
  for (const httplib::Headers& h :
       {with_key("rate-1"), with_key("rate-1", {{"X-Access-Code", "AAAAAAAA"}})}) {
    auto stranger = g->client().Post(path.c_str(), h, rating, "application/json");
    ASSERT_TRUE(stranger);
    EXPECT_EQ(stranger->status, 404) << stranger->body;
    EXPECT_EQ(stranger->body.find("13912340000"), std::string::npos);
  }
}

// [SECTION] merge {into}

// Before: a grid worker could merge into any number (200), and an unknown number
// answered 422 unknown_ticket: an oracle for which numbers exist elsewhere.
TEST(MergeInto, AnotherGridsTicketIsRefusedExactlyLikeAnUnknownNumber) {
  const std::string gw1 = login(*g, "gw0001"), gw2 = login(*g, "gw0002");
  const std::string mine_grid = grid_of(gw1), other_grid = grid_of(gw2);
  ASSERT_NE(mine_grid, other_grid);
  const std::string dup = body_of(create(report("merge: 重复的", mine_grid)))["number"];
  const std::string master = body_of(create(report("merge: 主单", mine_grid)))["number"];
  const std::string elsewhere = body_of(create(report("merge: 别的网格", other_grid)))["number"];

  auto outside = act(dup, {{"action", "merge"}, {"into", elsewhere}}, bearer(gw1));
  ASSERT_TRUE(outside);
  std::string unknown_number = elsewhere;
  unknown_number.replace(unknown_number.size() - 4, 4, "9999");
  auto unknown = act(dup, {{"action", "merge"}, {"into", unknown_number}}, bearer(gw1));
  auto garbage = act(dup, {{"action", "merge"}, {"into", "not-a-number"}}, bearer(gw1));
  ASSERT_TRUE(unknown && garbage);
  expect_refused(outside, 422, "invalid_merge_target", "into");
  EXPECT_EQ(unknown->status, outside->status);
  EXPECT_EQ(unknown->body, outside->body);
  EXPECT_EQ(garbage->body, outside->body);
  // The other grid's ticket is untouched, and the duplicate is still open.
  auto other = body_of(g->client().Get(("/api/v1/tickets/" + elsewhere).c_str(), bearer(gw2)));
  EXPECT_EQ(other["status"], "assigned");
  EXPECT_EQ(body_of(g->client().Get(("/api/v1/tickets/" + dup).c_str(), bearer(gw1)))["status"],
            "assigned");

  // Into a ticket of the worker's own grid it works as before.
  auto merged = act(dup, {{"action", "merge"}, {"into", master}}, bearer(gw1));
  ASSERT_TRUE(merged);
  EXPECT_EQ(merged->status, 200) << merged->body;
  EXPECT_EQ(body_of(merged)["status"], "merged");
  EXPECT_EQ(body_of(merged)["merged_into"], master);
}
