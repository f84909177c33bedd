// The notification outbox in the store (SPEC §12), on either backend: messages written
// with the changes that cause them, claimed for delivery in order and under a lease,
// the outcome of each attempt, and the queries the scheduler and the notifier ask.
#include <gtest/gtest.h>

#include <algorithm>
#include <barrier>
#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include "tests/unit/service_fixture.hpp"

using namespace portal;
using namespace portal::server;
using namespace std::chrono_literals;

namespace {

class NotificationStore : public test::ServiceTest {
 protected:
  // A message due at `at`; ids are 32 hex digits, as the notifier makes them.
  NotificationRecord message(int n, const std::string& order_key, core::TimePoint at,
                             const std::string& dedupe_key = "") {
    char id[33];
    std::snprintf(id, sizeof id, "%032x", n);
    NotificationRecord m;
    m.id = id;
    m.kind = "assigned";
    m.lang = "zh";
    m.phone = "13912345678";
    m.user_id = 42;
    m.ticket = "RC2026112500000001";
    m.text = "新诉求 " + std::to_string(n);
    m.link = "https://portal.example/t/RC2026112500000001";
    m.order_key = order_key;
    m.dedupe_key = dedupe_key;
    m.created_at = at;
    m.next_at = at;
    m.give_up_at = at + 24h;
    return m;
  }

  std::string id_of(int n) { return message(n, "", now_).id; }

  // A new ticket as the service would build it, stored directly.
  TicketRecord new_ticket(std::vector<NotificationRecord> notes = {},
                          const std::string& idempotency_key = "") {
    auto p = tickets_->prepare(draft(), Actor{}, now_, nullptr);
    EXPECT_TRUE(p.ok());
    p->first.idempotency_key = idempotency_key;
    auto t = store_->create_ticket(p->first, p->second, std::move(notes));
    EXPECT_TRUE(t.ok()) << t.error().message;
    return *t;
  }

  TicketRecord reread(const std::string& number) {
    auto t = store_->find_ticket(number);
    EXPECT_TRUE(t.ok() && t->has_value());
    return **t;
  }

  std::vector<std::string> ids(const std::vector<NotificationRecord>& v) {
    std::vector<std::string> out;
    for (const auto& m : v) out.push_back(m.id);
    return out;
  }

  std::vector<std::string> claim(core::TimePoint at, int limit = 50) {
    auto c = store_->claim_notifications(at, at + 60s, limit);
    EXPECT_TRUE(c.ok());
    return c.ok() ? ids(*c) : std::vector<std::string>{};
  }

  void finish(const std::string& id, const std::string& status, core::TimePoint at,
              core::TimePoint next_at = {}, const std::string& error = "") {
    ASSERT_TRUE(store_->finish_notification(id, {status, at, next_at, error}).ok());
  }

  NotificationRecord find(const std::string& id) {
    auto m = store_->find_notification(id);
    EXPECT_TRUE(m.ok() && m->has_value()) << id;
    return m.ok() && m->has_value() ? **m : NotificationRecord{};
  }
};

}  // namespace

// [SECTION] Written with tickets

