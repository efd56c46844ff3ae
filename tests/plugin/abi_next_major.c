/* A plugin from the future: it declares the next ABI major. Its descriptor keeps the leading
 * struct_size and version fields (the part every major must keep) but is otherwise a different
 * layout, so the host must refuse it before reading anything else. */
#include <recoup/plugin/abi.h>

typedef struct next_major_descriptor {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    uint64_t something_new;
    const char* name;
} next_major_descriptor;

static const next_major_descriptor descriptor = {
    sizeof(next_major_descriptor), RECOUP_ABI_VERSION_MAJOR + 1, 0, 42u, "next_major",
};

const recoup_plugin_descriptor* recoup_plugin_entry(void)
{
    return (const recoup_plugin_descriptor*)(const void*)&descriptor;
}
