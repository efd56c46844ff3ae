/* A descriptor that declares a function it does not set. NULL_FUNCTION_CASE (set by meson.build):
 * 1: a billing connector with RECOUP_CAP_RECORD_BACK and no record_back;
 * 2: a billing connector without parse_webhook;
 * 3: a payment processor without parse_status.
 * The host must refuse it at load, never call through the NULL later. */
#include <recoup/plugin/abi.h>

static int32_t verify(const recoup_type_request* request, const recoup_type_account* account,
                      int64_t now_unix_ms, recoup_type_error* error)
{
    (void)request;
    (void)account;
    (void)now_unix_ms;
    (void)error;
    return RECOUP_OK;
}

static int32_t parse(const recoup_type_request* request, const recoup_type_account* account,
                     const recoup_type_exchange* exchanges, size_t exchange_count, recoup_host_buffer* out,
                     recoup_type_error* error)
{
    (void)request;
    (void)account;
    (void)exchanges;
    (void)exchange_count;
    (void)out;
    (void)error;
    return RECOUP_OK;
}

static int32_t build(recoup_type_str input, const recoup_type_account* account, recoup_host_buffer* out,
                     recoup_type_error* error)
{
    (void)input;
    (void)account;
    (void)out;
    (void)error;
    return RECOUP_OK;
}

static int32_t parse_answer(recoup_type_str input, const recoup_type_exchange* response, recoup_host_buffer* out,
                            recoup_type_error* error)
{
    (void)input;
    (void)response;
    (void)out;
    (void)error;
    return RECOUP_OK;
}

#if NULL_FUNCTION_CASE == 1
static const recoup_plugin_descriptor descriptor = {
    .struct_size = sizeof(recoup_plugin_descriptor),
    .abi_major = RECOUP_ABI_VERSION_MAJOR,
    .abi_minor = RECOUP_ABI_VERSION_MINOR,
    .name = "null_record_back",
    .version = "0.0.1",
    .kind = RECOUP_PLUGIN_KIND_BILLING_CONNECTOR,
    .capabilities = RECOUP_CAP_RECORD_BACK, /* claimed, but record_back stays NULL */
    .verify_source = verify,
    .parse_webhook = parse,
};
#elif NULL_FUNCTION_CASE == 2
static const recoup_plugin_descriptor descriptor = {
    .struct_size = sizeof(recoup_plugin_descriptor),
    .abi_major = RECOUP_ABI_VERSION_MAJOR,
    .abi_minor = RECOUP_ABI_VERSION_MINOR,
    .name = "null_parse_webhook",
    .version = "0.0.1",
    .kind = RECOUP_PLUGIN_KIND_BILLING_CONNECTOR,
    .verify_source = verify,
};
#else
static const recoup_plugin_descriptor descriptor = {
    .struct_size = sizeof(recoup_plugin_descriptor),
    .abi_major = RECOUP_ABI_VERSION_MAJOR,
    .abi_minor = RECOUP_ABI_VERSION_MINOR,
    .name = "null_parse_status",
    .version = "0.0.1",
    .kind = RECOUP_PLUGIN_KIND_PAYMENT_PROCESSOR,
    .build_charge = build,
    .parse_charge = parse_answer,
    .build_status = build,
};
#endif

const recoup_plugin_descriptor* recoup_plugin_entry(void)
{
    (void)verify;
    (void)parse;
    (void)build;
    (void)parse_answer;
    return &descriptor;
}
