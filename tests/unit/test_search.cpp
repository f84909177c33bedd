// The ticket list's text search: the tokens (core/search.hpp) and the stores' index,
// on SQLite and (unit.pg.Search) PostgreSQL.
#include <gtest/gtest.h>

#include <algorithm>

#include "portal/core/search.hpp"
#include "server/store/sqlite/sqlite_store.hpp"
#include "tests/unit/service_fixture.hpp"

using namespace portal;
using namespace portal::server;

namespace {

using Tokens = std::vector<std::string>;

}  // namespace

// [SECTION] Tokens

TEST(SearchTokens, ChineseRunsBecomePairsThenTheirLastCharacter) {
  EXPECT_EQ(core::search_tokens("路灯不亮"), (Tokens{"路灯", "灯不", "不亮", "亮"}));
  EXPECT_EQ(core::search_tokens("噪"), (Tokens{"噪"}));
  // Punctuation and spaces end a run; no pair spans them.
  EXPECT_EQ(core::search_tokens("噪音，扰民 吵"), (Tokens{"噪音", "音", "扰民", "民", "吵"}));
  EXPECT_EQ(core::search_token_text("路灯。"), "路灯 灯");
}

TEST(SearchTokens, AsciiIsFoldedAndMixedRunsStayWhole) {
  EXPECT_EQ(core::search_tokens("LED灯"), (Tokens{"le", "ed", "d灯", "灯"}));
  // Full-width letters and digits are their ASCII selves.
  EXPECT_EQ(core::search_tokens("１２Ｂ"), (Tokens{"12", "2b", "b"}));
  EXPECT_EQ(core::search_tokens("3号楼"), (Tokens{"3号", "号楼", "楼"}));
  EXPECT_TRUE(core::search_tokens(" ，。!?- ").empty());
  // Invalid bytes separate instead of failing.
  EXPECT_EQ(core::search_tokens("a\xff"
                                "b"),
            (Tokens{"a", "b"}));
}

TEST(SearchTokens, AQueryIsItsRunsEachEndingInAPrefix) {
  EXPECT_EQ(core::search_query_runs("路灯"), (std::vector<Tokens>{{"路灯", "灯"}}));
  EXPECT_EQ(core::search_query_runs("路"), (std::vector<Tokens>{{"路"}}));
  EXPECT_EQ(core::search_query_runs("Lamp 路口"),
            (std::vector<Tokens>{{"la", "am", "mp", "p"}, {"路口", "口"}}));
  EXPECT_TRUE(core::search_query_runs("，").empty());
}

TEST(SearchTokens, TicketNumberPrefixes) {
  EXPECT_EQ(core::ticket_number_prefix("rc2026"), "RC2026");
  EXPECT_EQ(core::ticket_number_prefix(" RC2026112500000001 "), "RC2026112500000001");
  EXPECT_EQ(core::ticket_number_prefix("RC"), "RC");
  EXPECT_EQ(core::ticket_number_prefix("20261125"), "RC20261125");
  EXPECT_EQ(core::ticket_number_prefix("12345"), std::nullopt);  // an address number, maybe
  EXPECT_EQ(core::ticket_number_prefix("RC20x"), std::nullopt);
  EXPECT_EQ(core::ticket_number_prefix("路灯"), std::nullopt);
  EXPECT_EQ(core::ticket_number_prefix_end("RC2026"), "RC2027");
  EXPECT_EQ(core::ticket_number_prefix_end("RC2029"), "RC203");
  EXPECT_EQ(core::ticket_number_prefix_end("RC"), "RD");
}

// [SECTION] The stores' index

