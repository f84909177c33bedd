// Notifications (SPEC §12) through the services, on a real database (SQLite here, and
// PostgreSQL as unit.pg.Notifications), with a clock the tests move: which messages a
// change writes, in its transaction; the scheduler's warnings and reminders at their
// times and once; nothing for tickets that no longer need it; opt-outs. And the texts of
// the catalogue (Messages): every message fits one SMS with its link.
#include <gtest/gtest.h>

#include "portal/core/messages.hpp"
#include "portal/core/utf8.hpp"
#include "server/service/notifications.hpp"
#include "tests/unit/service_fixture.hpp"

using namespace portal;
using namespace portal::server;
using core::Json;

namespace {

constexpr const char* kSecret = "a-shared-secret-of-the-gateway";
constexpr const char* kPublic = "https://rcb.rencheng.gov.cn";

class Notifications : public test::ServiceTest {
 protected:
  void SetUp() override {
    test::ServiceTest::SetUp();
    NotifyConfig c;
    c.webhook = "http://127.0.0.1:9/sms";
    c.secret = kSecret;
    c.public_url = kPublic;
    notes_ = std::make_unique<NotificationService>(
        *store_, org_, [this] { return now_; }, c);
    tickets_->set_notifications(notes_.get());
  }
  void TearDown() override {
    tickets_->set_notifications(nullptr);
    notes_.reset();
    test::ServiceTest::TearDown();
  }

  std::vector<NotificationRecord> all() {
    auto p = store_->list_notifications("", 1, 200);
    EXPECT_TRUE(p.ok());
    std::vector<NotificationRecord> out(p->items.rbegin(), p->items.rend());  // oldest first
    return out;
  }
  std::vector<NotificationRecord> of(const std::string& kind, const std::string& number = {}) {
    std::vector<NotificationRecord> out;
    for (auto& m : all())
      if (m.kind == kind && (number.empty() || m.ticket == number)) out.push_back(m);
    return out;
  }
  core::TicketReceipt submit(core::TicketDraft d, const Actor& who = Actor{},
                             SubmitOptions o = {}) {
    auto r = tickets_->submit(d, who, std::nullopt, o);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return *r;
  }
  Json act(const std::string& number, const Actor& a, Json body) {
    auto r = tickets_->act(number, a, body);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().code + ": " + r.error().message);
    return r.ok() ? *r : Json{};
  }
  Actor holder(const std::string& number) {
    auto t = store_->find_ticket(number);
    EXPECT_TRUE(t.ok() && *t);
    auto u = store_->find_user(std::stoll((*t)->assignee_id));
    EXPECT_TRUE(u.ok() && *u);
    return Actor::from_user(**u);
  }
  void schedule() {
    auto r = tickets_->run_scheduler();
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  core::TimePoint response_due(const std::string& number) {
    return (*store_->find_ticket(number))->response_due_at;
  }

  std::unique_ptr<NotificationService> notes_;
};

TEST_F(Notifications, SubmitWritesReceivedAndAssignedWithTheTicketAndNoneOnAReplay) {
  auto r = tickets_->submit(draft(), Actor{}, std::string("key-1"), {});
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->access_code);
  auto received = of("received", r->number);
  ASSERT_EQ(received.size(), 1u);
  const auto& m = received[0];
  EXPECT_EQ(m.phone, "13912345678");
  EXPECT_FALSE(m.user_id);
  EXPECT_EQ(m.lang, "zh");
  EXPECT_EQ(m.status, "pending");
  EXPECT_NE(m.text.find(r->number), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("查询码" + *r->access_code), std::string::npos) << m.text;
  EXPECT_EQ(m.link, std::string(kPublic) + "/t/" + r->number + "#c=" + *r->access_code);
  EXPECT_LE(*core::utf8_length(m.text), 140u) << m.text;
  EXPECT_EQ(m.id.size(), 32u);
  // The grid worker is told, with the link of the workbench.
  auto assigned = of("assigned", r->number);
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].user_id, holder(r->number).user_id);
  EXPECT_EQ(assigned[0].link, std::string(kPublic) + "/work/t/" + r->number);
  EXPECT_NE(assigned[0].text.find("夜间施工噪音"), std::string::npos) << assigned[0].text;
  // The same request again: the first ticket's answer, and no second message.
  auto again = tickets_->submit(draft(), Actor{}, std::string("key-1"), {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->number, r->number);
  EXPECT_EQ(all().size(), 2u);
}

