// mask_phones_in_text: every spelling of a phone number inside free text is masked,
// ordinary numbers are not.
#include <gtest/gtest.h>

#include <string>

#include "portal/core/phone_mask.hpp"
#include "tests/common/digits.hpp"

using portal::core::mask_phones_in_text;
using portal::test::digits_of;

namespace {

struct Spelling {
  const char* text;
  const char* secret;  // digits that must not survive (the subscriber number's middle)
};

}  // namespace

TEST(PhoneMask, MasksEverySpellingOfAMobile) {
  const Spelling cases[] = {
      {"电话13812345678请回电", "12345678"},
      {"电话 138 1234 5678 请回电", "12345678"},
      {"电话138-1234-5678", "12345678"},
      {"电话１３８１２３４５６７８", "12345678"},
      {"电话１３８　１２３４　５６７８", "12345678"},
      {"电话 +86 138 1234 5678", "12345678"},
      {"电话+86-138-1234-5678", "12345678"},
      {"电话＋８６ １３８－１２３４－５６７８", "12345678"},
      {"电话 0086 138 1234 5678", "12345678"},
      {"电话0086-13812345678", "12345678"},
      {"电话 86 138 1234 5678", "12345678"},
      {"电话8613812345678", "12345678"},
      {"电话 138 1234-5678 或 138.1234.5678", "12345678"},
      {"电话（138）1234 5678", "12345678"},
      {"电话 138 - 1234 - 5678", "12345678"},
      {"电话 138\xC2\xA0"
       "1234\xC2\xA0"
       "5678",
       "12345678"},
      {"电话 1 3 8 1 2 3 4 5 6 7 8", "12345678"},
      {"电话 138/1234_5678", "12345678"},
      {"电话 138 12345678", "12345678"},
  };
  for (const auto& c : cases) {
    const std::string out = mask_phones_in_text(c.text);
    EXPECT_EQ(digits_of(out).find(c.secret), std::string::npos) << c.text << " → " << out;
    EXPECT_EQ(digits_of(out).find("1234"), std::string::npos) << c.text << " → " << out;
    EXPECT_NE(out.find('*'), std::string::npos) << c.text << " → " << out;
    EXPECT_EQ(out.substr(0, 6), "电话") << c.text;
  }
}

// Exact masks: a mobile keeps 3 + 4 digits, a landline its area code and last 2, a
// country prefix stays; other runs of 7+ digits (ID and card numbers) are masked too.
TEST(PhoneMask, ExactMasks) {
  const std::pair<const char*, const char*> cases[] = {
      {"13812345678", "138****5678"},
      {"138 1234 5678", "138 **** 5678"},
      {"+86-138-1234-5678", "+86-138-****-5678"},
      {"１３８１２３４５６７８", "１３８****５６７８"},
      {"0537-1234567", "0537-*****67"},
      {"(0537)1234567", "(0537)*****67"},
      {"（0537）1234567", "（0537）*****67"},
      {"0537 12345678", "0537 ******78"},
      {"010-12345678", "010-******78"},
      {"+86 537 1234567", "+86 537 *****67"},
      {"05371234567", "0537*****67"},
      {"０５３７－１２３４５６７", "０５３７－*****６７"},
      {"0537-1234567 13812345678", "0537-*****67 138****5678"},
      {"编号 12 13812345678", "编号 12 138****5678"},
      {"身份证370802199001011234", "身份证370***********1234"},
      {"卡号 1234567", "卡号 *****67"},
  };
  for (const auto& [in, out] : cases) EXPECT_EQ(mask_phones_in_text(in), out) << in;
}

TEST(PhoneMask, LeavesOrdinaryNumbersAlone) {
  const char* kept[] = {
      "工单 RC2026112500000123 已合并",
      "RC2026112500000123",
      "2026-11-25 上午 08:30 发现",
      "2026年11月25日",
      "2026/11/25 至 2026/12/01",
      "古槐路12号院3号楼2单元501室",
      "罚款300元，共计1,200元",
      "拨打 12345 热线",
      "第 3 次反映，约 50 户受影响",
      "温度 36.5 度",
      "",
      "没有数字的描述",
  };
  for (const char* t : kept) EXPECT_EQ(mask_phones_in_text(t), t);
}

TEST(PhoneMask, LongTextsStayLinear) {
  std::string text;
  for (int i = 0; i < 4000; ++i) text += "1 ";
  EXPECT_EQ(mask_phones_in_text(text), text);
  std::string digits(4000, '7');
  EXPECT_EQ(mask_phones_in_text(digits).size(), digits.size());
}

TEST(PhoneMask, InvalidUtf8PassesThrough) {
  const std::string bad = "\xE3\x80 13812345678 \xEF\xBC";
  const std::string out = mask_phones_in_text(bad);
  EXPECT_EQ(digits_of(out).find("12345678"), std::string::npos) << out;
}