namespace {

class Search : public test::ServiceTest {
 protected:
  // Submits a ticket; returns its number.
  std::string submit(const std::string& description, const std::string& address,
                     const std::string& category = "env.noise", const std::string& grid = {}) {
    auto d = draft();
    d.description = description;
    d.location.address = address;
    d.category = category;
    if (!grid.empty()) d.grid_id = grid;
    auto r = tickets_->submit(d, Actor{});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    advance(std::chrono::seconds(60));
    return r.ok() ? r->number : "";
  }
  // The numbers a filter lists, in the order listed; the total must agree.
  std::vector<std::string> found(TicketFilter f) {
    f.page_size = 200;
    auto page = store_->list_tickets(f);
    EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().message);
    std::vector<std::string> out;
    if (!page.ok()) return out;
    for (const auto& t : page->items) out.push_back(t.number);
    EXPECT_EQ(page->total, static_cast<std::int64_t>(out.size())) << f.q;
    return out;
  }
  std::vector<std::string> found(const std::string& q) {
    TicketFilter f;
    f.q = q;
    return found(f);
  }
  using V = std::vector<std::string>;
};

}  // namespace

TEST_F(Search, ChineseOfOneTwoAndMoreCharactersAnywhereInTheText) {
  const auto lamp = submit("小区门口的路灯不亮，晚上很黑", "幸福路12号");
  const auto noise = submit("夜间施工噪音很大，影响休息", "古槐路");
  const auto other = submit("垃圾桶满了没人清理", "建设街");
  // Newest first.
  EXPECT_EQ(found("路"), (V{noise, lamp}));  // 路灯 in one, 古槐路 (an address's end) in both
  EXPECT_EQ(found("灯"), (V{lamp}));
  EXPECT_EQ(found("噪音"), (V{noise}));
  EXPECT_EQ(found("路灯"), (V{lamp}));
  EXPECT_EQ(found("灯不亮"), (V{lamp}));
  EXPECT_EQ(found("小区门口的路灯不亮"), (V{lamp}));
  EXPECT_EQ(found("亮"), (V{lamp}));  // the last character of a run
  EXPECT_EQ(found("清理"), (V{other}));
  // Substrings only: the characters apart, or in another order, are not the text.
  EXPECT_EQ(found("路亮"), V{});
  EXPECT_EQ(found("灯路"), V{});
  EXPECT_EQ(found("门口的灯"), V{});
  // Separate words of a query must each be there.
  EXPECT_EQ(found("路灯 很黑"), (V{lamp}));
  EXPECT_EQ(found("路灯 噪音"), V{});
  // A query of punctuation alone finds nothing.
  EXPECT_EQ(found("，"), V{});
}

TEST_F(Search, TheAddressIsSearchedButNoPhraseSpansItAndTheDescription) {
  const auto a = submit("井盖丢了好几天", "幸福路12号");
  const auto b = submit("井盖松动，幸福", "路口东侧");
  EXPECT_EQ(found("幸福路"), (V{a}));
  EXPECT_EQ(found("12号"), (V{a}));
  EXPECT_EQ(found("路12"), (V{a}));
  EXPECT_EQ(found("路口"), (V{b}));
  EXPECT_EQ(found("井盖"), (V{b, a}));
}

TEST_F(Search, AsciiWithoutCaseAndInsideWords) {
  const auto a = submit("LED street lamp is broken 已经坏了", "Main Road 5");
  const auto b = submit("Streetlight flickers 一闪一闪的", "某小区");
  EXPECT_EQ(found("led"), (V{a}));
  EXPECT_EQ(found("STREET"), (V{b, a}));
  EXPECT_EQ(found("treetl"), (V{b}));
  EXPECT_EQ(found("road 5"), (V{a}));
  EXPECT_EQ(found("main road"), (V{a}));
  EXPECT_EQ(found("lamps"), V{});
  // Full-width input is its ASCII self.
  EXPECT_EQ(found("ＬＥＤ"), (V{a}));
}

