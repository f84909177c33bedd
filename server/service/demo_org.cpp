// The demo organisation generator. See demo_org.hpp for what it makes.
//
// Index
//   [SECTION] Random numbers
//   [SECTION] Name tables
//   [SECTION] Catalogue tables
//   [SECTION] Generator: people and phones
//   [SECTION] Generator: streets, communities, grids
//   [SECTION] Generator: units
//   [SECTION] Generator: accounts
//   [SECTION] Generator: gazetteer
#include "server/service/demo_org.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "portal/core/sla.hpp"

namespace portal::server {

namespace {

using core::LngLat;
using core::Role;

// [SECTION] Random numbers
// splitmix64: small, good enough for demo data, and the same on every platform (the
// standard distributions are not).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // 0 .. n-1 (n > 0); the modulo bias is irrelevant at these sizes.
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  int range(int lo, int hi) {
    return lo + static_cast<int>(below(static_cast<std::size_t>(hi - lo + 1)));
  }
  double unit() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * unit(); }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }
  template <class T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }

 private:
  std::uint64_t s_;
};

// Splits total into parts proportional to weights, each at least min_each, by largest
// remainder (ties to the lower index). Requires total >= min_each * weights.size().
std::vector<int> apportion(int total, const std::vector<double>& weights, int min_each) {
  const int n = static_cast<int>(weights.size());
  std::vector<int> out(n, min_each);
  int rest = total - min_each * n;
  if (n == 0 || rest <= 0) return out;
  const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::vector<std::pair<double, int>> rem;
  int given = 0;
  for (int i = 0; i < n; ++i) {
    const double share = rest * weights[i] / sum;
    const int whole = static_cast<int>(std::floor(share));
    out[i] += whole;
    given += whole;
    rem.push_back({share - whole, i});
  }
  std::stable_sort(rem.begin(), rem.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (int k = 0; k < rest - given; ++k) ++out[rem[k % n].second];
  return out;
}

std::string two_digits(int n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d", n);
  return buf;
}

std::string numbered(const char* prefix, int n, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%0*d", prefix, width, n);
  return buf;
}

// 古槐街道 → 古槐, 喻屯镇 → 喻屯
std::string short_street_name(const std::string& street) {
  for (std::string_view tail : {"街道", "镇"})
    if (street.size() > tail.size() &&
        street.compare(street.size() - tail.size(), tail.size(), tail) == 0)
      return street.substr(0, street.size() - tail.size());
  return street;
}

// [SECTION] Name tables
// Surnames with rough weights; Jining (Qufu's neighbour) has many 孔, 颜, 孟 and 曾.
const std::vector<std::pair<std::string_view, int>> kSurnames = {
    {"王", 90}, {"李", 80}, {"张", 80}, {"刘", 60}, {"陈", 40}, {"杨", 35}, {"赵", 30}, {"黄", 20},
    {"周", 20}, {"吴", 18}, {"徐", 18}, {"孙", 25}, {"胡", 12}, {"朱", 15}, {"高", 18}, {"林", 10},
    {"何", 10}, {"郭", 15}, {"马", 18}, {"罗", 6},  {"梁", 8},  {"宋", 12}, {"郑", 10}, {"谢", 6},
    {"韩", 10}, {"唐", 6},  {"冯", 8},  {"于", 10}, {"董", 10}, {"程", 6},  {"曹", 8},  {"袁", 5},
    {"邓", 5},  {"许", 8},  {"傅", 4},  {"田", 8},  {"孔", 20}, {"颜", 10}, {"孟", 12}, {"曾", 6},
    {"姜", 8},  {"崔", 6},  {"石", 6},  {"贾", 6},  {"魏", 6},  {"薛", 4},  {"葛", 4},  {"侯", 5},
    {"秦", 4},  {"路", 4},  {"房", 3},  {"尹", 4},  {"仲", 3},  {"闫", 4},  {"解", 3},  {"邵", 4},
};

const std::vector<std::string_view> kGivenChars = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "霞", "平", "刚", "玲", "英", "华", "建", "国", "红", "梅", "兰", "志", "鹏",
    "飞", "宇", "浩", "然", "晨", "阳", "欣", "怡", "涵", "轩", "萱", "彤", "博", "文", "俊",
    "嘉", "佳", "琪", "晓", "东", "海", "燕", "春", "秋", "振", "庆", "丰", "德", "玉", "凤",
    "秀", "云", "金", "立", "新", "延", "兴", "昌", "秀", "宏", "峰", "鑫", "颖", "婷", "雪",
    "慧", "倩", "琳", "帅", "凯", "旭", "坤", "亮", "辉", "斌", "林", "荣", "泽", "瑞", "蕾",
};

// Stems of community names; each is used as 「X社区」, then 「X花园社区」, then 「X新村社区」.
const std::vector<std::string_view> kCommunityStems = {
    "运河", "洸河", "翠都", "荷花",   "文化", "建设", "红星", "太白", "府河", "铁塔", "东门",
    "西关", "南关", "北门", "琵琶",   "火炬", "金宇", "车站", "东方", "光明", "和平", "幸福",
    "阳光", "南池", "如意", "同济",   "柳行", "鸿顺", "少陵", "凤凰", "锦绣", "怡和", "丽景",
    "书香", "育才", "春晖", "秀水",   "兴隆", "嘉和", "瑞景", "康泰", "长青", "紫薇", "丁香",
    "玉兰", "海棠", "银杏", "翠柳",   "青年", "永安", "宁安", "泰和", "新城", "汇通", "北湖",
    "南湖", "东湖", "常青", "竹竿巷", "清平", "吉祥", "安康", "福宁", "德馨", "崇文", "尚贤",
    "明德", "济安", "通达", "环城",   "学府", "惠民", "康宁", "景苑", "欣苑", "馨园", "锦苑",
    "华城", "名门", "盛世", "龙行",   "益民", "振兴", "富民", "民生", "繁荣", "福源", "荷韵",
    "济州", "任兴", "南门", "西门",   "杨柳", "枣店", "仙源", "广运", "利民", "九州", "联华",
};

const std::vector<std::string_view> kVillagePrefixes = {
    "王", "李", "张", "刘", "孙", "赵", "马", "高", "郭", "孔", "孟", "颜", "宋", "韩", "于",
    "董", "田", "姜", "许", "朱", "前", "后", "东", "西", "南", "北", "大", "小", "新", "老",
    "杨", "周", "吴", "徐", "曹", "冯", "程", "侯", "石", "贾", "魏", "崔", "葛", "路", "尹",
};
const std::vector<std::string_view> kVillageSuffixes = {
    "庄", "楼", "营", "屯", "集", "店",   "寺",   "桥", "口", "洼", "堂", "坊",
    "庙", "河", "湖", "园", "湾", "官庄", "家庄", "坑", "垓", "闸", "海", "林",
};

