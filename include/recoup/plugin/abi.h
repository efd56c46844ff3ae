/* recoup plugin ABI: the one place where compatibility is forever.
 *
 * A plugin is a shared object exporting one function, RECOUP_PLUGIN_ENTRY ("recoup_plugin_entry"),
 * that returns a pointer to a static, constant recoup_plugin_descriptor. Only C types cross this
 * boundary: {ptr, len} strings, plain structs, integer codes. No exceptions, no allocator crosses.
 *
 * Prefixes say who implements what: recoup_type_ for types, recoup_plugin_ for what the plugin
 * implements, recoup_host_ for callbacks the host provides.
 *
 * Evolution (SQLite's rule): the descriptor only grows at the end. A plugin sets struct_size to
 * sizeof its descriptor; the host reads only the fields that struct_size covers, so a newer host
 * loads older plugins. An incompatible change bumps RECOUP_ABI_VERSION_MAJOR and the host refuses
 * plugins of another major.
 *
 * Rich values (the normalized webhook, requests to perform, record-back inputs) cross as UTF-8
 * JSON documents whose shape is documented in docs/plugin-abi.md.
 */
#ifndef RECOUP_PLUGIN_ABI_H
#define RECOUP_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RECOUP_ABI_VERSION_MAJOR 1
#define RECOUP_ABI_VERSION_MINOR 1

#define RECOUP_PLUGIN_ENTRY recoup_plugin_entry
#define RECOUP_PLUGIN_ENTRY_NAME "recoup_plugin_entry"

#if defined(_WIN32)
#define RECOUP_PLUGIN_VISIBLE __declspec(dllexport)
#else
#define RECOUP_PLUGIN_VISIBLE __attribute__((visibility("default")))
#endif

/* Plugin kinds. */
#define RECOUP_PLUGIN_KIND_BILLING_CONNECTOR 1u
#define RECOUP_PLUGIN_KIND_PAYMENT_PROCESSOR 2u

/* Capability bits of a billing connector. */
#define RECOUP_CAP_SYNC 0x1u        /* may ask the host to perform sync requests */
#define RECOUP_CAP_RECORD_BACK 0x2u /* implements record_back */

/* Return codes: 0 is success, anything else is a recoup error code (see recoup/error.hpp), e.g.
 * 103 signature_mismatch, 201 missing_field. */
#define RECOUP_OK 0

/* OWNERSHIP: borrowed; valid only during the call that receives it. Not NUL-terminated. */
typedef struct recoup_type_str {
    const char* ptr;
    size_t len;
} recoup_type_str;

/* OWNERSHIP: borrowed, as recoup_type_str. */
typedef struct recoup_type_header {
    recoup_type_str name;
    recoup_type_str value;
} recoup_type_header;

/* The incoming webhook. The body is the exact bytes received.
 * OWNERSHIP: host-owned, valid only during the call. */
typedef struct recoup_type_request {
    recoup_type_str method;
    recoup_type_str path;
    recoup_type_str query;
    const recoup_type_header* headers;
    size_t header_count;
    recoup_type_str body;
} recoup_type_request;

/* The merchant connector account as the plugin may see it. settings_json is a JSON object
 * (possibly "{}"), the stored text as is (any spacing, any key order). OWNERSHIP: host-owned, valid only during the call. */
typedef struct recoup_type_account {
    const recoup_type_str* secrets;
    size_t secret_count;
    recoup_type_str api_key;
    recoup_type_str settings_json;
} recoup_type_account;

/* A sync request the plugin asked for, with the response the host got.
 * OWNERSHIP: host-owned, valid only during the call. */
typedef struct recoup_type_exchange {
    recoup_type_str method;
    recoup_type_str path;
    int32_t status;
    uint32_t reserved; /* zero */
    const recoup_type_header* response_headers;
    size_t response_header_count;
    recoup_type_str response_body;
} recoup_type_exchange;

/* Where a plugin writes its output: call append as often as needed; a non-zero return means the
 * host could not take more (stop and return an error). OWNERSHIP: host-owned. */
typedef struct recoup_host_buffer {
    void* host_data;
    int32_t (*append)(void* host_data, const char* data, size_t len);
} recoup_host_buffer;

/* Filled by the plugin when a call fails. NUL-terminated, truncated to fit.
 * OWNERSHIP: host-owned; the plugin only writes into it. */
typedef struct recoup_type_error {
    int32_t code;
    char field[256];    /* JSON path or header name, may be empty */
    char message[1020]; /* detail for a person, may be empty */
} recoup_type_error;

/* Verifies that the webhook comes from the platform. Returns RECOUP_OK or an error code. */
typedef int32_t (*recoup_plugin_verify_source_fn)(const recoup_type_request* request,
                                                  const recoup_type_account* account,
                                                  int64_t now_unix_ms, recoup_type_error* error);

