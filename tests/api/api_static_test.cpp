// Static files: the precompressed copies the build writes (name.gz, name.br) are sent
// as they are with Content-Encoding when the client accepts them, each with its own
// ETag, and the plain file otherwise.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/api/raw_socket.hpp"
#include "tests/api/server_process.hpp"

namespace {

portal::test::LazyServer g;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes app.js (and its gzip copy, made by gzip itself) into the document root once.
portal::test::ServerProcess& server() {
  static bool written = [] {
    const auto dir = g->www();
    std::string js = "// portal\n";
    for (int i = 0; i < 2000; ++i) js += "console.log('任诚办 " + std::to_string(i) + "');\n";
    std::ofstream(dir / "app.js", std::ios::binary) << js;
    std::ofstream(dir / "plain.js", std::ios::binary) << "let x = 1;\n";
    const std::string cmd = "gzip -9 -n -k -f '" + (dir / "app.js").string() + "'";
    return std::system(cmd.c_str()) == 0;
  }();
  EXPECT_TRUE(written);
  return *g;
}

// The bytes as sent: this client would otherwise decode a compressed body itself.
httplib::Result get(const std::string& path, httplib::Headers h = {}) {
  auto c = server().client();
  c.set_decompress(false);
  return c.Get(path.c_str(), h);
}

}  // namespace

