#include "server/service/history.hpp"

#include <array>

#include "server/service/descriptions.hpp"
#include "server/service/rng.hpp"

namespace portal::server {

using core::Level;
using core::Status;

namespace {

constexpr std::array kSurnames = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
                                  "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗"};
constexpr std::array kGiven = {"秀英", "桂英", "建国", "志强", "丽", "敏", "静", "伟", "磊", "洋",
                               "艳",   "勇",   "军",   "杰",   "娟", "涛", "明", "超", "霞", "平"};
constexpr std::array kPlaces = {"小区门口", "菜市场旁", "学校附近", "十字路口", "公交站台",
                                "居民楼下", "公园东门", "商业街",   "村委会旁", "医院对面"};

std::chrono::seconds span_seconds(const core::SlaSpan& s) {
  return std::chrono::seconds(s.seconds + s.working_days * 86400 * 7 / 5);
}

}  // namespace

core::Outcome seed_history(Store& store, TicketService& tickets, const HistoryOptions& o,
                           const ProgressFn& progress) {
  if (o.count <= 0) return core::Unit{};
  const auto& org = tickets.org();
  const auto& grids = org.data().grids;
  if (grids.empty()) return core::Error{"no_organisation", "seed the organisation first", {}, 400};
  auto cats = store.categories();
  if (!cats) return cats.error();
  std::vector<const UnitRow*> units;
  for (const auto& u : org.data().units)
    if (u.kind == "department" || u.kind == "utility") units.push_back(&u);

  Rng rng(o.seed * 0x2545F4914F6CDD1Dull + 7);
  const auto span = std::chrono::hours(24 * 365) * o.years;
  std::vector<NewTicket> batch;
  for (std::int64_t i = 0; i < o.count; ++i) {
    const GridRow& g =
        grids[static_cast<std::size_t>(rng.below(static_cast<std::int64_t>(grids.size())))];
    const core::Category& cat =
        (*cats)[static_cast<std::size_t>(rng.below(static_cast<std::int64_t>(cats->size())))];
    core::TicketDraft d;
    d.category = cat.code;
    d.description = write_description(cat, rng);
    d.location.lat = g.min_lat + (g.max_lat - g.min_lat) * (0.2 + 0.6 * rng.uniform());
    d.location.lng = g.min_lng + (g.max_lng - g.min_lng) * (0.2 + 0.6 * rng.uniform());
    d.location.address = std::string(kPlaces[rng.below(kPlaces.size())]);
    d.grid_id = g.id;
    d.contact.name =
        std::string(kSurnames[rng.below(kSurnames.size())]) + kGiven[rng.below(kGiven.size())];
    d.contact.phone = "13" + std::to_string(100000000 + rng.below(900000000));
    const double c = rng.uniform();
    d.channel = c < 0.45   ? core::Channel::web
                : c < 0.75 ? core::Channel::hotline
                : c < 0.85 ? core::Channel::embed
                : c < 0.97 ? core::Channel::patrol
                           : core::Channel::open311;
    d.anonymous = rng.chance(0.1);

    // Older tickets are rarer than recent ones: a gentle growth over the years.
    const double age_frac = 1.0 - std::sqrt(rng.uniform());
    auto t0 = o.now - std::chrono::duration_cast<std::chrono::seconds>(span * age_frac) -
              std::chrono::seconds(60);
    auto prepared = tickets.prepare(d, Actor::system(), t0, nullptr);
    if (!prepared) return prepared.error();
    TicketRecord t = std::move(prepared->first);
    auto events = std::move(prepared->second);
    events[0].actor_role = d.channel == core::Channel::hotline  ? "hotline_agent"
                           : d.channel == core::Channel::patrol ? "grid_worker"
                                                                : "anonymous";
    events[0].actor_name = d.channel == core::Channel::hotline ? "12345热线" : "";
    std::vector<WhistleRecord> whistles;
    const auto policy = tickets.policy_for(cat.code);
    auto at = t0;
    auto ev = [&](core::Action a, Status from, Status to, const std::string& role,
                  const std::string& name, std::string note = {}) {
      core::AuditEvent e;
      e.at = core::format_iso(at);
      e.actor_role = role;
      e.actor_name = name;
      e.action = std::string(core::to_string(a));
      e.from_status = std::string(core::to_string(from));
      e.to_status = std::string(core::to_string(to));
      e.level = std::string(core::to_string(t.level));
      e.note = std::move(note);
      events.push_back(std::move(e));
      t.status = to;
      t.updated_at = at;
    };
    auto handler_role = [&] { return std::string(core::to_string(core::handler_role(t.level))); };
    // Moves the clock; false once it passes now (the ticket stays where it is).
    auto wait = [&](std::chrono::seconds s) {
      at += s;
      return at < o.now;
    };
    const auto respond = span_seconds(policy.respond);
    const auto resolve = span_seconds(policy.resolve);

    bool alive = true;
    // Late responses are escalated by the scheduler.
    if (rng.chance(0.08)) {
      alive = wait(respond + std::chrono::seconds(60));
      if (alive && t.level != Level::district) {
        const Status from = t.status;
        tickets.route_to_level(t, *core::next_level(t.level));
        ev(core::Action::auto_escalate, from, Status::assigned, "system", "系统");
        t.response_due_at = at + respond;
      }
    }
    if (alive && rng.chance(0.02) && t.level == Level::district) {
      ev(core::Action::reject, t.status, Status::rejected, "district_staff", "热线中心调度员",
         "非政务服务事项");
      t.closed_at = at;
      alive = false;
    }
    if (alive)
      alive = wait(
          std::chrono::seconds(static_cast<std::int64_t>(respond.count() * rng.uniform() * 0.9)));
    if (alive) {
      ev(core::Action::accept, t.status, Status::accepted, handler_role(), "");
      t.responded_at = at;
    }
    // Escalation by complexity, then whistles.
    for (int step = 0;
         alive && step < 2 && t.level != Level::district && rng.chance(step ? 0.3 : 0.2); ++step) {
      alive = wait(std::chrono::hours(2 + rng.below(24)));
      if (!alive) break;
      const std::string by = handler_role();
      tickets.route_to_level(t, *core::next_level(t.level));
      ev(core::Action::escalate, t.status, Status::assigned, by, "", "需上级协调");
      t.assigned_at = at;
      t.response_due_at = at + respond;
      alive = wait(std::chrono::minutes(10 + rng.below(600)));
      if (alive) {
        ev(core::Action::accept, t.status, Status::accepted, handler_role(), "");
        t.responded_at = at;
      }
    }
    if (alive && !units.empty() && rng.chance(0.15)) {
      const int n = 1 + static_cast<int>(rng.below(2));
      for (int k = 0; k < n; ++k) {
        WhistleRecord w;
        w.unit_id =
            units[static_cast<std::size_t>(rng.below(static_cast<std::int64_t>(units.size())))]->id;
        w.summoned_at = at;
        w.status = core::WhistleState::summoned;
        whistles.push_back(w);
      }
      ev(core::Action::whistle, t.status, Status::in_progress, handler_role(), "",
         "请相关单位到场");
      for (auto& w : whistles) {
        if (!(alive = wait(std::chrono::minutes(20 + rng.below(240))))) break;
        w.status = core::WhistleState::checked_in;
        w.checked_in_at = at;
        ev(core::Action::checkin, t.status, t.status, "unit_staff", "");
        if (!(alive = wait(std::chrono::hours(1 + rng.below(48))))) break;
        w.status = core::WhistleState::done;
        w.done_at = at;
        ev(core::Action::whistle_done, t.status, t.status, "unit_staff", "", "已处置");
      }
    }
    // Resolve, mostly on time.
    if (alive) {
      const double f = rng.chance(0.86) ? 0.1 + 0.8 * rng.uniform() : 1.05 + rng.uniform();
      alive = wait(std::chrono::seconds(static_cast<std::int64_t>(resolve.count() * f)));
    }
    if (alive) {
      if (at > t.resolve_due_at) t.overdue = true;
      t.reply = write_reply(cat, rng);
      ev(core::Action::resolve, t.status, Status::resolved, handler_role(), "", *t.reply);
      t.resolved_at = at;
    }
    // Ratings: most citizens rate within days; the rest close automatically.
    if (alive && t.status == Status::resolved) {
      if (rng.chance(0.7)) {
        alive = wait(std::chrono::hours(1 + rng.below(72)));
        if (alive) {
          const double r = rng.uniform();
          const int sat = r < 0.55 ? 5 : r < 0.8 ? 4 : r < 0.9 ? 3 : r < 0.96 ? 2 : 1;
          const bool solved = sat >= 3 ? rng.chance(0.95) : rng.chance(0.3);
          t.rating_satisfaction = sat;
          t.rating_resolved = solved;
          t.rated_at = at;
          if (sat >= 3 && solved) {
            ev(core::Action::rate, t.status, Status::closed, "citizen", "群众");
            t.closed_at = at;
          } else {
            ev(core::Action::rate, t.status, Status::resolved, "citizen", "群众");
            ev(core::Action::reopen, Status::resolved, Status::in_progress, "system", "系统");
            t.reopen_count = 1;
            t.resolved_at.reset();
            if ((alive = wait(std::chrono::hours(4 + rng.below(72))))) {
              ev(core::Action::resolve, t.status, Status::resolved, handler_role(), "",
                 "已重新处理。");
              t.resolved_at = at;
            }
          }
        }
      }
      if (alive && t.status == Status::resolved && t.resolved_at &&
          *t.resolved_at + std::chrono::hours(24 * core::kAutoCloseDays) < o.now) {
        at = *t.resolved_at + std::chrono::hours(24 * core::kAutoCloseDays);
        ev(core::Action::auto_close, t.status, Status::closed, "system", "系统");
        t.closed_at = at;
      }
    }
    if (core::is_open(t.status) && o.now > t.resolve_due_at) t.overdue = true;
    batch.push_back({std::move(t), std::move(events), std::move(whistles)});
    if (static_cast<int>(batch.size()) >= o.batch || i + 1 == o.count) {
      auto created = store.create_tickets(std::move(batch));
      if (!created) return created.error();
      batch.clear();
      if (progress) progress("tickets", i + 1, o.count);
    }
  }
  return core::Unit{};
}

}  // namespace portal::server
