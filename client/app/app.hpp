// The citizen portal's state: screens, forms, requests and their answers. No
// ImGui and no browser here: the UI draws the view-models this builds and hands
// back intents; the platform feeds in time, storage and the transport.
//
// Index
//   [SECTION] Life cycle      start, begin_frame (drains answers), apply (intents)
//   [SECTION] View-models     one per screen, in the current language
//   [SECTION] Internals
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/api.hpp"
#include "app/async.hpp"
#include "app/cockpit.hpp"
#include "app/desk.hpp"
#include "app/drafts.hpp"
#include "app/follow.hpp"
#include "app/i18n.hpp"
#include "app/intents.hpp"
#include "app/model.hpp"
#include "app/nearby.hpp"
#include "app/notify_settings.hpp"
#include "app/outbox.hpp"
#include "app/routes.hpp"
#include "app/services.hpp"
#include "app/suggest.hpp"
#include "app/views.hpp"
#include "portal/core/json.hpp"

namespace portal::client {

class App {
 public:
  // Tickets submitted from this device, kept with their access codes.
  static constexpr std::size_t kMaxRecent = 10;

  App(net::Http& http, Services& services, std::string api_base = {});
  // Where drafts and the outbox are kept (before start); by default the key/value
  // storage of Services, without an outbox.
  void set_device_store(std::unique_ptr<DeviceStore> store) { store_ = std::move(store); }

  // [SECTION] Life cycle
  // Called whenever something arrives outside a frame and a redraw is needed.
  void set_wake(std::function<void()> wake) { wake_ = std::move(wake); }
  // Opens the screen the page's address names (app/routes.hpp), after a reload the
  // same one, and restores what the report form held.
  void start();
  // Applies the answers that arrived since the last frame. True when any did.
  bool begin_frame();
  void apply(const Intents& intents);
  // The browser moved in its history (Back, Forward) to the entry of this depth, with
  // its address ("" in an embedding frame) and the screen its state names.
  void on_history(int depth, const std::string& path = {}, const std::string& screen = {});

  // [SECTION] View-models
  Lang lang() const { return lang_; }
  Screen screen() const { return stack_.back(); }
  ShellView shell() const;
  HomeView home() const;
  SubmitView submit() const;
  CategoriesView categories() const;
  ReceiptView receipt() const;
  TrackView track() const;
  TicketPage ticket() const;
  AccountView account() const;
  MyTicketsView my_tickets() const;
  RateView rate() const;
  ServicesView services_directory() const;
  bool signed_in() const { return !session_.token.empty(); }
  // The handler workbench (workbench.cpp).
  QueueView queue() const;
  ActionFormView action_form() const;
  ImportView import_view() const;
  // The desk: the queue with its filters, drawn beside the ticket on a wide screen
  // (desk.cpp).
  DeskView desk() const;
  // Signed in with a staff role: the workbench instead of "my tickets".
  bool is_handler() const;
  // The data cockpit (leaders) and the public board (anyone): app/cockpit.hpp.
  CockpitView cockpit() const;
  BoardView board() const;

  // [SECTION] From the page (the platform layer calls these)
  // A photo slot changed: state 0 uploading (progress 0..1), 1 uploaded, 2 failed, 4 kept
  // on this device only (the network failed: uploaded with the report). uid names its
  // bytes on this device.
  void on_photo(int slot, int state, double progress, const std::string& id, int width, int height,
                const std::string& uid = {});
  // The outbox changed (app/outbox.hpp): the whole queue (a JSON array), or one report
  // whose state changed (an object), in this tab or another.
  void on_outbox(const std::string& json);
  void on_geolocation(bool ok, double lat, double lng);
  // One `event: ticket` of the live stream (its data), or "" when the stream (re)opened.
  void on_stream_event(const std::string& data);
  // A message of the host page (embedding): {"type":"token","token":...}.
  void on_host_message(const std::string& json);
  // The browser's network state: navigator.onLine at start, then its online and
  // offline events.
  void on_online(bool online);

  // Benchmarks: my tickets replaced by `rows` made-up rows, and their list shown.
  void bench_fill_my_tickets(int rows);

  // When a timed change (a toast going away) needs a redraw; 0 when none.
  double wake_at_ms() const;

 private:
  // [SECTION] Internals
  struct Recent {
    std::string number, code;
  };
  // How the address bar should change for the screen shown now.
  enum class Hist { push, replace, none };

