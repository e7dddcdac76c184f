#include "service/demo_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <array>
#include <cctype>
#include <future>
#include <optional>
#include <random>
#include <span>
#include <string_view>
#include <thread>
#include <unordered_set>

#include "core/clock.h"
#include "domain/card.h"
#include "domain/member.h"
#include "domain/org.h"
#include "service/accounts.h"
#include "service/context.h"
#include "service/loyalty.h"
#include "service/member_import.h"  // WriteBulk
#include "service/tier_admin.h"

namespace vipcare::service {
namespace {

using domain::Member;
using domain::Role;
using std::string_view;

constexpr string_view kCompanyName = "示例零售集团";
constexpr string_view kTimeZone = "Asia/Shanghai";
// Members are stored in chunks: a referral points at a member of an earlier
// chunk, whose id the database has assigned by then. At least 20 chunks, so
// even a small demo has referrals; at most 5000 members each, to bound memory.
constexpr size_t kMaxChunk = 5000;
constexpr size_t kMinChunks = 20;
constexpr int kHistoryDays = 3 * 365;

// Deterministic randomness. std::mt19937_64's output is fixed by the standard,
// but std::uniform_int_distribution & co. are not, so ranges are made here
// (rejection sampling: exactly uniform, identical on every platform).
// Callers draw into named locals, never twice in one expression: the order in
// which function arguments are evaluated differs between compilers.
class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}

  // Uniform in [0, n); n > 0.
  uint64_t Below(uint64_t n) {
    // 2^64 mod n values at the bottom would make small results more likely.
    const uint64_t threshold = (0 - n) % n;
    uint64_t x;
    do {
      x = gen_();
    } while (x < threshold);
    return x % n;
  }
  // Uniform in [lo, hi].
  int Between(int lo, int hi) { return lo + int(Below(uint64_t(hi - lo + 1))); }
  bool PerMille(int p) { return Below(1000) < uint64_t(p); }
  template <class T>
  const T& Pick(std::span<const T> items) {
    return items[Below(items.size())];
  }
  // Index drawn with the given relative weights.
  size_t Weighted(std::span<const int> weights) {
    int total = 0;
    for (int w : weights) total += w;
    int x = int(Below(uint64_t(total)));
    for (size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.size() - 1;
  }
  int Digit() { return int(Below(10)); }

 private:
  std::mt19937_64 gen_;
};

// ---------------------------------------------------------------- static data

struct RegionSeed {
  string_view code;
  string_view name;
};
constexpr std::array<RegionSeed, 2> kRegions = {{{"EAST", "华东片区"}, {"SOUTH", "华南片区"}}};

struct StoreSeed {
  string_view code;
  string_view name;
  size_t region;  // index in kRegions
  string_view province;
  string_view city;
  string_view city_short;  // for company names
  string_view address;
  string_view phone;
  string_view opened_on;
  int weight;      // relative share of members
  int associates;  // 25 in all
  string_view postcode;
  string_view id_area;  // resident ID area code of the store's district
  std::array<string_view, 6> districts;
  std::array<string_view, 6> streets;
};

constexpr std::array<StoreSeed, 8> kStores = {{
    {"SH01",
     "上海南京路店",
     0,
     "上海市",
     "上海市",
     "上海",
     "上海市黄浦区南京东路800号",
     "021-63221288",
     "2012-05-18",
     18,
     4,
     "200001",
     "310101",
     {"黄浦区", "静安区", "徐汇区", "浦东新区", "长宁区", "杨浦区"},
     {"南京东路", "淮海中路", "延安西路", "世纪大道", "天目西路", "四川北路"}},
    {"SH02",
     "上海徐家汇店",
     0,
     "上海市",
     "上海市",
     "上海",
     "上海市徐汇区漕溪北路88号",
     "021-64871566",
     "2015-09-26",
     14,
     3,
     "200030",
     "310104",
     {"徐汇区", "闵行区", "长宁区", "静安区", "普陀区", "浦东新区"},
     {"漕溪北路", "肇嘉浜路", "虹桥路", "宜山路", "衡山路", "田林路"}},
    {"HZ01",
     "杭州湖滨店",
     0,
     "浙江省",
     "杭州市",
     "杭州",
     "浙江省杭州市上城区湖滨路28号",
     "0571-87061399",
     "2016-04-30",
     12,
     3,
     "310006",
     "330102",
     {"上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区"},
     {"湖滨路", "延安路", "文三路", "庆春路", "江南大道", "解放路"}},
    {"NJ01",
     "南京新街口店",
     0,
     "江苏省",
     "南京市",
     "南京",
     "江苏省南京市秦淮区中山南路1号",
     "025-84721566",
     "2017-10-01",
     11,
     3,
     "210005",
     "320104",
     {"秦淮区", "玄武区", "鼓楼区", "建邺区", "栖霞区", "江宁区"},
     {"中山南路", "中山路", "汉中路", "北京东路", "太平南路", "龙蟠路"}},
    {"GZ01",
     "广州天河店",
     1,
     "广东省",
     "广州市",
     "广州",
     "广东省广州市天河区天河路208号",
     "020-38331688",
     "2013-12-12",
     14,
     3,
     "510620",
     "440106",
     {"天河区", "越秀区", "海珠区", "荔湾区", "白云区", "番禺区"},
     {"天河路", "体育西路", "中山大道", "环市东路", "江南大道中", "工业大道"}},
    {"SZ01",
     "深圳万象城店",
     1,
     "广东省",
     "深圳市",
     "深圳",
     "广东省深圳市罗湖区宝安南路1881号",
     "0755-82661388",
     "2014-06-06",
     13,
     3,
     "518001",
     "440303",
     {"罗湖区", "福田区", "南山区", "宝安区", "龙岗区", "龙华区"},
     {"宝安南路", "深南东路", "红岭中路", "福华路", "东门中路", "人民南路"}},
    {"SZ02",
     "深圳海岸城店",
     1,
     "广东省",
     "深圳市",
     "深圳",
     "广东省深圳市南山区文心五路33号",
     "0755-86121699",
     "2018-08-08",
     10,
     3,
     "518054",
     "440305",
     {"南山区", "宝安区", "福田区", "龙华区", "罗湖区", "光明区"},
     {"文心五路", "后海大道", "科技园路", "南海大道", "创业路", "海德三道"}},
    {"XM01",
     "厦门中山路店",
     1,
     "福建省",
     "厦门市",
     "厦门",
     "福建省厦门市思明区中山路168号",
     "0592-2021688",
     "2019-01-18",
     8,
     3,
     "361001",
     "350203",
     {"思明区", "湖里区", "集美区", "海沧区", "同安区", "翔安区"},
     {"中山路", "湖滨南路", "厦禾路", "嘉禾路", "莲前西路", "环岛路"}},
}};

struct WeightedName {
  string_view text;
  int weight;  // per ten thousand people, roughly
};
constexpr std::array<WeightedName, 56> kSurnames = {{
    {"王", 710}, {"李", 700}, {"张", 670}, {"刘", 540}, {"陈", 450}, {"杨", 310}, {"黄", 220},
    {"赵", 200}, {"吴", 200}, {"周", 190}, {"徐", 130}, {"孙", 130}, {"马", 110}, {"朱", 110},
    {"胡", 100}, {"郭", 100}, {"何", 90},  {"高", 90},  {"林", 90},  {"罗", 90},  {"郑", 80},
    {"梁", 80},  {"谢", 60},  {"宋", 60},  {"唐", 60},  {"许", 50},  {"韩", 50},  {"冯", 50},
    {"邓", 50},  {"曹", 50},  {"彭", 50},  {"曾", 50},  {"肖", 40},  {"田", 40},  {"董", 40},
    {"袁", 40},  {"潘", 40},  {"于", 40},  {"蒋", 40},  {"蔡", 40},  {"余", 40},  {"杜", 40},
    {"叶", 40},  {"程", 40},  {"苏", 30},  {"魏", 30},  {"吕", 30},  {"丁", 30},  {"任", 30},
    {"沈", 30},  {"姚", 30},  {"卢", 30},  {"钟", 30},  {"方", 30},  {"欧阳", 5}, {"司马", 2},
}};
constexpr std::array<string_view, 36> kMaleChars = {
    "伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "辉", "刚",
    "鹏", "华", "飞", "斌", "浩", "宇", "俊", "峰", "建", "国", "志", "文",
    "龙", "鑫", "博", "凯", "晨", "昊", "子", "轩", "睿", "泽", "航", "毅"};
constexpr std::array<string_view, 36> kFemaleChars = {
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪",
    "琳", "颖", "倩", "慧", "佳", "欣", "怡", "晶", "萍", "红", "梅", "丹",
    "蕾", "璐", "悦", "可", "雨", "诗", "涵", "思", "嘉", "琪", "瑶", "月"};
constexpr std::array<string_view, 14> kNeutralChars = {"文", "明", "晓", "春", "海", "云", "平",
                                                       "宁", "安", "一", "天", "小", "晨", "子"};

constexpr std::array<int, 31> kMobilePrefixes = {
    130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156,
    157, 158, 159, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 177, 199};

constexpr std::array<string_view, 16> kHobbies = {
    "旅游", "瑜伽",   "摄影",   "烘焙",   "阅读", "跑步", "茶艺", "书法",
    "钓鱼", "羽毛球", "高尔夫", "广场舞", "收藏", "园艺", "健身", "音乐"};
constexpr std::array<string_view, 10> kColours = {"黑色", "白色", "米色", "藏青", "酒红",
                                                  "驼色", "灰色", "粉色", "墨绿", "卡其"};
constexpr std::array<string_view, 8> kBrands = {"云裳", "青禾", "北辰", "简素",
                                                "拾光", "雅韵", "锦澜", "朴木"};
constexpr std::array<string_view, 10> kCategories = {"女装", "男装", "童装", "鞋履", "箱包",
                                                     "配饰", "美妆", "家居", "内衣", "运动"};
constexpr std::array<string_view, 7> kSpecialNeeds = {"温水，瓷杯",
                                                      "行动不便，试衣时需要座椅",
                                                      "对羊毛过敏",
                                                      "只在周末联系",
                                                      "老花眼，资料请用大字版",
                                                      "常带婴儿车，需要无障碍通道",
                                                      "不吃辛辣，活动餐饮请注意"};
// 团购客户 (group buyer) is given to the B2B key accounts only.
constexpr std::array<string_view, 7> kTags = {"高净值", "新品偏好",   "价格敏感", "生日礼遇",
                                              "老顾客", "会员日活跃", "潜力客户"};
constexpr std::array<string_view, 6> kNotes = {"喜欢安静的试衣间，不喜欢被打扰",
                                               "每年春节前采购礼品",
                                               "偏好周末下午到店",
                                               "对售后服务要求高",
                                               "常为家人代购",
                                               "曾投诉退换货流程，已妥善处理"};
constexpr std::array<string_view, 12> kOtherOccupations = {
    "白领", "个体", "公务员", "自由职业", "企业主",   "工程师",
    "销售", "财务", "设计师", "律师",     "家庭主妇", "IT"};
constexpr std::array<string_view, 10> kCompanyWords = {"恒信", "华泰", "金石", "远景", "中盛",
                                                       "宏达", "联创", "新程", "博远", "天合"};
constexpr std::array<string_view, 10> kIndustries = {"科技", "贸易", "实业", "咨询", "传媒",
                                                     "电子", "物流", "置业", "医药", "食品"};
constexpr std::array<string_view, 10> kJobTitles = {"经理",   "主管",     "总监",     "工程师",
                                                    "会计",   "行政专员", "销售经理", "项目经理",
                                                    "合伙人", "总经理"};
constexpr std::array<string_view, 3> kRepayment = {"按期还款", "偶有逾期，均已结清",
                                                   "季度结算，按时付款"};
constexpr std::array<string_view, 6> kEmailDomains = {"qq.com",   "163.com",     "126.com",
                                                      "sina.com", "foxmail.com", "gmail.com"};
constexpr std::array<string_view, 4> kChildHobbies = {"钢琴", "绘画", "足球", "乐高"};

template <class T, size_t N>
std::span<const T> Span(const std::array<T, N>& a) {
  return std::span<const T>(a.data(), N);
}

// ---------------------------------------------------------------- generators

class Generator {
 public:
  Generator(uint64_t seed, Date today) : rng_(seed), today_(today) {
    for (const auto& s : kSurnames) surname_weights_.push_back(s.weight);
    for (const auto& s : kStores) store_weights_.push_back(s.weight);
  }