/* Parses and normalizes the webhook, given the sync exchanges performed so far (may be none).
 * Writes one JSON "normalized webhook" document to out. Returns RECOUP_OK or an error code. */
typedef int32_t (*recoup_plugin_parse_webhook_fn)(const recoup_type_request* request,
                                                  const recoup_type_account* account,
                                                  const recoup_type_exchange* exchanges,
                                                  size_t exchange_count, recoup_host_buffer* out,
                                                  recoup_type_error* error);

/* Builds the request that reports a recovery outcome (JSON "record_back_request") to the
 * platform. Writes one JSON "outbound request" document to out. */
typedef int32_t (*recoup_plugin_record_back_fn)(recoup_type_str outcome_json,
                                                const recoup_type_account* account,
                                                recoup_host_buffer* out, recoup_type_error* error);

/* Payment processors (kind 2, ABI 1.1). A processor charges a stored payment method off-session:
 * it builds the request (the host performs it) and parses the answer, or, for processors that need
 * no network (the simulator), answers at once. Inputs and outputs are JSON documents described in
 * docs/plugin-abi.md: a "charge request" in, a "charge step" out ({"request":{...}} to perform, or
 * {"result":{...}} when already decided), a "charge result" from parsing. */
typedef int32_t (*recoup_plugin_build_charge_fn)(recoup_type_str charge_json,
                                                 const recoup_type_account* account,
                                                 recoup_host_buffer* out, recoup_type_error* error);
typedef int32_t (*recoup_plugin_parse_charge_fn)(recoup_type_str charge_json,
                                                 const recoup_type_exchange* response,
                                                 recoup_host_buffer* out, recoup_type_error* error);
/* Status sync of a pending charge: same shapes, with a "status request"
 * ({"processor_transaction_id":..., "charge": {...}}) as input. */
typedef int32_t (*recoup_plugin_build_status_fn)(recoup_type_str status_json,
                                                 const recoup_type_account* account,
                                                 recoup_host_buffer* out, recoup_type_error* error);
typedef int32_t (*recoup_plugin_parse_status_fn)(recoup_type_str status_json,
                                                 const recoup_type_exchange* response,
                                                 recoup_host_buffer* out, recoup_type_error* error);

/* The block a plugin's entry function returns. OWNERSHIP: plugin-owned, static, immutable; the
 * host copies what it needs and never frees it. */
typedef struct recoup_plugin_descriptor {
    uint32_t struct_size; /* sizeof(recoup_plugin_descriptor) as the plugin was built */
    uint16_t abi_major;   /* RECOUP_ABI_VERSION_MAJOR */
    uint16_t abi_minor;   /* RECOUP_ABI_VERSION_MINOR */
    const char* name;     /* connector name, e.g. "chargebee"; NUL-terminated */
    const char* version;  /* plugin version, e.g. "1.0.0"; NUL-terminated */
    uint32_t kind;        /* RECOUP_PLUGIN_KIND_* */
    uint32_t capabilities; /* RECOUP_CAP_* bits */
    /* --- billing connector (kind 1); NULL in other kinds --- */
    recoup_plugin_verify_source_fn verify_source;
    recoup_plugin_parse_webhook_fn parse_webhook;
    recoup_plugin_record_back_fn record_back; /* NULL without RECOUP_CAP_RECORD_BACK */
    /* --- ABI 1.1: payment processor (kind 2); NULL in other kinds --- */
    recoup_plugin_build_charge_fn build_charge;
    recoup_plugin_parse_charge_fn parse_charge;
    recoup_plugin_build_status_fn build_status;
    recoup_plugin_parse_status_fn parse_status;
    /* --- new fields go here, at the end --- */
} recoup_plugin_descriptor;

typedef const recoup_plugin_descriptor* (*recoup_plugin_entry_fn)(void);

/* The checked prefix has no padding: the same offsets from every compiler. */
#if defined(__cplusplus)
static_assert(offsetof(recoup_plugin_descriptor, name) == 8, "abi: name offset");
static_assert(offsetof(recoup_plugin_descriptor, kind) == 24, "abi: kind offset");
static_assert(offsetof(recoup_plugin_descriptor, verify_source) == 32, "abi: fn offset");
static_assert(sizeof(recoup_type_error) == 1280, "abi: error size");
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(offsetof(recoup_plugin_descriptor, name) == 8, "abi: name offset");
_Static_assert(offsetof(recoup_plugin_descriptor, kind) == 24, "abi: kind offset");
_Static_assert(offsetof(recoup_plugin_descriptor, verify_source) == 32, "abi: fn offset");
_Static_assert(sizeof(recoup_type_error) == 1280, "abi: error size");
#endif

/* Every plugin defines this (the export macro in recoup/plugin/export.hpp does it for C++). */
RECOUP_PLUGIN_VISIBLE const recoup_plugin_descriptor* RECOUP_PLUGIN_ENTRY(void);

#ifdef __cplusplus
}
#endif

#endif /* RECOUP_PLUGIN_ABI_H */
