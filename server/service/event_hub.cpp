#include "server/service/event_hub.hpp"

#include <algorithm>

#include "server/service/tokens.hpp"

namespace portal::server {

LiveEvent live_event_of(const TicketRecord& t, const std::string& action, Store& store) {
  LiveEvent e;
  e.number = t.number;
  e.status = core::to_string(t.status);
  e.level = core::to_string(t.level);
  e.action = action;
  e.at = core::format_iso(t.updated_at);
  e.grid_id = t.draft.grid_id;
  e.community_id = t.community_id;
  e.street_id = t.street_id;
  e.assignee_kind = t.assignee_kind;
  e.assignee_id = t.assignee_id;
  e.submitter_id = t.submitter_id;
  // A new ticket has no whistles or followers yet: its event costs no read.
  if (action == "submit") return e;
  if (auto w = store.whistles(t.id))
    for (const auto& x : *w) e.unit_ids.push_back(x.unit_id);
  if (t.status == core::Status::merged && t.merged_into) {
    if (auto into = store.find_ticket(*t.merged_into); into && *into)
      if (auto f = store.followers_of((*into)->id, t.id))
        for (const auto& r : *f) e.follower_ids.push_back(r.user_id);
  } else if (auto f = store.followers_of(t.id)) {
    for (const auto& r : *f) e.follower_ids.push_back(r.user_id);
  }
  return e;
}

std::string LiveEvent::data_json() const {
  return core::Json{
      {"number", number}, {"status", status}, {"level", level}, {"action", action}, {"at", at}}
      .dump();
}

LiveFilter filter_for(const Actor& a) {
  using core::Role;
  switch (a.role) {
    case Role::citizen: {
      auto uid = a.user_id;
      return [uid](const LiveEvent& e) {
        if (!uid) return false;
        if (e.submitter_id == uid) return true;
        return std::find(e.follower_ids.begin(), e.follower_ids.end(), *uid) !=
               e.follower_ids.end();
      };
    }
    case Role::grid_worker: {
      auto grids = a.grid_ids;
      return [grids](const LiveEvent& e) {
        return e.grid_id && std::find(grids.begin(), grids.end(), *e.grid_id) != grids.end();
      };
    }
    case Role::community_staff: {
      auto c = a.community_id;
      return [c](const LiveEvent& e) { return !c.empty() && e.community_id == c; };
    }
    case Role::street_staff: {
      auto s = a.street_id;
      return [s](const LiveEvent& e) { return !s.empty() && e.street_id == s; };
    }
    case Role::unit_staff: {
      auto u = a.unit_id;
      return [u](const LiveEvent& e) {
        if (u.empty()) return false;
        if (e.assignee_kind == "unit" && e.assignee_id == u) return true;
        return std::find(e.unit_ids.begin(), e.unit_ids.end(), u) != e.unit_ids.end();
      };
    }
    case Role::district_staff:
    case Role::hotline_agent:
    case Role::admin:
    case Role::auditor:
    case Role::system:
      return [](const LiveEvent&) { return true; };
  }
  return [](const LiveEvent&) { return false; };
}

LiveFilter filter_for_ticket(const std::string& number) {
  return [number](const LiveEvent& e) { return e.number == number; };
}

std::shared_ptr<EventHub::Subscription> EventHub::subscribe(LiveFilter filter) {
  auto s = std::make_shared<Subscription>();
  s->filter = std::move(filter);
  std::lock_guard lock(mu_);
  s->closed = closed_;
  subs_.push_back(s);
  return s;
}

core::Result<std::shared_ptr<EventHub::Subscription>> EventHub::subscribe(LiveFilter filter,
                                                                          StreamOwner owner) {
  std::lock_guard lock(mu_);
  // Counted as asked: streams open and close far less often than events arrive.
  std::size_t by_address = 0, by_account = 0, by_ticket = 0;
  for (const auto& s : subs_) {
    const StreamOwner& o = s->owner;
    if (!owner.address.empty() && o.address == owner.address) ++by_address;
    if (owner.user_id && o.user_id == owner.user_id) ++by_account;
    if (!owner.ticket_number.empty() && o.ticket_number == owner.ticket_number) ++by_ticket;
  }
  if (by_address >= caps_.per_address || by_account >= caps_.per_account ||
      by_ticket >= caps_.per_ticket)
    return core::Error{"too_many_streams", "too many live streams open; close one first", {}, 429};
  auto s = std::make_shared<Subscription>();
  s->filter = std::move(filter);
  s->owner = std::move(owner);
  s->closed = closed_;
  subs_.push_back(s);
  return s;
}

void EventHub::unsubscribe(const std::shared_ptr<Subscription>& s) {
  std::lock_guard lock(mu_);
  subs_.remove(s);
}

void EventHub::set_caps(StreamCaps caps) {
  std::lock_guard lock(mu_);
  caps_ = caps;
}

void EventHub::wake(Subscription& s) {
  std::function<void()> notify;
  {
    std::lock_guard lock(s.mu);
    notify = s.notify;
  }
  if (notify) notify();
  s.cv.notify_all();
}

void EventHub::close_where(const std::function<bool(const Subscription&)>& which) {
  std::vector<std::shared_ptr<Subscription>> hit;
  {
    std::lock_guard lock(mu_);
    for (const auto& s : subs_)
      if (which(*s)) hit.push_back(s);
  }
  for (const auto& s : hit) {
    {
      std::lock_guard lock(s->mu);
      s->closed = true;
    }
    wake(*s);
  }
}

void EventHub::close_session(const std::string& session_key) {
  if (session_key.empty()) return;
  close_where([&](const Subscription& s) { return s.owner.session_key == session_key; });
}

void EventHub::close_user(std::int64_t user_id) {
  close_where([&](const Subscription& s) { return s.owner.user_id == user_id; });
}

std::size_t EventHub::subscribers() const {
  std::lock_guard lock(mu_);
  return subs_.size();
}

EventHub::EventHub() : dispatcher_([this] { dispatch_loop(); }) {}

EventHub::~EventHub() {
  {
    std::lock_guard lock(pending_mu_);
    stopping_ = true;
  }
  pending_cv_.notify_all();
  dispatcher_.join();
}

void EventHub::publish(LiveEvent e) {
  {
    std::lock_guard lock(pending_mu_);
    // Only a hub far behind drops anything: the oldest event, as a slow subscriber does.
    if (pending_.size() >= kMaxPending) pending_.pop_front();
    pending_.push_back(std::move(e));
  }
  pending_cv_.notify_one();
}

void EventHub::dispatch_loop() {
  std::deque<LiveEvent> round;
  for (;;) {
    {
      std::unique_lock lock(pending_mu_);
      pending_cv_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping, and all handed out
      round.swap(pending_);
    }
    for (const auto& e : round) fan_out(e);
    round.clear();
    // Events that arrive meanwhile wait for the next round, at most this long: woken for
    // every single change, this thread cost each write a context switch.
    std::this_thread::sleep_for(kRoundGap);
  }
}

void EventHub::fan_out(const LiveEvent& e) {
  std::vector<std::shared_ptr<Subscription>> targets;
  {
    std::lock_guard lock(mu_);
    for (const auto& s : subs_)
      if (s->filter(e)) targets.push_back(s);
  }
  if (targets.empty()) return;
  const std::string frame = "event: ticket\ndata: " + e.data_json() + "\n\n";
  for (const auto& s : targets) {
    {
      std::lock_guard lock(s->mu);
      // A subscriber that does not read falls behind; it loses the oldest, not memory.
      if (s->queue.size() >= kMaxQueued) {
        s->queue.pop_front();
        ++s->dropped;
      }
      s->queue.push_back(frame);
    }
    wake(*s);
  }
}

void EventHub::close_all() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  close_where([](const Subscription&) { return true; });
}

