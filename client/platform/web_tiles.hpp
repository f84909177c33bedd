// ui::TileLoader in the browser: the basemap's tiles fetched with fetch() (cancelled
// with an AbortController), decoded off the main thread (createImageBitmap) and
// uploaded into WebGL textures that Dear ImGui draws by their GL names
// (web/portal-tiles.js, fetched itself only when the first tile is wanted). Answers
// come back through portal_tile_loaded / portal_tile_failed (main_web.cpp).
#pragma once

#include "ui/tile_cache.hpp"

namespace portal::client {

class WebTileLoader : public ui::TileLoader {
 public:
  void load(std::uint64_t request, std::string_view url) override;
  void cancel(std::uint64_t request) override;
  void release(std::uint32_t texture) override;
};

}  // namespace portal::client