TEST_F(NotificationStore, CreateTicketWritesItsMessagesWithItsNumber) {
  auto m = message(1, "p:citizen|new", now_);
  m.kind = "received";
  m.ticket.clear();
  m.text = "您的诉求{number}已受理";
  m.link = "https://portal.example/t/{number}?again={number}";
  auto p = tickets_->prepare(draft(), Actor{}, now_, nullptr);
  ASSERT_TRUE(p.ok());
  p->first.idempotency_key = "key-1";
  p->first.notify = TicketNotify{"en", false, "sealed-code"};
  auto t = store_->create_ticket(p->first, p->second, {m});
  ASSERT_TRUE(t.ok()) << t.error().message;
  ASSERT_FALSE(t->replayed);

  const auto stored = find(m.id);
  EXPECT_EQ(stored.ticket, t->number);
  EXPECT_EQ(stored.text, "您的诉求" + t->number + "已受理");
  EXPECT_EQ(stored.link, "https://portal.example/t/" + t->number + "?again=" + t->number);
  EXPECT_EQ(stored.kind, "received");
  EXPECT_EQ(stored.status, "pending");
  EXPECT_EQ(stored.attempts, 0);
  EXPECT_GT(stored.seq, 0);
  EXPECT_EQ(stored.dedupe_key, "");
  auto settings = store_->ticket_notify(t->id);
  ASSERT_TRUE(settings.ok() && settings->has_value());
  EXPECT_EQ((*settings)->lang, "en");
  EXPECT_FALSE((*settings)->enabled);
  EXPECT_EQ((*settings)->sealed_code, "sealed-code");

  // The same request again: the ticket it created, and no second message.
  auto again = tickets_->prepare(draft(), Actor{}, now_, nullptr);
  ASSERT_TRUE(again.ok());
  again->first.idempotency_key = "key-1";
  auto replay = store_->create_ticket(again->first, again->second, {message(2, "k", now_)});
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(replay->number, t->number);
  EXPECT_FALSE(store_->find_notification(id_of(2))->has_value());
  EXPECT_EQ(store_->list_notifications("", 1, 50)->total, 1);

  // A ticket written without settings has none.
  const auto plain = new_ticket();
  auto none = store_->ticket_notify(plain.id);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(NotificationStore, CreateTicketsFillsEachTicketsNumber) {
  std::vector<NewTicket> batch;
  for (int i = 0; i < 2; ++i) {
    auto p = tickets_->prepare(draft(), Actor{}, now_, nullptr);
    ASSERT_TRUE(p.ok());
    auto m = message(10 + i, "k" + std::to_string(i), now_);
    m.text = "{number}";
    batch.push_back({p->first, p->second, {}, {m}});
  }
  auto made = store_->create_tickets(batch);
  ASSERT_TRUE(made.ok()) << made.error().message;
  ASSERT_EQ(made->size(), 2u);
  for (int i = 0; i < 2; ++i) {
    const auto m = find(id_of(10 + i));
    EXPECT_EQ(m.ticket, (*made)[i].number);
    EXPECT_EQ(m.text, (*made)[i].number);
  }
  EXPECT_NE((*made)[0].number, (*made)[1].number);
}

TEST_F(NotificationStore, CommitChangeWritesItsMessagesAndAConflictNone) {
  const auto t = new_ticket();
  const auto read = reread(t.number);
  TicketChange change{read};
  change.ticket.reply = "已安排处理";
  change.notifications = {message(1, "u:7|" + t.number, now_)};
  auto done = store_->commit_change(change);
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(find(id_of(1)).status, "pending");

  // The same change from the stale version is refused, and writes nothing.
  TicketChange stale{read};
  stale.ticket.reply = "另一个答复";
  stale.notifications = {message(2, "u:7|" + t.number, now_)};
  auto refused = store_->commit_change(stale);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "conflict");
  EXPECT_FALSE(store_->find_notification(id_of(2))->has_value());
  EXPECT_EQ(store_->notification_counts()->pending, 1);
}

// [SECTION] Claims, leases, outcomes

TEST_F(NotificationStore, ClaimTakesTheOldestOfEachOrderKeyFirst) {
  auto later = message(5, "c", now_ + 10min);
  auto w = store_->enqueue_notifications(
      {message(1, "a", now_), message(2, "a", now_), message(3, "b", now_), later});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(*w, 4);

  // a's second waits for its first; c is not due yet.
  EXPECT_EQ(claim(now_), (std::vector<std::string>{id_of(1), id_of(3)}));
  // Leased now: nothing more, and a's second still waits while its first is pending.
  EXPECT_TRUE(claim(now_).empty());
  // Even when the lease has run out, the first goes again before the second.
  EXPECT_EQ(claim(now_ + 2min), (std::vector<std::string>{id_of(1), id_of(3)}));
  finish(id_of(1), "delivered", now_ + 2min);
  EXPECT_EQ(claim(now_ + 2min), std::vector<std::string>{id_of(2)});
  // A limit takes the oldest.
  finish(id_of(2), "delivered", now_ + 3min);
  finish(id_of(3), "delivered", now_ + 3min);
  ASSERT_EQ(*store_->enqueue_notifications(
                {message(6, "d", now_), message(7, "e", now_), message(8, "f", now_)}),
            3);
  EXPECT_EQ(claim(now_ + 3min, 2), (std::vector<std::string>{id_of(6), id_of(7)}));
  finish(id_of(6), "delivered", now_ + 4min);
  finish(id_of(7), "delivered", now_ + 4min);
  // Due at last: c's message, written before f's.
  EXPECT_EQ(claim(now_ + 11min), (std::vector<std::string>{id_of(5), id_of(8)}));
}