TEST_F(Notifications, EnglishWhenAskedAndNoneForTheSubmitterWhoDeclined) {
  auto en = submit(draft(), Actor{}, {"en", true});
  auto m = of("received", en.number);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].lang, "en");
  EXPECT_EQ(m[0].text.rfind("Rencheng Portal: your report is received", 0), 0u) << m[0].text;
  auto off = submit(draft(), Actor{}, {"zh", false});
  EXPECT_TRUE(of("received", off.number).empty());
  EXPECT_EQ(of("assigned", off.number).size(), 1u);  // the handler still is
  // Resolved later: still nothing to the one who declined.
  act(off.number, holder(off.number), {{"action", "accept"}});
  act(off.number, holder(off.number), {{"action", "resolve"}, {"reply", "已处理"}});
  EXPECT_TRUE(of("resolved", off.number).empty());
}

TEST_F(Notifications, ResolveTellsTheSubmitterWithALinkThatOpensTheRating) {
  auto r = submit(draft());
  const Actor worker = holder(r.number);
  act(r.number, worker, {{"action", "accept"}});
  const std::string reply =
      "已联系施工单位，夜间22点后停止作业，并安排网格员每晚巡查，如再有噪音请拨打13812345678"
      "反映。施工方承诺在本周内完成剩余工序，期间每天早上7点后才开工，感谢您的监督和支持。";
  act(r.number, worker, {{"action", "resolve"}, {"reply", reply}});
  auto m = of("resolved", r.number);
  ASSERT_EQ(m.size(), 1u);
  // The code was kept sealed with the ticket: the link opens the rating without typing.
  EXPECT_EQ(m[0].link, std::string(kPublic) + "/t/" + r.number + "#c=" + *r.access_code + "&rate");
  EXPECT_LE(*core::utf8_length(m[0].text), 140u) << m[0].text;
  EXPECT_NE(m[0].text.find("已联系施工单位"), std::string::npos) << m[0].text;
  EXPECT_NE(m[0].text.find("…"), std::string::npos) << "a long reply is cut: " << m[0].text;
  EXPECT_EQ(m[0].text.find("13812345678"), std::string::npos) << "phones in a reply are masked";
  EXPECT_NE(m[0].text.find(m[0].link), std::string::npos) << "the link is in the text";
  // Rated not resolved: reopened, and the submitter hears it.
  auto rated =
      tickets_->rate(r.number, Actor{}, r.access_code, {{"resolved", false}, {"satisfaction", 2}});
  ASSERT_TRUE(rated.ok()) << rated.error().message;
  EXPECT_EQ(of("reopened", r.number).size(), 1u);
}

TEST_F(Notifications, EscalationTellsTheNewHolder) {
  auto r = submit(draft());
  const Actor worker = holder(r.number);
  act(r.number, worker, {{"action", "accept"}});
  act(r.number, worker, {{"action", "escalate"}, {"reason", "需要社区协调"}});
  auto m = of("assigned", r.number);
  ASSERT_GE(m.size(), 2u);
  EXPECT_EQ(m[0].user_id, worker.user_id);
  // The community's staff now: none of them is the grid worker.
  for (std::size_t i = 1; i < m.size(); ++i) {
    EXPECT_NE(m[i].user_id, worker.user_id);
    auto u = store_->find_user(*m[i].user_id);
    ASSERT_TRUE(u.ok() && *u);
    EXPECT_EQ((*u)->role, core::Role::community_staff);
  }
}