  Rng& rng() { return rng_; }

  string_view Surname() { return kSurnames[rng_.Weighted(surname_weights_)].text; }

  std::string GivenName(domain::Gender g) {
    auto pick = [&]() -> string_view {
      if (rng_.PerMille(150)) return rng_.Pick(Span(kNeutralChars));
      bool female =
          g == domain::Gender::kFemale || (g == domain::Gender::kUnknown && rng_.PerMille(500));
      return female ? rng_.Pick(Span(kFemaleChars)) : rng_.Pick(Span(kMaleChars));
    };
    std::string name(pick());
    if (rng_.PerMille(700)) name += pick();
    return name;
  }

  std::string FullName(domain::Gender g) {
    std::string name(Surname());
    name += GivenName(g);
    return name;
  }

  // A mainland mobile not handed out before.
  std::string Mobile() {
    for (;;) {
      const uint64_t prefix = uint64_t(kMobilePrefixes[rng_.Below(kMobilePrefixes.size())]);
      const uint64_t n = prefix * 100000000ULL + rng_.Below(100000000ULL);
      if (mobiles_.insert(n).second) return std::to_string(n);
    }
  }

  // A card number not handed out before; from the seeded generator (not a
  // CSPRNG) so the demo is reproducible. Demo cards are not real cards.
  std::string CardNumber() {
    for (;;) {
      std::string no = domain::MakeCardNumber([this] { return rng_.Digit(); });
      if (card_numbers_.insert(no).second) return no;
    }
  }

  size_t HomeStore() { return rng_.Weighted(store_weights_); }

  // A real solar date in `year`.
  domain::CalendarDate SolarDate(int year) {
    unsigned month = unsigned(rng_.Between(1, 12));
    auto last = std::chrono::year_month_day_last(
        std::chrono::year(year), std::chrono::month_day_last(std::chrono::month(month)));
    unsigned day = unsigned(rng_.Between(1, int(unsigned(last.day()))));
    return {year, month, day, domain::Calendar::kSolar, false};
  }

  Date today() const { return today_; }

