#include "portal/core/classifier.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <unordered_map>

#include "portal/core/utf8.hpp"

namespace portal::core::textclass {

namespace {

constexpr char kMagic[4] = {'R', 'C', 'T', 'C'};
constexpr std::uint32_t kFormat = 1;
constexpr int kMaxN = 3;
// Limits a blob must respect; past them it is corrupt, not large.
constexpr std::uint32_t kMaxLabels = 4096;
constexpr std::uint32_t kMaxLabelBytes = 256;
constexpr std::uint32_t kMaxFeatures = 4'000'000;

// splitmix64: the same numbers on every platform and library.
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

bool is_separator(char32_t c) {
  if (c < 0x80) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    return !alnum;  // spaces, controls and ASCII punctuation (upper case is folded first)
  }
  return (c >= 0x2000 && c <= 0x206F)     // general punctuation, zero-width joiners
         || (c >= 0x3000 && c <= 0x303F)  // CJK punctuation: 。，、「」…
         || (c >= 0xFE00 && c <= 0xFE0F)  // variation selectors
         || (c >= 0xFE30 && c <= 0xFE6F)  // vertical and small forms
         || (c >= 0xFF00 && c <= 0xFFEF)  // what is left of the half/full-width block
         || c == 0xFEFF || c == 0x00A0 || (c >= 0x80 && c < 0xA0);
}

std::uint64_t hash_gram(const char32_t* p, int n) {
  std::uint64_t h = 0xcbf29ce484222325ull ^ static_cast<std::uint64_t>(n);
  for (int i = 0; i < n; ++i) {
    h ^= static_cast<std::uint64_t>(p[i]);
    h *= 0x100000001b3ull;
  }
  // A final mix: FNV alone leaves the low bits of short inputs alike.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

// Distinct feature indices of a text; each counts 1/sqrt(n) (unit length).
std::vector<std::uint32_t> features_of(std::string_view text,
                                       const std::vector<std::uint64_t>& sorted_hashes) {
  std::vector<std::uint32_t> out;
  for (std::uint64_t h : ngram_hashes(text)) {
    auto it = std::lower_bound(sorted_hashes.begin(), sorted_hashes.end(), h);
    if (it != sorted_hashes.end() && *it == h)
      out.push_back(static_cast<std::uint32_t>(it - sorted_hashes.begin()));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void softmax(std::vector<double>& z) {
  const double m = *std::max_element(z.begin(), z.end());
  double sum = 0;
  for (double& v : z) sum += (v = std::exp(v - m));
  for (double& v : z) v /= sum;
}

// Little-endian writing and bounds-checked reading.
void put32(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void put64(std::string& s, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void putf(std::string& s, float f) {
  std::uint32_t v;
  std::memcpy(&v, &f, 4);
  put32(s, v);
}

std::uint64_t checksum(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool ok() const { return ok_; }
  std::size_t left() const { return s_.size() - pos_; }
  std::uint64_t uint(int bytes) {
    if (!ok_ || left() < static_cast<std::size_t>(bytes)) return ok_ = false, 0;
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
      v |= static_cast<std::uint64_t>(static_cast<unsigned char>(s_[pos_ + i])) << (8 * i);
    pos_ += static_cast<std::size_t>(bytes);
    return v;
  }
  float f32() {
    const auto v = static_cast<std::uint32_t>(uint(4));
    float f;
    std::memcpy(&f, &v, 4);
    return f;
  }
  std::string_view bytes(std::size_t n) {
    if (!ok_ || left() < n) return ok_ = false, std::string_view{};
    auto v = s_.substr(pos_, n);
    pos_ += n;
    return v;
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

Error corrupt(std::string why) {
  return Error{"corrupt_model", "model blob: " + why, {}, 500};
}

}  // namespace

std::vector<std::u32string> normalise_segments(std::string_view text) {
  std::vector<std::u32string> out;
  std::u32string cur;
  auto flush = [&] {
    if (!cur.empty()) out.push_back(std::move(cur));
    cur.clear();
  };
  for (std::size_t i = 0; i < text.size();) {
    char32_t c = 0;
    std::size_t n = utf8_decode(text, i, c);
    if (n == 0) {  // an invalid byte: a break, and on to the next byte
      flush();
      ++i;
      continue;
    }
    i += n;
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;  // full-width ASCII
    if (c == 0x3000) c = ' ';
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    if (c >= '0' && c <= '9') {
      // A house number or a date says little about the matter: every run is one '0'.
      if (cur.empty() || cur.back() != U'0') cur.push_back(U'0');
      continue;
    }
    if (is_separator(c)) {
      flush();
      continue;
    }
    cur.push_back(c);
  }
  flush();
  return out;
}

std::vector<std::uint64_t> ngram_hashes(std::string_view text) {
  std::vector<std::uint64_t> out;
  for (const auto& seg : normalise_segments(text)) {
    const char32_t* p = seg.data();
    const int len = static_cast<int>(seg.size());
    for (int i = 0; i < len; ++i)
      for (int n = 1; n <= kMaxN && i + n <= len; ++n) out.push_back(hash_gram(p + i, n));
  }
  return out;
}

std::vector<Prediction> Model::predict(std::string_view text, std::size_t k) const {
  if (labels_.empty()) return {};
  const std::size_t nl = labels_.size();
  std::vector<double> z(bias_.begin(), bias_.end());
  const auto feats = features_of(text, hashes_);
  if (!feats.empty()) {
    const double x = 1.0 / std::sqrt(static_cast<double>(feats.size()));
    for (std::uint32_t f : feats) {
      const float* w = &weights_[static_cast<std::size_t>(f) * nl];
      for (std::size_t c = 0; c < nl; ++c) z[c] += x * w[c];
    }
  }
  softmax(z);
  std::vector<std::size_t> order(nl);
  std::iota(order.begin(), order.end(), 0);
  k = std::min(k, nl);
  // Ties go to the earlier label, so that equal scores keep one order.
  std::partial_sort(
      order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
      [&](std::size_t a, std::size_t b) { return z[a] > z[b] || (z[a] == z[b] && a < b); });
  std::vector<Prediction> out;
  for (std::size_t i = 0; i < k; ++i) out.push_back({labels_[order[i]], z[order[i]]});
  return out;
}

Model train(const std::vector<Example>& examples, const TrainOptions& o) {
  Model m;
  // Labels in sorted order: the model does not depend on the order of the examples' labels.
  for (const auto& e : examples) m.labels_.push_back(e.label);
  std::sort(m.labels_.begin(), m.labels_.end());
  m.labels_.erase(std::unique(m.labels_.begin(), m.labels_.end()), m.labels_.end());
  if (m.labels_.empty()) return m;
  const std::size_t nl = m.labels_.size();

  // The dictionary: n-grams seen often enough, the most frequent first up to the cap.
  {
    std::unordered_map<std::uint64_t, std::uint32_t> counts;
    for (const auto& e : examples)
      for (std::uint64_t h : ngram_hashes(e.text)) ++counts[h];
    std::vector<std::pair<std::uint32_t, std::uint64_t>> kept;
    for (const auto& [h, n] : counts)
      if (n >= static_cast<std::uint32_t>(std::max(1, o.min_count))) kept.push_back({n, h});
    std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
      return a.first > b.first || (a.first == b.first && a.second < b.second);
    });
    if (kept.size() > o.max_features) kept.resize(o.max_features);
    for (const auto& [n, h] : kept) m.hashes_.push_back(h);
    std::sort(m.hashes_.begin(), m.hashes_.end());
  }
  const std::size_t nf = m.hashes_.size();

  std::vector<std::vector<std::uint32_t>> xs;
  std::vector<std::uint32_t> ys;
  xs.reserve(examples.size());
  ys.reserve(examples.size());
  for (const auto& e : examples) {
    xs.push_back(features_of(e.text, m.hashes_));
    ys.push_back(static_cast<std::uint32_t>(
        std::lower_bound(m.labels_.begin(), m.labels_.end(), e.label) - m.labels_.begin()));
  }

  std::vector<float> w(nf * nl, 0.0f), gw(nf * nl, 0.0f);
  std::vector<double> b(nl, 0.0), gb(nl, 0.0);
  std::vector<std::size_t> order(examples.size());
  std::iota(order.begin(), order.end(), 0);
  Rng rng{o.seed * 0x2545F4914F6CDD1Dull + 11};
  std::vector<double> z(nl);
  std::vector<float> gz(nl), zf(nl);
  const auto flr = static_cast<float>(o.learning_rate);
  constexpr double eps = 1e-8;
  const double lr = o.learning_rate;
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.next() % i]);
    for (std::size_t idx : order) {
      const auto& feats = xs[idx];
      const double x = feats.empty() ? 0.0 : 1.0 / std::sqrt(static_cast<double>(feats.size()));
      std::fill(zf.begin(), zf.end(), 0.0f);
      for (std::uint32_t f : feats) {
        const float* wr = &w[static_cast<std::size_t>(f) * nl];
        for (std::size_t c = 0; c < nl; ++c) zf[c] += wr[c];
      }
      for (std::size_t c = 0; c < nl; ++c) z[c] = b[c] + x * zf[c];
      softmax(z);
      z[ys[idx]] -= 1.0;  // the gradient of the loss with respect to each score
      for (std::size_t c = 0; c < nl; ++c) {
        gb[c] += z[c] * z[c];
        b[c] -= lr * z[c] / std::sqrt(gb[c] + eps);
      }
      // Single precision from here: the update of every weight of every feature of the
      // text is the hot loop of training, and it vectorises.
      for (std::size_t c = 0; c < nl; ++c) gz[c] = static_cast<float>(z[c] * x);
      for (std::uint32_t f : feats) {
        float* wr = &w[static_cast<std::size_t>(f) * nl];
        float* gr = &gw[static_cast<std::size_t>(f) * nl];
        for (std::size_t c = 0; c < nl; ++c) {
          const float g = gz[c];
          gr[c] += g * g;
          wr[c] -= flr * g / std::sqrt(gr[c] + 1e-8f);
        }
      }
    }
    if (o.progress) o.progress(epoch, o.epochs);
  }
  m.weights_ = std::move(w);
  m.bias_.assign(b.begin(), b.end());
  // The model in memory is the one a blob restores: predictions do not change on a reload.
  m.quantize();
  return m;
}

void Model::quantize() {
  const std::size_t nl = labels_.size();
  scales_.assign(hashes_.size(), 0.0f);
  for (std::size_t f = 0; f < hashes_.size(); ++f) {
    float* row = &weights_[f * nl];
    float mx = 0;
    for (std::size_t c = 0; c < nl; ++c) mx = std::max(mx, std::fabs(row[c]));
    const float scale = mx > 0 ? mx / 32767.0f : 0.0f;
    scales_[f] = scale;
    for (std::size_t c = 0; c < nl; ++c)
      row[c] = scale > 0 ? static_cast<float>(std::lround(row[c] / scale)) * scale : 0.0f;
  }
}

// Layout (little-endian): "RCTC", u32 format, u32 labels, each u32 length + bytes,
// u32 features, their u64 hashes (ascending), per label f32 bias, per feature f32 scale
// then i16 weights for every label, and last u64 FNV-1a of everything before it.
std::string Model::serialize() const {
  const std::size_t nl = labels_.size();
  std::string s(kMagic, 4);
  put32(s, kFormat);
  put32(s, static_cast<std::uint32_t>(nl));
  for (const auto& l : labels_) {
    put32(s, static_cast<std::uint32_t>(l.size()));
    s += l;
  }
  put32(s, static_cast<std::uint32_t>(hashes_.size()));
  s.reserve(s.size() + hashes_.size() * (8 + 4 + 2 * nl) + 4 * nl + 8);
  for (auto h : hashes_) put64(s, h);
  for (float v : bias_) putf(s, v);
  for (std::size_t f = 0; f < hashes_.size(); ++f) {
    const float* row = &weights_[f * nl];
    const float scale = scales_[f];
    putf(s, scale);
    for (std::size_t c = 0; c < nl; ++c) {
      const long q = scale > 0 ? std::clamp(std::lround(row[c] / scale), -32767L, 32767L) : 0L;
      const auto u = static_cast<std::uint16_t>(static_cast<std::int16_t>(q));
      s.push_back(static_cast<char>(u & 0xFF));
      s.push_back(static_cast<char>(u >> 8));
    }
  }
  put64(s, checksum(s));
  return s;
}

Result<Model> Model::deserialize(std::string_view blob) {
  if (blob.size() < 4 + 4 + 4 + 4 + 8 || std::memcmp(blob.data(), kMagic, 4) != 0)
    return corrupt("not a model");
  const std::string_view body = blob.substr(0, blob.size() - 8);
  Reader tail(blob.substr(blob.size() - 8));
  if (tail.uint(8) != checksum(body)) return corrupt("checksum mismatch");
  Reader r(body.substr(4));
  if (const auto v = r.uint(4); v != kFormat)
    return corrupt("format " + std::to_string(v) + " is not known");
  Model m;
  const auto nl = static_cast<std::uint32_t>(r.uint(4));
  if (!r.ok() || nl == 0 || nl > kMaxLabels) return corrupt("bad label count");
  for (std::uint32_t i = 0; i < nl; ++i) {
    const auto len = static_cast<std::uint32_t>(r.uint(4));
    if (!r.ok() || len == 0 || len > kMaxLabelBytes) return corrupt("bad label");
    auto l = r.bytes(len);
    if (!r.ok() || !is_valid_utf8(l)) return corrupt("bad label");
    if (!m.labels_.empty() && !(m.labels_.back() < l)) return corrupt("labels out of order");
    m.labels_.emplace_back(l);
  }
  const auto nf = static_cast<std::uint32_t>(r.uint(4));
  if (!r.ok() || nf > kMaxFeatures) return corrupt("bad feature count");
  // Exactly the bytes the counts call for: a truncated or padded blob is corrupt.
  const std::size_t need = static_cast<std::size_t>(nf) * (8 + 4 + 2 * std::size_t{nl}) + 4 * nl;
  if (r.left() != need) return corrupt("size does not match its counts");
  m.hashes_.reserve(nf);
  for (std::uint32_t i = 0; i < nf; ++i) {
    const auto h = r.uint(8);
    if (!m.hashes_.empty() && !(m.hashes_.back() < h)) return corrupt("features out of order");
    m.hashes_.push_back(h);
  }
  for (std::uint32_t c = 0; c < nl; ++c) {
    const float v = r.f32();
    if (!std::isfinite(v)) return corrupt("bad bias");
    m.bias_.push_back(v);
  }
  m.weights_.resize(static_cast<std::size_t>(nf) * nl);
  for (std::uint32_t f = 0; f < nf; ++f) {
    const float scale = r.f32();
    if (!std::isfinite(scale) || scale < 0) return corrupt("bad scale");
    m.scales_.push_back(scale);
    for (std::uint32_t c = 0; c < nl; ++c) {
      const auto q = static_cast<std::int16_t>(static_cast<std::uint16_t>(r.uint(2)));
      m.weights_[static_cast<std::size_t>(f) * nl + c] = static_cast<float>(q) * scale;
    }
  }
  if (!r.ok()) return corrupt("truncated");
  return m;
}

}  // namespace portal::core::textclass
