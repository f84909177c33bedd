// Two portal-server instances behind nginx over one PostgreSQL database (SPEC §11):
// submitting through the balancer, acting on another instance than the one that took
// the ticket, live updates crossing instances, an instance killed in the middle of a
// write load without losing an acknowledged ticket; and backup and restore of both
// backends while writes go on.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "portal/core/json.hpp"
#include "server/service/notifications.hpp"
#include "server/store/postgres/pg.hpp"
#include "tests/cluster/cluster.hpp"

using portal::core::Json;
using namespace portal::test;
using namespace std::chrono_literals;

namespace {

std::string pg_base_url() {
  if (const char* u = std::getenv("PORTAL_TEST_PG"); u && *u) return u;
  // The state file of the pgcluster fixture of this build tree.
  const char* f = std::getenv("PORTAL_TEST_PG_FILE");
  std::ifstream in(f ? f : PORTAL_PG_STATE_FILE);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string url_for(const std::string& url, const std::string& db) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme + 3);
  const auto query = url.find('?', scheme + 3);
  std::string out = url.substr(0, slash == std::string::npos ? query : slash) + "/" + db;
  if (query != std::string::npos) out += url.substr(query);
  return out;
}

bool admin_sql(const std::string& sql) {
  std::string error;
  auto c = portal::server::pg::Conn::open(url_for(pg_base_url(), "postgres"), error);
  return c && c->run(sql.c_str());
}

