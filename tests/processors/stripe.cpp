#include "stripe/processor.hpp"
#define BOOST_TEST_MODULE processor_stripe
#include <boost/test/unit_test.hpp>

#include "../support/test_support.hpp"

#include <recoup/plugin/loader.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using recoup::charge_request;
using recoup::charge_result;
using recoup::charge_status;
using recoup::decline_kind;
using recoup::error;
using recoup::http_header;
using recoup::http_response;
using recoup::outbound_request;
using recoup::status_request;
using recoup::processors::stripe::processor;

namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using headers_t = std::vector<http_header>;
using form_t = std::vector<std::pair<std::string, std::string>>;

const processor stripe;
const std::string api_key = "sk_test_recoup_fake";

recoup::mca_config account(std::string_view key = api_key)
{
    recoup::mca_config m;
    m.api_key = key;
    return m;
}

charge_request charge(std::string token = "pm_card_visa", std::string key = "pay_1:att_1")
{
    charge_request c;
    c.payment_id = "pay_1";
    c.attempt_id = "att_1";
    c.amount = 1999;
    c.currency = *recoup::find_currency("USD");
    c.payment_method_token = std::move(token);
    c.customer_id = "cus_123";
    c.idempotency_key = std::move(key);
    c.description = "Invoice in_1 & retry=2 \xC3\xBC"; // a space, '&', '=' and a UTF-8 letter
    return c;
}

const std::string full_body = "amount=1999&currency=usd&payment_method=pm_card_visa&customer=cus_123"
                              "&confirm=true&off_session=true"
                              "&description=Invoice%20in_1%20%26%20retry%3D2%20%C3%BC"
                              "&metadata[payment_id]=pay_1&metadata[attempt_id]=att_1";

std::string json_of(const charge_result& r) { return boost::json::serialize(boost::json::value_from(r)); }

int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    throw std::runtime_error("bad percent-encoding");
}

std::string form_decode(std::string_view s)
{
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') out.push_back(' ');
        else if (s[i] != '%') out.push_back(s[i]);
        else {
            if (i + 2 >= s.size()) throw std::runtime_error("truncated escape");
            out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
            i += 2;
        }
    }
    return out;
}

// application/x-www-form-urlencoded, as a server reads it.
form_t parse_form(std::string_view body)
{
    form_t out;
    while (!body.empty()) {
        const auto amp = body.find('&');
        const auto pair = body.substr(0, amp);
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos) throw std::runtime_error("form field without '='");
        out.emplace_back(form_decode(pair.substr(0, eq)), form_decode(pair.substr(eq + 1)));
        body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    }
    return out;
}

std::string form_value(const form_t& form, std::string_view key)
{
    for (const auto& [k, v] : form)
        if (k == key) return v;
    return {};
}

charge_result parsed(const recoup::result<charge_result>& r)
{
    BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error().what()));
    return *r;
}

void expect_result(const charge_result& r, charge_status status, std::optional<decline_kind> decline,
                   std::optional<std::string> code, std::optional<std::string> transaction)
{
    BOOST_TEST((r.status == status), "status " << recoup::to_string(r.status));
    BOOST_TEST((r.decline == decline));
    BOOST_TEST((r.error_code == code), "error_code " << r.error_code.value_or("<none>"));
    BOOST_TEST((r.processor_transaction_id == transaction),
               "processor_transaction_id " << r.processor_transaction_id.value_or("<none>"));
}

std::string intent_json(std::string_view id, std::string_view status, std::string_view extra = "")
{
    return R"({"id":")" + std::string(id) + R"(","object":"payment_intent","amount":1999,"currency":"usd","status":")" +
           std::string(status) + "\"" + std::string(extra) + "}";
}

std::string card_error_json(std::string_view code, std::optional<std::string_view> decline_code,
                            std::string_view intent_id)
{
    std::string e = R"({"error":{"type":"card_error","code":")" + std::string(code) + "\"";
    if (decline_code) e += R"(,"decline_code":")" + std::string(*decline_code) + "\"";
    e += R"(,"message":"Your card was declined.","payment_intent":)" +
         intent_json(intent_id, "requires_payment_method") + "}}";
    return e;
}

