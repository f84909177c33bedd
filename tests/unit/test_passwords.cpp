#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <optional>
#include <string>

#include "server/service/passwords.hpp"

using namespace portal::server;

namespace {

// The error code for a password, or "" when it is accepted.
std::string verdict(std::string_view pw, std::string_view phone = "13912345678",
                    std::string_view username = "zhangsan") {
  auto err = check_password_strength(pw, phone, username);
  if (!err) return "";
  EXPECT_EQ(err->field, "password");
  EXPECT_EQ(err->status, 422);
  EXPECT_FALSE(err->message.empty());
  return err->code;
}

}  // namespace

// [SECTION] Hashing

TEST(Passwords, HashIsArgon2idWithInteractiveLimitsAndVerifies) {
  const std::string hash = hash_password("正确的马电池订书钉");
  EXPECT_TRUE(hash.starts_with("$argon2id$v=19$m=65536,t=2,p=1$")) << hash;
  EXPECT_TRUE(verify_password(hash, "正确的马电池订书钉"));
  EXPECT_FALSE(verify_password(hash, "正确的马电池订书"));
  EXPECT_FALSE(verify_password(hash, ""));
  EXPECT_FALSE(needs_rehash(hash));
}

TEST(Passwords, SaltMakesEveryHashDifferent) {
  const std::string a = hash_password("same password"), b = hash_password("same password");
  EXPECT_NE(a, b);
  EXPECT_TRUE(verify_password(a, "same password"));
  EXPECT_TRUE(verify_password(b, "same password"));
}

TEST(Passwords, PasswordsWithNulBytesAreHashedWhole) {
  const std::string pw("abc\0defghij", 11);
  const std::string hash = hash_password(pw);
  EXPECT_TRUE(verify_password(hash, pw));
  EXPECT_FALSE(verify_password(hash, "abc"));
}

TEST(Passwords, MalformedHashesVerifyNothing) {
  EXPECT_FALSE(verify_password("", ""));
  EXPECT_FALSE(verify_password("", "password"));
  EXPECT_FALSE(verify_password("plain text", "plain text"));
  EXPECT_FALSE(verify_password("$argon2id$v=19$m=65536,t=2,p=1$AAAA$BBBB", "x"));
  EXPECT_FALSE(verify_password(std::string(1000, 'a'), "a"));
  EXPECT_FALSE(verify_password(std::string("$argon2id\0$", 11), "a"));
  EXPECT_TRUE(needs_rehash(""));
  EXPECT_TRUE(needs_rehash("plain text"));
}

TEST(Passwords, OtherLimitsOrArgon2iNeedARehash) {
  ASSERT_GE(sodium_init(), 0);
  std::array<char, crypto_pwhash_STRBYTES> out{};
  ASSERT_EQ(crypto_pwhash_str_alg(out.data(), "pw", 2, crypto_pwhash_OPSLIMIT_MIN,
                                  crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13),
            0);
  EXPECT_TRUE(verify_password(out.data(), "pw"));
  EXPECT_TRUE(needs_rehash(out.data()));

  // argon2i has its own minimum of 3 passes.
  ASSERT_EQ(crypto_pwhash_str_alg(out.data(), "pw", 2, crypto_pwhash_argon2i_OPSLIMIT_INTERACTIVE,
                                  crypto_pwhash_argon2i_MEMLIMIT_INTERACTIVE,
                                  crypto_pwhash_ALG_ARGON2I13),
            0);
  EXPECT_TRUE(std::string_view(out.data()).starts_with("$argon2i$"));
  EXPECT_TRUE(verify_password(out.data(), "pw"));
  EXPECT_TRUE(needs_rehash(out.data()));
}

TEST(Passwords, DummyVerificationAlwaysFails) {
  EXPECT_FALSE(verify_password_dummy("dummy password for unknown logins"));
  EXPECT_FALSE(verify_password_dummy(""));
}

// [SECTION] Strength

TEST(PasswordStrength, AcceptsOrdinaryGoodPasswords) {
  EXPECT_EQ(verdict("correct horse battery staple"), "");
  EXPECT_EQ(verdict("Tr0ub4dor&3"), "");
  EXPECT_EQ(verdict("wo-jia-zai-guhuai-lu"), "");
  EXPECT_EQ(verdict("我家门口的梧桐树"), "");  // 8 hanzi
  EXPECT_EQ(verdict("83920571"), "");          // digits alone are fine when not a pattern
  EXPECT_EQ(verdict("zhangsan83920571"), "");  // the username plus real entropy
  EXPECT_EQ(verdict("mypassw0rdmypassw0rd"), "");
}

