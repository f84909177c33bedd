#include "ui/tile_cache.hpp"

#include <algorithm>

namespace portal::client::ui {

namespace {
// A failed tile is asked for again after this many frames (the app draws on input only,
// so this is a few seconds of use, not of idle time).
constexpr std::uint64_t kRetryFrames = 300;
// Deeper than any tile server goes (and than a tile key packs).
constexpr int kMaxZoom = 24;

void replace_all(std::string& s, std::string_view what, std::string_view with) {
  for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + with.size()))
    s.replace(at, what.size(), with);
}
}  // namespace

std::string tile_url(const Basemap& spec, TileKey k, bool hidpi) {
  std::string url = spec.tile_template;
  replace_all(url, "{z}", std::to_string(k.z));
  replace_all(url, "{x}", std::to_string(k.x));
  replace_all(url, "{y}", std::to_string(k.y));
  replace_all(url, "{r}", hidpi && spec.retina ? "@2x" : "");
  if (!spec.subdomains.empty()) {
    const auto i = static_cast<std::size_t>(k.x + k.y) % spec.subdomains.size();
    replace_all(url, "{s}", spec.subdomains[i]);
  }
  return url;
}

TileCache::TileCache(TileLoader* loader, std::size_t max_textures, std::size_t max_loading)
    : loader_(loader), max_textures_(max_textures), max_loading_(max_loading) {}

TileCache::~TileCache() {
  clear();
}

std::uint64_t TileCache::pack(TileKey k) {
  return (static_cast<std::uint64_t>(k.z & 0x1f) << 58) |
         (static_cast<std::uint64_t>(static_cast<std::uint32_t>(k.x) & 0x1fffffffu) << 29) |
         (static_cast<std::uint32_t>(k.y) & 0x1fffffffu);
}

void TileCache::clear() {
  for (auto& [_, e] : entries_) {
    if (e.texture) {
      if (loader_) loader_->release(e.texture);
    } else if (e.request) {
      if (loader_) loader_->cancel(e.request);
    }
  }
  entries_.clear();
  requests_.clear();
  stats_.resident = stats_.loading = 0;
}

void TileCache::set_basemap(const Basemap& spec, bool hidpi) {
  if (spec == spec_ && hidpi == hidpi_) return;
  clear();
  spec_ = spec;
  hidpi_ = hidpi;
}

std::uint32_t TileCache::want(TileKey k) {
  if (!active() || !loader_) return 0;
  // Only tiles of the world: 0 <= x, y < 2^z (a map that wraps asks for x modulo 2^z).
  if (k.z < 0 || k.z > kMaxZoom || k.x < 0 || k.y < 0 || k.x >= (1 << k.z) || k.y >= (1 << k.z))
    return 0;
  const std::uint64_t id = pack(k);
  auto it = entries_.find(id);
  if (it == entries_.end()) it = entries_.emplace(id, Entry{k}).first;
  Entry& e = it->second;
  e.wanted_frame = frame_;
  if (e.texture) return e.texture;
  if (e.request) return 0;
  if (e.failed_frame && frame_ - e.failed_frame < kRetryFrames) return 0;
  if (stats_.loading >= max_loading_) return 0;  // asked again next frame
  e.failed_frame = 0;
  e.request = next_request_++;
  requests_[e.request] = id;
  ++stats_.loading;
  ++stats_.requested;
  loader_->load(e.request, tile_url(spec_, k, hidpi_));
  return 0;
}

std::uint32_t TileCache::peek(TileKey k) {
  const auto it = entries_.find(pack(k));
  if (it == entries_.end() || !it->second.texture) return 0;
  // Drawn: keep it. A load only peeked at is not wanted, and is cancelled.
  it->second.wanted_frame = frame_;
  return it->second.texture;
}

void TileCache::end_frame() {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> resident;  // wanted_frame, key
  for (auto it = entries_.begin(); it != entries_.end();) {
    Entry& e = it->second;
    if (!e.texture && e.request && e.wanted_frame != frame_) {
      loader_->cancel(e.request);
      requests_.erase(e.request);
      --stats_.loading;
      ++stats_.cancelled;
      it = entries_.erase(it);
      continue;
    }
    // Wanted but not started (no room), or failed long enough ago to be asked for again
    // when next wanted: forget it.
    if (!e.texture && !e.request && (!e.failed_frame || frame_ - e.failed_frame >= kRetryFrames)) {
      it = entries_.erase(it);
      continue;
    }
    if (e.texture) resident.emplace_back(e.wanted_frame, it->first);
    ++it;
  }
  std::size_t kept = resident.size();
  if (kept > max_textures_) {
    // Least recently wanted first; never a tile of this frame (a map showing more tiles
    // than the bound would load and release them over and over).
    std::sort(resident.begin(), resident.end());
    for (const auto& [wanted, id] : resident) {
      if (kept <= max_textures_ || wanted == frame_) break;
      const auto it = entries_.find(id);
      loader_->release(it->second.texture);
      entries_.erase(it);
      ++stats_.released;
      --kept;
    }
  }
  stats_.resident = kept;
  ++frame_;
}

bool TileCache::loaded(std::uint64_t request, std::uint32_t texture) {
  const auto r = requests_.find(request);
  if (r == requests_.end()) {  // cancelled meanwhile, or of an older basemap
    if (texture && loader_) loader_->release(texture);
    return false;
  }
  if (!texture) {  // no texture (the image could not be uploaded): a failure
    failed(request);
    return false;
  }
  const auto it = entries_.find(r->second);
  requests_.erase(r);
  --stats_.loading;
  ++stats_.loaded;
  ++stats_.resident;
  it->second.request = 0;
  it->second.texture = texture;
  return true;
}

void TileCache::failed(std::uint64_t request) {
  const auto r = requests_.find(request);
  if (r == requests_.end()) return;
  const auto it = entries_.find(r->second);
  requests_.erase(r);
  --stats_.loading;
  ++stats_.failed;
  it->second.request = 0;
  it->second.failed_frame = frame_;
}

}  // namespace portal::client::ui
