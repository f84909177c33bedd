// The ticket state machine of SPEC §4, defined once for the server (which enforces it)
// and the client (which shows only the actions it may take).
//
// The functions here are pure: the server works out the facts about a ticket and the
// actor from its store (TicketFacts), asks apply() what an action does, and writes the
// result (status, level, assignee, whistles, events). Nothing here reads a clock or a
// database.
//
// [SECTION] Terms
//   holder    the actor holds the ticket now (TicketFacts::is_handler): it is the assignee
//             user, belongs to the assignee unit, or is staff of the ticket's area at the
//             ticket's level while the area itself is the assignee. The server decides
//             this; the role must also fit the level (grid_worker@grid,
//             community_staff@community, street_staff@street, district_staff@district;
//             unit_staff when a unit holds it).
//   in scope  the ticket lies in the actor's area at some level (its grid, community,
//             street; district staff and hotline agents: everywhere).
//   open      the states before resolution: submitted, assigned, accepted, in_progress,
//             returned.
//   open whistle  a whistle in state summoned or checked_in.
//
// [SECTION] Rule table: who may act, from which status, to which status @ level
// clang-format off
//  action            who                             from                  to
//  ----------------  ------------------------------  --------------------- -----------------------
//  assign (routing)  system                          submitted             assigned @ target level
//  assign (dispatch) holder: community, street or    open                  assigned @ lower level;
//                    district staff                                        a unit: district only
//  accept            holder                          submitted, assigned,  accepted     [response]
//                                                    returned
//  contact           holder                          submitted, assigned,  in_progress  [response]
//                                                    accepted, in_progress
//  progress          holder                          accepted, in_progress in_progress
//                    assistant, a note only: staff   open                  unchanged
//                    in scope, hotline agent, unit
//                    staff of a whistled unit
//  escalate          holder: grid worker, community  open                  assigned @ level+1
//                    or street staff                                       (409 at_top_level)
//  whistle           holder: grid worker, community, accepted, in_progress in_progress; units
//                    street or district staff                              summoned
//  withdraw_whistle  as whistle                      open; whistle open    whistle withdrawn
//  checkin           unit staff of the whistled unit open; whistle         whistle checked_in
//                                                    summoned
//  whistle_done      unit staff of the whistled unit open; whistle         whistle done
//                                                    checked_in
//  resolve           holder                          accepted, in_progress resolved       [W]
//  return            holder: grid worker, community  open                  returned @ level+1; from
//                    or street staff, unit staff                           a unit @ same level [W]
//  reject            holder: district staff          open                  rejected       [W]
//  merge             holder, district staff in scope open                  merged         [W]
//  recategorize      holder                          open                  unchanged; the category
//                                                                          and its deadlines change
//  rate              the citizen who submitted it    resolved              see below
//  record_rating     hotline agent (phone call)      resolved              see below
//  auto_escalate     system (response limit, or      open                  assigned @ level+1
//                    resolve limit by configuration)
//  flag_overdue      system (resolve limit passed)   open                  unchanged
//  auto_close        system (7 days unrated)         resolved              closed
//  [response] the first accept or contact is the response of the response rate.
//  [W] refused with 409 whistles_open while a whistle is summoned or checked in.
//  submit is the first event, recorded on submission; reopen and close are steps of
//  a rating. None of the three is asked for.
// clang-format on
//
// A rating (rate / record_rating) with resolved=yes and satisfaction >= 3 closes the
// ticket: steps [rate, close]. Otherwise it reopens it (重办): the first reopen puts it back
// in_progress at the same level with the same handler, steps [rate, reopen]; every later
// reopen also escalates one level (assigned @ level+1, a new handler), steps
// [rate, reopen, auto_escalate]; at district level it stays in_progress @ district.
//
// Roles with no ticket actions: auditor (read-only by definition) and admin. The admin
// manages accounts, keys and configuration; keeping it off the handling chain keeps
// every step of the audit trail attributable to the person responsible for it
// (separation of duties). Citizens only rate the tickets they submitted.
//
// Errors: 403 "forbidden_role" (this role never takes the action), 403 "not_handler"
// (the actor does not hold the ticket), 403 "not_submitter", 403 "not_your_whistle",
// 409 "action_not_allowed" (not in this status), 409 "whistles_open", 409 "at_top_level",
// 409 "whistle_state" (the named whistle is not in the state the action needs),
// 422 with a field for bad action input (satisfaction, target level).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portal/core/result.hpp"
#include "portal/core/ticket.hpp"

