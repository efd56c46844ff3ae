/* The right ABI major, but a descriptor that ends before the function pointers ABI 1.0 requires
 * (struct_size says so): the host must not read past it. */
#include <recoup/plugin/abi.h>

typedef struct truncated_descriptor {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    const char* name;
    const char* version;
} truncated_descriptor;

static const truncated_descriptor descriptor = {
    sizeof(truncated_descriptor), RECOUP_ABI_VERSION_MAJOR, RECOUP_ABI_VERSION_MINOR, "small", "0.0.1",
};

const recoup_plugin_descriptor* recoup_plugin_entry(void)
{
    return (const recoup_plugin_descriptor*)(const void*)&descriptor;
}
