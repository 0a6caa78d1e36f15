cmake_minimum_required(VERSION 3.25)
# Runs one libFuzzer target for a fixed number of iterations from a fixed seed, in a fresh work
# corpus (so repeated test runs start from the same state), reading the shared seed corpus.
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(corpora "${WORK_DIR}")
foreach(dir "${SEED_DIR}" "${EXTRA_SEED_DIR}")
  if(dir AND EXISTS "${dir}")
    list(APPEND corpora "${dir}")
  endif()
endforeach()
execute_process(
  COMMAND "${FUZZER}" -seed=1 -runs=${RUNS} -max_len=4096 -timeout=10 -rss_limit_mb=2048
          -print_final_stats=1 ${corpora}
  WORKING_DIRECTORY "${WORK_DIR}"
  RESULT_VARIABLE result
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)
message("${output}")
if(NOT result EQUAL 0)
  message(FATAL_ERROR "fuzzer ${FUZZER} failed (exit ${result}); the crashing input is in ${WORK_DIR}")
endif()