const std::vector<std::string_view> kSpecialPlaces = {
    "高新技术产业园", "任城经济开发区", "物流园区",       "汽车客运站",   "火车站站前片区",
    "商务中心楼宇",   "金融街楼宇",     "电商产业园",     "机械制造园",   "食品产业园",
    "新材料产业园",   "医药产业园",     "纺织产业园",     "智能装备园",   "农产品批发市场",
    "建材家居市场",   "会展中心",       "大学科技园",     "文化创意园",   "总部经济楼宇",
    "港航物流园",     "仓储配送中心",   "光伏产业园",     "环保产业园",   "跨境电商园",
    "汽配城",         "小商品城",       "医院园区",       "高铁新区楼宇", "运河科创中心",
    "创业孵化基地",   "人力资源产业园", "数字经济产业园", "冷链物流园",
};

const std::vector<std::string_view> kRoads = {
    "太白楼路", "古槐路", "共青团路", "红星路", "建设路",   "运河路",   "洸河路",
    "吴泰闸路", "金宇路", "琵琶山路", "车站路", "济安桥路", "海关路",   "荷花路",
    "光明路",   "英萃路", "任城大道", "越河路", "通达路",   "环城西路", "仙营路",
};

// The gazetteer's city roads: running east-west, and north-south. Those in
// kSectionedRoads also get sections (太白楼东路, 太白楼中路, 太白楼西路).
const std::vector<std::string_view> kEastWestRoads = {
    "太白楼路", "红星路", "洸河路", "吴泰闸路", "金宇路", "荷花路", "火炬路",
    "车站路",   "海关路", "光明路", "解放路",   "府河路", "刘庄路", "杨柳路",
    "常青路",   "运河路", "北湖路", "南池路",   "文化路", "东方路",
};
const std::vector<std::string_view> kNorthSouthRoads = {
    "古槐路",   "建设路", "共青团路", "琵琶山路", "济安桥路", "英萃路", "任城大道",
    "环城西路", "仙营路", "越河路",   "通达路",   "青年路",   "龙行路", "科苑路",
    "呈祥大道", "永安路", "同济路",   "东门大街", "西门大街", "兴隆路",
};
const std::vector<std::string_view> kSectionedRoads = {"太白楼路", "红星路",   "洸河路",  "金宇路",
                                                       "建设路",   "共青团路", "琵琶山路"};
// Highways and trunk roads across the whole district (true: east-west).
const std::vector<std::pair<std::string_view, bool>> kDistrictRoads = {
    {"327国道", true},   {"日兰高速", true}, {"105国道", false},
    {"京台高速", false}, {"济微路", false},
};
// Sights, hospitals, stations, parks and public buildings, each with the street it is
// placed in (an index into kStreetSeeds).
const std::vector<std::pair<std::string_view, int>> kLandmarks = {
    {"太白楼", 0},
    {"声远楼", 0},
    {"铁塔寺", 0},
    {"东大寺", 2},
    {"竹竿巷历史文化街区", 2},
    {"济宁博物馆", 1},
    {"运河公园", 3},
    {"洸河公园", 3},
    {"南池公园", 4},
    {"人民公园", 5},
    {"济宁市第一人民医院", 0},
    {"任城区人民医院", 1},
    {"济宁医学院附属医院", 5},
    {"济宁市中医院", 2},
    {"济宁市妇幼保健院", 7},
    {"济宁汽车总站", 6},
    {"济宁汽车南站", 4},
    {"济宁站", 6},
    {"济宁市图书馆", 1},
    {"济宁市体育中心", 7},
    {"任城区人民政府", 1},
    {"任城区政务服务中心", 1},
    {"贵和购物中心", 0},
    {"银座商城", 2},
    {"万达广场", 5},
    {"济宁市第一中学", 0},
    {"任城区实验小学", 2},
    {"任城区实验中学", 3},
    {"济宁市特殊教育学校", 7},
    {"京杭运河任城段", 10},
    {"南阳湖农场", 11},
};
// Residential estates (小区): a stem and a form.
const std::vector<std::string_view> kEstateStems = {
    "金色", "阳光", "银河", "东方", "世纪", "锦绣", "华宇", "和谐", "翰林", "书香", "御景", "龙城",
    "盛世", "名仕", "香榭", "铂金", "中央", "天和", "明珠", "怡景", "运河", "太白", "荷韵", "康桥",
    "紫金", "凤凰", "百合", "海川", "学府", "滨河", "丽都", "帝华", "城南", "城北", "水木", "蓝湾",
    "翠微", "枫林", "金桥", "鸿顺", "齐鲁", "圣地", "儒风", "尚书", "诗苑", "绿城", "任城", "济州",
    "南池", "洸河", "如意", "吉祥", "泰和", "长安", "春晓", "秋实", "玉泉", "嘉禾", "馨苑", "益民",
};
const std::vector<std::string_view> kEstateForms = {
    "小区", "花园", "家园", "新村", "嘉园", "名苑", "华府", "公馆", "雅苑", "佳苑",
};

const std::vector<std::string_view> kMobilePrefixes = {
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "166", "176", "177", "178", "180",
    "181", "182", "183", "184", "185", "186", "187", "188", "189", "198", "199",
};

// The streets and towns: name, kind (0 urban 街道, 1 suburban 街道 with villages, 2 镇).
struct StreetSeed {
  std::string_view name;
  int kind;
};
const std::vector<StreetSeed> kStreetSeeds = {
    {"古槐街道", 0},   {"济阳街道", 0}, {"阜桥街道", 0}, {"越河街道", 0}, {"南苑街道", 0},
    {"观音阁街道", 0}, {"仙营街道", 0}, {"金城街道", 0}, {"许庄街道", 1}, {"李营街道", 1},
    {"唐口街道", 1},   {"喻屯镇", 2},   {"长沟镇", 2},   {"安居街道", 1}, {"二十里铺街道", 1},
};
// The map, north to south: each row lists street indexes (into kStreetSeeds) west to
// east with relative widths; rows have relative heights.
struct LayoutRow {
  double height;
  std::vector<std::pair<int, double>> streets;
};
const std::vector<LayoutRow> kLayout = {
    {0.27, {{12, 1.4}, {14, 1.0}, {9, 1.2}}},
    {0.23, {{13, 1.2}, {7, 0.6}, {6, 0.6}, {0, 0.5}, {8, 1.1}}},
    {0.23, {{10, 1.2}, {1, 0.6}, {2, 0.5}, {3, 0.5}, {5, 0.6}}},
    {0.27, {{4, 1.0}, {11, 1.6}}},
};

