// Batch import of hotline work orders: JSON and CSV, row numbers and fields in the
// errors, batch limits, duplicates.
#include <gtest/gtest.h>

#include <string>

#include "portal/core/time.hpp"
#include "server/service/hotline_import.hpp"

namespace {

using namespace std::string_literals;
using portal::core::Channel;
using portal::server::ImportBatch;
using portal::server::kMaxImportRows;
using portal::server::parse_hotline_csv;
using portal::server::parse_hotline_json;

std::string json_row(const std::string& id, const std::string& phone = "13812345678",
                     const std::string& extra = "") {
  return R"({"category":"env.noise","description":"夜间施工噪音扰民，持续到凌晨",)"
         R"("location":{"lat":35.41,"lng":116.58,"address":"任城区古槐路12号"},)"
         R"("contact":{"name":"张三","phone":")" +
         phone + R"("})" + (id.empty() ? "" : R"(,"external_id":")" + id + "\"") + extra + "}";
}

// Errors as "row:field:code" for compact expectations.
std::vector<std::string> summary(const ImportBatch& b) {
  std::vector<std::string> out;
  for (const auto& e : b.errors)
    out.push_back(std::to_string(e.row) + ":" + e.error.field + ":" + e.error.code);
  return out;
}

// [SECTION] JSON

TEST(HotlineImport, JsonGoodBatch) {
  const std::string body =
      "[" +
      json_row("GD20261125001", "13812345678", R"(,"received_at":"2026-11-25T08:30:00+08:00")") +
      "," + json_row("GD20261125002", "0537-2345678", R"(,"channel":"web","grid_id":"s01c01g01")") +
      "," + json_row("") + "]";
  const ImportBatch b = parse_hotline_json(body);
  ASSERT_TRUE(b.errors.empty()) << testing::PrintToString(summary(b));
  ASSERT_EQ(b.rows.size(), 3u);
  EXPECT_EQ(b.rows[0].row, 1);
  EXPECT_EQ(b.rows[0].external_id, "GD20261125001");
  ASSERT_TRUE(b.rows[0].received_at);
  EXPECT_EQ(portal::core::format_iso(*b.rows[0].received_at), "2026-11-25T00:30:00Z");
  EXPECT_EQ(b.rows[0].draft.description, "夜间施工噪音扰民，持续到凌晨");
  EXPECT_EQ(b.rows[0].draft.location.address, "任城区古槐路12号");
  for (const auto& r : b.rows) EXPECT_EQ(r.draft.channel, Channel::hotline);
  EXPECT_EQ(b.rows[1].draft.grid_id, "s01c01g01");
  EXPECT_EQ(b.rows[1].draft.contact.phone, "0537-2345678");
  EXPECT_EQ(b.rows[2].row, 3);
  EXPECT_FALSE(b.rows[2].external_id);
  EXPECT_FALSE(b.rows[2].received_at);
}

TEST(HotlineImport, JsonBadRowsNameRowAndField) {
  const std::string body = "[" + json_row("A1") + ",\n" +     // 1: fine
                           json_row("A2", "12345") + ",\n" +  // 2: phone
                           "42,\n" +                          // 3: not an object
                           R"({"category":"env.noise","description":"路灯不亮好几天了",)"
                           R"("location":{"lat":"35.4","lng":116.5},)"
                           R"("contact":{"name":"李四","phone":"13900001111"}},)" +  // 4: lat type
                           json_row("A5", "13812345678", R"(,"received_at":"2026-11-25 08:30")") +
                           "," +  // 5: time
                           json_row("A6", "13812345678", R"(,"extrenal_id":"x")") + "," +  // 6
                           json_row("A7", "13812345678", R"(,"external_id2":1)") + "]";
  const ImportBatch b = parse_hotline_json(body);
  EXPECT_EQ(summary(b), (std::vector<std::string>{
                            "2:contact.phone:invalid_phone",
                            "3::wrong_type",
                            "4:location.lat:wrong_type",
                            "5:received_at:invalid_time",
                            "6:extrenal_id:unknown_field",
                            "7:external_id2:unknown_field",
                        }));
  EXPECT_EQ(b.errors[0].error.status, 422);
  ASSERT_EQ(b.rows.size(), 1u);
  EXPECT_EQ(b.rows[0].row, 1);

  // Every rule of core::validate applies, each problem reported.
  const ImportBatch v = parse_hotline_json(
      R"([{"category":"Bad Code","description":"短","location":{"lat":10,"lng":116.5},)"
      R"("contact":{"name":" ","phone":"13812345678"},"external_id":""}])");
  EXPECT_EQ(summary(v), (std::vector<std::string>{
                            "1:external_id:required",
                            "1:category:unknown_category",
                            "1:description:too_short",
                            "1:location.lat:out_of_area",
                            "1:contact.name:required",
                        }));
}

