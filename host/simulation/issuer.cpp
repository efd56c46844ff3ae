#include "simulation/issuer.hpp"

#include "simulation/model.hpp"

#include <boost/json.hpp>

namespace recoupd::simulation {

namespace json = boost::json;
namespace bhttp = boost::beast::http;

issuer::issuer(const std::vector<invoice>& population, const std::atomic<std::int64_t>& clock)
    : population_(population), clock_(clock)
{
    for (std::size_t i = 0; i < population_.size(); ++i)
        for (std::size_t m = 0; m < population_[i].methods.size(); ++m) tokens_[token_of(i, m)] = {i, m};
    http::server_options options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 1;
    options.workers = 2;
    options.drain_timeout = std::chrono::milliseconds(100);
    server_ = std::make_unique<http::server>(options, [this](http::request&& req) { return handle(std::move(req)); });
    port_ = server_->listen().port();
    thread_ = std::thread([this] { server_->run(false); });
}

issuer::~issuer()
{
    server_->stop();
    thread_.join();
}

std::string issuer::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string issuer::token_of(std::size_t i, std::size_t m)
{
    return "tok_sim_" + std::to_string(i) + "_" + std::to_string(m);
}

attempt_entry issuer::answer_at(std::size_t i, std::size_t m, std::int64_t t) const
{
    const auto& inv = population_[i];
    const auto& method = inv.methods[m];
    const auto& s = method.at(t);
    attempt_entry e;
    e.at = t;
    e.invoice_id = inv.id;
    e.method_id = method.id;
    e.network = method.network;
    e.approved = s.approve;
    if (!s.approve) {
        e.decline = s.decline;
        e.network_code = s.code;
        if (method.network == "mastercard" && model::carries_stop_advice(s.decline))
            e.advice_code = std::string(model::mastercard_stop_advice);
    }
    return e;
}

void issuer::record_platform_failure(std::size_t i)
{
    auto e = answer_at(i, 0, population_[i].failed_at);
    e.platform = true;
    std::lock_guard lock(mutex_);
    log_.push_back(std::move(e));
}

std::vector<attempt_entry> issuer::log() const
{
    std::lock_guard lock(mutex_);
    return log_;
}

std::string issuer::platform_url() const { return base_url() + "/platform"; }

std::size_t issuer::platform_calls() const
{
    std::lock_guard lock(mutex_);
    return platform_calls_;
}

std::size_t issuer::refused() const
{
    std::lock_guard lock(mutex_);
    return refused_;
}

std::string answer_body(const attempt_entry& e)
{
    json::object o;
    o["status"] = e.approved ? "succeeded" : "declined";
    if (!e.approved) {
        o["decline_code"] = e.decline;
        o["network"] = e.network;
        if (!e.network_code.empty()) o["network_code"] = e.network_code;
        if (!e.advice_code.empty()) o["advice_code"] = e.advice_code;
    } else {
        o["network"] = e.network;
    }
    return json::serialize(o);
}

http::response issuer::handle(http::request&& req)
{
    const auto reply = [&](bhttp::status status, std::string body) {
        http::response res{status, req.version()};
        res.set(bhttp::field::content_type, "application/json");
        res.body() = std::move(body);
        res.prepare_payload();
        res.keep_alive(req.keep_alive());
        return res;
    };
    const auto refuse = [&](bhttp::status status, const std::string& why) {
        std::lock_guard lock(mutex_);
        ++refused_;
        json::object o;
        o["error"] = why;
        return reply(status, json::serialize(o));
    };
    // The billing platform's API (record-backs of the outcome): acknowledged, nothing more.
    if (req.target().starts_with(platform_prefix)) {
        std::lock_guard lock(mutex_);
        ++platform_calls_;
        return reply(bhttp::status::ok, "{}");
    }
    if (req.method() != bhttp::verb::post || req.target() != "/v1/charges")
        return refuse(bhttp::status::not_found, "only POST /v1/charges");
    boost::system::error_code ec;
    const auto doc = json::parse(req.body(), ec);
    if (ec || !doc.is_object()) return refuse(bhttp::status::bad_request, "the body is not a JSON object");
    const auto& o = doc.as_object();
    const auto* token = o.if_contains("token");
    const auto* key = o.if_contains("idempotency_key");
    if (!token || !token->is_string() || !key || !key->is_string() || key->as_string().empty())
        return refuse(bhttp::status::bad_request, "token and idempotency_key are required");
    const auto found = tokens_.find(std::string(token->as_string()));
    if (found == tokens_.end()) return refuse(bhttp::status::bad_request, "unknown token");
    const auto& inv = population_[found->second.first];
    const auto* amount = o.if_contains("amount");
    const auto* currency = o.if_contains("currency");
    if (!amount || !amount->is_int64() || amount->as_int64() != inv.amount || !currency || !currency->is_string() ||
        currency->as_string() != inv.currency)
        return refuse(bhttp::status::bad_request, "the amount or currency is not the invoice's");

    std::lock_guard lock(mutex_);
    const std::string idempotency_key(key->as_string());
    if (const auto again = answered_.find(idempotency_key); again != answered_.end())
        return reply(bhttp::status::ok, again->second);
    auto e = answer_at(found->second.first, found->second.second, clock_.load());
    auto body = answer_body(e);
    answered_[idempotency_key] = body;
    log_.push_back(std::move(e));
    return reply(bhttp::status::ok, std::move(body));
}

} // namespace recoupd::simulation
