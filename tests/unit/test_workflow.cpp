// The state machine of SPEC §4: every transition, every forbidden one, and the
// invariants that hold over the whole space of facts.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "portal/core/workflow.hpp"

namespace {

using portal::core::Action;
using portal::core::ActionInput;
using portal::core::allowed_actions;
using portal::core::apply;
using portal::core::Level;
using portal::core::Role;
using portal::core::Status;
using portal::core::TicketFacts;
using portal::core::WhistleState;
using Names = std::vector<std::string>;

const std::vector<Status> kAllStatuses = {Status::submitted,   Status::assigned, Status::accepted,
                                          Status::in_progress, Status::resolved, Status::closed,
                                          Status::returned,    Status::rejected, Status::merged};
const std::vector<Level> kAllLevels = {Level::grid, Level::community, Level::street,
                                       Level::district};
const std::vector<Role> kAllRoles = {
    Role::citizen,        Role::grid_worker, Role::community_staff, Role::street_staff,
    Role::district_staff, Role::unit_staff,  Role::hotline_agent,   Role::admin,
    Role::auditor,        Role::system};
const std::vector<Action> kAllActions = {
    Action::accept,        Action::contact,          Action::progress,     Action::escalate,
    Action::whistle,       Action::checkin,          Action::whistle_done, Action::resolve,
    Action::return_ticket, Action::reject,           Action::merge,        Action::record_rating,
    Action::assign,        Action::withdraw_whistle, Action::recategorize, Action::rate,
    Action::submit,        Action::reopen,           Action::close,        Action::auto_escalate,
    Action::flag_overdue,  Action::auto_close};

TicketFacts held(Status s, Level l) {
  TicketFacts f;
  f.status = s;
  f.level = l;
  f.is_handler = true;
  f.in_scope = true;
  return f;
}

TicketFacts held_by_unit(Status s) {
  TicketFacts f = held(s, Level::district);
  f.assignee_is_unit = true;
  return f;
}

ActionInput rating(bool resolved, int satisfaction) {
  ActionInput in;
  in.resolved = resolved;
  in.satisfaction = satisfaction;
  return in;
}

// [SECTION] Names
TEST(Workflow, RoleNamesRoundTrip) {
  for (Role r : kAllRoles) {
    if (r == Role::system) continue;
    auto back = portal::core::parse_role(portal::core::to_string(r));
    ASSERT_TRUE(back.has_value()) << portal::core::to_string(r);
    EXPECT_EQ(*back, r);
  }
  EXPECT_EQ(portal::core::to_string(Role::system), "system");
  EXPECT_FALSE(portal::core::parse_role("system").has_value());  // never an account's role
  EXPECT_FALSE(portal::core::parse_role("root").has_value());
  EXPECT_FALSE(portal::core::parse_role("").has_value());
}

TEST(Workflow, ActionNamesRoundTrip) {
  std::set<std::string> seen;
  for (Action a : kAllActions) {
    const std::string name(portal::core::to_string(a));
    EXPECT_TRUE(seen.insert(name).second) << name;
    EXPECT_EQ(portal::core::parse_action(name), a);
  }
  EXPECT_EQ(portal::core::to_string(Action::return_ticket), "return");
  EXPECT_EQ(portal::core::parse_action("return"), Action::return_ticket);
  EXPECT_FALSE(portal::core::parse_action("delete").has_value());
}

TEST(Workflow, RequestActionsAreTheApiOnesPlusAssignAndWithdraw) {
  const std::set<std::string> api = {"accept",  "contact",          "progress",     "escalate",
                                     "whistle", "checkin",          "whistle_done", "resolve",
                                     "return",  "reject",           "merge",        "record_rating",
                                     "assign",  "withdraw_whistle", "recategorize"};
  for (Action a : kAllActions)
    EXPECT_EQ(portal::core::is_request_action(a),
              api.count(std::string(portal::core::to_string(a))) == 1)
        << portal::core::to_string(a);
}

TEST(Workflow, WhistleStateNames) {
  for (auto s : {WhistleState::summoned, WhistleState::checked_in, WhistleState::done,
                 WhistleState::withdrawn})
    EXPECT_EQ(portal::core::parse_whistle_state(portal::core::to_string(s)), s);
  EXPECT_TRUE(portal::core::is_open(WhistleState::summoned));
  EXPECT_TRUE(portal::core::is_open(WhistleState::checked_in));
  EXPECT_FALSE(portal::core::is_open(WhistleState::done));
  EXPECT_FALSE(portal::core::is_open(WhistleState::withdrawn));
}

TEST(Workflow, LevelsAndHandlerRoles) {
  EXPECT_EQ(portal::core::next_level(Level::grid), Level::community);
  EXPECT_EQ(portal::core::next_level(Level::community), Level::street);
  EXPECT_EQ(portal::core::next_level(Level::street), Level::district);
  EXPECT_FALSE(portal::core::next_level(Level::district).has_value());
  EXPECT_EQ(portal::core::handler_role(Level::grid), Role::grid_worker);
  EXPECT_EQ(portal::core::handler_role(Level::community), Role::community_staff);
  EXPECT_EQ(portal::core::handler_role(Level::street), Role::street_staff);
  EXPECT_EQ(portal::core::handler_role(Level::district), Role::district_staff);
}

// [SECTION] allowed_actions per holder and status: the full table
struct Row {
  Status status;
  Names grid_worker, community_staff, street_staff, district_staff, unit_staff;
};

TEST(Workflow, AllowedActionsOfEveryHolderInEveryStatus) {
  const std::vector<Row> table = {
      {Status::submitted,
       {"accept", "contact", "escalate", "return", "merge", "recategorize"},
       {"accept", "contact", "escalate", "return", "merge", "assign", "recategorize"},
       {"accept", "contact", "escalate", "return", "merge", "assign", "recategorize"},
       {"accept", "contact", "reject", "merge", "assign", "recategorize"},
       {"accept", "contact", "return", "merge", "recategorize"}},
      {Status::assigned,
       {"accept", "contact", "escalate", "return", "merge", "recategorize"},
       {"accept", "contact", "escalate", "return", "merge", "assign", "recategorize"},
       {"accept", "contact", "escalate", "return", "merge", "assign", "recategorize"},
       {"accept", "contact", "reject", "merge", "assign", "recategorize"},
       {"accept", "contact", "return", "merge", "recategorize"}},
      {Status::accepted,
       {"contact", "progress", "escalate", "whistle", "resolve", "return", "merge", "recategorize"},
       {"contact", "progress", "escalate", "whistle", "resolve", "return", "merge", "assign",
        "recategorize"},
       {"contact", "progress", "escalate", "whistle", "resolve", "return", "merge", "assign",
        "recategorize"},
       {"contact", "progress", "whistle", "resolve", "reject", "merge", "assign", "recategorize"},
       {"contact", "progress", "resolve", "return", "merge", "recategorize"}},
      {Status::in_progress,
       {"contact", "progress", "escalate", "whistle", "resolve", "return", "merge", "recategorize"},
       {"contact", "progress", "escalate", "whistle", "resolve", "return", "merge", "assign",
        "recategorize"},
       {"contact", "progress", "escalate", "whistle", "resolve", "return", "merge", "assign",
        "recategorize"},
       {"contact", "progress", "whistle", "resolve", "reject", "merge", "assign", "recategorize"},
       {"contact", "progress", "resolve", "return", "merge", "recategorize"}},
      {Status::returned,
       {"accept", "escalate", "return", "merge", "recategorize"},
       {"accept", "escalate", "return", "merge", "assign", "recategorize"},
       {"accept", "escalate", "return", "merge", "assign", "recategorize"},
       {"accept", "reject", "merge", "assign", "recategorize"},
       {"accept", "return", "merge", "recategorize"}},
      {Status::resolved, {}, {}, {}, {}, {}},
      {Status::closed, {}, {}, {}, {}, {}},
      {Status::rejected, {}, {}, {}, {}, {}},
      {Status::merged, {}, {}, {}, {}, {}},
  };
  for (const Row& row : table) {
    const std::string st(portal::core::to_string(row.status));
    EXPECT_EQ(allowed_actions(held(row.status, Level::grid), Role::grid_worker), row.grid_worker)
        << st;
    EXPECT_EQ(allowed_actions(held(row.status, Level::community), Role::community_staff),
              row.community_staff)
        << st;
    EXPECT_EQ(allowed_actions(held(row.status, Level::street), Role::street_staff),
              row.street_staff)
        << st;
    EXPECT_EQ(allowed_actions(held(row.status, Level::district), Role::district_staff),
              row.district_staff)
        << st;
    EXPECT_EQ(allowed_actions(held_by_unit(row.status), Role::unit_staff), row.unit_staff) << st;
  }
}

TEST(Workflow, AllowedActionsOfEveryoneElse) {
  for (Status s : kAllStatuses) {
    TicketFacts f = held(s, Level::grid);
    f.is_submitter = true;
    // Administrators and auditors take no action on tickets, whatever the facts say.
    EXPECT_TRUE(allowed_actions(f, Role::admin).empty());
    EXPECT_TRUE(allowed_actions(f, Role::auditor).empty());
    // The submitting citizen only rates, and only a resolved ticket.
    EXPECT_EQ(allowed_actions(f, Role::citizen), s == Status::resolved ? Names{"rate"} : Names{});
    // The hotline agent records phone ratings of resolved tickets and adds caller notes.
    TicketFacts scope;
    scope.status = s;
    scope.in_scope = true;
    const Names hotline = s == Status::resolved      ? Names{"record_rating"}
                          : portal::core::is_open(s) ? Names{"progress"}
                                                     : Names{};
    EXPECT_EQ(allowed_actions(scope, Role::hotline_agent), hotline);
  }
  // A citizen who did not submit it: nothing.
  TicketFacts other = held(Status::resolved, Level::grid);
  EXPECT_TRUE(allowed_actions(other, Role::citizen).empty());
  // The system's actions never show.
  for (Status s : kAllStatuses)
    EXPECT_TRUE(allowed_actions(held(s, Level::grid), Role::system).empty());
}

TEST(Workflow, AssistantsOnlyAddNotes) {
  // The grid worker assists once the ticket went up to the community.
  TicketFacts f;
  f.status = Status::in_progress;
  f.level = Level::community;
  f.in_scope = true;
  EXPECT_EQ(allowed_actions(f, Role::grid_worker), Names{"progress"});
  auto t = apply(f, Role::grid_worker, Action::progress);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->to_status, Status::in_progress);
  f.status = Status::accepted;
  t = apply(f, Role::grid_worker, Action::progress);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->to_status, Status::accepted);  // a note does not move it
  EXPECT_EQ(apply(f, Role::grid_worker, Action::accept).error().code, "not_handler");
  EXPECT_EQ(apply(f, Role::grid_worker, Action::resolve).error().status, 403);
  // District staff oversee every ticket: notes and merging duplicates.
  EXPECT_EQ(allowed_actions(f, Role::district_staff), (Names{"progress", "merge"}));
  // Staff outside the ticket's area: nothing.
  f.in_scope = false;
  EXPECT_TRUE(allowed_actions(f, Role::street_staff).empty());
  EXPECT_EQ(apply(f, Role::street_staff, Action::progress).error().code, "not_handler");
  EXPECT_EQ(apply(f, Role::district_staff, Action::merge).error().code, "not_handler");
}

