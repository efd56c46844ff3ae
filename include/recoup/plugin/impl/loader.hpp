#pragma once

#include <dlfcn.h>

#include <cstddef>
#include <cstring>
#include <optional>
#include <utility>

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

// A descriptor string read with a bound: strnlen never looks past max + 1 bytes. Empty when it is
// NULL; a sentence for the refusal when it is longer than max (or not NUL-terminated within it)
// or holds a byte that is not printable ASCII.
inline result<std::string> bounded_text(const char* p, std::size_t max, std::string_view what,
                                        const std::filesystem::path& path)
{
    if (p == nullptr) return std::string();
    const std::size_t len = strnlen(p, max + 1);
    const std::string head = "incompatible plugin \"" + path.string() + "\": descriptor " + std::string(what);
    if (len > max)
        return load_failure(error::plugin_invalid_output, path,
                            head + " is longer than " + std::to_string(max) +
                                " bytes or not NUL-terminated\nThe host reads at most " + std::to_string(max) +
                                " bytes of it.");
    for (std::size_t i = 0; i < len; ++i) {
        const auto c = static_cast<unsigned char>(p[i]);
        if (c < 0x20 || c > 0x7e) {
            static constexpr char hex[] = "0123456789abcdef";
            return load_failure(error::plugin_invalid_output, path,
                                head + " is not printable ASCII\nByte " + std::to_string(i) + " is 0x" +
                                    hex[c >> 4] + hex[c & 0xf] + ".");
        }
    }
    return std::string(p, len);
}

// The first function `d` must have but lacks, as "name": a billing connector needs verify_source
// and parse_webhook, and record_back with RECOUP_CAP_RECORD_BACK; a processor needs all four.
inline std::optional<std::pair<std::string_view, std::string_view>> missing_function(const recoup_plugin_descriptor& d)
{
    if (d.kind == RECOUP_PLUGIN_KIND_BILLING_CONNECTOR) {
        if (d.verify_source == nullptr) return {{"verify_source", "A billing connector must set it."}};
        if (d.parse_webhook == nullptr) return {{"parse_webhook", "A billing connector must set it."}};
        if ((d.capabilities & RECOUP_CAP_RECORD_BACK) != 0 && d.record_back == nullptr)
            return {{"record_back", "Its capabilities include RECOUP_CAP_RECORD_BACK."}};
    } else if (d.kind == RECOUP_PLUGIN_KIND_PAYMENT_PROCESSOR) {
        if (d.build_charge == nullptr) return {{"build_charge", "A payment processor must set it."}};
        if (d.parse_charge == nullptr) return {{"parse_charge", "A payment processor must set it."}};
        if (d.build_status == nullptr) return {{"build_status", "A payment processor must set it."}};
        if (d.parse_status == nullptr) return {{"parse_status", "A payment processor must set it."}};
    }
    return std::nullopt;
}

inline failure missing_function_failure(const std::filesystem::path& path,
                                        std::pair<std::string_view, std::string_view> missing)
{
    return load_failure(error::plugin_invalid_output, path,
                        "incompatible plugin \"" + path.string() + "\": missing function \"" +
                            std::string(missing.first) + "\"\n" + std::string(missing.second));
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
    std::string serialized; // only when the host gave no settings text
    recoup_type_account account{};

    explicit c_account(const mca_config& m)
    {
        if (m.settings_json.empty()) serialized = m.settings ? boost::json::serialize(*m.settings) : std::string("{}");
        const std::string_view settings = m.settings_json.empty() ? std::string_view(serialized) : m.settings_json;
        secrets.reserve(m.secrets.size());
        for (const auto& s : m.secrets) secrets.push_back(str(s));
        account = {secrets.data(), secrets.size(), str(m.api_key), str(settings)};
    }
};

// What one call writes through recoup_host_buffer: at most max_output_bytes, then every append
// is refused (the plugin gets plugin_output_too_large back) and the call fails whatever the
// plugin returns. The callback is noexcept: nothing unwinds into the plugin's C frames.
class output {
public:
    output() = default;
    output(const output&) = delete;
    output& operator=(const output&) = delete;

    // Valid while this object lives; it must not move in between.
    recoup_host_buffer buffer() noexcept { return {this, &output::append}; }
    const std::string& text() const noexcept { return text_; }

    // The failure of the call, if the host refused part of its output.
    std::optional<failure> refusal(const plugin_info& info) const
    {
        switch (state_) {
        case state::ok: return std::nullopt;
        case state::too_large:
            return fail(error::plugin_output_too_large, "",
                        "plugin \"" + info.name + "\" wrote more than " + std::to_string(max_output_bytes) +
                            " bytes of output in one call");
        case state::null_data:
            return fail(error::plugin_invalid_output, "",
                        "plugin \"" + info.name + "\" appended a null pointer with a non-zero length");
        case state::out_of_memory:
            return fail(error::internal_fault, "", "no memory for the output of plugin \"" + info.name + "\"");
        }
        return std::nullopt;
    }

private:
    enum class state { ok, too_large, null_data, out_of_memory };

