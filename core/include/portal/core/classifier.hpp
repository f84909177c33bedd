// A small text classifier for the category suggestion: character n-grams (1 to 3
// code points, so Chinese needs no word segmentation) feeding a multinomial logistic
// regression trained with AdaGrad. Pure C++, deterministic for a given seed, and
// compact when serialised (weights are stored as 16-bit integers with a scale per
// feature).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "portal/core/result.hpp"

namespace portal::core::textclass {

struct Example {
  std::string label;  // a category code
  std::string text;
};

struct TrainOptions {
  int epochs = 5;
  double learning_rate = 0.4;
  // An n-gram becomes a feature only when it occurs at least this often in the
  // training texts: rarer ones are mostly typos and names that help nobody.
  int min_count = 2;
  // The most frequent n-grams are kept up to this many (the model's size grows with it).
  std::size_t max_features = 40000;
  std::uint64_t seed = 1;
  // Called after each epoch (1-based) when set.
  std::function<void(int epoch, int epochs)> progress;
};

struct Prediction {
  std::string label;
  double score = 0;  // a probability: the scores of all labels sum to 1
};

class Model {
 public:
  Model() = default;
  // The k most likely labels, best first (fewer when the model knows fewer). Text
  // with no known n-gram still gets an answer: the labels' prior.
  std::vector<Prediction> predict(std::string_view text, std::size_t k = 3) const;
  const std::vector<std::string>& labels() const { return labels_; }
  std::size_t features() const { return hashes_.size(); }
  bool empty() const { return labels_.empty(); }

  // A versioned binary blob with a checksum; deserialize rejects anything else.
  std::string serialize() const;
  static Result<Model> deserialize(std::string_view blob);

 private:
  friend Model train(const std::vector<Example>&, const TrainOptions&);
  void quantize();
  std::vector<std::string> labels_;
  std::vector<std::uint64_t> hashes_;  // sorted: a feature's index is its position
  std::vector<float> weights_;         // features × labels, row by feature
  std::vector<float> bias_;            // per label
  std::vector<float> scales_;          // per feature: a weight is a 16-bit integer times this
};

Model train(const std::vector<Example>& examples, const TrainOptions& options = {});

// The text as the model reads it: full-width forms to ASCII, ASCII letters lower-cased,
// each run of digits one '0', punctuation, spaces and invalid bytes breaking the text
// into segments. Exposed for tests.
std::vector<std::u32string> normalise_segments(std::string_view text);
// The hashed n-grams (1 to 3 code points, within a segment) of the text, with repeats.
std::vector<std::uint64_t> ngram_hashes(std::string_view text);

}  // namespace portal::core::textclass