 private:
  Rng rng_;
  Date today_;
  std::vector<int> surname_weights_;
  std::vector<int> store_weights_;
  std::unordered_set<uint64_t> mobiles_;
  std::unordered_set<std::string> card_numbers_;
};

// An 18-character resident ID with a valid check character (GB 11643).
std::string IdNumber(Rng& rng, string_view area, const domain::CalendarDate& birthday,
                     domain::Gender g) {
  const int seq1 = rng.Digit();
  const int seq2 = rng.Digit();
  std::string id = fmt::format("{}{:04d}{:02d}{:02d}{}{}", area, birthday.year, birthday.month,
                               birthday.day, seq1, seq2);
  int sex_digit = rng.Between(0, 4) * 2;  // even: female
  if (g == domain::Gender::kMale || (g == domain::Gender::kUnknown && rng.PerMille(500))) {
    ++sex_digit;
  }
  id += char('0' + sex_digit);
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (id[size_t(i)] - '0') * kWeights[i];
  id += kCheck[sum % 11];
  return id;
}

std::string Email(Rng& rng) {
  auto domain_name = rng.Pick(Span(kEmailDomains));
  std::string local;
  if (domain_name == "qq.com" || rng.PerMille(300)) {
    int digits = rng.Between(6, 10);
    local += char('1' + rng.Below(9));
    for (int i = 1; i < digits; ++i) local += char('0' + rng.Digit());
  } else {
    int letters = rng.Between(4, 8);
    for (int i = 0; i < letters; ++i) local += char('a' + rng.Below(26));
    if (rng.PerMille(600)) local += std::to_string(rng.Between(1, 9999));
  }
  return local + "@" + std::string(domain_name);
}

std::string WechatId(Rng& rng) {
  constexpr string_view kAlnum = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string id;
  if (rng.PerMille(500)) {
    id = "wxid_";
    for (int i = 0; i < 12; ++i) id += kAlnum[rng.Below(kAlnum.size())];
  } else {
    // Chosen WeChat ids start with a letter.
    int letters = rng.Between(5, 9);
    for (int i = 0; i < letters; ++i) id += char('a' + rng.Below(26));
    id += std::to_string(rng.Between(10, 9999));
  }
  return id;
}

domain::Address HomeAddress(Rng& rng, const StoreSeed& s) {
  domain::Address a;
  a.label = "home";
  a.province = std::string(s.province);
  a.city = std::string(s.city);
  size_t d = rng.Below(s.districts.size());
  a.district = std::string(s.districts[d]);
  const string_view street = s.streets[rng.Below(s.streets.size())];
  const int number = rng.Between(1, 1200);
  a.detail = fmt::format("{}{}号", street, number);
  if (rng.PerMille(700)) {
    const int building = rng.Between(1, 30);
    const int floor = rng.Between(1, 32);
    const int flat = rng.Between(1, 6);
    a.detail += fmt::format("{}栋{}室", building, floor * 100 + flat);
  }
  a.postcode = std::string(s.postcode);
  return a;
}

std::string CompanyName(Rng& rng, const StoreSeed& s) {
  const string_view word = rng.Pick(Span(kCompanyWords));
  const string_view industry = rng.Pick(Span(kIndustries));
  return fmt::format("{}{}{}有限公司", s.city_short, word, industry);
}

// Fills occupation, company and job title; `age` steers students and retirees.
void Work(Rng& rng, const StoreSeed& s, int age, Member& m) {
  const auto& known = domain::KnownOccupations();  // teacher, military, medical, ...
  auto known_or = [&](string_view code) {
    return std::find(known.begin(), known.end(), code) != known.end() ? std::string(code)
                                                                      : std::string();
  };
  int x = int(rng.Below(1000));
  if (x < 80 && age >= 23 && age <= 62) {
    m.occupation = known_or("teacher");
    m.company = rng.PerMille(500) ? fmt::format("{}第{}中学", s.city_short, rng.Between(1, 40))
                                  : fmt::format("{}实验小学", s.districts[rng.Below(6)]);
    m.job_title = rng.PerMille(800) ? "教师" : "教研组长";
  } else if (x < 110 && age >= 19 && age <= 55) {
    m.occupation = known_or("military");
  } else if (x < 170 && age >= 23 && age <= 65) {
    m.occupation = known_or("medical");
    m.company = fmt::format("{}第{}人民医院", s.city_short, rng.Between(1, 12));
    m.job_title = rng.PerMille(600) ? "医生" : (rng.PerMille(500) ? "护士长" : "主治医师");
  } else if (age >= 62) {
    m.occupation = "退休";
  } else if (age <= 22) {
    m.occupation = "学生";
  } else {
    m.occupation = std::string(rng.Pick(Span(kOtherOccupations)));
    if (rng.PerMille(450)) {
      m.company = CompanyName(rng, s);
      m.job_title = std::string(rng.Pick(Span(kJobTitles)));
    }
  }
}

void AddUnique(std::vector<std::string>& list, string_view item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.emplace_back(item);
}

void Preferences(Rng& rng, Member& m) {
  auto& p = m.preferences;
  int hobbies = rng.Between(0, 3);
  for (int i = 0; i < hobbies; ++i) AddUnique(p.hobbies, rng.Pick(Span(kHobbies)));
  bool male = m.gender == domain::Gender::kMale;
  static constexpr std::array<string_view, 4> kFemaleSizes = {"S", "M", "L", "XL"};
  static constexpr std::array<string_view, 5> kMaleSizes = {"M", "L", "XL", "XXL", "XXXL"};
  if (rng.PerMille(800)) {
    p.clothing_size = std::string(male ? rng.Pick(Span(kMaleSizes)) : rng.Pick(Span(kFemaleSizes)));
  }
  if (rng.PerMille(700))
    p.shoe_size = std::to_string(male ? rng.Between(39, 44) : rng.Between(35, 39));
  int colours = rng.Between(0, 2);
  for (int i = 0; i < colours; ++i) AddUnique(p.colours, rng.Pick(Span(kColours)));
  int brands = rng.Between(0, 2);
  for (int i = 0; i < brands; ++i) AddUnique(p.brands, rng.Pick(Span(kBrands)));
  int categories = rng.Between(1, 3);
  for (int i = 0; i < categories; ++i) AddUnique(p.categories, rng.Pick(Span(kCategories)));
  if (rng.PerMille(50)) p.special_needs = std::string(rng.Pick(Span(kSpecialNeeds)));
  static constexpr std::array<string_view, 5> kChannels = {"wechat", "sms", "phone", "visit",
                                                           "mail"};
  int channels = rng.Between(1, 2);
  for (int i = 0; i < channels; ++i) AddUnique(p.preferred_channels, rng.Pick(Span(kChannels)));
  if (!m.email.empty() && rng.PerMille(250)) AddUnique(p.preferred_channels, "email");
  if (rng.PerMille(150)) {
    bool night = rng.PerMille(700);
    p.dnd_start = night ? "22:00" : "12:00";
    p.dnd_end = night ? "08:00" : "14:00";
  }
  p.marketing_opt_out = rng.PerMille(60);
}

// `surname` is the member's; children take the father's.
void Family(Generator& gen, const domain::CalendarDate& birthday, string_view surname, Member& m) {
  Rng& rng = gen.rng();
  const int by = birthday.year;
  const int last_year = gen.today().year() - 1;
  if (rng.PerMille(250) && by + 22 <= last_year) {
    auto spouse_gender =
        m.gender == domain::Gender::kMale ? domain::Gender::kFemale : domain::Gender::kMale;
    m.spouse_name = gen.FullName(spouse_gender);
    domain::Anniversary wedding;
    wedding.kind = "wedding";
    wedding.label = "结婚纪念日";
    wedding.date = gen.SolarDate(rng.Between(by + 22, std::min(by + 40, last_year)));
    m.anniversaries.push_back(wedding);
  }
  if (rng.PerMille(300) && by + 23 <= last_year) {
    int children = rng.Between(1, 2);
    // A mother's children usually carry their father's surname (unknown here).
    string_view family_name = m.gender == domain::Gender::kMale ? surname : gen.Surname();
    for (int i = 0; i < children; ++i) {
      domain::FamilyMember child;
      auto g = rng.PerMille(500) ? domain::Gender::kMale : domain::Gender::kFemale;
      child.name = std::string(family_name) + gen.GivenName(g);
      child.relation = "child";
      child.birthday = gen.SolarDate(rng.Between(by + 23, std::min(by + 42, last_year)));
      if (rng.PerMille(400)) child.hobbies = std::string(rng.Pick(Span(kChildHobbies)));
      m.family.push_back(std::move(child));
    }
  }
}

void Business(Generator& gen, const StoreSeed& s, Member& m) {
  Rng& rng = gen.rng();
  auto& b = m.business;
  if (m.company.empty()) {
    m.company = CompanyName(rng, s);
    m.job_title = rng.PerMille(500) ? "采购经理" : "行政主管";
  }
  b.sales_region = std::string(kRegions[s.region].name);
  static constexpr std::array<string_view, 3> kRatings = {"A", "B", "C"};
  b.credit_rating = std::string(kRatings[rng.Weighted(std::array<int, 3>{5, 4, 1})]);
  int64_t limit_yuan = int64_t(rng.Between(5, 50)) * 10000;
  b.credit_limit = Fen(limit_yuan * 100);
  b.outstanding_debt = Fen(rng.PerMille(600) ? 0 : int64_t(rng.Below(uint64_t(limit_yuan * 30))));
  b.repayment_record = std::string(rng.Pick(Span(kRepayment)));
  b.key_decision_maker =
      gen.FullName(rng.PerMille(500) ? domain::Gender::kMale : domain::Gender::kFemale);
  AddUnique(m.tags, "团购客户");
}

// ---------------------------------------------------------------- organisation

struct StaffPlan {
  domain::Staff staff;
  std::string username;
  std::string login_scope;  // store or region code
};

std::vector<StaffPlan> PlanStaff(Generator& gen) {
  std::vector<StaffPlan> plans;
  auto add = [&](Role role, std::string username, int store, int region) {
    StaffPlan p;
    p.staff.employee_no = fmt::format("E{:04d}", plans.size() + 1);
    auto g = gen.rng().PerMille(550) ? domain::Gender::kFemale : domain::Gender::kMale;
    p.staff.name = gen.FullName(g);
    p.staff.role = role;
    p.staff.mobile = gen.Mobile();
    p.username = std::move(username);
    if (store >= 0) p.login_scope = std::string(kStores[size_t(store)].code);
    if (region >= 0) p.login_scope = std::string(kRegions[size_t(region)].code);
    // Store and region ids are filled in once they exist; remember the indexes.
    p.staff.store_id = StoreId(store + 1);
    p.staff.region_id = RegionId(region + 1);
    plans.push_back(std::move(p));
  };
  add(Role::kAdmin, "admin", -1, -1);
  add(Role::kAuditor, "auditor", -1, -1);
  add(Role::kHqAnalyst, "hq", -1, -1);
  add(Role::kCallCenter, "callcenter1", -1, -1);
  add(Role::kCallCenter, "callcenter2", -1, -1);
  // Short names a trainer can say aloud: region1 is 华东, store1 the first
  // store (SH01) and assoc1 an associate of store1.
  add(Role::kRegionalSupervisor, "region1", -1, 0);
  add(Role::kRegionalSupervisor, "region2", -1, 1);
  for (size_t i = 0; i < kStores.size(); ++i) {
    add(Role::kStoreManager, fmt::format("store{}", i + 1), int(i), -1);
  }
  int associate_no = 0;
  for (size_t i = 0; i < kStores.size(); ++i) {
    for (int k = 1; k <= kStores[i].associates; ++k) {
      add(Role::kAssociate, fmt::format("assoc{}", ++associate_no), int(i), -1);
    }
  }
  return plans;
}

// Argon2id is deliberately slow (~0.1 s of CPU each); two threads halve the
// wait on the 2-core machines the demo runs on.
std::vector<std::string> HashAll(const std::string& password, size_t count) {
  std::vector<std::string> hashes(count);
  auto work = [&](size_t from) {
    for (size_t i = from; i < count; i += 2) hashes[i] = HashPassword(password);
  };
  std::thread other(work, 1);
  try {
    work(0);
  } catch (...) {
    other.join();
    throw;
  }
  other.join();
  return hashes;
}

Status CheckEmpty(store::Repository& repo) {
  if (repo.ListStores(std::nullopt, {1, 0}).total > 0 || repo.ListMembers({}, {1, 0}).total > 0) {
    return Error::Conflict(
        "the database already has stores or members; the demo needs an empty one");
  }
  return OkStatus();
}

// ---------------------------------------------------------------- members

struct CardPlan {
  std::string card_no;
  domain::CardKind kind;
  bool has_card;
};

class MemberFactory {
 public:
  MemberFactory(Generator& gen, const TimeZone& tz,
                const std::vector<std::vector<StaffId>>& associates,
                const std::vector<StoreId>& store_ids)
      : gen_(gen), tz_(tz), associates_(associates), store_ids_(store_ids) {}

