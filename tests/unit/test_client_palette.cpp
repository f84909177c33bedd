// Every pair of text colour and background the UI draws meets WCAG 2.1 AA (4.5:1), in
// both modes (长辈版 uses the same palette): client/ui/palette.hpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "ui/palette.hpp"

namespace portal::client::ui::theme {
namespace {

struct Rgb {
  double r, g, b;
};

// The colour as seen: its alpha blended over the background.
Rgb Over(std::uint32_t fg, std::uint32_t bg) {
  const auto ch = [](std::uint32_t c, int shift) {
    return static_cast<double>((c >> shift) & 255u);
  };
  const double a = ch(fg, 24) / 255.0;
  return {ch(fg, 0) * a + ch(bg, 0) * (1 - a), ch(fg, 8) * a + ch(bg, 8) * (1 - a),
          ch(fg, 16) * a + ch(bg, 16) * (1 - a)};
}

double Luminance(Rgb c) {
  const auto lin = [](double v) {
    v /= 255.0;
    return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

double Contrast(std::uint32_t fg, std::uint32_t bg) {
  const double a = Luminance(Over(fg, bg)), b = Luminance(Over(bg, bg));
  return (std::max(a, b) + 0.05) / (std::min(a, b) + 0.05);
}

TEST(ClientPalette, TextMeetsWcagAaOnEveryBackgroundItIsDrawnOn) {
  const struct {
    const char* what;
    std::uint32_t fg, bg;
  } pairs[] = {
      {"body text on a card", kText, kSurface},
      {"body text on the page", kText, kPage},
      {"secondary text on a card", kText2, kSurface},
      {"secondary text on the page", kText2, kPage},
      {"hints and notes on a card", kHint, kSurface},
      {"hints and notes on the page", kHint, kPage},
      {"links and ghost buttons on a card", kPrimary, kSurface},
      {"links on the page", kPrimary, kPage},
      {"the top bar's title", kWhite, kPrimary},
      {"the banner's promise", kOnPrimarySoft, kPrimary},
      {"an info chip", kPrimary, kPrimarySoft},
      {"a success chip", kSuccess, kSuccessSoft},
      {"a warning chip", kWarning, kWarningSoft},
      {"a danger chip, a field's error", kDanger, kDangerSoft},
      {"an error under a field", kDanger, kSurface},
      {"a neutral chip", kText2, kNeutralSoft},
      {"success text on a card", kSuccess, kSurface},
      {"warning text on a card", kWarning, kSurface},
  };
  for (const auto& p : pairs)
    EXPECT_GE(Contrast(p.fg, p.bg), 4.5) << p.what << ": " << Contrast(p.fg, p.bg);
}

TEST(ClientPalette, ContrastIsComputedAsWcagDefinesIt) {
  EXPECT_NEAR(Contrast(Rgba(0, 0, 0, 255), Rgba(255, 255, 255, 255)), 21.0, 1e-9);
  EXPECT_NEAR(Contrast(Rgba(119, 119, 119, 255), Rgba(255, 255, 255, 255)), 4.48, 0.01);
}

}  // namespace
}  // namespace portal::client::ui::theme