TEST_F(NotificationStore, ClaimedMessageIsLeasedUntilItsTime) {
  auto m = message(1, "k", now_, "dk-1");
  m.user_id.reset();
  m.lang = "en";
  ASSERT_EQ(*store_->enqueue_notifications({m}), 1);
  auto c = store_->claim_notifications(now_, now_ + 60s, 10);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->size(), 1u);
  // Every field as written.
  const auto& got = c->front();
  EXPECT_EQ(got.id, m.id);
  EXPECT_EQ(got.kind, m.kind);
  EXPECT_EQ(got.lang, "en");
  EXPECT_EQ(got.phone, m.phone);
  EXPECT_FALSE(got.user_id.has_value());
  EXPECT_EQ(got.ticket, m.ticket);
  EXPECT_EQ(got.text, m.text);
  EXPECT_EQ(got.link, m.link);
  EXPECT_EQ(got.order_key, "k");
  EXPECT_EQ(got.dedupe_key, "dk-1");
  EXPECT_EQ(got.status, "pending");
  EXPECT_EQ(got.created_at, m.created_at);
  EXPECT_EQ(got.next_at, m.next_at);
  EXPECT_EQ(got.give_up_at, m.give_up_at);
  EXPECT_FALSE(got.delivered_at.has_value());

  EXPECT_TRUE(claim(now_ + 30s).empty());
  EXPECT_TRUE(claim(now_ + 59s).empty());
  EXPECT_EQ(claim(now_ + 60s), std::vector<std::string>{m.id});
  EXPECT_EQ(find(m.id).attempts, 0);  // a claim is not an attempt
}

TEST_F(NotificationStore, DedupeKeyWritesAMessageOnce) {
  auto w = store_->enqueue_notifications({message(1, "a", now_, "rating_reminder:X:1"),
                                          message(2, "a", now_, "rating_reminder:X:1"),
                                          message(3, "a", now_), message(4, "a", now_)});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(*w, 3);
  EXPECT_FALSE(store_->find_notification(id_of(2))->has_value());
  EXPECT_EQ(find(id_of(3)).dedupe_key, "");
  EXPECT_EQ(*store_->enqueue_notifications({message(5, "b", now_, "rating_reminder:X:1")}), 0);
  EXPECT_EQ(*store_->enqueue_notifications({message(6, "b", now_, "rating_reminder:X:2")}), 1);
  EXPECT_EQ(store_->notification_counts()->pending, 4);
}

TEST_F(NotificationStore, FinishRecordsEachOutcome) {
  ASSERT_EQ(*store_->enqueue_notifications(
                {message(1, "a", now_), message(2, "b", now_), message(3, "c", now_)}),
            3);
  ASSERT_EQ(claim(now_).size(), 3u);

  finish(id_of(1), "delivered", now_ + 5s);
  auto d = find(id_of(1));
  EXPECT_EQ(d.status, "delivered");
  EXPECT_EQ(d.attempts, 1);
  ASSERT_TRUE(d.delivered_at.has_value());
  EXPECT_EQ(*d.delivered_at, now_ + 5s);
  EXPECT_EQ(d.last_error, "");

  // Retried later: due again at next_at, even though its lease would have run longer.
  finish(id_of(2), "pending", now_ + 5s, now_ + 30s, "HTTP 503");
  auto p = find(id_of(2));
  EXPECT_EQ(p.status, "pending");
  EXPECT_EQ(p.attempts, 1);
  EXPECT_EQ(p.next_at, now_ + 30s);
  EXPECT_EQ(p.last_error, "HTTP 503");
  EXPECT_FALSE(p.delivered_at.has_value());
  EXPECT_TRUE(claim(now_ + 29s).empty());
  EXPECT_EQ(claim(now_ + 30s), std::vector<std::string>{id_of(2)});
  finish(id_of(2), "pending", now_ + 31s, now_ + 90s, "timeout");
  EXPECT_EQ(find(id_of(2)).attempts, 2);
  EXPECT_EQ(find(id_of(2)).last_error, "timeout");

  finish(id_of(3), "failed", now_ + 5s, {}, "HTTP 400");
  auto f = find(id_of(3));
  EXPECT_EQ(f.status, "failed");
  EXPECT_EQ(f.attempts, 1);
  EXPECT_EQ(f.last_error, "HTTP 400");
  EXPECT_EQ(f.next_at, now_);  // unchanged
  // Neither delivered nor failed messages are claimed again.
  EXPECT_EQ(claim(now_ + 1h), std::vector<std::string>{id_of(2)});
}

