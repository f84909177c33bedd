// The category suggestion: POST /api/v1/suggest before and after `portal-server train`,
// its validation, and a running server picking up a newly trained model.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>

#include "tests/api/api_helpers.hpp"

using namespace portal;
using portal::test::body_of;
using portal::test::ServerProcess;

namespace {

httplib::Result suggest(ServerProcess& s, const core::Json& body) {
  return s.client().Post("/api/v1/suggest", body.dump(), "application/json");
}

// The model version the server answers from, as /metrics tells it (-1: not shown).
long long model_version(ServerProcess& s) {
  auto r = s.client().Get("/metrics");
  if (!r || r->status != 200) return -1;
  std::smatch m;
  static const std::regex re("\nportal_suggest_model_version (\\d+)\n");
  if (!std::regex_search(r->body, m, re)) return -1;
  return std::stoll(m[1]);
}

bool wait_for_version(ServerProcess& s, long long v) {
  for (int i = 0; i < 100; ++i) {
    if (model_version(s) == v) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

void expect_error(const httplib::Result& r, int status, const std::string& code) {
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, status) << r->body;
  auto b = core::Json::parse(r->body, nullptr, false);
  EXPECT_EQ(b["error"].value("field", ""), "description") << r->body;
  EXPECT_EQ(b["error"].value("code", ""), code) << r->body;
}

}  // namespace

TEST(Suggest, ValidatesTheDescription) {
  ServerProcess s;
  expect_error(suggest(s, core::Json::object()), 400, "required");
  expect_error(suggest(s, {{"description", nullptr}}), 400, "required");
  expect_error(suggest(s, {{"description", 42}}), 400, "wrong_type");
  expect_error(suggest(s, {{"description", ""}}), 422, "required");
  expect_error(suggest(s, {{"description", "   \n "}}), 422, "required");
  std::string long_text;
  for (int i = 0; i < 4001; ++i) long_text += "灯";
  expect_error(suggest(s, {{"description", long_text}}), 422, "too_long");
  expect_error(suggest(s, {{"description", "路灯\x01坏了"}}), 422, "control_characters");
  // 4000 characters are fine.
  long_text.resize(long_text.size() - 3);
  auto ok = suggest(s, {{"description", long_text}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  // lat and lng, when sent, are numbers.
  auto bad = suggest(s, {{"description", "路灯坏了"}, {"lat", "north"}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(body_of(bad)["error"].value("field", ""), "lat");
}

TEST(Suggest, LearnsFromTicketsAndPicksUpANewModelWhileRunning) {
  ServerProcess s;
  const core::Json light = {{"description", "小区门口那条路的路灯坏了好几天，晚上黑灯瞎火的"},
                            {"lat", 35.41},
                            {"lng", 116.58}};
  // Before any training: no model, an empty list (not an error).
  auto before = suggest(s, light);
  ASSERT_TRUE(before);
  ASSERT_EQ(before->status, 200) << before->body;
  const auto b0 = body_of(before);
  ASSERT_TRUE(b0["categories"].is_array());
  EXPECT_TRUE(b0["categories"].empty());
  EXPECT_FALSE(b0.contains("unit_id"));
  EXPECT_EQ(model_version(s), 0);

  // Too few tickets to learn from: train refuses and stores nothing.
  EXPECT_EQ(s.run({"train", "--db", s.db(), "--quiet"}), 1);
  EXPECT_EQ(s.run({"train", "--help"}), 0);
  EXPECT_EQ(s.run({"train", "--db", s.db(), "--holdout", "2"}), 2);

  ASSERT_EQ(s.run({"seed", "--db", s.db(), "--demo", "--tickets", "2000"}), 0);
  ASSERT_EQ(s.run({"train", "--db", s.db(), "--quiet"}), 0);
  ASSERT_TRUE(wait_for_version(s, 1)) << model_version(s);

  auto r = suggest(s, light);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const auto b = body_of(r);
  const auto& cats = b["categories"];
  ASSERT_EQ(cats.size(), 3u) << r->body;
  EXPECT_EQ(cats[0]["code"], "city.streetlight") << r->body;
  EXPECT_EQ(cats[0]["name"], "路灯不亮");
  double last = 1.0, sum = 0;
  for (const auto& c : cats) {
    const double score = c["score"].get<double>();
    EXPECT_GT(score, 0.0);
    EXPECT_LE(score, last);
    last = score;
    sum += score;
  }
  EXPECT_LE(sum, 1.0 + 1e-9);
  // A likely top category names its unit (the demo's streetlights are dept.urban's).
  if (cats[0]["score"].get<double>() >= 0.5)
    EXPECT_EQ(b.value("unit_id", ""), "dept.urban") << r->body;
  else
    EXPECT_FALSE(b.contains("unit_id")) << r->body;

  // Another text, another answer.
  auto w = suggest(s, {{"description", "家里水龙头一滴水都没有，也没通知停水"}});
  ASSERT_TRUE(w);
  EXPECT_EQ(body_of(w)["categories"][0]["code"], "water.outage") << w->body;

  // Trained again while it runs: the server moves to the new model, no restart.
  ASSERT_EQ(s.run({"train", "--db", s.db(), "--quiet", "--seed", "2"}), 0);
  EXPECT_TRUE(wait_for_version(s, 2)) << model_version(s);
  auto again = suggest(s, light);
  ASSERT_TRUE(again);
  EXPECT_EQ(body_of(again)["categories"][0]["code"], "city.streetlight") << again->body;
  EXPECT_TRUE(s.alive());
}
