// SHA-256 against the FIPS 180 vectors, and the audit chain: canonical form, sealing,
// verification, and tampering detected with the event named.
#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "portal/core/audit.hpp"
#include "portal/core/sha256.hpp"

namespace {

using portal::core::AuditEvent;
using portal::core::sha256_hex;
using portal::core::verify_chain;

// [SECTION] SHA-256
TEST(Sha256, FipsVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(
      sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklm"
                 "nopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(Sha256, MillionAs) {
  const std::string expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')), expected);
  // The same through the incremental interface, in uneven pieces.
  portal::core::Sha256 h;
  const std::string chunk(997, 'a');
  std::size_t left = 1000000;
  for (std::size_t step = 1; left > 0; step = step % 1500 + 7) {
    const std::size_t n = std::min({step, left, chunk.size()});
    h.update(chunk.data(), n);
    left -= n;
  }
  EXPECT_EQ(portal::core::to_hex(h.finish()), expected);
}

TEST(Sha256, PaddingBoundaries) {
  // Lengths around the 56- and 64-byte block edges (checked against coreutils sha256sum).
  EXPECT_EQ(sha256_hex(std::string(55, 'a')),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(sha256_hex(std::string(56, 'a')),
            "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(sha256_hex(std::string(63, 'a')),
            "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34");
  EXPECT_EQ(sha256_hex(std::string(64, 'a')),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
  EXPECT_EQ(sha256_hex(std::string(65, 'a')),
            "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0");
  EXPECT_EQ(sha256_hex(std::string(119, 'a')),
            "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb");
  EXPECT_EQ(sha256_hex(std::string(120, 'a')),
            "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c");
  EXPECT_EQ(sha256_hex("hello\n"),
            "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
}

TEST(Sha256, ResetAndReuse) {
  portal::core::Sha256 h;
  h.update("junk");
  (void)h.finish();
  h.reset();
  h.update("a");
  h.update("bc");
  EXPECT_EQ(portal::core::to_hex(h.finish()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// The CPU's SHA extensions and the plain code compute the same compression, block for
// block, from the same states; and every length through the public interface, in one
// piece or several, matches libsodium's SHA-256.
TEST(Sha256, HardwareAndPortableAgree) {
  std::mt19937_64 rng(20261205);
  std::vector<std::uint8_t> data(64 * 40);
  for (auto& b : data) b = static_cast<std::uint8_t>(rng());
  std::uint32_t probe[8] = {};
  if (!portal::core::detail::sha256_blocks_hardware(probe, data.data(), 1))
    GTEST_SKIP() << "this CPU has no SHA extensions: only the portable code runs here";
  for (std::size_t n = 1; n <= 40; ++n) {
    std::uint32_t a[8], b[8];
    for (int i = 0; i < 8; ++i) a[i] = b[i] = static_cast<std::uint32_t>(rng());
    portal::core::detail::sha256_blocks_portable(a, data.data(), n);
    ASSERT_TRUE(portal::core::detail::sha256_blocks_hardware(b, data.data(), n));
    for (int i = 0; i < 8; ++i) ASSERT_EQ(a[i], b[i]) << n << " blocks, word " << i;
  }
}

// SHA-256 with the plain compression function alone, whatever the CPU has: the FIPS
// padding written out here, apart from Sha256's, so the portable code meets the vectors
// too on machines where Sha256 itself runs on the SHA extensions.
std::string portable_sha256_hex(std::string_view data) {
  std::uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::string m(data);
  m += '\x80';
  while (m.size() % 64 != 56) m += '\0';
  for (int i = 7; i >= 0; --i) m += static_cast<char>(std::uint64_t{data.size()} * 8 >> (8 * i));
  portal::core::detail::sha256_blocks_portable(h, reinterpret_cast<const std::uint8_t*>(m.data()),
                                               m.size() / 64);
  portal::core::Sha256::Digest d;
  for (int i = 0; i < 32; ++i) d[i] = static_cast<std::uint8_t>(h[i / 4] >> (24 - 8 * (i % 4)));
  return portal::core::to_hex(d);
}

TEST(Sha256, PortablePathMatchesVectorsAndSha256) {
  EXPECT_EQ(portable_sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(portable_sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(portable_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(portable_sha256_hex(
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklm"
                "nopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  EXPECT_EQ(portable_sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // Every length through Sha256 (the SHA extensions where present), whole and in random
  // pieces, against the portable code.
  std::mt19937_64 rng(20261205);
  std::string data(300, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  for (std::size_t len = 0; len <= data.size(); ++len) {
    const std::string_view s(data.data(), len);
    const std::string want = portable_sha256_hex(s);
    ASSERT_EQ(sha256_hex(s), want) << "length " << len;
    portal::core::Sha256 h;
    for (std::size_t at = 0; at < len;) {
      const std::size_t n = std::min<std::size_t>(len - at, rng() % 150);
      h.update(data.data() + at, n);
      at += n;
    }
    ASSERT_EQ(portal::core::to_hex(h.finish()), want) << "length " << len << " in pieces";
  }
  std::uint32_t probe[8] = {};
  if (!portal::core::detail::sha256_blocks_hardware(
          probe, reinterpret_cast<const std::uint8_t*>(data.data()), 1))
    GTEST_SKIP() << "vectors checked; this CPU has no SHA extensions, so Sha256 ran the "
                    "portable code too";
}

TEST(Sha256, EveryLengthMatchesLibsodium) {
  std::mt19937_64 rng(7);
  std::string data(300, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  for (std::size_t len = 0; len <= data.size(); ++len) {
    unsigned char want[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(want, reinterpret_cast<const unsigned char*>(data.data()), len);
    const auto whole = portal::core::sha256(std::string_view(data.data(), len));
    ASSERT_EQ(std::memcmp(whole.data(), want, sizeof want), 0) << "length " << len;
    portal::core::Sha256 h;
    for (std::size_t at = 0; at < len;) {
      const std::size_t n = std::min<std::size_t>(len - at, rng() % 150);
      h.update(data.data() + at, n);
      at += n;
    }
    const auto pieces = h.finish();
    ASSERT_EQ(std::memcmp(pieces.data(), want, sizeof want), 0) << "length " << len << " in pieces";
  }
}

// [SECTION] Canonical form
AuditEvent sample(int i) {
  AuditEvent e;
  e.ticket = "RC2026112500000123";
  e.at = "2026-11-25T03:0" + std::to_string(i % 10) + ":00Z";
  e.actor_id = "u" + std::to_string(i);
  e.actor_role = "grid_worker";
  e.actor_name = "王伟";
  e.action = i == 0 ? "submit" : "progress";
  e.from_status = i == 0 ? "" : "in_progress";
  e.to_status = i == 0 ? "submitted" : "in_progress";
  e.level = "grid";
  e.note = "第" + std::to_string(i) + "次记录: \"路灯\" 不亮\\";
  e.data = R"({"unit_ids":["dept.urban"],"n":1.50})";
  return e;
}

TEST(Audit, CanonicalFormIsCompactSortedJson) {
  AuditEvent e = sample(1);
  e.note = "tab\there\nquote\" back\\ ctl\x01\x1f 中文";
  const std::string c = portal::core::canonical_form(e);
  // The same as nlohmann::json's compact dump of the object (keys sorted).
  nlohmann::json j = {{"seq", e.seq},
                      {"ticket", e.ticket},
                      {"at", e.at},
                      {"actor_id", e.actor_id},
                      {"actor_role", e.actor_role},
                      {"actor_name", e.actor_name},
                      {"action", e.action},
                      {"from_status", e.from_status},
                      {"to_status", e.to_status},
                      {"level", e.level},
                      {"note", e.note},
                      {"data", e.data}};
  EXPECT_EQ(c, j.dump());
  AuditEvent plain = sample(1);
  plain.note = "x";
  EXPECT_EQ(portal::core::canonical_form(plain).find(' '), std::string::npos);  // no whitespace
  EXPECT_NE(c.find(R"("data":"{\"unit_ids\":[\"dept.urban\"],\"n\":1.50}")"), std::string::npos);
  EXPECT_EQ(c.rfind("{\"action\":", 0), 0u);
}

TEST(Audit, CanonicalFormSeparatesFields) {
  // Moving text from one field to the next changes the form (no ambiguity).
  AuditEvent a = sample(1), b = sample(1);
  a.actor_name = "王";
  a.actor_role = "伟grid_worker";
  b.actor_name = "王伟";
  b.actor_role = "grid_worker";
  EXPECT_NE(portal::core::canonical_form(a), portal::core::canonical_form(b));
  // Bytes that are not UTF-8 are kept as they are, not replaced.
  AuditEvent c = sample(1), d = sample(1);
  c.note = "\xff";
  d.note = "\xfe";
  EXPECT_NE(portal::core::canonical_form(c), portal::core::canonical_form(d));
}

// [SECTION] The chain
std::vector<AuditEvent> chain_of(int n) {
  std::vector<AuditEvent> chain;
  for (int i = 0; i < n; ++i) portal::core::append(chain, sample(i));
  return chain;
}

TEST(Audit, AppendSealsAndLinks) {
  const auto chain = chain_of(5);
  ASSERT_EQ(chain.size(), 5u);
  EXPECT_EQ(chain[0].seq, 1);
  EXPECT_EQ(chain[4].seq, 5);
  EXPECT_EQ(chain[0].prev_hash, std::string(64, '0'));
  EXPECT_EQ(chain[0].prev_hash, portal::core::kGenesisHash);
  for (std::size_t i = 1; i < chain.size(); ++i) EXPECT_EQ(chain[i].prev_hash, chain[i - 1].hash);
  // hash = hex(SHA-256(prev_hash + "\n" + canonical form)).
  for (const auto& e : chain) {
    EXPECT_EQ(e.hash.size(), 64u);
    EXPECT_EQ(e.hash, sha256_hex(e.prev_hash + "\n" + portal::core::canonical_form(e)));
  }
  const auto check = verify_chain(chain);
  EXPECT_TRUE(check.ok);
  EXPECT_TRUE(verify_chain(chain, chain.back().hash).ok);
  EXPECT_TRUE(verify_chain({}).ok);
  EXPECT_TRUE(verify_chain({}, portal::core::kGenesisHash).ok);
}

TEST(Audit, SealMatchesAppend) {
  auto chain = chain_of(2);
  AuditEvent e = sample(1);
  e.seq = 2;
  portal::core::seal(e, chain[0].hash);
  EXPECT_EQ(e.hash, chain[1].hash);
}

TEST(Audit, EditedFieldIsNamedBySeq) {
  // Every field of event 3 is covered by its hash.
  const std::vector<std::string AuditEvent::*> fields = {
      &AuditEvent::ticket,      &AuditEvent::at,         &AuditEvent::actor_id,
      &AuditEvent::actor_role,  &AuditEvent::actor_name, &AuditEvent::action,
      &AuditEvent::from_status, &AuditEvent::to_status,  &AuditEvent::level,
      &AuditEvent::note,        &AuditEvent::data};
  for (auto field : fields) {
    auto chain = chain_of(6);
    chain[2].*field += "x";
    const auto check = verify_chain(chain);
    EXPECT_FALSE(check.ok);
    EXPECT_EQ(check.bad_seq, 3);
    EXPECT_EQ(check.index, 2u);
    EXPECT_EQ(check.reason, "hash_mismatch");
  }
}

TEST(Audit, RehashedEditBreaksTheNextLink) {
  auto chain = chain_of(6);
  chain[2].note = "nothing happened";
  portal::core::seal(chain[2], chain[1].hash);  // the forger recomputes this event's hash
  const auto check = verify_chain(chain);
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.bad_seq, 4);
  EXPECT_EQ(check.reason, "broken_link");
}

TEST(Audit, ForgedHashOrLinkIsDetected) {
  auto chain = chain_of(4);
  chain[1].hash[0] = chain[1].hash[0] == 'a' ? 'b' : 'a';
  auto check = verify_chain(chain);
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.bad_seq, 2);
  chain = chain_of(4);
  chain[0].prev_hash[63] = '1';  // the first event must start from the genesis hash
  check = verify_chain(chain);
  EXPECT_EQ(check.bad_seq, 1);
  EXPECT_EQ(check.reason, "broken_link");
}

TEST(Audit, DeletedInsertedOrReorderedEventsAreDetected) {
  auto chain = chain_of(5);
  chain.erase(chain.begin() + 1);
  auto check = verify_chain(chain);
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.index, 1u);
  EXPECT_EQ(check.bad_seq, 3);
  EXPECT_EQ(check.reason, "bad_seq");

  chain = chain_of(5);
  std::swap(chain[1], chain[2]);
  check = verify_chain(chain);
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.index, 1u);

  chain = chain_of(5);
  AuditEvent extra = sample(9);
  extra.seq = 3;
  portal::core::seal(extra, chain[1].hash);
  chain.insert(chain.begin() + 2, extra);
  check = verify_chain(chain);
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.index, 3u);  // the old event 3 is now 4th: its seq no longer fits
}

TEST(Audit, TruncatedTailNeedsTheRecordedHead) {
  auto chain = chain_of(5);
  const std::string head = chain.back().hash;
  chain.pop_back();
  EXPECT_TRUE(verify_chain(chain).ok);  // a chain alone cannot know it lost its end
  const auto check = verify_chain(chain, head);
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.reason, "head_mismatch");
  EXPECT_EQ(check.bad_seq, 5);
}

TEST(Audit, EventsAreBoundToTheirTicket) {
  std::vector<AuditEvent> a, b;
  AuditEvent e = sample(0);
  portal::core::append(a, e);
  e.ticket = "RC2026112500000124";
  portal::core::append(b, e);
  EXPECT_NE(a[0].hash, b[0].hash);
}

}  // namespace
