// The basemap's XYZ raster tiles (serve --tiles): which the map wants this frame, which
// are loaded as textures, and a bound on how many are kept.
//
// The map asks for the tiles it covers each frame (want); a tile not yet loaded is
// requested from the TileLoader (the browser fetches the image and makes a WebGL
// texture of it) and the map draws what it has meanwhile (a parent tile, scaled). At the
// end of the frame, loads of tiles no longer wanted are cancelled, and loaded tiles
// beyond the bound are released, least recently wanted first. No ImGui here: textures
// are the renderer's ids (a GL texture name).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "app/model.hpp"  // Basemap: what GET /api/v1/grids says of it

namespace portal::client::ui {

struct TileKey {
  int z = 0, x = 0, y = 0;
  bool operator==(const TileKey&) const = default;
};

// The tile's URL: {z}/{x}/{y} filled, {s} one of the subdomains (the same for a tile
// every time, so the browser's cache works), {r} "@2x" when `hidpi` and "" otherwise.
std::string tile_url(const Basemap& spec, TileKey k, bool hidpi);

class TileLoader {
 public:
  virtual ~TileLoader() = default;
  // Starts fetching `url`; the answer comes through TileCache::loaded or ::failed with
  // the same request id.
  virtual void load(std::uint64_t request, std::string_view url) = 0;
  // The tile is no longer wanted: stop fetching it (no answer is needed after this).
  virtual void cancel(std::uint64_t request) = 0;
  // The texture is no longer drawn: free it.
  virtual void release(std::uint32_t texture) = 0;
};

struct TileStats {
  std::uint64_t requested = 0;  // loads started
  std::uint64_t loaded = 0;
  std::uint64_t failed = 0;
  std::uint64_t cancelled = 0;
  std::uint64_t released = 0;  // evicted beyond the bound
  std::size_t resident = 0;    // textures kept now
  std::size_t loading = 0;     // loads in flight now
};

class TileCache {
 public:
  // Keeps at most `max_textures` loaded tiles and `max_loading` loads in flight.
  explicit TileCache(TileLoader* loader, std::size_t max_textures = 96,
                     std::size_t max_loading = 8);
  ~TileCache();
  TileCache(const TileCache&) = delete;
  TileCache& operator=(const TileCache&) = delete;

  // A new basemap (or none): everything of the old one is cancelled and released.
  void set_basemap(const Basemap& spec, bool hidpi);
  const Basemap& basemap() const { return spec_; }
  bool active() const { return !spec_.tile_template.empty(); }

  // This frame draws tile k: its texture when loaded (0 otherwise, and the load is
  // started if there is room). Tiles wanted earlier in a frame are loaded first. Tiles
  // outside the world (x or y outside 0..2^z-1) are never loaded.
  std::uint32_t want(TileKey k);
  // A loaded texture, without asking for it (a parent drawn in place of a child); a
  // texture peeked at counts as drawn, a load peeked at is not kept.
  std::uint32_t peek(TileKey k);
  // Ends the frame (once a frame, whether the map was drawn or not): cancels loads of
  // tiles not wanted in it; releases loaded tiles beyond the bound, least recently
  // wanted first, but none wanted in this frame.
  void end_frame();

  // From the loader. Returns true when the tile is still wanted (the map should draw);
  // texture 0 counts as a failure.
  bool loaded(std::uint64_t request, std::uint32_t texture);
  void failed(std::uint64_t request);

  const TileStats& stats() const { return stats_; }

 private:
  struct Entry {
    TileKey key;
    std::uint32_t texture = 0;
    std::uint64_t request = 0;       // in flight when texture == 0 and request != 0
    std::uint64_t failed_frame = 0;  // the load failed then: asked again much later
    std::uint64_t wanted_frame = 0;
  };
  static std::uint64_t pack(TileKey k);
  void clear();

  TileLoader* loader_;
  std::size_t max_textures_, max_loading_;
  Basemap spec_;
  bool hidpi_ = false;
  std::uint64_t frame_ = 1;
  std::uint64_t next_request_ = 1;
  std::unordered_map<std::uint64_t, Entry> entries_;           // by packed key
  std::unordered_map<std::uint64_t, std::uint64_t> requests_;  // request -> packed key
  TileStats stats_;
};

}  // namespace portal::client::ui
