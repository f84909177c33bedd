// The state machine of SPEC §4. The rule table is in workflow.hpp.
//
// Index
//   [SECTION] Names
//   [SECTION] Helpers
//   [SECTION] apply
//   [SECTION] allowed_actions
#include "portal/core/workflow.hpp"

#include <array>
#include <initializer_list>
#include <utility>

namespace portal::core {

// [SECTION] Names
namespace {

template <class E, std::size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

template <class E, std::size_t N>
std::optional<E> lookup(const NameTable<E, N>& table, std::string_view s) {
  for (const auto& [value, name] : table)
    if (name == s) return value;
  return std::nullopt;
}

template <class E, std::size_t N>
std::string_view name_of(const NameTable<E, N>& table, E e) {
  for (const auto& [value, name] : table)
    if (value == e) return name;
  return "unknown";
}

constexpr NameTable<Role, 10> kRoles{{
    {Role::citizen, "citizen"},
    {Role::grid_worker, "grid_worker"},
    {Role::community_staff, "community_staff"},
    {Role::street_staff, "street_staff"},
    {Role::district_staff, "district_staff"},
    {Role::unit_staff, "unit_staff"},
    {Role::hotline_agent, "hotline_agent"},
    {Role::admin, "admin"},
    {Role::auditor, "auditor"},
    {Role::system, "system"},
}};

constexpr NameTable<Action, 22> kActions{{
    {Action::accept, "accept"},
    {Action::contact, "contact"},
    {Action::progress, "progress"},
    {Action::escalate, "escalate"},
    {Action::whistle, "whistle"},
    {Action::checkin, "checkin"},
    {Action::whistle_done, "whistle_done"},
    {Action::resolve, "resolve"},
    {Action::return_ticket, "return"},
    {Action::reject, "reject"},
    {Action::merge, "merge"},
    {Action::record_rating, "record_rating"},
    {Action::assign, "assign"},
    {Action::withdraw_whistle, "withdraw_whistle"},
    {Action::recategorize, "recategorize"},
    {Action::rate, "rate"},
    {Action::submit, "submit"},
    {Action::reopen, "reopen"},
    {Action::close, "close"},
    {Action::auto_escalate, "auto_escalate"},
    {Action::flag_overdue, "flag_overdue"},
    {Action::auto_close, "auto_close"},
}};

constexpr NameTable<WhistleState, 4> kWhistleStates{{
    {WhistleState::summoned, "summoned"},
    {WhistleState::checked_in, "checked_in"},
    {WhistleState::done, "done"},
    {WhistleState::withdrawn, "withdrawn"},
}};

}  // namespace

std::string_view to_string(Role r) {
  return name_of(kRoles, r);
}
std::optional<Role> parse_role(std::string_view s) {
  auto r = lookup(kRoles, s);
  if (r == Role::system) return std::nullopt;
  return r;
}
std::string_view to_string(Action a) {
  return name_of(kActions, a);
}
std::optional<Action> parse_action(std::string_view s) {
  return lookup(kActions, s);
}
std::string_view to_string(WhistleState s) {
  return name_of(kWhistleStates, s);
}
std::optional<WhistleState> parse_whistle_state(std::string_view s) {
  return lookup(kWhistleStates, s);
}

bool is_request_action(Action a) {
  switch (a) {
    case Action::accept:
    case Action::contact:
    case Action::progress:
    case Action::escalate:
    case Action::whistle:
    case Action::checkin:
    case Action::whistle_done:
    case Action::resolve:
    case Action::return_ticket:
    case Action::reject:
    case Action::merge:
    case Action::record_rating:
    case Action::assign:
    case Action::withdraw_whistle:
    case Action::recategorize:
      return true;
    default:
      return false;
  }
}

// [SECTION] Helpers
std::optional<Level> next_level(Level l) {
  switch (l) {
    case Level::grid:
      return Level::community;
    case Level::community:
      return Level::street;
    case Level::street:
      return Level::district;
    case Level::district:
      return std::nullopt;
  }
  return std::nullopt;
}

Role handler_role(Level l) {
  switch (l) {
    case Level::grid:
      return Role::grid_worker;
    case Level::community:
      return Role::community_staff;
    case Level::street:
      return Role::street_staff;
    case Level::district:
      return Role::district_staff;
  }
  return Role::district_staff;
}

bool is_open(Status s) {
  return s == Status::submitted || s == Status::assigned || s == Status::accepted ||
         s == Status::in_progress || s == Status::returned;
}

bool is_final(Status s) {
  return s == Status::closed || s == Status::rejected || s == Status::merged;
}

namespace {

bool is_area_staff(Role r) {
  return r == Role::grid_worker || r == Role::community_staff || r == Role::street_staff ||
         r == Role::district_staff;
}

// The actor holds the ticket, and its role fits whoever holds it (see Terms).
bool holds(const TicketFacts& f, Role role) {
  if (!f.is_handler) return false;
  return f.assignee_is_unit ? role == Role::unit_staff : role == handler_role(f.level);
}

int level_rank(Level l) {
  return static_cast<int>(l);
}

Error forbidden_role(Role role, Action a) {
  return {"forbidden_role",
          std::string("the role ") + std::string(to_string(role)) + " cannot " +
              std::string(to_string(a)) + " tickets",
          {},
          403};
}

Error not_handler(Action a) {
  return {"not_handler",
          std::string("only the current handler of the ticket can ") + std::string(to_string(a)),
          {},
          403};
}

Error not_in_status(Action a, Status s) {
  return Error::conflict("action_not_allowed", std::string("cannot ") + std::string(to_string(a)) +
                                                   " a ticket that is " +
                                                   std::string(to_string(s)));
}

Error whistles_open(Action a, int n) {
  return Error::conflict("whistles_open", std::string("cannot ") + std::string(to_string(a)) +
                                              " while " + std::to_string(n) +
                                              " whistle(s) are open: each must be done or "
                                              "withdrawn first");
}

Error at_top_level(Action a) {
  return Error::conflict("at_top_level", std::string("cannot ") + std::string(to_string(a)) +
                                             ": the ticket is already at district level");
}

Transition single(const TicketFacts& f, Action a, Status to, Level to_level) {
  Transition t;
  t.action = a;
  t.to_status = to;
  t.to_level = to_level;
  t.reopen_count = f.reopen_count;
  t.steps.push_back({a, f.status, to, f.level, to_level});
  return t;
}

bool one_of(Status s, std::initializer_list<Status> set) {
  for (Status x : set)
    if (x == s) return true;
  return false;
}

// rate and record_rating: close, reopen, or reopen and escalate.
Result<Transition> rating(const TicketFacts& f, Action a, const ActionInput& in) {
  if (in.satisfaction < 1 || in.satisfaction > 5)
    return Error::invalid("satisfaction", "out_of_range",
                          "satisfaction must be 1 (very dissatisfied) to 5 (very satisfied)");
  Transition t;
  t.action = a;
  t.reopen_count = f.reopen_count;
  t.steps.push_back({a, f.status, f.status, f.level, f.level});
  const bool unsatisfied = !in.resolved || in.satisfaction <= kReopenAtOrBelow;
  if (!unsatisfied) {
    t.to_status = Status::closed;
    t.to_level = f.level;
    t.steps.push_back({Action::close, f.status, Status::closed, f.level, f.level});
    return t;
  }
  t.reopened = true;
  t.reopen_count = f.reopen_count + 1;
  t.steps.push_back({Action::reopen, f.status, Status::in_progress, f.level, f.level});
  t.to_status = Status::in_progress;
  t.to_level = f.level;
  // The second and every later reopen goes one level up, to a new handler.
  if (f.reopen_count >= 1) {
    if (auto up = next_level(f.level)) {
      t.steps.push_back(
          {Action::auto_escalate, Status::in_progress, Status::assigned, f.level, *up});
      t.to_status = Status::assigned;
      t.to_level = *up;
      t.new_handler = true;
    }
  }
  return t;
}

}  // namespace

// [SECTION] apply
Result<Transition> apply(const TicketFacts& f, Role role, Action a, const ActionInput& in) {
  using S = Status;
  switch (a) {
    case Action::accept: {
      if (!is_area_staff(role) && role != Role::unit_staff) return forbidden_role(role, a);
      if (!holds(f, role)) return not_handler(a);
      if (!one_of(f.status, {S::submitted, S::assigned, S::returned}))
        return not_in_status(a, f.status);
      Transition t = single(f, a, S::accepted, f.level);
      t.responds = true;
      return t;
    }

    case Action::contact: {
      if (!is_area_staff(role) && role != Role::unit_staff) return forbidden_role(role, a);
      if (!holds(f, role)) return not_handler(a);
      if (!one_of(f.status, {S::submitted, S::assigned, S::accepted, S::in_progress}))
        return not_in_status(a, f.status);
      Transition t = single(f, a, S::in_progress, f.level);
      t.responds = true;
      return t;
    }

    case Action::progress: {
      if (!is_area_staff(role) && role != Role::unit_staff && role != Role::hotline_agent)
        return forbidden_role(role, a);
      if (holds(f, role)) {
        if (!one_of(f.status, {S::accepted, S::in_progress})) return not_in_status(a, f.status);
        return single(f, a, S::in_progress, f.level);
      }
      // Everyone else who works on the ticket adds a note without moving it.
      const bool assists =
          ((is_area_staff(role) || role == Role::hotline_agent) && f.in_scope) ||
          (role == Role::unit_staff && f.actor_unit_summoned + f.actor_unit_checked_in > 0);
      if (!assists) return not_handler(a);
      if (!is_open(f.status)) return not_in_status(a, f.status);
      return single(f, a, f.status, f.level);
    }

    case Action::escalate: {
      if (!is_area_staff(role)) return forbidden_role(role, a);
      if (!holds(f, role)) return not_handler(a);
      if (!is_open(f.status)) return not_in_status(a, f.status);
      const auto up = next_level(f.level);
      if (!up) return at_top_level(a);
      Transition t = single(f, a, S::assigned, *up);
      t.new_handler = true;
      return t;
    }

    case Action::whistle: {
      if (!is_area_staff(role)) return forbidden_role(role, a);
      if (!holds(f, role)) return not_handler(a);
      if (!one_of(f.status, {S::accepted, S::in_progress})) return not_in_status(a, f.status);
      Transition t = single(f, a, S::in_progress, f.level);
      t.whistle_to = WhistleState::summoned;
      return t;
    }

    case Action::withdraw_whistle: {
      if (!is_area_staff(role)) return forbidden_role(role, a);
      if (!holds(f, role)) return not_handler(a);
      if (!is_open(f.status)) return not_in_status(a, f.status);
      if (!in.whistle) return Error::invalid("whistle_id", "required", "whistle_id is required");
      if (!is_open(*in.whistle))
        return Error::conflict("whistle_state",
                               "the whistle is already " + std::string(to_string(*in.whistle)));
      Transition t = single(f, a, f.status, f.level);
      t.whistle_to = WhistleState::withdrawn;
      return t;
    }

    case Action::checkin:
    case Action::whistle_done: {
      if (role != Role::unit_staff) return forbidden_role(role, a);
      if (!in.whistle) {
        // Without a named whistle (allowed_actions): any whistle of the actor's unit.
        const int n = a == Action::checkin ? f.actor_unit_summoned : f.actor_unit_checked_in;
        if (f.actor_unit_summoned + f.actor_unit_checked_in == 0)
          return Error{"not_your_whistle", "no whistle on this ticket summons your unit", {}, 403};
        if (!is_open(f.status)) return not_in_status(a, f.status);
        if (n == 0)
          return Error::conflict("whistle_state", a == Action::checkin
                                                      ? "your unit has already checked in"
                                                      : "your unit has not checked in yet");
      } else {
        if (!in.whistle_of_actor_unit)
          return Error{"not_your_whistle", "the whistle summons another unit", {}, 403};
        if (!is_open(f.status)) return not_in_status(a, f.status);
        const WhistleState need =
            a == Action::checkin ? WhistleState::summoned : WhistleState::checked_in;
        if (*in.whistle != need)
          return Error::conflict("whistle_state",
                                 std::string("cannot ") + std::string(to_string(a)) +
                                     ": the whistle is " + std::string(to_string(*in.whistle)));
      }
      Transition t = single(f, a, f.status, f.level);
      t.whistle_to = a == Action::checkin ? WhistleState::checked_in : WhistleState::done;
      return t;
    }

    case Action::resolve: {
      if (!is_area_staff(role) && role != Role::unit_staff) return forbidden_role(role, a);
      if (!holds(f, role)) return not_handler(a);
      if (!one_of(f.status, {S::accepted, S::in_progress})) return not_in_status(a, f.status);
      if (f.open_whistles > 0) return whistles_open(a, f.open_whistles);
      return single(f, a, S::resolved, f.level);
    }

    case Action::return_ticket: {
      if (role != Role::grid_worker && role != Role::community_staff &&
          role != Role::street_staff && role != Role::unit_staff)
        return forbidden_role(role, a);
      if (!holds(f, role)) return not_handler(a);
      if (!is_open(f.status)) return not_in_status(a, f.status);
      if (f.open_whistles > 0) return whistles_open(a, f.open_whistles);
      // A unit gives the ticket back to the level that assigned it; people to the level above.
      Level to = f.level;
      if (!f.assignee_is_unit) {
        const auto up = next_level(f.level);
        if (!up) return at_top_level(a);
        to = *up;
      }
      Transition t = single(f, a, S::returned, to);
      t.new_handler = true;
      return t;
    }

    case Action::reject: {
      if (role != Role::district_staff) return forbidden_role(role, a);
      if (!holds(f, role)) return not_handler(a);
      if (!is_open(f.status)) return not_in_status(a, f.status);
      if (f.open_whistles > 0) return whistles_open(a, f.open_whistles);
      return single(f, a, S::rejected, f.level);
    }

    case Action::merge: {
      if (!is_area_staff(role) && role != Role::unit_staff) return forbidden_role(role, a);
      const bool may = holds(f, role) || (role == Role::district_staff && f.in_scope);
      if (!may) return not_handler(a);
      if (!is_open(f.status)) return not_in_status(a, f.status);
      if (f.open_whistles > 0) return whistles_open(a, f.open_whistles);
      return single(f, a, S::merged, f.level);
    }

    case Action::recategorize: {
      // The holder, who reads the ticket and answers for its deadlines, corrects it.
      if (!is_area_staff(role) && role != Role::unit_staff) return forbidden_role(role, a);
      if (!holds(f, role)) return not_handler(a);
      if (!is_open(f.status)) return not_in_status(a, f.status);
      return single(f, a, f.status, f.level);
    }

    case Action::assign: {
      if (role == Role::system) {
        if (f.status != S::submitted) return not_in_status(a, f.status);
        const Level to =
            in.target_is_unit ? Level::district : in.target_level.value_or(Level::grid);
        Transition t = single(f, a, S::assigned, to);
        t.new_handler = true;
        return t;
      }
      if (role != Role::community_staff && role != Role::street_staff &&
          role != Role::district_staff)
        return forbidden_role(role, a);
      if (!holds(f, role)) return not_handler(a);
      if (!is_open(f.status)) return not_in_status(a, f.status);
      Level to;
      if (in.target_is_unit) {
        if (f.level != Level::district)
          return Error::conflict("action_not_allowed",
                                 "only the district assigns a ticket to a unit; whistle instead");
        to = Level::district;
      } else {
        if (!in.target_level)
          return Error::invalid("level", "required", "the level to assign to is required");
        if (level_rank(*in.target_level) >= level_rank(f.level))
          return Error::invalid("level", "invalid_level",
                                "a ticket is assigned to a lower level; escalate to go up");
        to = *in.target_level;
      }
      Transition t = single(f, a, S::assigned, to);
      t.new_handler = true;
      return t;
    }

    case Action::rate: {
      if (role != Role::citizen) return forbidden_role(role, a);
      if (!f.is_submitter)
        return Error{"not_submitter", "only the submitter rates the ticket", {}, 403};
      if (f.status != S::resolved) return not_in_status(a, f.status);
      return rating(f, a, in);
    }

    case Action::record_rating: {
      if (role != Role::hotline_agent) return forbidden_role(role, a);
      if (f.status != S::resolved) return not_in_status(a, f.status);
      return rating(f, a, in);
    }

    case Action::auto_escalate: {
      if (role != Role::system) return forbidden_role(role, a);
      if (!is_open(f.status)) return not_in_status(a, f.status);
      const auto up = next_level(f.level);
      if (!up) return at_top_level(a);
      Transition t = single(f, a, S::assigned, *up);
      t.new_handler = true;
      return t;
    }

    case Action::flag_overdue: {
      if (role != Role::system) return forbidden_role(role, a);
      if (!is_open(f.status)) return not_in_status(a, f.status);
      return single(f, a, f.status, f.level);
    }

    case Action::auto_close: {
      if (role != Role::system) return forbidden_role(role, a);
      if (f.status != S::resolved) return not_in_status(a, f.status);
      return single(f, a, S::closed, f.level);
    }

    case Action::submit:
    case Action::reopen:
    case Action::close:
      // Steps recorded on submission or as consequences of a rating, never asked for.
      return Error::conflict("action_not_allowed",
                             std::string(to_string(a)) + " is not an action that can be taken");
  }
  return Error::conflict("action_not_allowed", "unknown action");
}

// [SECTION] allowed_actions
namespace {

// The friendliest input an action could come with, to ask whether it can be taken at all.
ActionInput probe_input(const TicketFacts& f, Action a) {
  ActionInput in;
  switch (a) {
    case Action::withdraw_whistle:
      if (f.open_whistles > 0) in.whistle = WhistleState::summoned;
      break;
    case Action::assign:
      if (f.level == Level::district) {
        in.target_is_unit = true;
      } else {
        in.target_level = Level::grid;
      }
      break;
    case Action::rate:
    case Action::record_rating:
      in.satisfaction = 5;
      break;
    default:
      break;
  }
  return in;
}

}  // namespace

bool is_allowed(const TicketFacts& f, Role role, Action a) {
  if (a == Action::withdraw_whistle && f.open_whistles == 0) return false;
  return apply(f, role, a, probe_input(f, a)).ok();
}

std::vector<std::string> allowed_actions(const TicketFacts& f, Role role) {
  std::vector<std::string> out;
  if (role == Role::system) return out;  // the scheduler asks apply() directly
  for (const auto& [a, name] : kActions) {
    if (!is_request_action(a) && a != Action::rate) continue;
    if (is_allowed(f, role, a)) out.emplace_back(name);
  }
  return out;
}

}  // namespace portal::core
