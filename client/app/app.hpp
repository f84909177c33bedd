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
#include <string>
#include <vector>

#include "app/api.hpp"
#include "app/async.hpp"
#include "app/glyphs.hpp"
#include "app/i18n.hpp"
#include "app/intents.hpp"
#include "app/services.hpp"
#include "app/views.hpp"

namespace portal::client {

class App {
 public:
  // A point near the middle of the district, the default location of a report.
  static constexpr double kDefaultLat = 35.41, kDefaultLng = 116.58;
  static constexpr std::size_t kMaxRecent = 10;

  App(net::Http& http, Services& services, std::string api_base = {});

  // [SECTION] Life cycle
  // Called whenever something arrives outside a frame and a redraw is needed.
  void set_wake(std::function<void()> wake) { wake_ = std::move(wake); }
  void start();
  // Applies the answers that arrived since the last frame. True when any did.
  bool begin_frame();
  void apply(const Intents& intents);
  // The browser moved in its history (back/forward button) to this depth.
  void on_history(int depth);

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

  GlyphSet& glyphs() { return glyphs_; }
  // When a timed change (a toast going away) needs a redraw; 0 when none.
  double wake_at_ms() const;

 private:
  // [SECTION] Internals
  struct Recent {
    std::string number, code;
  };

  void post(std::function<void()> fn);
  void navigate(Screen to, bool replace = false);
  void go_back();
  void go_home();
  void set_lang(Lang lang);
  void edit(Field field, std::string value);
  void load_categories();
  void submit_ticket();
  // Looks a ticket up; open_now shows its page at once, else only when it is found.
  void look_up_ticket(const std::string& number, const std::string& code, bool open_now);
  void show_toast(T text);
  void remember(const core::TicketReceipt& receipt);
  void load_recent();
  std::string category_name(const std::string& code) const;
  std::string field_error(const std::string& field) const;
  void see_text(std::string_view text) { glyphs_.require(text); }

  Api api_;
  Services& services_;
  std::function<void()> wake_;
  std::vector<std::function<void()>> inbox_;
  GlyphSet glyphs_;

  Lang lang_ = Lang::zh;
  std::vector<Screen> stack_{Screen::home};
  T toast_ = T::copied;
  double toast_until_ = 0;

  Async<std::vector<core::Category>> categories_;
  std::string category_search_;

  // The submit form.
  std::string category_, description_, address_, lat_, lng_, name_, phone_;
  bool anonymous_ = false;
  std::map<std::string, core::Error> field_errors_;  // by API field path
  std::string idempotency_key_;
  Async<core::TicketReceipt> submission_;
  std::uint64_t focus_seq_ = 0;
  std::string focus_path_;

  // Tracking.
  std::string track_number_, track_code_;
  std::map<std::string, core::Error> track_errors_;  // "number" | "code"
  bool open_on_answer_ = false;
  Async<core::TicketView> ticket_;
  std::string ticket_number_, ticket_code_;  // what the shown ticket was fetched with

  std::vector<Recent> recent_;
};

}  // namespace portal::client
