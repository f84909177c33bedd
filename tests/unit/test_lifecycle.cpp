// The ticket lifecycle through the service, on a real SQLite file seeded with the
// demo organisation, with a clock the tests move.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "tests/image_samples.hpp"
#include "tests/unit/service_fixture.hpp"

using namespace portal;
using namespace portal::server;
using core::Json;

namespace {

class Lifecycle : public test::ServiceTest {
 protected:
  // The first account matching the predicate.
  template <class Pred>
  Actor find_actor(Pred pred) {
    auto users = store_->users(1, 10000);
    EXPECT_TRUE(users.ok());
    for (const auto& u : *users)
      if (pred(u)) return Actor::from_user(u);
    ADD_FAILURE() << "no such account";
    return Actor{};
  }
  Actor grid_worker_of(const std::string& grid) {
    return find_actor([&](const UserRow& u) {
      return u.role == core::Role::grid_worker && !u.grid_ids.empty() && u.grid_ids[0] == grid;
    });
  }
  Actor staff(core::Role role, const std::string& community, const std::string& street) {
    return find_actor([&](const UserRow& u) {
      return u.role == role && (community.empty() || u.community_id == community) &&
             (street.empty() || u.street_id == street);
    });
  }
  Actor unit_staff(const std::string& unit) {
    return find_actor(
        [&](const UserRow& u) { return u.role == core::Role::unit_staff && u.unit_id == unit; });
  }

  struct Submitted {
    std::string number, code, grid, community, street;
  };
  Submitted submit(core::TicketDraft d) {
    auto r = tickets_->submit(d, Actor{});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    auto t = store_->find_ticket(r->number);
    return {r->number, r->access_code.value_or(""), (*t)->draft.grid_id.value_or(""),
            (*t)->community_id.value_or(""), (*t)->street_id.value_or("")};
  }
  core::Result<Json> act(const Submitted& s, const Actor& a, Json body) {
    return tickets_->act(s.number, a, body);
  }
  Json ok(core::Result<Json> r) {
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().code + ": " + r.error().message);
    return r.ok() ? *r : Json{};
  }
  int status_of(const core::Result<Json>& r) { return r.ok() ? 200 : r.error().status; }
  std::vector<std::string> actions_of(const Submitted& s) {
    auto evs = tickets_->events(s.number, Actor{}, s.code);
    std::vector<std::string> out;
    for (const auto& e : (*evs)["items"]) out.push_back(e["action"]);
    return out;
  }
};

}  // namespace

TEST_F(Lifecycle, SubmissionIsRoutedToTheGridWorker) {
  auto s = submit(draft());
  EXPECT_EQ(s.grid, *org_->locate(35.41, 116.58));
  auto t = tickets_->get(s.number, Actor{}, s.code);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)["status"], "assigned");
  EXPECT_EQ((*t)["level"], "grid");
  EXPECT_EQ((*t)["assignee"]["kind"], "user");
  EXPECT_EQ(actions_of(s), (std::vector<std::string>{"submit", "assign"}));
  // The grid worker sees the whole phone number and may accept; a citizen may not.
  auto gw = grid_worker_of(s.grid);
  auto as_worker = ok(tickets_->get(s.number, gw, std::nullopt));
  EXPECT_EQ(as_worker["contact"]["phone"], "13912345678");
  EXPECT_NE(
      std::find(as_worker["allowed_actions"].begin(), as_worker["allowed_actions"].end(), "accept"),
      as_worker["allowed_actions"].end());
  EXPECT_TRUE((*t)["allowed_actions"].empty() ||
              std::find((*t)["allowed_actions"].begin(), (*t)["allowed_actions"].end(), "accept") ==
                  (*t)["allowed_actions"].end());
}

TEST_F(Lifecycle, OutsideEveryGridGoesToTheDistrictCentre) {
  auto s = submit(draft(35.0, 116.0));
  auto t = ok(tickets_->get(s.number, Actor{}, s.code));
  EXPECT_EQ(t["level"], "district");
  EXPECT_EQ(t["assignee"]["name"], "任城区政务热线服务中心");
}

