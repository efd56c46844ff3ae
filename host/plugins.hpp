// recoupd: the plugins of a directory, scanned and loaded once. Each recoup_*.so is opened one
// time and checked by the loader as what its descriptor says it is: billing connectors serve
// webhooks and record-backs, payment processors serve the scheduler's charges.
#pragma once

#include <recoup/plugin/loader.hpp>
#include <recoup/result.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace recoupd {

class plugins {
public:
    // Every recoup_*.so of `dir`, in file-name order. A plugin that fails to load, or two plugins
    // with one name, fail the whole directory: the message names the file(s).
    static recoup::result<plugins> load_dir(const std::filesystem::path& dir);

    // Every recoup_*.so of every directory, in order; a directory that does not exist, a plugin
    // that fails to load, or two plugins with one name (in one directory or two) fail the whole
    // path, naming the directory or both files.
    static recoup::result<plugins> load_path(const std::vector<std::filesystem::path>& dirs);

    const recoup::plugin::dynamic_connector* connector(std::string_view name) const;
    const recoup::plugin::dynamic_processor* processor(std::string_view name) const;
    std::vector<std::string> connector_names() const;

private:
    std::map<std::string, recoup::plugin::dynamic_connector, std::less<>> connectors_;
    std::map<std::string, recoup::plugin::dynamic_processor, std::less<>> processors_;
};

} // namespace recoupd
