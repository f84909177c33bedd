// Photos stay with their owner, and uploads cost the attacker, not the server: each
// attack is sent to the real binary as an attacker would send it.
//  - another caller's photo named in a new ticket or a resolve: by its id, by its
//    content hash, by the id Open311 publishes in media_url;
//  - one photo linked twice; a photo read through any ticket but the one that has it;
//  - images that do not decode, or too large to decode;
//  - uploads beyond the rate limits and beyond what a caller may hold unclaimed.
#include <gtest/gtest.h>

#include <string>

#include "portal/core/json.hpp"
#include "tests/api/api_helpers.hpp"
#include "tests/image_samples.hpp"

using portal::core::Json;
using portal::test::bearer;
using portal::test::body_of;
using portal::test::login;
using portal::test::ServerProcess;

namespace {

portal::test::LazyServer g;

// A small real photo; `seed` makes a different one.
std::string photo(unsigned seed = 1) {
  return portal::test::noisy_png(8, 8, seed);
}

httplib::Result upload(ServerProcess& s, const std::string& bytes, const std::string& token = "") {
  return s.client().Post("/api/v1/attachments", token.empty() ? httplib::Headers{} : bearer(token),
                         bytes, "image/png");
}

// Uploads; the new attachment's answer (fails the test unless 201).
Json uploaded(ServerProcess& s, const std::string& bytes, const std::string& token = "") {
  auto r = upload(s, bytes, token);
  EXPECT_TRUE(r && r->status == 201) << (r ? r->body : "no answer");
  return body_of(r);
}

Json ticket_body(const std::vector<std::string>& photos, double lat = 35.41, double lng = 116.58) {
  return {{"category", "env.noise"},
          {"description", "夜间施工噪音很大，影响休息"},
          {"location", {{"lat", lat}, {"lng", lng}, {"address", "古槐路"}}},
          {"contact", {{"name", "李四"}, {"phone", "13912345678"}}},
          {"attachments", photos}};
}

httplib::Result submit(ServerProcess& s, const Json& body, const std::string& token = "") {
  return s.client().Post("/api/v1/tickets", token.empty() ? httplib::Headers{} : bearer(token),
                         body.dump(), "application/json");
}

httplib::Result read_photo(const std::string& id, const httplib::Headers& h = {}) {
  return g->client().Get(("/api/v1/attachments/" + id).c_str(), h);
}

void expect_error(const httplib::Result& r, int status, const std::string& code,
                  const std::string& field = "") {
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, status) << r->body;
  const Json e = body_of(r)["error"];
  EXPECT_EQ(e["code"], code) << r->body;
  if (!field.empty()) {
    EXPECT_EQ(e["field"], field) << r->body;
  }
}

}  // namespace

// Upload ids are random: a content hash, published or computed, names nothing.
TEST(PhotosAttack, AnUploadGetsARandomIdAndKeepsItsHash) {
  const std::string bytes = photo(11);
  const Json a = uploaded(*g, bytes), b = uploaded(*g, bytes);
  for (const char* k : {"id", "sha256", "width", "height", "bytes"})
    EXPECT_TRUE(a.contains(k)) << k;
  EXPECT_EQ(a["id"].get<std::string>().size(), 32u);
  EXPECT_NE(a["id"], b["id"]);          // the same bytes twice: two uploads
  EXPECT_EQ(a["sha256"], b["sha256"]);  // of the same content
  EXPECT_NE(a["id"], a["sha256"]);
  expect_error(submit(*g, ticket_body({a["sha256"]})), 422, "unknown_attachment", "attachments");
  expect_error(read_photo(a["sha256"]), 404, "not_found");
}

// Before: 201, and cz002 then read cz001's photo through their own ticket.
TEST(PhotosAttack, AnotherAccountsUploadCannotBeLinked) {
  const std::string owner = login(*g, "cz001"), thief = login(*g, "cz002");
  const std::string id = uploaded(*g, photo(21), owner)["id"];
  expect_error(submit(*g, ticket_body({id}), thief), 403, "attachment_not_yours", "attachments");
  expect_error(submit(*g, ticket_body({id})), 403, "attachment_not_yours", "attachments");
  // The uploader may preview their unclaimed upload; nobody else sees it.
  auto mine = read_photo(id, bearer(owner));
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->status, 200);
  expect_error(read_photo(id, bearer(thief)), 404, "not_found");
  expect_error(read_photo(id), 404, "not_found");
  // And the owner can still use it.
  auto r = submit(*g, ticket_body({id}), owner);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201) << r->body;
}