// A new, empty database on the test cluster, dropped at the end.
class Database {
 public:
  explicit Database(const std::string& tag) : name_("c_" + tag + "_" + std::to_string(::getpid())) {
    admin_sql("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    if (!admin_sql("CREATE DATABASE " + name_)) throw std::runtime_error("createdb failed");
    url_ = url_for(pg_base_url(), name_);
  }
  ~Database() { admin_sql("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); }
  const std::string& url() const { return url_; }

 private:
  std::string name_, url_;
};

std::string server_bin() {
  return std::getenv("PORTAL_SERVER") ? std::getenv("PORTAL_SERVER") : "";
}

std::string login(int port, const std::string& user) {
  auto r = client_on(port).Post("/api/v1/auth/login",
                                Json{{"login", user}, {"password", "demo12345"}}.dump(),
                                "application/json");
  EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
  return r && r->status == 200 ? Json::parse(r->body)["token"].get<std::string>() : "";
}

httplib::Headers bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

std::pair<double, double> point_in_grid_of(int port, const std::string& token) {
  auto me = Json::parse(client_on(port).Get("/api/v1/me", bearer(token))->body);
  const std::string grid = me["grid_ids"][0];
  auto fc = Json::parse(client_on(port).Get("/api/v1/grids")->body);
  for (const auto& f : fc["features"])
    if (f["properties"]["grid_id"] == grid) {
      const auto& ring = f["geometry"]["coordinates"][0];
      return {(ring[0][1].get<double>() + ring[2][1].get<double>()) / 2,
              (ring[0][0].get<double>() + ring[2][0].get<double>()) / 2};
    }
  return {35.41, 116.58};
}

Json ticket_at(double lat, double lng) {
  return {{"category", "env.noise"},
          {"description", "广场舞音响太大声了，晚上十点还没停"},
          {"location", {{"lat", lat}, {"lng", lng}}},
          {"contact", {{"name", "周阿姨"}, {"phone", "13700002222"}}}};
}

// Submits through `port`; the receipt, or null when not acknowledged.
Json submit(int port, double lat = 35.41, double lng = 116.58) {
  auto c = client_on(port);
  auto r = c.Post("/api/v1/tickets", ticket_at(lat, lng).dump(), "application/json");
  if (!r || r->status != 201) return nullptr;
  return Json::parse(r->body, nullptr, false);
}

bool exists(int port, const Json& receipt) {
  auto r = client_on(port).Get(("/api/v1/tickets/" + receipt["number"].get<std::string>()).c_str(),
                               {{"X-Access-Code", receipt["access_code"].get<std::string>()}});
  return r && r->status == 200;
}

class Cluster : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(pg_base_url().empty()) << "no PostgreSQL cluster: run under ctest (fixture "
                                           "pgcluster) or set PORTAL_TEST_PG";
    db_ = std::make_unique<Database>("cluster");
    ASSERT_EQ(run({server_bin(), "seed", "--demo", "--db", db_->url()}, dir_.file("seed.log")), 0);
    a_ = std::make_unique<Instance>(db_->url(), dir_, "a");
    b_ = std::make_unique<Instance>(db_->url(), dir_, "b");
    lb_ = std::make_unique<Balancer>(dir_, std::vector<int>{a_->port(), b_->port()});
  }
  void TearDown() override {
    lb_.reset();
    a_.reset();
    b_.reset();
    db_.reset();
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Instance> a_, b_;
  std::unique_ptr<Balancer> lb_;
};

}  // namespace

TEST_F(Cluster, SubmitThroughTheBalancerActElsewhereAndHearItEverywhere) {
  // A session made through the balancer holds on every instance.
  const std::string gw = login(lb_->port(), "gw0005");
  ASSERT_FALSE(gw.empty());
  for (int port : {a_->port(), b_->port()}) {
    auto me = client_on(port).Get("/api/v1/me", bearer(gw));
    ASSERT_TRUE(me && me->status == 200) << port;
  }
  // The grid worker listens on B; the ticket comes in on A.
  Sse on_b(b_->port(), "/api/v1/stream", "Authorization: Bearer " + gw + "\r\n");
  ASSERT_TRUE(on_b.wait_for(": connected", 3s));
  auto [lat, lng] = point_in_grid_of(lb_->port(), gw);
  Json receipt = submit(a_->port(), lat, lng);
  ASSERT_FALSE(receipt.is_null());
  const std::string number = receipt["number"];
  EXPECT_TRUE(on_b.wait_for(number, 5s)) << on_b.text();
  EXPECT_NE(on_b.text().find("\"action\":\"submit\""), std::string::npos);
  EXPECT_EQ(on_b.text().find("13700002222"), std::string::npos);

  // The citizen follows the ticket on A; the worker accepts it on B.
  Sse citizen(a_->port(), "/api/v1/stream?number=" + number +
                              "&code=" + receipt["access_code"].get<std::string>());
  ASSERT_TRUE(citizen.wait_for(": connected", 3s));
  auto acted = client_on(b_->port())
                   .Post(("/api/v1/tickets/" + number + "/actions").c_str(), bearer(gw),
                         Json{{"action", "accept"}}.dump(), "application/json");
  ASSERT_TRUE(acted && acted->status == 200) << (acted ? acted->body : "no answer");
  EXPECT_TRUE(citizen.wait_for("\"action\":\"accept\"", 5s)) << citizen.text();

  // A one-time stream ticket (EventSource) issued by one instance opens a stream on
  // the other, once.
  auto issued =
      client_on(a_->port()).Post("/api/v1/stream/ticket", bearer(gw), "", "application/json");
  ASSERT_TRUE(issued && issued->status == 201);
  const std::string st = Json::parse(issued->body)["ticket"];
  {
    Sse by_ticket(b_->port(), "/api/v1/stream?ticket=" + st);
    EXPECT_TRUE(by_ticket.wait_for(": connected", 3s)) << by_ticket.text();
  }
  for (int port : {a_->port(), b_->port()}) {
    auto reused = client_on(port).Get(("/api/v1/stream?ticket=" + st).c_str());
    ASSERT_TRUE(reused);
    EXPECT_EQ(reused->status, 401) << port;
  }
  // Nor is a stream ticket a bearer token.
  auto as_bearer = client_on(a_->port()).Get("/api/v1/me", bearer(st));
  ASSERT_TRUE(as_bearer);
  EXPECT_EQ(as_bearer->status, 401);

  // Both see the same ticket, through the balancer as well.
  for (int port : {a_->port(), b_->port(), lb_->port()}) {
    auto t = client_on(port).Get(("/api/v1/tickets/" + number).c_str(), bearer(gw));
    ASSERT_TRUE(t && t->status == 200);
    EXPECT_EQ(Json::parse(t->body)["status"], "accepted") << port;
  }
  // A stale action on the other instance is refused, not applied twice.
  auto again = client_on(a_->port())
                   .Post(("/api/v1/tickets/" + number + "/actions").c_str(), bearer(gw),
                         Json{{"action", "accept"}}.dump(), "application/json");
  ASSERT_TRUE(again);
  EXPECT_GE(again->status, 400);
  EXPECT_LT(again->status, 500);
  EXPECT_EQ(again->body.find("SQL"), std::string::npos);

  // Odd input over PostgreSQL gets the API's JSON errors or plain answers, never
  // database text.
  auto c = client_on(lb_->port());
  for (const char* q : {"'%3B DROP TABLE tickets; --", "%25_%5C", "RC2026%25"}) {
    auto r = c.Get((std::string("/api/v1/tickets?q=") + q).c_str(), bearer(gw));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
  }
  auto bad = c.Post("/api/v1/tickets",
                    "{\"category\": \"env.noise\", \"description\": ", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("\"error\""), std::string::npos) << bad->body;
  auto none = c.Get("/api/v1/tickets/RC2026112599999999", bearer(gw));
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 404);
  for (const auto* r : {&bad, &none}) {
    EXPECT_EQ((*r)->body.find("postgres"), std::string::npos);
    EXPECT_EQ((*r)->body.find("relation"), std::string::npos);
  }
}

