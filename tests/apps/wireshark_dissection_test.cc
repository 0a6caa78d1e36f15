// Wireshark is the independent judge of comodal's wire formats: RTP and RTCP built by comodal are
// sent over real UDP on loopback, what arrives is written to a pcap, and tshark's dissectors must
// decode every packet with the fields we sent and no "malformed" or expert-error mark.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <array>
#include <sstream>
#include <string>
#include <vector>

#include "apps/selfcheck.h"
#include "tests/support/pcap_writer.h"
#include "tests/support/subprocess.h"
#include "transport/net/asio_scheduler.h"
#include "transport/net/udp_socket.h"
#include "transport/rtp/rtp_packet.h"

namespace comodal {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Capture {
  std::string pcap_path;
  uint16_t port = 0;
  size_t datagrams = 0;
};

// Sends `datagrams` from one loopback socket to another and records what arrived in a pcap.
Capture SendAndCapture(const std::vector<std::vector<uint8_t>>& datagrams,
                       const std::string& name) {
  Capture capture;
  capture.pcap_path =
      testing::TestTempDir() + "/" + name + "-" + std::to_string(getpid()) + ".pcap";
  AsioScheduler scheduler;
  auto sender = UdpSocket::Open(scheduler, {"127.0.0.1", 0});
  auto receiver = UdpSocket::Open(scheduler, {"127.0.0.1", 0});
  EXPECT_TRUE(sender.ok() && receiver.ok());
  if (!sender.ok() || !receiver.ok()) return capture;
  capture.port = (*receiver)->local_address().port;
  testing::PcapWriter pcap(capture.pcap_path);
  const SocketAddress to = (*receiver)->local_address();
  (*receiver)->StartReceiving(
      [&](std::span<const uint8_t> data, const SocketAddress& from, Timestamp at) {
        pcap.WriteUdp(from, to, data, at);
        if (++capture.datagrams == datagrams.size()) scheduler.Stop();
      });
  for (const auto& datagram : datagrams) (*sender)->SendTo(datagram, to);
  scheduler.RunFor(TimeDelta::Seconds(5));
  return capture;
}

std::string Tshark(const Capture& capture, const std::string& arguments) {
  auto result = testing::RunCommand("tshark -n -r " + capture.pcap_path +
                                    " -d udp.port==" + std::to_string(capture.port) + ",rtp " +
                                    arguments + " 2>/dev/null");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  return result.output;
}

class WiresharkDissectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::FindProgram("tshark")) {
      GTEST_SKIP() << "tshark is not installed (apt-get install tshark): Wireshark dissection "
                      "of comodal's RTP/RTCP is not checked";
    }
  }
};

TEST_F(WiresharkDissectionTest, RtpWithTransportWideSequenceNumber) {
  const Timestamp now = Timestamp::Seconds(1000);
  std::vector<std::vector<uint8_t>> datagrams;
  for (uint16_t i = 0; i < 3; ++i) {
    std::vector<uint8_t> bytes(kMaxPacketBufferSize);
    bytes.resize(apps::BuildSelfcheckRtp(static_cast<uint16_t>(65534 + i),
                                         static_cast<uint16_t>(42 + i), now, bytes));
    datagrams.push_back(bytes);
  }
  const Capture capture = SendAndCapture(datagrams, "rtp");
  ASSERT_EQ(capture.datagrams, 3u);

  // Nothing malformed, no expert errors anywhere in the full dissection.
  const std::string verbose = Tshark(capture, "-V");
  EXPECT_THAT(verbose, Not(HasSubstr("Malformed")));
  EXPECT_THAT(verbose, Not(HasSubstr("[Expert Info (Error")));
  EXPECT_THAT(verbose, HasSubstr("Real-Time Transport Protocol"));

  // The fields we sent, as Wireshark reads them: version, PT, seq (across the wrap), SSRC, and
  // the RFC 8285 one-byte extension with the transport-wide sequence number under ID 3.
  const std::string fields =
      Tshark(capture,
             "-T fields -E separator=/s -e rtp.version -e rtp.p_type -e rtp.seq "
             "-e rtp.ssrc -e rtp.ext.profile -e rtp.ext.rfc5285.id -e rtp.ext.rfc5285.data");
  std::istringstream lines(fields);
  std::string line;
  std::vector<std::string> rows;
  while (std::getline(lines, line)) rows.push_back(line);
  ASSERT_EQ(rows.size(), 3u) << fields;
  EXPECT_THAT(rows[0], HasSubstr("2 96 65534 0x5173c0de 0xbede"));
  EXPECT_THAT(rows[1], HasSubstr("2 96 65535 0x5173c0de"));
  EXPECT_THAT(rows[2], HasSubstr("2 96 0 0x5173c0de"));
  EXPECT_THAT(rows[0], HasSubstr("3,2"));   // Extension IDs: TWCC seq, abs-send-time.
  EXPECT_THAT(rows[0], HasSubstr("002a"));  // TWCC seq 42.
  EXPECT_THAT(rows[2], HasSubstr("002c"));  // TWCC seq 44.
}

TEST_F(WiresharkDissectionTest, RtcpCompoundSrSdesNackTransportFeedback) {
  const rtcp::RtcpCompound compound = apps::BuildSelfcheckRtcp(Timestamp::Seconds(1000));
  std::vector<uint8_t> bytes(kMaxPacketBufferSize);
  bytes.resize(rtcp::SerializeRtcp(compound, bytes).value());
  const Capture capture = SendAndCapture({bytes}, "rtcp");
  ASSERT_EQ(capture.datagrams, 1u);

  const std::string verbose = Tshark(capture, "-V");
  EXPECT_THAT(verbose, Not(HasSubstr("Malformed")));
  EXPECT_THAT(verbose, Not(HasSubstr("[Expert Info (Error")));
  EXPECT_THAT(verbose, HasSubstr("Real-time Transport Control Protocol (Sender Report)"));
  EXPECT_THAT(verbose, HasSubstr("Real-time Transport Control Protocol (Source description)"));
  EXPECT_THAT(verbose, HasSubstr("Generic negative acknowledgement"));
  EXPECT_THAT(verbose, HasSubstr("Transport-cc"));

  const std::string fields =
      Tshark(capture,
             "-T fields -E separator=/s -E aggregator=, -e rtcp.pt -e rtcp.rtpfb.fmt "
             "-e rtcp.sdes.text -e rtcp.rtpfb.nack_pid -e rtcp.rtpfb.transportcc.baseseq "
             "-e rtcp.rtpfb.transportcc.statuscount -e rtcp.rtpfb.transportcc.recv_delta "
             "-e rtcp.length_check");
  EXPECT_THAT(fields, HasSubstr("200,202,205,205"));  // SR, SDES, RTPFB, RTPFB
  EXPECT_THAT(fields, HasSubstr("1,15"));             // NACK, transport-cc
  EXPECT_THAT(fields, HasSubstr("site@comodal.selfcheck"));
  EXPECT_THAT(fields, HasSubstr("998,999,1003"));              // Lost packets, from PID+BLP.
  EXPECT_THAT(fields, HasSubstr(" 40 6 "));                    // Base 40, six statuses.
  EXPECT_THAT(fields, HasSubstr("0x00,0x14,0x28,0x14,0x14"));  // 0, 5, 10, 5, 5 ms deltas.
  EXPECT_THAT(fields, HasSubstr(" 1\n"));                      // RTCP length check passed.
}

}  // namespace
}  // namespace comodal
