// recoup: turn a C++ class that satisfies recoup::billing_connector (or recoup::payment_processor)
// into a plugin. One line, the plugin's name being the class's own `static constexpr
// std::string_view name`:
//
//     RECOUP_EXPORT_CONNECTOR(my::connector, "1.0.0")
//     RECOUP_EXPORT_PROCESSOR(my::processor, "1.0.0")
//
// defines the C entry point of recoup/plugin/abi.h with noexcept trampolines: every exception is
// caught and becomes an error code plus message; nothing C++ crosses the boundary.
#pragma once

#include <recoup/connector.hpp>
#include <recoup/detail/config.hpp>
#include <recoup/json.hpp>
#include <recoup/plugin/abi.h>
#include <recoup/processor.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <concepts>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

RECOUP_BEGIN_NAMESPACE

namespace plugin {

// The class names its plugin: `static constexpr std::string_view name = "acme";`.
template <class C>
concept named_plugin = requires {
    { C::name } -> std::convertible_to<std::string_view>;
};

} // namespace plugin

namespace plugin::detail {

inline std::string_view view(recoup_type_str s) noexcept
{
    return s.len == 0 ? std::string_view() : std::string_view(s.ptr, s.len);
}

inline void copy_truncated(char* dst, std::size_t cap, std::string_view src) noexcept
{
    const auto n = std::min(src.size(), cap - 1);
    std::memcpy(dst, src.data(), n);
    dst[n] = '\0';
}

inline int32_t report(recoup_type_error* out, const failure& f) noexcept
{
    if (out != nullptr) {
        out->code = static_cast<int32_t>(f.code);
        copy_truncated(out->field, sizeof out->field, f.field);
        copy_truncated(out->message, sizeof out->message, f.detail);
    }
    return static_cast<int32_t>(f.code);
}

// The C request as the connector's view; owns the header array only.
struct request_adapter {
    std::vector<header_view> headers;
    webhook_request request;

    explicit request_adapter(const recoup_type_request& r)
    {
        headers.reserve(r.header_count);
        for (std::size_t i = 0; i < r.header_count; ++i)
            headers.push_back({view(r.headers[i].name), view(r.headers[i].value)});
        request = {view(r.method), view(r.path), view(r.query), headers, view(r.body)};
    }
};

// The C account as an mca_config; settings arrive as JSON text.
struct account_adapter {
    std::vector<std::string> secrets;
    boost::json::object settings;
    mca_config config;

    explicit account_adapter(const recoup_type_account* a)
    {
        if (a != nullptr) {
            for (std::size_t i = 0; i < a->secret_count; ++i) secrets.emplace_back(view(a->secrets[i]));
            if (a->settings_json.len > 0) {
                auto v = boost::json::parse(view(a->settings_json));
                if (!v.is_object()) throw exception(fail(error::invalid_field, "settings", "expected object"));
                settings = std::move(v.get_object());
            }
            config.api_key = view(a->api_key);
        }
        config.secrets = secrets;
        config.settings = &settings;
    }
};

inline std::vector<http_header> headers_from(const recoup_type_header* h, std::size_t n)
{
    std::vector<http_header> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) out.push_back({std::string(view(h[i].name)), std::string(view(h[i].value))});
    return out;
}

inline std::vector<sync_exchange> exchanges_from(const recoup_type_exchange* e, std::size_t n)
{
    std::vector<sync_exchange> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        sync_exchange x;
        x.request.method = view(e[i].method);
        x.request.path = view(e[i].path);
        x.response.status = e[i].status;
        x.response.headers = headers_from(e[i].response_headers, e[i].response_header_count);
        x.response.body = view(e[i].response_body);
        out.push_back(std::move(x));
    }
    return out;
}

