// What the UI asks the app to do. Draw code only emits these; App::apply() acts
// on them after the frame.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "app/views.hpp"

namespace portal::client {

namespace intent {
struct Navigate {
  Screen to;
};
struct GoBack {};
struct GoHome {};
struct ToggleLanguage {};
struct EditField {
  Field field;
  std::string value;
};
struct SetAnonymous {
  bool value;
};
struct SetNotify {  // the report form's "text me progress"
  bool value;
};
// The account's text-message setting: switch it, or (retry) read it again.
struct NotifySetting {
  bool retry = false;
};
struct PickCategory {
  std::string code;
};
struct RetryCategories {};
struct SubmitTicket {};
struct LookUpTicket {};  // the track form's button: stays until the ticket is found
struct OpenTicket {      // from the receipt or the recent list: shows the ticket page at once
  std::string number, code;
};
struct RefreshTicket {};
struct CopyText {
  std::string text;
  // The copy button, which then says 已复制 itself for a moment ("": a toast says it). A
  // toast at the bottom of a phone would lie over what follows the copied value, such as
  // the receipt's 请保存 warning.
  std::string from;
};
struct ToggleElderly {};  // 长辈版 on or off, remembered on this device
struct OpenLink {         // a tel: number
  std::string url;
};
struct SignIn {};
struct Register {};
struct SetRegistering {
  bool value;
};
struct SignOut {};
struct SetResolved {
  bool value;
};
struct SetSatisfaction {
  int value;
};
struct SubmitRating {};
struct PlaceLocation {  // a tap on the map
  double lat, lng;
};
struct UseMyLocation {};
struct PickMapGrid {  // a tap on a grid of a map whose taps pick grids (the heat map)
  std::string grid_id;
};
struct PickPlace {  // a result of the place search
  std::size_t index;
};
struct SetLocationUnknown {  // "I don't know where exactly"
  bool value;
};
// A ticket of this device's list at home: confirm false asks "remove?" (an empty number
// takes the question back), confirm true forgets it and its access code here.
struct ForgetTicket {
  std::string number;
  bool confirm = false;
};
struct AddPhotos {};
struct RemovePhoto {
  std::size_t index;
};
struct RetryList {};
// "已有人反映？" on the report form: follow a nearby ticket (anonymous: asks to sign in),
// sign in for it (the draft is kept), take the question back, answer the offer to
// discard the draft after following, ask for nearby tickets again.
enum class NearbyOp { follow, sign_in, dismiss, discard_draft, keep_draft, retry };
struct Nearby {
  NearbyOp op;
  std::string number;
};
struct Unfollow {  // the ticket shown: stop following it (取消附议)
  std::string number;
};
struct SetMineTab {  // my tickets: those I filed, or those I follow
  bool followed;
};  // my tickets, the map or the services directory, whichever is shown
// The handler workbench.
struct SetQueueFilter {
  QueueFilter value;
};
struct OpenAction {  // a button of the ticket page: accept at once, else its form
  std::string action;
};
struct TogglePick {
  std::string id;
};
struct SubmitAction {};
struct FileForCaller {  // hotline agent or patrol: the report form on that channel
  bool patrol;
};
struct SubmitImport {};
// The desk (app/desk.hpp): a filter (arg: its value, "" any; overdue: "1" on), unfold a
// filter's choices (arg its name, "" folds), clear the filters, move the cursor (arg
// "1" down, "-1" up), open the cursor's row, open a row (arg its number), the shortcut
// help (arg "1" shown), an action of the open ticket by its key (arg the action), load
// the list when it has not been.
enum class DeskOp {
  status,
  category,
  level,
  overdue,
  menu,
  clear,
  move,
  open_cursor,
  open,
  help,
  action,
  load
};
struct Desk {
  DeskOp op;
  std::string arg;
};
// The reports waiting on this device (home): op edit puts a refused one back into the
// form; ask asks "delete?" (an empty key takes the question back), cancel deletes it;
// old drafts: keep (ask again in 30 days) or delete.
enum class OutboxOp { edit, ask, cancel };
struct Outbox {
  OutboxOp op;
  std::string key;
};
struct OldDrafts {
  bool keep;
};
// [SECTION] Cockpit and public board: one intent with an operation and its argument
// (a tab, interval, dimension or metric key; a CSV path and file name; a topic id or
// a suggestion's index).
enum class CockpitOp {
  open_cockpit,
  open_board,
  tab,
  interval,
  dim,
  metric,
  refresh,
  export_csv,
  create_topic,
  select_topic,
  link_candidates,
  pick_grid,  // arg: a grid id tapped on the heat map (its figures are shown)
  resolve_topic
};
struct Cockpit {
  CockpitOp op;
  std::string arg, arg2;
};
}  // namespace intent

using Intent = std::variant<
    intent::Navigate, intent::GoBack, intent::GoHome, intent::ToggleLanguage, intent::EditField,
    intent::SetAnonymous, intent::PickCategory, intent::RetryCategories, intent::SubmitTicket,
    intent::LookUpTicket, intent::OpenTicket, intent::RefreshTicket, intent::CopyText,
    intent::OpenLink, intent::ToggleElderly, intent::SignIn, intent::Register,
    intent::SetRegistering, intent::SignOut, intent::SetResolved, intent::SetSatisfaction,
    intent::SubmitRating, intent::PlaceLocation, intent::UseMyLocation, intent::PickMapGrid,
    intent::PickPlace, intent::SetLocationUnknown, intent::ForgetTicket, intent::AddPhotos,
    intent::RemovePhoto, intent::RetryList, intent::SetQueueFilter, intent::OpenAction,
    intent::TogglePick, intent::SubmitAction, intent::FileForCaller, intent::SubmitImport,
    intent::Outbox, intent::OldDrafts, intent::Cockpit, intent::SetNotify, intent::NotifySetting,
    intent::Nearby, intent::Unfollow, intent::SetMineTab, intent::Desk>;

class Intents {
 public:
  void emit(Intent i) { list_.push_back(std::move(i)); }
  const std::vector<Intent>& list() const { return list_; }
  bool empty() const { return list_.empty(); }
  void clear() { list_.clear(); }

 private:
  std::vector<Intent> list_;
};

}  // namespace portal::client