TEST(HotlineImport, JsonWrongTopLevelAndMalformed) {
  for (const char* body : {R"({"rows":[]})", "\"text\"", "12", "null"}) {
    const ImportBatch b = parse_hotline_json(body);
    EXPECT_EQ(summary(b), std::vector<std::string>{"0::wrong_type"}) << body;
    EXPECT_TRUE(b.rows.empty());
  }
  EXPECT_EQ(summary(parse_hotline_json("[{")), std::vector<std::string>{"0::malformed_json"});
  EXPECT_EQ(summary(parse_hotline_json("[]")), std::vector<std::string>{"0::empty_batch"});
  EXPECT_EQ(summary(parse_hotline_json(std::string(100, '[') + std::string(100, ']'))),
            std::vector<std::string>{"0::too_deep"});
}

TEST(HotlineImport, JsonTooManyRows) {
  std::string body = "[";
  for (std::size_t i = 0; i < kMaxImportRows; ++i) body += (i ? "," : "") + json_row("");
  body += "]";
  const ImportBatch ok = parse_hotline_json(body);
  EXPECT_TRUE(ok.errors.empty());
  EXPECT_EQ(ok.rows.size(), kMaxImportRows);

  body.back() = ',';
  body += json_row("") + "]";
  const ImportBatch b = parse_hotline_json(body);
  ASSERT_EQ(b.errors.size(), 1u);
  EXPECT_EQ(b.errors[0].row, 0);
  EXPECT_EQ(b.errors[0].error.code, "too_many_rows");
  EXPECT_EQ(b.errors[0].error.status, 413);
  EXPECT_TRUE(b.rows.empty());
}

TEST(HotlineImport, JsonDuplicateExternalIdFlagsTheLaterRow) {
  const ImportBatch b = parse_hotline_json("[" + json_row("GD1") + "," + json_row("GD2") + "," +
                                           json_row("GD1") + "," + json_row("GD1") + "]");
  EXPECT_EQ(summary(b), (std::vector<std::string>{"3:external_id:duplicate_external_id",
                                                  "4:external_id:duplicate_external_id"}));
  EXPECT_NE(b.errors[0].error.message.find("row 1"), std::string::npos);
  EXPECT_EQ(b.rows.size(), 2u);
}

// [SECTION] CSV

TEST(HotlineImport, CsvWithChineseHeadersQuotesNewlinesBomAndCrlf) {
  const std::string body =
      "\xEF\xBB\xBF"
      "工单编号,来电时间,类别,诉求内容,纬度,经度,地址,联系人,联系电话,网格\r\n"
      "GD001,2026-11-25T08:30:00+08:00,env.noise,\"夜间施工噪音，\"\"很吵\"\"\r\n第二行\",35.41,"
      "116.58,\"古槐路12号, 3单元\",张三,13812345678,s01c01g01\r\n"
      "GD002,,road.lamp,路灯不亮好几天了,35.40,116.60,,李四,0537-2345678,\r\n";
  const ImportBatch b = parse_hotline_csv(body);
  ASSERT_TRUE(b.errors.empty()) << testing::PrintToString(summary(b));
  ASSERT_EQ(b.rows.size(), 2u);
  const auto& r1 = b.rows[0];
  EXPECT_EQ(r1.row, 1);
  EXPECT_EQ(r1.external_id, "GD001");
  ASSERT_TRUE(r1.received_at);
  EXPECT_EQ(portal::core::format_iso(*r1.received_at), "2026-11-25T00:30:00Z");
  EXPECT_EQ(r1.draft.category, "env.noise");
  EXPECT_EQ(r1.draft.description, "夜间施工噪音，\"很吵\"\r\n第二行");
  EXPECT_DOUBLE_EQ(r1.draft.location.lat, 35.41);
  EXPECT_DOUBLE_EQ(r1.draft.location.lng, 116.58);
  EXPECT_EQ(r1.draft.location.address, "古槐路12号, 3单元");
  EXPECT_EQ(r1.draft.contact.name, "张三");
  EXPECT_EQ(r1.draft.grid_id, "s01c01g01");
  EXPECT_EQ(r1.draft.channel, Channel::hotline);
  const auto& r2 = b.rows[1];
  EXPECT_EQ(r2.row, 2);
  EXPECT_FALSE(r2.received_at);
  EXPECT_FALSE(r2.draft.grid_id);
  EXPECT_EQ(r2.draft.location.address, "");
  EXPECT_EQ(r2.draft.contact.phone, "0537-2345678");
}

