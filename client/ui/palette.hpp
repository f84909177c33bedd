// The portal's colours, as Dear ImGui packs them (IM_COL32: r, g, b, a from the low byte).
// No ImGui here, so that a unit test can hold every pair of text and background to WCAG
// 2.1 AA (4.5:1; tests/unit/test_client_palette.cpp).
#pragma once

#include <cstdint>

namespace portal::client::ui::theme {

constexpr std::uint32_t Rgba(std::uint32_t r, std::uint32_t g, std::uint32_t b, std::uint32_t a) {
  return (a << 24) | (b << 16) | (g << 8) | r;
}

inline constexpr std::uint32_t kPage = Rgba(242, 244, 247, 255);
inline constexpr std::uint32_t kSurface = Rgba(255, 255, 255, 255);
inline constexpr std::uint32_t kPrimary = Rgba(22, 93, 205, 255);
inline constexpr std::uint32_t kPrimaryHover = Rgba(32, 106, 222, 255);
inline constexpr std::uint32_t kPrimaryPressed = Rgba(17, 74, 166, 255);
inline constexpr std::uint32_t kPrimarySoft = Rgba(232, 240, 254, 255);
inline constexpr std::uint32_t kPrimaryDisabled = Rgba(160, 186, 228, 255);
inline constexpr std::uint32_t kText = Rgba(31, 35, 41, 255);
inline constexpr std::uint32_t kText2 = Rgba(90, 96, 106, 255);
inline constexpr std::uint32_t kHint = Rgba(105, 110, 116, 255);
inline constexpr std::uint32_t kBorder = Rgba(217, 220, 225, 255);
inline constexpr std::uint32_t kDivider = Rgba(234, 236, 240, 255);
inline constexpr std::uint32_t kPressed = Rgba(236, 239, 244, 255);
inline constexpr std::uint32_t kDanger = Rgba(207, 45, 39, 255);
inline constexpr std::uint32_t kDangerSoft = Rgba(253, 236, 235, 255);
inline constexpr std::uint32_t kSuccess = Rgba(29, 124, 59, 255);
inline constexpr std::uint32_t kSuccessSoft = Rgba(230, 245, 234, 255);
inline constexpr std::uint32_t kWarning = Rgba(171, 87, 11, 255);
inline constexpr std::uint32_t kWarningSoft = Rgba(255, 243, 230, 255);
inline constexpr std::uint32_t kNeutralSoft = Rgba(238, 240, 243, 255);
inline constexpr std::uint32_t kWhite = Rgba(255, 255, 255, 255);
inline constexpr std::uint32_t kOnPrimarySoft = Rgba(255, 255, 255, 220);

}  // namespace portal::client::ui::theme
