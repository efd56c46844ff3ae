#include "app.hpp"

#include <algorithm>

namespace recoupd {

recoup::result<std::vector<std::shared_ptr<const recoup::plugin::library>>>
load_plugin_dir(const std::filesystem::path& dir)
{
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        const auto name = entry.path().filename().string();
        if (entry.is_regular_file() && name.starts_with("recoup_") && name.ends_with(".so"))
            files.push_back(entry.path());
    }
    if (ec)
        return recoup::fail(recoup::error::plugin_load_failed, dir.string(),
                            "cannot read the plugin directory: " + ec.message());
    std::sort(files.begin(), files.end());
    std::vector<std::shared_ptr<const recoup::plugin::library>> out;
    for (const auto& file : files) {
        auto lib = recoup::plugin::load_library(file);
        if (!lib) return lib.error();
        out.push_back(std::move(*lib));
    }
    return out;
}

recoup::result<plugin_registry> plugin_registry::load_dir(const std::filesystem::path& dir)
{
    auto libs = load_plugin_dir(dir);
    if (!libs) return libs.error();
    plugin_registry out;
    for (auto& lib : *libs)
        if (lib->info().kind == RECOUP_PLUGIN_KIND_BILLING_CONNECTOR)
            out.connectors_.insert_or_assign(lib->info().name, recoup::plugin::dynamic_connector(lib));
    return out;
}

const recoup::plugin::dynamic_connector* plugin_registry::find(std::string_view name) const
{
    auto it = connectors_.find(name);
    return it == connectors_.end() ? nullptr : &it->second;
}

std::vector<std::string> plugin_registry::names() const
{
    std::vector<std::string> out;
    for (const auto& [name, c] : connectors_) out.push_back(name);
    return out;
}

} // namespace recoupd
