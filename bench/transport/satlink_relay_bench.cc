// The real-time relay of `comodal satlink` under load: one thread runs the relay (its own
// AsioScheduler, as the command does), another offers 20 000 datagrams/s to its listen side at
// an even pace and counts what reaches the hub side; optionally the hub echoes every datagram
// back through the downlink (40 000 datagrams/s through the relay). The link is geo-vsat's delay
// (300 ms + up to 5 ms jitter) with capacity to spare, so every datagram is relayed and the
// relay holds 6 000 in flight per direction. Reported: datagrams relayed per second, how late
// the relay sent them against the model's delivery times (p50/p99/max), and the relay thread's
// CPU time per second of wall time (1.0 = one core busy).
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "transport/link/satlink_relay.h"

namespace comodal::link {
namespace {

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// A non-blocking loopback UDP socket bound to a free port.
int OpenLoopback(uint16_t& port) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  int buffer = 8 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  port = ntohs(address.sin_port);
  return fd;
}

void BM_SatlinkRelay(benchmark::State& state) {
  const int rate = static_cast<int>(state.range(0));
  const bool echo = state.range(1) != 0;
  const auto duration = std::chrono::seconds(5);
  for (auto _ : state) {
    uint16_t site_port = 0, hub_port = 0;
    const int site = OpenLoopback(site_port);
    const int hub = OpenLoopback(hub_port);

    LinkDirectionConfig direction;
    direction.propagation_delay = TimeDelta::Millis(300);
    direction.jitter = TimeDelta::Millis(5);
    direction.capacity = CapacitySchedule::Constant(DataRate::MegabitsPerSec(100));
    direction.queue_limit_time = TimeDelta::Seconds(1);
    AsioScheduler scheduler;
    auto relay = SatLinkRelay::Open(
        scheduler, {{"127.0.0.1", 0}, {"127.0.0.1", hub_port}, direction, direction, 1});
    if (!relay.ok()) {
      state.SkipWithError(relay.error().c_str());
      return;
    }
    const uint16_t relay_port = (*relay)->listen_address().port;
    double relay_cpu = 0;
    std::thread relay_thread([&] {
      const double cpu_start = ThreadCpuSeconds();
      scheduler.RunFor(TimeDelta::Seconds(5) + TimeDelta::Millis(800));
      relay_cpu = ThreadCpuSeconds() - cpu_start;
    });

    // Load generator: one thread, paced sends and non-blocking receives.
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(relay_port);
    uint8_t packet[200] = {};
    uint8_t buffer[2048];
    uint64_t sent = 0, at_hub = 0, back = 0;
    const auto start = std::chrono::steady_clock::now();
    const auto interval = std::chrono::nanoseconds(1'000'000'000 / rate);
    const auto end = start + duration + std::chrono::milliseconds(700);
    while (std::chrono::steady_clock::now() < end) {
      const auto now = std::chrono::steady_clock::now();
      while (now - start < duration && start + interval * static_cast<int64_t>(sent) <= now) {
        sendto(site, packet, sizeof(packet), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
        ++sent;
      }
      sockaddr_in from{};
      socklen_t from_length = sizeof(from);
      ssize_t n;
      while ((n = recvfrom(hub, buffer, sizeof(buffer), 0, reinterpret_cast<sockaddr*>(&from),
                           &from_length)) > 0) {
        ++at_hub;
        if (echo) {
          sendto(hub, buffer, static_cast<size_t>(n), 0, reinterpret_cast<sockaddr*>(&from),
                 from_length);
        }
        from_length = sizeof(from);
      }
      while (recv(site, buffer, sizeof(buffer), 0) > 0) ++back;
    }
    relay_thread.join();

    const SatLinkRelay::Direction& up = (*relay)->uplink();
    const SatLinkRelay::Direction& down = (*relay)->downlink();
    LatencyHistogram errors = up.scheduling_error;
    state.counters["offered_per_s"] = static_cast<double>(sent) / 5.0;
    state.counters["relayed_per_s"] =
        static_cast<double>(up.stats->packets_out + down.stats->packets_out) / 5.0;
    state.counters["uplink_received_by_relay"] = static_cast<double>(up.stats->packets_in);
    state.counters["lost_before_relay"] = static_cast<double>(sent - up.stats->packets_in);
    state.counters["at_hub"] = static_cast<double>(at_hub);
    state.counters["back_at_site"] = static_cast<double>(back);
    state.counters["up_sched_err_p50_us"] =
        static_cast<double>(up.scheduling_error.Percentile(0.5).us());
    state.counters["up_sched_err_p99_us"] =
        static_cast<double>(up.scheduling_error.Percentile(0.99).us());
    state.counters["up_sched_err_max_us"] = static_cast<double>(up.scheduling_error.max().us());
    if (echo) {
      state.counters["down_sched_err_p99_us"] =
          static_cast<double>(down.scheduling_error.Percentile(0.99).us());
    }
    state.counters["relay_cpu_per_wall_s"] = relay_cpu / 5.8;
    close(site);
    close(hub);
  }
}
BENCHMARK(BM_SatlinkRelay)
    ->Args({20'000, 0})
    ->Args({20'000, 1})
    ->ArgNames({"pps", "echo"})
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->UseRealTime();

}  // namespace
}  // namespace comodal::link
