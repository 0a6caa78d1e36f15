set(COMODAL_LAYER_CHECK_SCRIPT "${PROJECT_SOURCE_DIR}/cmake/check_layers.cmake")
file(GLOB_RECURSE COMODAL_LAYERED_SOURCES CONFIGURE_DEPENDS
     "${PROJECT_SOURCE_DIR}/transport/*.h" "${PROJECT_SOURCE_DIR}/transport/*.cc"
     "${PROJECT_SOURCE_DIR}/engine/*.h" "${PROJECT_SOURCE_DIR}/engine/*.cc"
     "${PROJECT_SOURCE_DIR}/session/*.h" "${PROJECT_SOURCE_DIR}/session/*.cc"
     "${PROJECT_SOURCE_DIR}/apps/*.h" "${PROJECT_SOURCE_DIR}/apps/*.cc")
add_custom_command(
  OUTPUT "${PROJECT_BINARY_DIR}/layer_check.stamp"
  COMMAND "${CMAKE_COMMAND}" -DROOT=${PROJECT_SOURCE_DIR} -P "${COMODAL_LAYER_CHECK_SCRIPT}"
  COMMAND "${CMAKE_COMMAND}" -E touch "${PROJECT_BINARY_DIR}/layer_check.stamp"
  DEPENDS ${COMODAL_LAYERED_SOURCES} "${COMODAL_LAYER_CHECK_SCRIPT}"
  COMMENT "Checking layer dependencies (apps -> session -> engine -> transport)"
  VERBATIM)
add_custom_target(comodal_layer_check DEPENDS "${PROJECT_BINARY_DIR}/layer_check.stamp")