TEST_F(Cluster, AnInstanceKilledUnderWriteLoadLosesNoAcknowledgedTicket) {
  std::mutex mu;
  std::vector<Json> acknowledged;
  std::atomic<int> refused{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w)
    writers.emplace_back([&] {
      while (!stop) {
        Json r = submit(lb_->port());
        if (r.is_null()) {
          ++refused;
          continue;
        }
        std::lock_guard lock(mu);
        acknowledged.push_back(std::move(r));
      }
    });
  std::this_thread::sleep_for(1500ms);
  std::size_t before_kill = 0;
  {
    std::lock_guard lock(mu);
    before_kill = acknowledged.size();
  }
  a_->kill(SIGKILL);
  std::this_thread::sleep_for(2500ms);
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_GT(before_kill, 10u);
  ASSERT_GT(acknowledged.size(), before_kill + 10) << "writes went on through the survivor";
  // Every acknowledged ticket is there, with its own number.
  std::set<std::string> numbers;
  for (const auto& r : acknowledged) {
    EXPECT_TRUE(exists(b_->port(), r)) << r.dump();
    numbers.insert(r["number"].get<std::string>());
  }
  EXPECT_EQ(numbers.size(), acknowledged.size());
  std::printf("acknowledged %zu tickets (%zu before the kill), %d refused\n", acknowledged.size(),
              before_kill, refused.load());
  // And every chain verifies.
  EXPECT_EQ(run({server_bin(), "audit", "verify", "--db", db_->url()}, dir_.file("audit.log")), 0);
}

// [SECTION] Backup and restore while writes go on

namespace {

// Writes through `port` until stopped; remembers what was acknowledged.
class WriteLoad {
 public:
  explicit WriteLoad(int port) {
    for (int i = 0; i < 2; ++i)
      threads_.emplace_back([this, port] {
        while (!stop_) {
          Json r = submit(port);
          if (r.is_null()) continue;
          std::lock_guard lock(mu_);
          done_.push_back(std::move(r));
        }
      });
  }
  ~WriteLoad() { finish(); }
  void finish() {
    stop_ = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  std::vector<Json> acknowledged() {
    std::lock_guard lock(mu_);
    return done_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<Json> done_;
  std::vector<std::thread> threads_;
};

// Backs up `db` while a server writes to it, restores into `fresh`, serves the
// restored copy and checks it.
void backup_restore(const std::string& db, const std::string& fresh, const TempDir& dir,
                    const std::string& backup) {
  ASSERT_EQ(run({server_bin(), "seed", "--demo", "--db", db}, dir.file("seed.log")), 0);
  std::vector<Json> before;
  {
    Instance server(db, dir, "writer");
    WriteLoad load(server.port());
    std::this_thread::sleep_for(700ms);
    before = load.acknowledged();  // acknowledged before the backup began
    ASSERT_EQ(run({server_bin(), "backup", "--db", db, "--to", backup}, dir.file("backup.log")), 0);
    std::this_thread::sleep_for(300ms);
    load.finish();
    ASSERT_GT(before.size(), 5u);
    ASSERT_GT(load.acknowledged().size(), before.size()) << "writes went on during the backup";
  }
  std::ifstream log(dir.file("backup.log"));
  std::string progress((std::istreambuf_iterator<char>(log)), {});
  EXPECT_NE(progress.find("100%"), std::string::npos) << progress;
  ASSERT_EQ(
      run({server_bin(), "restore", "--from", backup, "--db", fresh}, dir.file("restore.log")), 0);
  EXPECT_EQ(run({server_bin(), "audit", "verify", "--db", fresh}, dir.file("audit.log")), 0);
  Instance restored(fresh, dir, "restored");
  for (const auto& r : before) EXPECT_TRUE(exists(restored.port(), r)) << r.dump();
  // The restored copy takes new tickets, numbered after the restored ones.
  Json next = submit(restored.port());
  ASSERT_FALSE(next.is_null());
}

}  // namespace

// Notifications (SPEC §12) with two instances over one database: every message is
// delivered by one of them, once, whichever instance committed it.
TEST(ClusterNotifications, TwoInstancesDeliverEachMessageOnce) {
  ASSERT_FALSE(pg_base_url().empty()) << "no PostgreSQL cluster: run under ctest (fixture "
                                         "pgcluster) or set PORTAL_TEST_PG";
  const std::string secret = "cluster-gateway-secret-42";
  std::mutex mu;
  std::map<std::string, int> times;  // message id → deliveries
  int bad_signatures = 0;
  httplib::Server gateway;
  gateway.Post("/sms", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    times[req.get_header_value("X-Portal-Delivery")]++;
    if (req.get_header_value("X-Portal-Signature") !=
        "sha256=" + portal::server::sign_body(secret, req.body))
      ++bad_signatures;
    res.status = 200;
  });
  const int gport = gateway.bind_to_any_port("127.0.0.1");
  std::thread gthread([&] { gateway.listen_after_bind(); });

