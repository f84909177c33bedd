#include <gtest/gtest.h>

#include "portal/core/classifier.hpp"

using namespace portal::core::textclass;

namespace {

// Three classes whose texts share filler but differ in a few telling characters.
std::vector<Example> toy() {
  const char* fill[] = {"小区门口", "昨晚开始", "学校旁边", "好几天了", "麻烦处理一下"};
  const char* light[] = {"路灯不亮", "灯杆歪了", "路灯一闪一闪", "晚上黑灯瞎火"};
  const char* water[] = {"家里停水了", "水龙头没水", "自来水断了", "一滴水都没有"};
  const char* noise[] = {"工地噪音太吵", "半夜施工很吵", "广场舞音响太响", "吵得睡不着"};
  std::vector<Example> out;
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 4; ++j) {
      out.push_back({"city.streetlight", std::string(fill[i]) + light[j]});
      out.push_back({"water.outage", std::string(fill[(i + 1) % 5]) + water[j]});
      out.push_back({"env.noise", std::string(fill[(i + 2) % 5]) + noise[j]});
    }
  return out;
}

}  // namespace

TEST(Classifier, NormalisesWidthCaseDigitsAndPunctuation) {
  auto segs = normalise_segments("ＡＢｃ１２３号，路灯!! x9");
  ASSERT_EQ(segs.size(), 3u);
  EXPECT_EQ(segs[0], U"abc0号");
  EXPECT_EQ(segs[1], U"路灯");
  EXPECT_EQ(segs[2], U"x0");
  // 1-, 2- and 3-grams inside each segment: "路灯" gives 路, 灯, 路灯.
  EXPECT_EQ(ngram_hashes("路灯").size(), 3u);
  EXPECT_EQ(ngram_hashes("路灯。路灯").size(), 6u);
  EXPECT_TRUE(ngram_hashes("，。！  ").empty());
}

TEST(Classifier, LearnsASeparableSet) {
  auto m = train(toy());
  ASSERT_EQ(m.labels().size(), 3u);
  EXPECT_GT(m.features(), 0u);
  for (const auto& e : toy()) {
    auto p = m.predict(e.text, 3);
    ASSERT_EQ(p.size(), 3u);
    EXPECT_EQ(p[0].label, e.label) << e.text;
  }
  // Unseen combinations of seen pieces.
  EXPECT_EQ(m.predict("菜市场那边路灯不亮")[0].label, "city.streetlight");
  EXPECT_EQ(m.predict("楼上停水了")[0].label, "water.outage");
  EXPECT_EQ(m.predict("晚上施工太吵")[0].label, "env.noise");
  // Scores are probabilities, best first.
  auto p = m.predict("路灯不亮", 3);
  double sum = 0;
  for (const auto& x : p) sum += x.score;
  EXPECT_NEAR(sum, 1.0, 1e-6);
  EXPECT_GT(p[0].score, 0.5);
  EXPECT_GE(p[0].score, p[1].score);
  EXPECT_GE(p[1].score, p[2].score);
  EXPECT_EQ(m.predict("路灯不亮", 1).size(), 1u);
  EXPECT_EQ(m.predict("路灯不亮", 10).size(), 3u);
}

TEST(Classifier, KeepsOnlyNgramsSeenTwice) {
  // Every n-gram of the second text occurs once: none becomes a feature.
  std::vector<Example> ex = {{"a", "路灯"}, {"a", "路灯"}, {"b", "停水"}};
  auto m = train(ex);
  EXPECT_EQ(m.features(), 3u);  // 路, 灯, 路灯
}

TEST(Classifier, SameSeedSameModel) {
  auto a = train(toy()), b = train(toy());
  EXPECT_EQ(a.serialize(), b.serialize());
  TrainOptions o;
  o.seed = 99;
  auto c = train(toy(), o);
  EXPECT_NE(a.serialize(), c.serialize());  // the order of the examples changes the weights
}

TEST(Classifier, RoundTripsThroughItsBlob) {
  auto m = train(toy());
  const std::string blob = m.serialize();
  auto back = Model::deserialize(blob);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->labels(), m.labels());
  EXPECT_EQ(back->features(), m.features());
  EXPECT_EQ(back->serialize(), blob);
  for (const char* t : {"路灯不亮", "停水", "太吵了", "", "随便说点什么"}) {
    auto p = m.predict(t), q = back->predict(t);
    ASSERT_EQ(p.size(), q.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
      EXPECT_EQ(p[i].label, q[i].label);
      EXPECT_DOUBLE_EQ(p[i].score, q[i].score);
    }
  }
}

TEST(Classifier, RejectsCorruptBlobs) {
  const std::string blob = train(toy()).serialize();
  EXPECT_FALSE(Model::deserialize("").ok());
  EXPECT_FALSE(Model::deserialize("RCTC").ok());
  EXPECT_FALSE(Model::deserialize("not a model at all, just some text").ok());
  // Every truncation is refused (a sample of lengths, and the last byte).
  for (std::size_t n = 0; n < blob.size(); n += 1 + blob.size() / 97)
    EXPECT_FALSE(Model::deserialize(std::string_view(blob).substr(0, n)).ok()) << n;
  EXPECT_FALSE(Model::deserialize(std::string_view(blob).substr(0, blob.size() - 1)).ok());
  EXPECT_FALSE(Model::deserialize(blob + "x").ok());
  // A flipped bit anywhere is refused, and the error says so.
  for (std::size_t i = 0; i < blob.size(); i += 1 + blob.size() / 113) {
    std::string b = blob;
    b[i] = static_cast<char>(b[i] ^ 0x10);
    auto r = Model::deserialize(b);
    ASSERT_FALSE(r.ok()) << i;
    EXPECT_EQ(r.error().code, "corrupt_model");
  }
  // A blob of a format to come is refused by this one.
  std::string future = blob;
  future[4] = 2;
  EXPECT_FALSE(Model::deserialize(future).ok());
}

TEST(Classifier, AnyTextGetsAnAnswer) {
  auto m = train(toy());
  for (const std::string t :
       {std::string(), std::string("🙂🙂🙂"), std::string("𠀀𠀁𪚥 路灯"),
        std::string("\xff\xfe\x80"), std::string("路灯\0不亮", 10), std::string(5000, 'a')}) {
    auto p = m.predict(t);
    ASSERT_EQ(p.size(), 3u);
    double sum = 0;
    for (const auto& x : p) sum += x.score;
    EXPECT_LE(sum, 1.0 + 1e-9);
    EXPECT_GT(p[0].score, 0.0);
  }
  // Characters past the BMP are single code points: a 3-gram of them is one feature.
  EXPECT_EQ(ngram_hashes("𠀀𠀁𪚥").size(), 6u);
  // Emoji learnt from texts count like any character.
  std::vector<Example> ex;
  for (int i = 0; i < 4; ++i) {
    ex.push_back({"happy", "今天🙂🙂"});
    ex.push_back({"sad", "今天😢😢"});
  }
  auto e = train(ex);
  EXPECT_EQ(e.predict("😢")[0].label, "sad");
  EXPECT_EQ(e.predict("🙂")[0].label, "happy");
  // An empty model answers nothing rather than failing.
  EXPECT_TRUE(Model().predict("路灯").empty());
  EXPECT_TRUE(train({}).empty());
}
