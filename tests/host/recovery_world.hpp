// Shared by http_recovery_api and cli_events_reprocess: a world (tests/host/http_harness.hpp)
// with the admin token set, a Chargebee MCA in pro_2 too, deliveries built from the project's
// fixtures (tests/fixtures), and the seed of invoices the recovery API suites check against SQL.
#pragma once

#include "http_harness.hpp"

#include <boost/json.hpp>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace recovery_test {

using namespace http_test;
namespace json = boost::json;

inline const std::string admin_token = "admin_token_recovery_api";

struct admin_token_env {
    admin_token_env() { ::setenv("RECOUP_ADMIN_TOKEN", admin_token.c_str(), 1); }
    ~admin_token_env() { ::unsetenv("RECOUP_ADMIN_TOKEN"); }
};

// ---- deliveries ---------------------------------------------------------------------------------

// tests/fixtures/chargebee/payment_failed_card.json about `invoice` (EUR 3900), or its success.
inline std::string chargebee_event(const std::string& invoice, const std::string& event_id, const std::string& txn,
                                   bool failed = true)
{
    auto body = own_fixture("chargebee/payment_failed_card.json");
    body = replace_all(std::move(body), "\"ev_rc_PayFail0001\"", "\"" + event_id + "\"");
    body = replace_all(std::move(body), "inv_rc_2041", invoice);
    body = replace_all(std::move(body), "\"ch_rc_3QxFail002\"", "\"" + txn + "\"");
    body = replace_all(std::move(body), "\"txn_rc_Fail7Q2\"", "\"" + txn + "_t\"");
    if (!failed) {
        body = replace_all(std::move(body), "\"status\": \"failure\"", "\"status\": \"success\"");
        body = replace_all(std::move(body), "\"event_type\": \"payment_failed\"", "\"event_type\": \"payment_succeeded\"");
    }
    return body;
}

// tests/fixtures/stripe_billing/invoice.payment_failed.basil_payments.json about `invoice`.
inline std::string stripe_failure(const std::string& invoice, const std::string& event_id)
{
    auto body = own_fixture("stripe_billing/invoice.payment_failed.basil_payments.json");
    body = replace_all(std::move(body), "\"evt_RcSbFail0001\"", "\"" + event_id + "\"");
    body = replace_all(std::move(body), "in_RcSbInv0001", invoice);
    return replace_all(std::move(body), "\"pi_RcSbPay0001\"", "\"pi_" + invoice + "\"");
}

// ---- the world ----------------------------------------------------------------------------------

constexpr long long day_2 = 1767312000; // 2026-01-02T00:00:00Z
constexpr long long day_3 = 1767398400; // 2026-01-03T00:00:00Z

struct api_world {
    admin_token_env token;
    world w{backend_from_args()};

    api_world()
    {
        add_mca(w.db, "pro_2", {"mca_cb2", "chargebee", {std::string(world::chargebee_user) + ":" + world::chargebee_password}, "", "", {}});
    }

