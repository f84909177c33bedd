// Character boundaries of the client's text editor (client/app/utf8): the caret and
// Backspace step over what a person sees as one character.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "app/utf8.hpp"

namespace portal::client {
namespace {

// The text cut at every boundary next_cluster finds from the start.
std::vector<std::string> clusters(std::string_view s) {
  std::vector<std::string> out;
  for (int i = 0; i < static_cast<int>(s.size());) {
    const int next = next_cluster(s, i);
    EXPECT_GT(next, i);
    out.emplace_back(s.substr(static_cast<std::size_t>(i), static_cast<std::size_t>(next - i)));
    i = next;
  }
  return out;
}

// Backspace from the end, one cluster at a time.
std::vector<std::string> backspaces(std::string_view s) {
  std::vector<std::string> out;
  for (int i = static_cast<int>(s.size()); i > 0;) {
    const int prev = prev_cluster(s, i);
    EXPECT_LT(prev, i);
    out.emplace(out.begin(),
                s.substr(static_cast<std::size_t>(prev), static_cast<std::size_t>(i - prev)));
    i = prev;
  }
  return out;
}

TEST(ClientUtf8, OneCharacterIsOneStepWhateverItsLength) {
  // 堃 (3 bytes), 𠮷 (4 bytes, a surrogate pair in UTF-16), 👍 (4 bytes), ASCII.
  const std::string text = "李堃𠮷野👍a";
  const std::vector<std::string> want = {"李", "堃", "𠮷", "野", "👍", "a"};
  EXPECT_EQ(clusters(text), want);
  EXPECT_EQ(backspaces(text), want);
}

TEST(ClientUtf8, EmojiSequencesAndMarksStayWhole) {
  const std::string thumbs_tone = "👍\xF0\x9F\x8F\xBD";          // 👍 + skin tone
  const std::string heart = "\xE2\x9D\xA4\xEF\xB8\x8F";         // ❤ + VS16
  const std::string family = "👨\xE2\x80\x8D👩\xE2\x80\x8D👧";     // ZWJ sequence
  const std::string flag = "\xF0\x9F\x87\xA8\xF0\x9F\x87\xB3";  // 🇨🇳
  const std::string accent = "e\xCC\x81";                       // e + combining acute
  const std::string text = "好" + thumbs_tone + heart + family + flag + flag + accent + "x";
  const std::vector<std::string> want = {"好", thumbs_tone, heart, family, flag, flag, accent, "x"};
  EXPECT_EQ(clusters(text), want);
  EXPECT_EQ(backspaces(text), want);
}

TEST(ClientUtf8, LineBreaksAreTheirOwnCharacterAndStopClusters) {
  const std::string text =
      "a\r\nb\n\xE2\x80\x8D";  // a ZWJ at a line's start joins nothing before it
  const std::vector<std::string> want = {"a", "\r\n", "b", "\n", "\xE2\x80\x8D"};
  EXPECT_EQ(clusters(text), want);
  EXPECT_EQ(backspaces(text), want);
}

TEST(ClientUtf8, OffsetsOutsideTheTextAreClamped) {
  EXPECT_EQ(next_cluster("ab", 5), 2);
  EXPECT_EQ(next_cluster("ab", -1), 0);
  EXPECT_EQ(prev_cluster("ab", 0), 0);
  EXPECT_EQ(prev_cluster("ab", 9), 1);
}

}  // namespace
}  // namespace portal::client