// [SECTION] Catalogue tables
struct DeptSeed {
  std::string_view id, name, name_en, short_name;
  double workers;  // weight of its professional grid workers
};
const std::vector<DeptSeed> kDepartments = {
    {"dept.urban", "任城区综合行政执法局", "Urban Management and Law Enforcement Bureau", "城管",
     450},
    {"dept.police", "济宁市公安局任城区分局", "Public Security Sub-bureau", "警务", 500},
    {"dept.housing", "任城区住房和城乡建设局", "Housing and Urban-Rural Development Bureau", "住建",
     250},
    {"dept.market", "任城区市场监督管理局", "Market Regulation Bureau", "市场监管", 250},
    {"dept.ecology", "济宁市生态环境局任城区分局", "Ecology and Environment Sub-bureau", "生态环境",
     200},
    {"dept.transport", "任城区交通运输局", "Transport Bureau", "交通运输", 150},
    {"dept.water", "任城区水务局", "Water Affairs Bureau", "水务", 120},
    {"dept.resources", "济宁市自然资源和规划局任城区分局",
     "Natural Resources and Planning Sub-bureau", "自然资源", 100},
    {"dept.health", "任城区卫生健康局", "Health Bureau", "卫生健康", 180},
    {"dept.education", "任城区教育和体育局", "Education and Sports Bureau", "教育", 100},
    {"dept.civil", "任城区民政局", "Civil Affairs Bureau", "民政", 150},
    {"dept.hr", "任城区人力资源和社会保障局", "Human Resources and Social Security Bureau", "人社",
     100},
    {"dept.emergency", "任城区应急管理局", "Emergency Management Bureau", "应急管理", 150},
    {"dept.agriculture", "任城区农业农村局", "Agriculture and Rural Affairs Bureau", "农业农村",
     120},
    {"dept.culture", "任城区文化和旅游局", "Culture and Tourism Bureau", "文化旅游", 60},
    {"dept.petitions", "任城区信访局", "Petitions Bureau", "信访", 80},
};

struct UtilSeed {
  std::string_view id, subkind, name, name_en, short_name;
  double workers;
};
const std::vector<UtilSeed> kUtilities = {
    {"util.water", "water", "任城区供水服务中心", "Water Supply Service Centre", "供水", 150},
    {"util.power", "power", "国网任城区供电中心", "Power Supply Centre", "供电", 180},
    {"util.telecom", "telecom", "任城区通信服务中心", "Telecom Service Centre", "通信", 120},
    {"util.gas", "gas", "任城区燃气服务中心", "Gas Service Centre", "燃气", 120},
    {"util.heating", "heating", "任城区供热服务中心", "Heating Service Centre", "供热", 100},
};

using core::SlaClass;
const std::vector<core::Category> kCategories = {
    // 公共安全: urgent
    {"safety.fire", "消防隐患", "Fire hazard", "公共安全", SlaClass::urgent, "dept.emergency"},
    {"safety.gas_leak", "燃气泄漏", "Gas leak", "公共安全", SlaClass::urgent, "util.gas"},
    {"safety.building", "房屋安全隐患", "Unsafe building", "公共安全", SlaClass::urgent,
     "dept.housing"},
    {"safety.manhole", "井盖缺失", "Missing manhole cover", "公共安全", SlaClass::urgent,
     "dept.urban"},
    {"safety.flood", "积水内涝", "Flooding", "公共安全", SlaClass::urgent, "dept.water"},
    {"safety.food", "食品安全事件", "Food safety incident", "公共安全", SlaClass::urgent,
     "dept.market"},
    {"safety.public_order", "治安隐患", "Public-order hazard", "公共安全", SlaClass::urgent,
     "dept.police"},
    // 水电气暖讯: utility
    {"water.outage", "停水", "Water outage", "水电气暖", SlaClass::utility, "util.water"},
    {"water.quality", "水质问题", "Water quality", "水电气暖", SlaClass::utility, "util.water"},
    {"water.leak", "供水管道漏水", "Leaking water main", "水电气暖", SlaClass::utility,
     "util.water"},
    {"power.outage", "停电", "Power outage", "水电气暖", SlaClass::utility, "util.power"},
    {"power.line", "电力线路隐患", "Power line hazard", "水电气暖", SlaClass::utility,
     "util.power"},
    {"gas.supply", "燃气供应", "Gas supply", "水电气暖", SlaClass::utility, "util.gas"},
    {"heat.cold", "暖气不热", "Heating not warm", "水电气暖", SlaClass::utility, "util.heating"},
    {"telecom.outage", "通信中断", "Telecom outage", "水电气暖", SlaClass::utility, "util.telecom"},
    // 城市管理, 环境保护, 交通出行, 市场监管, 民生服务: normal
    {"env.noise", "噪声扰民", "Noise nuisance", "环境保护", SlaClass::normal, "dept.ecology"},
    {"env.air", "大气污染", "Air pollution", "环境保护", SlaClass::normal, "dept.ecology"},
    {"env.water", "水体污染", "Water pollution", "环境保护", SlaClass::normal, "dept.ecology"},
    {"env.fumes", "油烟扰民", "Cooking fumes", "环境保护", SlaClass::normal, "dept.ecology"},
    {"env.garbage", "垃圾堆放", "Piled-up garbage", "市容环境", SlaClass::normal, "dept.urban"},
    {"city.road", "道路破损", "Damaged road", "城市管理", SlaClass::normal, "dept.housing"},
    {"city.streetlight", "路灯不亮", "Street light out", "城市管理", SlaClass::normal,
     "dept.urban"},
    {"city.vendor", "占道经营", "Street vending", "城市管理", SlaClass::normal, "dept.urban"},
    {"city.illegal_building", "违法建设", "Illegal construction", "城市管理", SlaClass::normal,
     "dept.urban"},
    {"city.greenery", "绿化养护", "Green space upkeep", "城市管理", SlaClass::normal, "dept.urban"},
    {"city.facility", "公共设施损坏", "Damaged public facility", "城市管理", SlaClass::normal,
     "dept.urban"},
    {"traffic.parking", "违章停车", "Illegal parking", "交通出行", SlaClass::normal, "dept.police"},
    {"traffic.bus", "公交服务", "Bus service", "交通出行", SlaClass::normal, "dept.transport"},
    {"traffic.signal", "交通信号设施", "Traffic signals", "交通出行", SlaClass::normal,
     "dept.police"},
    {"market.price", "价格投诉", "Price complaint", "市场监管", SlaClass::normal, "dept.market"},
    {"market.quality", "商品质量", "Product quality", "市场监管", SlaClass::normal, "dept.market"},
    {"market.unlicensed", "无证经营", "Unlicensed business", "市场监管", SlaClass::normal,
     "dept.market"},
    {"social.elderly", "养老服务", "Elderly care", "民生服务", SlaClass::normal, "dept.civil"},
    {"social.assistance", "困难救助", "Hardship assistance", "民生服务", SlaClass::normal,
     "dept.civil"},
    {"social.insurance", "社保医保", "Social insurance", "民生服务", SlaClass::normal, "dept.hr"},
    {"health.service", "医疗卫生", "Health services", "民生服务", SlaClass::normal, "dept.health"},
    {"edu.school", "教育服务", "Schools", "民生服务", SlaClass::normal, "dept.education"},
    {"rural.farming", "农业生产", "Farming", "民生服务", SlaClass::normal, "dept.agriculture"},
    {"culture.venue", "文体场所", "Culture and sports venues", "民生服务", SlaClass::normal,
     "dept.culture"},
    // 矛盾纠纷 and long matters: complex
    {"neighbour.dispute", "邻里纠纷", "Neighbour dispute", "矛盾纠纷", SlaClass::complex,
     "dept.petitions"},
    {"dispute.land", "土地纠纷", "Land dispute", "矛盾纠纷", SlaClass::complex, "dept.resources"},
    {"dispute.property", "物业纠纷", "Property management dispute", "矛盾纠纷", SlaClass::complex,
     "dept.housing"},
    {"dispute.family", "婚姻家庭纠纷", "Family dispute", "矛盾纠纷", SlaClass::complex,
     "dept.civil"},
    {"labour.wages", "拖欠工资", "Unpaid wages", "矛盾纠纷", SlaClass::complex, "dept.hr"},
    {"housing.expropriation", "征收拆迁", "Expropriation and relocation", "矛盾纠纷",
     SlaClass::complex, "dept.housing"},
};

