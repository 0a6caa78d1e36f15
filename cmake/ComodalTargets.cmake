# Helpers that build every layer library twice from one configure: the normal library, and a
# `_san` copy with AddressSanitizer + UndefinedBehaviorSanitizer (plus libFuzzer coverage
# instrumentation under clang, so fuzz targets link the same copy). Tests link both.

set(COMODAL_WARNINGS -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor -Wimplicit-fallthrough)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  set(COMODAL_HAVE_LIBFUZZER ON)
  set(COMODAL_SAN_FLAGS -fsanitize=address,undefined -fsanitize=fuzzer-no-link
                        -fno-sanitize-recover=all -fno-omit-frame-pointer -O1 -g)
else()
  set(COMODAL_HAVE_LIBFUZZER OFF)
  set(COMODAL_SAN_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
                        -fno-omit-frame-pointer -O1 -g)
endif()
set(COMODAL_SAN_LINK_FLAGS -fsanitize=address,undefined)

# comodal_layer(NAME <name> DIR <dir> [DEPS <layer targets>] [LIBS <third-party targets>])
# Sources: every .cc under <dir>. Include paths start at the repository root.
function(comodal_layer)
  cmake_parse_arguments(ARG "" "NAME;DIR" "DEPS;LIBS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS "${ARG_DIR}/*.cc")
  foreach(variant "" "_san")
    set(target ${ARG_NAME}${variant})
    if(variant STREQUAL "")
      add_library(${target} STATIC ${sources})
    else()
      add_library(${target} STATIC EXCLUDE_FROM_ALL ${sources})
      target_compile_options(${target} PRIVATE ${COMODAL_SAN_FLAGS})
      target_link_options(${target} INTERFACE ${COMODAL_SAN_LINK_FLAGS})
    endif()
    target_include_directories(${target} PUBLIC "${PROJECT_SOURCE_DIR}")
    target_compile_options(${target} PRIVATE ${COMODAL_WARNINGS})
    foreach(dep ${ARG_DEPS})
      target_link_libraries(${target} PUBLIC ${dep}${variant})
    endforeach()
    target_link_libraries(${target} PUBLIC ${ARG_LIBS})
    add_dependencies(${target} comodal_layer_check)
  endforeach()
endfunction()
