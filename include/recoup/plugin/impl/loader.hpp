#pragma once

#include <dlfcn.h>

#include <cstddef>
#include <cstring>

RECOUP_BEGIN_NAMESPACE

namespace plugin {

namespace detail {

// The descriptor as ABI 1.0 defined it: a plugin must cover at least this much.
inline constexpr std::size_t min_descriptor_size =
    offsetof(recoup_plugin_descriptor, record_back) + sizeof(recoup_plugin_record_back_fn);

inline failure load_failure(error code, const std::filesystem::path& path, std::string text)
{
    return fail(code, path.string(), std::move(text));
}

// Boost.DLL clears dlerror(); ask the dynamic linker again for the reason it refused the file.
inline std::string dlopen_reason(const std::filesystem::path& path)
{
    void* h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (h != nullptr) {
        ::dlclose(h);
        return "unknown reason";
    }
    const char* reason = ::dlerror();
    return reason ? reason : "unknown reason";
}

// A processor needs the ABI 1.1 fields.
inline constexpr std::size_t min_processor_descriptor_size =
    offsetof(recoup_plugin_descriptor, parse_status) + sizeof(recoup_plugin_parse_status_fn);

inline std::string version_text(unsigned major, unsigned minor)
{
    return std::to_string(major) + "." + std::to_string(minor);
}

inline recoup_type_str str(std::string_view s) noexcept { return {s.data(), s.size()}; }

struct c_request {
    std::vector<recoup_type_header> headers;
    recoup_type_request request{};

    explicit c_request(const webhook_request& r)
    {
        headers.reserve(r.headers.size());
        for (const auto& h : r.headers) headers.push_back({str(h.name), str(h.value)});
        request = {str(r.method), str(r.path), str(r.query), headers.data(), headers.size(), str(r.body)};
    }
};

struct c_account {
    std::vector<recoup_type_str> secrets;
    std::string settings_json;
    recoup_type_account account{};