// The value's JSON text, handed to the host in chunks as the serializer writes them (no copy of
// the whole text on this side).
inline int32_t write(recoup_host_buffer* out, const boost::json::value& v)
{
    const auto refused = [] { return exception(fail(error::plugin_invalid_output, "", "host buffer refused the output")); };
    if (out == nullptr || out->append == nullptr) throw refused();
    boost::json::serializer sr;
    sr.reset(&v);
    char chunk[4096];
    while (!sr.done()) {
        const auto text = sr.read(chunk, sizeof chunk);
        if (out->append(out->host_data, text.data(), text.size()) != 0) throw refused();
    }
    return RECOUP_OK;
}

// The result as JSON to the host. Its value lives only for this call, so its nodes come from one
// arena on the stack (growing onto the heap only for a large result) instead of one allocation each.
template <class T>
int32_t write_result(recoup_host_buffer* out, const T& r)
{
    unsigned char first_block[wire::arena_first_block_bytes];
    boost::json::monotonic_resource arena(first_block, sizeof first_block);
    return write(out, boost::json::value_from(r, &arena));
}

// Runs `body`, turning every exception into an error code: nothing may unwind into C.
template <class F>
int32_t guarded(recoup_type_error* err, F&& body) noexcept
{
    try {
        return body();
    } catch (const exception& e) {
        return report(err, e.get());
    } catch (const std::exception& e) {
        return report(err, fail(error::plugin_exception, "", e.what()));
    } catch (...) {
        return report(err, fail(error::plugin_exception, "", "unknown exception"));
    }
}

// The class's `name`, NUL-terminated for the descriptor whatever view the class declares.
template <class C>
const char* plugin_name()
{
    static const std::string name(C::name);
    return name.c_str();
}

template <class C>
const C& instance()
{
    static const C connector{};
    return connector;
}

template <class C>
int32_t verify_source(const recoup_type_request* req, const recoup_type_account* acc, int64_t now_ms,
                      recoup_type_error* err) noexcept
{
    return guarded(err, [&]() -> int32_t {
        request_adapter request(*req);
        account_adapter account(acc);
        const auto now = time_point(std::chrono::milliseconds(now_ms));
        auto r = instance<C>().verify_source(request.request, account.config, now);
        return r ? RECOUP_OK : report(err, r.error());
    });
}

template <class C>
int32_t parse_webhook(const recoup_type_request* req, const recoup_type_account* acc,
                      const recoup_type_exchange* exchanges, size_t exchange_count,
                      recoup_host_buffer* out, recoup_type_error* err) noexcept
{
    return guarded(err, [&]() -> int32_t {
        request_adapter request(*req);
        account_adapter account(acc);
        const auto sync = exchanges_from(exchanges, exchange_count);
        auto r = normalize(instance<C>(), request.request, account.config, sync);
        return r ? write_result(out, *r) : report(err, r.error());
    });
}

template <class C>
int32_t record_back(recoup_type_str outcome_json, const recoup_type_account* acc,
                    recoup_host_buffer* out, recoup_type_error* err) noexcept
{
    return guarded(err, [&]() -> int32_t {
        account_adapter account(acc);
        auto input = wire::parse_as<record_back_request>(view(outcome_json));
        if (!input) return report(err, input.error());
        auto r = instance<C>().record_back(*input, account.config);
        return r ? write_result(out, *r) : report(err, r.error());
    });
}

template <class C>
const recoup_plugin_descriptor* connector_descriptor(const char* version) noexcept
{
    static const recoup_plugin_descriptor descriptor = [&] {
        recoup_plugin_descriptor d{};
        d.struct_size = sizeof(recoup_plugin_descriptor);
        d.abi_major = RECOUP_ABI_VERSION_MAJOR;
        d.abi_minor = RECOUP_ABI_VERSION_MINOR;
        d.name = plugin_name<C>();
        d.version = version;
        d.kind = RECOUP_PLUGIN_KIND_BILLING_CONNECTOR;
        d.capabilities = (has_sync_requests<C> ? RECOUP_CAP_SYNC : 0u) |
                         (has_record_back<C> ? RECOUP_CAP_RECORD_BACK : 0u);
        d.verify_source = &verify_source<C>;
        d.parse_webhook = &parse_webhook<C>;
        if constexpr (has_record_back<C>) d.record_back = &record_back<C>;
        return d;
    }();
    return &descriptor;
}