  // The creation times of `n` members, oldest first, in opening hours over the
  // last three years.
  std::vector<Timestamp> CreationTimes(size_t n) {
    Rng& rng = gen_.rng();
    std::vector<int64_t> seconds(n);
    for (auto& s : seconds) {
      Date day = gen_.today().AddDays(-1 - int(rng.Below(kHistoryDays)));
      s = ToEpochSeconds(tz_.StartOfDay(day)) + 10 * 3600 + int64_t(rng.Below(12 * 3600));
    }
    std::sort(seconds.begin(), seconds.end());
    std::vector<Timestamp> out;
    out.reserve(n);
    for (auto s : seconds) out.push_back(FromEpochSeconds(s));
    return out;
  }

  // One member; `earlier` are the ids of members already stored (referrers).
  Member Make(Timestamp created_at, const std::vector<MemberId>& earlier, CardPlan& card) {
    Rng& rng = gen_.rng();
    Member m;
    m.created_at = created_at;
    m.updated_at = created_at;
    size_t g = rng.Weighted(std::array<int, 3>{540, 440, 20});
    m.gender = g == 0   ? domain::Gender::kFemale
               : g == 1 ? domain::Gender::kMale
                        : domain::Gender::kUnknown;
    const string_view surname = gen_.Surname();
    m.name = std::string(surname) + gen_.GivenName(m.gender);
    m.mobile.number = gen_.Mobile();

    const int max_year = std::min(2006, gen_.today().year() - 1);
    const int min_year = std::min(1955, max_year);
    const int span = max_year - min_year;
    // The mean of two uniform draws peaks in the middle: most customers are
    // in their thirties to fifties.
    const uint64_t draw1 = rng.Below(uint64_t(span + 1));
    const uint64_t draw2 = rng.Below(uint64_t(span + 1));
    const int year = min_year + int((draw1 + draw2) / 2);
    domain::CalendarDate birthday;
    if (rng.PerMille(150)) {
      const unsigned month = unsigned(rng.Between(1, 12));
      const unsigned day = unsigned(rng.Between(1, 29));
      birthday = {year, month, day, domain::Calendar::kLunar, false};
    } else {
      birthday = gen_.SolarDate(year);
    }
    m.birthday = birthday;
    const int age = gen_.today().year() - year;

    size_t status = rng.Weighted(std::array<int, 4>{350, 600, 30, 20});
    using S = domain::MemberStatus;
    m.status = status == 0   ? S::kTemporary
               : status == 1 ? S::kFormal
               : status == 2 ? S::kSuspended
                             : S::kProspect;

    size_t store = gen_.HomeStore();
    const StoreSeed& s = kStores[store];
    m.home_store_id = store_ids_[store];
    const auto& team = associates_[store];
    m.associate_id = team[rng.Below(team.size())];

    size_t source = rng.Weighted(std::array<int, 5>{550, 100, 120, 180, 50});
    static constexpr std::array<domain::MemberSource, 5> kSources = {
        domain::MemberSource::kWalkIn, domain::MemberSource::kReferral,
        domain::MemberSource::kEvent, domain::MemberSource::kOnline, domain::MemberSource::kOther};
    m.source = kSources[source];
    if (m.source == domain::MemberSource::kReferral) {
      if (earlier.empty()) {
        m.source = domain::MemberSource::kWalkIn;
      } else {
        m.referrer_id = earlier[rng.Below(earlier.size())];
      }
    }

    Work(rng, s, age, m);
    if (rng.PerMille(400)) m.email = Email(rng);
    if (rng.PerMille(600)) m.wechat_id = WechatId(rng);
    m.addresses.push_back(HomeAddress(rng, s));
    if (birthday.calendar == domain::Calendar::kSolar && rng.PerMille(300)) {
      m.id_number = IdNumber(rng, s.id_area, birthday, m.gender);
    }
    Family(gen_, birthday, surname, m);
    Preferences(rng, m);
    if (rng.PerMille(100) && age >= 25) Business(gen_, s, m);
    int tags = int(rng.Weighted(std::array<int, 3>{500, 350, 150}));
    for (int i = 0; i < tags; ++i) AddUnique(m.tags, rng.Pick(Span(kTags)));
    if (rng.PerMille(80)) m.notes = std::string(rng.Pick(Span(kNotes)));

    card.has_card = m.status != S::kProspect;
    card.kind =
        m.status == S::kTemporary ? domain::CardKind::kTemporary : domain::CardKind::kFormal;
    if (card.has_card) card.card_no = gen_.CardNumber();
    return m;
  }

  // The card a member holds today: issued when they joined and renewed every
  // two years, so none has expired.
  domain::Card Card(const Member& m, const CardPlan& plan) const {
    Date issued = tz_.LocalDate(m.created_at);
    while (issued.AddYears(domain::kDefaultCardValidityYears) <= gen_.today()) {
      issued = issued.AddYears(domain::kDefaultCardValidityYears);
    }
    domain::Card c = domain::NewCard(m.id, plan.kind, issued);
    c.card_no = plan.card_no;
    c.status = domain::CardStatus::kIssued;
    c.pickup_due.reset();
    return c;
  }

