// The cockpit's view-model (client/app/cockpit.hpp, no browser): a point of the rate
// trend that rests on fewer than 10 cases is marked as such, from its own parts.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "app/cockpit.hpp"
#include "client_fakes.hpp"
#include "portal/core/json.hpp"

namespace portal::client {
namespace {

using fakes::FakeBrowser;
using fakes::FakeHttp;

const ChartSeries* series(const ChartView& v, const std::string& name) {
  for (const auto& s : v.series)
    if (s.name == name) return &s;
  return nullptr;
}

TEST(CockpitModel, ARatePointOverFewerThanTenCasesIsMarkedFew) {
  FakeHttp http;
  FakeBrowser browser;
  Api api{http, ""};
  Cockpit cockpit{api, browser, [](std::function<void()> fn) { fn(); }};
  cockpit.set_user("区指挥中心", "district_staff");
  cockpit.open();
  // Three days: 满意率 over 40 ratings, over 3, and no rating at all (no value, not few).
  const core::Json trend = {
      {"interval", "day"},
      {"items",
       {{{"period", "2026-12-01"}, {"satisfaction_rate", 0.9}, {"satisfied", 36}, {"rated", 40}},
        {{"period", "2026-12-02"}, {"satisfaction_rate", 1.0}, {"satisfied", 3}, {"rated", 3}},
        {{"period", "2026-12-03"},
         {"satisfaction_rate", nullptr},
         {"satisfied", 0},
         {"rated", 0}}}}};
  ASSERT_EQ(http.answer("/api/v1/stats/trend", 200, trend.dump()), 1);
  const CockpitView v = cockpit.view(Lang::zh, LoadState::loaded, nullptr);
  const ChartSeries* s = series(v.rates, "满意率");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->values.size(), 3u);
  ASSERT_EQ(s->few.size(), 3u);
  EXPECT_FALSE(s->few[0]);
  EXPECT_TRUE(s->few[1]);
  EXPECT_FALSE(s->few[2]);
  EXPECT_TRUE(std::isnan(s->values[2]));
  // Each rate from its own parts: 响应率 carries none here, so none of its points is few.
  const ChartSeries* response = series(v.rates, "响应率");
  ASSERT_NE(response, nullptr);
  for (bool f : response->few) EXPECT_FALSE(f);
}

}  // namespace
}  // namespace portal::client
