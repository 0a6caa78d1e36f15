#include "session/activity/replica.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <vector>

#include "transport/base/byte_io.h"

namespace comodal::session {
namespace {

constexpr Timestamp kT0 = Timestamp::Seconds(1'700'000'000);
constexpr uint32_t kHub = 1;
constexpr uint32_t kTeacher = 1;

// The hub (node 1: the teacher, pupils 10 and 11) and sites 2..n (a tutor 20 + node, pupils
// 100 x node and 100 x node + 1).
Roster ClassOf(uint32_t nodes) {
  Roster roster;
  roster.Add({kTeacher, Role::kTeacher, kHub, "teacher"});
  roster.Add({10, Role::kPupil, kHub, "Ana"});
  roster.Add({11, Role::kPupil, kHub, "Bruno"});
  for (uint32_t node = 2; node <= nodes; ++node) {
    roster.Add({20 + node, Role::kTutor, node, "tutor"});
    roster.Add({100 * node, Role::kPupil, node, "pupil"});
    roster.Add({100 * node + 1, Role::kPupil, node, "pupil"});
  }
  return roster;
}

std::vector<uint8_t> U32(uint32_t v) {
  std::vector<uint8_t> out(4);
  StoreBE32(out.data(), v);
  return out;
}
std::vector<uint8_t> U16(uint16_t v) {
  std::vector<uint8_t> out(2);
  StoreBE16(out.data(), v);
  return out;
}
std::vector<uint8_t> Question(uint16_t q, std::optional<uint8_t> option = std::nullopt) {
  std::vector<uint8_t> out = U16(q);
  if (option) out.push_back(*option);
  return out;
}

TEST(ReplicaTest, TheTeacherShowsAPageAndEveryReplicaShowsIt) {
  Replica hub(kHub, ClassOf(2));
  Replica site(2, ClassOf(2));
  auto op = hub.Make(kTeacher, ActivityKind::kSlides, SlidesState::kShowPage, U32(4), kT0);
  ASSERT_TRUE(op.ok()) << op.error().ToString();
  auto received = site.Receive(*op, kT0 + TimeDelta::Millis(300));
  ASSERT_TRUE(received.ok());
  EXPECT_TRUE(*received);
  EXPECT_EQ(site.slides().page(), 4u);
  EXPECT_EQ(hub.Describe(), site.Describe());
  // Again: nothing new.
  EXPECT_FALSE(*site.Receive(*op, kT0 + TimeDelta::Millis(400)));
  EXPECT_EQ(site.stats().duplicates, 1u);
}

// Permissions are checked at every replica against its own roster: a site cannot turn the
// teacher's page, a pupil cannot close a quiz or raise another pupil's hand, and nobody can act
// for a participant who takes part from another node. Refused, counted, never applied.
TEST(ReplicaTest, ActionsNotAllowedAreRefusedAndCountedEverywhere) {
  Replica hub(kHub, ClassOf(2));
  Replica site(2, ClassOf(2));
  // Made at the site: refused before it gets a number.
  auto page = site.Make(22, ActivityKind::kSlides, SlidesState::kShowPage, U32(9), kT0);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, ErrorCode::kInvalidArgument);
  auto close = site.Make(200, ActivityKind::kQuiz, QuizState::kClose, Question(1), kT0);
  EXPECT_FALSE(close.ok());
  auto other_hand = site.Make(200, ActivityKind::kHands, HandsState::kRaise, U32(201), kT0);
  EXPECT_FALSE(other_hand.ok());
  auto elsewhere = site.Make(10, ActivityKind::kHands, HandsState::kRaise, U32(10), kT0);
  EXPECT_FALSE(elsewhere.ok());  // Pupil 10 is at the hub.
  EXPECT_EQ(site.stats().refused_not_allowed, 4u);
  EXPECT_EQ(site.stats().made, 0u);
  // Forged and sent anyway (a hostile site box): the hub refuses it too.
  Operation forged;
  forged.id = {2, 1};
  forged.time = {kT0.ms(), 0};
  forged.activity = ActivityKind::kSlides;
  forged.action = SlidesState::kShowPage;
  forged.author = kTeacher;  // The teacher is at the hub, not at node 2.
  forged.body = U32(9);
  auto received = hub.Receive(forged, kT0);
  ASSERT_FALSE(received.ok());
  EXPECT_EQ(hub.stats().refused_not_allowed, 1u);
  EXPECT_FALSE(hub.slides().page().has_value());
  // A body that does not fit its action.
  forged.author = kTeacher;
  forged.id = {kHub, 1};
  forged.body = {1, 2};
  EXPECT_FALSE(site.Receive(forged, kT0).ok());
  EXPECT_EQ(site.stats().refused_malformed, 1u);
  EXPECT_EQ(hub.operations() + site.operations(), 0u);
}

// A pupil's answer counts if it came before the question closed, in the agreed order; the last
// such answer is the pupil's.
TEST(ReplicaTest, TheAnswerThatCountsIsTheLastBeforeTheClose) {
  Replica hub(kHub, ClassOf(2));
  Replica site(2, ClassOf(2));
  Timestamp t = kT0;
  auto open = hub.Make(kTeacher, ActivityKind::kQuiz, QuizState::kOpen, Question(1, 4), t);
  ASSERT_TRUE(open.ok());
  ASSERT_TRUE(site.Receive(*open, t += TimeDelta::Millis(300)).ok());
  auto first = site.Make(200, ActivityKind::kQuiz, QuizState::kAnswer, Question(1, 2), t);
  auto second = site.Make(200, ActivityKind::kQuiz, QuizState::kAnswer, Question(1, 3), t);
  auto out_of_range = site.Make(201, ActivityKind::kQuiz, QuizState::kAnswer, Question(1, 7), t);
  ASSERT_TRUE(first.ok() && second.ok() && out_of_range.ok());
  auto close = hub.Make(kTeacher, ActivityKind::kQuiz, QuizState::kClose, Question(1),
                        t += TimeDelta::Millis(200));
  ASSERT_TRUE(close.ok());
  // Made after the close reached the site: too late.
  ASSERT_TRUE(site.Receive(*close, t += TimeDelta::Millis(300)).ok());
  auto late = site.Make(201, ActivityKind::kQuiz, QuizState::kAnswer, Question(1, 1), t);
  ASSERT_TRUE(late.ok());
  // The hub gets the answers after its close, late one first.
  for (const auto* op : {&*late, &*second, &*first, &*out_of_range}) {
    ASSERT_TRUE(hub.Receive(*op, t += TimeDelta::Millis(10)).ok());
  }
  const std::map<uint32_t, uint8_t> expected = {{200, 3}};
  EXPECT_EQ(hub.quiz().Answers(1), expected);
  EXPECT_EQ(site.quiz().Answers(1), expected);
  EXPECT_TRUE(hub.quiz().closed(1));
  EXPECT_EQ(hub.Describe(), site.Describe());
}

// Hands go up in order and come down by their pupil or the teacher.
TEST(ReplicaTest, HandsQueueInTheOrderTheyWentUp) {
  Replica hub(kHub, ClassOf(3));
  Replica site2(2, ClassOf(3));
  Replica site3(3, ClassOf(3));
  Timestamp t = kT0;
  auto a = site3.Make(300, ActivityKind::kHands, HandsState::kRaise, U32(300), t);
  auto b = site2.Make(200, ActivityKind::kHands, HandsState::kRaise, U32(200),
                      t += TimeDelta::Millis(5));
  auto c =
      hub.Make(10, ActivityKind::kHands, HandsState::kRaise, U32(10), t += TimeDelta::Millis(5));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  for (const auto* op : {&*c, &*b, &*a}) (void)hub.Receive(*op, t);
  EXPECT_EQ(hub.hands().Queue(), (std::vector<uint32_t>{300, 200, 10}));
  auto lower = hub.Make(kTeacher, ActivityKind::kHands, HandsState::kLower, U32(200),
                        t += TimeDelta::Millis(5));
  ASSERT_TRUE(lower.ok());
  EXPECT_EQ(hub.hands().Queue(), (std::vector<uint32_t>{300, 10}));
}

// The timer runs in hub time: paused, it keeps what was left; resumed, it ends that much later.
TEST(ReplicaTest, TheTimerKeepsHubTimeThroughPauses) {
  Replica hub(kHub, ClassOf(2));
  Replica site(2, ClassOf(2));
  std::vector<Operation> ops;
  auto act = [&](uint8_t action, std::vector<uint8_t> body, Timestamp at) {
    auto op = hub.Make(kTeacher, ActivityKind::kTimer, action, std::move(body), at);
    ASSERT_TRUE(op.ok()) << op.error().ToString();
    ops.push_back(*op);
  };
  act(TimerState::kStart, U32(60'000), kT0);
  act(TimerState::kPause, {}, kT0 + TimeDelta::Seconds(20));
  act(TimerState::kResume, {}, kT0 + TimeDelta::Seconds(50));
  // The site gets them in reverse.
  for (auto it = ops.rbegin(); it != ops.rend(); ++it) ASSERT_TRUE(site.Receive(*it, kT0).ok());
  const TimerState::Reading r = site.timer().Read();
  EXPECT_TRUE(r.running);
  EXPECT_EQ(r.ends_at_ms, kT0.ms() + 90'000);
  EXPECT_EQ(site.Describe(), hub.Describe());
  // A pupil cannot touch it.
  EXPECT_FALSE(site.Make(200, ActivityKind::kTimer, TimerState::kReset, {}, kT0).ok());
}

// A stroke erased stays erased, even when the erase arrives before the stroke.
TEST(ReplicaTest, AnErasedStrokeStaysErasedWhateverTheOrder) {
  Replica hub(kHub, ClassOf(2));
  Replica site(2, ClassOf(2));
  std::vector<uint8_t> stroke = U16(0);  // Page 0.
  stroke.insert(stroke.end(), 10, 0x22);
  auto add =
      hub.Make(kTeacher, ActivityKind::kWhiteboard, WhiteboardState::kAddStroke, stroke, kT0);
  ASSERT_TRUE(add.ok());
  std::vector<uint8_t> erase = U16(0);
  erase.resize(14);
  StoreBE32(erase.data() + 2, add->id.node);
  StoreBE64(erase.data() + 6, add->id.counter);
  auto erased = site.Make(22, ActivityKind::kWhiteboard, WhiteboardState::kErase, erase, kT0);
  ASSERT_TRUE(erased.ok()) << erased.error().ToString();  // The tutor erases.
  ASSERT_TRUE(site.Receive(*add, kT0).ok());
  ASSERT_TRUE(hub.Receive(*erased, kT0).ok());
  EXPECT_TRUE(site.whiteboard().Strokes(0).empty());
  EXPECT_EQ(site.Describe(), hub.Describe());
  // Pupils do not draw.
  EXPECT_FALSE(
      site.Make(200, ActivityKind::kWhiteboard, WhiteboardState::kAddStroke, stroke, kT0).ok());
}

// A tutor marks their own site's pupils; the teacher marks anyone.
TEST(ReplicaTest, AttendanceIsMarkedByThePupilsTutorOrTheTeacher) {
  Replica hub(kHub, ClassOf(3));
  Replica site(2, ClassOf(3));
  EXPECT_TRUE(
      site.Make(22, ActivityKind::kAttendance, AttendanceState::kPresent, U32(200), kT0).ok());
  EXPECT_FALSE(
      site.Make(22, ActivityKind::kAttendance, AttendanceState::kPresent, U32(300), kT0).ok());
  EXPECT_TRUE(
      hub.Make(kTeacher, ActivityKind::kAttendance, AttendanceState::kAbsent, U32(300), kT0).ok());
  EXPECT_EQ(site.attendance().Marks(), (std::map<uint32_t, bool>{{200, true}}));
}

// Property: random schedules of 4 replicas issuing random operations (some not allowed, some
// malformed), delivered with random delay, reordering, duplication and loss, with partitions
// that cut a node off for a while, end, after anti-entropy, with identical states at every
// replica and every operation a replica accepted present at all of them, applied once.
TEST(ReplicaTest, RandomSchedulesConvergeWithNothingLostOrAppliedTwice) {
  constexpr int kSchedules = 1000;
  constexpr uint32_t kNodes = 4;
  // Each activity, and how many actions it has.
  constexpr std::array<std::pair<ActivityKind, uint8_t>, 7> kActivities = {{
      {ActivityKind::kSlides, 1},
      {ActivityKind::kHands, 2},
      {ActivityKind::kQuiz, 4},
      {ActivityKind::kTimer, 4},
      {ActivityKind::kChat, 1},
      {ActivityKind::kWhiteboard, 2},
      {ActivityKind::kAttendance, 2},
  }};
  const Roster roster = ClassOf(kNodes);
  std::vector<uint32_t> ids;
  std::map<uint32_t, std::vector<uint32_t>> at_node;
  for (const auto& [id, p] : roster.participants()) {
    ids.push_back(id);
    at_node[p.node].push_back(id);
  }
  uint64_t total_made = 0, total_refused = 0, total_duplicates = 0;
  for (int schedule = 0; schedule < kSchedules; ++schedule) {
    std::mt19937_64 random(static_cast<uint64_t>(schedule) + 1);
    auto chance = [&](double p) { return std::uniform_real_distribution<>(0, 1)(random) < p; };
    std::vector<std::unique_ptr<Replica>> replicas;
    std::vector<TimeDelta> skew;
    for (uint32_t node = 1; node <= kNodes; ++node) {
      replicas.push_back(std::make_unique<Replica>(node, roster));
      skew.push_back(TimeDelta::Millis(static_cast<int64_t>(random() % 4001) - 2000));
    }
    struct InFlight {
      Timestamp at;
      size_t to;
      Operation op;
    };
    std::vector<InFlight> network;
    std::vector<Operation> made;
    Timestamp now = kT0;
    // A node cut off (nothing in or out) until `cut_until`.
    size_t cut = kNodes;
    Timestamp cut_until = kT0;
    const int steps = 20 + static_cast<int>(random() % 60);
    for (int step = 0; step < steps; ++step) {
      now += TimeDelta::Millis(static_cast<int64_t>(random() % 400));
      if (cut < kNodes && now >= cut_until) cut = kNodes;
      if (cut == kNodes && chance(0.05)) {
        cut = random() % kNodes;
        cut_until = now + TimeDelta::Seconds(1 + static_cast<int64_t>(random() % 10));
      }
      // Deliver what is due, in arrival order.
      std::stable_sort(network.begin(), network.end(),
                       [](const InFlight& a, const InFlight& b) { return a.at < b.at; });
      while (!network.empty() && network.front().at <= now) {
        const InFlight m = network.front();
        network.erase(network.begin());
        if (m.to == cut) continue;  // Lost in the partition: anti-entropy brings it later.
        (void)replicas[m.to]->Receive(m.op, m.at + skew[m.to]);
      }
      // Someone acts.
      const size_t r = random() % kNodes;
      // Mostly someone at this node; now and then someone elsewhere (refused).
      const std::vector<uint32_t>& here = at_node[r + 1];
      const uint32_t author =
          chance(0.9) ? here[random() % here.size()] : ids[random() % ids.size()];
      const auto [activity, actions] = kActivities[random() % kActivities.size()];
      const auto action = static_cast<uint8_t>(1 + random() % actions);
      std::vector<uint8_t> body;
      if (activity == ActivityKind::kSlides) body = U32(static_cast<uint32_t>(random() % 30));
      if (activity == ActivityKind::kHands)
        body = U32(chance(0.7) ? author : ids[random() % ids.size()]);
      if (activity == ActivityKind::kQuiz) {
        body =
            action == QuizState::kClose || action == QuizState::kReveal
                ? Question(static_cast<uint16_t>(random() % 3))
                : Question(static_cast<uint16_t>(random() % 3), static_cast<uint8_t>(random() % 6));
      }
      if (activity == ActivityKind::kTimer && action == TimerState::kStart) {
        body = U32(static_cast<uint32_t>(random() % 600'000));
      }
      if (activity == ActivityKind::kChat) body.assign(1 + random() % 40, 'a');
      if (activity == ActivityKind::kAttendance) body = U32(ids[random() % ids.size()]);
      if (activity == ActivityKind::kWhiteboard) {
        body = U16(static_cast<uint16_t>(random() % 2));  // The page.
        if (action == WhiteboardState::kAddStroke) {
          body.insert(body.end(), 1 + random() % 30, 0x11);
        } else if (!made.empty()) {  // Erase some stroke made so far (or anything else).
          const OperationId target = made[random() % made.size()].id;
          std::vector<uint8_t> id(12);
          StoreBE32(id.data(), target.node);
          StoreBE64(id.data() + 4, target.counter);
          body.insert(body.end(), id.begin(), id.end());
        }
      }
      if (chance(0.05)) body.push_back(0);  // Malformed.
      auto op = replicas[r]->Make(author, activity, action, body, now + skew[r]);
      if (!op.ok()) continue;
      made.push_back(*op);
      if (r == cut) continue;  // Made while cut off: sent by anti-entropy after.
      for (size_t to = 0; to < kNodes; ++to) {
        if (to == r) continue;
        const int copies = chance(0.2) ? 2 : 1;  // Duplicated.
        for (int c = 0; c < copies; ++c) {
          if (chance(0.15)) continue;  // Lost.
          network.push_back(
              {now + TimeDelta::Millis(250 + static_cast<int64_t>(random() % 700)), to, *op});
        }
      }
    }
    // The link returns: anti-entropy between every pair until nothing is missing.
    now += TimeDelta::Seconds(1);
    for (int round = 0; round < 2; ++round) {
      for (size_t a = 0; a < kNodes; ++a) {
        for (size_t b = 0; b < kNodes; ++b) {
          if (a == b) continue;
          for (const Operation& op : replicas[a]->Missing(replicas[b]->version())) {
            ASSERT_TRUE(replicas[b]->Receive(op, now + skew[b]).ok());
          }
        }
      }
    }
    for (size_t i = 0; i < kNodes; ++i) {
      SCOPED_TRACE("schedule " + std::to_string(schedule) + " replica " + std::to_string(i + 1));
      EXPECT_EQ(replicas[i]->Describe(), replicas[0]->Describe());
      EXPECT_EQ(replicas[i]->operations(), made.size());
      for (const Operation& op : made) ASSERT_TRUE(replicas[i]->version().Contains(op.id));
      EXPECT_EQ(replicas[i]->stats().made + replicas[i]->stats().applied, made.size());
      total_refused += replicas[i]->stats().refused;
      total_duplicates += replicas[i]->stats().duplicates;
    }
    total_made += made.size();
    if (HasFatalFailure()) return;
  }
  std::printf("made %llu refused %llu duplicates %llu\n", (unsigned long long)total_made,
              (unsigned long long)total_refused, (unsigned long long)total_duplicates);
  // The schedules did exercise what they claim to.
  EXPECT_GT(total_made, 10'000u);
  EXPECT_GT(total_refused, 20'000u);
  EXPECT_GT(total_duplicates, 2'000u);
}

}  // namespace
}  // namespace comodal::session
