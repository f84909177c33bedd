#include "server/service/history.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string_view>

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

// [SECTION] The district's rhythm
// Reports by month (January first): the Spring Festival's quiet February, a summer of
// rain, noise and power cuts, the National Day holiday in October.
constexpr std::array<double, 12> kMonthVolume = {0.85, 0.7,  0.95, 1.0, 1.05, 1.15,
                                                 1.3,  1.25, 1.05, 0.9, 1.0,  1.05};
// Monday first: what waited over the weekend comes in on Monday.
constexpr std::array<double, 7> kWeekdayVolume = {1.2, 1.1, 1.05, 1.0, 1.0, 0.7, 0.65};
constexpr double kMaxDayVolume = 1.3 * 1.2;
// Local hour: little at night, most in the morning and after supper.
constexpr std::array<double, 24> kHourVolume = {0.15, 0.08, 0.05, 0.04, 0.05, 0.12, 0.35, 0.8,
                                                1.3,  1.6,  1.6,  1.4,  1.0,  1.0,  1.3,  1.4,
                                                1.3,  1.2,  1.0,  1.1,  1.0,  0.8,  0.5,  0.3};

// How much more (or less) a category is reported in a month than on average.
double season(std::string_view code, int month) {
  const bool summer = month >= 6 && month <= 8;
  if (code == "heat.cold") return month >= 11 || month <= 3 ? 4.0 : 0.1;
  if (code == "safety.flood") return summer ? 3.5 : month == 5 || month == 9 ? 1.0 : 0.3;
  if (code == "power.outage") return month == 7 || month == 8 ? 2.0 : month == 1 ? 1.3 : 0.9;
  if (code == "water.outage") return summer ? 1.6 : 0.9;
  if (code == "env.noise" || code == "env.fumes") return month >= 5 && month <= 9 ? 1.6 : 0.7;
  if (code == "city.greenery") return month >= 4 && month <= 9 ? 1.5 : 0.6;
  if (code == "rural.farming")
    return (month >= 4 && month <= 6) || month == 9 || month == 10 ? 1.8 : 0.5;
  if (code == "edu.school") return month == 2 || month == 3 || month == 9 ? 1.8 : 0.8;
  if (code == "gas.supply") return month >= 11 || month <= 2 ? 1.6 : 0.8;
  return 1.0;
}

// What grows: a matter reported more every month across the district, and a few
// matters that flare up in one street over the last weeks (每月一题 finds these).
constexpr std::string_view kGrowingCategory = "traffic.parking";
constexpr std::array<std::string_view, 6> kSurgeCandidates = {
    "env.fumes", "city.vendor", "dispute.property", "env.noise", "city.facility", "env.garbage"};
constexpr int kSurgeDays = 45;
constexpr double kSurgePeak = 8.0;

struct Surge {
  std::string category, street_id;
};

// How a street's grid centre works: some answer fast and finish on time, some do not,
// and their residents say so. Drawn once per street from the seed, so that the
// cockpit's rankings have a top and a bottom.
struct StreetProfile {
  double late_response = 0.08;  // response limit missed: the scheduler escalates
  double response_pace = 0.5;   // how much of the response limit an answer takes
  double on_time = 0.86;        // resolved within the limit
  double escalate = 0.2;        // handed up for coordination
  double mood = 0.5;            // 0 pleased .. 1 displeased
};

