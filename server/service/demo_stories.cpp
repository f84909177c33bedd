#include "server/service/demo_stories.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portal/core/sla.hpp"
#include "server/service/descriptions.hpp"
#include "server/service/rng.hpp"
#include "server/service/ticket_service.hpp"

namespace portal::server {

namespace {

using core::Json;
using core::Role;
using core::TimePoint;
using std::chrono::hours;
using std::chrono::minutes;

constexpr std::array kSpots = {"东门",       "3号楼楼下",  "菜市场入口", "公交站旁",
                               "幼儿园门口", "路口东北角", "健身广场",   "地下车库入口"};
constexpr std::array kCallers = {"王女士", "李先生", "张大爷", "刘女士", "陈先生", "孙阿姨"};

// Matters that take days, not hours (the normal class: 24 h to respond, 5 working days
// to resolve), for stories that unfold over days.
constexpr std::array kDayCategories = {"env.noise",     "env.fumes",        "env.garbage",
                                       "city.road",     "city.streetlight", "city.vendor",
                                       "city.greenery", "city.facility",    "traffic.parking",
                                       "market.price",  "social.elderly",   "dispute.property"};

core::Error failed(const std::string& what, const core::Error& e) {
  return core::Error{e.code, "demo stories: " + what + ": " + e.message, e.field, 500};
}

class Storyteller {
 public:
  Storyteller(Store& store, std::shared_ptr<const OrgDirectory> org, const StoryOptions& o)
      : store_(store),
        org_(org),
        now_(o.now),
        rng_(o.seed * 0xA24BAED4963EE407ull + 0x9FB21C651E98DF25ull),
        service_(store, org, [this] { return clock_; }) {}

  core::Outcome load() {
    auto cats = store_.categories();
    if (!cats) return cats.error();
    for (const auto& c : *cats) categories_[c.code] = c;
    for (const char* code : kDayCategories)
      if (!categories_.count(code))
        return core::Error{"no_categories", "seed the demo categories first", {}, 400};
    constexpr int kPage = 1000;
    for (int page = 1;; ++page) {
      auto users = store_.users(page, kPage);
      if (!users) return users.error();
      for (const auto& u : *users) {
        const bool duty = u.username.rfind("ud", 0) == 0;
        if (u.role == Role::citizen && u.username.rfind("cz", 0) == 0) citizens_.push_back(u);
        if (u.role == Role::community_staff) community_staff_.emplace(u.community_id, u);
        if (u.role == Role::street_staff) street_staff_.emplace(u.street_id, u);
        if (u.role == Role::unit_staff && duty) unit_duty_.emplace(u.unit_id, u);
        if (u.role == Role::grid_worker && !u.grid_ids.empty())
          grid_worker_.emplace(u.grid_ids.front(), u);
        for (const char* name : {"gw0001", "cs001", "ss001", "ds01", "ha01", "ud001"})
          if (u.username == name) showcase_[name] = u;
      }
      if (users->size() < static_cast<std::size_t>(kPage)) break;
    }
    std::sort(citizens_.begin(), citizens_.end(),
              [](const UserRow& a, const UserRow& b) { return a.username < b.username; });
    for (const char* name : {"gw0001", "cs001", "ss001", "ds01", "ha01", "ud001"})
      if (!showcase_.count(name))
        return core::Error{"no_organisation",
                           std::string("seed the demo accounts first (") + name + " is missing)",
                           {},
                           400};
    return core::Unit{};
  }

  // cz001 has tickets: the stories were told before.
  core::Result<bool> told_before() {
    if (citizens_.empty()) return false;
    TicketFilter f;
    f.submitter_id = citizens_.front().id;
    f.page_size = 1;
    auto page = store_.list_tickets(f);
    if (!page) return page.error();
    return page->total > 0;
  }

  core::Outcome citizens(const ProgressFn& progress) {
    const auto total = static_cast<std::int64_t>(citizens_.size()) + 1;
    for (std::size_t i = 0; i < citizens_.size(); ++i) {
      if (auto ok = citizen(citizens_[i], i); !ok) return ok;
      if (progress) progress("stories", static_cast<std::int64_t>(i + 1), total);
    }
    return core::Unit{};
  }

