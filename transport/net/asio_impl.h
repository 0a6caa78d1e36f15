#ifndef TRANSPORT_NET_ASIO_IMPL_H_
#define TRANSPORT_NET_ASIO_IMPL_H_

// Private to transport/net/: the Asio objects behind AsioScheduler.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "transport/net/asio_scheduler.h"

namespace comodal {

struct AsioScheduler::Impl {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
};

}  // namespace comodal

#endif  // TRANSPORT_NET_ASIO_IMPL_H_
