// The portal's look: colours, sizes and the Dear ImGui style. Mobile first: sizes
// are CSS pixels sized for touch (44 px and more for anything tappable).
#pragma once

#include "imgui.h"

namespace portal::client::ui::theme {

// [SECTION] Colours (IM_COL32 is r, g, b, a)
inline constexpr ImU32 kPage = IM_COL32(242, 244, 247, 255);
inline constexpr ImU32 kSurface = IM_COL32(255, 255, 255, 255);
inline constexpr ImU32 kPrimary = IM_COL32(22, 93, 205, 255);
inline constexpr ImU32 kPrimaryHover = IM_COL32(32, 106, 222, 255);
inline constexpr ImU32 kPrimaryPressed = IM_COL32(17, 74, 166, 255);
inline constexpr ImU32 kPrimarySoft = IM_COL32(232, 240, 254, 255);
inline constexpr ImU32 kPrimaryDisabled = IM_COL32(160, 186, 228, 255);
inline constexpr ImU32 kText = IM_COL32(31, 35, 41, 255);
inline constexpr ImU32 kText2 = IM_COL32(90, 96, 106, 255);
inline constexpr ImU32 kHint = IM_COL32(143, 149, 158, 255);
inline constexpr ImU32 kBorder = IM_COL32(217, 220, 225, 255);
inline constexpr ImU32 kDivider = IM_COL32(234, 236, 240, 255);
inline constexpr ImU32 kPressed = IM_COL32(236, 239, 244, 255);
inline constexpr ImU32 kDanger = IM_COL32(207, 45, 39, 255);
inline constexpr ImU32 kDangerSoft = IM_COL32(253, 236, 235, 255);
inline constexpr ImU32 kSuccess = IM_COL32(35, 150, 72, 255);
inline constexpr ImU32 kSuccessSoft = IM_COL32(230, 245, 234, 255);
inline constexpr ImU32 kWarning = IM_COL32(214, 110, 14, 255);
inline constexpr ImU32 kWarningSoft = IM_COL32(255, 243, 230, 255);
inline constexpr ImU32 kNeutralSoft = IM_COL32(238, 240, 243, 255);
inline constexpr ImU32 kWhite = IM_COL32(255, 255, 255, 255);
inline constexpr ImU32 kOnPrimarySoft = IM_COL32(255, 255, 255, 210);

// [SECTION] Sizes (CSS px)
inline constexpr float kBodyFont = 16.0f;
inline constexpr float kSmallFont = 13.5f;
inline constexpr float kTitleFont = 18.0f;
inline constexpr float kDisplayFont = 26.0f;
// 长辈版 (MIIT 2021 适老化): the whole UI drawn 1.25x (a 48 px target becomes 60 CSS px,
// 16 px body text 20 px) with larger small print and headings (24 x 1.25 = 30 px).
inline constexpr float kElderlyScale = 1.25f;
inline constexpr float kFaces[4] = {kBodyFont, kSmallFont, kTitleFont, kDisplayFont};
inline constexpr float kElderlyFaces[4] = {16.0f, 15.0f, 24.0f, 28.0f};
inline constexpr float kTopBar = 52.0f;
inline constexpr float kCompactBar = 44.0f;  // embedded: the host app has its own bar
inline constexpr float kPad = 16.0f;
inline constexpr float kGap = 12.0f;
inline constexpr float kRadius = 12.0f;
inline constexpr float kFieldRadius = 8.0f;
// Every target is at least kTargetHeight tall: 48 px, 60 px in 长辈版.
inline constexpr float kTargetHeight = 48.0f;
inline constexpr float kFieldHeight = kTargetHeight;
inline constexpr float kButtonHeight = kTargetHeight;
inline constexpr float kRowHeight = 52.0f;
inline constexpr float kMaxColumn = 600.0f;  // the column on wide screens

void apply_style(ImGuiStyle& style);

}  // namespace portal::client::ui::theme