    explicit c_account(const mca_config& m)
        : settings_json(m.settings ? boost::json::serialize(*m.settings) : std::string("{}"))
    {
        for (const auto& s : m.secrets) secrets.push_back(str(s));
        account = {secrets.data(), secrets.size(), str(m.api_key), str(settings_json)};
    }
};

inline int32_t append_to_string(void* data, const char* bytes, size_t len)
{
    static_cast<std::string*>(data)->append(bytes, len);
    return 0;
}

// A plugin's error code and text as a failure; an undeclared code is the plugin's fault.
inline failure from_plugin(int32_t code, const recoup_type_error& e, const plugin_info& info)
{
    error known{};
    if (!from_string(to_string(static_cast<error>(code)), known))
        return fail(error::plugin_exception, "",
                    "plugin \"" + info.name + "\" returned unknown error code " + std::to_string(code));
    return fail(known, std::string(e.field, strnlen(e.field, sizeof e.field)),
                std::string(e.message, strnlen(e.message, sizeof e.message)));
}

template <class T>
result<T> parse_output(const std::string& text, const plugin_info& info)
{
    auto r = wire::parse_as<T>(text);
    if (!r)
        return fail(error::plugin_invalid_output, r.error().field,
                    "plugin \"" + info.name + "\": " + r.error().what());
    return r;
}

} // namespace detail

inline std::string_view kind_name(std::uint32_t kind) noexcept
{
    switch (kind) {
    case RECOUP_PLUGIN_KIND_BILLING_CONNECTOR: return "billing_connector";
    case RECOUP_PLUGIN_KIND_PAYMENT_PROCESSOR: return "payment_processor";
    default: return "unknown";
    }
}

inline result<std::shared_ptr<const library>> load_library(const std::filesystem::path& path)
{
    namespace dll = boost::dll;
    std::error_code fs_ec;
    if (!std::filesystem::exists(path, fs_ec))
        return detail::load_failure(error::plugin_load_failed, path,
                                    "could not access file \"" + path.string() + "\": no such file");
    if (!std::filesystem::is_regular_file(path, fs_ec))
        return detail::load_failure(error::plugin_load_failed, path,
                                    "could not load library \"" + path.string() + "\": not a regular file");
    auto lib = std::make_shared<library>();
    boost::system::error_code ec;
    lib->handle_.load(path, ec, dll::load_mode::rtld_now | dll::load_mode::rtld_local);
    if (ec)
        return detail::load_failure(error::plugin_load_failed, path,
                                    "could not load library \"" + path.string() + "\": " +
                                        detail::dlopen_reason(path));
    if (!lib->handle_.has(RECOUP_PLUGIN_ENTRY_NAME))
        return detail::load_failure(
            error::plugin_missing_entry, path,
            "incompatible plugin \"" + path.string() + "\": missing entry symbol \"" +
                RECOUP_PLUGIN_ENTRY_NAME +
                "\"\nHint: a C++ plugin defines it with RECOUP_EXPORT_CONNECTOR(Class, "
                "\"version\") from <recoup/plugin/export.hpp>.");
    auto entry = lib->handle_.get<const recoup_plugin_descriptor*()>(RECOUP_PLUGIN_ENTRY_NAME);
    const recoup_plugin_descriptor* d = entry();
    if (d == nullptr)
        return detail::load_failure(error::plugin_invalid_output, path,
                                    "incompatible plugin \"" + path.string() + "\": entry returned no descriptor");
    // The most fundamental mismatch first: the major version, then the size it promises.
    if (d->abi_major != RECOUP_ABI_VERSION_MAJOR)
        return detail::load_failure(
            error::plugin_abi_mismatch, path,
            "incompatible plugin \"" + path.string() + "\": ABI version mismatch\nHost ABI is " +
                detail::version_text(RECOUP_ABI_VERSION_MAJOR, RECOUP_ABI_VERSION_MINOR) +
                ", plugin ABI is " + detail::version_text(d->abi_major, d->abi_minor) + ".");
    if (d->struct_size < detail::min_descriptor_size)
        return detail::load_failure(
            error::plugin_abi_mismatch, path,
            "incompatible plugin \"" + path.string() + "\": descriptor too small\nIt declares " +
                std::to_string(d->struct_size) + " bytes, ABI " +
                detail::version_text(d->abi_major, d->abi_minor) + " needs at least " +
                std::to_string(detail::min_descriptor_size) + ".");
    // Read only what the plugin's struct covers; newer fields stay zero.
    std::memcpy(&lib->descriptor_, d, std::min<std::size_t>(d->struct_size, sizeof(recoup_plugin_descriptor)));
    auto& info = lib->info_;
    info.path = path.string();
    info.name = d->name ? d->name : "";
    info.version = d->version ? d->version : "";
    info.abi_major = d->abi_major;
    info.abi_minor = d->abi_minor;
    info.kind = d->kind;
    info.capabilities = d->capabilities;
    if (info.name.empty())
        return detail::load_failure(error::plugin_invalid_output, path,
                                    "incompatible plugin \"" + path.string() + "\": descriptor has no name");
    return std::shared_ptr<const library>(std::move(lib));
}

inline result<dynamic_connector> load_connector(const std::filesystem::path& path)
{
    auto lib = load_library(path);
    if (!lib) return lib.error();
    return load_connector(std::move(*lib));
}

inline result<dynamic_connector> load_connector(std::shared_ptr<const library> lib)
{
    const auto& d = lib->descriptor();
    const std::filesystem::path path = lib->info().path;
    if (d.kind != RECOUP_PLUGIN_KIND_BILLING_CONNECTOR || d.verify_source == nullptr || d.parse_webhook == nullptr)
        return detail::load_failure(error::plugin_wrong_kind, path,
                                    "plugin \"" + path.string() + "\" is a " +
                                        std::string(kind_name(d.kind)) + ", not a billing connector");
    return dynamic_connector(std::move(lib));
}

inline result<void> dynamic_connector::verify_source(const webhook_request& req, const mca_config& mca,
                                                     time_point now) const
{
    detail::c_request request(req);
    detail::c_account account(mca);
    recoup_type_error err{};
    const int32_t rc = lib_->descriptor().verify_source(&request.request, &account.account,
                                                       to_unix_millis(now), &err);
    if (rc != RECOUP_OK) return detail::from_plugin(rc, err, info());
    return {};
}

inline result<normalized_webhook> dynamic_connector::parse(const webhook_request& req, const mca_config& mca,
                                                          std::span<const sync_exchange> sync) const
{
    detail::c_request request(req);
    detail::c_account account(mca);
    std::vector<std::vector<recoup_type_header>> response_headers;
    std::vector<recoup_type_exchange> exchanges;
    for (const auto& x : sync) {
        auto& hs = response_headers.emplace_back();
        for (const auto& h : x.response.headers) hs.push_back({detail::str(h.name), detail::str(h.value)});
        exchanges.push_back({detail::str(x.request.method), detail::str(x.request.path), x.response.status, 0,
                             hs.data(), hs.size(), detail::str(x.response.body)});
    }
    std::string out;
    recoup_host_buffer buffer{&out, &detail::append_to_string};
    recoup_type_error err{};
    const int32_t rc = lib_->descriptor().parse_webhook(&request.request, &account.account, exchanges.data(),
                                                       exchanges.size(), &buffer, &err);
    if (rc != RECOUP_OK) return detail::from_plugin(rc, err, info());
    return detail::parse_output<normalized_webhook>(out, info());
}

inline result<recovery_invoice> dynamic_connector::invoice_details(const webhook& w) const
{
    if (!w.invoice) return fail(error::missing_field, "invoice", "the plugin normalized no invoice");
    return *w.invoice;
}

inline result<recovery_attempt> dynamic_connector::attempt_details(const webhook& w) const
{
    if (!w.attempt) return fail(error::missing_field, "attempt", "the plugin normalized no attempt");
    return *w.attempt;
}

inline result<outbound_request> dynamic_connector::record_back(const record_back_request& r,
                                                              const mca_config& mca) const
{
    if (lib_->descriptor().record_back == nullptr)
        return fail(error::not_supported, "record_back",
                    "connector \"" + info().name + "\" does not implement record_back");
    detail::c_account account(mca);
    const std::string input = boost::json::serialize(boost::json::value_from(r));
    std::string out;
    recoup_host_buffer buffer{&out, &detail::append_to_string};
    recoup_type_error err{};
    const int32_t rc = lib_->descriptor().record_back(detail::str(input), &account.account, &buffer, &err);
    if (rc != RECOUP_OK) return detail::from_plugin(rc, err, info());
    return detail::parse_output<outbound_request>(out, info());
}

inline result<dynamic_processor> load_processor(const std::filesystem::path& path)
{
    auto lib = load_library(path);
    if (!lib) return lib.error();
    return load_processor(std::move(*lib));
}

inline result<dynamic_processor> load_processor(std::shared_ptr<const library> lib)
{
    const auto& d = lib->descriptor();
    const std::filesystem::path path = lib->info().path;
    if (d.kind != RECOUP_PLUGIN_KIND_PAYMENT_PROCESSOR)
        return detail::load_failure(error::plugin_wrong_kind, path,
                                    "plugin \"" + path.string() + "\" is a " +
                                        std::string(kind_name(d.kind)) + ", not a payment processor");
    if (d.struct_size < detail::min_processor_descriptor_size || d.build_charge == nullptr ||
        d.parse_charge == nullptr || d.build_status == nullptr || d.parse_status == nullptr)
        return detail::load_failure(error::plugin_abi_mismatch, path,
                                    "incompatible plugin \"" + path.string() +
                                        "\": a payment processor needs ABI 1.1 or later\nPlugin ABI is " +
                                        detail::version_text(d.abi_major, d.abi_minor) + ".");
    return dynamic_processor(std::move(lib));
}

namespace detail {

template <class Out, class Fn, class Input>
result<Out> call_build(const library& lib, Fn fn, const Input& input, const mca_config& mca)
{
    c_account account(mca);
    const std::string json = boost::json::serialize(boost::json::value_from(input));
    std::string out;
    recoup_host_buffer buffer{&out, &append_to_string};
    recoup_type_error err{};
    const int32_t rc = fn(str(json), &account.account, &buffer, &err);
    if (rc != RECOUP_OK) return from_plugin(rc, err, lib.info());
    return parse_output<Out>(out, lib.info());
}

template <class Out, class Fn, class Input>
result<Out> call_parse(const library& lib, Fn fn, const Input& input, const http_response& response)
{
    const std::string json = boost::json::serialize(boost::json::value_from(input));
    std::vector<recoup_type_header> headers;
    for (const auto& h : response.headers) headers.push_back({str(h.name), str(h.value)});
    recoup_type_exchange exchange{{}, {}, response.status, 0, headers.data(), headers.size(), str(response.body)};
    std::string out;
    recoup_host_buffer buffer{&out, &append_to_string};
    recoup_type_error err{};
    const int32_t rc = fn(str(json), &exchange, &buffer, &err);
    if (rc != RECOUP_OK) return from_plugin(rc, err, lib.info());
    return parse_output<Out>(out, lib.info());
}

} // namespace detail

inline result<charge_step> dynamic_processor::build_charge(const charge_request& c, const mca_config& mca) const
{
    return detail::call_build<charge_step>(*lib_, lib_->descriptor().build_charge, c, mca);
}

inline result<charge_result> dynamic_processor::parse_charge(const charge_request& c,
                                                            const http_response& response) const
{
    return detail::call_parse<charge_result>(*lib_, lib_->descriptor().parse_charge, c, response);
}

inline result<charge_step> dynamic_processor::build_status(const status_request& s, const mca_config& mca) const
{
    return detail::call_build<charge_step>(*lib_, lib_->descriptor().build_status, s, mca);
}

inline result<charge_result> dynamic_processor::parse_status(const status_request& s,
                                                            const http_response& response) const
{
    return detail::call_parse<charge_result>(*lib_, lib_->descriptor().parse_status, s, response);
}

} // namespace plugin

RECOUP_END_NAMESPACE
