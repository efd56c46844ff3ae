// bench/micro: what is measured per delivery, shared by recoup_micro (time) and recoup_micro_ir
// (instructions): the two floors and the pure path one delivery takes through a connector,
// static or through the plugin ABI.
#pragma once

#include "fixtures.hpp"

#include <recoup/connector.hpp>
#include <recoup/connectors/chargebee.hpp>
#include <recoup/connectors/paddle.hpp>
#include <recoup/connectors/recurly.hpp>
#include <recoup/connectors/stripe_billing.hpp>
#include <recoup/plugin/loader.hpp>
#include <recoup/crypto.hpp>

#include <boost/json.hpp>

#include <cstddef>
#include <iostream>
#include <memory>
#include <string>

#include <utility>
#include <vector>

namespace recoup_bench {

// HMAC-SHA256 of the body (OpenSSL): the cost of any signature check.
inline recoup::sha256_digest floor_hmac(const delivery& d, const account& acc)
{
    return recoup::hmac_sha256(acc.secrets.front(), d.request.body);
}

// One boost::json::parse of the body and of each sync answer the path reads; the members seen.
inline std::size_t floor_parse(const delivery& d)
{
    const auto members = [](const boost::json::value& v) { return v.is_object() ? v.get_object().size() : 0; };
    std::size_t n = members(boost::json::parse(d.request.body));
    for (const auto& a : d.answers) n += members(boost::json::parse(a.second.body));
    return n;
}

// verify + normalize, answering sync requests from the delivery's answers until none is asked.
// The number of sync answers read; -1 when the delivery is refused. `keep` sees the final
// normalized webhook (so the work cannot be optimized away).
template <class C, class Keep>
int pure_path(const C& c, const delivery& d, const account& acc, Keep&& keep)
{
    const auto req = d.request.view();
    const auto mca = acc.config();
    if (!c.verify_source(req, mca, d.now)) return -1;
    std::vector<recoup::sync_exchange> exchanges;
    for (int round = 0; round < max_sync_rounds; ++round) {
        auto n = recoup::normalize(c, req, mca, exchanges);
        if (!n) return -1;
        if (n->sync_requests.empty()) {
            keep(*n);
            return static_cast<int>(exchanges.size());
        }
        for (auto& r : n->sync_requests) {
            const auto* answer = d.answer_for(r);
            if (answer == nullptr) return -1;
            exchanges.push_back({std::move(r), *answer});
        }
    }
    return -1;
}

// The connector's deliveries that its static path accepts (the others listed on stderr), each
// with only the sync answers the path reads, for the floor parses only those.
template <class C>
std::vector<delivery> accepted_deliveries(const std::string& name, const C& c)
{
    const auto acc = account_for(name);
    std::vector<delivery> out;
    for (auto& d : deliveries(name)) {
        const int answers = pure_path(c, d, acc, [](const recoup::normalized_webhook&) {});
        if (answers < 0) {
            std::cerr << "micro: skipped " << name << "/" << d.fixture << " (not a delivery the connector accepts)\n";
            continue;
        }
        if (answers == 0) d.answers.clear();
        out.push_back(std::move(d));
    }
    return out;
}

// The bundled connector's plugin as recoupd loads it; nullptr (said on stderr) when it does not load.
inline std::shared_ptr<const recoup::plugin::dynamic_connector> load_plugin(const std::string& name)
{
    auto c = recoup::plugin::load_connector(plugin_dir() / ("recoup_" + name + ".so"));
    if (!c) {
        std::cerr << "micro: no plugin figures for " << name << ": " << c.error().what() << '\n';
        return nullptr;
    }
    return std::make_shared<const recoup::plugin::dynamic_connector>(std::move(*c));
}

// f(name, static connector, its plugin or nullptr) for each bundled billing connector.
template <class F>
void for_each_connector(F&& f)
{
    static const recoup::connectors::stripe_billing::connector stripe_billing;
    static const recoup::connectors::chargebee::connector chargebee;
    static const recoup::connectors::recurly::connector recurly;
    static const recoup::connectors::paddle::connector paddle;
    f(std::string("stripe_billing"), stripe_billing, load_plugin("stripe_billing"));
    f(std::string("chargebee"), chargebee, load_plugin("chargebee"));
    f(std::string("recurly"), recurly, load_plugin("recurly"));
    f(std::string("paddle"), paddle, load_plugin("paddle"));
}

} // namespace recoup_bench