std::string api_error_json(std::string_view type, std::string_view code, std::string_view message)
{
    return R"({"error":{"type":")" + std::string(type) + R"(","code":")" + std::string(code) +
           R"(","message":")" + std::string(message) + R"("}})";
}

// ---------------------------------------------------------------------------------------------
// A loopback fake of Stripe's PaymentIntents API: a synchronous Beast server on 127.0.0.1:0 in a
// thread. It checks the API key, honours Idempotency-Key like Stripe (a repeated key replays the
// first answer), decides the outcome by payment_method, settles a processing intent when it is
// polled, and records every request it receives.

struct recorded_request {
    std::string method;
    std::string target;
    headers_t headers; // in wire order
    std::string body;
};

class fake_stripe {
public:
    fake_stripe()
        : acceptor_(ioc_, {net::ip::address_v4::loopback(), 0}), port_(acceptor_.local_endpoint().port()),
          thread_([this] { run(); })
    {
    }

    ~fake_stripe()
    {
        stopping_ = true;
        boost::system::error_code ec;
        tcp::socket wake(ioc_);
        wake.connect({net::ip::address_v4::loopback(), port()}, ec); // unblocks accept()
        thread_.join();
    }

    fake_stripe(const fake_stripe&) = delete;
    fake_stripe& operator=(const fake_stripe&) = delete;

    unsigned short port() const { return port_; }

    std::vector<recorded_request> requests() const
    {
        std::lock_guard lock(mutex_);
        return requests_;
    }

    int intents_created() const
    {
        std::lock_guard lock(mutex_);
        return static_cast<int>(intents_.size());
    }

private:
    using response_t = bhttp::response<bhttp::string_body>;

    void run()
    {
        while (!stopping_) {
            tcp::socket socket(ioc_);
            boost::system::error_code ec;
            acceptor_.accept(socket, ec);
            if (ec || stopping_) return;
            serve(socket);
        }
    }

    void serve(tcp::socket& socket)
    {
        beast::flat_buffer buffer;
        for (;;) {
            bhttp::request_parser<bhttp::string_body> parser;
            parser.body_limit(1 << 20);
            boost::system::error_code ec;
            bhttp::read(socket, buffer, parser, ec);
            if (ec) return; // the client closed the connection
            const auto& req = parser.get();
            recorded_request r{std::string(req.method_string()), std::string(req.target()), {}, req.body()};
            for (const auto& f : req) r.headers.push_back({std::string(f.name_string()), std::string(f.value())});
            response_t res;
            {
                std::lock_guard lock(mutex_);
                requests_.push_back(r);
                res = answer(r);
                res.set("Request-Id", "req_fake_" + std::to_string(requests_.size()));
            }
            res.version(11);
            res.set(bhttp::field::content_type, "application/json");
            res.keep_alive(req.keep_alive());
            res.prepare_payload();
            bhttp::write(socket, res, ec);
            if (ec || !res.keep_alive()) return;
        }
    }

    static std::string header(const recorded_request& r, std::string_view name)
    {
        for (const auto& h : r.headers)
            if (recoup::iequals(h.name, name)) return h.value;
        return {};
    }

    static response_t reply(unsigned status, std::string body)
    {
        response_t res;
        res.result(status);
        res.body() = std::move(body);
        return res;
    }

    response_t answer(const recorded_request& r)
    {
        if (header(r, "Authorization") != "Bearer " + api_key)
            return reply(401, api_error_json("invalid_request_error", "api_key_invalid", "Invalid API Key provided"));
        if (r.method == "POST" && r.target == "/v1/payment_intents") {
            const auto key = header(r, "Idempotency-Key");
            if (auto seen = replays_.find(key); !key.empty() && seen != replays_.end()) {
                auto res = seen->second;
                res.set("Idempotent-Replayed", "true");
                return res;
            }
            auto res = create(parse_form(r.body));
            if (!key.empty() && res.result_int() != 500) replays_.emplace(key, res); // Stripe does not replay 500s
            return res;
        }
        const std::string prefix = "/v1/payment_intents/";
        if (r.method == "GET" && r.target.starts_with(prefix)) {
            const auto it = intents_.find(r.target.substr(prefix.size()));
            if (it == intents_.end())
                return reply(404, api_error_json("invalid_request_error", "resource_missing", "No such payment_intent"));
            if (it->second == "processing") it->second = "succeeded"; // the network answered meanwhile
            return reply(200, intent_json(it->first, it->second));
        }
        return reply(404, api_error_json("invalid_request_error", "resource_missing", "Unrecognized request URL"));
    }

