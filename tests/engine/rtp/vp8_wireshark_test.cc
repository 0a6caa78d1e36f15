// Wireshark as an independent reader of comodal's VP8 payloads (RFC 7741): packets from
// Vp8Packetizer, wrapped in RTP and written to a pcap, must be dissected by tshark's "vp8"
// dissector with the PictureID, TID, S bit and keyframe size we sent, and nothing malformed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "engine/rtp/vp8_payload.h"
#include "tests/support/pcap_writer.h"
#include "tests/support/subprocess.h"
#include "transport/rtp/rtp_packet.h"

namespace comodal::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr uint16_t kPort = 5004;

EncodedVideoFrame Frame(size_t size, bool keyframe, uint8_t temporal_id) {
  EncodedVideoFrame frame;
  frame.data.assign(size, 0x5A);
  frame.keyframe = keyframe;
  frame.temporal_id = temporal_id;
  frame.layer_sync = temporal_id > 0;
  // RFC 6386 §9.1 frame tag: a keyframe (P=0) of 640x360 with its start code, or an interframe.
  const std::vector<uint8_t> header =
      keyframe ? std::vector<uint8_t>{0x10, 0x40, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0x68, 0x01}
               : std::vector<uint8_t>{0x31, 0x02, 0x00};
  std::copy(header.begin(), header.end(), frame.data.begin());
  return frame;
}

class Vp8WiresharkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::FindProgram("tshark")) {
      GTEST_SKIP() << "tshark is not installed (apt-get install tshark): Wireshark dissection "
                      "of comodal's VP8 payloads is not checked";
    }
  }
};

TEST_F(Vp8WiresharkTest, PictureIdTemporalLayerStartBitAndKeyframeSize) {
  const std::string path = testing::TestTempDir() + "/vp8-" + std::to_string(getpid()) + ".pcap";
  {
    testing::PcapWriter pcap(path);
    ASSERT_TRUE(pcap.ok());
    Vp8Packetizer packetizer({.max_payload_size = 1100, .first_picture_id = 0x7FFF});
    uint16_t sequence_number = 1000;
    Timestamp at = Timestamp::Seconds(1000);
    // A keyframe in three packets (PictureID 0x7FFF), then a TID 1 frame (PictureID 0, wrapped).
    for (const EncodedVideoFrame& frame : {Frame(3000, true, 0), Frame(400, false, 1)}) {
      auto payloads = packetizer.Packetize(frame);
      ASSERT_TRUE(payloads.ok()) << payloads.error().ToString();
      for (const RtpVideoPayload& payload : *payloads) {
        RtpPacketBuilder builder;
        builder.set_payload_type(96)
            .set_sequence_number(sequence_number++)
            .set_timestamp(90000)
            .set_ssrc(0x5173C0DE)
            .set_marker(payload.last_in_frame);
        std::vector<uint8_t> bytes(kMaxPacketBufferSize);
        bytes.resize(builder.Build(payload.data, bytes).value());
        pcap.WriteUdp({"10.0.0.1", 40000}, {"10.0.0.2", kPort}, bytes, at);
        at = at + TimeDelta::Millis(1);
      }
    }
  }
  const std::string tshark =
      "tshark -n -r " + path + " -d udp.port==" + std::to_string(kPort) + ",rtp -d rtp.pt==96,vp8 ";

  auto verbose = testing::RunCommand(tshark + "-V 2>/dev/null");
  ASSERT_EQ(verbose.exit_code, 0) << verbose.output;
  EXPECT_THAT(verbose.output, HasSubstr("VP8"));
  EXPECT_THAT(verbose.output, Not(HasSubstr("Malformed")));
  EXPECT_THAT(verbose.output, Not(HasSubstr("[Expert Info (Error")));

  auto fields = testing::RunCommand(
      tshark +
      "-T fields -E separator=/s -e rtp.seq -e rtp.marker -e vp8.pld.s -e vp8.pld.partid "
      "-e vp8.pld.pictureid -e vp8.pld.tl0picidx -e vp8.pld.tid -e vp8.pld.y "
      "-e vp8.hdr.frametype -e vp8.keyframe.width -e vp8.keyframe.height 2>/dev/null");
  ASSERT_EQ(fields.exit_code, 0) << fields.output;
  std::istringstream lines(fields.output);
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(line);
  EXPECT_THAT(rows, ElementsAre("1000 0 1 0 32767 0 0 0 0 640 360",  //
                                "1001 0 0 0 32767 0 0 0   ",         //
                                "1002 1 0 0 32767 0 0 0   ",         //
                                "1003 1 1 0 0 0 1 1 1  "))
      << fields.output;
  if (!HasFailure()) std::filesystem::remove(path);  // Kept for inspection when the test fails.
}

}  // namespace
}  // namespace comodal::engine
