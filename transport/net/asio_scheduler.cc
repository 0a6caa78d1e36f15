#include "transport/net/asio_scheduler.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/version.hpp>

#include <chrono>

#include "transport/net/asio_impl.h"

namespace comodal {

AsioScheduler::AsioScheduler() : impl_(std::make_unique<Impl>()) {}
AsioScheduler::~AsioScheduler() = default;

void AsioScheduler::Run() {
  impl_->io.restart();
  impl_->io.run();
}

void AsioScheduler::RunFor(TimeDelta duration) {
  impl_->io.restart();
  impl_->io.run_for(std::chrono::microseconds(duration.us()));
}

void AsioScheduler::Stop() { impl_->io.stop(); }

void AsioScheduler::OnSignals(std::initializer_list<int> signals,
                              std::function<void(int)> handler) {
  impl_->signals.emplace(impl_->io);
  for (int signal : signals) impl_->signals->add(signal);
  impl_->on_signal = std::move(handler);
  impl_->WaitForSignal();
}

void AsioScheduler::Impl::WaitForSignal() {
  signals->async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;  // The set was cancelled (the scheduler is going away).
    on_signal(signal);
    WaitForSignal();
  });
}

void AsioScheduler::DoPost(TimeDelta delay, Task task) {
  if (delay <= TimeDelta::Zero()) {
    boost::asio::post(impl_->io, std::move(task));
    return;
  }
  auto timer =
      std::make_shared<boost::asio::steady_timer>(impl_->io, std::chrono::microseconds(delay.us()));
  timer->async_wait([timer, task = std::move(task)](const boost::system::error_code& ec) mutable {
    if (!ec) task();
  });
}

LibraryCheck CheckBoost() {
  std::string version = std::to_string(BOOST_VERSION / 100000) + "." +
                        std::to_string(BOOST_VERSION / 100 % 1000) + "." +
                        std::to_string(BOOST_VERSION % 100);
  AsioScheduler scheduler;
  bool ran = false;
  scheduler.PostDelayedTask(TimeDelta::Millis(1), [&] {
    ran = true;
    scheduler.Stop();
  });
  scheduler.RunFor(TimeDelta::Seconds(2));
  return LibraryCheck{"Boost (Asio)", version, ran,
                      ran ? "io_context ran a 1 ms timer" : "a 1 ms timer did not fire in 2 s"};
}

}  // namespace comodal