    response_t create(const form_t& form)
    {
        if (form_value(form, "confirm") != "true" || form_value(form, "off_session") != "true")
            return reply(400, api_error_json("invalid_request_error", "parameter_missing", "confirm off-session"));
        const auto pm = form_value(form, "payment_method");
        if (pm == "pm_fake_outage") return reply(500, api_error_json("api_error", "", "Something went wrong"));
        if (pm == "pm_missing")
            return reply(400, api_error_json("invalid_request_error", "resource_missing", "No such PaymentMethod"));
        const std::string id = "pi_fake_" + std::to_string(intents_.size() + 1);
        auto declined = [&](std::string_view code, std::optional<std::string_view> decline_code) {
            intents_[id] = "requires_payment_method";
            return reply(402, card_error_json(code, decline_code, id));
        };
        if (pm == "pm_card_chargeDeclinedInsufficientFunds") return declined("card_declined", "insufficient_funds");
        if (pm == "pm_card_chargeDeclinedStolenCard") return declined("card_declined", "stolen_card");
        if (pm == "pm_card_chargeDeclinedExpiredCard") return declined("expired_card", std::nullopt);
        intents_[id] = pm == "pm_fake_processing" ? "processing" : "succeeded";
        return reply(200, intent_json(id, intents_[id]));
    }

    net::io_context ioc_;
    tcp::acceptor acceptor_;
    unsigned short port_;
    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;
    std::vector<recorded_request> requests_;
    std::map<std::string, std::string> intents_;     // id -> status
    std::map<std::string, response_t> replays_;      // Idempotency-Key -> first answer
    std::thread thread_; // last: starts once everything above exists
};

// A tiny Beast client: performs an outbound_request the way the host does, over loopback.
http_response perform(unsigned short port, const outbound_request& r)
{
    net::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect({net::ip::address_v4::loopback(), port});
    bhttp::request<bhttp::string_body> req;
    req.method_string(r.method);
    req.target(r.path);
    req.version(11);
    req.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port));
    for (const auto& h : r.headers) req.insert(h.name, h.value);
    req.body() = r.body;
    req.prepare_payload();
    bhttp::write(socket, req);
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(socket, buffer, res);
    boost::system::error_code ec;
    socket.shutdown(tcp::socket::shutdown_both, ec);
    http_response out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) out.headers.push_back({std::string(f.name_string()), std::string(f.value())});
    out.body = res.body();
    return out;
}

// What the processor put on the wire: the recorded headers without the transport's own.
headers_t application_headers(const recorded_request& r)
{
    headers_t out;
    for (const auto& h : r.headers)
        if (!recoup::iequals(h.name, "Host") && !recoup::iequals(h.name, "Content-Length")) out.push_back(h);
    return out;
}

std::string printable(const headers_t& headers)
{
    std::string out;
    for (const auto& h : headers) out += h.name + ": " + h.value + "\n";
    return out;
}

recoup::plugin::dynamic_processor load_plugin()
{
    auto loaded = recoup::plugin::load_processor(recoup_test::bundled_plugin("stripe"));
    if (!loaded) throw std::runtime_error(loaded.error().what());
    return std::move(*loaded);
}

// build_charge -> the fake -> parse_charge, checking the exact request on the way.
template <class P>
recoup::result<charge_result> charge_over_loopback(const P& p, fake_stripe& fake, const charge_request& c,
                                                   const recoup::mca_config& mca = account())
{
    auto step = p.build_charge(c, mca);
    BOOST_TEST_REQUIRE(step.has_value(), (step ? "" : step.error().what()));
    BOOST_TEST_REQUIRE(step->request.has_value());
    BOOST_TEST(!step->result.has_value());
    const auto before = fake.requests().size();
    const auto response = perform(fake.port(), *step->request);
    const auto seen = fake.requests();
    BOOST_TEST_REQUIRE(seen.size() == before + 1);
    const auto& r = seen.back();
    BOOST_TEST(r.method == "POST");
    BOOST_TEST(r.target == "/v1/payment_intents");
    const headers_t expected{{"Authorization", "Bearer " + std::string(mca.api_key)},
                             {"Content-Type", "application/x-www-form-urlencoded"},
                             {"Idempotency-Key", c.idempotency_key}};
    BOOST_TEST((application_headers(r) == expected), printable(application_headers(r)));
    BOOST_TEST(r.body == step->request->body);
    const auto form = parse_form(r.body);
    BOOST_TEST(form_value(form, "payment_method") == c.payment_method_token);
    BOOST_TEST(form_value(form, "metadata[attempt_id]") == c.attempt_id);
    return p.parse_charge(c, response);
}

