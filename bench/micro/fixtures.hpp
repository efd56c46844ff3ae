// bench/micro: the deliveries the microbenchmarks replay. Each fixture file of a connector (the
// project's tests/fixtures/<name>, and ../shared/fixtures when present) becomes a request signed
// for now the way the platform signs it, with the MCA it verifies under.
#pragma once

#include <recoup/clock.hpp>
#include <recoup/connector.hpp>
#include <recoup/signature.hpp>
#include <recoup/webhook_request.hpp>

#include <boost/json/object.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace recoup_bench {

inline constexpr int max_sync_rounds = 5;

// Owns what an mca_config points into.
struct account {
    std::vector<std::string> secrets;
    std::string api_key;
    boost::json::object settings;
    recoup::mca_config config() const { return {secrets, api_key, &settings}; }
};

inline account account_for(const std::string& connector)
{
    if (connector == "chargebee") return {{"bench_user:bench_password"}, "cb_bench_key", {}};
    if (connector == "recurly") return {{"rq_whsec_bench"}, "rq_bench_key", {}};
    return {{"whsec_bench"}, "", {}};
}

struct delivery {
    std::string fixture;              // "own/<file>" or "shared/<file>"
    recoup::owned_request request;
    recoup::time_point now;
    std::vector<std::pair<std::string, recoup::http_response>> answers; // path prefix -> sync answer

    const recoup::http_response* answer_for(const recoup::outbound_request& r) const
    {
        for (const auto& [prefix, response] : answers)
            if (r.path.rfind(prefix, 0) == 0) return &response;
        return nullptr;
    }
};

inline std::filesystem::path env_or(const char* name, const char* fallback)
{
    const char* v = std::getenv(name);
    return v != nullptr ? v : fallback;
}

inline std::filesystem::path own_fixtures() { return env_or("RECOUP_BENCH_FIXTURES", RECOUP_BENCH_DEFAULT_FIXTURES); }
inline std::filesystem::path shared_fixtures()
{
    return env_or("RECOUP_BENCH_SHARED_FIXTURES", RECOUP_BENCH_DEFAULT_SHARED_FIXTURES);
}
inline std::filesystem::path plugin_dir() { return env_or("RECOUP_BENCH_PLUGIN_DIR", RECOUP_BENCH_DEFAULT_PLUGIN_DIR); }

inline std::string read_file(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The headers that authenticate `body` for the connector's account at `now`.
inline std::vector<std::pair<std::string, std::string>> sign(const std::string& connector, const account& acc,
                                                             const std::string& body, recoup::time_point now)
{
    const auto& secret = acc.secrets.front();
    if (connector == "stripe_billing") return {{"Stripe-Signature", recoup::sign_stripe(body, secret, now)}};
    if (connector == "recurly") return {{"recurly-signature", recoup::sign_recurly(body, secret, now)}};
    if (connector == "chargebee") {
        const auto colon = secret.find(':');
        return {{"Authorization", recoup::basic_auth_value(secret.substr(0, colon), secret.substr(colon + 1))}};
    }
    std::vector<std::pair<std::string, std::string>> out;
    for (auto& h : recoup::sign_hmac(recoup::paddle_scheme, body, secret, now)) out.emplace_back(h.name, h.value);
    return out;
}

// The project's fixtures that are a platform API's answers to a sync call, not deliveries.
inline bool is_sync_answer(const std::string& connector, const std::string& origin, const std::string& stem)
{
    if (origin != "own") return false;
    if (connector == "recurly") return stem.rfind("invoice_", 0) == 0 || stem.rfind("transaction_", 0) == 0;
    if (connector == "stripe_billing") return stem.rfind("charge.ch_", 0) == 0;
    return false;
}

// Every *.json of the connector's fixture directories that is a delivery, in name order, signed
// for now.
inline std::vector<delivery> deliveries(const std::string& connector)
{
    const std::vector<std::pair<std::string, std::filesystem::path>> dirs{
        {"own", own_fixtures() / connector},
        {"shared", shared_fixtures() / (connector == "stripe_billing" ? "stripe" : connector)}};
    const auto acc = account_for(connector);
    const auto now = recoup::system_clock{}.now();
    std::vector<delivery> out;
    for (const auto& [origin, dir] : dirs) {
        std::error_code ec;
        if (!std::filesystem::is_directory(dir, ec)) continue;
        std::vector<std::filesystem::path> files;
        for (const auto& e : std::filesystem::directory_iterator(dir))
            if (e.path().extension() == ".json" && !is_sync_answer(connector, origin, e.path().stem().string()))
                files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            delivery d;
            d.fixture = origin + "/" + f.stem().string();
            d.now = now;
            d.request.path = "/v2/webhooks/revenue_recovery/pro_bench/mca_bench";
            d.request.body = read_file(f);
            d.request.headers = sign(connector, acc, d.request.body, now);
            d.request.headers.insert(d.request.headers.begin(), {"Content-Type", "application/json"});
            if (connector == "recurly") {
                d.answers = {{"/transactions/", {200, {}, read_file(own_fixtures() / "recurly" / "transaction_declined.json")}},
                             {"/invoices/", {200, {}, read_file(own_fixtures() / "recurly" / "invoice_with_balance.json")}}};
            }
            out.push_back(std::move(d));
        }
    }
    return out;
}

} // namespace recoup_bench