  core::Outcome staff(const ProgressFn& progress) {
    if (auto ok = grid_worker(); !ok) return ok;
    if (auto ok = community(); !ok) return ok;
    if (auto ok = street(); !ok) return ok;
    if (auto ok = district(); !ok) return ok;
    if (progress) {
      const auto total = static_cast<std::int64_t>(citizens_.size()) + 1;
      progress("stories", total, total);
    }
    return core::Unit{};
  }

  int written() const { return written_; }

 private:
  // [SECTION] Steps, each through the service at its own time
  std::string pick_category() { return kDayCategories[rng_.below(kDayCategories.size())]; }

  const GridRow& grid(const std::string& id) const { return *org_->grid(id); }

  // A comprehensive grid with a worker in the community (any grid when it has none).
  const GridRow& grid_in(const std::string& community_id, const std::string& avoid = {}) {
    std::vector<const GridRow*> found;
    for (const auto& g : org_->data().grids)
      if (g.community_id == community_id && g.id != avoid && grid_worker_.count(g.id))
        found.push_back(&g);
    if (found.empty()) return grid(showcase_.at("gw0001").grid_ids.front());
    return *found[rng_.below(static_cast<std::int64_t>(found.size()))];
  }
  const GridRow& grid_in_street(const std::string& street_id) {
    std::vector<const GridRow*> found;
    for (const auto& g : org_->data().grids)
      if (g.street_id == street_id && grid_worker_.count(g.id)) found.push_back(&g);
    if (found.empty()) return grid(showcase_.at("gw0001").grid_ids.front());
    return *found[rng_.below(static_cast<std::int64_t>(found.size()))];
  }

  Actor worker(const GridRow& g) { return Actor::from_user(grid_worker_.at(g.id)); }
  Actor community_staff(const GridRow& g) {
    return Actor::from_user(community_staff_.at(g.community_id));
  }
  Actor street_staff(const GridRow& g) { return Actor::from_user(street_staff_.at(g.street_id)); }
  Actor showcase(const char* name) { return Actor::from_user(showcase_.at(name)); }

  core::Result<std::string> submit(const Actor& who, const std::string& code, const GridRow& g,
                                   TimePoint at, core::Channel channel, const std::string& name,
                                   const std::string& phone) {
    clock_ = at;
    core::TicketDraft d;
    d.category = code;
    d.description = write_description(categories_.at(code), rng_);
    d.location.lat = g.min_lat + (g.max_lat - g.min_lat) * (0.25 + 0.5 * rng_.uniform());
    d.location.lng = g.min_lng + (g.max_lng - g.min_lng) * (0.25 + 0.5 * rng_.uniform());
    const CommunityRow* c = org_->community(g.community_id);
    d.location.address = (c ? c->name : g.name) + kSpots[rng_.below(kSpots.size())];
    d.grid_id = g.id;
    d.contact.name = name;
    d.contact.phone = phone;
    d.channel = channel;
    auto r = service_.submit(d, who);
    if (!r) return failed("submit " + code, r.error());
    ++written_;
    return r->number;
  }
  // An anonymous caller's matter, taken down by the hotline.
  core::Result<std::string> call(const std::string& code, const GridRow& g, TimePoint at) {
    return submit(showcase("ha01"), code, g, at, core::Channel::hotline,
                  kCallers[rng_.below(kCallers.size())],
                  "13" + std::to_string(500000000 + rng_.below(400000000)));
  }