// State Council arrangements for 2025 and 2026 (days off, then make-up working days).
const std::vector<std::pair<std::string_view, std::string_view>> kHolidaySpans = {
    {"2025-01-01", "2025-01-01"}, {"2025-01-28", "2025-02-04"}, {"2025-04-04", "2025-04-06"},
    {"2025-05-01", "2025-05-05"}, {"2025-05-31", "2025-06-02"}, {"2025-10-01", "2025-10-08"},
    {"2026-01-01", "2026-01-03"}, {"2026-02-15", "2026-02-23"}, {"2026-04-04", "2026-04-06"},
    {"2026-05-01", "2026-05-05"}, {"2026-06-19", "2026-06-21"}, {"2026-09-25", "2026-09-27"},
    {"2026-10-01", "2026-10-07"},
};
const std::vector<std::string_view> kMakeUpWorkdays = {
    "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11", "2026-01-04",
    "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
};

// [SECTION] Generator: people and phones
class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {
    for (const auto& [s, w] : kSurnames) surname_total_ += w;
  }

  DemoOrg run(std::uint64_t seed);

 private:
  std::string person_name() {
    int r = static_cast<int>(rng_.below(static_cast<std::size_t>(surname_total_)));
    std::string name;
    for (const auto& [s, w] : kSurnames) {
      if (r < w) {
        name = std::string(s);
        break;
      }
      r -= w;
    }
    name += rng_.pick(kGivenChars);
    if (rng_.unit() < 0.7) name += rng_.pick(kGivenChars);
    return name;
  }

  std::string mobile() {
    for (;;) {
      std::string p(rng_.pick(kMobilePrefixes));
      for (int i = 0; i < 8; ++i) p.push_back(static_cast<char>('0' + rng_.below(10)));
      if (phones_.insert(p).second) return p;
    }
  }

  std::string landline() {
    std::string p = "0537-2";
    for (int i = 0; i < 6; ++i) p.push_back(static_cast<char>('0' + rng_.below(10)));
    return p;
  }

  std::string address() {
    return "任城区" + std::string(rng_.pick(kRoads)) + std::to_string(rng_.range(1, 299)) + "号";
  }

  std::string community_name(bool village) {
    if (village) {
      for (;;) {
        std::string n = std::string(rng_.pick(kVillagePrefixes)) +
                        std::string(rng_.pick(kVillageSuffixes)) + "村";
        if (community_names_.insert(n).second) return n;
      }
    }
    for (;;) {
      if (stem_next_ >= stems_.size()) {
        stems_.assign(kCommunityStems.begin(), kCommunityStems.end());
        rng_.shuffle(stems_);
        stem_next_ = 0;
        ++stem_round_;
      }
      static constexpr std::string_view kForms[] = {"社区", "花园社区", "新村社区", "东社区",
                                                    "西社区"};
      std::string n(stems_[stem_next_++]);
      if (stem_round_ <= 5) {
        n += kForms[stem_round_ - 1];
      } else {
        n += std::to_string(stem_round_) + "社区";  // far beyond the demo's needs
      }
      if (community_names_.insert(n).second) return n;
    }
  }

  void build_geography(DemoOrg& org);
  void build_units(DemoOrg& org);
  void build_accounts(DemoOrg& org);

  Rng rng_;
  int surname_total_ = 0;
  std::unordered_set<std::string> phones_;
  std::set<std::string> community_names_;
  std::vector<std::string_view> stems_;
  std::size_t stem_next_ = 0;
  std::size_t stem_round_ = 0;
  std::vector<std::string> grid_worker_names_;
};

// [SECTION] Generator: streets, communities, grids
// Boundaries of n strips between lo and hi with the given weights; the ends are lo and
// hi exactly, so neighbours share the very same doubles.
std::vector<double> cuts(double lo, double hi, const std::vector<double>& weights) {
  const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::vector<double> out{lo};
  double acc = 0;
  for (std::size_t i = 0; i + 1 < weights.size(); ++i) {
    acc += weights[i];
    out.push_back(lo + (hi - lo) * (acc / sum));
  }
  out.push_back(hi);
  return out;
}

constexpr double kKmPerDegLat = 111.0;
constexpr double kKmPerDegLng = 90.6;  // at 35.4° N

