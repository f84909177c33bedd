// Notifications over real HTTP (API.md "Notifications"): the real server posts its
// outbox to a receiver this test runs; signatures checked with the shared secret;
// back-off on failures; nothing lost when the server is killed between the commit and
// the delivery; the admin list and retry; the signed inbound webhook; an account's
// settings; and the fields a submission adds.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "portal/core/sha256.hpp"
#include "tests/api/api_helpers.hpp"

using namespace portal;
using namespace portal::test;
using core::Json;

namespace {

constexpr const char* kSecret = "webhook-secret-0123456789";

// HMAC-SHA256 (RFC 2104) in hex, written here from the hash alone: the test checks the
// server's signature with nothing of the server's.
std::string hmac_hex(const std::string& key, const std::string& msg) {
  std::string k = key;
  if (k.size() > 64) {
    auto d = core::sha256(k);
    k.assign(d.begin(), d.end());
  }
  k.resize(64, '\0');
  std::string ipad(64, '\0'), opad(64, '\0');
  for (int i = 0; i < 64; ++i) {
    ipad[i] = static_cast<char>(k[i] ^ 0x36);
    opad[i] = static_cast<char>(k[i] ^ 0x5c);
  }
  auto inner = core::sha256(ipad + msg);
  return core::to_hex(core::sha256(opad + std::string(inner.begin(), inner.end())));
}

// The gateway: answers each delivery with the next status of `script` for its id
// (200 once the script runs out), and keeps what it received.
class Receiver {
 public:
  struct Delivery {
    std::string id, signature, body;
    Json json;
    std::chrono::steady_clock::time_point at;
    int answered = 0;
  };
  explicit Receiver(int port = 0) {
    server_.Post("/sms", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      Delivery d;
      d.id = req.get_header_value("X-Portal-Delivery");
      d.signature = req.get_header_value("X-Portal-Signature");
      d.body = req.body;
      d.json = Json::parse(req.body, nullptr, false);
      d.at = std::chrono::steady_clock::now();
      const int n = seen_[d.id]++;
      d.answered = n < static_cast<int>(script_.size()) ? script_[n] : 200;
      res.status = d.answered;
      res.set_content("{}", "application/json");
      got_.push_back(d);
    });
    port_ = port ? (server_.bind_to_port("127.0.0.1", port) ? port : -1)
                 : server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (port_ > 0 && !server_.is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/sms"; }
  void script(std::vector<int> s) {
    std::lock_guard lock(mu_);
    script_ = std::move(s);
  }
  std::vector<Delivery> got() {
    std::lock_guard lock(mu_);
    return got_;
  }
  // Waits until `pred` holds of what arrived (or `secs` pass).
  template <class P>
  bool until(P pred, int secs = 20) {
    for (int i = 0; i < secs * 20; ++i) {
      if (pred(got())) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::vector<int> script_;
  std::map<std::string, int> seen_;
  std::vector<Delivery> got_;
};

std::vector<std::string> notify_args(const Receiver& r) {
  return {"--rate-limit-scale", "1000",
          "--notify-webhook",   r.url(),
          "--notify-secret",    kSecret,
          "--notify-backoff",   "1",
          "--public-url",       "https://rcb.example.gov.cn"};
}

Json a_ticket(ServerProcess& s, const std::string& phone = "13512345678") {
  const std::string gw = login(s, "gw0001");
  const std::string grid = body_of(s.client().Get("/api/v1/me", bearer(gw)))["grid_ids"][0];
  auto spot = grid_spot(s, grid);
  return {{"category", "city.road"},
          {"description", "路面塌陷一个大坑，电动车经过很危险"},
          {"location", {{"lat", spot.lat}, {"lng", spot.lng}, {"address", "测试路口"}}},
          {"contact", {{"name", "赵大爷"}, {"phone", phone}}}};
}

std::vector<Receiver::Delivery> of_kind(const std::vector<Receiver::Delivery>& all,
                                        const std::string& kind) {
  std::vector<Receiver::Delivery> out;
  for (const auto& d : all)
    if (d.json.is_object() && d.json.value("kind", "") == kind) out.push_back(d);
  return out;
}

TEST(Notifications, ReceivedIsSignedThenRetriedWithBackOffUntilTheGatewayTakesIt) {
  Receiver gateway;
  gateway.script({500, 500, 500});  // each message: refused three times, then taken
  ServerProcess s(notify_args(gateway));
  auto sub = s.client().Post("/api/v1/tickets", a_ticket(s).dump(), "application/json");
  ASSERT_TRUE(sub && sub->status == 201) << (sub ? sub->body : "");
  const std::string number = body_of(sub)["number"], code = body_of(sub)["access_code"];

  ASSERT_TRUE(
      gateway.until([](const auto& got) { return of_kind(got, "received").size() >= 4; }, 30));
  std::this_thread::sleep_for(std::chrono::seconds(2));  // nothing more comes
  auto received = of_kind(gateway.got(), "received");
  ASSERT_EQ(received.size(), 4u) << "delivered once, at the fourth attempt";
  EXPECT_EQ(received[3].answered, 200);
  for (const auto& d : received) {
    EXPECT_EQ(d.id, received[0].id) << "the same message each time";
    EXPECT_EQ(d.body, received[0].body);
    EXPECT_EQ(d.signature, "sha256=" + hmac_hex(kSecret, d.body));
    EXPECT_NE(d.signature, "sha256=" + hmac_hex("another secret", d.body));
  }
  const Json& m = received[0].json;
  EXPECT_EQ(m["id"], received[0].id);
  EXPECT_EQ(m["lang"], "zh");
  EXPECT_EQ(m["ticket"], number);
  EXPECT_EQ(m["to"]["phone"], "13512345678");
  EXPECT_EQ(m["link"], "https://rcb.example.gov.cn/t/" + number + "#c=" + code);
  EXPECT_NE(m["text"].get<std::string>().find(number), std::string::npos);
  // Back-off: each wait at least half the doubled delay (1 s, 2 s, 4 s, the other half
  // being jitter), whatever the worker's polling adds.
  double total = 0;
  for (int i = 1; i < 4; ++i) {
    const double gap = std::chrono::duration<double>(received[i].at - received[i - 1].at).count();
    EXPECT_GE(gap, 0.5 * (1 << (i - 1)) - 0.05) << "wait before attempt " << i + 1;
    total += gap;
  }
  EXPECT_GE(total, 3.5 - 0.15) << "0.5 + 1 + 2 s at least";
  // The handler's message went out too (its own script: also at the fourth attempt).
  ASSERT_TRUE(
      gateway.until([](const auto& got) { return of_kind(got, "assigned").size() >= 4; }, 30));
  EXPECT_EQ(of_kind(gateway.got(), "assigned")[0].json["link"],
            "https://rcb.example.gov.cn/work/t/" + number);

  // The admin list: delivered, four attempts, no phone and no code in clear.
  const std::string admin = login(s, "admin");
  auto list = s.client().Get("/api/v1/notifications?status=delivered", bearer(admin));
  ASSERT_TRUE(list && list->status == 200) << (list ? list->body : "");
  EXPECT_EQ(list->body.find("13512345678"), std::string::npos);
  EXPECT_EQ(list->body.find(code), std::string::npos);
  bool found = false;
  const Json listed = body_of(list);
  for (const auto& it : listed["items"]) {
    if (it["id"] != received[0].id) continue;
    found = true;
    EXPECT_EQ(it["attempts"], 4);
    EXPECT_EQ(it["status"], "delivered");
    EXPECT_EQ(it["to"]["phone"], "135****5678");
  }
  EXPECT_TRUE(found) << list->body;
  // Delivered ones are not sent again; an unknown id is 404; others may not look.
  auto again = s.client().Post(("/api/v1/notifications/" + received[0].id + "/retry").c_str(),
                               bearer(admin), "", "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409);
  auto none = s.client().Post(("/api/v1/notifications/" + std::string(32, 'a') + "/retry").c_str(),
                              bearer(admin), "", "application/json");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 404);
  auto worker = s.client().Get("/api/v1/notifications", bearer(login(s, "gw0001")));
  ASSERT_TRUE(worker);
  EXPECT_EQ(worker->status, 403);
  auto bad = s.client().Get("/api/v1/notifications?status=sent", bearer(admin));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 422);
  EXPECT_EQ(body_of(bad)["error"]["field"], "status");
  // /metrics counts them, and shows no phone either.
  auto metrics = s.client().Get("/metrics");
  ASSERT_TRUE(metrics && metrics->status == 200);
  EXPECT_NE(metrics->body.find("portal_outbox_messages{state=\"delivered\"} 2"), std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("portal_notification_attempts_total{outcome=\"retry\"} 6"),
            std::string::npos);
  EXPECT_EQ(s.log().find("13512345678"), std::string::npos) << "no phone in the logs";
}

TEST(Notifications, KilledBetweenCommitAndDeliveryTheMessageGoesOutAfterRestart) {
  // The gateway is down: the server commits the ticket and its messages, tries, fails.
  int port = 0;
  {
    Receiver probe;
    port = probe.port();
  }
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/sms";
  std::vector<std::string> args = {"--notify-webhook", url, "--notify-secret",    kSecret,
                                   "--notify-backoff", "1", "--rate-limit-scale", "1000"};
  ServerProcess s(args);
  auto sub = s.client().Post("/api/v1/tickets", a_ticket(s).dump(), "application/json");
  ASSERT_TRUE(sub && sub->status == 201);
  const std::string number = body_of(sub)["number"];
  const std::string admin = login(s, "admin");
  std::string pending_ids;
  for (int i = 0; i < 40; ++i) {
    auto p = body_of(s.client().Get("/api/v1/notifications?status=pending", bearer(admin)));
    if (p["total"] == 2 && p["items"][0]["attempts"] >= 1) {
      pending_ids = p.dump();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(pending_ids.empty()) << "two messages waiting after a failed attempt";
  s.kill_hard();

  // The gateway comes back; so does the server.
  Receiver gateway(port);
  ASSERT_EQ(gateway.port(), port);
  s.restart(args);
  ASSERT_TRUE(gateway.until([](const auto& got) { return got.size() >= 2; }, 30));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto got = gateway.got();
  std::map<std::string, int> times;
  for (const auto& d : got) {
    times[d.id]++;
    EXPECT_EQ(d.signature, "sha256=" + hmac_hex(kSecret, d.body));
    EXPECT_EQ(d.json["ticket"], number);
    EXPECT_NE(pending_ids.find(d.id), std::string::npos) << "the messages written before";
  }
  EXPECT_EQ(times.size(), 2u) << "both messages";
  for (const auto& [id, n] : times) EXPECT_EQ(n, 1) << id << " delivered once";
  auto left = body_of(s.client().Get("/api/v1/notifications?status=pending", bearer(admin)));
  EXPECT_EQ(left["total"], 0);
}

TEST(Notifications, InboundRepliesAreSignedAndOptOut) {
  Receiver gateway;
  ServerProcess s(notify_args(gateway));
  const std::string body = Json{{"phone", "13800002222"}, {"text", "TD"}}.dump();
  auto unsigned_ = s.client().Post("/api/v1/notifications/inbound", body, "application/json");
  ASSERT_TRUE(unsigned_);
  EXPECT_EQ(unsigned_->status, 401);
  auto wrong = s.client().Post("/api/v1/notifications/inbound",
                               {{"X-Portal-Signature", "sha256=" + hmac_hex("nope", body)}}, body,
                               "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  auto text = s.client().Post("/api/v1/notifications/inbound",
                              {{"X-Portal-Signature", "sha256=" + hmac_hex(kSecret, body)}}, body,
                              "text/plain");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->status, 415);
  auto ok = s.client().Post("/api/v1/notifications/inbound",
                            {{"X-Portal-Signature", "sha256=" + hmac_hex(kSecret, body)}}, body,
                            "application/json");
  ASSERT_TRUE(ok && ok->status == 200) << (ok ? ok->body : "");
  EXPECT_EQ(body_of(ok)["action"], "opted_out");
  // That phone's next report: the handler hears of it, the citizen is left alone.
  auto sub =
      s.client().Post("/api/v1/tickets", a_ticket(s, "13800002222").dump(), "application/json");
  ASSERT_TRUE(sub && sub->status == 201);
  ASSERT_TRUE(gateway.until([](const auto& got) { return !of_kind(got, "assigned").empty(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_TRUE(of_kind(gateway.got(), "received").empty());
}

TEST(Notifications, SettingsAndSubmissionFieldsAreChecked) {
  Receiver gateway;
  ServerProcess s(notify_args(gateway));
  auto anon = s.client().Get("/api/v1/me/notifications");
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->status, 401);
  const std::string gw = login(s, "gw0001");
  auto mine = s.client().Get("/api/v1/me/notifications", bearer(gw));
  ASSERT_TRUE(mine && mine->status == 200);
  EXPECT_EQ(body_of(mine)["enabled"], true);
  EXPECT_EQ(body_of(mine)["lang"], "zh");
  auto put = s.client().Put("/api/v1/me/notifications", bearer(gw),
                            Json{{"enabled", false}, {"lang", "en"}}.dump(), "application/json");
  ASSERT_TRUE(put && put->status == 200) << (put ? put->body : "");
  EXPECT_EQ(body_of(s.client().Get("/api/v1/me/notifications", bearer(gw)))["lang"], "en");
  auto bad = s.client().Put("/api/v1/me/notifications", bearer(gw), Json{{"lang", "fr"}}.dump(),
                            "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 422);
  EXPECT_EQ(body_of(bad)["error"]["field"], "lang");
  // The submission's own fields.
  Json t = a_ticket(s);
  t["lang"] = "fr";
  auto r = s.client().Post("/api/v1/tickets", t.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  EXPECT_EQ(body_of(r)["error"]["field"], "lang");
  t["lang"] = "en";
  t["notify"] = "yes";
  r = s.client().Post("/api/v1/tickets", t.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(body_of(r)["error"]["field"], "notify");
  // The grid worker turned messages off: a new ticket in the grid is not sent to them.
  t["notify"] = true;
  r = s.client().Post("/api/v1/tickets", t.dump(), "application/json");
  ASSERT_TRUE(r && r->status == 201);
  ASSERT_TRUE(gateway.until([](const auto& got) { return !of_kind(got, "received").empty(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(of_kind(gateway.got(), "received")[0].json["lang"], "en");
  EXPECT_TRUE(of_kind(gateway.got(), "assigned").empty());
}

TEST(Notifications, AServerWithoutAWebhookRefusesTheInboundCall) {
  ServerProcess s;
  const std::string body = Json{{"phone", "13800002222"}, {"text", "TD"}}.dump();
  auto r = s.client().Post("/api/v1/notifications/inbound",
                           {{"X-Portal-Signature", "sha256=" + hmac_hex(kSecret, body)}}, body,
                           "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  // A webhook without a secret is refused at start, naming what is missing.
  auto [out, status] = run_command(s.bin() + " serve --port 0 --db " + s.db() +
                                   " --notify-webhook http://127.0.0.1:9/sms");
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("--notify-secret"), std::string::npos) << out;
}

}  // namespace
