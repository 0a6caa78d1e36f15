#include "apps/link_profile.h"

#include <toml++/toml.h>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "transport/link/rain_fade.h"

namespace comodal::apps {
namespace {

using link::LinkDirectionConfig;

// Thrown inside the parser only, caught at its boundary and returned as an error value.
struct ProfileError {
  std::string message;
};

std::string Printed(const toml::node& node) {
  std::ostringstream out;
  if (const auto* text = node.as_string()) {
    out << '"' << text->get() << '"';
  } else {
    node.visit([&out](const auto& value) { out << value; });
  }
  std::string printed = out.str();
  for (char& c : printed) {
    if (c == '\n') c = ' ';
  }
  return printed.size() > 60 ? printed.substr(0, 57) + "..." : printed;
}

// Reads the keys of one direction: its own table first, then [link] for what it leaves out. A
// group of keys that describe one thing (the capacity, the loss, the delay, the queue) is taken
// whole from the direction if the direction sets any key of it.
class DirectionReader {
 public:
  DirectionReader(std::string_view source, std::string_view direction, const toml::table* own,
                  const toml::table* common)
      : source_(source), direction_(direction), own_(own), common_(common) {}

  [[noreturn]] void Fail(const toml::node* node, std::string_view table, std::string_view key,
                         const std::string& what) const {
    std::string where(source_);
    if (node != nullptr && node->source().begin.line > 0) {
      where += ":" + std::to_string(node->source().begin.line);
    }
    std::string message = where + ": [" + std::string(table) + "] " + std::string(key) + " " + what;
    if (node != nullptr) message += ", got " + Printed(*node);
    throw ProfileError{message};
  }

  // The table a group of keys is read from, or null if neither sets any of them.
  const toml::table* TableFor(std::initializer_list<std::string_view> group) const {
    for (const toml::table* table : {own_, common_}) {
      if (table == nullptr) continue;
      for (std::string_view key : group) {
        if (table->contains(key)) return table;
      }
    }
    return nullptr;
  }
  std::string_view NameOf(const toml::table* table) const {
    return table == own_ ? direction_ : std::string_view("link");
  }

  std::optional<double> Number(const toml::table* table, std::string_view key, double min,
                               double max, bool min_exclusive = false) const {
    if (table == nullptr || !table->contains(key)) return std::nullopt;
    return CheckedNumber(table->get(key), NameOf(table), key, min, max, min_exclusive);
  }

  // The number `node` holds, within [min, max] ((min, max] if `min_exclusive`).
  double CheckedNumber(const toml::node* node, std::string_view table, std::string_view key,
                       double min, double max, bool min_exclusive) const {
    const std::optional<double> value = node->value<double>();
    if (!value || node->is_boolean()) Fail(node, table, key, "must be a number");
    if ((min_exclusive ? *value <= min : *value < min) || *value > max) {
      Fail(node, table, key,
           fmt::format("must be {} {} and <= {}", min_exclusive ? ">" : ">=", min, max));
    }
    return *value;
  }

  // An array of [a, b] number pairs, `a` strictly increasing.
  std::vector<std::pair<double, double>> Pairs(const toml::table* table, std::string_view key,
                                               std::string_view shape, double b_min,
                                               double b_max) const {
    const toml::node* node = table->get(key);
    const toml::array* array = node->as_array();
    const std::string must = fmt::format("must be an array of {} pairs", shape);
    if (array == nullptr || array->empty()) Fail(node, NameOf(table), key, must);
    std::vector<std::pair<double, double>> pairs;
    for (const toml::node& item : *array) {
      const toml::array* pair = item.as_array();
      std::optional<double> a, b;
      if (pair != nullptr && pair->size() == 2 && !(*pair)[0].is_boolean() &&
          !(*pair)[1].is_boolean()) {
        a = (*pair)[0].value<double>();
        b = (*pair)[1].value<double>();
      }
      if (!a || !b) Fail(&item, NameOf(table), key, must);
      if (*a < 0 || *b < b_min || *b > b_max) {
        Fail(&item, NameOf(table), key,
             fmt::format("needs {} with time >= 0 and a value in [{}, {}]", shape, b_min, b_max));
      }
      if (!pairs.empty() && *a <= pairs.back().first) {
        Fail(&item, NameOf(table), key, "times must increase from one pair to the next");
      }
      pairs.emplace_back(*a, *b);
    }
    return pairs;
  }

