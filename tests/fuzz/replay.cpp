// Replays the fuzz targets' inputs without libFuzzer, in the ordinary (gcc) test build: every file
// of tests/fuzz/corpus/<target>/, tests/fuzz/regressions/<target>/ and the target's seed
// directories (tests/fuzz/targets.txt) goes through the same LLVMFuzzerTestOneInput, renamed per
// target at compile time. An invariant a target checks aborts the run, naming the file first.
// Usage: replay SOURCE_ROOT TARGETS_FILE
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#define RECOUP_FUZZ_TARGET(name) extern "C" int name##_one_input(const std::uint8_t*, std::size_t);
RECOUP_FUZZ_TARGET(fuzz_chargebee)
RECOUP_FUZZ_TARGET(fuzz_recurly)
RECOUP_FUZZ_TARGET(fuzz_stripe_billing)
RECOUP_FUZZ_TARGET(fuzz_paddle)
RECOUP_FUZZ_TARGET(fuzz_signature)
RECOUP_FUZZ_TARGET(fuzz_money)
RECOUP_FUZZ_TARGET(fuzz_wire)
RECOUP_FUZZ_TARGET(fuzz_http)
#undef RECOUP_FUZZ_TARGET

namespace fs = std::filesystem;
using entry = int (*)(const std::uint8_t*, std::size_t);

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s SOURCE_ROOT TARGETS_FILE\n", argv[0]);
        return 2;
    }
    const fs::path root = argv[1];
    const std::map<std::string, entry> targets{
        {"fuzz_chargebee", fuzz_chargebee_one_input}, {"fuzz_recurly", fuzz_recurly_one_input},
        {"fuzz_stripe_billing", fuzz_stripe_billing_one_input}, {"fuzz_paddle", fuzz_paddle_one_input},
        {"fuzz_signature", fuzz_signature_one_input}, {"fuzz_money", fuzz_money_one_input},
        {"fuzz_wire", fuzz_wire_one_input}, {"fuzz_http", fuzz_http_one_input}};

    std::ifstream list(argv[2]);
    std::string line;
    int failures = 0;
    std::size_t listed = 0;
    while (std::getline(list, line)) {
        if (line.empty() || line.front() == '#') continue;
        std::istringstream words(line);
        std::string name, dict, dir;
        words >> name >> dict;
        const auto it = targets.find(name);
        if (it == targets.end()) {
            std::fprintf(stderr, "FAIL %s: listed in targets.txt but not built into the replay\n", name.c_str());
            ++failures;
            continue;
        }
        ++listed;
        std::vector<fs::path> dirs{root / "tests/fuzz/corpus" / name, root / "tests/fuzz/regressions" / name};
        while (words >> dir) dirs.push_back(root / dir);
        std::size_t files = 0;
        for (const auto& d : dirs) {
            if (!fs::is_directory(d)) continue;
            for (const auto& f : fs::directory_iterator(d)) {
                if (!f.is_regular_file()) continue;
                std::ifstream in(f.path(), std::ios::binary);
                const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
                std::fprintf(stderr, "%s %s\n", name.c_str(), f.path().c_str());
                it->second(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
                ++files;
            }
        }
        std::printf("%s: %zu inputs replayed\n", name.c_str(), files);
        if (files == 0) {
            std::fprintf(stderr, "FAIL %s: no inputs (tests/fuzz/corpus/%s is empty?)\n", name.c_str(), name.c_str());
            ++failures;
        }
    }
    if (listed != targets.size()) {
        std::fprintf(stderr, "FAIL: %zu targets listed in %s, %zu built\n", listed, argv[2], targets.size());
        ++failures;
    }
    return failures == 0 ? 0 : 1;
}
