#include "transport/base/byte_io.h"

#include <cstring>

namespace comodal {

void ByteWriter::Bytes(std::span<const uint8_t> bytes) {
  if (bytes.empty() || !Need(bytes.size())) return;
  std::memcpy(&out_[pos_], bytes.data(), bytes.size());
  pos_ += bytes.size();
}

void ByteWriter::Zeros(size_t n) {
  if (n == 0 || !Need(n)) return;
  std::memset(&out_[pos_], 0, n);
  pos_ += n;
}

}  // namespace comodal