TEST_F(Search, TicketNumbersByPrefixAndWhole) {
  const auto a = submit("路灯不亮好几天", "某小区");
  const auto b = submit("噪音扰民很严重", "某小区");
  ASSERT_EQ(a.substr(0, 10), "RC20261125");
  EXPECT_EQ(found(a), (V{a}));
  EXPECT_EQ(found(b), (V{b}));
  EXPECT_EQ(found("rc20261125"), (V{b, a}));
  EXPECT_EQ(found("20261125"), (V{b, a}));
  EXPECT_EQ(found(a.substr(0, 17)), (V{b, a}));
  EXPECT_EQ(found("RC2025"), V{});
}

TEST_F(Search, CombinedWithEveryFilterAndTheScope) {
  const auto grids = org_->data().grids;
  ASSERT_GE(grids.size(), 2u);
  const auto a = submit("路灯不亮好几天", "某小区", "env.noise", grids[0].id);
  const auto b = submit("路灯歪了快倒了", "某小区", "env.noise", grids[1].id);
  const auto c = submit("路灯灯罩掉了", "某小区", "city.streetlight", grids[0].id);
  const auto d = submit("噪音扰民很严重", "某小区", "env.noise", grids[0].id);
  // b is accepted and overdue.
  auto t = store_->find_ticket(b);
  ASSERT_TRUE(t.ok() && t->has_value());
  TicketChange change{**t};
  change.ticket.status = core::Status::accepted;
  change.ticket.overdue = true;
  ASSERT_TRUE(store_->commit_change(change).ok());

  // On SQLite, once reading the filtered tickets' texts, once through the index.
  auto* lite = dynamic_cast<SqliteStore*>(store_.get());
  for (int limit : {5000, 0}) {
    if (lite) lite->set_search_scan_limit(limit);
    if (!lite && limit == 0) break;
    SCOPED_TRACE(limit);
    TicketFilter f;
    f.q = "路灯";
    EXPECT_EQ(found(f), (V{c, b, a}));
    f.grid_ids = {grids[0].id};
    EXPECT_EQ(found(f), (V{c, a}));
    f.category = "city.streetlight";
    EXPECT_EQ(found(f), (V{c}));
    f = {};
    f.q = "路灯";
    f.status = core::Status::accepted;
    EXPECT_EQ(found(f), (V{b}));
    f = {};
    f.q = "路灯";
    f.overdue_only = true;
    EXPECT_EQ(found(f), (V{b}));
    f = {};
    f.q = "噪音";
    f.grid_ids = {grids[1].id};
    EXPECT_EQ(found(f), V{});
    f.grid_ids = {grids[0].id};
    EXPECT_EQ(found(f), (V{d}));
    // Paged: the total counts every match, the page holds its share.
    f = {};
    f.q = "路灯";
    f.page_size = 2;
    f.page = 2;
    auto page = store_->list_tickets(f);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->total, 3);
    ASSERT_EQ(page->items.size(), 1u);
    EXPECT_EQ(page->items[0].number, a);
    // A number and a text together.
    f = {};
    f.q = "20261125";
    f.grid_ids = {grids[0].id};
    EXPECT_EQ(found(f), (V{d, c, a}));
    f.q = "噪音 扰民";
    EXPECT_EQ(found(f), (V{d}));
    f.q = "扰民噪音";
    EXPECT_EQ(found(f), V{});
  }
}

TEST_F(Search, ANewDescriptionOrAddressIsFoundAndTheOldOneIsNot) {
  const auto a = submit("路灯不亮好几天", "幸福路");
  const auto b = submit("路灯不亮好几天", "幸福路");
  auto t = store_->find_ticket(a);
  ASSERT_TRUE(t.ok() && t->has_value());
  TicketChange change{**t};
  change.ticket.draft.description = "井盖丢失很危险";
  change.ticket.draft.location.address = "建设街";
  ASSERT_TRUE(store_->commit_change(change).ok());
  EXPECT_EQ(found("井盖"), (V{a}));
  EXPECT_EQ(found("建设"), (V{a}));
  EXPECT_EQ(found("路灯"), (V{b}));
  EXPECT_EQ(found("幸福"), (V{b}));
  // A change that leaves the text alone keeps it found, once.
  t = store_->find_ticket(a);
  ASSERT_TRUE(t.ok() && t->has_value());
  TicketChange again{**t};
  again.ticket.reply = "已处理";
  ASSERT_TRUE(store_->commit_change(again).ok());
  EXPECT_EQ(found("井盖"), (V{a}));
}

