/* Shared by the echo plugins: write `text` back as the output, except two words that flood.
 * "flood": 64 KiB of spaces per append, up to 512 appends (32 MiB), stopping at the first refusal
 * and returning its code, as a plugin should. "flood_ignore": the same 32 MiB, ignoring every
 * refusal, then a valid document and RECOUP_OK: without the host's cap the call would succeed. */
#ifndef RECOUP_TEST_ECHO_H
#define RECOUP_TEST_ECHO_H

#include <recoup/plugin/abi.h>

#include <string.h>

static int32_t echo_or_flood(recoup_type_str text, recoup_host_buffer* out)
{
    char spaces[65536]; /* on the stack: the plugin keeps no global state */
    const int flood = text.len == 5 && memcmp(text.ptr, "flood", 5) == 0;
    const int ignore = text.len == 12 && memcmp(text.ptr, "flood_ignore", 12) == 0;
    if (!flood && !ignore) return out->append(out->host_data, text.ptr, text.len);
    memset(spaces, ' ', sizeof spaces);
    for (int i = 0; i < 512; ++i) {
        const int32_t rc = out->append(out->host_data, spaces, sizeof spaces);
        if (rc != RECOUP_OK && !ignore) return rc;
    }
    static const char doc[] = "{\"event_type\":\"EventNotSupported\"}";
    (void)out->append(out->host_data, doc, sizeof doc - 1);
    return RECOUP_OK;
}

#endif