 private:
  Generator& gen_;
  const TimeZone& tz_;
  const std::vector<std::vector<StaffId>>& associates_;
  const std::vector<StoreId>& store_ids_;
};

// ---------------------------------------------------------------- sales

// Purchase history is drawn from its own generator, seeded from the demo's
// seed, so adding or tuning sales never changes the members of a seed.
constexpr uint64_t kSalesSeedSalt = 0x5a1e5'0000'0001ULL;
constexpr int kSalesMonths = 24;
// Opening hours of the stores: 10:00-22:00 local time.
constexpr int64_t kOpenAt = 10 * 3600;
constexpr int64_t kOpenSeconds = 12 * 3600;
// Sales between progress reports.
constexpr size_t kSalesProgressEvery = 1000;
// Posting a sale costs ~0.2-0.4 ms on the 2-core development machine, so a
// full history for `make demo`'s 50,000 members (~170,000 sales) took over a
// minute. Up to this many members (drawn at random with the sales seed, so
// from every store and join date) get a purchase history; the others have
// none, like the dormant members of a real chain. Small demos give every
// card holder a history.
constexpr size_t kMaxMembersWithHistory = 20'000;
// A formal card ordered at a purchase (M4) more than this many days before
// today has been picked up by now.
constexpr int kPickedUpAfterDays = 14;

// What the stores sell; the same order as kCategories (member preferences).
struct CategorySeed {
  string_view name;
  string_view sku_prefix;
  std::array<string_view, 3> brands;
  int min_yuan;  // list price per unit
  int max_yuan;
  bool by_the_piece;  // sometimes bought two at a time
};
constexpr std::array<CategorySeed, 10> kCatalog = {{
    {"女装", "NZ", {"云裳", "雅韵", "锦澜"}, 199, 1999, false},
    {"男装", "MZ", {"北辰", "朴木", "远山"}, 299, 2599, false},
    {"童装", "TZ", {"小禾", "童趣", "星芽"}, 69, 599, true},
    {"鞋履", "XL", {"步云", "简素", "行者"}, 299, 1599, false},
    {"箱包", "XB", {"简素", "旅人", "雅集"}, 399, 3999, false},
    {"配饰", "PS", {"拾光", "玲珑", "月白"}, 59, 999, true},
    {"美妆", "MC", {"花颜", "水澜", "玉容"}, 99, 980, true},
    {"家居", "JJ", {"青禾", "栖木", "暖居"}, 39, 1299, true},
    {"内衣", "NY", {"柔语", "轻棉", "素锦"}, 59, 399, true},
    {"运动", "YD", {"疾风", "跃动", "青禾"}, 129, 899, false},
}};
static_assert(kCatalog.size() == kCategories.size());

// Three kinds of store, each with its own category mix (relative weights in
// kCatalog order): department store flagships sell everything, the apparel
// stores clothes and shoes, the beauty & home stores cosmetics and home goods.
constexpr std::array<std::array<int, 10>, 3> kStoreMix = {{
    {22, 14, 6, 10, 8, 8, 16, 8, 4, 4},
    {35, 25, 10, 12, 0, 8, 0, 0, 10, 0},
    {0, 0, 0, 0, 0, 15, 45, 20, 10, 10},
}};
// Indexed like kStores: SH01 GZ01 SZ01 flagships; SH02 HZ01 NJ01 apparel;
// SZ02 XM01 beauty & home.
constexpr std::array<size_t, 8> kStoreKind = {0, 1, 1, 1, 0, 0, 2, 2};

constexpr std::array<string_view, 5> kPayments = {"wechat", "alipay", "unionpay", "cash",
                                                  "stored_value"};
constexpr std::array<int, 5> kPaymentWeights = {40, 30, 20, 5, 5};

// How often a member buys over a full 24 months, by segment (per mille of
// members): mostly a few visits, a loyal core, and a handful of big spenders
// whose yearly spend reaches 紫金钻石卡 (which waits for approval). Some
// members of each segment drift away (流失, SPEC R5): see SalesPlanner::Lapse.
struct Segment {
  int weight;
  int min_visits;
  int max_visits;
  int price_factor;  // percent of the drawn list price
  int lapse;         // per mille of the segment's members who stop buying
};
constexpr std::array<Segment, 5> kSegments = {{
    {320, 0, 1, 100, 0},     // dormant: nothing to stop
    {400, 1, 3, 100, 350},   // occasional
    {210, 4, 10, 100, 250},  // regular
    {64, 10, 24, 120, 150},  // loyal
    {6, 20, 40, 300, 100},   // big spender
}};
// A lapsing member: the lapse day is drawn uniformly from 30 days after they
// joined (or the window's start) to kLapseAfterEndDays after today, so some
// are slowing down on the demo's date. Before it they visit half as often
// and spend a third less per visit, for kSlowMinDays..kSlowMaxDays or, if
// longer, two to three of their usual gaps between visits (a member who buys
// every three months does not show a slowdown within two months), at most
// kSlowLongestDays; after it they stop, except one in five
// (kComeBackPerMille) who comes back for a single visit
// kComeBackMinDays..kComeBackMaxDays later.
constexpr int kLapseAfterJoinDays = 30;
constexpr int kLapseAfterEndDays = 90;
constexpr int kSlowMinDays = 60;
constexpr int kSlowMaxDays = 120;
constexpr int kSlowMinGaps10 = 20;  // tenths of a usual gap
constexpr int kSlowMaxGaps10 = 30;
constexpr int kSlowLongestDays = 365;
constexpr int kSlowVisitPerMille = 500;
constexpr int kSlowPricePercent = 67;
constexpr int kComeBackPerMille = 200;
constexpr int kComeBackMinDays = 60;
constexpr int kComeBackMaxDays = 180;

// What a member brings to the sales plan.
struct Shopper {
  MemberId id;
  int64_t created = 0;  // epoch seconds
  uint8_t store = 0;    // index in kStores
  StaffId associate;
  uint16_t categories = 0;  // bit i: prefers kCatalog[i]
  std::vector<string_view> brands;
};

struct PlannedLine {
  uint8_t category = 0;
  uint8_t brand = 0;
  uint16_t sku = 0;
  uint8_t quantity = 1;
  bool promo = false;
  int64_t list_fen = 0;  // per unit
  int64_t paid_fen = 0;  // line total; on a refund the amount given back
  int line_no = 0;       // refunds: the sale's line
};

struct PlannedSale {
  int64_t at = 0;  // epoch seconds
  uint32_t seq = 0;
  int32_t shopper = -1;  // index into the shoppers, -1: a non-member sale
  uint8_t store = 0;
  StaffId associate;
  uint8_t payment = 0;
  bool refund = false;
  uint32_t original_seq = 0;  // refunds
  std::vector<PlannedLine> lines;
};

class SalesPlanner {
 public:
  SalesPlanner(uint64_t seed, Date today, size_t members, bool churn, const TimeZone& tz,
               const std::vector<std::vector<StaffId>>& associates)
      : rng_(seed ^ kSalesSeedSalt),
        seed_(seed ^ kSalesSeedSalt),
        churn_(churn),
        members_(members),
        tz_(tz),
        associates_(associates) {
    for (const auto& s : kStores) store_weights_.push_back(s.weight);
    for (const auto& s : kSegments) segment_weights_.push_back(s.weight);
    // The day after "24 months ago": a formal card ordered at a sale on the
    // first day (valid 24 months) has not expired today.
    window_start_ = ToEpochSeconds(tz_.StartOfDay(today.AddMonths(-kSalesMonths).AddDays(1)));
    window_end_ = ToEpochSeconds(tz_.StartOfDay(today));
  }

  // Whether the next card holder gets a purchase history (see
  // kMaxMembersWithHistory).
  bool TakesPart() { return rng_.Below(uint64_t(members_)) < kMaxMembersWithHistory; }

