#include "mca_checks.hpp"

#include "outbound/client.hpp"

#include <boost/json/serialize.hpp>

namespace recoupd::mca_checks {

std::optional<std::string> tolerance_problem(const boost::json::object& settings)
{
    const auto* v = settings.if_contains(tolerance_setting);
    if (v == nullptr) return std::nullopt;
    if (v->is_int64() && v->get_int64() > 0) return std::nullopt;
    if (v->is_uint64()) return std::nullopt;
    return "setting " + std::string(tolerance_setting) + " must be a whole number of seconds above 0, not " +
           boost::json::serialize(*v) + ": 0 or less would turn the timestamp check off and let old deliveries be replayed";
}

std::optional<std::string> base_url_problem(std::string_view url, bool has_api_key)
{
    const auto quoted = "base URL \"" + std::string(url) + "\"";
    const auto parsed = outbound::base_url::parse(url);
    if (!parsed) return quoted + ": " + parsed.error().detail;
    if (outbound::is_metadata_host(parsed->host))
        return quoted + " points at " + std::string(outbound::metadata_rule) + " (" + parsed->host +
               "), never a billing platform's API";
    if (has_api_key && !parsed->tls && !outbound::is_loopback_host(parsed->host))
        return quoted + " would send the API key in clear text: use https://, or http:// only to a loopback host "
                        "(127.0.0.0/8, ::1, localhost)";
    return std::nullopt;
}

std::optional<std::string> mca_problem(const boost::json::object& settings, const std::optional<std::string>& base_url,
                                       bool has_api_key)
{
    if (auto p = tolerance_problem(settings)) return p;
    if (base_url) return base_url_problem(*base_url, has_api_key);
    return std::nullopt;
}

} // namespace recoupd::mca_checks