TEST_F(Search, TicketsFromBeforeTheIndexAreIndexedWhenMigrating) {
  const auto a = submit("路灯不亮好几天", "幸福路");
  const auto b = submit("噪音扰民很严重", "建设街");
  // As a database from before migration 0020 would be.
  ASSERT_TRUE(
      raw_sql("DROP TABLE ticket_search; DROP TABLE ticket_search_backfill; "
              "DELETE FROM schema_migrations WHERE version = 20"));
  auto applied = store_->migrate();
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  EXPECT_EQ(*applied, 1);
  EXPECT_EQ(found("路灯"), (V{a}));
  EXPECT_EQ(found("建设"), (V{b}));
  const auto c = submit("路灯歪了快倒了", "某小区");
  EXPECT_EQ(found("路灯"), (V{c, a}));
  // Done: migrating again indexes nothing twice.
  ASSERT_TRUE(store_->migrate().ok());
  EXPECT_EQ(found("路灯"), (V{c, a}));
}

TEST_F(Search, AScopeSeesOnlyItsOwnMatches) {
  // Through the service, as GET /tickets?scope=all&q= does: a grid worker's area only.
  const Actor worker = actor("gw0001");
  ASSERT_FALSE(worker.grid_ids.empty());
  std::string elsewhere;
  for (const auto& g : org_->data().grids)
    if (std::find(worker.grid_ids.begin(), worker.grid_ids.end(), g.id) == worker.grid_ids.end())
      elsewhere = g.id;
  ASSERT_FALSE(elsewhere.empty());
  const auto mine = submit("路灯不亮好几天", "某小区", "env.noise", worker.grid_ids[0]);
  submit("路灯不亮好几天", "某小区", "env.noise", elsewhere);
  ListQuery q;
  q.scope = "all";
  q.q = "路灯";
  auto page = tickets_->list(q, worker);
  ASSERT_TRUE(page.ok()) << page.error().message;
  const auto items = (*page)["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["number"], mine);
  EXPECT_EQ((*page)["total"], 1);
  auto everything = tickets_->list(q, actor("admin"));
  ASSERT_TRUE(everything.ok());
  EXPECT_EQ((*everything)["total"], 2);
}

TEST_F(Search, ReadingTheTextsFindsWhatTheIndexFinds) {
  auto* lite = dynamic_cast<SqliteStore*>(store_.get());
  if (!lite) GTEST_SKIP() << "SQLite's two ways only";
  const auto grid = org_->data().grids[0].id;
  const std::vector<std::pair<std::string, std::string>> texts = {
      {"小区门口的路灯不亮，晚上很黑", "幸福路12号"},
      {"LED street lamp 坏了（已报修）", "Main Road 5号"},
      {"噪音扰民！！夜里两点还在施工", "古槐路"},
      {"ＡＢＣ全角字母，井盖丢失", "建设街３号楼"}};
  for (const auto& [d, a] : texts) submit(d, a, "env.noise", grid);
  for (const std::string q :
       {"路", "路灯", "灯不亮", "12号", "路12", "LED", "led lamp", "road 5号", "噪音 施工",
        "扰民夜", "abc", "3号楼", "全角 井盖", "幸福 古槐", "灯。"}) {
    TicketFilter f;
    f.q = q;
    f.grid_ids = {grid};
    lite->set_search_scan_limit(0);
    const auto indexed = found(f);
    lite->set_search_scan_limit(5000);
    EXPECT_EQ(found(f), indexed) << q;
    EXPECT_EQ(found(q), indexed) << q;  // no filter: the index alone
  }
}
