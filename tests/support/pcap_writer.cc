#include "tests/support/pcap_writer.h"

#include <arpa/inet.h>

#include <cstring>
#include <vector>

#include "transport/base/byte_io.h"

namespace comodal::testing {
namespace {

template <typename T>
void PutLittleEndian(std::ofstream& out, T value) {
  for (size_t i = 0; i < sizeof(T); ++i) out.put(static_cast<char>((value >> (8 * i)) & 0xFF));
}

uint32_t Ipv4(const std::string& ip) {
  in_addr address{};
  inet_pton(AF_INET, ip.c_str(), &address);
  return ntohl(address.s_addr);
}

}  // namespace

PcapWriter::PcapWriter(const std::string& path) : file_(path, std::ios::binary) {
  PutLittleEndian<uint32_t>(file_, 0xA1B2C3D4);  // Magic, microsecond timestamps.
  PutLittleEndian<uint16_t>(file_, 2);           // Version 2.4.
  PutLittleEndian<uint16_t>(file_, 4);
  PutLittleEndian<uint32_t>(file_, 0);      // Time zone.
  PutLittleEndian<uint32_t>(file_, 0);      // Timestamp accuracy.
  PutLittleEndian<uint32_t>(file_, 65535);  // Snap length.
  PutLittleEndian<uint32_t>(file_, 101);    // LINKTYPE_RAW.
}

void PcapWriter::WriteUdp(const SocketAddress& from, const SocketAddress& to,
                          std::span<const uint8_t> data, Timestamp at) {
  std::vector<uint8_t> packet(28 + data.size());
  uint8_t* ip = packet.data();
  ip[0] = 0x45;  // IPv4, 20-byte header.
  StoreBE16(ip + 2, static_cast<uint16_t>(packet.size()));
  StoreBE16(ip + 4, ip_id_++);
  ip[8] = 64;  // TTL.
  ip[9] = 17;  // UDP.
  StoreBE32(ip + 12, Ipv4(from.ip));
  StoreBE32(ip + 16, Ipv4(to.ip));
  uint32_t sum = 0;
  for (int i = 0; i < 20; i += 2) sum += LoadBE16(ip + i);
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  StoreBE16(ip + 10, static_cast<uint16_t>(~sum));
  uint8_t* udp = ip + 20;
  StoreBE16(udp, from.port);
  StoreBE16(udp + 2, to.port);
  StoreBE16(udp + 4, static_cast<uint16_t>(8 + data.size()));
  // UDP checksum 0: none (allowed over IPv4).
  if (!data.empty()) std::memcpy(udp + 8, data.data(), data.size());

  const int64_t us = at.IsFinite() ? at.us() : 0;
  PutLittleEndian<uint32_t>(file_, static_cast<uint32_t>(us / 1'000'000));
  PutLittleEndian<uint32_t>(file_, static_cast<uint32_t>(us % 1'000'000));
  PutLittleEndian<uint32_t>(file_, static_cast<uint32_t>(packet.size()));
  PutLittleEndian<uint32_t>(file_, static_cast<uint32_t>(packet.size()));
  file_.write(reinterpret_cast<const char*>(packet.data()),
              static_cast<std::streamsize>(packet.size()));
  file_.flush();
}

}  // namespace comodal::testing
