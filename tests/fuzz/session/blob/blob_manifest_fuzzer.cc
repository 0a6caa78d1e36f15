// Fuzzes BlobManifest::Parse: what parses has a chunk size within bounds, one digest per chunk
// of its size, and writes back to the very same bytes; an assembly built on it refuses a chunk
// that does not match.
#include <algorithm>
#include <cstdlib>

#include "session/blob/blob_manifest.h"

using comodal::session::BlobAssembly;
using comodal::session::BlobManifest;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto manifest = BlobManifest::Parse(std::span(data, size));
  if (!manifest.ok()) return 0;
  if (manifest->chunk_size < BlobManifest::kMinChunkSize ||
      manifest->chunk_size > BlobManifest::kMaxChunkSize ||
      manifest->size > BlobManifest::kMaxBlobSize ||
      manifest->chunk_count() !=
          (manifest->size + manifest->chunk_size - 1) / manifest->chunk_size) {
    std::abort();
  }
  const std::vector<uint8_t> written = manifest->Serialize();
  if (written.size() != size || !std::equal(written.begin(), written.end(), data)) std::abort();
  BlobAssembly assembly(*manifest);
  if (assembly.Missing().size() != manifest->chunk_count()) std::abort();
  if (manifest->chunk_count() > 0) {
    const std::vector<uint8_t> wrong(manifest->ChunkLength(0) + 1, 0);
    if (assembly.OnChunk(0, wrong).ok()) std::abort();
  }
  return 0;
}
