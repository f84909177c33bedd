#include <gtest/gtest.h>

#include <set>
#include <string>

#include "server/service/tokens.hpp"

using namespace portal::server;

namespace {

bool base64url(std::string_view s) {
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

}  // namespace

TEST(Tokens, SessionTokensAre256BitsOfBase64Url) {
  const std::string t = new_session_token();
  EXPECT_EQ(t.size(), 43u);  // 32 bytes, no padding
  EXPECT_TRUE(base64url(t)) << t;
  EXPECT_TRUE(looks_like_session_token(t));
  EXPECT_FALSE(looks_like_api_key(t));
}

TEST(Tokens, TokensDoNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) seen.insert(new_session_token());
  EXPECT_EQ(seen.size(), 2000u);
}

TEST(Tokens, TokensUseTheWholeAlphabet) {
  // 256 bits a token: over many tokens every base64url character shows up.
  std::set<char> chars;
  for (int i = 0; i < 200; ++i)
    for (char c : new_session_token()) chars.insert(c);
  EXPECT_EQ(chars.size(), 64u);
}

TEST(Tokens, ApiKeysHaveThePrefix) {
  const std::string k = new_api_key();
  EXPECT_TRUE(k.starts_with("rk_"));
  EXPECT_EQ(k.size(), 46u);
  EXPECT_TRUE(base64url(k.substr(3)));
  EXPECT_TRUE(looks_like_api_key(k));
  EXPECT_FALSE(looks_like_session_token(k));
  EXPECT_NE(new_api_key(), k);
}

TEST(Tokens, HashIsHexSha256) {
  // FIPS 180-2 test vectors.
  EXPECT_EQ(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(token_hash(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const std::string t = new_session_token();
  EXPECT_EQ(token_hash(t), token_hash(t));
  EXPECT_NE(token_hash(t), token_hash(new_session_token()));
  EXPECT_EQ(token_hash(t).size(), 64u);
  EXPECT_EQ(token_hash(std::string("a\0b", 3)).size(), 64u);
  EXPECT_NE(token_hash(std::string("a\0b", 3)), token_hash("a"));
}

TEST(Tokens, ConstantTimeEqual) {
  const std::string h = token_hash("x");
  EXPECT_TRUE(constant_time_equal(h, token_hash("x")));
  EXPECT_FALSE(constant_time_equal(h, token_hash("y")));
  EXPECT_FALSE(constant_time_equal(h, h.substr(0, 63)));
  EXPECT_FALSE(constant_time_equal("", "a"));
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(Tokens, ShapeChecksRefuseGarbage) {
  EXPECT_FALSE(looks_like_session_token(""));
  EXPECT_FALSE(looks_like_session_token(std::string(43, '=')));
  EXPECT_FALSE(looks_like_session_token(std::string(42, 'a')));
  EXPECT_FALSE(looks_like_session_token(std::string(44, 'a')));
  EXPECT_FALSE(looks_like_session_token(std::string(42, 'a') + "\n"));
  EXPECT_FALSE(looks_like_session_token(std::string(42, 'a') + "+"));
  EXPECT_TRUE(looks_like_session_token(std::string(43, 'a')));
  EXPECT_FALSE(looks_like_api_key("rk_"));
  EXPECT_FALSE(looks_like_api_key("xx_" + std::string(43, 'a')));
  EXPECT_TRUE(looks_like_api_key("rk_" + std::string(43, '-')));
}