void Generator::build_geography(DemoOrg& org) {
  const int n_streets = static_cast<int>(kStreetSeeds.size());

  // How many grids each street has: dense city streets, then suburbs, then towns.
  std::vector<double> grid_w(n_streets), special_w(n_streets);
  for (int s = 0; s < n_streets; ++s) {
    const int kind = kStreetSeeds[s].kind;
    grid_w[s] = (kind == 0 ? 125.0 : kind == 1 ? 85.0 : 58.0) * rng_.uniform(0.9, 1.1);
    special_w[s] = kind == 0 ? 2.5 : kind == 1 ? 2.0 : 1.0;
  }
  const std::vector<int> comp = apportion(demo::kComprehensiveGrids, grid_w, 20);
  const std::vector<int> special = apportion(demo::kSpecialGrids, special_w, 1);

  // Street rectangles: rows north to south with jittered heights and widths.
  std::vector<core::Polygon> street_area(n_streets);
  {
    std::vector<double> row_h;
    for (const auto& row : kLayout) row_h.push_back(row.height * rng_.uniform(0.9, 1.1));
    // Latitude cuts run south to north, rows are listed north to south.
    std::vector<double> rev(row_h.rbegin(), row_h.rend());
    const std::vector<double> lat_cuts = cuts(demo::kMinLat, demo::kMaxLat, rev);
    for (std::size_t r = 0; r < kLayout.size(); ++r) {
      const std::size_t k = kLayout.size() - 1 - r;
      const double lat0 = lat_cuts[k], lat1 = lat_cuts[k + 1];
      std::vector<double> widths;
      for (const auto& [idx, w] : kLayout[r].streets) widths.push_back(w * rng_.uniform(0.9, 1.1));
      const std::vector<double> lng_cuts = cuts(demo::kMinLng, demo::kMaxLng, widths);
      for (std::size_t c = 0; c < kLayout[r].streets.size(); ++c)
        street_area[kLayout[r].streets[c].first] =
            core::rectangle(lng_cuts[c], lat0, lng_cuts[c + 1], lat1);
    }
  }

  std::vector<std::string_view> special_places(kSpecialPlaces.begin(), kSpecialPlaces.end());
  rng_.shuffle(special_places);
  std::size_t next_special_place = 0;

  for (int s = 0; s < n_streets; ++s) {
    const StreetSeed& seed = kStreetSeeds[s];
    DemoStreet street;
    street.id = "s" + two_digits(s + 1);
    street.name = std::string(seed.name);
    street.town = seed.kind == 2;
    street.area = street_area[s];

    // Communities and villages.
    const double per_comm = seed.kind == 0 ? 9.0 : seed.kind == 1 ? 4.0 : 1.6;
    const int n_comm = std::clamp(
        static_cast<int>(std::lround(comp[s] / per_comm * rng_.uniform(0.9, 1.1))), 3, comp[s]);
    const int n_urban_comm = seed.kind == 0   ? n_comm
                             : seed.kind == 1 ? std::max(2, n_comm * 2 / 5)
                                              : 2;  // the town seat's communities
    std::vector<double> comm_w(n_comm);
    for (double& w : comm_w) w = rng_.uniform(0.6, 1.4);
    const std::vector<int> comm_grids = apportion(comp[s], comm_w, 1);
    // Special grids go to city communities, where parks and office towers are.
    std::vector<int> comm_special(n_comm, 0);
    for (int k = 0; k < special[s]; ++k)
      ++comm_special[rng_.below(static_cast<std::size_t>(std::min(n_urban_comm, n_comm)))];

    // Community blocks: columns west to east, communities stacked south to north.
    const core::BBox sb = core::bbox(street.area);
    const double w_km = (sb.max_lng - sb.min_lng) * kKmPerDegLng;
    const double h_km = (sb.max_lat - sb.min_lat) * kKmPerDegLat;
    const int n_cols =
        std::clamp(static_cast<int>(std::lround(std::sqrt(n_comm * w_km / h_km))), 1, n_comm);
    const std::vector<int> per_col = apportion(n_comm, std::vector<double>(n_cols, 1.0), 1);
    std::vector<double> col_w;
    {
      int c0 = 0;
      for (int c = 0; c < n_cols; ++c) {
        double cells = 0;
        for (int k = c0; k < c0 + per_col[c]; ++k) cells += comm_grids[k] + comm_special[k];
        col_w.push_back(cells);
        c0 += per_col[c];
      }
    }
    const std::vector<double> xs = cuts(sb.min_lng, sb.max_lng, col_w);

    int comm_index = 0;
    for (int c = 0; c < n_cols; ++c) {
      std::vector<double> heights;
      for (int k = comm_index; k < comm_index + per_col[c]; ++k)
        heights.push_back(comm_grids[k] + comm_special[k]);
      const std::vector<double> ys = cuts(sb.min_lat, sb.max_lat, heights);
      for (int r = 0; r < per_col[c]; ++r, ++comm_index) {
        DemoCommunity comm;
        comm.id = street.id + "c" + two_digits(comm_index + 1);
        comm.street_id = street.id;
        comm.village = comm_index >= n_urban_comm;
        comm.name = community_name(comm.village);
        const double x0 = xs[c], x1 = xs[c + 1], y0 = ys[r], y1 = ys[r + 1];
        comm.area = core::rectangle(x0, y0, x1, y1);

        // Grid cells: rows south to north, cells west to east.
        const int n_cells = comm_grids[comm_index] + comm_special[comm_index];
        const double cw_km = (x1 - x0) * kKmPerDegLng, ch_km = (y1 - y0) * kKmPerDegLat;
        const int n_rows = std::clamp(
            static_cast<int>(std::lround(std::sqrt(n_cells * ch_km / cw_km))), 1, n_cells);
        const std::vector<int> per_row = apportion(n_cells, std::vector<double>(n_rows, 1.0), 1);
        const std::vector<double> gy = cuts(y0, y1, std::vector<double>(n_rows, 1.0));
        // Which cells are special: chosen at random among the community's cells.
        std::vector<bool> is_special(n_cells, false);
        for (int k = 0; k < comm_special[comm_index];) {
          const std::size_t i = rng_.below(static_cast<std::size_t>(n_cells));
          if (!is_special[i]) {
            is_special[i] = true;
            ++k;
          }
        }
        int cell = 0, comp_no = 0, special_no = 0;
        for (int row = 0; row < n_rows; ++row) {
          const std::vector<double> gx = cuts(x0, x1, std::vector<double>(per_row[row], 1.0));
          for (int col = 0; col < per_row[row]; ++col, ++cell) {
            DemoGrid g;
            g.community_id = comm.id;
            g.street_id = street.id;
            g.polygon = core::rectangle(gx[col], gy[row], gx[col + 1], gy[row + 1]);
            g.centroid = core::centroid(g.polygon);
            if (is_special[cell]) {
              g.kind = "special";
              g.id = comm.id + "z" + two_digits(++special_no);
              g.name = std::string(special_places[next_special_place++ % special_places.size()]) +
                       "专属网格";
              g.households = 0;
              g.residents = rng_.range(800, 3000);  // people working there by day
            } else {
              g.kind = "comprehensive";
              g.id = comm.id + "g" + two_digits(++comp_no);
              g.name = comm.name + "第" + std::to_string(comp_no) + "网格";
              g.households = rng_.range(300, 500);
              g.residents = static_cast<int>(g.households * rng_.uniform(2.4, 3.2));
            }
            org.grids.push_back(std::move(g));
          }
        }
        org.communities.push_back(std::move(comm));
      }
    }
    org.streets.push_back(std::move(street));
  }
}

