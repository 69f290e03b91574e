/* Plug-ins that misbehave, in plain C (fp8check/plugin.h is a C header), one per
 * FAULTY_VARIANT, for tests/plugin_test.cpp and tests/cli/plugin_cli_test.sh:
 *   1 "faulty": can run every GEMM, then fails with a message; can_implement_quantize
 *     returns a status the ABI does not define
 *   2 no entry symbol
 *   3 a name that cannot be a backend name
 *   4 the name of a built-in backend
 *   5 run_gemm without can_implement_gemm
 *   6 "unavailable": why_unavailable declines (as a GPU plug-in without a GPU) */
#include <fp8check/plugin.h>
#include <stdio.h>

static int say(char* message, size_t size, int status, const char* text) {
  snprintf(message, size, "%s", text);
  return status;
}

#if FAULTY_VARIANT != 5
static int can_gemm(const fp8check_gemm_args* args, char* message, size_t size) {
  (void)args, (void)message, (void)size;
  return FP8CHECK_PLUGIN_OK;
}
#endif

static int fail_gemm(const fp8check_gemm_args* args, fp8check_gemm_output* out, char* message, size_t size) {
  (void)args, (void)out;
  return say(message, size, FP8CHECK_PLUGIN_ERROR, "simulated device failure: illegal memory access\nsecond line");
}

static int odd_quantize(const fp8check_quantize_args* args, char* message, size_t size) {
  (void)args;
  return say(message, size, 7, "status 7 is not in the ABI");
}

static int never_quantize(const fp8check_quantize_args* args, fp8check_quantize_output* out, char* message,
                          size_t size) {
  (void)args, (void)out;
  return say(message, size, FP8CHECK_PLUGIN_ERROR, "unreachable");
}

#if FAULTY_VARIANT == 6
static int no_gpu(char* message, size_t size) { return say(message, size, FP8CHECK_PLUGIN_DECLINED, "no GPU here"); }
#endif

#if FAULTY_VARIANT == 3
#define FAULTY_NAME "bad name"
#elif FAULTY_VARIANT == 4
#define FAULTY_NAME "emulated"
#elif FAULTY_VARIANT == 6
#define FAULTY_NAME "unavailable"
#else
#define FAULTY_NAME "faulty"
#endif

static const fp8check_plugin kPlugin = {
    FP8CHECK_PLUGIN_ABI_VERSION,
    FAULTY_NAME,
    1,
    0,
#if FAULTY_VARIANT == 6
    no_gpu,
#else
    NULL,
#endif
#if FAULTY_VARIANT == 5
    NULL,
#else
    can_gemm,
#endif
    fail_gemm,
    NULL,
    NULL,
    odd_quantize,
    never_quantize,
};

#if FAULTY_VARIANT == 2
FP8CHECK_PLUGIN_EXPORT const fp8check_plugin* not_the_entry(void) { return &kPlugin; }
#else
FP8CHECK_PLUGIN_EXPORT const fp8check_plugin* fp8check_plugin_entry(void) { return &kPlugin; }
#endif