TEST_F(NotificationStore, PurgeForgetsOldDeliveredAndCancelledOnly) {
  ASSERT_EQ(*store_->enqueue_notifications({message(1, "a", now_), message(2, "b", now_),
                                            message(3, "c", now_), message(4, "d", now_),
                                            message(5, "e", now_ + 2h)}),
            5);
  ASSERT_EQ(claim(now_ + 2h).size(), 5u);
  finish(id_of(1), "delivered", now_);
  finish(id_of(2), "cancelled", now_);
  finish(id_of(3), "failed", now_);
  finish(id_of(4), "pending", now_, now_ + 1h);
  finish(id_of(5), "delivered", now_ + 2h);  // written after the cut
  auto n = store_->purge_notifications(now_ + 1h, 100);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
  auto left = store_->list_notifications("", 1, 50);
  ASSERT_TRUE(left.ok());
  std::vector<std::string> ids;
  for (const auto& m : left->items) ids.push_back(m.id);
  EXPECT_EQ(ids, (std::vector<std::string>{id_of(5), id_of(4), id_of(3)}));
}

TEST_F(NotificationStore, ListCountsAndTheNextDueTime) {
  auto none = store_->next_notification_at();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  std::vector<NotificationRecord> ms;
  for (int i = 1; i <= 6; ++i) ms.push_back(message(i, "k" + std::to_string(i), now_ + i * 1min));
  ASSERT_EQ(*store_->enqueue_notifications(ms), 6);
  finish(id_of(1), "delivered", now_);
  finish(id_of(2), "failed", now_, {}, "x");
  finish(id_of(3), "cancelled", now_);
  finish(id_of(4), "failed", now_, {}, "y");

  auto all = store_->list_notifications("", 1, 50);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total, 6);
  EXPECT_EQ(ids(all->items),
            (std::vector<std::string>{id_of(6), id_of(5), id_of(4), id_of(3), id_of(2), id_of(1)}));
  auto failed = store_->list_notifications("failed", 1, 50);
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->total, 2);
  EXPECT_EQ(ids(failed->items), (std::vector<std::string>{id_of(4), id_of(2)}));
  EXPECT_EQ(failed->items[0].last_error, "y");
  auto page2 = store_->list_notifications("", 2, 4);
  ASSERT_TRUE(page2.ok());
  EXPECT_EQ(page2->total, 6);
  EXPECT_EQ(ids(page2->items), (std::vector<std::string>{id_of(2), id_of(1)}));
  EXPECT_EQ(store_->list_notifications("delivered", 1, 50)->total, 1);

  auto counts = store_->notification_counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->pending, 2);
  EXPECT_EQ(counts->delivered, 1);
  EXPECT_EQ(counts->failed, 2);
  EXPECT_EQ(counts->cancelled, 1);

  auto next = store_->next_notification_at();
  ASSERT_TRUE(next.ok() && next->has_value());
  EXPECT_EQ(**next, now_ + 5min);
  finish(id_of(5), "pending", now_, now_ + 1h);
  EXPECT_EQ(**store_->next_notification_at(), now_ + 6min);
  finish(id_of(6), "delivered", now_);
  EXPECT_EQ(**store_->next_notification_at(), now_ + 1h);
  finish(id_of(5), "delivered", now_);
  EXPECT_FALSE(store_->next_notification_at()->has_value());
}