  const toml::table* SubTable(std::string_view key) const {
    for (const toml::table* table : {own_, common_}) {
      if (table == nullptr) continue;
      if (const toml::node* node = table->get(key)) {
        const toml::table* sub = node->as_table();
        if (sub == nullptr) Fail(node, NameOf(table), key, "must be a table");
        return sub;
      }
    }
    return nullptr;
  }
  std::string SubName(std::string_view key) const {
    for (const toml::table* table : {own_, common_}) {
      if (table != nullptr && table->contains(key)) {
        return std::string(NameOf(table)) + "." + std::string(key);
      }
    }
    return std::string(key);
  }

  std::string_view source() const { return source_; }
  std::string_view direction() const { return direction_; }

 private:
  std::string_view source_;
  std::string_view direction_;
  const toml::table* own_;
  const toml::table* common_;
};

constexpr double kMaxSeconds = 100 * 24 * 3600.0;  // Past any lesson or benchmark.

// Checks a sub-table's keys and reads its numbers, failing with "[uplink.handover] key ...".
class SubTableReader {
 public:
  SubTableReader(const DirectionReader& reader, const toml::table* table, std::string name)
      : reader_(reader), table_(table), name_(std::move(name)) {}
  void OnlyKeys(std::initializer_list<std::string_view> keys) const {
    for (const auto& [key, node] : *table_) {
      if (std::find(keys.begin(), keys.end(), std::string_view(key.str())) == keys.end()) {
        reader_.Fail(&node, name_, key.str(), "is not a known key");
      }
    }
  }
  double Number(std::string_view key, std::optional<double> fallback, double min, double max,
                bool min_exclusive = false) const {
    const toml::node* node = table_->get(key);
    if (node == nullptr) {
      if (!fallback) reader_.Fail(nullptr, name_, key, "is required");
      return *fallback;
    }
    return reader_.CheckedNumber(node, name_, key, min, max, min_exclusive);
  }
  const toml::node* Node(std::string_view key) const { return table_->get(key); }
  const std::string& name() const { return name_; }