  core::Outcome act(const std::string& number, const Actor& who, const Json& body, TimePoint at) {
    clock_ = at;
    auto r = service_.act(number, who, body);
    if (!r) return failed(number + " " + body.value("action", "") + " by " + who.name, r.error());
    return core::Unit{};
  }
  core::Outcome accept(const std::string& n, const Actor& who, TimePoint at) {
    return act(n, who, {{"action", "accept"}}, at);
  }
  core::Outcome progress(const std::string& n, const Actor& who, const char* note, TimePoint at) {
    return act(n, who, {{"action", "progress"}, {"note", note}}, at);
  }
  core::Outcome escalate(const std::string& n, const Actor& who, const char* reason, TimePoint at) {
    return act(n, who, {{"action", "escalate"}, {"reason", reason}}, at);
  }
  core::Outcome resolve(const std::string& n, const Actor& who, const std::string& code,
                        TimePoint at) {
    return act(n, who, {{"action", "resolve"}, {"reply", write_reply(categories_.at(code), rng_)}},
               at);
  }
  core::Outcome whistle(const std::string& n, const Actor& who, std::vector<std::string> units,
                        TimePoint at) {
    return act(n, who, {{"action", "whistle"}, {"unit_ids", units}, {"note", "请到现场共同处置"}},
               at);
  }
  core::Outcome checkin(const std::string& n, const std::string& unit_id, TimePoint at) {
    auto t = store_.find_ticket(n);
    if (!t || !*t)
      return failed("checkin " + n, t ? core::Error{"not_found", "no ticket"} : t.error());
    auto ws = store_.whistles((*t)->id);
    if (!ws) return ws.error();
    for (const auto& w : *ws)
      if (w.unit_id == unit_id && w.status == core::WhistleState::summoned)
        return act(n, Actor::from_user(unit_duty_.at(unit_id)),
                   {{"action", "checkin"}, {"whistle_id", w.id}, {"note", "已到场查看"}}, at);
    return core::Unit{};
  }
  core::Outcome rate(const std::string& n, const UserRow& citizen, int satisfaction, bool resolved,
                     const char* comment, TimePoint at) {
    clock_ = at;
    auto r = service_.rate(
        n, Actor::from_user(citizen), std::nullopt,
        {{"resolved", resolved}, {"satisfaction", satisfaction}, {"comment", comment}});
    if (!r) return failed(n + " rating", r.error());
    return core::Unit{};
  }
  // What the scheduler does at `at` (escalations, overdue flags), as a running server
  // would have done then.
  core::Outcome sweep(TimePoint at) {
    clock_ = at;
    auto r = service_.run_scheduler();
    if (!r) return failed("scheduler", r.error());
    return core::Unit{};
  }

  // A submission time whose resolve limit falls between lo and hi from now.
  TimePoint created_for_due(const std::string& code, hours lo, hours hi) {
    const auto policy = service_.policy_for(code);
    TimePoint at = now_ - hours(1);
    for (int k = 0; k < 4 * 24 * 40; ++k, at -= minutes(15)) {
      const auto due = core::due_times(policy, at, org_->calendar()).resolve_due_at;
      if (due <= now_ + hi && due >= now_ + lo) return at;
      if (due < now_ + lo) break;
    }
    return now_ + lo - hours(24 * 7);  // no fit (a long holiday): a week before the wish
  }
  TimePoint due_of(const std::string& number) {
    auto t = store_.find_ticket(number);
    return t && *t ? (*t)->resolve_due_at : now_;
  }

