// Telephone numbers in the client's text become tap-to-call links (client/app/format).
#include <gtest/gtest.h>

#include "app/format.hpp"

namespace portal::client {
namespace {

TEST(ClientFormat, TelephoneNumbersBecomeTelLinks) {
  EXPECT_EQ(tel_uri("12345"), "tel:12345");
  EXPECT_EQ(tel_uri("0537-2345678"), "tel:05372345678");
  EXPECT_EQ(tel_uri("电话 0537 2345 678（工作日）"), "tel:05372345678");
  EXPECT_EQ(tel_uri("+86 138 0013 8000"), "tel:+8613800138000");
  EXPECT_EQ(tel_uri("济阳街道 1 号，0537-2211000"), "tel:05372211000");
}

TEST(ClientFormat, MaskedShortOrNoNumbersAreNoLinks) {
  EXPECT_EQ(tel_uri("138****8077"), "");
  EXPECT_EQ(tel_uri("李*  138****8077"), "");
  EXPECT_EQ(tel_uri("3 号楼 2 单元"), "");
  EXPECT_EQ(tel_uri("1234"), "");
  EXPECT_EQ(tel_uri(""), "");
  EXPECT_EQ(tel_uri("+"), "");
  EXPECT_EQ(tel_uri("1234567890123456789"), "");
}

}  // namespace
}  // namespace portal::client