TEST(Workflow, HolderRoleMustFitTheLevel) {
  // The server says "handler", but a community staff member cannot hold a grid-level
  // ticket, and no person holds a ticket a unit holds.
  EXPECT_EQ(apply(held(Status::assigned, Level::grid), Role::community_staff, Action::accept)
                .error()
                .code,
            "not_handler");
  EXPECT_EQ(
      apply(held_by_unit(Status::assigned), Role::district_staff, Action::accept).error().code,
      "not_handler");
  EXPECT_EQ(
      apply(held(Status::assigned, Level::district), Role::unit_staff, Action::accept).error().code,
      "not_handler");
  EXPECT_EQ(apply(held(Status::assigned, Level::grid), Role::grid_worker, Action::accept).ok(),
            true);
}

// [SECTION] Transitions one by one
TEST(Workflow, AcceptAndContactAreResponses) {
  for (Status s : {Status::submitted, Status::assigned, Status::returned}) {
    auto t = apply(held(s, Level::grid), Role::grid_worker, Action::accept);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->to_status, Status::accepted);
    EXPECT_EQ(t->to_level, Level::grid);
    EXPECT_TRUE(t->responds);
    EXPECT_FALSE(t->new_handler);
    ASSERT_EQ(t->steps.size(), 1u);
    EXPECT_EQ(t->steps[0].action, Action::accept);
    EXPECT_EQ(t->steps[0].from_status, s);
    EXPECT_EQ(t->steps[0].to_status, Status::accepted);
  }
  for (Status s : {Status::submitted, Status::assigned, Status::accepted, Status::in_progress}) {
    auto t = apply(held(s, Level::community), Role::community_staff, Action::contact);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->to_status, Status::in_progress);
    EXPECT_TRUE(t->responds);
  }
  auto again = apply(held(Status::accepted, Level::grid), Role::grid_worker, Action::accept);
  EXPECT_EQ(again.error().code, "action_not_allowed");
  EXPECT_EQ(again.error().status, 409);
}