TEST(Static, GzipWhenAccepted) {
  auto r = get("/app.js", {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(r->get_header_value("Vary"), "Accept-Encoding");
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  const std::string gz = slurp(g->www() / "app.js.gz");
  EXPECT_TRUE(r->body == gz);  // the build's copy, byte for byte
  EXPECT_LT(r->body.size(), slurp(g->www() / "app.js").size() / 4);
}

TEST(Static, PlainWithoutAcceptEncodingOrWhenRefused) {
  const std::string plain = slurp(server().www() / "app.js");
  for (const char* accept : {"", "identity", "gzip;q=0", "br", "deflate", "*;q=0"}) {
    httplib::Headers h;
    if (*accept) h.emplace("Accept-Encoding", accept);
    auto r = get("/app.js", h);
    ASSERT_TRUE(r) << accept;
    EXPECT_EQ(r->status, 200) << accept;
    EXPECT_FALSE(r->has_header("Content-Encoding")) << accept;
    EXPECT_EQ(r->get_header_value("Vary"), "Accept-Encoding") << accept;
    EXPECT_TRUE(r->body == plain) << accept;
  }
  // "*" and a q-value accept it.
  for (const char* accept : {"*", "gzip;q=0.5", "GZIP"}) {
    auto r = get("/app.js", {{"Accept-Encoding", accept}});
    ASSERT_TRUE(r) << accept;
    EXPECT_EQ(r->get_header_value("Content-Encoding"), "gzip") << accept;
  }
}

TEST(Static, EachEncodingHasItsOwnETag) {
  auto plain = get("/app.js");
  auto gz = get("/app.js", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(plain && gz);
  const std::string plain_tag = plain->get_header_value("ETag");
  const std::string gz_tag = gz->get_header_value("ETag");
  ASSERT_FALSE(plain_tag.empty());
  ASSERT_FALSE(gz_tag.empty());
  EXPECT_NE(plain_tag, gz_tag);
  // A cached gzip copy is still good for a gzip client...
  auto same = get("/app.js", {{"Accept-Encoding", "gzip"}, {"If-None-Match", gz_tag}});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 304);
  // ...but not for one that takes only the plain file, and the other way round.
  auto other = get("/app.js", {{"If-None-Match", gz_tag}});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  EXPECT_TRUE(other->body == slurp(g->www() / "app.js"));
  auto back = get("/app.js", {{"Accept-Encoding", "gzip"}, {"If-None-Match", plain_tag}});
  ASSERT_TRUE(back);
  EXPECT_EQ(back->status, 200);
  EXPECT_EQ(back->get_header_value("Content-Encoding"), "gzip");
}

TEST(Static, FilesWithoutACopyAndTheCopiesThemselves) {
  auto r = get("/plain.js", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(r->has_header("Content-Encoding"));
  EXPECT_EQ(r->body, "let x = 1;\n");
  // The .gz file is not a document of its own.
  auto gz = get("/app.js.gz");
  ASSERT_TRUE(gz);
  EXPECT_EQ(gz->status, 404);
}

// Every spelling of a path ("//", "/./") is the same file, cached once: memory stays flat
// whatever paths arrive.
TEST(Static, PathSpellingsShareOneCachedCopy) {
  const auto dir = server().www();
  std::string big(4 << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i * 7919 % 26);
  std::ofstream(dir / "big.js", std::ios::binary) << big;
  auto first = get("/big.js");
  ASSERT_TRUE(first && first->status == 200);
  const std::string etag = first->get_header_value("ETag");
  const long before = portal::test::rss_kib(g->pid());
  for (int i = 0; i < 300; ++i) {
    std::string path = "/";
    for (int k = 0; k <= i % 7; ++k) path += (i + k) % 2 ? "./" : "/";
    for (int k = 0; k < i / 7; ++k) path += "./";
    path += "big.js";
    auto r = get(path);
    ASSERT_TRUE(r) << path;
    ASSERT_EQ(r->status, 200) << path;
    EXPECT_EQ(r->get_header_value("ETag"), etag) << path;
  }
  // 300 copies would be 1.2 GB; one is 4 MB.
  EXPECT_LT(portal::test::rss_kib(g->pid()) - before, 40 * 1024);
  // Every path is matched against the routes' regular expressions, whose matcher
  // recurses a level a character on a worker's stack: long paths are refused first.
  auto long_path = get("/" + std::string(300, 'a'));
  ASSERT_TRUE(long_path);
  EXPECT_EQ(long_path->status, 414);
  EXPECT_NE(long_path->body.find("\"uri_too_long\""), std::string::npos);
  for (const char* bad : {"/../big.js", "/a/../big.js", "/big.js/..", "/%2e%2e/big.js"}) {
    auto r = get(bad);
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->status, 404) << bad;
  }
}

// The portal's own addresses (API.md "Client routes") are the portal page, with the
// headers of any page; every other path that is no file is 404.
TEST(Static, ClientRoutesAreThePortalPage) {
  const auto dir = server().www();
  const std::string page =
      "<!doctype html><title>任诚办</title><script src=\"/portal.js\"></script>";
  std::ofstream(dir / "index.html", std::ios::binary) << page;
  auto home = get("/");
  ASSERT_TRUE(home && home->status == 200);
  const std::string etag = home->get_header_value("ETag");
  for (const char* path :
       {"/submit", "/track", "/t/RC2026112500000042", "/t/rc2026112500000042", "/me", "/board",
        "/services", "/work", "/work/t/RC2026112500000042", "/cockpit", "/track?x=1"}) {
    auto r = get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_EQ(r->body, page) << path;
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8") << path;
    EXPECT_EQ(r->get_header_value("ETag"), etag) << path;
    EXPECT_EQ(r->get_header_value("Cache-Control"), "no-cache") << path;
    EXPECT_TRUE(r->has_header("Content-Security-Policy")) << path;
    EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(r->get_header_value("Referrer-Policy"), "no-referrer") << path;
    auto cached = get(path, {{"If-None-Match", etag}});
    ASSERT_TRUE(cached) << path;
    EXPECT_EQ(cached->status, 304) << path;
  }
  for (const char* path : {"/nowhere", "/submit/", "/t", "/t/", "/t/RC123", "/t/../index.html",
                           "/t/RC2026112500000042/x", "/work/t", "/work/x", "/me/", "/Track",
                           "/t/RC2026112500000042.html", "/cockpit/../index.html"}) {
    auto r = get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_NE(r->body.find("\"not_found\""), std::string::npos) << path;
    EXPECT_EQ(r->get_header_value("Content-Type").rfind("application/json", 0), 0u) << path;
  }
  // The page's own files are still themselves, and the API answers JSON as ever.
  auto js = get("/plain.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->body, "let x = 1;\n");
  auto api = get("/api/v1/t/RC2026112500000042");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 404);
  EXPECT_NE(api->body.find("\"not_found\""), std::string::npos);
}

// A versioned address ("/NAME?v=HASH", written into the pages by
// scripts/shell_version.py) names one content: the first 16 hex digits of the file's
// digest, which is its ETag. That content is kept by browsers for a year; any other
// version is not found, so that a page of an older release never gets a newer file.
TEST(Static, VersionedAddressesNameOneContent) {
  auto plain = get("/app.js");
  ASSERT_TRUE(plain && plain->status == 200);
  EXPECT_EQ(plain->get_header_value("Cache-Control"), "no-cache");
  const std::string etag = plain->get_header_value("ETag");
  ASSERT_EQ(etag.size(), 34u);
  const std::string v = etag.substr(1, 16);

  auto r = get("/app.js?v=" + v);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, plain->body);
  EXPECT_EQ(r->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(r->get_header_value("ETag"), etag);
  // The version names the file, whatever encoding carries it.
  auto gz = get("/app.js?v=" + v, {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(gz);
  EXPECT_EQ(gz->status, 200);
  EXPECT_EQ(gz->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(gz->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");

  for (const std::string& other :
       {std::string("0123456789abcdef"), std::string(), etag.substr(1, 32), v.substr(0, 15)}) {
    auto stale = get("/app.js?v=" + other);
    ASSERT_TRUE(stale) << other;
    EXPECT_EQ(stale->status, 404) << other;
    EXPECT_NE(stale->body.find("\"not_found\""), std::string::npos) << other;
    EXPECT_EQ(stale->get_header_value("Cache-Control"), "") << other;
  }
  // The portal's own addresses are the page, whatever their query.
  if (!std::filesystem::exists(server().www() / "index.html"))
    std::ofstream(server().www() / "index.html", std::ios::binary) << "<!doctype html>";
  auto page = get("/submit?v=0123456789abcdef");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Cache-Control"), "no-cache");
  // The service worker is the portal's own script.
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("worker-src 'self';"),
            std::string::npos);
}
