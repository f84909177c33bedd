#include "ui/theme.hpp"

namespace portal::client::ui::theme {

void apply_style(ImGuiStyle& s) {
  ImGui::StyleColorsLight(&s);
  s.WindowPadding = ImVec2(kPad, kPad);
  s.WindowRounding = 0;
  s.WindowBorderSize = 0;
  s.ChildRounding = 0;
  s.ChildBorderSize = 0;
  s.FramePadding = ImVec2(12, (kFieldHeight - kBodyFont) * 0.5f);
  s.FrameRounding = kFieldRadius;
  s.FrameBorderSize = 1;
  s.ItemSpacing = ImVec2(kGap, kGap);
  s.ItemInnerSpacing = ImVec2(8, 6);
  s.ScrollbarSize = 6;
  s.ScrollbarRounding = 3;
  s.GrabRounding = 3;
  s.TouchExtraPadding = ImVec2(0, 0);
  s.AntiAliasedLinesUseTex = false;  // the glyph texture has no baked lines

  auto c = [](ImU32 v) { return ImGui::ColorConvertU32ToFloat4(v); };
  ImVec4* col = s.Colors;
  col[ImGuiCol_WindowBg] = c(kPage);
  col[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
  col[ImGuiCol_Text] = c(kText);
  col[ImGuiCol_TextDisabled] = c(kHint);
  col[ImGuiCol_FrameBg] = c(kSurface);
  col[ImGuiCol_FrameBgHovered] = c(kSurface);
  col[ImGuiCol_FrameBgActive] = c(kSurface);
  col[ImGuiCol_Border] = c(kBorder);
  col[ImGuiCol_TextSelectedBg] = ImVec4(0.09f, 0.36f, 0.80f, 0.25f);
  col[ImGuiCol_ScrollbarBg] = ImVec4(0, 0, 0, 0);
  col[ImGuiCol_ScrollbarGrab] = ImVec4(0, 0, 0, 0.18f);
  col[ImGuiCol_ScrollbarGrabHovered] = ImVec4(0, 0, 0, 0.28f);
  col[ImGuiCol_ScrollbarGrabActive] = ImVec4(0, 0, 0, 0.36f);
  col[ImGuiCol_NavHighlight] = c(kPrimary);
}

}  // namespace portal::client::ui::theme