TEST(Workflow, ProgressMovesToInProgress) {
  for (Status s : {Status::accepted, Status::in_progress}) {
    auto t = apply(held(s, Level::street), Role::street_staff, Action::progress);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->to_status, Status::in_progress);
    EXPECT_FALSE(t->responds);
  }
  EXPECT_EQ(apply(held(Status::assigned, Level::street), Role::street_staff, Action::progress)
                .error()
                .status,
            409);
}

TEST(Workflow, EscalateClimbsOneLevelToTheDistrictAndNoFurther) {
  const std::vector<std::pair<Level, Role>> chain = {{Level::grid, Role::grid_worker},
                                                     {Level::community, Role::community_staff},
                                                     {Level::street, Role::street_staff}};
  for (const auto& [level, role] : chain) {
    auto t = apply(held(Status::in_progress, level), role, Action::escalate);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->to_status, Status::assigned);
    EXPECT_EQ(t->to_level, *portal::core::next_level(level));
    EXPECT_TRUE(t->new_handler);
    EXPECT_EQ(t->steps[0].from_level, level);
    EXPECT_EQ(t->steps[0].to_level, t->to_level);
  }
  auto top =
      apply(held(Status::in_progress, Level::district), Role::district_staff, Action::escalate);
  EXPECT_EQ(top.error().code, "at_top_level");
  EXPECT_EQ(top.error().status, 409);
  EXPECT_EQ(
      apply(held_by_unit(Status::in_progress), Role::unit_staff, Action::escalate).error().code,
      "forbidden_role");
}