// Before: a handler resolved their own ticket with a citizen's photo (200) and read it.
TEST(PhotosAttack, AResolveCannotLinkAnotherUsersUpload) {
  const std::string citizen = login(*g, "cz003"), worker = login(*g, "gw0001");
  const std::string grid = body_of(g->client().Get("/api/v1/me", bearer(worker)))["grid_ids"][0];
  auto [lat, lng] = portal::test::grid_centre(*g, grid);
  auto t = submit(*g, ticket_body({}, lat, lng));
  ASSERT_TRUE(t && t->status == 201) << (t ? t->body : "");
  const std::string number = body_of(t)["number"];
  auto act = [&](const Json& body) {
    return g->client().Post(("/api/v1/tickets/" + number + "/actions").c_str(), bearer(worker),
                            body.dump(), "application/json");
  };
  ASSERT_EQ(act({{"action", "accept"}})->status, 200);

  const std::string theirs = uploaded(*g, photo(31), citizen)["id"];
  expect_error(act({{"action", "resolve"}, {"reply", "已处理"}, {"attachments", {theirs}}}), 403,
               "attachment_not_yours", "attachments");
  // A photo another ticket has already: refused too (an anonymous upload, claimed).
  const std::string claimed = uploaded(*g, photo(32))["id"];
  ASSERT_EQ(submit(*g, ticket_body({claimed}))->status, 201);
  expect_error(act({{"action", "resolve"}, {"reply", "已处理"}, {"attachments", {claimed}}}), 409,
               "attachment_already_used", "attachments");
  // Nothing of the refused resolves was kept; the worker's own photo goes in.
  const std::string own = uploaded(*g, photo(33), worker)["id"];
  auto ok = act({{"action", "resolve"}, {"reply", "已处理"}, {"attachments", {own}}});
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 200) << ok->body;
  const Json view = body_of(ok);
  ASSERT_EQ(view["attachments"].size(), 1u);
  EXPECT_EQ(view["attachments"][0]["id"], own);
  expect_error(read_photo(theirs, bearer(worker)), 404, "not_found");
}

// Before: the id in media_url went into the attacker's anonymous ticket (201), whose
// access code then opened the victim's photo (200).
TEST(PhotosAttack, TheIdOpen311PublishesCannotBeLinkedAgain) {
  const std::string id = uploaded(*g, photo(41))["id"];
  auto victim = submit(*g, ticket_body({id}));
  ASSERT_TRUE(victim && victim->status == 201) << (victim ? victim->body : "");
  const std::string number = body_of(victim)["number"], code = body_of(victim)["access_code"];

  auto pub = g->client().Get(("/open311/v2/requests/" + number + ".json").c_str());
  ASSERT_TRUE(pub && pub->status == 200);
  const std::string media = Json::parse(pub->body)[0]["media_url"];
  const std::string published = media.substr(media.rfind('/') + 1);
  EXPECT_EQ(published, id);

  expect_error(submit(*g, ticket_body({published})), 409, "attachment_already_used", "attachments");
  expect_error(submit(*g, ticket_body({published}), login(*g, "cz004")), 409,
               "attachment_already_used", "attachments");
  // The photo stays readable through its own ticket, and only there.
  auto own = read_photo(id, {{"X-Access-Code", code}});
  ASSERT_TRUE(own);
  EXPECT_EQ(own->status, 200);
  expect_error(read_photo(id), 404, "not_found");
}