// [SECTION] Generator: units
void Generator::build_units(DemoOrg& org) {
  for (const DeptSeed& d : kDepartments) {
    DemoUnit u;
    u.id = std::string(d.id);
    u.kind = "department";
    u.name = std::string(d.name);
    u.name_en = std::string(d.name_en);
    u.short_name = std::string(d.short_name);
    u.contact = landline();
    u.contact_person = person_name();
    u.address = address();
    org.units.push_back(std::move(u));
  }
  for (const UtilSeed& d : kUtilities) {
    DemoUnit u;
    u.id = std::string(d.id);
    u.kind = "utility";
    u.subkind = std::string(d.subkind);
    u.name = std::string(d.name);
    u.name_en = std::string(d.name_en);
    u.short_name = std::string(d.short_name);
    u.contact = landline();
    u.contact_person = person_name();
    u.address = address();
    org.units.push_back(std::move(u));
  }

  // 三官一律: a judge, a prosecutor, a police officer and a lawyer for every street.
  struct LegalSeed {
    std::string_view subkind, prefix, suffix, short_name;
  };
  static const LegalSeed kLegal[] = {
      {"judge", "任城区人民法院", "法官工作室", "法官"},
      {"prosecutor", "任城区人民检察院", "检察官工作站", "检察官"},
      {"police", "", "派出所", "民警"},
      {"lawyer", "", "法律顾问律师", "律师"},
  };
  for (const DemoStreet& st : org.streets) {
    const std::string short_name = short_street_name(st.name);
    for (const LegalSeed& l : kLegal) {
      DemoUnit u;
      u.id = "legal." + st.id + "." + std::string(l.subkind);
      u.kind = "legal";
      u.subkind = std::string(l.subkind);
      // The lawyer serves the whole street or town: 古槐街道法律顾问律师.
      u.name = std::string(l.prefix) + (l.subkind == "lawyer" ? st.name : short_name) +
               std::string(l.suffix);
      u.short_name = std::string(l.short_name);
      u.contact = mobile();
      u.contact_person = person_name();
      u.address = st.name + "便民服务中心";
      u.street_id = st.id;
      u.location = core::centroid(st.area);
      org.units.push_back(std::move(u));
    }
  }

  // Mediation venues: the district centre, a centre per street, a room per community,
  // and reception rooms in some grids.
  {
    DemoUnit u;
    u.id = "med.district";
    u.kind = "mediation";
    u.subkind = "district_centre";
    u.name = "任城区社会矛盾纠纷调处化解中心";
    u.short_name = "区矛调中心";
    u.contact = landline();
    u.contact_person = person_name();
    u.address = address();
    u.location = core::centroid(org.district.area);
    org.units.push_back(std::move(u));
  }
  for (const DemoStreet& st : org.streets) {
    DemoUnit u;
    u.id = "med." + st.id;
    u.kind = "mediation";
    u.subkind = "street_centre";
    u.name = st.name + "矛盾纠纷调处化解中心";
    u.short_name = "矛调中心";
    u.contact = landline();
    u.contact_person = person_name();
    u.address = st.name + "便民服务中心";
    u.street_id = st.id;
    u.location = core::centroid(st.area);
    org.units.push_back(std::move(u));
  }
  for (const DemoCommunity& c : org.communities) {
    DemoUnit u;
    u.id = "med." + c.id;
    u.kind = "mediation";
    u.subkind = "community_room";
    u.name = c.name + "矛调工作室";
    u.short_name = "矛调工作室";
    u.contact = mobile();
    u.contact_person = person_name();
    u.address = c.name + (c.village ? "村委会" : "党群服务中心");
    u.street_id = c.street_id;
    u.community_id = c.id;
    u.location = core::centroid(c.area);
    org.units.push_back(std::move(u));
  }
  for (std::size_t i = 0; i < org.grids.size(); i += 7) {
    const DemoGrid& g = org.grids[i];
    DemoUnit u;
    u.id = "med." + g.id;
    u.kind = "mediation";
    u.subkind = "grid_room";
    u.name = g.name + "会客厅";
    u.short_name = "网格会客厅";
    u.contact = mobile();
    u.contact_person = person_name();
    u.address = address();
    u.street_id = g.street_id;
    u.community_id = g.community_id;
    u.grid_id = g.id;
    u.location = g.centroid;
    org.units.push_back(std::move(u));
  }
}