TEST(Workflow, WhistlesSummonCheckInFinishAndBlockResolve) {
  // The grid worker whistles a unit.
  TicketFacts f = held(Status::accepted, Level::grid);
  auto w = apply(f, Role::grid_worker, Action::whistle);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->to_status, Status::in_progress);
  EXPECT_EQ(w->whistle_to, WhistleState::summoned);
  f.status = Status::in_progress;
  f.open_whistles = 1;

  // While it is open the ticket cannot be resolved, returned, rejected or merged.
  auto r = apply(f, Role::grid_worker, Action::resolve);
  EXPECT_EQ(r.error().code, "whistles_open");
  EXPECT_EQ(r.error().status, 409);
  EXPECT_EQ(apply(f, Role::grid_worker, Action::return_ticket).error().code, "whistles_open");
  EXPECT_EQ(apply(f, Role::grid_worker, Action::merge).error().code, "whistles_open");
  EXPECT_EQ(
      allowed_actions(f, Role::grid_worker),
      (Names{"contact", "progress", "escalate", "whistle", "withdraw_whistle", "recategorize"}));

  // The summoned unit's staff: checks in, notes, finishes.
  TicketFacts u;
  u.status = Status::in_progress;
  u.level = Level::grid;
  u.open_whistles = 1;
  u.actor_unit_summoned = 1;
  EXPECT_EQ(allowed_actions(u, Role::unit_staff), (Names{"progress", "checkin"}));
  ActionInput named;
  named.whistle = WhistleState::summoned;
  named.whistle_of_actor_unit = true;
  auto c = apply(u, Role::unit_staff, Action::checkin, named);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->whistle_to, WhistleState::checked_in);
  EXPECT_EQ(c->to_status, Status::in_progress);
  EXPECT_EQ(apply(u, Role::unit_staff, Action::whistle_done, named).error().code,
            "whistle_state");  // not checked in yet

  u.actor_unit_summoned = 0;
  u.actor_unit_checked_in = 1;
  EXPECT_EQ(allowed_actions(u, Role::unit_staff), (Names{"progress", "whistle_done"}));
  named.whistle = WhistleState::checked_in;
  EXPECT_EQ(apply(u, Role::unit_staff, Action::checkin, named).error().code, "whistle_state");
  auto d = apply(u, Role::unit_staff, Action::whistle_done, named);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->whistle_to, WhistleState::done);
  named.whistle = WhistleState::done;
  EXPECT_EQ(apply(u, Role::unit_staff, Action::whistle_done, named).error().code, "whistle_state");

  // Another unit's whistle is not yours; other roles never check in.
  ActionInput foreign;
  foreign.whistle = WhistleState::summoned;
  foreign.whistle_of_actor_unit = false;
  EXPECT_EQ(apply(u, Role::unit_staff, Action::checkin, foreign).error().code, "not_your_whistle");
  EXPECT_EQ(apply(u, Role::unit_staff, Action::checkin, foreign).error().status, 403);
  TicketFacts none = u;
  none.actor_unit_checked_in = 0;
  EXPECT_EQ(apply(none, Role::unit_staff, Action::checkin).error().code, "not_your_whistle");
  EXPECT_EQ(apply(f, Role::grid_worker, Action::checkin, named).error().code, "forbidden_role");

  // Once every whistle is done, the ticket resolves.
  f.open_whistles = 0;
  auto ok = apply(f, Role::grid_worker, Action::resolve);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->to_status, Status::resolved);
}