  // [SECTION] A citizen's tickets
  // Five of them: one just sent, one at the community with a unit summoned (吹哨), one
  // resolved and waiting for the rating, one closed with a good rating, and either one
  // reopened after a bad rating or one the grid worker returned to the community.
  core::Outcome citizen(const UserRow& c, std::size_t i) {
    const Actor me = Actor::from_user(c);
    // cz001 reports in gw0001's grid, so that both sides of the story can be seen.
    const GridRow& g =
        i == 0 ? grid(showcase_.at("gw0001").grid_ids.front()) : grid_in(c.community_id);
    const Actor gw = worker(g);
    const Actor cs = community_staff(g);
    auto new_ticket = [&](TimePoint at) -> core::Result<std::string> {
      std::string code = pick_category();
      return submit(me, code, g, at, core::Channel::web, c.name, c.phone);
    };
    auto code_of = [&](const std::string& number) {
      auto t = store_.find_ticket(number);
      return t && *t ? (*t)->draft.category : std::string("env.noise");
    };

    // Just sent.
    if (auto n = new_ticket(now_ - minutes(20 + rng_.below(150))); !n) return n.error();

    // At the community, a unit summoned; every other citizen's unit has come.
    {
      const TimePoint t0 = now_ - hours(30 + rng_.below(20));
      auto n = new_ticket(t0);
      if (!n) return n.error();
      std::string unit = showcase_.at("ud001").unit_id;
      if (i > 0) {
        const auto& dflt = categories_.at(code_of(*n)).default_unit_id;
        if (unit_duty_.count(dflt)) unit = dflt;
      }
      for (auto ok : {accept(*n, gw, t0 + minutes(35)),
                      escalate(*n, gw, "涉及多户居民和物业，需社区协调", t0 + hours(3)),
                      accept(*n, cs, t0 + hours(4)), whistle(*n, cs, {unit}, t0 + hours(5))})
        if (!ok) return ok;
      if (i % 2 == 0)
        if (auto ok = checkin(*n, unit, t0 + hours(7)); !ok) return ok;
    }

    // Resolved two or three days ago: the rating is the citizen's to give.
    {
      const TimePoint t0 = now_ - hours(70 + rng_.below(30));
      auto n = new_ticket(t0);
      if (!n) return n.error();
      for (auto ok : {accept(*n, gw, t0 + minutes(50)),
                      progress(*n, gw, "已联系相关人员，正在处理", t0 + hours(4)),
                      resolve(*n, gw, code_of(*n), t0 + hours(26))})
        if (!ok) return ok;
    }

    // Closed weeks ago with a good rating.
    {
      const TimePoint t0 = now_ - hours(24 * (15 + rng_.below(30)) + rng_.below(12));
      auto n = new_ticket(t0);
      if (!n) return n.error();
      const auto done = t0 + hours(24 + rng_.below(48));
      const bool five = rng_.chance(0.7);
      for (auto ok : {accept(*n, gw, t0 + hours(1)), resolve(*n, gw, code_of(*n), done),
                      rate(*n, c, five ? 5 : 4, true, five ? "处理及时，很满意" : "解决了，谢谢",
                           done + hours(6))})
        if (!ok) return ok;
    }

    if (i % 2 == 0) {
      // Reopened: the first answer did not hold, and the citizen said so.
      const TimePoint t0 = now_ - hours(100 + rng_.below(20));
      auto n = new_ticket(t0);
      if (!n) return n.error();
      for (auto ok : {accept(*n, gw, t0 + hours(1)), resolve(*n, gw, code_of(*n), t0 + hours(30)),
                      rate(*n, c, 2, false, "还是老样子，问题没有解决", t0 + hours(38)),
                      progress(*n, gw, "已重新安排人员处理，明天上门", t0 + hours(41))})
        if (!ok) return ok;
    } else {
      // Returned: not the grid's to solve; the community is to send it on.
      const TimePoint t0 = now_ - hours(8 + rng_.below(6));
      auto n = new_ticket(t0);
      if (!n) return n.error();
      if (auto ok =
              act(*n, gw, {{"action", "return"}, {"reason", "不属于本网格职责，退回社区重新分派"}},
                  t0 + minutes(50));
          !ok)
        return ok;
    }
    return core::Unit{};
  }

