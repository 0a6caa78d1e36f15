#ifndef TESTS_SUPPORT_VIDEO_QUALITY_H_
#define TESTS_SUPPORT_VIDEO_QUALITY_H_

#include "engine/video/picture_quality.h"

namespace comodal::testing {

using engine::LumaPsnr;
using engine::LumaSsim;

}  // namespace comodal::testing

#endif  // TESTS_SUPPORT_VIDEO_QUALITY_H_
