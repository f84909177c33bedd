// serve --tiles: the template and its companions are checked at start-up; what the
// page's CSP and the grid map are told.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "server/service/basemap.hpp"
#include "tests/common/text.hpp"

using namespace portal::server;

namespace {

using portal::test::repeat;

TEST(Basemap, GoodTemplatesAndWhatTheyAllow) {
  auto b =
      parse_basemap("https://{s}.tile.example.org/{z}/{x}/{y}{r}.png", std::nullopt, std::nullopt);
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_TRUE(b->retina);
  EXPECT_EQ(b->subdomains, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(b->origins,
            (std::vector<std::string>{"https://a.tile.example.org", "https://b.tile.example.org",
                                      "https://c.tile.example.org"}));
  EXPECT_EQ(b->attribution, "Map tiles: tile.example.org");
  EXPECT_EQ(basemap_csp_sources(*b),
            " https://a.tile.example.org https://b.tile.example.org https://c.tile.example.org");
  EXPECT_EQ(basemap_csp_sources(std::nullopt), "");
  const auto j = b->to_json();
  EXPECT_EQ(j["template"], "https://{s}.tile.example.org/{z}/{x}/{y}{r}.png");
  EXPECT_EQ(j["retina"], true);

  auto plain = parse_basemap("HTTP://Tiles.Example:8080/t/{z}/{y}/{x}.png?key=k_1&v=2",
                             std::string_view("© 地图"), std::nullopt);
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_FALSE(plain->retina);
  EXPECT_TRUE(plain->subdomains.empty());
  EXPECT_EQ(plain->origins, (std::vector<std::string>{"http://tiles.example:8080"}));
  EXPECT_EQ(plain->tile_template, "http://tiles.example:8080/t/{z}/{y}/{x}.png?key=k_1&v=2");
  EXPECT_EQ(plain->attribution, "© 地图");
  EXPECT_FALSE(plain->to_json().contains("subdomains"));

  auto subs = parse_basemap("https://tile{s}.example/{z}/{x}/{y}.png", std::nullopt,
                            std::string_view("1,2"));
  ASSERT_TRUE(subs.ok()) << subs.error().message;
  EXPECT_EQ(subs->origins,
            (std::vector<std::string>{"https://tile1.example", "https://tile2.example"}));
}

TEST(Basemap, BadOptionsAreRefusedNamingTheOption) {
  for (const char* bad : {"",
                          "tiles.example/{z}/{x}/{y}",
                          "ftp://t.example/{z}/{x}/{y}",
                          "https://t.example",
                          "https://t.example/{z}/{x}.png",
                          "https://t.example/{z}/{z}/{x}/{y}",
                          "https://t.example/{z}/{x}/{y}{q}",
                          "https://t.example/{z}/{x}/{y}{r}{r}",
                          "https://{z}.t.example/{x}/{y}",
                          "https://u:p@t.example/{z}/{x}/{y}",
                          "https://t.example:0/{z}/{x}/{y}",
                          "https://t.example:70000/{z}/{x}/{y}",
                          "https://t..example/{z}/{x}/{y}",
                          "https://t.example/{z}/{x}/{y} x",
                          "https://t.example/{z}/{x}/{y}'",
                          "https://t.example/{z}/{x}/{y}#f",
                          "https://t.example/{z}/{x}/{y}\r\n",
                          "https://t.example/{z/{x}/{y}",
                          "https://t.example/z}/{x}/{y}",
                          "https://[::1]/{z}/{x}/{y}"}) {
    auto b = parse_basemap(bad, std::nullopt, std::nullopt);
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_EQ(b.error().field, "--tiles") << bad;
    EXPECT_EQ(b.error().message.rfind("--tiles ", 0), 0u) << b.error().message;
  }
  const std::string good = "https://{s}.t.example/{z}/{x}/{y}.png";
  for (const char* bad : {"", "a,,b", "a b", "a;b", "x,y,z,1,2,3,4,5,6,7,8"}) {
    auto b = parse_basemap(good, std::nullopt, std::string_view(bad));
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_EQ(b.error().field, "--tiles-subdomains") << bad;
  }
  EXPECT_EQ(parse_basemap("https://t.example/{z}/{x}/{y}", std::nullopt, std::string_view("a"))
                .error()
                .field,
            "--tiles-subdomains");  // no {s} to take them
  for (const std::string& bad :
       {std::string(), std::string("a\x01"), repeat("图", 201), std::string("\xFF")}) {
    auto b = parse_basemap(good, std::string_view(bad), std::nullopt);
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_EQ(b.error().field, "--tiles-attribution");
  }
}

}  // namespace
