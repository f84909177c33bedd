// The portal's look: colours, sizes and the Dear ImGui style. Mobile first: sizes
// are CSS pixels sized for touch (44 px and more for anything tappable).
#pragma once

#include "imgui.h"
#include "ui/palette.hpp"

namespace portal::client::ui::theme {

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
// The handler's desk: from this CSS width the queue and the ticket side by side, the UI
// drawn larger (16 px body text becomes 18, the small print 15; 20 and 17 from
// kDeskWideWidth).
inline constexpr float kDeskMinWidth = 1000.0f;
inline constexpr float kDeskWideWidth = 1600.0f;
inline constexpr float kDeskScale = 1.125f;
inline constexpr float kDeskScaleWide = 1.25f;

void apply_style(ImGuiStyle& style);

}  // namespace portal::client::ui::theme
