// The glyph set the font atlas is built from, and the catalogue observer the UI host uses
// to find which characters the first frame shows (client/app, no browser).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "app/glyphs.hpp"
#include "app/i18n.hpp"

namespace portal::client {
namespace {

TEST(GlyphSet, StartsWithAsciiAndGrowsByTextOrCodePoint) {
  GlyphSet set;
  EXPECT_TRUE(set.contains(U'A'));
  EXPECT_FALSE(set.contains(U'任'));
  const auto v0 = set.version();
  EXPECT_FALSE(set.require("plain ASCII"));
  EXPECT_EQ(set.version(), v0);
  EXPECT_TRUE(set.require("任城"));
  EXPECT_TRUE(set.contains(U'任'));
  EXPECT_TRUE(set.contains(U'城'));
  const auto v1 = set.version();
  EXPECT_GT(v1, v0);
  EXPECT_TRUE(set.require(U'办'));
  EXPECT_FALSE(set.require(U'办'));
  EXPECT_FALSE(set.require(char32_t{0x1F600}));  // outside the atlas' plane
  EXPECT_GT(set.version(), v1);
  const auto& cps = set.code_points();
  EXPECT_TRUE(std::is_sorted(cps.begin(), cps.end()));
}

TEST(Catalogue, ObserverSeesEveryStringTrHandsOut) {
  std::string seen;
  set_tr_observer(
      [](void* out, std::string_view text) { static_cast<std::string*>(out)->append(text); },
      &seen);
  const std::string_view zh = tr(Lang::zh, T::app_name);
  const std::string_view en = tr(Lang::en, T::back);
  set_tr_observer(nullptr, nullptr);
  EXPECT_EQ(seen, std::string(zh) + std::string(en));
  (void)tr(Lang::zh, T::retry);  // no observer: nothing more
  EXPECT_EQ(seen, std::string(zh) + std::string(en));
}

}  // namespace
}  // namespace portal::client