TEST(PhotosAttack, APhotoIsLinkedOnceAndReadOnlyThroughItsTicket) {
  const std::string owner = login(*g, "cz005");
  const std::string id = uploaded(*g, photo(51), owner)["id"];
  expect_error(submit(*g, ticket_body({id, id}), owner), 422, "duplicate_attachment",
               "attachments");
  auto first = submit(*g, ticket_body({id}), owner);
  ASSERT_TRUE(first && first->status == 201) << (first ? first->body : "");
  expect_error(submit(*g, ticket_body({id}), owner), 409, "attachment_already_used", "attachments");

  // Another anonymous ticket's access code opens its own ticket, not this photo.
  auto other = submit(*g, ticket_body({}));
  ASSERT_TRUE(other && other->status == 201);
  const std::string other_code = body_of(other)["access_code"];
  expect_error(read_photo(id, {{"X-Access-Code", other_code}}), 404, "not_found");
  expect_error(read_photo(id, bearer(login(*g, "cz006"))), 404, "not_found");
  auto mine = read_photo(id, bearer(owner));
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->status, 200);
}

// Before: 201 — the structure (lengths, CRCs) is whole, and nothing was decoded.
TEST(PhotosAttack, APngHeaderOverRandomBytesIsRefused) {
  expect_error(upload(*g, portal::test::png_over_random_bytes(256, 256, 20'000)), 422,
               "not_an_image", "body");
}

// Before: 201 (the cap was 40 MP).
TEST(PhotosAttack, TwentySixMegapixelsAreRefused) {
  expect_error(upload(*g, portal::test::png_with_header(6'000, 4'334)), 422, "image_too_large",
               "body");
}

// Before: no limit at all. Per account: 20 at once, per address: 30 (scaled by 0.1 here).
TEST(PhotosAttack, UploadsAreRateLimitedPerAccountAndPerAddress) {
  ServerProcess s({"--rate-limit-scale", "0.1"});  // account: 2 at once, address: 3
  const std::string token = login(s, "cz001");
  EXPECT_EQ(upload(s, photo(61), token)->status, 201);
  EXPECT_EQ(upload(s, photo(62), token)->status, 201);
  auto account = upload(s, photo(63), token);
  ASSERT_TRUE(account);
  EXPECT_EQ(account->status, 429);
  EXPECT_EQ(body_of(account)["error"]["code"], "rate_limited");
  EXPECT_GE(std::stoi(account->get_header_value("Retry-After")), 1);
  // The account's limit did not spend the address's: one anonymous upload is left.
  EXPECT_EQ(upload(s, photo(64))->status, 201);
  auto address = upload(s, photo(65));
  ASSERT_TRUE(address);
  EXPECT_EQ(address->status, 429);
  EXPECT_GE(std::stoi(address->get_header_value("Retry-After")), 1);
}

// Before: a caller could keep any number of unclaimed photos on the server's disk.
TEST(PhotosAttack, UnclaimedUploadsAreBoundedPerCaller) {
  ServerProcess s({"--rate-limit-scale", "1000", "--unclaimed-per-account", "2:1",
                   "--unclaimed-per-address", "4:2"});
  const std::string token = login(s, "cz001");
  const std::string first = uploaded(s, photo(71), token)["id"];
  uploaded(s, photo(72), token);
  auto third = upload(s, photo(73), token);
  expect_error(third, 429, "too_many_unclaimed_uploads");
  const int wait = std::stoi(third->get_header_value("Retry-After"));
  EXPECT_GT(wait, 3500);  // when the oldest unclaimed one expires
  EXPECT_LE(wait, 3600);
  // Claiming one frees its place.
  ASSERT_EQ(submit(s, ticket_body({first}), token)->status, 201);
  uploaded(s, photo(74), token);

  // By bytes: 1 MiB per account; a 600 KB photo fits once, not twice. Another account
  // from the same address fills the address's 2 MiB.
  const std::string other = login(s, "cz002");
  const std::string big = portal::test::noisy_png(450, 450, 75);  // ~600 KB
  uploaded(s, big, other);
  expect_error(upload(s, portal::test::noisy_png(450, 450, 76), other), 429,
               "too_many_unclaimed_uploads");
  // The address holds 3 uploads now (1 claimed does not count): one more, then refused.
  uploaded(s, photo(77));
  expect_error(upload(s, photo(78)), 429, "too_many_unclaimed_uploads");
}