    reply get(const std::string& target, const std::string& token = admin_token, const std::string& method = "GET")
    {
        headers_t h;
        if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
        return send(w.host->port(), method, target, h);
    }
    // HEAD with the token: the status, and how many bytes followed the header (a body would).
    std::pair<int, std::size_t> head(const std::string& target)
    {
        boost::asio::io_context ioc;
        tcp::socket socket(ioc);
        socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), w.host->port()));
        const std::string bytes = "HEAD " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + admin_token +
                                  "\r\nConnection: close\r\n\r\n";
        boost::asio::write(socket, boost::asio::buffer(bytes));
        beast::flat_buffer buffer;
        bhttp::response_parser<bhttp::string_body> parser;
        parser.skip(true);
        bhttp::read(socket, buffer, parser);
        const int status = static_cast<int>(parser.get().result_int());
        boost::system::error_code ec;
        std::size_t extra = buffer.size();
        char rest[256];
        for (std::size_t n; (n = socket.read_some(boost::asio::buffer(rest), ec)) > 0 && !ec;) extra += n;
        return {status, extra};
    }

    json::value get_json(const std::string& target)
    {
        const auto r = get(target);
        BOOST_REQUIRE_MESSAGE(r.status == 200, target + " answered " + std::to_string(r.status) + ": " + r.body);
        return json::parse(r.body);
    }

    void deliver_chargebee(const std::string& invoice, bool then_succeed, const std::string& profile = "pro_1")
    {
        const auto mca = profile == "pro_1" ? "mca_chargebee" : "mca_cb2";
        const auto headers = chargebee_headers(world::chargebee_user, world::chargebee_password);
        BOOST_REQUIRE(w.host->post(webhook_path(profile, mca), headers,
                                   chargebee_event(invoice, "ev_f_" + invoice, "ch_f_" + invoice)).status == 200);
        if (then_succeed)
            BOOST_REQUIRE(w.host->post(webhook_path(profile, mca), headers,
                                       chargebee_event(invoice, "ev_s_" + invoice, "ch_s_" + invoice, false)).status == 200);
    }

    std::string payment_of(const std::string& invoice)
    {
        return w.db.text("SELECT id FROM payment_intent WHERE merchant_reference_id = '" + invoice + "'");
    }
    void exec(const std::string& statement) { w.db.sql() << statement; }

    // inv_c1..inv_c5 (Chargebee, pro_1; c1 and c2 paid by the platform, c3 by our retry),
    // in_s1, in_s2 (Stripe Billing, pro_1), inv_p2 (Chargebee, pro_2).
    void seed()
    {
        for (const auto* inv : {"inv_c1", "inv_c2"}) deliver_chargebee(inv, true);
        for (const auto* inv : {"inv_c3", "inv_c4", "inv_c5"}) deliver_chargebee(inv, false);
        for (const auto* inv : {"in_s1", "in_s2"}) BOOST_REQUIRE(w.stripe(stripe_failure(inv, std::string("evt_") + inv)).status == 200);
        deliver_chargebee("inv_p2", false, "pro_2");

        const std::pair<const char*, long long> created[] = {{"inv_c1", 1000}, {"inv_c2", 2000}, {"inv_c3", 3000},
                                                             {"inv_c4", 3000}, {"inv_c5", 3000}, {"in_s1", 4000},
                                                             {"in_s2", 5000}, {"inv_p2", 2500}};
        for (const auto& [inv, at] : created)
            exec("UPDATE payment_intent SET created_at = " + std::to_string(at) + " WHERE merchant_reference_id = '" + inv + "'");
        auto set_class = [&](const char* inv, const char* cls) {
            exec("UPDATE payment_attempt SET decline_class = '" + std::string(cls) + "' WHERE status = 'failure' AND payment_id = '" +
                 payment_of(inv) + "'");
        };
        for (const auto* inv : {"inv_c1", "inv_c2", "inv_c3"}) set_class(inv, "soft");
        set_class("in_s1", "hard");
        // inv_c3: our retry charged it.
        const auto c3 = payment_of("inv_c3");
        exec("INSERT INTO payment_attempt (id, payment_id, status, amount, currency, connector_payment_id, triggered_by, "
             "created_at, modified_at) VALUES ('att_c3_internal', '" + c3 + "', 'charged', 3900, 'EUR', 'sim_c3', "
             "'internal', " + std::to_string(day_3) + ", " + std::to_string(day_3) + ")");
        exec("UPDATE payment_intent SET status = 'succeeded' WHERE id = '" + c3 + "'");
        exec("UPDATE payment_attempt SET modified_at = " + std::to_string(day_2) + " WHERE status = 'charged' AND payment_id = '" +
             payment_of("inv_c1") + "'");
        exec("UPDATE payment_attempt SET modified_at = " + std::to_string(day_2 + 3600) +
             " WHERE status = 'charged' AND payment_id = '" + payment_of("inv_c2") + "'");
    }

    // The payment ids an SQL query's first column names.
    std::set<std::string> ids(const std::string& query)
    {
        std::set<std::string> out;
        soci::rowset<std::string> rows = (w.db.sql().prepare << query);
        for (const auto& id : rows) out.insert(id);
        return out;
    }
};

inline std::int64_t number(const json::value& v, std::string_view key) { return v.at(key).to_number<std::int64_t>(); }

} // namespace recovery_test