TEST(HotlineImport, CsvEnglishHeadersInAnyOrderLfAndNoFinalNewline) {
  const std::string body =
      "Contact_Phone, contact_name ,lng,lat,description,category\n"
      "13812345678,王五,116.5,35.45,小区垃圾没人清运,env.garbage\n"
      "\n"
      "13812345679,赵六,116.5,35.45,\"井盖丢失,很危险\",road.manhole";
  const ImportBatch b = parse_hotline_csv(body);
  ASSERT_TRUE(b.errors.empty()) << testing::PrintToString(summary(b));
  ASSERT_EQ(b.rows.size(), 2u);
  EXPECT_EQ(b.rows[0].draft.contact.name, "王五");
  EXPECT_EQ(b.rows[1].row, 3);  // the blank line counts
  EXPECT_EQ(b.rows[1].draft.description, "井盖丢失,很危险");
  EXPECT_FALSE(b.rows[1].external_id);
}

TEST(HotlineImport, CsvHeaderProblemsNameTheColumn) {
  EXPECT_EQ(summary(parse_hotline_csv("category,description,lat,lng,contact_name,contact_phone,"
                                      "mood\nx,y,1,2,a,b,c\n")),
            std::vector<std::string>{"0:mood:unknown_column"});
  EXPECT_EQ(summary(parse_hotline_csv("category,description,lat,lng,contact_name\n")),
            std::vector<std::string>{"0:contact_phone:missing_column"});
  EXPECT_EQ(
      summary(parse_hotline_csv("category,类别,description,lat,lng,contact_name,contact_phone\n")),
      std::vector<std::string>{"0:category:duplicate_column"});
  EXPECT_EQ(summary(parse_hotline_csv("")), std::vector<std::string>{"0::missing_header"});
  EXPECT_EQ(summary(parse_hotline_csv("category,description,lat,lng,contact_name,contact_phone\n")),
            std::vector<std::string>{"0::empty_batch"});
}

TEST(HotlineImport, CsvBadRowsNameRowAndColumn) {
  const std::string body =
      "external_id,category,description,lat,lng,contact_name,contact_phone\n"
      "A1,env.noise,夜间施工噪音扰民,35.41,116.58,张三,13812345678\n"      // 1: fine
      "A2,env.noise,\"夜间施工\n噪音扰民\",abc,116.58,张三,13812345678\n"  // 2: lat, two lines
      "A3,env.noise,夜间施工噪音扰民,35.41,116.58,张三,138\n"              // 3: phone
      "A4,env.noise,夜间施工噪音扰民,35.41,116.58\n"                       // 4: too few fields
      "A1,env.noise,夜间施工噪音扰民,35.41,,张三,13812345678\n"  // 5: duplicate, lng missing
      "A6,env.noise,噪音,50,116.58,张三,13812345678\n";          // 6: short text, lat out of area
  const ImportBatch b = parse_hotline_csv(body);
  EXPECT_EQ(summary(b), (std::vector<std::string>{
                            "2:lat:not_a_number",
                            "3:contact_phone:invalid_phone",
                            "4::wrong_field_count",
                            "5:lng:required",
                            "5:external_id:duplicate_external_id",
                            "6:description:too_short",
                            "6:lat:out_of_area",
                        }));
  ASSERT_EQ(b.rows.size(), 1u);
  EXPECT_EQ(b.rows[0].external_id, "A1");
}

TEST(HotlineImport, CsvMalformedText) {
  const std::string header = "category,description,lat,lng,contact_name,contact_phone\n";
  EXPECT_EQ(summary(parse_hotline_csv(header + "env.noise,\"不闭合的引号,35,116,a,13812345678\n")),
            std::vector<std::string>{"1::malformed_csv"});
  EXPECT_EQ(summary(parse_hotline_csv(header + "env.noise,\"引号\"之后,35,116,a,13812345678\n")),
            std::vector<std::string>{"1::malformed_csv"});
  // GBK bytes (a spreadsheet's default export on Chinese Windows) are not UTF-8.
  EXPECT_EQ(summary(parse_hotline_csv(header + "env.noise,\xd4\xeb\xd2\xf4,35,116,a,1\n")),
            std::vector<std::string>{"0::invalid_utf8"});
}

TEST(HotlineImport, CsvTooManyRows) {
  std::string body = "category,description,lat,lng,contact_name,contact_phone\r\n";
  for (std::size_t i = 0; i <= kMaxImportRows; ++i)
    body += "env.noise,夜间施工噪音扰民,35.41,116.58,张三,13812345678\r\n";
  const ImportBatch b = parse_hotline_csv(body);
  EXPECT_EQ(summary(b), std::vector<std::string>{"0::too_many_rows"});
  EXPECT_TRUE(b.rows.empty());
}

}  // namespace