  void post(std::function<void()> fn);
  void navigate(Screen to, bool replace = false);
  // The history entry of the screen shown now: its address and name.
  void record_history(Hist how);
  // What a screen needs when it is shown (lists, the map, a clean rating form).
  void entered(Screen to);
  // Shows the screen an address asks for, as the top of the stack (history as `how`).
  void open_route(const RouteRequest& r, Hist how);
  bool may_open(Screen s) const;
  // Where a signed-in account lands: the cockpit, the workbench or my tickets.
  Screen landing() const;
  // The screen a history entry kept, when it still fits its address and what is in
  // memory (a rating form over the ticket shown); else the address's own screen.
  Screen resolve_kept(Screen kept, const RouteRequest& r, const std::string& path,
                      bool reload) const;
  void go_back();
  void go_home();
  void set_lang(Lang lang);
  void edit(Field field, std::string value);
  void search_places();
  void load_categories();
  void submit_ticket();
  // Looks a ticket up; open_now shows its page at once, else only when it is found.
  void look_up_ticket(const std::string& number, const std::string& code, bool open_now);
  void show_toast(T text);
  void remember(const std::string& number, const std::string& code);
  void forget(const std::string& number);
  void save_recent();
  void load_recent();
  std::string code_for(const std::string& number) const;
  // The status and category of the tickets of this device, fetched with their codes.
  void refresh_recent();
  // Drafts and the outbox (offline.cpp).
  FormDraft form_draft() const;
  void save_draft();
  void restore_draft(const FormDraft& d);
  void clear_form();
  void load_drafts();
  void save_action_draft();
  void load_action_draft();
  void queue_report(core::TicketDraft d, bool unknown);
  void outbox_item_changed(const OutboxItem& item);
  void report_sent(const OutboxItem& item);
  void report_queued();
  void apply_outbox(const intent::Outbox& op);
  // A refusal naming a field: shown there and brought into view; false when it names none.
  bool show_at_field(const core::Error& e);
  void resolve_on_spot(const std::string& number);
  std::vector<OutboxRow> outbox_rows() const;
  std::string old_drafts_text() const;
  std::string category_name(const std::string& code) const;
  std::string field_error(const std::string& field) const;
  void sign_in(bool registering);
  void adopt_session(Session s);
  void save_session();
  void sign_out();
  void load_my_tickets();
  void load_events();
  void submit_rating();
  void load_grids();
  void place(double lat, double lng);
  void load_units();
  void open_stream();
  void host_event(const std::string& type, core::Json data);
  const Unit* nearest_mediation() const;
  MapView map_view() const;

  // Closing the loop (closing_loop.cpp): the text-message choices, and a link that opens
  // a ticket's rating form.
  bool apply_notify(const Intent& i);
  bool is_citizen() const;
  // The viewer may rate the ticket shown (its submitter, while it waits for a rating).
  bool may_rate() const;
  // The ticket a link asked to rate has arrived: its rating form, when it may be rated.
  void follow_rate_link(const std::string& number);

  // The same matter reported once (same_matter.cpp): nearby tickets and following them,
  // suggested categories, the followed list, a handler's category correction.
  bool apply_same_matter(const Intent& i);
  // Keeps the nearby question and the suggestion chips in step with the form (and sends
  // a suggestion whose text has rested); true when it sent one.
  bool sync_same_matter();
  std::optional<std::pair<double, double>> form_point() const;
  NearbyView nearby_view() const;
  std::vector<CategoryItem> suggestion_chips() const;
  void suggest_for_ticket();
  void fill_same_matter(TicketPage& p) const;
  std::string suggested_code() const;  // a handler's ticket: the category to correct it to

  // The handler workbench (workbench.cpp).
  bool apply_workbench(const Intent& i);
  void load_queue();
  void open_action(const std::string& action);
  void toggle_pick(const std::string& id);
  void submit_action();
  void submit_import();
  void on_queue_change(const std::string& number);
  std::vector<TicketPage::ActionButton> action_buttons() const;
  T action_title() const;
  // The desk (desk.cpp).
  bool apply_desk(const Intent& i);
  void open_on_desk(const std::string& number);
  void fill_desk_map(TicketPage& p) const;

  Api api_;
  Services& services_;
  std::function<void()> wake_;
  std::vector<std::function<void()>> inbox_;

  Lang lang_ = Lang::zh;
  std::vector<Screen> stack_{Screen::home};
  T toast_ = T::copied;
  double toast_until_ = 0;
  std::string copied_from_;  // the copy button that copied last (ShellView::copied)
  double copied_until_ = 0;

  Async<std::vector<core::Category>> categories_;
  std::string category_search_;

  // The submit form.
  std::string category_, description_, address_, lat_, lng_, name_, phone_;
  bool anonymous_ = false;
  bool notify_ = true;  // text the submitter about the report's progress
  std::map<std::string, core::Error> field_errors_;  // by API field path
  std::string idempotency_key_;
  Async<core::TicketReceipt> submission_;
  std::uint64_t focus_seq_ = 0;
  std::string focus_path_;

  // Tracking.
  std::string track_number_, track_code_;
  std::map<std::string, core::Error> track_errors_;  // "number" | "code"
  bool open_on_answer_ = false;
  Async<TicketDetail> ticket_;
  Async<std::vector<TicketEvent>> events_;
  std::string ticket_number_, ticket_code_;  // what the shown ticket was fetched with