TEST(PasswordStrength, LengthCountsCharactersNotBytes) {
  EXPECT_EQ(verdict(""), "password_too_short");
  EXPECT_EQ(verdict("x7#kq2m"), "password_too_short");
  EXPECT_EQ(verdict("梧桐树下的猫"), "password_too_short");  // 6 characters, 18 bytes
  std::string long_pw;
  for (int i = 0; i < 129; ++i) long_pw += static_cast<char>('a' + (i * 7) % 26);
  EXPECT_EQ(verdict(long_pw), "password_too_long");
  EXPECT_EQ(verdict(long_pw.substr(0, 128)), "");
}

TEST(PasswordStrength, RefusesBrokenText) {
  EXPECT_EQ(verdict("abc\xff\xfe-qwz-917"), "password_invalid");
  EXPECT_EQ(verdict(std::string("abcd\0efgh-917", 13)), "password_invalid");
  EXPECT_EQ(verdict("abcd\nefgh-917"), "password_invalid");
  EXPECT_EQ(verdict("\xed\xa0\x80surrogate-917"), "password_invalid");
}

TEST(PasswordStrength, RefusesCommonPasswordsChineseFavouritesIncluded) {
  for (const char* pw : {"123456789", "12345678", "11111111", "88888888", "147258369", "woaini1314",
                         "5201314520", "1qaz2wsx", "qq123456789", "a12345678", "password",
                         "iloveyou", "qwertyuiop", "dearbook", "Aa123456", "PASSWORD1", "P@ssw0rd"})
    EXPECT_NE(verdict(pw), "") << pw;
  EXPECT_EQ(verdict("woaini1314"), "password_too_common");
  EXPECT_EQ(verdict("WoAiNi1314"), "password_too_common");
  EXPECT_EQ(verdict("dearbook"), "password_too_common");
  EXPECT_TRUE(is_common_password("123456"));
  EXPECT_TRUE(is_common_password("5201314"));
  EXPECT_TRUE(is_common_password("QQ123456"));
  EXPECT_TRUE(is_common_password("666666"));
  EXPECT_FALSE(is_common_password("wo-jia-zai-guhuai-lu"));
}

TEST(PasswordStrength, RefusesCommonPasswordsWithFillerAround) {
  EXPECT_EQ(verdict("woaini1314!"), "password_too_common");
  EXPECT_EQ(verdict("qq5201314"), "password_too_common");
  EXPECT_EQ(verdict("password2024"), "password_too_common");
  EXPECT_EQ(verdict("2024iloveyou"), "password_too_common");
  EXPECT_EQ(verdict("iloveyou12345678"), "password_too_common");
  EXPECT_EQ(verdict("p@ssw0rd!!"), "password_too_common");
  EXPECT_EQ(verdict("Admin@1234"), "password_too_common");
}

TEST(PasswordStrength, RefusesSimplePatterns) {
  EXPECT_EQ(verdict("bcdefghijk"), "password_too_simple");
  EXPECT_EQ(verdict("98765432"), "password_too_simple");
  EXPECT_EQ(verdict("34567890"), "password_too_simple");
  EXPECT_EQ(verdict("rrrrrrrrrr"), "password_too_simple");
  EXPECT_EQ(verdict("哈哈哈哈哈哈哈哈"), "password_too_simple");
  EXPECT_EQ(verdict("abcabcabc"), "password_too_simple");
  EXPECT_EQ(verdict("52105210"), "password_too_simple");
  EXPECT_EQ(verdict("19900101"), "password_too_simple");  // a birthday
  EXPECT_EQ(verdict("01011990"), "password_too_simple");
  EXPECT_EQ(verdict("poiuytrewq"), "password_too_simple");  // keyboard, backwards
  EXPECT_EQ(verdict("b23456789"), "password_too_simple");
  EXPECT_EQ(verdict("xy4444444444"), "password_too_simple");
}

TEST(PasswordStrength, RefusesPasswordsBuiltFromTheAccount) {
  EXPECT_EQ(verdict("13912345678"), "password_like_account");
  EXPECT_EQ(verdict("zs13912345678"), "password_like_account");
  EXPECT_EQ(verdict("12345678", "13912345678"), "password_like_account");     // the last 8 digits
  EXPECT_EQ(verdict("87654321931", "13912345678"), "password_like_account");  // backwards
  EXPECT_EQ(verdict("zhangsan"), "password_like_account");
  EXPECT_EQ(verdict("ZhangSan2024"), "password_like_account");
  EXPECT_EQ(verdict("nasgnahz"), "password_like_account");
  EXPECT_EQ(verdict("zhangsan!!"), "password_like_account");
  // Landline numbers are compared by their digits.
  EXPECT_EQ(verdict("0537-2345671", "0537-2345671", ""), "password_like_account");
  EXPECT_EQ(verdict("05372345671x", "0537-2345671", ""), "password_like_account");
  // No account details: only the other rules apply.
  EXPECT_EQ(verdict("wo-jia-zai-guhuai-lu", "", ""), "");
}
