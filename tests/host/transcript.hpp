// Transcripts for the secret_leaks test (tests/secret_leaks.cpp): what every recoupd process the
// host suites start writes on stdout and stderr, and every HTTP response the test clients receive,
// saved under $RECOUP_BUILD_ROOT/transcripts/, next to secrets.list, the secrets the suites hand to
// recoupd. http_harness.hpp calls this at its one place to spawn a process and its one place to
// read a response, so a new suite is covered without doing anything. Without RECOUP_BUILD_ROOT
// (a test binary run by hand) nothing is written.
#pragma once

#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace http_test::transcript {

namespace fs = std::filesystem;

// The directory, created on first use; empty when transcripts are off.
inline fs::path dir()
{
    const char* root = std::getenv("RECOUP_BUILD_ROOT");
    if (root == nullptr || *root == '\0') return {};
    fs::path d = fs::path(root) / "transcripts";
    std::error_code ec;
    fs::create_directories(d, ec);
    return d;
}

// Appends with one write(2) on an O_APPEND descriptor: records from parallel tests and threads
// do not interleave.
inline void append(const fs::path& file, std::string_view text)
{
    if (file.empty() || text.empty()) return;
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return;
    for (std::size_t done = 0; done < text.size();) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
}

// ---- secrets ----------------------------------------------------------------------------------

inline void note_secret(std::string_view secret)
{
    const auto d = dir();
    if (d.empty()) return;
    std::string lines;
    for (std::size_t start = 0; start < secret.size();) { // one secret a line (a secret file may hold several)
        auto end = secret.find('\n', start);
        if (end == std::string_view::npos) end = secret.size();
        auto line = secret.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty()) lines.append(line).append("\n");
        start = end + 1;
    }
    append(d / "secrets.list", lines);
}

// The password of a database URL ("postgresql://user:password@host/db"), if it has one.
inline void note_database_url(std::string_view url)
{
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos) return;
    const auto authority = url.substr(scheme + 3, url.find('/', scheme + 3) - (scheme + 3));
    const auto at = authority.rfind('@');
    if (at == std::string_view::npos) return;
    const auto colon = authority.find(':');
    if (colon < at && colon + 1 < at) note_secret(authority.substr(colon + 1, at - colon - 1));
}

// Every secret a recoupd command line or environment hands over: the values of --secret and
// --api-key, the contents behind --secret-file and --secret-env, database passwords, the master
// key and the admin token.
inline void note_secrets_of(const std::vector<std::string>& args)
{
    for (std::size_t i = 1; i + 1 < args.size(); ++i) {
        const auto& flag = args[i];
        const auto& value = args[i + 1];
        if (flag == "--secret" || flag == "--api-key" || flag == "--admin-token") note_secret(value);
        else if (flag == "--database") note_database_url(value);
        else if (flag == "--secret-env") {
            if (const char* v = std::getenv(value.c_str())) note_secret(v);
        } else if (flag == "--secret-file") {
            std::ifstream in(value, std::ios::binary);
            std::ostringstream text;
            text << in.rdbuf();
            note_secret(text.str());
        }
    }
    for (const char* name : {"RECOUP_MASTER_KEY", "RECOUP_ADMIN_TOKEN"})
        if (const char* v = std::getenv(name)) note_secret(v);
    for (const char* name : {"RECOUP_DATABASE_URL", "RECOUP_TEST_PG_URL"})
        if (const char* v = std::getenv(name)) note_database_url(v);
}

// ---- files ------------------------------------------------------------------------------------

inline std::string file_safe(std::string_view s)
{
    std::string out;
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                        c == '.' || c == '-';
        out += ok ? c : '_';
    }
    return out;
}

// "<test binary>-<backend>-<test case>": who started the process or received the response.
inline std::string label()
{
    namespace ut = boost::unit_test;
    std::string binary = "test", backend = "none", test_case = "no_case";
    const auto& suite = ut::framework::master_test_suite();
    if (suite.argc > 0) binary = fs::path(suite.argv[0]).filename().string();
    for (int i = 1; i < suite.argc; ++i)
        if (std::string_view(suite.argv[i]) == "sqlite" || std::string_view(suite.argv[i]) == "postgresql")
            backend = suite.argv[i];
    if (ut::framework::test_in_progress()) test_case = ut::framework::current_test_case().p_name;
    return file_safe(binary + "-" + backend + "-" + test_case);
}

// `recoupd demo-info` prints the secrets on stdout by design (the local demo shows them to their
// owner): its output is neither a log line nor a response body, so it is left out.
inline bool prints_secrets_by_design(const std::vector<std::string>& args)
{
    return args.size() > 1 && args[1] == "demo-info";
}

// The transcript file of one process: "<label>-<pid>.log".
inline fs::path process_file(const std::vector<std::string>& args, long pid)
{
    const auto d = dir();
    if (d.empty() || prints_secrets_by_design(args)) return {};
    const std::string program = args.empty() ? "" : fs::path(args[0]).filename().string();
    const std::string command = args.size() > 1 ? " " + args[1] : "";
    const auto file = d / (label() + "-" + std::to_string(pid) + ".log");
    append(file, "# stdout and stderr of " + program + command + " (pid " + std::to_string(pid) + ")\n");
    return file;
}

// A process whose output went to a file of the test's own: copied once it has exited.
inline std::map<long, std::pair<std::vector<std::string>, fs::path>>& pending_outputs()
{
    static std::map<long, std::pair<std::vector<std::string>, fs::path>> m;
    return m;
}
inline std::mutex& pending_mutex()
{
    static std::mutex m;
    return m;
}
inline void output_goes_to(long pid, const std::vector<std::string>& args, const fs::path& out)
{
    std::lock_guard lock(pending_mutex());
    pending_outputs()[pid] = {args, out};
}
inline void exited(long pid)
{
    std::pair<std::vector<std::string>, fs::path> entry;
    {
        std::lock_guard lock(pending_mutex());
        const auto it = pending_outputs().find(pid);
        if (it == pending_outputs().end()) return;
        entry = std::move(it->second);
        pending_outputs().erase(it);
    }
    std::ifstream in(entry.second, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    append(process_file(entry.first, pid), text.str());
}

// One response as the client received it: status line, headers, body.
inline void record_response(std::string_view method, std::string_view target, int status,
                            const std::vector<std::pair<std::string, std::string>>& headers, std::string_view body)
{
    const auto d = dir();
    if (d.empty()) return;
    std::string text = "# response to " + std::string(method) + " " +
                       std::string(target.substr(0, target.find('?'))) + "\nHTTP/1.1 " + std::to_string(status) + "\n";
    for (const auto& [name, value] : headers) text += name + ": " + value + "\n";
    text += "\n";
    text += body;
    text += "\n";
    append(d / (label() + "-" + std::to_string(::getpid()) + ".responses"), text);
}

} // namespace http_test::transcript
