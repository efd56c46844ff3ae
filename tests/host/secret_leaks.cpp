// secret_leaks: after every other test (meson priority -1000, alone), reads the secrets the host
// suites handed to recoupd (transcripts/secrets.list) and greps every transcript of that run (each
// recoupd process's stdout and stderr, each HTTP response the test clients read: transcript.hpp)
// for them. A hit is a leak: it fails with file:line and the secret masked. It also fails when
// there is no transcript or no secret (the suites did not run, so nothing was checked), and exits
// 77 (skipped) when the host suites are not built. Afterwards the directory is moved to
// transcripts.last, so the next run starts empty and a stale run can never pass for a new one.
// usage: secret_leaks TRANSCRIPT_DIR built|not-built
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// Shorter values ("s", "x": a test's deliberately wrong input) would match everywhere.
constexpr std::size_t min_secret_length = 8;
constexpr int max_hits_shown = 100;
const char* const secrets_file = "secrets.list";

struct needle {
    std::string text;
    std::string shown; // masked
};

std::string masked(const std::string& secret)
{
    const std::size_t keep = secret.size() >= 12 ? 3 : 2;
    return "\"" + secret.substr(0, keep) + "...\" (" + std::to_string(secret.size()) + " chars)";
}

std::string base64(const std::string& in)
{
    static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        for (int shift : {18, 12, 6, 0}) out += table[(v >> shift) & 63];
    }
    if (i < in.size()) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += i + 1 < in.size() ? table[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

// Each secret as given; a "user:password" pair also as its password alone and as the base64 of
// an Authorization: Basic header.
std::vector<needle> needles_from(const fs::path& list, std::size_t& too_short)
{
    std::set<std::string> secrets;
    std::ifstream in(list);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) secrets.insert(line);
    std::vector<needle> out;
    std::set<std::string> seen;
    auto add = [&](const std::string& text, const std::string& shown) {
        if (text.size() >= min_secret_length && seen.insert(text).second) out.push_back({text, shown});
    };
    for (const auto& s : secrets) {
        if (s.size() < min_secret_length) {
            ++too_short;
            continue;
        }
        add(s, masked(s));
        if (const auto colon = s.find(':'); colon != std::string::npos) {
            add(s.substr(colon + 1), "the password of " + masked(s));
            add(base64(s), "the base64 of " + masked(s));
        }
    }
    return out;
}

} // namespace

int main(int argc, char* argv[])
{
    if (argc != 3) {
        std::cerr << "usage: secret_leaks TRANSCRIPT_DIR built|not-built\n";
        return 2;
    }
    if (std::string(argv[2]) != "built") {
        std::cout << "the host suites are not built (-Dplugins=false or -Dhost=false): skipped\n";
        return 77;
    }
    const fs::path dir = argv[1];
    const fs::path last = dir.string() + ".last";
    if (!fs::is_directory(dir)) {
        std::cout << "FAIL: no " << dir.string() << ": no host suite ran before secret_leaks, nothing was checked\n";
        return 1;
    }

    std::size_t too_short = 0;
    const auto needles = needles_from(dir / secrets_file, too_short);
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_regular_file() && e.path().filename() != secrets_file) files.push_back(e.path());
    std::sort(files.begin(), files.end());

    int hits = 0;
    std::size_t lines = 0, bytes = 0;
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        std::size_t number = 0;
        for (std::string line; std::getline(in, line);) {
            ++number;
            ++lines;
            bytes += line.size() + 1;
            for (const auto& n : needles) {
                if (line.find(n.text) == std::string::npos) continue;
                if (++hits <= max_hits_shown)
                    std::cout << (last / file.filename()).string() << ":" << number << ": " << n.shown << "\n";
            }
        }
    }
    if (hits > max_hits_shown) std::cout << "... and " << hits - max_hits_shown << " more\n";

    std::cout << "secret_leaks: " << needles.size() << " secret strings (" << too_short << " secrets under "
              << min_secret_length << " chars ignored), " << files.size() << " transcripts, " << lines << " lines, "
              << bytes << " bytes: " << hits << " hit(s)\n";

    // The next run starts empty; this one stays readable beside it.
    std::error_code ec;
    fs::remove_all(last, ec);
    fs::rename(dir, last, ec);
    if (ec) std::cout << "could not move " << dir.string() << " to " << last.string() << ": " << ec.message() << "\n";

    if (files.empty()) {
        std::cout << "FAIL: no transcript: no host suite ran before secret_leaks, nothing was checked\n";
        return 1;
    }
    if (needles.empty()) {
        std::cout << "FAIL: no secret in " << secrets_file << ": the suites handed recoupd none, nothing was checked\n";
        return 1;
    }
    if (hits > 0) {
        std::cout << "FAIL: " << hits << " secret(s) found in logs or responses (transcripts kept in " << last.string()
                  << ")\n";
        return 1;
    }
    std::cout << "no secret in any log line or response body\n";
    return 0;
}
