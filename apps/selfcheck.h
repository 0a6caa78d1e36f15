#ifndef APPS_SELFCHECK_H_
#define APPS_SELFCHECK_H_

#include <ostream>
#include <string>
#include <vector>

#include "transport/base/library_check.h"
#include "transport/rtcp/compound_packet.h"
#include "transport/rtp/rtp_header_extensions.h"

namespace comodal::apps {

// Every library comodal links, with its version and a small real use of it.
std::vector<LibraryCheck> CheckLinkedLibraries();

// The traffic the round trip sends, also dissected by Wireshark in the tests: an RTP media
// packet (PT 96, transport-wide sequence number under extension ID kSelfcheckTwccId, abs-send-time)
// and an RTCP compound of SR + SDES (CNAME) + Generic NACK + transport-wide CC feedback.
inline constexpr uint8_t kSelfcheckTwccId = 3;
inline constexpr uint8_t kSelfcheckAbsSendTimeId = 2;
inline constexpr uint32_t kSelfcheckSsrc = 0x5173C0DE;
size_t BuildSelfcheckRtp(uint16_t sequence_number, uint16_t transport_sequence_number,
                         Timestamp now, std::span<uint8_t> out);
rtcp::RtcpCompound BuildSelfcheckRtcp(Timestamp now);

// Sends an RTP packet (with a transport-wide sequence number) and an RTCP compound
// (SR + SDES + NACK + TWCC feedback) from one loopback UDP socket to another, parses them there,
// and answers with an RR that the first socket parses: a real RTP/RTCP round trip.
LibraryCheck CheckRtpRoundTrip(const std::string& loopback_ip);

// `comodal selfcheck`: one PASS/FAIL line per check on `out`; returns 0 when all pass.
int RunSelfcheck(std::ostream& out);

}  // namespace comodal::apps

#endif  // APPS_SELFCHECK_H_