TEST_F(Notifications, ResponseWarningsAtTheirTimesOnceAndNotOnceAccepted) {
  // A normal ticket: two hours before its response limit.
  auto normal = submit(draft());
  const auto due = response_due(normal.number);
  now_ = due - std::chrono::hours(2) - std::chrono::minutes(1);
  schedule();
  EXPECT_TRUE(of("response_due_soon", normal.number).empty()) << "not yet";
  now_ = due - std::chrono::hours(2) + std::chrono::minutes(1);
  schedule();
  schedule();
  auto w = of("response_due_soon", normal.number);
  ASSERT_EQ(w.size(), 1u) << "once, however often the scheduler runs";
  EXPECT_EQ(w[0].user_id, holder(normal.number).user_id);
  EXPECT_NE(w[0].text.find("响应时限"), std::string::npos) << w[0].text;

  // An urgent one (30 minutes to respond) is warned 30 minutes before: at once.
  auto d = draft();
  d.category = "safety.gas_leak";
  d.description = "楼道里有很重的煤气味";
  auto urgent = submit(d);
  now_ += std::chrono::seconds(1);
  schedule();
  ASSERT_EQ(of("response_due_soon", urgent.number).size(), 1u);

  // Accepted meanwhile: a warning still waiting is not sent.
  auto pending = of("response_due_soon", normal.number)[0];
  act(normal.number, holder(normal.number), {{"action", "accept"}});
  auto why = notes_->reason_to_cancel(pending);
  ASSERT_TRUE(why.ok());
  EXPECT_EQ(*why, "no_longer_due");
}

TEST_F(Notifications, OneRatingReminderThreeDaysAfterResolveAndNoneOnceRatedOrClosed) {
  auto a = submit(draft());
  auto b = submit(draft());
  for (const auto& n : {a.number, b.number}) {
    act(n, holder(n), {{"action", "accept"}});
    act(n, holder(n), {{"action", "resolve"}, {"reply", "已处理完毕"}});
  }
  // b is rated within the three days: it closes, and is never reminded.
  ASSERT_TRUE(
      tickets_->rate(b.number, Actor{}, b.access_code, {{"resolved", true}, {"satisfaction", 5}})
          .ok());
  advance(std::chrono::hours(72) - std::chrono::minutes(1));
  schedule();
  EXPECT_TRUE(of("rating_reminder").empty()) << "not before three days";
  advance(std::chrono::minutes(2));
  schedule();
  schedule();
  auto r = of("rating_reminder");
  ASSERT_EQ(r.size(), 1u) << "one, for the unrated ticket only";
  EXPECT_EQ(r[0].ticket, a.number);
  EXPECT_EQ(r[0].link, std::string(kPublic) + "/t/" + a.number + "#c=" + *a.access_code + "&rate");
  // Closed automatically after seven days: nothing more, and a reminder still waiting
  // would not be sent.
  advance(std::chrono::hours(24 * 5));
  schedule();
  EXPECT_EQ((*store_->find_ticket(a.number))->status, core::Status::closed);
  EXPECT_EQ(of("rating_reminder").size(), 1u);
  auto why = notes_->reason_to_cancel(r[0]);
  ASSERT_TRUE(why.ok());
  EXPECT_EQ(*why, "no_longer_unrated");
}

TEST_F(Notifications, OverdueWarnsTheHolderWhenTheResolveLimitPassesNotAfterClose) {
  auto open = submit(draft());
  auto done = submit(draft());
  for (const auto& n : {open.number, done.number}) act(n, holder(n), {{"action", "accept"}});
  act(done.number, holder(done.number), {{"action", "resolve"}, {"reply", "已处理"}});
  ASSERT_TRUE(
      tickets_
          ->rate(done.number, Actor{}, done.access_code, {{"resolved", true}, {"satisfaction", 4}})
          .ok());
  const auto resolve_due = (*store_->find_ticket(open.number))->resolve_due_at;
  now_ = resolve_due - std::chrono::minutes(1);
  schedule();
  EXPECT_TRUE(of("overdue").empty());
  now_ = resolve_due + std::chrono::minutes(1);
  schedule();
  auto m = of("overdue");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].ticket, open.number);
  EXPECT_EQ(m[0].user_id, holder(open.number).user_id);
}

