// The category suggestion's storage (models, training examples) on either backend, and
// the service that answers from the stored model.
#include <gtest/gtest.h>

#include "portal/core/classifier.hpp"
#include "server/service/history.hpp"
#include "server/service/suggest_service.hpp"
#include "tests/unit/service_fixture.hpp"

using namespace portal;
using namespace portal::server;

namespace {

class SuggestStore : public test::ServiceTest {
 protected:
  std::int64_t count(const std::string& where) {
    TicketFilter f;
    f.page_size = 100000;
    auto page = store_->list_tickets(f);
    EXPECT_TRUE(page.ok());
    std::int64_t n = 0;
    for (const auto& t : page->items) {
      const auto s = std::string(core::to_string(t.status));
      if (where.find("|" + s + "|") != std::string::npos) ++n;
    }
    return n;
  }
  core::textclass::Model toy_model(const std::string& light = "city.streetlight") {
    std::vector<core::textclass::Example> ex;
    for (int i = 0; i < 6; ++i) {
      ex.push_back({light, "路灯不亮，晚上黑灯瞎火"});
      ex.push_back({"water.outage", "家里停水了，没有水"});
    }
    return core::textclass::train(ex);
  }
};

}  // namespace

TEST_F(SuggestStore, SavesAndLoadsModelsKeepingTheNewest) {
  auto v0 = store_->suggest_model_version();
  ASSERT_TRUE(v0.ok()) << v0.error().message;
  EXPECT_EQ(*v0, 0);
  auto none = store_->latest_suggest_model();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  // Bytes of every value, NUL included, come back as they went in.
  std::string blob;
  for (int i = 0; i < 1000; ++i) blob.push_back(static_cast<char>(i * 7));
  std::int64_t last = 0;
  for (int i = 0; i < 5; ++i) {
    SuggestModelRow r;
    r.created_at = now_;
    r.examples = 100 + i;
    r.metrics = R"({"n":)" + std::to_string(i) + "}";
    r.model = blob + std::to_string(i);
    auto v = store_->save_suggest_model(r);
    ASSERT_TRUE(v.ok()) << v.error().message;
    EXPECT_GT(*v, last);
    last = *v;
  }
  EXPECT_EQ(*store_->suggest_model_version(), last);
  auto m = store_->latest_suggest_model();
  ASSERT_TRUE(m.ok() && m->has_value());
  EXPECT_EQ((*m)->version, last);
  EXPECT_EQ((*m)->examples, 104);
  EXPECT_EQ((*m)->metrics, R"({"n":4})");
  EXPECT_EQ((*m)->model, blob + "4");
  EXPECT_EQ(core::to_unix((*m)->created_at), core::to_unix(now_));
}

TEST_F(SuggestStore, LearnsFromResolvedClosedAndRecategorisedTicketsOnly) {
  HistoryOptions o;
  o.count = 300;
  o.seed = 5;
  o.now = now_;
  ASSERT_TRUE(seed_history(*store_, *tickets_, o, {}).ok());
  const std::int64_t done = count("|resolved|closed|");
  ASSERT_GT(done, 100);
  ASSERT_LT(done, 300);  // some are open, some rejected
  auto ex = store_->training_examples(100000);
  ASSERT_TRUE(ex.ok()) << ex.error().message;
  EXPECT_EQ(static_cast<std::int64_t>(ex->size()), done);
  for (const auto& e : *ex) {
    EXPECT_FALSE(e.category.empty());
    EXPECT_FALSE(e.description.empty());
  }
  // The limit takes the newest.
  auto few = store_->training_examples(10);
  ASSERT_TRUE(few.ok());
  EXPECT_EQ(few->size(), 10u);
  EXPECT_EQ((*few)[0].description, (*ex)[0].description);

  // An open ticket a handler recategorised counts; a rejected one never does.
  auto mark = [&](const char* statuses) {
    return raw_sql(
        std::string("INSERT INTO events(ticket_id, seq, at, actor_role, action, prev_hash, hash) "
                    "SELECT id, 900, '2026-01-01T00:00:00Z', 'district_staff', 'recategorize', "
                    "'', '' FROM tickets WHERE status IN (") +
        statuses + ") ORDER BY id LIMIT 1");
  };
  ASSERT_GT(count("|submitted|assigned|accepted|in_progress|"), 0);
  ASSERT_TRUE(mark("'submitted', 'assigned', 'accepted', 'in_progress'"));
  if (count("|rejected|") > 0) ASSERT_TRUE(mark("'rejected'"));
  auto more = store_->training_examples(100000);
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(static_cast<std::int64_t>(more->size()), done + 1);
}

TEST_F(SuggestStore, TheServiceAnswersFromTheNewestModelAndKeepsItOverACorruptOne) {
  SuggestService svc(*store_);
  ASSERT_TRUE(svc.refresh().ok());
  EXPECT_EQ(svc.version(), 0);
  auto empty = svc.suggest("路灯不亮");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->categories.empty());
  EXPECT_FALSE(empty->unit_id);

  SuggestModelRow r;
  r.created_at = now_;
  r.examples = 12;
  r.metrics = "{}";
  r.model = toy_model().serialize();
  auto v1 = store_->save_suggest_model(r);
  ASSERT_TRUE(v1.ok());
  ASSERT_TRUE(svc.refresh().ok());
  EXPECT_EQ(svc.version(), *v1);
  auto a = svc.suggest("路灯坏了不亮");
  ASSERT_TRUE(a.ok());
  // Two labels in the model: two suggestions, with the demo's names; the likely top
  // category names its unit.
  ASSERT_EQ(a->categories.size(), 2u);
  EXPECT_EQ(a->categories[0].code, "city.streetlight");
  EXPECT_EQ(a->categories[0].name, "路灯不亮");
  ASSERT_GE(a->categories[0].score, 0.5);
  EXPECT_EQ(a->unit_id.value_or(""), "dept.urban");

  // A label no longer among the categories is skipped.
  r.model = toy_model("no.such_category").serialize();
  auto v2 = store_->save_suggest_model(r);
  ASSERT_TRUE(v2.ok());
  ASSERT_TRUE(svc.refresh().ok());
  EXPECT_EQ(svc.version(), *v2);
  auto b = svc.suggest("路灯坏了不亮");
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->categories.size(), 1u);
  EXPECT_EQ(b->categories[0].code, "water.outage");
  EXPECT_FALSE(b->unit_id);  // not likely enough

  // A corrupt blob is refused; the model held goes on answering.
  r.model = "RCTC garbage";
  ASSERT_TRUE(store_->save_suggest_model(r).ok());
  auto bad = svc.refresh();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "corrupt_model");
  EXPECT_EQ(svc.version(), *v2);
  EXPECT_TRUE(svc.refresh().ok());  // not tried again
  EXPECT_EQ(svc.suggest("停水")->categories.size(), 1u);

  // Descriptions are checked as a ticket's are.
  EXPECT_EQ(svc.suggest("  ").error().field, "description");
  EXPECT_EQ(svc.suggest(std::string(4001, 'a')).error().code, "too_long");
  EXPECT_EQ(svc.suggest("\xff").error().code, "invalid_utf8");
  EXPECT_TRUE(svc.suggest(std::string(4000, 'a')).ok());
}