StreetProfile profile_of(Rng& rng) {
  // One strain per street, and some noise for each figure.
  const double strain = rng.uniform();
  auto mix = [&] { return std::clamp(0.7 * strain + 0.3 * rng.uniform(), 0.0, 1.0); };
  StreetProfile p;
  p.late_response = 0.02 + 0.14 * mix();
  p.response_pace = 0.15 + 0.7 * mix();
  p.on_time = 0.96 - 0.24 * mix();
  p.escalate = 0.1 + 0.2 * rng.uniform();
  p.mood = mix();
  return p;
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
  if (cats->empty()) return core::Error{"no_categories", "seed the categories first", {}, 400};
  std::vector<const UnitRow*> units;
  for (const auto& u : org.data().units)
    if (u.kind == "department" || u.kind == "utility") units.push_back(&u);

  Rng rng(o.seed * 0x2545F4914F6CDD1Dull + 7);
  // Streets and surges from a stream of their own, so that they stay when the tickets'
  // own draws change.
  Rng shape(o.seed * 0x9E3779B97F4A7C15ull + 0x51ED2701ull);
  std::map<std::string, StreetProfile, std::less<>> profiles;
  std::vector<std::string> street_ids;
  for (const auto& s : org.data().streets) {
    profiles[s.id] = profile_of(shape);
    street_ids.push_back(s.id);
  }
  std::vector<Surge> surges;
  for (std::size_t k = 0; k < 3 && !street_ids.empty(); ++k)
    surges.push_back(
        {std::string(kSurgeCandidates[(k * 2 + shape.below(2)) % kSurgeCandidates.size()]),
         shape.pick(street_ids)});

  const std::int64_t span_days = 365LL * std::max(1, o.years);
  const std::int64_t today = core::days_from_civil(core::civil_date(o.now, core::kShanghaiOffset));
  // Reports grow by a third a year: the portal is found by more people.
  const double growth = 0.3 * std::max(1, o.years);
  double hour_total = 0;
  for (double h : kHourVolume) hour_total += h;
  // A moment of report, in the district's rhythm, at least a minute before now.
  auto pick_moment = [&]() -> std::pair<core::TimePoint, std::int64_t> {
    for (;;) {
      const double x =
          rng.chance(1.0 / (1.0 + growth / 2)) ? rng.uniform() : std::sqrt(rng.uniform());
      const std::int64_t day = today - static_cast<std::int64_t>((1.0 - x) * span_days);
      const core::CivilDate cd = core::civil_from_days(day);
      const int weekday = static_cast<int>(((day % 7) + 7 + 3) % 7);
      if (rng.uniform() * kMaxDayVolume >= kMonthVolume[cd.month - 1] * kWeekdayVolume[weekday])
        continue;
      double h = rng.uniform() * hour_total;
      int hour = 0;
      while (hour < 23 && h >= kHourVolume[hour]) h -= kHourVolume[hour++];
      const auto t =
          core::from_unix(day * 86400 - core::kShanghaiOffset + hour * 3600 + rng.below(3600));
      if (t + std::chrono::seconds(60) <= o.now) return {t, today - day};
    }
  };
  std::vector<double> weights(cats->size());

  std::vector<NewTicket> batch;
  for (std::int64_t i = 0; i < o.count; ++i) {
    const GridRow& g =
        grids[static_cast<std::size_t>(rng.below(static_cast<std::int64_t>(grids.size())))];
    const auto moment = pick_moment();
    const core::TimePoint t0 = moment.first;
    const std::int64_t days_ago = moment.second;
    const int month = core::civil_date(t0, core::kShanghaiOffset).month;
    const double recency = 1.0 - static_cast<double>(days_ago) / static_cast<double>(span_days);
    double total = 0;
    for (std::size_t k = 0; k < cats->size(); ++k) {
      const std::string& code = (*cats)[k].code;
      double w = season(code, month);
      if (code == kGrowingCategory) w *= 0.5 + 1.5 * recency;
      for (const auto& s : surges)
        if (days_ago < kSurgeDays && s.category == code && s.street_id == g.street_id)
          w *= 1.0 + kSurgePeak * static_cast<double>(kSurgeDays - days_ago) / kSurgeDays;
      weights[k] = w;
      total += w;
    }
    double pick = rng.uniform() * total;
    std::size_t ci = 0;
    while (ci + 1 < weights.size() && pick >= weights[ci]) pick -= weights[ci++];
    const core::Category& cat = (*cats)[ci];
    const auto pit = g.street_id.empty() ? profiles.end() : profiles.find(g.street_id);
    const StreetProfile street = pit == profiles.end() ? StreetProfile{} : pit->second;
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
                  const std::string& name, std::string note = {}, std::string data = {}) {
      core::AuditEvent e;
      e.at = core::format_iso(at);
      e.actor_role = role;
      e.actor_name = name;
      e.action = std::string(core::to_string(a));
      e.from_status = std::string(core::to_string(from));
      e.to_status = std::string(core::to_string(to));
      e.level = std::string(core::to_string(t.level));
      e.note = std::move(note);
      e.data = std::move(data);
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
    if (rng.chance(street.late_response)) {
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
      alive = wait(std::chrono::seconds(static_cast<std::int64_t>(
          respond.count() * rng.uniform() * std::min(0.9, 2 * street.response_pace))));
    if (alive) {
      ev(core::Action::accept, t.status, Status::accepted, handler_role(), "");
      t.responded_at = at;
    }
    // Escalation by complexity, then whistles.
    for (int step = 0; alive && step < 2 && t.level != Level::district &&
                       rng.chance(step ? 0.3 : street.escalate);
         ++step) {
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
    // Resolve, mostly on time. A limit that passes first is flagged by the scheduler.
    if (alive) {
      const double f =
          rng.chance(street.on_time) ? 0.1 + 0.8 * rng.uniform() : 1.05 + rng.uniform();
      // The limit counts from the report, so the time is too.
      const auto done =
          std::max(at + std::chrono::minutes(30),
                   t0 + std::chrono::seconds(static_cast<std::int64_t>(resolve.count() * f)));
      if (done > t.resolve_due_at && t.resolve_due_at < o.now) {
        at = std::max(at, t.resolve_due_at);
        ev(core::Action::flag_overdue, t.status, t.status, "system", "系统");
        t.overdue = true;
      }
      at = std::max(at, done);
      alive = at < o.now;
    }
    if (alive) {
      t.reply = write_reply(cat, rng);
      ev(core::Action::resolve, t.status, Status::resolved, handler_role(), "", *t.reply);
      t.resolved_at = at;
    }
    // Ratings: most citizens rate within days; the rest close automatically.
    if (alive && t.status == Status::resolved) {
      if (rng.chance(0.7)) {
        alive = wait(std::chrono::hours(1 + rng.below(72)));
        if (alive) {
          // A displeased street, and a late answer, make for lower scores.
          const double mood = std::min(1.0, street.mood + (t.overdue ? 0.3 : 0.0));
          const double r = std::pow(rng.uniform(), 1.4 - 0.8 * mood);
          const int sat = r < 0.55 ? 5 : r < 0.8 ? 4 : r < 0.9 ? 3 : r < 0.96 ? 2 : 1;
          const bool solved = sat >= 3 ? rng.chance(0.95) : rng.chance(0.3);
          t.rating_satisfaction = sat;
          t.rating_resolved = solved;
          t.rated_at = at;
          // The steps of a rating as the service records them: the rating, then
          // its consequence by the system.
          const std::string rated = core::Json{{"resolved", solved}, {"satisfaction", sat}}.dump();
          ev(core::Action::rate, t.status, t.status, "anonymous", "群众", {}, rated);
          if (sat > core::kReopenAtOrBelow && solved) {
            ev(core::Action::close, Status::resolved, Status::closed, "system", "系统");
            t.closed_at = at;
          } else {
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
    if (core::is_open(t.status) && !t.overdue && o.now > t.resolve_due_at) {
      at = std::max(at, t.resolve_due_at);
      ev(core::Action::flag_overdue, t.status, t.status, "system", "系统");
      t.overdue = true;
    }
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