TEST_F(NotificationStore, RetryMakesAFailedMessageDueAgain) {
  ASSERT_EQ(*store_->enqueue_notifications({message(1, "a", now_), message(2, "b", now_)}), 2);
  finish(id_of(1), "failed", now_ + 1min, {}, "gave up");
  finish(id_of(2), "delivered", now_ + 1min);
  EXPECT_TRUE(claim(now_ + 2h).empty());

  auto r = store_->retry_notification(id_of(1), now_ + 2h, now_ + 26h);
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->status, "pending");
  EXPECT_EQ((*r)->next_at, now_ + 2h);
  EXPECT_EQ((*r)->give_up_at, now_ + 26h);
  EXPECT_EQ((*r)->attempts, 1);
  EXPECT_EQ(find(id_of(1)).status, "pending");
  EXPECT_EQ(claim(now_ + 2h), std::vector<std::string>{id_of(1)});

  // A delivered message stays as it is.
  auto d = store_->retry_notification(id_of(2), now_ + 2h, now_ + 26h);
  ASSERT_TRUE(d.ok() && d->has_value());
  EXPECT_EQ((*d)->status, "delivered");
  EXPECT_EQ((*d)->next_at, now_);
  EXPECT_EQ(find(id_of(2)).status, "delivered");

  auto missing = store_->retry_notification(id_of(99), now_, now_);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

// [SECTION] Opt-outs, preferences, recipients

TEST_F(NotificationStore, OptOutAndBackIn) {
  EXPECT_FALSE(*store_->opted_out({}));
  EXPECT_FALSE(*store_->opted_out({"p:abc", "u:7"}));
  ASSERT_TRUE(store_->set_opt_out("p:abc", true, now_, "sms").ok());
  EXPECT_TRUE(*store_->opted_out({"u:7", "p:abc"}));
  EXPECT_FALSE(*store_->opted_out({"u:7"}));
  EXPECT_FALSE(*store_->opted_out({}));
  ASSERT_TRUE(store_->set_opt_out("p:abc", true, now_ + 1h, "web").ok());  // again: still out
  EXPECT_TRUE(*store_->opted_out({"p:abc"}));
  ASSERT_TRUE(store_->set_opt_out("p:abc", false, now_ + 2h, "web").ok());
  EXPECT_FALSE(*store_->opted_out({"p:abc", "u:7"}));
  ASSERT_TRUE(store_->set_opt_out("p:abc", false, now_ + 3h, "web").ok());  // in already
}

TEST_F(NotificationStore, PrefsDefaultAndSet) {
  auto u = store_->find_user_by_login("cz001");
  ASSERT_TRUE(u.ok() && u->has_value());
  const auto id = (*u)->id;
  auto p = store_->notify_prefs(id);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->lang, "zh");
  EXPECT_TRUE(p->enabled);
  ASSERT_TRUE(store_->set_notify_prefs(id, {"en", false}).ok());
  EXPECT_EQ(store_->notify_prefs(id)->lang, "en");
  EXPECT_FALSE(store_->notify_prefs(id)->enabled);
  ASSERT_TRUE(store_->set_notify_prefs(id, {"zh", true}).ok());
  EXPECT_EQ(store_->notify_prefs(id)->lang, "zh");
  EXPECT_TRUE(store_->notify_prefs(id)->enabled);
}

