# Provides one target, s3c::arrow, carrying Arrow C++ (core, compute, dataset, filesystem with S3)
# and Parquet.
#
# 1. A system install: find_package(Arrow) and find_package(Parquet) in CONFIG mode.
# 2. Otherwise the pyarrow wheel in the project's virtualenv (pinned in requirements.txt): its
#    include/ and its lib*.so.NNNN files. The wheel ships no CMake config, so the imported targets
#    are written here; the wheel's libraries are built with the new C++ ABI, as g++ 12 defaults to.
#    Recent wheels carry S3 in a library of its own (libarrow_s3); it is linked when present.
#
# Inputs:  S3C_PYTHON (the virtualenv's python), S3C_ARROW_FROM (AUTO | SYSTEM | WHEEL).
# Outputs: s3c::arrow, S3C_ARROW_VERSION, S3C_ARROW_LIBDIR (for the rpath; empty for system).

set(S3C_ARROW_FROM "AUTO" CACHE STRING "Where Arrow C++ comes from: AUTO, SYSTEM or WHEEL")
add_library(s3c_arrow INTERFACE)
add_library(s3c::arrow ALIAS s3c_arrow)
set(S3C_ARROW_LIBDIR "")

if(NOT S3C_ARROW_FROM STREQUAL "WHEEL")
  find_package(Arrow CONFIG QUIET)
  find_package(Parquet CONFIG QUIET)
  find_package(ArrowDataset CONFIG QUIET)
  find_package(ArrowCompute CONFIG QUIET)
endif()

if(Arrow_FOUND AND Parquet_FOUND)
  message(STATUS "Arrow ${Arrow_VERSION}: system install")
  set(S3C_ARROW_VERSION ${Arrow_VERSION})
  target_link_libraries(s3c_arrow INTERFACE Arrow::arrow_shared Parquet::parquet_shared)
  if(TARGET ArrowDataset::arrow_dataset_shared)
    target_link_libraries(s3c_arrow INTERFACE ArrowDataset::arrow_dataset_shared)
  endif()
  if(TARGET ArrowCompute::arrow_compute_shared)
    target_link_libraries(s3c_arrow INTERFACE ArrowCompute::arrow_compute_shared)
  endif()
  return()
endif()

if(S3C_ARROW_FROM STREQUAL "SYSTEM")
  message(FATAL_ERROR "S3C_ARROW_FROM=SYSTEM but find_package(Arrow/Parquet) failed")
endif()
if(NOT S3C_PYTHON)
  message(FATAL_ERROR "No system Arrow C++ and no S3C_PYTHON to find the pyarrow wheel. "
                      "Run scripts/setup.sh, then configure with -DS3C_PYTHON=.venv/bin/python")
endif()

execute_process(
  COMMAND "${S3C_PYTHON}" -c
    "import pyarrow, os; print(pyarrow.__version__); print(os.path.dirname(pyarrow.__file__)); print(pyarrow.get_include())"
  OUTPUT_VARIABLE _pa_out RESULT_VARIABLE _pa_rc ERROR_VARIABLE _pa_err
  OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _pa_rc EQUAL 0)
  message(FATAL_ERROR "pyarrow not importable with ${S3C_PYTHON}: ${_pa_err}")
endif()
string(REPLACE "\n" ";" _pa_lines "${_pa_out}")
list(GET _pa_lines 0 S3C_ARROW_VERSION)
list(GET _pa_lines 1 S3C_ARROW_LIBDIR)
list(GET _pa_lines 2 _pa_include)
message(STATUS "Arrow ${S3C_ARROW_VERSION}: pyarrow wheel at ${S3C_ARROW_LIBDIR}")

# lib<name>.so.NNNN (the SONAME the wheel's libraries link each other by).
function(_s3c_wheel_library name required)
  file(GLOB _candidates "${S3C_ARROW_LIBDIR}/lib${name}.so.[0-9]*")
  list(FILTER _candidates INCLUDE REGEX "/lib${name}\\.so\\.[0-9]+$")
  if(NOT _candidates)
    if(required)
      message(FATAL_ERROR "pyarrow wheel has no lib${name}.so.NNNN in ${S3C_ARROW_LIBDIR}")
    endif()
    return()
  endif()
  list(GET _candidates 0 _lib)
  add_library(s3c_wheel_${name} SHARED IMPORTED GLOBAL)
  set_target_properties(s3c_wheel_${name} PROPERTIES
    IMPORTED_LOCATION "${_lib}"
    INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${_pa_include}"
    INTERFACE_INCLUDE_DIRECTORIES "${_pa_include}")
  target_link_libraries(s3c_arrow INTERFACE s3c_wheel_${name})
endfunction()

_s3c_wheel_library(arrow TRUE)
_s3c_wheel_library(parquet TRUE)
_s3c_wheel_library(arrow_compute FALSE)   # split out of libarrow in Arrow 21
_s3c_wheel_library(arrow_acero FALSE)
_s3c_wheel_library(arrow_dataset FALSE)
_s3c_wheel_library(arrow_s3 FALSE)        # split out of libarrow in recent wheels