inline http_response response_from(const recoup_type_exchange* e)
{
    http_response r;
    if (e == nullptr) return r;
    r.status = e->status;
    r.headers = headers_from(e->response_headers, e->response_header_count);
    r.body = view(e->response_body);
    return r;
}

// build_charge / build_status: JSON input in, charge step out.
template <class P, class Input, auto Method>
int32_t build_step(recoup_type_str input_json, const recoup_type_account* acc, recoup_host_buffer* out,
                   recoup_type_error* err) noexcept
{
    return guarded(err, [&]() -> int32_t {
        account_adapter account(acc);
        auto input = wire::parse_as<Input>(view(input_json));
        if (!input) return report(err, input.error());
        auto r = (instance<P>().*Method)(*input, account.config);
        return r ? write_result(out, *r) : report(err, r.error());
    });
}

// parse_charge / parse_status: JSON input and the response in, charge result out.
template <class P, class Input, auto Method>
int32_t parse_step(recoup_type_str input_json, const recoup_type_exchange* response, recoup_host_buffer* out,
                   recoup_type_error* err) noexcept
{
    return guarded(err, [&]() -> int32_t {
        auto input = wire::parse_as<Input>(view(input_json));
        if (!input) return report(err, input.error());
        auto r = (instance<P>().*Method)(*input, response_from(response));
        return r ? write_result(out, *r) : report(err, r.error());
    });
}

template <class P>
const recoup_plugin_descriptor* processor_descriptor(const char* version) noexcept
{
    static const recoup_plugin_descriptor descriptor = [&] {
        recoup_plugin_descriptor d{};
        d.struct_size = sizeof(recoup_plugin_descriptor);
        d.abi_major = RECOUP_ABI_VERSION_MAJOR;
        d.abi_minor = RECOUP_ABI_VERSION_MINOR;
        d.name = plugin_name<P>();
        d.version = version;
        d.kind = RECOUP_PLUGIN_KIND_PAYMENT_PROCESSOR;
        d.build_charge = &build_step<P, charge_request, &P::build_charge>;
        d.parse_charge = &parse_step<P, charge_request, &P::parse_charge>;
        d.build_status = &build_step<P, status_request, &P::build_status>;
        d.parse_status = &parse_step<P, status_request, &P::parse_status>;
        return d;
    }();
    return &descriptor;
}

} // namespace plugin::detail

RECOUP_END_NAMESPACE

// Defines the plugin's entry point for a payment processor class.
#define RECOUP_EXPORT_PROCESSOR(Class, Version)                                                    \
    static_assert(::recoup::payment_processor<Class>,                                              \
                  #Class " must satisfy recoup::payment_processor (see recoup/processor.hpp)");     \
    static_assert(::recoup::plugin::named_plugin<Class>,                                           \
                  #Class " must declare static constexpr std::string_view name");                  \
    extern "C" RECOUP_PLUGIN_VISIBLE const recoup_plugin_descriptor* recoup_plugin_entry(void)     \
    {                                                                                              \
        return ::recoup::plugin::detail::processor_descriptor<Class>(Version);                     \
    }

// Defines the plugin's entry point for a billing connector class.
#define RECOUP_EXPORT_CONNECTOR(Class, Version)                                                    \
    static_assert(::recoup::billing_connector<Class>,                                              \
                  #Class " must satisfy recoup::billing_connector (see recoup/connector.hpp)");     \
    static_assert(::recoup::plugin::named_plugin<Class>,                                           \
                  #Class " must declare static constexpr std::string_view name");                  \
    extern "C" RECOUP_PLUGIN_VISIBLE const recoup_plugin_descriptor* recoup_plugin_entry(void)     \
    {                                                                                              \
        return ::recoup::plugin::detail::connector_descriptor<Class>(Version);                     \
    }