  // [SECTION] The showcase staff's queues
  // gw0001: two waiting for an answer (one due within hours), one due soon, two overdue,
  // one found on patrol.
  core::Outcome grid_worker() {
    const Actor gw = showcase("gw0001");
    const GridRow& g = grid(gw.grid_ids.front());
    {
      auto n = call(pick_category(), g, now_ - hours(21) - minutes(rng_.below(60)));
      if (!n) return n.error();
    }
    {
      auto n = submit(Actor{}, pick_category(), g, now_ - minutes(100), core::Channel::web,
                      "赵先生", "13905371234");
      if (!n) return n.error();
    }
    {
      const std::string code = pick_category();
      const TimePoint t0 = created_for_due(code, hours(3), hours(20));
      auto n = call(code, g, t0);
      if (!n) return n.error();
      for (auto ok : {accept(*n, gw, t0 + hours(1)),
                      progress(*n, gw, "已联系物业，约定上门处理", t0 + hours(20))})
        if (!ok) return ok;
    }
    for (int k = 0; k < 2; ++k) {
      const std::string code = pick_category();
      // One a day or two past its limit, one since this morning.
      const TimePoint t0 = k == 0 ? created_for_due(code, hours(-60), hours(-30))
                                  : created_for_due(code, hours(-26), hours(-4));
      auto n = call(code, g, t0);
      if (!n) return n.error();
      for (auto ok : {accept(*n, gw, t0 + hours(2)),
                      progress(*n, gw, "需协调施工方，正在沟通", t0 + hours(26)),
                      sweep(due_of(*n) + minutes(2))})
        if (!ok) return ok;
    }
    {
      const TimePoint t0 = now_ - hours(5);
      auto n = submit(gw, "city.facility", g, t0, core::Channel::patrol, gw.name,
                      showcase_.at("gw0001").phone);
      if (!n) return n.error();
      if (auto ok = accept(*n, gw, t0 + minutes(5)); !ok) return ok;
    }
    return core::Unit{};
  }

  // cs001: one the grid worker left unanswered (escalated by the scheduler), one
  // escalated by the grid worker and now overdue.
  core::Outcome community() {
    const Actor cs = showcase("cs001");
    const GridRow& g = grid_in(cs.community_id, showcase_.at("gw0001").grid_ids.front());
    {
      const TimePoint t0 = now_ - hours(30) - minutes(rng_.below(60));
      auto n = call(pick_category(), g, t0);
      if (!n) return n.error();
      if (auto ok = sweep(t0 + hours(24) + minutes(2)); !ok) return ok;
    }
    {
      const std::string code = pick_category();
      const TimePoint t0 = created_for_due(code, hours(-30), hours(-6));
      auto n = call(code, g, t0);
      if (!n) return n.error();
      const Actor gw = worker(g);
      for (auto ok :
           {accept(*n, gw, t0 + hours(1)), escalate(*n, gw, "涉及违建，需社区出面", t0 + hours(5)),
            accept(*n, cs, t0 + hours(7)),
            progress(*n, cs, "已约谈当事人，等待整改", t0 + hours(50)),
            sweep(due_of(*n) + minutes(2))})
        if (!ok) return ok;
    }
    return core::Unit{};
  }

  // ss001: one up from the grid through the community, two units summoned (one has
  // come); one nobody answered twice, escalated by the scheduler twice.
  core::Outcome street() {
    const Actor ss = showcase("ss001");
    const std::string unit = showcase_.at("ud001").unit_id;
    {
      const GridRow& g = grid_in_street(ss.street_id);
      const TimePoint t0 = now_ - hours(72) - minutes(rng_.below(120));
      auto n = call("dispute.property", g, t0);
      if (!n) return n.error();
      const Actor gw = worker(g), cs = community_staff(g);
      std::string other = "dept.housing";
      if (other == unit || !unit_duty_.count(other)) other = "dept.urban";
      for (auto ok :
           {accept(*n, gw, t0 + minutes(30)), escalate(*n, gw, "涉及多个部门", t0 + hours(2)),
            accept(*n, cs, t0 + hours(3)), escalate(*n, cs, "需街道协调多部门", t0 + hours(26)),
            accept(*n, ss, t0 + hours(28)), whistle(*n, ss, {unit, other}, t0 + hours(29)),
            checkin(*n, unit, t0 + hours(31))})
        if (!ok) return ok;
    }
    {
      const GridRow& g = grid_in_street(ss.street_id);
      const TimePoint t0 = now_ - hours(50) - minutes(rng_.below(60));
      auto n = call(pick_category(), g, t0);
      if (!n) return n.error();
      for (auto ok : {sweep(t0 + hours(24) + minutes(2)), sweep(t0 + hours(48) + minutes(4))})
        if (!ok) return ok;
    }
    return core::Unit{};
  }

