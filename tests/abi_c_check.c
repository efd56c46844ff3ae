/* abi.h must compile as C11 (third parties write plugins in C). */
#include <recoup/plugin/abi.h>

const recoup_plugin_descriptor* recoup_abi_c_check(void);
const recoup_plugin_descriptor* recoup_abi_c_check(void) { return 0; }