// [SECTION] Generator: accounts
void Generator::build_accounts(DemoOrg& org) {
  auto add = [&](std::string username, Role role, std::string title) -> DemoUser& {
    DemoUser u;
    u.username = std::move(username);
    u.name = person_name();
    u.phone = mobile();
    u.role = role;
    u.title = std::move(title);
    org.users.push_back(std::move(u));
    return org.users.back();
  };

  // One full-time worker per grid (一格一员).
  for (std::size_t i = 0; i < org.grids.size(); ++i) {
    DemoGrid& g = org.grids[i];
    DemoUser& u = add(numbered("gw", static_cast<int>(i + 1), 4), Role::grid_worker,
                      g.kind == "special" ? "专属网格员" : "专职网格员");
    u.street_id = g.street_id;
    u.community_id = g.community_id;
    u.grid_ids = {g.id};
    g.worker_username = u.username;
  }

  // Professional grid workers of the departments and utilities, spread over the streets.
  std::vector<double> weights;
  std::vector<std::string> unit_ids;
  for (const DeptSeed& d : kDepartments) weights.push_back(d.workers), unit_ids.emplace_back(d.id);
  for (const UtilSeed& d : kUtilities) weights.push_back(d.workers), unit_ids.emplace_back(d.id);
  const std::vector<int> per_unit = apportion(demo::kProfessionalWorkers, weights, 1);
  int pw = 0;
  for (std::size_t k = 0; k < unit_ids.size(); ++k)
    for (int i = 0; i < per_unit[k]; ++i) {
      DemoUser& u = add(numbered("pw", ++pw, 4), Role::unit_staff, "专业网格员");
      u.unit_id = unit_ids[k];
      u.street_id = org.streets[rng_.below(org.streets.size())].id;
    }

  int n = 0;
  for (const DemoCommunity& c : org.communities) {
    DemoUser& u = add(numbered("cs", ++n, 3), Role::community_staff,
                      c.village ? "村党支部书记" : "社区党委书记");
    u.street_id = c.street_id;
    u.community_id = c.id;
  }
  n = 0;
  for (const DemoStreet& st : org.streets)
    for (const char* title : {"网格化服务管理中心主任", "网格化服务管理中心干事"}) {
      DemoUser& u = add(numbered("ss", ++n, 3), Role::street_staff, title);
      u.street_id = st.id;
    }
  for (int i = 1; i <= 6; ++i)
    add(numbered("ds", i, 2), Role::district_staff, org.district.hotline_centre + "调度员");
  for (int i = 1; i <= 8; ++i) add(numbered("ha", i, 2), Role::hotline_agent, "12345热线话务员");

  // A duty account for every department, utility and 三官一律 unit; the legal unit's
  // contact person is that account's holder.
  n = 0;
  for (DemoUnit& unit : org.units) {
    if (unit.kind == "mediation") continue;
    const std::string title = unit.kind == "legal" ? unit.short_name : "值班员";
    DemoUser& u = add(numbered("ud", ++n, 3), Role::unit_staff, title);
    u.unit_id = unit.id;
    u.street_id = unit.street_id;
    if (unit.kind == "legal") {
      u.name = unit.contact_person;
      u.phone = unit.contact;
    }
  }

  for (int i = 1; i <= 20; ++i) {
    DemoUser& u = add(numbered("cz", i, 3), Role::citizen, "");
    const DemoGrid& g = org.grids[rng_.below(org.grids.size())];
    u.street_id = g.street_id;
    u.community_id = g.community_id;
  }
  DemoUser& admin = add("admin", Role::admin, "系统管理员");
  admin.name = "系统管理员";
  DemoUser& auditor = add("auditor", Role::auditor, "审计员");
  auditor.name = "审计员";
}

// [SECTION] Generator: gazetteer
// From a random stream of its own: adding places never moves the organisation.
class Gazetteer {
 public:
  Gazetteer(DemoOrg& org, std::uint64_t seed) : org_(org), rng_(seed) {
    std::vector<std::pair<std::string, core::Polygon>> areas;
    for (const auto& st : org.streets) areas.emplace_back(st.id, st.area);
    streets_ = core::GridIndex(std::move(areas));
    for (const auto& g : org.grids) grids_of_[g.community_id].push_back(&g);
    for (const auto& g : org.grids) street_grids_[g.street_id].push_back(&g);
  }

  void run() {
    roads();
    landmarks();
  }

 private:
  // Adds a place unless one of its kind has the name already; false then.
  bool add(std::string name, const char* kind, core::LngLat at) {
    if (!names_.insert(std::string(kind) + "|" + name).second) return false;
    auto street = streets_.locate(at.lat, at.lng);
    if (!street) return false;  // outside the district: never placed so
    org_.places.push_back({std::move(name), kind, at, *street});
    return true;
  }

  // A point well inside a grid (away from its edges).
  core::LngLat inside(const DemoGrid& g) {
    const core::BBox b = core::bbox(g.polygon);
    for (int tries = 0; tries < 20; ++tries) {
      const core::LngLat p{rng_.uniform(b.min_lng + 0.15 * (b.max_lng - b.min_lng),
                                        b.max_lng - 0.15 * (b.max_lng - b.min_lng)),
                           rng_.uniform(b.min_lat + 0.15 * (b.max_lat - b.min_lat),
                                        b.max_lat - 0.15 * (b.max_lat - b.min_lat))};
      if (core::contains(g.polygon, p)) return p;
    }
    return g.centroid;
  }

  const DemoGrid& any_grid_of_street(const std::string& street_id) {
    return *rng_.pick(street_grids_.at(street_id));
  }

  // 太白楼路 → 太白楼东路 (the section's direction before the final 路).
  static std::string section(std::string_view road, std::string_view direction) {
    constexpr std::string_view kRoad = "路";
    std::string out(road.substr(0, road.size() - kRoad.size()));
    return out + std::string(direction) + std::string(kRoad);
  }

  static bool sectioned(std::string_view road) {
    return std::find(kSectionedRoads.begin(), kSectionedRoads.end(), road) != kSectionedRoads.end();
  }

  struct Stretch {
    std::string name;
    double at = 0;            // latitude (east-west) or longitude (north-south)
    double from = 0, to = 0;  // the other coordinate
    double middle = 0;        // where along it the road's own point is
  };

  // The street a road is named after (古槐路 runs through 古槐街道), if any.
  const DemoStreet* namesake(std::string_view road) const {
    for (const auto& st : org_.streets)
      if (road.starts_with(short_street_name(st.name))) return &st;
    return nullptr;
  }