std::optional<std::vector<std::string>> EventHub::next(Subscription& s,
                                                       std::chrono::milliseconds timeout) {
  std::unique_lock lock(s.mu);
  s.cv.wait_for(lock, timeout, [&] { return s.closed || !s.queue.empty(); });
  if (s.closed) return std::nullopt;
  std::vector<std::string> out(std::make_move_iterator(s.queue.begin()),
                               std::make_move_iterator(s.queue.end()));
  s.queue.clear();
  return out;
}

namespace {
// Stream tickets share the sessions table with sign-in tokens, under a different hash:
// a stream ticket is no bearer token, nor the other way round.
std::string shared_ticket_key(const std::string& ticket) {
  return sha256_hex("stream-ticket:" + ticket);
}
}  // namespace

std::string EventHub::issue_ticket(const Actor& actor, std::chrono::steady_clock::time_point now) {
  std::string t = new_session_token();
  if (shared_ && actor.user_id) {
    const auto at = shared_now_();
    if (shared_->create_session(shared_ticket_key(t), *actor.user_id, at,
                                at + std::chrono::seconds(60)))
      return t;
  }
  std::lock_guard lock(tickets_mu_);
  // Forget expired tickets as new ones are made: the list stays short.
  tickets_.erase(std::remove_if(tickets_.begin(), tickets_.end(),
                                [&](const auto& p) { return p.second.expires <= now; }),
                 tickets_.end());
  tickets_.emplace_back(t, Pending{actor, now + std::chrono::seconds(60)});
  return t;
}

std::optional<Actor> EventHub::redeem_ticket(const std::string& ticket,
                                             std::chrono::steady_clock::time_point now) {
  if (shared_) {
    const std::string key = shared_ticket_key(ticket);
    auto user = shared_->session_user(key, shared_now_(), std::chrono::seconds(60));
    if (user && *user) {
      (void)shared_->delete_session(key);  // one use only
      auto u = shared_->find_user(**user);
      if (u && *u && !(*u)->disabled) return Actor::from_user(**u);
      return std::nullopt;
    }
  }
  std::lock_guard lock(tickets_mu_);
  for (auto it = tickets_.begin(); it != tickets_.end(); ++it) {
    if (!constant_time_equal(it->first, ticket)) continue;
    std::optional<Actor> a;
    if (it->second.expires > now) a = it->second.actor;
    tickets_.erase(it);  // one use only
    return a;
  }
  return std::nullopt;
}

}  // namespace portal::server