namespace portal::core {

// [SECTION] Roles
// `system` is the actor of the scheduler and of routing; it is never the role of an
// account, and parse_role() does not accept it.
enum class Role {
  citizen,
  grid_worker,
  community_staff,
  street_staff,
  district_staff,
  unit_staff,
  hotline_agent,
  admin,
  auditor,
  system,
};
std::string_view to_string(Role r);
std::optional<Role> parse_role(std::string_view s);  // account roles only (not "system")

// [SECTION] Actions
enum class Action {
  // Taken by people through POST /tickets/{n}/actions (wire names as in API.md).
  accept,
  contact,
  progress,
  escalate,
  whistle,
  checkin,
  whistle_done,
  resolve,
  return_ticket,  // wire name "return"
  reject,
  merge,
  record_rating,
  // Also taken by people, beyond the API.md list.
  assign,            // dispatch to a lower level or a unit; routing when taken by system
  withdraw_whistle,  // the handler calls a whistle off
  recategorize,      // the handler corrects the category (and so the deadlines)
  rate,              // the submitter's rating: POST /tickets/{n}/rating
  // Recorded as events only.
  submit,
  reopen,
  close,
  auto_escalate,
  flag_overdue,
  auto_close,
};
std::string_view to_string(Action a);
std::optional<Action> parse_action(std::string_view s);
// The actions POST /tickets/{n}/actions accepts: the thirteen of API.md (recategorize
// among them) plus assign and withdraw_whistle (rate has its own endpoint; the rest are
// the system's).
bool is_request_action(Action a);

enum class WhistleState { summoned, checked_in, done, withdrawn };
std::string_view to_string(WhistleState s);
std::optional<WhistleState> parse_whistle_state(std::string_view s);
inline bool is_open(WhistleState s) {
  return s == WhistleState::summoned || s == WhistleState::checked_in;
}

// [SECTION] Levels and statuses
std::optional<Level> next_level(Level l);  // grid→community→street→district→nullopt
// The staff role that handles a ticket at a level when no unit holds it.
Role handler_role(Level l);
// submitted, assigned, accepted, in_progress, returned.
bool is_open(Status s);
// closed, rejected, merged.
bool is_final(Status s);

// [SECTION] Facts and inputs
struct TicketFacts {
  Status status = Status::submitted;
  Level level = Level::grid;
  bool assignee_is_unit = false;  // a unit (department, utility, ...) holds the ticket
  // The actor relative to the ticket (see Terms above).
  bool is_handler = false;
  bool in_scope = false;
  bool is_submitter = false;
  // Whistles on the ticket: the actor's unit's, by state (unit_staff), and all open ones.
  int actor_unit_summoned = 0;
  int actor_unit_checked_in = 0;
  int open_whistles = 0;
  int reopen_count = 0;
};

// What the request adds to the facts, where the action needs it.
struct ActionInput {
  // checkin, whistle_done, withdraw_whistle: the whistle the request names.
  std::optional<WhistleState> whistle;
  bool whistle_of_actor_unit = false;
  // assign: where the ticket goes.
  std::optional<Level> target_level;
  bool target_is_unit = false;
  // rate, record_rating.
  bool resolved = true;
  int satisfaction = 0;  // 1..5
};

// One event to record. Most actions are one step; a rating is two or three.
struct Step {
  Action action = Action::progress;
  Status from_status = Status::submitted;
  Status to_status = Status::submitted;
  Level from_level = Level::grid;
  Level to_level = Level::grid;
};

struct Transition {
  Action action = Action::progress;
  Status to_status = Status::submitted;
  Level to_level = Level::grid;
  std::vector<Step> steps;  // in order; steps[0].action == action
  // The ticket goes to a new holder (escalation, dispatch, return, reopen with
  // escalation): route it to the holder at to_level, notify, restart the response clock.
  bool new_handler = false;
  // accept / contact: the first of these is the response of the response rate.
  bool responds = false;
  // A rating reopened the ticket (reopen_count is the count after it).
  bool reopened = false;
  int reopen_count = 0;
  // checkin, whistle_done, withdraw_whistle: the named whistle's new state.
  // whistle: every summoned unit starts in summoned.
  std::optional<WhistleState> whistle_to;
};

// Satisfaction at or below this, or resolved = no, reopens a ticket (SPEC §4).
inline constexpr int kReopenAtOrBelow = 2;
// Resolved tickets nobody rates close after this many days.
inline constexpr int kAutoCloseDays = 7;

// [SECTION] The rules
// Wire names of the actions the actor may take now, in Action order: every request
// action and rate (so a client can show the rating form). Internal actions never appear,
// and the list for Role::system is empty (the scheduler calls apply() directly).
std::vector<std::string> allowed_actions(const TicketFacts& facts, Role role);
bool is_allowed(const TicketFacts& facts, Role role, Action action);

// What the action does, or why it may not be taken (see Errors above).
Result<Transition> apply(const TicketFacts& facts, Role role, Action action,
                         const ActionInput& input = {});

}  // namespace portal::core