template <class P>
recoup::result<charge_result> status_over_loopback(const P& p, fake_stripe& fake, const status_request& s)
{
    auto step = p.build_status(s, account());
    BOOST_TEST_REQUIRE(step.has_value(), (step ? "" : step.error().what()));
    BOOST_TEST_REQUIRE(step->request.has_value());
    const auto response = perform(fake.port(), *step->request);
    const auto r = fake.requests().back();
    BOOST_TEST(r.method == "GET");
    BOOST_TEST(r.target == "/v1/payment_intents/" + s.processor_transaction_id);
    const headers_t expected{{"Authorization", "Bearer " + api_key}};
    BOOST_TEST((application_headers(r) == expected), printable(application_headers(r)));
    BOOST_TEST(r.body.empty());
    return p.parse_status(s, response);
}

template <class P>
void check_loopback_outcomes(const P& p)
{
    fake_stripe fake;

    // succeeded, with the whole form as Stripe reads it
    auto r = parsed(charge_over_loopback(p, fake, charge()));
    expect_result(r, charge_status::succeeded, std::nullopt, std::nullopt, "pi_fake_1");
    BOOST_TEST(fake.requests().back().body == full_body);
    const form_t expected_form{{"amount", "1999"},
                               {"currency", "usd"},
                               {"payment_method", "pm_card_visa"},
                               {"customer", "cus_123"},
                               {"confirm", "true"},
                               {"off_session", "true"},
                               {"description", "Invoice in_1 & retry=2 \xC3\xBC"},
                               {"metadata[payment_id]", "pay_1"},
                               {"metadata[attempt_id]", "att_1"}};
    BOOST_TEST((parse_form(fake.requests().back().body) == expected_form));

    // 402 card_error: soft and hard by decline_code, hard by code when there is none
    r = parsed(charge_over_loopback(p, fake, charge("pm_card_chargeDeclinedInsufficientFunds", "k2")));
    expect_result(r, charge_status::failed, decline_kind::soft, "insufficient_funds", "pi_fake_2");
    BOOST_TEST((r.error_message == "Your card was declined."));
    r = parsed(charge_over_loopback(p, fake, charge("pm_card_chargeDeclinedStolenCard", "k3")));
    expect_result(r, charge_status::failed, decline_kind::hard, "stolen_card", "pi_fake_3");
    r = parsed(charge_over_loopback(p, fake, charge("pm_card_chargeDeclinedExpiredCard", "k4")));
    expect_result(r, charge_status::failed, decline_kind::hard, "expired_card", "pi_fake_4");

    // processing -> pending, then the status sync finds it succeeded
    const auto c = charge("pm_fake_processing", "k5");
    r = parsed(charge_over_loopback(p, fake, c));
    expect_result(r, charge_status::pending, std::nullopt, std::nullopt, "pi_fake_5");
    const status_request s{"pi_fake_5", c};
    r = parsed(status_over_loopback(p, fake, s));
    expect_result(r, charge_status::succeeded, std::nullopt, std::nullopt, "pi_fake_5");

    // Stripe refused the request itself: nothing was charged, and asking again cannot help
    r = parsed(charge_over_loopback(p, fake, charge("pm_missing", "k6")));
    expect_result(r, charge_status::failed, decline_kind::hard, "resource_missing", std::nullopt);
    BOOST_TEST(fake.intents_created() == 5);
}

