#ifndef TESTS_SUPPORT_PCAP_WRITER_H_
#define TESTS_SUPPORT_PCAP_WRITER_H_

#include <cstdint>
#include <fstream>
#include <span>
#include <string>

#include "transport/net/socket_address.h"
#include "transport/units/timestamp.h"

namespace comodal::testing {

// Writes UDP datagrams to a classic pcap file (LINKTYPE_RAW: IPv4 packets), each wrapped in an
// IPv4 and UDP header for the addresses it travelled between, so that Wireshark/tshark can
// dissect exactly the bytes that crossed a socket.
class PcapWriter {
 public:
  explicit PcapWriter(const std::string& path);
  bool ok() const { return static_cast<bool>(file_); }
  // IPv4 addresses only.
  void WriteUdp(const SocketAddress& from, const SocketAddress& to, std::span<const uint8_t> data,
                Timestamp at);

 private:
  std::ofstream file_;
  uint16_t ip_id_ = 1;
};

}  // namespace comodal::testing

#endif  // TESTS_SUPPORT_PCAP_WRITER_H_
