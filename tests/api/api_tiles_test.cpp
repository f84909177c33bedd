// serve --tiles over real HTTP: the tile hosts join the Content-Security-Policy, the
// grid map carries the basemap, and a bad template stops the server at start.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <string>
#include <tuple>

#include "portal/core/json.hpp"
#include "tests/api/api_helpers.hpp"
#include "tests/api/server_process.hpp"

using portal::core::Json;
using namespace portal::test;

namespace {

LazyServer g;

TEST(Tiles, TheTileHostsJoinTheCspAndTheGridsCarryTheBasemap) {
  ServerProcess s({"--rate-limit-scale", "1000", "--tiles",
                   "https://{s}.tiles.example.org:8443/map/{z}/{x}/{y}{r}.png?key=abc",
                   "--tiles-attribution", "© 测试地图", "--tiles-subdomains", "t1,t2"});
  auto r = s.client().Get("/api/v1/grids");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const std::string csp = r->get_header_value("Content-Security-Policy");
  for (const char* directive : {"img-src 'self' data: blob: ", "connect-src 'self' "}) {
    const auto at = csp.find(directive);
    ASSERT_NE(at, std::string::npos) << csp;
    const std::string sources = csp.substr(at, csp.find(';', at) - at);
    EXPECT_NE(sources.find("https://t1.tiles.example.org:8443"), std::string::npos) << csp;
    EXPECT_NE(sources.find("https://t2.tiles.example.org:8443"), std::string::npos) << csp;
  }
  const auto fc = Json::parse(r->body);
  EXPECT_EQ(fc["type"], "FeatureCollection");
  EXPECT_EQ(fc["features"].size(), 1571u);
  ASSERT_TRUE(fc.contains("basemap")) << fc.dump().substr(0, 200);
  EXPECT_EQ(fc["basemap"]["template"],
            "https://{s}.tiles.example.org:8443/map/{z}/{x}/{y}{r}.png?key=abc");
  EXPECT_EQ(fc["basemap"]["attribution"], "© 测试地图");
  EXPECT_EQ(fc["basemap"]["retina"], true);
  EXPECT_EQ(fc["basemap"]["subdomains"], Json::array({"t1", "t2"}));
  // The page itself carries the same policy.
  EXPECT_EQ(s.client().Get("/api/v1/org")->get_header_value("Content-Security-Policy"), csp);

  // Without --tiles: no basemap, and the page loads images from itself only.
  auto plain = g->client().Get("/api/v1/grids");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(Json::parse(plain->body).contains("basemap"));
  EXPECT_NE(plain->get_header_value("Content-Security-Policy").find("img-src 'self' data: blob:;"),
            std::string::npos);
}

TEST(Tiles, ABadTemplateStopsTheServerNamingTheOption) {
  const std::string start =
      "timeout 10 " + g->bin() + " serve --port 0 --host 127.0.0.1 --db " + g->db() + " ";
  for (const char* bad :
       {"tiles.example/{z}/{x}/{y}.png", "ftp://tiles.example/{z}/{x}/{y}.png",
        "https://tiles.example/{z}/{x}.png", "https://tiles.example/{z}/{x}/{y}/{y}.png",
        "https://tiles.example/{z}/{x}/{y}{foo}.png", "https://{z}.tiles.example/{x}/{y}.png",
        "https://user:secret@tiles.example/{z}/{x}/{y}.png",
        "https://tiles.example:99999/{z}/{x}/{y}.png",
        "https://tiles.example/{z}/{x}/{y}.png?a=\"b\"", "https://tiles example/{z}/{x}/{y}.png",
        ""}) {
    const auto [said, status] = run_command(start + "--tiles '" + bad + "'");
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << bad << ": " << said;
    EXPECT_NE(said.find("--tiles "), std::string::npos) << bad << ": " << said;
  }
  auto [said, status] = run_command(start + "--tiles-attribution x");
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << said;
  EXPECT_NE(said.find("--tiles"), std::string::npos) << said;
  std::tie(said, status) = run_command(start + "--tiles 'https://t.example/{z}/{x}/{y}.png' " +
                                       "--tiles-subdomains a,b");
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << said;
  EXPECT_NE(said.find("--tiles-subdomains"), std::string::npos) << said;
  std::tie(said, status) = run_command(start + "--tiles 'https://t.example/{z}/{x}/{y}.png' " +
                                       "--tiles-attribution \"$(printf 'bad\\001')\"");
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << said;
  EXPECT_NE(said.find("--tiles-attribution"), std::string::npos) << said;
  const std::string help = run_command(g->bin() + " serve --help").first;
  EXPECT_NE(help.find("--tiles TEMPLATE"), std::string::npos) << help;
}

}  // namespace