 private:
  const DirectionReader& reader_;
  const toml::table* table_;
  std::string name_;
};

const std::set<std::string_view> kDirectionKeys = {"delay_ms",
                                                   "delay_trace",
                                                   "jitter_ms",
                                                   "reordering",
                                                   "capacity_kbps",
                                                   "capacity_steps",
                                                   "capacity_trace",
                                                   "capacity_repeat_s",
                                                   "queue_ms",
                                                   "queue_bytes",
                                                   "aqm",
                                                   "codel_target_ms",
                                                   "codel_interval_ms",
                                                   "loss",
                                                   "gilbert_elliott",
                                                   "outages",
                                                   "handover",
                                                   "rain_fade"};

TimeDelta Seconds(double s) {
  return TimeDelta::Micros(static_cast<int64_t>(std::llround(s * 1e6)));
}
TimeDelta Millis(double ms) {
  return TimeDelta::Micros(static_cast<int64_t>(std::llround(ms * 1e3)));
}

LinkDirectionConfig ReadDirection(const DirectionReader& r, const std::filesystem::path& base_dir) {
  LinkDirectionConfig config;

  // Delay.
  if (const toml::table* t = r.TableFor({"delay_ms", "delay_trace"})) {
    if (t->contains("delay_ms") && t->contains("delay_trace")) {
      r.Fail(t->get("delay_trace"), r.NameOf(t), "delay_trace", "cannot be set with delay_ms");
    }
    if (auto ms = r.Number(t, "delay_ms", 0, 60'000)) {
      config.propagation_delay = Millis(*ms);
    } else {
      auto pairs = r.Pairs(t, "delay_trace", "[seconds, delay ms]", 0, 60'000);
      if (pairs.front().first != 0) {
        r.Fail(t->get("delay_trace"), r.NameOf(t), "delay_trace", "must start at 0 s");
      }
      std::vector<link::DelaySchedule::Point> points;
      for (auto [at_s, delay_ms] : pairs) points.push_back({Seconds(at_s), Millis(delay_ms)});
      config.propagation_delay = link::DelaySchedule(std::move(points));
    }
  }
  if (const toml::table* t = r.TableFor({"jitter_ms"})) {
    config.jitter = Millis(*r.Number(t, "jitter_ms", 0, 10'000));
  }
  if (const toml::table* t = r.TableFor({"reordering"})) {
    const toml::node* node = t->get("reordering");
    if (!node->is_boolean()) r.Fail(node, r.NameOf(t), "reordering", "must be true or false");
    config.allow_reordering = **node->as_boolean();
  }

  // Capacity.
  if (const toml::table* t =
          r.TableFor({"capacity_kbps", "capacity_steps", "capacity_trace", "capacity_repeat_s"})) {
    const int ways = t->contains("capacity_kbps") + t->contains("capacity_steps") +
                     t->contains("capacity_trace");
    if (ways != 1) {
      r.Fail(nullptr, r.NameOf(t), "capacity",
             "needs exactly one of capacity_kbps, capacity_steps, capacity_trace");
    }
    if (t->contains("capacity_repeat_s") && !t->contains("capacity_steps")) {
      r.Fail(t->get("capacity_repeat_s"), r.NameOf(t), "capacity_repeat_s",
             "applies to capacity_steps only");
    }
    if (auto kbps = r.Number(t, "capacity_kbps", 0, 100'000'000, true)) {
      config.capacity = link::CapacitySchedule::Constant(DataRate::BitsPerSec(*kbps * 1000));
    } else if (t->contains("capacity_steps")) {
      auto pairs = r.Pairs(t, "capacity_steps", "[seconds, kbps]", 0, 100'000'000);
      if (pairs.front().first != 0) {
        r.Fail(t->get("capacity_steps"), r.NameOf(t), "capacity_steps", "must start at 0 s");
      }
      std::vector<link::CapacitySchedule::Step> steps;
      for (auto [at_s, step_kbps] : pairs) {
        steps.push_back({Seconds(at_s), DataRate::BitsPerSec(step_kbps * 1000)});
      }
      TimeDelta repeat = TimeDelta::Zero();
      if (auto period = r.Number(t, "capacity_repeat_s", 0, kMaxSeconds, true)) {
        repeat = Seconds(*period);
        if (repeat <= steps.back().at) {
          r.Fail(t->get("capacity_repeat_s"), r.NameOf(t), "capacity_repeat_s",
                 "must be after the last step");
        }
      }
      config.capacity = link::CapacitySchedule(std::move(steps), repeat);
    } else {
      const toml::node* node = t->get("capacity_trace");
      if (!node->is_string()) {
        r.Fail(node, r.NameOf(t), "capacity_trace", "must be a file name");
      }
      if (base_dir.empty()) {
        r.Fail(node, r.NameOf(t), "capacity_trace",
               "cannot be used in a built-in profile (copy it to a file next to the trace)");
      }
      const std::filesystem::path path = base_dir / **node->as_string();
      std::ifstream in(path, std::ios::binary);
      if (!in) r.Fail(node, r.NameOf(t), "capacity_trace", "names a file that cannot be read");
      std::stringstream text;
      text << in.rdbuf();
      auto trace = link::CapacitySchedule::FromMahimahiTrace(text.str());
      if (!trace.ok()) {
        r.Fail(node, r.NameOf(t), "capacity_trace", path.string() + ": " + trace.error());
      }
      config.capacity = std::move(*trace);
    }
  }

  // Queue.
  if (const toml::table* t = r.TableFor({"queue_ms", "queue_bytes"})) {
    if (auto ms = r.Number(t, "queue_ms", 0, 3'600'000, true))
      config.queue_limit_time = Millis(*ms);
    if (auto bytes = r.Number(t, "queue_bytes", 1, 1e12)) {
      config.queue_limit_bytes = DataSize::Bytes(static_cast<int64_t>(*bytes));
    }
  }
  if (const toml::table* t = r.TableFor({"aqm", "codel_target_ms", "codel_interval_ms"})) {
    const toml::node* aqm = t->get("aqm");
    const std::string kind = aqm != nullptr ? aqm->value_or(std::string("?")) : "none";
    if (aqm != nullptr && kind != "codel" && kind != "none") {
      r.Fail(aqm, r.NameOf(t), "aqm", "must be \"codel\" or \"none\"");
    }
    if (kind == "codel") {
      link::CoDelConfig codel;
      if (auto ms = r.Number(t, "codel_target_ms", 0, 10'000, true)) codel.target = Millis(*ms);
      if (auto ms = r.Number(t, "codel_interval_ms", 0, 100'000, true))
        codel.interval = Millis(*ms);
      config.codel = codel;
    } else if (t->contains("codel_target_ms") || t->contains("codel_interval_ms")) {
      r.Fail(nullptr, r.NameOf(t), "codel_target_ms/codel_interval_ms", "need aqm = \"codel\"");
    }
  }

  // Loss.
  if (const toml::table* t = r.TableFor({"loss", "gilbert_elliott"})) {
    if (t->contains("loss") && t->contains("gilbert_elliott")) {
      r.Fail(t->get("loss"), r.NameOf(t), "loss", "cannot be set with gilbert_elliott");
    }
    if (auto p = r.Number(t, "loss", 0, 1, false)) {
      if (*p >= 1) r.Fail(t->get("loss"), r.NameOf(t), "loss", "must be below 1");
      config.loss = link::BernoulliLoss{*p};
    } else {
      const toml::node* node = t->get("gilbert_elliott");
      if (!node->is_table()) r.Fail(node, r.NameOf(t), "gilbert_elliott", "must be a table");
      SubTableReader ge(r, node->as_table(), std::string(r.NameOf(t)) + ".gilbert_elliott");
      ge.OnlyKeys({"p_good_to_bad", "p_bad_to_good", "loss_in_good", "loss_in_bad"});
      link::GilbertElliottLoss model;
      model.p_good_to_bad = ge.Number("p_good_to_bad", std::nullopt, 0, 1);
      model.p_bad_to_good = ge.Number("p_bad_to_good", std::nullopt, 0, 1, true);
      model.loss_in_good = ge.Number("loss_in_good", 0.0, 0, 1);
      model.loss_in_bad = ge.Number("loss_in_bad", 1.0, 0, 1);
      config.loss = model;
    }
  }

  // Outages.
  if (const toml::table* t = r.TableFor({"outages"})) {
    const toml::node* node = t->get("outages");
    const toml::array* array = node->as_array();
    if (array == nullptr)
      r.Fail(node, r.NameOf(t), "outages", "must be an array of [start s, end s]");
    for (const toml::node& item : *array) {
      const toml::array* pair = item.as_array();
      std::optional<double> start, end;
      if (pair != nullptr && pair->size() == 2) {
        start = (*pair)[0].value<double>();
        end = (*pair)[1].value<double>();
      }
      if (!start || !end || *start < 0 || *end <= *start || *end > kMaxSeconds) {
        r.Fail(&item, r.NameOf(t), "outages", "needs [start s, end s] with 0 <= start < end");
      }
      config.outages.push_back({Seconds(*start), Seconds(*end)});
    }
  }

  // LEO handovers.
  if (const toml::table* table = r.SubTable("handover")) {
    SubTableReader h(r, table, r.SubName("handover"));
    h.OnlyKeys({"period_s", "first_at_s", "delay_min_ms", "delay_max_ms", "loss_burst_ms"});
    if (!config.propagation_delay.IsConstant()) {
      r.Fail(nullptr, h.name(), "handover", "cannot be combined with delay_trace");
    }
    link::HandoverConfig handover;
    handover.period = Seconds(h.Number("period_s", 15, 0, 3600, true));
    handover.first_at =
        Seconds(h.Number("first_at_s", handover.period.seconds_f(), 0, kMaxSeconds));
    const double min_ms = h.Number("delay_min_ms", std::nullopt, 0, 60'000);
    const double max_ms = h.Number("delay_max_ms", std::nullopt, min_ms, 60'000);
    handover.delay_min = Millis(min_ms);
    handover.delay_max = Millis(max_ms);
    handover.loss_burst = Millis(h.Number("loss_burst_ms", 0, 0, handover.period.ms()));
    config.handovers = handover;
  }

  // Rain fade, applied last: it scales whatever capacity the direction has.
  if (const toml::table* table = r.SubTable("rain_fade")) {
    SubTableReader f(r, table, r.SubName("rain_fade"));
    f.OnlyKeys({"clear_sky_esn0_db", "attenuation_db", "hysteresis_db", "sample_ms"});
    link::RainFadeConfig fade;
    fade.clear_sky_esn0_db = f.Number("clear_sky_esn0_db", std::nullopt, -10, 40);
    fade.hysteresis_db = f.Number("hysteresis_db", 0.5, 0, 10);
    fade.sample = Millis(f.Number("sample_ms", 500, 1, 60'000));
    if (f.Node("attenuation_db") == nullptr)
      r.Fail(nullptr, f.name(), "attenuation_db", "is required");
    // Pairs() reads from a table; the rain-fade table is one.
    DirectionReader sub(r.source(), f.name(), table, nullptr);
    for (auto [s, db] : sub.Pairs(table, "attenuation_db", "[seconds, dB]", 0, 100)) {
      fade.attenuation.push_back({Seconds(s), db});
    }
    auto faded = link::ApplyRainFade(config.capacity, fade);
    if (!faded.ok()) r.Fail(nullptr, f.name(), "rain_fade", faded.error());
    config.capacity = std::move(*faded);
  }
  return config;
}

void CheckKeys(std::string_view source, const toml::table& table, std::string_view name) {
  for (const auto& [key, node] : table) {
    if (!kDirectionKeys.contains(key.str())) {
      DirectionReader(source, name, &table, nullptr)
          .Fail(&node, name, key.str(),
                "is not a known key (see docs/link-profiles.md for the list)");
    }
  }
}

}  // namespace

Result<LinkProfile, std::string> ParseLinkProfile(std::string_view text, std::string_view source,
                                                  const std::filesystem::path& base_dir) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return fmt::format("{}:{}: {}", source, e.source().begin.line, e.description());
  }
  try {
    LinkProfile profile;
    profile.source = std::string(source);
    const std::set<std::string_view> top_keys = {"name", "description", "link", "uplink",
                                                 "downlink"};
    const toml::table* sections[3] = {nullptr, nullptr, nullptr};
    for (const auto& [key, node] : root) {
      DirectionReader top(source, "", &root, nullptr);
      if (!top_keys.contains(key.str())) {
        top.Fail(&node, "top level", key.str(),
                 "is not a known key (name, description, [link], [uplink], [downlink])");
      }
      if (key.str() == "name" || key.str() == "description") {
        if (!node.is_string()) top.Fail(&node, "top level", key.str(), "must be a string");
        (key.str() == "name" ? profile.name : profile.description) = **node.as_string();
        continue;
      }
      if (!node.is_table()) top.Fail(&node, "top level", key.str(), "must be a table");
      const int index = key.str() == "link" ? 0 : key.str() == "uplink" ? 1 : 2;
      sections[index] = node.as_table();
      CheckKeys(source, *sections[index], key.str());
    }
    if (profile.name.empty()) {
      DirectionReader(source, "", &root, nullptr).Fail(nullptr, "top level", "name", "is required");
    }
    profile.uplink =
        ReadDirection(DirectionReader(source, "uplink", sections[1], sections[0]), base_dir);
    profile.downlink =
        ReadDirection(DirectionReader(source, "downlink", sections[2], sections[0]), base_dir);
    return profile;
  } catch (const ProfileError& e) {
    return e.message;
  }
}

Result<LinkProfile, std::string> LoadLinkProfile(std::string_view name_or_path) {
  for (const BuiltinProfileText& builtin : BuiltinProfiles()) {
    if (builtin.name == name_or_path) {
      auto profile =
          ParseLinkProfile(builtin.toml, fmt::format("built-in profile {}", builtin.name), {});
      if (profile.ok()) profile->source = "built-in";
      return profile;
    }
  }
  const std::filesystem::path path(name_or_path);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::string names;
    for (const BuiltinProfileText& builtin : BuiltinProfiles()) {
      names += (names.empty() ? "" : ", ") + std::string(builtin.name);
    }
    return fmt::format("'{}' is neither a built-in profile ({}) nor a readable file", name_or_path,
                       names);
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseLinkProfile(text.str(), path.string(),
                          path.parent_path().empty() ? "." : path.parent_path());
}

}  // namespace comodal::apps

namespace comodal::apps {
namespace {

std::string Kbps(DataRate rate) {
  return rate.bps() >= 10'000'000 ? fmt::format("{:.3g} Mbit/s", rate.bps_f() / 1e6)
                                  : fmt::format("{:.0f} kbit/s", rate.bps_f() / 1e3);
}

std::string CapacityText(const link::CapacitySchedule& capacity) {
  DataRate low = DataRate::PlusInfinity(), high = DataRate::Zero();
  for (const auto& step : capacity.steps()) {
    low = std::min(low, step.rate);
    high = std::max(high, step.rate);
  }
  if (high.IsPlusInfinity() && capacity.steps().size() == 1) return "unlimited";
  if (low == high) return Kbps(high);
  if (capacity.repeat_period() > TimeDelta::Zero() && capacity.steps().size() > 8) {
    return "trace up to " + Kbps(high);  // A Mahimahi trace: per-millisecond steps.
  }
  return Kbps(low) + "-" + Kbps(high);
}

double LossOf(const link::LossConfig& loss) {
  if (const auto* b = std::get_if<link::BernoulliLoss>(&loss)) return b->probability;
  if (const auto* ge = std::get_if<link::GilbertElliottLoss>(&loss)) return ge->StationaryLoss();
  return 0;
}

std::pair<TimeDelta, TimeDelta> DelayRange(const link::LinkDirectionConfig& d) {
  TimeDelta low = d.propagation_delay.Min(), high = low;
  for (const auto& point : d.propagation_delay.points()) high = std::max(high, point.delay);
  if (d.handovers) {
    low = std::min(low, d.handovers->delay_min);
    high = std::max(high, d.handovers->delay_max);
  }
  return {low, high};
}

}  // namespace

std::string SummarizeProfile(const LinkProfile& profile) {
  const auto [up_low, up_high] = DelayRange(profile.uplink);
  const auto [down_low, down_high] = DelayRange(profile.downlink);
  const int64_t rtt_low = (up_low + down_low).ms(), rtt_high = (up_high + down_high).ms();
  std::string text = rtt_low == rtt_high ? fmt::format("RTT {} ms", rtt_low)
                                         : fmt::format("RTT {}-{} ms", rtt_low, rtt_high);
  text += ", down " + CapacityText(profile.downlink.capacity) + ", up " +
          CapacityText(profile.uplink.capacity);
  if (profile.downlink.queue_limit_time) {
    text += fmt::format(", buffer {} ms", profile.downlink.queue_limit_time->ms());
  } else if (profile.downlink.queue_limit_bytes) {
    text += fmt::format(", buffer {} B", profile.downlink.queue_limit_bytes->bytes());
  }
  const double up_loss = LossOf(profile.uplink.loss), down_loss = LossOf(profile.downlink.loss);
  text += up_loss == down_loss
              ? fmt::format(", loss {:g} %", 100 * down_loss)
              : fmt::format(", loss {:g} % down / {:g} % up", 100 * down_loss, 100 * up_loss);
  if (profile.downlink.handovers) {
    text += fmt::format(", handovers every {:g} s", profile.downlink.handovers->period.seconds_f());
  }
  TimeDelta outage = TimeDelta::Zero();
  for (const auto& window : profile.downlink.outages) outage += window.end - window.start;
  if (outage > TimeDelta::Zero()) text += fmt::format(", outage {:g} s", outage.seconds_f());
  if (profile.downlink.codel) text += ", CoDel";
  return text;
}

}  // namespace comodal::apps