TEST_F(Notifications, ReplyKeywordsThroughTheSignedInboundWebhookOptOutAndBackIn) {
  const std::string body = Json{{"phone", "13912345678"}, {"text", " td "}}.dump();
  auto bad = notes_->inbound(body, "sha256=" + std::string(64, '0'));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().status, 401);
  auto ok = notes_->inbound(body, "sha256=" + sign_body(kSecret, body));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ((*ok)["action"], "opted_out");
  auto r = submit(draft());
  EXPECT_TRUE(of("received", r.number).empty());
  // A message written before the opt-out is not sent either.
  NotificationRecord earlier;
  earlier.kind = "received";
  earlier.phone = "+86 139 1234 5678";
  auto why = notes_->reason_to_cancel(earlier);
  ASSERT_TRUE(why.ok());
  EXPECT_EQ(*why, "opted_out");
  const std::string back = Json{{"phone", "13912345678"}, {"text", "订阅"}}.dump();
  ASSERT_EQ((*notes_->inbound(back, "sha256=" + sign_body(kSecret, back)))["action"], "opted_in");
  auto r2 = submit(draft());
  EXPECT_EQ(of("received", r2.number).size(), 1u);
  // Malformed: named by field.
  const std::string nophone = Json{{"text", "TD"}}.dump();
  auto e = notes_->inbound(nophone, "sha256=" + sign_body(kSecret, nophone));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().field, "phone");
}

TEST_F(Notifications, AnAccountsSettingTurnsItsMessagesOff) {
  UserRow u;
  u.phone = "13700001111";
  u.name = "周敏";
  u.role = core::Role::citizen;
  u.password_hash = "x";
  u.created_at = now_;
  auto id = store_->create_user(u);
  ASSERT_TRUE(id.ok());
  u.id = *id;
  const Actor citizen = Actor::from_user(u);
  auto d = draft();
  d.contact.phone = u.phone;
  auto on = submit(d, citizen);
  auto m = of("received", on.number);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].user_id, *id);
  EXPECT_EQ(m[0].link, std::string(kPublic) + "/t/" + on.number) << "no code for an account";
  auto set = notes_->set_prefs(*id, {{"enabled", false}});
  ASSERT_TRUE(set.ok());
  EXPECT_EQ((*set)["enabled"], false);
  auto off = submit(d, citizen);
  EXPECT_TRUE(of("received", off.number).empty());
  auto bad = notes_->set_prefs(*id, {{"lang", "fr"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "lang");
}

TEST_F(Notifications, TheAdminListMasksPhonesAndCodes) {
  auto r = submit(draft());
  auto page = notes_->list("pending", 1, 50);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ((*page)["total"], 2);
  const std::string text = page->dump();
  EXPECT_EQ(text.find("13912345678"), std::string::npos) << text;
  EXPECT_EQ(text.find(*r.access_code), std::string::npos) << text;
  EXPECT_NE(text.find("139****5678"), std::string::npos) << text;
  auto bad = notes_->list("sent", 1, 50);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "status");
}

TEST_F(Notifications, NothingIsWrittenWithoutAWebhook) {
  NotificationService off(
      *store_, org_, [this] { return now_; }, NotifyConfig{});
  tickets_->set_notifications(&off);
  auto r = submit(draft());
  act(r.number, holder(r.number), {{"action", "accept"}});
  schedule();
  EXPECT_TRUE(all().empty());
  tickets_->set_notifications(notes_.get());
}

// [SECTION] The catalogue