  TempDir dir;
  Database db("notify");
  ASSERT_EQ(run({server_bin(), "seed", "--demo", "--db", db.url()}, dir.file("seed.log")), 0);
  const std::vector<std::string> args = {
      "--notify-webhook", "http://127.0.0.1:" + std::to_string(gport) + "/sms",
      "--notify-secret",  secret,
      "--notify-backoff", "1"};
  Instance a(db.url(), dir, "a", args), b(db.url(), dir, "b", args);
  // Tickets committed on both, at once: each writes a message to its submitter and
  // one to the grid worker.
  constexpr int kEach = 30;
  std::atomic<int> acknowledged{0};
  auto load = [&](int port) {
    for (int i = 0; i < kEach; ++i)
      if (!submit(port).is_null()) ++acknowledged;
  };
  std::thread ta(load, a.port()), tb(load, b.port());
  ta.join();
  tb.join();
  ASSERT_EQ(acknowledged.load(), 2 * kEach);
  const std::size_t want = 4 * kEach;
  for (int i = 0; i < 300; ++i) {
    {
      std::lock_guard lock(mu);
      if (times.size() >= want) break;
    }
    std::this_thread::sleep_for(100ms);
  }
  std::this_thread::sleep_for(2s);  // a second delivery of any would arrive by now
  gateway.stop();
  gthread.join();
  std::lock_guard lock(mu);
  EXPECT_EQ(times.size(), want);
  for (const auto& [id, n] : times) EXPECT_EQ(n, 1) << id << " delivered " << n << " times";
  EXPECT_EQ(bad_signatures, 0);
  // Each instance's log names the messages it delivered: none by both.
  auto delivered_by = [](const std::string& log) {
    std::set<std::string> ids;
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);) {
      auto j = Json::parse(line, nullptr, false);
      if (j.is_object() && j.value("msg", "") == "notification delivered") ids.insert(j["id"]);
    }
    return ids;
  };
  const auto by_a = delivered_by(a.log()), by_b = delivered_by(b.log());
  EXPECT_EQ(by_a.size() + by_b.size(), want);
  for (const auto& id : by_a) EXPECT_FALSE(by_b.count(id)) << id << " delivered by both";
  EXPECT_FALSE(by_a.empty());
  EXPECT_FALSE(by_b.empty());
}

TEST(Backup, SqliteWhileWritingThenRestore) {
  TempDir dir;
  backup_restore(dir.file("portal.db"), dir.file("restored.db"), dir, dir.file("backup.db"));
}

TEST(Backup, PostgresWhileWritingThenRestore) {
  ASSERT_FALSE(pg_base_url().empty()) << "no PostgreSQL cluster: run under ctest (fixture "
                                         "pgcluster) or set PORTAL_TEST_PG";
  TempDir dir;
  Database live("live"), fresh("fresh");
  backup_restore(live.url(), fresh.url(), dir, dir.file("backup.dump"));
}