TEST_F(NotificationStore, HandlersOfEachKindOfAssignee) {
  auto all = store_->users(1, 100000);
  ASSERT_TRUE(all.ok());
  // The expected holders, read from the accounts (sorted by id, as users() lists them).
  auto expect = [&](auto pick) {
    std::vector<std::int64_t> out;
    for (const auto& u : *all)
      if (!u.disabled && pick(u) && out.size() < 20) out.push_back(u.id);
    return out;
  };
  auto got = [&](const std::string& kind, const std::string& id) {
    auto r = store_->handlers_of(kind, id);
    EXPECT_TRUE(r.ok());
    std::vector<std::int64_t> out;
    for (const auto& x : *r) out.push_back(x.user_id);
    return out;
  };

  // A grid worker, by its account id.
  auto gw = store_->find_user_by_login("gw0001");
  ASSERT_TRUE(gw.ok() && gw->has_value());
  auto worker = store_->handlers_of("user", std::to_string((*gw)->id));
  ASSERT_TRUE(worker.ok());
  ASSERT_EQ(worker->size(), 1u);
  EXPECT_EQ(worker->front().user_id, (*gw)->id);
  EXPECT_EQ(worker->front().phone, (*gw)->phone);
  EXPECT_FALSE(worker->front().phone.empty());
  EXPECT_EQ(worker->front().name, (*gw)->name);

  // A community: its staff, not the grid workers who live there.
  const auto community = (*gw)->community_id;
  const auto community_staff = expect([&](const UserRow& u) {
    return u.role == core::Role::community_staff && u.community_id == community;
  });
  ASSERT_FALSE(community_staff.empty());
  EXPECT_EQ(got("org", community), community_staff);

  // A street: its two street staff.
  const auto street = (*gw)->street_id;
  const auto street_staff = expect([&](const UserRow& u) {
    return u.role == core::Role::street_staff && u.street_id == street;
  });
  EXPECT_EQ(street_staff.size(), 2u);
  EXPECT_EQ(got("org", street), street_staff);

  // The district centre.
  const auto district =
      expect([](const UserRow& u) { return u.role == core::Role::district_staff; });
  EXPECT_EQ(district.size(), 6u);
  EXPECT_EQ(got("org", "district"), district);

  // The unit with the most staff: at most 20 of them, the first by id.
  std::map<std::string, int> per_unit;
  for (const auto& u : *all)
    if (u.role == core::Role::unit_staff) ++per_unit[u.unit_id];
  ASSERT_FALSE(per_unit.empty());
  const auto busiest = std::max_element(per_unit.begin(), per_unit.end(), [](auto& a, auto& b) {
                         return a.second < b.second;
                       })->first;
  const auto unit_staff = expect(
      [&](const UserRow& u) { return u.role == core::Role::unit_staff && u.unit_id == busiest; });
  EXPECT_EQ(got("unit", busiest), unit_staff);
  EXPECT_EQ(unit_staff.size(), std::min<std::size_t>(20, per_unit[busiest]));

  // Disabled accounts hear nothing.
  ASSERT_TRUE(store_->update_user(district.front(), {.disabled = true}).ok());
  EXPECT_EQ(got("org", "district"),
            std::vector<std::int64_t>(district.begin() + 1, district.end()));
  ASSERT_TRUE(store_->update_user((*gw)->id, {.disabled = true}).ok());
  EXPECT_TRUE(got("user", std::to_string((*gw)->id)).empty());

  // Nobody holds what is not an assignee.
  EXPECT_TRUE(got("user", "gw0002").empty());
  EXPECT_TRUE(got("user", "").empty());
  EXPECT_TRUE(got("org", "no-such-community").empty());
  EXPECT_TRUE(got("unit", "no-such-unit").empty());
  EXPECT_TRUE(got("", "district").empty());
}

// [SECTION] The scheduler's questions

TEST_F(NotificationStore, ResponseWarningInItsWindowUntilWritten) {
  const auto a = new_ticket();
  const auto b = new_ticket();
  ASSERT_EQ(a.status, core::Status::assigned);
  const auto due = a.response_due_at;
  ASSERT_EQ(b.response_due_at, due);
  // b is accepted: nobody needs warning.
  TicketChange accept{reread(b.number)};
  accept.ticket.status = core::Status::accepted;
  accept.ticket.responded_at = now_;
  ASSERT_TRUE(store_->commit_change(accept).ok());

  auto at = [&](core::TimePoint now) {
    auto r = store_->due_for_response_warning(now, 1h, 50);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<std::string>{};
  };
  EXPECT_TRUE(at(due - 1h - 1s).empty());
  EXPECT_EQ(at(due - 1h), std::vector<std::string>{a.number});
  EXPECT_EQ(at(due - 1s), std::vector<std::string>{a.number});
  EXPECT_TRUE(at(due).empty());  // past its limit: the escalation's, not a warning's
  EXPECT_TRUE(store_->due_for_response_warning(due - 30min, 1h, 0)->empty());

  // Once the warning is written, the ticket is no longer asked for; another deadline's
  // key does not count.
  const auto key = "response_due_soon:" + a.number + ":";
  ASSERT_EQ(*store_->enqueue_notifications(
                {message(1, "k", now_, key + std::to_string(core::to_unix(due) - 3600))}),
            1);
  EXPECT_EQ(at(due - 30min), std::vector<std::string>{a.number});
  ASSERT_EQ(*store_->enqueue_notifications(
                {message(2, "k", now_, key + std::to_string(core::to_unix(due)))}),
            1);
  EXPECT_TRUE(at(due - 30min).empty());
}