TEST_F(Lifecycle, OtherScopesCannotSeeOrAct) {
  auto s = submit(draft());
  // A worker of another grid: the ticket does not exist for them.
  auto other = find_actor([&](const UserRow& u) {
    return u.role == core::Role::grid_worker && !u.grid_ids.empty() && u.grid_ids[0] != s.grid;
  });
  EXPECT_EQ(status_of(tickets_->get(s.number, other, std::nullopt)), 404);
  EXPECT_EQ(status_of(act(s, other, {{"action", "accept"}})), 404);
  // Anonymous callers cannot act.
  EXPECT_EQ(status_of(act(s, Actor{}, {{"action", "accept"}})), 401);
  // District staff see it but do not hold it at grid level.
  auto ds = staff(core::Role::district_staff, "", "");
  EXPECT_TRUE(tickets_->get(s.number, ds, std::nullopt).ok());
  EXPECT_EQ(status_of(act(s, ds, {{"action", "accept"}})), 403);
  // The auditor reads but never acts.
  auto auditor = actor("auditor");
  EXPECT_TRUE(tickets_->get(s.number, auditor, std::nullopt).ok());
  EXPECT_EQ(status_of(act(s, auditor, {{"action", "accept"}})), 403);
}

TEST_F(Lifecycle, FullChainEscalationWhistlesResolveRate) {
  auto s = submit(draft());
  auto gw = grid_worker_of(s.grid);
  ok(act(s, gw, {{"action", "accept"}}));
  ok(act(s, gw, {{"action", "progress"}, {"note", "已到现场查看"}}));
  // Forbidden: resolve with nothing to say; unknown action; accept twice.
  EXPECT_EQ(status_of(act(s, gw, {{"action", "resolve"}})), 422);
  EXPECT_EQ(status_of(act(s, gw, {{"action", "fly"}})), 422);
  EXPECT_EQ(status_of(act(s, gw, {{"action", "accept"}})), 409);

  auto t = ok(act(s, gw, {{"action", "escalate"}, {"reason", "需社区协调"}}));
  EXPECT_EQ(t["level"], "community");
  EXPECT_EQ(t["status"], "assigned");
  EXPECT_EQ(status_of(act(s, gw, {{"action", "accept"}})), 403);  // no longer theirs

  auto cs = staff(core::Role::community_staff, s.community, "");
  ok(act(s, cs, {{"action", "accept"}}));
  t = ok(act(s, cs, {{"action", "escalate"}, {"reason", "涉及多个部门"}}));
  EXPECT_EQ(t["level"], "street");

  auto ss = staff(core::Role::street_staff, "", s.street);
  ok(act(s, ss, {{"action", "accept"}}));
  // Whistling: unknown units and bad lists are refused by field.
  EXPECT_EQ(status_of(act(s, ss, {{"action", "whistle"}, {"unit_ids", Json::array()}})), 422);
  auto bad = act(s, ss, {{"action", "whistle"}, {"unit_ids", {"dept.urban", "no.such"}}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "unit_ids.1");
  t = ok(act(s, ss,
             {{"action", "whistle"},
              {"unit_ids", {"dept.urban", "dept.ecology"}},
              {"note", "请城管、环保到场"}}));
  ASSERT_EQ(t["whistles"].size(), 2u);
  EXPECT_EQ(t["whistles"][0]["status"], "summoned");
  // Resolving with open whistles is a conflict.
  auto early = act(s, ss, {{"action", "resolve"}, {"reply", "已处理"}});
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().status, 409);
  EXPECT_EQ(early.error().code, "whistles_open");

  for (const auto& w : t["whistles"]) {
    auto us = unit_staff(w["unit_id"]);
    // The unit sees the whistled ticket; finishing before checking in is a conflict.
    EXPECT_TRUE(tickets_->get(s.number, us, std::nullopt).ok());
    EXPECT_EQ(status_of(act(s, us, {{"action", "whistle_done"}, {"whistle_id", w["id"]}})), 409);
    ok(act(s, us, {{"action", "checkin"}, {"whistle_id", w["id"]}}));
    ok(act(s, us, {{"action", "whistle_done"}, {"whistle_id", w["id"]}, {"note", "已整改"}}));
  }
  // A unit that was not whistled sees nothing.
  EXPECT_EQ(status_of(tickets_->get(s.number, unit_staff("dept.health"), std::nullopt)), 404);

  t = ok(act(s, ss, {{"action", "resolve"}, {"reply", "施工单位已调整作业时间"}}));
  EXPECT_EQ(t["status"], "resolved");
  EXPECT_EQ(t["reply"], "施工单位已调整作业时间");

  t = ok(tickets_->rate(s.number, Actor{}, s.code,
                        {{"resolved", true}, {"satisfaction", 5}, {"comment", "很满意"}}));
  EXPECT_EQ(t["status"], "closed");
  EXPECT_EQ(t["rating"]["satisfaction"], 5);
  // The page is written as text directly: it must read back as the same JSON, printed
  // the way Json::dump() prints it, whistles and rating included, for each reader.
  for (const Actor& reader : {ss, Actor{}}) {
    auto text = tickets_->get_json(s.number, reader, s.code);
    ASSERT_TRUE(text.ok());
    const auto page = Json::parse(*text);
    EXPECT_EQ(page.dump(), *text);
    EXPECT_EQ(page["whistles"].size(), 2u);
    EXPECT_EQ(page["whistles"][1]["status"], "done");
    EXPECT_EQ(page["rating"]["comment"], "很满意");
    EXPECT_EQ(page["street"]["id"], s.street);
    EXPECT_TRUE(page["location"]["lat"].is_number_float());
  }
  // Lists are written as text directly too.
  ListQuery all;
  all.scope = "all";
  auto list = tickets_->list_json(all, ss);
  ASSERT_TRUE(list.ok());
  const auto rows = Json::parse(*list);
  EXPECT_EQ(rows.dump(), *list);
  ASSERT_GE(rows["items"].size(), 1u);
  EXPECT_EQ(rows["items"][0]["number"], s.number);
  EXPECT_FALSE(rows["items"][0].contains("contact"));
  EXPECT_GE(rows["total"], 1);
  // Closed is final.
  EXPECT_EQ(status_of(tickets_->rate(s.number, Actor{}, s.code,
                                     {{"resolved", true}, {"satisfaction", 5}})),
            409);

  auto verify = tickets_->verify_audit();
  ASSERT_TRUE(verify.ok());
  EXPECT_TRUE(verify->failures.empty());
  EXPECT_GE(verify->events, 15);
}

