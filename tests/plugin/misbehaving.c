/* A C connector that breaks the contract in the ways a host must survive at call time: an error
 * code recoup does not define, and output that is not JSON. (A capability without its function
 * is refused at load: null_function.c.) */
#include <recoup/plugin/abi.h>

#include <string.h>

static int32_t verify(const recoup_type_request* request, const recoup_type_account* account,
                      int64_t now_unix_ms, recoup_type_error* error)
{
    (void)request;
    (void)account;
    (void)now_unix_ms;
    error->code = 12345;
    strcpy(error->message, "made up");
    return 12345;
}

static int32_t parse(const recoup_type_request* request, const recoup_type_account* account,
                     const recoup_type_exchange* exchanges, size_t exchange_count, recoup_host_buffer* out,
                     recoup_type_error* error)
{
    static const char text[] = "this is not json";
    (void)request;
    (void)account;
    (void)exchanges;
    (void)exchange_count;
    (void)error;
    if (out->append(out->host_data, text, sizeof text - 1) != 0) return 505;
    return RECOUP_OK;
}

static const recoup_plugin_descriptor descriptor = {
    .struct_size = sizeof(recoup_plugin_descriptor),
    .abi_major = RECOUP_ABI_VERSION_MAJOR,
    .abi_minor = RECOUP_ABI_VERSION_MINOR,
    .name = "misbehaving",
    .version = "0.0.1",
    .kind = RECOUP_PLUGIN_KIND_BILLING_CONNECTOR,
    .capabilities = 0u,
    .verify_source = verify,
    .parse_webhook = parse,
};

const recoup_plugin_descriptor* recoup_plugin_entry(void) { return &descriptor; }
