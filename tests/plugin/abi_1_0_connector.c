/* A billing connector built against ABI 1.0, before the processor fields of 1.1 existed: its
 * descriptor ends after record_back and says so in struct_size. A newer host must load it and
 * read nothing past that size. */
#include <recoup/plugin/abi.h>

#include <string.h>

typedef struct descriptor_1_0 {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    const char* name;
    const char* version;
    uint32_t kind;
    uint32_t capabilities;
    recoup_plugin_verify_source_fn verify_source;
    recoup_plugin_parse_webhook_fn parse_webhook;
    recoup_plugin_record_back_fn record_back;
} descriptor_1_0;

/* Accepts a request whose body is exactly "ok"; anything else is signature_mismatch (103). */
static int32_t verify(const recoup_type_request* request, const recoup_type_account* account,
                      int64_t now_unix_ms, recoup_type_error* error)
{
    (void)account;
    (void)now_unix_ms;
    if (request->body.len == 2 && memcmp(request->body.ptr, "ok", 2) == 0) return RECOUP_OK;
    error->code = 103;
    strcpy(error->field, "body");
    strcpy(error->message, "not ok");
    return 103;
}

static int32_t parse(const recoup_type_request* request, const recoup_type_account* account,
                     const recoup_type_exchange* exchanges, size_t exchange_count, recoup_host_buffer* out,
                     recoup_type_error* error)
{
    static const char text[] = "{\"event_type\":\"EventNotSupported\",\"event_id\":\"old_1\"}";
    (void)request;
    (void)account;
    (void)exchanges;
    (void)exchange_count;
    (void)error;
    if (out->append(out->host_data, text, sizeof text - 1) != 0) return 505;
    return RECOUP_OK;
}

static const descriptor_1_0 descriptor = {
    sizeof(descriptor_1_0), 1, 0, "abi_1_0", "1.0.0", RECOUP_PLUGIN_KIND_BILLING_CONNECTOR, 0u, verify, parse, NULL,
};

const recoup_plugin_descriptor* recoup_plugin_entry(void)
{
    return (const recoup_plugin_descriptor*)(const void*)&descriptor;
}
