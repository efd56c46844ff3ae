#include "http/admin.hpp"

#include "app.hpp"
#include "http/reply.hpp"
#include "../log.hpp" // the shared log at the host root, not http/log.hpp

#include <recoup/api_error.hpp>
#include <recoup/crypto.hpp>
#include <recoup/flow.hpp>
#include <recoup/task.hpp>

#include <boost/json.hpp>

#include <cstdlib>

namespace recoupd::http {

namespace {

namespace bhttp = boost::beast::http;
namespace json = boost::json;

// The admin route's 503, for the operator: the database's words go here, not in the body.
void log_admin_failure(const std::string& payment_id, const std::string& detail)
{
    log_json(json::object{{"route", "workflow"},
                          {"payment_id", payment_id},
                          {"status", 503},
                          {"error", recoup::to_string(recoup::error::storage_unavailable)},
                          {"detail", detail}});
}

json::value task_json(const std::optional<recoup::task_record>& t)
{
    if (!t) return nullptr;
    boost::system::error_code ec;
    auto tracking = json::parse(t->tracking_data.empty() ? "{}" : t->tracking_data, ec);
    return json::object{{"id", t->id},
                        {"name", t->name},
                        {"runner", t->runner},
                        {"status", t->status},
                        {"business_status", t->business_status},
                        {"retry_count", t->retry_count},
                        {"schedule_time", t->schedule_time},
                        {"tracking_data", ec ? json::value(nullptr) : tracking},
                        {"updated_at", t->updated_at}};
}

json::value optional_string(const std::optional<std::string>& s)
{
    return s ? json::value(*s) : json::value(nullptr);
}

} // namespace

namespace {

// An unset or empty RECOUP_ADMIN_TOKEN lets nobody in. The SHA-256 digests of the presented and
// the expected value are compared (CRYPTO_memcmp over equal lengths), so neither the time taken
// nor an early length check says how long the token is or how much of it matched.
bool digests_match(std::string_view presented, std::string_view expected)
{
    const auto p = recoup::sha256(presented);
    const auto e = recoup::sha256(expected);
    return recoup::constant_time_equal(recoup::as_string_view(p), recoup::as_string_view(e));
}

} // namespace

std::optional<std::string> admin_token()
{
    const char* token = std::getenv("RECOUP_ADMIN_TOKEN");
    if (!token || !*token) return std::nullopt;
    return std::string(token);
}

bool admin_authorized(const request& req)
{
    const auto token = admin_token();
    return token && digests_match(req[bhttp::field::authorization], "Bearer " + *token);
}

bool is_admin_token(std::string_view presented)
{
    const auto token = admin_token();
    return token && digests_match(presented, *token);
}

response handle_workflow(app& a, const request& req, const std::string& payment_id)
{
    if (!admin_authorized(req)) return reply::unauthorized(req, "a valid admin bearer token is required");
    try {
        // A read without row locks or a write transaction: a look never holds up a webhook.
        const auto rows = a.store.read_workflow(payment_id, {recoup::task_id(recoup::task_kind::execute, payment_id),
                                                             recoup::task_id(recoup::task_kind::psync, payment_id),
                                                             recoup::task_id(recoup::task_kind::record_back, payment_id)});
        const auto& intent = rows.intent;
        if (!intent) return reply::not_found(req, "unknown payment " + payment_id);
        const auto& task = rows.tasks[0];
        const auto& psync = rows.tasks[1];
        const auto& record_back = rows.tasks[2];
        json::array attempts;
        for (const auto& at : rows.attempts)
            attempts.push_back(json::object{{"id", at.id},
                                            {"status", recoup::to_string(at.status)},
                                            {"amount", at.amount},
                                            {"currency", at.currency.str()},
                                            {"connector_payment_id", at.connector_payment_id},
                                            {"triggered_by", recoup::to_string(at.triggered_by)},
                                            {"error_code", optional_string(at.error_code)},
                                            {"error_message", optional_string(at.error_message)},
                                            {"created_at", at.created_at},
                                            {"modified_at", at.modified_at}});
        json::object body{{"payment_id", payment_id},
                          {"intent", json::object{{"status", recoup::to_string(intent->status)},
                                                  {"profile_id", intent->profile_id},
                                                  {"merchant_reference_id", intent->merchant_reference_id},
                                                  {"billing_mca_id", intent->billing_mca_id},
                                                  {"amount", intent->amount},
                                                  {"currency", intent->currency.str()},
                                                  {"total_retry_count", intent->total_retry_count}}},
                          {"task", task_json(task)},
                          {"psync_task", task_json(psync)},
                          {"record_back_task", task_json(record_back)},
                          {"attempts", std::move(attempts)}};
        return reply::json(req, 200, json::serialize(body));
    } catch (const recoup::storage_error& e) {
        a.metrics.count_database_error();
        log_admin_failure(payment_id, e.what());
        return reply::unavailable(req, recoup::api_error::storage_unavailable,
                                  recoup::api_error::public_message(recoup::api_error::storage_unavailable),
                                  a.config.retry_after);
    }
}

} // namespace recoupd::http
