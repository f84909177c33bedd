// The basemap's tile cache (client/ui/tile_cache): tile URLs, which tiles load, loads in
// flight bounded and cancelled when no longer wanted, textures bounded and released least
// recently wanted first, failed tiles asked for again only later, a new basemap starting
// afresh. The loader is a fake that records what the cache asks of the browser.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ui/tile_cache.hpp"

namespace portal::client::ui {
namespace {

struct FakeLoader : TileLoader {
  struct Load {
    std::uint64_t request;
    std::string url;
  };
  std::vector<Load> loads;
  std::vector<std::uint64_t> cancels;
  std::vector<std::uint32_t> releases;

  void load(std::uint64_t request, std::string_view url) override {
    loads.push_back({request, std::string(url)});
  }
  void cancel(std::uint64_t request) override { cancels.push_back(request); }
  void release(std::uint32_t texture) override { releases.push_back(texture); }

  // The request of the last load of this URL (0: never loaded).
  std::uint64_t request_of(std::string_view url) const {
    for (auto it = loads.rbegin(); it != loads.rend(); ++it)
      if (it->url == url) return it->request;
    return 0;
  }
  std::size_t loads_of(std::string_view url) const {
    return static_cast<std::size_t>(
        std::count_if(loads.begin(), loads.end(), [&](const Load& l) { return l.url == url; }));
  }
  bool released(std::uint32_t texture) const {
    return std::find(releases.begin(), releases.end(), texture) != releases.end();
  }
  bool cancelled(std::uint64_t request) const {
    return std::find(cancels.begin(), cancels.end(), request) != cancels.end();
  }
};

Basemap spec(std::string t = "http://tiles.test/{z}/{x}/{y}{r}.png") {
  Basemap s;
  s.tile_template = std::move(t);
  s.attribution = "© Test";
  s.retina = s.tile_template.find("{r}") != std::string::npos;
  return s;
}

std::string url(TileKey k, bool hidpi = false) {
  return tile_url(spec(), k, hidpi);
}

// A distinct texture name for each tile, as the browser would hand out.
std::uint32_t texture_of(TileKey k) {
  return static_cast<std::uint32_t>(1000 + k.z * 100 + k.x * 10 + k.y);
}

// Answers every load in flight of these tiles with their textures.
void answer(TileCache& cache, const FakeLoader& loader, std::initializer_list<TileKey> keys) {
  for (TileKey k : keys) {
    const std::uint64_t r = loader.request_of(url(k));
    ASSERT_NE(r, 0u) << url(k) << " was never requested";
    cache.loaded(r, texture_of(k));
  }
}

TEST(ClientTiles, UrlFillsThePlaceholders) {
  Basemap s = spec("https://{s}.tiles.test/{z}/{x}/{y}{r}.png?key=1");
  s.subdomains = {"a", "b", "c"};
  const std::string plain = tile_url(s, {3, 5, 2}, false);
  EXPECT_EQ(plain.substr(plain.find(".tiles.test")), ".tiles.test/3/5/2.png?key=1");
  EXPECT_EQ(tile_url(s, {3, 5, 2}, true).substr(plain.find(".tiles.test")),
            ".tiles.test/3/5/2@2x.png?key=1");
  // {r} is "" when the screen is not dense or the template says nothing of retina.
  Basemap no_retina = s;
  no_retina.retina = false;
  EXPECT_EQ(tile_url(no_retina, {3, 5, 2}, true), plain);
  // No placeholder is left, and the template's other characters stay.
  EXPECT_EQ(plain.find('{'), std::string::npos);
  EXPECT_EQ(tile_url(spec("http://h.test/t?z={z}&x={x}&y={y}"), {12, 3391, 1660}, true),
            "http://h.test/t?z=12&x=3391&y=1660");
}

TEST(ClientTiles, SubdomainIsTheSameForATileEveryTimeAndSpreads) {
  Basemap s = spec("https://{s}.tiles.test/{z}/{x}/{y}.png");
  s.subdomains = {"a", "b", "c"};
  std::vector<std::string> seen;
  for (int x = 0; x < 6; ++x)
    for (int y = 0; y < 6; ++y) {
      const std::string u = tile_url(s, {5, x, y}, false);
      EXPECT_EQ(u, tile_url(s, {5, x, y}, true)) << "no {r}: dpr changes nothing";
      EXPECT_EQ(u, tile_url(s, {5, x, y}, false)) << "stable";
      const std::string sub = u.substr(8, u.find('.') - 8);
      EXPECT_TRUE(sub == "a" || sub == "b" || sub == "c") << u;
      if (std::find(seen.begin(), seen.end(), sub) == seen.end()) seen.push_back(sub);
    }
  EXPECT_EQ(seen.size(), 3u) << "every subdomain takes a share of the tiles";
}

TEST(ClientTiles, NothingLoadsWithoutABasemap) {
  FakeLoader loader;
  TileCache cache(&loader);
  EXPECT_FALSE(cache.active());
  EXPECT_EQ(cache.want({3, 1, 1}), 0u);
  cache.end_frame();
  EXPECT_TRUE(loader.loads.empty());
}

TEST(ClientTiles, OnlyWantedTilesLoadOnceEach) {
  FakeLoader loader;
  TileCache cache(&loader);
  cache.set_basemap(spec(), true);
  EXPECT_EQ(cache.want({4, 13, 6}), 0u);
  EXPECT_EQ(cache.want({4, 14, 6}), 0u);
  EXPECT_EQ(cache.want({4, 13, 6}), 0u) << "wanted twice in a frame: one load";
  EXPECT_EQ(cache.peek({4, 6, 3}), 0u) << "peek never loads";
  cache.end_frame();
  ASSERT_EQ(loader.loads.size(), 2u);
  EXPECT_EQ(loader.loads[0].url, "http://tiles.test/4/13/6@2x.png");
  EXPECT_EQ(loader.loads[1].url, "http://tiles.test/4/14/6@2x.png");
  EXPECT_NE(loader.loads[0].request, loader.loads[1].request);
  EXPECT_EQ(cache.stats().requested, 2u);
  EXPECT_EQ(cache.stats().loading, 2u);

  // Still wanted while loading: not asked again.
  cache.want({4, 13, 6});
  cache.want({4, 14, 6});
  cache.end_frame();
  EXPECT_EQ(loader.loads.size(), 2u);

  EXPECT_TRUE(cache.loaded(loader.loads[0].request, 501));
  EXPECT_EQ(cache.want({4, 13, 6}), 501u);
  EXPECT_EQ(cache.peek({4, 13, 6}), 501u);
  cache.want({4, 14, 6});
  cache.end_frame();
  EXPECT_EQ(loader.loads.size(), 2u);
  EXPECT_EQ(cache.stats().loaded, 1u);
  EXPECT_EQ(cache.stats().loading, 1u);
  EXPECT_EQ(cache.stats().resident, 1u);
  EXPECT_TRUE(loader.cancels.empty());
  EXPECT_TRUE(loader.releases.empty());
}

TEST(ClientTiles, TilesOutsideTheWorldAreNotRequested) {
  FakeLoader loader;
  TileCache cache(&loader);
  cache.set_basemap(spec(), false);
  cache.want({2, 4, 0});
  cache.want({2, 0, -1});
  cache.want({-1, 0, 0});
  cache.want({0, 0, 0});
  cache.end_frame();
  ASSERT_EQ(loader.loads.size(), 1u);
  EXPECT_EQ(loader.loads[0].url, "http://tiles.test/0/0/0.png");
}

TEST(ClientTiles, LoadsInFlightAreBoundedFirstWantedFirst) {
  FakeLoader loader;
  TileCache cache(&loader, 64, 2);
  cache.set_basemap(spec(), false);
  const TileKey k[5] = {{5, 1, 1}, {5, 2, 1}, {5, 3, 1}, {5, 4, 1}, {5, 5, 1}};
  for (TileKey t : k) cache.want(t);
  cache.end_frame();
  ASSERT_EQ(loader.loads.size(), 2u);
  EXPECT_EQ(loader.loads[0].url, url(k[0]));
  EXPECT_EQ(loader.loads[1].url, url(k[1]));
  EXPECT_EQ(cache.stats().loading, 2u);

  // The next frame asks again: still no room.
  for (TileKey t : k) cache.want(t);
  cache.end_frame();
  EXPECT_EQ(loader.loads.size(), 2u);

  // One answer makes room for one more, the first still waiting.
  answer(cache, loader, {k[0]});
  for (TileKey t : k) cache.want(t);
  cache.end_frame();
  ASSERT_EQ(loader.loads.size(), 3u);
  EXPECT_EQ(loader.loads[2].url, url(k[2]));
  EXPECT_LE(cache.stats().loading, 2u);

  // A failure makes room too.
  cache.failed(loader.request_of(url(k[1])));
  for (TileKey t : k) cache.want(t);
  cache.end_frame();
  ASSERT_EQ(loader.loads.size(), 4u);
  EXPECT_EQ(loader.loads[3].url, url(k[3]));
  EXPECT_EQ(cache.stats().loading, 2u);
}

TEST(ClientTiles, ATileNotWantedInAFrameIsCancelled) {
  FakeLoader loader;
  TileCache cache(&loader);
  cache.set_basemap(spec(), false);
  const TileKey a{6, 10, 20}, b{6, 11, 20};
  cache.want(a);
  cache.want(b);
  cache.end_frame();
  const std::uint64_t ra = loader.request_of(url(a)), rb = loader.request_of(url(b));

  cache.want(a);  // the map moved: b is off screen
  cache.end_frame();
  EXPECT_EQ(loader.cancels, std::vector<std::uint64_t>{rb});
  EXPECT_FALSE(loader.cancelled(ra));
  EXPECT_EQ(cache.stats().cancelled, 1u);
  EXPECT_EQ(cache.stats().loading, 1u);

  // Its answer, if the browser gave one anyway, frees the texture and draws nothing.
  EXPECT_FALSE(cache.loaded(rb, 77));
  EXPECT_TRUE(loader.released(77));
  EXPECT_EQ(cache.peek(b), 0u);
  EXPECT_EQ(cache.stats().loaded, 0u);
  EXPECT_EQ(cache.stats().loading, 1u);
  cache.failed(rb);  // ignored as well
  EXPECT_EQ(cache.stats().failed, 0u);

  // Wanted again later: a new load.
  cache.want(a);
  cache.want(b);
  cache.end_frame();
  EXPECT_EQ(loader.loads_of(url(b)), 2u);
  EXPECT_NE(loader.request_of(url(b)), rb);
  EXPECT_TRUE(cache.loaded(loader.request_of(url(b)), 78));
  EXPECT_EQ(cache.want(b), 78u);
}

TEST(ClientTiles, PeekDrawsALoadedParentButDoesNotKeepALoad) {
  FakeLoader loader;
  TileCache cache(&loader, 2);
  cache.set_basemap(spec(), false);
  const TileKey parent{3, 1, 1}, loading{3, 2, 1}, child{4, 2, 2};
  cache.want(parent);
  cache.want(loading);
  cache.end_frame();
  answer(cache, loader, {parent});

  // The map zoomed in: it wants the child and draws the parent meanwhile.
  for (int frame = 0; frame < 3; ++frame) {
    cache.want(child);
    EXPECT_EQ(cache.peek(parent), texture_of(parent));
    EXPECT_EQ(cache.peek(loading), 0u);
    cache.end_frame();
  }
  EXPECT_TRUE(loader.cancelled(loader.request_of(url(loading))))
      << "a tile only peeked at is not wanted";
  EXPECT_FALSE(loader.released(texture_of(parent)));

  // Loaded textures beyond the bound go least recently drawn first: the parent, drawn
  // each frame, stays.
  const TileKey other{4, 3, 2};
  answer(cache, loader, {child});
  cache.want(other);
  cache.peek(parent);
  cache.end_frame();
  answer(cache, loader, {other});
  cache.want(other);
  cache.peek(parent);
  cache.end_frame();
  EXPECT_TRUE(loader.released(texture_of(child)));
  EXPECT_FALSE(loader.released(texture_of(parent)));
  EXPECT_EQ(cache.stats().resident, 2u);
}

TEST(ClientTiles, TexturesBeyondTheBoundGoLeastRecentlyWantedFirst) {
  FakeLoader loader;
  TileCache cache(&loader, 3);
  cache.set_basemap(spec(), false);
  // Five tiles, each wanted (and loaded) in its own frame, t0 first.
  std::vector<TileKey> t;
  for (int i = 0; i < 5; ++i) t.push_back({7, 60 + i, 50});
  for (int i = 0; i < 5; ++i) {
    cache.want(t[static_cast<std::size_t>(i)]);
    cache.loaded(loader.request_of(url(t[static_cast<std::size_t>(i)])),
                 texture_of(t[static_cast<std::size_t>(i)]));
    // t0 is wanted again in the fourth frame: t1, then t2 are the least recently wanted.
    if (i == 3) cache.want(t[0]);
    cache.end_frame();
    EXPECT_LE(cache.stats().resident, 3u);
  }
  EXPECT_EQ(loader.releases, (std::vector<std::uint32_t>{texture_of(t[1]), texture_of(t[2])}));
  EXPECT_EQ(cache.stats().released, 2u);
  EXPECT_EQ(cache.stats().resident, 3u);
  EXPECT_EQ(cache.peek(t[1]), 0u);
  EXPECT_EQ(cache.peek(t[2]), 0u);
  EXPECT_EQ(cache.peek(t[0]), texture_of(t[0]));
  EXPECT_EQ(cache.peek(t[3]), texture_of(t[3]));
  EXPECT_EQ(cache.peek(t[4]), texture_of(t[4]));

  // A released tile wanted again loads again.
  cache.want(t[1]);
  cache.end_frame();
  EXPECT_EQ(loader.loads_of(url(t[1])), 2u);
}

TEST(ClientTiles, TilesWantedThisFrameAreKeptEvenBeyondTheBound) {
  // A screen that shows more tiles than the bound must not load and release them over
  // and over: the frame's tiles stay; older ones go once the screen shows fewer.
  FakeLoader loader;
  TileCache cache(&loader, 2, 8);
  cache.set_basemap(spec(), false);
  const TileKey a{2, 0, 0}, b{2, 1, 0}, c{2, 2, 0};
  for (TileKey k : {a, b, c}) cache.want(k);
  cache.end_frame();
  answer(cache, loader, {a, b, c});
  for (int frame = 0; frame < 3; ++frame) {
    for (TileKey k : {a, b, c}) EXPECT_NE(cache.want(k), 0u);
    cache.end_frame();
  }
  EXPECT_TRUE(loader.releases.empty());
  EXPECT_EQ(loader.loads.size(), 3u);
  EXPECT_EQ(cache.stats().resident, 3u);
  cache.want(a);
  cache.want(b);
  cache.end_frame();
  EXPECT_EQ(loader.releases, std::vector<std::uint32_t>{texture_of(c)});
  EXPECT_EQ(cache.stats().resident, 2u);
}

TEST(ClientTiles, AFailedTileIsAskedForAgainOnlyMuchLater) {
  FakeLoader loader;
  TileCache cache(&loader);
  cache.set_basemap(spec(), false);
  const TileKey k{9, 427, 200};
  cache.want(k);
  cache.end_frame();
  cache.failed(loader.request_of(url(k)));
  EXPECT_EQ(cache.stats().failed, 1u);
  EXPECT_EQ(cache.stats().loading, 0u);

  int frames = 0;
  while (loader.loads_of(url(k)) == 1 && frames < 10000) {
    EXPECT_EQ(cache.want(k), 0u);
    cache.end_frame();
    ++frames;
  }
  EXPECT_GE(frames, 100) << "not re-requested at once";
  EXPECT_LT(frames, 10000) << "asked for again in the end";
  EXPECT_EQ(loader.loads_of(url(k)), 2u);

  // The second answer draws.
  EXPECT_TRUE(cache.loaded(loader.request_of(url(k)), 900));
  EXPECT_EQ(cache.want(k), 900u);

  // A texture 0 is no texture: a failure.
  const TileKey j{9, 428, 200};
  cache.want(j);
  cache.end_frame();
  EXPECT_FALSE(cache.loaded(loader.request_of(url(j)), 0));
  EXPECT_EQ(cache.want(j), 0u);
  cache.end_frame();
  EXPECT_EQ(loader.loads_of(url(j)), 1u);
}

TEST(ClientTiles, ANewBasemapReleasesEverything) {
  FakeLoader loader;
  TileCache cache(&loader);
  cache.set_basemap(spec(), false);
  const TileKey a{1, 0, 0}, b{1, 1, 0};
  cache.want(a);
  cache.want(b);
  cache.end_frame();
  answer(cache, loader, {a});
  const std::uint64_t rb = loader.request_of(url(b));

  // The same basemap again changes nothing.
  cache.set_basemap(spec(), false);
  EXPECT_TRUE(loader.releases.empty());
  EXPECT_TRUE(loader.cancels.empty());

  // A denser screen: the @2x tiles.
  cache.set_basemap(spec(), true);
  EXPECT_EQ(loader.releases, std::vector<std::uint32_t>{texture_of(a)});
  EXPECT_EQ(loader.cancels, std::vector<std::uint64_t>{rb});
  EXPECT_EQ(cache.stats().resident, 0u);
  EXPECT_EQ(cache.stats().loading, 0u);
  EXPECT_EQ(cache.peek(a), 0u);
  EXPECT_FALSE(cache.loaded(rb, 55)) << "an answer for the old basemap";
  EXPECT_TRUE(loader.released(55));
  cache.want(a);
  cache.end_frame();
  EXPECT_EQ(loader.loads.back().url, url(a, true));

  // No basemap: nothing kept, nothing loads.
  cache.loaded(loader.loads.back().request, 56);
  cache.set_basemap(Basemap{}, true);
  EXPECT_TRUE(loader.released(56));
  EXPECT_FALSE(cache.active());
  const std::size_t loads = loader.loads.size();
  EXPECT_EQ(cache.want(a), 0u);
  cache.end_frame();
  EXPECT_EQ(loader.loads.size(), loads);
}

TEST(ClientTiles, TheCacheReleasesItsTexturesWhenItGoes) {
  FakeLoader loader;
  {
    TileCache cache(&loader);
    cache.set_basemap(spec(), false);
    cache.want({0, 0, 0});
    cache.end_frame();
    cache.loaded(loader.loads[0].request, 5);
  }
  EXPECT_EQ(loader.releases, std::vector<std::uint32_t>{5});
}

}  // namespace
}  // namespace portal::client::ui