TEST(Workflow, WhistleNeedsAnAcceptedTicketAndAPersonHolder) {
  EXPECT_EQ(
      apply(held(Status::assigned, Level::grid), Role::grid_worker, Action::whistle).error().code,
      "action_not_allowed");
  for (auto [level, role] :
       std::vector<std::pair<Level, Role>>{{Level::grid, Role::grid_worker},
                                           {Level::community, Role::community_staff},
                                           {Level::street, Role::street_staff},
                                           {Level::district, Role::district_staff}})
    EXPECT_TRUE(apply(held(Status::in_progress, level), role, Action::whistle).ok());
  EXPECT_EQ(
      apply(held_by_unit(Status::in_progress), Role::unit_staff, Action::whistle).error().code,
      "forbidden_role");
}

TEST(Workflow, WithdrawWhistle) {
  TicketFacts f = held(Status::in_progress, Level::street);
  f.open_whistles = 2;
  ActionInput in;
  in.whistle = WhistleState::checked_in;
  auto t = apply(f, Role::street_staff, Action::withdraw_whistle, in);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->whistle_to, WhistleState::withdrawn);
  EXPECT_EQ(t->to_status, Status::in_progress);
  in.whistle = WhistleState::done;
  EXPECT_EQ(apply(f, Role::street_staff, Action::withdraw_whistle, in).error().code,
            "whistle_state");
  EXPECT_EQ(apply(f, Role::street_staff, Action::withdraw_whistle).error().status, 422);
  EXPECT_EQ(apply(f, Role::unit_staff, Action::withdraw_whistle, in).error().code,
            "forbidden_role");
}

TEST(Workflow, ReturnGoesToTheLevelAboveOrBackFromAUnit) {
  auto g = apply(held(Status::assigned, Level::grid), Role::grid_worker, Action::return_ticket);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->to_status, Status::returned);
  EXPECT_EQ(g->to_level, Level::community);
  EXPECT_TRUE(g->new_handler);
  auto s = apply(held(Status::returned, Level::street), Role::street_staff, Action::return_ticket);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->to_level, Level::district);
  auto u = apply(held_by_unit(Status::accepted), Role::unit_staff, Action::return_ticket);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->to_status, Status::returned);
  EXPECT_EQ(u->to_level, Level::district);
  EXPECT_TRUE(u->new_handler);
  // The district does not return; it rejects or re-assigns.
  EXPECT_EQ(
      apply(held(Status::assigned, Level::district), Role::district_staff, Action::return_ticket)
          .error()
          .code,
      "forbidden_role");
}

