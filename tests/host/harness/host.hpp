// HTTP suites' harness (tests/host/http_harness.hpp): the recoupd CLI and `recoupd serve` against a
// test database, signed webhook headers, and a test's world.
#pragma once

#include "database.hpp"
#include "environment.hpp"
#include "http_client.hpp"
#include "process.hpp"

#include <recoup/signature.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace http_test {

inline void set_master_key()
{
    ::setenv("RECOUP_MASTER_KEY", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 1);
}

// recoupd CLI against the test database; fails the test on a non-zero exit.
inline std::string recoupd_cli(const test_database& db, std::vector<std::string> args)
{
    args.insert(args.begin(), recoupd_path());
    args.push_back("--database");
    args.push_back(db.url());
    auto r = run_command(args);
    BOOST_REQUIRE_MESSAGE(r.status == 0, "recoupd " + args[1] + " failed: " + r.output);
    return r.output;
}

struct mca_spec {
    std::string id;
    std::string connector;
    std::vector<std::string> secrets;
    std::string api_key;
    std::string base_url;
    std::vector<std::string> settings; // key=value
};

inline void add_mca(const test_database& db, const std::string& profile, const mca_spec& m)
{
    std::vector<std::string> args{"mca", "add", "--profile", profile, "--id", m.id, "--connector", m.connector,
                                  "--plugin-dir", plugin_dir()};
    for (const auto& s : m.secrets) args.insert(args.end(), {"--secret", s});
    if (!m.api_key.empty()) args.insert(args.end(), {"--api-key", m.api_key});
    if (!m.base_url.empty()) args.insert(args.end(), {"--base-url", m.base_url});
    for (const auto& s : m.settings) args.insert(args.end(), {"--setting", s});
    recoupd_cli(db, args);
}

// `recoupd serve` on a free port of 127.0.0.1.
class server {
public:
    server(const test_database& db, std::vector<std::string> extra = {})
    {
        std::vector<std::string> args{recoupd_path(), "serve", "--listen", "127.0.0.1:0", "--database", db.url(),
                                      "--plugin-dir", plugin_dir(), "--threads", "4"};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto registered = serve_flags_from_args();
        args.insert(args.end(), registered.begin(), registered.end());
        process_ = std::make_unique<child>(args);
        auto line = process_->wait_for_line("listening on ");
        BOOST_REQUIRE_MESSAGE(line, "recoupd serve did not start:\n" + process_->output());
        port_ = static_cast<unsigned short>(std::stoi(line->substr(line->rfind(':') + 1)));
    }

    unsigned short port() const { return port_; }
    child& process() { return *process_; }
    void kill_now() { process_->kill_now(); }

    reply post(const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers,
               const std::string& body)
    {
        return send(port_, "POST", target, headers, body);
    }
    reply get(const std::string& target) { return send(port_, "GET", target); }

private:
    std::unique_ptr<child> process_;
    unsigned short port_ = 0;
};

inline std::string webhook_path(const std::string& profile, const std::string& mca)
{
    return "/v2/webhooks/revenue_recovery/" + profile + "/" + mca;
}

using headers_t = std::vector<std::pair<std::string, std::string>>;

inline headers_t stripe_headers(const std::string& body, const std::string& secret)
{
    return {{"Stripe-Signature", recoup::sign_stripe(body, secret, recoup::system_clock{}.now())},
            {"Content-Type", "application/json"}};
}
inline headers_t recurly_headers(const std::string& body, const std::string& secret)
{
    return {{"recurly-signature", recoup::sign_recurly(body, secret, recoup::system_clock{}.now())},
            {"Content-Type", "application/json"}};
}
inline headers_t chargebee_headers(const std::string& user, const std::string& password)
{
    return {{"Authorization", recoup::basic_auth_value(user, password)}, {"Content-Type", "application/json"}};
}

// A test's world: its database migrated, profile "pro_1" with one MCA per bundled connector,
// and a running server.
// The JSON log line the server wrote for a webhook reply (found by its X-Request-Id).
inline std::string log_line_of(server& host, const reply& r)
{
    const auto id = r.header("X-Request-Id");
    BOOST_REQUIRE(!id.empty());
    const auto line = host.process().wait_for_line("{\"request_id\":\"" + id + "\"");
    BOOST_REQUIRE_MESSAGE(line, "no log line for request " + id);
    return *line;
}

struct world {
    static constexpr const char* stripe_secret = "whsec_test_stripe_secret";
    static constexpr const char* recurly_secret = "recurly_test_secret";
    static constexpr const char* chargebee_user = "cb_user";
    static constexpr const char* chargebee_password = "cb_password";

    test_database db;
    std::unique_ptr<server> host;

    explicit world(backend b, std::vector<mca_spec> extra_mcas = {}, std::vector<std::string> server_args = {})
        : db(b)
    {
        set_master_key();
        recoupd_cli(db, {"migrate", "up"});
        recoupd_cli(db, {"profile", "add", "--id", "pro_1"});
        recoupd_cli(db, {"profile", "add", "--id", "pro_2"});
        add_mca(db, "pro_1", {"mca_stripe", "stripe_billing", {stripe_secret}, "", "", {}});
        add_mca(db, "pro_1", {"mca_chargebee", "chargebee", {std::string(chargebee_user) + ":" + chargebee_password}, "", "", {}});
        for (const auto& m : extra_mcas) add_mca(db, "pro_1", m);
        host = std::make_unique<server>(db, server_args);
    }

    reply stripe(const std::string& body)
    {
        return host->post(webhook_path("pro_1", "mca_stripe"), stripe_headers(body, stripe_secret), body);
    }
    reply chargebee(const std::string& body)
    {
        return host->post(webhook_path("pro_1", "mca_chargebee"), chargebee_headers(chargebee_user, chargebee_password), body);
    }

    long long rows(const std::string& table) { return db.count("SELECT COUNT(*) FROM " + table); }
    // Rows written by webhooks: everything but the profiles and MCAs.
    long long written()
    {
        return rows("payment_intent") + rows("payment_attempt") + rows("process_tracker") + rows("webhook_event") +
               rows("webhook_delivery");
    }
};

} // namespace http_test
