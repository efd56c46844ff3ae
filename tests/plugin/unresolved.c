/* A plugin that needs a symbol nobody defines: with RTLD_NOW the load itself must fail, naming
 * the symbol, instead of crashing at the first call. */
#include <recoup/plugin/abi.h>

extern int recoup_test_symbol_nobody_defines(void);

static int32_t verify(const recoup_type_request* request, const recoup_type_account* account,
                      int64_t now_unix_ms, recoup_type_error* error)
{
    (void)request;
    (void)account;
    (void)now_unix_ms;
    (void)error;
    return recoup_test_symbol_nobody_defines();
}

static const recoup_plugin_descriptor descriptor = {
    .struct_size = sizeof(recoup_plugin_descriptor),
    .abi_major = RECOUP_ABI_VERSION_MAJOR,
    .abi_minor = RECOUP_ABI_VERSION_MINOR,
    .name = "unresolved",
    .version = "0.0.1",
    .kind = RECOUP_PLUGIN_KIND_BILLING_CONNECTOR,
    .verify_source = verify,
};

const recoup_plugin_descriptor* recoup_plugin_entry(void) { return &descriptor; }