TEST_F(Lifecycle, ReopenTwiceEscalatesOnTheSecond) {
  auto s = submit(draft());
  auto gw = grid_worker_of(s.grid);
  ok(act(s, gw, {{"action", "accept"}}));
  ok(act(s, gw, {{"action", "resolve"}, {"reply", "已处理"}}));
  // Bad ratings are refused by field.
  auto bad = tickets_->rate(s.number, Actor{}, s.code, {{"resolved", true}, {"satisfaction", 6}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "satisfaction");
  auto t =
      ok(tickets_->rate(s.number, Actor{}, s.code, {{"resolved", false}, {"satisfaction", 3}}));
  EXPECT_EQ(t["status"], "in_progress");
  EXPECT_EQ(t["level"], "grid");
  EXPECT_EQ(t["reopen_count"], 1);
  ok(act(s, gw, {{"action", "resolve"}, {"reply", "再次处理"}}));
  t = ok(tickets_->rate(s.number, Actor{}, s.code, {{"resolved", true}, {"satisfaction", 2}}));
  EXPECT_EQ(t["reopen_count"], 2);
  EXPECT_EQ(t["level"], "community");
  // Only the submitter rates: a wrong code is a not-found.
  EXPECT_EQ(status_of(tickets_->rate(s.number, Actor{}, std::string("WRONG234"),
                                     {{"resolved", true}, {"satisfaction", 5}})),
            404);
}

TEST_F(Lifecycle, UnansweredTicketsEscalateAtTheResponseLimit) {
  auto s = submit(draft());  // normal class: respond within 24 h
  advance(std::chrono::hours(23));
  auto r = tickets_->run_scheduler();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->escalated, 0);
  advance(std::chrono::hours(2));
  r = tickets_->run_scheduler();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->escalated, 1);
  auto t = ok(tickets_->get(s.number, Actor{}, s.code));
  EXPECT_EQ(t["level"], "community");
  EXPECT_EQ(t["status"], "assigned");
  // The community gets a fresh response clock.
  EXPECT_EQ(t["response_due_at"], core::format_iso(now_ + std::chrono::hours(24)));
  auto acts = actions_of(s);
  EXPECT_EQ(acts.back(), "auto_escalate");
  // An accepted ticket is not escalated.
  auto s2 = submit(draft());
  ok(act(s2, grid_worker_of(s2.grid), {{"action", "accept"}}));
  advance(std::chrono::hours(30));
  r = tickets_->run_scheduler();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ok(tickets_->get(s2.number, Actor{}, s2.code))["level"], "grid");
}

