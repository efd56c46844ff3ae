// recoupd: what a request needs, gathered in one place: the store, the loaded connector plugins,
// the outbound client, metrics, the clock and the serving configuration. The handler is a free
// function of (app&, request).
#pragma once

#include "http/client.hpp"
#include "http/metrics.hpp"
#include "store/soci_store.hpp"

#include <recoup/clock.hpp>
#include <recoup/plugin/loader.hpp>
#include <recoup/result.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace recoupd {

// Every recoup_*.so of a directory, loaded and checked, in file-name order. A plugin that fails
// to load fails the whole directory: the message names the file.
recoup::result<std::vector<std::shared_ptr<const recoup::plugin::library>>>
load_plugin_dir(const std::filesystem::path& dir);

// Billing-connector plugins by name, loaded from every recoup_*.so of a directory. Payment
// processor plugins found there are skipped (the scheduler loads those).
class plugin_registry {
public:
    // A plugin that fails to load fails the whole directory: the message names the file.
    static recoup::result<plugin_registry> load_dir(const std::filesystem::path& dir);

    const recoup::plugin::dynamic_connector* find(std::string_view name) const;
    std::vector<std::string> names() const;

private:
    std::map<std::string, recoup::plugin::dynamic_connector, std::less<>> connectors_;
};

struct app_config {
    std::chrono::seconds retry_after{5}; // the Retry-After of a 503
    bool keep_raw_body = true;           // keep webhook bodies in the event log for replay
};

struct app {
    soci_store& store;
    plugin_registry plugins;
    http::client client;
    app_config config;
    http::metrics metrics;
    recoup::system_clock clock;

    app(soci_store& s, plugin_registry p, http::client_options client_options = {}, app_config c = {})
        : store(s), plugins(std::move(p)), client(client_options), config(c)
    {
    }
};

} // namespace recoupd
