// View-models: plain data the UI draws. Built by App on demand, already in the
// UI language; the UI never sees JSON, HTTP or the app's internals.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "app/async.hpp"
#include "app/i18n.hpp"
#include "app/map_model.hpp"
#include "portal/core/ticket.hpp"

namespace portal::client {

enum class Screen {
  home,
  submit,
  categories,
  receipt,
  track,
  ticket,
  account,
  my_tickets,
  rate,
  services,
  // The handler workbench.
  queue,
  action,
  hotline_import,
  // The data cockpit (leaders) and the public board (anyone).
  cockpit,
  board
};
// Editable text fields; the UI reports edits as EditField intents.
enum class Field {
  description,
  address,
  lat,
  lng,
  name,
  phone,
  track_number,
  track_code,
  category_search,
  login,
  password,
  reg_name,
  reg_phone,
  reg_password,
  rating_comment,
  action_note,
  action_into,
  import_text,
  topic_reply,   // the cockpit's package-resolution reply
  place_search,  // the submit form's search over the district's places
  desk_search    // the desk's search over number, description and address
};

struct FieldView {
  std::string value;
  std::string error;  // localized; empty when the value is fine
};

struct ShellView {
  Screen screen = Screen::home;
  Lang lang = Lang::zh;
  bool can_go_back = false;
  std::string toast;      // a short notice ("已取消附议"); empty when none
  std::string copied;     // the copy button that just copied (it says 已复制); "" none
  bool embedded = false;  // inside a host page: compact, no chrome
  T title = T::count_;    // a screen's own title where it serves several purposes
  bool elderly = false;   // 长辈版: larger text and targets, simpler screens
  bool offline = false;   // the browser has no network: the shell says so
  // A handler's queue, ticket or action form: on a wide screen drawn as the desk (the
  // queue beside the ticket, desktop-sized text).
  bool desk = false;
};

// A ticket submitted from (or opened with its code on) this device.
struct RecentItem {
  std::string number, code;
  LoadState state = LoadState::idle;  // of its status, fetched with the code
  std::string category, status_name;  // once fetched
  core::Status status = core::Status::submitted;
  std::string error;    // the status could not be fetched
  bool asking = false;  // its remove button was pressed: "remove?" with yes and no
};
// A report waiting on this device for the network (the outbox): never "submitted".
struct OutboxRow {
  std::string key, label, category;
  std::string status;  // 待发送 ..., 正在发送…, 未能提交
  std::string error;   // refused: the server's reason
  bool sending = false, failed = false;
  bool asking = false;  // its delete button was pressed: "delete?" with yes and no
};
struct HomeView {
  bool elderly = false;
  std::vector<OutboxRow> outbox;
  std::string old_drafts;  // "N drafts over 30 days old, delete?" ("" when none)
  std::vector<RecentItem> recent;
  bool signed_in = false;
  std::string user_name;
  bool handler = false;  // staff: the account has a workbench
  bool leader = false;   // the account has a data cockpit
};

// A signed-in citizen's text messages about their tickets (app/notify_settings.hpp).
struct NotifySettingsView {
  bool shown = false;       // only a signed-in citizen has the setting
  bool enabled = false;     // as the switch shows it: the server's, or the change being saved
  bool can_toggle = false;  // known, and no change being saved
  std::string note;         // what it does; that it is being read or saved
  std::string error;        // reading or saving failed ("" none)
  bool retry = false;       // reading failed: a button asks again
};

struct AccountView {
  NotifySettingsView notify;
  bool elderly = false;
  bool signed_in = false, registering = false, busy = false;
  std::string user_name, error;
  FieldView login, password, name, phone, reg_password;
};

struct TicketRow {
  std::string number, title, excerpt, status_name, updated, handler;
  std::string followers;  // "3人附议" ("" when nobody follows it)
  core::Status status = core::Status::submitted;
  bool overdue = false;
  bool unread = false;  // changed since its reader last opened it (handlers' queue)
};
struct MyTicketsView {
  // A citizen's two lists: the tickets they filed, and those they follow (附议).
  bool tabs = false;
  bool followed = false;  // the followed list is shown
  LoadState state = LoadState::idle;
  std::string error;
  // Shared and built once per answer and language: a list may hold thousands of rows.
  std::shared_ptr<const std::vector<TicketRow>> rows;
};

// The grid map: the district's shared map data, what is chosen and marked on it, and
// where it should look.
enum class MapTap {
  place,      // a tap places the report's location (intent::PlaceLocation)
  pick_grid,  // a tap picks the grid under it (intent::PickMapGrid; the heat map)
  view,       // taps do nothing: a ticket's place, only to look at
};
struct MapView {
  LoadState state = LoadState::idle;
  std::shared_ptr<const MapData> data;
  // Heat map: a colour per grid of data (IM_COL32 order); none: the plain map.
  std::shared_ptr<const std::vector<std::uint32_t>> fills;
  int selected = -1;  // index into data->grids
  std::string selected_name;
  bool has_pin = false;
  double pin_lat = 0, pin_lng = 0;
  bool has_here = false;  // "you are here": the device's position
  double here_lat = 0, here_lng = 0;
  // Bumped when the map should look somewhere (a place picked, the device located):
  // centre on focus_lat/lng, zoomed in to at least focus_zoom.
  std::uint64_t focus_seq = 0;
  double focus_lat = 0, focus_lng = 0, focus_zoom = 0;
  MapTap tap = MapTap::place;
};
struct PhotoSlotView {
  int state = 0;  // 0 uploading, 1 done, 2 failed, 4 kept on this device (sent with the report)
  float progress = 0;
  int width = 0, height = 0;
};

struct CategoryItem {
  std::string code, name;
};
struct CategoryGroup {
  std::string name;
  std::vector<CategoryItem> items;
};

// "已有人反映？": open tickets of the report's category near its place (app/nearby.hpp).
struct NearbyRow {
  std::string number, summary, status_name, distance, followers;
  core::Status status = core::Status::submitted;
  bool followed = false;  // the citizen follows it
  bool busy = false;      // following it is being sent
};
struct NearbyView {
  bool shown = false;  // anything to show: tickets, or a failure to say
  std::vector<NearbyRow> rows;
  std::string error;   // the question or the follow failed ("" none)
  bool retry = false;  // the question failed: a button asks again
  // Citizens (and anyone not signed in) may follow; staff filing for a caller only see.
  bool can_follow = true;
  // An anonymous citizen tapped "me too": sign in (the draft is kept) or send anyway.
  std::string ask_sign_in;  // the ticket they tapped; "" when not asking
  // Followed from here: a note with a link to the ticket, and (until answered) the
  // offer to discard this draft.
  std::string followed_number, followed_note;
  bool offer_discard = false;
};

struct SubmitView {
  // Categories the description suggests (chips above the picker; a tap picks one).
  std::vector<CategoryItem> suggestions;
  NearbyView nearby;
  std::string category_code, category_name;  // empty when none is chosen yet
  std::string category_error;
  LoadState categories = LoadState::idle;
  FieldView description, address, lat, lng, name, phone;
  FieldView place_search;
  struct PlaceResult {
    std::string name, detail;  // detail: kind · street · community
  };
  std::vector<PlaceResult> place_results;
  LoadState places = LoadState::idle;
  std::size_t description_chars = 0, description_max = 0;
  bool anonymous = false;
  bool notify = true;   // text the submitter about its progress
  bool patrol = false;  // a grid worker's patrol report: the box means "resolved on the spot"
  bool on_the_spot = false;
  bool submitting = false;
  bool offline = false;  // the button saves the report to send once the network is back
  MapView map;
  bool location_unknown = false;  // "I don't know where exactly" is chosen
  std::string location_error;     // no place chosen, nor "I don't know"
  std::string place;              // the chosen grid, named, or what not knowing means; "" before
  std::string nearest;            // the nearest mediation venue for that place
  bool locating = false;
  std::string locate_error;
  std::vector<PhotoSlotView> photos;
  std::size_t photos_max = 0;
  bool photos_busy = false;
  std::string photos_error;
  std::string banner;  // a failure not tied to one field
  // Bumped when the UI should bring `focus_field` into view (the first error).
  std::uint64_t focus_seq = 0;
  Field focus_field = Field::description;
  bool focus_category = false;
  bool focus_location = false;
};

struct CategoriesView {
  FieldView search;
  LoadState state = LoadState::idle;
  std::string error;
  std::vector<CategoryGroup> groups;  // filtered by the search text
  std::string selected;
};

struct ReceiptView {
  std::string number, code, respond_by, resolve_by;
  std::string note;  // where it went, when that needs saying (no place: the hotline centre)
};

struct TrackView {
  FieldView number, code;
  bool loading = false;
  std::string error;
};

struct TicketPage {
  LoadState state = LoadState::idle;
  std::string error;
  std::string number;
  core::Status status = core::Status::submitted;
  std::string status_name, level_name, category, description, address, area, handler, contact;
  std::string contact_tel;  // "tel:..." when the contact's number is shown in full (handlers)
  std::string created, updated, respond_by, resolve_by, reply;
  bool overdue = false;
  int reopen_count = 0;
  struct Step {
    std::string when, title, who, note;
    core::Status status = core::Status::submitted;
  };
  std::vector<Step> timeline;  // newest first
  struct WhistleRow {
    std::string unit, state, when;
  };
  std::vector<WhistleRow> whistles;
  std::size_t photos = 0;
  std::string rating;  // how it was rated ("" when not rated)
  bool can_rate = false;
  bool live = false;  // live updates are connected
  // A handler's view: the actions the server allows now, as buttons.
  struct ActionButton {
    std::string action, label;
  };
  std::vector<ActionButton> actions;
  bool busy = false;      // an action is being sent
  std::string followers;  // "3人附议" ("" when nobody follows it)
  // A citizen who follows it may stop (取消附议).
  bool can_unfollow = false, unfollow_busy = false;
  std::string unfollow_error;
  // Handlers: the category the text suggests when it differs from the ticket's with
  // confidence, and whether they may correct it.
  std::string suggested_category;
  bool can_recategorize = false;
  // A handler's ticket with a known point: a small map centred on it, its grid chosen
  // (drawn on the desk).
  bool has_map = false;
  MapView map;
};

struct RateView {
  std::string number;
  std::string category, reply;  // what is rated: the matter, and the handler's answer
  int resolved = -1;            // -1 not chosen, 0 no, 1 yes
  int satisfaction = 0;         // 0 not chosen, 1..5
  FieldView comment;
  bool busy = false;
  std::string error;
  // Bumped when the form opens from a link (#rate): the first choice takes the focus.
  std::uint64_t focus_seq = 0;
};

struct UnitRow {
  std::string name, kind, contact, address, distance;
  std::string tel;  // "tel:..." when the contact holds a telephone number
};
struct ServicesView {
  LoadState state = LoadState::idle;
  std::string error;
  std::string place;  // the location the nearest venue is for
  bool has_nearest = false;
  UnitRow nearest;
  struct Group {
    std::string name;
    std::vector<UnitRow> units;
  };
  std::vector<Group> groups;
};

}  // namespace portal::client

