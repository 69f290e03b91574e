// A plug-in description, in-process, whose functions rebuild fp8check's C++ arguments from
// the plain-C mirrors they receive and run the emulated backend on them ("echo"). Run on
// the same case as the emulated backend, it must give the same bits: the mirrors lose
// nothing a kernel needs (tests/plugin_test.cpp).
#pragma once

#include "fp8check/plugin.h"

namespace fp8check::test {

const fp8check_plugin* echo_plugin();

}  // namespace fp8check::test
