// Writes the seed corpus the fuzz targets start from: valid packets built by comodal's own
// builders (seeds/rtp, seeds/rtcp). Every fuzz target reads the whole tree.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "session/activity/operation.h"
#include "session/blob/blob_manifest.h"
#include "session/sync/sync_message.h"
#include "transport/datachannel/data_packet.h"
#include "transport/rtcp/compound_packet.h"
#include "transport/rtp/rtp_packet.h"

namespace comodal {
namespace {

void WriteSeed(const std::filesystem::path& dir, const std::string& name,
               std::span<const uint8_t> bytes) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

std::vector<uint8_t> Rtp(RtpPacketBuilder& builder, size_t payload_size, size_t padding) {
  std::vector<uint8_t> payload(payload_size, 0xA5);
  std::vector<uint8_t> out(2048);
  out.resize(builder.Build(payload, out, padding).value());
  return out;
}

template <typename Message>
std::vector<uint8_t> Rtcp(const Message& message) {
  std::vector<uint8_t> out(message.Size());
  if (!rtcp::SerializeRtcp(message, out).ok()) {
    std::cerr << "seed message failed to serialise\n";
    std::exit(1);
  }
  return out;
}

void WriteRtpSeeds(const std::filesystem::path& dir) {
  RtpPacketBuilder plain;
  plain.set_payload_type(111).set_sequence_number(1).set_timestamp(960).set_ssrc(1);
  WriteSeed(dir, "plain", Rtp(plain, 60, 0));

  RtpPacketBuilder one_byte;
  one_byte.set_marker(true).set_payload_type(96).set_sequence_number(65535).set_ssrc(2);
  (void)one_byte.SetExtension<TransportSequenceNumber>(3, 42);
  (void)one_byte.SetExtension<AbsoluteSendTime>(2, 0x123456);
  (void)one_byte.SetExtension<AudioLevel>(1, {true, 30});
  (void)one_byte.SetExtension<PlayoutDelay>(6, {TimeDelta::Zero(), TimeDelta::Millis(600)});
  WriteSeed(dir, "one_byte_extensions", Rtp(one_byte, 100, 0));
  WriteSeed(dir, "one_byte_extensions_padded", Rtp(one_byte, 10, 20));

  RtpPacketBuilder two_byte;
  two_byte.set_payload_type(98).set_ssrc(3);
  const uint32_t csrcs[] = {10, 11};
  (void)two_byte.SetCsrcs(csrcs);
  (void)two_byte.SetRawExtension(1, {});
  const std::vector<uint8_t> big(20, 7);
  (void)two_byte.SetRawExtension(200, big);
  WriteSeed(dir, "two_byte_extensions_csrcs", Rtp(two_byte, 30, 0));
}

void WriteRtcpSeeds(const std::filesystem::path& dir) {
  rtcp::SenderReport sr;
  sr.sender_ssrc = 1;
  sr.report_blocks.resize(2);
  rtcp::ReceiverReport rr;
  rr.report_blocks.resize(1);
  rtcp::Nack nack;
  nack.lost_sequence_numbers = {1, 2, 5, 40, 65535};
  rtcp::Pli pli;
  rtcp::Fir fir;
  fir.entries.push_back({5, 1});
  rtcp::Bye bye;
  bye.ssrcs = {1, 2};
  bye.reason = "lesson over";
  rtcp::App app;
  app.name = {'c', 'm', 'd', 'l'};
  app.data = {1, 2, 3, 4};
  rtcp::ExtendedReports xr;
  xr.rrtr = rtcp::Rrtr{NtpTime(100, 200)};
  xr.dlrr.push_back({7, 1000, 2000});
  rtcp::TransportFeedback feedback({1, 2}, 0, 65500, Timestamp::Millis(5000));
  for (int i = 1; i < 80; ++i) {
    if (i % 7 == 0) continue;
    (void)feedback.AddReceivedPacket(static_cast<uint16_t>(65500 + i),
                                     Timestamp::Millis(5000 + 5 * i - (i % 11 == 0 ? 40 : 0)));
  }

  WriteSeed(dir, "sr", Rtcp(sr));
  WriteSeed(dir, "rr", Rtcp(rr));
  WriteSeed(dir, "sdes", Rtcp(rtcp::Sdes::WithCname(1, "hub@college")));
  WriteSeed(dir, "nack", Rtcp(nack));
  WriteSeed(dir, "pli", Rtcp(pli));
  WriteSeed(dir, "fir", Rtcp(fir));
  WriteSeed(dir, "bye", Rtcp(bye));
  WriteSeed(dir, "app", Rtcp(app));
  WriteSeed(dir, "xr", Rtcp(xr));
  WriteSeed(dir, "transport_feedback", Rtcp(feedback));
  rtcp::RtcpCompound compound;
  compound.messages = {sr, rtcp::Sdes::WithCname(1, "site"), nack, feedback, xr};
  WriteSeed(dir, "compound", Rtcp(compound));
}

// VP8 (RFC 7741) and VP9 (RFC 9628) RTP payloads: descriptor, then the start of a frame.
void WriteVideoPayloadSeeds(const std::filesystem::path& root) {
  const std::vector<uint8_t> vp8_keyframe = {
      0x90, 0xE0, 0x80, 0x2A, 0x05, 0x00,  // X S | I L T | PictureID 42 | ...
      0x10, 0x40, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0x68, 0x01,  // keyframe 640x360
      0x11, 0x22, 0x33};
  const std::vector<uint8_t> vp8_interframe = {0xB0, 0xF0, 0x2B, 0x05, 0xB1,
                                               0x31, 0x02, 0x00, 0x44, 0x55};
  const std::vector<uint8_t> vp8_continuation = {0x00, 0x66, 0x77, 0x88};
  WriteSeed(root / "vp8", "keyframe_start", vp8_keyframe);
  WriteSeed(root / "vp8", "interframe_all_fields", vp8_interframe);
  WriteSeed(root / "vp8", "continuation", vp8_continuation);

  const std::vector<uint8_t> vp9_flexible = {0xF8, 0x92, 0x34, 0x53, 0x03, 0x0A, 0x11, 0x22};
  const std::vector<uint8_t> vp9_keyframe_ss = {0xAE, 0x05, 0x00, 0x07, 0x38, 0x01, 0x40, 0x00,
                                                0xB4, 0x02, 0x80, 0x01, 0x68, 0x02, 0x04, 0x02,
                                                0x38, 0x01, 0x02, 0x82, 0x49, 0x83, 0x42, 0x00};
  WriteSeed(root / "vp9", "flexible_references", vp9_flexible);
  WriteSeed(root / "vp9", "keyframe_scalability_structure", vp9_keyframe_ss);
}

}  // namespace
void WriteOperationSeeds(const std::filesystem::path& dir) {
  session::Operation answer;
  answer.id = {7, 42};
  answer.time = {1'700'000'000'000, 3};
  answer.activity = session::ActivityKind::kQuiz;
  answer.action = 2;
  answer.author = 1001;
  answer.body = {0, 1, 0, 2};
  WriteSeed(dir, "quiz_answer", answer.Serialize());
  session::Operation page = answer;
  page.activity = session::ActivityKind::kSlides;
  page.body.clear();
  WriteSeed(dir, "slides_page_empty_body", page.Serialize());
}

void WriteBlobManifestSeeds(const std::filesystem::path& dir) {
  const std::vector<uint8_t> worksheet(3000, 0x5A);
  WriteSeed(dir, "three_chunks", session::BlobManifest::Of(worksheet, 1024).Serialize());
  WriteSeed(dir, "empty", session::BlobManifest::Of({}).Serialize());
}

void WriteSyncMessageSeeds(const std::filesystem::path& dir) {
  session::Operation stroke;
  stroke.id = {101, 9};
  stroke.time = {1'700'000'000'000, 0};
  stroke.activity = session::ActivityKind::kWhiteboard;
  stroke.action = 1;
  stroke.author = 1000;
  stroke.body = {0, 3, 10, 20, 30, 40};
  session::VersionVector version;
  version.Add({1, 1});
  version.Add({101, 1});
  version.Add({101, 3});
  WriteSeed(dir, "hello", session::SerializeSyncMessage(session::SyncHello{101, 77, version}));
  WriteSeed(dir, "operations",
            session::SerializeSyncMessage(session::SyncOperations{{stroke, stroke}}));
  const std::vector<uint8_t> photo(2500, 0x33);
  const session::BlobManifest manifest = session::BlobManifest::Of(photo, 1024);
  WriteSeed(dir, "blob_offer", session::SerializeSyncMessage(session::BlobOffer{manifest}));
  WriteSeed(dir, "blob_want",
            session::SerializeSyncMessage(session::BlobWant{manifest.digest, {0, 2}}));
  WriteSeed(dir, "blob_chunk",
            session::SerializeSyncMessage(session::BlobChunk{manifest.digest, 1, {1, 2, 3}}));
  WriteSeed(dir, "blob_have", session::SerializeSyncMessage(session::BlobHave{manifest.digest}));
  WriteSeed(dir, "clock_request", session::SerializeSyncMessage(session::ClockRequest{101, 5}));
  WriteSeed(dir, "clock_response", session::SerializeSyncMessage(session::ClockResponse{5, 9, 10}));
}

void WriteDataPacketSeeds(const std::filesystem::path& dir) {
  const std::vector<uint8_t> data(40, 0x11);
  datachannel::DataPacket packet;
  packet.incarnation = 3;
  packet.epoch = 1;
  packet.ack = datachannel::DataAck{5, 1, 10, 65536, {{12, 14}, {20, 20}}};
  packet.fragment = datachannel::DataFragment{7, 5, datachannel::Lane::kBulk, 2, 100, 40, data};
  WriteSeed(dir, "ack_and_fragment", packet.Serialize());
  packet.fragment.reset();
  WriteSeed(dir, "ack_only", packet.Serialize());
}

}  // namespace comodal

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: comodal_fuzz_seeds <output-directory>\n";
    return 2;
  }
  const std::filesystem::path root = argv[1];
  std::filesystem::remove_all(root);
  comodal::WriteRtpSeeds(root / "rtp");
  comodal::WriteRtcpSeeds(root / "rtcp");
  comodal::WriteVideoPayloadSeeds(root);
  comodal::WriteOperationSeeds(root / "session_operation");
  comodal::WriteBlobManifestSeeds(root / "session_blob_manifest");
  comodal::WriteSyncMessageSeeds(root / "session_sync_message");
  comodal::WriteDataPacketSeeds(root / "datachannel");
  for (const char* trace : {"1\n2\n3\n4\n", "5\n10\n", "0\n0\n7\n7\n7\n20\n"}) {
    const std::string_view text(trace);
    comodal::WriteSeed(root / "mahimahi", std::to_string(text.size()),
                       std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }
  for (const char* address : {"127.0.0.1:5000", "[::1]:6000", "10.0.0.2:0"}) {
    const std::string_view text(address);
    comodal::WriteSeed(root / "address", text.data(),
                       std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }
  return 0;
}