TEST(Workflow, AssignDispatchesDownwardsAndTheDistrictToUnits) {
  // The community re-assigns a returned ticket to a grid.
  ActionInput to_grid;
  to_grid.target_level = Level::grid;
  auto c = apply(held(Status::returned, Level::community), Role::community_staff, Action::assign,
                 to_grid);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->to_status, Status::assigned);
  EXPECT_EQ(c->to_level, Level::grid);
  EXPECT_TRUE(c->new_handler);
  // Not upwards, not sideways (escalate goes up), and the level is required.
  ActionInput same;
  same.target_level = Level::community;
  EXPECT_EQ(
      apply(held(Status::returned, Level::community), Role::community_staff, Action::assign, same)
          .error()
          .status,
      422);
  EXPECT_EQ(apply(held(Status::returned, Level::community), Role::community_staff, Action::assign)
                .error()
                .field,
            "level");
  // Units: the district only.
  ActionInput to_unit;
  to_unit.target_is_unit = true;
  auto d =
      apply(held(Status::assigned, Level::district), Role::district_staff, Action::assign, to_unit);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->to_level, Level::district);
  EXPECT_EQ(d->to_status, Status::assigned);
  EXPECT_EQ(
      apply(held(Status::in_progress, Level::street), Role::street_staff, Action::assign, to_unit)
          .error()
          .status,
      409);
  // Grid workers and units have nobody below.
  EXPECT_EQ(apply(held(Status::assigned, Level::grid), Role::grid_worker, Action::assign, to_grid)
                .error()
                .code,
            "forbidden_role");
  EXPECT_EQ(
      apply(held_by_unit(Status::assigned), Role::unit_staff, Action::assign, to_unit).error().code,
      "forbidden_role");
  // Nothing to dispatch once resolved.
  EXPECT_EQ(
      apply(held(Status::resolved, Level::district), Role::district_staff, Action::assign, to_unit)
          .error()
          .code,
      "action_not_allowed");
}

TEST(Workflow, RoutingIsTheSystemsAssign) {
  TicketFacts f;
  f.status = Status::submitted;
  ActionInput in;
  in.target_level = Level::grid;
  auto t = apply(f, Role::system, Action::assign, in);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->to_status, Status::assigned);
  EXPECT_EQ(t->to_level, Level::grid);
  // Outside every grid: the district hotline centre.
  in.target_level = Level::district;
  EXPECT_EQ(apply(f, Role::system, Action::assign, in)->to_level, Level::district);
  f.status = Status::assigned;
  EXPECT_EQ(apply(f, Role::system, Action::assign, in).error().status, 409);
}

TEST(Workflow, RejectOnlyAtTheDistrict) {
  for (Status s : {Status::submitted, Status::assigned, Status::accepted, Status::in_progress,
                   Status::returned}) {
    auto t = apply(held(s, Level::district), Role::district_staff, Action::reject);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->to_status, Status::rejected);
  }
  EXPECT_EQ(
      apply(held(Status::in_progress, Level::grid), Role::grid_worker, Action::reject).error().code,
      "forbidden_role");
  EXPECT_EQ(apply(held(Status::in_progress, Level::street), Role::street_staff, Action::reject)
                .error()
                .status,
            403);
  EXPECT_EQ(
      apply(held_by_unit(Status::in_progress), Role::unit_staff, Action::reject).error().status,
      403);
  // A district staff member who does not hold it (a unit does) cannot reject it.
  TicketFacts unit_held = held_by_unit(Status::in_progress);
  EXPECT_EQ(apply(unit_held, Role::district_staff, Action::reject).error().code, "not_handler");
  TicketFacts whistling = held(Status::in_progress, Level::district);
  whistling.open_whistles = 1;
  EXPECT_EQ(apply(whistling, Role::district_staff, Action::reject).error().code, "whistles_open");
}

TEST(Workflow, Merge) {
  auto t = apply(held(Status::assigned, Level::grid), Role::grid_worker, Action::merge);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->to_status, Status::merged);
  EXPECT_TRUE(portal::core::is_final(t->to_status));
  EXPECT_EQ(
      apply(held(Status::resolved, Level::grid), Role::grid_worker, Action::merge).error().code,
      "action_not_allowed");
  EXPECT_EQ(apply(held(Status::merged, Level::grid), Role::grid_worker, Action::merge).error().code,
            "action_not_allowed");
}

// [SECTION] Ratings, reopening and closing
TEST(Workflow, SatisfiedRatingCloses) {
  TicketFacts f = held(Status::resolved, Level::grid);
  f.is_submitter = true;
  for (int s : {3, 4, 5}) {
    auto t = apply(f, Role::citizen, Action::rate, rating(true, s));
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->to_status, Status::closed);
    EXPECT_FALSE(t->reopened);
    ASSERT_EQ(t->steps.size(), 2u);
    EXPECT_EQ(t->steps[0].action, Action::rate);
    EXPECT_EQ(t->steps[0].to_status, Status::resolved);
    EXPECT_EQ(t->steps[1].action, Action::close);
    EXPECT_EQ(t->steps[1].to_status, Status::closed);
  }
}