template <class P>
void check_loopback_errors(const P& p)
{
    fake_stripe fake;
    // A wrong key or an outage says nothing about the card: an error, never a decline.
    EXPECT_FAILURE(charge_over_loopback(p, fake, charge(), account("sk_test_wrong")), error::sync_response_failed,
                   "/v1/payment_intents");
    const auto outage = charge_over_loopback(p, fake, charge("pm_fake_outage", "k-outage"));
    EXPECT_FAILURE(outage, error::sync_response_failed, "/v1/payment_intents");
    BOOST_TEST(outage.error().detail.find("HTTP 500 (api_error: Something went wrong)") != std::string::npos,
               outage.error().detail);
    // A poll of an intent Stripe does not know: an error as well
    EXPECT_FAILURE(status_over_loopback(p, fake, status_request{"pi_unknown", charge()}), error::sync_response_failed,
                   "/v1/payment_intents/pi_unknown");
    BOOST_TEST(fake.intents_created() == 0);
}

// A retry of the same attempt (a crash between charge and record) sends the same key: Stripe
// replays its answer and charges once.
template <class P>
void check_loopback_idempotent_retry(const P& p)
{
    fake_stripe fake;
    const auto first = parsed(charge_over_loopback(p, fake, charge("pm_card_visa", "pay_9:att_3")));
    const auto again = parsed(charge_over_loopback(p, fake, charge("pm_card_visa", "pay_9:att_3")));
    BOOST_TEST(json_of(first) == json_of(again));
    BOOST_TEST(fake.intents_created() == 1);
    const auto requests = fake.requests();
    BOOST_TEST_REQUIRE(requests.size() == 2u);
    BOOST_TEST(requests[0].body == requests[1].body);
    BOOST_TEST((application_headers(requests[0]) == application_headers(requests[1])));
}

} // namespace

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(build)

BOOST_AUTO_TEST_CASE(charge_request_is_exact)
{
    const auto step = stripe.build_charge(charge(), account());
    BOOST_TEST_REQUIRE(step.has_value(), (step ? "" : step.error().what()));
    BOOST_TEST(!step->result.has_value());
    BOOST_TEST_REQUIRE(step->request.has_value());
    const outbound_request expected{"POST",
                                    "/v1/payment_intents",
                                    {{"Authorization", "Bearer sk_test_recoup_fake"},
                                     {"Content-Type", "application/x-www-form-urlencoded"},
                                     {"Idempotency-Key", "pay_1:att_1"}},
                                    full_body};
    BOOST_TEST((*step->request == expected), step->request->body);
}

BOOST_AUTO_TEST_CASE(optional_fields_are_left_out)
{
    auto c = charge("pm_1Q0PsIJvEtkwdCNYMSaVuRz6", "idem/key with spaces");
    c.customer_id.reset();
    c.description.reset();
    c.currency = *recoup::find_currency("EUR");
    const auto step = stripe.build_charge(c, account());
    BOOST_TEST_REQUIRE(step.has_value());
    BOOST_TEST(step->request->body == "amount=1999&currency=eur&payment_method=pm_1Q0PsIJvEtkwdCNYMSaVuRz6"
                                      "&confirm=true&off_session=true&metadata[payment_id]=pay_1"
                                      "&metadata[attempt_id]=att_1");
    BOOST_TEST(step->request->headers.back().value == "idem/key with spaces"); // a header, not a form field
}

BOOST_AUTO_TEST_CASE(amount_in_stripe_units)
{
    using recoup::processors::stripe::stripe_amount;
    auto in = [](std::int64_t minor, const char* code) {
        const auto r = stripe_amount(minor, *recoup::find_currency(code));
        BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error().what()));
        return *r;
    };
    BOOST_TEST(in(1999, "USD") == 1999);
    BOOST_TEST(in(500, "JPY") == 500);
    BOOST_TEST(in(5120, "BHD") == 5120);
    BOOST_TEST(in(500, "ISK") == 50000); // two-decimal at Stripe, zero-decimal in ISO 4217
    BOOST_TEST(in(3700, "UGX") == 370000);
    BOOST_TEST(in(150000, "MGA") == 1500); // the reverse
    EXPECT_FAILURE(stripe_amount(150050, *recoup::find_currency("MGA")), error::amount_out_of_range, "amount");
    EXPECT_FAILURE(stripe_amount(std::numeric_limits<std::int64_t>::max() / 10, *recoup::find_currency("ISK")),
                   error::amount_out_of_range, "amount");

    auto c = charge();
    c.currency = *recoup::find_currency("ISK");
    c.amount = 500;
    const auto step = stripe.build_charge(c, account());
    BOOST_TEST_REQUIRE(step.has_value());
    BOOST_TEST(step->request->body.starts_with("amount=50000&currency=isk&"));
}

