#include "plugins.hpp"

#include <algorithm>

namespace recoupd {

namespace {

recoup::result<std::vector<std::filesystem::path>> plugin_files(const std::filesystem::path& dir)
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
    return files;
}

// Adds `plugin` under its name unless another file already took it.
template <class Plugin>
recoup::result<void> add(std::map<std::string, Plugin, std::less<>>& into, Plugin plugin)
{
    const auto& info = plugin.info();
    if (auto it = into.find(info.name); it != into.end())
        return recoup::fail(recoup::error::plugin_load_failed, info.path,
                            "two plugins are named \"" + info.name + "\": \"" + it->second.info().path +
                                "\" and \"" + info.path + "\"; remove one");
    into.emplace(info.name, std::move(plugin));
    return {};
}

} // namespace

recoup::result<plugins> plugins::load_dir(const std::filesystem::path& dir)
{
    return load_path({dir});
}

recoup::result<plugins> plugins::load_path(const std::vector<std::filesystem::path>& dirs)
{
    std::vector<std::filesystem::path> files;
    for (const auto& dir : dirs) {
        auto in_dir = plugin_files(dir);
        if (!in_dir) return in_dir.error();
        files.insert(files.end(), in_dir->begin(), in_dir->end());
    }
    plugins out;
    for (const auto& file : files) {
        auto lib = recoup::plugin::load_library(file);
        if (!lib) return lib.error();
        recoup::result<void> added;
        if ((*lib)->info().kind == RECOUP_PLUGIN_KIND_PAYMENT_PROCESSOR) {
            auto p = recoup::plugin::load_processor(std::move(*lib));
            if (!p) return p.error();
            added = add(out.processors_, std::move(*p));
        } else {
            auto c = recoup::plugin::load_connector(std::move(*lib));
            if (!c) return c.error();
            added = add(out.connectors_, std::move(*c));
        }
        if (!added) return added.error();
    }
    return out;
}

const recoup::plugin::dynamic_connector* plugins::connector(std::string_view name) const
{
    auto it = connectors_.find(name);
    return it == connectors_.end() ? nullptr : &it->second;
}

const recoup::plugin::dynamic_processor* plugins::processor(std::string_view name) const
{
    auto it = processors_.find(name);
    return it == processors_.end() ? nullptr : &it->second;
}

std::vector<std::string> plugins::connector_names() const
{
    std::vector<std::string> out;
    for (const auto& [name, c] : connectors_) out.push_back(name);
    return out;
}

} // namespace recoupd