  std::vector<Recent> recent_;
  struct RecentTicket {
    Async<TicketDetail> ticket;
    double at = 0;  // when it was last fetched (now_ms)
  };
  std::map<std::string, RecentTicket> recent_tickets_;  // by number
  std::string pending_remove_;                          // a row of the list asking "remove?"
  std::unique_ptr<DeviceStore> store_;
  // The reports waiting on this device, and the one this form sent (its key) while its
  // answer is awaited.
  std::vector<OutboxItem> outbox_;
  std::string sending_key_;
  std::string outbox_asking_;             // a waiting report asking "delete?"
  std::vector<std::string> outbox_done_;  // sent or refused reports already acted on
  int old_drafts_ = 0;                    // drafts untouched for 30 days, and their bytes
  double old_draft_bytes_ = 0;
  double report_draft_age_ = 0;  // days
  // A link's access code (#c=...), kept once the ticket opened with it.
  std::string link_number_, link_code_;
  std::string rate_link_;             // the ticket a link asked to rate (#rate), until it opens
  std::uint64_t rate_focus_seq_ = 0;  // the rating form opened by a link: focus its first choice
  bool submitted_unknown_ = false;    // the last report said its place is not known
  // A screen asked for by its address that needs an account: shown after signing in.
  std::optional<RouteRequest> after_sign_in_;

  // Accounts.
  Session session_;
  Async<Session> auth_;
  bool registering_ = false;
  std::string login_, password_, reg_name_, reg_phone_, reg_password_;
  Async<std::vector<TicketSummary>> mine_;
  // The rows of my tickets as last built, for the answer (ticket and state) and language.
  mutable std::shared_ptr<const std::vector<TicketRow>> mine_rows_;
  mutable std::uint64_t mine_rows_ticket_ = 0;
  mutable Lang mine_rows_lang_ = Lang::zh;

  // Rating.
  int rate_resolved_ = -1, rate_satisfaction_ = 0;
  std::string rate_comment_;
  Async<TicketDetail> rating_;

  // Location: the map, the chosen place, the browser's position.
  Async<GridsAnswer> grids_;
  Async<OrgNames> org_names_;                // street and community names, for the map
  std::shared_ptr<const MapData> map_data_;  // built from both answers
  void build_map_data();
  bool has_here_ = false;  // the device's position, once located
  double here_lat_ = 0, here_lng_ = 0;
  std::uint64_t map_focus_seq_ = 0;  // the map should look at focus_*
  double focus_lat_ = 0, focus_lng_ = 0, focus_zoom_ = 0;
  void focus_map(double lat, double lng, double zoom);
  Async<Located> located_;
  std::string place_search_;
  Async<std::vector<Place>> places_;  // the answer for place_search_
  bool placed_ = false, locating_ = false, locate_failed_ = false;
  // The submitter said they do not know where exactly (no point: the hotline centre).
  bool location_unknown_ = false;

  // Photos, by slot; ids go into the ticket's attachments.
  struct PhotoSlot {
    int state = 0;
    double progress = 0;
    std::string id, uid;
    int width = 0, height = 0;
  };
  std::vector<PhotoSlot> photos_;
  int photo_base_ = 0;  // slot numbers of earlier forms are ignored

  Async<std::vector<Unit>> units_;
  bool stream_open_ = false;
  std::string stream_for_;  // "token" or the number the anonymous stream follows
  bool elderly_ = false;    // 长辈版, remembered on this device
  bool embedded_ = false;
  bool online_ = true;

  // The handler workbench.
  Async<std::vector<TicketSummary>> queue_;
  QueueFilter queue_filter_ = QueueFilter::open;
  std::vector<std::string> unread_;  // tickets changed live since they were last opened
  mutable std::shared_ptr<const std::vector<TicketRow>> queue_rows_;
  mutable std::uint64_t queue_rows_ticket_ = 0;
  mutable std::size_t queue_rows_key_ = 0;  // filter, language and unread count it shows
  std::string action_, action_note_, action_into_;
  std::vector<std::string> action_picks_;
  std::string action_error_;  // a form problem found before sending
  Async<TicketDetail> acting_;
  std::string import_text_;
  Async<core::Json> import_;
  std::string file_channel_;  // "hotline" | "patrol" while staff file a report; "" for citizens
  bool on_the_spot_ = false;  // a patrol report resolved where it was found
  // The cockpit and the public board (declared last: it uses api_ and services_).
  Cockpit cockpit_{api_, services_, [this](std::function<void()> fn) { post(std::move(fn)); }};
  void open_cockpit();
  // The account's text-message setting (declared after api_, which it uses).
  NotifySettings notify_settings_{api_, [this](std::function<void()> fn) { post(std::move(fn)); }};
  // The same matter reported once (declared after api_, which they use).
  Nearby nearby_{api_, [this](std::function<void()> fn) { post(std::move(fn)); }};
  Following following_{api_, [this](std::function<void()> fn) { post(std::move(fn)); }};
  Suggester suggest_{api_, [this](std::function<void()> fn) { post(std::move(fn)); }};
  Suggester ticket_suggest_{api_, [this](std::function<void()> fn) { post(std::move(fn)); }};
  Desk desk_{api_, [this](std::function<void()> fn) { post(std::move(fn)); }};
  bool return_to_form_ = false;  // signing in to follow: back to the report form after
  bool mine_followed_ = false;   // my tickets shows the followed ones
};

}  // namespace portal::client
