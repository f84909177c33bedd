// Live updates: every committed ticket change is published here and delivered to
// the stream subscribers whose scope holds the ticket. In-process; several
// instances share changes through the database (scale-out).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/service/ticket_service.hpp"

namespace portal::server {

// What subscribers learn of a change, and what scopes it falls in.
struct LiveEvent {
  std::string number, status, level, action, at;
  std::optional<std::string> grid_id, community_id, street_id;
  std::string assignee_kind, assignee_id;
  std::vector<std::string> unit_ids;  // whistled units
  std::optional<std::int64_t> submitter_id;
  // The accounts following it; for a merged duplicate, those it passed to the ticket it
  // joined (they hear of the merge on their stream).
  std::vector<std::int64_t> follower_ids;

  std::string data_json() const;
};

// The event of a ticket as it now stands, with the units it has whistled.
LiveEvent live_event_of(const TicketRecord& t, const std::string& action, Store& store);

// Whether a subscriber may see an event.
using LiveFilter = std::function<bool(const LiveEvent&)>;
// The scope of an actor (as TicketService applies it), or one ticket by number.
LiveFilter filter_for(const Actor& actor);
LiveFilter filter_for_ticket(const std::string& number);

// Who holds a stream: what the per-address, per-account and per-ticket caps count, and
// what ends it when the session behind it does.
struct StreamOwner {
  std::string address;                  // the client's address key
  std::optional<std::int64_t> user_id;  // signed in
  std::string session_key;              // the session it was opened with, if known
  std::string ticket_number;            // an anonymous submitter following one ticket
};

// Open streams allowed at once. Each costs the server a socket and some memory, not a
// thread, but nobody needs more than a few: a browser opens one per tab.
struct StreamCaps {
  std::size_t per_address = 128;
  std::size_t per_account = 16;
  std::size_t per_ticket = 8;
};

class EventHub {
 public:
  struct Subscription {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::string> queue;  // SSE frames ready to send
    LiveFilter filter;
    bool closed = false;
    std::uint64_t dropped = 0;
    // Set (under mu) by a server that does not wait on cv (the HTTP front's event
    // loop): called, without mu, whenever frames are queued or the stream is closed.
    std::function<void()> notify;
    StreamOwner owner;
  };
  static constexpr std::size_t kMaxQueued = 1000;

  EventHub();
  ~EventHub();
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  std::shared_ptr<Subscription> subscribe(LiveFilter filter);
  // A stream for `owner`, or 429 too_many_streams when it already holds its share.
  core::Result<std::shared_ptr<Subscription>> subscribe(LiveFilter filter, StreamOwner owner);
  void unsubscribe(const std::shared_ptr<Subscription>& s);
  void set_caps(StreamCaps caps);
  // Ends the streams opened with a session (logout) or by a user (password changed,
  // account disabled) at once.
  void close_session(const std::string& session_key);
  void close_user(std::int64_t user_id);
  // Queues the event: the hub's own thread hands it to every subscriber in scope, in
  // order, so that the request that changed the ticket is answered without waiting for
  // a thousand subscribers to be woken.
  void publish(LiveEvent e);
  static constexpr std::size_t kMaxPending = 10000;
  // The dispatcher hands out what has gathered, then rests this long (see dispatch_loop()).
  static constexpr auto kRoundGap = std::chrono::milliseconds(1);
  // Wakes every subscriber for good (server shutdown).
  void close_all();
  std::size_t subscribers() const;

  // Waits up to `timeout` for frames; returns them (empty on timeout); nullopt once closed.
  static std::optional<std::vector<std::string>> next(Subscription& s,
                                                      std::chrono::milliseconds timeout);

  // One-time stream tickets for EventSource, which cannot send headers.
  std::string issue_ticket(const Actor& actor, std::chrono::steady_clock::time_point now);
  // With several instances over one database: stream tickets are kept in the store
  // instead (as one-minute sessions under a hash of their own), so that any instance
  // redeems a ticket another issued.
  void share_tickets_through(Store* store, NowFn now) {
    shared_ = store;
    shared_now_ = std::move(now);
  }
  std::optional<Actor> redeem_ticket(const std::string& ticket,
                                     std::chrono::steady_clock::time_point now);

 private:
  void fan_out(const LiveEvent& e);
  void dispatch_loop();
  void close_where(const std::function<bool(const Subscription&)>& which);
  static void wake(Subscription& s);

  mutable std::mutex mu_;
  std::list<std::shared_ptr<Subscription>> subs_;
  bool closed_ = false;
  StreamCaps caps_;
  // Events published and not yet handed out, and the thread that hands them out.
  std::mutex pending_mu_;
  std::condition_variable pending_cv_;
  std::deque<LiveEvent> pending_;
  bool stopping_ = false;
  struct Pending {
    Actor actor;
    std::chrono::steady_clock::time_point expires;
  };
  std::mutex tickets_mu_;
  std::vector<std::pair<std::string, Pending>> tickets_;
  Store* shared_ = nullptr;
  NowFn shared_now_;
  // Last: it starts once every other member exists and is joined before any goes.
  std::thread dispatcher_;
};

}  // namespace portal::server