TEST_F(Lifecycle, OverdueFlagAndAutoClose) {
  auto s = submit(draft());
  auto gw = grid_worker_of(s.grid);
  ok(act(s, gw, {{"action", "accept"}}));
  advance(std::chrono::hours(24 * 10));  // past 5 working days
  auto r = tickets_->run_scheduler();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->flagged_overdue, 1);
  EXPECT_TRUE(ok(tickets_->get(s.number, Actor{}, s.code))["overdue"].get<bool>());
  ok(act(s, gw, {{"action", "resolve"}, {"reply", "已处理"}}));
  advance(std::chrono::hours(24 * 6));
  EXPECT_EQ(tickets_->run_scheduler()->closed, 0);
  advance(std::chrono::hours(24 * 2));
  EXPECT_EQ(tickets_->run_scheduler()->closed, 1);
  EXPECT_EQ(ok(tickets_->get(s.number, Actor{}, s.code))["status"], "closed");
}

// A merge names a ticket the actor may act on: one outside its scope is refused exactly
// as a number that does not exist, so that the answer tells nothing about the other.
TEST_F(Lifecycle, MergeOnlyIntoATicketInTheActorsScope) {
  auto dup = submit(draft());
  auto gw = grid_worker_of(dup.grid);
  core::TicketDraft elsewhere_draft = draft();
  elsewhere_draft.grid_id = actor("gw0002").grid_ids.at(0);
  if (elsewhere_draft.grid_id == dup.grid) elsewhere_draft.grid_id = actor("gw0003").grid_ids.at(0);
  auto elsewhere = submit(elsewhere_draft);
  ASSERT_NE(elsewhere.grid, dup.grid);
  std::string unknown = elsewhere.number;
  unknown.replace(unknown.size() - 4, 4, "9999");
  auto outside = act(dup, gw, {{"action", "merge"}, {"into", elsewhere.number}});
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().status, 422);
  EXPECT_EQ(outside.error().code, "invalid_merge_target");
  EXPECT_EQ(outside.error().field, "into");
  for (const std::string& into : {unknown, std::string("RC1"), std::string("x")}) {
    auto r = act(dup, gw, {{"action", "merge"}, {"into", into}});
    ASSERT_FALSE(r.ok()) << into;
    EXPECT_EQ(core::error_body(r.error()), core::error_body(outside.error())) << into;
  }
  // A citizen learns nothing either, whatever the number.
  const Actor cz = actor("cz001");
  auto own = tickets_->submit(draft(), cz);
  ASSERT_TRUE(own.ok());
  for (const std::string& into : {elsewhere.number, unknown}) {
    auto r = tickets_->act(own->number, cz, {{"action", "merge"}, {"into", into}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(core::error_body(r.error()), core::error_body(outside.error())) << into;
  }
  // The district centre's scope is the whole district.
  auto ds = staff(core::Role::district_staff, "", "");
  auto t = ok(act(dup, ds, {{"action", "merge"}, {"into", elsewhere.number}}));
  EXPECT_EQ(t["merged_into"], elsewhere.number);
}

TEST_F(Lifecycle, ReturnRejectAndMerge) {
  auto a = submit(draft());
  auto b = submit(draft());
  auto gw = grid_worker_of(a.grid);
  // Merge b into a, then b takes no more actions.
  auto t = ok(act(b, gw, {{"action", "merge"}, {"into", a.number}}));
  EXPECT_EQ(t["status"], "merged");
  EXPECT_EQ(t["merged_into"], a.number);
  EXPECT_EQ(status_of(act(b, gw, {{"action", "accept"}})), 409);
  EXPECT_EQ(status_of(act(a, gw, {{"action", "merge"}, {"into", a.number}})), 422);
  // Reject is the district's alone.
  EXPECT_EQ(status_of(act(a, gw, {{"action", "reject"}, {"reason", "不属实"}})), 403);
  t = ok(act(a, gw, {{"action", "return"}, {"reason", "不属于本网格"}}));
  EXPECT_EQ(t["status"], "returned");
  auto c = submit(draft(35.0, 116.0));  // at the district
  auto ds = staff(core::Role::district_staff, "", "");
  t = ok(act(c, ds, {{"action", "reject"}, {"reason", "非政务事项"}}));
  EXPECT_EQ(t["status"], "rejected");
}

TEST_F(Lifecycle, WorkingDaysSkipTheWeekend) {
  // Friday 2026-11-27 10:00 Shanghai: 5 working days → Friday 2026-12-04 10:00.
  now_ = *core::parse_iso("2026-11-27T02:00:00Z");
  auto r = tickets_->submit(draft(), Actor{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->resolve_due_at, "2026-12-04T02:00:00Z");
  // Urgent: 30 minutes / 2 hours by the wall clock.
  auto d = draft();
  d.category = "safety.fire";
  r = tickets_->submit(d, Actor{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->response_due_at, "2026-11-27T02:30:00Z");
  EXPECT_EQ(r->resolve_due_at, "2026-11-27T04:00:00Z");
}

TEST_F(Lifecycle, AuditVerifyFindsATamperedEvent) {
  auto s = submit(draft());
  ok(act(s, grid_worker_of(s.grid), {{"action", "contact"}, {"note", "原始记录"}}));
  ASSERT_TRUE(tickets_->verify_audit()->failures.empty());
  // Edit one stored event behind the service's back (the append-only trigger is
  // dropped first, as someone with the database file could).
  ASSERT_TRUE(raw_sql(on_postgres() ? "DROP TRIGGER events_no_update ON events"
                                    : "DROP TRIGGER events_no_update"));
  ASSERT_TRUE(raw_sql("UPDATE events SET note = '篡改' WHERE note = '原始记录'"));
  auto r = tickets_->verify_audit();
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->failures.size(), 1u);
  EXPECT_EQ(r->failures[0].first, s.number);
  EXPECT_EQ(r->failures[0].second.bad_seq, 3);
}

TEST_F(Lifecycle, EventsAreAppendOnly) {
  auto s = submit(draft());
  EXPECT_TRUE(raw_sql("SELECT 1 FROM events"));
  EXPECT_FALSE(raw_sql("UPDATE events SET note = 'x'"));
  EXPECT_FALSE(raw_sql("DELETE FROM events"));
  if (on_postgres()) {
    EXPECT_FALSE(raw_sql("TRUNCATE events CASCADE"));
  }
}

// [SECTION] Photos

// An upload that no ticket claims within the hour can no longer be used, is deleted by
// the clean-up, and is gone for its uploader too; one claimed in time stays.
TEST_F(Lifecycle, AnUnclaimedUploadExpiresAfterAnHour) {
  const Actor citizen = find_actor([](const UserRow& u) { return u.role == core::Role::citizen; });
  const std::string png = test::noisy_png(4, 4);
  auto kept = tickets_->upload_attachment(png, "image/png", citizen, "10.1.1.1");
  auto lost = tickets_->upload_attachment(png, "image/png", citizen, "10.1.1.1");
  ASSERT_TRUE(kept.ok() && lost.ok()) << (kept.ok() ? lost : kept).error().message;
  const std::string kept_id = (*kept)["id"], lost_id = (*lost)["id"];
  EXPECT_EQ((*kept)["expires_at"], "2026-11-25T03:00:00Z");

  advance(std::chrono::minutes(59));
  EXPECT_TRUE(tickets_->read_attachment(lost_id, citizen, std::nullopt).ok());
  auto d = draft();
  d.attachments = {kept_id};
  ASSERT_TRUE(tickets_->submit(d, citizen).ok());
  auto purged = tickets_->purge_unclaimed_attachments();
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 0);

  advance(std::chrono::minutes(2));  // 61 minutes after the upload
  d.attachments = {lost_id};
  auto late = tickets_->submit(d, citizen);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, "attachment_expired");
  EXPECT_EQ(late.error().field, "attachments");
  EXPECT_EQ(tickets_->read_attachment(lost_id, citizen, std::nullopt).error().status, 404);
  purged = tickets_->purge_unclaimed_attachments();
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);
  EXPECT_FALSE(store_->attachment(lost_id)->has_value());
  EXPECT_TRUE(tickets_->read_attachment(kept_id, citizen, std::nullopt).ok());
}