    static int32_t append(void* host_data, const char* bytes, size_t len) noexcept
    {
        auto* self = static_cast<output*>(host_data);
        if (self == nullptr) return static_cast<int32_t>(error::plugin_invalid_output);
        if (self->state_ != state::ok) return self->code();
        if (len > max_output_bytes - self->text_.size()) self->state_ = state::too_large;
        else if (bytes == nullptr && len != 0) self->state_ = state::null_data;
        else if (len != 0) {
            try {
                self->text_.append(bytes, len);
            } catch (...) { // std::bad_alloc, std::length_error
                self->state_ = state::out_of_memory;
            }
        }
        return self->state_ == state::ok ? RECOUP_OK : self->code();
    }

    int32_t code() const noexcept
    {
        switch (state_) {
        case state::ok: return RECOUP_OK;
        case state::too_large: return static_cast<int32_t>(error::plugin_output_too_large);
        case state::null_data: return static_cast<int32_t>(error::plugin_invalid_output);
        case state::out_of_memory: return static_cast<int32_t>(error::internal_fault);
        }
        return static_cast<int32_t>(error::internal_fault);
    }

    std::string text_;
    state state_ = state::ok;
};

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

// The outcome of one call: the host's refusal of its output first (the plugin may have ignored
// it), then the plugin's error, then its output read as T (amounts, enums and statuses checked
// by the JSON conversion).
template <class T>
result<T> finish_call(int32_t rc, const recoup_type_error& e, const output& out, const plugin_info& info)
{
    if (auto refused = out.refusal(info)) return *refused;
    if (rc != RECOUP_OK) return from_plugin(rc, e, info);
    auto r = wire::parse_as<T>(out.text());
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
    auto name = detail::bounded_text(d->name, max_name_bytes, "name", path);
    if (!name) return name.error();
    auto version = detail::bounded_text(d->version, max_version_bytes, "version", path);
    if (!version) return version.error();
    info.name = std::move(*name);
    info.version = std::move(*version);
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
    if (d.kind != RECOUP_PLUGIN_KIND_BILLING_CONNECTOR)
        return detail::load_failure(error::plugin_wrong_kind, path,
                                    "plugin \"" + path.string() + "\" is a " +
                                        std::string(kind_name(d.kind)) + ", not a billing connector");
    if (auto missing = detail::missing_function(d)) return detail::missing_function_failure(path, *missing);
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
    detail::output out;
    recoup_host_buffer buffer = out.buffer();
    recoup_type_error err{};
    const int32_t rc = lib_->descriptor().parse_webhook(&request.request, &account.account, exchanges.data(),
                                                       exchanges.size(), &buffer, &err);
    return detail::finish_call<normalized_webhook>(rc, err, out, info());
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
    detail::output out;
    recoup_host_buffer buffer = out.buffer();
    recoup_type_error err{};
    const int32_t rc = lib_->descriptor().record_back(detail::str(input), &account.account, &buffer, &err);
    return detail::finish_call<outbound_request>(rc, err, out, info());
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
    if (d.struct_size < detail::min_processor_descriptor_size)
        return detail::load_failure(error::plugin_abi_mismatch, path,
                                    "incompatible plugin \"" + path.string() +
                                        "\": a payment processor needs ABI 1.1 or later\nPlugin ABI is " +
                                        detail::version_text(d.abi_major, d.abi_minor) + ".");
    if (auto missing = detail::missing_function(d)) return detail::missing_function_failure(path, *missing);
    return dynamic_processor(std::move(lib));
}

namespace detail {

template <class Out, class Fn, class Input>
result<Out> call_build(const library& lib, Fn fn, const Input& input, const mca_config& mca)
{
    c_account account(mca);
    const std::string json = boost::json::serialize(boost::json::value_from(input));
    output out;
    recoup_host_buffer buffer = out.buffer();
    recoup_type_error err{};
    const int32_t rc = fn(str(json), &account.account, &buffer, &err);
    return finish_call<Out>(rc, err, out, lib.info());
}

template <class Out, class Fn, class Input>
result<Out> call_parse(const library& lib, Fn fn, const Input& input, const http_response& response)
{
    const std::string json = boost::json::serialize(boost::json::value_from(input));
    std::vector<recoup_type_header> headers;
    for (const auto& h : response.headers) headers.push_back({str(h.name), str(h.value)});
    recoup_type_exchange exchange{{}, {}, response.status, 0, headers.data(), headers.size(), str(response.body)};
    output out;
    recoup_host_buffer buffer = out.buffer();
    recoup_type_error err{};
    const int32_t rc = fn(str(json), &exchange, &buffer, &err);
    return finish_call<Out>(rc, err, out, lib.info());
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
