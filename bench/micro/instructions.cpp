// bench/micro: instruction counts of the same four figures as recoup_micro, for a machine too busy
// for timing (instruction counts do not change with the load). Run under callgrind:
//
//     valgrind --tool=callgrind --callgrind-out-file=DIR/cg.out recoup_micro_ir [FILTER [N]]
//
// Each figure of each delivery whose "connector/origin/fixture" contains FILTER runs once to warm
// up, then N times (default 50) between a zeroing and a dump of callgrind's counters labelled
// "connector/origin/fixture/figure"; bench/micro/instructions.py turns the dumps into the table
// of instructions per run and ratios to the floor (floor_hmac + floor_parse).
#include "fixtures.hpp"
#include "pure_path.hpp"

#include <valgrind/callgrind.h>

#include <cstdlib>
#include <string>

namespace {

volatile std::size_t sink; // what each run produced, so nothing is optimized away

int runs = 50;

template <class F>
void measure(const std::string& label, F&& once)
{
    once();
    CALLGRIND_ZERO_STATS;
    for (int i = 0; i < runs; ++i) once();
    CALLGRIND_DUMP_STATS_AT(label.c_str());
}

template <class C>
void measure_connector(const std::string& name, const C& stat, const recoup::plugin::dynamic_connector* dyn,
                       const std::string& filter)
{
    const auto acc = recoup_bench::account_for(name);
    const auto keep = [](const recoup::normalized_webhook& n) { sink = n.attempt ? 1 : 0; };
    for (const auto& d : recoup_bench::accepted_deliveries(name, stat)) {
        const std::string prefix = name + "/" + d.fixture + "/";
        if (prefix.find(filter) == std::string::npos) continue;
        measure(prefix + "floor_hmac", [&] { sink = recoup_bench::floor_hmac(d, acc)[0]; });
        measure(prefix + "floor_parse", [&] { sink = recoup_bench::floor_parse(d); });
        measure(prefix + "static", [&] {
            if (recoup_bench::pure_path(stat, d, acc, keep) < 0) std::abort();
        });
        if (dyn != nullptr)
            measure(prefix + "plugin", [&] {
                if (recoup_bench::pure_path(*dyn, d, acc, keep) < 0) std::abort();
            });
    }
}

} // namespace

int main(int argc, char** argv)
{
    const std::string filter = argc > 1 ? argv[1] : "";
    if (argc > 2) runs = std::atoi(argv[2]);
    if (runs <= 0) return 2;
    recoup_bench::for_each_connector([&](const std::string& name, const auto& stat, auto dyn) {
        measure_connector(name, stat, dyn.get(), filter);
    });
    return 0;
}