  void roads() {
    // The city: the urban streets (街道 of communities only) north of the south row.
    core::BBox city;
    for (std::size_t s = 0; s < kStreetSeeds.size(); ++s)
      if (kStreetSeeds[s].kind == 0 && s != 4) city.extend(core::bbox(org_.streets[s].area));
    const double w = city.max_lng - city.min_lng, h = city.max_lat - city.min_lat;

    // Roads side by side across the city, each over most of it; a road named after a
    // street runs through that street, and its point is there.
    auto lay_out = [&](const std::vector<std::string_view>& names, bool east_west) {
      const double lo = east_west ? city.min_lat : city.min_lng;
      const double span = east_west ? h : w;
      const double other_lo = east_west ? city.min_lng : city.min_lat;
      const double other_span = east_west ? w : h;
      std::vector<std::string_view> order(names.begin(), names.end());
      rng_.shuffle(order);
      std::vector<Stretch> out;
      const double n = static_cast<double>(order.size());
      for (std::size_t i = 0; i < order.size(); ++i) {
        Stretch r;
        r.name = std::string(order[i]);
        r.at = lo + span * (i + rng_.uniform(0.25, 0.75)) / n;
        r.from = other_lo + other_span * rng_.uniform(0.0, 0.3);
        r.to = other_lo + other_span * rng_.uniform(0.7, 1.0);
        r.middle = (r.from + r.to) / 2;
        if (const DemoStreet* st = namesake(r.name)) {
          const core::BBox b = core::bbox(st->area);
          r.at = east_west ? rng_.uniform(b.min_lat + 0.2 * (b.max_lat - b.min_lat),
                                          b.max_lat - 0.2 * (b.max_lat - b.min_lat))
                           : rng_.uniform(b.min_lng + 0.2 * (b.max_lng - b.min_lng),
                                          b.max_lng - 0.2 * (b.max_lng - b.min_lng));
          r.middle = east_west ? (b.min_lng + b.max_lng) / 2 : (b.min_lat + b.max_lat) / 2;
          r.from = std::min(r.from, r.middle);
          r.to = std::max(r.to, r.middle);
        }
        out.push_back(std::move(r));
      }
      return out;
    };
    const std::vector<Stretch> east_west = lay_out(kEastWestRoads, true);
    const std::vector<Stretch> north_south = lay_out(kNorthSouthRoads, false);

    for (const Stretch& r : east_west) {
      add(r.name, "road", {r.middle, r.at});
      if (sectioned(r.name)) {
        const double third = (r.to - r.from) / 3;
        add(section(r.name, "西"), "road", {r.from + third / 2, r.at});
        add(section(r.name, "中"), "road", {r.from + third * 1.5, r.at});
        add(section(r.name, "东"), "road", {r.from + third * 2.5, r.at});
      }
    }
    for (const Stretch& r : north_south) {
      add(r.name, "road", {r.at, r.middle});
      if (sectioned(r.name)) {
        const double third = (r.to - r.from) / 3;
        add(section(r.name, "南"), "road", {r.at, r.from + third / 2});
        add(section(r.name, "中"), "road", {r.at, r.from + third * 1.5});
        add(section(r.name, "北"), "road", {r.at, r.from + third * 2.5});
      }
    }
    // Where two city roads cross.
    for (const Stretch& ew : east_west)
      for (const Stretch& ns : north_south)
        if (ns.at >= ew.from && ns.at <= ew.to && ew.at >= ns.from && ew.at <= ns.to)
          add(ew.name + "与" + ns.name + "交叉口", "landmark", {ns.at, ew.at});

    // Highways across the district, and each town's or suburb's high street.
    const core::BBox d = core::bbox(org_.district.area);
    for (const auto& [name, east_west_road] : kDistrictRoads) {
      const core::LngLat at{rng_.uniform(d.min_lng + 0.1 * (d.max_lng - d.min_lng),
                                         d.max_lng - 0.1 * (d.max_lng - d.min_lng)),
                            rng_.uniform(d.min_lat + 0.1 * (d.max_lat - d.min_lat),
                                         d.max_lat - 0.1 * (d.max_lat - d.min_lat))};
      (void)east_west_road;  // one point each: where along the road does not matter
      add(std::string(name), "road", at);
    }
    for (std::size_t s = 0; s < kStreetSeeds.size(); ++s)
      if (kStreetSeeds[s].kind != 0)
        add(short_street_name(org_.streets[s].name) + "大街", "road",
            inside(any_grid_of_street(org_.streets[s].id)));
  }

  void landmarks() {
    for (const auto& [name, street] : kLandmarks)
      add(std::string(name), "landmark", inside(any_grid_of_street(org_.streets[street].id)));

    // Each street's or town's health centre, schools, market and square.
    for (std::size_t s = 0; s < org_.streets.size(); ++s) {
      const DemoStreet& st = org_.streets[s];
      const std::string short_ = short_street_name(st.name);
      const bool town = st.town;
      add(town ? short_ + "镇卫生院" : short_ + "街道社区卫生服务中心", "landmark",
          inside(any_grid_of_street(st.id)));
      add(short_ + (town ? "镇中心小学" : "街道中心小学"), "landmark",
          inside(any_grid_of_street(st.id)));
      add(short_ + "中学", "landmark", inside(any_grid_of_street(st.id)));
      add(short_ + "农贸市场", "landmark", inside(any_grid_of_street(st.id)));
      add(short_ + "文化广场", "landmark", inside(any_grid_of_street(st.id)));
    }

    // Residential estates, schools and markets of city communities; squares of villages.
    for (const DemoCommunity& c : org_.communities) {
      const auto& grids = grids_of_.at(c.id);
      if (c.village) {
        if (rng_.unit() < 0.3) add(c.name + "文化广场", "landmark", inside(*rng_.pick(grids)));
        continue;
      }
      const int estates = rng_.range(2, 4);
      for (int k = 0, tries = 0; k < estates && tries < 20; ++tries) {
        std::string name =
            std::string(rng_.pick(kEstateStems)) + std::string(rng_.pick(kEstateForms));
        if (tries >= 10) name += "二期";
        if (add(std::move(name), "landmark", inside(*rng_.pick(grids)))) ++k;
      }
      // 运河花园社区 → 运河花园
      std::string stem = c.name;
      if (const std::string tail = "社区"; stem.size() > tail.size() && stem.ends_with(tail))
        stem.erase(stem.size() - tail.size());
      if (rng_.unit() < 0.25) add("任城区" + stem + "小学", "landmark", inside(*rng_.pick(grids)));
      if (rng_.unit() < 0.25) add(stem + "菜市场", "landmark", inside(*rng_.pick(grids)));
      if (rng_.unit() < 0.2) add(stem + "幼儿园", "landmark", inside(*rng_.pick(grids)));
    }
  }

  DemoOrg& org_;
  Rng rng_;
  core::GridIndex streets_;
  std::map<std::string, std::vector<const DemoGrid*>> grids_of_, street_grids_;
  std::set<std::string> names_;
};

DemoOrg Generator::run(std::uint64_t seed) {
  DemoOrg org;
  org.seed = seed;
  org.district.id = "370811";
  org.district.name = "任城区";
  org.district.hotline_centre = "任城区政务热线服务中心";
  org.district.area = core::rectangle(demo::kMinLng, demo::kMinLat, demo::kMaxLng, demo::kMaxLat);
  build_geography(org);
  build_units(org);
  org.categories = kCategories;
  build_accounts(org);
  for (const auto& [from, to] : kHolidaySpans) {
    auto d0 = core::parse_civil_date(from), d1 = core::parse_civil_date(to);
    for (std::int64_t d = core::days_from_civil(*d0); d <= core::days_from_civil(*d1); ++d)
      org.holidays.push_back(core::format_civil_date(core::civil_from_days(d)));
  }
  for (std::string_view d : kMakeUpWorkdays) org.workdays.emplace_back(d);
  Gazetteer(org, seed * 0xd1b54a32d192ed03ULL + 0x8bb84b93962eacc9ULL).run();
  return org;
}

}  // namespace

DemoOrg generate_demo_org(std::uint64_t seed) {
  // Mix the seed so that seeds 1, 2, 3 ... start far apart.
  Generator g(seed * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL);
  return g.run(seed);
}

}  // namespace portal::server
