// bench/micro: the pure path of each bundled billing connector on each of its fixtures, with
// Google Benchmark. Per fixture four figures, in one binary on the same bytes:
//   floor_hmac   HMAC-SHA256 of the body (OpenSSL, the cost of any signature check)
//   floor_parse  one boost::json::parse of the body (and of each sync answer, when the path reads them)
//   static       verify_source + normalize (parse, classify, invoice and attempt) through the
//                header-only connector class
//   plugin       the same through the C plugin ABI: the bundled recoup_<name>.so, dlopened by
//                recoup::plugin::load_connector as recoupd loads it
// bench/run --micro prints static and plugin as ratios to the floor (floor_hmac + floor_parse).
// A fixture that is not a delivery the connector accepts (a sync answer, a rejected payload) is
// listed on stderr and skipped. Recurly's path includes its two sync rounds, answered from
// tests/fixtures/recurly (transaction_declined.json, invoice_with_balance.json).
//
// usage: recoup_micro [google benchmark flags]; environment: RECOUP_BENCH_FIXTURES (the
// project's fixtures), RECOUP_BENCH_SHARED_FIXTURES (../shared/fixtures, optional),
// RECOUP_BENCH_PLUGIN_DIR (the built plugins); meson bakes the build's paths in as defaults.
#include "fixtures.hpp"

#include <recoup/connectors/chargebee.hpp>
#include <recoup/connectors/paddle.hpp>
#include <recoup/connectors/recurly.hpp>
#include <recoup/connectors/stripe_billing.hpp>
#include <recoup/crypto.hpp>
#include <recoup/plugin/loader.hpp>
#include <recoup/signature.hpp>

#include <benchmark/benchmark.h>
#include <boost/json.hpp>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace {

using recoup_bench::account;
using recoup_bench::delivery;

// verify + normalize, answering sync requests from the delivery's answers until none is asked.
// The number of sync answers read; -1 when the delivery is refused.
template <class C>
int pure_path(const C& c, const delivery& d, const account& acc)
{
    const auto req = d.request.view();
    const auto mca = acc.config();
    if (!c.verify_source(req, mca, d.now)) return -1;
    std::vector<recoup::sync_exchange> exchanges;
    for (int round = 0; round < recoup_bench::max_sync_rounds; ++round) {
        auto n = recoup::normalize(c, req, mca, exchanges);
        if (!n) return -1;
        if (n->sync_requests.empty()) {
            benchmark::DoNotOptimize(n->attempt);
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

template <class C>
void register_connector(const std::string& name, const C& stat, std::shared_ptr<const recoup::plugin::dynamic_connector> dyn)
{
    const auto acc = std::make_shared<const account>(recoup_bench::account_for(name));
    for (auto& d : recoup_bench::deliveries(name)) {
        const int answers = pure_path(stat, d, *acc);
        if (answers < 0) {
            std::cerr << "micro: skipped " << name << "/" << d.fixture << " (not a delivery the connector accepts)\n";
            continue;
        }
        if (answers == 0) d.answers.clear(); // the floor parses only what the path reads
        auto del = std::make_shared<const delivery>(std::move(d));
        const std::string prefix = name + "/" + del->fixture + "/";
        benchmark::RegisterBenchmark((prefix + "floor_hmac").c_str(), [del, acc](benchmark::State& s) {
            for (auto _ : s) benchmark::DoNotOptimize(recoup::hmac_sha256(acc->secrets.front(), del->request.body));
        });
        benchmark::RegisterBenchmark((prefix + "floor_parse").c_str(), [del](benchmark::State& s) {
            for (auto _ : s) {
                benchmark::DoNotOptimize(boost::json::parse(del->request.body));
                for (const auto& a : del->answers) benchmark::DoNotOptimize(boost::json::parse(a.second.body));
            }
        });
        benchmark::RegisterBenchmark((prefix + "static").c_str(), [del, acc, &stat](benchmark::State& s) {
            for (auto _ : s)
                if (pure_path(stat, *del, *acc) < 0) s.SkipWithError("the static path failed");
        });
        if (dyn) {
            benchmark::RegisterBenchmark((prefix + "plugin").c_str(), [del, acc, dyn](benchmark::State& s) {
                for (auto _ : s)
                    if (pure_path(*dyn, *del, *acc) < 0) s.SkipWithError("the plugin path failed");
            });
        }
    }
}

std::shared_ptr<const recoup::plugin::dynamic_connector> plugin(const std::string& name)
{
    auto c = recoup::plugin::load_connector(recoup_bench::plugin_dir() / ("recoup_" + name + ".so"));
    if (!c) {
        std::cerr << "micro: no plugin figures for " << name << ": " << c.error().what() << '\n';
        return nullptr;
    }
    return std::make_shared<const recoup::plugin::dynamic_connector>(std::move(*c));
}

} // namespace

int main(int argc, char** argv)
{
    static const recoup::connectors::stripe_billing::connector stripe_billing;
    static const recoup::connectors::chargebee::connector chargebee;
    static const recoup::connectors::recurly::connector recurly;
    static const recoup::connectors::paddle::connector paddle;
    register_connector("stripe_billing", stripe_billing, plugin("stripe_billing"));
    register_connector("chargebee", chargebee, plugin("chargebee"));
    register_connector("recurly", recurly, plugin("recurly"));
    register_connector("paddle", paddle, plugin("paddle"));
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
