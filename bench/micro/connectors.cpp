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
#include "pure_path.hpp"

#include <benchmark/benchmark.h>

#include <memory>
#include <string>

namespace {

using recoup_bench::account;
using recoup_bench::delivery;

// The path under measurement, DoNotOptimize on its result.
template <class C>
int pure_path(const C& c, const delivery& d, const account& acc)
{
    return recoup_bench::pure_path(c, d, acc, [](const recoup::normalized_webhook& n) { benchmark::DoNotOptimize(n.attempt); });
}

template <class C>
void register_connector(const std::string& name, const C& stat, std::shared_ptr<const recoup::plugin::dynamic_connector> dyn)
{
    const auto acc = std::make_shared<const account>(recoup_bench::account_for(name));
    for (auto& d : recoup_bench::accepted_deliveries(name, stat)) {
        auto del = std::make_shared<const delivery>(std::move(d));
        const std::string prefix = name + "/" + del->fixture + "/";
        benchmark::RegisterBenchmark((prefix + "floor_hmac").c_str(), [del, acc](benchmark::State& s) {
            for (auto _ : s) benchmark::DoNotOptimize(recoup_bench::floor_hmac(*del, *acc));
        });
        benchmark::RegisterBenchmark((prefix + "floor_parse").c_str(), [del](benchmark::State& s) {
            for (auto _ : s) benchmark::DoNotOptimize(recoup_bench::floor_parse(*del));
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

} // namespace

int main(int argc, char** argv)
{
    recoup_bench::for_each_connector([](const std::string& name, const auto& stat, auto dyn) {
        register_connector(name, stat, std::move(dyn));
    });
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