// Whose photo it is: an account's upload is that account's to link; an anonymous one is
// whoever holds its id's; a claimed one nobody's; and no list names a photo twice.
TEST_F(Lifecycle, OnlyTheUploaderLinksAPhotoAndOnlyOnce) {
  const Actor a = find_actor([](const UserRow& u) { return u.role == core::Role::citizen; });
  const Actor b = find_actor(
      [&](const UserRow& u) { return u.role == core::Role::citizen && u.id != *a.user_id; });
  const std::string png = test::noisy_png(4, 4);
  const std::string id = (*tickets_->upload_attachment(png, "", a, "10.1.1.1"))["id"];
  auto d = draft();
  d.attachments = {id};
  auto stolen = tickets_->submit(d, b);
  ASSERT_FALSE(stolen.ok());
  EXPECT_EQ(stolen.error().status, 403);
  EXPECT_EQ(stolen.error().code, "attachment_not_yours");
  EXPECT_EQ(tickets_->submit(d, Actor{}).error().code, "attachment_not_yours");
  EXPECT_EQ(tickets_->read_attachment(id, b, std::nullopt).error().status, 404);
  d.attachments = {id, id};
  EXPECT_EQ(tickets_->submit(d, a).error().code, "duplicate_attachment");
  d.attachments = {id};
  ASSERT_TRUE(tickets_->submit(d, a).ok());
  auto twice = tickets_->submit(d, a);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().status, 409);
  EXPECT_EQ(twice.error().code, "attachment_already_used");

  const std::string anon = (*tickets_->upload_attachment(png, "", Actor{}, "10.1.1.2"))["id"];
  EXPECT_TRUE(tickets_->read_attachment(anon, Actor{}, std::nullopt).ok());
  d.attachments = {anon};
  ASSERT_TRUE(tickets_->submit(d, b).ok());  // the holder of the id, signed in since
  EXPECT_EQ(tickets_->submit(d, Actor{}).error().code, "attachment_already_used");
}

