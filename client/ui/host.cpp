#include "ui/host.hpp"

#include <GLES3/gl3.h>

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <deque>

#include "imgui.h"
#include "imgui_impl_opengl3.h"
#include "imgui_internal.h"
#include "ui/context.hpp"
#include "ui/glyph_cache.hpp"
#include "ui/screens.hpp"
#include "ui/theme.hpp"

namespace portal::client::ui {

namespace {

// Dear ImGui 1.86 reads keys through io.KeyMap; we index KeysDown by ImGuiKey itself.
int KeyIndex(const std::string& key) {
  if (key == "Tab") return ImGuiKey_Tab;
  if (key == "ArrowLeft") return ImGuiKey_LeftArrow;
  if (key == "ArrowRight") return ImGuiKey_RightArrow;
  if (key == "ArrowUp") return ImGuiKey_UpArrow;
  if (key == "ArrowDown") return ImGuiKey_DownArrow;
  if (key == "PageUp") return ImGuiKey_PageUp;
  if (key == "PageDown") return ImGuiKey_PageDown;
  if (key == "Home") return ImGuiKey_Home;
  if (key == "End") return ImGuiKey_End;
  if (key == "Insert") return ImGuiKey_Insert;
  if (key == "Delete") return ImGuiKey_Delete;
  if (key == "Backspace") return ImGuiKey_Backspace;
  if (key == "Enter") return ImGuiKey_Enter;
  if (key == "Escape") return ImGuiKey_Escape;
  if (key.size() == 1) {
    switch (key[0] | 0x20) {  // shortcuts arrive as letters, any case
      case 'a':
        return ImGuiKey_A;
      case 'c':
        return ImGuiKey_C;
      case 'v':
        return ImGuiKey_V;
      case 'x':
        return ImGuiKey_X;
      case 'y':
        return ImGuiKey_Y;
      case 'z':
        return ImGuiKey_Z;
      default:
        break;
    }
  }
  return -1;
}

const char* CssCursor(ImGuiMouseCursor c) {
  switch (c) {
    case ImGuiMouseCursor_TextInput:
      return "text";
    case ImGuiMouseCursor_Hand:
      return "pointer";
    case ImGuiMouseCursor_None:
      return "none";
    default:
      return "default";
  }
}

std::string Utf8FromWide(const ImWchar* b, const ImWchar* e) {
  std::string out;
  out.resize(static_cast<std::size_t>(e - b) * 4 + 1);
  const int n = ImTextStrToUtf8(out.data(), static_cast<int>(out.size()), b, e);
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace

struct Host::Impl {
  Ctx ctx;
  GlyphCache glyphs;
  Semantics semantics;
  std::string pending_activate;  // a mirror node activated while its widget was out of view
  bool clear_active = false;     // focus left the field being edited for another widget
  std::deque<InputEvent> queue;
  std::vector<int> pressed_keys;  // released on the next frame: the browser repeats keys itself
  float css_w = 360, css_h = 640, dpr = 1;
  // The UI is laid out at css / scale and drawn at dpr x scale: 长辈版 enlarges it by
  // kElderlyScale, a pinch outside the map zooms it (page_zoom, in steps of a quarter).
  float scale = 1, page_zoom = 1, pinch_zoom = 1;
  int fb_w = 360, fb_h = 640;
  bool viewport_changed = false;
  double last_ms = -1;
  std::string clipboard_out, clipboard_last;
  bool clipboard_set = false;

  // Starts a frame of the UI: Dear ImGui's and the draw context's.
  void begin_ui(double now_ms, const FontSet& ui_fonts) {
    ctx.fonts = ui_fonts;
    ctx.display = ImGui::GetIO().DisplaySize;
    ctx.dpr = dpr * scale;
    ctx.now_ms = now_ms;
    ctx.intents.clear();
    ctx.log.clear();
    ctx.active_text = {};
    ctx.active_editor = 0;
    ctx.wants_frame = false;
    ctx.content_h = 0;
    ctx.viewport_changed = viewport_changed;
    ImGui::NewFrame();
    ctx.map.rect_min = ctx.map.rect_max = ImVec2(0, 0);  // the map sets them when drawn
  }
  void end_ui() {
    ctx.typed_keys.clear();
    ctx.map.wheel = 0;
    ctx.map.pinch = 1;
    ctx.map.pinch_pan = ImVec2(0, 0);
  }

  void set_mods(int mods) {
    ImGuiIO& io = ImGui::GetIO();
    io.KeyShift = (mods & kModShift) != 0;
    io.KeyCtrl = (mods & kModCtrl) != 0;
    io.KeyAlt = (mods & kModAlt) != 0;
    io.KeySuper = (mods & kModMeta) != 0;
  }

  // Applies queued events up to one discrete change (a button or a key), so that a
  // quick click or key press spread over several frames is seen as it happened.
  // Clicks the middle of the widget `id` of the last frame, if it is in view.
  bool click(const std::string& id) {
    for (const WidgetRecord& r : ctx.log.records()) {
      if (r.id != id) continue;
      if (!r.visible) return false;
      InputEvent e;
      e.x = r.x + r.w * 0.5f;
      e.y = r.y + r.h * 0.5f;
      e.button = 0;
      e.kind = InputEvent::Kind::pointer_move;
      queue.push_back(e);
      e.kind = InputEvent::Kind::pointer_down;
      queue.push_back(e);
      e.kind = InputEvent::Kind::pointer_up;
      queue.push_back(e);
      return true;
    }
    return false;
  }

  // Returns how many events it applied.
  int apply_input() {
    ImGuiIO& io = ImGui::GetIO();
    // Keys pressed last frame are released now; a key pressed again waits a frame so
    // that Dear ImGui sees it go up and down.
    const bool released = !pressed_keys.empty();
    if (released) {
      for (int k : pressed_keys) io.KeysDown[k] = false;
      pressed_keys.clear();
      set_mods(0);
    }
    bool discrete = false;
    int applied = 0;
    while (!queue.empty()) {
      InputEvent& e = queue.front();
      using K = InputEvent::Kind;
      // After a button or key change nothing else goes into this frame: a move or a leave
      // would take the pointer off what was clicked, and Dear ImGui applies a frame's
      // characters before its keys.
      if (discrete) break;
      if (released && e.kind == K::key) break;
      switch (e.kind) {
        case K::pointer_move:
          io.MousePos = ImVec2(e.x / scale, e.y / scale);
          ctx.touch = e.touch;
          break;
        case K::pointer_down:
        case K::pointer_up:
          io.MousePos = ImVec2(e.x / scale, e.y / scale);
          if (e.button >= 0 && e.button < 5) io.MouseDown[e.button] = e.kind == K::pointer_down;
          ctx.touch = e.touch;
          set_mods(e.mods);
          discrete = true;
          break;
        case K::pointer_leave:
          // Also ends a press that never saw its release.
          if (io.MouseDown[0]) discrete = true;
          for (bool& b : io.MouseDown) b = false;
          io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
          break;
        case K::wheel: {
          const ImVec2 m = io.MousePos;
          // Over the map the wheel zooms it instead of scrolling the page.
          if (m.x >= ctx.map.rect_min.x && m.x < ctx.map.rect_max.x && m.y >= ctx.map.rect_min.y &&
              m.y < ctx.map.rect_max.y) {
            ctx.map.wheel -= e.dy;
          } else {
            io.MouseWheel -= e.dy;
            io.MouseWheelH -= e.dx;
          }
          ctx.touch = false;
          break;
        }
        case K::pinch: {
          const ImVec2 at(e.x / scale, e.y / scale);
          ctx.touch = true;
          if (at.x >= ctx.map.rect_min.x && at.x < ctx.map.rect_max.x &&
              at.y >= ctx.map.rect_min.y && at.y < ctx.map.rect_max.y) {
            ctx.map.pinch *= e.scale;
            ctx.map.pinch_at = at;
            ctx.map.pinch_pan.x += e.dx / scale;
            ctx.map.pinch_pan.y += e.dy / scale;
          } else {
            // Anywhere else two fingers zoom the page, up to 200 %, and it reflows.
            pinch_zoom = std::clamp(pinch_zoom * e.scale, 1.0f, 2.0f);
            page_zoom = std::round(pinch_zoom * 4.0f) / 4.0f;
          }
          break;
        }
        case K::key: {
          const int k = KeyIndex(e.key);
          set_mods(e.mods);
          if (k >= 0) {
            io.KeysDown[k] = true;
            pressed_keys.push_back(k);
          }
          // A plain character (no Ctrl, Alt or Meta): a shortcut of the desk.
          if (e.key.size() == 1 && (e.mods & (kModCtrl | kModAlt | kModMeta)) == 0)
            ctx.typed_keys.push_back(e.key);
          discrete = true;
          break;
        }
        case K::text:
          set_mods(0);
          io.AddInputCharactersUTF8(e.text.c_str());
          ctx.preedit.clear();
          break;
        case K::composition:
          ctx.preedit = e.text;
          break;
        case K::focus:
          io.AddFocusEvent(e.down);
          break;
      }
      queue.pop_front();
      ++applied;
    }
    return applied;
  }
};

Host::Host() : impl_(std::make_unique<Impl>()) {}

Host::~Host() {
  if (ImGui::GetCurrentContext()) {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui::DestroyContext();
  }
}

void Host::set_tiles(TileCache* tiles) {
  impl_->ctx.tiles = tiles;
}

bool Host::init(GlyphSource* glyphs) {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  impl_->glyphs.init(glyphs);
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.LogFilename = nullptr;
  io.ConfigInputTextCursorBlink = false;  // a steady caret: no redraws just to blink
  io.ConfigWindowsResizeFromEdges = false;
  io.MouseDragThreshold = 8;
  io.BackendPlatformName = "portal_web";
  io.BackendFlags |= ImGuiBackendFlags_HasMouseCursors;
  for (int k = 0; k < ImGuiKey_COUNT; ++k) io.KeyMap[k] = k;
  io.ClipboardUserData = impl_.get();
  io.SetClipboardTextFn = [](void* user, const char* text) {
    auto* impl = static_cast<Impl*>(user);
    impl->clipboard_out = impl->clipboard_last = text;
    impl->clipboard_set = true;
  };
  io.GetClipboardTextFn = [](void* user) -> const char* {
    return static_cast<Impl*>(user)->clipboard_last.c_str();
  };
  theme::apply_style(ImGui::GetStyle());
  return ImGui_ImplOpenGL3_Init("#version 300 es");
}

void Host::set_viewport(float css_width, float css_height, float dpr) {
  Impl& m = *impl_;
  dpr = dpr > 0 ? dpr : 1;
  if (css_width == m.css_w && css_height == m.css_h && dpr == m.dpr) return;
  m.css_w = std::max(css_width, 1.0f);
  m.css_h = std::max(css_height, 1.0f);
  m.dpr = dpr;
  m.fb_w = static_cast<int>(std::lround(m.css_w * dpr));
  m.fb_h = static_cast<int>(std::lround(m.css_h * dpr));
  m.viewport_changed = true;
}

void Host::queue(InputEvent e) {
  impl_->queue.push_back(std::move(e));
}
bool Host::has_queued_input() const {
  return !impl_->queue.empty() || !impl_->pressed_keys.empty();
}

FrameOutput Host::frame(App& app, double now_ms) {
  Impl& m = *impl_;
  Ctx& ctx = m.ctx;
  ImGuiIO& io = ImGui::GetIO();
  FrameOutput out;

  io.DeltaTime = m.last_ms < 0
                     ? 1.0f / 60.0f
                     : static_cast<float>(std::clamp((now_ms - m.last_ms) / 1000.0, 1e-4, 0.25));
  m.last_ms = now_ms;
  const int applied = m.apply_input();
  ImGui_ImplOpenGL3_NewFrame();  // creates the GL objects on the first frame
  const ShellView shell = app.shell();
  const bool elderly = shell.elderly;
  // A handler's desk on a wide screen: the queue beside the ticket, at a desktop size.
  ctx.desk = shell.desk && !shell.embedded && m.css_w >= theme::kDeskMinWidth;
  const float desk_scale = !ctx.desk                          ? 1.0f
                           : m.css_w >= theme::kDeskWideWidth ? theme::kDeskScaleWide
                                                              : theme::kDeskScale;
  const float scale = (elderly ? theme::kElderlyScale : desk_scale) * m.page_zoom;
  if (scale != m.scale) {
    m.scale = scale;
    m.viewport_changed = true;
  }
  io.DisplaySize = ImVec2(m.css_w / scale, m.css_h / scale);
  io.DisplayFramebufferScale = ImVec2(m.fb_w / io.DisplaySize.x, m.fb_h / io.DisplaySize.y);

  if (m.clear_active) {
    ImGui::ClearActiveID();
    m.clear_active = false;
  }
  SetCurrentGlyphCache(&m.glyphs);
  m.glyphs.set_sizes(elderly ? theme::kElderlyFaces : theme::kFaces);
  m.glyphs.set_dpr(m.dpr * scale);
  out.glyphs_added = m.glyphs.prepare();

  const auto ui_started = std::chrono::steady_clock::now();
  m.begin_ui(now_ms, m.glyphs.fonts());
  DrawApp(ctx, app);
  m.end_ui();
  // Text that appeared without any input (the first frame, an answer from the server)
  // and asked for new glyphs is drawn again at once with them, so it never shows blank;
  // after input the glyphs come one frame later, so no click or key is seen twice.
  if (m.glyphs.has_needed() && applied == 0 && ctx.intents.empty()) {
    ImGui::EndFrame();
    out.glyphs_added = m.glyphs.prepare() || out.glyphs_added;
    m.begin_ui(now_ms, m.glyphs.fonts());
    DrawApp(ctx, app);
    m.end_ui();
  }
  m.viewport_changed = false;
  ImGui::Render();
  ctx.log.scale(scale);  // the page works in CSS px
  const auto mirror_started = std::chrono::steady_clock::now();
  out.semantics = m.semantics.update(ctx.log.records());
  out.focus = std::move(ctx.focus_node);  // its node is in the mirror with these changes
  ctx.focus_node.clear();
  out.semantics_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - mirror_started)
          .count();
  if (!m.pending_activate.empty() && m.click(m.pending_activate)) m.pending_activate.clear();
  out.ui_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - ui_started)
          .count();