TEST(Messages, EveryKindFitsOneSmsWithItsLinkInBothLanguages) {
  const std::string number = "RC2026112500000123";
  const std::string long_text(400, 'x');
  std::string long_zh;
  for (int i = 0; i < 100; ++i) long_zh += "路灯不亮";
  for (auto kind :
       {core::MessageKind::received, core::MessageKind::resolved, core::MessageKind::reopened,
        core::MessageKind::rating_reminder, core::MessageKind::assigned,
        core::MessageKind::response_due_soon, core::MessageKind::overdue,
        core::MessageKind::followed_resolved, core::MessageKind::merged}) {
    for (std::string lang : {"zh", "en"}) {
      core::MessageFields f;
      f.number = number;
      f.access_code = core::to_citizen(kind) ? "ABCD2345" : "";
      f.link = core::message_link(kPublic, kind, number, f.access_code);
      f.reply = f.summary = lang == "zh" ? long_zh : long_text;
      f.category = lang == "zh" ? "燃气泄漏" : "Gas leak";
      f.due = core::parse_iso("2026-11-25T06:30:00Z");
      f.target = "RC2026112500000456";
      const std::string text = core::render_message(kind, lang, f);
      SCOPED_TRACE(std::string(core::to_string(kind)) + " " + lang + ": " + text);
      EXPECT_LE(*core::utf8_length(text), core::message_max_chars(lang));
      EXPECT_NE(text.find(number), std::string::npos);
      EXPECT_NE(text.find(f.link), std::string::npos);
      if (kind == core::MessageKind::received) EXPECT_NE(text.find("ABCD2345"), std::string::npos);
      if (kind == core::MessageKind::merged) EXPECT_NE(text.find(f.target), std::string::npos);
      if (kind == core::MessageKind::response_due_soon)
        EXPECT_NE(text.find(lang == "zh" ? "11月25日14:30" : "25 Nov 14:30"), std::string::npos);
    }
  }
}

TEST(Messages, LinksOpenTheTicketAndNeverCarryAPhone) {
  using core::MessageKind;
  EXPECT_EQ(core::message_link("https://a.b/", MessageKind::received, "RC1", "CODE"),
            "https://a.b/t/RC1#c=CODE");
  EXPECT_EQ(core::message_link("https://a.b", MessageKind::resolved, "RC1", "CODE"),
            "https://a.b/t/RC1#c=CODE&rate");
  EXPECT_EQ(core::message_link("https://a.b", MessageKind::rating_reminder, "RC1", ""),
            "https://a.b/t/RC1#rate");
  EXPECT_EQ(core::message_link("https://a.b", MessageKind::overdue, "RC1", ""),
            "https://a.b/work/t/RC1");
  // A follower cannot rate: the link opens the ticket only.
  EXPECT_EQ(core::message_link("https://a.b", MessageKind::followed_resolved, "RC1", ""),
            "https://a.b/t/RC1");
  // A new ticket's messages are written before its number: measured as if it were one.
  core::MessageFields f;
  f.number = "{number}";
  f.summary = std::string(300, 'y');
  f.link = core::message_link("https://a.b", MessageKind::assigned, "{number}", "");
  std::string text = core::render_message(MessageKind::assigned, "en", f);
  for (auto at = text.find("{number}"); at != std::string::npos; at = text.find("{number}"))
    text.replace(at, 8, "RC2026112500000123");
  EXPECT_LE(*core::utf8_length(text), core::message_max_chars("en")) << text;
}

TEST(Messages, AReplysOwnFullStopDoesNotDoubleTheTemplates) {
  core::MessageFields f;
  f.number = "RC2026112500000123";
  f.link = "https://a.b/t/RC2026112500000123#rate";
  f.reply = "已更换灯泡。\n";
  const std::string zh = core::render_message(core::MessageKind::resolved, "zh", f);
  EXPECT_NE(zh.find("已更换灯泡。解决了吗？"), std::string::npos) << zh;
  f.reply = "The bulb is replaced. ";
  const std::string en = core::render_message(core::MessageKind::resolved, "en", f);
  EXPECT_NE(en.find("The bulb is replaced. Is it fixed?"), std::string::npos) << en;
}

TEST(Messages, SignaturesAreHmacSha256OfTheRawBody) {
  // RFC 4231 test case 2.
  EXPECT_EQ(sign_body("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_TRUE(
      signature_valid("Jefe", "what do ya want for nothing?",
                      "sha256=5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843"));
  EXPECT_FALSE(
      signature_valid("Jefe", "what do ya want for nothing!",
                      "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
  EXPECT_FALSE(signature_valid("Jefe", "x", ""));
  EXPECT_EQ(mask_phone("13912345678"), "139****5678");
  EXPECT_EQ(phone_key("+86 139-1234-5678"), phone_key("13912345678"));
}

}  // namespace