// What a caller may hold unclaimed is bounded, per account and per address; the
// refusal says when the oldest of theirs expires.
TEST_F(Lifecycle, UnclaimedUploadsAreBoundedPerAccountAndPerAddress) {
  UploadLimits limits;
  limits.per_account_count = 2;
  limits.per_address_count = 3;
  tickets_->set_upload_limits(limits);
  const Actor a = find_actor([](const UserRow& u) { return u.role == core::Role::citizen; });
  const std::string png = test::noisy_png(4, 4);
  ASSERT_TRUE(tickets_->upload_attachment(png, "", a, "10.1.1.1").ok());
  advance(std::chrono::minutes(10));
  ASSERT_TRUE(tickets_->upload_attachment(png, "", a, "10.1.1.1").ok());
  UploadRefusal refusal;
  auto third = tickets_->upload_attachment(png, "", a, "10.1.1.9", &refusal);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().status, 429);
  EXPECT_EQ(third.error().code, "too_many_unclaimed_uploads");
  EXPECT_EQ(refusal.retry_after_seconds, 50 * 60);
  ASSERT_TRUE(tickets_->upload_attachment(png, "", Actor{}, "10.1.1.1").ok());
  EXPECT_EQ(tickets_->upload_attachment(png, "", Actor{}, "10.1.1.1").error().code,
            "too_many_unclaimed_uploads");
  EXPECT_TRUE(tickets_->upload_attachment(png, "", Actor{}, "10.1.1.2").ok());
}