  glViewport(0, 0, m.fb_w, m.fb_h);
  const ImVec4 bg = ImGui::ColorConvertU32ToFloat4(theme::kPage);
  glClearColor(bg.x, bg.y, bg.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  // After rendering: tiles this frame no longer draws may be released now.
  if (ctx.tiles) ctx.tiles->end_frame();

  const bool acted = !ctx.intents.empty();
  app.apply(ctx.intents);

  out.content_h = std::ceil(ctx.content_h * scale);
  out.want_text_input = ctx.active_text.active;
  out.multiline = ctx.active_text.multiline;
  out.input_mode = ctx.active_text.mode;
  out.caret_x = ctx.active_text.caret.x * scale;
  out.caret_y = ctx.active_text.caret.y * scale;
  out.caret_h = ctx.active_text.line_height * scale;
  if (!out.want_text_input) ctx.preedit.clear();
  if (m.clipboard_set) {
    out.has_clipboard = true;
    out.clipboard = std::move(m.clipboard_out);
    m.clipboard_set = false;
  }
  out.cursor = CssCursor(ImGui::GetMouseCursor());
  // Glyphs asked for and not drawn yet come with the next frame; those waiting for a
  // font wake the loop when it arrives.
  out.complete = !m.glyphs.has_needed() && !m.glyphs.waiting();
  out.more_frames = !m.queue.empty() || !m.pressed_keys.empty() || ctx.wants_frame || acted ||
                    m.glyphs.has_needed();
  return out;
}

void Host::semantic_focus(const std::string& id) {
  Impl& m = *impl_;
  if (id == m.ctx.a11y_focus) return;
  m.ctx.a11y_focus = id;
  m.ctx.a11y_reveal = id;
  // Focus moved from the field being edited to another widget: the field lets go.
  for (const WidgetRecord& r : m.ctx.log.records())
    if (r.active && (r.kind == "input" || r.kind == "textarea") && r.id != id)
      m.clear_active = true;
}

void Host::semantic_activate(const std::string& id) {
  Impl& m = *impl_;
  m.ctx.a11y_focus = id;
  if (!m.click(id)) {
    m.pending_activate = id;  // scrolled into view first
    m.ctx.a11y_reveal = id;
  }
}

const SemanticsStats& Host::semantics_stats() const {
  return impl_->semantics.stats();
}

std::string Host::selected_text() const {
  const Ctx& ctx = impl_->ctx;
  if (!ImGui::GetCurrentContext()) return {};
  ImGuiContext& g = *GImGui;
  if (g.ActiveId == 0) return {};
  if (auto it = ctx.editors.find(g.ActiveId); it != ctx.editors.end())
    return portal::client::ui::selected_text(it->second, it->second.last_text);
  const ImGuiInputTextState& s = g.InputTextState;
  if (s.ID != g.ActiveId) return {};
  const int a = std::clamp(std::min(s.Stb.select_start, s.Stb.select_end), 0, s.CurLenW);
  const int b = std::clamp(std::max(s.Stb.select_start, s.Stb.select_end), 0, s.CurLenW);
  if (a == b || (s.Flags & ImGuiInputTextFlags_Password)) return {};
  return Utf8FromWide(s.TextW.Data + a, s.TextW.Data + b);
}

const GlyphStats& Host::glyph_stats() const {
  return impl_->glyphs.stats();
}

std::string Host::widgets_json() const {
  return impl_->ctx.log.to_json();
}

}  // namespace portal::client::ui