TEST(Workflow, UnsatisfiedRatingReopensThenEscalates) {
  TicketFacts f = held(Status::resolved, Level::grid);
  f.is_submitter = true;
  // First reopen: same level, same handler, in progress.
  for (auto in : {rating(false, 5), rating(true, 2), rating(true, 1), rating(false, 1)}) {
    auto t = apply(f, Role::citizen, Action::rate, in);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->to_status, Status::in_progress);
    EXPECT_EQ(t->to_level, Level::grid);
    EXPECT_TRUE(t->reopened);
    EXPECT_EQ(t->reopen_count, 1);
    EXPECT_FALSE(t->new_handler);
    ASSERT_EQ(t->steps.size(), 2u);
    EXPECT_EQ(t->steps[1].action, Action::reopen);
  }
  // Second reopen: one level up, to be accepted by the new handler.
  f.reopen_count = 1;
  auto t = apply(f, Role::citizen, Action::rate, rating(true, 2));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->to_status, Status::assigned);
  EXPECT_EQ(t->to_level, Level::community);
  EXPECT_EQ(t->reopen_count, 2);
  EXPECT_TRUE(t->new_handler);
  ASSERT_EQ(t->steps.size(), 3u);
  EXPECT_EQ(t->steps[1].action, Action::reopen);
  EXPECT_EQ(t->steps[2].action, Action::auto_escalate);
  EXPECT_EQ(t->steps[2].from_level, Level::grid);
  EXPECT_EQ(t->steps[2].to_level, Level::community);
  // At the district there is nowhere higher: it reopens there.
  TicketFacts top = held(Status::resolved, Level::district);
  top.reopen_count = 3;
  auto d = apply(top, Role::hotline_agent, Action::record_rating, rating(false, 1));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->to_status, Status::in_progress);
  EXPECT_EQ(d->to_level, Level::district);
  EXPECT_EQ(d->reopen_count, 4);
  EXPECT_FALSE(d->new_handler);
}

TEST(Workflow, RatingRules) {
  TicketFacts f = held(Status::resolved, Level::grid);
  f.is_submitter = true;
  for (int bad : {0, 6, -1}) {
    auto t = apply(f, Role::citizen, Action::rate, rating(true, bad));
    EXPECT_EQ(t.error().status, 422);
    EXPECT_EQ(t.error().field, "satisfaction");
  }
  f.is_submitter = false;
  EXPECT_EQ(apply(f, Role::citizen, Action::rate, rating(true, 5)).error().code, "not_submitter");
  // The worker who filed a patrol report does not rate their own work.
  f.is_submitter = true;
  EXPECT_EQ(apply(f, Role::grid_worker, Action::rate, rating(true, 5)).error().code,
            "forbidden_role");
  // Only resolved tickets are rated.
  for (Status s : kAllStatuses) {
    if (s == Status::resolved) continue;
    f.status = s;
    EXPECT_EQ(apply(f, Role::citizen, Action::rate, rating(true, 5)).error().code,
              "action_not_allowed");
    EXPECT_EQ(apply(f, Role::hotline_agent, Action::record_rating, rating(true, 5)).error().code,
              "action_not_allowed");
  }
  // record_rating is the hotline agent's.
  f.status = Status::resolved;
  auto hotline = apply(f, Role::hotline_agent, Action::record_rating, rating(true, 4));
  ASSERT_TRUE(hotline.ok());
  EXPECT_EQ(hotline->to_status, Status::closed);
  EXPECT_EQ(hotline->steps[0].action, Action::record_rating);
  EXPECT_EQ(apply(f, Role::district_staff, Action::record_rating, rating(true, 4)).error().code,
            "forbidden_role");
}

// [SECTION] The system's actions
TEST(Workflow, AutoCloseAutoEscalateFlagOverdue) {
  TicketFacts f;
  f.status = Status::resolved;
  auto c = apply(f, Role::system, Action::auto_close);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->to_status, Status::closed);
  f.status = Status::in_progress;
  EXPECT_EQ(apply(f, Role::system, Action::auto_close).error().status, 409);
  f.status = Status::resolved;
  EXPECT_EQ(apply(f, Role::district_staff, Action::auto_close).error().code, "forbidden_role");

  f.status = Status::assigned;
  f.level = Level::grid;
  auto e = apply(f, Role::system, Action::auto_escalate);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->to_level, Level::community);
  EXPECT_EQ(e->to_status, Status::assigned);
  EXPECT_TRUE(e->new_handler);
  f.level = Level::district;
  EXPECT_EQ(apply(f, Role::system, Action::auto_escalate).error().code, "at_top_level");
  f.status = Status::resolved;
  f.level = Level::grid;
  EXPECT_EQ(apply(f, Role::system, Action::auto_escalate).error().status, 409);
  EXPECT_EQ(apply(held(Status::assigned, Level::grid), Role::grid_worker, Action::auto_escalate)
                .error()
                .code,
            "forbidden_role");

  f.status = Status::in_progress;
  auto o = apply(f, Role::system, Action::flag_overdue);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->to_status, Status::in_progress);
  f.status = Status::closed;
  EXPECT_EQ(apply(f, Role::system, Action::flag_overdue).error().status, 409);

  for (Action a : {Action::submit, Action::reopen, Action::close})
    EXPECT_EQ(apply(held(Status::resolved, Level::grid), Role::system, a).error().status, 409);
}

