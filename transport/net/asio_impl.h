#ifndef TRANSPORT_NET_ASIO_IMPL_H_
#define TRANSPORT_NET_ASIO_IMPL_H_

// Private to transport/net/: the Asio objects behind AsioScheduler.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <functional>
#include <optional>

#include "transport/net/asio_scheduler.h"

namespace comodal {

struct AsioScheduler::Impl {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::optional<boost::asio::signal_set> signals;
  std::function<void(int)> on_signal;
  void WaitForSignal();
};

}  // namespace comodal

#endif  // TRANSPORT_NET_ASIO_IMPL_H_
