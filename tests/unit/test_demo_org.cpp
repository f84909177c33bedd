// The demo organisation: the exact sizes of SPEC §2, consistent references, and
// determinism under a seed.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <string>

#include "portal/core/sha256.hpp"
#include "portal/core/sla.hpp"
#include "portal/core/utf8.hpp"
#include "portal/core/validation.hpp"
#include "server/service/demo_org.hpp"

namespace {

using portal::core::Role;
using portal::server::DemoOrg;
using portal::server::generate_demo_org;

const DemoOrg& org1() {
  static const DemoOrg org = generate_demo_org(1);
  return org;
}

// Everything the generator decides, as one digest.
std::string fingerprint(const DemoOrg& o) {
  portal::core::Sha256 h;
  auto add = [&h](const std::string& s) {
    h.update(s);
    h.update("\x1f");
  };
  auto add_poly = [&](const portal::core::Polygon& p) {
    for (const auto& r : p.rings)
      for (const auto& v : r) add(std::to_string(v.lng) + "," + std::to_string(v.lat));
  };
  for (const auto& s : o.streets) add(s.id), add(s.name), add_poly(s.area);
  for (const auto& c : o.communities) add(c.id), add(c.name), add(c.street_id), add_poly(c.area);
  for (const auto& g : o.grids) {
    add(g.id), add(g.name), add(g.kind), add(g.community_id), add(g.worker_username);
    add(std::to_string(g.households)), add(std::to_string(g.residents)), add_poly(g.polygon);
  }
  for (const auto& u : o.units)
    add(u.id), add(u.name), add(u.contact), add(u.contact_person), add(u.address);
  for (const auto& c : o.categories) add(c.code), add(c.default_unit_id);
  for (const auto& u : o.users) {
    add(u.username), add(u.name), add(u.phone), add(std::string(portal::core::to_string(u.role)));
    add(u.unit_id), add(u.street_id), add(u.community_id);
  }
  for (const auto& p : o.places) {
    add(p.name), add(p.kind), add(p.street_id);
    add(std::to_string(p.location.lng) + "," + std::to_string(p.location.lat));
  }
  return portal::core::to_hex(h.finish());
}

TEST(DemoOrg, ExactSizes) {
  const DemoOrg& o = org1();
  EXPECT_EQ(o.district.name, "任城区");
  EXPECT_EQ(o.streets.size(), 15u);
  EXPECT_GE(o.communities.size(), 200u);
  EXPECT_LE(o.communities.size(), 500u);
  std::map<std::string, int> grid_kinds;
  for (const auto& g : o.grids) ++grid_kinds[g.kind];
  EXPECT_EQ(grid_kinds["comprehensive"], 1541);
  EXPECT_EQ(grid_kinds["special"], 30);
  EXPECT_EQ(o.grids.size(), 1571u);

  std::map<std::string, int> unit_kinds, sub;
  for (const auto& u : o.units) ++unit_kinds[u.kind], ++sub[u.kind + "/" + u.subkind];
  EXPECT_EQ(unit_kinds["department"], 16);
  EXPECT_EQ(unit_kinds["utility"], 5);
  for (const char* s : {"water", "power", "telecom", "gas", "heating"})
    EXPECT_EQ(sub[std::string("utility/") + s], 1) << s;
  for (const char* s : {"judge", "prosecutor", "police", "lawyer"})
    EXPECT_EQ(sub[std::string("legal/") + s], 15) << s;
  EXPECT_EQ(sub["mediation/district_centre"], 1);
  EXPECT_EQ(sub["mediation/street_centre"], 15);
  EXPECT_EQ(sub["mediation/community_room"], static_cast<int>(o.communities.size()));
  EXPECT_GT(sub["mediation/grid_room"], 100);

  std::map<Role, int> roles;
  int professional = 0;
  for (const auto& u : o.users) {
    ++roles[u.role];
    if (u.title == "专业网格员") {
      ++professional;
      EXPECT_EQ(u.role, Role::unit_staff);
      EXPECT_TRUE(u.unit_id.rfind("dept.", 0) == 0 || u.unit_id.rfind("util.", 0) == 0)
          << u.unit_id;
    }
  }
  EXPECT_EQ(professional, 3579);
  EXPECT_EQ(roles[Role::grid_worker], 1571);
  EXPECT_EQ(roles[Role::community_staff], static_cast<int>(o.communities.size()));
  EXPECT_EQ(roles[Role::street_staff], 30);
  EXPECT_GE(roles[Role::district_staff], 1);
  EXPECT_GE(roles[Role::hotline_agent], 2);
  EXPECT_EQ(roles[Role::admin], 1);
  EXPECT_EQ(roles[Role::auditor], 1);
  EXPECT_GE(roles[Role::citizen], 1);
  EXPECT_EQ(roles[Role::system], 0);
}

TEST(DemoOrg, CategoriesCoverEveryClassAndPointToUnits) {
  const DemoOrg& o = org1();
  EXPECT_GE(o.categories.size(), 35u);
  EXPECT_LE(o.categories.size(), 50u);
  std::set<std::string> unit_ids, codes;
  for (const auto& u : o.units) unit_ids.insert(u.id);
  std::map<portal::core::SlaClass, int> classes;
  for (const auto& c : o.categories) {
    EXPECT_TRUE(codes.insert(c.code).second) << c.code;
    EXPECT_TRUE(portal::core::is_valid_category_code(c.code)) << c.code;
    EXPECT_FALSE(c.name.empty());
    EXPECT_FALSE(c.name_en.empty());
    EXPECT_FALSE(c.group.empty());
    EXPECT_EQ(unit_ids.count(c.default_unit_id), 1u) << c.code << " → " << c.default_unit_id;
    ++classes[c.sla_class];
  }
  EXPECT_EQ(classes.size(), 4u);
  for (const char* code : {"env.noise", "city.road", "water.outage"})
    EXPECT_EQ(codes.count(code), 1u);
}

TEST(DemoOrg, ReferencesHoldTogether) {
  const DemoOrg& o = org1();
  std::map<std::string, const portal::server::DemoStreet*> streets;
  std::map<std::string, const portal::server::DemoCommunity*> communities;
  std::set<std::string> ids, usernames, phones;
  for (const auto& s : o.streets) {
    streets[s.id] = &s;
    EXPECT_TRUE(ids.insert(s.id).second);
  }
  for (const auto& c : o.communities) {
    communities[c.id] = &c;
    EXPECT_TRUE(ids.insert(c.id).second) << c.id;
    ASSERT_EQ(streets.count(c.street_id), 1u);
    const auto cb = portal::core::bbox(c.area), sb = portal::core::bbox(streets[c.street_id]->area);
    EXPECT_TRUE(sb.contains({cb.min_lng, cb.min_lat}) && sb.contains({cb.max_lng, cb.max_lat}));
  }
  std::map<std::string, const portal::server::DemoUser*> users;
  for (const auto& u : o.users) {
    EXPECT_TRUE(usernames.insert(u.username).second) << u.username;
    EXPECT_TRUE(phones.insert(u.phone).second) << u.phone;
    EXPECT_TRUE(portal::core::is_valid_phone(u.phone)) << u.phone;
    EXPECT_FALSE(u.name.empty());
    users[u.username] = &u;
  }
  std::set<std::string> grid_names;
  for (const auto& g : o.grids) {
    EXPECT_TRUE(ids.insert(g.id).second) << g.id;
    ASSERT_EQ(communities.count(g.community_id), 1u) << g.id;
    EXPECT_EQ(communities[g.community_id]->street_id, g.street_id);
    const auto gb = portal::core::bbox(g.polygon),
               cb = portal::core::bbox(communities[g.community_id]->area);
    EXPECT_TRUE(cb.contains({gb.min_lng, gb.min_lat}) && cb.contains({gb.max_lng, gb.max_lat}))
        << g.id;
    // One full-time worker per grid, bound to it.
    ASSERT_EQ(users.count(g.worker_username), 1u) << g.id;
    const auto* w = users[g.worker_username];
    EXPECT_EQ(w->role, Role::grid_worker);
    EXPECT_EQ(w->grid_ids, std::vector<std::string>{g.id});
    EXPECT_EQ(w->community_id, g.community_id);
    if (g.kind == "comprehensive") {
      EXPECT_GE(g.households, 300);
      EXPECT_LE(g.households, 500);
    }
    EXPECT_TRUE(grid_names.insert(g.name).second) << g.name;
  }
  std::set<std::string> unit_ids;
  for (const auto& u : o.units) {
    EXPECT_TRUE(unit_ids.insert(u.id).second) << u.id;
    EXPECT_FALSE(u.name.empty());
    EXPECT_TRUE(portal::core::is_valid_phone(u.contact)) << u.id << " " << u.contact;
    if (!u.street_id.empty()) {
      EXPECT_EQ(streets.count(u.street_id), 1u) << u.id;
    }
    if (u.kind == "mediation") {
      EXPECT_TRUE(u.location.has_value()) << u.id;
    }
  }
  for (const auto& u : o.users) {
    if (u.role == Role::unit_staff) {
      EXPECT_EQ(unit_ids.count(u.unit_id), 1u) << u.username;
    }
    if (u.role == Role::community_staff) {
      EXPECT_EQ(communities.count(u.community_id), 1u);
    }
    if (u.role == Role::street_staff) {
      EXPECT_EQ(streets.count(u.street_id), 1u);
    }
  }
  EXPECT_EQ(users.count("admin"), 1u);
  EXPECT_EQ(users["admin"]->role, Role::admin);
  EXPECT_EQ(users.count("gw0001"), 1u);
  EXPECT_EQ(users.count("gw1571"), 1u);
  EXPECT_EQ(users.count("pw3579"), 1u);
}

TEST(DemoOrg, StreetNamesAndShape) {
  const DemoOrg& o = org1();
  std::set<std::string> names;
  for (const auto& s : o.streets) names.insert(s.name);
  for (const char* n : {"古槐街道", "济阳街道", "阜桥街道", "越河街道", "南苑街道", "观音阁街道",
                        "仙营街道", "金城街道", "许庄街道", "李营街道", "唐口街道", "喻屯镇",
                        "长沟镇", "安居街道", "二十里铺街道"})
    EXPECT_EQ(names.count(n), 1u) << n;
  // Towns are villages; city streets are communities.
  for (const auto& c : o.communities) {
    const bool village_name = c.name.size() >= 3 && c.name.compare(c.name.size() - 3, 3, "村") == 0;
    EXPECT_EQ(c.village, village_name) << c.name;
  }
}

// The gazetteer: a few hundred to a few thousand roads and landmarks, named once per
// kind, each inside the district and in the street it names; the famous ones are there,
// and 古槐路 runs through 古槐街道.
TEST(DemoOrg, GazetteerIsPlausibleAndPlaced) {
  const DemoOrg& o = org1();
  EXPECT_GE(o.places.size(), 300u);
  EXPECT_LE(o.places.size(), 5000u);
  std::vector<std::pair<std::string, portal::core::Polygon>> areas;
  std::map<std::string, std::string> street_name;
  for (const auto& st : o.streets) areas.emplace_back(st.id, st.area), street_name[st.id] = st.name;
  const portal::core::GridIndex streets(std::move(areas));
  std::set<std::string> seen;
  std::map<std::string, int> kinds;
  std::map<std::string, const portal::server::DemoPlace*> by_name;
  for (const auto& p : o.places) {
    EXPECT_TRUE(p.kind == "road" || p.kind == "landmark") << p.name;
    EXPECT_TRUE(seen.insert(p.kind + "|" + p.name).second) << p.name;
    EXPECT_FALSE(p.name.empty() || portal::core::has_control_chars(p.name)) << p.name;
    EXPECT_EQ(streets.locate(p.location.lat, p.location.lng), std::optional(p.street_id)) << p.name;
    ++kinds[p.kind];
    by_name[p.name] = &p;
  }
  EXPECT_GE(kinds["road"], 50);
  EXPECT_GE(kinds["landmark"], 300);
  for (const char* n : {"古槐路", "太白楼路", "太白楼中路", "建设路", "共青团路", "红星路",
                        "济安桥路", "琵琶山路", "火炬路", "327国道", "喻屯大街"})
    EXPECT_EQ(by_name.count(n), 1u) << n;
  for (const char* n : {"太白楼", "东大寺", "济宁博物馆", "运河公园", "济宁市第一人民医院",
                        "济宁汽车总站", "古槐街道中心小学", "喻屯镇卫生院", "古槐农贸市场"})
    EXPECT_EQ(by_name.count(n), 1u) << n;
  EXPECT_EQ(street_name[by_name.at("古槐路")->street_id], "古槐街道");
  int estates = 0, crossings = 0;
  for (const auto& p : o.places) {
    for (const char* form : {"小区", "花园", "家园", "新村", "嘉园", "名苑"})
      if (p.name.find(form) != std::string::npos) ++estates;
    if (p.name.ends_with("交叉口")) ++crossings;
  }
  EXPECT_GE(estates, 100);
  EXPECT_GE(crossings, 50);
}

TEST(DemoOrg, HolidayListsMakeACalendar) {
  const DemoOrg& o = org1();
  auto cal = portal::core::WorkCalendar::from_lists(o.holidays, o.workdays);
  ASSERT_TRUE(cal.ok());
  EXPECT_FALSE(cal->is_working_day(portal::core::CivilDate{2026, 2, 16}));
  EXPECT_TRUE(cal->is_working_day(portal::core::CivilDate{2026, 2, 14}));
  EXPECT_FALSE(cal->is_working_day(portal::core::CivilDate{2025, 10, 8}));
  EXPECT_TRUE(cal->is_working_day(portal::core::CivilDate{2025, 10, 11}));
}

TEST(DemoOrg, DeterministicUnderASeed) {
  const std::string a = fingerprint(generate_demo_org(7));
  EXPECT_EQ(a, fingerprint(generate_demo_org(7)));
  EXPECT_EQ(fingerprint(org1()), fingerprint(generate_demo_org(1)));
  EXPECT_EQ(fingerprint(generate_demo_org()), fingerprint(org1()));  // the default seed is 1
}

TEST(DemoOrg, DifferentUnderAnotherSeed) {
  const DemoOrg a = generate_demo_org(7), b = generate_demo_org(8);
  EXPECT_NE(fingerprint(a), fingerprint(b));
  int same_names = 0;
  for (std::size_t i = 0; i < 100; ++i) same_names += a.users[i].name == b.users[i].name;
  EXPECT_LT(same_names, 50);
  // The sizes do not depend on the seed.
  for (const DemoOrg* o : {&a, &b}) {
    EXPECT_EQ(o->grids.size(), 1571u);
    int professional = 0;
    for (const auto& u : o->users) professional += u.title == "专业网格员";
    EXPECT_EQ(professional, 3579);
  }
}

}  // namespace