// A retried submission (same idempotency key) names the photo its first attempt
// claimed: it is answered with that ticket, not refused; a new submission is refused.
TEST_F(Lifecycle, ARetriedSubmissionWithAPhotoGetsItsTicketAgain) {
  const std::string id =
      (*tickets_->upload_attachment(test::noisy_png(4, 4), "", Actor{}, "10.1.1.1"))["id"];
  auto d = draft();
  d.attachments = {id};
  auto first = tickets_->submit(d, Actor{}, std::string("retry-1"));
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto retry = tickets_->submit(d, Actor{}, std::string("retry-1"));
  ASSERT_TRUE(retry.ok()) << retry.error().message;
  EXPECT_EQ(retry->number, first->number);
  auto other = tickets_->submit(d, Actor{}, std::string("retry-2"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, "attachment_already_used");
  auto view = tickets_->get(first->number, Actor{}, first->access_code);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ((*view)["attachments"].size(), 1u);
}

// Names and places beyond GB2312, outside the BMP, and emoji with their sequences are
// stored and read back byte for byte on either backend, searched, listed with an
// excerpt cut between characters, and the audit chain over such notes verifies.
TEST_F(Lifecycle, EveryCharacterIsKeptByteForByte) {
  const std::string ji = "\xF0\xA0\xAE\xB7";  // 𠮷 U+20BB7
  const std::string family = "👨\u200D👩\u200D👧", flag = "🇨🇳";
  auto d = draft();
  d.contact.name = "李堃";
  d.location.address = ji + "野家 朱镕基路 " + flag;
  // The 60-character list excerpt ends inside the family if cut by code points.
  d.description =
      "王玥、张喆反映：路灯坏了👍，请尽快处理。" + std::string(36, 'x') + family + "谢谢";
  auto s = submit(d);

  auto stored = store_->find_ticket(s.number);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->draft.contact.name, d.contact.name);
  EXPECT_EQ((*stored)->draft.location.address, d.location.address);
  EXPECT_EQ((*stored)->draft.description, d.description);

  auto gw = grid_worker_of(s.grid);
  for (const auto& t : {ok(tickets_->get(s.number, Actor{}, s.code)),
                        ok(tickets_->get(s.number, gw, std::nullopt))}) {
    EXPECT_EQ(t["description"], d.description);
    EXPECT_EQ(t["location"]["address"], d.location.address);
  }
  EXPECT_EQ(ok(tickets_->get(s.number, gw, std::nullopt))["contact"]["name"], "李堃");

  // In the worker's queue, found by a word with an emoji; the excerpt stops before the
  // family.
  ListQuery q;
  q.scope = "queue";
  q.q = "坏了👍";
  auto page = ok(tickets_->list(q, gw));
  ASSERT_EQ(page["items"].size(), 1u) << page.dump();
  const std::string excerpt = page["items"][0]["description"];
  EXPECT_EQ(excerpt, d.description.substr(0, d.description.find(family)));

  const std::string note = "已处理👍" + ji;
  ok(act(s, gw, {{"action", "accept"}}));
  ok(act(s, gw, {{"action", "progress"}, {"note", note}}));
  auto t = ok(act(s, gw, {{"action", "resolve"}, {"reply", "已修好" + family + flag}}));
  EXPECT_EQ(t["reply"], "已修好" + family + flag);
  auto evs = ok(tickets_->events(s.number, Actor{}, s.code));
  bool seen = false;
  for (const auto& e : evs["items"]) seen = seen || e.value("note", "") == note;
  EXPECT_TRUE(seen) << evs.dump();
  auto verify = tickets_->verify_audit();
  ASSERT_TRUE(verify.ok());
  EXPECT_TRUE(verify->failures.empty());

  // One four-byte character changed behind the service's back breaks the chain.
  ASSERT_TRUE(raw_sql(on_postgres() ? "DROP TRIGGER events_no_update ON events"
                                    : "DROP TRIGGER events_no_update"));
  ASSERT_TRUE(raw_sql("UPDATE events SET note = '已处理👍吉' WHERE note = '" + note + "'"));
  verify = tickets_->verify_audit();
  ASSERT_TRUE(verify.ok());
  EXPECT_EQ(verify->failures.size(), 1u);
}

