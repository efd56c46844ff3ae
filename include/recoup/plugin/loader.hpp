// recoup: loading plugins. load_connector() opens a shared object with Boost.DLL (RTLD_NOW |
// RTLD_LOCAL), checks its descriptor, and yields a dynamic_connector that satisfies the same
// recoup::billing_connector concept as a static class: the flow cannot tell them apart. The
// library stays loaded while any connector made from it lives.
#pragma once

#include <recoup/connector.hpp>
#include <recoup/detail/config.hpp>
#include <recoup/json.hpp>
#include <recoup/plugin/abi.h>
#include <recoup/processor.hpp>
#include <recoup/result.hpp>

// Boost.DLL would otherwise need Boost.Filesystem; std::filesystem does the job.
#ifndef BOOST_DLL_USE_STD_FS
#define BOOST_DLL_USE_STD_FS
#endif
#include <boost/dll/shared_library.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

RECOUP_BEGIN_NAMESPACE

namespace plugin {

// What the host takes from a plugin (docs/plugin-abi.md, "Limits"): the output of one call, and
// the descriptor's name and version, each read with strnlen up to its bound.
inline constexpr std::size_t max_output_bytes = std::size_t{1} << 20; // 1 MiB
inline constexpr std::size_t max_name_bytes = 64;
inline constexpr std::size_t max_version_bytes = 32;

struct plugin_info {
    std::string path;
    std::string name;
    std::string version;
    std::uint16_t abi_major = 0;
    std::uint16_t abi_minor = 0;
    std::uint32_t kind = 0;
    std::uint32_t capabilities = 0;

    bool can_sync() const noexcept { return (capabilities & RECOUP_CAP_SYNC) != 0; }
    bool can_record_back() const noexcept { return (capabilities & RECOUP_CAP_RECORD_BACK) != 0; }
};

// "billing_connector", "payment_processor" or "unknown".
std::string_view kind_name(std::uint32_t kind) noexcept;

// A loaded shared object and the copy of its descriptor the host works from.
class library {
public:
    const plugin_info& info() const noexcept { return info_; }
    const recoup_plugin_descriptor& descriptor() const noexcept { return descriptor_; }

private:
    friend result<std::shared_ptr<const library>> load_library(const std::filesystem::path& path);
    boost::dll::shared_library handle_;
    recoup_plugin_descriptor descriptor_{};
    plugin_info info_;
};

// Opens and validates any plugin. Failures are PostgreSQL-style sentences naming the file.
result<std::shared_ptr<const library>> load_library(const std::filesystem::path& path);

class dynamic_connector {
public:
    using webhook = normalized_webhook;

    explicit dynamic_connector(std::shared_ptr<const library> lib) : lib_(std::move(lib)) {}

    const plugin_info& info() const noexcept { return lib_->info(); }

    result<void> verify_source(const webhook_request& req, const mca_config& mca, time_point now) const;
    result<webhook> parse(const webhook_request& req, const mca_config& mca,
                          std::span<const sync_exchange> sync) const;
    incoming_webhook_event event_type(const webhook& w) const { return w.event_type; }
    std::optional<std::string> event_id(const webhook& w) const { return w.event_id; }
    // The plugin's "event_at"; a plugin older than that key gives none (applied in arrival order).
    std::optional<std::int64_t> event_time(const webhook& w) const { return w.event_at; }
    result<std::string> object_reference_id(const webhook& w) const { return w.object_reference_id; }
    result<recovery_invoice> invoice_details(const webhook& w) const;
    result<recovery_attempt> attempt_details(const webhook& w) const;
    std::vector<outbound_request> sync_requests(const webhook& w, const mca_config&) const
    {
        return w.sync_requests;
    }
    // not_supported when the plugin lacks the capability.
    result<outbound_request> record_back(const record_back_request& r, const mca_config& mca) const;
    recoup::api_response api_response(const webhook& w) const { return w.response; }

private:
    std::shared_ptr<const library> lib_;
};

static_assert(billing_connector<dynamic_connector>);
static_assert(has_sync_requests<dynamic_connector>);
static_assert(has_record_back<dynamic_connector>);
static_assert(has_event_time<dynamic_connector>);

// load_library() plus a check that the plugin is a billing connector.
result<dynamic_connector> load_connector(const std::filesystem::path& path);
// The same check on a library already loaded (a host that scans a directory loads each file once).
result<dynamic_connector> load_connector(std::shared_ptr<const library> lib);

// A payment processor plugin behind the recoup::payment_processor concept.
class dynamic_processor {
public:
    explicit dynamic_processor(std::shared_ptr<const library> lib) : lib_(std::move(lib)) {}

    const plugin_info& info() const noexcept { return lib_->info(); }

    result<charge_step> build_charge(const charge_request& c, const mca_config& mca) const;
    result<charge_result> parse_charge(const charge_request& c, const http_response& response) const;
    result<charge_step> build_status(const status_request& s, const mca_config& mca) const;
    result<charge_result> parse_status(const status_request& s, const http_response& response) const;

private:
    std::shared_ptr<const library> lib_;
};

static_assert(payment_processor<dynamic_processor>);

// load_library() plus a check that the plugin is a payment processor (ABI 1.1 or later).
result<dynamic_processor> load_processor(const std::filesystem::path& path);
result<dynamic_processor> load_processor(std::shared_ptr<const library> lib);

} // namespace plugin

RECOUP_END_NAMESPACE

#include <recoup/plugin/impl/loader.hpp>
