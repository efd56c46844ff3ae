/* A billing connector that trusts nobody's checks but the host's: parse_webhook writes the request
 * body back as its normalized webhook (out-of-range amounts, statuses, enums, whatever the test
 * sends), or floods the host buffer (echo.h). */
#include "echo.h"

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
    (void)account;
    (void)exchanges;
    (void)exchange_count;
    (void)error;
    return echo_or_flood(request->body, out);
}

static const recoup_plugin_descriptor descriptor = {
    .struct_size = sizeof(recoup_plugin_descriptor),
    .abi_major = RECOUP_ABI_VERSION_MAJOR,
    .abi_minor = RECOUP_ABI_VERSION_MINOR,
    .name = "echo_connector",
    .version = "0.0.1",
    .kind = RECOUP_PLUGIN_KIND_BILLING_CONNECTOR,
    .verify_source = verify,
    .parse_webhook = parse,
};

const recoup_plugin_descriptor* recoup_plugin_entry(void) { return &descriptor; }