  // ds01: one escalated through all four levels and overdue, one handed up to the
  // district this morning, one the district sent to ud001's unit.
  core::Outcome district() {
    const Actor ds = showcase("ds01");
    const Actor unit_staff = showcase("ud001");
    {
      const std::string code = "dispute.property";
      const TimePoint t0 = created_for_due(code, hours(-40), hours(-12));
      const GridRow& g = grid_in_street(showcase_.at("ss001").street_id);
      auto n = call(code, g, t0);
      if (!n) return n.error();
      const Actor gw = worker(g), cs = community_staff(g), ss = street_staff(g);
      for (auto ok :
           {accept(*n, gw, t0 + hours(1)), escalate(*n, gw, "需社区协调", t0 + hours(3)),
            accept(*n, cs, t0 + hours(4)), escalate(*n, cs, "需街道协调", t0 + hours(24)),
            accept(*n, ss, t0 + hours(26)), escalate(*n, ss, "需区级统筹", t0 + hours(48)),
            accept(*n, ds, t0 + hours(50)),
            progress(*n, ds, "已召集住建、城管联合会商", t0 + hours(72)),
            sweep(due_of(*n) + minutes(2))})
        if (!ok) return ok;
    }
    {
      const GridRow& g = grid_in_street(showcase_.at("ss001").street_id);
      const TimePoint t0 = now_ - hours(14);
      auto n = call(pick_category(), g, t0);
      if (!n) return n.error();
      for (auto ok : {escalate(*n, worker(g), "非本网格能处置", t0 + minutes(30)),
                      escalate(*n, community_staff(g), "需街道协调", t0 + hours(2)),
                      escalate(*n, street_staff(g), "需区级统筹", t0 + hours(4))})
        if (!ok) return ok;
    }
    {
      const GridRow& g = grid_in_street(showcase_.at("ss001").street_id);
      const TimePoint t0 = now_ - hours(26);
      const std::string code = "city.streetlight";
      auto n = call(code, g, t0);
      if (!n) return n.error();
      for (auto ok :
           {escalate(*n, worker(g), "需专业部门处置", t0 + hours(1)),
            escalate(*n, community_staff(g), "需专业部门处置", t0 + hours(2)),
            escalate(*n, street_staff(g), "需专业部门处置", t0 + hours(3)),
            act(*n, ds, {{"action", "assign"}, {"unit_id", unit_staff.unit_id}}, t0 + hours(4)),
            accept(*n, unit_staff, t0 + hours(5)),
            progress(*n, unit_staff, "已安排维修班组，等待配件", t0 + hours(8))})
        if (!ok) return ok;
    }
    return core::Unit{};
  }

  Store& store_;
  std::shared_ptr<const OrgDirectory> org_;
  TimePoint now_;
  TimePoint clock_{};
  Rng rng_;
  TicketService service_;
  int written_ = 0;
  std::map<std::string, core::Category, std::less<>> categories_;
  std::vector<UserRow> citizens_;
  std::map<std::string, UserRow, std::less<>> community_staff_, street_staff_, unit_duty_,
      grid_worker_, showcase_;
};

}  // namespace

core::Result<StoryReport> seed_demo_stories(Store& store, std::shared_ptr<const OrgDirectory> org,
                                            const StoryOptions& options,
                                            const ProgressFn& progress) {
  Storyteller teller(store, std::move(org), options);
  if (auto ok = teller.load(); !ok) return ok.error();
  auto before = teller.told_before();
  if (!before) return before.error();
  StoryReport report;
  if (*before) {
    report.skipped = true;
    return report;
  }
  if (auto ok = teller.citizens(progress); !ok) return ok.error();
  if (auto ok = teller.staff(progress); !ok) return ok.error();
  report.tickets = teller.written();
  return report;
}

}  // namespace portal::server
