#include "server/service/seed.hpp"

#include <vector>

namespace portal::server {

namespace {

std::vector<core::Category> demo_categories() {
  using core::SlaClass;
  return {
      {"safety.fire", "消防隐患", "Fire hazard", "公共安全", SlaClass::urgent, "dept.emergency"},
      {"safety.gas_leak", "燃气泄漏", "Gas leak", "公共安全", SlaClass::urgent, "util.gas"},
      {"water.outage", "停水", "Water outage", "水电气暖", SlaClass::utility, "util.water"},
      {"power.outage", "停电", "Power outage", "水电气暖", SlaClass::utility, "util.power"},
      {"heat.cold", "暖气不热", "Heating not warm", "水电气暖", SlaClass::utility, "util.heating"},
      {"env.noise", "噪声扰民", "Noise nuisance", "环境保护", SlaClass::normal, "dept.ecology"},
      {"env.garbage", "垃圾堆放", "Piled-up garbage", "市容环境", SlaClass::normal, "dept.urban"},
      {"city.road", "道路破损", "Damaged road", "城市管理", SlaClass::normal, "dept.housing"},
      {"city.streetlight", "路灯不亮", "Street light out", "城市管理", SlaClass::normal,
       "dept.urban"},
      {"neighbour.dispute", "邻里纠纷", "Neighbour dispute", "矛盾纠纷", SlaClass::complex,
       "dept.petitions"},
  };
}

}  // namespace

core::Outcome seed_demo(Store& store, const SeedOptions& options, const ProgressFn& progress) {
  if (!options.demo) return core::Unit{};
  const auto cats = demo_categories();
  if (auto ok = store.upsert_categories(cats); !ok) return ok;
  if (progress)
    progress("categories", static_cast<std::int64_t>(cats.size()),
             static_cast<std::int64_t>(cats.size()));
  return core::Unit{};
}

}  // namespace portal::server