// PostgreSQL: text goes as UTF-8 whatever the client's environment asks for, and a
// database that cannot hold every character is refused when the store opens.
TEST_F(Lifecycle, PostgresTextIsUtf8WhateverTheEnvironment) {
  if (!on_postgres()) GTEST_SKIP() << "PostgreSQL only";
  auto d = draft();
  d.contact.name = "李堃";
  d.location.address = "\xF0\xA0\xAE\xB7野家 朱镕基路";
  d.description = "路灯坏了👍，请修理";
  auto s = submit(d);
  ::setenv("PGCLIENTENCODING", "LATIN1", 1);
  auto latin = server::open_store(db_);
  ::unsetenv("PGCLIENTENCODING");
  ASSERT_TRUE(latin.ok()) << latin.error().message;
  auto t = (*latin)->find_ticket(s.number);
  ASSERT_TRUE(t.ok() && t->has_value());
  EXPECT_EQ((*t)->draft.contact.name, d.contact.name);
  EXPECT_EQ((*t)->draft.location.address, d.location.address);
  EXPECT_EQ((*t)->draft.description, d.description);
  latin->reset();

  const std::string name = pg_name_ + "_latin1";
  auto admin = test::pg_admin();
  ASSERT_TRUE(admin->run(("CREATE DATABASE " + name +
                          " ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
                             .c_str()))
      << admin->last_error();
  auto refused = server::open_store(test::pg_url_for(test::pg_test_url(), name));
  test::pg_drop_database(name);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "db_encoding");
  EXPECT_NE(refused.error().message.find("UTF8"), std::string::npos);
}

// Each queue reads its scope's open tickets at its level from a partial index of open
// tickets, in the list's order, without sorting (migration 0021). The indexes apply only
// while their WHERE is the store's open_only term word for word: this fails when the two
// part. SQLite only: PostgreSQL's planner chooses by its statistics.
TEST_F(Lifecycle, EachQueueReadsItsPartialIndexOfOpenTickets) {
  if (on_postgres()) GTEST_SKIP() << "SQLite's planner";
  const std::string open = std::string(" AND ") + kOpenStatusTerm;
  const std::string order = " ORDER BY overdue DESC, response_due_at ASC, id DESC LIMIT 50";
  const std::vector<std::pair<std::string, std::string>> queues = {
      {"level = 'district'" + open, "tickets_open_level"},
      {"grid_id IN ('g')" + open + " AND level = 'grid'", "tickets_open_grid"},
      {"community_id = 'c'" + open + " AND level = 'community'", "tickets_open_community"},
      {"street_id = 's'" + open + " AND level = 'street'", "tickets_open_street"}};
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  for (const auto& [where, index] : queues) {
    for (const std::string& sql : {"SELECT * FROM tickets WHERE " + where + order,
                                   "SELECT COUNT(*) FROM tickets WHERE " + where}) {
      sqlite3_stmt* s = nullptr;
      ASSERT_EQ(sqlite3_prepare_v2(db, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &s, nullptr),
                SQLITE_OK)
          << sqlite3_errmsg(db);
      std::string plan;
      while (sqlite3_step(s) == SQLITE_ROW)
        plan += std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 3))) + "; ";
      sqlite3_finalize(s);
      EXPECT_NE(plan.find("USING INDEX " + index), std::string::npos) << sql << "\n" << plan;
      EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << sql << "\n" << plan;
    }
  }
  sqlite3_close(db);
}
