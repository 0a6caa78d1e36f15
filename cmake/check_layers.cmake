cmake_minimum_required(VERSION 3.25)
# Fails when a layer includes a header from a layer above it, or when a third-party header that
# belongs to one adapter leaks elsewhere. Run as: cmake -DROOT=<tree> -P check_layers.cmake
#
# Layers: apps -> session -> engine -> transport (an arrow is the only allowed dependency).
# Adapters (CONVENTIONS.md): only engine/gst/ includes GStreamer; only transport/net/ includes
# Asio; only transport/srtp/ includes libsrtp and OpenSSL.
if(NOT ROOT)
  message(FATAL_ERROR "check_layers.cmake: pass -DROOT=<source tree>")
endif()
get_filename_component(ROOT "${ROOT}" ABSOLUTE)

set(allowed_transport transport)
set(allowed_engine transport engine)
set(allowed_session transport engine session)
set(allowed_apps transport engine session apps)

set(violations "")
foreach(layer transport engine session apps)
  file(GLOB_RECURSE files "${ROOT}/${layer}/*.h" "${ROOT}/${layer}/*.cc")
  foreach(file ${files})
    file(RELATIVE_PATH rel "${ROOT}" "${file}")
    file(STRINGS "${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    foreach(line ${includes})
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*([<\"][^>\"]*[>\"]).*$" "\\1" header "${line}")
      # Project headers: "layer/...".
      if(header MATCHES "^\"(transport|engine|session|apps)/")
        set(target_layer "${CMAKE_MATCH_1}")
        if(NOT target_layer IN_LIST allowed_${layer})
          list(APPEND violations
               "${rel}: ${layer} may not include ${header} (${target_layer} is above ${layer})")
        endif()
      endif()
      if(header MATCHES "^<(gst/|glib|gio/)" AND NOT rel MATCHES "^engine/gst/")
        list(APPEND violations "${rel}: ${header} belongs in engine/gst/ only")
      endif()
      if(header MATCHES "^<(boost/asio|asio)" AND NOT rel MATCHES "^transport/net/")
        list(APPEND violations "${rel}: ${header} belongs in transport/net/ only")
      endif()
      if(header MATCHES "^<(srtp2/|openssl/)" AND NOT rel MATCHES "^transport/srtp/")
        list(APPEND violations "${rel}: ${header} belongs in transport/srtp/ only")
      endif()
    endforeach()
  endforeach()
endforeach()

if(violations)
  list(LENGTH violations count)
  list(JOIN violations "\n  " text)
  message(FATAL_ERROR "layer check: ${count} violation(s):\n  ${text}")
endif()
message(STATUS "layer check: ok")