// [SECTION] Invariants over the whole space
TEST(Workflow, InvariantsOverEveryCombination) {
  int combinations = 0, allowed = 0;
  for (Status s : kAllStatuses)
    for (Level l : kAllLevels)
      for (Role role : kAllRoles)
        for (int bits = 0; bits < 64; ++bits) {
          TicketFacts f;
          f.status = s;
          f.level = l;
          f.is_handler = bits & 1;
          f.in_scope = bits & 2;
          f.is_submitter = bits & 4;
          f.assignee_is_unit = bits & 8;
          f.open_whistles = (bits & 16) ? 2 : 0;
          f.actor_unit_summoned = (bits & 32) ? 1 : 0;
          f.actor_unit_checked_in = (bits & 16) ? 1 : 0;
          f.reopen_count = bits % 3;
          const std::vector<std::string> names = allowed_actions(f, role);
          for (Action a : kAllActions) {
            ++combinations;
            ActionInput in;
            in.satisfaction = 3;
            in.target_level = Level::grid;
            auto t = apply(f, role, a, in);
            auto what = [&] {
              return std::string(portal::core::to_string(a)) + " by " +
                     std::string(portal::core::to_string(role)) + " on " +
                     std::string(portal::core::to_string(s));
            };
            if (!t.ok()) {
              const int st = t.error().status;
              EXPECT_TRUE(st == 403 || st == 409 || st == 422) << what();
              EXPECT_FALSE(t.error().code.empty()) << what();
              continue;
            }
            ++allowed;
            // Nobody acts on a finished ticket, and admin and auditor never act.
            EXPECT_FALSE(portal::core::is_final(s)) << what();
            EXPECT_NE(role, Role::admin) << what();
            EXPECT_NE(role, Role::auditor) << what();
            // Leaving the handling states needs every whistle done or withdrawn.
            const bool leaves = t->to_status == Status::resolved ||
                                t->to_status == Status::returned ||
                                t->to_status == Status::rejected || t->to_status == Status::merged;
            if (leaves && t->to_status != s) {
              EXPECT_EQ(f.open_whistles, 0) << what();
            }
            // Steps chain from the current state to the result.
            ASSERT_FALSE(t->steps.empty()) << what();
            EXPECT_EQ(t->steps.front().action, a) << what();
            EXPECT_EQ(t->steps.front().from_status, s) << what();
            EXPECT_EQ(t->steps.front().from_level, l) << what();
            for (std::size_t i = 1; i < t->steps.size(); ++i) {
              EXPECT_EQ(t->steps[i].from_status, t->steps[i - 1].to_status) << what();
              EXPECT_EQ(t->steps[i].from_level, t->steps[i - 1].to_level) << what();
            }
            EXPECT_EQ(t->steps.back().to_status, t->to_status) << what();
            EXPECT_EQ(t->steps.back().to_level, t->to_level) << what();
            // Levels only go up by one, except a dispatch downwards.
            if (a != Action::assign) {
              EXPECT_LE(static_cast<int>(t->to_level), static_cast<int>(l) + 1) << what();
            }
            if (t->to_level != l) {
              EXPECT_TRUE(t->new_handler) << what();
            }
          }
          // Whatever allowed_actions lists can be taken.
          for (const std::string& n : names) {
            auto a = portal::core::parse_action(n);
            ASSERT_TRUE(a.has_value());
            EXPECT_TRUE(portal::core::is_allowed(f, role, *a)) << n;
            EXPECT_TRUE(portal::core::is_request_action(*a) || *a == Action::rate) << n;
          }
        }
  EXPECT_GT(allowed, 0);
  EXPECT_GT(combinations, allowed);
}

}  // namespace