BOOST_AUTO_TEST_CASE(charge_needs_key_token_amount_and_api_key)
{
    EXPECT_FAILURE(stripe.build_charge(charge(), account("")), error::no_secret_configured, "api_key");
    EXPECT_FAILURE(stripe.build_charge(charge("pm_card_visa", ""), account()), error::missing_field, "idempotency_key");
    EXPECT_FAILURE(stripe.build_charge(charge(""), account()), error::missing_field, "payment_method_token");
    EXPECT_FAILURE(stripe.build_charge(charge("pm_card_visa", "k\r\nX-Injected: 1"), account()), error::invalid_field,
                   "idempotency_key");
    EXPECT_FAILURE(stripe.build_charge(charge("pm_card_visa", std::string(256, 'k')), account()), error::invalid_field,
                   "idempotency_key");
    BOOST_TEST(stripe.build_charge(charge("pm_card_visa", std::string(255, 'k')), account()).has_value());
    auto c = charge();
    c.amount = 0;
    EXPECT_FAILURE(stripe.build_charge(c, account()), error::amount_out_of_range, "amount");
    c.amount = -5;
    EXPECT_FAILURE(stripe.build_charge(c, account()), error::amount_out_of_range, "amount");
}

BOOST_AUTO_TEST_CASE(status_request_is_exact)
{
    const auto step = stripe.build_status(status_request{"pi_3MtwBwLkdIwHu7ix28a3tqPa", charge()}, account());
    BOOST_TEST_REQUIRE(step.has_value());
    const outbound_request expected{
        "GET", "/v1/payment_intents/pi_3MtwBwLkdIwHu7ix28a3tqPa", {{"Authorization", "Bearer sk_test_recoup_fake"}}, ""};
    BOOST_TEST((*step->request == expected));
    // An id cannot change the path.
    const auto odd = stripe.build_status(status_request{"pi_1/../../v1/charges?x=1", charge()}, account());
    BOOST_TEST_REQUIRE(odd.has_value());
    BOOST_TEST(odd->request->path == "/v1/payment_intents/pi_1%2F..%2F..%2Fv1%2Fcharges%3Fx%3D1");
    EXPECT_FAILURE(stripe.build_status(status_request{"", charge()}, account()), error::missing_field,
                   "processor_transaction_id");
    EXPECT_FAILURE(stripe.build_status(status_request{"pi_1", charge()}, account("")), error::no_secret_configured,
                   "api_key");
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(declines)

// The decline taxonomy of each code: tests/processors/stripe_declines.cpp.

BOOST_AUTO_TEST_CASE(card_error_classified_by_decline_code_then_code)
{
    const auto c = charge();
    auto r = parsed(stripe.parse_charge(c, {402, {}, card_error_json("card_declined", "lost_card", "pi_1")}));
    expect_result(r, charge_status::failed, decline_kind::hard, "lost_card", "pi_1");
    r = parsed(stripe.parse_charge(c, {402, {}, card_error_json("card_declined", "do_not_honor", "pi_2")}));
    expect_result(r, charge_status::failed, decline_kind::soft, "do_not_honor", "pi_2");
    r = parsed(stripe.parse_charge(c, {402, {}, card_error_json("incorrect_number", std::nullopt, "pi_3")}));
    expect_result(r, charge_status::failed, decline_kind::hard, "incorrect_number", "pi_3");
    // No payment_intent in the error (it is optional): no transaction id
    r = parsed(stripe.parse_charge(
        c, {402, {}, R"({"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds"}})"}));
    expect_result(r, charge_status::failed, decline_kind::soft, "insufficient_funds", std::nullopt);
    BOOST_TEST(!r.error_message.has_value());
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(parse)

BOOST_AUTO_TEST_CASE(intent_statuses)
{
    const auto c = charge();
    auto r = parsed(stripe.parse_charge(c, {200, {}, intent_json("pi_1", "succeeded")}));
    expect_result(r, charge_status::succeeded, std::nullopt, std::nullopt, "pi_1");
    for (const char* status : {"processing", "requires_action", "requires_confirmation", "requires_capture"}) {
        BOOST_TEST_CONTEXT(status)
        {
            r = parsed(stripe.parse_charge(c, {200, {}, intent_json("pi_2", status)}));
            expect_result(r, charge_status::pending, std::nullopt, std::nullopt, "pi_2");
        }
    }
    // A failed confirmation leaves the intent waiting for another payment method, with its error.
    r = parsed(stripe.parse_charge(
        c, {200, {}, intent_json("pi_3", "requires_payment_method",
                                 R"(,"last_payment_error":{"type":"card_error","code":"card_declined",)"
                                 R"("decline_code":"fraudulent","message":"declined"})")}));
    expect_result(r, charge_status::failed, decline_kind::hard, "fraudulent", "pi_3");
    r = parsed(stripe.parse_charge(c, {200, {}, intent_json("pi_4", "requires_payment_method")}));
    expect_result(r, charge_status::failed, decline_kind::soft, "requires_payment_method", "pi_4");
    r = parsed(stripe.parse_charge(c, {200, {}, intent_json("pi_5", "canceled", R"(,"cancellation_reason":"fraudulent")")}));
    expect_result(r, charge_status::failed, decline_kind::hard, "fraudulent", "pi_5");
    r = parsed(stripe.parse_charge(c, {200, {}, intent_json("pi_6", "canceled", R"(,"cancellation_reason":null)")}));
    expect_result(r, charge_status::failed, decline_kind::soft, "canceled", "pi_6");
}

BOOST_AUTO_TEST_CASE(rejected_requests_are_hard)
{
    const auto c = charge();
    auto r = parsed(stripe.parse_charge(
        c, {400, {}, api_error_json("invalid_request_error", "amount_too_small", "Amount must be at least $0.50")}));
    expect_result(r, charge_status::failed, decline_kind::hard, "amount_too_small", std::nullopt);
    BOOST_TEST((r.error_message == "Amount must be at least $0.50"));
    r = parsed(stripe.parse_charge(c, {404, {}, R"({"error":{"type":"invalid_request_error"}})"}));
    expect_result(r, charge_status::failed, decline_kind::hard, "invalid_request_error", std::nullopt);
}

BOOST_AUTO_TEST_CASE(other_answers_are_errors_not_declines)
{
    const auto c = charge();
    const std::vector<std::pair<int, std::string>> answers{
        {401, api_error_json("invalid_request_error", "api_key_invalid", "Invalid API Key provided")},
        {403, api_error_json("invalid_request_error", "secret_key_required", "restricted key")},
        {409, api_error_json("idempotency_error", "", "concurrent request")},
        {429, api_error_json("rate_limit_error", "rate_limit", "Too many requests")},
        {400, api_error_json("idempotency_error", "", "Keys for idempotent requests can only be used with the same parameters")},
        {500, api_error_json("api_error", "", "Something went wrong")},
        {502, "<html>Bad Gateway</html>"},
        {503, ""},
        {302, ""},
    };
    for (const auto& [status, body] : answers) {
        BOOST_TEST_CONTEXT(status << " " << body)
        {
            const auto r = stripe.parse_charge(c, {status, {}, body});
            EXPECT_FAILURE(r, error::sync_response_failed, "/v1/payment_intents");
            BOOST_TEST(r.error().detail.starts_with("POST /v1/payment_intents answered HTTP " + std::to_string(status)),
                       r.error().detail);
        }
    }
    const auto r = stripe.parse_charge(c, {429, {}, api_error_json("rate_limit_error", "rate_limit", "Too many")});
    BOOST_TEST(r.error().detail == "POST /v1/payment_intents answered HTTP 429 (rate_limit_error: Too many)");
}

BOOST_AUTO_TEST_CASE(missing_fields_name_their_json_path)
{
    const auto c = charge();
    EXPECT_FAILURE(stripe.parse_charge(c, {200, {}, R"({"status":"succeeded"})"}), error::missing_field, "id");
    EXPECT_FAILURE(stripe.parse_charge(c, {200, {}, R"({"id":"pi_1"})"}), error::missing_field, "status");
    EXPECT_FAILURE(stripe.parse_charge(c, {200, {}, R"({"id":"pi_1","status":"exploded"})"}), error::invalid_field,
                   "status");
    EXPECT_FAILURE(stripe.parse_charge(c, {200, {}, R"({"id":7,"status":"succeeded"})"}), error::invalid_field, "id");
    EXPECT_FAILURE(stripe.parse_charge(c, {200, {}, intent_json("pi_1", "requires_payment_method",
                                                                 R"(,"last_payment_error":{"code":"x"})")}),
                   error::missing_field, "last_payment_error.type");
    EXPECT_FAILURE(stripe.parse_charge(c, {402, {}, R"({"message":"declined"})"}), error::missing_field, "error");
    EXPECT_FAILURE(stripe.parse_charge(c, {402, {}, R"({"error":{"code":"card_declined"}})"}), error::missing_field,
                   "error.type");
    EXPECT_FAILURE(stripe.parse_charge(c, {402, {}, R"({"error":{"type":"card_error","payment_intent":{}}})"}),
                   error::missing_field, "error.payment_intent.id");
    const auto r = stripe.parse_charge(c, {200, {}, "not json"});
    EXPECT_FAILURE(r, error::body_not_json, "");
    BOOST_TEST(r.error().detail.starts_with("in the response to POST /v1/payment_intents"), r.error().detail);
}

BOOST_AUTO_TEST_CASE(status_sync)
{
    const status_request s{"pi_7", charge()};
    auto r = parsed(stripe.parse_status(s, {200, {}, intent_json("pi_7", "succeeded")}));
    expect_result(r, charge_status::succeeded, std::nullopt, std::nullopt, "pi_7");
    r = parsed(stripe.parse_status(s, {200, {}, intent_json("pi_7", "processing")}));
    expect_result(r, charge_status::pending, std::nullopt, std::nullopt, "pi_7");
    r = parsed(stripe.parse_status(
        s, {200, {}, intent_json("pi_7", "requires_payment_method",
                                 R"(,"last_payment_error":{"type":"card_error","code":"card_declined",)"
                                 R"("decline_code":"insufficient_funds"})")}));
    expect_result(r, charge_status::failed, decline_kind::soft, "insufficient_funds", "pi_7");
    // Another intent's answer would settle the wrong charge.
    EXPECT_FAILURE(stripe.parse_status(s, {200, {}, intent_json("pi_8", "succeeded")}), error::invalid_field, "id");
    // A poll that fails says nothing about the charge, whatever the status.
    for (int status : {400, 401, 402, 404, 429, 500}) {
        BOOST_TEST_CONTEXT(status)
        {
            EXPECT_FAILURE(stripe.parse_status(s, {status, {}, api_error_json("invalid_request_error", "x", "y")}),
                           error::sync_response_failed, "/v1/payment_intents/pi_7");
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
// Over loopback against the fake Stripe: the static class, then the built plugin
// (build/plugins/recoup_stripe.so) through the loader.
BOOST_AUTO_TEST_SUITE(loopback)

BOOST_AUTO_TEST_CASE(static_class_outcomes) { check_loopback_outcomes(stripe); }
BOOST_AUTO_TEST_CASE(static_class_errors) { check_loopback_errors(stripe); }
BOOST_AUTO_TEST_CASE(static_class_idempotent_retry) { check_loopback_idempotent_retry(stripe); }

BOOST_AUTO_TEST_CASE(plugin_descriptor)
{
    const auto p = load_plugin();
    BOOST_TEST(p.info().name == "stripe");
    BOOST_TEST(p.info().version == "1.0.0");
    BOOST_TEST(recoup::plugin::kind_name(p.info().kind) == "payment_processor");
}

BOOST_AUTO_TEST_CASE(plugin_outcomes) { check_loopback_outcomes(load_plugin()); }
BOOST_AUTO_TEST_CASE(plugin_errors) { check_loopback_errors(load_plugin()); }
BOOST_AUTO_TEST_CASE(plugin_idempotent_retry) { check_loopback_idempotent_retry(load_plugin()); }

BOOST_AUTO_TEST_SUITE_END()
