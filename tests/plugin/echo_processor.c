/* A payment processor whose parse_charge and parse_status write the response body back as their
 * charge result (any status, decline or shape the test sends), or flood the host buffer (echo.h).
 * build_charge and build_status ask for one request. */
#include "echo.h"

static int32_t build(recoup_type_str input, const recoup_type_account* account, recoup_host_buffer* out,
                     recoup_type_error* error)
{
    static const char step[] = "{\"request\":{\"method\":\"POST\",\"path\":\"/charges\",\"headers\":[],\"body\":\"\"}}";
    (void)input;
    (void)account;
    (void)error;
    return out->append(out->host_data, step, sizeof step - 1);
}

static int32_t parse(recoup_type_str input, const recoup_type_exchange* response, recoup_host_buffer* out,
                     recoup_type_error* error)
{
    (void)input;
    (void)error;
    return echo_or_flood(response->response_body, out);
}

static const recoup_plugin_descriptor descriptor = {
    .struct_size = sizeof(recoup_plugin_descriptor),
    .abi_major = RECOUP_ABI_VERSION_MAJOR,
    .abi_minor = RECOUP_ABI_VERSION_MINOR,
    .name = "echo_processor",
    .version = "0.0.1",
    .kind = RECOUP_PLUGIN_KIND_PAYMENT_PROCESSOR,
    .build_charge = build,
    .parse_charge = parse,
    .build_status = build,
    .parse_status = parse,
};

const recoup_plugin_descriptor* recoup_plugin_entry(void) { return &descriptor; }