TEST_F(NotificationStore, RatingReminderForUnratedResolvedTickets) {
  const auto a = new_ticket();
  const auto b = new_ticket();
  const auto resolved_at = now_ + 2h;
  for (const auto* t : {&a, &b}) {
    TicketChange resolve{reread(t->number)};
    resolve.ticket.status = core::Status::resolved;
    resolve.ticket.resolved_at = resolved_at;
    resolve.ticket.reply = "已处理";
    ASSERT_TRUE(store_->commit_change(resolve).ok());
  }
  // b was rated meanwhile (still resolved, as a satisfied rating leaves it until closed).
  TicketChange rate{reread(b.number)};
  rate.ticket.rating_resolved = true;
  rate.ticket.rating_satisfaction = 5;
  rate.ticket.rated_at = resolved_at + 1h;
  ASSERT_TRUE(store_->commit_change(rate).ok());

  auto before = [&](core::TimePoint cut) {
    auto r = store_->due_for_rating_reminder(cut, 50);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<std::string>{};
  };
  EXPECT_TRUE(before(resolved_at - 1s).empty());
  EXPECT_EQ(before(resolved_at), std::vector<std::string>{a.number});
  EXPECT_EQ(before(resolved_at + 72h), std::vector<std::string>{a.number});
  EXPECT_TRUE(store_->due_for_rating_reminder(resolved_at, 0)->empty());

  const auto key = "rating_reminder:" + a.number + ":";
  ASSERT_EQ(*store_->enqueue_notifications(
                {message(1, "k", now_, key + std::to_string(core::to_unix(resolved_at) - 1))}),
            1);
  EXPECT_EQ(before(resolved_at + 72h), std::vector<std::string>{a.number});
  ASSERT_EQ(*store_->enqueue_notifications(
                {message(2, "k", now_, key + std::to_string(core::to_unix(resolved_at)))}),
            1);
  EXPECT_TRUE(before(resolved_at + 72h).empty());
}

// [SECTION] Several instances (PostgreSQL)

TEST_F(NotificationStore, ConcurrentClaimsNeverShareAMessage) {
  if (!on_postgres()) GTEST_SKIP() << "one process per SQLite database";
  // 200 order keys, 20 of them with a second message that must wait for the first.
  std::vector<NotificationRecord> ms;
  for (int i = 0; i < 200; ++i) ms.push_back(message(i + 1, "k" + std::to_string(i), now_));
  for (int i = 0; i < 20; ++i) ms.push_back(message(1001 + i, "k" + std::to_string(i * 10), now_));
  ASSERT_EQ(*store_->enqueue_notifications(ms), 220);

  constexpr int kInstances = 2;
  std::vector<std::vector<std::string>> taken(kInstances);
  std::vector<std::string> errors(kInstances);
  std::barrier start(kInstances);
  std::vector<std::thread> threads;
  for (int k = 0; k < kInstances; ++k)
    threads.emplace_back([&, k] {
      auto s = open_store(db_);
      start.arrive_and_wait();
      if (!s) {
        errors[k] = s.error().message;
        return;
      }
      for (;;) {
        auto c = (*s)->claim_notifications(now_, now_ + 60s, 7);
        if (!c) {
          errors[k] = c.error().message;
          return;
        }
        if (c->empty()) return;
        for (const auto& m : *c) taken[k].push_back(m.id);
      }
    });
  for (auto& t : threads) t.join();
  for (const auto& e : errors) ASSERT_EQ(e, "");

  std::set<std::string> all;
  for (const auto& v : taken)
    for (const auto& id : v) EXPECT_TRUE(all.insert(id).second) << "claimed twice: " << id;
  std::set<std::string> firsts;
  for (int i = 0; i < 200; ++i) firsts.insert(id_of(i + 1));
  EXPECT_EQ(all, firsts);
}