namespace portal::client {

// [SECTION] The handler workbench

enum class QueueFilter { open, overdue, all };
struct QueueView {
  LoadState state = LoadState::idle;
  std::string error;
  std::string user_name, role_name;
  QueueFilter filter = QueueFilter::open;
  std::size_t unread = 0;
  std::size_t open = 0, overdue = 0, all = 0;  // counts behind the filter tabs
  std::shared_ptr<const std::vector<TicketRow>> rows;
  bool can_file = false;    // hotline agents: file a call, import a batch
  bool can_patrol = false;  // grid workers: a patrol report
};

// A choice in an action form (a unit to whistle, a whistle to check in or finish).
struct PickRow {
  std::string id, name, detail;
  bool checked = false;
};
struct ActionFormView {
  std::string action, title, number;
  std::string note_label, note_hint;  // "" when the action takes no text
  bool note_required = false;
  FieldView note;
  bool pick_units = false, pick_whistle = false;
  std::vector<PickRow> picks;
  bool merge = false;
  FieldView into;
  bool pick_category = false;  // recategorize: the new category among `picks`
  bool rating = false;         // record_rating: resolved? and satisfaction
  int resolved = -1, satisfaction = 0;
  bool photos = false;  // resolve: photos of the result
  std::vector<PhotoSlotView> photo_slots;
  bool busy = false;
  std::string error;
};

// [SECTION] The desk: the queue beside the open ticket on a wide screen (app/desk.hpp).
struct DeskRow {
  std::string number, category, excerpt, status_name, level_name, place, followers;
  std::string deadline;  // "响应时限 11-26 09:00": the next deadline that matters
  core::Status status = core::Status::submitted;
  int urgency = 0;      // 0 normal, 1 soon, 2 overdue
  bool unread = false;  // changed live since last opened
  bool open = false;    // the ticket shown beside the queue
  bool cursor = false;  // the keyboard's row (j/k)
};
struct DeskChoice {
  std::string value, label;  // value "" is "any"
};
struct DeskShortcut {
  std::string keys, what;
};
struct DeskView {
  LoadState state = LoadState::idle;
  std::string error;
  std::string user_name, role_name;
  std::vector<DeskRow> rows;
  std::string count;  // "12 件"
  FieldView search;
  // The filters: the value chosen and its name; the choices of the one unfolded.
  std::string status, category, level;
  std::string status_label, category_label, level_label;
  bool overdue = false, filtered = false;
  std::string menu;  // "status" | "category" | "level" | ""
  std::vector<DeskChoice> choices;
  bool help = false;
  std::vector<DeskShortcut> shortcuts;
  std::string open_number;  // the ticket shown beside the queue ("" none)
  std::size_t unread = 0;
  bool can_file = false, can_patrol = false;
};

struct ImportRowResult {
  std::string row, error;
};
struct ImportView {
  FieldView text;
  bool busy = false;
  bool done = false;
  int created = 0;
  std::vector<ImportRowResult> errors;
  std::string error;
};

}  // namespace portal::client
