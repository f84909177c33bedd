// mask_phones_in_text: every spelling of a phone number inside free text is masked,
// ordinary numbers are not.
#include <gtest/gtest.h>

#include <string>

#include "portal/core/phone_mask.hpp"

using portal::core::mask_phones_in_text;

namespace {

// The ASCII digits of a text, full-width digits read as ASCII.
std::string digits_of(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      out += s[i];
    } else if (static_cast<unsigned char>(s[i]) == 0xEF && i + 2 < s.size() &&
               static_cast<unsigned char>(s[i + 1]) == 0xBC) {
      const auto d = static_cast<unsigned char>(s[i + 2]);
      if (d >= 0x90 && d <= 0x99) out += static_cast<char>('0' + (d - 0x90)), i += 2;
    }
  }
  return out;
}

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
  EXPECT_EQ(mask_phones_in_text("13812345678"), "138****5678");
  EXPECT_EQ(mask_phones_in_text("138 1234 5678"), "138 **** 5678");
  EXPECT_EQ(mask_phones_in_text("+86-138-1234-5678"), "+86-138-****-5678");
  EXPECT_EQ(mask_phones_in_text("１３８１２３４５６７８"), "１３８****５６７８");
}

TEST(PhoneMask, MasksLandlines) {
  EXPECT_EQ(mask_phones_in_text("0537-1234567"), "0537-*****67");
  EXPECT_EQ(mask_phones_in_text("(0537)1234567"), "(0537)*****67");
  EXPECT_EQ(mask_phones_in_text("（0537）1234567"), "（0537）*****67");
  EXPECT_EQ(mask_phones_in_text("0537 12345678"), "0537 ******78");
  EXPECT_EQ(mask_phones_in_text("010-12345678"), "010-******78");
  EXPECT_EQ(mask_phones_in_text("+86 537 1234567"), "+86 537 *****67");
  EXPECT_EQ(mask_phones_in_text("05371234567"), "0537*****67");
  EXPECT_EQ(mask_phones_in_text("０５３７－１２３４５６７"), "０５３７－*****６７");
}

TEST(PhoneMask, MasksSeveralNumbersAndLongDigitRuns) {
  EXPECT_EQ(mask_phones_in_text("0537-1234567 13812345678"), "0537-*****67 138****5678");
  EXPECT_EQ(mask_phones_in_text("编号 12 13812345678"), "编号 12 138****5678");
  // An ID number and a bank card: unbroken runs of 7 or more digits.
  EXPECT_EQ(mask_phones_in_text("身份证370802199001011234"), "身份证370***********1234");
  EXPECT_EQ(mask_phones_in_text("卡号 1234567"), "卡号 *****67");
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