  // Plans the member's visits within the window (and after they joined):
  // `visits` at uniformly random days at the segment's rate, thinned for a
  // lapsing member (see kSegments' lapse and Lapse). Each member draws from
  // their own generator, and draws the same whether churn is on or not, so
  // a demo without churn has the same members buying on the same days, with
  // nothing left out.
  void PlanMember(const Shopper& shopper, int32_t index) {
    Rng rng(MemberSeed(index));
    const Segment& segment = kSegments[rng.Weighted(segment_weights_)];
    const int full = rng.Between(segment.min_visits, segment.max_visits);
    const int64_t from = std::max(window_start_, shopper.created);
    const int64_t days = (window_end_ - from) / 86400;
    const int64_t window_days = (window_end_ - window_start_) / 86400;
    const int visits = int((int64_t(full) * days + window_days / 2) / window_days);
    // Most cards are issued at a purchase (普卡: a first purchase of ¥500).
    std::optional<int64_t> first_sale;
    if (shopper.created >= window_start_ && rng.PerMille(750)) {
      first_sale = shopper.created + 60 + int64_t(rng.Below(1800));
    }
    std::vector<int64_t> times;
    for (int i = 0; i < visits && days > 0; ++i) {
      const int64_t day = int64_t(rng.Below(uint64_t(days)));
      const int64_t at = DayStart(from + 86400 + day * 86400) + kOpenAt +
                         int64_t(rng.Below(uint64_t(kOpenSeconds)));
      if (at <= shopper.created || at >= window_end_) continue;
      times.push_back(at);
    }
    Lapse lapse = DrawLapse(rng, segment, from, full, window_days);
    if (!churn_) lapse = Lapse{};
    Segment slowed = segment;
    slowed.price_factor = segment.price_factor * kSlowPricePercent / 100;
    if (first_sale) {
      AddSale(rng, index, shopper, *first_sale, lapse.Slowing(*first_sale) ? slowed : segment,
              /*first=*/true);
    }
    for (const int64_t at : times) {
      if (lapse.Gone(at)) continue;
      if (lapse.Slowing(at)) {
        if (!rng.PerMille(kSlowVisitPerMille)) continue;
        AddSale(rng, index, shopper, at, slowed, false);
        continue;
      }
      AddSale(rng, index, shopper, at, segment, false);
    }
    if (lapse.comes_back) {
      const int64_t at = DayStart(lapse.day + lapse.back_after_days * 86400) + kOpenAt +
                         lapse.back_second;
      if (at < window_end_) AddSale(rng, index, shopper, at, segment, false);
    }
  }

  // Walk-in customers without a card: about one sale in eight.
  void PlanNonMemberSales() {
    const size_t n = sales_.size() / 8 + 1;
    const int64_t window_days = (window_end_ - window_start_) / 86400;
    for (size_t i = 0; i < n; ++i) {
      PlannedSale s;
      s.store = uint8_t(rng_.Weighted(store_weights_));
      const int64_t day = int64_t(rng_.Below(uint64_t(window_days)));
      s.at = DayStart(window_start_ + day * 86400 + 43200) + kOpenAt +
             int64_t(rng_.Below(uint64_t(kOpenSeconds)));
      if (rng_.PerMille(500)) s.associate = RandomAssociate(rng_, s.store);
      s.payment = uint8_t(rng_.Weighted(kPaymentWeights));
      const int lines = rng_.PerMille(750) ? 1 : 2;
      for (int k = 0; k < lines; ++k) s.lines.push_back(Line(rng_, s.store, 0, {}, 100));
      Push(std::move(s));
    }
  }

  // About one sale in forty is brought back 1-14 days later: a whole line
  // (most of the time) or part of it.
  void PlanRefunds() {
    const size_t sales = sales_.size();
    for (size_t i = 0; i < sales; ++i) {
      if (!rng_.PerMille(25)) continue;
      const PlannedSale& sale = sales_[i];
      PlannedSale r;
      r.refund = true;
      r.original_seq = sale.seq;
      r.shopper = sale.shopper;
      r.store = sale.store;
      r.at = sale.at + 86400 * int64_t(rng_.Between(1, 14)) +
             int64_t(rng_.Below(3600)) - 1800;
      if (r.at >= window_end_) continue;
      const int line = rng_.Between(1, int(sale.lines.size()));
      PlannedLine back;
      back.line_no = line;
      const int64_t paid = sale.lines[size_t(line - 1)].paid_fen;
      back.paid_fen = rng_.PerMille(700) ? paid : std::max<int64_t>(100, paid / 200 * 100);
      if (back.paid_fen <= 0 || back.paid_fen > paid) continue;
      r.lines.push_back(back);
      Push(std::move(r));
    }
  }

  // Everything planned, in the order the tills would have posted it.
  std::vector<PlannedSale> TakeInTimeOrder() {
    std::sort(sales_.begin(), sales_.end(), [](const PlannedSale& a, const PlannedSale& b) {
      return a.at != b.at ? a.at < b.at : a.seq < b.seq;
    });
    return std::move(sales_);
  }

 private:
  int64_t DayStart(int64_t t) const {
    return ToEpochSeconds(tz_.StartOfDay(tz_.LocalDate(FromEpochSeconds(t))));
  }

