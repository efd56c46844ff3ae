/* A payment-processor plugin: a valid descriptor, but not the billing connector the host asks
 * for when it loads a connector. */
#include <recoup/plugin/abi.h>

/* Designated initializers: fields a later ABI adds stay zero. */
static const recoup_plugin_descriptor descriptor = {
    .struct_size = sizeof(recoup_plugin_descriptor),
    .abi_major = RECOUP_ABI_VERSION_MAJOR,
    .abi_minor = RECOUP_ABI_VERSION_MINOR,
    .name = "test_processor",
    .version = "0.0.1",
    .kind = RECOUP_PLUGIN_KIND_PAYMENT_PROCESSOR,
};

const recoup_plugin_descriptor* recoup_plugin_entry(void) { return &descriptor; }