  // The seed of member `index`'s own generator (splitmix64 of the index).
  uint64_t MemberSeed(int32_t index) const {
    uint64_t z = seed_ + (uint64_t(index) + 1) * 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // When a member stops buying (no lapse: slow_from and day at the end of
  // time, so nothing is slowed or gone).
  struct Lapse {
    int64_t slow_from = INT64_MAX;  // epoch seconds: visits halve from here
    int64_t day = INT64_MAX;        // and stop from here
    bool comes_back = false;        // one more visit after `day`:
    int64_t back_after_days = 0;    // this many days after it,
    int64_t back_second = 0;        // this many seconds after opening
    bool Slowing(int64_t at) const { return at >= slow_from && at < day; }
    bool Gone(int64_t at) const { return at >= day; }
  };

  // Whether a member of `segment` whose history starts at `from` and who
  // visits `full` times in `window_days` lapses, and when (see kSegments and
  // kLapseAfterJoinDays). Draws the same number of values either way.
  Lapse DrawLapse(Rng& rng, const Segment& segment, int64_t from, int full,
                  int64_t window_days) {
    const bool lapses = rng.PerMille(segment.lapse);
    const int64_t first = from / 86400 + kLapseAfterJoinDays;
    const int64_t last = window_end_ / 86400 + kLapseAfterEndDays;
    const int64_t span = std::max<int64_t>(1, last - first);
    const int64_t offset = int64_t(rng.Below(uint64_t(span)));
    const int64_t days = int64_t(rng.Between(kSlowMinDays, kSlowMaxDays));
    const int64_t gaps10 = int64_t(rng.Between(kSlowMinGaps10, kSlowMaxGaps10));
    const bool comes_back = rng.PerMille(kComeBackPerMille);
    const int64_t back_after = int64_t(rng.Between(kComeBackMinDays, kComeBackMaxDays));
    const int64_t back_second = int64_t(rng.Below(uint64_t(kOpenSeconds)));
    Lapse l;
    if (!lapses) return l;
    l.day = DayStart((first + offset) * 86400 + 43200);
    const int64_t by_gaps = full > 0 ? window_days * gaps10 / 10 / full : 0;
    const int64_t slow = std::min<int64_t>(kSlowLongestDays, std::max(days, by_gaps));
    l.slow_from = l.day - slow * 86400;
    l.comes_back = comes_back;
    l.back_after_days = back_after;
    l.back_second = back_second;
    return l;
  }

  StaffId RandomAssociate(Rng& rng, size_t store) {
    const auto& team = associates_[store];
    return team[rng.Below(team.size())];
  }

  void Push(PlannedSale s) {
    s.seq = uint32_t(next_seq_++);
    sales_.push_back(std::move(s));
  }

  void AddSale(Rng& rng, int32_t index, const Shopper& shopper, int64_t at,
               const Segment& segment, bool first) {
    PlannedSale s;
    s.at = at;
    s.shopper = index;
    // Members mostly shop at their home store and with their own associate.
    s.store = first || rng.PerMille(850) ? shopper.store : uint8_t(rng.Weighted(store_weights_));
    if (s.store == shopper.store && rng.PerMille(800)) {
      s.associate = shopper.associate;
    } else if (rng.PerMille(900)) {
      s.associate = RandomAssociate(rng, s.store);
    }
    s.payment = uint8_t(rng.Weighted(kPaymentWeights));
    const int lines = int(rng.Weighted(std::array<int, 4>{55, 30, 11, 4})) + 1;
    int64_t total = 0;
    for (int k = 0; k < lines || (first && total < 50000 && k < 4); ++k) {
      s.lines.push_back(Line(rng, s.store, shopper.categories, shopper.brands, segment.price_factor));
      total += s.lines.back().paid_fen;
    }
    Push(std::move(s));
  }

  PlannedLine Line(Rng& rng, size_t store, uint16_t preferred, const std::vector<string_view>& brands,
                   int price_factor) {
    const auto& mix = kStoreMix[kStoreKind[store]];
    PlannedLine l;
    // Half of a member's lines come from the categories they said they like,
    // if the store sells them.
    std::array<int, 10> weights = mix;
    if (preferred != 0 && rng.PerMille(500)) {
      bool any = false;
      for (size_t i = 0; i < weights.size(); ++i) {
        if (!(preferred & (1u << i))) weights[i] = 0;
        any = any || weights[i] > 0;
      }
      if (!any) weights = mix;
    }
    l.category = uint8_t(rng.Weighted(weights));
    const CategorySeed& c = kCatalog[l.category];
    l.brand = uint8_t(rng.Below(c.brands.size()));
    for (size_t i = 0; i < c.brands.size(); ++i) {
      if (std::find(brands.begin(), brands.end(), c.brands[i]) != brands.end() &&
          rng.PerMille(600)) {
        l.brand = uint8_t(i);
      }
    }
    l.sku = uint16_t(rng.Between(1000, 9999));
    // Cheaper items sell more often (the lower of two draws), and prices end
    // in 9 (¥1299) as price tags do.
    const int draw1 = rng.Between(c.min_yuan, c.max_yuan);
    const int draw2 = rng.Between(c.min_yuan, c.max_yuan);
    const int64_t yuan = int64_t(std::min(draw1, draw2)) * price_factor / 100 / 10 * 10 + 9;
    l.list_fen = yuan * 100;
    l.quantity = uint8_t(c.by_the_piece && rng.PerMille(150) ? 2 : 1);
    const int64_t list_total = l.list_fen * l.quantity;
    // Full price, member-day discounts, or a promotion (特价, earns no points).
    const size_t how = rng.Weighted(std::array<int, 5>{55, 15, 15, 10, 5});
    static constexpr std::array<int64_t, 5> kPercent = {100, 95, 90, 80, 70};
    l.promo = how == 4;
    l.paid_fen = list_total * kPercent[how] / 100 / 100 * 100;  // whole yuan
    return l;
  }

  Rng rng_;        // who takes part, non-member sales, refunds
  uint64_t seed_;  // of the members' own generators (MemberSeed)
  bool churn_;
  size_t members_;
  const TimeZone& tz_;
  const std::vector<std::vector<StaffId>>& associates_;
  std::vector<int> store_weights_;
  std::vector<int> segment_weights_;
  int64_t window_start_ = 0;
  int64_t window_end_ = 0;
  size_t next_seq_ = 0;
  std::vector<PlannedSale> sales_;
};

// The body a till would post for `s`.
nlohmann::json SaleBody(const PlannedSale& s, const std::string& external_id,
                        const std::string& original, const std::vector<Shopper>& shoppers,
                        const std::vector<StoreId>& store_ids) {
  using nlohmann::json;
  json lines = json::array();
  json body = {{"external_id", external_id},
               {"store_id", store_ids[s.store].value},
               {"occurred_at", FormatTimestamp(FromEpochSeconds(s.at))}};
  if (s.refund) {
    body["kind"] = "refund";
    body["refund_of"] = original;
    for (const auto& l : s.lines) lines.push_back({{"line_no", l.line_no}, {"paid_fen", l.paid_fen}});
  } else {
    if (s.shopper >= 0) body["member_id"] = shoppers[size_t(s.shopper)].id.value;
    if (s.associate) body["associate_id"] = s.associate.value;
    body["payment_method"] = kPayments[s.payment];
    for (const auto& l : s.lines) {
      const CategorySeed& c = kCatalog[l.category];
      lines.push_back({{"sku", fmt::format("{}-{}", c.sku_prefix, l.sku)},
                       {"category", c.name},
                       {"brand", c.brands[l.brand]},
                       {"quantity", l.quantity},
                       {"list_price_fen", l.list_fen},
                       {"paid_fen", l.paid_fen},
                       {"promo", l.promo}});
    }
  }
  body["lines"] = std::move(lines);
  return body;
}

// Posts the planned sales in time order through the loyalty service, the
// clock standing at each sale's time (see GenerateDemo), and fills the sales
// part of `report`.
Status PostHistory(store::Repository& repo, store::Store& store, const TimeZone& tz, Date today,
                   std::vector<PlannedSale> plan, const std::vector<Shopper>& shoppers,
                   const std::vector<StoreId>& store_ids,
                   const std::function<void(size_t, size_t)>& progress, DemoReport& report) {
  FixedClock clock(Timestamp{});
  const Env env{store, clock, tz};
  Loyalty loyalty(env);
  const Actor actor = Actor::CommandLine();
  // External ids as a till numbers its receipts: store, day, number of the day.
  std::vector<std::string> ids(plan.size());
  std::unordered_map<uint64_t, int> receipts_of_day;
  std::vector<uint8_t> tier_rank(shoppers.size(), 0);  // 0 none, 1 普卡, 2+ above
  std::vector<bool> pending(shoppers.size(), false);
  std::vector<bool> bought(shoppers.size(), false);
  std::vector<bool> became_formal(shoppers.size(), false);
  for (size_t i = 0; i < plan.size(); ++i) {
    const PlannedSale& s = plan[i];
    const Timestamp at = FromEpochSeconds(s.at);
    const Date day = tz.LocalDate(at);
    const uint64_t key = uint64_t(s.store) << 32 | uint64_t(day.days().time_since_epoch().count());
    const int n = ++receipts_of_day[key];
    std::string& id = ids[s.seq] = fmt::format("{}-{:04d}{:02d}{:02d}-{:04d}", kStores[s.store].code,
                                               day.year(), day.month(), day.day(), n);
    clock.Set(at);
    auto posted = loyalty.PostSaleIn(repo, actor,
                                     SaleBody(s, id, s.refund ? ids[s.original_seq] : std::string(),
                                              shoppers, store_ids));
    if (!posted.ok()) {
      // A generator bug, not user input.
      return Error{ErrorCode::kInternal,
                   fmt::format("demo sale {} was refused: {}", id, posted.error().message),
                   posted.error().field};
    }
    const nlohmann::json answer = posted->Body();
    report.points_earned += answer.value("points", int64_t(0));
    if (s.refund) {
      ++report.refunds;
    } else {
      ++report.sales;
      if (s.shopper < 0) ++report.non_member_sales;
    }
    if (s.shopper >= 0 && !s.refund) {
      const size_t m = size_t(s.shopper);
      bought[m] = true;
      const auto& tier = answer["tier"];
      if (tier.is_object()) {
        const std::string code = tier.value("code", "");
        tier_rank[m] = code == "normal" ? 1 : 2;
      }
      pending[m] = !answer["pending_approval"].is_null();
      if (answer.value("became_formal", false)) became_formal[m] = true;
    }
    if (progress && (i + 1) % kSalesProgressEvery == 0) progress(i + 1, plan.size());
  }
  if (progress) progress(plan.size(), plan.size());
  // The formal cards ordered when temporary members qualified (M4) were
  // picked up within two weeks; the last fortnight's still wait at the store.
  for (size_t m = 0; m < shoppers.size(); ++m) {
    if (!became_formal[m]) continue;
    for (auto card : repo.ListCards(shoppers[m].id)) {
      if (card.status != domain::CardStatus::kPendingPickup ||
          DaysBetween(card.issued_on, today) <= kPickedUpAfterDays) {
        continue;
      }
      card.status = domain::CardStatus::kIssued;
      card.pickup_due.reset();
      repo.UpdateCard(card);
    }
  }
  for (size_t m = 0; m < shoppers.size(); ++m) {
    report.members_with_sales += bought[m];
    report.members_with_tier += tier_rank[m] > 0;
    report.members_above_normal += tier_rank[m] > 1;
    report.pending_approvals += pending[m];
  }
  return OkStatus();
}

}  // namespace

// Programs per member and store (L6), set after the history so that it was
// earned under the company's program: the corporate buyers (团购客户) of one
// store who bought are put on the key-accounts program as their own (each
// placed on its ladder by their record, with a program_change row in the
// tier history), and the store starts its members without a loyalty record
// on the cosmetics program.
constexpr size_t kProgramStore = 6;  // SZ02
static_assert(kStores[kProgramStore].code == "SZ02");
constexpr std::string_view kCorporateProgram = "key_accounts";
constexpr std::string_view kStoreProgram = "cosmetics";

Status SetUpPrograms(store::Repository& repo, store::Store& store, const TimeZone& tz, Date today,
                     Timestamp at, StoreId program_store, const std::vector<MemberId>& corporate,
                     DemoReport& report) {
  FixedClock clock(at);
  const Env env{store, clock, tz};
  const Actor actor = Actor::CommandLine();
  for (MemberId id : corporate) {
    if (!repo.loyalty().GetLoyaltyState(id)) continue;  // never bought
    auto moved = MoveToProgram(repo, env, actor, id, std::string(kCorporateProgram), today);
    if (!moved.ok()) return moved.error();
    if (*moved) ++report.members_own_program;
  }
  auto st = repo.GetStore(program_store);
  if (!st) return Error{ErrorCode::kInternal, "the demo's program store is missing", "store_id"};
  st->program_code = std::string(kStoreProgram);
  repo.UpdateStore(*st);
  report.store_with_default = st->code;
  report.store_default_program = st->program_code;
  return OkStatus();
}

Result<DemoReport> GenerateDemo(store::Store& store, const DemoOptions& opt,
                                const std::function<void(size_t done, size_t total)>& progress,
                                const std::function<void(size_t done, size_t total)>& sales_progress) {
  if (opt.today == Date()) return Error::Invalid("today", "is required");
  auto tz = TimeZone::Load(std::string(kTimeZone));
  if (!tz.ok()) return Error{ErrorCode::kInternal, "time zone data is missing", "timezone"};
  // Refuse early, before spending seconds on password hashes.
  VIPCARE_TRY(store.Read([](store::Repository& repo) { return CheckEmpty(repo); }));

  Generator gen(opt.seed, opt.today);
  std::vector<StaffPlan> staff_plans = PlanStaff(gen);
  // Argon2id takes seconds for 40 accounts: hash while the members are made
  // and stored, and create the accounts last. (If the transaction fails, the
  // future's destructor waits for the hashing to end.)
  std::future<std::vector<std::string>> hashes =
      std::async(std::launch::async, HashAll, std::cref(opt.password), staff_plans.size());
  const Timestamp accounts_created = tz->StartOfDay(opt.today);

  DemoReport report;
  VIPCARE_TRY(WriteBulk(store, [&](store::Repository& repo) -> Status {
    VIPCARE_TRY(CheckEmpty(repo));
    report = DemoReport{};
    repo.SaveCompany({std::string(kCompanyName), std::string(kTimeZone)});

    std::vector<RegionId> region_ids;
    for (const auto& r : kRegions) {
      region_ids.push_back(
          repo.InsertRegion({RegionId(), std::string(r.code), std::string(r.name)}));
    }
    std::vector<StoreId> store_ids;
    for (const auto& s : kStores) {
      domain::Store st;
      st.code = std::string(s.code);
      st.name = std::string(s.name);
      st.region_id = region_ids[s.region];
      st.city = std::string(s.city);
      st.address = std::string(s.address);
      st.phone = std::string(s.phone);
      st.opened_on = Date::Parse(s.opened_on);
      store_ids.push_back(repo.InsertStore(st));
    }
    report.regions = region_ids.size();
    report.stores = store_ids.size();
    // The catalogue the demo's sales name (issue 5), and 服务 for what a
    // till charges besides goods (alterations, engraving, gift wrap): the till
    // offers it and checks every line against it.
    std::vector<string_view> catalogue;
    for (const auto& c : kCatalog) catalogue.push_back(c.name);
    catalogue.push_back("服务");
    for (const auto name : catalogue) {
      store::CategoryRecord rec{0, std::string(name), true, UserId(), accounts_created,
                                accounts_created};
      repo.loyalty().InsertCategory(rec);
    }

    std::vector<std::vector<StaffId>> associates(kStores.size());
    std::vector<StaffId> staff_ids;
    for (size_t i = 0; i < staff_plans.size(); ++i) {
      auto& plan = staff_plans[i];
      domain::Staff st = plan.staff;
      int64_t store_index = st.store_id.value - 1;
      int64_t region_index = st.region_id.value - 1;
      st.store_id = store_index >= 0 ? store_ids[size_t(store_index)] : StoreId();
      st.region_id = region_index >= 0 ? region_ids[size_t(region_index)] : RegionId();
      if (store_index >= 0) st.region_id = region_ids[kStores[size_t(store_index)].region];
      VIPCARE_TRY(domain::ValidateStaff(st));
      StaffId id = repo.InsertStaff(st);
      staff_ids.push_back(id);
      if (st.role == Role::kAssociate) associates[size_t(store_index)].push_back(id);
    }
    report.staff = staff_plans.size();

    MemberFactory factory(gen, *tz, associates, store_ids);
    SalesPlanner planner(opt.seed, opt.today, opt.members, opt.churn, *tz, associates);
    std::vector<Shopper> shoppers;
    std::vector<MemberId> corporate;  // SetUpPrograms
    const std::vector<Timestamp> created = factory.CreationTimes(opt.members);
    std::vector<MemberId> stored;
    stored.reserve(opt.members);
    std::vector<Member> chunk;
    std::vector<CardPlan> cards;
    const size_t chunk_size = std::clamp<size_t>(opt.members / kMinChunks, 1, kMaxChunk);
    for (size_t start = 0; start < opt.members; start += chunk_size) {
      const size_t n = std::min(chunk_size, opt.members - start);
      chunk.clear();
      cards.assign(n, CardPlan{});
      for (size_t i = 0; i < n; ++i) {
        chunk.push_back(factory.Make(created[start + i], stored, cards[i]));
        if (auto st = domain::ValidateMember(chunk.back(), opt.today); !st.ok()) {
          // A generator bug, not user input: stop rather than store bad data.
          return Error{ErrorCode::kInternal,
                       "generated member fails validation: " + st.error().message,
                       st.error().field};
        }
      }
      repo.InsertMembers(chunk, [&](size_t done) {
        if (progress) progress(start + done, opt.members);
      });
      std::vector<domain::Card> issued;
      for (size_t i = 0; i < n; ++i) {
        stored.push_back(chunk[i].id);
        if (!cards[i].has_card) continue;
        issued.push_back(factory.Card(chunk[i], cards[i]));
        // Card holders buy; prospects have not yet.
        if (!planner.TakesPart()) continue;
        const Member& m = chunk[i];
        if (m.home_store_id == store_ids[kProgramStore] && !m.business.credit_rating.empty()) {
          corporate.push_back(m.id);
        }
        Shopper& shopper = shoppers.emplace_back();
        shopper.id = m.id;
        shopper.created = ToEpochSeconds(m.created_at);
        shopper.store = uint8_t(std::find(store_ids.begin(), store_ids.end(), m.home_store_id) -
                                store_ids.begin());
        shopper.associate = m.associate_id;
        for (const auto& c : m.preferences.categories) {
          const auto at = std::find(kCategories.begin(), kCategories.end(), c);
          if (at != kCategories.end()) shopper.categories |= uint16_t(1u << (at - kCategories.begin()));
        }
        for (const auto& b : m.preferences.brands) {
          const auto at = std::find(kBrands.begin(), kBrands.end(), b);
          if (at != kBrands.end()) shopper.brands.push_back(*at);
        }
        planner.PlanMember(shopper, int32_t(shoppers.size() - 1));
      }
      repo.InsertCards(issued);
      report.cards += issued.size();
    }
    report.members = stored.size();
    planner.PlanNonMemberSales();
    planner.PlanRefunds();
    VIPCARE_TRY(PostHistory(repo, store, *tz, opt.today, planner.TakeInTimeOrder(), shoppers, store_ids,
                            sales_progress, report));
    VIPCARE_TRY(SetUpPrograms(repo, store, *tz, opt.today, accounts_created,
                              store_ids[kProgramStore], corporate, report));

    const std::vector<std::string> password_hashes = hashes.get();
    for (size_t i = 0; i < staff_plans.size(); ++i) {
      const auto& plan = staff_plans[i];
      store::UserRecord user;
      user.username = plan.username;
      user.staff_id = staff_ids[i];
      user.role = plan.staff.role;
      user.password_hash = password_hashes[i];
      user.must_change_password = false;
      user.created_at = accounts_created;
      repo.InsertUser(user);
      report.logins.push_back({plan.username, domain::ToString(plan.staff.role), plan.login_scope});
    }

    store::AuditEntry audit;
    audit.at = accounts_created;
    audit.action = "demo";
    audit.entity = "database";
    audit.detail = fmt::format(R"({{"seed":{},"members":{},"cards":{},"sales":{},"refunds":{}}})",
                               opt.seed, report.members, report.cards, report.sales,
                               report.refunds);
    audit.address = "local";
    repo.AppendAudit(audit);
    return OkStatus();
  }));
  return report;
}

}  // namespace vipcare::service
